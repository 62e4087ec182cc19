package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/fixtures/blueprints"
)

// TestFitAndReport calibrates SAT12 in a bank and runs fit and report on
// the run.
func TestFitAndReport(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	if _, _, err := run(t, db, "init"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, db, append([]string{"responses", "import", "--wide", "--add-items", "--domain", "stdlib", "--n-options", "5"}, sat12Args...)...); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, db, "calibrate", "--model", "2pl"); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := run(t, db, "fit", "--run", "1", "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if lines[0] != "item,domain,n,s_x2,df,p,p_adj,n_sx2,infit,infit_z,outfit,outfit_z,flags" || len(lines) != 33 {
		t.Errorf("fit: %d lines, header %q", len(lines), lines[0])
	}
	for _, want := range []string{"fit of run 1 (2pl) on run 1's sample", "N = 600 examinees, 19200 responses", "Complete data", "69 omitted responses", "scored wrong"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("fit's stderr lacks %q:\n%s", want, errOut)
		}
	}
	out, _, err = run(t, db, "fit", "--run", "1", "--table", "q3")
	if err != nil || !strings.Contains(out, "MEAN_Q3") || !strings.Contains(out, "(no form)") {
		t.Errorf("fit --table q3: %v\n%s", err, out)
	}
	out, errOut, err = run(t, db, "fit", "--run", "1", "--omit-as-missing", "--table", "q3-pairs", "--format", "json")
	if err != nil || strings.Count(out, `"item_a"`) != 32*31/2 || !strings.Contains(errOut, "treated as not administered") {
		t.Errorf("fit --omit-as-missing --table q3-pairs: %v, %d pairs\n%s", err, strings.Count(out, `"item_a"`), errOut)
	}
	for _, c := range []struct{ args, want string }{
		{"fit --run 9", "not found"},
		{"fit", `"run" not set`},
		{"fit --run 1 --theta eapsum", "--theta"},
		{"fit --run 1 --table nope", `--table "nope"`},
		{"report --run 1", `"out" not set`},
	} {
		if _, _, err := run(t, db, strings.Fields(c.args)...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.args, err, c.want)
		}
	}
	rdir := filepath.Join(dir, "out", "report")
	out, errOut, err = run(t, db, "report", "--run", "1", "--out", rdir)
	if err != nil {
		t.Fatal(err)
	}
	if path := strings.TrimSpace(out); path != filepath.Join(rdir, "report.html") {
		t.Errorf("report printed %q", path)
	}
	if !strings.Contains(errOut, "32 items") || !strings.Contains(errOut, "miskey 1") {
		t.Errorf("report's stderr: %s", errOut)
	}
	page, err := os.ReadFile(filepath.Join(rdir, "report.html"))
	if err != nil || !strings.Contains(string(page), "Item analysis and fit: run 1") {
		t.Errorf("report.html: %v", err)
	}
}

// TestDemoReport runs the demo's report stage on a bank like the demo's
// (8 overlapping forms; 2,000 examinees here).
func TestDemoReport(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	log := filepath.Join(dir, "log.csv")
	runAll(t, db, [][]string{
		{"init", "--demo"},
		{"simulate", "--examinees", "2000", "--model", "2pl", "--omit-rate", "0.005", "-o", log},
		{"responses", "import", log},
		{"calibrate", "--model", "2pl"},
	})
	bp := filepath.Join(dir, "bp.json")
	if err := os.WriteFile(bp, blueprints.PythonFundamentals, 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	g := &globals{out: &out, errOut: &errOut, db: db}
	ao := newAssembleOptions(g)
	ao.run, ao.blueprint, ao.maxNodes, ao.name = "1", bp, 2000, "two"
	if err := runAssemble(context.Background(), ao); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := runReport(context.Background(), &reportOptions{globals: g, run: "1", dir: filepath.Join(dir, "report"), groups: 5, iccGroups: 10, assembly: "two"}); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), filepath.Join(dir, "report", "report.html")+"\n"; got != want {
		t.Errorf("report printed %q, want its path %q", got, want)
	}
	for _, want := range []string{"alpha by form F01 0.", ", F08 0.", "items flagged (items per flag:"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("report's status lacks %q:\n%s", want, errOut.String())
		}
	}
	page, err := os.ReadFile(filepath.Join(dir, "report", "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := bank.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	calib, err := b.Calibration(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(page), "data:image/svg+xml;base64,"); n < 2*len(calib.Params)+5 {
		t.Errorf("%d images for %d items", n, len(calib.Params))
	}
	if !strings.Contains(string(page), "Test information of assembly 1") {
		t.Error("the report lacks the assembled forms' information")
	}
}
