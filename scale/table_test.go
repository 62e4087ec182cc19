package scale

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/passportirt/passport/irt"
)

// form draws n 3PL items (D = 1) from a seeded generator.
func form(seed uint64, n int) []irt.ThreePL {
	rng := rand.New(rand.NewPCG(seed, 3))
	items := make([]irt.ThreePL, n)
	for i := range items {
		items[i] = irt.ThreePL{A: math.Exp(0.2 * rng.NormFloat64()), B: rng.NormFloat64(), C: 0.1 + 0.15*rng.Float64(), D: 1}
	}
	return items
}

func TestPassportScale(t *testing.T) {
	s := Passport()
	for _, tc := range []struct{ theta, want float64 }{
		{-3, 300}, {3, 850}, {0, 575}, {-10, 300}, {10, 850}, {math.Inf(1), 850}, {math.Inf(-1), 300}, {0.01, 576},
	} {
		if got := s.Score(tc.theta); got != tc.want {
			t.Errorf("Score(%g) = %g, want %g", tc.theta, got, tc.want)
		}
	}
	m, err := FromMoments(0.2, 1.1, 600, 100, 300, 850)
	if err != nil || math.Abs(m.Linear(0.2)-600) > 1e-12 || math.Abs(m.Linear(1.3)-700) > 1e-12 {
		t.Errorf("FromMoments: %+v %v", m, err)
	}
	for _, bad := range [][6]float64{{0, 300, 0, 850, 300, 850}, {-3, 850, 3, 300, 300, 850}, {-3, 300, 3, 850, 850, 300}} {
		if _, err := TwoPoints(bad[0], bad[1], bad[2], bad[3], bad[4], bad[5]); err == nil {
			t.Errorf("TwoPoints%v accepted", bad)
		}
	}
}

// TestConversionTable50: a 50-item form's table covers 0…50, is monotone,
// stays in 300–850, maps 0 and 50 to the ends under the TCC method, and
// inverts the TCC where it claims to.
func TestConversionTable50(t *testing.T) {
	items := form(1, 50)
	s := Passport()
	for _, m := range []ThetaMethod{ByTCC, ByEAP} {
		tab, err := ConversionTable(items, s, TableOptions{Method: m})
		if err != nil {
			t.Fatal(err)
		}
		if len(tab.Rows) != 51 {
			t.Fatalf("%s: %d rows", m, len(tab.Rows))
		}
		for x, r := range tab.Rows {
			if r.Raw != x || r.Score < 300 || r.Score > 850 || r.Score != math.Round(r.Score) {
				t.Errorf("%s raw %d: %+v", m, x, r)
			}
			if x > 0 && r.Score < tab.Rows[x-1].Score {
				t.Errorf("%s: not monotone at %d", m, x)
			}
			if x > 0 && r.ThetaEAP <= tab.Rows[x-1].ThetaEAP {
				t.Errorf("%s: EAP not increasing at %d", m, x)
			}
			if !math.IsNaN(r.ThetaTCC) {
				if d := irt.TCC(items, r.ThetaTCC) - float64(x); math.Abs(d) > 1e-9 {
					t.Errorf("TCC(θ_%d) − %d = %g", x, x, d)
				}
			} else if float64(x) > tab.SumC && x < 50 {
				t.Errorf("raw %d above Σc = %.2f has no TCC θ", x, tab.SumC)
			}
			if !(r.CSEM >= 0) {
				t.Errorf("raw %d: CSEM %g", x, r.CSEM)
			}
		}
		if m == ByTCC && (tab.Lowest != 300 || tab.Highest != 850) {
			t.Errorf("TCC table runs %g–%g, want 300–850", tab.Lowest, tab.Highest)
		}
		if m == ByEAP && tab.Rows[25].Score != s.Score(tab.Rows[25].ThetaEAP) {
			t.Errorf("EAP table: raw 25 scores %g, θ_EAP gives %g", tab.Rows[25].Score, s.Score(tab.Rows[25].ThetaEAP))
		}
	}
}

// TestCSEMDirect checks the scale-score CSEM against a direct computation:
// on a 12-item form, by enumerating all 2^12 response patterns at the raw
// score's θ; on the 50-item form, by simulating 200,000 examinees at θ
// (within 4 Monte Carlo standard errors).
func TestCSEMDirect(t *testing.T) {
	s := Passport()
	small := form(2, 12)
	tab, err := ConversionTable(small, s, TableOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for x, r := range tab.Rows {
		th := r.ThetaTCC
		if math.IsNaN(th) {
			th = r.ThetaEAP
		}
		var m, m2 float64
		for pat := 0; pat < 1<<12; pat++ {
			p, raw := 1.0, 0
			for j, it := range small {
				if pat>>j&1 == 1 {
					p *= it.Prob(th)
					raw++
				} else {
					p *= 1 - it.Prob(th)
				}
			}
			sc := tab.Rows[raw].Score
			m += p * sc
			m2 += p * sc * sc
		}
		want := math.Sqrt(m2 - m*m)
		if math.Abs(r.CSEM-want) > 1e-8 {
			t.Errorf("raw %d: CSEM %.10f, enumeration %.10f", x, r.CSEM, want)
		}
	}
	items := form(1, 50)
	tab, err = ConversionTable(items, s, TableOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	resp := make([]int8, 50)
	for _, x := range []int{15, 30, 42} {
		th := tab.Rows[x].ThetaTCC
		const n = 200000
		var m, m2 float64
		for range n {
			irt.Simulate(resp, rng, items, th)
			raw := 0
			for _, u := range resp {
				raw += int(u)
			}
			sc := tab.Rows[raw].Score
			m += sc
			m2 += sc * sc
		}
		m /= n
		sd := math.Sqrt(m2/n - m*m)
		// The SE of a sample SD is about sd/√(2n) (normal approximation).
		if se := sd / math.Sqrt(2*n); math.Abs(tab.Rows[x].CSEM-sd) > 4*se {
			t.Errorf("raw %d: CSEM %.4f, simulation %.4f ± %.4f", x, tab.Rows[x].CSEM, sd, se)
		}
	}
}

// TestEquating: a form equated to itself is the identity; to a harder form,
// equivalents are lower; both methods are monotone and in range.
func TestEquating(t *testing.T) {
	x := form(7, 40)
	g := irt.DefaultGrid()
	if d := maxAbsDiff(TrueScore(x, x, -6, 6), seq(41)); d > 1e-9 {
		t.Errorf("true-score self-equating moves scores by %g", d)
	}
	if d := maxAbsDiff(ObservedScore(x, x, g), seq(41)); d > 1e-9 {
		t.Errorf("observed-score self-equating moves scores by %g", d)
	}
	y := make([]irt.ThreePL, len(x))
	for i, it := range x {
		it.B += 0.3
		y[i] = it
	}
	for name, e := range map[string][]float64{"true": TrueScore(x, y, -6, 6), "observed": ObservedScore(x, y, g)} {
		for s := 1; s < 40; s++ {
			if e[s] < e[s-1] || e[s] < -0.5 || e[s] > 40.5 {
				t.Errorf("%s: e(%d) = %g after e(%d) = %g", name, s, e[s], s-1, e[s-1])
			}
		}
		if e[20] >= 20 {
			t.Errorf("%s: on a harder form 20 equates to %g", name, e[20])
		}
	}
	// True-score and observed-score equating agree closely in the middle
	// (Kolen & Brennan 2014, sec. 6.9.3).
	ts, os := TrueScore(x, y, -6, 6), ObservedScore(x, y, g)
	if d := math.Abs(ts[20] - os[20]); d > 0.3 {
		t.Errorf("true %g and observed %g equivalents of 20 differ by %g", ts[20], os[20], d)
	}
}

func seq(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = float64(i)
	}
	return s
}

func TestDriftAndBootstrap(t *testing.T) {
	truth := Transform{A: 1.2, B: 0.3}
	items := kbCommon(t)
	for i := range items {
		items[i].Base = truth.Item(items[i].New)
	}
	items[4].Base.B += 0.8 // one anchor drifted
	tr, err := MeanSigma(items)
	if err != nil {
		t.Fatal(err)
	}
	d := DriftCheck(items, tr, 1.645)
	for i, x := range d {
		if x.Flag != (i == 4) {
			t.Errorf("item %d: flag %v (z_b %.2f, z_loga %.2f)", i, x.Flag, x.ZB, x.ZLogA)
		}
	}
	// Relinking without the drifted item recovers the transform.
	clean := append(append([]CommonItem{}, items[:4]...), items[5:]...)
	if tr, _ := MeanSigma(clean); math.Abs(tr.A-truth.A) > 1e-12 || math.Abs(tr.B-truth.B) > 1e-12 {
		t.Errorf("relinked: %+v", tr)
	}
	seA, seB, err := BootstrapSE(clean, MeanSigma, 200, 1)
	if err != nil || seA > 1e-9 || seB > 1e-9 {
		t.Errorf("exactly transformed items: SEs %g %g (%v), want 0", seA, seB, err)
	}
	kb := kbCommon(t, 27)
	seA, seB, err = BootstrapSE(kb, MeanSigma, 500, 1)
	if err != nil || !(seA > 0.01 && seA < 0.5) || !(seB > 0.01 && seB < 0.5) {
		t.Errorf("KB mean/sigma bootstrap SEs %g %g (%v)", seA, seB, err)
	}
	a, _, _ := BootstrapSE(kb, MeanSigma, 500, 1)
	if a != seA {
		t.Error("the bootstrap is not reproducible from its seed")
	}
}

// maxAbsDiff is the largest |a_i − b_i|.
func maxAbsDiff(a, b []float64) float64 {
	var m float64
	for i := range a {
		m = math.Max(m, math.Abs(a[i]-b[i]))
	}
	return m
}
