package calibrate

import (
	"math"

	"github.com/passportirt/passport/irt"
)

// siParams is an item as the optimiser sees it: in slope–intercept form
// (irt.SlopeIntercept, mirt's a1, d, g),
//
//	P(θ) = c + (1 − c)·σ(α·θ + δ),
//
// with σ the logistic function, so that α = D·a, δ = −D·a·b. The lower
// asymptote c is its own coordinate, bounded to [0, 1): the bound 0 can be
// reached and left again (the M-step's active set, mstep.go), which a
// logit scale, c = σ(γ), cannot do — as γ → −∞ the gradient in γ vanishes
// and c = 0 becomes absorbing.
type siParams struct {
	alpha, delta, c float64
}

// item returns the item's response function, P(θ) = c + (1 − c)·σ(α·θ + δ).
func (s siParams) item() irt.SlopeIntercept {
	return irt.SlopeIntercept{Slope: s.alpha, Intercept: s.delta, Guess: s.c}
}

// fromIRT converts IRT parameters to the internal form.
func fromIRT(p irt.ThreePL) siParams {
	si := p.SlopeIntercept()
	return siParams{alpha: si.Slope, delta: si.Intercept, c: si.Guess}
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
// raised to at least probClamp, and the gradient of P over (α, δ, c).
func probGrad(it irt.SlopeIntercept, theta float64) (p, q float64, grad [3]float64) {
	p, q, grad = it.PQGrad(theta)
	p, q = clampPQ(p, q)
	return p, q, grad
}

// pack lays the free parameters out as one vector: per estimated item its
// free coordinates, then the common slope (1PL), then the latent mean μ
// and log σ where they are estimated.
func (e *engine) pack() []float64 {
	var x []float64
	for _, i := range e.free {
		s := e.params[i]
		if e.which[0] {
			x = append(x, s.alpha)
		}
		x = append(x, s.delta)
		if e.which[2] {
			x = append(x, s.c)
		}
	}
	if e.shared {
		x = append(x, e.params[e.free[0]].alpha)
	}
	if e.estMean {
		x = append(x, e.mu)
	}
	if e.estSD {
		x = append(x, math.Log(e.sd))
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
			s.c = x[k]
			k++
		}
	}
	if e.shared {
		for _, i := range e.free {
			e.params[i].alpha = x[k]
		}
		k++
	}
	if e.estMean {
		e.mu = x[k]
		k++
	}
	if e.estSD {
		e.sd = math.Exp(x[k])
	}
}

// stride is the number of packed coordinates per estimated item.
func (e *engine) stride() int {
	n := 0
	for _, w := range e.which {
		if w {
			n++
		}
	}
	return n
}

// admit projects a packed vector onto the parameter space where it left
// it through a lower asymptote below 0 — such a c is raised to 0 — and
// reports whether the result is usable: everything finite, slopes
// positive, each c in [0, 1), and in (0, 1) where its Beta prior's density
// vanishes at 0.
func (e *engine) admit(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	st := e.stride()
	for n, i := range e.free {
		k := n * st
		if e.which[0] && x[k] <= 0 {
			return false
		}
		if e.which[2] {
			c := &x[k+st-1]
			*c = max(*c, 0)
			if *c >= 1 || (*c == 0 && !e.cMayVanish(i)) {
				return false
			}
		}
	}
	if e.shared && x[len(e.free)*st] <= 0 {
		return false
	}
	return true
}
