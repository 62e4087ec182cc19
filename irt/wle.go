package irt

import "math"

// WLE returns Warm's (1989) weighted likelihood estimate of θ from the
// response pattern resp: the root of
//
//	∂ ln L/∂θ + J(θ)/(2·I(θ)) = 0,   J = Σ P_i′·P_i″/(P_i·Q_i),
//
// with I the test information of the items answered, found by Fisher
// scoring safeguarded by bisection in [lo, hi]. The correction term removes
// the O(1/n) bias of ML. SE = 1/√I(θ̂), the asymptotic standard error, which
// WLE shares with ML (Warm 1989).
//
// Since J_i = D·A_i·(1 − 2ψ_i)·I_i, the correction J/(2I) is half the
// information-weighted mean of D·A_i·(1 − 2ψ_i): positive as θ → −∞ and
// negative as θ → +∞, while ∂ ln L/∂θ of an all-incorrect (all-correct)
// pattern tends to 0 there. So the estimate is finite for those patterns,
// unlike ML, for 1PL, 2PL and 3PL items alike. If the root lies outside
// [lo, hi] the result is the bound, with AtBound set. A pattern with no item answered
// returns Theta NaN and SE +Inf. lo < hi must be finite.
func WLE(items []ThreePL, resp []int8, lo, hi float64) Estimate {
	checkPattern(items, resp)
	if right, wrong := counts(resp); right+wrong == 0 {
		return Estimate{Theta: math.NaN(), SE: math.Inf(1)}
	}
	theta := solve(func(t float64) (float64, float64) {
		score, info, j := patternTerms(items, resp, t)
		return score + j/(2*info), info
	}, lo, hi, 0)
	_, info, _ := patternTerms(items, resp, theta)
	return Estimate{Theta: theta, SE: 1 / math.Sqrt(info), AtBound: theta == lo || theta == hi}
}
