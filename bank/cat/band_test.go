package cat

import (
	"context"
	"math"
	"reflect"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/passportirt/passport/irt"
)

// spreadForm is a 5-item 3PL form with difficulties at the quintile
// midpoints of N(0, 1), like the free sample.
func spreadForm() []irt.ThreePL {
	bs := []float64{-1.28, -0.52, 0, 0.52, 1.28}
	items := make([]irt.ThreePL, len(bs))
	for i, b := range bs {
		items[i] = irt.ThreePL{A: 1.1, B: b, C: 0.2, D: 1}
	}
	return items
}

// exactQuantiles are the p-quantiles of θ given number right r on items,
// for θ ~ N(0, 1): the density φ(θ)·P(r | θ), with P(r | θ) summed over
// all 2^n patterns (brute force, not Lord–Wingersky), integrated on a fine
// grid of [−6, 6].
func exactQuantiles(items []irt.ThreePL, r int, ps []float64) []float64 {
	const n = 12001
	xs, cdf := make([]float64, n), make([]float64, n)
	var sum float64
	for k := range xs {
		x := -6 + 12*float64(k)/(n-1)
		var pr float64
		for pat := 0; pat < 1<<len(items); pat++ {
			right, l := 0, 1.0
			for i, it := range items {
				if pat&(1<<i) != 0 {
					right++
					l *= it.Prob(x)
				} else {
					l *= 1 - it.Prob(x)
				}
			}
			if right == r {
				pr += l
			}
		}
		sum += distuv.UnitNormal.Prob(x) * pr
		xs[k], cdf[k] = x, sum
	}
	out := make([]float64, len(ps))
	for j, p := range ps {
		for k := range cdf {
			if cdf[k] >= p*sum {
				out[j] = xs[k]
				break
			}
		}
	}
	return out
}

// TestFixedBandsExact: the simulated bands of each number right match
// the quantiles of θ's exact conditional distribution given it, within
// the quantiles' sampling error (about 0.1 at these counts).
func TestFixedBandsExact(t *testing.T) {
	items := spreadForm()
	out := SimulateFixed(items, irt.DefaultGrid(), DrawThetas(40000, 0, 1, 7), 7)
	b, err := FixedBands(out, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Bands) != 6 {
		t.Fatalf("%d bands, want one per number right 0–5", len(b.Bands))
	}
	for _, band := range b.Bands {
		want := exactQuantiles(items, band.Outcome, []float64{0.025, 0.5, 0.975})
		tol := 0.12
		if band.N < 3000 {
			tol = 0.2
		}
		for j, got := range []float64{band.Low, band.Mid, band.High} {
			if math.Abs(got-want[j]) > tol {
				t.Errorf("raw %d (n = %d): quantile %d %.3f, exact %.3f", band.Outcome, band.N, j, got, want[j])
			}
		}
		if band.Outcome > 0 {
			prev, _ := b.Find(band.Outcome - 1)
			if !(band.Mid > prev.Mid) {
				t.Errorf("raw %d's middle %.3f not above raw %d's %.3f", band.Outcome, band.Mid, band.Outcome-1, prev.Mid)
			}
		}
	}
	// A 5-item test measures θ with a posterior SD near 0.5–0.8.
	if b.MeanSE < 0.45 || b.MeanSE > 0.85 {
		t.Errorf("mean SE %.3f, expected near 0.5–0.8 for 5 items", b.MeanSE)
	}
}

// coverageTol is three binomial SDs of a 95% coverage over n simulees,
// plus 0.01 for the bands' own sampling error.
func coverageTol(n int) float64 { return 3*math.Sqrt(0.95*0.05/float64(n)) + 0.01 }

// TestFixedBandsCoverage: on fresh simulees (another seed) the bands hold
// the true θ of 95% of them.
func TestFixedBandsCoverage(t *testing.T) {
	items := spreadForm()
	b, err := FixedBands(SimulateFixed(items, irt.DefaultGrid(), DrawThetas(20000, 0, 1, 1), 1), 0.95)
	if err != nil {
		t.Fatal(err)
	}
	const fresh = 5000
	cov := b.Coverage(SimulateFixed(items, irt.DefaultGrid(), DrawThetas(fresh, 0, 1, 99), 99))
	t.Logf("fixed: coverage %.4f on %d fresh simulees; mean SE %.3f, RMSE %.3f", cov, fresh, b.MeanSE, b.RMSE)
	for _, band := range b.Bands {
		t.Logf("raw %d: n %d, θ %.2f to %.2f (middle %.2f), width %.2f", band.Outcome, band.N, band.Low, band.High, band.Mid, band.High-band.Low)
	}
	if math.Abs(cov-0.95) > coverageTol(fresh) {
		t.Errorf("coverage %.4f on %d fresh simulees, want 0.95 ± %.4f", cov, fresh, coverageTol(fresh))
	}
	// Bands at half the level cover about half.
	half, _ := FixedBands(SimulateFixed(items, irt.DefaultGrid(), DrawThetas(20000, 0, 1, 1), 1), 0.5)
	if c := half.Coverage(SimulateFixed(items, irt.DefaultGrid(), DrawThetas(fresh, 0, 1, 99), 99)); math.Abs(c-0.5) > 0.05 {
		t.Errorf("50%% bands cover %.3f", c)
	}
}

// TestAdaptiveBandsCoverage: the bands of a 5-item adaptive test by θ̂
// decile hold the true θ of 95% of fresh simulees.
func TestAdaptiveBandsCoverage(t *testing.T) {
	cfg := Config{MaxLength: 5, Randomesque: 3, FirstItems: 10}
	e, err := NewEngine(simBank(3, 85), cfg)
	if err != nil {
		t.Fatal(err)
	}
	study := func(n int, seed uint64) []Outcome {
		st, _, err := e.Simulate(context.Background(), StudyOptions{Thetas: DrawThetas(n, 0, 1, seed), Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		return AdaptiveOutcomes(st.Runs)
	}
	b, err := AdaptiveBands(study(10000, 1), 10, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Bands) < 8 || len(b.Cuts) != len(b.Bands)-1 {
		t.Fatalf("%d bands with %d cuts, want about ten deciles", len(b.Bands), len(b.Cuts))
	}
	for g := 1; g < len(b.Bands); g++ {
		if !(b.Bands[g].Mid >= b.Bands[g-1].Mid) || *b.Bands[g].ThetaLo != *b.Bands[g-1].ThetaHi {
			t.Errorf("group %d: middle %.3f after %.3f, θ̂ from %v", g, b.Bands[g].Mid, b.Bands[g-1].Mid, *b.Bands[g].ThetaLo)
		}
	}
	const fresh = 3000
	cov := b.Coverage(study(fresh, 77))
	t.Logf("adaptive: coverage %.4f on %d fresh simulees; mean SE %.3f, RMSE %.3f, %d groups", cov, fresh, b.MeanSE, b.RMSE, len(b.Bands))
	if math.Abs(cov-0.95) > coverageTol(fresh) {
		t.Errorf("coverage %.4f, want 0.95 ± %.4f", cov, coverageTol(fresh))
	}
	if b.MeanSE < 0.35 || b.MeanSE > 0.75 {
		t.Errorf("mean SE %.3f of a 5-item adaptive test", b.MeanSE)
	}
}

// TestBandsDeterministic: the same seed gives the same bands; another
// seed other ones.
func TestBandsDeterministic(t *testing.T) {
	bands := func(seed uint64) *Bands {
		b, err := FixedBands(SimulateFixed(spreadForm(), irt.DefaultGrid(), DrawThetas(2000, 0, 1, seed), seed), 0.95)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if !reflect.DeepEqual(bands(5), bands(5)) {
		t.Error("seed 5 twice: different bands")
	}
	if reflect.DeepEqual(bands(5), bands(6)) {
		t.Error("seeds 5 and 6: the same bands")
	}
}

func TestBandsErrors(t *testing.T) {
	out := SimulateFixed(spreadForm(), irt.DefaultGrid(), DrawThetas(10, 0, 1, 1), 1)
	for _, level := range []float64{0, 1, math.NaN(), -0.5} {
		if _, err := FixedBands(out, level); err == nil {
			t.Errorf("level %g: no error", level)
		}
	}
	if _, err := FixedBands(nil, 0.95); err == nil {
		t.Error("no simulees: no error")
	}
	if _, err := AdaptiveBands(out, 0, 0.95); err == nil {
		t.Error("0 groups: no error")
	}
	b, _ := FixedBands(out, 0.95)
	if _, ok := b.Find(6); ok {
		t.Error("a band for 6 right on a 5-item form")
	}
}
