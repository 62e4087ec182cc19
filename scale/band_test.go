package scale

import (
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

func TestZ95(t *testing.T) {
	if q := distuv.UnitNormal.Quantile(0.975); q-Z95 > 1e-12 || Z95-q > 1e-12 {
		t.Errorf("Z95 = %.15g, the normal's 0.975 quantile is %.15g", Z95, q)
	}
}

// TestBand: on the passport scale (550/6 points per θ unit, θ = 0 → 575)
// the band's ends are 575 + 550/6·(θ ∓ 1.96·SE), rounded and clamped to
// [300, 850], worked by hand.
func TestBand(t *testing.T) {
	s := Passport()
	for _, c := range []struct{ theta, se, lo, hi float64 }{
		{0.3, 0.6, 495, 710},  // 494.70, 710.30
		{0, 0, 575, 575},      // no error, one score
		{2.5, 1, 625, 850},    // 624.50, 983.83 clamped
		{-2.8, 0.5, 300, 408}, // 228.50 clamped, 408.17
	} {
		if lo, hi := s.Band(c.theta, c.se, Z95); lo != c.lo || hi != c.hi {
			t.Errorf("Band(%g, %g) = [%g, %g], want [%g, %g]", c.theta, c.se, lo, hi, c.lo, c.hi)
		}
	}
}
