package calibrate

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/stat"

	"github.com/passportirt/passport/irt"
)

// TestScoreMatchesIRT: the batch scorer gives, examinee by examinee, what
// the irt estimators give on the examinee's own items, for every method.
func TestScoreMatchesIRT(t *testing.T) {
	s := simulateSparse(4, 40, 4, 20, 200, true)
	d := s.data()
	for _, m := range []Method{EAP, MAP, ML, WLE, EAPSum} {
		got, err := Score(d, s.truth, m, ScoreOptions{Mean: 0.2, SD: 1.1})
		if err != nil {
			t.Fatal(err)
		}
		g := irt.DefaultGrid()
		g.SetNormalWeights(0.2, 1.1)
		for p := 0; p < 200; p += 17 {
			var items []irt.ThreePL
			var resp []int8
			raw := 0
			for k := s.start[p]; k < s.start[p+1]; k++ {
				items = append(items, s.truth[s.items[k]])
				resp = append(resp, int8(s.scores[k]))
				raw += int(s.scores[k])
			}
			var want irt.Estimate
			switch m {
			case EAP:
				want = irt.EAP(items, resp, g)
			case MAP:
				want = irt.MAP(items, resp, 0.2, 1.1)
			case ML:
				want = irt.ML(items, resp, -6, 6)
			case WLE:
				want = irt.WLE(items, resp, -6, 6)
			case EAPSum:
				want = irt.EAPSum(nil, items, g)[raw]
			}
			e := got[p]
			if e.N != 20 || e.Raw != raw || !approxEqual(e.Theta, want.Theta) || !approxEqual(e.SE, want.SE) {
				t.Errorf("%s, examinee %d: %+v, irt gives %+v", m, p, e, want)
			}
		}
	}
}

func approxEqual(a, b float64) bool {
	return a == b || math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b))
}

// TestScoreRecoversTheta: with 50 items per examinee, EAP estimates
// correlate with the true abilities as the test's reliability says:
// corr² ≈ 1 − mean(SE²) (the posterior variance share); within 0.02.
func TestScoreRecoversTheta(t *testing.T) {
	s := simulateSparse(9, 100, 4, 50, 4000, false)
	got, err := Score(s.data(), s.truth, EAP, ScoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	est := make([]float64, len(got))
	var v float64
	for p, e := range got {
		est[p] = e.Theta
		v += e.SE * e.SE
	}
	r := stat.Correlation(est, s.thetas, nil)
	want := math.Sqrt(1 - v/float64(len(got)))
	if math.Abs(r-want) > 0.02 {
		t.Errorf("corr(EAP, θ) = %.4f; reliability from the SEs gives %.4f", r, want)
	}
}

// TestPosterior: the summed posteriors of a large N(0.5, 1.2²) group on the
// grid have that mean and SD (within 0.03), and sum to 1.
func TestPosterior(t *testing.T) {
	s := simulateSparse(6, 60, 3, 40, 6000, false)
	// Shift the group: θ → 0.5 + 1.2θ is the same as moving the items.
	items := make([]irt.ThreePL, len(s.truth))
	for i, p := range s.truth {
		items[i] = irt.ThreePL{A: p.A / 1.2, B: 0.5 + 1.2*p.B, D: 1}
	}
	g := irt.DefaultGrid()
	w, err := Posterior(s.data(), items, g)
	if err != nil {
		t.Fatal(err)
	}
	var sum, m, v float64
	for k, x := range w {
		sum += x
		m += x * g.Nodes[k]
	}
	for k, x := range w {
		v += x * (g.Nodes[k] - m) * (g.Nodes[k] - m)
	}
	if math.Abs(sum-1) > 1e-12 || math.Abs(m-0.5) > 0.03 || math.Abs(math.Sqrt(v)-1.2) > 0.03 {
		t.Errorf("posterior: sum %g, mean %.4f, SD %.4f; want 1, 0.5, 1.2", sum, m, math.Sqrt(v))
	}
}

// TestSummarize checks the score summary by hand: three EAP estimates
// −1, 0, 1 (SD √(2/3)) with SEs 0.5, one not finite.
func TestSummarize(t *testing.T) {
	sc := []ExamineeScore{
		{Estimate: irt.Estimate{Theta: -1, SE: 0.5}}, {Estimate: irt.Estimate{Theta: 0, SE: 0.5}},
		{Estimate: irt.Estimate{Theta: 1, SE: 0.5}}, {Estimate: irt.Estimate{Theta: math.Inf(1), SE: math.Inf(1)}},
	}
	s := Summarize(sc, EAP)
	v := 2.0 / 3
	if s.N != 4 || s.NonFinite != 1 || s.Mean != 0 || math.Abs(s.SD-math.Sqrt(v)) > 1e-15 || s.RMSSE != 0.5 ||
		math.Abs(s.Reliability-v/(v+0.25)) > 1e-15 {
		t.Errorf("EAP summary %+v", s)
	}
	if r := Summarize(sc, WLE).Reliability; math.Abs(r-(1-0.25/v)) > 1e-15 {
		t.Errorf("WLE reliability %g, want %g", r, 1-0.25/v)
	}
}
