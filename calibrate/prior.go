package calibrate

import (
	"math"

	"github.com/passportirt/passport/irt"
)

// DefaultPriors returns the priors a calibration of model m takes when
// Options.Priors is nil. For the 3PL they are BILOG-MG's (Zimowski, Muraki,
// Mislevy & Bock 2003): log a ~ N(0, 0.5²), a lognormal on the slope, and
// c ~ Beta(20p + 1, 20(1 − p) + 1) with p = 1/options (CAuto); without the
// slope prior, pure maximum likelihood lets slopes run off in small
// samples. The other models have none (pure maximum likelihood, as mirt).
func DefaultPriors(m irt.Model) irt.Priors {
	if m == irt.Model3PL {
		return irt.Priors{LogASD: 0.5, CAuto: true}
	}
	return irt.Priors{}
}

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

// logPrior returns the log prior density of the item's (a, b, c) at s —
// normalising constants included, so that log posteriors compare across
// programs — with its gradient and Hessian over (α, δ, c). which says which
// of the three are free; cA, cB are the Beta shapes for this item (0: no
// prior on c). The densities:
//
//	log a ~ N(μ_a, σ_a²):  ℓ(a) = −log a − log(σ_a·√(2π)) − z²/2,  z = (log a − μ_a)/σ_a
//	b ~ N(μ_b, σ_b²):      ℓ(b) = −log(σ_b·√(2π)) − (b − μ_b)²/(2σ_b²)
//	c ~ Beta(cA, cB):      ℓ(c) = (cA − 1)·log c + (cB − 1)·log(1 − c) − log B(cA, cB)
//
// with a = α/D, b = −δ/α (Mislevy 1986; BILOG-MG's priors, Zimowski et al.
// 2003).
func logPrior(pr *irt.Priors, s siParams, D float64, cA, cB float64, which [3]bool) (v float64, g [3]float64, h [3][3]float64) {
	if pr == nil {
		return
	}
	if which[0] && pr.LogASD > 0 {
		// d/dα = (1/α)(−1 − z/σ).
		la := math.Log(s.alpha / D)
		z := (la - pr.LogAMean) / pr.LogASD
		v += -la - math.Log(pr.LogASD*sqrt2Pi) - z*z/2
		g[0] += (-1 - z/pr.LogASD) / s.alpha
		h[0][0] += (1 + z/pr.LogASD - 1/(pr.LogASD*pr.LogASD)) / (s.alpha * s.alpha)
	}
	if which[1] && pr.BSD > 0 {
		b := -s.delta / s.alpha
		dl := -(b - pr.BMean) / (pr.BSD * pr.BSD)
		d2 := -1 / (pr.BSD * pr.BSD)
		v += -math.Log(pr.BSD*sqrt2Pi) - (b-pr.BMean)*(b-pr.BMean)/(2*pr.BSD*pr.BSD)
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
		lgA, _ := math.Lgamma(cA)
		lgB, _ := math.Lgamma(cB)
		lgAB, _ := math.Lgamma(cA + cB)
		v += xLogY(cA-1, s.c) + xLogY(cB-1, 1-s.c) - (lgA + lgB - lgAB)
		if cA != 1 {
			g[2] += (cA - 1) / s.c
			h[2][2] -= (cA - 1) / (s.c * s.c)
		}
		if cB != 1 {
			g[2] -= (cB - 1) / (1 - s.c)
			h[2][2] -= (cB - 1) / ((1 - s.c) * (1 - s.c))
		}
	}
	return
}

// sqrt2Pi is √(2π).
var sqrt2Pi = math.Sqrt(2 * math.Pi)

// xLogY is x·log y, taken as 0 for x = 0 (also at y = 0).
func xLogY(x, y float64) float64 {
	if x == 0 {
		return 0
	}
	return x * math.Log(y)
}

// cMayVanish reports whether item i's lower asymptote may rest on its
// bound 0: without a prior on c, or under a Beta prior whose density at 0
// is positive (cA = 1).
func (e *engine) cMayVanish(i int) bool {
	return e.cShape[i][0] <= 1
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
