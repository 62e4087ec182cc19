package irt

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Each simulated response is Bernoulli(P_i(θ)): over R draws the proportion
// correct lies within 4·√(P·Q/R) of P (a 4-sigma binomial bound).
func TestSimulate(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	items := mixedItems(rng, 8)
	const reps = 20000
	for _, theta := range []float64{-1.5, 0, 2} {
		counts := make([]int, len(items))
		resp := make([]int8, len(items))
		for range reps {
			for i, u := range Simulate(resp, rng, items, theta) {
				counts[i] += int(u)
			}
		}
		for i, it := range items {
			p, q := it.PQ(theta)
			if got := float64(counts[i]) / reps; math.Abs(got-p) > 4*math.Sqrt(p*q/reps) {
				t.Errorf("θ = %g, item %d: proportion correct %.4f, P = %.4f", theta, i, got, p)
			}
		}
	}
	a := Simulate(nil, rand.New(rand.NewPCG(5, 5)), items, 0.3)
	b := Simulate(nil, rand.New(rand.NewPCG(5, 5)), items, 0.3)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("the same seed gave different patterns %v and %v", a, b)
		}
	}
}

// DrawTheta's sample mean and SD over R draws lie within 4 standard errors
// of μ and σ (SE σ/√R and σ/√(2R)).
func TestDrawTheta(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	const reps, mu, sigma = 100000, -0.3, 1.4
	var s, ss float64
	for range reps {
		x := DrawTheta(rng, mu, sigma)
		s += x
		ss += x * x
	}
	mean := s / reps
	sd := math.Sqrt((ss - reps*mean*mean) / (reps - 1))
	if math.Abs(mean-mu) > 4*sigma/math.Sqrt(reps) || math.Abs(sd-sigma) > 4*sigma/math.Sqrt(2*reps) {
		t.Errorf("DrawTheta: mean %.4f, SD %.4f; want %g, %g", mean, sd, mu, sigma)
	}
}
