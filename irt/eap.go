package irt

import "math"

// EAP returns the expected a posteriori estimate of θ from the response
// pattern resp, with the quadrature q as the prior (Bock & Mislevy 1982):
//
//	θ̂ = Σ_k θ_k·L(θ_k)·w_k / Σ_k L(θ_k)·w_k,
//
// where θ_k, w_k are q's nodes and weights and L is the likelihood of resp.
// SE is the posterior standard deviation computed the same way. The weights
// need only be proportional to the prior. A pattern with no item answered
// returns the mean and SD of q.
//
// EAP does not allocate. To score many patterns on one test, tabulate it
// once with NewTrace and use Trace.EAP, which needs no exponentials.
func EAP(items []ThreePL, resp []int8, q Quadrature) Estimate {
	checkPattern(items, resp)
	return posteriorMoments(q.Nodes, func(k int) float64 {
		return LogLik(items, resp, q.Nodes[k]) + math.Log(q.Weights[k])
	})
}

// posteriorMoments returns the mean and SD of the distribution on nodes
// whose mass at node k is proportional to exp(logMass(k)).
func posteriorMoments(nodes []float64, logMass func(k int) float64) Estimate {
	// Posterior masses are exp(ln L + ln w − top), top the largest
	// exponent so far; the sums are rescaled when it grows.
	top := math.Inf(-1)
	var s0, s1, s2 float64
	for k, x := range nodes {
		lp := logMass(k)
		if math.IsInf(lp, -1) {
			continue
		}
		if lp > top {
			r := math.Exp(top - lp)
			s0, s1, s2 = s0*r, s1*r, s2*r
			top = lp
		}
		m := math.Exp(lp - top)
		s0 += m
		s1 += m * x
		s2 += m * x * x
	}
	mean := s1 / s0
	return Estimate{Theta: mean, SE: math.Sqrt(max(0, s2/s0-mean*mean))}
}
