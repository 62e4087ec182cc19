package irt

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"gonum.org/v1/gonum/stat"
)

// formDesign simulates nExam examinees, θ ~ N(0, 1), each taking one of
// nForms overlapping forms of formLen consecutive items (circularly) out
// of nItems mixedItems. It returns the items, the abilities and the sparse
// matrix.
func formDesign(seed uint64, nItems, nForms, formLen, nExam int) ([]ThreePL, []float64, *Responses) {
	rng := rand.New(rand.NewPCG(seed, 3))
	items := mixedItems(rng, nItems)
	b := NewBuilder(nItems)
	thetas := make([]float64, nExam)
	params := make([]ThreePL, formLen)
	resp := make([]int8, formLen)
	for p := range thetas {
		first := (p % nForms) * nItems / nForms
		for k := range params {
			params[k] = items[(first+k)%nItems]
		}
		thetas[p] = DrawTheta(rng, 0, 1)
		Simulate(resp, rng, params, thetas[p])
		for k, u := range resp {
			if err := b.Add((first+k)%nItems, uint8(u)); err != nil {
				panic(err)
			}
		}
		b.Next()
	}
	return items, thetas, b.Responses()
}

// TestScoreResponsesMatchesEstimators: for every method, every examinee's
// score is what the estimator of that name gives on the examinee's own
// items, computed here pattern by pattern; an examinee without responses
// gets NaN.
func TestScoreResponsesMatchesEstimators(t *testing.T) {
	items, _, r := formDesign(4, 40, 4, 20, 200)
	// One more examinee with a unique item set, and one with none.
	b := NewBuilder(40)
	for p := range r.NExaminees() {
		for k := r.Start[p]; k < r.Start[p+1]; k++ {
			b.Add(int(r.Item[k]), r.Score[k])
		}
		b.Next()
	}
	b.Add(3, 1)
	b.Add(30, 0)
	b.Add(31, 1)
	b.Next()
	b.Next()
	r = b.Responses()
	const mean, sd = 0.2, 1.1
	prior := NormalGrid(61, -6, 6)
	prior.SetNormalWeights(mean, sd)
	for _, m := range []ScoreMethod{MethodEAP, MethodMAP, MethodML, MethodWLE, MethodEAPSum} {
		got, err := ScoreResponses(r, items, m, ScoreOptions{Mean: mean, SD: sd})
		if err != nil {
			t.Fatal(err)
		}
		for p := range r.NExaminees() {
			var its []ThreePL
			var resp []int8
			for k := r.Start[p]; k < r.Start[p+1]; k++ {
				its = append(its, items[r.Item[k]])
				resp = append(resp, int8(r.Score[k]))
			}
			e := got[p]
			if len(its) == 0 {
				if !math.IsNaN(e.Theta) || !math.IsNaN(e.SE) || e.N != 0 {
					t.Errorf("%s, examinee %d without responses: %+v, want NaN", m, p, e)
				}
				continue
			}
			var want Estimate
			switch m {
			case MethodEAP:
				want = EAP(its, resp, prior)
			case MethodMAP:
				want = MAP(its, resp, mean, sd)
			case MethodML:
				want = ML(its, resp, -DefaultBound, DefaultBound)
			case MethodWLE:
				want = WLE(its, resp, -DefaultBound, DefaultBound)
			case MethodEAPSum:
				want = EAPSum(nil, its, prior)[sumScore(resp)]
			}
			// Trace.EAP sums the same terms in another order: 1e-9.
			if e.N != len(its) || e.Raw != sumScore(resp) || !closeRel(e.Theta, want.Theta, 1e-9) || !closeRel(e.SE, want.SE, 1e-9) {
				t.Errorf("%s, examinee %d: %+v, the estimator gives %+v", m, p, e, want)
			}
		}
	}
}

// TestScoreResponsesRecoversTheta: with 50 items per examinee, the EAP
// estimates correlate with the true abilities as the test's reliability
// says, corr² ≈ 1 − mean(SE²) (the posterior variance share); within 0.02.
func TestScoreResponsesRecoversTheta(t *testing.T) {
	items, thetas, r := formDesign(9, 100, 4, 50, 4000)
	got, err := ScoreResponses(r, items, MethodEAP, ScoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	est := make([]float64, len(got))
	var v float64
	for p, e := range got {
		est[p] = e.Theta
		v += e.SE * e.SE
	}
	c := stat.Correlation(est, thetas, nil)
	want := math.Sqrt(1 - v/float64(len(got)))
	if math.Abs(c-want) > 0.02 {
		t.Errorf("corr(EAP, θ) = %.4f; reliability from the SEs gives %.4f", c, want)
	}
}

// TestScoreResponsesLeavesGridAlone: scoring reweights a copy of the
// caller's grid, never the grid itself, and a grid's own weights do not
// enter: any weights on the same nodes give the same scores.
func TestScoreResponsesLeavesGridAlone(t *testing.T) {
	items, _, r := formDesign(5, 30, 3, 15, 60)
	grid := NormalGrid(41, -5, 5)
	for k := range grid.Weights {
		grid.Weights[k] = 1 / float64(len(grid.Weights)) // uniform, unlike N(0.3, 0.8²)
	}
	nodes, weights := slices.Clone(grid.Nodes), slices.Clone(grid.Weights)
	for _, m := range []ScoreMethod{MethodEAP, MethodEAPSum} {
		got, err := ScoreResponses(r, items, m, ScoreOptions{Mean: 0.3, SD: 0.8, Grid: grid})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(grid.Nodes, nodes) || !slices.Equal(grid.Weights, weights) {
			t.Fatalf("%s changed the caller's grid", m)
		}
		want, err := ScoreResponses(r, items, m, ScoreOptions{Mean: 0.3, SD: 0.8, Grid: NormalGrid(41, -5, 5)})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: the grid's own weights changed the scores", m)
		}
	}
}

// TestScoreResponsesThreads: the result does not depend on the number of
// workers, bit for bit.
func TestScoreResponsesThreads(t *testing.T) {
	items, _, r := formDesign(6, 40, 5, 20, 300)
	one, err := ScoreResponses(r, items, MethodWLE, ScoreOptions{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	three, err := ScoreResponses(r, items, MethodWLE, ScoreOptions{Threads: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(one, three) {
		t.Error("1 and 3 workers give different scores")
	}
}

func TestScoreResponsesErrors(t *testing.T) {
	items, _, r := formDesign(7, 10, 1, 10, 5)
	if _, err := ScoreResponses(r, items[:9], MethodEAP, ScoreOptions{}); err == nil {
		t.Error("9 item parameters for 10 items: no error")
	}
	if _, err := ScoreResponses(r, items, "mle", ScoreOptions{}); err == nil {
		t.Error(`method "mle": no error`)
	}
	for _, s := range []string{"eap", "map", "ml", "wle", "eapsum"} {
		if m, err := ParseMethod(s); err != nil || string(m) != s {
			t.Errorf("ParseMethod(%q) = %q, %v", s, m, err)
		}
	}
}

// TestSummarize checks the score summary by hand: three EAP estimates
// −1, 0, 1 (population SD √(2/3)) with SEs 0.5, and one not finite.
func TestSummarize(t *testing.T) {
	sc := []ExamineeScore{
		{Estimate: Estimate{Theta: -1, SE: 0.5}}, {Estimate: Estimate{Theta: 0, SE: 0.5}},
		{Estimate: Estimate{Theta: 1, SE: 0.5}}, {Estimate: Estimate{Theta: math.Inf(1), SE: math.Inf(1)}},
	}
	s := Summarize(sc, MethodEAP)
	v := 2.0 / 3
	if s.N != 4 || s.NonFinite != 1 || s.Mean != 0 || math.Abs(s.SD-math.Sqrt(v)) > 1e-15 || s.RMSSE != 0.5 ||
		math.Abs(s.Reliability-v/(v+0.25)) > 1e-15 {
		t.Errorf("EAP summary %+v", s)
	}
	if r := Summarize(sc, MethodWLE).Reliability; math.Abs(r-(1-0.25/v)) > 1e-15 {
		t.Errorf("WLE reliability %g, want %g", r, 1-0.25/v)
	}
	if s := Summarize(sc[3:], MethodML); s.NonFinite != 1 || !math.IsNaN(s.Mean) || !math.IsNaN(s.Reliability) {
		t.Errorf("no finite estimate: %+v", s)
	}
}
