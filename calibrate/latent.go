package calibrate

import "math"

// The latent distribution is N(0, 1) on the grid, with the grid's own
// weights, unless it is estimated (with anchors, or Options.EstimateLatent):
// then it is N(μ, σ²) on the same nodes, and each M-step sets μ and σ to the
// mean and SD of the expected examinee counts at the nodes, the maximum of
// the expected complete-data log-likelihood over a normal latent
// distribution (Mislevy 1984, Psychometrika 49, 359–381).

// latentWeights sets the log quadrature weights: the grid's own weights for
// N(0, 1), or normal-density weights for N(μ, σ²) on the same nodes.
func (e *engine) latentWeights() {
	g := e.o.Grid
	if !e.latent || (e.mu == 0 && e.sd == 1) {
		for q, w := range g.Weights {
			e.logPrior[q] = math.Log(w)
		}
		return
	}
	var sum float64
	for q, th := range g.Nodes {
		z := (th - e.mu) / e.sd
		e.logPrior[q] = -z * z / 2
		sum += math.Exp(e.logPrior[q])
	}
	ls := math.Log(sum)
	for q := range e.logPrior {
		e.logPrior[q] -= ls
	}
}

// latentMoments returns the mean and SD of the distribution with mass
// n[q] at nodes[q].
func latentMoments(nodes, n []float64) (mu, sd float64) {
	var total, m, v float64
	for q, w := range n {
		total += w
		m += w * nodes[q]
	}
	m /= total
	for q, w := range n {
		v += w * (nodes[q] - m) * (nodes[q] - m)
	}
	return m, math.Sqrt(v / total)
}
