package scale

import (
	"math"
	"testing"

	"github.com/passportirt/passport/irt"
)

// kbForms is the Kolen & Brennan forms X and Y (36 items each, D = 1.7)
// on Y's θ scale: X moved by STUIRT's Stocking–Lord constants for them
// (TestSTUIRTExample1).
func kbForms(t testing.TB) (x, y []irt.ThreePL) {
	rx, ry := kbRuns(t)
	tr := Transform{A: 1.083417, B: -0.487619}
	for i := range rx.Items {
		x = append(x, tr.Item(rx.Items[i].Params))
		y = append(y, ry.Items[i].Params)
	}
	return x, y
}

// prob3PL is the 3PL response function written out: the test's own.
func prob3PL(it irt.ThreePL, theta float64) float64 {
	return it.C + (1-it.C)/(1+math.Exp(-it.D*it.A*(theta-it.B)))
}

// tcc is the test characteristic curve written out: the test's own.
func tcc(items []irt.ThreePL, theta float64) float64 {
	var s float64
	for _, it := range items {
		s += prob3PL(it, theta)
	}
	return s
}

// TestTrueScoreIndependent recomputes IRT true-score equating of the Kolen
// & Brennan forms by its definition (Kolen & Brennan 2014, sec. 6.8): for
// Σc_X < x < n, θ solving TCC_X(θ) = x by bisection on [−6, 6] with the
// test's own TCC, then TCC_Y(θ); below Σc_X, x·Σc_Y/Σc_X; n_X to n_Y.
func TestTrueScoreIndependent(t *testing.T) {
	x, y := kbForms(t)
	var cx, cy float64
	for i := range x {
		cx += x[i].C
		cy += y[i].C
	}
	got := TrueScore(x, y, -6, 6)
	if len(got) != 37 {
		t.Fatalf("%d equivalents, want 37", len(got))
	}
	for s := 0; s <= 36; s++ {
		var want float64
		switch {
		case s == 36:
			want = 36
		case float64(s) <= cx:
			want = float64(s) * cy / cx
		default:
			lo, hi := -6.0, 6.0
			for range 100 {
				if mid := (lo + hi) / 2; tcc(x, mid) < float64(s) {
					lo = mid
				} else {
					hi = mid
				}
			}
			want = tcc(y, (lo+hi)/2)
		}
		if math.Abs(got[s]-want) > 1e-9 {
			t.Errorf("e_Y(%d) = %.10f, by definition %.10f", s, got[s], want)
		}
	}
}

// TestObservedScoreIndependent recomputes IRT observed-score equating
// (Kolen & Brennan 2014, sec. 6.9) on 12-item halves of the Kolen &
// Brennan forms: the marginal number-correct distributions by enumerating
// all 2¹² response patterns at each node of the population (instead of
// the Lord–Wingersky recursion), then the equipercentile equivalent with
// the uniform continuisation, e(x) = y* − 0.5 + (P(x) − F(y* − 1))/f(y*),
// P(x) = F(x − 1) + f(x)/2, y* the smallest score with F(y*) > P(x).
func TestObservedScoreIndependent(t *testing.T) {
	x, y := kbForms(t)
	x, y = x[:12], y[:12]
	pop := Population{Mean: 0.2, SD: 1.1}.Quadrature()
	marginal := func(items []irt.ThreePL) []float64 {
		f := make([]float64, len(items)+1)
		for k, th := range pop.Nodes {
			for pat := 0; pat < 1<<len(items); pat++ {
				p, s := pop.Weights[k], 0
				for j, it := range items {
					if pat>>j&1 == 1 {
						p *= prob3PL(it, th)
						s++
					} else {
						p *= 1 - prob3PL(it, th)
					}
				}
				f[s] += p
			}
		}
		return f
	}
	fx, fy := marginal(x), marginal(y)
	cdf := func(f []float64, s int) float64 {
		var c float64
		for k := 0; k <= s; k++ {
			c += f[k]
		}
		return c
	}
	got := ObservedScore(x, y, pop)
	for s := range fx {
		p := cdf(fx, s-1) + fx[s]/2
		ys := 0
		for cdf(fy, ys) <= p {
			ys++
		}
		want := float64(ys) - 0.5 + (p-cdf(fy, ys-1))/fy[ys]
		if math.Abs(got[s]-want) > 1e-9 {
			t.Errorf("e_Y(%d) = %.10f, by enumeration %.10f", s, got[s], want)
		}
	}
}

// TestEquate: Equate is TrueScore on [−6, 6] and ObservedScore in its
// population, N(0, 1) on the default grid unless given.
func TestEquate(t *testing.T) {
	x, y := kbForms(t)
	e := Equate(x, y, EquateOptions{})
	if e.Lo != -6 || e.Hi != 6 || maxAbsDiff(e.True, TrueScore(x, y, -6, 6)) != 0 || maxAbsDiff(e.Observed, ObservedScore(x, y, irt.DefaultGrid())) != 0 {
		t.Errorf("defaults: range [%g, %g]", e.Lo, e.Hi)
	}
	p := Population{Mean: 0.5, SD: 0.8}
	e = Equate(x, y, EquateOptions{Population: p, Lo: -4, Hi: 4})
	if e.Lo != -4 || e.Hi != 4 || maxAbsDiff(e.True, TrueScore(x, y, -4, 4)) != 0 || maxAbsDiff(e.Observed, ObservedScore(x, y, p.Quadrature())) != 0 {
		t.Error("options not used")
	}
}

// TestPopulation: the grid's weights are the normal density, normalised,
// with the population's mean and SD (to the accuracy of a grid of 161
// points on [−8, 8]: 1e-7), and the
// caller's grid is left as it was.
func TestPopulation(t *testing.T) {
	if q, d := (Population{}).Quadrature(), irt.DefaultGrid(); maxAbsDiff(q.Nodes, d.Nodes) != 0 || maxAbsDiff(q.Weights, d.Weights) > 1e-15 {
		t.Error("the default population is not N(0, 1) on the default grid")
	}
	g := irt.NormalGrid(161, -8, 8)
	before := append([]float64(nil), g.Weights...)
	q := Population{Mean: 0.4, SD: 1.3, Grid: g}.Quadrature()
	if maxAbsDiff(g.Weights, before) != 0 {
		t.Error("the caller's grid was reweighted")
	}
	var sum, m, v float64
	for k, th := range q.Nodes {
		w := math.Exp(-(th-0.4)*(th-0.4)/(2*1.3*1.3)) * (16.0 / 160) / (1.3 * math.Sqrt(2*math.Pi))
		if math.Abs(q.Weights[k]-w) > 1e-9 {
			t.Fatalf("weight at %g: %g, normal density × spacing %g", th, q.Weights[k], w)
		}
		sum += q.Weights[k]
		m += q.Weights[k] * th
	}
	for k, th := range q.Nodes {
		v += q.Weights[k] * (th - m) * (th - m)
	}
	if math.Abs(sum-1) > 1e-12 || math.Abs(m-0.4) > 1e-7 || math.Abs(math.Sqrt(v)-1.3) > 1e-7 {
		t.Errorf("weights sum to %g, mean %g, SD %g; want 1, 0.4, 1.3", sum, m, math.Sqrt(v))
	}
}
