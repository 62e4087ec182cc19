package main

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// sat12Args import or analyse the TESTFACT SAT12 options with their key.
var sat12Args = []string{filepath.Join("..", "..", "fixtures", "reference", "sat12_raw_options.csv"), "--omit", "8",
	"--key", "1,4,5,2,3,1,2,1,3,1,2,4,2,1,5,3,4,4,1,4,3,3,4,1,3,5,1,3,1,5,4,5"}

// TestAnalyzeSAT12File is the acceptance check of issue 6: analysing
// sat12_raw_options.csv with its published key gives the distractor table
// of all 32 items, and the miskey rule flags item 32.
func TestAnalyzeSAT12File(t *testing.T) {
	db := filepath.Join(t.TempDir(), "unused.db")
	args := append([]string{"analyze", "--wide", "--responses"}, sat12Args...)
	out, errOut, err := run(t, db, append(args, "--table", "distractors", "--format", "csv")...)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if lines[0] != "item,option,key,n,share,pbis,share_by_group" || len(lines) != 1+32*6 {
		t.Errorf("distractor table: %d lines, header %q", len(lines), lines[0])
	}
	for _, want := range []string{
		"Item.32,C,false,266,0.4433,0.2026,0.3535 0.3504 0.4214 0.4747 0.6160",
		"Item.32,E,true,97,0.1617,0.0371,0.1212 0.1606 0.1357 0.1717 0.2160",
	} {
		if !csvHasRow(out, want, 5e-5) {
			t.Errorf("distractor table lacks %q (numbers to 5e-5)", want)
		}
	}
	for _, want := range []string{"analysed 19200 responses of 600 examinees to 32 items", "alpha 0.7979", "flagged: miskey 1, hard 2, easy 4"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	out, _, err = run(t, db, append(args, "--format", "json")...)
	if err != nil {
		t.Fatal(err)
	}
	var items []struct {
		Item  string
		Key   string
		Flags []string
	}
	if err := json.Unmarshal([]byte(out), &items); err != nil || len(items) != 32 {
		t.Fatalf("items --format json: %v, %d items", err, len(items))
	}
	for _, it := range items { // by code: Item.1, Item.10, …
		if it.Item == "Item.32" && (it.Key != "E" || strings.Join(it.Flags, " ") != "hard miskey") {
			t.Errorf("item 32: %+v", it)
		}
	}
	if _, _, err := run(t, db, "analyze", "--responses", sat12Args[0]); err == nil || !strings.Contains(err.Error(), "--wide") {
		t.Errorf("--responses without --wide: %v", err)
	}
}

// TestAnalyzeBank analyses a bank's responses by form and table.
func TestAnalyzeBank(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	if _, _, err := run(t, db, "init"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, db, append([]string{"responses", "import", "--wide", "--add-items", "--domain", "stdlib", "--n-options", "5"}, sat12Args...)...); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, db, "analyze", "--table", "forms")
	if err != nil || !strings.Contains(out, "(no form)") || !strings.Contains(out, "0.7979") {
		t.Errorf("analyze --table forms: %v\n%s", err, out)
	}
	out, _, err = run(t, db, "analyze", "--table", "alpha", "--format", "csv")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); err != nil || len(lines) != 33 || lines[0] != "form,item,alpha_if_deleted" {
		t.Errorf("analyze --table alpha: %v, %d lines", err, len(lines))
	}
	out, _, err = run(t, db, "analyze")
	if err != nil || !strings.HasPrefix(out, "ITEM ") || !strings.Contains(out, "FLAGS\n") {
		t.Errorf("analyze: %v\n%s", err, out)
	}
	for _, c := range []struct{ args, want string }{
		{"analyze --form F9", "form F9 is not in the bank"},
		{"analyze --table nope", `--table "nope"`},
		{"analyze --groups 0", `invalid argument "0" for "--groups" flag: expected a whole number from 1 to 20`},
		{"analyze --easy 0.1", "expected 0 < hard < easy < 1"},
	} {
		if _, _, err := run(t, db, strings.Fields(c.args)...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.args, err, c.want)
		}
	}
	empty := filepath.Join(dir, "empty.db")
	if _, _, err := run(t, empty, "init"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, empty, "analyze"); err == nil || !strings.Contains(err.Error(), "no responses") {
		t.Errorf("an empty bank: %v", err)
	}
}

// csvHasRow reports whether the CSV text has a row matching want cell by
// cell, space-separated numbers within tol of want's.
func csvHasRow(text, want string, tol float64) bool {
	recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		return false
	}
	w := strings.Split(want, ",")
	match := func(got, want string) bool {
		g, wf := strings.Fields(got), strings.Fields(want)
		if len(g) != len(wf) {
			return false
		}
		for i := range g {
			x, e1 := strconv.ParseFloat(g[i], 64)
			y, e2 := strconv.ParseFloat(wf[i], 64)
			if e1 != nil || e2 != nil {
				if g[i] != wf[i] {
					return false
				}
			} else if math.Abs(x-y) > tol {
				return false
			}
		}
		return true
	}
	for _, r := range recs {
		if len(r) != len(w) {
			continue
		}
		ok := true
		for j := range r {
			ok = ok && match(r[j], w[j])
		}
		if ok {
			return true
		}
	}
	return false
}
