package irt

import (
	"math"
	"testing"
)

// LSAT section 7 (Bock & Lieberman 1970), 1000 examinees as response
// patterns with frequencies (shared/reference/lsat7_patterns.csv).
var lsat7Patterns = []struct {
	resp []int8
	freq int
}{
	{[]int8{0, 0, 0, 0, 0}, 12}, {[]int8{0, 0, 0, 0, 1}, 19}, {[]int8{0, 0, 0, 1, 0}, 1}, {[]int8{0, 0, 0, 1, 1}, 7},
	{[]int8{0, 0, 1, 0, 0}, 3}, {[]int8{0, 0, 1, 0, 1}, 19}, {[]int8{0, 0, 1, 1, 0}, 3}, {[]int8{0, 0, 1, 1, 1}, 17},
	{[]int8{0, 1, 0, 0, 0}, 10}, {[]int8{0, 1, 0, 0, 1}, 5}, {[]int8{0, 1, 0, 1, 0}, 3}, {[]int8{0, 1, 0, 1, 1}, 7},
	{[]int8{0, 1, 1, 0, 0}, 7}, {[]int8{0, 1, 1, 0, 1}, 23}, {[]int8{0, 1, 1, 1, 0}, 8}, {[]int8{0, 1, 1, 1, 1}, 28},
	{[]int8{1, 0, 0, 0, 0}, 7}, {[]int8{1, 0, 0, 0, 1}, 39}, {[]int8{1, 0, 0, 1, 0}, 11}, {[]int8{1, 0, 0, 1, 1}, 34},
	{[]int8{1, 0, 1, 0, 0}, 14}, {[]int8{1, 0, 1, 0, 1}, 51}, {[]int8{1, 0, 1, 1, 0}, 15}, {[]int8{1, 0, 1, 1, 1}, 90},
	{[]int8{1, 1, 0, 0, 0}, 6}, {[]int8{1, 1, 0, 0, 1}, 25}, {[]int8{1, 1, 0, 1, 0}, 7}, {[]int8{1, 1, 0, 1, 1}, 35},
	{[]int8{1, 1, 1, 0, 0}, 18}, {[]int8{1, 1, 1, 0, 1}, 136}, {[]int8{1, 1, 1, 1, 0}, 32}, {[]int8{1, 1, 1, 1, 1}, 308},
}

// The published mirt 2PL fit of LSAT7 (slope–intercept a, d; 61 nodes on
// [−6, 6]) has marginal log-likelihood −2658.805
// (shared/reference/README.md). Evaluating it with this package's grid,
// slope–intercept conversion and LogLik must reproduce it: the parameters
// are rounded to 1e-3 at the maximum, which moves ln L by O(N·1e-6), so
// ±0.002 covers that and the printed rounding.
func TestLSAT7MarginalLogLik(t *testing.T) {
	var items []ThreePL
	for _, si := range []SlopeIntercept{
		{Slope: 0.988, Intercept: 1.856},
		{Slope: 1.081, Intercept: 0.808},
		{Slope: 1.706, Intercept: 1.804},
		{Slope: 0.765, Intercept: 0.486},
		{Slope: 0.736, Intercept: 1.854},
	} {
		items = append(items, si.ThreePL(1))
	}
	q := DefaultGrid()
	var ll float64
	var n int
	for _, p := range lsat7Patterns {
		var marginal float64
		for k, x := range q.Nodes {
			marginal += q.Weights[k] * math.Exp(LogLik(items, p.resp, x))
		}
		ll += float64(p.freq) * math.Log(marginal)
		n += p.freq
	}
	if n != 1000 || math.Abs(ll+2658.805) > 0.002 {
		t.Errorf("LSAT7 marginal log-likelihood = %.4f over %d examinees, want −2658.805 over 1000 (mirt)", ll, n)
	}
}
