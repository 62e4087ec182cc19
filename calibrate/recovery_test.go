package calibrate

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/passportirt/passport/irt"
)

// sparseDesign is a simulated calibration with known truth: nItems items on
// nForms overlapping forms of formLen consecutive items (circularly), each
// examinee taking one form, θ ~ N(0, 1).
type sparseDesign struct {
	truth  []irt.ThreePL
	thetas []float64 // per examinee
	forms  [][]int
	// responses, examinee-major: items[k], scores[k] for k in [start[p], start[p+1])
	start  []int
	items  []int32
	scores []uint8
}

func simulateSparse(seed uint64, nItems, nForms, formLen, nExam int, threePL bool) *sparseDesign {
	rng := rand.New(rand.NewPCG(seed, 17))
	s := &sparseDesign{truth: make([]irt.ThreePL, nItems)}
	for i := range s.truth {
		p := irt.ThreePL{A: math.Exp(0.1 + 0.25*rng.NormFloat64()), B: rng.NormFloat64(), D: 1}
		if threePL {
			// c from the default prior for four options, Beta(6, 16), so
			// that the prior pulls no estimate systematically (gamma
			// variates as sums of exponentials).
			g1, g2 := 0.0, 0.0
			for range 6 {
				g1 -= math.Log(rng.Float64())
			}
			for range 16 {
				g2 -= math.Log(rng.Float64())
			}
			p.C = g1 / (g1 + g2)
		}
		s.truth[i] = p
	}
	stride := nItems / nForms
	s.forms = make([][]int, nForms)
	for f := range s.forms {
		for k := range formLen {
			s.forms[f] = append(s.forms[f], (f*stride+k)%nItems)
		}
	}
	s.start = []int{0}
	resp := make([]int8, formLen)
	params := make([]irt.ThreePL, formLen)
	for p := range nExam {
		form := s.forms[p%nForms]
		for k, i := range form {
			params[k] = s.truth[i]
		}
		theta := irt.DrawTheta(rng, 0, 1)
		s.thetas = append(s.thetas, theta)
		irt.Simulate(resp, rng, params, theta)
		for k, i := range form {
			s.items = append(s.items, int32(i))
			s.scores = append(s.scores, uint8(resp[k]))
		}
		s.start = append(s.start, len(s.items))
	}
	return s
}

// data builds the sparse matrix (the part of a calibration's cost that
// the benchmarks include).
func (s *sparseDesign) data() *irt.Responses {
	b := irt.NewBuilder(len(s.truth))
	b.Grow(len(s.start)-1, len(s.items))
	for p := 0; p+1 < len(s.start); p++ {
		for k := s.start[p]; k < s.start[p+1]; k++ {
			if err := b.Add(int(s.items[k]), s.scores[k]); err != nil {
				panic(err)
			}
		}
		b.Next()
	}
	return b.Responses()
}

// crBound is the root mean Cramér–Rao variance of (a, b, c) over the items
// if θ were observed: per item, the inverse of
// n_i·∫∇P∇Pᵀ/(P(1−P))φ(θ)dθ (Lord 1980, eq. 12-?; Baker & Kim 2004, ch. 7),
// plus, for the 3PL, the curvature of the Beta prior on c. MML estimates,
// with θ unobserved, can only be less precise; the tests allow twice this.
func crBound(s *sparseDesign, n []float64, threePL bool, cA, cB float64) [3]float64 {
	g := irt.DefaultGrid()
	k := 2
	if threePL {
		k = 3
	}
	var sum [3]float64
	for i, p := range s.truth {
		info := mat.NewSymDense(k, nil)
		for q, th := range g.Nodes {
			da, db, dc := p.Grad(th)
			pr, qr := p.PQ(th)
			grad := []float64{da, db, dc}
			for r := range k {
				for c := r; c < k; c++ {
					info.SetSym(r, c, info.At(r, c)+n[i]*g.Weights[q]*grad[r]*grad[c]/(pr*qr))
				}
			}
		}
		if threePL {
			c := p.C
			info.SetSym(2, 2, info.At(2, 2)+(cA-1)/(c*c)+(cB-1)/((1-c)*(1-c)))
		}
		var chol mat.Cholesky
		if !chol.Factorize(info) {
			panic("singular information")
		}
		var cov mat.SymDense
		chol.InverseTo(&cov)
		for r := range k {
			sum[r] += cov.At(r, r)
		}
	}
	for r := range sum {
		sum[r] = math.Sqrt(sum[r] / float64(len(s.truth)))
	}
	return sum
}

func estimates(res *Result) []irt.ThreePL {
	out := make([]irt.ThreePL, len(res.Items))
	for i, it := range res.Items {
		out[i] = it.Params
	}
	return out
}

// TestRecovery2PL3PL fits the design — 200 items, 16 overlapping
// 50-item forms, 20,000 examinees — and bounds the RMSEs by twice the
// complete-data Cramér–Rao bound.
func TestRecovery2PL3PL(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	for _, threePL := range []bool{false, true} {
		s := simulateSparse(11, 200, 16, 50, 20000, threePL)
		d := s.data()
		model := irt.Model2PL
		if threePL {
			model = irt.Model3PL
		}
		res, err := Run(d, Options{Model: model})
		if err != nil {
			t.Fatal(err)
		}
		n, _ := itemCounts(d)
		// The default c prior for four options: Beta(20·0.25+1, 20·0.75+1) = Beta(6, 16).
		bound := crBound(s, n, threePL, 6, 16)
		rec := Compare(estimates(res), s.truth)
		ra, rb, rc := rec.A.RMSE, rec.B.RMSE, rec.C.RMSE
		t.Logf("%s: %d cycles, converged %v; RMSE a %.4f b %.4f c %.4f; Cramér–Rao a %.4f b %.4f c %.4f",
			model, res.Cycles, res.Converged, ra, rb, rc, bound[0], bound[1], bound[2])
		if !res.Converged {
			t.Errorf("%s did not converge: %s", model, res.Reason)
		}
		if ra > 2*bound[0] || rb > 2*bound[1] || (threePL && rc > 2*bound[2]) {
			t.Errorf("%s: RMSE a %.4f b %.4f c %.4f exceed twice the Cramér–Rao bound %.4f %.4f %.4f",
				model, ra, rb, rc, bound[0], bound[1], bound[2])
		}
		// The reported SEs match the spread of the errors: their root mean
		// square is within 25% of the RMSE.
		var seB float64
		for _, it := range res.Items {
			seB += it.SEB * it.SEB
		}
		seB = math.Sqrt(seB / float64(len(res.Items)))
		if seB < 0.75*rb || seB > 1.25*rb {
			t.Errorf("%s: root mean SE(b) %.4f against RMSE(b) %.4f", model, seB, rb)
		}
		// No systematic bias in b: the mean error is within 3 SEs of zero.
		// Only for the 2PL, whose ML estimates are asymptotically unbiased:
		// the 3PL's modal estimates shrink c toward the prior's mode (0.25,
		// below the Beta(6, 16) mean 0.27), and b follows c (measured: mean
		// error in c −0.016, in b −0.07, unchanged at tolerance 1e-6 and
		// with plain EM, so not a convergence artefact).
		if threePL {
			continue
		}
		var bias float64
		for i, tr := range s.truth {
			bias += res.Items[i].Params.B - tr.B
		}
		bias /= float64(len(s.truth))
		if math.Abs(bias) > 3*rb/math.Sqrt(float64(len(s.truth))) {
			t.Errorf("%s: mean error in b %.4f", model, bias)
		}
	}
}

// TestThreadsDoNotChangeResults: the E-step's fixed blocks make the result
// identical, bit for bit, for any number of threads — after every cycle, so
// 12 SQUAREM-accelerated 3PL cycles and the SEs at their end are enough.
func TestThreadsDoNotChangeResults(t *testing.T) {
	s := simulateSparse(5, 60, 6, 20, 3000, true)
	d := s.data()
	var first *Result
	for _, th := range []int{1, 2, 3, 8} {
		res, err := Run(d, Options{Model: irt.Model3PL, Threads: th, MaxCycles: 12})
		if err != nil {
			t.Fatal(err)
		}
		res.Options.Threads = 0
		if first == nil {
			first = res
			continue
		}
		if !reflect.DeepEqual(res.Items, first.Items) || res.LogLik != first.LogLik || res.Cycles != first.Cycles {
			t.Errorf("%d threads: results differ from 1 thread", th)
		}
	}
}

// TestAnchoredCalibration: holding some items at the free calibration's
// estimates after a linear transform θ* = A·θ + B, the free items land
// where the free calibration put them, transformed, within 0.02; and the
// group's mean and SD come out as B and A.
func TestAnchoredCalibration(t *testing.T) {
	s := simulateSparse(8, 100, 8, 40, 8000, false)
	d := s.data()
	free, err := Run(d, Options{Model: irt.Model2PL, NoSE: true})
	if err != nil {
		t.Fatal(err)
	}
	const A, B = 1.25, 0.4
	fixed := map[int]irt.ThreePL{}
	for i := 0; i < 100; i += 4 {
		p := free.Items[i].Params
		fixed[i] = irt.ThreePL{A: p.A / A, B: A*p.B + B, D: p.D}
	}
	anch, err := Run(d, Options{Model: irt.Model2PL, Fixed: fixed, NoSE: true})
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for i := range 100 {
		got, p := anch.Items[i].Params, free.Items[i].Params
		if _, ok := fixed[i]; ok {
			if !anch.Items[i].Fixed || got != fixed[i] {
				t.Errorf("anchor %d moved: %+v, fixed at %+v", i, got, fixed[i])
			}
			continue
		}
		worst = max(worst, math.Abs(got.A-p.A/A), math.Abs(got.B-(A*p.B+B)))
	}
	if worst > 0.02 {
		t.Errorf("free items differ from the transformed free calibration by up to %.4f", worst)
	}
	if math.Abs(anch.LatentMean-B) > 0.02 || math.Abs(anch.LatentSD-A) > 0.02 {
		t.Errorf("latent mean %.4f SD %.4f, want %.2f %.2f", anch.LatentMean, anch.LatentSD, B, A)
	}
	t.Logf("largest difference %.5f; latent N(%.4f, %.4f²)", worst, anch.LatentMean, anch.LatentSD)
}

func TestExclusionsAndDisconnected(t *testing.T) {
	b := irt.NewBuilder(4)
	// Items 0 and 1 are answered together; 2 and 3 together; nobody links them.
	for p := range 40 {
		b.Add(0, uint8(p%2))
		b.Add(1, uint8(p/2%2))
		b.Next()
		b.Add(2, uint8(p%3%2))
		b.Add(3, uint8(p%5%2))
		b.Next()
	}
	_, err := Run(b.Responses(), Options{Model: irt.Model2PL})
	var de *DisconnectedError
	if !asDisconnected(err, &de) || len(de.Components) != 2 {
		t.Fatalf("a disconnected design: %v", err)
	}
	if got, want := de.Named([]string{"Q1", "Q2", "Q3", "Q4"}), "component 1 (2 items: Q1, Q2); component 2 (2 items: Q3, Q4)"; got != want {
		t.Errorf("components named %q, want %q", got, want)
	}
	long := &DisconnectedError{Components: [][]int{{0, 1, 2, 3, 4, 5, 6}, {7}}}
	codes := []string{"A", "B", "C", "D", "E", "F", "G", "H"}
	if got, want := long.Named(codes), "component 1 (7 items: A, B, C, D, E, … 2 more); component 2 (1 items: H)"; got != want {
		t.Errorf("components named %q, want %q", got, want)
	}
	// An item everyone gets right and one nobody answered are excluded with
	// a warning; the rest is estimated.
	s := simulateSparse(2, 10, 1, 10, 500, false)
	bd := irt.NewBuilder(12)
	for p := 0; p+1 < len(s.start); p++ {
		for k := s.start[p]; k < s.start[p+1]; k++ {
			bd.Add(int(s.items[k]), s.scores[k])
		}
		bd.Add(10, 1)
		bd.Next()
	}
	res, err := Run(bd.Responses(), Options{Model: irt.Model2PL})
	if err != nil {
		t.Fatal(err)
	}
	if res.Items[10].Excluded != "every response correct" || res.Items[11].Excluded != "no responses" {
		t.Errorf("exclusions: %q, %q", res.Items[10].Excluded, res.Items[11].Excluded)
	}
	// A warning for the item that could not be estimated, none for the one
	// never administered.
	if len(res.Warnings) != 1 || res.Warnings[0].Item != 10 || res.Items[0].Excluded != "" {
		t.Errorf("warnings %v", res.Warnings)
	}
}

func asDisconnected(err error, de **DisconnectedError) bool {
	e, ok := err.(*DisconnectedError)
	*de = e
	return ok
}

// The benchmarks of the calibration issue: 20,000 examinees × 50 of 200
// items on 16 overlapping forms, the sparse matrix built inside the timing.
func benchmarkFit(b *testing.B, threePL bool) {
	s := simulateSparse(11, 200, 16, 50, 20000, threePL)
	model := irt.Model2PL
	if threePL {
		model = irt.Model3PL
	}
	b.ReportAllocs()
	var res *Result
	for b.Loop() {
		var err error
		res, err = Run(s.data(), Options{Model: model})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(res.Cycles), "cycles")
}

func BenchmarkFit2PL(b *testing.B) { benchmarkFit(b, false) }
func BenchmarkFit3PL(b *testing.B) { benchmarkFit(b, true) }

// BenchmarkFit5M is the memory check of the calibration issue: 5,000,000
// responses, 100,000 examinees × 50 of 400 items on 16 overlapping forms,
// 2PL. Run it under /usr/bin/time -v for the peak resident memory.
func BenchmarkFit5M(b *testing.B) {
	s := simulateSparse(12, 400, 16, 50, 100000, false)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Run(s.data(), Options{Model: irt.Model2PL}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRaschAnd1PL: data from a irt.ModelRasch model (a = 1) and from a 1PL with a
// common slope of 1.4 are fitted by the matching model. Every item keeps
// the model's slope (fixed at 1, or one estimate shared by all items, within
// 0.05 of 1.4), and the b's are recovered within twice their complete-data
// Cramér–Rao bound with the slope known.
func TestRaschAnd1PL(t *testing.T) {
	for _, tc := range []struct {
		model irt.Model
		slope float64
	}{{irt.ModelRasch, 1}, {irt.Model1PL, 1.4}} {
		s := simulateSparse(21, 60, 6, 30, 6000, false)
		for i := range s.truth {
			s.truth[i].A = tc.slope
		}
		// Draw the responses again under the changed slopes.
		s = resimulate(s, 22)
		res, err := Run(s.data(), Options{Model: tc.model})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Converged {
			t.Errorf("%s: did not converge (%s)", tc.model, res.Reason)
		}
		a0 := res.Items[0].Params.A
		for i, it := range res.Items {
			if it.Params.A != a0 {
				t.Fatalf("%s: item %d has slope %g, item 0 %g: the slope is not common", tc.model, i, it.Params.A, a0)
			}
		}
		if tc.model == irt.ModelRasch && (a0 != 1 || !math.IsNaN(res.Items[0].SEA)) {
			t.Errorf("irt.ModelRasch slope %g (SE %g), want 1 and not estimated", a0, res.Items[0].SEA)
		}
		if math.Abs(a0-tc.slope) > 0.05 {
			t.Errorf("%s: common slope %.4f, true %.2f", tc.model, a0, tc.slope)
		}
		// With the slope known, b's Cramér–Rao bound is 1/I_bb,
		// I_bb = n·∫(∂P/∂b)²/(P(1−P))φ(θ)dθ.
		n, _ := itemCounts(s.data())
		g := irt.DefaultGrid()
		var v float64
		for i, p := range s.truth {
			var info float64
			for q, th := range g.Nodes {
				_, db, _ := p.Grad(th)
				pr, qr := p.PQ(th)
				info += g.Weights[q] * db * db / (pr * qr)
			}
			v += 1 / (n[i] * info)
		}
		bound := math.Sqrt(v / float64(len(s.truth)))
		rb := Compare(estimates(res), s.truth).B.RMSE
		t.Logf("%s: slope %.4f, RMSE(b) %.4f, Cramér–Rao %.4f, %d cycles", tc.model, a0, rb, bound, res.Cycles)
		if rb > 2*bound {
			t.Errorf("%s: RMSE(b) %.4f, twice the Cramér–Rao bound %.4f", tc.model, rb, 2*bound)
		}
	}
}

// resimulate draws new responses for s's design and abilities from its
// (possibly changed) true parameters.
func resimulate(s *sparseDesign, seed uint64) *sparseDesign {
	rng := rand.New(rand.NewPCG(seed, 5))
	out := *s
	out.scores = make([]uint8, len(s.scores))
	for p := 0; p+1 < len(s.start); p++ {
		for k := s.start[p]; k < s.start[p+1]; k++ {
			if rng.Float64() < s.truth[s.items[k]].Prob(s.thetas[p]) {
				out.scores[k] = 1
			}
		}
	}
	return &out
}
