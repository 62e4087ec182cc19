package assemble

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// QuantileTargets are n difficulties spread over the ability distribution
// N(mean, sd²): its quantiles at the midpoints of n equal slices,
//
//	t_k = mean + sd·Φ⁻¹((k − ½)/n),  k = 1 … n,
//
// (Hazen's plotting positions; Hyndman & Fan 1996, type 5), so that each
// nth of the examinees has an item near its level: for n = 5 from N(0, 1),
// −1.28, −0.52, 0, 0.52, 1.28. A short test meant to place examinees all
// along the scale, rather than to decide near one cut, spreads its items'
// difficulties this way; a test peaked at one difficulty measures well
// only near it (Lord 1980, on peaked and spread tests).
func QuantileTargets(n int, mean, sd float64) []float64 {
	out := make([]float64, n)
	for k := range out {
		out[k] = mean + sd*distuv.UnitNormal.Quantile((float64(k)+0.5)/float64(n))
	}
	return out
}

// ErrNoSpread says that no form of the blueprint's length meets its rules
// on the pool.
var ErrNoSpread = errors.New("no eligible items make a form that meets the blueprint")

// Spread returns the one form of len(targets) items, in increasing order
// of difficulty, whose difficulties b lie nearest the targets: it
// minimises Σ_k (b_(k) − t_(k))², the sorted difficulties against the
// sorted targets (for a given set of items the sorted pairing is the best
// one, by the rearrangement inequality), over the forms that meet the
// blueprint's statuses, exclusions, domain, subdomain and key-letter
// counts and enemy groups (the items' own and the blueprint's). Items in
// an item set are left out: a short form takes no set. bp.Length must equal
// len(targets); the form is exact, found by depth-first branch and bound
// over the items sorted by difficulty, each target's candidates tried
// outward from the nearest, the bound being the cost so far plus, for
// each target still open, the nearest eligible difficulty's cost; a
// branch is cut when a count's unmet minimums exceed the items left.
// Verify then checks the form against every rule of the blueprint
// (minutes, mean difficulty…, which the search does not model). Ties are
// broken by item code, so the form is a pure function of its inputs. It
// returns the form and its cost.
func (bp Blueprint) Spread(pool []Item, targets []float64) ([]string, float64, error) {
	bp = bp.WithDefaults()
	n := len(targets)
	if n == 0 || bp.Length != n {
		return nil, 0, fmt.Errorf("spread: %d targets for a blueprint of length %d", n, bp.Length)
	}
	t := slices.Clone(targets)
	slices.Sort(t)
	inSet := map[string]bool{}
	for _, s := range bp.ItemSets {
		for _, c := range s {
			inSet[c] = true
		}
	}
	var items []Item
	for _, it := range pool {
		if bp.allowed(it.Status) && !slices.Contains(bp.Exclude, it.Code) && !inSet[it.Code] && !math.IsNaN(it.Params.B) {
			items = append(items, it)
		}
	}
	slices.SortFunc(items, func(x, y Item) int {
		return cmp.Or(cmp.Compare(x.Params.B, y.Params.B), cmp.Compare(x.Code, y.Code))
	})
	s := newSpreadSearch(bp, items, t)
	s.search(0, 0, 0)
	if s.best == nil {
		return nil, 0, fmt.Errorf("%w (%d eligible items; %d needed, with the domain counts and enemy groups)", ErrNoSpread, len(items), n)
	}
	codes := make([]string, n)
	for k, i := range s.best {
		codes[k] = items[i].Code
	}
	if err := Verify(bp, pool, [][]string{codes}); err != nil {
		return nil, 0, fmt.Errorf("spread: the nearest form breaks a rule the search does not model: %w", err)
	}
	return codes, s.bestCost, nil
}

// spreadSearch is Spread's branch and bound.
type spreadSearch struct {
	items    []Item
	t        []float64
	rest     []float64 // rest[k]: Σ_{m ≥ k} the nearest item's cost at target m
	counts   []*counter
	enemy    [][]int // [item] its enemy groups, by index
	gUsed    []bool
	chosen   []int
	best     []int
	bestCost float64
}

// counter bounds a form's count of items by a label: domain, subdomain or
// key letter.
type counter struct {
	label  []string // [item] its label
	ranges map[string]Range
	count  map[string]int
	need   int // Σ over labels of the items still short of the minimum
}

func newCounter(items []Item, ranges map[string]Range, label func(Item) string) *counter {
	c := &counter{ranges: ranges, count: map[string]int{}}
	for _, it := range items {
		c.label = append(c.label, label(it))
	}
	for _, r := range ranges {
		c.need += int(r.Lo(0))
	}
	return c
}

// fits reports whether item i stays within its label's maximum.
func (c *counter) fits(i int) bool {
	r, ok := c.ranges[c.label[i]]
	return !ok || float64(c.count[c.label[i]]+1) <= r.Hi(math.Inf(1))
}

// take adds (by +1) or removes (by −1) item i.
func (c *counter) take(i, by int) {
	l := c.label[i]
	lo := int(c.ranges[l].Lo(0))
	before := max(0, lo-c.count[l])
	c.count[l] += by
	c.need += max(0, lo-c.count[l]) - before
}

// keyRanges are the blueprint's key-letter bounds by letter, for a pool
// whose items have up to letters options.
func (bp Blueprint) keyRanges(letters int) map[string]Range {
	kb := bp.KeyBalance
	switch {
	case kb == nil:
		return nil
	case kb.Each != nil:
		out := map[string]Range{}
		for l := range letters {
			out[Letters[l:l+1]] = *kb.Each
		}
		return out
	}
	return kb.Letters
}

func newSpreadSearch(bp Blueprint, items []Item, t []float64) *spreadSearch {
	s := &spreadSearch{items: items, t: t, bestCost: math.Inf(1), rest: make([]float64, len(t)+1)}
	s.counts = []*counter{
		newCounter(items, bp.Domains, func(it Item) string { return it.Domain }),
		newCounter(items, bp.Subdomains, func(it Item) string { return it.Subdomain }),
		newCounter(items, bp.keyRanges(bp.keyLetters(items)), func(it Item) string { return it.Key }),
	}
	groups := map[string]int{}
	group := func(name string) int {
		g, ok := groups[name]
		if !ok {
			g = len(groups)
			groups[name] = g
		}
		return g
	}
	byCode := map[string]int{}
	s.enemy = make([][]int, len(items))
	for i, it := range items {
		byCode[it.Code] = i
		if it.EnemyGroup != "" {
			s.enemy[i] = append(s.enemy[i], group("item:"+it.EnemyGroup))
		}
	}
	for k, eg := range bp.EnemyGroups {
		g := group(fmt.Sprint("blueprint:", k))
		for _, c := range eg {
			if i, ok := byCode[c]; ok {
				s.enemy[i] = append(s.enemy[i], g)
			}
		}
	}
	s.gUsed = make([]bool, len(groups))
	for k := len(t) - 1; k >= 0; k-- {
		near := math.Inf(1)
		for _, it := range items {
			near = min(near, sq(it.Params.B-t[k]))
		}
		s.rest[k] = s.rest[k+1] + near
	}
	return s
}

func sq(x float64) float64 { return x * x }

// search fills target k from the items after index from, at cost so far.
func (s *spreadSearch) search(k, from int, cost float64) {
	n := len(s.t)
	for _, c := range s.counts {
		if c.need > n-k {
			return
		}
	}
	if k == n {
		if cost < s.bestCost {
			s.best, s.bestCost = slices.Clone(s.chosen), cost
		}
		return
	}
	// Candidates outward from the nearest difficulty to t[k], among items
	// from..len−(n−k), in each direction until the bound cuts it off.
	last := len(s.items) - (n - k)
	if from > last {
		return
	}
	mid, _ := slices.BinarySearchFunc(s.items[from:last+1], s.t[k], func(it Item, x float64) int { return cmp.Compare(it.Params.B, x) })
	mid += from
	for _, dir := range []int{-1, 1} {
		i := mid
		if dir < 0 {
			i = mid - 1
		}
		for ; i >= from && i <= last; i += dir {
			c := cost + sq(s.items[i].Params.B-s.t[k])
			if c+s.rest[k+1] >= s.bestCost {
				break
			}
			if !s.fits(i) {
				continue
			}
			s.take(i, 1)
			s.chosen = append(s.chosen, i)
			s.search(k+1, i+1, c)
			s.chosen = s.chosen[:len(s.chosen)-1]
			s.take(i, -1)
		}
	}
}

// fits reports whether item i may join the chosen items: its domain,
// subdomain and key letter below their maximums, and none of its enemy
// groups used.
func (s *spreadSearch) fits(i int) bool {
	for _, c := range s.counts {
		if !c.fits(i) {
			return false
		}
	}
	for _, g := range s.enemy[i] {
		if s.gUsed[g] {
			return false
		}
	}
	return true
}

// take adds (by +1) or removes (by −1) item i.
func (s *spreadSearch) take(i, by int) {
	for _, c := range s.counts {
		c.take(i, by)
	}
	for _, g := range s.enemy[i] {
		s.gUsed[g] = by > 0
	}
}
