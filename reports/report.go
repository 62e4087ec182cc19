package reports

import (
	"bytes"
	"cmp"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/passportirt/passport/irt"
	"github.com/passportirt/passport/reports/table"
)

// RunInfo describes the calibration run a report is about.
type RunInfo struct {
	ID        int64
	Name      string
	Model     string
	D         float64
	LogLik    float64 // NaN when not known
	Converged bool
	Examinees int    // examinees in the report's sample
	Responses int    // responses in the report's sample
	Sample    string // which responses the report read, and how omits were treated
	Created   string
}

// ReportInput is what the HTML report shows: the analyses of one set of
// responses under one calibration run. Linking and Conversions are shown
// only when given.
type ReportInput struct {
	Title     string
	Generated string // when the report was made, as it should read
	Run       RunInfo
	Responses *irt.Responses
	Analysis  *Analysis
	Fit       *FitResult
	Params    []irt.ThreePL // one per Responses.Items: the run's parameters
	ICCGroups int           // ability groups of the empirical ICCs; default 10

	Linking     []LinkPoint // a linking's common items
	Link        LinkConstants
	Conversions []ConversionTable // raw → scale, per form
	ScaleName   string

	// Texts (one per Responses.Items, or nil) are the items' stems and
	// options, shown on their cards; SEs (likewise) the standard errors
	// of their parameters.
	Texts []ItemText
	SEs   []ParamSE
	// Assembled are assembled forms whose information curves to draw
	// under the run's parameters, Assembly what they are ("assembly 3").
	Assembled []FormParams
	Assembly  string
	// DIF, when not nil, adds the DIF section, each item's DIF to its
	// card, and the dif flag.
	DIF *DIFInput
	// Persons, when not nil, adds the person-fit section: the examinees'
	// fit (PersonFits, with PersonCut its l_z* cut) and the separation of
	// persons and items.
	Persons    []PersonFit
	PersonCut  float64
	Separation []Separation
}

// ItemText is an item as examinees read it: its stem and its options, A
// first.
type ItemText struct {
	Stem    string
	Options []string
}

// ParamSE is the standard errors of an item's a, b and c (NaN when not
// estimated or not computed).
type ParamSE struct {
	A, B, C float64
}

// ItemRow is one item's line in the report: parameters, classical
// statistics, fit and every flag raised.
type ItemRow struct {
	Item           string `csv:"item" json:"item"`
	Domain         string `csv:"domain" json:"domain"`
	Key            string `csv:"key" json:"key"`
	A              Num    `csv:"a" json:"a"`
	B              Num    `csv:"b" json:"b"`
	C              Num    `csv:"c" json:"c"`
	N              int    `csv:"n" json:"n"`
	PValue         Num    `csv:"p_value" json:"p_value"`
	PointBiserial  Num    `csv:"pbis" json:"pbis"`
	ItemRest       Num    `csv:"r_it" json:"r_it"`
	AlphaIfDeleted Num    `csv:"alpha_if_deleted" json:"alpha_if_deleted"`
	SX2            Num    `csv:"s_x2" json:"s_x2"`
	DF             int    `csv:"df" json:"df"`
	PAdj           Num    `csv:"p_adj" json:"p_adj"`
	Infit          Num    `csv:"infit" json:"infit"`
	InfitZ         Num    `csv:"infit_z" json:"infit_z"`
	Outfit         Num    `csv:"outfit" json:"outfit"`
	OutfitZ        Num    `csv:"outfit_z" json:"outfit_z"`
	Flags          Flags  `csv:"flags" json:"flags"`
}

// DomainRow summarises one content domain's items.
type DomainRow struct {
	Domain  string `csv:"domain" json:"domain"`
	Items   int    `csv:"items" json:"items"`
	MeanP   Num    `csv:"mean_p" json:"mean_p"`
	MeanRIT Num    `csv:"mean_r_it" json:"mean_r_it"`
	MeanA   Num    `csv:"mean_a" json:"mean_a"`
	MeanB   Num    `csv:"mean_b" json:"mean_b"`
	Flagged int    `csv:"flagged" json:"flagged"` // items with any flag
	ByFlag  string `csv:"by_flag" json:"by_flag"` // items per flag, e.g. "hard 2, misfit 1"
}

// ItemRows joins the analyses item by item, CTT flags first.
func ItemRows(r *irt.Responses, an *Analysis, fit *FitResult, params []irt.ThreePL) []ItemRow {
	rows := make([]ItemRow, len(r.Items))
	for i := range r.Items {
		st, f, p := an.Items[i], fit.Items[i], params[i]
		rows[i] = ItemRow{Item: st.Item, Domain: st.Domain, Key: st.Key, A: Num(p.A), B: Num(p.B), C: Num(p.C), N: st.N,
			PValue: st.PValue, PointBiserial: st.PointBiserial, ItemRest: st.ItemRest, AlphaIfDeleted: st.AlphaIfDeleted,
			SX2: f.SX2, DF: f.DF, PAdj: f.PAdj, Infit: f.Infit, InfitZ: f.InfitZ, Outfit: f.Outfit, OutfitZ: f.OutfitZ,
			Flags: slices.Concat(st.Flags, f.Flags)}
	}
	return rows
}

// DomainRows summarises the item rows by domain, in order of appearance.
func DomainRows(rows []ItemRow) []DomainRow {
	var out []DomainRow
	index := map[string]int{}
	type sums struct{ p, rit, a, b, np, nrit float64 }
	var acc []sums
	var flags [][]Flags
	for _, r := range rows {
		j, ok := index[r.Domain]
		if !ok {
			j = len(out)
			index[r.Domain] = j
			out = append(out, DomainRow{Domain: r.Domain})
			acc = append(acc, sums{})
			flags = append(flags, nil)
		}
		d, s := &out[j], &acc[j]
		d.Items++
		s.a += float64(r.A)
		s.b += float64(r.B)
		if r.PValue.Defined() {
			s.p += float64(r.PValue)
			s.np++
		}
		if r.ItemRest.Defined() {
			s.rit += float64(r.ItemRest)
			s.nrit++
		}
		if len(r.Flags) > 0 {
			d.Flagged++
		}
		flags[j] = append(flags[j], r.Flags)
	}
	for j := range out {
		d, s := &out[j], acc[j]
		d.MeanP, d.MeanRIT = Num(s.p/s.np), Num(s.rit/s.nrit)
		d.MeanA, d.MeanB = Num(s.a/float64(d.Items)), Num(s.b/float64(d.Items))
		d.ByFlag = FlagSummary(flags[j])
	}
	return out
}

// FlagSummary counts the items raising each flag, as "miskey 1, hard 2",
// in the order of allFlags; "" when none is raised.
func FlagSummary(items []Flags) string {
	counts := map[string]int{}
	for _, fs := range items {
		for _, f := range fs {
			counts[f]++
		}
	}
	var parts []string
	for _, f := range allFlags {
		if n := counts[f]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", f, n))
		}
	}
	return strings.Join(parts, ", ")
}

// allFlags lists the flags in the order the report counts them.
var allFlags = []string{FlagMiskey, FlagNegative, FlagHard, FlagEasy, FlagMisfit, FlagInfit, FlagOutfit, FlagLocalDependence, FlagDIF, FlagPersonMisfit}

//go:embed report.html
var reportHTML string

// reportTemplate is the page's template; names gives each item code its
// anchor (see itemNames).
func reportTemplate(names map[string]string) (*template.Template, error) {
	return template.New("report").Funcs(template.FuncMap{
		"svg":    func(f Figure) string { return base64.StdEncoding.EncodeToString(f.SVG) }, // after "data:image/svg+xml;base64,"
		"num":    func(x Num) string { return x.String() },
		"anchor": func(code string) string { return "item-" + names[code] },
		"fmt":    func(x float64) string { return Num(x).String() },
	}).Parse(reportHTML)
}

// itemNames gives each item the name of its plot files and of its anchor
// in the page, no two alike even where file systems ignore case: the code
// itself where it is a safe file name (fileSafe keeps it as it is) that no
// other item's safe name matches ignoring case; otherwise its safe name,
// "~" and the item's position (1-based), which no safe name contains.
func itemNames(items []irt.ItemInfo) []string {
	count := map[string]int{}
	for _, it := range items {
		count[strings.ToLower(fileSafe(it.Code))]++
	}
	names := make([]string, len(items))
	for i, it := range items {
		names[i] = fileSafe(it.Code)
		if names[i] != it.Code || count[strings.ToLower(names[i])] > 1 {
			names[i] += "~" + strconv.Itoa(i+1)
		}
	}
	return names
}

// WriteReport writes the report to dir: report.html, one self-contained
// page (plots embedded as SVG, the item table sortable by an inline script,
// readable offline), the plots as PNG and SVG under plots/, and the tables
// as CSV: items.csv, domains.csv, forms.csv, form_items.csv (alpha if
// deleted), distractors.csv, q3_forms.csv and q3_pairs.csv. It returns the
// page's path.
func WriteReport(dir string, in *ReportInput) (string, error) {
	r := in.Responses
	if in.Analysis == nil || in.Fit == nil || len(in.Params) != len(r.Items) {
		return "", fmt.Errorf("reports: a report needs the analysis, the fit and %d item parameters", len(r.Items))
	}
	plots := filepath.Join(dir, "plots")
	if err := os.MkdirAll(plots, 0o755); err != nil {
		return "", err
	}
	for name, n := range map[string]int{"texts": len(in.Texts), "standard errors": len(in.SEs)} {
		if n != 0 && n != len(r.Items) {
			return "", fmt.Errorf("reports: %d item %s for %d items", n, name, len(r.Items))
		}
	}
	if in.DIF != nil && len(in.DIF.Rows) != len(r.Items) {
		return "", fmt.Errorf("reports: %d DIF rows for %d items", len(in.DIF.Rows), len(r.Items))
	}
	page := reportPage{ReportInput: in, Items: ItemRows(r, in.Analysis, in.Fit, in.Params), ICCGroups: in.ICCGroups}
	if page.ICCGroups <= 0 {
		page.ICCGroups = 10
	}
	if in.DIF != nil {
		for i, d := range in.DIF.Rows {
			if d.DIF {
				page.Items[i].Flags = append(page.Items[i].Flags, FlagDIF)
				page.DIFFlagged++
			}
		}
	}
	if in.Persons != nil {
		page.PersonFlags = personFlagCounts(in.Persons)
	}
	page.Domains = DomainRows(page.Items)
	for _, row := range page.Items {
		if len(row.Flags) > 0 {
			page.Flagged++
		}
	}
	var err error
	if page.Summary, err = summaryFigures(in); err != nil {
		return "", err
	}
	names := itemNames(r.Items)
	if page.Cards, err = itemCards(in, page.Items, names, page.ICCGroups); err != nil {
		return "", err
	}
	if in.DIF != nil {
		f, err := DIFPlot(in.DIF)
		if err != nil {
			return "", err
		}
		page.DIFFigure = &f
	}
	if in.Persons != nil {
		page.PersonCut = cmp.Or(in.PersonCut, DefaultLzCut)
		f, err := PersonFitPlot(in.Persons, page.PersonCut)
		if err != nil {
			return "", err
		}
		page.PersonFig = &f
	}
	for _, f := range slices.Concat(page.Summary, figures(page.DIFFigure, page.PersonFig)) {
		if err := f.Save(plots); err != nil {
			return "", err
		}
	}
	for _, c := range page.Cards {
		for _, f := range []Figure{c.ICC, c.Options} {
			if f.Name == "" {
				continue
			}
			if err := f.Save(plots); err != nil {
				return "", err
			}
		}
	}
	for _, pr := range in.Fit.Q3Pairs {
		if pr.Flagged {
			page.Dependent = append(page.Dependent, pr)
		}
	}
	for name, rows := range map[string]any{
		"items.csv": page.Items, "domains.csv": page.Domains, "forms.csv": in.Analysis.Forms,
		"form_items.csv": in.Analysis.FormItems, "distractors.csv": in.Analysis.Distractors,
		"q3_forms.csv": in.Fit.Q3, "q3_pairs.csv": in.Fit.Q3Pairs,
	} {
		if err := writeCSV(filepath.Join(dir, name), rows); err != nil {
			return "", err
		}
	}
	anchors := make(map[string]string, len(names))
	for i, it := range r.Items {
		anchors[it.Code] = names[i]
	}
	tmpl, err := reportTemplate(anchors)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, page); err != nil {
		return "", err
	}
	path := filepath.Join(dir, "report.html")
	return path, os.WriteFile(path, b.Bytes(), 0o644)
}

// reportPage is the template's data.
type reportPage struct {
	*ReportInput
	ICCGroups int // as used, the default filled in
	Items     []ItemRow
	Domains   []DomainRow
	Flagged   int
	Summary   []Figure
	Cards     []itemCard
	Dependent []Q3Pair

	DIFFigure   *Figure // Δ_MH by item, with a DIF analysis
	DIFFlagged  int
	PersonFig   *Figure // l_z*, with person fit
	PersonCut   float64 // as used, the default filled in
	PersonFlags []flagCount
}

// choice is an option of an item's card.
type choice struct {
	Text string
	Key  bool
}

// figures lists the figures given.
func figures(fs ...*Figure) []Figure {
	var out []Figure
	for _, f := range fs {
		if f != nil {
			out = append(out, *f)
		}
	}
	return out
}

// flagCount is the number of examinees raising a flag.
type flagCount struct {
	Flag string
	N    int
}

// personFlagCounts counts the examinees flagged, by flag, "any" first.
func personFlagCounts(persons []PersonFit) []flagCount {
	counts := map[string]int{}
	anyFlag := 0
	for _, p := range persons {
		for _, f := range p.Flags {
			counts[f]++
		}
		if len(p.Flags) > 0 {
			anyFlag++
		}
	}
	out := []flagCount{{"any", anyFlag}}
	for _, f := range []string{FlagPersonMisfit, FlagInfit, FlagOutfit} {
		out = append(out, flagCount{f, counts[f]})
	}
	return out
}

// itemCard is one item's section: its row, ICC, option curves and
// distractor rows, and, when given, its text, its parameters' SEs and its
// DIF.
type itemCard struct {
	Row         ItemRow
	ICC         Figure
	Options     Figure // option characteristic curves; no Name without distractor rows
	Distractors []OptionStats
	Stem        string
	Choices     []choice
	SE          *ParamSE
	DIF         *DIFRow
}

// summaryFigures draws the test information and CSEM of each form, the
// Wright map, and the linking and conversion plots when given.
func summaryFigures(in *ReportInput) ([]Figure, error) {
	r := in.Responses
	var forms []FormParams
	for f, items := range formItems(r) {
		fp := FormParams{Form: r.Forms[f]}
		for _, i := range items {
			fp.Items = append(fp.Items, in.Params[i])
		}
		if len(fp.Items) > 0 {
			forms = append(forms, fp)
		}
	}
	info, csem, err := InformationPlots(forms, "", "")
	if err != nil {
		return nil, err
	}
	wi := make([]WrightItem, len(r.Items))
	for i, it := range r.Items {
		wi[i] = WrightItem{Code: it.Code, Domain: it.Domain, B: in.Params[i].B}
	}
	theta := make([]float64, len(in.Fit.Theta))
	for p, e := range in.Fit.Theta {
		theta[p] = e.Theta
	}
	wright, err := WrightMap(wi, theta)
	if err != nil {
		return nil, err
	}
	figs := []Figure{info, csem, wright}
	if len(in.Assembled) > 0 {
		ai, ac, err := InformationPlots(in.Assembled, "assembled-", in.Assembly)
		if err != nil {
			return nil, err
		}
		figs = append(figs, ai, ac)
	}
	if len(in.Linking) > 0 {
		f, err := LinkingPlot(in.Linking, in.Link)
		if err != nil {
			return nil, err
		}
		figs = append(figs, f)
	}
	if len(in.Conversions) > 0 {
		name := in.ScaleName
		if name == "" {
			name = "scale score"
		}
		f, err := ConversionPlot(in.Conversions, name)
		if err != nil {
			return nil, err
		}
		figs = append(figs, f)
	}
	return figs, nil
}

// itemCards draws every item's ICC with its observed proportions in
// groups ability groups, on all cores, saved as "icc-" and the item's name.
func itemCards(in *ReportInput, rows []ItemRow, names []string, groups int) ([]itemCard, error) {
	r := in.Responses
	// Each item's abilities and scores, gathered in one pass, without the
	// omits when the fit treated them as not administered.
	thetas := make([][]float64, len(r.Items))
	scores := make([][]uint8, len(r.Items))
	for p := range r.NExaminees() {
		for k := r.Start[p]; k < r.Start[p+1]; k++ {
			if in.Fit.Options.OmitAsMissing && r.Option[k] == irt.Omitted {
				continue
			}
			i := r.Item[k]
			thetas[i] = append(thetas[i], in.Fit.Theta[p].Theta)
			scores[i] = append(scores[i], r.Score[k])
		}
	}
	byItem := map[string][]OptionStats{}
	for _, o := range in.Analysis.Distractors {
		byItem[o.Item] = append(byItem[o.Item], o)
	}
	cards := make([]itemCard, len(r.Items))
	errs := make([]error, len(r.Items))
	next := make(chan int, len(r.Items))
	for i := range r.Items {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				cards[i], errs[i] = itemCardOf(in, i, rows[i], names[i], EmpiricalICC(thetas[i], scores[i], groups), byItem[r.Items[i].Code])
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return cards, nil
}

// itemCardOf makes item i's card: its ICC with the observed points pts,
// its option curves from its distractor rows, and what else the input
// holds of it.
func itemCardOf(in *ReportInput, i int, row ItemRow, name string, pts []EmpiricalPoint, options []OptionStats) (itemCard, error) {
	c := itemCard{Row: row, Distractors: options}
	var err error
	if c.ICC, err = ICCPlot(in.Responses.Items[i], in.Params[i], pts); err != nil {
		return c, err
	}
	c.ICC.Name = "icc-" + name
	if len(options) > 0 {
		if c.Options, err = OptionCurvesPlot(row.Item, options); err != nil {
			return c, err
		}
		c.Options.Name = "occ-" + name
	}
	if in.Texts != nil {
		c.Stem = in.Texts[i].Stem
		for j, o := range in.Texts[i].Options {
			c.Choices = append(c.Choices, choice{Text: o, Key: j+1 == in.Responses.Items[i].Key})
		}
	}
	if in.SEs != nil {
		c.SE = &in.SEs[i]
	}
	if in.DIF != nil {
		c.DIF = &in.DIF.Rows[i]
	}
	return c, nil
}

// writeCSV writes rows, a slice of structs, to path as CSV (table.Write).
func writeCSV(path string, rows any) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := table.Write(f, "csv", rows); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}
