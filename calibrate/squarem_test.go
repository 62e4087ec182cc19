package calibrate

import (
	"math"
	"slices"
	"testing"
)

// linearMap is the EM-like map F(x) = x* + ρ·(x − x*), each coordinate
// contracting toward x* at the rate ρ, with the objective −‖x − x*‖²; it
// counts its evaluations.
type linearMap struct {
	fixed []float64
	rho   float64
	calls int
}

func (m *linearMap) F(x []float64) ([]float64, float64) {
	m.calls++
	fx := make([]float64, len(x))
	var obj float64
	for k, v := range x {
		fx[k] = m.fixed[k] + m.rho*(v-m.fixed[k])
		obj -= (v - m.fixed[k]) * (v - m.fixed[k])
	}
	return fx, obj
}

func always([]float64) bool { return true }

// For a map that contracts every coordinate at one rate ρ ∈ [0, 1), S3's
// steplength is α = −1/(1 − ρ) and the extrapolation lands on the fixed
// point: x − 2αr + α²v = x − 2(x − x*) + (x − x*) = x* (Varadhan & Roland
// 2008, sec. 3). Plain EM needs log(1e-12)/log ρ cycles to get as close.
func TestSquaremExactOnLinearMap(t *testing.T) {
	for _, rho := range []float64{0, 0.5, 0.9, 0.999} {
		m := &linearMap{fixed: []float64{1, -2, 0.5}, rho: rho}
		got := squarem([]float64{3, 4, -1}, m.F, always)
		for k, v := range got {
			if math.Abs(v-m.fixed[k]) > 1e-9 {
				t.Errorf("ρ = %g: coordinate %d at %.12g, fixed point %g", rho, k, v, m.fixed[k])
			}
		}
		if m.calls != 3 {
			t.Errorf("ρ = %g: %d evaluations of F, want 3", rho, m.calls)
		}
	}
}

// The iteration falls back to x2 = F(F(x)) when the extrapolation is not
// valid, or when the objective there is below the objective at F(x).
func TestSquaremFallsBack(t *testing.T) {
	m := &linearMap{fixed: []float64{1, -2}, rho: 0.8}
	x := []float64{3, 4}
	x1, _ := m.F(x)
	x2, _ := m.F(x1)
	if got := squarem(x, m.F, func([]float64) bool { return false }); !slices.Equal(got, x2) {
		t.Errorf("invalid extrapolation: %v, want F(F(x)) = %v", got, x2)
	}
	worse := func(x []float64) ([]float64, float64) {
		fx, obj := m.F(x)
		if math.Abs(x[0]-m.fixed[0]) < 1e-6 { // the extrapolated point scores badly
			obj = math.Inf(-1)
		}
		return fx, obj
	}
	if got := squarem(x, worse, always); !slices.Equal(got, x2) {
		t.Errorf("extrapolation losing ground: %v, want F(F(x)) = %v", got, x2)
	}
}
