package calibrate

import (
	"math"

	"github.com/passportirt/passport/irt"
)

// siParams is an item as the optimiser sees it: in slope–intercept form
// (irt.SlopeIntercept, mirt's a1, d, g),
//
//	P(θ) = c + (1 − c)·σ(α·θ + δ),  c = σ(γ),
//
// with σ the logistic function, so that α = D·a, δ = −D·a·b, and the lower
// asymptote through its logit γ, which keeps c in (0, 1) without bounds
// (γ = −∞: no lower asymptote).
type siParams struct {
	alpha, delta, gamma float64
}

// item returns the item's response function, P(θ) = c + (1 − c)·σ(α·θ + δ)
// with c = σ(γ).
func (s siParams) item() irt.SlopeIntercept {
	return irt.SlopeIntercept{Slope: s.alpha, Intercept: s.delta, Guess: irt.Logistic(s.gamma)}
}

// fromIRT converts IRT parameters to the internal form.
func fromIRT(p irt.ThreePL) siParams {
	si := p.SlopeIntercept()
	g := math.Inf(-1)
	if si.Guess > 0 {
		g = logit(si.Guess)
	}
	return siParams{alpha: si.Slope, delta: si.Intercept, gamma: g}
}

// irtParams returns estimated item i in the IRT parameterisation.
func (e *engine) irtParams(i int) irt.ThreePL {
	return e.params[i].item().ThreePL(e.o.D)
}

func logit(p float64) float64 { return math.Log(p / (1 - p)) }

// probClamp keeps P and Q = 1 − P away from 0 so that logs stay finite.
const probClamp = 1e-12

// clampPQ returns P and Q raised to at least probClamp.
func clampPQ(p, q float64) (float64, float64) {
	return max(p, probClamp), max(q, probClamp)
}

// probGrad returns P(θ) and Q(θ) of the item's response function it,
// raised to at least probClamp, and the gradient of P over (α, δ, γ): irt's
// over (slope, intercept, c), the last times ∂c/∂γ = c·(1 − c).
func probGrad(it irt.SlopeIntercept, theta float64) (p, q float64, grad [3]float64) {
	p, q, grad = it.PQGrad(theta)
	grad[2] *= it.Guess * (1 - it.Guess)
	p, q = clampPQ(p, q)
	return p, q, grad
}

// pack lays the free parameters out as one vector: per estimated item its
// free coordinates, then the common slope (1PL), then μ and log σ.
func (e *engine) pack() []float64 {
	var x []float64
	for _, i := range e.free {
		s := e.params[i]
		if e.which[0] {
			x = append(x, s.alpha)
		}
		x = append(x, s.delta)
		if e.which[2] {
			x = append(x, s.gamma)
		}
	}
	if e.o.Model == irt.Model1PL {
		x = append(x, e.params[e.free[0]].alpha)
	}
	if e.latent {
		x = append(x, e.mu, math.Log(e.sd))
	}
	return x
}

// unpack is pack's inverse: it sets the parameters, the common slope and
// the latent moments from x.
func (e *engine) unpack(x []float64) {
	k := 0
	for _, i := range e.free {
		s := &e.params[i]
		if e.which[0] {
			s.alpha = x[k]
			k++
		}
		s.delta = x[k]
		k++
		if e.which[2] {
			s.gamma = x[k]
			k++
		}
	}
	if e.o.Model == irt.Model1PL {
		for _, i := range e.free {
			e.params[i].alpha = x[k]
		}
		k++
	}
	if e.latent {
		e.mu, e.sd = x[k], math.Exp(x[k+1])
	}
}

// valid reports whether a parameter vector is usable (slopes positive,
// everything finite).
func (e *engine) valid(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	if e.which[0] {
		stride := 2
		if e.which[2] {
			stride = 3
		}
		for k := 0; k < len(e.free)*stride; k += stride {
			if x[k] <= 0 {
				return false
			}
		}
	}
	if e.o.Model == irt.Model1PL && x[len(e.free)] <= 0 {
		return false
	}
	return true
}
