package scale

import (
	"slices"

	"github.com/passportirt/passport/irt"
)

// Population is the examinee population that conversion tables and
// observed-score equating integrate over: θ ~ N(Mean, SD²), on the nodes
// of Grid.
type Population struct {
	Mean, SD float64        // default 0, 1 (SD 0 means N(0, 1))
	Grid     irt.Quadrature // nodes; default irt.DefaultGrid()
}

// Quadrature returns the population as a grid the caller owns: Grid's
// nodes weighted by the N(Mean, SD²) density, normalised to sum to 1.
// p.Grid is not changed.
func (p Population) Quadrature() irt.Quadrature {
	if p.SD == 0 {
		p.Mean, p.SD = 0, 1
	}
	q := irt.DefaultGrid()
	if len(p.Grid.Nodes) > 0 {
		q = irt.Quadrature{Nodes: slices.Clone(p.Grid.Nodes), Weights: make([]float64, len(p.Grid.Nodes))}
	}
	q.SetNormalWeights(p.Mean, p.SD)
	return q
}

// thetaRange is the interval a TCC is inverted on: [lo, hi], or [−6, 6]
// when both are 0.
func thetaRange(lo, hi float64) (float64, float64) {
	if lo == 0 && hi == 0 {
		return -6, 6
	}
	return lo, hi
}
