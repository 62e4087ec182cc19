package irt

import (
	"math"

	"gonum.org/v1/gonum/stat"
)

// ScoreSummary describes a set of ability estimates.
type ScoreSummary struct {
	N         int     // examinees
	NonFinite int     // of them, without a finite estimate (ML's perfect patterns)
	AtBound   int     // of them, ML or WLE estimates stopped at the search bound
	Mean, SD  float64 // of the finite estimates
	RMSSE     float64 // root mean square standard error
	// Reliability is the marginal reliability 1 − RMSSE²/(SD² + RMSSE²)
	// for EAP and EAPsum (whose estimates' variance and posterior variance
	// add up to the ability variance), and 1 − RMSSE²/SD² for ML, MAP and
	// WLE (marginal reliability: Green, Bock, Humphreys, Linn & Reckase
	// 1984, Journal of Educational Measurement 21, 347–360). The second
	// is negative when the errors outweigh the estimates' spread; it is
	// then reported as 0, the reliability's floor.
	Reliability float64
}

// Summarize describes scores estimated by m. Estimates that are not
// finite or stopped at a bound (their SE describes the bound, not the
// examinee) are counted and left out of the other statistics; without any
// other estimate those are NaN.
func Summarize(scores []ExamineeScore, m ScoreMethod) ScoreSummary {
	s := ScoreSummary{N: len(scores)}
	th := make([]float64, 0, len(scores))
	var se2 float64
	for _, e := range scores {
		if math.IsNaN(e.Theta) || math.IsInf(e.Theta, 0) {
			s.NonFinite++
			continue
		}
		if e.AtBound {
			s.AtBound++
			continue
		}
		th = append(th, e.Theta)
		se2 += e.SE * e.SE
	}
	if len(th) == 0 {
		s.Mean, s.SD, s.RMSSE, s.Reliability = math.NaN(), math.NaN(), math.NaN(), math.NaN()
		return s
	}
	s.Mean, s.SD = stat.PopMeanStdDev(th, nil)
	msd := se2 / float64(len(th))
	s.RMSSE = math.Sqrt(msd)
	v := s.SD * s.SD
	if m == MethodEAP || m == MethodEAPSum {
		s.Reliability = 1 - msd/(v+msd)
	} else {
		s.Reliability = max(0, 1-msd/v)
	}
	return s
}
