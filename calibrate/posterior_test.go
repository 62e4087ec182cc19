package calibrate

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/stat"

	"github.com/passportirt/passport/irt"
)

// TestPosterior: the estimated distribution of a group drawn from
// N(0.5, 1.2²) has the mean and SD of the group's true abilities (within
// 0.03; the measurement error of 40 items leaves about 0.01), sums to 1,
// and leaves the caller's grid as it was.
func TestPosterior(t *testing.T) {
	s := simulateSparse(7, 60, 3, 40, 1500, false)
	// Shift the group: θ → 0.5 + 1.2θ is the same as moving the items.
	items := make([]irt.ThreePL, len(s.truth))
	for i, p := range s.truth {
		items[i] = irt.ThreePL{A: p.A / 1.2, B: 0.5 + 1.2*p.B, D: 1}
	}
	theta := make([]float64, len(s.thetas))
	for p, x := range s.thetas {
		theta[p] = 0.5 + 1.2*x
	}
	mean, sd := stat.PopMeanStdDev(theta, nil)
	g := irt.DefaultGrid()
	weights := slices.Clone(g.Weights)
	w, err := Posterior(s.data(), items, g)
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, x := range w {
		sum += x
	}
	m, v := stat.PopMeanStdDev(g.Nodes, w)
	if math.Abs(sum-1) > 1e-12 || math.Abs(m-mean) > 0.03 || math.Abs(v-sd) > 0.03 {
		t.Errorf("posterior: sum %g, mean %.4f, SD %.4f; the group's %.4f, %.4f", sum, m, v, mean, sd)
	}
	if !slices.Equal(g.Weights, weights) {
		t.Error("Posterior changed the caller's grid")
	}
}
