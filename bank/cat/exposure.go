package cat

// Exposure is the record of the tests given so far that exposure control
// reads. Each finished test counts once, in the θ segment of its final
// estimate — the segment the engine can know live — with the items it
// gave, chose, or drew eligible: an item's exposure rate in segment g is
// the share of the tests ending in g that gave it, the conditional rate
// of Stocking and Lewis (1998) and van der Linden and Veldkamp (2007)
// with the final θ̂ standing for θ. While a test runs, each choice reads
// the control of every segment the test may still end in (Session.window). The caller owns the record — a
// delivery service keeps it beside its sessions, a simulation study in
// its loop — starts sessions from it (Engine.StartWith) and adds each
// finished one (Add). Nothing in the engine is shared state. It is a
// plain value, stored as JSON.
type Exposure struct {
	// Tests is, per segment, the tests that ended in it.
	Tests []int `json:"tests"`
	// Administered, Selected and Eligible are [segment][item] counts of
	// tests that gave the item, chose it before the Sympson–Hetter
	// lottery, and drew it eligible (eligibility method).
	Administered [][]int `json:"administered"`
	Selected     [][]int `json:"selected"`
	Eligible     [][]int `json:"eligible"`
	// FadedAdministered and FadedEligible are the same counts for the
	// eligibility method with each earlier test's weight multiplied by
	// Fading at every later test ending in the segment, so that the
	// probabilities follow the current rates (van der Linden & Veldkamp
	// 2007).
	FadedAdministered [][]float64 `json:"faded_administered"`
	FadedEligible     [][]float64 `json:"faded_eligible"`
	// K are the Sympson–Hetter parameters, [segment][item]: the
	// probability that a chosen item is given; nil for all 1. TuneSympsonHetter
	// sets them.
	K [][]float64 `json:"k,omitempty"`
}

// Fading is the weight by which the eligibility method's counts fade at
// every test, 0.999 as van der Linden and Veldkamp (2007) use: the tests
// before the last thousand or so weigh little.
const Fading = 0.999

// NewExposure returns an empty record for the engine's pool and segments.
func (e *Engine) NewExposure() *Exposure {
	G, n := e.Segments(), len(e.pool)
	x := &Exposure{Tests: make([]int, G)}
	for range G {
		x.Administered = append(x.Administered, make([]int, n))
		x.Selected = append(x.Selected, make([]int, n))
		x.Eligible = append(x.Eligible, make([]int, n))
		x.FadedAdministered = append(x.FadedAdministered, make([]float64, n))
		x.FadedEligible = append(x.FadedEligible, make([]float64, n))
	}
	return x
}

// Add records a finished session in the segment of its final estimate.
func (x *Exposure) Add(s *Session) {
	g := s.e.Segment(s.theta)
	x.Tests[g]++
	if s.eligible != nil {
		fa, fe := x.FadedAdministered[g], x.FadedEligible[g]
		for i, ok := range s.eligible[g] {
			fa[i] *= Fading
			fe[i] *= Fading
			if ok {
				x.Eligible[g][i]++
				fe[i]++
			}
		}
	}
	for _, r := range s.admin {
		x.Administered[g][r.Item]++
		if s.eligible != nil {
			x.FadedAdministered[g][r.Item]++
		}
	}
	for _, i := range s.selected {
		x.Selected[g][i]++
	}
}

// Rates returns the exposure rates, [segment][item]: Administered over
// Tests (0 in a segment where no test ended).
func (x *Exposure) Rates() [][]float64 {
	out := make([][]float64, len(x.Tests))
	for g, n := range x.Tests {
		out[g] = make([]float64, len(x.Administered[g]))
		if n == 0 {
			continue
		}
		for i, a := range x.Administered[g] {
			out[g][i] = float64(a) / float64(n)
		}
	}
	return out
}

// control returns the exposure control in force for a session started
// from x, [segment][item], or nil for none. In segment g it is
//   - sympson-hetter: the parameter K (nil, all 1, before tuning);
//   - eligibility: the probability that the item is eligible,
//     min{1, r·ε/α} with ε and α the shares of the tests ending in g in
//     which it was eligible and given (van der Linden & Veldkamp 2004,
//     eq. 12), both faded, and 0 once the item has been given in a share
//     r of the tests, counting this one, A ≥ r·(T + 1) — a guard one item
//     stricter than rmr's, since fading aims at the current rate and the
//     guard keeps the cumulative rate within the cap from a cold start;
//   - rmr: 1 when the item's rate stays within the cap r if this test
//     gives it, A + 1 ≤ r·(T + 1), or when no test ending in g has given
//     it yet (a cold start), and 0 otherwise (Revuelta & Ponsoda 1998).
//
// A test counts in the segment where it ends, not known while it runs:
// each item choice reads the control of every segment the test may still
// end in (Session.window).
func (x *Exposure) control(e *Engine) [][]float64 {
	m := e.cfg.Exposure
	if x == nil || m.Method == None {
		return nil
	}
	if m.Method == SympsonHetter {
		return x.K
	}
	ctl := make([][]float64, len(x.Tests))
	for g, tests := range x.Tests {
		ctl[g] = make([]float64, len(e.pool))
		for i, a := range x.Administered[g] {
			switch {
			case m.Method == RMR && a > 0 && float64(a+1) > m.MaxRate*float64(tests+1)+1e-9:
			case m.Method == Eligibility && float64(a) >= m.MaxRate*float64(tests+1):
			case m.Method == Eligibility && x.FadedAdministered[g][i] > 0:
				ctl[g][i] = min(1, m.MaxRate*x.FadedEligible[g][i]/x.FadedAdministered[g][i])
			default:
				ctl[g][i] = 1
			}
		}
	}
	return ctl
}
