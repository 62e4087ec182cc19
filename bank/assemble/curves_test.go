package assemble

import (
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
