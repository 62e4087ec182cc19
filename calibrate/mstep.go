package calibrate

import (
	"math"
	"sync"

	"github.com/passportirt/passport/irt"
)

// The M-step maximises, for each item separately, the expected
// complete-data log-likelihood (Bock & Aitkin 1981, eq. 11)
//
//	Σ_q r1_q·log P(θ_q) + r0_q·log(1 − P(θ_q))
//
// plus the log prior density of the item's IRT parameters (a, b, c), by
// Fisher scoring over the slope–intercept coordinates (α, δ) and the lower
// asymptote c ∈ [0, 1), projected onto the bound c ≥ 0 with an active set
// (Bertsekas 1982, SIAM J. Control Optim. 20, 221–246): a c at 0 whose
// gradient points below 0 is held there, any other c moves freely and is
// cut back to 0 where a step would take it below.

// mstep maximises the expected complete-data log posterior given the
// E-step's counts c: every estimated item by mstepItem, in parallel (each
// worker writes only its own items, so the result does not depend on the
// threads), then the 1PL's common slope, then the latent mean and SD
// (latent.go).
func (e *engine) mstep(c *counts) {
	nodes := e.nodes()
	var wg sync.WaitGroup
	next := make(chan int, len(e.free))
	for _, i := range e.free {
		next <- i
	}
	close(next)
	for range min(e.o.Threads, len(e.free)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				off := i * e.nq
				e.params[i] = mstepItem(e.params[i], nodes, c.r0[off:off+e.nq], c.r1[off:off+e.nq], e.which, e.o.Priors, e.o.D, e.cShape[i][0], e.cShape[i][1])
			}
		}()
	}
	wg.Wait()
	if e.shared {
		e.commonSlope(c)
	}
	if e.estMean || e.estSD {
		e.latentStep(c)
	}
}

// itemObjective is the expected complete-data log-likelihood of one item,
// with its gradient and Fisher information over (α, δ, γ).
func itemObjective(s siParams, nodes, r0, r1 []float64, which [3]bool) (v float64, g [3]float64, info [3][3]float64) {
	it := s.item()
	for q, th := range nodes {
		n1, n0 := r1[q], r0[q]
		if n1 == 0 && n0 == 0 {
			continue
		}
		p, r, dP := probGrad(it, th)
		v += n1*math.Log(p) + n0*math.Log(r)
		pq := p * r
		resid := (n1 - (n1+n0)*p) / pq
		w := (n1 + n0) / pq
		for j := range 3 {
			if !which[j] {
				continue
			}
			g[j] += resid * dP[j]
			for k := j; k < 3; k++ {
				if which[k] {
					info[j][k] += w * dP[j] * dP[k]
				}
			}
		}
	}
	for j := range 3 {
		for k := 0; k < j; k++ {
			info[j][k] = info[k][j]
		}
	}
	return
}

// maxNewton is the number of Fisher-scoring steps per item per M-step: the
// M-step need not converge fully for EM to (a generalised EM).
const maxNewton = 6

// mstepItem improves one item's parameters by projected Fisher scoring with
// step halving, and returns the new parameters. A c on its bound 0 stays
// there while ∂/∂c ≤ 0 (the Karush–Kuhn–Tucker condition of the bound);
// when a step that moves c gains nothing, c is held where it is for a step
// in (α, δ).
func mstepItem(s siParams, nodes, r0, r1 []float64, which [3]bool, pr *irt.Priors, D, cA, cB float64) siParams {
	obj := func(s siParams) (float64, [3]float64, [3][3]float64) {
		v, g, info := itemObjective(s, nodes, r0, r1, which)
		pv, pg, ph := logPrior(pr, s, D, cA, cB, which)
		for j := range 3 {
			g[j] += pg[j]
			for k := range 3 {
				info[j][k] -= ph[j][k]
			}
		}
		return v + pv, g, info
	}
	v, g, info := obj(s)
	for range maxNewton {
		free := which
		free[2] = which[2] && (s.c > 0 || g[2] > 0)
		next, _, ok := scoringStep(s, v, g, info, free, obj)
		if !ok && free[2] {
			free[2] = false
			next, _, ok = scoringStep(s, v, g, info, free, obj)
		}
		if !ok {
			break
		}
		moved := math.Abs(next.alpha-s.alpha) + math.Abs(next.delta-s.delta) + math.Abs(next.c-s.c)
		s = next
		if moved < 1e-10 {
			break
		}
		v, g, info = obj(s)
	}
	return s
}

// scoringStep takes the Fisher-scoring step info⁻¹·g over the coordinates
// free from s, where the objective obj is v, with c cut back to 0 where it
// would fall below, halving the step until the objective does not fall
// (or the step is below 1e-8 of its length, when it reports failure).
func scoringStep(s siParams, v float64, g [3]float64, info [3][3]float64, free [3]bool, obj func(siParams) (float64, [3]float64, [3][3]float64)) (siParams, float64, bool) {
	step, ok := solve3(info, g, free)
	if !ok {
		return s, v, false
	}
	for t := 1.0; t >= 1e-8; t /= 2 {
		next := siParams{s.alpha + t*step[0], s.delta + t*step[1], max(s.c+t*step[2], 0)}
		if (free[0] && next.alpha <= 0) || next.c >= 1 {
			continue
		}
		if nv, _, _ := obj(next); notWorse(nv, v) {
			return next, nv, true
		}
	}
	return s, v, false
}

// notWorse reports whether a step that takes an objective from v to nv
// may be kept: nv is not NaN and falls below v by no more than rounding
// (1e-12 relative). Without the slack, whether a step near the maximum is
// kept, when its gain is below rounding, would turn on the last bits of
// the expected counts — on the order in which they were summed.
func notWorse(nv, v float64) bool {
	return nv >= v-1e-12*math.Abs(v) && !math.IsNaN(nv)
}

// solve3 solves info·x = g over the free coordinates (a positive definite
// system of size 1 to 3) by Cholesky; fixed coordinates get 0.
func solve3(a [3][3]float64, b [3]float64, which [3]bool) ([3]float64, bool) {
	var idx []int
	for j, w := range which {
		if w {
			idx = append(idx, j)
		}
	}
	n := len(idx)
	var l [3][3]float64
	for i := range n {
		for j := 0; j <= i; j++ {
			sum := a[idx[i]][idx[j]]
			for k := range j {
				sum -= l[i][k] * l[j][k]
			}
			if i == j {
				if sum <= 0 {
					return [3]float64{}, false
				}
				l[i][i] = math.Sqrt(sum)
			} else {
				l[i][j] = sum / l[j][j]
			}
		}
	}
	var y, x [3]float64
	for i := range n {
		sum := b[idx[i]]
		for k := range i {
			sum -= l[i][k] * y[k]
		}
		y[i] = sum / l[i][i]
	}
	for i := n - 1; i >= 0; i-- {
		sum := y[i]
		for k := i + 1; k < n; k++ {
			sum -= l[k][i] * x[k]
		}
		x[i] = sum / l[i][i]
	}
	var out [3]float64
	for i, j := range idx {
		out[j] = x[i]
	}
	return out, true
}
