package irt

import "math"

// ML returns the maximum-likelihood estimate of θ from the response pattern
// resp, the root of the likelihood equation
//
//	∂ ln L/∂θ = Σ (u_i − P_i)·P_i′/(P_i·Q_i) = 0
//
// found by Fisher scoring safeguarded by bisection in [lo, hi] (Lord 1980;
// Baker & Kim 2004). SE = 1/√I(θ̂), with I the test information of the
// items answered.
//
// Policy for patterns without an interior maximum:
//   - no item answered: Theta is NaN and SE is +Inf;
//   - every answered item correct (incorrect): the likelihood increases
//     (decreases) monotonically in θ and the estimate does not exist;
//     Theta is +Inf (−Inf) and SE is +Inf, for the caller to replace by
//     its own rule (WLE, a fixed value or a bound);
//   - otherwise, if the likelihood still increases at lo or hi — a root
//     beyond the interval (31 of 32 right), or 3PL items, whose
//     likelihood tends to a positive constant as θ → −∞ — Theta is that
//     bound and AtBound is set.
//
// With 3PL items the likelihood can have more than one local maximum
// (Samejima 1973); ML returns one of them. lo < hi must be finite.
func ML(items []ThreePL, resp []int8, lo, hi float64) Estimate {
	checkPattern(items, resp)
	right, wrong := counts(resp)
	switch {
	case right+wrong == 0:
		return Estimate{Theta: math.NaN(), SE: math.Inf(1)}
	case wrong == 0:
		return Estimate{Theta: math.Inf(1), SE: math.Inf(1)}
	case right == 0:
		return Estimate{Theta: math.Inf(-1), SE: math.Inf(1)}
	}
	theta := solve(func(t float64) (float64, float64) {
		score, info, _ := patternTerms(items, resp, t)
		return score, info
	}, lo, hi, 0)
	_, info, _ := patternTerms(items, resp, theta)
	return Estimate{Theta: theta, SE: 1 / math.Sqrt(info), AtBound: theta == lo || theta == hi}
}
