package irt

import (
	"fmt"
	"math"
)

// SumScoreDist returns the conditional distribution of the summed
// (number-correct) score X of the items at θ: dst[x] = P(X = x | θ) for
// x = 0, …, n, n = len(items). It uses the recursion of Lord & Wingersky
// (1984): with f_r the distribution over the first r items,
//
//	f_r(x) = f_{r−1}(x)·Q_r + f_{r−1}(x − 1)·P_r,   f_0(0) = 1,
//
// which costs O(n²) and is exact up to rounding.
//
// If dst is nil a new slice is allocated; otherwise it must have length
// n + 1, and SumScoreDist does not allocate.
func SumScoreDist(dst []float64, items []ThreePL, theta float64) []float64 {
	dst = scoreSlice(dst, len(items))
	dst[0] = 1
	for r, it := range items {
		p, q := it.PQ(theta)
		// dst[:r+1] holds f_r, over the first r items; extend it by
		// f_r(r + 1) = 0 and overwrite it with f_{r+1} in one pass.
		f := dst[:r+2]
		f[r+1] = 0
		var prev float64 // f_r(x − 1)
		for x, cur := range f {
			f[x] = cur*q + prev*p
			prev = cur
		}
	}
	return dst
}

// SumScoreMarginal returns the marginal distribution of the summed score
// over the ability distribution q: dst[x] = Σ_k w_k·P(X = x | θ_k), the
// mixture of SumScoreDist over q's nodes θ_k and weights w_k.
//
// If dst is nil a new slice is allocated; otherwise it must have length
// len(items) + 1. One scratch slice of that length is allocated.
func SumScoreMarginal(dst []float64, items []ThreePL, q Quadrature) []float64 {
	dst = scoreSlice(dst, len(items))
	clear(dst)
	f := make([]float64, len(items)+1)
	for k, x := range q.Nodes {
		SumScoreDist(f, items, x)
		w := q.Weights[k]
		for s, v := range f {
			dst[s] += w * v
		}
	}
	return dst
}

// EAPSum returns the summed-score EAP table (Thissen & Orlando 2001): for
// each summed score x = 0, …, n, dst[x].Theta = E[θ | X = x] and dst[x].SE
// its posterior standard deviation, with q as the prior:
//
//	E[θ | X = x] = Σ_k θ_k·P(X = x | θ_k)·w_k / Σ_k P(X = x | θ_k)·w_k.
//
// If dst is nil a new slice is allocated; otherwise it must have length
// len(items) + 1. One scratch slice of twice that length is allocated.
//
// For very long tests the probability of an extreme score can underflow at
// every node; the entry for that score is then NaN.
func EAPSum(dst []Estimate, items []ThreePL, q Quadrature) []Estimate {
	n := len(items)
	switch {
	case dst == nil:
		dst = make([]Estimate, n+1)
	case len(dst) != n+1:
		panic(fmt.Sprintf("irt: destination of length %d for %d items", len(dst), n))
	}
	scratch := make([]float64, 2*(n+1))
	f, mass := scratch[:n+1], scratch[n+1:]
	// Accumulate Σ w·f, Σ w·f·x and Σ w·f·x² in mass, Theta and SE.
	clear(dst)
	for k, x := range q.Nodes {
		SumScoreDist(f, items, x)
		w := q.Weights[k]
		for s, v := range f {
			m := w * v
			mass[s] += m
			dst[s].Theta += m * x
			dst[s].SE += m * x * x
		}
	}
	for s, m := range mass {
		mean := dst[s].Theta / m
		dst[s] = Estimate{Theta: mean, SE: math.Sqrt(max(0, dst[s].SE/m-mean*mean))}
	}
	return dst
}

// scoreSlice returns dst, or a new slice if dst is nil, after checking that
// it can hold a distribution over the scores 0, …, n.
func scoreSlice(dst []float64, n int) []float64 {
	switch {
	case dst == nil:
		return make([]float64, n+1)
	case len(dst) != n+1:
		panic(fmt.Sprintf("irt: destination of length %d for %d items", len(dst), n))
	}
	return dst
}
