package assemble

import (
	"math"
	"slices"
	"testing"
)

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		xs   []float64
		want float64
	}{
		{[]float64{10, 20, 30, 40}, 25},      // R: median(c(10, 20, 30, 40)) = 25
		{[]float64{40, 10, 30, 20}, 25},      // order does not matter
		{[]float64{30, 10, 20}, 20},          // R: median(c(30, 10, 20)) = 20
		{[]float64{5}, 5},                    // one value
		{[]float64{1, 2, 2, 100}, 2},         // mean of the middle two, 2 and 2
		{[]float64{-3.5, 1, 2.25, 9}, 1.625}, // R: median(c(-3.5, 1, 2.25, 9)) = 1.625
	} {
		in := slices.Clone(tc.xs)
		if got := Median(in); got != tc.want {
			t.Errorf("Median(%v) = %g, want %g", tc.xs, got, tc.want)
		}
		if !slices.Equal(in, tc.xs) {
			t.Errorf("Median(%v) reordered its argument to %v", tc.xs, in)
		}
	}
	if got := Median(nil); !math.IsNaN(got) {
		t.Errorf("Median(nil) = %g, want NaN", got)
	}
}

// TestSetSeconds: timed items get their own median, the untimed one the
// median of those, and no times leave the pool untimed.
func TestSetSeconds(t *testing.T) {
	pool := []Item{{Code: "A"}, {Code: "B"}, {Code: "C"}, {Code: "D"}}
	SetSeconds(pool, map[string]float64{"A": 25, "B": 10, "D": 40})
	for k, want := range []float64{25, 10, 25, 40} { // C: median of 25, 10, 40
		if pool[k].Seconds != want {
			t.Errorf("%s: %g seconds, want %g", pool[k].Code, pool[k].Seconds, want)
		}
	}
	untimed := []Item{{Code: "A"}}
	SetSeconds(untimed, nil)
	if untimed[0].Seconds != 0 {
		t.Errorf("no times gave A %g seconds", untimed[0].Seconds)
	}
}
