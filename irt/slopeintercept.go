package irt

// SlopeIntercept is a ThreePL item in the slope–intercept parameterisation
// used by optimisers (and printed by R's mirt as a1, d, g; Chalmers 2012):
//
//	P(θ) = Guess + (1 − Guess) / (1 + exp(−(Slope·θ + Intercept))).
//
// It is the same function as ThreePL{A, B, C, D} with
//
//	Slope = D·A,  Intercept = −D·A·B,  Guess = C,
//
// and conversely A = Slope/D, B = −Intercept/Slope.
type SlopeIntercept struct {
	// Slope is D·A, finite and nonzero.
	Slope float64
	// Intercept is −D·A·B, finite: the logit of (P − Guess)/(1 − Guess)
	// at θ = 0.
	Intercept float64
	// Guess is the lower asymptote, 0 ≤ Guess < 1 (ThreePL.C).
	Guess float64
}

// SlopeIntercept returns p in the slope–intercept parameterisation.
func (p ThreePL) SlopeIntercept() SlopeIntercept {
	return SlopeIntercept{Slope: p.D * p.A, Intercept: -p.D * p.A * p.B, Guess: p.C}
}

// ThreePL returns the item in the IRT parameterisation with scaling
// constant d > 0. The slope must be nonzero, or B is not defined.
func (s SlopeIntercept) ThreePL(d float64) ThreePL {
	return ThreePL{A: s.Slope / d, B: -s.Intercept / s.Slope, C: s.Guess, D: d}
}

// Prob returns P(θ), the probability of a correct response at θ.
func (s SlopeIntercept) Prob(theta float64) float64 {
	prob, _ := s.PQ(theta)
	return prob
}

// PQ returns P(θ) and Q(θ) = 1 − P(θ), each to full relative precision.
func (s SlopeIntercept) PQ(theta float64) (prob, q float64) {
	l, t := logistic(s.Slope*theta + s.Intercept)
	return lowerAsymptote(l, t, s.Guess)
}

// Grad returns the partial derivatives of P(θ) with respect to the
// parameters:
//
//	∂P/∂Slope = (1 − Guess)·θ·ψ·(1 − ψ)
//	∂P/∂Intercept = (1 − Guess)·ψ·(1 − ψ)
//	∂P/∂Guess = 1 − ψ
//
// where ψ = 1/(1 + exp(−(Slope·θ + Intercept))).
func (s SlopeIntercept) Grad(theta float64) (dSlope, dIntercept, dGuess float64) {
	_, _, g := s.PQGrad(theta)
	return g[0], g[1], g[2]
}

// PQGrad returns PQ(θ) and Grad(θ), as the vector (∂P/∂Slope,
// ∂P/∂Intercept, ∂P/∂Guess), from one evaluation of the logistic: what a
// Fisher-scoring step of a calibration needs at each quadrature node.
func (s SlopeIntercept) PQGrad(theta float64) (prob, q float64, grad [3]float64) {
	l, t := logistic(s.Slope*theta + s.Intercept)
	prob, q = lowerAsymptote(l, t, s.Guess)
	w := (1 - s.Guess) * l * t
	return prob, q, [3]float64{w * theta, w, t}
}
