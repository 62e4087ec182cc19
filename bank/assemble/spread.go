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
// blueprint's statuses, exclusions, domain counts, subdomain maximums and
// enemy groups (the items' own and the blueprint's). Items in an item set are
// left out: a short form takes no set. bp.Length must equal
// len(targets); the form is exact, found by depth-first branch and bound
// over the items sorted by difficulty, each target's candidates tried
// outward from the nearest, the bound being the cost so far plus, for
// each target still open, the nearest eligible difficulty's cost. Verify
// then checks the form against every rule of the blueprint (key balance,
// minutes, mean difficulty…), which the search does not model. Ties are
// broken by item code, so the form is a pure function of its inputs.
func (bp Blueprint) Spread(pool []Item, targets []float64) ([]string, error) {
	bp = bp.WithDefaults()
	n := len(targets)
	if n == 0 || bp.Length != n {
		return nil, fmt.Errorf("spread: %d targets for a blueprint of length %d", n, bp.Length)
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
		return nil, fmt.Errorf("%w (%d eligible items; %d needed, with the domain counts and enemy groups)", ErrNoSpread, len(items), n)
	}
	codes := make([]string, n)
	for k, i := range s.best {
		codes[k] = items[i].Code
	}
	if err := Verify(bp, pool, [][]string{codes}); err != nil {
		return nil, fmt.Errorf("spread: the nearest form breaks a rule the search does not model: %w", err)
	}
	return codes, nil
}

// spreadSearch is Spread's branch and bound.
type spreadSearch struct {
	items     []Item
	t         []float64
	rest      []float64 // rest[k]: Σ_{m ≥ k} the nearest item's cost at target m
	domain    []string  // [item] its domain
	sub       []string  // [item] its subdomain
	enemy     [][]int   // [item] its enemy groups, by index
	domains   map[string]Range
	subs      map[string]Range
	dCount    map[string]int
	sCount    map[string]int
	gUsed     []bool
	chosen    []int
	best      []int
	bestCost  float64
	needFirst int // Σ unmet domain minimums, kept current
}

func newSpreadSearch(bp Blueprint, items []Item, t []float64) *spreadSearch {
	s := &spreadSearch{items: items, t: t, domains: bp.Domains, subs: bp.Subdomains, dCount: map[string]int{}, sCount: map[string]int{},
		bestCost: math.Inf(1), rest: make([]float64, len(t)+1)}
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
		s.domain = append(s.domain, it.Domain)
		s.sub = append(s.sub, it.Subdomain)
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
	for _, r := range bp.Domains {
		s.needFirst += int(r.Lo(0))
	}
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
	if k == n {
		if s.needFirst == 0 && cost < s.bestCost {
			s.best, s.bestCost = slices.Clone(s.chosen), cost
		}
		return
	}
	if s.needFirst > n-k {
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

// fits reports whether item i may join the chosen items: its domain and
// subdomain below their maximums, none of its enemy groups used, and the
// domains' minimums still reachable.
func (s *spreadSearch) fits(i int) bool {
	d := s.domain[i]
	if r, ok := s.domains[d]; ok && float64(s.dCount[d]+1) > r.Hi(math.Inf(1)) {
		return false
	}
	if r, ok := s.subs[s.sub[i]]; ok && float64(s.sCount[s.sub[i]]+1) > r.Hi(math.Inf(1)) {
		return false
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
	d := s.domain[i]
	if r, ok := s.domains[d]; ok && float64(s.dCount[d]) < r.Lo(0) && by > 0 {
		s.needFirst--
	}
	s.dCount[d] += by
	if r, ok := s.domains[d]; ok && float64(s.dCount[d]) < r.Lo(0) && by < 0 {
		s.needFirst++
	}
	s.sCount[s.sub[i]] += by
	for _, g := range s.enemy[i] {
		s.gUsed[g] = by > 0
	}
}
