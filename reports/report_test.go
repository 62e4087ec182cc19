package reports

import (
	"context"
	"encoding/csv"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/passportirt/passport/calibrate"
	"github.com/passportirt/passport/irt"
)

// sat12Report analyses SAT12 split into two forms (the first 300
// examinees on items 1–20 and 25–32, the others on items 13–32) under a
// 2PL calibration of those responses, and writes the report to dir, with
// a linking and a conversion table to draw.
func sat12Report(t *testing.T, dir string) (string, *ReportInput) {
	t.Helper()
	full := sat12(t)
	r := &irt.Responses{Items: full.Items, Forms: []string{"F1", "F2"}, Start: []int{0}}
	for p := range full.NExaminees() {
		f := int32(p / 300)
		for k := full.Start[p]; k < full.Start[p+1]; k++ {
			i := full.Item[k]
			if (f == 0 && (i < 20 || i >= 24)) || (f == 1 && i >= 12) {
				r.Item, r.Option, r.Score = append(r.Item, i), append(r.Option, full.Option[k]), append(r.Score, full.Score[k])
			}
		}
		r.Form = append(r.Form, f)
		r.Start = append(r.Start, len(r.Item))
	}
	d := r
	cal, err := calibrate.Run(d, calibrate.Options{Model: irt.Model2PL, NoSE: true})
	if err != nil {
		t.Fatal(err)
	}
	params := make([]irt.ThreePL, len(cal.Items))
	npar := make([]int, len(cal.Items))
	for i, it := range cal.Items {
		params[i], npar[i] = it.Params, 2
	}
	an, err := Analyze(r, AnalysisOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fit, err := Fit(r, params, FitOptions{NPar: npar})
	if err != nil {
		t.Fatal(err)
	}
	in := &ReportInput{
		Title: "SAT12 <test> report", Generated: "2026-01-01 00:00 UTC", Responses: r, Analysis: an, Fit: fit, Params: params,
		Run:         RunInfo{ID: 1, Name: "sat12", Model: "2pl", D: 1, LogLik: cal.LogLik, Converged: cal.Converged, Examinees: 600, Responses: len(r.Item)},
		Linking:     []LinkPoint{{"Item.13", 0.1, 0.2, true}, {"Item.14", -1, -0.5, false}},
		Link:        LinkConstants{Method: "Stocking–Lord", A: 1.05, B: -0.12, SEA: 0.031, SEB: 0.024},
		Conversions: []ConversionTable{{Form: "F1", Rows: []ConversionRow{{0, 300, math.NaN()}, {14, 575, 30}, {28, 850, math.NaN()}}}},
		ScaleName:   "passport scale",
		Assembled:   []FormParams{{Form: "A1", Items: params[:16]}, {Form: "A2", Items: params[16:]}},
		Assembly:    "assembly 1",
	}
	// Texts with markup to escape, SEs, DIF rows for two items and person fit.
	in.Texts, in.SEs = make([]ItemText, len(r.Items)), make([]ParamSE, len(r.Items))
	in.DIF = &DIFInput{Group: "half", Focal: "odd", NRef: 300, NFocal: 300, Matching: 32, Rows: make([]DIFRow, len(r.Items))}
	for i, it := range r.Items {
		in.Texts[i] = ItemText{Stem: "What does <b>" + it.Code + "</b> print?\n    x = [1, 2]", Options: []string{"1", "2", "<script>", "4", "5"}}
		in.SEs[i] = ParamSE{A: 0.1, B: 0.05 * float64(i%3+1), C: math.NaN()}
		in.DIF.Rows[i] = DIFRow{Item: it.Code, NRef: 150, NFocal: 150, MHDelta: Num(0.1 * float64(i%5-2)), MHClass: "A", MHPAdj: 0.9, LRDR2: 0.001, LRClass: "A", LRPAdj: 0.8,
			LordDiff: Num(math.NaN()), LordPAdj: Num(math.NaN())}
	}
	in.DIF.Rows[4] = DIFRow{Item: r.Items[4].Code, NRef: 150, NFocal: 150, MHDelta: -1.8, MHClass: "C-", MHPAdj: 0.001, LRDR2: 0.08, LRClass: "C", LRPAdj: 0.002, LordDiff: Num(math.NaN()), LordPAdj: Num(math.NaN()), DIF: true}
	if in.Persons, err = PersonFits(r, params, PersonFitOptions{}); err != nil {
		t.Fatal(err)
	}
	theta, se := make([]float64, len(in.Persons)), make([]float64, len(in.Persons))
	for p, pf := range in.Persons {
		theta[p], se[p] = float64(pf.Theta), float64(pf.SE)
	}
	in.Separation = []Separation{SeparationOf("persons", theta, se)}
	path, err := WriteReport(dir, in)
	if err != nil {
		t.Fatal(err)
	}
	return path, in
}

// reportImages is the number of images in the SAT12 report: 32 ICCs and
// 32 option plots; test information and CSEM of the forms taken and of the
// assembled forms, the Wright map, the linking, the conversion, DIF and
// person-fit plots.
const reportImages = 32*2 + 9

// TestWriteReport checks the files a report writes and the page's content.
// With PASSPORT_REPORT_DIR set, the report is written there to be looked at.
func TestWriteReport(t *testing.T) {
	dir := os.Getenv("PASSPORT_REPORT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	path, in := sat12Report(t, dir)
	page, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	html := string(page)
	// 32 ICCs and 32 option plots; test information and CSEM of the
	// forms taken and of the assembled ones, the Wright map, the linking,
	// the conversion, DIF and person-fit plots.
	if n := strings.Count(html, `src="data:image/svg+xml;base64,`); n != reportImages {
		t.Errorf("%d embedded images, want %d", n, reportImages)
	}
	for _, want := range []string{
		"SAT12 &lt;test&gt; report",                                    // escaped
		`id="item-Item.32"`, `<span class="flag miskey">miskey</span>`, // item 32's card and flag
		"Incomplete data: the 600 examinees answered 2 distinct item sets", // how missing responses were handled
		"<td class=\"l\">F1</td><td>300</td><td>28</td><td>300</td>",       // the forms table
		"Linking: common items", "Conversion: raw score to passport scale",
		"What does &lt;b&gt;Item.1&lt;/b&gt; print?", "<li>&lt;script&gt;</li>", `<li class="key">`, // stems and options, escaped, key marked
		"a = 0.", " (SE 0.1000)", "b = ", " (SE 0.0500)", // parameters with SEs
		`<span class="flag dif">dif</span>`, "Items flagged: 1.", "ETS class C-", // DIF section and card
		`id="persons"`, "Person fit: distribution of l_z*", `<td class="l">persons</td>`, // person fit and separation
		`href="#items">↑ item table</a>`, `<nav class="toc"`, `id="item-filter"`,
		"Test information of assembly 1", "A = 1.0500 (SE 0.0310)",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if regexp.MustCompile(`(src|href)="(https?:)?//`).MatchString(html) {
		t.Error("the report loads something from the network")
	}
	for _, f := range []string{"items.csv", "domains.csv", "forms.csv", "form_items.csv", "distractors.csv", "q3_forms.csv", "q3_pairs.csv",
		"plots/wright-map.png", "plots/wright-map.svg", "plots/csem.svg", "plots/test-information.png", "plots/linking.svg", "plots/conversion.png",
		"plots/icc-Item.1.png", "plots/icc-Item.32.svg", "plots/occ-Item.1.png", "plots/dif-delta.svg", "plots/person-fit.png",
		"plots/assembled-test-information.png", "plots/assembled-csem.svg"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing %s: %v", f, err)
		}
	}
	recs := readCSV(t, filepath.Join(dir, "items.csv"))
	if len(recs) != 33 || strings.Join(recs[0], ",") != "item,domain,key,a,b,c,n,p_value,pbis,r_it,alpha_if_deleted,s_x2,df,p_adj,infit,infit_z,outfit,outfit_z,flags" {
		t.Errorf("items.csv: %d rows, header %v", len(recs), recs[0])
	}
	if last := recs[32]; last[0] != "Item.32" || !strings.Contains(last[18], "miskey") {
		t.Errorf("items.csv, item 32: %v", last)
	}
	if recs := readCSV(t, filepath.Join(dir, "distractors.csv")); len(recs) != 1+32*6 {
		t.Errorf("distractors.csv: %d rows", len(recs))
	}
	if recs := readCSV(t, filepath.Join(dir, "q3_pairs.csv")); len(recs) != 1+28*27/2+20*19/2 {
		t.Errorf("q3_pairs.csv: %d rows", len(recs))
	}
	// Items 13–20 and 25–32 are on both forms, 1–12 on F1 only, 21–24 on F2 only.
	for i, it := range in.Analysis.Items {
		want := 1
		if (i >= 12 && i < 20) || i >= 24 {
			want = 2
		}
		if it.Forms != want {
			t.Errorf("%s on %d forms, want %d", it.Item, it.Forms, want)
		}
	}
}

// TestReportInChromium opens the report in headless Chromium, when it is
// installed, and checks that every image loads and no script fails (the
// page records both on its <body> once loaded; see report.html); then,
// from a page that loads the report in a frame, that a click on a column
// heading sorts the item table and that the flagged-only box filters it.
func TestReportInChromium(t *testing.T) {
	browser := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no Chromium on PATH: CI must check the report in a browser (apt-get install chromium)")
		}
		t.Skip("no Chromium on PATH: the browser check is skipped")
	}
	dir := t.TempDir()
	path, in := sat12Report(t, dir)
	dump := func(page string) string {
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		defer cancel()
		args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
			"--disable-component-update", "--disable-sync", "--allow-file-access-from-files",
			"--user-data-dir=" + filepath.Join(dir, "profile"), "--dump-dom", "file://" + page}
		out, err := exec.CommandContext(ctx, browser, args...).Output()
		if err != nil {
			t.Fatalf("%s: %v", browser, err)
		}
		return string(out)
	}
	dom := dump(path)
	m := regexp.MustCompile(`data-images="(\d+)/(\d+)"`).FindStringSubmatch(dom)
	if m == nil || m[1] != m[2] || m[2] != strconv.Itoa(reportImages) {
		t.Errorf("images loaded: %v (want %d/%d)", m, reportImages, reportImages)
	}
	if !strings.Contains(dom, `data-errors="0"`) {
		t.Errorf("script errors: %v", regexp.MustCompile(`data-errors="[^"]*"`).FindString(dom))
	}

	// Column 7 is the p-value: sorted up, then down; then flagged rows only.
	harness := filepath.Join(dir, "harness.html")
	os.WriteFile(harness, []byte(`<!DOCTYPE html><body><iframe id="f" src="report.html" width="1400" height="900"></iframe><script>
document.getElementById("f").addEventListener("load", function () {
  var d = this.contentDocument, th = d.querySelectorAll("#item-table th")[7];
  function col() { return Array.prototype.map.call(d.querySelectorAll("#item-table tbody tr"), function (r) { return r.cells[7].textContent; }).join(" "); }
  th.click(); var up = col(); th.click(); var down = col();
  d.getElementById("only-flagged").click();
  var shown = Array.prototype.filter.call(d.querySelectorAll("#item-table tbody tr"), function (r) { return r.style.display !== "none"; }).length;
  document.body.setAttribute("data-up", up); document.body.setAttribute("data-down", down); document.body.setAttribute("data-shown", shown);
});
</script></body>`), 0o644)
	dom = dump(harness)
	var p []float64
	for _, it := range in.Analysis.Items {
		p = append(p, float64(it.PValue))
	}
	slices.Sort(p)
	var up, down []string
	for j, v := range p {
		up = append(up, Num(v).String())
		down = append(down, Num(p[len(p)-1-j]).String())
	}
	for attr, want := range map[string]string{"data-up": strings.Join(up, " "), "data-down": strings.Join(down, " ")} {
		if got := regexp.MustCompile(attr + `="([^"]*)"`).FindStringSubmatch(dom); got == nil || got[1] != want {
			t.Errorf("%s: %v, want %s", attr, got, want)
		}
	}
	flagged := 0
	for i, row := range ItemRows(in.Responses, in.Analysis, in.Fit, in.Params) {
		if len(row.Flags) > 0 || in.DIF.Rows[i].DIF { // the report adds the dif flag
			flagged++
		}
	}
	if got := regexp.MustCompile(`data-shown="(\d+)"`).FindStringSubmatch(dom); got == nil || got[1] != strconv.Itoa(flagged) {
		t.Errorf("rows shown with flagged only: %v, want %d", got, flagged)
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestItemNames: codes that a file system folds together (case) or that
// fileSafe maps alike get names no two alike, ignoring case; other codes
// keep their own.
func TestItemNames(t *testing.T) {
	codes := []string{"SEM-001", "sem-001", "SEM/002", "SEM?002", "SEM_002", "Item.1", "A+1", "A_1"}
	items := make([]irt.ItemInfo, len(codes))
	for i, c := range codes {
		items[i] = irt.ItemInfo{Code: c}
	}
	got := itemNames(items)
	want := []string{"SEM-001~1", "sem-001~2", "SEM_002~3", "SEM_002~4", "SEM_002~5", "Item.1", "A_1~7", "A_1~8"}
	if !slices.Equal(got, want) {
		t.Errorf("names %q, want %q", got, want)
	}
}

// TestReportNamesUnique writes the SAT12 report with item codes that
// collide as file names, and checks that every item has its own plot
// files and its own anchor.
func TestReportNamesUnique(t *testing.T) {
	_, in := sat12Report(t, t.TempDir())
	r, an := *in.Responses, *in.Analysis
	r.Items, an.Items, an.Distractors = slices.Clone(r.Items), slices.Clone(an.Items), slices.Clone(an.Distractors)
	renamed := map[string]string{}
	for i, c := range []string{"Q-1", "q-1", "Q/1", "Q?1", "Q_1"} {
		renamed[r.Items[i].Code] = c
		r.Items[i].Code, an.Items[i].Item = c, c
	}
	for j, o := range an.Distractors {
		if c, ok := renamed[o.Item]; ok {
			an.Distractors[j].Item = c
		}
	}
	in.Responses, in.Analysis = &r, &an
	dir := t.TempDir()
	path, err := WriteReport(dir, in)
	if err != nil {
		t.Fatal(err)
	}
	files, err := os.ReadDir(filepath.Join(dir, "plots"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		seen[strings.ToLower(f.Name())] = true
	}
	if len(seen) != 2*reportImages {
		t.Errorf("%d plot files ignoring case, want %d (PNG and SVG of every image)", len(seen), 2*reportImages)
	}
	page, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ids := regexp.MustCompile(`<section class="card[^"]*" id="([^"]*)"`).FindAllStringSubmatch(string(page), -1)
	anchors := map[string]bool{}
	for _, m := range ids {
		anchors[m[1]] = true
		if !strings.Contains(string(page), `href="#`+m[1]+`"`) {
			t.Errorf("no link to card %s", m[1])
		}
	}
	if len(ids) != 32 || len(anchors) != 32 {
		t.Errorf("%d cards with %d distinct anchors, want 32", len(ids), len(anchors))
	}
}
