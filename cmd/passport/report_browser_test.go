package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/passportirt/passport/bank/simulate"
)

// reportBank makes a small calibrated bank for the report: the demo's
// items on two 20-item forms with 5 anchors, 1,500 examinees of whom 40 %
// are in a focal group for whom two anchors are 1 harder, a 2PL run (1)
// and a 1PL run (2) linked onto it, and F01's conversion table under run
// 1. It returns the bank and the two items given DIF.
func reportBank(t *testing.T) (string, [2]string) {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	runAll(t, db, [][]string{{"init", "--demo"}})
	design := simulate.Design{Seed: 7, Examinees: 1500, Forms: 2, FormLength: 20, Anchors: 5, Model: "2pl"}
	difItems, err := demoDIFItems(context.Background(), db, design)
	if err != nil {
		t.Fatal(err)
	}
	log, groups := filepath.Join(dir, "log.csv"), filepath.Join(dir, "groups.csv")
	runAll(t, db, [][]string{
		{"simulate", "--seed", "7", "--examinees", "1500", "--forms", "2", "--form-length", "20", "--anchors", "5", "--model", "2pl",
			"--focal-share", "0.4", "--dif", difItems[0] + "=1," + difItems[1] + "=1", "--groups", groups, "-o", log},
		{"responses", "import", log},
		{"examinees", "import", groups},
		{"calibrate", "--model", "2pl"},
		{"calibrate", "--model", "1pl"},
		{"link", "--from", "2", "--to", "1", "--method", "sl"},
		{"scale", "table", "--form", "F01", "--run", "1"},
	})
	return db, difItems
}

// TestReportDIF writes the report with DIF and checks that it
// finds the two items simulated with DIF, on their cards and in the DIF
// table, and that --dif-group and --focal go together.
func TestReportDIF(t *testing.T) {
	db, difItems := reportBank(t)
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	g := &globals{out: &out, errOut: &errOut, db: db}
	o := &reportOptions{globals: g, run: "1", dir: dir, groups: 5, iccGroups: 10, difGroup: "group", focal: "focal", linking: "1", tables: refs{"1"}}
	if err := runReport(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	html := string(page)
	for _, item := range difItems {
		// The item's row in the DIF table is flagged.
		row := `<tr class="flagged"><td class="l"><a href="#item-` + item + `">` + item + `</a>`
		if !strings.Contains(html, row) {
			t.Errorf("the DIF table does not flag %s", item)
		}
	}
	if n := strings.Count(html, `<tr class="flagged"><td class="l"><a href="#item-`); n > 4 {
		t.Errorf("%d items flagged for DIF, want the 2 simulated (and at most a couple by chance)", n)
	}
	for _, want := range []string{`id="dif"`, `id="persons"`, "Linking by stocking-lord", "<td class=\"l\">items</td>", `<pre class="stem">`} {
		if !strings.Contains(html, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	o.focal = ""
	if err := runReport(context.Background(), o); err == nil || !strings.Contains(err.Error(), "--dif-group") {
		t.Errorf("--dif-group without --focal: %v", err)
	}
}

// TestReportInBrowser opens the report of a small calibrated bank in
// headless Chromium (chromedp): every image loads, no script error or
// console error, a click on a column heading sorts the item table, the
// filter shows only the matching rows; it saves a screenshot of each
// section to $PASSPORT_SCREENSHOTS (or a temporary folder) to be looked at.
func TestReportInBrowser(t *testing.T) {
	browser := chromium(t)
	db, _ := reportBank(t)
	dir := t.TempDir()
	g := &globals{out: &bytes.Buffer{}, errOut: &bytes.Buffer{}, db: db}
	o := &reportOptions{globals: g, run: "1", dir: dir, groups: 5, iccGroups: 10, difGroup: "group", focal: "focal", linking: "1", tables: refs{"1"}}
	if err := runReport(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	shots := os.Getenv("PASSPORT_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1400, 1000))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 120*time.Second)
	defer cancel()

	// Script exceptions and console errors, as they come.
	var mu sync.Mutex
	var problems []string
	note := func(s string) {
		mu.Lock()
		problems = append(problems, s)
		mu.Unlock()
	}
	exceptions, consoles := chromedp.Events(ctx, runtime.ExceptionThrown), chromedp.Events(ctx, runtime.ConsoleAPICalled)
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			note(fmt.Sprintf("exception at line %d: %s", ev.ExceptionDetails.LineNumber, ev.ExceptionDetails.Text))
		}
	}()
	go func() {
		for ev, err := range consoles {
			if err != nil {
				return
			}
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				note(fmt.Sprintf("console %s: %v", ev.Type, ev.Args))
			}
		}
	}()

	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+filepath.Join(dir, "report.html")), chromedp.WaitReady(chromedp.CSS("body[data-images]"))); err != nil {
		t.Fatalf("opening the report: %v", err)
	}
	type images struct{ Total, Loaded, SVG int }
	img, err := chromedp.Run(ctx, chromedp.Evaluate[images](`(() => {
		const imgs = Array.from(document.images);
		return {Total: imgs.length, Loaded: imgs.filter(i => i.complete && i.naturalWidth > 0).length,
			SVG: imgs.filter(i => i.src.startsWith("data:image/svg+xml;base64,")).length};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	// 40 items (two forms of 20 with 5 anchors: 35) × ICC and option
	// curves, 3 test plots, linking, conversion, DIF and person fit.
	items, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#item-table tbody tr").length`))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d items; images: %d of %d loaded, %d SVG", items, img.Loaded, img.Total, img.SVG)
	if want := 2*items + 7; img.Total != want || img.Loaded != img.Total || img.SVG != img.Total {
		t.Errorf("images: %d of %d loaded (%d SVG), want %d", img.Loaded, img.Total, img.SVG, want)
	}

	// Sorting: the p-value column (8th) up, then down.
	column := func(col int) []string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](fmt.Sprintf(
			`Array.from(document.querySelectorAll("#item-table tbody tr")).filter(r => r.style.display !== "none").map(r => r.cells[%d].textContent)`, col)))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	numbers := func(xs []string) []float64 {
		out := make([]float64, len(xs))
		for i, x := range xs {
			out[i], _ = strconv.ParseFloat(x, 64)
		}
		return out
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#item-table thead th:nth-child(8)"))); err != nil {
		t.Fatal(err)
	}
	up := numbers(column(7))
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#item-table thead th:nth-child(8)"))); err != nil {
		t.Fatal(err)
	}
	down := numbers(column(7))
	if !slices.IsSorted(up) || len(up) != items || up[0] == up[len(up)-1] {
		t.Errorf("after one click the p-values are not ascending: %v", up)
	}
	if slices.Reverse(down); !slices.Equal(up, down) {
		t.Errorf("after two clicks the p-values are not descending: %v", down)
	}

	// Filtering: "dif" keeps the rows flagged dif; an item's code its row.
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#item-filter"), "dif")); err != nil {
		t.Fatal(err)
	}
	flags := column(18)
	want, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#item-table tbody tr .flag.dif").length`))
	if err != nil {
		t.Fatal(err)
	}
	if len(flags) != want || want == 0 {
		t.Errorf("filter dif: %d rows shown, %d flagged dif", len(flags), want)
	}
	for _, f := range flags {
		if !strings.Contains(f, "dif") {
			t.Errorf("filter dif shows a row flagged %q", f)
		}
	}
	count, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#item-count")))
	if err != nil || count != fmt.Sprintf("%d of %d items shown", want, items) {
		t.Errorf("the count reads %q (%v)", count, err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#only-flagged"))); err != nil {
		t.Fatal(err)
	}
	if n := len(column(0)); n != want {
		t.Errorf("filter dif, flagged only: %d rows, want %d", n, want)
	}

	// Screenshots of each section, the table as filtered.
	for _, s := range []struct{ name, sel string }{
		{"1-header", "header"}, {"2-contents", "nav.toc"}, {"3-forms", "#forms + table"},
		{"4-test-information", "#fig-test-information"}, {"5-csem", "#fig-csem"}, {"6-wright-map", "#fig-wright-map"},
		{"7-linking", "#fig-linking"}, {"8-conversion", "#fig-conversion"}, {"9-item-table", "#items + .controls + .scroll"},
		{"10-dif", "#fig-dif-delta"}, {"11-person-fit", "#fig-person-fit"}, {"12-separation", "#separation-table"},
		{"13-item-card", "#cards ~ .cards section.card"},
	} {
		png, err := chromedp.Run(ctx, chromedp.ScreenshotScale(chromedp.CSS(s.sel), 2))
		if err != nil {
			t.Errorf("screenshot of %s: %v", s.name, err)
			continue
		}
		if err := os.WriteFile(filepath.Join(shots, s.name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshots in %s", shots)

	errs, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.getAttribute("data-errors")`))
	if err != nil || errs != "0" {
		t.Errorf("the page counted %q script errors (%v)", errs, err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Errorf("in the browser: %s", p)
	}
}
