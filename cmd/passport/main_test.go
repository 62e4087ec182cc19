package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/passportirt/passport/bank"
)

// runAll runs each command line against the bank db in turn, failing the
// test at the first error.
func runAll(t testing.TB, db string, cmds [][]string) {
	t.Helper()
	for _, args := range cmds {
		if _, _, err := run(t, db, args...); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
}

// run executes passport with args against the bank db, returning stdout,
// stderr and the error.
func run(t testing.TB, db string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	g := &globals{in: strings.NewReader(""), out: &out, errOut: &errOut}
	cmd := newRootCmd(g)
	cmd.SetArgs(append([]string{"--db", db}, args...))
	err := cmd.Execute()
	return out.String(), errOut.String(), err
}

func TestInitListShow(t *testing.T) {
	db := filepath.Join(t.TempDir(), "p.db")
	if _, _, err := run(t, db, "init", "--demo"); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, db, "items", "list", "--domain", "stdlib", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("items list --format json: %v\n%s", err, out)
	}
	if len(rows) < 60 {
		t.Errorf("%d stdlib items listed", len(rows))
	}
	for _, r := range rows {
		if r["domain"] != "stdlib" {
			t.Errorf("listed %v", r)
		}
	}
	out, _, err = run(t, db, "items", "show", "STD-001")
	if err != nil || !strings.Contains(out, "STD-001") || !strings.Contains(out, "key:") {
		t.Errorf("items show: %v\n%s", err, out)
	}
	if _, _, err := run(t, db, "items", "show", "NOPE"); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("showing a missing item: %v", err)
	}
	if _, _, err := run(t, db, "items", "list", "--format", "xml"); err == nil {
		t.Error("--format xml was accepted")
	}
	csvOut, _, err := run(t, db, "items", "list", "--format", "csv")
	if err != nil || !strings.HasPrefix(csvOut, "id,domain,subdomain,status,options,key,enemy_group,stem\n") {
		t.Errorf("items list --format csv: %v\n%.200s", err, csvOut)
	}
}

func TestResponsesImportErrors(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	if _, _, err := run(t, db, "init", "--demo"); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("examinee,form,item,option\nE1,F1,SEM-001,A\nE1,F1,SEM-999,B\n"), 0o644)
	_, _, err := run(t, db, "responses", "import", bad)
	if err == nil || !strings.Contains(err.Error(), "bad.csv:3: column item") {
		t.Errorf("importing a log with an unknown item: %v", err)
	}
	if _, _, err := run(t, db, "responses", "import", "--on-duplicate", "maybe", bad); err == nil {
		t.Error("--on-duplicate maybe was accepted")
	}
	out, _, err := run(t, db, "bank", "stats", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var s struct{ Responses int }
	json.Unmarshal([]byte(out), &s)
	if s.Responses != 0 {
		t.Errorf("a failed import left %d responses", s.Responses)
	}
}

// TestSAT12Stats is the acceptance check of the bank issue: the SAT12 data
// imported wide with its key shows 600 examinees × 32 items.
func TestSAT12Stats(t *testing.T) {
	db := filepath.Join(t.TempDir(), "p.db")
	if _, _, err := run(t, db, "init"); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join("..", "..", "fixtures", "reference", "sat12_raw_options.csv")
	_, _, err := run(t, db, "responses", "import", "--wide", file, "--omit", "8",
		"--key", "1,4,5,2,3,1,2,1,3,1,2,4,2,1,5,3,4,4,1,4,3,3,4,1,3,5,1,3,1,5,4,5",
		"--add-items", "--domain", "stdlib", "--n-options", "5")
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, db, "bank", "stats")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"examinees_with_responses:  600", "items_with_responses:      32", "responses:                 19200"} {
		if !strings.Contains(out, want) {
			t.Errorf("bank stats lacks %q:\n%s", want, out)
		}
	}
}

func TestSimulateAndDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo end to end, a recovery study against the simulation's truth: run without -short")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	if _, _, err := run(t, db, "init", "--demo"); err != nil {
		t.Fatal(err)
	}
	log, truth := filepath.Join(dir, "log.csv"), filepath.Join(dir, "truth.csv")
	if _, _, err := run(t, db, "simulate", "--examinees", "100", "--seed", "9", "-o", log, "--truth", truth); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, db, "responses", "import", log); err != nil {
		t.Fatal(err)
	}
	// The truth file reads back as parameters and drives a second simulation.
	if _, _, err := run(t, db, "simulate", "--examinees", "10", "--params", truth, "-o", filepath.Join(dir, "log2.csv")); err != nil {
		t.Fatal(err)
	}
	// 2,000 examinees: about 250 responses per item, enough for the 3PL.
	demoDir := filepath.Join(dir, "demo")
	out, _, err := run(t, filepath.Join(dir, "unused.db"), "demo", "--dir", demoDir, "--examinees", "2000")
	if err != nil {
		t.Fatal(err)
	}
	for stage := 1; stage <= 14; stage++ {
		if !strings.Contains(out, fmt.Sprintf("\n%d. ", stage)) {
			t.Errorf("demo output lacks stage %d:\n%s", stage, out)
		}
	}
	checkDemo(t, demoDir)
	checkDemoServe(t, demoDir)
}

// checkDemoServe checks the demo's delivery stage: three finished sessions
// of the 50-item form and one of the adaptive practice test (20 scored
// items and 2 pretest slots), each answer stored as a response of the
// session's import.
func checkDemoServe(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	b, err := bank.Open(filepath.Join(dir, "passport.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ss, err := b.Sessions(ctx, "")
	if err != nil || len(ss) != 4 {
		t.Fatalf("the demo's sessions: %d (%v)", len(ss), err)
	}
	for _, s := range ss {
		want := map[string]int{bank.SessionForm: 50, bank.SessionCAT: 22}[s.Kind]
		im, err := b.Import(ctx, s.ImportID)
		if err != nil || s.State != bank.SessionFinished || s.Answered != want || im.Kind != "serve" || im.Responses != int64(want) {
			t.Errorf("the demo's %s session %d: state %s, %d answered, import %+v (%v); want %d finished", s.Kind, s.ID, s.State, s.Answered, im, err, want)
		}
	}
}

// checkDemo checks the demo's figures against the simulation's truth: the
// miskeyed item's key history and the key versions its runs read, the
// year-1 calibration after the rekey recovers the true parameters within
// their standard errors, the linking recovers the true group difference,
// and the drift screen flags the drifted item by D².
func checkDemo(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	db := filepath.Join(dir, "passport.db")
	miskeyed, drifted, err := demoItems(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	b, err := bank.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	keys, err := b.KeyHistory(ctx, miskeyed.Code)
	if err != nil || len(keys) != 3 || keys[0].Key != keys[2].Key || keys[1].Key == keys[0].Key || keys[2].Key != miskeyed.KeyLetter() {
		t.Errorf("%s's key history: %+v (%v)", miskeyed.Code, keys, err)
	}
	asKeyed, err := b.Calibration(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	run1, err := b.Calibration(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if asKeyed.Settings.KeyVersions[miskeyed.Code] != 2 || run1.Settings.KeyVersions[miskeyed.Code] != 3 || run1.Name != "year 1 (rekeyed)" {
		t.Errorf("runs 1 and 2 read key versions %d and %d of %s, want 2 and 3 (run 2 %q)", asKeyed.Settings.KeyVersions[miskeyed.Code],
			run1.Settings.KeyVersions[miskeyed.Code], miskeyed.Code, run1.Name)
	}
	f, err := os.Open(filepath.Join(dir, "year1_truth.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	truth, err := bank.ReadParams("truth", f, "3pl")
	if err != nil {
		t.Fatal(err)
	}
	tb := map[string]bank.ParamRow{}
	for _, p := range truth {
		tb[p.Item] = p
	}
	// The root mean squared error of a and b stays within 1.5 times the
	// root mean squared standard error the run reports (the errors of a
	// 3PL calibration with priors at about 250 responses per item are
	// partly shrinkage, which the SEs do not count, hence 1.5 and not 1).
	var n, eA, eB, sA, sB float64
	for _, p := range run1.Params {
		q, ok := tb[p.Item]
		if !ok || math.IsNaN(p.SEB) || math.IsNaN(p.SEA) {
			continue
		}
		n++
		eA += (p.A - q.A) * (p.A - q.A)
		eB += (p.B - q.B) * (p.B - q.B)
		sA += p.SEA * p.SEA
		sB += p.SEB * p.SEB
	}
	if n < 250 {
		t.Fatalf("only %g items compared with the truth", n)
	}
	rmseA, rmseB, seA, seB := math.Sqrt(eA/n), math.Sqrt(eB/n), math.Sqrt(sA/n), math.Sqrt(sB/n)
	t.Logf("recovery over %g items: RMSE a %.3f (RMS SE %.3f), b %.3f (RMS SE %.3f)", n, rmseA, seA, rmseB, seB)
	if rmseA > 1.5*seA || rmseB > 1.5*seB {
		t.Errorf("RMSE a %.3f, b %.3f exceed 1.5 × the RMS standard errors %.3f, %.3f", rmseA, rmseB, seA, seB)
	}
	// The linking recovers θ_year1 = 1.15·θ_year2 + 0.4. Ten replications
	// of this demo (seeds 1–10, 2,000 examinees a year) gave A 1.104 ± 0.026
	// and B 0.440 ± 0.032 (mean ± SD): a bias of −0.046 and +0.040 from the
	// priors, which shrink the abler, more spread year-2 group's slopes
	// more, and a sampling SD about 1.5 times the bootstrap SE over common
	// items (0.016–0.021), which leaves out the examinees' sampling. So A
	// and B must lie within the bias plus 3 replication SDs of the truth,
	// and the bootstrap SEs between 0.4 and 1.5 times the replication SDs.
	ls, err := b.Linkings(ctx)
	if err != nil || len(ls) != 1 {
		t.Fatalf("%d linkings: %v", len(ls), err)
	}
	l := ls[0]
	t.Logf("linking: A = %.4f (SE %.4f), B = %.4f (SE %.4f); true 1.15, 0.40", l.A, l.SEA, l.B, l.SEB)
	const sdA, sdB = 0.026, 0.032
	if math.Abs(l.A-1.15) > 0.046+3*sdA || math.Abs(l.B-0.4) > 0.040+3*sdB {
		t.Errorf("linking A = %.4f, B = %.4f; true A = 1.15, B = 0.40 (allowed ±%.3f, ±%.3f)", l.A, l.B, 0.046+3*sdA, 0.040+3*sdB)
	}
	if !(l.SEA > 0.4*sdA && l.SEA < 1.5*sdA && l.SEB > 0.4*sdB && l.SEB < 1.5*sdB) {
		t.Errorf("bootstrap SEs %.4f, %.4f against replication SDs %.3f, %.3f", l.SEA, l.SEB, sdA, sdB)
	}
	b.Close()
	rows, _, err := run(t, db, "drift", "--run", "2", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var flags []struct{ Item, Statistic string }
	if err := json.Unmarshal([]byte(rows), &flags); err != nil {
		t.Fatal(err)
	}
	if len(flags) == 0 || flags[0].Item != drifted || flags[0].Statistic != "d2" {
		t.Errorf("the demo's drift screen: %+v; want %s flagged by D² first", flags, drifted)
	}
}

// TestCalibrateFromFile calibrates LSAT7 (Bock & Lieberman 1970; 1,000
// examinees written out from its response patterns) straight from a wide
// file, without a bank, and checks mirt's published 2PL estimates
// (fixtures/reference/README.md: a, d in slope–intercept form, plain EM
// with mirt's stopping rule) to 1e-3 and its log-likelihood −2658.805.
func TestCalibrateFromFile(t *testing.T) {
	dir := t.TempDir()
	file := lsat7Wide(t)
	unused := filepath.Join(dir, "unused.db")
	out, _, err := run(t, unused, "calibrate", "--responses", file, "--wide", "--model", "2pl", "--no-accel", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		LogLik     float64 `json:"loglik"`
		NExaminees int     `json:"n_examinees"`
		Items      []struct{ A, B float64 }
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%.300s", err, out)
	}
	mirt := []struct{ a, d float64 }{{0.988, 1.856}, {1.081, 0.808}, {1.706, 1.804}, {0.765, 0.486}, {0.736, 1.854}}
	if len(res.Items) != 5 || res.NExaminees != 1000 || math.Abs(res.LogLik-(-2658.805)) > 1e-3 {
		t.Fatalf("%d items, %d examinees, log-likelihood %.4f; want 5, 1000, -2658.805", len(res.Items), res.NExaminees, res.LogLik)
	}
	for i, w := range mirt {
		a, d := res.Items[i].A, -res.Items[i].A*res.Items[i].B
		if math.Abs(a-w.a) > 1e-3 || math.Abs(d-w.d) > 1e-3 {
			t.Errorf("item %d: a = %.4f, d = %.4f; mirt a = %.3f, d = %.3f", i+1, a, d, w.a, w.d)
		}
	}
	if _, err := os.Stat(unused); err == nil {
		t.Error("a file calibration created the --db bank")
	}
	if _, _, err := run(t, unused, "calibrate", "--responses", file); err == nil {
		t.Error("--responses without --wide was accepted")
	}
}

// TestCalibrateStoreShowScore: calibrate the bank, list and show the run,
// anchor a second run on it, import parameters, and score.
func TestCalibrateStoreShowScore(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	if _, _, err := run(t, db, "init", "--demo"); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(dir, "log.csv")
	if _, _, err := run(t, db, "simulate", "--examinees", "2000", "--model", "2pl", "-o", log); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, db, "responses", "import", log); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, db, "calibrate", "--model", "2pl", "--name", "first", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Run       int64
		Converged bool
		Items     []map[string]any
		Settings  map[string]any
		Inputs    []int64
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%.300s", err, out)
	}
	if res.Run != 1 || !res.Converged || len(res.Items) < 200 || len(res.Inputs) != 1 || res.Settings["quad_points"] != 61.0 {
		t.Errorf("calibrate --format json: run %d converged %v, %d items, inputs %v, settings %v", res.Run, res.Converged, len(res.Items), res.Inputs, res.Settings)
	}
	out, _, err = run(t, db, "calibrations", "list")
	if err != nil || !strings.Contains(out, "first") {
		t.Errorf("calibrations list: %v\n%s", err, out)
	}
	shown, _, err := run(t, db, "calibrations", "show", "1", "--format", "csv")
	if err != nil || !strings.HasPrefix(shown, "item,model,a,b,c,se_a,se_b,se_c,n\n") {
		t.Fatalf("calibrations show: %v\n%.200s", err, shown)
	}
	// The shown table imports back as a run, and anchors a new calibration.
	params := filepath.Join(dir, "params.csv")
	os.WriteFile(params, []byte(shown), 0o644)
	out, _, err = run(t, db, "calibrations", "import", params, "--model", "2pl", "--D", "1")
	if err != nil || strings.TrimSpace(out) != "2" {
		t.Fatalf("calibrations import: %v %q", err, out)
	}
	out, _, err = run(t, db, "calibrate", "--model", "2pl", "--anchor-run", "2", "--anchors", "SEM-001,IDI-001", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"note": "anchor (fixed)"`) || !strings.Contains(out, `"parent": 2`) {
		t.Errorf("anchored run lacks its anchors or parent:\n%.400s", out)
	}
	if _, _, err := run(t, db, "calibrate", "--anchors", "SEM-001"); err == nil || !strings.Contains(err.Error(), "--anchor-run") {
		t.Errorf("--anchors without --anchor-run: %v", err)
	}
	out, _, err = run(t, db, "score", "--run", "1", "--method", "wle", "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(out), "\n"); lines[0] != "examinee,n_items,raw,theta,se,at_bound" || len(lines) != 2001 {
		t.Errorf("score: %d lines, header %q", len(lines), lines[0])
	}
	if _, _, err := run(t, db, "score", "--run", "9"); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("scoring a missing run: %v", err)
	}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("item,a,b\nSEM-001,1,0\nNOPE,1,0\n"), 0o644)
	if _, _, err := run(t, db, "calibrations", "import", bad, "--model", "2pl"); err == nil || !strings.Contains(err.Error(), "bad.csv:3: column item") {
		t.Errorf("importing parameters of an unknown item: %v", err)
	}
}

// TestShowCommands: every show command refuses an id that is not a number,
// naming the list command that gives ids, and says so when none is stored.
func TestShowCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "p.db")
	if _, _, err := run(t, db, "init"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		what string
	}{
		{[]string{"calibrations", "show"}, "passport calibrations list"},
		{[]string{"linkings", "show"}, "passport linkings list"},
		{[]string{"scale", "show-table"}, "passport scale tables"},
		{[]string{"equatings", "show"}, "passport equatings list"},
	} {
		_, _, err := run(t, db, append(tc.args, "x1")...)
		if err == nil || !strings.Contains(err.Error(), `"x1": not found; see `+tc.what) {
			t.Errorf("%v x1: %v", tc.args, err)
		}
		if _, _, err := run(t, db, append(tc.args, "7")...); err == nil || !strings.Contains(err.Error(), "not found") {
			t.Errorf("%v 7: %v", tc.args, err)
		}
	}
}
