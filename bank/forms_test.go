package bank

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// withRun opens a bank of n items with a calibration run over them.
func withRun(t *testing.T, n int) (*Bank, int64) {
	t.Helper()
	b := withItems(t, n)
	c := &Calibration{Model: "2pl", D: 1, Source: "import", LogLik: math.NaN(), LatentSD: 1}
	for _, it := range strings.Fields("IT001 IT002 IT003 IT004") {
		c.Params = append(c.Params, ParamRow{Item: it, Model: "2pl", A: 1, SEA: math.NaN(), SEB: math.NaN(), SEC: math.NaN()})
	}
	id, err := b.SaveCalibration(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return b, id
}

func TestAssemblyRoundTrip(t *testing.T) {
	ctx := context.Background()
	b, run := withRun(t, 6)
	a := &Assembly{Name: "spring", CalibrationID: run, Blueprint: json.RawMessage(`{"length":3}`), ObjectiveType: "maximin",
		Objective: 1.5, Bound: 1.6, Gap: 0.0667, Solver: "cbc 2.10.8", Status: "feasible", Seconds: 0.5,
		Options: AssemblyOptions{BlueprintFile: "bp.json", Solver: "cbc", Gap: 0.001, MaxNodes: 5000, Restarts: 200, Seed: 7, Threads: 1,
			TimeLimit: Duration(90 * time.Second)},
		Forms: []Form{
			{Items: []FormItem{{Item: "IT001", Anchor: true}, {Item: "IT002"}, {Item: "IT003"}}},
			{Code: "SPRING-B", Items: []FormItem{{Item: "IT001", Anchor: true}, {Item: "IT004"}, {Item: "IT005"}}},
		}}
	id, err := b.SaveAssembly(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.Assembly(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "spring" || got.CalibrationID != run || string(got.Blueprint) != `{"length":3}` || got.Bound != 1.6 ||
		got.Solver != "cbc 2.10.8" || got.Status != "feasible" || got.Options != a.Options || len(got.Forms) != 2 {
		t.Fatalf("assembly read back as %+v", got)
	}
	f := got.Forms[0]
	if f.Code != "A1-1" || f.Origin != "assembly" || f.AssemblyID != id || f.Length != 3 || !f.Items[0].Anchor || f.Items[2] != (FormItem{3, "IT003", false}) {
		t.Errorf("first form %+v", f)
	}
	if got.Forms[1].Code != "SPRING-B" {
		t.Errorf("second form %q, want the code given", got.Forms[1].Code)
	}
	forms, err := b.Forms(ctx)
	if err != nil || len(forms) != 2 || forms[1].Length != 3 || forms[1].Items != nil {
		t.Errorf("Forms: %v %+v", err, forms)
	}
}

func TestSaveAssemblyErrors(t *testing.T) {
	ctx := context.Background()
	b, run := withRun(t, 4)
	base := func(forms ...Form) *Assembly {
		return &Assembly{CalibrationID: run, Blueprint: json.RawMessage(`{}`), ObjectiveType: "maximin", Solver: "heuristic",
			Status: "heuristic", Bound: math.NaN(), Gap: math.NaN(), Forms: forms}
	}
	if _, err := b.SaveAssembly(ctx, base(Form{Code: "X", Items: []FormItem{{Item: "IT001"}}})); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		a    *Assembly
		want string
	}{
		{"a taken code", base(Form{Code: "X", Items: []FormItem{{Item: "IT002"}}}), "form X is already in the bank"},
		{"an unknown item", base(Form{Items: []FormItem{{Item: "NOPE"}}}), "item NOPE is not in the bank"},
		{"a bad code", base(Form{Code: "a b"}), "contains a space"},
	} {
		if _, err := b.SaveAssembly(ctx, tc.a); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	forms, _ := b.Forms(ctx)
	var n int
	b.db.QueryRow(`SELECT COUNT(*) FROM assemblies`).Scan(&n)
	if len(forms) != 1 || n != 1 {
		t.Errorf("failed saves left %d forms and %d assemblies, want 1 and 1", len(forms), n)
	}
	got, err := b.Assembly(ctx, 1)
	if err != nil || !math.IsNaN(got.Bound) || !math.IsNaN(got.Gap) {
		t.Errorf("a missing bound reads back as %v, %v (%v)", got.Bound, got.Gap, err)
	}
	if _, err := b.Assembly(ctx, 9); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("a missing assembly: %v", err)
	}
	if _, err := b.Form(ctx, "NOPE"); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("a missing form: %v", err)
	}
}

// TestOldAssemblyOptions: options stored before they were typed (a map
// written by encoding/json, keys sorted) read back into AssemblyOptions.
func TestOldAssemblyOptions(t *testing.T) {
	ctx := context.Background()
	b, run := withRun(t, 4)
	old := `{"blueprint_file":"fixtures/blueprints/python-fundamentals.json","gap":0.001,"sample":true,"seed":1,"solver":"auto","threads":0,"time_limit":"1m0s"}`
	if _, err := b.db.Exec(`INSERT INTO assemblies (name, calibration_id, blueprint, objective_type, objective, solver, status, seconds, options, created_at)
		VALUES ('old', ?, '{}', 'maximin', 1, 'heuristic', 'heuristic', 0.5, ?, '2025-01-01T00:00:00Z')`, run, old); err != nil {
		t.Fatal(err)
	}
	got, err := b.Assembly(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := AssemblyOptions{BlueprintFile: "fixtures/blueprints/python-fundamentals.json", Sample: true, Solver: "auto", Gap: 0.001, Seed: 1,
		TimeLimit: Duration(time.Minute)}
	if got.Options != want {
		t.Errorf("old options read back as %+v, want %+v", got.Options, want)
	}
	if _, err := b.db.Exec(`UPDATE assemblies SET options = '{"time_limit": "soon"}'`); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Assembly(ctx, 1); err == nil || !strings.Contains(err.Error(), "assembly 1: options") {
		t.Errorf("a bad time limit: %v", err)
	}
}

// TestItemSeconds: each timed item's times reach the summary in seconds,
// ascending; an item without times is absent.
func TestItemSeconds(t *testing.T) {
	ctx := context.Background()
	b := withItems(t, 4)
	in := "examinee,form,item,option,time\nE1,F1,IT001,A,10\nE2,F1,IT001,B,30\nE3,F1,IT001,C,20\nE4,F1,IT001,D,40.5\nE1,F1,IT002,A,5\nE2,F1,IT002,A,\nE1,F1,IT003,A,\n"
	if _, err := b.ImportLong(ctx, "log.csv", strings.NewReader(in), ResponseOptions{}); err != nil {
		t.Fatal(err)
	}
	var seen [][]float64
	got, err := b.ItemSeconds(ctx, func(s []float64) float64 {
		seen = append(seen, slices.Clone(s))
		return s[len(s)-1]
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["IT001"] != 40.5 || got["IT002"] != 5 {
		t.Errorf("ItemSeconds = %v, want IT001 40.5 (its largest), IT002 5", got)
	}
	if len(seen) != 2 || !slices.Equal(seen[0], []float64{10, 20, 30, 40.5}) || !slices.Equal(seen[1], []float64{5}) {
		t.Errorf("the summary saw %v, want IT001's 10, 20, 30, 40.5 and IT002's 5", seen)
	}
}
