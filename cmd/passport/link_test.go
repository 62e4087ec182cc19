package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/fixtures"
	"github.com/passportirt/passport/irt"
)

// kbBank loads the Kolen & Brennan items and both forms' 3PL estimates
// (D = 1.7) as runs 1 (form X, new) and 2 (form Y, base); common items are
// named C3, C6, …, unique ones X1, Y1, ….
func kbBank(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "kb.db")
	if _, _, err := run(t, db, "init"); err != nil {
		t.Fatal(err)
	}
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

// kbPair is one Kolen & Brennan common item's 3PL estimates on form X
// (new) and form Y (base).
type kbPair struct{ ax, bx, cx, ay, by, cy float64 }

// kbCommon is the Kolen & Brennan common items in the order kbBank gives
// them codes (C3, C6, …, C36).
func kbCommon(t *testing.T) []kbPair {
	t.Helper()
	raw, err := fixtures.Reference("kb36_3pl_params.csv")
	if err != nil {
		t.Fatal(err)
	}
	var out []kbPair
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
		out = append(out, kbPair{v[0], v[1], v[2], v[3], v[4], v[5]})
	}
	return out
}

// p3 is the 3PL response function, written out in the test.
func p3(a, b, c, D, theta float64) float64 {
	return c + (1-c)/(1+math.Exp(-D*a*(theta-b)))
}

// curveCriterion is the test's own evaluation of the Haebara (sl false)
// or Stocking–Lord (sl true) criterion at θ_Y = A·θ_X + B (Kolen &
// Brennan 2014, eq. 6.19 and 6.21): on the old (Y) scale, over the nodes
// and weights old, the Y curves against the X items moved to a/A,
// A·b + B; on the new (X) scale, over nw, the X curves against the Y
// items moved back to A·a, (b − B)/A; sym says which (old, new, both).
func curveCriterion(items []kbPair, D float64, old, nw [2][]float64, sym string, sl bool, A, B float64) float64 {
	side := func(g [2][]float64, onOld bool) float64 {
		var v float64
		for k, th := range g[0] {
			var sum float64
			for _, it := range items {
				var target, moved float64
				if onOld {
					target, moved = p3(it.ay, it.by, it.cy, D, th), p3(it.ax/A, A*it.bx+B, it.cx, D, th)
				} else {
					target, moved = p3(it.ax, it.bx, it.cx, D, th), p3(A*it.ay, (it.by-B)/A, it.cy, D, th)
				}
				if sl {
					sum += target - moved
				} else {
					v += g[1][k] * (target - moved) * (target - moved)
				}
			}
			if sl {
				v += g[1][k] * sum * sum
			}
		}
		return v
	}
	var v float64
	if sym != "new" {
		v += side(old, true)
	}
	if sym != "old" {
		v += side(nw, false)
	}
	return v
}

// minimise finds the (A, B) minimising f independently of the scale
// package (which solves the normal equations by Levenberg–Marquardt): the
// best point of a brute-force grid over A in [0.6, 1.6] and B in
// [−1.2, 0.2] by steps of 0.02, refined by a compass search — move to the
// lowest of the 8 neighbours at distance h when it is lower, else halve h —
// until h < 1e-10.
func minimise(f func(A, B float64) float64) (float64, float64) {
	best, bA, bB := math.Inf(1), 0.0, 0.0
	for A := 0.6; A <= 1.6; A += 0.02 {
		for B := -1.2; B <= 0.2; B += 0.02 {
			if v := f(A, B); v < best {
				best, bA, bB = v, A, B
			}
		}
	}
	for h := 0.02; h > 1e-10; {
		nA, nB := bA, bB
		for _, d := range [][2]float64{{-1, -1}, {-1, 0}, {-1, 1}, {0, -1}, {0, 1}, {1, -1}, {1, 0}, {1, 1}} {
			if v := f(bA+d[0]*h, bB+d[1]*h); v < best {
				best, nA, nB = v, bA+d[0]*h, bB+d[1]*h
			}
		}
		if nA == bA && nB == bB {
			h /= 2
		}
		bA, bB = nA, nB
	}
	return bA, bB
}

type linkJSON struct {
	Linking int64
	A, B    float64
	SEA     *float64 `json:"se_a"`
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
// constants (common items without 27) and stores the linking; applying a
// linking and linking again gives the identity.
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
	applied := linkCLI(t, db, "--from", "1", "--to", "2", "--method", "sl", "--apply", "--bootstrap", "0")
	if applied.AppliedRun == 0 {
		t.Fatal("--apply stored no run")
	}
	again := linkCLI(t, db, "--from", fmt.Sprint(applied.AppliedRun), "--to", "2", "--method", "sl", "--bootstrap", "0")
	if math.Abs(again.A-1) > 1e-6 || math.Abs(again.B) > 1e-6 {
		t.Errorf("linking the applied run again: A %.8f B %.8f, want 1, 0", again.A, again.B)
	}
	out, _, err := run(t, db, "linkings", "list", "--format", "csv")
	if err != nil || strings.Count(out, "\n") != 5 || !strings.Contains(out, "linking,from_run,to_run,method,a,b,se_a,se_b,created_at\n") ||
		!strings.Contains(out, "\n4,3,2,stocking-lord,0.9999999999") {
		t.Errorf("linkings list: %v\n%s", err, out)
	}
	out, _, err = run(t, db, "linkings", "show", "1")
	if err != nil || !strings.Contains(out, "mean-mean") || !strings.Contains(out, "C3") {
		t.Errorf("linkings show: %v\n%s", err, out)
	}
	if _, _, err := run(t, db, "link", "--from", "1", "--to", "2", "--method", "guess"); err == nil {
		t.Error("an unknown method was accepted")
	}
	if _, _, err := run(t, db, "link", "--from", "1", "--to", "2", "--weights", "posterior", "--symmetry", "up"); err == nil || !strings.Contains(err.Error(), `symmetry "up"`) {
		t.Errorf("a bad symmetry, before the posteriors are estimated: %v", err)
	}
	if _, _, err := run(t, db, "link", "--from", "1", "--to", "2", "--weights", "posterior"); err == nil || !strings.Contains(err.Error(), "no response imports") {
		t.Errorf("posterior weights for imported parameters: %v", err)
	}
}

// TestLinkCurvesIndependent: the link command's Haebara and Stocking–Lord
// constants for the Kolen & Brennan data (X onto Y, all 12 common items),
// under every weighting and symmetry, on 21 points over [−4, 4], with the
// runs' D = 1.7 and with --D 1, equal to 1e-7 the minimum of the criterion
// as the test evaluates it (curveCriterion) and minimises it (minimise);
// they agree to about 5e-9.
// Both groups are N(0, 1) on their own scales (imported runs); the
// Gauss–Hermite nodes and weights are irt.GaussHermite's, which the irt
// package checks against Abramowitz & Stegun. STUIRT's published
// constants for this example are checked in the scale package
// (TestSTUIRTExample1): they weight by distributions the command cannot
// be given.
func TestLinkCurvesIndependent(t *testing.T) {
	db := kbBank(t)
	items := kbCommon(t)
	const n = 21
	grids := map[string][2][]float64{}
	uniform, normal := [2][]float64{make([]float64, n), make([]float64, n)}, [2][]float64{make([]float64, n), make([]float64, n)}
	var sum float64
	for i := range n {
		th := -4 + 8*float64(i)/(n-1)
		uniform[0][i], uniform[1][i] = th, 1.0/n
		normal[0][i], normal[1][i] = th, math.Exp(-th*th/2)
		sum += normal[1][i]
	}
	for i := range normal[1] {
		normal[1][i] /= sum
	}
	gh := irt.GaussHermite(n)
	grids["uniform"], grids["normal"], grids["gauss-hermite"] = uniform, normal, [2][]float64{gh.Nodes, gh.Weights}
	type combo struct {
		method, weights, symmetry string
		D                         float64
	}
	var combos []combo
	for _, m := range []string{"haebara", "sl"} {
		for _, w := range []string{"uniform", "normal", "gauss-hermite"} {
			for _, s := range []string{"old", "new", "both"} {
				combos = append(combos, combo{m, w, s, 1.7})
			}
		}
		combos = append(combos, combo{m, "normal", "both", 1})
	}
	for _, c := range combos {
		args := []string{"--from", "1", "--to", "2", "--method", c.method, "--weights", c.weights, "--symmetry", c.symmetry,
			"--grid-points", strconv.Itoa(n), "--grid-min", "-4", "--grid-max", "4", "--bootstrap", "0"}
		if c.D != 1.7 {
			args = append(args, "--D", fmt.Sprint(c.D))
		}
		l := linkCLI(t, db, args...)
		g := grids[c.weights]
		A, B := minimise(func(A, B float64) float64 {
			return curveCriterion(items, c.D, g, g, c.symmetry, c.method == "sl", A, B)
		})
		if math.Abs(l.A-A) > 1e-7 || math.Abs(l.B-B) > 1e-7 {
			t.Errorf("%s, %s weights, on %s, D = %g: link A %.7f B %.7f, criterion minimised independently %.7f %.7f",
				c.method, c.weights, c.symmetry, c.D, l.A, l.B, A, B)
		}
	}
}

// TestScaleTableEquate: a simulated, calibrated bank; the passport scale
// it has cannot be defined again; build F01's table on it, list and print
// it again, equate F01 to F02.
func TestScaleTableEquate(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	log := filepath.Join(dir, "log.csv")
	runAll(t, db, [][]string{
		{"init", "--demo"},
		{"simulate", "--examinees", "2000", "--model", "2pl", "-o", log},
		{"responses", "import", log},
		{"calibrate", "--model", "2pl"},
	})
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
	checkTrueScore(t, db, 1, "F01", "F02")
}

// TestEquateKolenBrennan: the Kolen & Brennan forms X and Y (3PL, D = 1.7)
// in one run on Y's scale — X's unique items moved by the link command's
// Stocking–Lord constants, Y's items and the common items as Y estimated
// them — equated through the CLI, checked by definition (checkTrueScore).
func TestEquateKolenBrennan(t *testing.T) {
	db := kbBank(t)
	dir := t.TempDir()
	// One examinee a form defines the forms X and Y.
	var log strings.Builder
	log.WriteString("examinee,form,item,option\n")
	for i := 1; i <= 36; i++ {
		cx, cy := fmt.Sprintf("X%d", i), fmt.Sprintf("Y%d", i)
		if i%3 == 0 {
			cx, cy = fmt.Sprintf("C%d", i), fmt.Sprintf("C%d", i)
		}
		fmt.Fprintf(&log, "EX,X,%s,A\nEY,Y,%s,A\n", cx, cy)
	}
	logFile := filepath.Join(dir, "forms.csv")
	if err := os.WriteFile(logFile, []byte(log.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, db, "responses", "import", logFile); err != nil {
		t.Fatal(err)
	}
	if l := linkCLI(t, db, "--from", "1", "--to", "2", "--method", "sl", "--apply", "--bootstrap", "0"); l.AppliedRun != 3 {
		t.Fatalf("applied run %d, want 3", l.AppliedRun)
	}
	params := func(id string) []string {
		out, _, err := run(t, db, "calibrations", "show", id, "--format", "csv")
		if err != nil {
			t.Fatal(err)
		}
		return strings.Split(strings.TrimSpace(out), "\n")
	}
	moved, base := params("3"), params("2")
	rows := base
	for _, line := range moved[1:] {
		if strings.HasPrefix(line, "X") {
			rows = append(rows, line)
		}
	}
	both := filepath.Join(dir, "both.csv")
	if err := os.WriteFile(both, []byte(strings.Join(rows, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, db, "calibrations", "import", both, "--model", "3pl", "--D", "1.7"); err != nil {
		t.Fatal(err)
	}
	checkTrueScore(t, db, 4, "X", "Y")
}

// checkTrueScore equates form x to form y under run through the CLI and
// recomputes the true-score equivalents by their definition (Kolen &
// Brennan 2014, sec. 6.8) with the test's own TCC: for Σc_X < s < n_X, θ
// solving TCC_X(θ) = s by bisection on [−6, 6], then TCC_Y(θ); at or
// below Σc_X, s·Σc_Y/Σc_X (0 when Σc_X = 0); n_X to n_Y. The equivalents
// are stored at full precision: the stored table is the one printed.
func checkTrueScore(t *testing.T, db string, runID int64, x, y string) {
	t.Helper()
	out, _, err := run(t, db, "equate", "--run", fmt.Sprint(runID), "--from-form", x, "--to-form", y, "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var rows []bank.EquatingRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	b, err := bank.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	r, err := b.Calibration(ctx, runID)
	if err != nil {
		t.Fatal(err)
	}
	params := map[string]bank.ParamRow{}
	for _, p := range r.Params {
		params[p.Item] = p
	}
	form := func(code string) (items []bank.ParamRow, sumC float64) {
		f, err := b.Form(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range f.Items {
			items = append(items, params[it.Item])
			sumC += params[it.Item].C
		}
		return items, sumC
	}
	tcc := func(items []bank.ParamRow, theta float64) float64 {
		var s float64
		for _, p := range items {
			s += p3(p.A, p.B, p.C, r.D, theta)
		}
		return s
	}
	fx, cx := form(x)
	fy, cy := form(y)
	if len(rows) != len(fx)+1 {
		t.Fatalf("%d rows for a %d-item form", len(rows), len(fx))
	}
	for s, row := range rows {
		var want float64
		switch {
		case s == len(fx):
			want = float64(len(fy))
		case float64(s) <= cx:
			if cx > 0 {
				want = float64(s) * cy / cx
			}
		default:
			lo, hi := -6.0, 6.0
			for range 100 {
				if mid := (lo + hi) / 2; tcc(fx, mid) < float64(s) {
					lo = mid
				} else {
					hi = mid
				}
			}
			want = tcc(fy, (lo+hi)/2)
		}
		if row.Raw != s || math.Abs(row.True-want) > 1e-9 {
			t.Errorf("%s → %s: raw %d equates to %.10f, by definition %.10f", x, y, row.Raw, row.True, want)
		}
	}
	ls, err := b.Equatings(ctx)
	if err != nil || len(ls) == 0 {
		t.Fatalf("no equating stored: %v", err)
	}
	stored, err := b.EquatingByID(ctx, ls[len(ls)-1].ID)
	// JSON prints 15 significant digits: the stored numbers agree to that.
	close := func(x, y float64) bool { return math.Abs(x-y) <= 1e-14*max(1, math.Abs(x)) }
	same := err == nil && len(stored.Rows) == len(rows)
	for i := 0; same && i < len(rows); i++ {
		g, w := stored.Rows[i], rows[i]
		same = g.Raw == w.Raw && close(g.True, w.True) && close(g.Observed, w.Observed)
	}
	if !same {
		t.Errorf("stored rows differ from those printed: %v", err)
	}
}

// TestLinkRecoversGroupDifference: a second group, θ ~ N(0.3, 1.2²) on the
// first group's scale, calibrated on its own (as N(0, 1)), links back with
// A ≈ 1.2, B ≈ 0.3 — with posterior weights estimated from both groups'
// responses, and with normal weights. With 3,000 examinees a group, the
// constants' sampling SD is a few hundredths; 0.08 allows for it and
// catches an inverted or shifted transform.
func TestLinkRecoversGroupDifference(t *testing.T) {
	if testing.Short() {
		t.Skip("a recovery study (two simulated years calibrated and linked): run without -short")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	g1, g2, truth := filepath.Join(dir, "g1.csv"), filepath.Join(dir, "g2.csv"), filepath.Join(dir, "truth.csv")
	runAll(t, db, [][]string{
		{"init", "--demo"},
		{"simulate", "--examinees", "3000", "--model", "2pl", "--seed", "3", "-o", g1, "--truth", truth},
		{"simulate", "--examinees", "3000", "--model", "2pl", "--seed", "4", "--params", truth, "--theta-mean", "0.3", "--theta-sd", "1.2",
			"--form-prefix", "G", "--examinee-prefix", "N", "-o", g2},
		{"responses", "import", g1},
		{"responses", "import", g2},
		// init --demo made imports 1–4 (one per item file); the logs are 5 and 6.
		{"calibrate", "--model", "2pl", "--imports", "5"},
		{"calibrate", "--model", "2pl", "--imports", "6"},
	})
	for _, w := range []string{"posterior", "normal"} {
		l := linkCLI(t, db, "--from", "2", "--to", "1", "--method", "sl", "--weights", w, "--bootstrap", "0")
		if math.Abs(l.A-1.2) > 0.08 || math.Abs(l.B-0.3) > 0.08 {
			t.Errorf("%s weights: A %.4f B %.4f, true 1.2, 0.3", w, l.A, l.B)
		}
	}
}
