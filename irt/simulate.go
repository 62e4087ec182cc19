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

// SimulateOption draws the option an examinee at ability θ chooses on a
// multiple-choice item of n options keyed key (both 1-based): the key with
// probability P(θ) (guessing included, as the 3PL has it), otherwise one
// of the n − 1 other options with equal probability.
func SimulateOption(rng *rand.Rand, item ThreePL, theta float64, key, n int) int {
	if rng.Float64() < item.Prob(theta) {
		return key
	}
	m := 1 + rng.IntN(n-1)
	if m >= key {
		m++
	}
	return m
}
