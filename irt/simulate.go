package irt

import (
	"fmt"
	"math/rand/v2"
)

// Simulate draws a response pattern at ability θ: dst[i] = 1 with
// probability P_i(θ) and 0 otherwise, independently over the items (local
// independence), using one rng.Float64() per item in item order.
//
// If dst is nil a new slice is allocated; otherwise it must have length
// len(items), and Simulate does not allocate.
func Simulate(dst []int8, rng *rand.Rand, items []ThreePL, theta float64) []int8 {
	switch {
	case dst == nil:
		dst = make([]int8, len(items))
	case len(dst) != len(items):
		panic(fmt.Sprintf("irt: destination of length %d for %d items", len(dst), len(items)))
	}
	for i, it := range items {
		dst[i] = 0
		if rng.Float64() < it.Prob(theta) {
			dst[i] = 1
		}
	}
	return dst
}

// DrawTheta draws an ability from N(μ, σ²), σ ≥ 0, as μ + σ·z with z from
// rng.NormFloat64().
func DrawTheta(rng *rand.Rand, mu, sigma float64) float64 {
	return mu + sigma*rng.NormFloat64()
}
