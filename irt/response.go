package irt

import (
	"fmt"
	"math"
)

// Missing marks, in a response pattern, an item that was not administered
// or not reached. It contributes nothing to a likelihood.
const Missing int8 = -1

// LogLik returns the log-likelihood of the response pattern resp at θ,
//
//	ln L(θ) = Σ [u_i·ln P_i(θ) + (1 − u_i)·ln Q_i(θ)],
//
// summed over the items that are not Missing (local independence; Lord
// 1980). An empty or all-Missing pattern has log-likelihood 0.
func LogLik(items []ThreePL, resp []int8, theta float64) float64 {
	checkPattern(items, resp)
	// The likelihood is a product of probabilities, kept as l·2^e so that
	// long tests cannot underflow; one logarithm is taken at the end.
	l, e := 1.0, 0
	for i, u := range resp {
		if u == Missing {
			continue
		}
		prob, q := items[i].PQ(theta)
		if isCorrect(u) {
			l *= prob
		} else {
			l *= q
		}
		if l < 0x1p-512 {
			l *= 0x1p512
			e -= 512
		}
	}
	return logScaled(l, e)
}

// logScaled returns ln(l·2^e).
func logScaled(l float64, e int) float64 {
	return math.Log(l) + float64(e)*math.Ln2
}

// patternTerms returns, summed over the items of resp that are not Missing,
// the score l′(θ) = ∂ ln L/∂θ, the test information I(θ) and Warm's
// J(θ) = Σ P′P″/(PQ).
func patternTerms(items []ThreePL, resp []int8, theta float64) (score, info, j float64) {
	for i, u := range resp {
		if u == Missing {
			continue
		}
		s, in, ji := items[i].terms(theta, isCorrect(u))
		score += s
		info += in
		j += ji
	}
	return score, info, j
}

// terms returns one item's contributions to the score, the information and
// Warm's J at θ. With ψ the logistic part and P′ = (1 − C)·D·A·ψ·(1 − ψ):
//
//	score = (u − P)·P′/(PQ) = D·A·ψ·Q/P if correct, −D·A·ψ if not
//	info  = P′²/(PQ)        = (D·A·ψ)²·Q/P
//	J     = P′P″/(PQ)       = D·A·(1 − 2ψ)·info
func (p ThreePL) terms(theta float64, correct bool) (score, info, j float64) {
	da := p.D * p.A
	s, t := logistic(da * (theta - p.B))
	g := da * (1 - p.C) * t * psiOverP(s, p.C) // D·A·ψ·Q/P
	info = da * s * g
	j = da * (t - s) * info
	if correct {
		return g, info, j
	}
	return -da * s, info, j
}

// counts returns the numbers of correct and incorrect responses in resp.
func counts(resp []int8) (right, wrong int) {
	for _, u := range resp {
		switch {
		case u == Missing:
		case isCorrect(u):
			right++
		default:
			wrong++
		}
	}
	return right, wrong
}

// isCorrect reports whether a non-Missing response u is correct; it panics
// if u is not 0 or 1.
func isCorrect(u int8) bool {
	switch u {
	case 1:
		return true
	case 0:
		return false
	}
	panic(badResponse(u))
}

// badResponse is the panic message for a response that is not 0, 1 or
// Missing.
func badResponse(u int8) string {
	return fmt.Sprintf("irt: response %d is not 0, 1 or Missing", u)
}

// checkPattern panics if resp is not parallel to items.
func checkPattern(items []ThreePL, resp []int8) {
	if len(resp) != len(items) {
		panic(fmt.Sprintf("irt: %d responses for %d items", len(resp), len(items)))
	}
}
