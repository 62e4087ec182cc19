package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunSample: a run calibrated on one import (year 1, 400 examinees) is
// fitted, scored, analysed and reported on that import's responses only,
// not on every response in the bank (800), unless --imports says so; and
// score treats omitted responses as the run did.
func TestRunSample(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	y1, y2 := filepath.Join(dir, "y1.csv"), filepath.Join(dir, "y2.csv")
	for _, args := range [][]string{
		{"init", "--demo"},
		{"simulate", "--examinees", "400", "--forms", "2", "--model", "2pl", "--omit-rate", "0.05", "--seed", "1", "-o", y1},
		{"simulate", "--examinees", "400", "--forms", "2", "--model", "2pl", "--omit-rate", "0.05", "--seed", "2", "--examinee-prefix", "N", "-o", y2},
		{"responses", "import", y1},
		{"responses", "import", y2},
	} {
		if _, _, err := run(t, db, args...); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	// The demo's items are import 1-4: year 1 is import 5.
	if _, _, err := run(t, db, "calibrate", "--model", "2pl", "--imports", "5", "--omit-as-missing"); err != nil {
		t.Fatal(err)
	}
	_, errOut, err := run(t, db, "fit", "--run", "1")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"run 1's sample:", "imports 5;", "omitted responses left out as not administered", "N = 400 examinees"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("fit's status lacks %q:\n%s", want, errOut)
		}
	}
	_, errOut, err = run(t, db, "fit", "--run", "1", "--imports", "all")
	if err != nil || !strings.Contains(errOut, "N = 800 examinees") || !strings.Contains(errOut, "every import") {
		t.Errorf("fit --imports all: %v\n%s", err, errOut)
	}
	out, errOut, err := run(t, db, "score", "--run", "1", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var scores []struct {
		Examinee string
		NItems   int `json:"n_items"`
	}
	if err := json.Unmarshal([]byte(out), &scores); err != nil {
		t.Fatal(err)
	}
	items := 0
	for _, s := range scores {
		items += s.NItems
		if !strings.HasPrefix(s.Examinee, "E") {
			t.Errorf("examinee %s of year 2 scored under year 1's run", s.Examinee)
			break
		}
	}
	// 400 examinees × 50 items less about 5 % omitted, left out as the run did.
	if len(scores) != 400 || items >= 400*50 || items < 400*50*90/100 {
		t.Errorf("scored %d examinees on %d responses; want 400 on 20,000 less the omitted ones", len(scores), items)
	}
	if !strings.Contains(errOut, "omitted responses left out") {
		t.Errorf("score's status does not say how omits were treated:\n%s", errOut)
	}
	_, errOut, err = run(t, db, "analyze", "--run", "1")
	if err != nil || !strings.Contains(errOut, "of 400 examinees") {
		t.Errorf("analyze --run: %v\n%s", err, errOut)
	}
	_, errOut, err = run(t, db, "report", "--run", "1", "--out", filepath.Join(dir, "report"))
	if err != nil || !strings.Contains(errOut, "N = 400 examinees") {
		t.Errorf("report: %v\n%s", err, errOut)
	}
	if _, _, err := run(t, db, "fit", "--run", "1", "--imports", "x"); err == nil || !strings.Contains(err.Error(), "--imports") {
		t.Errorf("fit --imports x: %v", err)
	}
}
