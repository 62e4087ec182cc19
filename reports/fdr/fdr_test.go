package fdr

import (
	"math"
	"testing"
)

// TestBH: R's p.adjust(c(0.01, 0.04, 0.03, 0.2), "BH") is 0.04,
// 0.05333, 0.05333, 0.2; a test not made stays NaN and does not count.
func TestBH(t *testing.T) {
	got := BH([]float64{0.01, math.NaN(), 0.04, 0.03, 0.2})
	want := []float64{0.04, math.NaN(), 0.16 / 3, 0.16 / 3, 0.2}
	for i := range want {
		if math.IsNaN(want[i]) != math.IsNaN(got[i]) || (!math.IsNaN(want[i]) && math.Abs(got[i]-want[i]) > 1e-15) {
			t.Errorf("adjusted p %d = %v, want %v", i, got[i], want[i])
		}
	}
}
