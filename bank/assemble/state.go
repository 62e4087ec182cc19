package assemble

import (
	"fmt"
	"math"
	"slices"
)

// state is a set of forms under construction with every sum that the
// constraints and the objective need, kept up to date move by move. Its
// violation v measures how far the forms are from meeting every hard
// constraint (0 when they do): items over or under a count bound, enemies
// beyond the first, forms and overlaps over their caps, included items
// missing, the time and difficulty sums outside their bounds (in items'
// worth: seconds over the mean item time, difficulty as is), and the
// spreads of the forms' curves beyond their tolerances.
type state struct {
	p     *Problem
	in    [][]bool  // [form][unit]
	list  [][]int   // [form] its units
	pos   [][]int   // [form][unit] its index in list, when on the form
	size  []int     // [form] items
	count [][][]int // [form][family][part] items
	enemy [][]int   // [form][enemy group] units
	sec   []float64
	bsum  []float64
	row   [][]float64 // [form][objective row]
	par   [][]float64 // [form][tolerance row] Σ g(θ)
	// parOver is, per tolerance row, how far the spread of the forms'
	// values exceeds the tolerance (0 when within it).
	parOver []float64
	use     []int   // [unit] forms it is on
	ovl     [][]int // [form][form] shared items
	v       float64 // total violation
	// secScale turns seconds into items' worth for the violation.
	secScale float64
}

// newState returns p's forms empty but for the anchors.
func newState(p *Problem) *state {
	K := p.forms
	s := &state{p: p, in: make([][]bool, K), list: make([][]int, K), pos: make([][]int, K), size: make([]int, K),
		count: make([][][]int, K), enemy: make([][]int, K),
		sec: make([]float64, K), bsum: make([]float64, K), row: make([][]float64, K), par: make([][]float64, K),
		parOver: make([]float64, len(p.par)), use: make([]int, len(p.units)), ovl: make([][]int, K), secScale: 1}
	for f := range K {
		s.in[f] = make([]bool, len(p.units))
		s.pos[f] = make([]int, len(p.units))
		s.count[f] = make([][]int, len(p.fams))
		for g, fam := range p.fams {
			s.count[f][g] = make([]int, len(fam.bounds))
		}
		s.enemy[f] = make([]int, len(p.enemies))
		s.row[f] = make([]float64, len(p.rows))
		for r, row := range p.rows {
			s.row[f][r] = row.c
		}
		s.ovl[f] = make([]int, K)
		s.par[f] = make([]float64, len(p.par))
	}
	var secs float64
	var items int
	for _, u := range p.units {
		secs += u.seconds
		items += u.size()
	}
	if secs > 0 {
		s.secScale = float64(items) / secs
	}
	for f := range K {
		s.v += s.formTerm(f)
		for _, fam := range p.fams {
			for _, b := range fam.bounds {
				s.v += outside(0, b.lo, b.hi)
			}
		}
	}
	for k, u := range p.units {
		if u.include {
			s.v++
		}
		if u.anchor {
			for f := range K {
				s.toggle(f, k)
			}
		}
	}
	return s
}

// outside is how far x lies outside [lo, hi].
func outside(x, lo, hi float64) float64 {
	switch {
	case x < lo:
		return lo - x
	case x > hi:
		return x - hi
	}
	return 0
}

// formTerm is form f's violation from its length, time and difficulty
// sums, which every move of f changes; toggle keeps the other terms.
func (s *state) formTerm(f int) float64 {
	return math.Abs(float64(s.size[f]-s.p.n)) + s.sumTerm(f)
}

// sumTerm is form f's violation of its time and difficulty bounds.
func (s *state) sumTerm(f int) float64 {
	p := s.p
	return outside(s.sec[f], p.secLo, p.secHi)*s.secScale + outside(s.bsum[f], p.bLo, p.bHi)
}

// toggle puts unit k on form f, or takes it off if it is there, updating
// the sums and the violation.
func (s *state) toggle(f, k int) {
	p := s.p
	u := &p.units[k]
	sign := 1
	if s.in[f][k] {
		sign = -1
	}
	s.in[f][k] = sign > 0
	if sign > 0 {
		s.pos[f][k] = len(s.list[f])
		s.list[f] = append(s.list[f], k)
	} else {
		i, last := s.pos[f][k], len(s.list[f])-1
		s.list[f][i] = s.list[f][last]
		s.pos[f][s.list[f][i]] = i
		s.list[f] = s.list[f][:last]
	}
	dv := -s.formTerm(f)
	n := u.size()
	s.size[f] += sign * n
	s.sec[f] += float64(sign) * u.seconds
	s.bsum[f] += float64(sign) * u.bsum
	dv += s.formTerm(f)
	for g, cs := range u.counts {
		for _, c := range cs {
			b := p.fams[g].bounds[c.idx]
			old := s.count[f][g][c.idx]
			s.count[f][g][c.idx] += sign * c.n
			dv += outside(float64(s.count[f][g][c.idx]), b.lo, b.hi) - outside(float64(old), b.lo, b.hi)
		}
	}
	for _, c := range u.enemy {
		old := s.enemy[f][c.idx]
		s.enemy[f][c.idx] += sign
		dv += float64(max(0, s.enemy[f][c.idx]-1) - max(0, old-1))
	}
	for r, a := range u.coef {
		s.row[f][r] += float64(sign) * a
	}
	for j, g := range u.par {
		s.par[f][j] += float64(sign) * g
		over := max(0, s.spread(j)-p.par[j].c)
		dv += over - s.parOver[j]
		s.parOver[j] = over
	}
	if !u.anchor {
		old := s.use[k]
		s.use[k] += sign
		dv += float64(n * (max(0, s.use[k]-p.maxUse) - max(0, old-p.maxUse)))
		if u.include && (old == 0 || s.use[k] == 0) {
			dv -= float64(sign)
		}
	}
	if p.maxOverlap >= 0 {
		for g := range s.in {
			if g == f || !s.in[g][k] {
				continue
			}
			old := s.ovl[f][g]
			s.ovl[f][g] += sign * n
			s.ovl[g][f] = s.ovl[f][g]
			dv += float64(max(0, s.ovl[f][g]-p.maxOverlap) - max(0, old-p.maxOverlap))
		}
	}
	s.v += dv
}

// parTerm is the violation of the tolerances, Σ_j parOver_j.
func (s *state) parTerm() float64 {
	var t float64
	for _, o := range s.parOver {
		t += o
	}
	return t
}

// spread is the largest difference between two forms' values of
// tolerance row j.
func (s *state) spread(j int) float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for f := range s.par {
		lo, hi = min(lo, s.par[f][j]), max(hi, s.par[f][j])
	}
	return hi - lo
}

// value is form f's objective, the smallest of its rows.
func (s *state) value(f int) float64 { return slices.Min(s.row[f]) }

// objective is the forms' objective, the smallest row of any form.
func (s *state) objective() float64 {
	y := math.Inf(1)
	for f := range s.row {
		y = min(y, s.value(f))
	}
	return y
}

// smooth is form f's soft minimum of its rows (see softMin).
func (s *state) smooth(f int, tau float64) float64 { return softMin(s.row[f], tau) }

// forms returns the forms as sorted pool indexes.
func (s *state) forms() [][]int {
	out := make([][]int, len(s.list))
	for f, units := range s.list {
		for _, k := range units {
			out[f] = append(out[f], s.p.units[k].items...)
		}
		slices.Sort(out[f])
	}
	return out
}

// snapshot returns the units on each form, to restore later.
func (s *state) snapshot() [][]int {
	out := make([][]int, len(s.list))
	for f, l := range s.list {
		out[f] = slices.Clone(l)
	}
	return out
}

// restore makes the forms hold exactly the units of snap.
func (s *state) restore(snap [][]int) {
	for f, units := range snap {
		want := make(map[int]bool, len(units))
		for _, k := range units {
			want[k] = true
		}
		for _, k := range slices.Clone(s.list[f]) {
			if !want[k] {
				s.toggle(f, k)
			}
		}
		for _, k := range units {
			if !s.in[f][k] {
				s.toggle(f, k)
			}
		}
	}
}

// violations describes each constraint the forms break, for an error.
func (s *state) violations() []string {
	p := s.p
	var out []string
	add := func(f int, format string, args ...any) {
		out = append(out, fmt.Sprintf("form %d: ", f+1)+fmt.Sprintf(format, args...))
	}
	for f := range s.list {
		if s.size[f] != p.n {
			add(f, "length: %d items, not %d", s.size[f], p.n)
		}
		for g, fam := range p.fams {
			for k, b := range fam.bounds {
				if c := float64(s.count[f][g][k]); c < b.lo || c > b.hi {
					add(f, "%s: %g %s, not %s", b.field, c, fam.noun(b.name), rangeText(b.lo, b.hi))
				}
			}
		}
		for g, c := range s.enemy[f] {
			if c > 1 {
				add(f, "%s: %d enemies", p.enemies[g], c)
			}
		}
		if outside(s.sec[f], p.secLo, p.secHi) > 0 {
			add(f, "minutes: %.1f, not %s", s.sec[f]/60, rangeText(p.secLo/60, p.secHi/60))
		}
		if outside(s.bsum[f], p.bLo, p.bHi) > 0 {
			add(f, "mean_difficulty: %.3f, not %s", s.bsum[f]/float64(p.n), rangeText(p.bLo/float64(p.n), p.bHi/float64(p.n)))
		}
		for g := f + 1; g < len(s.list); g++ {
			if p.maxOverlap >= 0 && s.ovl[f][g] > p.maxOverlap {
				add(f, "max_overlap: shares %d items with form %d, more than %d", s.ovl[f][g], g+1, p.maxOverlap)
			}
		}
	}
	for j, row := range p.par {
		if s.parOver[j] > 0 {
			field, what := "info_tolerance", "information"
			if row.tcc {
				field, what = "tcc_tolerance", "expected scores"
			}
			out = append(out, fmt.Sprintf("%s: the forms' %s at θ = %g differ by %.3f, more than %g", field, what, row.theta, s.spread(j), row.c))
		}
	}
	for k, u := range p.units {
		switch {
		case !u.anchor && s.use[k] > p.maxUse:
			out = append(out, fmt.Sprintf("max_forms_per_item: %s is on %d forms", p.codes(u.items), s.use[k]))
		case u.include && s.use[k] == 0:
			out = append(out, fmt.Sprintf("include: %s is on no form", p.codes(u.items)))
		}
	}
	return out
}

// rangeText writes [lo, hi] with open ends as "≥ lo" or "≤ hi".
func rangeText(lo, hi float64) string {
	r := Range{}
	if !math.IsInf(lo, -1) {
		r.Min = &lo
	}
	if !math.IsInf(hi, 1) {
		r.Max = &hi
	}
	return r.String()
}
