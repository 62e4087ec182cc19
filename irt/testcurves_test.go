package irt

import (
	"math"
	"testing"
)

func TestTCCAndTestInfo(t *testing.T) {
	for _, test := range []struct {
		items     []ThreePL
		theta     float64
		tcc, info float64
		tol       float64 // relative
		source    string
	}{
		{nil, 0.3, 0, 0, 0, "empty test"},
		{
			[]ThreePL{{A: 1, B: 0, D: 1}, {A: 1, B: 0, D: 1}, {A: 1, B: 0, D: 1}}, 0,
			1.5, 0.75, 1e-15, "3 Rasch items at θ = B: 3·½ and 3·¼",
		},
		{
			// Rasch items at B = ∓ln 3 give ψ = 3/4 and 1/4 at θ = 0.
			[]ThreePL{{A: 1, B: -ln3, D: 1}, {A: 1, B: ln3, D: 1}}, 0,
			1, 2 * 3.0 / 16, 1e-15, "ψ = 3/4, 1/4: T = 1, I = 2·(3/16)",
		},
		{
			// The closed-form items of TestThreePLProbInfo.
			[]ThreePL{{A: 2, B: 0.5, C: 0.2, D: 1}, {A: 2, B: 0.5 + ln3, C: 0.2, D: 1}}, 0.5 + ln3/2,
			0.8 + 0.4, 0.5625 + 0.375, 1e-14, "ψ = 3/4, 1/4 with C = 0.2",
		},
	} {
		if got := TCC(test.items, test.theta); !closeRel(got, test.tcc, test.tol) {
			t.Errorf("TCC(%v, %g) = %.17g, want %.17g (%s)", test.items, test.theta, got, test.tcc, test.source)
		}
		if got := TestInfo(test.items, test.theta); !closeRel(got, test.info, test.tol) {
			t.Errorf("TestInfo(%v, %g) = %.17g, want %.17g (%s)", test.items, test.theta, got, test.info, test.source)
		}
	}
}

// The slope of the test characteristic curve is dT/dθ = Σ P′_i.
func TestTCCDerivative(t *testing.T) {
	const h, tol = 1e-5, 1e-8 // central difference, absolute
	items := []ThreePL{{A: 1.2, B: -1, C: 0.2, D: 1.7}, {A: 0.7, B: 0.4, D: 1}, {A: 2, B: 1.5, C: 0.1, D: 1.702}}
	for _, theta := range []float64{-2, 0, 1.3} {
		var want float64
		for _, it := range items {
			want += it.DProb(theta)
		}
		if got := (TCC(items, theta+h) - TCC(items, theta-h)) / (2 * h); math.Abs(got-want) > tol {
			t.Errorf("dTCC/dθ at %g = %g, Σ P′ = %g", theta, got, want)
		}
	}
}
