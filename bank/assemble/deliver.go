package assemble

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// Delivery is a form ready for delivery: its items in order and its
// versions.
type Delivery struct {
	Items []string // item codes, in delivery order
	// Versions are the form's versions, numbered from 0: version 0 gives
	// every item's options as written, each further one scrambles them.
	Versions []Version
}

// Version gives, for each position of a delivered form, the order in which
// the item's options are delivered: v[j][m] is the option (0 for the
// item's first, A) delivered as the m-th, under the letter Letters[m]. An
// item whose number of options is not known (Item.Options 0) has an empty
// order, read as the options as written.
type Version [][]int

// Key is the key letter that version v delivers at position j for an item
// keyed key: the letter under which the key option is delivered; "" for
// an unkeyed item.
func (v Version) Key(j int, key string) string {
	k := letterIndex(key)
	switch {
	case k < 0:
		return ""
	case len(v[j]) == 0:
		return key
	}
	if m := slices.Index(v[j], k); m >= 0 {
		return Letters[m : m+1]
	}
	return ""
}

// Deliver readies forms (pool indexes, as Solve returns them) for
// delivery. It puts each form's items in an order that the blueprint's
// Order rule allows and that keeps every run of one key letter to
// MaxKeyRun, drawn at random among those orders; and it makes versions
// versions besides the one as written, each delivering every item's
// options in a random order (an option that must stay last,
// Item.FixedLast, staying there). Each version first draws its key
// letters, position by position, among the sequences that meet KeyBalance
// and MaxKeyRun (the form as written is one, so there always are some),
// then places each item's key under its letter and shuffles the other
// options around it. The same forms, versions and seed give the same
// deliveries. VerifyDelivery checks them before they are returned.
func (p *Problem) Deliver(forms [][]int, versions int, seed uint64) ([]Delivery, error) {
	rng := rand.New(rand.NewPCG(seed, 0xde11_7e5))
	out := make([]Delivery, len(forms))
	for f, form := range forms {
		items, err := p.order(f, form, rng)
		if err != nil {
			return nil, err
		}
		d := &out[f]
		written := make(Version, len(items))
		for j, i := range items {
			d.Items = append(d.Items, p.pool[i].Code)
			written[j] = make([]int, p.pool[i].Options)
			for m := range written[j] {
				written[j][m] = m
			}
		}
		d.Versions = append(d.Versions, written)
		for range versions {
			v, err := p.scramble(f, items, rng)
			if err != nil {
				return nil, err
			}
			d.Versions = append(d.Versions, v)
		}
	}
	if err := VerifyDelivery(p.bp, p.pool, out); err != nil {
		return nil, fmt.Errorf("the delivered forms break the blueprint (a bug; please report it): %w", err)
	}
	return out, nil
}

// scramble returns a version of form f, whose items (pool indexes) are in
// delivery order.
func (p *Problem) scramble(f int, items []int, rng *rand.Rand) (Version, error) {
	n := len(items)
	c := &keyChooser{allowed: make([][]int, n), r: p.bp.MaxKeyRun, memo: newMemo(), rng: rng, out: make([]int, n)}
	if c.r == 0 {
		c.r = n
	}
	for j, i := range items {
		it := p.pool[i]
		m, k := it.Options, letterIndex(it.Key)
		switch {
		case m < 2:
			return nil, fmt.Errorf("item %s: %d options; scrambling the options needs each item's number of options", it.Code, m)
		case k >= m:
			return nil, fmt.Errorf("item %s: key %s but %d options", it.Code, it.Key, m)
		case k < 0:
			c.allowed[j] = []int{0}
		case it.FixedLast && k == m-1:
			c.allowed[j] = []int{m}
		default:
			if it.FixedLast {
				m--
			}
			for l := 1; l <= m; l++ {
				c.allowed[j] = append(c.allowed[j], l)
			}
		}
	}
	lo, hi := p.keyRanges()
	c.bounds(lo, hi, n)
	if !c.search(0, 0, 0) {
		return nil, fmt.Errorf("form %d: no key letters found for a version within %d steps that meet key_balance and max_key_run; try another --seed", f+1, searchBudget)
	}
	v := make(Version, n)
	for j, i := range items {
		it := p.pool[i]
		m, k := it.Options, letterIndex(it.Key)
		order := make([]int, m)
		for x := range order {
			order[x] = -1
		}
		free := m // the options that move: all but a fixed last one
		if it.FixedLast {
			order[m-1], free = m-1, m-1
		}
		if k >= 0 {
			order[c.out[j]-1] = k
		}
		var rest []int
		for o := range free {
			if o != k {
				rest = append(rest, o)
			}
		}
		rng.Shuffle(len(rest), func(a, b int) { rest[a], rest[b] = rest[b], rest[a] })
		for x := range order {
			if order[x] < 0 {
				order[x], rest = rest[0], rest[1:]
			}
		}
		v[j] = order
	}
	return v, nil
}

// keyRanges returns the blueprint's bounds on each key letter's count,
// [lo, hi] by letter (1-based), hi −1 for no bound.
func (p *Problem) keyRanges() (lo, hi []int) {
	lo, hi = make([]int, len(Letters)+1), make([]int, len(Letters)+1)
	for l := range hi {
		hi[l] = -1
	}
	for _, b := range p.fams[famKey].bounds {
		l := letterIndex(b.name) + 1
		lo[l] = int(b.lo)
		if b.hi < float64(p.n) {
			hi[l] = int(b.hi)
		}
	}
	return lo, hi
}

// keyChooser searches depth first for a version's key letters, one per
// position, each among the letters its item allows, that meet the bounds
// on each letter's count and keep every run of one letter to r.
type keyChooser struct {
	allowed [][]int // [position] the letters (1-based; 0 unkeyed) its key may take
	lo, hi  []int   // [letter] bounds on its count
	avail   [][]int // [position][letter] the positions from it on that allow the letter
	r       int
	used    []int // [letter] positions given it so far
	rng     *rand.Rand
	memo    *memo
	out     []int // [position] its letter
}

// bounds sets the bounds on the letters' counts for n positions, an open
// upper bound at n, and counts the positions that allow each letter.
func (c *keyChooser) bounds(lo, hi []int, n int) {
	c.lo, c.hi, c.used = lo, hi, make([]int, len(lo))
	for l := range c.hi {
		if c.hi[l] < 0 {
			c.hi[l] = n
		}
	}
	c.avail = make([][]int, n+1)
	c.avail[n] = make([]int, len(lo))
	for j := n - 1; j >= 0; j-- {
		c.avail[j] = slices.Clone(c.avail[j+1])
		for _, l := range c.allowed[j] {
			c.avail[j][l]++
		}
	}
}

// search chooses the letters from position j on, after a run of t items
// keyed last; letters are tried in a random order weighted by how many
// more the bound on each allows, as if drawn from an urn.
func (c *keyChooser) search(j, last, t int) bool {
	if j == len(c.allowed) {
		return true
	}
	state := c.memo.key(j, last, t, c.used)
	if !c.memo.enter(state) {
		return false
	}
	w := make([]float64, len(c.used))
	for _, l := range c.allowed[j] {
		w[l] = float64(c.hi[l] - c.used[l])
	}
	for _, l := range weightedOrder(c.rng, w) {
		l2, t2, ok := extend([]uint8{uint8(l)}, last, t, c.r)
		if !ok {
			continue
		}
		c.used[l]++
		if c.fits(j+1) && c.search(j+1, l2, t2) {
			c.out[j] = l
			return true
		}
		c.used[l]--
	}
	c.memo.dead(state)
	return false
}

// fits reports whether the counts so far can still meet the bounds with
// the positions from j on.
func (c *keyChooser) fits(j int) bool {
	need := 0
	for l := 1; l < len(c.used); l++ {
		short := max(0, c.lo[l]-c.used[l])
		if c.used[l] > c.hi[l] || short > c.avail[j][l] {
			return false
		}
		need += short
	}
	return need <= len(c.allowed)-j
}
