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
}

// Settings of the root finder shared by ML, MAP and WLE.
const (
	solveTol     = 1e-10 // stop when a step or the bracket is this short
	solveMaxIter = 100   // bisection alone needs ~40 steps on [−10, 10]
)

// solve returns a root of the estimating equation g(θ) = 0 in [lo, hi] at
// which g changes sign from positive to negative, that is, a local maximum
// of the function whose derivative g is. f returns g(θ) and a positive
// approximation to −g′(θ) (the information), used for Fisher-scoring steps.
//
// If g(lo) ≤ 0 the result is lo, and if g(hi) ≥ 0 it is hi. Otherwise the
// bracket [a, b] with g(a) > 0 > g(b) is kept throughout: a scoring step
// θ + g/I from start is taken when it lands inside the bracket, and the
// bracket is bisected when it does not (Press et al. 2007, §9.4, rtsafe).
// The limit is a downward crossing even where g has several roots.
func solve(f func(theta float64) (g, info float64), lo, hi, start float64) float64 {
	if g, _ := f(lo); g <= 0 {
		return lo
	}
	if g, _ := f(hi); g >= 0 {
		return hi
	}
	a, b := lo, hi
	theta := min(max(start, lo), hi)
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
