package reports

import (
	"math"
	"testing"

	"github.com/passportirt/passport/irt"
)

// TestMeanSquaresByHand: one Rasch item (a = 1, b = 0) and three examinees
// at θ = ln 3, −ln 3 and 0, so that P = 3/4, 1/4, 1/2, answering right,
// right and wrong. By hand (Wright & Masters 1982, ch. 5):
//
//	residuals x − P:  1/4, 3/4, −1/2;  W = P(1 − P): 3/16, 3/16, 1/4
//	z² = (x − P)²/W:  1/3, 3, 1        → outfit = (1/3 + 3 + 1)/3 = 13/9
//	infit = Σ(x − P)²/ΣW = (1/16 + 9/16 + 4/16)/(10/16) = 7/5
//	C = PQ⁴ + QP⁴:    21/256, 21/256, 1/16;  C/W² = 7/3, 7/3, 1
//	outfit q² = ΣC/W²/N² − 1/N = (17/3)/9 − 1/3 = 8/27
//	infit  q² = Σ(C − W²)/(ΣW)² = (2·(21/256 − 9/256) + 0)/(10/16)² = 6/25
//	z = (MS^(1/3) − 1)·3/q + q/3:  outfit 0.900145, infit 0.890118
func TestMeanSquaresByHand(t *testing.T) {
	r := &irt.Responses{
		Items: []irt.ItemInfo{{Code: "I1", NOptions: 2}},
		Forms: []string{""}, Form: []int32{0, 0, 0},
		Start: []int{0, 1, 2, 3}, Item: []int32{0, 0, 0},
		Option: []int8{irt.ScoreOnly, irt.ScoreOnly, irt.ScoreOnly}, Score: []uint8{1, 1, 0},
	}
	params := []irt.ThreePL{{A: 1, B: 0, D: 1}}
	ms := itemMeanSquares(r, params, []float64{math.Log(3), -math.Log(3), 0})[0]
	out, outZ := ms.outfit()
	in, inZ := ms.infit()
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"outfit", out, 13.0 / 9}, // by hand, above; rounding only
		{"outfit z", outZ, 0.9001449973},
		{"infit", in, 7.0 / 5},
		{"infit z", inZ, 0.8901176817},
	} {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("%s = %.10f, by hand %.10f", c.name, c.got, c.want)
		}
	}
}

// TestMeanSquareFlagRule: a mean square flags an item only when it is out of
// its band and its z is significant (or undefined).
func TestMeanSquareFlagRule(t *testing.T) {
	var o FitOptions
	o.defaults()
	nan := Num(math.NaN())
	for _, tc := range []struct {
		ms, z Num
		want  bool
	}{
		{0.96, -4.1, false}, // large sample: significant but trivial
		{1.40, 0.5, false},  // small sample: out of band but noise
		{1.40, 2.5, true},
		{0.60, -3.0, true},
		{1.40, nan, true}, // no z: the mean square decides
		{1.00, nan, false},
		{nan, 5, false},
	} {
		if got := o.outside(tc.ms, tc.z); got != tc.want {
			t.Errorf("mean square %v, z %v: flagged %v, want %v", tc.ms, tc.z, got, tc.want)
		}
	}
}
