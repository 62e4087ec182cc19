package reports

import (
	"math"
	"slices"
	"testing"

	"github.com/passportirt/passport/irt"
	"gonum.org/v1/gonum/stat"
)

// TestAnalyzeByHand: four examinees, three items keyed A, a Guttman
// pattern (totals 3, 2, 1, 0). By hand, with population variances:
//
//	p = 3/4, 1/2, 1/4; Σ s_i² = 3/16 + 1/4 + 3/16 = 5/8; s_X² = 5/4
//	α = 3/2·(1 − (5/8)/(5/4)) = 3/4
//	item 1 with the total (3, 2, 1, 0): cov 3/8 → r = (3/8)/√(3/16·5/4) = √0.6
//	item 1 with the rest (2, 1, 0, 0): cov 3/16, s² 11/16 → r = √(3/11)
//	α without item 1: 2·(1 − (7/16)/(11/16)) = 8/11
func TestAnalyzeByHand(t *testing.T) {
	scores := [][]uint8{{1, 1, 1}, {1, 1, 0}, {1, 0, 0}, {0, 0, 0}}
	r := &irt.Responses{Forms: []string{"F1"}, Start: []int{0}}
	for j := range 3 {
		r.Items = append(r.Items, irt.ItemInfo{Code: string(rune('1' + j)), Domain: "idioms", Key: 1, NOptions: 3})
	}
	for _, row := range scores {
		for j, s := range row {
			r.Item = append(r.Item, int32(j))
			r.Score = append(r.Score, s)
			r.Option = append(r.Option, int8(2-s)) // A when right, B when wrong
		}
		r.Form = append(r.Form, 0)
		r.Start = append(r.Start, len(r.Item))
	}
	a, err := Analyze(r, AnalysisOptions{Groups: 2})
	if err != nil {
		t.Fatal(err)
	}
	it := a.Items[0]
	for _, c := range []struct {
		name      string
		got, want Num
	}{
		{"p-value", it.PValue, 0.75},
		{"point-biserial", it.PointBiserial, Num(math.Sqrt(0.6))},
		{"item–rest", it.ItemRest, Num(math.Sqrt(3.0 / 11))},
		{"alpha if deleted", it.AlphaIfDeleted, 8.0 / 11},
		{"alpha", a.Forms[0].Alpha, 0.75},
		{"mean", a.Forms[0].Mean, 1.5},
		{"SD", a.Forms[0].SD, Num(math.Sqrt(5.0 / 3))}, // Σ(X − 1.5)² = 5 over n − 1 = 3
		{"SEM", a.Forms[0].SEM, Num(math.Sqrt(5.0/3) * 0.5)},
		// Option A of item 1 is its score; B its complement, so −r.
		{"key's point-biserial", a.Distractors[0].PointBiserial, Num(math.Sqrt(3.0 / 11))},
		{"distractor's point-biserial", a.Distractors[1].PointBiserial, Num(-math.Sqrt(3.0 / 11))},
		// Two groups by total: {0, 1} and {2, 3}: item 1's key is chosen by
		// one of the lower two and both of the upper.
		{"key share, lower group", a.Distractors[0].ByGroup[0], 0.5},
		{"key share, upper group", a.Distractors[0].ByGroup[1], 1},
	} {
		if math.Abs(float64(c.got-c.want)) > 1e-12 {
			t.Errorf("%s = %.12f, by hand %.12f", c.name, c.got, c.want)
		}
	}
	if len(a.Distractors) != 3*4 || a.Distractors[3].Option != "omit" || a.Distractors[2].N != 0 {
		t.Errorf("distractor rows: %+v", a.Distractors[:4])
	}
	if len(it.Flags) != 0 || len(a.Items[1].Flags) != 0 {
		t.Errorf("flags %v, %v", it.Flags, a.Items[1].Flags)
	}
}

// TestAnalyzeSAT12 analyses the TESTFACT SAT12 options with the published
// key and checks the statistics against independent computations on the
// dense 600 × 32 score matrix with gonum's stat package.
func TestAnalyzeSAT12(t *testing.T) {
	r := sat12(t)
	a, err := Analyze(r, AnalysisOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n, k := r.NExaminees(), len(r.Items)
	cols := make([][]float64, k)
	total := make([]float64, n)
	for j := range cols {
		cols[j] = make([]float64, n)
	}
	for p := range n {
		for c := r.Start[p]; c < r.Start[p+1]; c++ {
			cols[r.Item[c]][p] = float64(r.Score[c])
			total[p] += float64(r.Score[c])
		}
	}
	var sumVar float64
	for j := range cols {
		sumVar += stat.Variance(cols[j], nil)
	}
	alpha := float64(k) / float64(k-1) * (1 - sumVar/stat.Variance(total, nil))
	if got := a.Forms[0].Alpha; math.Abs(float64(got)-alpha) > 1e-12 || a.Forms[0].Complete != 600 {
		t.Errorf("alpha %.12f over %d, gonum %.12f", got, a.Forms[0].Complete, alpha)
	}
	rest := make([]float64, n)
	for j, it := range a.Items {
		for p := range n {
			rest[p] = total[p] - cols[j][p]
		}
		if d := math.Abs(float64(it.PointBiserial) - stat.Correlation(cols[j], total, nil)); d > 1e-12 {
			t.Errorf("%s: point-biserial off by %g", it.Item, d)
		}
		if d := math.Abs(float64(it.ItemRest) - stat.Correlation(cols[j], rest, nil)); d > 1e-12 {
			t.Errorf("%s: item–rest correlation off by %g", it.Item, d)
		}
		if d := math.Abs(float64(it.PValue) - stat.Mean(cols[j], nil)); d > 1e-15 {
			t.Errorf("%s: p-value off by %g", it.Item, d)
		}
	}

	// The distractor table: 32 items × (5 options + omits), shares adding
	// to 1, and the key's row agreeing with the item's statistics.
	if len(a.Distractors) != 32*6 {
		t.Fatalf("%d distractor rows, want 192", len(a.Distractors))
	}
	for j := range 32 {
		rows := a.Distractors[6*j : 6*j+6]
		var share Num
		for _, o := range rows {
			share += o.Share
			if len(o.ByGroup) != 5 {
				t.Errorf("%s %s: %d groups", o.Item, o.Option, len(o.ByGroup))
			}
		}
		key := rows[sat12Key[j]-1]
		if math.Abs(float64(share)-1) > 1e-12 || !key.Key || key.PointBiserial != a.Items[j].ItemRest || key.Share != a.Items[j].PValue {
			t.Errorf("item %d: shares add to %v; key row %+v", j+1, share, key)
		}
	}

	// What the flags say about SAT12 (the evidence is in the closing note
	// of issue 6): item 32's keyed E (16 % chose it, point-biserial with the
	// rest 0.037) is outdone by C (44 %, 0.203): a probable miskey.
	flagged := map[string]Flags{}
	for _, it := range a.Items {
		if len(it.Flags) > 0 {
			flagged[it.Item] = it.Flags
		}
	}
	want := map[string]Flags{
		"Item.6":  {FlagHard},             // p = 0.160
		"Item.11": {FlagEasy},             // p = 0.983
		"Item.17": {FlagEasy},             // p = 0.963
		"Item.21": {FlagEasy},             // p = 0.915
		"Item.22": {FlagEasy},             // p = 0.935
		"Item.32": {FlagHard, FlagMiskey}, // p = 0.162
	}
	if len(flagged) != len(want) {
		t.Errorf("flagged %v, want %v", flagged, want)
	}
	for item, w := range want {
		if got := flagged[item]; !slices.Equal(got, w) {
			t.Errorf("%s flagged %v, want %v", item, got, w)
		}
	}
	c, e := a.Distractors[6*31+2], a.Distractors[6*31+4]
	if c.Option != "C" || e.Option != "E" || !e.Key || math.Abs(float64(c.PointBiserial)-0.2026) > 5e-5 || math.Abs(float64(e.PointBiserial)-0.0371) > 5e-5 {
		t.Errorf("item 32: C %+v, E %+v", c, e)
	}
}

// TestPooledWithinForm: a form whose examinees all gain the same points
// from extra items leaves the pooled within-form correlations unchanged —
// the between-form difference in totals is no evidence about an item —
// while the two forms together, copies of SAT12, give the one-form values.
func TestPooledWithinForm(t *testing.T) {
	one, err := Analyze(sat12(t), AnalysisOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r := sat12(t)
	n := r.NExaminees()
	two := &irt.Responses{Items: r.Items, Forms: []string{"F1", "F2"}, Start: []int{0}}
	for i := range 5 {
		two.Items = append(two.Items, irt.ItemInfo{Code: "EXTRA" + string(rune('1'+i)), Domain: "stdlib", Key: 1, NOptions: 2})
	}
	for copyNo := range 2 {
		for p := range n {
			for k := r.Start[p]; k < r.Start[p+1]; k++ {
				two.Item = append(two.Item, r.Item[k])
				two.Option = append(two.Option, r.Option[k])
				two.Score = append(two.Score, r.Score[k])
			}
			if copyNo == 1 {
				for i := range 5 {
					two.Item = append(two.Item, int32(32+i))
					two.Option = append(two.Option, 1)
					two.Score = append(two.Score, 1)
				}
			}
			two.Form = append(two.Form, int32(copyNo))
			two.Start = append(two.Start, len(two.Item))
		}
	}
	a, err := Analyze(two, AnalysisOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for j, it := range one.Items {
		got := a.Items[j]
		if math.Abs(float64(got.PointBiserial-it.PointBiserial)) > 1e-12 || math.Abs(float64(got.ItemRest-it.ItemRest)) > 1e-12 ||
			got.Forms != 2 || got.N != 2*n {
			t.Errorf("%s on two forms: pbis %v r_it %v (%d forms, n %d); on one: %v %v", it.Item, got.PointBiserial, got.ItemRest, got.Forms, got.N, it.PointBiserial, it.ItemRest)
		}
	}
	if a.Forms[0].Alpha != one.Forms[0].Alpha || a.Forms[1].Items != 37 || a.Forms[1].Mean != one.Forms[0].Mean+5 {
		t.Errorf("forms %+v", a.Forms)
	}
	// The constant items have no correlation and no distractor variance.
	if x := a.Items[32]; x.PointBiserial.Defined() || x.PValue != 1 || len(x.Flags) != 1 || x.Flags[0] != FlagEasy {
		t.Errorf("a constant item: %+v", x)
	}
}

// TestAbilityGroups: mid-rank groups keep ties together.
func TestAbilityGroups(t *testing.T) {
	r := &irt.Responses{Items: make([]irt.ItemInfo, 4), Forms: []string{"A", "B"}, Form: []int32{0, 0, 0, 0, 0, 1, 1}}
	tot := []int{0, 1, 1, 1, 4, 2, 0}
	// Form A: score 0 has mid-rank 0.5/5 → group ⌊3·0.1⌋ = 0; score 1,
	// (1 + 1.5)/5 = 0.5 → 1; score 4, 4.5/5 = 0.9 → 2. Form B: 0 → 0.25 → 0,
	// 2 → 0.75 → 2.
	got := abilityGroups(r, tot, 3)
	want := []int{0, 1, 1, 1, 2, 2, 0}
	for p := range want {
		if got[p] != want[p] {
			t.Fatalf("groups %v, want %v", got, want)
		}
	}
}
