package reports

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/passportirt/passport/irt"
)

// TestLzStarRasch: under the Rasch model P′ = PQ and P″ = PQ(Q − P), so
// r_i = 1, c = ΣPQ·w/ΣPQ, τ² = ΣPQ(w − c)², and r_0 = ΣPQ(Q − P)/(2ΣPQ):
// l_z* by these closed forms, written out here.
func TestLzStarRasch(t *testing.T) {
	items := []irt.ThreePL{{A: 1, B: -1, D: 1}, {A: 1, B: 0, D: 1}, {A: 1, B: 1, D: 1}, {A: 1, B: 0.5, D: 1}}
	resp := []uint8{1, 0, 1, 0}
	theta := 0.3
	var w0, spqw, spq, sj float64
	p := make([]float64, len(items))
	for i, it := range items {
		p[i] = 1 / (1 + math.Exp(-(theta - it.B)))
		pq := p[i] * (1 - p[i])
		w := math.Log(p[i] / (1 - p[i]))
		w0 += (float64(resp[i]) - p[i]) * w
		spqw += pq * w
		spq += pq
		sj += pq * (1 - 2*p[i])
	}
	c := spqw / spq
	var tau2 float64
	for i := range items {
		w := math.Log(p[i] / (1 - p[i]))
		tau2 += p[i] * (1 - p[i]) * (w - c) * (w - c)
	}
	want := (w0 + c*sj/(2*spq)) / math.Sqrt(tau2)
	if got := LzStar(items, resp, theta); math.Abs(got-want) > 1e-12 {
		t.Errorf("l_z* = %.12f, by the Rasch closed form %.12f", got, want)
	}
}

// TestLzStar3PLNumeric: the 3PL's l_z* with P′ and P″ taken by central
// differences of P, and W by its definition as l0 − E(l0).
func TestLzStar3PLNumeric(t *testing.T) {
	items := []irt.ThreePL{{A: 1.2, B: -0.5, C: 0.2, D: 1.7}, {A: 0.8, B: 0.4, C: 0.15, D: 1.7}, {A: 1.5, B: 1.1, C: 0.25, D: 1.7},
		{A: 0.6, B: -1.4, C: 0.1, D: 1.7}, {A: 1.0, B: 0.0, C: 0.2, D: 1.7}}
	resp := []uint8{0, 1, 1, 0, 1}
	theta, h := 0.42, 1e-4
	var l0, el0, pw, pr, info, j float64
	type tr struct{ p, w, r float64 }
	var ts []tr
	for i, it := range items {
		pm, p0, pp := it.Prob(theta-h), it.Prob(theta), it.Prob(theta+h)
		d, d2 := (pp-pm)/(2*h), (pp-2*p0+pm)/(h*h)
		q := 1 - p0
		x := float64(resp[i])
		l0 += x*math.Log(p0) + (1-x)*math.Log(q)
		el0 += p0*math.Log(p0) + q*math.Log(q)
		w, r := math.Log(p0/q), d/(p0*q)
		pw += d * w
		pr += d * r
		info += d * r
		j += d * d2 / (p0 * q)
		ts = append(ts, tr{p0, w, r})
	}
	c := pw / pr
	var tau2 float64
	for _, t := range ts {
		tau2 += (t.w - c*t.r) * (t.w - c*t.r) * t.p * (1 - t.p)
	}
	want := (l0 - el0 + c*j/(2*info)) / math.Sqrt(tau2)
	if got := LzStar(items, resp, theta); math.Abs(got-want) > 1e-6 {
		t.Errorf("l_z* = %.9f, by numeric derivatives %.9f", got, want)
	}
}

// TestPersonFitsSimulated: under the model l_z* at the WLE is close to
// N(0, 1) (Snijders 2001), so about 5 % are flagged (its mean is a little
// above 0 on a short test: about 0.16 on 20 items, 0.11 on 40 and 0.07 on
// 80 in this design, shrinking as 1/√k; the uncorrected l_z at the true θ
// has mean 0); a pattern that
// answers the hard half right and the easy half wrong is flagged.
func TestPersonFitsSimulated(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n, k := 2000, 40
	items := make([]irt.ThreePL, k)
	b := irt.NewBuilder(k)
	for i := range items {
		items[i] = irt.ThreePL{A: 0.7 + rng.Float64(), B: -2 + 4*float64(i)/float64(k-1), D: 1}
	}
	for range n {
		for i, x := range irt.Simulate(nil, rng, items, rng.NormFloat64()) {
			if err := b.Add(i, uint8(x)); err != nil {
				t.Fatal(err)
			}
		}
		b.Next()
	}
	for i := range k { // the aberrant examinee
		if err := b.Add(i, boolScore(i >= k/2)); err != nil {
			t.Fatal(err)
		}
	}
	b.Next()
	r := b.Responses()
	fits, err := PersonFits(r, items, PersonFitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var sum, sum2 float64
	flagged := 0
	for _, f := range fits[:n] {
		sum += float64(f.Lz)
		sum2 += float64(f.Lz) * float64(f.Lz)
		if len(f.Flags) > 0 && f.Flags[0] == FlagPersonMisfit {
			flagged++
		}
	}
	mean := sum / float64(n)
	sd := math.Sqrt(sum2/float64(n) - mean*mean)
	t.Logf("l_z* under the model: mean %.3f, SD %.3f, %d of %d flagged", mean, sd, flagged, n)
	if math.Abs(mean) > 0.15 || math.Abs(sd-1) > 0.1 {
		t.Errorf("l_z* mean %.3f, SD %.3f; want about 0 and 1", mean, sd)
	}
	if flagged < n*3/100 || flagged > n*8/100 {
		t.Errorf("%d of %d flagged at the 5 %% point", flagged, n)
	}
	ab := fits[n]
	if !(float64(ab.Lz) < -4) || ab.Flags[0] != FlagPersonMisfit || !(float64(ab.Outfit) > 2) {
		t.Errorf("the aberrant pattern: l_z* %v, outfit %v, flags %v", ab.Lz, ab.Outfit, ab.Flags)
	}
}

// TestSeparation: measures −1, 0, 1, 2 with SE 0.5: observed variance
// 1.25, MSE 0.25, true variance 1, separation 1/0.5 = 2, reliability 0.8.
func TestSeparation(t *testing.T) {
	s := SeparationOf("persons", []float64{-1, 0, 1, 2, math.NaN()}, []float64{0.5, 0.5, 0.5, 0.5, 0.5})
	for _, c := range []struct {
		name      string
		got, want Num
	}{
		{"mean", s.Mean, 0.5}, {"SD", s.SD, Num(math.Sqrt(1.25))}, {"RMSE", s.RMSE, 0.5},
		{"true SD", s.TrueSD, 1}, {"separation", s.Separation, 2}, {"reliability", s.Reliability, 0.8},
	} {
		if math.Abs(float64(c.got-c.want)) > 1e-12 {
			t.Errorf("%s = %v, by hand %v", c.name, c.got, c.want)
		}
	}
	if s.N != 4 {
		t.Errorf("N = %d, want 4 (NaN left out)", s.N)
	}
	// Errors larger than the spread: no true variance, separation 0.
	if s := SeparationOf("items", []float64{0, 0.1}, []float64{1, 1}); s.Separation != 0 || s.Reliability != 0 {
		t.Errorf("noise only: separation %v, reliability %v", s.Separation, s.Reliability)
	}
}

func TestScoreDistributions(t *testing.T) {
	r := &irt.Responses{Forms: []string{"A", "B"}, Start: []int{0}}
	for _, e := range []struct {
		form   int32
		scores []uint8
	}{{0, []uint8{1, 1, 0}}, {0, []uint8{1, 0, 0}}, {0, []uint8{0, 1, 1}}, {1, []uint8{1, 1}}, {0, []uint8{1}}} {
		for i, s := range e.scores {
			r.Item = append(r.Item, int32(i))
			r.Score = append(r.Score, s)
		}
		r.Start = append(r.Start, len(r.Item))
		r.Form = append(r.Form, e.form)
	}
	got := ScoreDistributions(r)
	want := []ScoreCount{{"A", 1, 1, 1, 100}, {"A", 3, 1, 1, 100.0 / 3}, {"A", 3, 2, 2, 200.0 / 3}, {"B", 2, 2, 1, 100}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Form != w.Form || g.Items != w.Items || g.Raw != w.Raw || g.Examinees != w.Examinees || math.Abs(float64(g.Percent-w.Percent)) > 1e-12 {
			t.Errorf("row %d = %+v, want %+v", i, g, w)
		}
	}
}
