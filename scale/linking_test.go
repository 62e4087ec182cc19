package scale

import (
	"bytes"
	"encoding/csv"
	"math"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/floats"

	"github.com/passportirt/passport/fixtures"
	"github.com/passportirt/passport/irt"
)

// kbCommon reads the Kolen & Brennan (2014, ch. 6) 3PL estimates (D = 1.7)
// of the 12 common items, X as new and Y as base, leaving out the listed items.
func kbCommon(t testing.TB, exclude ...int) []CommonItem {
	t.Helper()
	raw, err := fixtures.Reference("kb36_3pl_params.csv")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	f := func(s string) float64 {
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	var out []CommonItem
next:
	for _, r := range recs[1:] {
		if r[1] != "1" {
			continue
		}
		for _, e := range exclude {
			if r[0] == strconv.Itoa(e) {
				continue next
			}
		}
		out = append(out, CommonItem{
			New:  irt.ThreePL{A: f(r[2]), B: f(r[3]), C: f(r[4]), D: 1.7},
			Base: irt.ThreePL{A: f(r[5]), B: f(r[6]), C: f(r[7]), D: 1.7},
		})
	}
	return out
}

// TestKolenBrennan reproduces the published mean/mean and mean/sigma
// constants, X onto Y, common items without item 27 (Kolen & Brennan 2014,
// ch. 6; fixtures/reference/README.md) to 1e-4.
func TestKolenBrennan(t *testing.T) {
	items := kbCommon(t, 27)
	if len(items) != 11 {
		t.Fatalf("%d common items, want 11", len(items))
	}
	for _, tc := range []struct {
		name string
		f    func([]CommonItem) (Transform, error)
		A, B float64
	}{
		{"mean/mean", MeanMean, 1.1449, -0.4790},
		{"mean/sigma", MeanSigma, 1.1761, -0.5042},
	} {
		got, err := tc.f(items)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got.A-tc.A) > 1e-4 || math.Abs(got.B-tc.B) > 1e-4 {
			t.Errorf("%s: A = %.5f B = %.5f, published %.4f %.4f", tc.name, got.A, got.B, tc.A, tc.B)
		}
	}
}

// stuirtExample1 is the input of example 1 of STUIRT (Kim & Kolen 2004,
// the linking program that accompanies Kolen & Brennan 2014): the Kolen &
// Brennan common items, all 12, with each group's estimated θ distribution
// on 10 points (Y: the base, old group; X: the new group), each normalised
// to sum to 1 as STUIRT's standardised criteria do
// (fixtures/reference/README.md).
func stuirtExample1(t testing.TB) ([]CommonItem, CurveOptions) {
	nodes := []float64{-4, -3.111, -2.222, -1.333, -0.4444, 0.4444, 1.333, 2.222, 3.111, 4}
	x := []float64{0.0001008, 0.00276, 0.03021, 0.142, 0.3149, 0.3158, 0.1542, 0.03596, 0.003925, 0.0001862}
	y := []float64{0.0001173, 0.003242, 0.03449, 0.1471, 0.3148, 0.311, 0.1526, 0.03406, 0.00251, 0.0001116}
	q := func(w []float64) irt.Quadrature {
		out := make([]float64, len(w))
		floats.ScaleTo(out, 1/floats.Sum(w), w)
		return irt.Quadrature{Nodes: nodes, Weights: out}
	}
	return kbCommon(t), CurveOptions{Old: q(y), New: q(x), Symmetry: OnBoth}
}

// TestSTUIRTExample1 reproduces STUIRT's output for its example 1, the
// symmetric criteria with the groups' distributions as weights (STUIRT
// prints six decimals; its Haebara search stops about 1.5e-6 short of the
// minimum, which TestCurveMinimum checks independently). Haebara's
// standardised criterion is H/n over STUIRT's two response categories of
// n items, i.e. H/12 here.
func TestSTUIRTExample1(t *testing.T) {
	items, o := stuirtExample1(t)
	for _, tc := range []struct {
		name      string
		f         func([]CommonItem) (Transform, error)
		A, B, tol float64
	}{
		{"mean/mean", MeanMean, 1.217266, -0.557156, 1e-6},   // STUIRT example 1
		{"mean/sigma", MeanSigma, 1.168891, -0.515543, 1e-6}, // STUIRT example 1
	} {
		got, err := tc.f(items)
		if err != nil || math.Abs(got.A-tc.A) > tc.tol || math.Abs(got.B-tc.B) > tc.tol {
			t.Errorf("%s: A = %.7f B = %.7f (%v), STUIRT %.6f %.6f", tc.name, got.A, got.B, err, tc.A, tc.B)
		}
	}
	for _, tc := range []struct {
		m                 curveMethod
		A, B, tol         float64
		criterion, perCat float64
	}{
		{curveMethods[0], 1.067800, -0.471281, 2e-6, 0.001506, 12}, // STUIRT example 1
		{curveMethods[1], 1.083417, -0.487619, 1e-6, 0.009666, 1},  // STUIRT example 1
	} {
		got, fit, err := tc.m.f(items, o)
		if err != nil || math.Abs(got.A-tc.A) > tc.tol || math.Abs(got.B-tc.B) > tc.tol {
			t.Errorf("%s: A = %.7f B = %.7f (%v), STUIRT %.6f %.6f", tc.m.name, got.A, got.B, err, tc.A, tc.B)
		}
		if c := fit.Criterion / tc.perCat; math.Abs(c-tc.criterion) > 1e-6 {
			t.Errorf("%s: standardised criterion %.7f, STUIRT %.6f", tc.m.name, c, tc.criterion)
		}
	}
}

// curveOptions is every combination of grid, weights and symmetry the
// linking command offers.
func curveOptions(t testing.TB) []CurveOptions {
	var out []CurveOptions
	for _, w := range []Weights{Uniform, Normal, GaussHermite} {
		for _, n := range []int{11, 41} {
			g, err := Grid(w, n, -4, 4, 0, 1)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []Symmetry{OnOld, OnNew, OnBoth} {
				for _, D := range []float64{0, 1} {
					out = append(out, CurveOptions{Old: g, New: g, Symmetry: s, D: D})
				}
			}
		}
	}
	return out
}

type curveMethod struct {
	name string
	test bool
	f    func([]CommonItem, CurveOptions) (Transform, Fit, error)
}

var curveMethods = []curveMethod{{"haebara", false, Haebara}, {"stocking-lord", true, StockingLord}}

// TestSelfLinkIsIdentity: linking a form to itself gives A = 1, B = 0 under
// every method and option.
func TestSelfLinkIsIdentity(t *testing.T) {
	items := kbCommon(t)
	for i := range items {
		items[i].New = items[i].Base
	}
	for _, f := range []func([]CommonItem) (Transform, error){MeanMean, MeanSigma} {
		got, _ := f(items)
		if math.Abs(got.A-1) > 1e-12 || math.Abs(got.B) > 1e-12 {
			t.Errorf("moment method: %+v", got)
		}
	}
	for _, m := range curveMethods {
		for _, o := range curveOptions(t) {
			got, _, err := m.f(items, o)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got.A-1) > 1e-8 || math.Abs(got.B) > 1e-8 {
				t.Errorf("%s %s D=%g: A = %.10f B = %.10f", m.name, o.Symmetry, o.D, got.A, got.B)
			}
		}
	}
}

// TestKnownTransformRecovered: base parameters made from the new ones by a
// known transform are linked back to exactly that transform.
func TestKnownTransformRecovered(t *testing.T) {
	truth := Transform{A: 1.3, B: -0.45}
	items := kbCommon(t)
	for i := range items {
		items[i].Base = truth.Item(items[i].New)
	}
	for _, f := range []func([]CommonItem) (Transform, error){MeanMean, MeanSigma} {
		got, _ := f(items)
		if math.Abs(got.A-truth.A) > 1e-12 || math.Abs(got.B-truth.B) > 1e-12 {
			t.Errorf("moment method: %+v", got)
		}
	}
	for _, m := range curveMethods {
		for _, o := range curveOptions(t) {
			got, fit, err := m.f(items, o)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got.A-truth.A) > 1e-7 || math.Abs(got.B-truth.B) > 1e-7 || fit.Criterion > 1e-12 {
				t.Errorf("%s %s D=%g: A = %.9f B = %.9f (criterion %g)", m.name, o.Symmetry, o.D, got.A, got.B, fit.Criterion)
			}
		}
	}
}

// TestCurveMinimum checks the optimiser independently on the KB data: no
// point of a fine (A, B) grid around the solution has a lower criterion,
// and the analytic gradient (2·Jᵀr) matches central differences.
func TestCurveMinimum(t *testing.T) {
	items := kbCommon(t, 27)
	for _, m := range curveMethods {
		for _, o := range curveOptions(t)[:6] {
			got, fit, err := m.f(items, o)
			if err != nil {
				t.Fatal(err)
			}
			for i := -20; i <= 20; i++ {
				for j := -20; j <= 20; j++ {
					p := Transform{A: got.A + float64(i)*2e-4, B: got.B + float64(j)*2e-4}
					if v := Criterion(items, o, p, m.test); v < fit.Criterion-1e-13 {
						t.Fatalf("%s %s: criterion %.12g at %+v below the optimum %.12g at %+v", m.name, o.Symmetry, v, p, fit.Criterion, got)
					}
				}
			}
			const h = 1e-6
			at := Transform{A: 1.1, B: -0.4}
			_, jr, _ := normalEquations(items, o, at, m.test)
			g := [2]float64{2 * jr[0], 2 * jr[1]} // ∇Σr² = 2·Jᵀr
			fa := (Criterion(items, o, Transform{at.A + h, at.B}, m.test) - Criterion(items, o, Transform{at.A - h, at.B}, m.test)) / (2 * h)
			fb := (Criterion(items, o, Transform{at.A, at.B + h}, m.test) - Criterion(items, o, Transform{at.A, at.B - h}, m.test)) / (2 * h)
			if math.Abs(g[0]-fa) > 1e-6*math.Max(1, math.Abs(fa)) || math.Abs(g[1]-fb) > 1e-6*math.Max(1, math.Abs(fb)) {
				t.Errorf("%s %s: gradient %v, central differences %v %v", m.name, o.Symmetry, g, fa, fb)
			}
		}
	}
}

func TestTransformAlgebra(t *testing.T) {
	tr := Transform{A: 1.2, B: 0.3}
	p := irt.ThreePL{A: 1.1, B: -0.4, C: 0.2, D: 1}
	q := tr.Item(p)
	for _, th := range []float64{-2, 0, 1.5} {
		// The item's curve is the same function of the examinee, on either scale.
		if math.Abs(q.Prob(tr.Theta(th))-p.Prob(th)) > 1e-14 {
			t.Errorf("P differs at θ = %g", th)
		}
	}
	back := tr.Inverse().Item(q)
	if math.Abs(back.A-p.A) > 1e-14 || math.Abs(back.B-p.B) > 1e-14 {
		t.Errorf("inverse: %+v", back)
	}
}
