package bank

import (
	"context"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/passportirt/passport/irt"
)

func TestResponseMatrix(t *testing.T) {
	ctx := context.Background()
	b := withItems(t, 8)
	// IT001 key B, IT002 key C, IT003 key D.
	log := longHeader + "E1,F1,IT001,B\nE1,F1,IT002,-\nE2,F1,IT001,A\nE2,F1,IT003,D\nE3,F2,IT005,B\n"
	if _, err := b.ImportLong(ctx, "log.csv", strings.NewReader(log), ResponseOptions{}); err != nil {
		t.Fatal(err)
	}
	m, err := b.ResponseMatrix(ctx, MatrixFilter{Items: []string{"IT001", "IT002", "IT003"}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(m.Codes(), ",") != "IT001,IT002,IT003" || strings.Join(m.Examinees, ",") != "E1,E2" {
		t.Fatalf("columns %v rows %v", m.Items, m.Examinees)
	}
	want := []struct {
		item  int32
		score uint8
	}{{0, 1}, {1, 0}, {0, 0}, {2, 1}}
	if len(m.Item) != len(want) || m.Start[1] != 2 || m.Omitted != 1 || len(m.Imports) != 1 {
		t.Fatalf("matrix %+v", m)
	}
	for k, w := range want {
		if m.Item[k] != w.item || m.Score[k] != w.score {
			t.Errorf("response %d: item %d score %d, want %d %d", k, m.Item[k], m.Score[k], w.item, w.score)
		}
	}
	m, err = b.ResponseMatrix(ctx, MatrixFilter{Items: []string{"IT001", "IT002"}, OmitAsMissing: true})
	if err != nil || len(m.Item) != 2 || m.Omitted != 1 {
		t.Errorf("omits as missing: %v %+v", err, m)
	}
	if _, err := b.ResponseMatrix(ctx, MatrixFilter{Items: []string{"NOPE"}}); err == nil {
		t.Error("an unknown item was accepted")
	}
	if _, err := b.ResponseMatrix(ctx, MatrixFilter{Statuses: []string{"live"}}); err == nil {
		t.Error("an unknown status was accepted")
	}
}

func TestCalibrationRoundTrip(t *testing.T) {
	ctx := context.Background()
	b := withItems(t, 4)
	nan := math.NaN()
	c := &Calibration{Name: "r", Model: "3pl", D: 1.702, Source: "em", LogLik: -123.5, Cycles: 7, Converged: true,
		NExaminees: 10, NResponses: 40, LatentMean: 0.25, LatentSD: 1.1, Settings: RunSettings{Tol: 1e-4, OmitAsMissing: true, GridSpec: irt.GridSpec{Points: 41, Min: -5, Max: 5}, Priors: irt.Priors{LogASD: 0.5, CAuto: true}},
		Params: []ParamRow{
			{Item: "IT001", Model: "3pl", A: 1.2, B: -0.5, C: 0.2, SEA: 0.1, SEB: 0.05, SEC: 0.02, N: 10},
			{Item: "IT002", Model: "3pl", A: 0.8, B: 0.5, C: 0.1, SEA: nan, SEB: nan, SEC: nan},
		},
		Fixed: []string{"IT002"},
	}
	id, err := b.SaveCalibration(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.Calibration(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "r" || got.D != 1.702 || got.LogLik != -123.5 || !got.Converged || got.LatentSD != 1.1 || !reflect.DeepEqual(got.Settings, c.Settings) {
		t.Errorf("run %+v", got)
	}
	if len(got.Params) != 2 || got.Params[0] != c.Params[0] || !math.IsNaN(got.Params[1].SEA) || got.Params[1].N != 0 {
		t.Errorf("params %+v", got.Params)
	}
	if len(got.Fixed) != 1 || got.Fixed[0] != "IT002" {
		t.Errorf("fixed %v", got.Fixed)
	}
	list, err := b.Calibrations(ctx)
	if err != nil || len(list) != 1 || list[0].Params != nil {
		t.Errorf("list: %v %+v", err, list)
	}
	if _, err := b.Calibration(ctx, 99); err == nil {
		t.Error("a missing run was found")
	}
	// A parameter row naming no item fails the whole save.
	bad := &Calibration{Model: "2pl", D: 1, Source: "em", Params: []ParamRow{{Item: "IT001", A: 1}, {Item: "ZZZ", A: 1}}}
	if _, err := b.SaveCalibration(ctx, bad); err == nil || !strings.Contains(err.Error(), "ZZZ") {
		t.Errorf("saving a run with an unknown item: %v", err)
	}
	if list, _ := b.Calibrations(ctx); len(list) != 1 {
		t.Errorf("a failed save left %d runs", len(list))
	}
}

func TestImportCalibrationAndScores(t *testing.T) {
	ctx := context.Background()
	b := withItems(t, 4)
	params := "item,model,a,b,c\nIT001,3pl,1.1,0.2,0.15\nIT002,3pl,0.9,-1,0.2\n"
	id, err := b.ImportCalibration(ctx, "p.csv", strings.NewReader(params), "3pl", 1.7, "legacy")
	if err != nil {
		t.Fatal(err)
	}
	c, err := b.Calibration(ctx, id)
	if err != nil || c.Source != "import" || c.D != 1.7 || len(c.Params) != 2 || !math.IsNaN(c.LogLik) {
		t.Fatalf("%v %+v", err, c)
	}
	// A Rasch row may leave a out (it is 1).
	if _, err := b.ImportCalibration(ctx, "r.csv", strings.NewReader("item,b\nIT001,0.5\n"), "rasch", 1, ""); err != nil {
		t.Errorf("a Rasch table without slopes: %v", err)
	}
	for _, tc := range []struct{ data, model, msg string }{
		{"item,a,b\nIT001,1,0\n\"IT\n9\",1,0\n", "2pl", "p.csv:3: column item"},
		{"item,model,a,b\nIT001,2pl,1,0\n", "3pl", "differs from the run's 3pl"},
		{"item,a,b,c\nIT001,1,0,1.5\n", "3pl", "outside [0, 1)"},
		{"item,a,b\nIT001,-1,0\n", "2pl", "column a: the slope is missing or outside (0, 100]"},
		{"item,a,b\nIT001,1e308,0\n", "2pl", "column a: the slope is missing or outside (0, 100]"},
		{"item,a,b\nIT001,1,-1000\n", "2pl", "column b: the difficulty is missing or outside"},
		{"item,a,b,se_a\nIT001,1,0,-0.1\n", "2pl", "column se: a standard error is negative"},
		{"item,a,b,n\nIT001,1,0,-7.5\n", "2pl", "column n: \"-7.5\" is not a count"},
		{"item,a,b,n\nIT001,1,0,7.5\n", "2pl", "column n: \"7.5\" is not a count"},
		{"item,a,b\nIT001,1.3,0\n", "rasch", "a Rasch item has slope 1, not 1.3"},
		{"item,a,b,c\nIT001,1,0,0.2\n", "2pl", "a 2pl item has no lower asymptote"},
		{"item,a,b\nIT001,1.2,0\nIT002,1.3,0\n", "1pl", "1PL items share one slope: 1.3 here, 1.2 above"},
		{"item,a,b\nIT001,1,NaN\n", "2pl", "column b: \"NaN\" is not a number"},
		{"item,a,b\nIT001,Inf,0\n", "2pl", "column a: \"Inf\" is not a number"},
	} {
		if _, err := b.ImportCalibration(ctx, "p.csv", strings.NewReader(tc.data), tc.model, 1, ""); err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%q: %v, want %q", tc.data, err, tc.msg)
		}
	}
	log := longHeader + "E1,F1,IT001,B\n"
	if _, err := b.ImportLong(ctx, "log.csv", strings.NewReader(log), ResponseOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := b.SaveScores(ctx, id, "eap", []Score{{Examinee: "E1", NItems: 1, Raw: 1, Theta: 0.4, SE: 0.9}}); err != nil {
		t.Fatal(err)
	}
	// Scoring again replaces, and an unknown examinee fails the whole save.
	if err := b.SaveScores(ctx, id, "eap", []Score{{Examinee: "E1", Theta: math.Inf(1), SE: math.Inf(1)}}); err != nil {
		t.Fatal(err)
	}
	if err := b.SaveScores(ctx, id, "eap", []Score{{Examinee: "E1"}, {Examinee: "E9"}}); err == nil {
		t.Error("an unknown examinee was accepted")
	}
	var n int
	var theta *float64
	b.db.QueryRow(`SELECT COUNT(*), MAX(theta) FROM scores`).Scan(&n, &theta)
	if n != 1 || theta != nil {
		t.Errorf("%d score rows, theta %v; want one, NULL for an infinite estimate", n, theta)
	}
	if err := b.SaveScores(ctx, id, "median", nil); err == nil {
		t.Error("an unknown method was accepted")
	}
}

// TestRunSettingsMigration opens a bank whose runs were stored before the
// settings were typed (schema 4: priors with Go field names, a linked run's
// linking at the top level) and reads them back typed.
func TestRunSettingsMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	b, err := open(path, true, 4, nil)
	if err != nil {
		t.Fatal(err)
	}
	old := []struct{ source, options string }{
		{"em", `{"quad_points":41,"quad_min":-5,"quad_max":5,"tol":0.001,"max_cycles":500,"omit_as_missing":true,` +
			`"priors":{"LogAMean":0,"LogASD":0.5,"BMean":0,"BSD":0,"CAlpha":0,"CBeta":0,"CAuto":true},"anchor_run":0,"anchors":null}`},
		{"linked", `{"linking":3,"method":"sl","A":1.1,"B":-0.2,"from_run":1,"to_run":2}`},
	}
	for _, o := range old {
		if _, err := b.db.Exec(`INSERT INTO calibrations (name, model, d, source, options, latent_mean, latent_sd, created_at)
			VALUES ('', '2pl', 1, ?, ?, 0, 1, 'x')`, o.source, o.options); err != nil {
			t.Fatal(err)
		}
	}
	b.Close()
	if b, err = Open(path); err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	em, err := b.Calibration(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := RunSettings{GridSpec: irt.GridSpec{Points: 41, Min: -5, Max: 5}, Tol: 0.001, MaxCycles: 500, OmitAsMissing: true,
		Priors: irt.Priors{LogASD: 0.5, CAuto: true}}
	if !reflect.DeepEqual(em.Settings, want) {
		t.Errorf("migrated settings %+v, want %+v", em.Settings, want)
	}
	if g := em.Grid(); len(g.Nodes) != 41 || g.Nodes[0] != -5 {
		t.Errorf("the run's grid has %d nodes from %g; want 41 from -5", len(g.Nodes), g.Nodes[0])
	}
	linked, err := b.Calibration(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if l := linked.Settings.Linked; l == nil || *l != (LinkedFrom{Linking: 3, Method: "sl", A: 1.1, B: -0.2, FromRun: 1, ToRun: 2}) {
		t.Errorf("migrated linking %+v", l)
	}
}

// TestSaveCalibrationRefusesNaN: a run whose numbers are not finite is not
// stored, with a message naming the item, and the bank is unchanged.
func TestSaveCalibrationRefusesNaN(t *testing.T) {
	ctx := context.Background()
	b := withItems(t, 2)
	for _, c := range []*Calibration{
		{Model: "2pl", D: 1, LatentSD: 1, Params: []ParamRow{{Item: "IT001", Model: "2pl", A: math.NaN(), B: 0}}},
		{Model: "2pl", D: 1, LatentSD: 1, Params: []ParamRow{{Item: "IT001", Model: "2pl", A: 1, B: math.Inf(1)}}},
		{Model: "2pl", D: 1, LatentSD: math.NaN()},
		{Model: "3pl", D: 1, LatentSD: 1, Settings: RunSettings{LogPrior: math.Inf(-1)}},
	} {
		if _, err := b.SaveCalibration(ctx, c); err == nil || !strings.Contains(err.Error(), "run not stored") {
			t.Errorf("%+v: %v", c, err)
		}
	}
	if runs, err := b.Calibrations(ctx); err != nil || len(runs) != 0 {
		t.Errorf("%d runs stored (%v)", len(runs), err)
	}
}

// TestResponseMatrixAgainstRows checks ResponseMatrix and AnalysisData
// against a reading of the responses table row by row in the test, over
// random logs in three imports on two forms whose examinees overlap, with
// omitted responses, for filters of imports, items, form and omit
// treatment.
func TestResponseMatrixAgainstRows(t *testing.T) {
	ctx := context.Background()
	b := withItems(t, 12)
	rng := rand.New(rand.NewPCG(3, 4))
	for imp := range 3 {
		var log strings.Builder
		log.WriteString(longHeader)
		for e := range 30 {
			for i := 1; i <= 12; i++ {
				if rng.IntN(3) == 0 {
					continue
				}
				opt := string(rune('A' + rng.IntN(4)))
				if rng.IntN(8) == 0 {
					opt = "-"
				}
				// Examinee e's items of import imp: i ≡ imp (mod 3), so the
				// imports overlap in examinees but never in responses.
				if i%3 == imp {
					fmt.Fprintf(&log, "E%02d,F%d,IT%03d,%s\n", e, 1+imp%2, i, opt)
				}
			}
		}
		if _, err := b.ImportLong(ctx, fmt.Sprintf("log%d.csv", imp), strings.NewReader(log.String()), ResponseOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// Examinees of a fourth import answer with scores only (option NULL,
	// read as irt.ScoreOnly), some of them on no form (form NULL).
	var log strings.Builder
	log.WriteString("examinee,form,item,score\n")
	for e := 30; e < 40; e++ {
		for i := 1; i <= 12; i += 1 + rng.IntN(3) {
			form := ""
			if e%2 == 0 {
				form = "F2"
			}
			fmt.Fprintf(&log, "E%02d,%s,IT%03d,%d\n", e, form, i, rng.IntN(2))
		}
	}
	if _, err := b.ImportLong(ctx, "scores.csv", strings.NewReader(log.String()), ResponseOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []MatrixFilter{
		{}, {OmitAsMissing: true}, {Imports: []int64{4}}, {Imports: []int64{2}}, {Imports: []int64{1, 3}, OmitAsMissing: true},
		{Items: []string{"IT002", "IT003", "IT007"}}, {Items: []string{"IT003", "IT006"}, Imports: []int64{1, 2}},
	} {
		got, err := b.ResponseMatrix(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		want := bruteMatrix(t, b, f)
		if !reflect.DeepEqual(got.Examinees, want.Examinees) || !reflect.DeepEqual(got.Start, want.Start) ||
			!reflect.DeepEqual(got.Item, want.Item) || !reflect.DeepEqual(got.Score, want.Score) ||
			got.Omitted != want.Omitted || !reflect.DeepEqual(got.Imports, want.Imports) {
			t.Errorf("%+v:\n got %v %v %v %v omitted %d imports %v\nwant %v %v %v %v omitted %d imports %v", f,
				got.Examinees, got.Start, got.Item, got.Score, got.Omitted, got.Imports,
				want.Examinees, want.Start, want.Item, want.Score, want.Omitted, want.Imports)
		}
	}
	for _, f := range []AnalysisFilter{{}, {Imports: []int64{1, 3}}, {Imports: []int64{4}}, {Form: "F2"}, {Items: []string{"IT003", "IT006"}, Imports: []int64{1, 2}}} {
		got, err := b.AnalysisData(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		want := bruteAnalysis(t, b, f)
		if !reflect.DeepEqual(got.Codes(), want.Codes()) || !reflect.DeepEqual(got.Examinees, want.Examinees) ||
			!reflect.DeepEqual(got.Start, want.Start) || !reflect.DeepEqual(got.Item, want.Item) ||
			!reflect.DeepEqual(got.Score, want.Score) || !reflect.DeepEqual(got.Option, want.Option) ||
			!reflect.DeepEqual(got.Forms, want.Forms) || !reflect.DeepEqual(got.Form, want.Form) {
			t.Errorf("%+v:\n got %v %v %v %v %v %v %v %v\nwant %v %v %v %v %v %v %v %v", f,
				got.Codes(), got.Examinees, got.Start, got.Item, got.Score, got.Option, got.Forms, got.Form,
				want.Codes(), want.Examinees, want.Start, want.Item, want.Score, want.Option, want.Forms, want.Form)
		}
	}
}

// bruteAnalysis reads the responses of f one table row at a time: each
// examinee's form is the first form given on its responses, by item.
func bruteAnalysis(t *testing.T, b *Bank, f AnalysisFilter) *irt.Responses {
	rows, err := b.db.Query(`SELECT e.code, i.code, r.score, COALESCE(r.option, -1), COALESCE(fm.code, ''), r.import_id FROM responses r
		JOIN examinees e ON e.id = r.examinee_id JOIN items i ON i.id = r.item_id LEFT JOIN forms fm ON fm.id = r.form_id
		ORDER BY r.examinee_id, r.item_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	type resp struct {
		exam, item, form string
		score            uint8
		option           int8
	}
	var kept []resp
	answered := map[string]bool{}
	for rows.Next() {
		var r resp
		var imp int64
		if err := rows.Scan(&r.exam, &r.item, &r.score, &r.option, &r.form, &imp); err != nil {
			t.Fatal(err)
		}
		if (f.Items != nil && !slices.Contains(f.Items, r.item)) || (f.Imports != nil && !slices.Contains(f.Imports, imp)) || (f.Form != "" && r.form != f.Form) {
			continue
		}
		kept = append(kept, r)
		answered[r.item] = true
	}
	m := &irt.Responses{Start: []int{0}}
	codes := slices.Sorted(maps.Keys(answered))
	for _, c := range codes {
		m.Items = append(m.Items, irt.ItemInfo{Code: c})
	}
	formIndex := map[string]int32{}
	for k, r := range kept {
		if k == 0 || r.exam != kept[k-1].exam {
			m.Examinees = append(m.Examinees, r.exam)
			form := ""
			for _, s := range kept[k:] {
				if s.exam != r.exam {
					break
				}
				if form == "" {
					form = s.form
				}
			}
			fi, ok := formIndex[form]
			if !ok {
				fi = int32(len(m.Forms))
				formIndex[form] = fi
				m.Forms = append(m.Forms, form)
			}
			m.Form = append(m.Form, fi)
		}
		m.Item = append(m.Item, int32(slices.Index(codes, r.item)))
		m.Score, m.Option = append(m.Score, r.score), append(m.Option, r.option)
		if k+1 == len(kept) || kept[k+1].exam != r.exam {
			m.Start = append(m.Start, len(m.Item))
		}
	}
	return m
}

// bruteMatrix reads the responses of f one table row at a time, columns as
// ResponseMatrix has them.
func bruteMatrix(t *testing.T, b *Bank, f MatrixFilter) *irt.Responses {
	cols, err := b.ResponseMatrix(context.Background(), MatrixFilter{Items: f.Items})
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int32{}
	for c, code := range cols.Codes() {
		col[code] = int32(c)
	}
	rows, err := b.db.Query(`SELECT e.code, i.code, r.score, r.option IS 0, r.import_id FROM responses r
		JOIN examinees e ON e.id = r.examinee_id JOIN items i ON i.id = r.item_id ORDER BY r.examinee_id, r.item_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	m := &irt.Responses{Start: []int{0}}
	used := map[int64]bool{}
	last := ""
	for rows.Next() {
		var exam, item string
		var score uint8
		var omitted bool
		var imp int64
		if err := rows.Scan(&exam, &item, &score, &omitted, &imp); err != nil {
			t.Fatal(err)
		}
		c, ok := col[item]
		if !ok || (f.Imports != nil && !slices.Contains(f.Imports, imp)) {
			continue
		}
		if omitted {
			m.Omitted++
			if f.OmitAsMissing {
				continue
			}
		}
		if exam != last {
			if last != "" {
				m.Start = append(m.Start, len(m.Item))
			}
			m.Examinees, last = append(m.Examinees, exam), exam
		}
		m.Item, m.Score = append(m.Item, c), append(m.Score, score)
		used[imp] = true
	}
	if last != "" {
		m.Start = append(m.Start, len(m.Item))
	}
	for id := range used {
		m.Imports = append(m.Imports, id)
	}
	slices.Sort(m.Imports)
	return m
}
