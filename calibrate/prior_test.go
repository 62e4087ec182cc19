package calibrate

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/passportirt/passport/irt"
)

// TestLogPriorDensities: the log prior of an item is the sum of gonum's log
// densities — lognormal of a, normal of b, Beta of c — normalising
// constants included (to 1e-12), and its gradient and Hessian over
// (α, δ, c) are its central differences (to 1e-6).
func TestLogPriorDensities(t *testing.T) {
	for _, tc := range []struct {
		pr     irt.Priors
		cA, cB float64
		p      irt.ThreePL
	}{
		{irt.Priors{LogASD: 0.5}, 6, 16, irt.ThreePL{A: 1.3, B: -0.4, C: 0.2, D: 1.702}}, // BILOG-MG's 3PL defaults, four options
		{irt.Priors{LogAMean: 0.2, LogASD: 0.3, BMean: 0.5, BSD: 2}, 5, 17, irt.ThreePL{A: 0.7, B: 1.9, C: 0.31, D: 1}},
		{irt.Priors{BMean: -1, BSD: 0.8}, 1, 4, irt.ThreePL{A: 2.1, B: 0.3, C: 0, D: 1}}, // Beta(1, 4) is 4 at c = 0
		{irt.Priors{LogAMean: -0.1, LogASD: 1.2}, 0, 0, irt.ThreePL{A: 0.45, B: -2.2, C: 0.05, D: 1}},
	} {
		want := 0.0
		if tc.pr.LogASD > 0 {
			want += distuv.LogNormal{Mu: tc.pr.LogAMean, Sigma: tc.pr.LogASD}.LogProb(tc.p.A)
		}
		if tc.pr.BSD > 0 {
			want += distuv.Normal{Mu: tc.pr.BMean, Sigma: tc.pr.BSD}.LogProb(tc.p.B)
		}
		if tc.cA > 0 {
			want += distuv.Beta{Alpha: tc.cA, Beta: tc.cB}.LogProb(tc.p.C)
		}
		all := [3]bool{true, true, true}
		s := fromIRT(tc.p)
		got, g, h := logPrior(&tc.pr, s, tc.p.D, tc.cA, tc.cB, all)
		if math.Abs(got-want) > 1e-12 {
			t.Errorf("%+v at %+v: log prior %.15g, gonum %.15g", tc.pr, tc.p, got, want)
		}
		at := func(j int, d float64) siParams {
			u := s
			switch j {
			case 0:
				u.alpha += d
			case 1:
				u.delta += d
			default:
				u.c += d
			}
			return u
		}
		const e = 1e-6
		for j := range 3 {
			if j == 2 && s.c == 0 {
				continue // on the bound: one-sided
			}
			vu, gu, _ := logPrior(&tc.pr, at(j, e), tc.p.D, tc.cA, tc.cB, all)
			vd, gd, _ := logPrior(&tc.pr, at(j, -e), tc.p.D, tc.cA, tc.cB, all)
			if fd := (vu - vd) / (2 * e); math.Abs(fd-g[j]) > 1e-6*max(1, math.Abs(fd)) {
				t.Errorf("%+v: ∂/∂x%d = %.9g, central difference %.9g", tc.pr, j, g[j], fd)
			}
			for k := range 3 {
				if fd := (gu[k] - gd[k]) / (2 * e); math.Abs(fd-h[j][k]) > 1e-6*max(1, math.Abs(fd)) {
					t.Errorf("%+v: ∂²/∂x%d∂x%d = %.9g, central difference %.9g", tc.pr, j, k, h[j][k], fd)
				}
			}
		}
	}
}

// TestDefault3PLPriors: a 3PL run without Priors takes BILOG-MG's, log a ~
// N(0, 0.5²) and c ~ Beta(6, 16) for four options, and reports their log
// density at the estimates — gonum's, constants included, to 1e-9. On 500
// examinees × 20 items the slopes stay below 4 (the largest true slope is
// 2.53); with the prior on c alone, the former default, one ran past 1e6.
// The 2PL's default stays pure maximum likelihood.
func TestDefault3PLPriors(t *testing.T) {
	s := simulateSparse(6, 20, 1, 20, 500, true)
	res, err := Run(s.data(), Options{Model: irt.Model3PL, NoSE: true})
	if err != nil {
		t.Fatal(err)
	}
	if *res.Options.Priors != (irt.Priors{LogASD: 0.5, CAuto: true}) {
		t.Errorf("default 3PL priors %+v", *res.Options.Priors)
	}
	var want float64
	for i, it := range res.Items {
		p := it.Params
		if !(p.A < 4) {
			t.Errorf("item %d: slope %g (true %.2f)", i, p.A, s.truth[i].A)
		}
		want += distuv.LogNormal{Mu: 0, Sigma: 0.5}.LogProb(p.A) + distuv.Beta{Alpha: 6, Beta: 16}.LogProb(p.C)
	}
	if !res.Converged || math.Abs(res.LogPrior-want) > 1e-9 {
		t.Errorf("converged %v, log prior %.10f, gonum %.10f", res.Converged, res.LogPrior, want)
	}
	two, err := Run(s.data(), Options{Model: irt.Model2PL, NoSE: true})
	if err != nil {
		t.Fatal(err)
	}
	if *two.Options.Priors != (irt.Priors{}) || two.LogPrior != 0 {
		t.Errorf("default 2PL priors %+v, log prior %g", *two.Options.Priors, two.LogPrior)
	}
}

// TestPriorShapesChecked: a Beta prior on c needs both shapes at least 1,
// and prior SDs are not negative.
func TestPriorShapesChecked(t *testing.T) {
	s := simulateSparse(6, 20, 1, 20, 200, true)
	for _, pr := range []irt.Priors{{CAlpha: 0.5, CBeta: 3}, {CAlpha: 5}, {LogASD: -1}, {BSD: -0.5}} {
		if _, err := Run(s.data(), Options{Model: irt.Model3PL, Priors: &pr}); err == nil {
			t.Errorf("priors %+v accepted", pr)
		}
	}
}
