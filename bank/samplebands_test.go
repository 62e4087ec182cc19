package bank

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"testing"
)

// TestSampleBands: a sample's form, study and bands are stored together
// and read back by raw score; a bad band leaves the bank as it was; the
// bands go with their form.
func TestSampleBands(t *testing.T) {
	ctx := context.Background()
	b, run := withRun(t, 6)
	sample := func() (*Assembly, *CATStudy) {
		a := &Assembly{CalibrationID: run, Blueprint: json.RawMessage(`{"length":2}`), ObjectiveType: "target", Objective: 0.01, Bound: math.NaN(),
			Gap: math.NaN(), Solver: "spread", Status: "optimal", Options: AssemblyOptions{Sample: true},
			Forms: []Form{{Code: "SAMPLE-1", Items: []FormItem{{Item: "IT001"}, {Item: "IT002"}}}}}
		s := &CATStudy{Run: run, Seed: 3, Config: json.RawMessage(`{"mode":"fixed"}`), Simulees: 100, Thetas: "N(0, 1)", Summary: json.RawMessage(`{}`)}
		return a, s
	}
	bands := []SampleBand{
		{Raw: 0, N: 30, Level: 0.95, ThetaLow: -2.5, ThetaMid: -1, ThetaHigh: 0.5, Scale: "passport", Low: 346, Mid: 483, High: 621},
		{Raw: 2, N: 40, Level: 0.95, ThetaLow: -0.5, ThetaMid: 1, ThetaHigh: 2.5, Scale: "passport", Low: 529, Mid: 667, High: 804},
	}
	// A NaN band: refused, nothing stored.
	a, s := sample()
	bad := append([]SampleBand(nil), bands...)
	bad[1].High = math.NaN()
	if err := b.SaveSample(ctx, a, s, bad); err == nil {
		t.Fatal("a NaN band was stored")
	}
	if _, err := b.Form(ctx, "SAMPLE-1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after a refused sample the form exists: %v", err)
	}
	a, s = sample()
	if err := b.SaveSample(ctx, a, s, bands); err != nil {
		t.Fatal(err)
	}
	got, err := b.SampleBand(ctx, "SAMPLE-1", 2)
	want := bands[1]
	want.Form, want.Study = "SAMPLE-1", s.ID
	if err != nil || got != want {
		t.Errorf("band of raw 2: %v\n got %+v\nwant %+v", err, got, want)
	}
	if _, err := b.SampleBand(ctx, "SAMPLE-1", 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("raw 1 has no band: %v", err)
	}
	all, err := b.SampleBands(ctx, "SAMPLE-1")
	if err != nil || len(all) != 2 || all[0].Raw != 0 {
		t.Errorf("SampleBands: %v %+v", err, all)
	}
	live, _ := b.LiveItems(ctx)
	if !live["IT001"] {
		t.Error("the sample's items are not live")
	}
	// A second sample with the same form code: refused, the study not kept.
	a, s = sample()
	if err := b.SaveSample(ctx, a, s, bands); err == nil {
		t.Error("a second form SAMPLE-1 was stored")
	}
	if st, _ := b.CATStudies(ctx); len(st) != 1 {
		t.Errorf("%d studies after a refused sample, want 1", len(st))
	}
	f, _ := b.Form(ctx, "SAMPLE-1")
	if _, err := b.Delete(ctx, KindAssembly, f.AssemblyID, false); err != nil {
		t.Fatal(err)
	}
	if all, _ := b.SampleBands(ctx, "SAMPLE-1"); len(all) != 0 {
		t.Errorf("bands outlive their form: %+v", all)
	}
}
