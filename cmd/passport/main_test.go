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
	for _, want := range []string{"examinees with responses:  600", "items with responses:      32", "responses:                 19200"} {
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
	out, _, err := run(t, filepath.Join(dir, "unused.db"), "demo", "--dir", filepath.Join(dir, "demo"), "--examinees", "400")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1. Item bank", "2. Simulation", "3. Import", "20000 responses from 400 examinees", "importing it again is refused"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
}
