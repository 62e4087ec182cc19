package calibrate

import (
	"math"

	"github.com/passportirt/passport/irt"
)

// Inside the optimiser an item is in slope–intercept form,
//
//	P(θ) = c + (1 − c)·σ(α·θ + δ),  c = σ(γ),
//
// with σ the logistic function, so that α = D·a, δ = −D·a·b. The
// M-step maximises, for each item separately, the expected complete-data
// log-likelihood (Bock & Aitkin 1981, eq. 11)
//
//	Σ_q r1_q·log P(θ_q) + r0_q·log(1 − P(θ_q))
//
// plus the log prior density of the item's IRT parameters (a, b, c), by
// Fisher scoring.
type siParams struct {
	alpha, delta, gamma float64
}

func logit(p float64) float64 { return math.Log(p / (1 - p)) }

// probClamp keeps P away from 0 and 1 so that logs stay finite.
const probClamp = 1e-12

// prob returns P(θ) and ψ = σ(αθ + δ).
func (s siParams) prob(theta float64, c float64) (p, psi float64) {
	psi = irt.Logistic(s.alpha*theta + s.delta)
	p = c + (1-c)*psi
	return min(max(p, probClamp), 1-probClamp), psi
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

// itemObjective is the expected complete-data log-likelihood of one item,
// with its gradient and Fisher information over (α, δ, γ).
func itemObjective(s siParams, nodes, r0, r1 []float64, which [3]bool) (v float64, g [3]float64, info [3][3]float64) {
	c := irt.Logistic(s.gamma) // 0 for γ = −∞ (no lower asymptote)
	dc := c * (1 - c)
	for q, th := range nodes {
		n1, n0 := r1[q], r0[q]
		if n1 == 0 && n0 == 0 {
			continue
		}
		p, psi := s.prob(th, c)
		v += n1*math.Log(p) + n0*math.Log1p(-p)
		dz := (1 - c) * psi * (1 - psi) // ∂P/∂z
		dP := [3]float64{th * dz, dz, (1 - psi) * dc}
		pq := p * (1 - p)
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

// mstepItem improves one item's parameters by Fisher scoring with step
// halving, and returns the new parameters.
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
		step, ok := solve3(info, g, which)
		if !ok {
			break
		}
		t := 1.0
		var next siParams
		var nv float64
		for range 30 {
			next = siParams{s.alpha + t*step[0], s.delta + t*step[1], s.gamma + t*step[2]}
			if next.alpha > 0 || !which[0] {
				nv, _, _ = obj(next)
				if nv >= v-1e-12*math.Abs(v) && !math.IsNaN(nv) {
					break
				}
			}
			t /= 2
		}
		if t < 1e-8 {
			break
		}
		var moved float64
		for j, w := range which {
			if w {
				moved += math.Abs(t * step[j])
			}
		}
		s = next
		if moved < 1e-10 {
			break
		}
		v, g, info = obj(s)
	}
	return s
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
