package assemble

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
)

// Order is the rule for the order in which a form's items are delivered.
// Whatever the rule, the items of an item set are delivered one after
// another, in the pool's order, and no run of items with one key letter is
// longer than the blueprint's MaxKeyRun.
type Order struct {
	// Rule is OrderRandom (the default), OrderDomain or OrderSpiral.
	Rule string `json:"rule"`
	// Domains is the order of the domains for OrderDomain and
	// OrderSpiral; domains not named follow in alphabetical order.
	Domains []string `json:"domains,omitempty"`
}

// The order rules.
const (
	// OrderRandom is a random order, the same for the same seed.
	OrderRandom = "random"
	// OrderDomain delivers each domain's items together, the domains in
	// the stated order, in a random order within each domain.
	OrderDomain = "domain"
	// OrderSpiral takes the domains in turn, in the stated order, one
	// item (or item set) at a time, a domain that has run out dropping
	// out of the turn: semantics, idioms, performance, stdlib, semantics…
	OrderSpiral = "spiral"
)

func (o Order) validate() error {
	switch o.Rule {
	case OrderRandom:
		if len(o.Domains) > 0 {
			return fmt.Errorf("order.domains: the %s order has no domain order; give \"rule\": %q or %q", OrderRandom, OrderDomain, OrderSpiral)
		}
	case OrderDomain, OrderSpiral:
	default:
		return fmt.Errorf("order.rule: %q; expected %q, %q or %q", o.Rule, OrderRandom, OrderDomain, OrderSpiral)
	}
	for k, d := range o.Domains {
		if slices.Index(o.Domains, d) < k {
			return fmt.Errorf("order.domains: %s is named twice", d)
		}
	}
	return nil
}

// domainRanks returns each pool domain's place in the order rule's domain
// order: the stated domains first, then the others alphabetically. It
// refuses a stated domain that no pool item has and, for the rules that
// keep domains apart, an item set spanning domains.
func (p *Problem) domainRanks() (map[string]int, error) {
	have := map[string]bool{}
	for _, it := range p.pool {
		have[it.Domain] = true
	}
	ranks := map[string]int{}
	for _, d := range p.bp.Order.Domains {
		if !have[d] {
			return nil, fmt.Errorf("order.domains: no pool item has domain %q; the pool's are %s", d, strings.Join(sortedKeys(have), ", "))
		}
		ranks[d] = len(ranks)
	}
	for _, d := range sortedKeys(have) {
		if _, ok := ranks[d]; !ok {
			ranks[d] = len(ranks)
		}
	}
	if p.bp.Order.Rule != OrderRandom {
		for _, u := range p.units {
			for _, i := range u.items[1:] {
				if d, d0 := p.pool[i].Domain, p.pool[u.items[0]].Domain; d != d0 {
					return nil, fmt.Errorf("item_sets: %s holds items of domains %s and %s, but the %s order keeps each domain's items apart",
						p.codes(u.items), d0, d, p.bp.Order.Rule)
				}
			}
		}
	}
	return ranks, nil
}

// keyOf is item i's key letter, 1-based, 0 when unkeyed.
func (p *Problem) keyOf(i int) uint8 { return uint8(letterIndex(p.pool[i].Key) + 1) }

// order returns form f's items (pool indexes) in delivery order: units in
// the order of the blueprint's rule, each set's items in pool order, no
// run of one key letter longer than MaxKeyRun. Among the orders that meet
// the rules it draws one at random with rng. A form no order can deliver
// is an *InfeasibleError of max_key_run.
func (p *Problem) order(f int, form []int, rng *rand.Rand) ([]int, error) {
	s, pick, err := p.sequencer(f, form)
	if err != nil {
		return nil, err
	}
	if !s.run(rng) {
		why := "every order was tried"
		if s.memo.cut {
			why = fmt.Sprintf("the search stopped after %d steps; another --seed may find one", searchBudget)
		}
		return nil, &InfeasibleError{"max_key_run", fmt.Sprintf("form %d: no order by the %s rule keeps every run of one key letter to %d items (%s)",
			f+1, s.rule, s.r, why)}
	}
	for _, l := range pick {
		rng.Shuffle(len(l), func(a, b int) { l[a], l[b] = l[b], l[a] })
	}
	var out []int
	for k, pat := range s.out {
		cp := s.classes[k]*len(s.patterns) + pat
		out = append(out, p.units[pick[cp][0]].items...)
		pick[cp] = pick[cp][1:]
	}
	return out, nil
}

// sequencer sets up the search for form f's order: its units' key
// patterns, the classes the rule takes in turn, and, for each class and
// pattern, the units to deal out. It fails when counting alone shows that
// no order can keep the runs (precheck).
func (p *Problem) sequencer(f int, form []int) (*sequencer, [][]int, error) {
	r := p.bp.MaxKeyRun
	if r == 0 {
		r = len(form) // no cap
	}
	var units []int
	for _, i := range form {
		if k := p.unitOf[i]; !slices.Contains(units, k) {
			units = append(units, k)
		}
	}
	// The units' key patterns, and the classes (domain ranks) that the
	// rule takes in turn.
	s := &sequencer{r: r, rule: p.bp.Order.Rule, memo: newMemo()}
	patternOf := map[string]int{}
	classOf := make([]int, len(units))
	patOf := make([]int, len(units))
	perClass := map[int]int{}
	for j, k := range units {
		u := &p.units[k]
		keys := make([]uint8, len(u.items))
		for m, i := range u.items {
			keys[m] = p.keyOf(i)
		}
		if run, l := longestRun(keys); run > r {
			return nil, nil, &InfeasibleError{"max_key_run", fmt.Sprintf("form %d: the item set %s has %d items in a row keyed %c, more than %d",
				f+1, p.codes(u.items), run, Letters[l-1], r)}
		}
		pat, ok := patternOf[string(keys)]
		if !ok {
			pat = len(s.patterns)
			patternOf[string(keys)] = pat
			s.patterns = append(s.patterns, keys)
		}
		patOf[j] = pat
		if s.rule != OrderRandom {
			classOf[j] = p.ranks[p.pool[u.items[0]].Domain]
		}
		perClass[classOf[j]]++
	}
	s.classes = classSequence(s.rule, perClass)
	nc := slices.Max(s.classes) + 1
	s.left = make([]int, nc*len(s.patterns))
	s.letters = make([][]int, nc+1) // per class, and in all (the last)
	for c := range s.letters {
		s.letters[c] = make([]int, len(Letters)+1)
	}
	pick := make([][]int, len(s.left)) // units of each class and pattern
	for j := range units {
		c, pat := classOf[j], patOf[j]
		s.left[c*len(s.patterns)+pat]++
		pick[c*len(s.patterns)+pat] = append(pick[c*len(s.patterns)+pat], units[j])
		for _, l := range s.patterns[pat] {
			s.letters[c][l]++
			s.letters[nc][l]++
		}
	}
	if err := s.precheck(p, f, len(form)); err != nil {
		return nil, nil, err
	}
	return s, pick, nil
}

// run searches with rng for a sequence, into out, and reports whether it
// found one.
func (s *sequencer) run(rng *rand.Rand) bool {
	s.rng, s.out = rng, make([]int, len(s.classes))
	return s.search(0, 0, 0)
}

// classSequence is the class of each step of the order: one class
// (random); each class's units together, in class order (domain); or the
// classes in turn (spiral). n gives the units of each class.
func classSequence(rule string, n map[int]int) []int {
	classes := slices.Sorted(maps.Keys(n))
	var seq []int
	switch rule {
	case OrderSpiral:
		for left := true; left; {
			left = false
			for _, c := range classes {
				if n[c] > 0 {
					seq = append(seq, c)
					n[c]--
					left = true
				}
			}
		}
	default: // a random order has one class, 0
		for _, c := range classes {
			for range n[c] {
				seq = append(seq, c)
			}
		}
	}
	return seq
}

// sequencer searches depth first for a sequence of units, at each step
// one of the class that the rule gives the step, that keeps every run of
// one key letter to at most r items. Units of equal key pattern within a
// class are interchangeable, so it chooses patterns and the units are
// dealt out after.
type sequencer struct {
	r        int
	rule     string
	classes  []int     // [step] its class
	patterns [][]uint8 // [pattern] its units' key letters, in order
	left     []int     // [class·len(patterns) + pattern] units left
	letters  [][]int   // [class, then all] items left per key letter
	rng      *rand.Rand
	memo     *memo
	out      []int // [step] the pattern chosen
}

// precheck names what makes an order impossible by counting alone: too
// many items of one letter on the form, or, with the domain rule, in one
// domain.
func (s *sequencer) precheck(p *Problem, f, n int) error {
	all := s.letters[len(s.letters)-1]
	if !arrangeable(all, 0, 0, s.r) {
		l := maxIndex(all)
		return &InfeasibleError{"max_key_run", fmt.Sprintf("form %d: %d of its %d items are keyed %c; no order keeps their runs to %d items (at most %d fit)",
			f+1, all[l], n, Letters[l-1], s.r, runCap(n, s.r))}
	}
	if s.rule != OrderDomain {
		return nil
	}
	for c, counts := range s.letters[:len(s.letters)-1] {
		if !arrangeable(counts, 0, 0, s.r) {
			l, m := maxIndex(counts), 0
			for _, x := range counts {
				m += x
			}
			var domain string
			for d, k := range p.ranks {
				if k == c {
					domain = d
				}
			}
			return &InfeasibleError{"max_key_run", fmt.Sprintf("form %d: %d of its %d %s items are keyed %c; delivered together (the domain order), no order keeps their runs to %d items",
				f+1, counts[l], m, domain, Letters[l-1], s.r)}
		}
	}
	return nil
}

// maxIndex is the key letter (≥ 1) with the most items.
func maxIndex(counts []int) int {
	best := 1
	for l := 2; l < len(counts); l++ {
		if counts[l] > counts[best] {
			best = l
		}
	}
	return best
}

// search places the units from step k on, after a run of t items keyed
// last, and reports whether it completed the sequence. It prunes every
// state from which the items left cannot be arranged (arrangeable), in
// all and, with the domain rule, within the current domain; for a random
// order of single items that test is exact, so the search never goes
// back.
func (s *sequencer) search(k, last, t int) bool {
	if k == len(s.classes) {
		return true
	}
	state := s.memo.key(k, last, t, s.left)
	if !s.memo.enter(state) {
		return false
	}
	c, np := s.classes[k], len(s.patterns)
	w := make([]float64, np)
	for pat := range np {
		w[pat] = float64(s.left[c*np+pat])
	}
	for _, pat := range weightedOrder(s.rng, w) {
		l2, t2, ok := extend(s.patterns[pat], last, t, s.r)
		if !ok {
			continue
		}
		s.take(c, pat, -1)
		if s.viable(c, l2, t2) && s.search(k+1, l2, t2) {
			s.out[k] = pat
			return true
		}
		s.take(c, pat, 1)
	}
	s.memo.dead(state)
	return false
}

// take adds d units of class c and pattern pat to those left.
func (s *sequencer) take(c, pat, d int) {
	s.left[c*len(s.patterns)+pat] += d
	for _, l := range s.patterns[pat] {
		s.letters[c][l] += d
		s.letters[len(s.letters)-1][l] += d
	}
}

// viable reports whether the items left can follow the run: all of them,
// and with the domain rule those of the current domain c.
func (s *sequencer) viable(c, last, t int) bool {
	if !arrangeable(s.letters[len(s.letters)-1], last, t, s.r) {
		return false
	}
	return s.rule != OrderDomain || arrangeable(s.letters[c], last, t, s.r)
}
