package calibrate

import (
	"math"

	"gonum.org/v1/gonum/stat"

	"github.com/passportirt/passport/irt"
)

// ParamRecovery summarises the errors of one parameter over items.
type ParamRecovery struct {
	RMSE float64 `json:"rmse"` // √(mean (estimate − truth)²)
	Bias float64 `json:"bias"` // mean (estimate − truth)
	Corr float64 `json:"corr"` // Pearson correlation; NaN when either side is constant
}

// Recovery compares estimated with true item parameters, as a parameter
// recovery study reports them.
type Recovery struct {
	A, B, C ParamRecovery
	N       int
}

// Compare computes the recovery of est against truth, item by item.
func Compare(est, truth []irt.ThreePL) Recovery {
	n := min(len(est), len(truth))
	get := func(f func(irt.ThreePL) float64) ParamRecovery {
		x, y := make([]float64, n), make([]float64, n)
		var se, e float64
		for i := range n {
			x[i], y[i] = f(est[i]), f(truth[i])
			d := x[i] - y[i]
			se += d * d
			e += d
		}
		return ParamRecovery{RMSE: math.Sqrt(se / float64(n)), Bias: e / float64(n), Corr: stat.Correlation(x, y, nil)}
	}
	return Recovery{
		A: get(func(p irt.ThreePL) float64 { return p.A }),
		B: get(func(p irt.ThreePL) float64 { return p.B }),
		C: get(func(p irt.ThreePL) float64 { return p.C }),
		N: n,
	}
}
