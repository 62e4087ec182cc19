package calibrate

import (
	"fmt"
	"math"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/stat"

	"github.com/passportirt/passport/irt"
)

// Method is an ability estimator.
type Method string

// The estimators (irt package: ML, MAP, WLE — Warm 1989 — EAP, and the
// summed-score EAP of Thissen & Wainer 2001, ch. 3).
const (
	EAP    Method = "eap"
	MAP    Method = "map"
	ML     Method = "ml"
	WLE    Method = "wle"
	EAPSum Method = "eapsum"
)

// ParseMethod reads an estimator's name.
func ParseMethod(s string) (Method, error) {
	switch m := Method(s); m {
	case EAP, MAP, ML, WLE, EAPSum:
		return m, nil
	}
	return "", fmt.Errorf("method %q: expected eap, map, ml, wle or eapsum", s)
}

// ScoreOptions control Score.
type ScoreOptions struct {
	// Mean and SD of the ability distribution: the prior of EAP, EAPsum
	// and MAP. Zero SD means N(0, 1).
	Mean, SD float64
	Grid     irt.Quadrature // EAP and EAPsum nodes; default irt.DefaultGrid()
	// Lo, Hi bound the ML and WLE search; default −6, 6.
	Lo, Hi  float64
	Threads int // default GOMAXPROCS
}

// ExamineeScore is one examinee's estimate, with the number of items it
// rests on and the number right.
type ExamineeScore struct {
	irt.Estimate
	N, Raw int
}

// Score estimates every examinee's ability from d under the given item
// parameters (one per column of d). Examinees with the same item set (one
// form) share the work: one tabulated trace for EAP, one summed-score table
// for EAPsum.
func Score(d *irt.Responses, items []irt.ThreePL, m Method, o ScoreOptions) ([]ExamineeScore, error) {
	if len(items) != d.NItems() {
		return nil, fmt.Errorf("%d item parameters for %d items", len(items), d.NItems())
	}
	if _, err := ParseMethod(string(m)); err != nil {
		return nil, err
	}
	if o.SD == 0 {
		o.Mean, o.SD = 0, 1
	}
	if len(o.Grid.Nodes) == 0 {
		o.Grid = irt.DefaultGrid()
	}
	o.Grid.SetNormalWeights(o.Mean, o.SD)
	if o.Lo == 0 && o.Hi == 0 {
		o.Lo, o.Hi = -6, 6
	}
	if o.Threads <= 0 {
		o.Threads = runtime.GOMAXPROCS(0)
	}
	key, sets := d.ItemSets()
	members := make([][]int, len(sets))
	for p, k := range key {
		if k >= 0 {
			members[k] = append(members[k], p)
		}
	}
	out := make([]ExamineeScore, d.NExaminees())
	for p, k := range key {
		if k < 0 {
			out[p].Theta, out[p].SE = math.NaN(), math.NaN()
		}
	}
	next := make(chan int, len(sets))
	for k := range sets {
		next <- k
	}
	close(next)
	var wg sync.WaitGroup
	for range min(o.Threads, max(1, len(sets))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			col := make([]int, d.NItems())
			for k := range next {
				set := sets[k]
				params := make([]irt.ThreePL, len(set))
				for j, i := range set {
					params[j] = items[i]
					col[i] = j
				}
				var trace *irt.Trace
				var table []irt.Estimate
				switch m {
				case EAP:
					trace = irt.NewTrace(params, o.Grid)
				case EAPSum:
					table = irt.EAPSum(nil, params, o.Grid)
				}
				resp := make([]int8, len(set))
				for _, p := range members[k] {
					raw := 0
					for r := d.Start[p]; r < d.Start[p+1]; r++ {
						resp[col[d.Item[r]]] = int8(d.Score[r])
						raw += int(d.Score[r])
					}
					var est irt.Estimate
					switch m {
					case EAP:
						est = trace.EAP(resp)
					case EAPSum:
						est = table[raw]
					case MAP:
						est = irt.MAP(params, resp, o.Mean, o.SD)
					case ML:
						est = irt.ML(params, resp, o.Lo, o.Hi)
					case WLE:
						est = irt.WLE(params, resp, o.Lo, o.Hi)
					}
					out[p] = ExamineeScore{Estimate: est, N: len(set), Raw: raw}
				}
			}
		}()
	}
	wg.Wait()
	return out, nil
}

// ScoreSummary describes a set of ability estimates.
type ScoreSummary struct {
	N         int     // examinees
	NonFinite int     // of them, without a finite estimate (ML's perfect patterns)
	Mean, SD  float64 // of the finite estimates
	RMSSE     float64 // root mean square standard error
	// Reliability is the marginal reliability 1 − RMSSE²/(SD² + RMSSE²)
	// for EAP (whose estimates' variance and posterior variance add up to
	// the ability variance), and 1 − RMSSE²/SD² for ML, MAP and WLE
	// (marginal reliability: Green, Bock, Humphreys, Linn & Reckase 1984,
	// Journal of Educational Measurement 21, 347–360).
	Reliability float64
}

// Summarize describes scores estimated by m.
func Summarize(scores []ExamineeScore, m Method) ScoreSummary {
	s := ScoreSummary{N: len(scores)}
	th := make([]float64, 0, len(scores))
	var se2 float64
	for _, e := range scores {
		if math.IsNaN(e.Theta) || math.IsInf(e.Theta, 0) {
			s.NonFinite++
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
	if m == EAP || m == EAPSum {
		s.Reliability = 1 - msd/(v+msd)
	} else {
		s.Reliability = 1 - msd/v
	}
	return s
}
