package calibrate

import (
	"slices"
	"testing"

	"github.com/passportirt/passport/irt"
)

// TestRunLeavesGridAlone: Run reads the caller's grid and never writes it,
// also when it estimates the latent distribution on the grid's nodes.
func TestRunLeavesGridAlone(t *testing.T) {
	s := simulateSparse(3, 20, 2, 12, 400, false)
	g := irt.NormalGrid(31, -5, 5)
	nodes, weights := slices.Clone(g.Nodes), slices.Clone(g.Weights)
	res, err := Run(s.data(), Options{Model: irt.Model2PL, Grid: g, Fixed: map[int]irt.ThreePL{0: s.truth[0]}, MaxCycles: 6})
	if err != nil {
		t.Fatal(err)
	}
	if res.LatentMean == 0 || res.LatentSD == 1 {
		t.Fatalf("latent N(%g, %g²): not estimated", res.LatentMean, res.LatentSD)
	}
	if !slices.Equal(g.Nodes, nodes) || !slices.Equal(g.Weights, weights) {
		t.Error("Run changed the caller's grid")
	}
}
