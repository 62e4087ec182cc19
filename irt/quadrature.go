package irt

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// Quadrature is a discrete ability distribution used to integrate over θ:
// Σ_k Weights[k]·f(Nodes[k]) approximates E[f(θ)]. It serves both as the
// prior of EAP scoring and as the latent distribution of marginal
// summed-score and MML computations.
type Quadrature struct {
	// Nodes are the θ values, in increasing order.
	Nodes []float64
	// Weights are the probability masses at the nodes, parallel to
	// Nodes: nonnegative and summing to 1.
	Weights []float64
}

// NormalGrid returns n ≥ 2 equally spaced nodes from lo to hi inclusive
// (lo < hi), weighted by the N(0, 1) density and normalised to sum to 1.
// This is how R's mirt builds its unidimensional grid (Chalmers 2012).
func NormalGrid(n int, lo, hi float64) Quadrature {
	if n < 2 || !(lo < hi) {
		panic(fmt.Sprintf("irt: normal grid of %d nodes on [%g, %g]", n, lo, hi))
	}
	q := Quadrature{Nodes: make([]float64, n), Weights: make([]float64, n)}
	h := (hi - lo) / float64(n-1)
	for k := range q.Nodes {
		q.Nodes[k] = lo + float64(k)*h
	}
	q.Nodes[n-1] = hi
	q.SetNormalWeights(0, 1)
	return q
}

// DefaultGrid returns passport's default quadrature, as in mirt: 61 equally
// spaced nodes on [−6, 6] with normalised N(0, 1) weights.
func DefaultGrid() Quadrature {
	return DefaultGridSpec.Quadrature()
}

// SetNormalWeights overwrites q.Weights, in place, with the N(μ, σ²) density
// at the (unchanged) nodes normalised to sum to 1; σ > 0. An EM step that
// estimates the latent mean and SD on a fixed grid reweights it this way.
func (q *Quadrature) SetNormalWeights(mu, sigma float64) {
	var sum float64
	for k, x := range q.Nodes {
		z := (x - mu) / sigma
		q.Weights[k] = math.Exp(-z * z / 2)
		sum += q.Weights[k]
	}
	for k := range q.Weights {
		q.Weights[k] /= sum
	}
}

// WithNormalWeights returns a new quadrature on a copy of q's nodes with
// the weights SetNormalWeights(μ, σ) gives them; q is unchanged. σ > 0.
func (q Quadrature) WithNormalWeights(mu, sigma float64) Quadrature {
	r := Quadrature{Nodes: slices.Clone(q.Nodes), Weights: make([]float64, len(q.Nodes))}
	r.SetNormalWeights(mu, sigma)
	return r
}

// Rescale returns a new quadrature for μ + σ·θ: the nodes are moved to
// μ + σ·x and the weights copied. Applied to a rule for N(0, 1), such as
// GaussHermite, it gives the same rule for N(μ, σ²); σ > 0.
func (q Quadrature) Rescale(mu, sigma float64) Quadrature {
	r := Quadrature{Nodes: make([]float64, len(q.Nodes)), Weights: make([]float64, len(q.Weights))}
	for k, x := range q.Nodes {
		r.Nodes[k] = mu + sigma*x
	}
	copy(r.Weights, q.Weights)
	return r
}

// GaussHermite returns the n-point Gauss–Hermite rule for the standard
// normal distribution (probabilists' Hermite polynomials He_n): the nodes are
// the zeros of He_n and the weights sum to 1, so that the rule integrates
// E[f(θ)], θ ~ N(0, 1), exactly when f is a polynomial of degree < 2n. In
// terms of the physicists' rule for ∫exp(−x²)f(x)dx tabulated by Abramowitz
// & Stegun (Table 25.10), the nodes are √2·x_i and the weights w_i/√π. Use
// Rescale for N(μ, σ²). n must be positive; for n beyond about 350 the
// outermost weights underflow to 0.
//
// The nodes are the eigenvalues of the Jacobi matrix of He_n (Golub &
// Welsch 1969), polished by Newton's method on the orthonormal polynomials
// p_k = He_k/√k!, and the weights are w_i = 1/(n·p_{n−1}(x_i)²).
func GaussHermite(n int) Quadrature {
	if n < 1 {
		panic(fmt.Sprintf("irt: Gauss–Hermite rule of %d nodes", n))
	}
	// He_{k+1} = x·He_k − k·He_{k−1}: the symmetric Jacobi matrix has a zero
	// diagonal and √k on the off-diagonals.
	jac := mat.NewSymDense(n, nil)
	for k := 1; k < n; k++ {
		jac.SetSym(k-1, k, math.Sqrt(float64(k)))
	}
	var eig mat.EigenSym
	if !eig.Factorize(jac, false) {
		panic("irt: Gauss–Hermite eigenvalues did not converge")
	}
	q := Quadrature{Nodes: eig.Values(nil), Weights: make([]float64, n)}
	for k, x := range q.Nodes {
		for range 3 {
			pn, pn1 := orthoHermite(n, x)
			if dx := pn / (math.Sqrt(float64(n)) * pn1); !math.IsNaN(dx) && !math.IsInf(dx, 0) {
				x -= dx
			}
		}
		_, pn1 := orthoHermite(n, x)
		q.Nodes[k], q.Weights[k] = x, 1/(float64(n)*pn1*pn1)
	}
	// The rule is symmetric about 0: average mirrored pairs so that it is
	// exactly so, then normalise.
	for k := range n / 2 {
		m := n - 1 - k
		x := (q.Nodes[m] - q.Nodes[k]) / 2
		w := (q.Weights[m] + q.Weights[k]) / 2
		q.Nodes[k], q.Nodes[m] = -x, x
		q.Weights[k], q.Weights[m] = w, w
	}
	if n%2 == 1 {
		q.Nodes[n/2] = 0
	}
	var sum float64
	for _, w := range q.Weights {
		sum += w
	}
	for k := range q.Weights {
		q.Weights[k] /= sum
	}
	return q
}

// orthoHermite returns p_n(x) and p_{n−1}(x), n ≥ 1, for the probabilists' Hermite
// polynomials normalised to be orthonormal under N(0, 1), p_k = He_k/√k!:
//
//	p_0 = 1, p_1 = x, p_{k+1} = (x·p_k − √k·p_{k−1})/√(k+1).
//
// Since He_n′ = n·He_{n−1}, p_n′ = √n·p_{n−1}.
func orthoHermite(n int, x float64) (pn, pn1 float64) {
	pn, pn1 = x, 1
	for k := 1; k < n; k++ {
		pn, pn1 = (x*pn-math.Sqrt(float64(k))*pn1)/math.Sqrt(float64(k+1)), pn
	}
	return pn, pn1
}
