package assemble

import (
	"math"

	"github.com/passportirt/passport/irt"
)

// Curve is one form's test information I(θ) = Σ I_i(θ), its standard error
// 1/√I(θ) and its characteristic curve T(θ) = Σ P_i(θ) at one θ (Lord 1980,
// ch. 5), with TCCDiff the difference T_f(θ) − mean over the forms of T(θ).
type Curve struct {
	Form    int     `json:"form"` // index into the forms
	Theta   float64 `json:"theta"`
	Info    float64 `json:"info"`     // test information
	SE      float64 `json:"se"`       // 1/√information
	TCC     float64 `json:"tcc"`      // expected number right
	TCCDiff float64 `json:"tcc_diff"` // TCC less the mean of the forms' TCCs at θ
}

// Curves evaluates every form at every θ, θ by θ.
func Curves(forms [][]irt.ThreePL, thetas []float64) []Curve {
	var out []Curve
	for _, th := range thetas {
		var mean float64
		for _, items := range forms {
			mean += irt.TCC(items, th) / float64(len(forms))
		}
		for f, items := range forms {
			info, t := irt.TestInfo(items, th), irt.TCC(items, th)
			out = append(out, Curve{Form: f, Theta: th, Info: info, SE: 1 / math.Sqrt(info), TCC: t, TCCDiff: t - mean})
		}
	}
	return out
}

// TCCGap is the largest difference between two forms' test characteristic
// curves: Points = T_Higher(Theta) − T_Lower(Theta), in expected raw-score
// points.
type TCCGap struct {
	Points, Theta float64
	Higher, Lower int // indexes into the forms
}

// TCCDifference returns the largest difference between the test
// characteristic curves (irt.TCC) of any two forms on a grid of n equally
// spaced points on [lo, hi], max_θ max_f,g |T_f(θ) − T_g(θ)|, with the θ
// where it occurs and the two forms. It measures how parallel forms are in
// expected raw score (Lord 1980, ch. 13; van der Linden 2005, ch. 6).
// Fewer than two forms give the zero TCCGap.
func TCCDifference(forms [][]irt.ThreePL, lo, hi float64, n int) TCCGap {
	var gap TCCGap
	if len(forms) < 2 {
		return gap
	}
	for k := range n {
		th := lo
		if n > 1 {
			th = lo + (hi-lo)*float64(k)/float64(n-1)
		}
		hiF, loF := -1, -1
		hiT, loT := math.Inf(-1), math.Inf(1)
		for i, items := range forms {
			t := irt.TCC(items, th)
			if t > hiT {
				hiT, hiF = t, i
			}
			if t < loT {
				loT, loF = t, i
			}
		}
		if hiT-loT > gap.Points {
			gap = TCCGap{Points: hiT - loT, Theta: th, Higher: hiF, Lower: loF}
		}
	}
	return gap
}
