package assemble

import (
	"slices"

	"github.com/passportirt/passport/irt"
)

// FormSummary is a form's content as a blueprint counts it.
type FormSummary struct {
	Items   int
	Anchors int            // items that are the blueprint's anchors
	Domains map[string]int // items per content domain
	// Minutes is the expected time Σ Seconds/60; 0 when no item has a
	// time.
	Minutes float64
	// MeanB is the mean IRT difficulty b̄ = Σ b_i/n, as a blueprint's
	// mean_difficulty bounds it.
	MeanB float64
	Keys  map[string]int // items per key letter
	// LongestRun is the longest run of items with one key letter, in
	// the order given.
	LongestRun int
}

// Summarize sums up a form of items, in delivery order, counting as
// anchors those whose codes are in anchors.
func Summarize(items []Item, anchors []string) FormSummary {
	s := FormSummary{Items: len(items), Domains: map[string]int{}, Keys: map[string]int{}}
	var seconds, sumB float64
	keys := make([]uint8, len(items))
	for j, it := range items {
		if slices.Contains(anchors, it.Code) {
			s.Anchors++
		}
		s.Domains[it.Domain]++
		if it.Key != "" {
			s.Keys[it.Key]++
		}
		keys[j] = uint8(letterIndex(it.Key) + 1)
		seconds += it.Seconds
		sumB += it.Params.B
	}
	s.LongestRun, _ = longestRun(keys)
	s.Minutes = seconds / 60
	if len(items) > 0 {
		s.MeanB = sumB / float64(len(items))
	}
	return s
}

// The θ grid on which Describe compares the forms' characteristic curves:
// 121 points, 0.05 apart, over the usual reporting range [−3, 3].
const (
	compareLo, compareHi = -3.0, 3.0
	comparePoints        = 121
)

// Report is what an assembly shows of its forms: each form's summary, the
// forms' curves at the objective's θ points, and the largest difference
// between two forms' characteristic curves on θ ∈ [−3, 3] (zero for one
// form).
type Report struct {
	Forms  []FormSummary
	Curves []Curve
	TCCGap TCCGap
}

// Describe reports on forms (each form's items, in delivery order)
// assembled against bp.
func Describe(bp Blueprint, forms [][]Item) Report {
	var r Report
	params := make([][]irt.ThreePL, len(forms))
	for f, items := range forms {
		r.Forms = append(r.Forms, Summarize(items, bp.Anchors))
		for _, it := range items {
			params[f] = append(params[f], it.Params)
		}
	}
	r.Curves = Curves(params, bp.WithDefaults().Objective.Theta)
	r.TCCGap = TCCDifference(params, compareLo, compareHi, comparePoints)
	return r
}
