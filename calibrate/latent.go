package calibrate

import "math"

// The latent distribution is N(μ, σ²), N(0, 1) unless estimated. The grid
// Options.Grid is a rule for N(0, 1), nodes z_q and weights π_q; the engine
// integrates over N(μ, σ²) with the same weights at the moved nodes
// θ_q = μ + σ·z_q (irt.Quadrature.Rescale's rule), which is exact for any
// rule — equally spaced nodes with normal weights, or Gauss–Hermite, whose
// weights are not density values — and never writes the caller's grid.
//
// μ and σ are estimated with anchors (Options.Fixed) or
// Options.EstimateLatent, and σ alone, μ = 0, for the Rasch model. Each
// M-step then raises, with the items held, the expected complete-data
// log-likelihood in them (a conditional maximisation step: Meng & Rubin
// 1993, Biometrika 80, 267–278)
//
//	Σ_i Σ_q r1_iq·log P_i(μ + σ·z_q) + r0_iq·log Q_i(μ + σ·z_q),
//
// over the items in the likelihood, by Fisher scoring: at z_q an item of
// slope α and intercept δ is the item of slope α·σ and intercept α·μ + δ, so
// that ∂/∂μ = α·∂/∂intercept and ∂/∂σ = α·∂/∂slope.

// setNodes moves the nodes to θ_q = μ + σ·z_q for the current μ and σ.
func (e *engine) setNodes() {
	for q, z := range e.o.Grid.Nodes {
		e.theta[q] = e.mu + e.sd*z
	}
}

// nodes are the nodes θ_q of the last E-step.
func (e *engine) nodes() []float64 { return e.theta }

// latentStep raises the expected complete-data log-likelihood of the
// counts c in the estimated latent moments, the items held, by Fisher
// scoring with step halving.
func (e *engine) latentStep(c *counts) {
	z := e.o.Grid.Nodes
	free := [3]bool{e.estMean, e.estSD, false}
	// total is the objective, with its gradient and information over (μ, σ).
	total := func(mu, sd float64) (v float64, g [3]float64, info [3][3]float64) {
		for i, act := range e.active {
			if !act {
				continue
			}
			s := e.params[i]
			off := i * e.nq
			moved := siParams{alpha: s.alpha * sd, delta: s.alpha*mu + s.delta, c: s.c}
			iv, ig, ii := itemObjective(moved, z, c.r0[off:off+e.nq], c.r1[off:off+e.nq], [3]bool{true, true, false})
			a2 := s.alpha * s.alpha
			v += iv
			g[0] += s.alpha * ig[1]
			g[1] += s.alpha * ig[0]
			info[0][0] += a2 * ii[1][1]
			info[0][1] += a2 * ii[0][1]
			info[1][1] += a2 * ii[0][0]
		}
		info[1][0] = info[0][1]
		return
	}
	mu, sd := e.mu, e.sd
	v, g, info := total(mu, sd)
	for range maxNewton {
		step, ok := solve3(info, g, free)
		if !ok {
			break
		}
		t := 1.0
		for ; t >= 1e-8; t /= 2 {
			if s := sd + t*step[1]; s > 0 {
				if nv, _, _ := total(mu+t*step[0], s); notWorse(nv, v) {
					break
				}
			}
		}
		if t < 1e-8 {
			break
		}
		mu, sd = mu+t*step[0], sd+t*step[1]
		if math.Abs(t*step[0])+math.Abs(t*step[1]) < 1e-10 {
			break
		}
		v, g, info = total(mu, sd)
	}
	e.mu, e.sd = mu, sd
}
