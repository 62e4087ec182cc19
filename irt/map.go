package irt

import "math"

// MAP returns the maximum a posteriori (Bayes modal) estimate of θ from the
// response pattern resp under the prior θ ~ N(μ, σ²), σ > 0: the root of
//
//	∂ ln L/∂θ − (θ − μ)/σ² = 0,
//
// found by Fisher scoring safeguarded by bisection. SE = 1/√(I(θ̂) + 1/σ²),
// the inverse square root of the expected posterior information (Baker &
// Kim 2004). The estimate always exists: each item adds at most D·|A| to
// |∂ ln L/∂θ|, so the root lies within σ²·Σ D·|A| of μ, where the search is
// confined. A pattern with no item answered returns the prior (μ, σ).
//
// With 3PL items the posterior can have more than one mode; MAP returns
// one of them.
func MAP(items []ThreePL, resp []int8, mu, sigma float64) Estimate {
	checkPattern(items, resp)
	var reach float64
	for i, u := range resp {
		if u != Missing {
			reach += math.Abs(items[i].D * items[i].A)
		}
	}
	prec := 1 / (sigma * sigma)
	reach /= prec
	theta := solve(func(t float64) (float64, float64) {
		score, info, _ := patternTerms(items, resp, t)
		return score - (t-mu)*prec, info + prec
	}, mu-reach, mu+reach, mu)
	_, info, _ := patternTerms(items, resp, theta)
	return Estimate{Theta: theta, SE: 1 / math.Sqrt(info+prec)}
}
