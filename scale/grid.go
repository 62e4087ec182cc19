package scale

import (
	"fmt"

	"github.com/passportirt/passport/irt"
)

// Weights names how a characteristic-curve criterion weights its θ points.
type Weights string

// The weightings of a criterion's θ grid.
const (
	Uniform      Weights = "uniform"       // equally spaced points, equal weights
	Normal       Weights = "normal"        // equally spaced points, N(μ, σ²) density weights
	GaussHermite Weights = "gauss-hermite" // Gauss–Hermite nodes and weights for N(μ, σ²)
	Posterior    Weights = "posterior"     // a group's estimated distribution, given by the caller
)

// Grid builds a criterion's θ grid: n points, equally spaced on [lo, hi]
// for Uniform and Normal (Gauss–Hermite places its own), weights summing
// to 1. μ, σ are the group's mean and SD for Normal and GaussHermite.
// Posterior weights come from data: see the caller.
func Grid(w Weights, n int, lo, hi, mu, sigma float64) (irt.Quadrature, error) {
	if n < 2 {
		return irt.Quadrature{}, fmt.Errorf("%d grid points: expected at least 2", n)
	}
	switch w {
	case Uniform:
		if !(hi > lo) {
			return irt.Quadrature{}, fmt.Errorf("grid [%g, %g]: expected min < max", lo, hi)
		}
		q := irt.Quadrature{Nodes: make([]float64, n), Weights: make([]float64, n)}
		for i := range n {
			q.Nodes[i] = lo + (hi-lo)*float64(i)/float64(n-1)
			q.Weights[i] = 1 / float64(n)
		}
		return q, nil
	case Normal:
		if !(hi > lo) {
			return irt.Quadrature{}, fmt.Errorf("grid [%g, %g]: expected min < max", lo, hi)
		}
		q := irt.NormalGrid(n, lo, hi)
		q.SetNormalWeights(mu, sigma)
		return q, nil
	case GaussHermite:
		return irt.GaussHermite(n).Rescale(mu, sigma), nil
	case Posterior:
		return irt.Quadrature{}, fmt.Errorf("posterior weights come from the groups' data, not from a formula")
	}
	return irt.Quadrature{}, fmt.Errorf("weights %q: expected uniform, normal, gauss-hermite or posterior", w)
}
