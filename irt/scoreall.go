package irt

import (
	"fmt"
	"math"
	"runtime"
	"sync"
)

// ScoreMethod names an ability estimator of ScoreResponses.
type ScoreMethod string

// The estimators: EAP (Bock & Mislevy 1982), MAP, ML, WLE (Warm 1989) and
// the summed-score EAP of EAPSum (Thissen & Orlando 2001).
const (
	MethodEAP    ScoreMethod = "eap"
	MethodMAP    ScoreMethod = "map"
	MethodML     ScoreMethod = "ml"
	MethodWLE    ScoreMethod = "wle"
	MethodEAPSum ScoreMethod = "eapsum"
)

// ParseMethod reads an estimator's name.
func ParseMethod(s string) (ScoreMethod, error) {
	switch m := ScoreMethod(s); m {
	case MethodEAP, MethodMAP, MethodML, MethodWLE, MethodEAPSum:
		return m, nil
	}
	return "", fmt.Errorf("method %q: expected eap, map, ml, wle or eapsum", s)
}

// DefaultBound is the default limit of ML and WLE estimates, |θ| ≤ 20, as
// mirt's fscores (max_theta = 20): wide enough that only patterns whose
// estimate runs off to infinity stop there.
const DefaultBound = 20

// ScoreOptions control ScoreResponses. A zero field takes the default noted.
type ScoreOptions struct {
	// Mean and SD of the ability distribution: the prior of EAP, EAPsum
	// and MAP. Zero SD means N(0, 1).
	Mean, SD float64
	// Grid gives the nodes of EAP and EAPsum; its weights are replaced by
	// the N(Mean, SD²) density on a copy, the caller's grid is not
	// changed. Default DefaultGrid().
	Grid Quadrature
	// Lo, Hi bound the ML and WLE search; default ±DefaultBound. An
	// estimate stopped at a bound has AtBound set.
	Lo, Hi  float64
	Threads int // default GOMAXPROCS; results do not depend on it
}

// ExamineeScore is one examinee's estimate, with the number of items it
// rests on and the number right.
type ExamineeScore struct {
	Estimate
	N, Raw int
}

// ScoreResponses estimates every examinee's ability from the response
// matrix r under the item parameters (one per column of r) by the method m:
// EAP, MAP, ML, WLE or the summed-score EAP, each as the function of that
// name computes it from the examinee's answered items. Examinees with the
// same item set (one form) share the work: one Trace for EAP, one EAPSum
// table for EAPsum. An examinee with no responses gets NaN.
func ScoreResponses(r *Responses, items []ThreePL, m ScoreMethod, o ScoreOptions) ([]ExamineeScore, error) {
	if len(items) != r.NItems() {
		return nil, fmt.Errorf("%d item parameters for %d items", len(items), r.NItems())
	}
	if _, err := ParseMethod(string(m)); err != nil {
		return nil, err
	}
	if o.SD == 0 {
		o.Mean, o.SD = 0, 1
	}
	if len(o.Grid.Nodes) == 0 {
		o.Grid = DefaultGrid()
	}
	prior := o.Grid.WithNormalWeights(o.Mean, o.SD)
	if o.Lo == 0 && o.Hi == 0 {
		o.Lo, o.Hi = -DefaultBound, DefaultBound
	}
	if !(o.Lo < o.Hi) || math.IsInf(o.Lo, 0) || math.IsInf(o.Hi, 0) {
		return nil, fmt.Errorf("the ML and WLE interval [%g, %g] must be finite and not empty", o.Lo, o.Hi)
	}
	if o.Threads <= 0 {
		o.Threads = runtime.GOMAXPROCS(0)
	}
	key, sets := r.ItemSets()
	members := make([][]int, len(sets))
	for p, k := range key {
		if k >= 0 {
			members[k] = append(members[k], p)
		}
	}
	out := make([]ExamineeScore, r.NExaminees())
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
			col := make([]int, r.NItems())
			for k := range next {
				set := sets[k]
				params := make([]ThreePL, len(set))
				for j, i := range set {
					params[j] = items[i]
					col[i] = j
				}
				var trace *Trace
				var table []Estimate
				switch m {
				case MethodEAP:
					trace = NewTrace(params, prior)
				case MethodEAPSum:
					table = EAPSum(nil, params, prior)
				}
				resp := make([]int8, len(set))
				for _, p := range members[k] {
					raw := 0
					for x := r.Start[p]; x < r.Start[p+1]; x++ {
						resp[col[r.Item[x]]] = int8(r.Score[x])
						raw += int(r.Score[x])
					}
					var est Estimate
					switch m {
					case MethodEAP:
						est = trace.EAP(resp)
					case MethodEAPSum:
						est = table[raw]
					case MethodMAP:
						est = MAP(params, resp, o.Mean, o.SD)
					case MethodML:
						est = ML(params, resp, o.Lo, o.Hi)
					case MethodWLE:
						est = WLE(params, resp, o.Lo, o.Hi)
					}
					out[p] = ExamineeScore{Estimate: est, N: len(set), Raw: raw}
				}
			}
		}()
	}
	wg.Wait()
	return out, nil
}
