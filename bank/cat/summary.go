package cat

import (
	"math"
	"slices"
)

// Study is the summary of a simulation study: recovery of θ overall and
// by decile of the true θ, item exposure and test overlap, and
// classification accuracy at the cut scores.
type Study struct {
	Simulees int `json:"simulees"`
	// Bias is mean(θ̂ − θ), RMSE √mean((θ̂ − θ)²), MeanSE the mean
	// reported SE and MeanLength the mean number of scored items.
	Bias       float64 `json:"bias"`
	RMSE       float64 `json:"rmse"`
	MeanSE     float64 `json:"mean_se"`
	MeanLength float64 `json:"mean_length"`
	// Deciles are the same statistics among the simulees in each tenth of
	// the true θ, with the largest exposure rate within it.
	Deciles  []Decile        `json:"deciles"`
	Exposure ExposureSummary `json:"exposure"`
	// Accuracy is the share of simulees classified in their true θ's
	// category among the cut scores; nil without cuts.
	Accuracy *float64 `json:"accuracy,omitempty"`
	// Runs are the simulees, in order.
	Runs []Simulee `json:"-"`
}

// Decile is the recovery of θ among simulees with true θ in [Lo, Hi].
type Decile struct {
	Decile      int     `json:"decile"`
	Lo          float64 `json:"theta_lo"`
	Hi          float64 `json:"theta_hi"`
	MeanTheta   float64 `json:"mean_theta"`
	N           int     `json:"n"`
	Bias        float64 `json:"bias"`
	RMSE        float64 `json:"rmse"`
	MeanSE      float64 `json:"mean_se"`
	MeanLength  float64 `json:"mean_length"`
	MaxExposure float64 `json:"max_exposure"`
}

// ExposureSummary describes the operational items' exposure rates, the
// share of simulees given each item.
type ExposureSummary struct {
	Max       float64 `json:"max"`
	Mean      float64 `json:"mean"`
	SD        float64 `json:"sd"`
	NeverUsed int     `json:"never_used"`
	// Bins count the items by rate: never used, then (0, 0.1], (0.1,
	// 0.2], … (0.9, 1].
	Bins []int `json:"bins"`
	// Overlap is the test overlap rate, the expected share of a test's
	// items that another test shares,
	//
	//	T = (N/L̄)·S²_r + L̄/N,
	//
	// with N the operational items, L̄ the mean test length and S²_r the
	// variance of the rates (Chen, Ankenmann & Spray 2003, eq. 8; with
	// the mean length for tests of variable length, Barrada, Olea,
	// Ponsoda & Abad 2009).
	Overlap float64 `json:"overlap"`
	// MaxBySegment is the largest rate in each exposure segment of the
	// engine's record, among the tests whose final estimate is in it:
	// the rates exposure control reads. SegmentTests are those tests.
	MaxBySegment []float64 `json:"max_by_segment"`
	SegmentTests []int     `json:"segment_tests"`
	// MaxByTrueSegment is the largest rate among the simulees whose true
	// θ is in each exposure segment, the check of conditional exposure
	// control in the literature (Stocking & Lewis 1998; van der Linden &
	// Veldkamp 2004, 2007); TrueSegmentSimulees are those simulees.
	MaxByTrueSegment    []float64 `json:"max_by_true_segment"`
	TrueSegmentSimulees []int     `json:"true_segment_simulees"`
	// Rates are the operational items' rates, in pool order.
	Rates []float64 `json:"-"`
}

// summarize computes the study from its simulees and exposure record.
func (e *Engine) summarize(sims []Simulee, x *Exposure) *Study {
	st := &Study{Simulees: len(sims), Runs: sims}
	if len(sims) == 0 {
		return st
	}
	cuts := e.cfg.Stop.Cuts
	var right int
	for _, s := range sims {
		if classOf(cuts, s.True) == s.Category {
			right++
		}
	}
	if len(cuts) > 0 {
		acc := float64(right) / float64(len(sims))
		st.Accuracy = &acc
	}
	st.Bias, st.RMSE, st.MeanSE, st.MeanLength = recovery(sims)
	st.Exposure = e.exposureSummary(sims, x)
	order := make([]int, len(sims))
	for k := range order {
		order[k] = k
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmpFloat(sims[a].True, sims[b].True) })
	for d := range 10 {
		lo, hi := d*len(sims)/10, (d+1)*len(sims)/10
		if lo == hi {
			continue
		}
		group := make([]Simulee, 0, hi-lo)
		for _, k := range order[lo:hi] {
			group = append(group, sims[k])
		}
		dec := Decile{Decile: d + 1, Lo: group[0].True, Hi: group[len(group)-1].True, N: len(group)}
		dec.Bias, dec.RMSE, dec.MeanSE, dec.MeanLength = recovery(group)
		for _, s := range group {
			dec.MeanTheta += s.True / float64(len(group))
		}
		dec.MaxExposure = e.maxScored(e.rates(group))
		st.Deciles = append(st.Deciles, dec)
	}
	return st
}

// classOf is θ's class among the increasing cuts: the number of cuts at
// or below it (a category among cut scores, an exposure segment).
func classOf(cuts []float64, theta float64) int {
	n := 0
	for _, c := range cuts {
		if theta >= c {
			n++
		}
	}
	return n
}

// recovery returns the bias, RMSE, mean SE and mean length of sims.
func recovery(sims []Simulee) (bias, rmse, meanSE, meanLength float64) {
	for _, s := range sims {
		d := s.Theta - s.True
		bias += d
		rmse += d * d
		meanSE += s.SE
		meanLength += float64(s.Length)
	}
	n := float64(len(sims))
	return bias / n, math.Sqrt(rmse / n), meanSE / n, meanLength / n
}

// rates returns every pool item's exposure rate among sims (pretest
// items included; see exposureSummary).
func (e *Engine) rates(sims []Simulee) []float64 {
	r := make([]float64, len(e.pool))
	for _, s := range sims {
		for _, i := range s.Items {
			r[i]++
		}
	}
	for i := range r {
		r[i] /= float64(len(sims))
	}
	return r
}

func (e *Engine) exposureSummary(sims []Simulee, x *Exposure) ExposureSummary {
	all := e.rates(sims)
	xs := ExposureSummary{Bins: make([]int, 11)}
	rates := make([]float64, 0, len(e.scored))
	for _, i := range e.scored {
		r := all[i]
		rates = append(rates, r)
		xs.Max = max(xs.Max, r)
		if r == 0 {
			xs.NeverUsed++
			xs.Bins[0]++
		} else {
			xs.Bins[min(10, int(math.Ceil(r*10)))]++
		}
	}
	N := float64(len(rates))
	for _, r := range rates {
		xs.Mean += r
	}
	xs.Mean /= N
	var v float64
	for _, r := range rates {
		v += (r - xs.Mean) * (r - xs.Mean)
	}
	v /= N
	xs.SD, xs.Rates = math.Sqrt(v), rates
	_, _, _, lbar := recovery(sims)
	xs.Overlap = N/lbar*v + lbar/N
	for _, rs := range x.Rates() {
		xs.MaxBySegment = append(xs.MaxBySegment, e.maxScored(rs))
	}
	xs.SegmentTests = x.Tests
	bySegment := make([][]Simulee, e.Segments())
	for _, s := range sims {
		g := e.Segment(s.True)
		bySegment[g] = append(bySegment[g], s)
	}
	for _, group := range bySegment {
		m := 0.0
		if len(group) > 0 {
			m = e.maxScored(e.rates(group))
		}
		xs.MaxByTrueSegment = append(xs.MaxByTrueSegment, m)
		xs.TrueSegmentSimulees = append(xs.TrueSegmentSimulees, len(group))
	}
	return xs
}

// maxScored is the largest of the operational items' rates.
func (e *Engine) maxScored(rates []float64) float64 {
	m := 0.0
	for _, i := range e.scored {
		m = max(m, rates[i])
	}
	return m
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
