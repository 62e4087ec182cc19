package irt

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/integrate/quad"
)

// mixedItems returns n items as calibrated banks look: A lognormal around
// 1.1, B ~ N(0, 1), every other item a 3PL item with C in [0.1, 0.25],
// D = 1.702.
func mixedItems(rng *rand.Rand, n int) []ThreePL {
	items := make([]ThreePL, n)
	for i := range items {
		items[i] = ThreePL{A: 1.1 * math.Exp(0.3*rng.NormFloat64()), B: rng.NormFloat64(), D: 1.702}
		if i%2 == 1 {
			items[i].C = 0.1 + 0.15*rng.Float64()
		}
	}
	return items
}

// sumScore returns the number of correct responses.
func sumScore(resp []int8) int {
	var r int
	for _, u := range resp {
		if u == 1 {
			r++
		}
	}
	return r
}

// patternWithScore returns n responses of which the first r are correct.
func patternWithScore(n, r int) []int8 {
	resp := make([]int8, n)
	for i := range r {
		resp[i] = 1
	}
	return resp
}

// For n identical items the likelihood depends on the pattern only through
// the score r, and both estimating equations solve in closed form with
// ψ = logistic(D·A·(θ − B)):
//
//	ML:  r − n·ψ = 0                     ⇒ ψ = r/n
//	WLE: r − n·ψ + (1 − 2ψ)/2 = 0        ⇒ ψ = (r + ½)/(n + 1)
//
// (the WLE correction J/(2I) is D·A·(1 − 2ψ)/2 for every C = 0 item).
func TestMLAndWLEIdenticalItems(t *testing.T) {
	const lo, hi, tol = -10, 10, 1e-9
	for _, item := range []ThreePL{{A: 1, B: 0, D: 1}, {A: 1.4, B: -0.3, D: 1.702}} {
		const n = 10
		items := make([]ThreePL, n)
		for i := range items {
			items[i] = item
		}
		theta := func(psi float64) float64 { return item.B + math.Log(psi/(1-psi))/(item.D*item.A) }
		for r := 0; r <= n; r++ {
			resp := patternWithScore(n, r)
			if 0 < r && r < n {
				want := theta(float64(r) / n)
				if got := ML(items, resp, lo, hi); math.Abs(got.Theta-want) > tol {
					t.Errorf("%+v: ML for score %d = %.12g, want %.12g", item, r, got.Theta, want)
				}
			}
			want := theta((float64(r) + 0.5) / (n + 1))
			if got := WLE(items, resp, lo, hi); math.Abs(got.Theta-want) > tol {
				t.Errorf("%+v: WLE for score %d = %.12g, want %.12g (Warm 1989)", item, r, got.Theta, want)
			}
		}
	}
}

// Under the Rasch model the raw score is sufficient and the ML estimate
// solves TCC(θ̂) = r; under the 2PL it solves Σ D·A_i·(u_i − P_i(θ̂)) = 0
// (Birnbaum 1968, ch. 18).
func TestMLLikelihoodEquations(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for rep := range 20 {
		n := 5 + rep
		rasch, twoPL := make([]ThreePL, n), make([]ThreePL, n)
		for i := range n {
			rasch[i] = ThreePL{A: 1, B: rng.NormFloat64(), D: 1}
			twoPL[i] = ThreePL{A: 0.5 + rng.Float64()*1.5, B: rng.NormFloat64(), D: 1.702}
		}
		resp := Simulate(nil, rng, rasch, rng.NormFloat64())
		if r := sumScore(resp); 0 < r && r < n {
			est := ML(rasch, resp, -10, 10)
			if tcc := TCC(rasch, est.Theta); math.Abs(tcc-float64(r)) > 1e-9 {
				t.Errorf("Rasch ML %.10g: TCC = %.12g, score %d", est.Theta, tcc, r)
			}
		}
		resp = Simulate(nil, rng, twoPL, rng.NormFloat64())
		if r := sumScore(resp); 0 < r && r < n {
			est := ML(twoPL, resp, -10, 10)
			var eq float64
			for i, it := range twoPL {
				eq += it.D * it.A * (float64(resp[i]) - it.Prob(est.Theta))
			}
			if math.Abs(eq) > 1e-9 {
				t.Errorf("2PL ML %.10g: Σ D·A·(u − P) = %g, want 0", est.Theta, eq)
			}
		}
	}
}

// ML must be the maximiser of LogLik and MAP that of LogLik plus the log
// prior, checked against a grid of step 0.001 on [−6, 6]; ML's SE must be
// 1/√(test information of the answered items).
func TestMLAndMAPMaximise(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	items := mixedItems(rng, 30)
	const mu, sigma = 0.2, 1.3
	logPrior := func(x float64) float64 { return -(x - mu) * (x - mu) / (2 * sigma * sigma) }
	for rep := range 10 {
		resp := Simulate(nil, rng, items, DrawTheta(rng, 0, 1))
		resp[rep] = Missing
		ml, mp := ML(items, resp, -6, 6), MAP(items, resp, mu, sigma)
		bestML, bestMAP := math.Inf(-1), math.Inf(-1)
		for x := -6.0; x <= 6; x += 0.001 {
			ll := LogLik(items, resp, x)
			bestML, bestMAP = max(bestML, ll), max(bestMAP, ll+logPrior(x))
		}
		if ll := LogLik(items, resp, ml.Theta); ll < bestML-1e-12 {
			t.Errorf("ML %.6f: ln L = %.15g below the grid's best %.15g", ml.Theta, ll, bestML)
		}
		if lp := LogLik(items, resp, mp.Theta) + logPrior(mp.Theta); lp < bestMAP-1e-12 {
			t.Errorf("MAP %.6f: ln posterior = %.15g below the grid's best %.15g", mp.Theta, lp, bestMAP)
		}
		answered := append(append([]ThreePL(nil), items[:rep]...), items[rep+1:]...)
		if want := 1 / math.Sqrt(TestInfo(answered, ml.Theta)); !closeRel(ml.SE, want, 1e-12) {
			t.Errorf("ML SE = %.15g, want 1/√I = %.15g", ml.SE, want)
		}
		if want := 1 / math.Sqrt(TestInfo(answered, mp.Theta)+1/(sigma*sigma)); !closeRel(mp.SE, want, 1e-12) {
			t.Errorf("MAP SE = %.15g, want 1/√(I + 1/σ²) = %.15g", mp.SE, want)
		}
	}
}

// WLE must solve Warm's equation with J computed from its definition,
// J = Σ P′P″/(PQ), by the exported derivatives.
func TestWLEEquation(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	items := mixedItems(rng, 25)
	for range 20 {
		resp := Simulate(nil, rng, items, DrawTheta(rng, 0, 1.5))
		est := WLE(items, resp, -10, 10)
		var score, info, j float64
		for i, it := range items {
			p, q := it.PQ(est.Theta)
			d1, d2 := it.DProb(est.Theta), it.D2Prob(est.Theta)
			score += (float64(resp[i]) - p) * d1 / (p * q)
			info += d1 * d1 / (p * q)
			j += d1 * d2 / (p * q)
		}
		if g := score + j/(2*info); math.Abs(g) > 1e-8 {
			t.Errorf("WLE %.10g (score %d): l′ + J/(2I) = %g, want 0", est.Theta, sumScore(resp), g)
		}
		if !closeRel(est.SE, 1/math.Sqrt(info), 1e-12) {
			t.Errorf("WLE SE = %.15g, want 1/√I = %.15g", est.SE, 1/math.Sqrt(info))
		}
	}
}

// Extreme patterns: ML does not exist (±Inf), WLE and MAP are finite; an
// unanswered pattern has no ML or WLE and returns the prior for MAP and EAP.
func TestExtremeAndEmptyPatterns(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	twoPL := make([]ThreePL, 20)
	for i := range twoPL {
		twoPL[i] = ThreePL{A: 0.6 + rng.Float64(), B: rng.NormFloat64(), D: 1.702}
	}
	for _, items := range [][]ThreePL{twoPL, mixedItems(rng, 20)} {
		n := len(items)
		for _, r := range []int{0, n} {
			resp := patternWithScore(n, r)
			ml, wle, mp := ML(items, resp, -10, 10), WLE(items, resp, -10, 10), MAP(items, resp, 0, 1)
			if want := math.Inf(2*min(r, 1) - 1); ml.Theta != want || !math.IsInf(ml.SE, 1) {
				t.Errorf("score %d/%d: ML = %+v, want Theta %g and SE +Inf", r, n, ml, want)
			}
			if !(-10 < wle.Theta && wle.Theta < 10) || math.IsInf(wle.SE, 0) {
				t.Errorf("score %d/%d: WLE = %+v, want finite inside (−10, 10)", r, n, wle)
			}
			// The score of an extreme pattern has one sign everywhere, so
			// the posterior mode lies on that side of the prior mean.
			if (r == 0) != (mp.Theta < 0) || math.IsInf(mp.Theta, 0) {
				t.Errorf("score %d/%d: MAP = %+v", r, n, mp)
			}
		}
		none := make([]int8, n)
		for i := range none {
			none[i] = Missing
		}
		if ml := ML(items, none, -6, 6); !math.IsNaN(ml.Theta) || !math.IsInf(ml.SE, 1) {
			t.Errorf("unanswered: ML = %+v, want NaN, +Inf", ml)
		}
		if wle := WLE(items, none, -6, 6); !math.IsNaN(wle.Theta) || !math.IsInf(wle.SE, 1) {
			t.Errorf("unanswered: WLE = %+v, want NaN, +Inf", wle)
		}
		if mp := MAP(items, none, 0.3, 1.2); mp != (Estimate{Theta: 0.3, SE: 1.2}) {
			t.Errorf("unanswered: MAP = %+v, want the prior {0.3 1.2}", mp)
		}
		q := DefaultGrid()
		mean, variance := moments(q)
		if eap := EAP(items, none, q); math.Abs(eap.Theta-mean) > 1e-15 || !closeRel(eap.SE, math.Sqrt(variance), 1e-14) {
			t.Errorf("unanswered: EAP = %+v, want the grid's mean %g and SD %g", eap, mean, math.Sqrt(variance))
		}
	}
}

// A Missing item must be exactly as if the item were not on the test.
func TestMissingIgnored(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	items := mixedItems(rng, 12)
	resp := Simulate(nil, rng, items, 0.4)
	resp[2], resp[7] = Missing, Missing
	var sub []ThreePL
	var subResp []int8
	for i, u := range resp {
		if u != Missing {
			sub, subResp = append(sub, items[i]), append(subResp, u)
		}
	}
	q := DefaultGrid()
	for _, c := range []struct {
		name      string
		got, want Estimate
	}{
		{"ML", ML(items, resp, -6, 6), ML(sub, subResp, -6, 6)},
		{"MAP", MAP(items, resp, 0, 1), MAP(sub, subResp, 0, 1)},
		{"WLE", WLE(items, resp, -6, 6), WLE(sub, subResp, -6, 6)},
		{"EAP", EAP(items, resp, q), EAP(sub, subResp, q)},
	} {
		if !closeRel(c.got.Theta, c.want.Theta, 1e-13) || !closeRel(c.got.SE, c.want.SE, 1e-13) {
			t.Errorf("%s with Missing = %+v, without the items %+v", c.name, c.got, c.want)
		}
	}
}

// EAP on the default grid approximates the posterior mean and SD under the
// N(0, 1) prior the grid represents. Reference: Gauss–Legendre integration
// (gonum quad, 2000 nodes on [−12, 12]) of θ^j·L(θ)·φ(θ). For a posterior
// this smooth the equally spaced sum's lattice error is O(exp(−2π²s²/h²))
// with s ≈ 0.3 the posterior SD and h = 0.2 (below 1e-19), and the mass
// beyond ±6 is below 1e-8.
func TestEAPAgainstIntegration(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	items := mixedItems(rng, 15)
	for range 10 {
		resp := Simulate(nil, rng, items, DrawTheta(rng, 0, 1))
		moment := func(j float64) float64 {
			return quad.Fixed(func(x float64) float64 {
				return math.Pow(x, j) * math.Exp(LogLik(items, resp, x)-x*x/2)
			}, -12, 12, 2000, nil, 0)
		}
		m0, m1, m2 := moment(0), moment(1), moment(2)
		mean := m1 / m0
		sd := math.Sqrt(m2/m0 - mean*mean)
		got := EAP(items, resp, DefaultGrid())
		if math.Abs(got.Theta-mean) > 1e-8 || math.Abs(got.SE-sd) > 1e-8 {
			t.Errorf("EAP = %+v, integral gives %.10g, %.10g (±1e-8)", got, mean, sd)
		}
	}
}

// On a long test every estimator recovers θ. Asymptotically (Lord 1980,
// ch. 4; Warm 1989) ML and WLE are N(θ, 1/I) with bias O(1/I) and, with a
// N(0, 1) prior, MAP and EAP are close to the normal–normal posterior mean
// θ·I/(I + 1) with SD √I/(I + 1). Bounds: the mean of R replications within
// 4 standard errors plus D·max(A)/(2I), a bound on the O(1/I) bias term
// J/(2I²) (Lord 1983, Psychometrika 48, 233–245); the empirical SD within
// 4/√(2R) + 5% of the asymptotic SD; the mean reported SE within 10% of the
// asymptotic one.
func TestRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("long simulation")
	}
	const nItems, reps = 200, 400
	rng := rand.New(rand.NewPCG(13, 14))
	items := mixedItems(rng, nItems)
	var maxDA float64
	for _, it := range items {
		maxDA = max(maxDA, it.D*it.A)
	}
	q := DefaultGrid()
	resp := make([]int8, nItems)
	for _, theta := range []float64{-2, -1, 0, 1, 2} {
		info := TestInfo(items, theta)
		type estimator struct {
			name              string
			est               func([]int8) Estimate
			mean, sd, se      float64 // asymptotic
			sum, sumSq, sumSE float64
		}
		shrunk := theta * info / (info + 1)
		ests := []*estimator{
			{name: "ML", est: func(r []int8) Estimate { return ML(items, r, -8, 8) }, mean: theta, sd: 1 / math.Sqrt(info), se: 1 / math.Sqrt(info)},
			{name: "WLE", est: func(r []int8) Estimate { return WLE(items, r, -8, 8) }, mean: theta, sd: 1 / math.Sqrt(info), se: 1 / math.Sqrt(info)},
			{name: "MAP", est: func(r []int8) Estimate { return MAP(items, r, 0, 1) }, mean: shrunk, sd: math.Sqrt(info) / (info + 1), se: 1 / math.Sqrt(info+1)},
			{name: "EAP", est: func(r []int8) Estimate { return EAP(items, r, q) }, mean: shrunk, sd: math.Sqrt(info) / (info + 1), se: 1 / math.Sqrt(info+1)},
		}
		for range reps {
			Simulate(resp, rng, items, theta)
			for _, e := range ests {
				got := e.est(resp)
				e.sum += got.Theta
				e.sumSq += got.Theta * got.Theta
				e.sumSE += got.SE
			}
		}
		for _, e := range ests {
			mean := e.sum / reps
			sd := math.Sqrt((e.sumSq - reps*mean*mean) / (reps - 1))
			se := e.sumSE / reps
			if tol := 4*e.sd/math.Sqrt(reps) + maxDA/(2*info); math.Abs(mean-e.mean) > tol {
				t.Errorf("θ = %g: %s mean %.4f, want %.4f ± %.4f", theta, e.name, mean, e.mean, tol)
			}
			if tol := 4/math.Sqrt(2*reps) + 0.05; math.Abs(sd/e.sd-1) > tol {
				t.Errorf("θ = %g: %s SD %.4f, asymptotic %.4f (ratio tolerance %.3f)", theta, e.name, sd, e.sd, tol)
			}
			if math.Abs(se/e.se-1) > 0.1 {
				t.Errorf("θ = %g: %s mean SE %.4f, asymptotic %.4f", theta, e.name, se, e.se)
			}
		}
	}
}

func TestPatternPanics(t *testing.T) {
	items := []ThreePL{{A: 1, D: 1}, {A: 1, D: 1}}
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"short pattern", func() { ML(items, []int8{1}, -6, 6) }},
		{"response 2", func() { WLE(items, []int8{1, 2}, -6, 6) }},
		{"response −2", func() { EAP(items, []int8{-2, 0}, DefaultGrid()) }},
		{"long pattern", func() { LogLik(items, []int8{1, 0, 1}, 0) }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", c.name)
				}
			}()
			c.f()
		}()
	}
}

// TestEstimateBeyondSix: 19 of 20 right on Rasch items of difficulty 5 has
// the closed-form ML estimate 5 + ln 19 = 7.944 (the likelihood equation
// Σ(u − P) = 0 gives P = 19/20 on every item). Within the default bound it
// is found and not flagged; within ±6 it stops at 6 and says so.
func TestEstimateBeyondSix(t *testing.T) {
	items := make([]ThreePL, 20)
	resp := make([]int8, 20)
	for i := range items {
		items[i] = ThreePL{A: 1, B: 5, D: 1}
		resp[i] = 1
	}
	resp[0] = 0
	want := 5 + math.Log(19)
	if e := ML(items, resp, -DefaultBound, DefaultBound); math.Abs(e.Theta-want) > 1e-8 || e.AtBound {
		t.Errorf("ML within ±%d: %+v, want θ = %.6f not at the bound", DefaultBound, e, want)
	}
	if e := ML(items, resp, -6, 6); e.Theta != 6 || !e.AtBound {
		t.Errorf("ML within ±6: %+v, want 6 at the bound", e)
	}
	if e := WLE(items, resp, -6, 6); e.Theta != 6 || !e.AtBound {
		t.Errorf("WLE within ±6: %+v, want 6 at the bound", e)
	}
}
