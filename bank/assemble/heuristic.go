package assemble

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// Heuristic is the pure-Go solver, for when CBC is not installed. It builds
// the forms greedily, filling them in turn with the unit that best meets
// the count bounds and then best raises the form's projected objective
// (its rows if the rest of the form were average items; van der Linden
// 2005, ch. 4, on greedy test assembly), then improves them by iterated
// local search (Lourenço, Martin and Stützle 2003): swaps of a unit on a
// form for one off it, exchanges between two forms, and swaps of an item
// set for single items, each taken when it lowers the constraint
// violation or, at equal violation, raises the soft minimum of the rows of
// the forms it touches. The soft minimum's temperature falls to zero over
// each descent, which so ends on the exact objective; until it reaches
// zero, a form's time and difficulty violation is a penalty on the soft
// minimum rather than part of the violation (see judge). Rounds of random
// perturbation restart the descent from the best forms so far until 30
// rounds in a row bring no improvement or Options.Restarts rounds are done
// (or the optional time limit passes). The search is deterministic: the
// same problem, seed and budget give the same forms. The forms it returns
// meet every hard constraint; its bound is the Lagrangian bound of
// lagrangeBound.
type Heuristic struct{}

// Name is "heuristic".
func (Heuristic) Name() string { return "heuristic" }

// Solve assembles p's forms.
func (Heuristic) Solve(ctx context.Context, p *Problem, o Options) (*Result, error) {
	start := time.Now()
	s, err := searchForms(ctx, p, o)
	if err != nil {
		return nil, err
	}
	bound := p.bp.Objective.report(p.lagrangeBound())
	return &Result{Forms: s.forms(), Bound: bound, Solver: "heuristic", Status: StatusHeuristic, Elapsed: time.Since(start)}, nil
}

// searchForms runs the heuristic search with at most o.Restarts rounds
// (DefaultRestarts for 0) of perturbation after the first descent, and
// returns forms that meet every hard constraint, or an error naming the
// constraints that the closest forms it found still break.
func searchForms(ctx context.Context, p *Problem, o Options) (*state, error) {
	rounds := o.Restarts
	if rounds == 0 {
		rounds = DefaultRestarts
	}
	h := &searcher{s: newState(p), rng: rand.New(rand.NewPCG(o.Seed, 0xa55e_b1e5)), ctx: ctx}
	if o.TimeLimit > 0 {
		h.deadline = time.Now().Add(o.TimeLimit)
	}
	h.construct()
	h.anneal(0)
	best, bestV, bestY := h.s.snapshot(), h.s.v, h.s.objective()
	for round, stale := 0, 0; round < rounds && stale < maxStale && !h.stopped(); round++ {
		h.perturb()
		h.anneal(1)
		if v, y := h.s.v, h.s.objective(); v < bestV-eps || (v < bestV+eps && y > bestY+eps*(1+math.Abs(bestY))) {
			best, bestV, bestY, stale = h.s.snapshot(), v, y, 0
		} else {
			h.s.restore(best)
			stale++
		}
	}
	h.s.restore(best)
	if h.s.v > feasibleTol {
		return nil, &noFormsError{h.s.violations()}
	}
	return h.s, ctx.Err()
}

// noFormsError is the heuristic's failure to find forms that meet every
// constraint, with the constraints that the closest forms it found break.
type noFormsError struct {
	violations []string
}

func (e *noFormsError) Error() string {
	return "the heuristic found no forms that meet every constraint; the closest break " + strings.Join(e.violations, "; ")
}

const (
	maxStale    = 30   // rounds in a row without improvement before the search stops
	eps         = 1e-9 // tolerance of comparisons
	feasibleTol = 1e-6 // largest violation taken as none (rounding of the time and difficulty sums)
)

// searcher is the state of a heuristic search.
type searcher struct {
	s        *state
	rng      *rand.Rand
	ctx      context.Context
	deadline time.Time
	tau      float64   // temperature of the soft minimum
	mu       float64   // penalty per unit of a form's time and difficulty violation; +Inf: none allowed
	grain    float64   // an item's mean absolute contribution to a row
	scratch  []float64 // rows after a tentative move
}

func (h *searcher) stopped() bool {
	return h.ctx.Err() != nil || (!h.deadline.IsZero() && time.Now().After(h.deadline))
}

// better reports whether violation v2 with key k2 beats v1 with k1.
func better(v2, k2, v1, k1 float64) bool {
	if v2 < v1-eps {
		return true
	}
	return v2 < v1+eps && k2 > k1+eps*(1+math.Abs(k1))
}

// construct fills the forms, one unit at a time to the form with the
// fewest items, with the unit that most reduces the count violations per
// item and then most raises the form's projected soft minimum. The
// length, time, difficulty and tolerance terms of the violation, which
// only complete forms can meet, are left to the local search.
func (h *searcher) construct() {
	s, p := h.s, h.s.p
	avg := make([]float64, len(p.rows))
	var items float64
	for _, u := range p.units {
		for r, a := range u.coef {
			avg[r] += a
		}
		items += float64(u.size())
	}
	for r := range avg {
		avg[r] /= items
	}
	for _, a := range avg {
		h.grain += math.Abs(a) / float64(len(avg))
	}
	h.grain = max(h.grain, 1e-9)
	h.tau = temps[0] * h.grain
	proj := make([]float64, len(p.rows))
	for {
		f := 0
		for g := range s.size {
			if s.size[g] < s.size[f] {
				f = g
			}
		}
		rest := p.n - s.size[f]
		if rest <= 0 {
			return
		}
		best, bestV, bestK := -1, math.Inf(1), math.Inf(-1)
		for k := range p.units {
			u := &p.units[k]
			if s.in[f][k] || (u.size() > rest && best >= 0) {
				continue
			}
			v0, t0, p0 := s.v, s.formTerm(f), s.parTerm()
			s.toggle(f, k)
			dv := (s.v - v0 - (s.formTerm(f) - t0) - (s.parTerm() - p0)) / float64(u.size())
			s.toggle(f, k)
			for r := range proj {
				proj[r] = s.row[f][r] + u.coef[r] + float64(rest-u.size())*avg[r]
			}
			key := softMin(proj, h.tau)
			if best < 0 || (u.size() <= rest && p.units[best].size() > rest) || better(dv, key, bestV, bestK) {
				best, bestV, bestK = k, dv, key
			}
		}
		if best < 0 {
			return
		}
		s.toggle(f, best)
	}
}

// softMin is −τ·ln Σ exp(−x/τ), the minimum of xs when τ = 0.
func softMin(xs []float64, tau float64) float64 {
	m := math.Inf(1)
	for _, x := range xs {
		m = min(m, x)
	}
	return softMinAbove(xs, m, tau)
}

// softMinAbove is softMin for xs whose minimum is m. Terms below
// exp(−40) ≈ 4·10⁻¹⁸ are left out: beside the minimum's term, 1, they
// vanish in rounding.
func softMinAbove(xs []float64, m, tau float64) float64 {
	if tau <= 0 {
		return m
	}
	var sum float64
	for _, x := range xs {
		if d := (x - m) / tau; d < 40 {
			sum += math.Exp(-d)
		}
	}
	return m - tau*math.Log(sum)
}

// temps are the soft minimum's temperatures, in units of an item's mean
// absolute contribution to a row: the first smooth the rows' minimum over
// about one item's worth, the last, zero, is the exact minimum.
var temps = []float64{1, 0.3, 0.1, 0.03, 0}

// anneal runs the local search to a local optimum at each temperature
// from temps[from] down to zero.
func (h *searcher) anneal(from int) {
	for _, t := range temps[from:] {
		h.tau, h.mu = t*h.grain, h.grain/t
		for h.improve() && !h.stopped() {
		}
	}
}

// improve makes one pass of every kind of move over every form and
// reports whether any move was taken.
func (h *searcher) improve() bool {
	moved := false
	for f := range h.s.list {
		moved = h.swaps(f) || moved
		moved = h.setSwaps(f) || moved
	}
	for f := range h.s.list {
		for g := f + 1; g < len(h.s.list); g++ {
			moved = h.exchanges(f, g) || moved
		}
	}
	return moved
}

// judge returns the violation and key by which the descent compares the
// forms fs after a move. At a positive temperature τ the forms' time and
// difficulty violation moves from the violation to the key, at a penalty
// μ = grain/τ per unit (an item's worth of information per unit at the
// first temperature, rising as τ falls), so that the descent can pass
// through forms just outside those bounds: within them, a form at a bound
// could trade an item only for one of no smaller time or difficulty. At
// zero temperature every violation counts in full.
func (h *searcher) judge(key float64, fs ...int) (v, k float64) {
	if math.IsInf(h.mu, 1) {
		return h.s.v, key
	}
	var sum float64
	for _, f := range fs {
		sum += h.s.sumTerm(f)
	}
	return h.s.v - sum, key - h.mu*sum
}

// keyAfter is form f's soft minimum with unit out replaced by unit in
// (−1 for none), computed from the rows without moving anything. As the
// soft minimum is below the minimum, a minimum at or below floor rules the
// move out early and keyAfter returns −Inf.
func (h *searcher) keyAfter(f, out, in int, floor float64) float64 {
	p := h.s.p
	var minus, plus []float64
	if out >= 0 {
		minus = p.units[out].coef
	}
	if in >= 0 {
		plus = p.units[in].coef
	}
	h.scratch = h.scratch[:0]
	m := math.Inf(1)
	for r, x := range h.s.row[f] {
		if minus != nil {
			x -= minus[r]
		}
		if plus != nil {
			x += plus[r]
		}
		h.scratch = append(h.scratch, x)
		m = min(m, x)
	}
	if m <= floor {
		return math.Inf(-1)
	}
	return softMinAbove(h.scratch, m, h.tau)
}

// swaps tries, for each non-anchor unit on form f, the best unit of the
// same size off f to replace it, and takes it when it is better.
func (h *searcher) swaps(f int) bool {
	s, p := h.s, h.s.p
	moved := false
	for _, out := range append([]int(nil), s.list[f]...) {
		if h.stopped() {
			return moved
		}
		if p.units[out].anchor || !s.in[f][out] {
			continue
		}
		v0, k0 := h.judge(s.smooth(f, h.tau), f)
		best, bestV, bestK := -1, v0, k0
		s.toggle(f, out)
		for in := range p.units {
			if in == out || s.in[f][in] || p.units[in].size() != p.units[out].size() {
				continue
			}
			floor := math.Inf(-1)
			if v0 < eps {
				floor = bestK + eps*(1+math.Abs(bestK)) // only a better key can win: the violation cannot fall
			}
			key := h.keyAfter(f, -1, in, floor)
			if key <= floor {
				continue
			}
			s.toggle(f, in)
			if v, k := h.judge(key, f); better(v, k, bestV, bestK) {
				best, bestV, bestK = in, v, k
			}
			s.toggle(f, in)
		}
		if best >= 0 {
			s.toggle(f, best)
			moved = true
		} else {
			s.toggle(f, out)
		}
	}
	return moved
}

// exchanges tries swapping units of equal size between forms f and g,
// taking a swap when it is better for the two forms together: lower
// violation, or at equal violation a higher smaller soft minimum.
func (h *searcher) exchanges(f, g int) bool {
	s, p := h.s, h.s.p
	moved := false
	for _, a := range append([]int(nil), s.list[f]...) {
		if h.stopped() {
			return moved
		}
		if p.units[a].anchor || !s.in[f][a] || s.in[g][a] {
			continue
		}
		v0, k0 := h.judge(min(s.smooth(f, h.tau), s.smooth(g, h.tau)), f, g)
		for _, b := range append([]int(nil), s.list[g]...) {
			if s.in[f][b] || !s.in[g][b] || p.units[b].size() != p.units[a].size() {
				continue
			}
			floor := math.Inf(-1)
			if v0 < eps {
				floor = k0 + eps*(1+math.Abs(k0))
			}
			key := min(h.keyAfter(f, a, b, floor), h.keyAfter(g, b, a, floor))
			if key <= floor {
				continue
			}
			s.toggle(f, a)
			s.toggle(f, b)
			s.toggle(g, b)
			s.toggle(g, a)
			if v, k := h.judge(key, f, g); better(v, k, v0, k0) {
				moved = true
				break // a is now on g
			}
			s.toggle(g, a)
			s.toggle(g, b)
			s.toggle(f, b)
			s.toggle(f, a)
		}
	}
	return moved
}

// setSwaps tries the moves that change the number of units on form f:
// putting an item set on it in place of as many single items, chosen one
// by one, and taking a set off for single items.
func (h *searcher) setSwaps(f int) bool {
	s, p := h.s, h.s.p
	moved := false
	for k := range p.units {
		u := &p.units[k]
		if u.size() == 1 || u.anchor || h.stopped() {
			continue
		}
		v0, k0 := h.judge(s.smooth(f, h.tau), f)
		on := s.in[f][k]
		var done []int
		s.toggle(f, k)
		for range u.size() {
			best, bestV, bestK := -1, math.Inf(1), math.Inf(-1)
			try := func(j int) {
				s.toggle(f, j)
				if v, key := h.judge(s.smooth(f, h.tau), f); best < 0 || better(v, key, bestV, bestK) {
					best, bestV, bestK = j, v, key
				}
				s.toggle(f, j)
			}
			if on { // the set came off: add a single item
				for j := range p.units {
					if !s.in[f][j] && j != k && p.units[j].size() == 1 {
						try(j)
					}
				}
			} else { // the set went on: take a single item off
				for _, j := range slices.Clone(s.list[f]) {
					if j != k && p.units[j].size() == 1 && !p.units[j].anchor {
						try(j)
					}
				}
			}
			if best < 0 {
				break
			}
			s.toggle(f, best)
			done = append(done, best)
		}
		if v, k := h.judge(s.smooth(f, h.tau), f); better(v, k, v0, k0) {
			moved = true
			continue
		}
		for i := len(done) - 1; i >= 0; i-- {
			s.toggle(f, done[i])
		}
		s.toggle(f, k)
	}
	return moved
}

// perturb makes a few random swaps on a random form that do not raise the
// violation other than the form's time and difficulty violation (which
// the next descent's penalty works off), to leave a local optimum.
func (h *searcher) perturb() {
	s, p := h.s, h.s.p
	f := h.rng.IntN(len(s.list))
	moves := 2 + h.rng.IntN(4)
	for try := 0; moves > 0 && try < 50*moves; try++ {
		out := s.list[f][h.rng.IntN(len(s.list[f]))]
		in := h.rng.IntN(len(p.units))
		if p.units[out].anchor || s.in[f][in] || p.units[in].size() != p.units[out].size() {
			continue
		}
		v0 := s.v - s.sumTerm(f)
		s.toggle(f, out)
		s.toggle(f, in)
		if s.v-s.sumTerm(f) > v0+eps {
			s.toggle(f, in)
			s.toggle(f, out)
			continue
		}
		moves--
	}
}
