package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/passportirt/passport/fixtures"
	"github.com/passportirt/passport/irt"
	"github.com/passportirt/passport/scale"
)

// kbBank loads the Kolen & Brennan items and both forms' 3PL estimates
// (D = 1.7) as runs 1 (form X, new) and 2 (form Y, base); common items are
// named C3, C6, …, unique ones X1, Y1, ….
func kbBank(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "kb.db")
	raw, err := fixtures.Reference("kb36_3pl_params.csv")
	if err != nil {
		t.Fatal(err)
	}
	var items, x, y strings.Builder
	items.WriteString("id,domain,status,stem,option_a,option_b,option_c,option_d,key\n")
	x.WriteString("item,a,b,c\n")
	y.WriteString("item,a,b,c\n")
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n")[1:] {
		f := strings.Split(line, ",")
		cx, cy := "X"+f[0], "Y"+f[0]
		if f[1] == "1" {
			cx, cy = "C"+f[0], "C"+f[0]
		}
		for _, c := range []string{cx, cy} {
			if !strings.Contains(items.String(), "\n"+c+",") {
				fmt.Fprintf(&items, "%s,stdlib,operational,KB item %s,a,b,c,d,A\n", c, f[0])
			}
		}
		fmt.Fprintf(&x, "%s,%s,%s,%s\n", cx, f[2], f[3], f[4])
		fmt.Fprintf(&y, "%s,%s,%s,%s\n", cy, f[5], f[6], f[7])
	}
	for name, s := range map[string]string{"items.csv": items.String(), "x.csv": x.String(), "y.csv": y.String()} {
		os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644)
	}
	if _, _, err := run(t, db, "items", "import", filepath.Join(dir, "items.csv")); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"x.csv", "y.csv"} {
		if _, _, err := run(t, db, "calibrations", "import", filepath.Join(dir, f), "--model", "3pl", "--D", "1.7"); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// kbCommonItems is the Kolen & Brennan common items, X as new and Y as
// base, D = 1.7, in the order kbBank gives them codes (C3, C6, …, C36).
func kbCommonItems(t *testing.T) []scale.CommonItem {
	t.Helper()
	raw, err := fixtures.Reference("kb36_3pl_params.csv")
	if err != nil {
		t.Fatal(err)
	}
	var out []scale.CommonItem
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n")[1:] {
		f := strings.Split(line, ",")
		if f[1] != "1" {
			continue
		}
		v := make([]float64, 6)
		for i := range v {
			if v[i], err = strconv.ParseFloat(f[2+i], 64); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, scale.CommonItem{New: irt.ThreePL{A: v[0], B: v[1], C: v[2], D: 1.7}, Base: irt.ThreePL{A: v[3], B: v[4], C: v[5], D: 1.7}})
	}
	return out
}

type linkJSON struct {
	Linking int64
	A, B    float64
	SEA     *float64 `json:"se_A"`
	Items   []struct {
		Item string
		Used bool
	}
	AppliedRun int64 `json:"applied_run"`
}

func linkCLI(t *testing.T, db string, args ...string) linkJSON {
	t.Helper()
	out, _, err := run(t, db, append([]string{"link", "--format", "json"}, args...)...)
	if err != nil {
		t.Fatalf("link %v: %v", args, err)
	}
	var l linkJSON
	if err := json.Unmarshal([]byte(out), &l); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return l
}

// TestLinkKolenBrennan: the link command reproduces the published
// constants (common items without 27) and stores the linking; every
// characteristic-curve option runs; applying a linking and linking again
// gives the identity.
func TestLinkKolenBrennan(t *testing.T) {
	db := kbBank(t)
	for _, tc := range []struct {
		method string
		A, B   float64
	}{{"mm", 1.1449, -0.4790}, {"ms", 1.1761, -0.5042}} {
		l := linkCLI(t, db, "--from", "1", "--to", "2", "--method", tc.method, "--exclude", "C27")
		if math.Abs(l.A-tc.A) > 1e-4 || math.Abs(l.B-tc.B) > 1e-4 || len(l.Items) != 11 || l.SEA == nil || *l.SEA <= 0 {
			t.Errorf("%s: A %.5f B %.5f, %d items, SE %v; published %.4f %.4f", tc.method, l.A, l.B, len(l.Items), l.SEA, tc.A, tc.B)
		}
	}
	// The characteristic-curve methods through the CLI give what the scale
	// package gives on the same items and options (its own tests check the
	// methods against invariants and a brute-force minimum).
	common := kbCommonItems(t)
	for _, m := range []string{"haebara", "sl"} {
		for _, w := range []string{"uniform", "normal", "gauss-hermite"} {
			for _, s := range []string{"old", "new", "both"} {
				l := linkCLI(t, db, "--from", "1", "--to", "2", "--method", m, "--weights", w, "--symmetry", s, "--bootstrap", "20", "--D", "1")
				g, err := scale.Grid(scale.Weights(w), 41, -4, 4, 0, 1)
				if err != nil {
					t.Fatal(err)
				}
				o := scale.CurveOptions{Old: g, New: g, Symmetry: scale.Symmetry(s), D: 1}
				want, _, err := scale.StockingLord(common, o)
				if m == "haebara" {
					want, _, err = scale.Haebara(common, o)
				}
				if err != nil || math.Abs(l.A-want.A) > 1e-6 || math.Abs(l.B-want.B) > 1e-6 {
					t.Errorf("%s %s %s: CLI A %.6f B %.6f, scale package %.6f %.6f (%v)", m, w, s, l.A, l.B, want.A, want.B, err)
				}
			}
		}
	}
	applied := linkCLI(t, db, "--from", "1", "--to", "2", "--method", "sl", "--apply", "--bootstrap", "0")
	if applied.AppliedRun == 0 {
		t.Fatal("--apply stored no run")
	}
	again := linkCLI(t, db, "--from", fmt.Sprint(applied.AppliedRun), "--to", "2", "--method", "sl", "--bootstrap", "0")
	if math.Abs(again.A-1) > 1e-6 || math.Abs(again.B) > 1e-6 {
		t.Errorf("linking the applied run again: A %.8f B %.8f, want 1, 0", again.A, again.B)
	}
	out, _, err := run(t, db, "linkings", "list", "--format", "csv")
	if err != nil || strings.Count(out, "\n") < 20 {
		t.Errorf("linkings list: %v\n%s", err, out)
	}
	out, _, err = run(t, db, "linkings", "show", "1")
	if err != nil || !strings.Contains(out, "mean-mean") || !strings.Contains(out, "C3") {
		t.Errorf("linkings show: %v\n%s", err, out)
	}
	if _, _, err := run(t, db, "link", "--from", "1", "--to", "2", "--method", "guess"); err == nil {
		t.Error("an unknown method was accepted")
	}
	if _, _, err := run(t, db, "link", "--from", "1", "--to", "2", "--weights", "posterior"); err == nil || !strings.Contains(err.Error(), "no response imports") {
		t.Errorf("posterior weights for imported parameters: %v", err)
	}
}

// TestScaleTableEquate: a simulated, calibrated bank; define the passport
// scale, build F01's table, list and print it again, equate F01 to F02.
func TestScaleTableEquate(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	log := filepath.Join(dir, "log.csv")
	for _, args := range [][]string{
		{"init", "--demo"},
		{"simulate", "--examinees", "2000", "--model", "2pl", "-o", log},
		{"responses", "import", log},
		{"calibrate", "--model", "2pl"},
		{"scale", "define", "passport"},
	} {
		if _, _, err := run(t, db, args...); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	if _, _, err := run(t, db, "scale", "define", "passport"); err == nil {
		t.Error("a scale was redefined")
	}
	out, _, err := run(t, db, "scale", "table", "--form", "F01", "--run", "1", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var tab struct {
		Table int64
		Rows  []struct {
			Raw   int
			Score float64
			CSEM  *float64
		}
	}
	if err := json.Unmarshal([]byte(out), &tab); err != nil {
		t.Fatal(err)
	}
	if len(tab.Rows) != 51 || tab.Rows[0].Score != 300 || tab.Rows[50].Score != 850 {
		t.Fatalf("table: %d rows, %g–%g", len(tab.Rows), tab.Rows[0].Score, tab.Rows[len(tab.Rows)-1].Score)
	}
	for i := 1; i < 51; i++ {
		if tab.Rows[i].Score < tab.Rows[i-1].Score || tab.Rows[i].CSEM == nil {
			t.Errorf("row %d: %+v", i, tab.Rows[i])
		}
	}
	again, _, err := run(t, db, "scale", "show-table", fmt.Sprint(tab.Table), "--format", "json")
	if err != nil || !strings.Contains(again, `"scale": "passport"`) {
		t.Errorf("show-table: %v", err)
	}
	list, _, err := run(t, db, "scale", "tables")
	if err != nil || !strings.Contains(list, "F01") {
		t.Errorf("tables: %v\n%s", err, list)
	}
	if _, _, err := run(t, db, "scale", "table", "--form", "F99", "--run", "1"); err == nil || !strings.Contains(err.Error(), "F99") {
		t.Errorf("a table for a missing form: %v", err)
	}
	eq, _, err := run(t, db, "equate", "--run", "1", "--from-form", "F01", "--to-form", "F02", "--format", "csv")
	if err != nil || !strings.HasPrefix(eq, "raw,true_score,observed_score\n") || strings.Count(eq, "\n") != 52 {
		t.Errorf("equate: %v\n%.200s", err, eq)
	}
	// The table is stored and printed again the same.
	again, _, err = run(t, db, "equatings", "show", "1", "--format", "csv")
	if err != nil || again != eq {
		t.Errorf("equatings show: %v\n%.200s", err, again)
	}
	if list, _, err := run(t, db, "equatings", "list"); err != nil || !strings.Contains(list, "F01") {
		t.Errorf("equatings list: %v\n%s", err, list)
	}
}

// TestLinkRecoversGroupDifference: a second group, θ ~ N(0.3, 1.2²) on the
// first group's scale, calibrated on its own (as N(0, 1)), links back with
// A ≈ 1.2, B ≈ 0.3 — with posterior weights estimated from both groups'
// responses, and with normal weights. With 3,000 examinees a group, the
// constants' sampling SD is a few hundredths; 0.08 allows for it and
// catches an inverted or shifted transform.
func TestLinkRecoversGroupDifference(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	g1, g2, truth := filepath.Join(dir, "g1.csv"), filepath.Join(dir, "g2.csv"), filepath.Join(dir, "truth.csv")
	for _, args := range [][]string{
		{"init", "--demo"},
		{"simulate", "--examinees", "3000", "--model", "2pl", "--seed", "3", "-o", g1, "--truth", truth},
		{"simulate", "--examinees", "3000", "--model", "2pl", "--seed", "4", "--params", truth, "--theta-mean", "0.3", "--theta-sd", "1.2",
			"--form-prefix", "G", "--examinee-prefix", "N", "-o", g2},
		{"responses", "import", g1},
		{"responses", "import", g2},
		// init --demo made imports 1–4 (one per item file); the logs are 5 and 6.
		{"calibrate", "--model", "2pl", "--imports", "5"},
		{"calibrate", "--model", "2pl", "--imports", "6"},
	} {
		if _, _, err := run(t, db, args...); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	for _, w := range []string{"posterior", "normal"} {
		l := linkCLI(t, db, "--from", "2", "--to", "1", "--method", "sl", "--weights", w, "--bootstrap", "0")
		if math.Abs(l.A-1.2) > 0.08 || math.Abs(l.B-0.3) > 0.08 {
			t.Errorf("%s weights: A %.4f B %.4f, true 1.2, 0.3", w, l.A, l.B)
		}
	}
}
