package irt

import "math"

// Estimate is an ability estimate with its standard error.
type Estimate struct {
	// Theta is the estimate of θ.
	Theta float64
	// SE is its standard error: 1/√(information) for ML and WLE,
	// 1/√(information + prior precision) for MAP, the posterior standard
	// deviation for EAP.
	SE float64
	// AtBound: the search for an ML or WLE root stopped at a bound of
	// its interval, so the estimate lies at or beyond Theta (31 of 32
	// right may put the ML estimate near 10). Reported, never hidden.
	AtBound bool
}

// Settings of the root finder shared by ML, MAP and WLE.
const (
	solveTol     = 1e-10 // stop when a step or the bracket is this short
	solveMaxIter = 100   // bisection alone needs ~40 steps on [−10, 10]
)

// solveStep is the stride of solve's search for a bracket.
const solveStep = 0.5

// solve returns a root of the estimating equation g(θ) = 0 in [lo, hi] at
// which g changes sign from positive to negative, that is, a local maximum
// of the function whose derivative g is: the one reached by climbing from
// start. f returns g(θ) and a positive approximation to −g′(θ) (the
// information), used for Fisher-scoring steps.
//
// From start it steps uphill (up while g > 0, down while g < 0) by
// solveStep until g changes sign, which brackets the nearest local maximum
// in the direction of ascent; if it reaches lo or hi first, that bound is
// the result. Climbing from the start matters for 3PL items, whose
// likelihood tends to a constant as θ → −∞ and may fall on the way there
// from its maximum: a search from the bounds inwards would stop at −∞'s
// side. Within the bracket [a, b], g(a) > 0 > g(b), a scoring step θ + g/I
// is taken when it lands inside the bracket, and the bracket is bisected
// when it does not (Press et al. 2007, §9.4, rtsafe).
func solve(f func(theta float64) (g, info float64), lo, hi, start float64) float64 {
	start = min(max(start, lo), hi)
	a, b := lo, hi
	if g0, _ := f(start); g0 > 0 {
		for a = start; ; a = b {
			if b = min(a+solveStep, hi); b == a {
				return hi
			}
			if g, _ := f(b); g <= 0 {
				if g == 0 {
					return b
				}
				break
			}
		}
	} else if g0 < 0 {
		for b = start; ; b = a {
			if a = max(b-solveStep, lo); a == b {
				return lo
			}
			if g, _ := f(a); g >= 0 {
				if g == 0 {
					return a
				}
				break
			}
		}
	} else {
		return start
	}
	theta := a + (b-a)/2
	for range solveMaxIter {
		g, info := f(theta)
		switch {
		case g > 0:
			a = theta
		case g < 0:
			b = theta
		default:
			return theta
		}
		next := theta + g/info
		if !(a < next && next < b) { // also when info is 0 or g/info is NaN
			next = a + (b-a)/2
		}
		if math.Abs(next-theta) < solveTol || b-a < solveTol {
			return next
		}
		theta = next
	}
	return theta
}
