package irt

import (
	"math"
	"testing"
)

// Items at which P and I are known in closed form: z = D·A·(θ − B) = ±ln 3
// gives ψ = 3/4 or 1/4, z = ln 4 gives ψ = 4/5, and
// I = (D·A)²·(Q/P)·ψ².
var ln3, ln4 = math.Log(3), math.Log(4)

func TestThreePLProbInfo(t *testing.T) {
	for _, test := range []struct {
		item       ThreePL
		theta      float64
		prob, info float64
		tol        float64 // relative
		source     string
	}{
		{ThreePL{A: 1, B: 0, C: 0, D: 1}, 0, 0.5, 0.25, 1e-15, "ψ = 1/2, I = ψ(1−ψ)"},
		{ThreePL{A: 2, B: 0.5, C: 0.2, D: 1}, 0.5 + ln3/2, 0.8, 0.5625, 1e-14, "ψ = 3/4: P = .2+.8·.75, I = 4·(.2/.8)·.75²"},
		{ThreePL{A: 2, B: 0.5, C: 0.2, D: 1}, 0.5 - ln3/2, 0.4, 0.375, 1e-14, "ψ = 1/4: P = .2+.8·.25, I = 4·(.6/.4)·.25²"},
		{ThreePL{A: 1 / 1.7, B: -1, C: 0.25, D: 1.7}, -1 + ln4, 0.85, 0.096 / 0.85, 1e-14, "ψ = 4/5: P = .25+.75·.8, I = (.15/.85)·.8²"},
		{ThreePL{A: 1.3, B: -0.4, C: 0.17, D: 1.702}, -2, 0.19339845052823073308, 0.016226688187025365612, 1e-14, "mpmath, 30 digits"},
		{ThreePL{A: 1.3, B: -0.4, C: 0.17, D: 1.702}, 0.3, 0.85453688739869037632, 0.56684641561284021291, 1e-14, "mpmath, 30 digits"},
		{ThreePL{A: 1.3, B: -0.4, C: 0.17, D: 1.702}, 2.5, 0.99864574331255315914, 0.0066172413140437931568, 1e-13, "mpmath, 30 digits"},
		{ThreePL{A: 0.8, B: 1.2, C: 0, D: 1}, -1.5, 0.10340045145824958288, 0.059333630781747042938, 1e-14, "mpmath, 30 digits"},
		{ThreePL{A: 0.8, B: 1.2, C: 0, D: 1}, 1, 0.46008511544443431908, 0.15898035327418615314, 1e-14, "mpmath, 30 digits"},
		{ThreePL{A: 1.5, B: 0, C: 0, D: 1.7}, 40, 1, 3.2737326270369298035e-44, 1e-13, "mpmath, 120 digits: far tail"},
		{ThreePL{A: 1.5, B: 0, C: 0, D: 1.7}, -40, 5.0345753587649823968e-45, 3.2737326270369298035e-44, 1e-13, "mpmath, 120 digits: far tail"},
		{ThreePL{A: 1.5, B: 0, C: 0.2, D: 1.7}, -40, 0.2, 6.5927414461060316705e-88, 1e-13, "mpmath, 120 digits: far tail"},
		{ThreePL{A: 1.5, B: 0, C: 0.2, D: 1.7}, -1000, 0.2, 0, 0, "limit: P → C, I → 0"},
		{ThreePL{A: 1.5, B: 0, C: 0, D: 1.7}, math.Inf(-1), 0, 0, 0, "limit: P → 0, I → 0"},
		{ThreePL{A: 1.5, B: 0, C: 0.2, D: 1.7}, math.Inf(1), 1, 0, 0, "limit: P → 1, I → 0"},
	} {
		if got := test.item.Prob(test.theta); !closeRel(got, test.prob, test.tol) {
			t.Errorf("%+v.Prob(%g) = %.17g, want %.17g (%s)", test.item, test.theta, got, test.prob, test.source)
		}
		if got := test.item.Info(test.theta); !closeRel(got, test.info, test.tol) {
			t.Errorf("%+v.Info(%g) = %.17g, want %.17g (%s)", test.item, test.theta, got, test.info, test.source)
		}
	}
}

// PQ must return Q to full relative precision where 1 − P would cancel.
func TestThreePLPQTail(t *testing.T) {
	item := ThreePL{A: 1.5, B: 0, C: 0, D: 1.7}
	const want = 5.0345753587649823968e-45 // mpmath, 120 digits
	p, q := item.PQ(40)
	if p != 1 || !closeRel(q, want, 1e-13) {
		t.Errorf("PQ(40) = %g, %g; want 1, %g", p, q, want)
	}
}

// The derivatives must agree with central differences of the function they
// differentiate: error O(h²) ≈ 1e-10 plus rounding ≈ 1e-11.
func TestThreePLDerivatives(t *testing.T) {
	const h, tol = 1e-5, 1e-8 // absolute
	for _, item := range []ThreePL{
		{A: 1, B: 0, C: 0, D: 1},
		{A: 1.3, B: -0.4, C: 0.17, D: 1.702},
		{A: 0.45, B: 1.8, C: 0.3, D: 1.7},
		{A: 2.4, B: 0.2, C: 0.05, D: 1},
	} {
		for _, theta := range []float64{-3, -0.7, 0, 0.4, 2.2} {
			num := (item.Prob(theta+h) - item.Prob(theta-h)) / (2 * h)
			if got := item.DProb(theta); math.Abs(got-num) > tol {
				t.Errorf("%+v.DProb(%g) = %g, central difference %g", item, theta, got, num)
			}
			num = (item.DProb(theta+h) - item.DProb(theta-h)) / (2 * h)
			if got := item.D2Prob(theta); math.Abs(got-num) > tol {
				t.Errorf("%+v.D2Prob(%g) = %g, central difference %g", item, theta, got, num)
			}
			shifted := func(dA, dB, dC float64) float64 {
				return ThreePL{A: item.A + dA, B: item.B + dB, C: item.C + dC, D: item.D}.Prob(theta)
			}
			da, db, dc := item.Grad(theta)
			for _, g := range []struct {
				name     string
				got, num float64
			}{
				{"∂P/∂A", da, (shifted(h, 0, 0) - shifted(-h, 0, 0)) / (2 * h)},
				{"∂P/∂B", db, (shifted(0, h, 0) - shifted(0, -h, 0)) / (2 * h)},
				{"∂P/∂C", dc, (shifted(0, 0, h) - shifted(0, 0, -h)) / (2 * h)},
			} {
				if math.Abs(g.got-g.num) > tol {
					t.Errorf("%+v: %s at %g = %g, central difference %g", item, g.name, theta, g.got, g.num)
				}
			}
			// Definition I = P′²/(PQ) (Birnbaum 1968), relative 1e-13.
			p, q := item.PQ(theta)
			if def, got := item.DProb(theta)*item.DProb(theta)/(p*q), item.Info(theta); !closeRel(got, def, 1e-13) {
				t.Errorf("%+v.Info(%g) = %.17g, P′²/(PQ) = %.17g", item, theta, got, def)
			}
		}
	}
}

// closeRel reports whether got is within tol of want relative to |want|, or
// absolutely when want is 0.
func closeRel(got, want, tol float64) bool {
	if got == want {
		return true
	}
	return math.Abs(got-want) <= tol*math.Abs(want)
}
