package bank

import (
	"context"
	"math"
	"strings"
	"testing"
)

func TestLinkingScaleTableStorage(t *testing.T) {
	ctx := context.Background()
	b := withItems(t, 4)
	if _, err := b.ImportLong(ctx, "log.csv", strings.NewReader(longHeader+"E1,F1,IT001,B\nE1,F1,IT002,A\n"), ResponseOptions{}); err != nil {
		t.Fatal(err)
	}
	run := func() int64 {
		id, err := b.SaveCalibration(ctx, &Calibration{Model: "2pl", D: 1, Source: "em", Params: []ParamRow{{Item: "IT001", A: 1}, {Item: "IT002", A: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	r1, r2 := run(), run()
	l := &Linking{From: r2, To: r1, Method: "stocking-lord", A: 1.1, B: -0.2, SEA: 0.05, SEB: math.NaN(),
		Options: map[string]any{"symmetry": "both"}, Items: []LinkItem{{"IT001", true}, {"IT002", false}}}
	id, err := b.SaveLinking(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.Linking(ctx, id)
	if err != nil || got.A != 1.1 || got.SEA != 0.05 || !math.IsNaN(got.SEB) || got.Options["symmetry"] != "both" || len(got.Items) != 2 || got.Items[1].Used {
		t.Errorf("linking: %v %+v", err, got)
	}
	if _, err := b.SaveLinking(ctx, &Linking{From: r2, To: r1, Method: "guess"}); err == nil {
		t.Error("an unknown method was stored")
	}
	if _, err := b.SaveLinking(ctx, &Linking{From: r2, To: r1, Method: "haebara", Items: []LinkItem{{"IT001", true}, {"NOPE", true}}}); err == nil {
		t.Error("a linking naming an unknown item was stored")
	}
	if ls, _ := b.Linkings(ctx); len(ls) != 1 {
		t.Errorf("%d linkings stored, want 1 (failed saves leave nothing)", len(ls))
	}
	s := &ScaleDef{Name: "passport", Slope: 550.0 / 6, Intercept: 575, Min: 300, Max: 850, Definition: map[string]any{"points": "-3,300,3,850"}}
	if _, err := b.SaveScale(ctx, s); err != nil {
		t.Fatal(err)
	}
	if _, err := b.SaveScale(ctx, &ScaleDef{Name: "passport", Slope: 1, Max: 1}); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("redefining a scale: %v", err)
	}
	sc, err := b.Scale(ctx, "passport")
	if err != nil || sc.Intercept != 575 || sc.Definition["points"] != "-3,300,3,850" {
		t.Errorf("scale: %v %+v", err, sc)
	}
	tab := &ConversionTable{Form: "F1", Run: r1, Scale: "passport", Options: map[string]any{"method": "tcc"},
		Rows: []ConversionRow{{0, -2, 0.8, math.NaN(), 300, 20}, {1, 0, 0.7, 0.1, 585, 40}, {2, 2, 0.8, math.NaN(), 850, 30}}}
	tid, err := b.SaveConversionTable(ctx, tab)
	if err != nil {
		t.Fatal(err)
	}
	back, err := b.ConversionTableByID(ctx, tid)
	if err != nil || len(back.Rows) != 3 || back.Rows[1] != tab.Rows[1] || !math.IsNaN(back.Rows[0].ThetaTCC) || back.Form != "F1" || back.Scale != "passport" {
		t.Errorf("table: %v %+v", err, back)
	}
	if _, err := b.SaveConversionTable(ctx, &ConversionTable{Form: "F9", Run: r1, Scale: "passport"}); err == nil {
		t.Error("a table for an unknown form was stored")
	}
	if list, _ := b.ConversionTables(ctx); len(list) != 1 || list[0].Rows != nil {
		t.Errorf("tables: %+v", list)
	}
}

func TestEquatingStorage(t *testing.T) {
	ctx := context.Background()
	b := withItems(t, 4)
	log := longHeader + "E1,F1,IT001,B\nE1,F1,IT002,A\nE2,F2,IT003,B\nE2,F2,IT004,A\n"
	if _, err := b.ImportLong(ctx, "log.csv", strings.NewReader(log), ResponseOptions{}); err != nil {
		t.Fatal(err)
	}
	run, err := b.SaveCalibration(ctx, &Calibration{Model: "2pl", D: 1, Source: "em", Params: []ParamRow{{Item: "IT001", A: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	e := &Equating{Run: run, FromForm: "F1", ToForm: "F2", Options: map[string]any{"population_mean": 0.0},
		Rows: []EquatingRow{{0, 0, -0.2}, {1, 1.1, 1.05}, {2, 2, 2.3}}}
	id, err := b.SaveEquating(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.EquatingByID(ctx, id)
	if err != nil || got.FromForm != "F1" || got.ToForm != "F2" || len(got.Rows) != 3 || got.Rows[1] != e.Rows[1] || got.Options["population_mean"] != 0.0 {
		t.Errorf("equating: %v %+v", err, got)
	}
	if _, err := b.SaveEquating(ctx, &Equating{Run: run, FromForm: "F1", ToForm: "F9"}); err == nil {
		t.Error("an equating to an unknown form was stored")
	}
	if list, _ := b.Equatings(ctx); len(list) != 1 || list[0].Rows != nil {
		t.Errorf("list: %+v", list)
	}
	if _, err := b.EquatingByID(ctx, 99); err == nil {
		t.Error("a missing equating was found")
	}
}
