package scale

import (
	"github.com/passportirt/passport/irt"
)

// EquateOptions set IRT equating.
type EquateOptions struct {
	// Population is the one observed-score equating integrates over;
	// default N(0, 1) on irt.DefaultGrid().
	Population Population
	// Lo, Hi bound the TCC inversion of true-score equating; default −6, 6.
	Lo, Hi float64
}

// Equating is a raw-score equating of form X to form Y, indexed by the raw
// score on X.
type Equating struct {
	True     []float64 // TrueScore
	Observed []float64 // ObservedScore
	Lo, Hi   float64   // the θ range of the TCC inversion, defaults filled
}

// Equate equates raw scores on form x to form y, both on one θ scale, by
// TrueScore and by ObservedScore in o.Population.
func Equate(x, y []irt.ThreePL, o EquateOptions) *Equating {
	lo, hi := thetaRange(o.Lo, o.Hi)
	return &Equating{True: TrueScore(x, y, lo, hi), Observed: ObservedScore(x, y, o.Population.Quadrature()), Lo: lo, Hi: hi}
}

// TrueScore is IRT true-score equating of form X to form Y, both on one θ
// scale (Lord 1980, ch. 13; Kolen & Brennan 2014, sec. 6.8): each raw score
// x with Σc_X < x < n_X is taken to θ = TCC_X⁻¹(x) and then to TCC_Y(θ).
// Scores outside that range follow Kolen & Brennan's rule: x ≤ Σc_X maps
// linearly to x·Σc_Y/Σc_X (0 when Σc_X = 0), and n_X maps to n_Y.
// lo, hi bound the inversion.
func TrueScore(x, y []irt.ThreePL, lo, hi float64) []float64 {
	nX, nY := len(x), len(y)
	var sumX, sumY float64
	for _, it := range x {
		sumX += it.C
	}
	for _, it := range y {
		sumY += it.C
	}
	out := make([]float64, nX+1)
	for s := range out {
		switch {
		case s == nX:
			out[s] = float64(nY)
		case float64(s) <= sumX:
			if sumX > 0 {
				out[s] = float64(s) * sumY / sumX
			}
		default:
			out[s] = irt.TCC(y, InvertTCC(x, float64(s), lo, hi))
		}
	}
	return out
}

// ObservedScore is IRT observed-score equating of X to Y (Lord &
// Wingersky 1984; Kolen & Brennan 2014, sec. 6.9): the model's marginal
// number-correct distributions of both forms over the population pop are
// equated equipercentile-wise, e_Y(x) = Q_Y(P_X(x)), with the percentile
// rank P_X(x) = F_X(x − 1) + f_X(x)/2 and its inverse under the uniform
// continuisation of Kolen & Brennan (2014, eq. 2.14–2.18). Equated scores
// therefore lie in [−0.5, n_Y + 0.5].
func ObservedScore(x, y []irt.ThreePL, pop irt.Quadrature) []float64 {
	fx := irt.SumScoreMarginal(nil, x, pop)
	fy := irt.SumScoreMarginal(nil, y, pop)
	Fy := make([]float64, len(fy))
	var c float64
	for k, p := range fy {
		c += p
		Fy[k] = c
	}
	out := make([]float64, len(fx))
	var below float64 // F_X(x − 1)
	for s, p := range fx {
		out[s] = percentileInverse(below+p/2, fy, Fy)
		below += p
	}
	return out
}

// percentileInverse is the continuised inverse of a discrete cdf F (with
// probabilities f) at proportion p: with y the smallest score whose F(y)
// exceeds p, y − 0.5 + (p − F(y − 1))/f(y).
func percentileInverse(p float64, f, F []float64) float64 {
	for y := range F {
		if F[y] > p && f[y] > 0 {
			prev := 0.0
			if y > 0 {
				prev = F[y-1]
			}
			return float64(y) - 0.5 + (p-prev)/f[y]
		}
	}
	return float64(len(F)) - 0.5
}
