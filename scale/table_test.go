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

// guessingForm draws n 3PL items (D = 1) with c in [0.15, 0.25], so that
// Σc is about n/5: 10 on 50 items.
func guessingForm(seed uint64, n int) []irt.ThreePL {
	rng := rand.New(rand.NewPCG(seed, 4))
	items := make([]irt.ThreePL, n)
	for i := range items {
		items[i] = irt.ThreePL{A: math.Exp(0.2 * rng.NormFloat64()), B: rng.NormFloat64(), C: 0.15 + 0.1*rng.Float64(), D: 1}
	}
	return items
}

// checkThetaRule checks the TCC θ of every raw score against the rule of
// ConversionTable, with the test's own TCC: TCC(θ_x) = x to 1e-9 for
// Σc < x < n, TCC(θ_n) = n − ½ (or θ at the bound the root lies beyond),
// and below the lowest score f above Σc equal steps from θ_0 = Lo up to
// θ_f; and θ non-decreasing throughout.
func checkThetaRule(t *testing.T, name string, items []irt.ThreePL, tab *Table) {
	t.Helper()
	n := len(items)
	if f := tab.First; !(float64(f) > tab.SumC && float64(f-1) <= tab.SumC) {
		t.Errorf("%s: first score above Σc = %.3f is %d", name, tab.SumC, f)
	}
	for x, r := range tab.Rows {
		switch target := float64(x); {
		case x == n:
			target -= 0.5
			fallthrough
		case x >= tab.First:
			d := tcc(items, r.ThetaTCC) - target
			beyond := r.ThetaTCC == tab.Lo && d >= 0 || r.ThetaTCC == tab.Hi && d <= 0 // the root, at the bound
			if !beyond && math.Abs(d) > 1e-9 {
				t.Errorf("%s: TCC(θ_%d) − %g = %g", name, x, target, d)
			}
		case x == 0:
			if r.ThetaTCC != tab.Lo {
				t.Errorf("%s: θ_0 = %g, want Lo = %g", name, r.ThetaTCC, tab.Lo)
			}
		default:
			step := tab.Rows[1].ThetaTCC - tab.Rows[0].ThetaTCC
			if d := tab.Rows[x+1].ThetaTCC - r.ThetaTCC; math.Abs(d-step) > 1e-12 {
				t.Errorf("%s: θ steps by %g at raw %d and by %g at raw 0, want equal steps up to %d", name, d, x, step, tab.First)
			}
		}
		if x > 0 && r.ThetaTCC < tab.Rows[x-1].ThetaTCC {
			t.Errorf("%s: θ_%d = %g below θ_%d = %g", name, x, r.ThetaTCC, x-1, tab.Rows[x-1].ThetaTCC)
		}
	}
}

// TestConversionTable50: a 50-item form's table covers 0…50, follows the
// TCC rule, is monotone, stays in 300–850, maps 0 and 50 to the ends
// under the TCC method, and to the EAPs' scores under the EAP method.
func TestConversionTable50(t *testing.T) {
	items := form(1, 50)
	s := Passport()
	for _, m := range []ThetaMethod{ByTCC, ByEAP} {
		tab, err := ConversionTable(items, s, TableOptions{Method: m})
		if err != nil {
			t.Fatal(err)
		}
		if len(tab.Rows) != 51 || tab.Lo != -6 || tab.Hi != 6 {
			t.Fatalf("%s: %d rows, bounds [%g, %g]", m, len(tab.Rows), tab.Lo, tab.Hi)
		}
		checkThetaRule(t, string(m), items, tab)
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
			if m == ByEAP && r.Score != s.Score(r.ThetaEAP) {
				t.Errorf("EAP table: raw %d scores %g, θ_EAP gives %g", x, r.Score, s.Score(r.ThetaEAP))
			}
			if m == ByTCC && x > 0 && r.Score != s.Score(r.ThetaTCC) {
				t.Errorf("TCC table: raw %d scores %g, θ_TCC gives %g", x, r.Score, s.Score(r.ThetaTCC))
			}
			if !(r.CSEM >= 0) {
				t.Errorf("raw %d: CSEM %g", x, r.CSEM)
			}
		}
		if m == ByTCC && (tab.Lowest != 300 || tab.Highest != 850) {
			t.Errorf("TCC table runs %g–%g, want 300–850", tab.Lowest, tab.Highest)
		}
	}
}

// TestRootsBeyondBounds: ten identical items (a = 0.3, c = 0.25, D = 1)
// on a scale wide enough not to clamp, θ = −8 → 300, θ = 8 → 850. The
// TCC root of x is ln((x/10 − c)/(1 − x/10))/0.3: raw 9's is 6.24, beyond
// Hi = 6, so raw 9 and 10 report 850, not raw 8's 691; raw 3's is −8.80,
// below Lo = −6, so raw 3 (and 0–2 below it) report 300.
func TestRootsBeyondBounds(t *testing.T) {
	items := make([]irt.ThreePL, 10)
	for i := range items {
		items[i] = irt.ThreePL{A: 0.3, C: 0.25, D: 1}
	}
	s, err := TwoPoints(-8, 300, 8, 850, 300, 850)
	if err != nil {
		t.Fatal(err)
	}
	tab, err := ConversionTable(items, s, TableOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkThetaRule(t, "ten identical items", items, tab)
	root := func(x float64) float64 { return math.Log((x/10-0.25)/(1-x/10)) / 0.3 }
	for x, r := range tab.Rows {
		var wantTheta, wantScore float64
		switch {
		case x <= 3:
			wantTheta, wantScore = -6, 300
		case x >= 9:
			wantTheta, wantScore = 6, 850
		default:
			wantTheta = root(float64(x))
			wantScore = math.Round(550.0/16*wantTheta + 575)
		}
		if math.Abs(r.ThetaTCC-wantTheta) > 1e-9 || r.Score != wantScore {
			t.Errorf("raw %d: θ %.6f, score %g; want %.6f, %g", x, r.ThetaTCC, r.Score, wantTheta, wantScore)
		}
	}
	if tab.Rows[8].Score != 691 {
		t.Errorf("raw 8 scores %g, want 691 (θ = %.4f)", tab.Rows[8].Score, root(8))
	}
}

// TestTableRefusals: no items, an unknown method, empty θ bounds, and a
// form whose Σc leaves no score below the top with a TCC θ are refused
// under the TCC method; the EAP method still scores that form.
func TestTableRefusals(t *testing.T) {
	s := Passport()
	one := []irt.ThreePL{{A: 1, C: 0.2, D: 1}}
	for _, c := range []struct {
		items []irt.ThreePL
		o     TableOptions
	}{
		{nil, TableOptions{}},
		{form(1, 5), TableOptions{Method: "ml"}},
		{form(1, 5), TableOptions{Lo: 2, Hi: -2}},
		{one, TableOptions{}},
	} {
		if _, err := ConversionTable(c.items, s, c.o); err == nil {
			t.Errorf("%d items, %+v: accepted", len(c.items), c.o)
		}
	}
	tab, err := ConversionTable(one, s, TableOptions{Method: ByEAP})
	if err != nil || len(tab.Rows) != 2 || !math.IsNaN(tab.Rows[1].ThetaTCC) || tab.Rows[1].Score != s.Score(tab.Rows[1].ThetaEAP) {
		t.Errorf("one item by EAP: %v %+v", err, tab)
	}
}

// TestCSEMSmooth: the CSEM has no jump where the θ rule changes, at Σc and
// at the top score, on the Kolen & Brennan forms X and Y (36 items, D =
// 1.7, Σc 6.5 and 5.8) and on two simulated 50-item forms with Σc 9.95
// (raw 10's TCC root lies below −6, so 0–10 share θ = −6) and 10.18.
//
// Consecutive CSEMs differ by a factor of at most 3.5. Where the scale
// clamps at 850 the CSEM falls towards 0 as θ grows, and steeply: the
// largest factor on these forms is 2.97, KB X's 10.2 → 3.4 at the top
// score (2.5 in its interior, 25.5 → 10.2); the top score at θ = Hi = 6
// would fall by 12.7 and 13.6 on the KB forms. And at each seam — into
// the first score above Σc, into the top score — the CSEM moves in the
// direction of the neighbouring interior step, or not at all: no spike
// or notch. The rule before (the CSEM at the EAP where the TCC has no
// inverse) reversed direction at both seams of all four forms.
func TestCSEMSmooth(t *testing.T) {
	x, y := kbForms(t)
	for _, f := range []struct {
		name  string
		items []irt.ThreePL
	}{{"KB X", x}, {"KB Y", y}, {"simulated 1", guessingForm(1, 50)}, {"simulated 2", guessingForm(2, 50)}} {
		tab, err := ConversionTable(f.items, Passport(), TableOptions{})
		if err != nil {
			t.Fatal(err)
		}
		checkThetaRule(t, f.name, f.items, tab)
		n, rows := len(f.items), tab.Rows
		for x := 1; x <= n; x++ {
			if r := rows[x].CSEM / rows[x-1].CSEM; !(r <= 3.5 && r >= 1/3.5) {
				t.Errorf("%s: CSEM %.2f at raw %d, %.2f at raw %d: a factor of %.2f", f.name, rows[x-1].CSEM, x-1, rows[x].CSEM, x, r)
			}
		}
		step := func(x int) float64 { return rows[x].CSEM - rows[x-1].CSEM }
		for _, seam := range [][2]int{{tab.First, tab.First + 1}, {n, n - 1}} {
			if step(seam[0])*step(seam[1]) < 0 {
				t.Errorf("%s: the CSEM steps by %.2f into raw %d and by %.2f into raw %d", f.name, step(seam[0]), seam[0], step(seam[1]), seam[1])
			}
		}
	}
}

// TestCSEMDirect checks the scale-score CSEM against a direct computation
// at the raw score's θ: on a 12-item form (Σc = 1.95), under both methods,
// by enumerating all 2^12 response patterns; on the 50-item form, by
// simulating 200,000 examinees at θ (within 4 Monte Carlo standard errors)
// at raw scores below Σc, in the interior and at the top.
func TestCSEMDirect(t *testing.T) {
	s := Passport()
	small := form(2, 12)
	for _, m := range []ThetaMethod{ByTCC, ByEAP} {
		tab, err := ConversionTable(small, s, TableOptions{Method: m})
		if err != nil {
			t.Fatal(err)
		}
		if tab.First != 2 {
			t.Fatalf("Σc = %.3f: first score above it %d, want 2", tab.SumC, tab.First)
		}
		for x, r := range tab.Rows {
			th := r.ThetaTCC
			if m == ByEAP {
				th = r.ThetaEAP
			}
			var m1, m2 float64
			for pat := 0; pat < 1<<12; pat++ {
				p, raw := 1.0, 0
				for j, it := range small {
					if pat>>j&1 == 1 {
						p *= prob3PL(it, th)
						raw++
					} else {
						p *= 1 - prob3PL(it, th)
					}
				}
				sc := tab.Rows[raw].Score
				m1 += p * sc
				m2 += p * sc * sc
			}
			want := math.Sqrt(m2 - m1*m1)
			if math.Abs(r.CSEM-want) > 1e-8 {
				t.Errorf("%s raw %d: CSEM %.10f, enumeration %.10f", m, x, r.CSEM, want)
			}
		}
	}
	items := form(1, 50)
	tab, err := ConversionTable(items, s, TableOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	resp := make([]int8, 50)
	for _, x := range []int{5, 15, 30, 42, 50} {
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

// TestScaleTheta checks that Theta inverts Linear on the passport scale
// (θ = −3 → 300, θ = 3 → 850; θ = 0.5 → 620.83) and refuses scores
// outside it.
func TestScaleTheta(t *testing.T) {
	s := Passport()
	for _, c := range []struct{ x, theta float64 }{{300, -3}, {850, 3}, {575, 0}, {s.Linear(0.5), 0.5}} {
		if th, err := s.Theta(c.x); err != nil || math.Abs(th-c.theta) > 1e-12 {
			t.Errorf("Theta(%g) = %g, %v; want %g", c.x, th, err, c.theta)
		}
	}
	for _, x := range []float64{299, 851, math.NaN()} {
		if _, err := s.Theta(x); err == nil {
			t.Errorf("Theta(%g): no error", x)
		}
	}
}
