package irt

import (
	"math"
	"slices"
	"testing"
)

// moments returns the mean and variance of a quadrature's distribution.
func moments(q Quadrature) (mean, variance float64) {
	for k, x := range q.Nodes {
		mean += q.Weights[k] * x
	}
	for k, x := range q.Nodes {
		variance += q.Weights[k] * (x - mean) * (x - mean)
	}
	return mean, variance
}

func sum(s []float64) float64 {
	var t float64
	for _, v := range s {
		t += v
	}
	return t
}

func TestDefaultGrid(t *testing.T) {
	q := DefaultGrid()
	if len(q.Nodes) != 61 || len(q.Weights) != 61 {
		t.Fatalf("DefaultGrid has %d nodes and %d weights, want 61", len(q.Nodes), len(q.Weights))
	}
	for k, x := range q.Nodes {
		if want := -6 + 0.2*float64(k); math.Abs(x-want) > 1e-14 {
			t.Errorf("node %d = %.17g, want %g (mirt: seq(-6, 6, length.out = 61))", k, x, want)
		}
	}
	// The equally spaced sum h·Σ_{k∈ℤ} x^j·φ(kh) equals E[θ^j] for j = 0, 2
	// up to O(exp(−2π²/h²)) = e^−493 (Poisson summation), so the grid's
	// moments differ from N(0, 1)'s only by the lattice terms beyond ±6:
	// T_j = 2·Σ_{k>30} h·(kh)^j·φ(kh).
	const h = 0.2
	var t0, t2 float64
	for k := 31; k < 200; k++ {
		x := h * float64(k)
		phi := math.Exp(-x*x/2) / math.Sqrt(2*math.Pi)
		t0 += 2 * h * phi
		t2 += 2 * h * x * x * phi
	}
	mean, variance := moments(q)
	for _, c := range []struct {
		name      string
		got, want float64
		tol       float64 // absolute
	}{
		{"Σ weights", sum(q.Weights), 1, 1e-15},
		{"mean", mean, 0, 1e-15},                                                   // symmetry
		{"variance", variance, (1 - t2) / (1 - t0), 1e-13},                         // lattice sum, above
		{"variance vs N(0,1)", variance, 1, 5e-8},                                  // T2 ≈ 3.9e-8: the ±6 truncation
		{"weight at 0", q.Weights[30], h / math.Sqrt(2*math.Pi) / (1 - t0), 1e-15}, // h·φ(0)/(1 − T0)
	} {
		if math.Abs(c.got-c.want) > c.tol {
			t.Errorf("default grid %s = %.17g, want %.17g ± %g", c.name, c.got, c.want, c.tol)
		}
	}
}

func TestSetNormalWeights(t *testing.T) {
	// On [−12, 12] with h = 0.1 the lattice and truncation errors for
	// N(0.5, 1.5²) are below 1e-14 (nearest bound 7.7σ away).
	q := NormalGrid(241, -12, 12)
	q.SetNormalWeights(0.5, 1.5)
	mean, variance := moments(q)
	if math.Abs(sum(q.Weights)-1) > 1e-14 || math.Abs(mean-0.5) > 1e-12 || math.Abs(variance-2.25) > 1e-12 {
		t.Errorf("reweighted grid: Σw = %.17g, mean %.17g, variance %.17g; want 1, 0.5, 2.25", sum(q.Weights), mean, variance)
	}
}

// WithNormalWeights gives SetNormalWeights's weights on a copy of the
// nodes, and leaves the grid it is called on as it was.
func TestWithNormalWeights(t *testing.T) {
	q := NormalGrid(241, -12, 12)
	nodes, weights := slices.Clone(q.Nodes), slices.Clone(q.Weights)
	got := q.WithNormalWeights(0.5, 1.5)
	want := NormalGrid(241, -12, 12)
	want.SetNormalWeights(0.5, 1.5)
	if !slices.Equal(got.Nodes, want.Nodes) || !slices.Equal(got.Weights, want.Weights) {
		t.Error("WithNormalWeights differs from SetNormalWeights")
	}
	got.Nodes[0] = 99
	if !slices.Equal(q.Nodes, nodes) || !slices.Equal(q.Weights, weights) {
		t.Error("WithNormalWeights changed the grid it was called on, or shares its nodes")
	}
}

// Abramowitz & Stegun (1964), Table 25.10, p. 924: the positive zeros x_i of
// H_n and the weights w_i of ∫exp(−x²)f(x)dx, to 15 significant digits
// (digits confirmed with mpmath at 40 digits). The probabilists' rule has
// nodes √2·x_i and weights w_i/√π.
var absteg2510 = []struct {
	n    int
	x, w []float64
}{
	{2, []float64{0.707106781186548}, []float64{0.886226925452758}},
	{3, []float64{0, 1.22474487139159}, []float64{1.18163590060368, 0.295408975150919}},
	{4, []float64{0.524647623275290, 1.65068012388578}, []float64{0.804914090005513, 0.0813128354472452}},
	{5, []float64{0, 0.958572464613819, 2.02018287045609}, []float64{0.945308720482942, 0.393619323152241, 0.0199532420590459}},
	{10,
		[]float64{0.342901327223705, 1.03661082978951, 1.75668364929988, 2.53273167423279, 3.43615911883774},
		[]float64{0.610862633735326, 0.240138611082315, 0.0338743944554811, 0.00134364574678123, 7.64043285523262e-6}},
	{20,
		[]float64{0.245340708300901, 0.737473728545394, 1.23407621539532, 1.73853771211659, 2.25497400208928,
			2.78880605842813, 3.34785456738322, 3.94476404011563, 4.60368244955074, 5.38748089001123},
		[]float64{0.462243669600610, 0.286675505362834, 0.109017206020023, 0.0248105208874636, 0.00324377334223786,
			0.000228338636016354, 7.80255647853206e-6, 1.08606937076928e-7, 4.39934099227318e-10, 2.22939364553415e-13}},
}

func TestGaussHermiteAbramowitzStegun(t *testing.T) {
	for _, tab := range absteg2510 {
		q := GaussHermite(tab.n)
		if len(q.Nodes) != tab.n || len(q.Weights) != tab.n {
			t.Fatalf("GaussHermite(%d) has %d nodes and %d weights", tab.n, len(q.Nodes), len(q.Weights))
		}
		for i := range tab.x {
			k := tab.n - len(tab.x) + i // the table lists the nonnegative nodes
			x, w := math.Sqrt2*tab.x[i], tab.w[i]/math.SqrtPi
			if math.Abs(q.Nodes[k]-x) > 1e-12 || math.Abs(q.Nodes[tab.n-1-k]+x) > 1e-12 {
				t.Errorf("GaussHermite(%d) nodes ±%d = %.17g, %.17g; want ±%.15g (A&S 25.10, ±1e-12)", tab.n, k, q.Nodes[tab.n-1-k], q.Nodes[k], x)
			}
			if !closeRel(q.Weights[k], w, 1e-12) || q.Weights[tab.n-1-k] != q.Weights[k] {
				t.Errorf("GaussHermite(%d) weight %d = %.17g, want %.15g (A&S 25.10, relative 1e-12)", tab.n, k, q.Weights[k], w)
			}
		}
	}
}

// An n-point rule integrates polynomials of degree < 2n exactly:
// E[θ^{2j}] = (2j − 1)!! for θ ~ N(0, 1), and odd moments vanish.
func TestGaussHermiteMoments(t *testing.T) {
	for _, n := range []int{1, 7, 10, 21, 61} {
		q := GaussHermite(n)
		want := 1.0 // (2j − 1)!!
		for j := 0; 2*j < 2*n && j <= 12; j++ {
			var even, odd float64
			for k, x := range q.Nodes {
				even += q.Weights[k] * math.Pow(x, float64(2*j))
				odd += q.Weights[k] * math.Pow(x, float64(2*j+1))
			}
			if !closeRel(even, want, 1e-12) {
				t.Errorf("GaussHermite(%d): E[θ^%d] = %.17g, want %g", n, 2*j, even, want)
			}
			if 2*j+1 < 2*n && math.Abs(odd) > 1e-12*want*float64(2*j+1) {
				t.Errorf("GaussHermite(%d): E[θ^%d] = %g, want 0", n, 2*j+1, odd)
			}
			want *= float64(2*j + 1)
		}
	}
}

// Large rules stay finite, symmetric and normalised even where the outer
// weights underflow.
func TestGaussHermiteLarge(t *testing.T) {
	q := GaussHermite(400)
	for k, x := range q.Nodes {
		if math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(q.Weights[k]) || (k > 0 && x <= q.Nodes[k-1]) {
			t.Fatalf("GaussHermite(400) node %d = %g, weight %g", k, x, q.Weights[k])
		}
	}
	if mean, variance := moments(q); math.Abs(sum(q.Weights)-1) > 1e-13 || math.Abs(mean) > 1e-13 || math.Abs(variance-1) > 1e-12 {
		t.Errorf("GaussHermite(400): Σw = %.17g, mean %g, variance %.17g", sum(q.Weights), mean, variance)
	}
}

func TestRescale(t *testing.T) {
	q := GaussHermite(20).Rescale(-0.4, 1.3)
	mean, variance := moments(q)
	// Exact for a rule of degree 39: E[μ + σZ] = μ, Var = σ².
	if math.Abs(mean+0.4) > 1e-14 || math.Abs(variance-1.69) > 1e-13 || math.Abs(sum(q.Weights)-1) > 1e-15 {
		t.Errorf("rescaled rule: mean %.17g, variance %.17g; want −0.4, 1.69", mean, variance)
	}
}

func TestQuadraturePanics(t *testing.T) {
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"NormalGrid(1, −6, 6)", func() { NormalGrid(1, -6, 6) }},
		{"NormalGrid(61, 6, −6)", func() { NormalGrid(61, 6, -6) }},
		{"GaussHermite(0)", func() { GaussHermite(0) }},
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
