package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/irt"
	"github.com/passportirt/passport/scale"
)

// TestRunSample: a run calibrated on one import (year 1, 400 examinees) is
// fitted, scored, analysed and reported on that import's responses only,
// not on every response in the bank (800), unless --imports says so; and
// score treats omitted responses as the run did.
func TestRunSample(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	y1, y2 := filepath.Join(dir, "y1.csv"), filepath.Join(dir, "y2.csv")
	runAll(t, db, [][]string{
		{"init", "--demo"},
		{"simulate", "--examinees", "400", "--forms", "2", "--form-length", "20", "--anchors", "5", "--model", "2pl", "--omit-rate", "0.05", "--seed", "1", "-o", y1},
		{"simulate", "--examinees", "400", "--forms", "2", "--form-length", "20", "--anchors", "5", "--model", "2pl", "--omit-rate", "0.05", "--seed", "2", "--examinee-prefix", "N", "-o", y2},
		{"responses", "import", y1, "--name", "year-1"},
		{"responses", "import", y2},
	})
	// The demo's items are import 1-4: year 1 is import 5, named year-1.
	if _, _, err := run(t, db, "calibrate", "--model", "2pl", "--imports", "year-1", "--omit-as-missing", "--name", "first"); err != nil {
		t.Fatal(err)
	}
	_, errOut, err := run(t, db, "fit", "--run", "first")
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
	// 400 examinees × 20 items less about 5 % omitted, left out as the run did.
	if len(scores) != 400 || items >= 400*20 || items < 400*20*90/100 {
		t.Errorf("scored %d examinees on %d responses; want 400 on 8,000 less the omitted ones", len(scores), items)
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

// TestScoreBound: on SAT12 (2PL), an examinee with 31 of 32 right has an ML
// estimate beyond 6 (mirt reports 10.82 for such a pattern under its own
// calibration); within the default bound it is found and not flagged,
// within --bound 6 it stops at 6 and is flagged at_bound, with a warning.
// --scale adds the scale score, clamped to the scale's range.
func TestScoreBound(t *testing.T) {
	db := filepath.Join(t.TempDir(), "p.db")
	runAll(t, db, [][]string{
		{"init"},
		append([]string{"responses", "import", "--wide", "--add-items", "--domain", "stdlib", "--n-options", "5"}, sat12Args...),
		{"calibrate", "--model", "2pl"},
		{"scale", "define", "wide", "--points", "-3,300,3,850"},
	})
	type score struct {
		Raw        int
		Theta      *float64
		AtBound    bool    `json:"at_bound"`
		ScaleScore float64 `json:"scale_score"`
	}
	scores := func(args ...string) ([]score, string) {
		out, errOut, err := run(t, db, append([]string{"score", "--run", "1", "--method", "ml", "--format", "json"}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		var s []score
		if err := json.Unmarshal([]byte(out), &s); err != nil {
			t.Fatal(err)
		}
		return s, errOut
	}
	wide, _ := scores("--scale", "wide")
	found := false
	for _, s := range wide {
		if s.Raw != 31 {
			continue
		}
		found = true
		if s.Theta == nil || *s.Theta <= 6 || *s.Theta >= 20 || s.AtBound || s.ScaleScore != 850 {
			t.Errorf("31 of 32 right within ±20: %+v (θ %v); want 6 < θ < 20, not at the bound, scale score 850", s, *s.Theta)
		}
	}
	if !found {
		t.Fatal("no examinee with 31 of 32 right")
	}
	narrow, errOut := scores("--bound", "6")
	for _, s := range narrow {
		if s.Raw == 31 && (s.Theta == nil || *s.Theta != 6 || !s.AtBound) {
			t.Errorf("31 of 32 right within ±6: %+v; want 6, flagged at_bound", s)
		}
	}
	if !strings.Contains(errOut, "stopped at the bound |θ| = 6") {
		t.Errorf("no warning of estimates at the bound:\n%s", errOut)
	}
	if _, _, err := run(t, db, "score", "--run", "1", "--bound", "0"); err == nil || !strings.Contains(err.Error(), `invalid argument "0" for "--bound" flag: expected a number in [1, 100]`) {
		t.Errorf("--bound 0: %v", err)
	}
}

// TestBadFlags: numeric flags refuse values outside their range, NaN and
// infinities, naming the flag and the range, and leave the bank as it was.
func TestBadFlags(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	params := filepath.Join(dir, "p.csv")
	if err := os.WriteFile(params, []byte("item,a,b\nSEM-001,1,0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, db, "init", "--demo"); err != nil {
		t.Fatal(err)
	}
	before := bankBytes(t, db)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"calibrations", "import", params, "--D", "0"}, `invalid argument "0" for "--D" flag: expected a number in (0, 10]`},
		{[]string{"calibrations", "import", params, "--D", "-1"}, `"--D" flag: expected a number in (0, 10]`},
		{[]string{"calibrations", "import", params, "--D", "Inf"}, `"--D" flag: expected a number in (0, 10]`},
		{[]string{"simulate", "--theta-sd", "NaN"}, `"--theta-sd" flag: expected a number in (0, 5]`},
		{[]string{"simulate", "--forms", "0"}, `"--forms" flag: expected a whole number from 1 to 1000`},
		{[]string{"simulate", "--omit-rate", "1"}, `"--omit-rate" flag: expected a number in [0, 1)`},
		{[]string{"fit", "--run", "1", "--alpha", "NaN"}, `"--alpha" flag: expected a number in (0, 1)`},
		{[]string{"score", "--run", "1", "--bound", "Inf"}, `"--bound" flag: expected a number in [1, 100]`},
		{[]string{"calibrate", "--D", "0"}, `"--D" flag: expected a number in (0, 10]`},
		{[]string{"calibrate", "--max-cycles", "-5"}, `"--max-cycles" flag: expected a whole number from 1 to 100000`},
		{[]string{"calibrate", "--tol", "NaN"}, `"--tol" flag: expected a number in (0, 1]`},
		{[]string{"calibrate", "--quad-max", "Inf"}, `"--quad-max" flag: expected a number in (0, 20]`},
		{[]string{"calibrate", "--prior-a", "0,-1"}, `--prior-a "0,-1": expected the mean and a positive SD of log a`},
		{[]string{"calibrate", "--model", "3pl", "--prior-c", "0,0"}, `--prior-c "0,0": expected Beta shapes alpha, beta of at least 1`},
		{[]string{"calibrate", "--model", "2pl", "--prior-c", "2,5"}, "--prior-c: the 2pl model has no lower asymptote c"},
		{[]string{"calibrate", "--prior-b", "NaN,1"}, `--prior-b "NaN,1": expected two finite numbers`},
	} {
		_, _, err := run(t, db, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
	if !bytes.Equal(before, bankBytes(t, db)) {
		t.Error("a refused command changed the bank")
	}
}

// bankBytes is the bank file's content with its write-ahead log's.
func bankBytes(t *testing.T, db string) []byte {
	t.Helper()
	data, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if wal, err := os.ReadFile(db + "-wal"); err == nil {
		data = append(data, wal...)
	}
	return data
}

// TestRunGrid: a run calibrated on a 21-point grid on [−4, 4] has its
// conversion table's summed-score EAPs computed on that grid, not on the
// default 61 points on [−6, 6] (the two differ by more than 1e-4 here).
func TestRunGrid(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	log := filepath.Join(dir, "log.csv")
	runAll(t, db, [][]string{
		{"init", "--demo"},
		{"simulate", "--examinees", "600", "--forms", "2", "--model", "2pl", "-o", log},
		{"responses", "import", log},
		{"calibrate", "--model", "2pl", "--quad", "21", "--quad-min", "-4", "--quad-max", "4"},
	})
	out, _, err := run(t, db, "scale", "table", "--form", "F01", "--run", "1", "--method", "eap", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Rows []struct {
			ThetaEAP float64 `json:"theta_eap"`
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	b, err := bank.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	r, err := b.Calibration(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	form, err := b.Form(ctx, "F01")
	if err != nil {
		t.Fatal(err)
	}
	params := map[string]irt.ThreePL{}
	for _, p := range r.Params {
		params[p.Item] = p.ThreePL(r.D)
	}
	var items []irt.ThreePL
	for _, it := range form.Items {
		items = append(items, params[it.Item])
	}
	table := func(grid irt.Quadrature) *scale.Table {
		tab, err := scale.ConversionTable(items, scale.Passport(), scale.TableOptions{Method: scale.ByEAP,
			Population: scale.Population{Mean: r.LatentMean, SD: r.LatentSD, Grid: grid}})
		if err != nil {
			t.Fatal(err)
		}
		return tab
	}
	want, def := table(irt.NormalGrid(21, -4, 4)), table(irt.DefaultGrid())
	if len(got.Rows) != len(want.Rows) {
		t.Fatalf("%d rows, want %d", len(got.Rows), len(want.Rows))
	}
	apart := 0.0
	for x, row := range got.Rows {
		if math.Abs(row.ThetaEAP-want.Rows[x].ThetaEAP) > 1e-12 {
			t.Errorf("raw %d: EAP %.6f, on the run's grid %.6f", x, row.ThetaEAP, want.Rows[x].ThetaEAP)
		}
		apart = max(apart, math.Abs(want.Rows[x].ThetaEAP-def.Rows[x].ThetaEAP))
	}
	if apart < 1e-4 {
		t.Errorf("the run's grid and the default give EAPs within %g: the test cannot tell them apart", apart)
	}
}

// TestStoredOnce: asking twice for the same linking (with --apply), table
// or equating returns the stored one instead of a duplicate; linking a run
// onto itself is refused.
func TestStoredOnce(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	y1, y2 := filepath.Join(dir, "y1.csv"), filepath.Join(dir, "y2.csv")
	runAll(t, db, [][]string{
		{"init", "--demo"},
		{"simulate", "--examinees", "500", "--forms", "2", "--model", "2pl", "--seed", "1", "-o", y1},
		{"simulate", "--examinees", "500", "--forms", "2", "--model", "2pl", "--seed", "2", "--examinee-prefix", "N", "--form-prefix", "G", "-o", y2},
		{"responses", "import", y1},
		{"responses", "import", y2},
		{"calibrate", "--model", "2pl", "--imports", "5"},
		{"calibrate", "--model", "2pl", "--imports", "6"},
	})
	twice := [][]string{
		{"link", "--from", "2", "--to", "1", "--bootstrap", "20", "--apply"},
		{"scale", "table", "--form", "F01", "--run", "1"},
		{"equate", "--run", "1", "--from-form", "F01", "--to-form", "F02"},
	}
	for _, args := range twice {
		first, _, err := run(t, db, args...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		again, errOut, err := run(t, db, args...)
		if err != nil || again != first || !strings.Contains(errOut, "it is shown, not stored again") {
			t.Errorf("%v twice: %v\n%s", args, err, errOut)
		}
	}
	b, err := bank.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	ls, _ := b.Linkings(ctx)
	runs, _ := b.Calibrations(ctx)
	tables, _ := b.ConversionTables(ctx)
	eqs, _ := b.Equatings(ctx)
	if len(ls) != 1 || len(runs) != 3 || len(tables) != 1 || len(eqs) != 1 {
		t.Errorf("%d linkings, %d runs, %d tables, %d equatings; want 1, 3 (two and the applied one), 1, 1", len(ls), len(runs), len(tables), len(eqs))
	}
	if _, _, err := run(t, db, "link", "--from", "1", "--to", "1"); err == nil || !strings.Contains(err.Error(), "a run is on its own scale already") {
		t.Errorf("link --from 1 --to 1: %v", err)
	}
}

// TestDryRun: every command that writes, given --dry-run, computes and
// prints as usual and leaves the bank's bytes as they were.
func TestDryRun(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	y1, y2 := filepath.Join(dir, "y1.csv"), filepath.Join(dir, "y2.csv")
	runAll(t, db, [][]string{
		{"init", "--demo"},
		{"simulate", "--examinees", "500", "--forms", "2", "--model", "2pl", "--seed", "1", "-o", y1},
		{"simulate", "--examinees", "500", "--forms", "2", "--model", "2pl", "--seed", "2", "--examinee-prefix", "N", "-o", y2},
		{"responses", "import", y1},
		{"calibrate", "--model", "2pl", "--name", "first"},
		{"calibrate", "--model", "1pl", "--name", "second"},
	})
	before := bankBytes(t, db)
	for _, args := range [][]string{
		{"responses", "import", y2},
		{"calibrate", "--model", "2pl"},
		{"score", "--run", "first"},
		{"link", "--from", "second", "--to", "first", "--bootstrap", "0", "--apply"},
		{"scale", "table", "--form", "F01", "--run", "first"},
		{"equate", "--run", "first", "--from-form", "F01", "--to-form", "F02"},
		{"rename", "run", "first", "renamed"},
		{"delete", "run", "first", "--cascade"},
	} {
		out, errOut, err := run(t, db, append(args, "--dry-run")...)
		if err != nil {
			t.Errorf("%v --dry-run: %v", args, err)
		}
		if err == nil && (!strings.Contains(errOut, "--dry-run: every result is computed and printed, nothing is stored") || out+errOut == "") {
			t.Errorf("%v --dry-run printed nothing or did not say it was dry:\n%s", args, errOut)
		}
		if !bytes.Equal(before, bankBytes(t, db)) {
			t.Fatalf("%v --dry-run changed the bank", args)
		}
	}
	if _, _, err := run(t, db, "calibrations", "show", "first"); err != nil {
		t.Errorf("the run is gone after a dry delete: %v", err)
	}
}
