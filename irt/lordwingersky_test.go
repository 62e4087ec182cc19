package irt

import (
	"math"
	"math/rand/v2"
	"testing"
)

// bruteSumScoreDist returns P(X = x | θ) by enumerating all 2^n response
// patterns (local independence).
func bruteSumScoreDist(items []ThreePL, theta float64) []float64 {
	n := len(items)
	dist := make([]float64, n+1)
	for pattern := range 1 << n {
		prob, x := 1.0, 0
		for i, it := range items {
			p := it.Prob(theta)
			if pattern>>i&1 == 1 {
				prob *= p
				x++
			} else {
				prob *= 1 - p
			}
		}
		dist[x] += prob
	}
	return dist
}

// Lord & Wingersky (1984) must reproduce enumeration over all 2^n patterns,
// for mixed 3PL items up to n = 10; error ≈ n·ε.
func TestSumScoreDistBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for n := 0; n <= 10; n++ {
		items := mixedItems(rng, n)
		for _, theta := range []float64{-3, -0.8, 0, 0.5, 2.7} {
			want := bruteSumScoreDist(items, theta)
			got := SumScoreDist(nil, items, theta)
			if len(got) != n+1 {
				t.Fatalf("n = %d: %d scores, want %d", n, len(got), n+1)
			}
			if s := sum(got); math.Abs(s-1) > 1e-14 {
				t.Errorf("n = %d, θ = %g: Σ P(X = x) = %.17g, want 1", n, theta, s)
			}
			for x := range want {
				if math.Abs(got[x]-want[x]) > 1e-14 {
					t.Errorf("n = %d, θ = %g: P(X = %d) = %.17g, enumeration %.17g", n, theta, x, got[x], want[x])
				}
			}
		}
	}
}

// The conditional distribution's mean is the TCC and its variance Σ P_i·Q_i
// (a sum of independent Bernoulli variables), for any test length.
func TestSumScoreDistMoments(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	items := mixedItems(rng, 50)
	dst := make([]float64, len(items)+1)
	for _, theta := range []float64{-4, -1, 0, 1.5, 4} {
		SumScoreDist(dst, items, theta)
		var mean, second, wantVar float64
		for x, p := range dst {
			mean += float64(x) * p
			second += float64(x*x) * p
		}
		for _, it := range items {
			p, q := it.PQ(theta)
			wantVar += p * q
		}
		if tcc := TCC(items, theta); math.Abs(mean-tcc) > 1e-12 || math.Abs(second-mean*mean-wantVar) > 1e-10 {
			t.Errorf("θ = %g: mean %.15g, variance %.15g; want TCC %.15g, Σ PQ %.15g", theta, mean, second-mean*mean, tcc, wantVar)
		}
	}
}

// The marginal distribution and the summed-score EAP table must match the
// same quantities computed from enumerated conditional distributions; the
// table must also satisfy the laws of total expectation and variance over
// the grid's prior.
func TestSumScoreMarginalAndEAPSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	items := mixedItems(rng, 9)
	n := len(items)
	q := DefaultGrid()
	marg := make([]float64, n+1)
	s0, s1, s2 := make([]float64, n+1), make([]float64, n+1), make([]float64, n+1)
	for k, x := range q.Nodes {
		for s, p := range bruteSumScoreDist(items, x) {
			m := q.Weights[k] * p
			marg[s] += m
			s0[s] += m
			s1[s] += m * x
			s2[s] += m * x * x
		}
	}
	gotMarg := SumScoreMarginal(nil, items, q)
	table := EAPSum(nil, items, q)
	priorMean, priorVar := moments(q)
	var totalMean, totalVar float64
	for s := range marg {
		mean := s1[s] / s0[s]
		sd := math.Sqrt(s2[s]/s0[s] - mean*mean)
		if math.Abs(gotMarg[s]-marg[s]) > 1e-15 {
			t.Errorf("P(X = %d) = %.17g, enumeration %.17g", s, gotMarg[s], marg[s])
		}
		if math.Abs(table[s].Theta-mean) > 1e-12 || math.Abs(table[s].SE-sd) > 1e-12 {
			t.Errorf("EAP[θ | X = %d] = %+v, enumeration %.15g, %.15g", s, table[s], mean, sd)
		}
		totalMean += gotMarg[s] * table[s].Theta
		totalVar += gotMarg[s] * (table[s].SE*table[s].SE + (table[s].Theta-priorMean)*(table[s].Theta-priorMean))
	}
	if math.Abs(sum(gotMarg)-1) > 1e-14 || math.Abs(totalMean-priorMean) > 1e-14 || math.Abs(totalVar-priorVar) > 1e-13 {
		t.Errorf("Σ P(x) = %.17g, Σ P(x)·E[θ|x] = %.17g, total variance %.17g; want 1, %g, %.17g", sum(gotMarg), totalMean, totalVar, priorMean, priorVar)
	}
	// Higher scores mean higher ability for items with A > 0.
	for s := 1; s <= n; s++ {
		if table[s].Theta <= table[s-1].Theta {
			t.Errorf("EAP[θ | X = %d] = %g is not above EAP[θ | X = %d] = %g", s, table[s].Theta, s-1, table[s-1].Theta)
		}
	}
}

func TestScoreDestinationPanics(t *testing.T) {
	items := []ThreePL{{A: 1, D: 1}, {A: 1, D: 1}}
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"SumScoreDist", func() { SumScoreDist(make([]float64, 2), items, 0) }},
		{"SumScoreMarginal", func() { SumScoreMarginal(make([]float64, 4), items, DefaultGrid()) }},
		{"EAPSum", func() { EAPSum(make([]Estimate, 1), items, DefaultGrid()) }},
		{"Simulate", func() { Simulate(make([]int8, 3), rand.New(rand.NewPCG(1, 1)), items, 0) }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic for a destination of the wrong length", c.name)
				}
			}()
			c.f()
		}()
	}
}
