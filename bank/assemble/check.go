package assemble

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// InfeasibleError says that no forms can meet a constraint of the
// blueprint, naming it by its blueprint field.
type InfeasibleError struct {
	Constraint string // e.g. "domains.stdlib"
	Msg        string
}

func (e *InfeasibleError) Error() string { return e.Constraint + ": " + e.Msg }

// check runs the counting arguments that show a blueprint infeasible
// before any search: each compares what a constraint needs with the most
// the eligible items can give, so each failure names one constraint.
func (p *Problem) check() error {
	eligible := strings.Join(p.bp.Statuses, " or ")
	var anchorItems, anchorSec, anchorB float64
	anchorCount := make([][]float64, len(p.fams)) // [family][part] the anchors' items
	for f, fam := range p.fams {
		anchorCount[f] = make([]float64, len(fam.bounds))
	}
	anchorOf := make([]int, len(p.enemies)) // anchor unit in each enemy group, −1 for none
	for g := range anchorOf {
		anchorOf[g] = -1
	}
	var free []*unit
	for k := range p.units {
		u := &p.units[k]
		if !u.anchor {
			free = append(free, u)
			continue
		}
		anchorItems += float64(u.size())
		anchorSec += u.seconds
		anchorB += u.bsum
		for f, cs := range u.counts {
			for _, c := range cs {
				anchorCount[f][c.idx] += float64(c.n)
			}
		}
		for _, c := range u.enemy {
			if a := anchorOf[c.idx]; a >= 0 {
				return &InfeasibleError{"anchors", fmt.Sprintf("%s and %s are in %s, and anchors go on every form",
					p.pool[p.units[a].items[0]].Code, p.pool[u.items[0]].Code, p.enemies[c.idx])}
			}
			anchorOf[c.idx] = k
		}
	}
	n, K, use := float64(p.n), float64(p.forms), float64(p.maxUse)
	if anchorItems > n {
		return &InfeasibleError{"anchors", fmt.Sprintf("the anchors (with their item sets) are %g items, more than the form length %d", anchorItems, p.n)}
	}
	if p.forms > 1 && p.maxOverlap >= 0 && anchorItems > float64(p.maxOverlap) {
		return &InfeasibleError{"max_overlap", fmt.Sprintf("the %g anchor items are on every form, so two forms share at least %g; raise max_overlap to %g or more",
			anchorItems, anchorItems, anchorItems)}
	}
	// have counts the free units' items of a group (size gives a unit's);
	// perForm bounds what one form can take: every unit outside enemy
	// groups and the largest of each enemy group (a unit in several groups
	// may count in each, which only loosens the bound); total bounds what
	// all forms can take.
	bound := func(size func(u *unit) float64) (have, perForm, total float64) {
		best := make([]float64, len(p.enemies))
		for _, u := range free {
			s := size(u)
			have += s
			if len(u.enemy) == 0 {
				perForm += s
			}
			for _, c := range u.enemy {
				if anchorOf[c.idx] < 0 {
					best[c.idx] = max(best[c.idx], s)
				}
			}
		}
		for _, b := range best {
			perForm += b
		}
		return have, min(have, perForm), use * have
	}
	// short says why a form cannot get what it needs of a group from the
	// anchors' a items and the pool's free ones.
	short := func(what string, a, have, perForm float64) string {
		msg := fmt.Sprintf("each form needs %s, the pool has %g %s ones", what, a+have, eligible)
		if a > 0 {
			msg += fmt.Sprintf(" (%g of them anchors)", a)
		}
		if perForm < have {
			msg += fmt.Sprintf(", of which at most %g can share a form (enemy groups)", a+perForm)
		}
		return msg
	}
	all := func(u *unit) float64 { return float64(u.size()) }
	have, perForm, total := bound(all)
	switch {
	case anchorItems+perForm < n:
		return &InfeasibleError{"length", short(fmt.Sprintf("%d items", p.n), anchorItems, have, perForm)}
	case K*(n-anchorItems) > total:
		return &InfeasibleError{"forms", fmt.Sprintf("%d forms of %d items need %g items besides the %g anchors, but the pool's %g %s ones, each on at most %d forms, give %g",
			p.forms, p.n, K*(n-anchorItems), anchorItems, have, eligible, p.maxUse, total)}
	}
	for f, fam := range p.fams {
		var sumLo float64
		for k, b := range fam.bounds {
			have, perForm, total := bound(func(u *unit) float64 { return countIn(u.counts[f], k) })
			a, what := anchorCount[f][k], fam.noun(b.name)
			sumLo += b.lo
			switch {
			case a > b.hi:
				return &InfeasibleError{b.field, fmt.Sprintf("the anchors hold %g %s, more than the %g a form may have", a, what, b.hi)}
			case a+perForm < b.lo:
				return &InfeasibleError{b.field, short(fmt.Sprintf("at least %g %s", b.lo, what), a, have, perForm)}
			case K*(b.lo-a) > total:
				return &InfeasibleError{b.field, fmt.Sprintf("%d forms need %g %s besides the anchors, but the pool's %g %s ones, each on at most %d forms, give %g",
					p.forms, K*(b.lo-a), what, have, eligible, p.maxUse, total)}
			}
		}
		if sumLo > n {
			return &InfeasibleError{fam.field, fmt.Sprintf("the minimums add up to %g items, more than the form length %d", sumLo, p.n)}
		}
	}
	if err := p.checkKeyCaps(); err != nil {
		return err
	}
	minutes := func(s float64) string { return fmt.Sprintf("%.1f minutes", s/60) }
	if err := p.checkSums("minutes", p.secLo, p.secHi, anchorSec, anchorItems, func(u *unit) float64 { return u.seconds }, "quickest", "slowest", minutes); err != nil {
		return err
	}
	mean := func(b float64) string { return fmt.Sprintf("a mean difficulty of %.3f", b/n) }
	if err := p.checkSums("mean_difficulty", p.bLo, p.bHi, anchorB, anchorItems, func(u *unit) float64 { return u.bsum }, "easiest", "hardest", mean); err != nil {
		return err
	}
	return p.checkInclude(anchorItems, anchorOf)
}

// checkSums checks a bound [lo, hi] on a form's sum of an item value (v
// per unit, written by show) against the smallest and largest sums that n
// items, anchors included, can have; item sets are split, which only
// loosens the check.
func (p *Problem) checkSums(field string, lo, hi, anchorSum, anchorItems float64, v func(u *unit) float64, low, high string, show func(float64) string) error {
	if math.IsInf(lo, -1) && math.IsInf(hi, 1) {
		return nil
	}
	var per []float64
	for k := range p.units {
		u := &p.units[k]
		if !u.anchor {
			for range u.items {
				per = append(per, v(u)/float64(u.size()))
			}
		}
	}
	slices.Sort(per)
	m := p.n - int(anchorItems)
	smallest, largest := anchorSum, anchorSum
	for k := 0; k < m; k++ {
		smallest += per[k]
		largest += per[len(per)-1-k]
	}
	switch {
	case smallest > hi:
		return &InfeasibleError{field, fmt.Sprintf("even the %d %s eligible items (anchors included) give %s, more than the maximum %s", p.n, low, show(smallest), show(hi))}
	case largest < lo:
		return &InfeasibleError{field, fmt.Sprintf("even the %d %s eligible items (anchors included) give %s, less than the minimum %s", p.n, high, show(largest), show(lo))}
	}
	return nil
}

// checkInclude checks that the included items fit on the forms and are
// not enemies of an anchor.
func (p *Problem) checkInclude(anchorItems float64, anchorOf []int) error {
	var need float64
	for _, u := range p.units {
		if !u.include {
			continue
		}
		need += float64(u.size())
		for _, c := range u.enemy {
			if a := anchorOf[c.idx]; a >= 0 {
				return &InfeasibleError{"include", fmt.Sprintf("%s is in %s with anchor %s, so it can be on no form",
					p.pool[u.items[0]].Code, p.enemies[c.idx], p.pool[p.units[a].items[0]].Code)}
			}
		}
	}
	if room := float64(p.forms) * (float64(p.n) - anchorItems); need > room {
		return &InfeasibleError{"include", fmt.Sprintf("%g items must appear, but the forms have room for %g besides the anchors", need, room)}
	}
	return nil
}

// checkKeyCaps checks that the caps on the key letters' counts
// (key_balance's maximums, and the most items of one letter that
// max_key_run lets a form hold) leave room for a form: the pool's keyed
// items, capped letter by letter, must fill it.
func (p *Problem) checkKeyCaps() error {
	keyed := map[string]float64{}
	unkeyed := 0.0
	for _, u := range p.units {
		for _, i := range u.items {
			if k := p.pool[i].Key; k != "" {
				keyed[k]++
			} else {
				unkeyed++
			}
		}
	}
	bounds := p.fams[famKey].bounds
	if len(bounds) == 0 {
		return nil
	}
	room := unkeyed
	for _, l := range sortedKeys(keyed) {
		hi := math.Inf(1)
		if k := slices.IndexFunc(bounds, func(b bounded) bool { return b.name == l }); k >= 0 {
			hi = bounds[k].hi
		}
		room += min(keyed[l], hi)
	}
	if room < float64(p.n) {
		var rules []string
		if p.bp.KeyBalance != nil {
			rules = append(rules, "key_balance")
		}
		if p.bp.MaxKeyRun > 0 {
			rules = append(rules, "max_key_run")
		}
		return &InfeasibleError{strings.Join(rules, " and "), fmt.Sprintf("the caps on the key letters' counts leave room for %g items, fewer than the form length %d", room, p.n)}
	}
	return nil
}
