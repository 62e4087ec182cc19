package irt

import "math"

// ThreePL is a dichotomous item under the three-parameter logistic model
// (Birnbaum 1968, ch. 17; Lord 1980, ch. 2): the probability of a correct
// response at ability θ is
//
//	P(θ) = C + (1 − C) / (1 + exp(−D·A·(θ − B))).
//
// The two-parameter model is C = 0; the one-parameter model fixes A at a
// value shared by all items; the Rasch model is A = 1, C = 0, D = 1.
type ThreePL struct {
	// A is the discrimination (slope), finite and nonzero; calibrated
	// items have A > 0. The slope of P at θ = B is D·A·(1 − C)/4.
	A float64
	// B is the difficulty (location), finite, on the θ scale. For C = 0
	// it is the θ at which P = 1/2.
	B float64
	// C is the lower asymptote (pseudo-guessing), 0 ≤ C < 1: the
	// probability of a correct response as θ → −∞.
	C float64
	// D is the scaling constant, D > 0: 1 for the logistic metric, 1.702
	// to approximate the normal ogive. The zero value is not valid.
	D float64
}

// Prob returns P(θ), the probability of a correct response at θ. It is
// finite and in [C, 1] for every finite or infinite θ.
func (p ThreePL) Prob(theta float64) float64 {
	prob, _ := p.PQ(theta)
	return prob
}

// PQ returns P(θ) and Q(θ) = 1 − P(θ), each to full relative precision
// (Q is not computed as 1 − P, which would lose it when P is close to 1).
func (p ThreePL) PQ(theta float64) (prob, q float64) {
	s, t := logistic(p.D * p.A * (theta - p.B))
	return lowerAsymptote(s, t, p.C)
}

// Info returns the item information function (Birnbaum 1968; Lord 1980,
// ch. 5)
//
//	I(θ) = P′(θ)² / (P·Q) = (D·A)² · (Q/P) · ((P − C)/(1 − C))².
func (p ThreePL) Info(theta float64) float64 {
	da := p.D * p.A
	s, t := logistic(da * (theta - p.B))
	// (P − C)/(1 − C) = ψ and Q = (1 − C)·(1 − ψ).
	return da * da * s * psiOverP(s, p.C) * (1 - p.C) * t
}

// DProb returns the first derivative of P with respect to θ,
//
//	P′(θ) = (1 − C)·D·A·ψ·(1 − ψ),
//
// where ψ = 1/(1 + exp(−D·A·(θ − B))).
func (p ThreePL) DProb(theta float64) float64 {
	da := p.D * p.A
	s, t := logistic(da * (theta - p.B))
	return (1 - p.C) * da * s * t
}

// D2Prob returns the second derivative of P with respect to θ,
//
//	P″(θ) = (1 − C)·(D·A)²·ψ·(1 − ψ)·(1 − 2ψ),
//
// with ψ as in DProb.
func (p ThreePL) D2Prob(theta float64) float64 {
	da := p.D * p.A
	s, t := logistic(da * (theta - p.B))
	return (1 - p.C) * da * da * s * t * (t - s)
}

// Grad returns the partial derivatives of P(θ) with respect to the item
// parameters, D held fixed:
//
//	∂P/∂A = (1 − C)·D·(θ − B)·ψ·(1 − ψ)
//	∂P/∂B = −(1 − C)·D·A·ψ·(1 − ψ)
//	∂P/∂C = 1 − ψ
//
// with ψ as in DProb.
func (p ThreePL) Grad(theta float64) (dA, dB, dC float64) {
	s, t := logistic(p.D * p.A * (theta - p.B))
	w := (1 - p.C) * p.D * s * t
	return w * (theta - p.B), -w * p.A, t
}

// Logistic is the logistic function 1/(1 + exp(−z)), to full relative
// precision for every z.
func Logistic(z float64) float64 {
	s, _ := logistic(z)
	return s
}

// logistic returns ψ = 1/(1 + exp(−z)) and 1 − ψ, both to full relative
// precision for every z.
func logistic(z float64) (s, t float64) {
	e := math.Exp(-math.Abs(z))
	r := 1 / (1 + e)
	if z >= 0 {
		return r, e * r
	}
	return e * r, r
}

// psiOverP returns ψ/P = ψ/(c + (1 − c)·ψ), which is exactly 1 for c = 0
// (also where ψ underflows to 0) and at most 1/(1 − c) otherwise.
func psiOverP(s, c float64) float64 {
	if c == 0 {
		return 1
	}
	return s / (c + (1-c)*s)
}

// lowerAsymptote returns the 3PL's response function P = c + (1 − c)·ψ
// and Q = 1 − P = (1 − c)·(1 − ψ) from the logistic part ψ and 1 − ψ (in
// either parameterisation: ψ = σ(D·A·(θ − B)) = σ(Slope·θ + Intercept)).
// It is the one place the formula is written.
func lowerAsymptote(s, t, c float64) (prob, q float64) {
	return c + (1-c)*s, (1 - c) * t
}
