package calibrate

import (
	"math"

	"github.com/passportirt/passport/irt"
)

// cPriorShape returns the Beta shapes of the prior on the c of an item with
// nOptions options ((0, 0): no prior): those of pr, or with pr.CAuto
// BILOG-MG's Beta(20p + 1, 20(1 − p) + 1), p = 1/nOptions, taking four
// options when the matrix does not say (Zimowski, Muraki, Mislevy & Bock
// 2003).
func cPriorShape(pr *irt.Priors, nOptions int) [2]float64 {
	switch {
	case pr.CAlpha > 0 && pr.CBeta > 0:
		return [2]float64{pr.CAlpha, pr.CBeta}
	case pr.CAuto:
		k := 4
		if nOptions > 1 {
			k = nOptions
		}
		p := 1 / float64(k)
		return [2]float64{20*p + 1, 20*(1-p) + 1}
	}
	return [2]float64{}
}

// logPrior returns the log prior density of the item's (a, b, c) at s, its
// gradient and its Hessian with respect to (α, δ, γ). which says which of
// the three are free. cA, cB are the Beta shapes for this item (0: none).
func logPrior(pr *irt.Priors, s siParams, D float64, cA, cB float64, which [3]bool) (v float64, g [3]float64, h [3][3]float64) {
	if pr == nil {
		return
	}
	if which[0] && pr.LogASD > 0 {
		// ℓ = −log a − (log a − μ)²/(2σ²), a = α/D; d/dα = (1/α)(−1 − z/σ), z = (log a − μ)/σ.
		la := math.Log(s.alpha / D)
		z := (la - pr.LogAMean) / pr.LogASD
		v += -la - z*z/2
		g[0] += (-1 - z/pr.LogASD) / s.alpha
		h[0][0] += (1 + z/pr.LogASD - 1/(pr.LogASD*pr.LogASD)) / (s.alpha * s.alpha)
	}
	if which[1] && pr.BSD > 0 {
		// ℓ = −(b − μ)²/(2σ²), b = −δ/α.
		b := -s.delta / s.alpha
		dl := -(b - pr.BMean) / (pr.BSD * pr.BSD)
		d2 := -1 / (pr.BSD * pr.BSD)
		v += -(b - pr.BMean) * (b - pr.BMean) / (2 * pr.BSD * pr.BSD)
		// ∇b and ∇²b over (α, δ).
		ba, bd := s.delta/(s.alpha*s.alpha), -1/s.alpha
		baa, bad := -2*s.delta/(s.alpha*s.alpha*s.alpha), 1/(s.alpha*s.alpha)
		if which[0] {
			g[0] += dl * ba
			h[0][0] += d2*ba*ba + dl*baa
			h[0][1] += d2*ba*bd + dl*bad
			h[1][0] = h[0][1]
		}
		g[1] += dl * bd
		h[1][1] += d2 * bd * bd
	}
	if which[2] && cA > 0 && cB > 0 {
		// ℓ = (α_c − 1) log c + (β_c − 1) log(1 − c), c = σ(γ).
		c := irt.Logistic(s.gamma)
		v += (cA-1)*math.Log(c) + (cB-1)*math.Log1p(-c)
		g[2] += (cA-1)*(1-c) - (cB-1)*c
		h[2][2] += -(cA - 1 + cB - 1) * c * (1 - c)
	}
	return
}

// logPriorTotal is the log prior density of all estimated items.
func (e *engine) logPriorTotal() float64 {
	var v float64
	for _, i := range e.free {
		pv, _, _ := logPrior(e.o.Priors, e.params[i], e.o.D, e.cShape[i][0], e.cShape[i][1], e.which)
		v += pv
	}
	return v
}
