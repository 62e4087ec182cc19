package dif

import (
	"math"
	"math/rand/v2"
	"testing"
)

// cells is a 2×2 design of a binary matching score x and the group g,
// with r right answers of n in each cell.
var cells = []struct {
	x     float64
	focal bool
	r, n  int
}{
	{0, false, 10, 20}, {1, false, 15, 20}, {0, true, 6, 20}, {1, true, 12, 20},
}

// expand writes the cells one examinee per row.
func expand() (x []float64, focal []bool, y []uint8) {
	for _, c := range cells {
		for j := range c.n {
			x = append(x, c.x)
			focal = append(focal, c.focal)
			y = append(y, boolU8(j < c.r))
		}
	}
	return
}

func boolU8(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// TestLogisticByHand: with a binary matching score, M3 is saturated (its
// fitted probabilities are the cells' proportions) and M1's are the
// proportions at each score, so their log-likelihoods, the 2-df test and
// Nagelkerke's R² are sums of logs by hand.
func TestLogisticByHand(t *testing.T) {
	x, focal, y := expand()
	m, err := Logistic(x, focal, y, nil)
	if err != nil {
		t.Fatal(err)
	}
	bern := func(r, n float64) float64 { return r*math.Log(r/n) + (n-r)*math.Log(1-r/n) }
	ll3 := bern(10, 20) + bern(15, 20) + bern(6, 20) + bern(12, 20)
	ll1 := bern(16, 40) + bern(27, 40)
	ll0 := bern(43, 80)
	r2 := func(ll float64) float64 { return (1 - math.Exp(2*(ll0-ll)/80)) / (1 - math.Exp(2*ll0/80)) }
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"ℓ(M1)", m.LogLik[0], ll1},
		{"ℓ(M3)", m.LogLik[2], ll3},
		{"χ² (2 df)", m.ChiSq, 2 * (ll3 - ll1)},
		{"p (2 df)", m.P, math.Exp(-(ll3 - ll1))}, // χ²₂ survival is exp(−χ²/2)
		{"R²(M1)", m.R2[0], r2(ll1)},
		{"ΔR²", m.DR2, r2(ll3) - r2(ll1)},
	} {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("%s = %.12g, by hand %.12g", c.name, c.got, c.want)
		}
	}
	if !(m.LogLik[0] <= m.LogLik[1] && m.LogLik[1] <= m.LogLik[2]) {
		t.Errorf("nested log-likelihoods not ordered: %v", m.LogLik)
	}
	if m.Group >= 0 {
		t.Errorf("β_group = %g: the focal group does worse at each score, want negative", m.Group)
	}
	// The same data as weighted cells: the same fit.
	var wx, ww []float64
	var wf []bool
	var wy []uint8
	for _, c := range cells {
		for _, right := range []bool{true, false} {
			k := c.r
			if !right {
				k = c.n - c.r
			}
			wx, wf, wy, ww = append(wx, c.x), append(wf, c.focal), append(wy, boolU8(right)), append(ww, float64(k))
		}
	}
	mw, err := Logistic(wx, wf, wy, ww)
	if err != nil {
		t.Fatal(err)
	}
	for j := range 3 {
		if math.Abs(mw.LogLik[j]-m.LogLik[j]) > 1e-9 || math.Abs(mw.R2[j]-m.R2[j]) > 1e-12 {
			t.Errorf("M%d weighted: ℓ %g, R² %g; expanded ℓ %g, R² %g", j+1, mw.LogLik[j], mw.R2[j], m.LogLik[j], m.R2[j])
		}
	}
}

// TestLogisticAgainstCoordinateAscent fits M1–M3 to simulated data and
// compares the log-likelihoods with a different method written here from
// the definition: cyclic coordinate ascent, one-dimensional Newton steps
// on each coefficient in turn on the raw (unstandardised) score.
func TestLogisticAgainstCoordinateAscent(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	n := 600
	x := make([]float64, n)
	focal := make([]bool, n)
	y := make([]uint8, n)
	for i := range n {
		x[i] = float64(rng.IntN(21))
		focal[i] = rng.IntN(3) == 0
		z := -2 + 0.2*x[i]
		if focal[i] {
			z += -0.8 + 0.02*x[i]
		}
		y[i] = boolU8(rng.Float64() < 1/(1+math.Exp(-z)))
	}
	m, err := Logistic(x, focal, y, nil)
	if err != nil {
		t.Fatal(err)
	}
	row := func(i, k int) []float64 {
		g := 0.0
		if focal[i] {
			g = 1
		}
		return []float64{1, x[i], g, x[i] * g}[:k]
	}
	for k := 2; k <= 4; k++ {
		b := make([]float64, k)
		var ll float64
		for range 20000 {
			for a := range k {
				var g, h float64
				for i := range n {
					r := row(i, k)
					p := 1 / (1 + math.Exp(-dot(r, b)))
					g += (float64(y[i]) - p) * r[a]
					h += p * (1 - p) * r[a] * r[a]
				}
				b[a] += g / h
			}
			prev := ll
			ll = 0
			for i := range n {
				p := 1 / (1 + math.Exp(-dot(row(i, k), b)))
				ll += float64(y[i])*math.Log(p) + (1-float64(y[i]))*math.Log(1-p)
			}
			if math.Abs(ll-prev) < 1e-13 {
				break
			}
		}
		if got := m.LogLik[k-2]; math.Abs(got-ll) > 1e-7 {
			t.Errorf("M%d: ℓ = %.10f, coordinate ascent %.10f", k-1, got, ll)
		}
	}
	if !(m.P < 0.05 && m.Group < 0) {
		t.Errorf("simulated DIF against the focal group not found at n = %d: p = %g, β_group = %g", n, m.P, m.Group)
	}
}

func TestLogisticRefuses(t *testing.T) {
	x := []float64{1, 2, 3, 4}
	focal := []bool{false, true, false, true}
	for name, y := range map[string][]uint8{
		"all right": {1, 1, 1, 1},
		"separated": {0, 0, 1, 1}, // the score decides the answer
	} {
		if _, err := Logistic(x, focal, y, nil); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := Logistic([]float64{2, 2, 2}, []bool{false, true, true}, []uint8{0, 1, 0}, nil); err == nil {
		t.Error("constant score: no error")
	}
}
