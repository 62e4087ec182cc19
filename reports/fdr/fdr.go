// Package fdr adjusts p-values for multiple testing, so that item
// screens (misfit, DIF) across a bank control the false discovery rate.
package fdr

import (
	"math"
	"slices"
)

// BH returns the Benjamini–Hochberg (1995) adjusted p-values of p,
// which control the false discovery rate across the m tests: with p_(1) ≤
// … ≤ p_(m) the ordered values,
//
//	p̃_(j) = min_{l ≥ j} min(1, m·p_(l)/l).
//
// NaN entries (tests not made) are left NaN and do not count in m.
func BH(p []float64) []float64 {
	out := make([]float64, len(p))
	var idx []int
	for i, v := range p {
		out[i] = math.NaN()
		if !math.IsNaN(v) {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case p[a] < p[b]:
			return -1
		case p[a] > p[b]:
			return 1
		}
		return 0
	})
	m := float64(len(idx))
	run := 1.0
	for j := len(idx) - 1; j >= 0; j-- {
		run = min(run, m*p[idx[j]]/float64(j+1))
		out[idx[j]] = run
	}
	return out
}
