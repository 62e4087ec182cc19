package assemble

import (
	"maps"
	"math"
	"testing"

	"github.com/passportirt/passport/irt"
)

// TestCurves: information and TCC are the items' sums (by hand), SE is
// 1/√I, identical forms differ by nothing, and the differences from the
// mean cancel.
func TestCurves(t *testing.T) {
	a := []irt.ThreePL{{A: 1, B: 0, C: 0.2, D: 1}, {A: 1.5, B: 1, C: 0, D: 1}}
	b := []irt.ThreePL{{A: 0.8, B: -1, C: 0.1, D: 1}, {A: 1.2, B: 0.5, C: 0.25, D: 1}}
	cs := Curves([][]irt.ThreePL{a, a, b}, []float64{-1, 0.5})
	if len(cs) != 6 {
		t.Fatalf("%d curves, want 3 forms × 2 θ", len(cs))
	}
	for k, c := range cs {
		items := [][]irt.ThreePL{a, a, b}[c.Form]
		info := items[0].Info(c.Theta) + items[1].Info(c.Theta)
		tcc := items[0].Prob(c.Theta) + items[1].Prob(c.Theta)
		if math.Abs(c.Info-info) > 1e-14 || math.Abs(c.TCC-tcc) > 1e-14 || math.Abs(c.SE-1/math.Sqrt(info)) > 1e-14 {
			t.Errorf("curve %d: %+v; by hand info %g TCC %g", k, c, info, tcc)
		}
	}
	for k := 0; k < 6; k += 3 {
		if cs[k].TCCDiff != cs[k+1].TCCDiff || math.Abs(cs[k].TCCDiff+cs[k+1].TCCDiff+cs[k+2].TCCDiff) > 1e-14 {
			t.Errorf("θ = %g: differences %g %g %g", cs[k].Theta, cs[k].TCCDiff, cs[k+1].TCCDiff, cs[k+2].TCCDiff)
		}
	}
}

// TestTCCDifference: for one-item forms b = 0 and b = 1 (a = 1, c = 0,
// D = 1), T_0(θ) − T_1(θ) = σ(θ) − σ(θ − 1) peaks at θ = ½, by symmetry,
// at 2σ(½) − 1 = tanh(¼); θ = ½ is on the grid of 121 points on [−3, 3].
func TestTCCDifference(t *testing.T) {
	easy, hard := []irt.ThreePL{{A: 1, B: 0, D: 1}}, []irt.ThreePL{{A: 1, B: 1, D: 1}}
	got := TCCDifference([][]irt.ThreePL{hard, easy}, -3, 3, 121)
	if math.Abs(got.Points-math.Tanh(0.25)) > 1e-15 || math.Abs(got.Theta-0.5) > 1e-15 || got.Higher != 1 || got.Lower != 0 {
		t.Errorf("%+v, want %.15f points at θ = 0.5, form 1 above form 0", got, math.Tanh(0.25))
	}
	if one := TCCDifference([][]irt.ThreePL{easy}, -3, 3, 121); one != (TCCGap{}) {
		t.Errorf("one form: %+v, want none", one)
	}
}

// TestDescribe: the summaries count by hand, the curves are at the
// objective's default θ points, and the gap is TCCDifference's on [−3, 3].
func TestDescribe(t *testing.T) {
	a := []Item{
		{Code: "S1", Domain: "semantics", Seconds: 30, Params: irt.ThreePL{A: 1, B: -1, D: 1}},
		{Code: "I1", Domain: "idioms", Seconds: 60, Params: irt.ThreePL{A: 1, B: 0.5, D: 1}},
		{Code: "I2", Domain: "idioms", Seconds: 45, Params: irt.ThreePL{A: 1, B: 1.1, D: 1}},
	}
	b := []Item{a[0], {Code: "P1", Domain: "performance", Params: irt.ThreePL{A: 2, B: 0, D: 1}}}
	r := Describe(Blueprint{Anchors: []string{"S1"}}, [][]Item{a, b})
	want := []FormSummary{
		{Items: 3, Anchors: 1, Domains: map[string]int{"semantics": 1, "idioms": 2}, Minutes: 135.0 / 60, MeanB: 0.2},
		{Items: 2, Anchors: 1, Domains: map[string]int{"semantics": 1, "performance": 1}, Minutes: 0.5, MeanB: -0.5},
	}
	for f, s := range r.Forms {
		w := want[f]
		if s.Items != w.Items || s.Anchors != w.Anchors || !maps.Equal(s.Domains, w.Domains) || math.Abs(s.Minutes-w.Minutes) > 1e-15 ||
			math.Abs(s.MeanB-w.MeanB) > 1e-15 {
			t.Errorf("form %d: %+v, want %+v", f, s, w)
		}
	}
	if len(r.Curves) != 6 || r.Curves[0].Theta != -1 || r.Curves[5].Theta != 1 {
		t.Errorf("curves %+v, want 2 forms at θ = −1, 0, 1", r.Curves)
	}
	params := [][]irt.ThreePL{{a[0].Params, a[1].Params, a[2].Params}, {b[0].Params, b[1].Params}}
	if g := TCCDifference(params, -3, 3, 121); r.TCCGap != g || g.Points == 0 {
		t.Errorf("gap %+v, want %+v", r.TCCGap, g)
	}
}
