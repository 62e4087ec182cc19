package irt

import (
	"math"
	"testing"
)

func TestSlopeInterceptConversion(t *testing.T) {
	for _, test := range []struct {
		item   ThreePL
		si     SlopeIntercept
		source string
	}{
		{ThreePL{A: 1, B: 0, C: 0, D: 1}, SlopeIntercept{Slope: 1, Intercept: 0, Guess: 0}, "identity"},
		{ThreePL{A: 2, B: 0.5, C: 0.2, D: 1}, SlopeIntercept{Slope: 2, Intercept: -1, Guess: 0.2}, "by hand: −2·0.5"},
		{ThreePL{A: 1, B: -0.5, C: 0.25, D: 1.7}, SlopeIntercept{Slope: 1.7, Intercept: 0.85, Guess: 0.25}, "by hand: −1.7·(−0.5)"},
		// LSAT7 item 3 as printed by mirt (a1 = 1.706, d = 1.804):
		// b = −d/a1 (shared/reference/README.md).
		{ThreePL{A: 1.706, B: -1.804 / 1.706, C: 0, D: 1}, SlopeIntercept{Slope: 1.706, Intercept: 1.804, Guess: 0}, "LSAT7 item 3, mirt"},
	} {
		const tol = 1e-15 // relative: one or two roundings
		got := test.item.SlopeIntercept()
		if !closeRel(got.Slope, test.si.Slope, tol) || !closeRel(got.Intercept, test.si.Intercept, tol) || got.Guess != test.si.Guess {
			t.Errorf("%+v.SlopeIntercept() = %+v, want %+v (%s)", test.item, got, test.si, test.source)
		}
		back := test.si.ThreePL(test.item.D)
		if !closeRel(back.A, test.item.A, tol) || !closeRel(back.B, test.item.B, tol) || back.C != test.item.C || back.D != test.item.D {
			t.Errorf("%+v.ThreePL(%g) = %+v, want %+v (%s)", test.si, test.item.D, back, test.item, test.source)
		}
		for _, theta := range []float64{-4, -1, 0, 0.3, 2.5} {
			if p, want := test.si.Prob(theta), test.item.Prob(theta); !closeRel(p, want, 1e-14) {
				t.Errorf("%+v.Prob(%g) = %.17g, ThreePL gives %.17g", test.si, theta, p, want)
			}
		}
	}
}

// Central differences: error O(h²) ≈ 1e-10 plus rounding ≈ 1e-11.
func TestSlopeInterceptGrad(t *testing.T) {
	const h, tol = 1e-5, 1e-8 // absolute
	for _, si := range []SlopeIntercept{
		{Slope: 1, Intercept: 0, Guess: 0},
		{Slope: 2.2, Intercept: -0.7, Guess: 0.2},
		{Slope: 0.6, Intercept: 1.9, Guess: 0.31},
	} {
		for _, theta := range []float64{-3, -0.5, 0, 1.2, 2.8} {
			shifted := func(dS, dI, dG float64) float64 {
				return SlopeIntercept{Slope: si.Slope + dS, Intercept: si.Intercept + dI, Guess: si.Guess + dG}.Prob(theta)
			}
			ds, di, dg := si.Grad(theta)
			for _, g := range []struct {
				name     string
				got, num float64
			}{
				{"∂P/∂Slope", ds, (shifted(h, 0, 0) - shifted(-h, 0, 0)) / (2 * h)},
				{"∂P/∂Intercept", di, (shifted(0, h, 0) - shifted(0, -h, 0)) / (2 * h)},
				{"∂P/∂Guess", dg, (shifted(0, 0, h) - shifted(0, 0, -h)) / (2 * h)},
			} {
				if math.Abs(g.got-g.num) > tol {
					t.Errorf("%+v: %s at %g = %g, central difference %g", si, g.name, theta, g.got, g.num)
				}
			}
		}
	}
}
