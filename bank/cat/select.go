package cat

import (
	"context"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/passportirt/passport/bank/assemble"
)

// choose picks the next scored item: among the candidates that content
// control leaves (all items the examinee can get, the domain
// Kingsbury–Zara chooses, or the free items of the shadow test), those
// eligible under exposure control, the best by the criterion — at random
// among the best Randomesque, or for the first item among the FirstItems
// most informative at the prior mean — and, under Sympson–Hetter, only if
// the item passes the lottery of its parameter, the smallest in the
// segments of the window; one that fails it is out of this test and the
// next best is tried (Sympson & Hetter 1985), unless no other item is left.
func (s *Session) choose() (int, error) {
	e := s.e
	lo, hi := s.window()
	cands, err := s.candidates(lo, hi)
	if err != nil {
		return -1, err
	}
	for {
		i := s.pick(cands)
		if e.cfg.Exposure.Method != SympsonHetter || s.ctl == nil {
			return i, nil
		}
		s.selected = append(s.selected, i)
		if k := s.parameter(i, lo, hi); k >= 1 || s.rng.Float64() < k {
			return i, nil
		}
		s.out[i] = true
		if !s.anyLeft() {
			// The lottery yields when it would leave the test no item.
			s.out[i] = false
			return i, nil
		}
		s.rejected = append(s.rejected, i)
		cands = remove(cands, i)
		if len(cands) == 0 {
			if cands, err = s.candidates(lo, hi); err != nil {
				return -1, err
			}
		}
	}
}

// parameter returns the Sympson–Hetter parameter of item i in segments lo
// to hi, the smallest of theirs: the test may end in any of them.
func (s *Session) parameter(i, lo, hi int) float64 {
	k := 1.0
	for g := lo; g <= hi; g++ {
		k = min(k, s.ctl[g][i])
	}
	return k
}

func remove(xs []int, x int) []int {
	out := xs[:0]
	for _, y := range xs {
		if y != x {
			out = append(out, y)
		}
	}
	return out
}

// window returns the exposure segments the test may still end in, lo to
// hi: those meeting θ̂ ± WindowZ·SE, whose eligibility (rmr,
// eligibility) an item choice needs in all. With the window of θ̂ alone
// the items of a test's first choices, made in the middle segments, count
// unchecked in the outer segment where it ends; with ±2·SE the early
// choices face every segment's cap at once, and an 85-item bank cannot
// then fill its tests (fallback to no control). ±1·SE holds the cap within
// 0.003 in every segment of the final θ̂ on that bank (TestExposureCaps).
func (s *Session) window() (lo, hi int) {
	return s.e.Segment(s.theta - WindowZ*s.se), s.e.Segment(s.theta + WindowZ*s.se)
}

// WindowZ is the half-width, in standard errors, of the θ interval whose
// exposure segments an item choice reads.
const WindowZ = 1

// eligibleIn reports whether item i is eligible in every segment from lo
// to hi.
func (s *Session) eligibleIn(i, lo, hi int) bool {
	if s.eligible == nil {
		return true
	}
	for g := lo; g <= hi; g++ {
		if !s.eligible[g][i] {
			return false
		}
	}
	return true
}

// candidates returns the items content and exposure control leave for the
// next item, in exposure segments lo to hi. Exposure control yields when it
// leaves nothing: a test always goes on.
func (s *Session) candidates(lo, hi int) ([]int, error) {
	e := s.e
	var avail, eligible []int
	for _, i := range e.scored {
		if s.out[i] {
			continue
		}
		avail = append(avail, i)
		if s.eligibleIn(i, lo, hi) {
			eligible = append(eligible, i)
		}
	}
	if len(avail) == 0 {
		return nil, fmt.Errorf("no operational item is left for the examinee after %d items", len(s.admin))
	}
	if len(eligible) == 0 {
		eligible = avail
	}
	switch e.cfg.Content.Method {
	case KingsburyZara:
		if c := s.kingsburyZara(eligible); len(c) > 0 {
			return c, nil
		}
		return s.kingsburyZara(avail), nil
	case Shadow:
		// The first solve leaves out the least informative items; if
		// the blueprint then cannot be met, the second has them all,
		// and the last lets exposure control yield.
		c, err := s.shadowTest(lo, hi, true, true)
		if err != nil {
			c, err = s.shadowTest(lo, hi, true, false)
		}
		if err != nil {
			c, err = s.shadowTest(lo, hi, false, false)
		}
		return c, err
	}
	return eligible, nil
}

// kingsburyZara returns the items of cands in the domain furthest below
// its target share, n_d/n − t_d smallest over the domains cands has items
// in (Kingsbury & Zara 1989).
func (s *Session) kingsburyZara(cands []int) []int {
	e := s.e
	n := float64(max(1, len(s.resp)))
	best, bestGap := -1, math.Inf(-1)
	for _, i := range cands {
		d := e.domainOf[i]
		if gap := e.targets[d] - float64(s.domainN[d])/n; gap > bestGap {
			best, bestGap = d, gap
		}
	}
	var out []int
	for _, i := range cands {
		if e.domainOf[i] == best {
			out = append(out, i)
		}
	}
	return out
}

// shadowTest assembles the shadow test (van der Linden & Reese 1998): a
// full-length test that meets the blueprint, holds every item given so
// far and has the most information at θ̂; with exposure set, items not
// eligible in segments lo to hi are left out, and with prune, the items outside
// the few most informative at θ̂ overall and in their domain
// (keepInformative), which the search then need not visit. It returns the
// test's items not yet given.
func (s *Session) shadowTest(lo, hi int, exposure, prune bool) ([]int, error) {
	e, sh := s.e, s.e.shadow
	bp := sh.bp
	bp.Objective.Theta = []float64{s.theta}
	bp.Anchors = nil
	bp.Exclude = append([]string(nil), sh.bp.Exclude...)
	given := make([]bool, len(e.pool))
	for _, r := range s.admin {
		given[r.Item] = true
		if !r.Pretest {
			bp.Anchors = append(bp.Anchors, r.ID)
		}
	}
	var keep []bool
	if prune {
		keep = s.keepInformative(given)
	}
	for _, i := range e.scored {
		if given[i] {
			continue
		}
		if s.out[i] || (exposure && !s.eligibleIn(i, lo, hi)) || (keep != nil && !keep[i]) {
			bp.Exclude = append(bp.Exclude, e.pool[i].ID)
		}
	}
	p, err := assemble.NewProblem(bp, sh.pool)
	if err != nil {
		return nil, fmt.Errorf("shadow test after %d items: %w", len(s.resp), err)
	}
	res, err := p.Solve(context.Background(), sh.solver, assemble.Options{Seed: s.rng.Uint64(), Restarts: e.cfg.Content.Restarts})
	if err != nil {
		return nil, fmt.Errorf("shadow test after %d items: %w", len(s.resp), err)
	}
	var free []int
	for _, k := range res.Forms[0] {
		if i := e.scored[k]; !given[i] {
			free = append(free, i)
		}
	}
	return free, nil
}

// keepInformative marks the items a pruned shadow test may hold: those
// given, and of the others the 2·MaxLength most informative at θ̂ and
// the MaxLength most informative in each domain.
func (s *Session) keepInformative(given []bool) []bool {
	e := s.e
	n := e.cfg.MaxLength
	keep := slices.Clone(given)
	info := func(i int) float64 { return e.params[i].Info(s.theta) }
	var free []int
	byDomain := make([][]int, len(e.domains))
	for _, i := range e.scored {
		if !given[i] && !s.out[i] {
			free = append(free, i)
			byDomain[e.domainOf[i]] = append(byDomain[e.domainOf[i]], i)
		}
	}
	for _, i := range bestK(free, min(2*n, len(free)), info) {
		keep[i] = true
	}
	for _, items := range byDomain {
		for _, i := range bestK(items, min(n, len(items)), info) {
			keep[i] = true
		}
	}
	return keep
}

// pick returns an item of cands at random among the best k by the
// criterion.
func (s *Session) pick(cands []int) int {
	e := s.e
	k, value := e.cfg.Randomesque, s.criterion()
	if len(s.resp) == 0 {
		mu := e.cfg.Prior.Mean
		k, value = e.cfg.FirstItems, func(i int) float64 { return e.params[i].Info(mu) }
	}
	best := bestK(cands, min(k, len(cands)), value)
	return best[s.rng.IntN(len(best))]
}

// bestK returns the k items of cands with the largest values, the earlier
// item first among equal values.
func bestK(cands []int, k int, value func(i int) float64) []int {
	best := make([]int, 0, k)
	vals := make([]float64, 0, k)
	for _, i := range cands {
		v := value(i)
		if len(best) == k && !(v > vals[k-1]) {
			continue
		}
		j := len(best)
		if j == k {
			j--
		} else {
			best, vals = append(best, 0), append(vals, 0)
		}
		for j > 0 && v > vals[j-1] {
			best[j], vals[j] = best[j-1], vals[j-1]
			j--
		}
		best[j], vals[j] = i, v
	}
	return best
}

// criterion returns the selection criterion at the current estimate.
func (s *Session) criterion() func(i int) float64 {
	e := s.e
	theta := s.theta
	switch e.cfg.Selection {
	case KL:
		return s.klIndex
	case PWI:
		K := len(e.nodes)
		w := s.posterior()
		return func(i int) float64 {
			var sum float64
			for k, x := range e.info[i*K : (i+1)*K] {
				sum += w[k] * x
			}
			return sum
		}
	}
	return func(i int) float64 { return e.params[i].Info(theta) }
}

// posterior returns the posterior weights on the grid, normalised.
func (s *Session) posterior() []float64 {
	top := math.Inf(-1)
	for _, l := range s.logPost {
		top = max(top, l)
	}
	s.scratch = s.scratch[:0]
	var sum float64
	for _, l := range s.logPost {
		w := math.Exp(l - top)
		s.scratch = append(s.scratch, w)
		sum += w
	}
	for k := range s.scratch {
		s.scratch[k] /= sum
	}
	return s.scratch
}

// klIndex is Chang and Ying's (1996) global information of item i: the
// Kullback–Leibler information of the response at θ̂ against θ,
//
//	KL_i(θ̂ ‖ θ) = P_i(θ̂)·ln(P_i(θ̂)/P_i(θ)) + Q_i(θ̂)·ln(Q_i(θ̂)/Q_i(θ)),
//
// integrated over θ̂ − δ ≤ θ ≤ θ̂ + δ with δ = 3/√n after n scored items
// (Chang & Ying 1996), by Gauss–Legendre quadrature of klPoints points.
func (s *Session) klIndex(i int) float64 {
	e := s.e
	p := e.params[i]
	delta := 3 / math.Sqrt(float64(max(1, len(s.resp))))
	p0, q0 := p.PQ(s.theta)
	var sum float64
	for j, x := range e.glX {
		p1, q1 := p.PQ(s.theta + delta*x)
		sum += e.glW[j] * (p0*math.Log(p0/p1) + q0*math.Log(q0/q1))
	}
	return delta * sum
}

// normalQuantile is the standard normal quantile function.
func normalQuantile(p float64) float64 { return distuv.UnitNormal.Quantile(p) }
