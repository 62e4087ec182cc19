package reports

import (
	"math"

	"github.com/passportirt/passport/irt"
)

// meanSquares accumulates one item's residuals for its infit and outfit
// mean squares (Wright & Masters 1982, ch. 5). For a response x with model
// probability P at the examinee's θ̂, the residual is x − P, its variance
// W = P(1 − P), its fourth central moment C = P(1 − P)⁴ + (1 − P)P⁴, and
// z² = (x − P)²/W.
type meanSquares struct {
	n, z2, r2, w, cw2, cmw2 float64 // N, Σz², Σ(x − P)², ΣW, ΣC/W², Σ(C − W²)
}

func (m *meanSquares) add(x uint8, p float64) {
	w := p * (1 - p)
	if w <= 0 {
		return // a certain response carries no information about fit
	}
	d := float64(x) - p
	q := 1 - p
	c := p*q*q*q*q + q*p*p*p*p
	m.n++
	m.z2 += d * d / w
	m.r2 += d * d
	m.w += w
	m.cw2 += c / (w * w)
	m.cmw2 += c - w*w
}

// outfit returns the outfit (unweighted) mean square u = Σz²/N and its
// standardisation by the Wilson–Hilferty cube root, with
// q² = ΣC/W²/N² − 1/N:
//
//	t = (u^(1/3) − 1)·(3/q) + q/3.
func (m *meanSquares) outfit() (ms, z float64) {
	if m.n == 0 {
		return math.NaN(), math.NaN()
	}
	ms = m.z2 / m.n
	q := math.Sqrt(max(0, m.cw2/(m.n*m.n)-1/m.n))
	return ms, cubeRootZ(ms, q)
}

// infit returns the infit (information-weighted) mean square
// v = Σ(x − P)²/ΣW and its standardisation as outfit's, with
// q² = Σ(C − W²)/(ΣW)².
func (m *meanSquares) infit() (ms, z float64) {
	if m.n == 0 {
		return math.NaN(), math.NaN()
	}
	ms = m.r2 / m.w
	q := math.Sqrt(max(0, m.cmw2) / (m.w * m.w))
	return ms, cubeRootZ(ms, q)
}

func cubeRootZ(ms, q float64) float64 {
	if q == 0 {
		return math.NaN()
	}
	return (math.Cbrt(ms)-1)*(3/q) + q/3
}

// itemMeanSquares accumulates every item's residuals at the examinees'
// ability estimates theta, over the responses given.
func itemMeanSquares(r *irt.Responses, params []irt.ThreePL, theta []float64) []meanSquares {
	out := make([]meanSquares, len(r.Items))
	for p := range r.NExaminees() {
		if math.IsNaN(theta[p]) {
			continue
		}
		for k := r.Start[p]; k < r.Start[p+1]; k++ {
			i := r.Item[k]
			out[i].add(r.Score[k], params[i].Prob(theta[p]))
		}
	}
	return out
}
