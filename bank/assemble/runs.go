package assemble

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Key letters in a sequence are numbered 1 to len(Letters), A = 1; 0 is
// an unkeyed item, which ends a run and starts none.

// arrangeable reports whether items with counts[L] of each key letter L
// (counts[0] the unkeyed) can follow a run of t items keyed last (0 for
// none) with no run of one letter longer than r: whether, for every
// letter, counts[L] ≤ r·(n − counts[L] + 1), less t for last, where n is
// the number of items.
//
// The condition is necessary: the n − c items not keyed L cut the c items
// keyed L into at most n − c + 1 runs of at most r, the first of which
// continues the run before when L is last. It is also sufficient, and a
// sequence is built item by item by taking any letter that keeps it true:
// call a letter tight when c > r·(n − c), which needs c > n/2, so at most
// one letter is tight. Taking a letter M ≠ L leaves L's condition as
// c ≤ r·(n − c), true unless L is tight; taking M itself leaves M's
// condition as it was. So while a tight letter exists it is the one to
// take (it can be: were it last with t = r its condition would make it not
// tight), and otherwise any letter with items left but last at t = r
// keeps the condition (one exists: were last the only letter left, at
// t = r its condition would give c ≤ 0). Ordering the items of a form
// freely therefore never needs to go back on a choice (sequencer).
func arrangeable(counts []int, last, t, r int) bool {
	n := 0
	for _, c := range counts {
		n += c
	}
	for l := 1; l < len(counts); l++ {
		room := r * (n - counts[l] + 1)
		if l == last {
			room -= t
		}
		if counts[l] > room {
			return false
		}
	}
	return true
}

// extend returns the run after the key letters keys follow a run of t
// items keyed last, and false when a run grows longer than r.
func extend(keys []uint8, last, t, r int) (int, int, bool) {
	for _, k := range keys {
		switch {
		case k == 0:
			last, t = 0, 0
		case int(k) == last:
			t++
		default:
			last, t = int(k), 1
		}
		if last != 0 && t > r {
			return last, t, false
		}
	}
	return last, t, true
}

// longestRun returns the longest run of one key letter in keys and the
// letter (1-based).
func longestRun(keys []uint8) (run int, letter uint8) {
	t := 0
	for j, k := range keys {
		switch {
		case k == 0:
			t = 0
		case j > 0 && keys[j-1] == k:
			t++
		default:
			t = 1
		}
		if t > run {
			run, letter = t, k
		}
	}
	return run, letter
}

// weightedOrder returns 0…len(w)−1 in a random order in which i comes
// earlier the larger its weight w[i] > 0: an ordered sample without
// replacement with probabilities proportional to the weights (Efraimidis
// and Spirakis 2006). Indexes of weight 0 are left out.
func weightedOrder(rng *rand.Rand, w []float64) []int {
	type keyed struct {
		i   int
		key float64
	}
	var ks []keyed
	for i, x := range w {
		if x > 0 {
			ks = append(ks, keyed{i, math.Log(1-rng.Float64()) / x}) // log u^(1/x), u in (0, 1]
		}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		switch {
		case a.key > b.key:
			return -1
		case a.key < b.key:
			return 1
		}
		return 0
	})
	out := make([]int, len(ks))
	for j, k := range ks {
		out[j] = k.i
	}
	return out
}

// searchBudget caps the steps of a depth-first search for an order or a
// version's keys; each step places one unit or chooses one key.
const searchBudget = 200_000

// memo is a depth-first search's record of the states from which it
// found no way on, so that it never explores one twice.
type memo struct {
	failed map[string]bool
	steps  int
	cut    bool // the budget ran out: states since are not proven dead
	buf    []byte
}

func newMemo() *memo { return &memo{failed: map[string]bool{}} }

// key encodes a state: the step, the run, and counts.
func (m *memo) key(step, last, t int, counts []int) string {
	m.buf = m.buf[:0]
	for _, x := range append([]int{step, last, t}, counts...) {
		m.buf = append(m.buf, byte(x), byte(x>>8))
	}
	return string(m.buf)
}

// enter counts a step and reports whether the search may go on from the
// state: within the budget and not known to be dead.
func (m *memo) enter(k string) bool {
	m.steps++
	if m.steps > searchBudget {
		m.cut = true
	}
	return !m.cut && !m.failed[k]
}

// dead records that no way on was found from state k, unless the budget
// cut the search short.
func (m *memo) dead(k string) {
	if !m.cut {
		m.failed[k] = true
	}
}
