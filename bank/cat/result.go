package cat

import (
	"math"

	"github.com/passportirt/passport/irt"
)

// Result is a finished (or interrupted) test.
type Result struct {
	// Theta and SE are the final estimate by the configuration's final
	// estimator, on the scored items.
	Theta float64 `json:"theta"`
	SE    float64 `json:"se"`
	// AtBound: an ML or WLE estimate stopped at ±Bound (an all-right or
	// all-wrong ML pattern is put there), so θ lies at or beyond it.
	AtBound bool `json:"at_bound"`
	// Length is the number of scored items.
	Length int `json:"length"`
	// Items are the items given, in order, pretest items flagged.
	Items []Record `json:"items"`
	// Category is θ's class among the cut scores: the number of cuts
	// below θ (by the SPRT's decision when it decided); 0 without cuts.
	Category int `json:"category"`
	// Decided: the stopping rule decided the class before the test ran
	// out of items.
	Decided bool `json:"decided"`
}

// Final returns the test's result so far.
func (s *Session) Final() Result {
	e := s.e
	c := e.cfg
	r := Result{Length: len(s.resp), Items: append([]Record(nil), s.admin...)}
	switch c.Final {
	case EAP:
		r.Theta, r.SE = moments(e.nodes, s.logPost)
	case MAP:
		est := irt.MAP(s.params, s.resp, c.Prior.Mean, c.Prior.SD)
		r.Theta, r.SE = est.Theta, est.SE
	case ML, WLE:
		var est irt.Estimate
		if c.Final == ML {
			est = irt.ML(s.params, s.resp, -c.Bound, c.Bound)
		} else {
			est = irt.WLE(s.params, s.resp, -c.Bound, c.Bound)
		}
		if math.IsNaN(est.Theta) { // no item answered
			est = irt.Estimate{Theta: c.Prior.Mean, SE: c.Prior.SD}
		}
		if math.IsInf(est.Theta, 0) {
			est.Theta, est.AtBound = math.Copysign(c.Bound, est.Theta), true
			est.SE = 1 / math.Sqrt(irt.TestInfo(s.params, est.Theta))
		}
		r.Theta, r.SE, r.AtBound = est.Theta, est.SE, est.AtBound
	}
	if r.Category, r.Decided = s.classify(); !r.Decided {
		r.Category = classOf(c.Stop.Cuts, r.Theta)
	}
	return r
}
