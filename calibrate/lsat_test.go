package calibrate

import (
	"bytes"
	"encoding/csv"
	"math"
	"strconv"
	"testing"

	"github.com/passportirt/passport/fixtures"
	"github.com/passportirt/passport/irt"
)

// patterns reads a response-pattern file (items..., frequency) as weighted
// Data.
func patterns(t testing.TB, name string) *irt.Responses {
	t.Helper()
	raw, err := fixtures.Reference(name)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	n := len(recs[0]) - 1
	b := irt.NewBuilder(n)
	for _, r := range recs[1:] {
		for i := range n {
			if err := b.Add(i, uint8(r[i][0]-'0')); err != nil {
				t.Fatal(err)
			}
		}
		f, err := strconv.ParseFloat(r[n], 64)
		if err != nil {
			t.Fatal(err)
		}
		b.NextWeighted(f)
	}
	return b.Responses()
}

// TestLSAT7 reproduces mirt's published 2PL estimates of LSAT7 (Bock &
// Lieberman 1970; slope–intercept form, 61 nodes on [−6, 6];
// fixtures/reference/README.md) to 1e-3.
//
// mirt stops its EM when no parameter moves more than 1e-4 in a cycle;
// plain EM with that rule (NoAccel) is what the published values are, and
// it agrees with them to 1e-3. The default, SQUAREM-accelerated fit goes on
// to the exact maximum: it must agree with plain EM run to 1e-10 (two
// independent paths to the optimum) to 1e-4. On item 3, whose slope is
// the flattest direction of the likelihood, the exact maximum (a = 1.7075,
// d = 1.8052) lies 1.5e-3 from mirt's printed 1.706, 1.804.
func TestLSAT7(t *testing.T) {
	d := patterns(t, "lsat7_patterns.csv")
	want := []struct{ a, d float64 }{{0.988, 1.856}, {1.081, 0.808}, {1.706, 1.804}, {0.765, 0.486}, {0.736, 1.854}}
	si := func(res *Result, i int) (float64, float64) {
		p := res.Items[i].Params
		return p.A * p.D, -p.A * p.D * p.B
	}
	mirtLike, err := Run(d, Options{Model: irt.Model2PL, NoAccel: true})
	if err != nil {
		t.Fatal(err)
	}
	exact, err := Run(d, Options{Model: irt.Model2PL, NoAccel: true, Tol: 1e-10, NoSE: true})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(d, Options{Model: irt.Model2PL})
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range want {
		a, dd := si(mirtLike, i)
		if math.Abs(a-w.a) > 1e-3 || math.Abs(dd-w.d) > 1e-3 {
			t.Errorf("item %d, EM at mirt's rule: a = %.4f d = %.4f, mirt a = %.3f d = %.3f", i+1, a, dd, w.a, w.d)
		}
		ea, ed := si(exact, i)
		a, dd = si(res, i)
		if math.Abs(a-ea) > 1e-4 || math.Abs(dd-ed) > 1e-4 {
			t.Errorf("item %d, accelerated: a = %.5f d = %.5f, exact maximum a = %.5f d = %.5f", i+1, a, dd, ea, ed)
		}
	}
	for _, r := range []*Result{mirtLike, exact, res} {
		if math.Abs(r.LogLik-(-2658.805)) > 1e-3 {
			t.Errorf("log-likelihood %.4f, mirt −2658.805", r.LogLik)
		}
		if !r.Converged {
			t.Errorf("did not converge: %s", r.Reason)
		}
	}
	if res.Cycles >= mirtLike.Cycles {
		t.Errorf("SQUAREM took %d cycles, plain EM %d", res.Cycles, mirtLike.Cycles)
	}
	for i, it := range res.Items {
		if !(it.SEA > 0 && it.SEA < 1) || !(it.SEB > 0 && it.SEB < 1) || !math.IsNaN(it.SEC) {
			t.Errorf("item %d: SEs a %.4f b %.4f c %.4f", i+1, it.SEA, it.SEB, it.SEC)
		}
	}
}

// TestRaschEstimatesTheLatentSD: the Rasch model fixes the slopes at 1 and
// estimates the latent SD σ (mean 0), as mirt's and Winsteps' Rasch do.
//
// On LSAT6 it reproduces mirt's Rasch (philchalmers/mirt,
// tests/testthat/test-01-mirtOne.R, test "dich"; fixtures/reference/
// README.md): intercepts d = −b to 1e-3 and the latent variance 0.57 to
// 5e-3. On LSAT7, σ is the common slope of the 1PL on N(0, 1) — the same
// model — to 1e-6, with the same log-likelihood and intercepts; those
// match mirt's slope-constrained 2PL (same file: a = 1.011 and its d's, to
// 1e-3), and the Rasch SE of each b, like the 1PL's SE of the slope, is
// mirt's cross-product SE of d there (half its printed 95% interval over
// 1.96, to 3e-4, the interval's rounding).
func TestRaschEstimatesTheLatentSD(t *testing.T) {
	lsat6, err := Run(patterns(t, "lsat6_patterns.csv"), Options{Model: irt.ModelRasch})
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range []float64{2.73, 0.999, 0.24, 1.306, 2.099} {
		if got := -lsat6.Items[i].Params.B; math.Abs(got-d) > 1e-3 {
			t.Errorf("LSAT6 item %d: d = %.4f, mirt %.3f", i+1, got, d)
		}
	}
	if v := lsat6.LatentSD * lsat6.LatentSD; math.Abs(v-0.57) > 5e-3 {
		t.Errorf("LSAT6: latent variance %.4f, mirt 0.57", v)
	}

	d := patterns(t, "lsat7_patterns.csv")
	rasch, err := Run(d, Options{Model: irt.ModelRasch, Tol: 1e-10})
	if err != nil {
		t.Fatal(err)
	}
	onePL, err := Run(d, Options{Model: irt.Model1PL, Tol: 1e-10})
	if err != nil {
		t.Fatal(err)
	}
	slope := onePL.Items[0].Params.A
	t.Logf("LSAT7: Rasch σ %.7f, log-likelihood %.7f; 1PL slope %.7f, log-likelihood %.7f", rasch.LatentSD, rasch.LogLik, slope, onePL.LogLik)
	if math.Abs(rasch.LatentSD-slope) > 1e-6 || math.Abs(rasch.LogLik-onePL.LogLik) > 1e-6 || rasch.LatentMean != 0 {
		t.Errorf("LSAT7: Rasch N(%g, %.7f²), log-likelihood %.7f; 1PL slope %.7f, log-likelihood %.7f",
			rasch.LatentMean, rasch.LatentSD, rasch.LogLik, slope, onePL.LogLik)
	}
	if se := (1.138 - 0.885) / (2 * 1.959964); math.Abs(slope-1.011) > 1e-3 || math.Abs(onePL.Items[0].SEA-se) > 3e-4 {
		t.Errorf("LSAT7 1PL slope %.4f (SE %.5f), mirt 1.011 (%.5f)", slope, onePL.Items[0].SEA, se)
	}
	mirt := []struct{ d, lo, hi float64 }{{1.868, 1.67, 2.067}, {0.791, 0.631, 0.951}, {1.461, 1.277, 1.644}, {0.521, 0.367, 0.676}, {1.993, 1.793, 2.193}}
	for i, m := range mirt {
		r, o := rasch.Items[i], onePL.Items[i].Params
		if r.Params.A != 1 || !math.IsNaN(r.SEA) {
			t.Errorf("LSAT7 item %d: Rasch slope %g (SE %g), want 1, not estimated", i+1, r.Params.A, r.SEA)
		}
		if dr, d1 := -r.Params.B, -o.A*o.B; math.Abs(dr-d1) > 1e-6 || math.Abs(dr-m.d) > 1e-3 {
			t.Errorf("LSAT7 item %d: d = %.6f (Rasch), %.6f (1PL), mirt %.3f", i+1, dr, d1, m.d)
		}
		if se := (m.hi - m.lo) / (2 * 1.959964); math.Abs(r.SEB-se) > 3e-4 {
			t.Errorf("LSAT7 item %d: Rasch SE(b) %.5f, mirt SE(d) %.5f", i+1, r.SEB, se)
		}
	}
}
