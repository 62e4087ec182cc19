package calibrate

import (
	"math"
	"testing"

	"github.com/passportirt/passport/irt"
)

// TestPosterior: the summed posteriors of a large N(0.5, 1.2²) group on the
// grid have that mean and SD (within 0.03), and sum to 1.
func TestPosterior(t *testing.T) {
	s := simulateSparse(6, 60, 3, 40, 6000, false)
	// Shift the group: θ → 0.5 + 1.2θ is the same as moving the items.
	items := make([]irt.ThreePL, len(s.truth))
	for i, p := range s.truth {
		items[i] = irt.ThreePL{A: p.A / 1.2, B: 0.5 + 1.2*p.B, D: 1}
	}
	g := irt.DefaultGrid()
	w, err := Posterior(s.data(), items, g)
	if err != nil {
		t.Fatal(err)
	}
	var sum, m, v float64
	for k, x := range w {
		sum += x
		m += x * g.Nodes[k]
	}
	for k, x := range w {
		v += x * (g.Nodes[k] - m) * (g.Nodes[k] - m)
	}
	if math.Abs(sum-1) > 1e-12 || math.Abs(m-0.5) > 0.03 || math.Abs(math.Sqrt(v)-1.2) > 0.03 {
		t.Errorf("posterior: sum %g, mean %.4f, SD %.4f; want 1, 0.5, 1.2", sum, m, math.Sqrt(v))
	}
}
