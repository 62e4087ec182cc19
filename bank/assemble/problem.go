package assemble

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
)

// Problem is a blueprint compiled against a pool, ready for a Solver: the
// eligible items grouped into units (an item set is one unit, any other
// item a unit of one), each unit with its contribution to every constraint
// and objective row. Build one with NewProblem.
type Problem struct {
	bp    Blueprint
	pool  []Item
	units []unit
	rows  []objRow
	// par are the curves whose values at a θ point the forms must match
	// within a tolerance: objRow's g with scale 1, and c the tolerance.
	par []objRow

	// fams are the partitions of the items whose parts the blueprint
	// bounds per form: domains (famDomain), subdomains and key letters.
	fams         []family
	enemies      []string       // enemy group names, indexed as unit.enemy
	n, forms     int            // items per form, forms
	maxUse       int            // forms a non-anchor unit may be on
	maxOverlap   int            // items two forms may share; −1 for no cap
	secLo, secHi float64        // bounds on a form's total seconds
	bLo, bHi     float64        // bounds on a form's total difficulty Σ b
	unitOf       []int          // [pool index] its unit, −1 when not eligible
	ranks        map[string]int // each domain's place in the order rule's domain order
}

// family is a partition of the items, a part of which the blueprint
// bounds on every form: the domains, the subdomains, the key letters.
type family struct {
	field  string              // the blueprint field, e.g. "domains"
	bounds []bounded           // the bounded parts
	of     func(Item) string   // the part an item is in
	noun   func(string) string // the items of a part, as messages say it: "stdlib items"
}

// The families' indexes in Problem.fams.
const (
	famDomain = iota
	famSubdomain
	famKey
)

// bounded is a count bound on a part of a family.
type bounded struct {
	name   string
	field  string  // the rule it comes from, e.g. "domains.stdlib"
	lo, hi float64 // hi is +Inf when open
}

// count is a unit's number of items in one group (a domain, a subdomain,
// an enemy group).
type count struct{ idx, n int }

// unit is items that go on a form together.
type unit struct {
	items   []int // pool indexes, ascending
	anchor  bool  // on every form
	include bool  // on at least one form
	enemy   []count
	counts  [][]count // [family] the unit's items per bounded part
	coef    []float64 // per objective row: Σ a_ri over the items
	par     []float64 // per tolerance row: Σ g_i(θ) over the items
	seconds float64
	bsum    float64
}

func (u *unit) size() int { return len(u.items) }

// Blueprint is the problem's blueprint, defaults filled in.
func (p *Problem) Blueprint() Blueprint { return p.bp }

// Eligible is the number of pool items with a status the blueprint
// allows.
func (p *Problem) Eligible() int {
	n := 0
	for _, it := range p.pool {
		if p.bp.allowed(it.Status) {
			n++
		}
	}
	return n
}

// NewProblem compiles bp against pool. It fails with an error naming the
// blueprint field when the blueprint names items the pool lacks, and with
// an *InfeasibleError when a counting argument shows that no forms can
// meet a constraint.
func NewProblem(bp Blueprint, pool []Item) (*Problem, error) {
	bp = bp.WithDefaults()
	if err := bp.Validate(); err != nil {
		return nil, err
	}
	p := &Problem{bp: bp, pool: pool, rows: bp.Objective.rows(), par: bp.tolerances(), n: bp.Length, forms: bp.Forms,
		maxUse: min(bp.MaxFormsPerItem, bp.Forms), maxOverlap: -1,
		secLo: math.Inf(-1), secHi: math.Inf(1), bLo: math.Inf(-1), bHi: math.Inf(1)}
	if bp.MaxOverlap != nil {
		p.maxOverlap = *bp.MaxOverlap
	}
	index := make(map[string]int, len(pool))
	for i, it := range pool {
		if _, dup := index[it.Code]; dup {
			return nil, fmt.Errorf("the pool has item %s twice", it.Code)
		}
		index[it.Code] = i
	}
	lookup := func(field string, codes []string) ([]int, error) {
		out := make([]int, len(codes))
		for k, c := range codes {
			i, ok := index[c]
			if !ok {
				return nil, fmt.Errorf("%s: item %s is not in the pool of items with parameters", field, c)
			}
			out[k] = i
		}
		return out, nil
	}
	anchors, err := lookup("anchors", bp.Anchors)
	if err != nil {
		return nil, err
	}
	include, err := lookup("include", bp.Include)
	if err != nil {
		return nil, err
	}
	exclude, err := lookup("exclude", bp.Exclude)
	if err != nil {
		return nil, err
	}
	if err := p.families(pool); err != nil {
		return nil, err
	}
	sets := newUnionFind(len(pool))
	for s, codes := range bp.ItemSets {
		idx, err := lookup(fmt.Sprintf("item_sets[%d]", s), codes)
		if err != nil {
			return nil, err
		}
		for _, i := range idx[1:] {
			sets.union(idx[0], i)
		}
	}
	if err := p.buildUnits(sets, anchors, include, exclude); err != nil {
		return nil, err
	}
	if err := p.buildEnemies(index); err != nil {
		return nil, err
	}
	if bp.Minutes != nil {
		p.secLo, p.secHi = 60*bp.Minutes.Lo(math.Inf(-1)), 60*bp.Minutes.Hi(math.Inf(1))
		for _, u := range p.units {
			for _, i := range u.items {
				if !(pool[i].Seconds > 0) {
					return nil, fmt.Errorf("minutes: item %s has no expected response time; every eligible item needs one", pool[i].Code)
				}
			}
		}
	}
	if bp.MeanDifficulty != nil {
		p.bLo, p.bHi = float64(p.n)*bp.MeanDifficulty.Lo(math.Inf(-1)), float64(p.n)*bp.MeanDifficulty.Hi(math.Inf(1))
	}
	if p.ranks, err = p.domainRanks(); err != nil {
		return nil, err
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	return p, nil
}

// families builds the partitions that the blueprint bounds per form:
// domains and subdomains, refusing names that no pool item carries (most
// likely a typo), and key letters, bounded by key_balance and by the most
// items of one letter that max_key_run lets a form hold (runCap).
func (p *Problem) families(pool []Item) error {
	p.fams = []family{
		{field: "domains", of: func(it Item) string { return it.Domain }, noun: func(d string) string { return d + " items" }},
		{field: "subdomains", of: func(it Item) string { return it.Subdomain }, noun: func(s string) string { return s + " items" }},
		{field: "key_balance", of: func(it Item) string { return it.Key }, noun: func(l string) string { return "items keyed " + l }},
	}
	for k, m := range []map[string]Range{p.bp.Domains, p.bp.Subdomains} {
		fam := &p.fams[k]
		have := map[string]bool{}
		for _, it := range pool {
			have[fam.of(it)] = true
		}
		for _, name := range sortedKeys(m) {
			if !have[name] {
				return fmt.Errorf("%s.%s: no pool item has %s %q; the pool's are %s", fam.field, name, strings.TrimSuffix(fam.field, "s"), name,
					strings.Join(sortedKeys(have), ", "))
			}
			r := m[name]
			fam.bounds = append(fam.bounds, bounded{name: name, field: fam.field + "." + name, lo: r.Lo(0), hi: r.Hi(math.Inf(1))})
		}
	}
	letters := p.bp.keyLetters(pool)
	var ranges map[string]Range
	if p.bp.KeyBalance != nil {
		ranges = p.bp.KeyBalance.ranges(letters)
	}
	for l := range letters {
		name := Letters[l : l+1]
		r, ok := ranges[name]
		b := bounded{name: name, field: "key_balance." + name, lo: r.Lo(0), hi: r.Hi(math.Inf(1))}
		if c := float64(runCap(p.n, p.bp.MaxKeyRun)); p.bp.MaxKeyRun > 0 && c < b.hi {
			if c < b.lo {
				return &InfeasibleError{"max_key_run", fmt.Sprintf("key_balance.%s asks for at least %g items keyed %s, but with runs of at most %d a form of %d holds at most %g",
					name, b.lo, name, p.bp.MaxKeyRun, p.n, c)}
			}
			b.hi = c
			if b.field = "max_key_run"; ok {
				b.field = "key_balance." + name + " and max_key_run"
			}
			ok = true
		}
		if ok {
			p.fams[famKey].bounds = append(p.fams[famKey].bounds, b)
		}
	}
	for _, name := range sortedKeys(ranges) {
		if letterIndex(name) >= letters {
			r := ranges[name]
			p.fams[famKey].bounds = append(p.fams[famKey].bounds, bounded{name: name, field: "key_balance." + name, lo: r.Lo(0), hi: r.Hi(math.Inf(1))})
		}
	}
	return nil
}

// buildUnits groups the eligible items into units: an item set whose items
// all have an allowed status and none is excluded, or a lone such item.
func (p *Problem) buildUnits(sets *unionFind, anchors, include, exclude []int) error {
	members := map[int][]int{}
	for i := range p.pool {
		r := sets.find(i)
		members[r] = append(members[r], i)
	}
	excluded := map[int]bool{}
	for _, i := range exclude {
		excluded[i] = true
	}
	anchor, incl := map[int]bool{}, map[int]bool{}
	for _, i := range anchors {
		anchor[sets.find(i)] = true
	}
	for _, i := range include {
		incl[sets.find(i)] = true
	}
	parts := make([]map[string]int, len(p.fams)) // [family] part name → its index in bounds
	for f, fam := range p.fams {
		parts[f] = map[string]int{}
		for k, b := range fam.bounds {
			parts[f][b.name] = k
		}
	}
	p.unitOf = make([]int, len(p.pool))
	for i := range p.unitOf {
		p.unitOf[i] = -1
	}
	for i := range p.pool {
		r := sets.find(i)
		if r != i {
			continue // a unit is built at its first item, the root of its set
		}
		items := members[r]
		why := ""
		for _, j := range items {
			switch it := p.pool[j]; {
			case excluded[j]:
				why = it.Code + " is excluded"
			case !p.bp.allowed(it.Status):
				why = fmt.Sprintf("%s is %s (the blueprint allows %s)", it.Code, it.Status, strings.Join(p.bp.Statuses, ", "))
			}
		}
		if why != "" {
			if len(items) > 1 {
				why = "it is in the item set " + p.codes(items) + ", and " + why
			}
			if anchor[r] {
				return &InfeasibleError{"anchors", fmt.Sprintf("the anchor cannot be used: %s", why)}
			}
			if incl[r] {
				return &InfeasibleError{"include", fmt.Sprintf("an included item cannot be used: %s", why)}
			}
			continue
		}
		u := unit{items: items, anchor: anchor[r], include: incl[r] && !anchor[r], coef: make([]float64, len(p.rows)),
			par: make([]float64, len(p.par)), counts: make([][]count, len(p.fams))}
		for _, j := range items {
			it := p.pool[j]
			p.unitOf[j] = len(p.units)
			for f, fam := range p.fams {
				if k, ok := parts[f][fam.of(it)]; ok {
					u.counts[f] = addCount(u.counts[f], k)
				}
			}
			for r, row := range p.rows {
				u.coef[r] += row.coef(it.Params)
			}
			for r, row := range p.par {
				u.par[r] += row.coef(it.Params)
			}
			u.seconds += it.Seconds
			u.bsum += it.Params.B
		}
		p.units = append(p.units, u)
	}
	return nil
}

// buildEnemies gives each unit its enemy groups: the pool items' own and
// the blueprint's. Groups that touch fewer than two units constrain
// nothing and are dropped; a unit holding two enemies is an error.
func (p *Problem) buildEnemies(index map[string]int) error {
	unitOf := make(map[int]int, len(p.pool))
	for k, u := range p.units {
		for _, i := range u.items {
			unitOf[i] = k
		}
	}
	var names []string
	var groups [][]int // pool indexes
	byName := map[string]int{}
	for i, it := range p.pool {
		if it.EnemyGroup == "" {
			continue
		}
		g, ok := byName[it.EnemyGroup]
		if !ok {
			g = len(groups)
			byName[it.EnemyGroup] = g
			names = append(names, "enemy group "+it.EnemyGroup)
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}
	for k, codes := range p.bp.EnemyGroups {
		var g []int
		for _, c := range codes {
			i, ok := index[c]
			if !ok {
				return fmt.Errorf("enemy_groups[%d]: item %s is not in the pool of items with parameters", k, c)
			}
			g = append(g, i)
		}
		names = append(names, fmt.Sprintf("enemy_groups[%d]", k))
		groups = append(groups, g)
	}
	for g, items := range groups {
		per := map[int][]int{} // unit → its items in the group
		for _, i := range items {
			if k, ok := unitOf[i]; ok {
				per[k] = append(per[k], i)
			}
		}
		if len(per) < 2 {
			for _, its := range per {
				if len(its) > 1 {
					return fmt.Errorf("item_sets: %s are enemies (%s) in one item set, so the set can never be used", p.codes(its), names[g])
				}
			}
			continue
		}
		idx := len(p.enemies)
		p.enemies = append(p.enemies, names[g])
		for _, k := range slices.Sorted(maps.Keys(per)) {
			if len(per[k]) > 1 {
				return fmt.Errorf("item_sets: %s are enemies (%s) in one item set, so the set can never be used", p.codes(per[k]), names[g])
			}
			p.units[k].enemy = append(p.units[k].enemy, count{idx, 1})
		}
	}
	return nil
}

// codes lists the items' codes.
func (p *Problem) codes(items []int) string {
	cs := make([]string, len(items))
	for k, i := range items {
		cs[k] = p.pool[i].Code
	}
	return strings.Join(cs, ", ")
}

func addCount(cs []count, idx int) []count {
	for k := range cs {
		if cs[k].idx == idx {
			cs[k].n++
			return cs
		}
	}
	return append(cs, count{idx, 1})
}

// unionFind joins items into sets.
type unionFind []int

func newUnionFind(n int) *unionFind {
	u := make(unionFind, n)
	for i := range u {
		u[i] = i
	}
	return &u
}

func (u *unionFind) find(i int) int {
	for (*u)[i] != i {
		(*u)[i] = (*u)[(*u)[i]]
		i = (*u)[i]
	}
	return i
}

func (u *unionFind) union(i, j int) {
	ri, rj := u.find(i), u.find(j)
	if ri < rj {
		(*u)[rj] = ri
	} else if rj < ri {
		(*u)[ri] = rj
	}
}
