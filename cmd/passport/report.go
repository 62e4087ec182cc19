package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/irt"
	"github.com/passportirt/passport/reports"
	"github.com/passportirt/passport/reports/dif"
	"github.com/passportirt/passport/scale"
)

type reportOptions struct {
	*globals
	run       ref
	dir       string // the folder to write to
	groups    int
	iccGroups int
	sample    sampleFlags
	linking   ref  // a linking to plot
	tables    refs // conversion tables to plot
	assembly  ref  // an assembly whose forms' information to plot
	difGroup  string
	focal     string
	reference string
}

func newReportCmd(g *globals) *cobra.Command {
	o := &reportOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Write the analysts' HTML report of a calibration run",
		Long: `Analyses the responses to a calibration run's items — classical item
analysis and distractors, S-X², infit and outfit, Q3 — and writes to --out:

  report.html   one self-contained page (plots embedded as SVG, readable
                offline), with a table of contents: forms with alpha, a
                summary per domain, test information, CSEM and the Wright
                map, a sortable and filterable item table with flags, person
                fit (l_z*) with person and item separation and reliability,
                flagged item pairs, and a card per item: its stem and
                options with the key, its parameters with their SEs, its
                fit, its curve with the observed proportions, its option
                characteristic curves and its distractors
  *.csv         the tables: items, domains, forms, form_items (alpha if
                deleted), distractors, q3_forms, q3_pairs
  plots/        every plot as PNG and SVG

--linking adds the plot of a linking's common items with its constants,
--tables the conversion curves of stored tables with their CSEM bands,
--assembly the information curves of an assembly's forms under the run's
parameters. --dif-group with --focal (and --reference) adds a section on
differential item functioning between the groups (Mantel–Haenszel and
logistic regression, with purification; see passport dif), each item's
DIF on its card and the dif flag. The page's path is printed on stdout.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runReport(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.Var(&o.run, "run", "the calibration run, by number or name (required)")
	f.StringVar(&o.dir, "out", "", "the folder to write the report to (required; created if needed)")
	intVar(f, &o.groups, "groups", 5, 1, 20, "ability groups of the distractor analysis")
	intVar(f, &o.iccGroups, "icc-groups", 10, 2, 50, "ability groups of the observed proportions on each item's curve")
	o.sample.declare(f)
	f.Var(&o.linking, "linking", "also plot this linking's common items, by number or name (see passport linkings list)")
	f.Var(&o.tables, "tables", "also plot these conversion tables, by number or name (see passport scale tables)")
	f.Var(&o.assembly, "assembly", "also plot the information of this assembly's forms, by number or name (see passport forms list)")
	f.StringVar(&o.difGroup, "dif-group", "", "add DIF between groups of this examinee attribute, e.g. gender (with --focal)")
	f.StringVar(&o.focal, "focal", "", "the attribute's value of the DIF focal group")
	f.StringVar(&o.reference, "reference", "", "the value of the DIF reference group (default: every other value)")
	cmd.MarkFlagRequired("run")
	cmd.MarkFlagRequired("out")
	return cmd
}

// runReport analyses the run's items, writes the report to o.dir, says
// what it flagged on stderr and prints the page's path.
func runReport(ctx context.Context, o *reportOptions) error {
	if o.groups < 1 || o.groups > 20 || o.iccGroups < 2 || o.iccGroups > 50 {
		return fmt.Errorf("--groups %d, --icc-groups %d: expected 1 to 20 and 2 to 50 ability groups", o.groups, o.iccGroups)
	}
	if o.dir == "" {
		return fmt.Errorf("--out: expected the folder to write the report to")
	}
	if (o.difGroup == "") != (o.focal == "") || (o.reference != "" && o.difGroup == "") {
		return fmt.Errorf("--dif-group %q, --focal %q, --reference %q: DIF needs the attribute and the focal value (the reference is optional)", o.difGroup, o.focal, o.reference)
	}
	b, run, smp, said, err := openRunSample(ctx, o.globals, o.run, &o.sample)
	if err != nil {
		return err
	}
	defer b.Close()
	p := o.progress("report", 0, "steps")
	defer p.Done()
	fo := reports.FitOptions{Method: irt.MethodEAP, OmitAsMissing: smp.OmitAsMissing}
	p.Message("reading responses")
	r, params, err := runResponses(ctx, b, run, smp, &fo)
	if err != nil {
		return err
	}
	p.Message("item analysis")
	an, err := reports.Analyze(r, reports.AnalysisOptions{Groups: o.groups})
	if err != nil {
		return err
	}
	p.Message("item fit")
	fit, err := reports.Fit(r, params, fo)
	if err != nil {
		return err
	}
	p.Message("person fit")
	persons, err := reports.PersonFits(r, params, reports.PersonFitOptions{})
	if err != nil {
		return err
	}
	title := fmt.Sprintf("Item analysis and fit: run %d", run.ID)
	if run.Name != "" {
		title += " (" + run.Name + ")"
	}
	rep := &reports.ReportInput{
		Title: title, Generated: time.Now().UTC().Format("2006-01-02 15:04 UTC"),
		Run: reports.RunInfo{ID: run.ID, Name: run.Name, Model: run.Model, D: run.D, LogLik: run.LogLik, Converged: run.Converged,
			Examinees: r.NExaminees(), Responses: r.NResponses(), Sample: said, Created: run.CreatedAt},
		Responses: r, Analysis: an, Fit: fit, Params: params, ICCGroups: o.iccGroups,
		Persons: persons, PersonCut: reports.DefaultLzCut,
	}
	if err := addItems(ctx, b, rep, run, persons); err != nil {
		return err
	}
	if o.difGroup != "" {
		do := dif.Options{MH: true, LR: true, Purify: true}
		res, err := runDIFAnalysis(ctx, b, run, smp, o.difGroup, o.focal, o.reference, do, p.Message)
		if err != nil {
			return err
		}
		if rep.DIF, err = difInput(res, r.Codes(), o.difGroup, o.focal, o.reference); err != nil {
			return err
		}
	}
	if o.assembly != "" {
		id, err := o.assembly.resolve(ctx, b, bank.KindAssembly)
		if err != nil {
			return err
		}
		if rep.Assembled, err = assembledForms(ctx, b, id, r.Codes(), params); err != nil {
			return err
		}
		rep.Assembly = fmt.Sprintf("assembly %d", id)
	}
	p.Message("plots")
	var linking int64
	if o.linking != "" {
		if linking, err = o.linking.resolve(ctx, b, bank.KindLinking); err != nil {
			return err
		}
	}
	tables, err := o.tables.resolve(ctx, b, bank.KindTable)
	if err != nil {
		return err
	}
	if err := addScaling(ctx, b, rep, linking, tables); err != nil {
		return err
	}
	path, err := reports.WriteReport(o.dir, rep)
	p.Done()
	if err != nil {
		return err
	}
	alphas := make([]string, len(an.Forms))
	for i, f := range an.Forms {
		alphas[i] = f.Form + " " + f.Alpha.String()
	}
	flagged, summary := flagSummary(rep)
	o.status("report of run %d on %s", run.ID, said)
	o.status("N = %d examinees, %d responses; alpha by form %s", r.NExaminees(), len(r.Item), strings.Join(alphas, ", "))
	if err := statusKeys(ctx, o.globals, b, r.Codes(), run); err != nil {
		return err
	}
	o.status("%d of %d items flagged (items per flag: %s); wrote the report, its tables and plots to %s", flagged, len(an.Items), summary, o.dir)
	fmt.Fprintln(o.out, path)
	return nil
}

// flagSummary counts the report's flagged items and the items per flag
// ("none" when nothing is flagged).
func flagSummary(rep *reports.ReportInput) (flagged int, summary string) {
	rows := reports.ItemRows(rep.Responses, rep.Analysis, rep.Fit, rep.Params)
	flags := make([]reports.Flags, len(rows))
	for i, row := range rows {
		flags[i] = row.Flags
		if len(row.Flags) > 0 {
			flagged++
		}
	}
	if summary = reports.FlagSummary(flags); summary == "" {
		summary = "none"
	}
	return flagged, summary
}

// addScaling adds to a report the plot of a linking's common items (base b
// against the new b moved by the linking) and stored conversion tables.
func addScaling(ctx context.Context, b *bank.Bank, rep *reports.ReportInput, linking int64, tables []int64) error {
	if linking > 0 {
		l, err := b.Linking(ctx, linking)
		if err != nil {
			return err
		}
		from, err := b.Calibration(ctx, l.From)
		if err != nil {
			return err
		}
		to, err := b.Calibration(ctx, l.To)
		if err != nil {
			return err
		}
		t := scale.Transform{A: l.A, B: l.B}
		newB, oldB := map[string]float64{}, map[string]float64{}
		for _, p := range from.Params {
			newB[p.Item] = t.Theta(p.B) // b moves as θ does
		}
		for _, p := range to.Params {
			oldB[p.Item] = p.B
		}
		for _, it := range l.Items {
			rep.Linking = append(rep.Linking, reports.LinkPoint{Item: it.Item, Old: oldB[it.Item], New: newB[it.Item], Used: it.Used})
		}
		rep.Link = reports.LinkConstants{Method: l.Method, A: l.A, B: l.B, SEA: l.SEA, SEB: l.SEB}
	}
	for _, id := range tables {
		t, err := b.ConversionTableByID(ctx, id)
		if err != nil {
			return err
		}
		ct := reports.ConversionTable{Form: t.Form}
		for _, r := range t.Rows {
			ct.Rows = append(ct.Rows, reports.ConversionRow{Raw: r.Raw, Scale: r.Score, CSEM: r.CSEM})
		}
		rep.Conversions = append(rep.Conversions, ct)
		rep.ScaleName = t.Scale
	}
	return nil
}

// addItems adds to a report the items' stems and options, the standard
// errors of their parameters in the run, and the separation of persons
// (their WLEs and SEs) and items (b and its SE).
func addItems(ctx context.Context, b *bank.Bank, rep *reports.ReportInput, run *bank.Calibration, persons []reports.PersonFit) error {
	items, err := b.Items(ctx, bank.ItemFilter{})
	if err != nil {
		return err
	}
	texts := make(map[string]reports.ItemText, len(items))
	for _, it := range items {
		texts[it.Code] = reports.ItemText{Stem: it.Stem, Options: it.Options}
	}
	ses := make(map[string]reports.ParamSE, len(run.Params))
	for _, p := range run.Params {
		ses[p.Item] = reports.ParamSE{A: p.SEA, B: p.SEB, C: p.SEC}
	}
	codes := rep.Responses.Codes()
	rep.Texts, rep.SEs = make([]reports.ItemText, len(codes)), make([]reports.ParamSE, len(codes))
	bs, seB := make([]float64, len(codes)), make([]float64, len(codes))
	for i, c := range codes {
		rep.Texts[i], rep.SEs[i] = texts[c], ses[c]
		bs[i], seB[i] = rep.Params[i].B, ses[c].B
	}
	theta, se := make([]float64, len(persons)), make([]float64, len(persons))
	for i, pf := range persons {
		theta[i], se[i] = float64(pf.Theta), float64(pf.SE)
	}
	rep.Separation = []reports.Separation{reports.SeparationOf("persons", theta, se), reports.SeparationOf("items", bs, seB)}
	return nil
}

// difInput is a DIF analysis as the report shows it, one row per item of
// codes (the report's items, which the analysis read from the same
// sample); an item the analysis has no row for is an error rather than a
// Δ of 0.
func difInput(res *dif.Result, codes []string, group, focal, reference string) (*reports.DIFInput, error) {
	d := &reports.DIFInput{Group: group, Focal: focal, Reference: reference, NRef: res.NRef, NFocal: res.NFocal,
		Matching: len(res.Matching), Rounds: res.Rounds, Rows: make([]reports.DIFRow, len(codes))}
	byItem := make(map[string]dif.Summary, len(res.Items))
	for _, s := range res.Items {
		byItem[s.Item] = s
	}
	for i, c := range codes {
		s, ok := byItem[c]
		if !ok {
			return nil, fmt.Errorf("the DIF analysis has no row for item %s of the report", c)
		}
		d.Rows[i] = reports.DIFRow{Item: c, NRef: s.NRef, NFocal: s.NFocal, MHDelta: reports.Num(s.MHDelta), MHClass: string(s.MHClass),
			MHPAdj: reports.Num(s.MHPAdj), LRDR2: reports.Num(s.LRDR2), LRClass: string(s.LRClass), LRPAdj: reports.Num(s.LRPAdj),
			LordDiff: reports.Num(s.LordDiff), LordPAdj: reports.Num(s.LordPAdj), DIF: s.DIF}
	}
	return d, nil
}

// assembledForms returns the forms of assembly id with their items'
// parameters in the run (params, one per item of codes); an item the run
// did not calibrate is an error.
func assembledForms(ctx context.Context, b *bank.Bank, id int64, codes []string, params []irt.ThreePL) ([]reports.FormParams, error) {
	a, err := b.Assembly(ctx, id)
	if err != nil {
		return nil, err
	}
	index := make(map[string]int, len(codes))
	for i, c := range codes {
		index[c] = i
	}
	forms := make([]reports.FormParams, len(a.Forms))
	for j, f := range a.Forms {
		forms[j].Form = f.Code
		for _, it := range f.Items {
			i, ok := index[it.Item]
			if !ok {
				return nil, fmt.Errorf("--assembly %d: form %s's item %s is not in the report's run; choose an assembly of its items", id, f.Code, it.Item)
			}
			forms[j].Items = append(forms[j].Items, params[i])
		}
	}
	return forms, nil
}
