package assemble

import (
	"math"

	"github.com/passportirt/passport/irt"
)

// TCCDifference returns the largest difference between the test
// characteristic curves (irt.TCC) of any two forms on a grid of n equally
// spaced points on [lo, hi], max_θ max_f,g |T_f(θ) − T_g(θ)|, with the θ
// where it occurs and the two forms (f has the higher curve there). It
// measures how parallel forms are in expected raw score (Lord 1980, ch. 13;
// van der Linden 2005, ch. 6). Fewer than two forms give 0.
func TCCDifference(forms [][]irt.ThreePL, lo, hi float64, n int) (diff, theta float64, f, g int) {
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
		if len(forms) > 1 && hiT-loT > diff {
			diff, theta, f, g = hiT-loT, th, hiF, loF
		}
	}
	return diff, theta, f, g
}
