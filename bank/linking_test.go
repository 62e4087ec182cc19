package bank

import (
	"context"
	"math"
	"reflect"
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
		Options: LinkingOptions{Symmetry: "both", Seed: 1<<63 + 1, Drift: map[string]ItemDrift{"IT002": {DiffB: 0.9, Flag: true}}},
		Items:   []LinkItem{{"IT001", true}, {"IT002", false}}}
	id, err := b.SaveLinking(ctx, l)
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.Linking(ctx, id)
	if err != nil || got.A != 1.1 || got.SEA != 0.05 || !math.IsNaN(got.SEB) || !reflect.DeepEqual(got.Options, l.Options) || len(got.Items) != 2 || got.Items[1].Used {
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
	s := &ScaleDef{Name: "wide", Slope: 550.0 / 8, Intercept: 575, Min: 300, Max: 850, Definition: ScaleDefinition{Points: []float64{-4, 300, 4, 850}}}
	if _, err := b.SaveScale(ctx, s); err != nil {
		t.Fatal(err)
	}
	if _, err := b.SaveScale(ctx, &ScaleDef{Name: "wide", Slope: 1, Max: 1}); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("redefining a scale: %v", err)
	}
	sc, err := b.Scale(ctx, "wide")
	if err != nil || sc.Slope != 550.0/8 || sc.Intercept != 575 || !reflect.DeepEqual(sc.Definition, s.Definition) {
		t.Errorf("scale: %v %+v", err, sc)
	}
	tab := &ConversionTable{Form: "F1", Run: r1, Scale: "wide", Options: TableOptions{Method: "tcc", PopulationSD: 1, Items: 2, ThetaTCC: "TCC^-1(x) inside (sum of c, n)"},
		Rows: []ConversionRow{{0, -2, 0.8, math.NaN(), 300, 20}, {1, 0, 0.7, 0.1, 585, 40}, {2, 2, 0.8, math.NaN(), 850, 30}}}
	tid, err := b.SaveConversionTable(ctx, tab)
	if err != nil {
		t.Fatal(err)
	}
	back, err := b.ConversionTableByID(ctx, tid)
	if err != nil || len(back.Rows) != 3 || back.Rows[1] != tab.Rows[1] || !math.IsNaN(back.Rows[0].ThetaTCC) || back.Form != "F1" || back.Scale != "wide" || back.Options != tab.Options {
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
	e := &Equating{Run: run, FromForm: "F1", ToForm: "F2", Options: EquatingOptions{PopulationMean: 0.25, PopulationSD: 1, ThetaRange: []float64{-6, 6}},
		Rows: []EquatingRow{{0, 0, -0.2}, {1, 1.1, 1.05}, {2, 2, 2.3}}}
	id, err := b.SaveEquating(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.EquatingByID(ctx, id)
	if err != nil || got.FromForm != "F1" || got.ToForm != "F2" || len(got.Rows) != 3 || got.Rows[1] != e.Rows[1] || !reflect.DeepEqual(got.Options, e.Options) {
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

// TestOptionsWrittenAsMaps: the options of linkings, scales, tables and
// equatings that passport wrote as untyped maps (before they were typed)
// read back into the typed records; the JSON below is what it wrote.
func TestOptionsWrittenAsMaps(t *testing.T) {
	ctx := context.Background()
	b := withItems(t, 4)
	if _, err := b.ImportLong(ctx, "log.csv", strings.NewReader(longHeader+"E1,F1,IT001,B\nE1,F1,IT002,A\nE2,F2,IT003,B\n"), ResponseOptions{}); err != nil {
		t.Fatal(err)
	}
	run, err := b.SaveCalibration(ctx, &Calibration{Model: "2pl", D: 1, Source: "em", Params: []ParamRow{{Item: "IT001", A: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	set := func(table, column, value string, id int64) {
		t.Helper()
		if _, err := b.db.ExecContext(ctx, `UPDATE `+table+` SET `+column+` = ? WHERE id = ?`, value, id); err != nil {
			t.Fatal(err)
		}
	}
	lid, err := b.SaveLinking(ctx, &Linking{From: run, To: run, Method: "stocking-lord", A: 1, SEA: math.NaN(), SEB: math.NaN()})
	if err != nil {
		t.Fatal(err)
	}
	set("linkings", "options", `{"D":1.7,"bootstrap":200,"drift":{"IT001":{"diff_b":-0.0123,"flag":false,"ratio_a":1.04,"z_b":-0.5,"z_log_a":0.25},`+
		`"IT002":{"diff_b":0.81,"flag":true,"ratio_a":0.97,"z_b":2.9,"z_log_a":-0.1}},"drift_threshold":1.645,"drop_drift":true,`+
		`"exclude":["IT003"],"grid_max":4,"grid_min":-4,"grid_points":41,"seed":1,"symmetry":"old","weights":"normal"}`, lid)
	l, err := b.Linking(ctx, lid)
	want := LinkingOptions{D: 1.7, Exclude: []string{"IT003"}, GridPoints: 41, GridMin: -4, GridMax: 4, Weights: "normal", Symmetry: "old",
		Bootstrap: 200, Seed: 1, DriftThreshold: 1.645, DropDrift: true, Drift: map[string]ItemDrift{
			"IT001": {DiffB: -0.0123, RatioA: 1.04, ZB: -0.5, ZLogA: 0.25},
			"IT002": {DiffB: 0.81, RatioA: 0.97, ZB: 2.9, ZLogA: -0.1, Flag: true}}}
	if err != nil || !reflect.DeepEqual(l.Options, want) {
		t.Errorf("linking options: %v\n%+v\nwant %+v", err, l.Options, want)
	}
	set("linkings", "options", `{"D":1,"bootstrap":0,"drift":{},"drift_threshold":1.645,"drop_drift":false,"exclude":null,"grid_max":4,"grid_min":-4,"grid_points":41,"seed":1,"symmetry":"old","weights":"normal"}`, lid)
	if l, err = b.Linking(ctx, lid); err != nil || l.Options.Exclude != nil || len(l.Options.Drift) != 0 || l.Options.GridPoints != 41 {
		t.Errorf("linking without exclusions: %v %+v", err, l.Options)
	}
	for _, tc := range []struct {
		name, def string
		want      ScaleDefinition
	}{
		{"points", `{"points":[-3,300,3,850]}`, ScaleDefinition{Points: []float64{-3, 300, 3, 850}}},
		{"moments", `{"moments":[0.1,1.2,500,100]}`, ScaleDefinition{Moments: []float64{0.1, 1.2, 500, 100}}},
	} {
		s := &ScaleDef{Name: tc.name, Slope: 1, Max: 1}
		if _, err := b.SaveScale(ctx, s); err != nil {
			t.Fatal(err)
		}
		set("scales", "definition", tc.def, s.ID)
		if got, err := b.Scale(ctx, tc.name); err != nil || !reflect.DeepEqual(got.Definition, tc.want) {
			t.Errorf("scale definition %s: %v %+v", tc.def, err, got)
		}
	}
	tid, err := b.SaveConversionTable(ctx, &ConversionTable{Form: "F1", Run: run, Scale: "passport"})
	if err != nil {
		t.Fatal(err)
	}
	set("conversion_tables", "options", `{"csem":"scale-score SD of the Lord-Wingersky raw-score distribution at the raw score's θ","highest":850,`+
		`"items":50,"lowest":300,"method":"tcc","population_mean":0.1,"population_sd":1.2,"sum_c":9.5}`, tid)
	tab, err := b.ConversionTableByID(ctx, tid)
	wantTab := TableOptions{Method: "tcc", PopulationMean: 0.1, PopulationSD: 1.2, SumC: 9.5, Lowest: 300, Highest: 850, Items: 50,
		CSEM: "scale-score SD of the Lord-Wingersky raw-score distribution at the raw score's θ"}
	if err != nil || tab.Options != wantTab {
		t.Errorf("table options: %v %+v", err, tab.Options)
	}
	eid, err := b.SaveEquating(ctx, &Equating{Run: run, FromForm: "F1", ToForm: "F2"})
	if err != nil {
		t.Fatal(err)
	}
	set("equatings", "options", `{"observed_score_policy":"equipercentile with uniform continuisation; results in [-0.5, n+0.5]",`+
		`"population_mean":0.1,"population_sd":1.2,"theta_range":[-6,6],"true_score_policy":"x <= sum of c: x*sum(c_Y)/sum(c_X); top score to top"}`, eid)
	e, err := b.EquatingByID(ctx, eid)
	wantEq := EquatingOptions{PopulationMean: 0.1, PopulationSD: 1.2, ThetaRange: []float64{-6, 6},
		TrueScorePolicy:     "x <= sum of c: x*sum(c_Y)/sum(c_X); top score to top",
		ObservedScorePolicy: "equipercentile with uniform continuisation; results in [-0.5, n+0.5]"}
	if err != nil || !reflect.DeepEqual(e.Options, wantEq) {
		t.Errorf("equating options: %v %+v", err, e.Options)
	}
}
