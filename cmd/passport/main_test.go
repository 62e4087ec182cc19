package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run executes passport with args against the bank db, returning stdout,
// stderr and the error.
func run(t *testing.T, db string, args ...string) (string, string, error) {
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
	out, _, err := run(t, filepath.Join(dir, "unused.db"), "demo", "--dir", filepath.Join(dir, "demo"), "--examinees", "2000")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1. Item bank", "2. Simulation", "3. Import", "100000 responses from 2000 examinees", "importing it again is refused",
		"4. Calibration", "converged in", "recovery of the", "5. Scoring", "2000 examinees in",
		"6. Linking", "Stocking–Lord over", "7. Reporting", "SCALE_SCORE", "8. Assembly", "9. Analysis", "alpha by form", "report written"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
}

// TestCalibrateFromFile calibrates the Kolen–Brennan form X 0/1 data
// straight from the file, without a bank.
func TestCalibrateFromFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join("..", "..", "fixtures", "reference", "kb36_responses_formX.csv")
	out, _, err := run(t, filepath.Join(dir, "unused.db"), "calibrate", "--responses", file, "--wide", "--model", "2pl", "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if lines[0] != "item,model,a,b,c,se_a,se_b,se_c,n" || len(lines) != 37 {
		t.Errorf("parameter table: %d lines, header %q", len(lines), lines[0])
	}
	if _, err := os.Stat(filepath.Join(dir, "unused.db")); err == nil {
		t.Error("a file calibration created the --db bank")
	}
	if _, _, err := run(t, filepath.Join(dir, "unused.db"), "calibrate", "--responses", file); err == nil {
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
	if lines := strings.Split(strings.TrimSpace(out), "\n"); lines[0] != "examinee,n_items,raw,theta,se" || len(lines) != 2001 {
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
		if err == nil || !strings.Contains(err.Error(), `"x1": expected a number (see `+tc.what+")") {
			t.Errorf("%v x1: %v", tc.args, err)
		}
		if _, _, err := run(t, db, append(tc.args, "7")...); err == nil || !strings.Contains(err.Error(), "not found") {
			t.Errorf("%v 7: %v", tc.args, err)
		}
	}
}
