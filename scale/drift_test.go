package scale

import (
	"math"
	"testing"

	"github.com/passportirt/passport/irt"
)

// simpsonD2 integrates (P_base(θ) − P_new(θ))² against the N(μ, σ²)
// density by Simpson's rule on μ ± 10σ with n (even) intervals: an
// integration written independently of CurveD2 and of the quadrature code.
func simpsonD2(base, nw irt.ThreePL, mu, sigma float64, n int) float64 {
	lo, hi := mu-10*sigma, mu+10*sigma
	h := (hi - lo) / float64(n)
	f := func(x float64) float64 {
		p1 := base.C + (1-base.C)/(1+math.Exp(-base.D*base.A*(x-base.B)))
		p2 := nw.C + (1-nw.C)/(1+math.Exp(-nw.D*nw.A*(x-nw.B)))
		z := (x - mu) / sigma
		return (p1 - p2) * (p1 - p2) * math.Exp(-z*z/2) / (sigma * math.Sqrt(2*math.Pi))
	}
	sum := f(lo) + f(hi)
	for i := 1; i < n; i++ {
		w := 2.0
		if i%2 == 1 {
			w = 4
		}
		sum += w * f(lo+float64(i)*h)
	}
	return sum * h / 3
}

func TestCurveD2(t *testing.T) {
	ln3 := math.Log(3)
	std := irt.ThreePL{A: 1, B: 0, D: 1}
	// Hand-computed on one or two nodes (a = 1, D = 1: P(θ) = 1/(1 + e^(b−θ))).
	hand := []struct {
		name     string
		base, nw irt.ThreePL
		q        irt.Quadrature
		want     float64
	}{
		// P_base(0) = 1/2, P_new(0) = 1/(1 + 3) = 1/4: (1/4)² = 0.0625.
		{"one node", std, irt.ThreePL{A: 1, B: ln3, D: 1}, irt.Quadrature{Nodes: []float64{0}, Weights: []float64{1}}, 0.0625},
		// At θ = 0 both 1/2; at θ = ln 3, 3/4 against 1/(1 + 1/9) = 0.9:
		// (1·0 + 3·0.15²)/(1 + 3) = 0.016875 (weights normalised).
		{"two nodes, weights 1 and 3", std, irt.ThreePL{A: 2, B: 0, D: 1}, irt.Quadrature{Nodes: []float64{0, ln3}, Weights: []float64{1, 3}}, 0.016875},
		{"the same item", std, std, irt.DefaultGrid(), 0},
	}
	for _, c := range hand {
		if got := CurveD2(c.base, c.nw, c.q); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("%s: D² = %.17g, want %g", c.name, got, c.want)
		}
	}
	// Against Simpson's rule on the ability distribution, with CurveD2 on
	// a run's default grid (61 nodes on [−6, 6]) weighted by the base
	// group's N(μ, σ²), as passport drift uses it.
	numeric := []struct {
		name      string
		base, nw  irt.ThreePL
		mu, sigma float64
	}{
		{"2PL, b moved by 0.5", irt.ThreePL{A: 1.2, B: 0, D: 1}, irt.ThreePL{A: 1.2, B: 0.5, D: 1}, 0, 1},
		{"2PL, a from 1 to 1.6", irt.ThreePL{A: 1, B: 0.3, D: 1}, irt.ThreePL{A: 1.6, B: 0.3, D: 1}, 0, 1},
		{"3PL against 2PL, D = 1.702", irt.ThreePL{A: 0.9, B: -0.4, C: 0.2, D: 1.702}, irt.ThreePL{A: 1.1, B: -0.2, D: 1.702}, 0, 1},
		{"2PL, b by −1, base N(0.5, 1.2²)", irt.ThreePL{A: 1.3, B: 1, D: 1}, irt.ThreePL{A: 1.3, B: 0, D: 1}, 0.5, 1.2},
		{"tiny drift", irt.ThreePL{A: 1, B: 0, D: 1}, irt.ThreePL{A: 1, B: 0.01, D: 1}, 0, 1},
	}
	for _, c := range numeric {
		q := Population{Mean: c.mu, SD: c.sigma, Grid: irt.DefaultGrid()}.Quadrature()
		got, want := CurveD2(c.base, c.nw, q), simpsonD2(c.base, c.nw, c.mu, c.sigma, 20000)
		if math.Abs(got-want) > 1e-4*want {
			t.Errorf("%s: D² = %.8g, Simpson %.8g (relative error %.1e)", c.name, got, want, math.Abs(got-want)/want)
		}
	}
}

func TestScreen(t *testing.T) {
	// Ten items whose new estimates differ from the base by small b
	// errors, and one (item 9) made easier by 1.
	errs := []float64{-0.08, 0.05, 0.02, -0.03, 0.07, -0.01, 0.04, -0.06, 0.00, -1.00}
	items := make([]CommonItem, len(errs))
	for i, e := range errs {
		base := irt.ThreePL{A: 0.8 + 0.1*float64(i), B: -1.5 + 0.3*float64(i), C: 0.15, D: 1}
		nw := base
		nw.B += e
		items[i] = CommonItem{New: nw, Base: base}
	}
	q := Population{}.Quadrature()
	got := Screen(items, q, ScreenOptions{ZThreshold: DefaultZThreshold, D2Threshold: DefaultD2Threshold})
	drift := DriftCheck(items, Identity, DefaultZThreshold)
	for i, s := range got {
		if s.Drift != drift[i] {
			t.Errorf("item %d: robust z %+v, DriftCheck %+v", i, s.Drift, drift[i])
		}
		if want := CurveD2(items[i].Base, items[i].New, q); s.D2 != want {
			t.Errorf("item %d: D² %g, CurveD2 %g", i, s.D2, want)
		}
		if s.Flag != (i == 9) || s.FlagD2 != (i == 9) {
			t.Errorf("item %d (b error %g): flags z %v (z %.2f), D² %v (D² %.5f); want only item 9 flagged", i, errs[i], s.Flag, s.ZB, s.FlagD2, s.D2)
		}
	}
	// The D² threshold is a bound on D², not on √D².
	if s := Screen(items, q, ScreenOptions{ZThreshold: 100, D2Threshold: got[9].D2}); s[9].FlagD2 || s[9].Flag {
		t.Error("an item at the thresholds was flagged")
	}
	if s := Screen(items, q, ScreenOptions{ZThreshold: 100, D2Threshold: got[9].D2 * (1 - 1e-9)}); !s[9].FlagD2 {
		t.Error("an item just above the D² threshold was not flagged")
	}
}

func TestPlacements(t *testing.T) {
	// Run 1 is a root; 2 is linked onto 1 by (1.2, 0.3); 3 is a linked
	// copy on 2's scale; 4 onto 3 by (0.5, −1); 5 is another root, 6 on
	// 5; 7 and 8 link onto each other.
	p := Placements{
		2: {Parent: 1, T: Transform{A: 1.2, B: 0.3}},
		3: {Parent: 2, T: Identity},
		4: {Parent: 3, T: Transform{A: 0.5, B: -1}},
		6: {Parent: 5, T: Transform{A: 2, B: 0}},
		7: {Parent: 8, T: Identity},
		8: {Parent: 7, T: Identity},
	}
	// θ on run 4's scale → run 3's: 0.5θ − 1 → run 1's: 1.2(0.5θ − 1) + 0.3.
	cases := []struct {
		run, base int64
		ok        bool
		want      Transform
	}{
		{1, 1, true, Identity},
		{2, 1, true, Transform{A: 1.2, B: 0.3}},
		{3, 1, true, Transform{A: 1.2, B: 0.3}},
		{4, 1, true, Transform{A: 0.6, B: -0.9}},
		{4, 2, true, Transform{A: 0.5, B: -1}},
		// From the base's scale to a run linked onto it: the inverse.
		{1, 2, true, Transform{A: 1 / 1.2, B: -0.3 / 1.2}},
		// Siblings through their common root: 4 → 1, then 1 → 3.
		{4, 3, true, Transform{A: 0.5, B: -1}},
		{6, 1, false, Transform{}},
		{1, 5, false, Transform{}},
		{6, 5, true, Transform{A: 2, B: 0}},
	}
	for _, c := range cases {
		got, ok, err := p.ToBase(c.run, c.base)
		if err != nil || ok != c.ok || math.Abs(got.A-c.want.A) > 1e-12 || math.Abs(got.B-c.want.B) > 1e-12 {
			t.Errorf("run %d onto run %d: %+v, %v, %v; want %+v, %v", c.run, c.base, got, ok, err, c.want, c.ok)
		}
	}
	if root, tr, err := p.Root(4); root != 1 || err != nil || math.Abs(tr.A-0.6) > 1e-12 {
		t.Errorf("root of run 4: %d %+v %v", root, tr, err)
	}
	if _, _, err := p.ToBase(7, 1); err == nil {
		t.Error("a cycle of linkings was followed")
	}
	// Then composes in order: the item moved by t then u is the item moved by t.Then(u).
	t1, t2 := Transform{A: 1.3, B: -0.2}, Transform{A: 0.7, B: 0.9}
	it := irt.ThreePL{A: 1.1, B: 0.4, C: 0.2, D: 1}
	a, b := t2.Item(t1.Item(it)), t1.Then(t2).Item(it)
	if math.Abs(a.A-b.A) > 1e-12 || math.Abs(a.B-b.B) > 1e-12 {
		t.Errorf("Then: %+v against %+v", b, a)
	}
}
