package dif

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/passportirt/passport/calibrate"
	"github.com/passportirt/passport/irt"
)

// simulated is a response matrix with known DIF: 2PL items, the focal
// group's difficulty of the items dif shifted by shift, the focal group's
// abilities drawn from N(impact, 1) and the reference group's from
// N(0, 1). With forms > 1 the items are split into that many forms of
// equal length, each examinee taking one.
func simulated(seed uint64, nItems, perGroup, forms int, dif []int, shift, impact float64) (*irt.Responses, []Group) {
	rng := rand.New(rand.NewPCG(seed, 1))
	items := make([]irt.ThreePL, nItems)
	r := &irt.Responses{Start: []int{0}}
	for i := range items {
		items[i] = irt.ThreePL{A: 0.8 + rng.Float64(), B: rng.NormFloat64() * 0.8, D: 1}
		r.Items = append(r.Items, irt.ItemInfo{Code: fmt.Sprintf("I%02d", i+1), Domain: "stdlib", NOptions: 4})
	}
	focalItems := slices.Clone(items)
	for _, i := range dif {
		focalItems[i].B += shift
	}
	for f := range forms {
		r.Forms = append(r.Forms, fmt.Sprintf("F%d", f+1))
	}
	per := nItems / forms
	var groups []Group
	for _, g := range []Group{Reference, Focal} {
		params, mu := items, 0.0
		if g == Focal {
			params, mu = focalItems, impact
		}
		for p := range perGroup {
			f := p % forms
			u := irt.Simulate(nil, rng, params[f*per:(f+1)*per], irt.DrawTheta(rng, mu, 1))
			for j, x := range u {
				r.Item = append(r.Item, int32(f*per+j))
				r.Score = append(r.Score, uint8(x))
			}
			r.Start = append(r.Start, len(r.Item))
			r.Form = append(r.Form, int32(f))
			groups = append(groups, g)
		}
	}
	return r, groups
}

// flaggedItems lists the indexes of the items flagged by one method.
func flaggedItems[T any](rows []T, dif func(T) bool) []int {
	var out []int
	for i, r := range rows {
		if dif(r) {
			out = append(out, i)
		}
	}
	return out
}

// TestAnalyzeFindsSimulatedDIF: two items of 30 harder by 0.6 for the
// focal group, which is also 0.5 SD less able (impact, not DIF): MH and
// logistic regression, with purification, flag the two, and no more than
// chance elsewhere (over five replications, at most 3 false flags of 140
// null tests per method at a 5 % false discovery rate).
func TestAnalyzeFindsSimulatedDIF(t *testing.T) {
	dif := []int{4, 17}
	falseMH, falseLR := 0, 0
	for rep := range 5 {
		r, groups := simulated(uint64(rep+1), 30, 1500, 1, dif, 0.6, -0.5)
		res, err := Analyze(r, groups, Options{MH: true, LR: true, Purify: true})
		if err != nil {
			t.Fatal(err)
		}
		mh := flaggedItems(res.MH, func(m MHItem) bool { return m.DIF })
		lr := flaggedItems(res.LR, func(m LRItem) bool { return m.DIF })
		for _, i := range dif {
			if !slices.Contains(mh, i) {
				t.Errorf("replication %d: MH misses item %d: %+v", rep, i, res.MH[i])
			}
			if !slices.Contains(lr, i) {
				t.Errorf("replication %d: LR misses item %d: %+v", rep, i, res.LR[i])
			}
			if m := res.MH[i]; m.Delta >= 0 || m.Class[len(m.Class)-1] != '-' {
				t.Errorf("replication %d: item %d harder for the focal group has Δ = %g, class %s; want negative", rep, i, m.Delta, m.Class)
			}
		}
		falseMH += len(mh) - 2
		falseLR += len(lr) - 2
		if len(res.Matching) != 28 || res.Rounds == 0 {
			t.Errorf("replication %d: matching on %d items after %d rounds, want the 28 without DIF", rep, len(res.Matching), res.Rounds)
		}
		if rep == 0 {
			for _, i := range dif {
				t.Logf("item %d: Δ_MH %.3f (%s), LR χ² %.1f ΔR² %.4f (%s)", i, res.MH[i].Delta, res.MH[i].Class, res.LR[i].ChiSq, res.LR[i].DR2, res.LR[i].Class)
			}
		}
	}
	t.Logf("false flags over 5 × 28 null items: MH %d, LR %d", falseMH, falseLR)
	if falseMH > 3 || falseLR > 3 {
		t.Errorf("false flags: MH %d, LR %d of 140; want at most 3 each", falseMH, falseLR)
	}
}

// TestAnalyzeWithinForm: three forms of 10 items each, examinees matched
// only within their form; the DIF items are found on their forms.
func TestAnalyzeWithinForm(t *testing.T) {
	r, groups := simulated(9, 30, 3000, 3, []int{2, 25}, 0.8, 0)
	res, err := Analyze(r, groups, Options{MH: true, LR: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{2, 25} {
		if !res.MH[i].DIF || !res.LR[i].DIF {
			t.Errorf("item %d not flagged: MH %+v, LR %+v", i, res.MH[i], res.LR[i])
		}
	}
	if h := res.MH[0].ItemHead; h.NRef != 1000 || h.NFocal != 1000 {
		t.Errorf("item 1 answered by %d + %d examinees, want 1000 + 1000 (one form of three)", h.NRef, h.NFocal)
	}
}

// TestAnalyzeLord: Lord's χ² on the groups' own calibrations, linked
// with impact, finds the two items and puts their difference near the
// shift.
func TestAnalyzeLord(t *testing.T) {
	dif := []int{3, 11}
	r, groups := simulated(5, 20, 1500, 1, dif, 0.6, -0.5)
	res, err := Analyze(r, groups, Options{Lord: true, Purify: true, Calibration: calibrate.Options{Model: irt.Model2PL}})
	if err != nil {
		t.Fatal(err)
	}
	l := res.Lord
	got := flaggedItems(l.Items, func(m LordItem) bool { return m.DIF })
	if !slices.Equal(got, dif) {
		t.Errorf("Lord flags %v, want %v", got, dif)
	}
	for _, i := range dif {
		if d := l.Items[i].Diff; math.Abs(d-0.6) > 0.25 {
			t.Errorf("item %d: b_F − b_R = %.3f, want about 0.6", i, d)
		}
	}
	// The focal group is 0.5 SD less able: on the reference scale its
	// mean is about −0.5, so the linking's B is about −0.5 and A about 1.
	if math.Abs(l.Link.B+0.5) > 0.15 || math.Abs(l.Link.A-1) > 0.15 {
		t.Errorf("link A = %.3f, B = %.3f; want about 1 and −0.5", l.Link.A, l.Link.B)
	}
	// Relinked without the items the first linking flagged: the two, and
	// perhaps a false flag that the better linking clears.
	if !l.Relinked || len(l.Anchors) < 16 || slices.Contains(l.Anchors, "I04") || slices.Contains(l.Anchors, "I12") {
		t.Errorf("relinked %v on anchors %v; want the items without DIF", l.Relinked, l.Anchors)
	}
	if res.MH != nil || res.LR != nil {
		t.Error("MH or LR run though only Lord was asked for")
	}
}

// TestAnalyzeGuards: an item too few of a group answered is not tested,
// and says why; the others are.
func TestAnalyzeGuards(t *testing.T) {
	r, groups := simulated(3, 10, 300, 1, nil, 0, 0)
	// Drop item 0's responses of all but 50 focal examinees.
	keep := &irt.Responses{Items: r.Items, Forms: r.Forms, Start: []int{0}}
	seen := 0
	for p := range r.NExaminees() {
		for k := r.Start[p]; k < r.Start[p+1]; k++ {
			if r.Item[k] == 0 && groups[p] == Focal {
				if seen++; seen > 50 {
					continue
				}
			}
			keep.Item = append(keep.Item, r.Item[k])
			keep.Score = append(keep.Score, r.Score[k])
		}
		keep.Start = append(keep.Start, len(keep.Item))
	}
	keep.Form = r.Form
	res, err := Analyze(keep, groups, Options{MinGroup: 100})
	if err != nil {
		t.Fatal(err)
	}
	if m := res.MH[0]; !math.IsNaN(m.PAdj) || m.Note == "" || m.DIF {
		t.Errorf("item 0 with 50 focal examinees tested: %+v", m)
	}
	if l := res.LR[0]; !math.IsNaN(l.PAdj) || l.Note == "" {
		t.Errorf("item 0 with 50 focal examinees tested by LR: %+v", l)
	}
	if m := res.MH[1]; math.IsNaN(m.PAdj) || m.Note != "" {
		t.Errorf("item 1 not tested: %+v", m)
	}
	if _, err := Analyze(r, make([]Group, r.NExaminees()), Options{}); err == nil {
		t.Error("no examinee in a group: no error")
	}
}

func TestGroups(t *testing.T) {
	values := map[string]string{"E1": "north", "E2": "south", "E3": "west", "E4": "north"}
	ex := []string{"E1", "E2", "E3", "E4", "E5"}
	got, err := Groups(ex, values, "north", "")
	if err != nil {
		t.Fatal(err)
	}
	if want := []Group{Focal, Reference, Reference, Focal, Outside}; !slices.Equal(got, want) {
		t.Errorf("reference = the others: %v, want %v", got, want)
	}
	got, _ = Groups(ex, values, "north", "south")
	if want := []Group{Focal, Reference, Outside, Focal, Outside}; !slices.Equal(got, want) {
		t.Errorf("reference = south: %v, want %v", got, want)
	}
	if _, err := Groups(ex, values, "east", ""); err == nil || !strings.Contains(err.Error(), "north, south, west") {
		t.Errorf("unknown focal value: %v", err)
	}
	if _, err := Groups(ex, values, "north", "north"); err == nil {
		t.Error("focal = reference accepted")
	}
}

// BenchmarkAnalyze: MH and logistic regression of 50 items, 5000
// examinees, without purification.
func BenchmarkAnalyze(b *testing.B) {
	r, groups := simulated(1, 50, 2500, 1, []int{3}, 0.5, 0)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Analyze(r, groups, Options{MH: true, LR: true}); err != nil {
			b.Fatal(err)
		}
	}
}
