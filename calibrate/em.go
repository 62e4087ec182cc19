package calibrate

import (
	"fmt"
	"math"
)

// iterate runs EM from the packed parameters x until an iteration moves no
// coordinate by more than Tol — mirt's stopping rule, applied to the
// packed coordinates (α, δ, c, and the common slope, μ, log σ where
// estimated) — or MaxCycles EM cycles have
// run. An iteration is one EM cycle, or with SQUAREM (the default) one
// accelerated step of up to three cycles. It returns the last point.
func (e *engine) iterate(x []float64) (last []float64, converged bool, cycles int, reason string) {
	o := e.o
	// cycle is the EM map x → F(x); it returns the log posterior at x, and
	// counts and reports the cycle.
	cycle := func(x []float64) ([]float64, float64) {
		e.unpack(x)
		lp := e.emStep()
		fx := e.pack()
		cycles++
		if o.Progress != nil {
			o.Progress(Cycle{N: cycles, LogLik: lp, MaxChange: maxAbsDiff(fx, x)})
		}
		return fx, lp
	}
	for cycles < o.MaxCycles {
		var next []float64
		if o.NoAccel {
			next, _ = cycle(x)
		} else {
			next = squarem(x, cycle, e.admit)
		}
		change := maxAbsDiff(next, x)
		x = next
		if change < o.Tol {
			return x, true, cycles, ""
		}
	}
	return x, false, cycles, noConvergence(o)
}

// noConvergence is the reason a run stopped at the cycle limit.
func noConvergence(o Options) string {
	return fmt.Sprintf("no convergence in %d EM cycles (tolerance %g)", o.MaxCycles, o.Tol)
}

// emStep is one EM cycle from the current parameters: the E-step, then the
// M-step. It returns the log posterior at the parameters it started from.
func (e *engine) emStep() float64 {
	c := e.evaluate()
	start := c.loglik + e.logPriorTotal()
	e.mstep(c)
	return start
}

// evaluate runs the E-step at the current parameters: it moves the nodes
// to the latent distribution's θ_q = μ + σ·z_q, tabulates log P_i(θ_q) and
// log Q_i(θ_q) of every active item there, and computes the expected
// counts (Bock & Aitkin 1981, eq. 9–10) and the marginal log-likelihood.
func (e *engine) evaluate() *counts {
	e.setNodes()
	nodes := e.nodes()
	for i := range e.d.NItems() {
		off := i * e.nq
		if !e.active[i] {
			clear(e.logP0[off : off+e.nq])
			clear(e.logP1[off : off+e.nq])
			continue
		}
		it := e.params[i].item()
		for q, th := range nodes {
			p, r := clampPQ(it.PQ(th))
			e.logP1[off+q], e.logP0[off+q] = math.Log(p), math.Log(r)
		}
	}
	e.last = e.es.run(e.logP0, e.logP1, e.logPrior)
	return e.last
}

// maxAbsDiff is max_k |a_k − b_k|.
func maxAbsDiff(a, b []float64) float64 {
	var m float64
	for k := range a {
		m = max(m, math.Abs(a[k]-b[k]))
	}
	return m
}
