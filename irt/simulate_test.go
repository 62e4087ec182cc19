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

// TestSimulateOption: over 200,000 draws the key is chosen with frequency
// P(θ) and each other option with (1 − P)/(n − 1), within 4 binomial SDs.
func TestSimulateOption(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	item := ThreePL{A: 1.2, B: 0.3, C: 0.2, D: 1}
	const draws, n, key = 200000, 4, 3
	counts := make([]int, n+1)
	for range draws {
		counts[SimulateOption(rng, item, -0.5, key, n)]++
	}
	p := item.Prob(-0.5)
	for o := 1; o <= n; o++ {
		want := (1 - p) / (n - 1)
		if o == key {
			want = p
		}
		got := float64(counts[o]) / draws
		if sd := math.Sqrt(want * (1 - want) / draws); math.Abs(got-want) > 4*sd {
			t.Errorf("option %d: frequency %.4f, want %.4f ± %.4f", o, got, want, 4*sd)
		}
	}
	if counts[0] != 0 {
		t.Errorf("%d draws of option 0", counts[0])
	}
}
