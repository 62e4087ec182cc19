package calibrate

import "math"

// commonSlope updates the 1PL's shared slope by Fisher scoring, with step
// halving, on the summed expected log-likelihood of the estimated items plus
// their priors on b = −δ/α, which depend on the slope too; the counts c are
// held fixed. The 1PL has no prior on its slope (Priors.LogASD is not used).
func (e *engine) commonSlope(c *counts) {
	nodes := e.nodes()
	bPrior := *e.o.Priors
	bPrior.LogASD = 0
	total := func(alpha float64) (v, g, info float64) {
		for _, i := range e.free {
			off := i * e.nq
			s := e.params[i]
			s.alpha = alpha
			iv, ig, ii := itemObjective(s, nodes, c.r0[off:off+e.nq], c.r1[off:off+e.nq], [3]bool{true, false, false})
			// The b prior's value and its derivatives in α.
			pv, pg, ph := logPrior(&bPrior, s, e.o.D, 0, 0, [3]bool{true, true, false})
			v += iv + pv
			g += ig[0] + pg[0]
			info += ii[0][0] - ph[0][0]
		}
		return
	}
	alpha := e.params[e.free[0]].alpha
	v, g, info := total(alpha)
	for range maxNewton {
		if info <= 0 {
			break
		}
		step, t := g/info, 1.0
		for ; t > 1e-8; t /= 2 {
			if a := alpha + t*step; a > 0 {
				if nv, _, _ := total(a); notWorse(nv, v) {
					break
				}
			}
		}
		if t <= 1e-8 {
			break
		}
		alpha += t * step
		if math.Abs(t*step) < 1e-10 {
			break
		}
		v, g, info = total(alpha)
	}
	for _, i := range e.free {
		e.params[i].alpha = alpha
	}
}
