package bank

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
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
		Options: map[string]any{"seed": 1.0},
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
		got.Solver != "cbc 2.10.8" || got.Status != "feasible" || got.Options["seed"] != 1.0 || len(got.Forms) != 2 {
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
	var buf bytes.Buffer
	if err := b.ExportForms(ctx, &buf, []string{"A1-1"}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if !strings.HasPrefix(lines[0], "form,position,anchor,id,domain,subdomain,status,stem,option_a,") || len(lines) != 1+3*2 {
		t.Errorf("export:\n%s", buf.String()) // stems span two lines
	}
	if !strings.HasPrefix(lines[1], "A1-1,1,1,IT001,idioms,sub1,operational,") {
		t.Errorf("export's first row %q", lines[1])
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

func TestItemSeconds(t *testing.T) {
	ctx := context.Background()
	b := withItems(t, 4)
	in := "examinee,form,item,option,time\nE1,F1,IT001,A,10\nE2,F1,IT001,B,30\nE3,F1,IT001,C,20\nE4,F1,IT001,D,40\nE1,F1,IT002,A,5\nE2,F1,IT002,A,\n"
	if _, err := b.ImportLong(ctx, "log.csv", strings.NewReader(in), ResponseOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := b.ItemSeconds(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// IT001: median of 10, 20, 30, 40; IT002: its one timed response.
	if len(got) != 2 || got["IT001"] != 25 || got["IT002"] != 5 {
		t.Errorf("ItemSeconds = %v, want IT001 25, IT002 5", got)
	}
}
