package assemble

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// VerifyDelivery checks delivered forms against every hard constraint of
// bp on pool, and returns a *VerifyError listing each one broken, or nil:
// Verify's on the forms' items, and those on the delivery. The items of
// each item set are delivered one after another; the domains follow the
// order rule (domain: each domain's items together, in the stated order;
// spiral: the domains in turn, an item set taking one turn); every
// version orders each item's options as a permutation of them, version 0
// as written and a fixed last option last in all; and in every version
// the key letters as delivered meet key_balance (the items' own keys,
// which version 0 delivers, are Verify's) and no run of one letter is
// longer than max_key_run. Like Verify, it reads the blueprint
// directly and shares no code with the ordering and the scrambling.
func VerifyDelivery(bp Blueprint, pool []Item, ds []Delivery) error {
	bp = bp.WithDefaults()
	var bad []string
	fail := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }
	forms := make([][]string, len(ds))
	for f, d := range ds {
		forms[f] = d.Items
	}
	if err := Verify(bp, pool, forms); err != nil {
		var ve *VerifyError
		if !errors.As(err, &ve) {
			return err
		}
		bad = ve.Violations
	}
	byCode := make(map[string]Item, len(pool))
	for _, it := range pool {
		byCode[it.Code] = it
	}
	letters := bp.keyLetters(pool)
	rank := domainOrder(bp, pool)
	set := setOf(bp.ItemSets)
	for f, d := range ds {
		name := fmt.Sprintf("form %d", f+1)
		// The units in delivery order: an item set's items, or one item.
		var units [][]int      // positions
		first := map[int]int{} // set → its first position
		for j, c := range d.Items {
			s, inSet := set[c]
			if k, ok := first[s]; inSet && ok {
				if k != len(units)-1 || units[k][len(units[k])-1] != j-1 {
					fail("%s: position %d: %s is not delivered right after the rest of its item set", name, j+1, c)
				}
				units[k] = append(units[k], j)
				continue
			}
			if inSet {
				first[s] = len(units)
			}
			units = append(units, []int{j})
		}
		domainOf := func(u []int) string { return byCode[d.Items[u[0]]].Domain }
		switch bp.Order.Rule {
		case OrderDomain:
			for k := 1; k < len(units); k++ {
				if a, b := domainOf(units[k-1]), domainOf(units[k]); rank[b] < rank[a] {
					fail("%s: position %d: a %s item after %s items; the domain order is %s", name, units[k][0]+1, b, a, strings.Join(byRank(rank), ", "))
					break
				}
			}
		case OrderSpiral:
			left := map[string]int{}
			for _, u := range units {
				left[domainOf(u)]++
			}
			var want []string // the domains in turn
			for len(want) < len(units) {
				for _, dom := range byRank(rank) {
					if left[dom] > 0 {
						want = append(want, dom)
						left[dom]--
					}
				}
			}
			for k, u := range units {
				if got := domainOf(u); got != want[k] {
					fail("%s: position %d: a %s item where the spiral order has a %s item", name, u[0]+1, got, want[k])
					break
				}
			}
		}
		if len(d.Versions) == 0 {
			fail("%s: no versions; version 0 gives the options as written", name)
		}
		for v, ver := range d.Versions {
			vname := fmt.Sprintf("%s, version %d", name, v)
			if len(ver) != len(d.Items) {
				fail("%s: option orders for %d items, the form has %d", vname, len(ver), len(d.Items))
				continue
			}
			keys := make([]string, len(d.Items))
			for j, c := range d.Items {
				it := byCode[c]
				if msg := optionOrder(ver[j], it, v == 0); msg != "" {
					fail("%s: position %d (%s): %s", vname, j+1, c, msg)
				}
				keys[j] = ver.Key(j, it.Key)
			}
			if v > 0 {
				bad = append(bad, keyCounts(bp, letters, vname, keys)...)
			}
			if run, at := longest(keys); bp.MaxKeyRun > 0 && run > bp.MaxKeyRun {
				fail("%s: %d items in a row keyed %s, from position %d; max_key_run is %d", vname, run, keys[at], at+1, bp.MaxKeyRun)
			}
		}
	}
	if bad != nil {
		return &VerifyError{bad}
	}
	return nil
}

// optionOrder says what is wrong with order as the delivery order of the
// item's options, or "" when nothing is: it must hold each option once,
// keep a fixed last option last, and as written be 0, 1, 2, ….
func optionOrder(order []int, it Item, asWritten bool) string {
	if len(order) != it.Options {
		return fmt.Sprintf("%d options ordered, the item has %d", len(order), it.Options)
	}
	seen := make([]bool, len(order))
	for m, o := range order {
		if o < 0 || o >= len(order) || seen[o] {
			return fmt.Sprintf("the option order %v is not a permutation of the item's options", order)
		}
		seen[o] = true
		if asWritten && o != m {
			return fmt.Sprintf("the option order %v is not the options as written", order)
		}
	}
	if m := len(order) - 1; it.FixedLast && m >= 0 && order[m] != m {
		return "its last option must stay last"
	}
	return ""
}

// domainOrder ranks the pool's domains as the order rule takes them: the
// stated ones first, then the others alphabetically.
func domainOrder(bp Blueprint, pool []Item) map[string]int {
	var rest []string
	for _, it := range pool {
		if !slices.Contains(bp.Order.Domains, it.Domain) && !slices.Contains(rest, it.Domain) {
			rest = append(rest, it.Domain)
		}
	}
	slices.Sort(rest)
	rank := map[string]int{}
	for k, d := range append(slices.Clone(bp.Order.Domains), rest...) {
		rank[d] = k
	}
	return rank
}

// byRank lists the domains in their rank order.
func byRank(rank map[string]int) []string {
	out := make([]string, len(rank))
	for d, k := range rank {
		out[k] = d
	}
	return out
}

// setOf numbers the item sets, sets sharing an item counted as one, and
// maps each code in a set to its set's number.
func setOf(sets [][]string) map[string]int {
	of := map[string]int{}
	for k, s := range sets {
		num := k
		for _, c := range s {
			if old, ok := of[c]; ok && old != num {
				for code, x := range of { // merge the set c was in into this one
					if x == old {
						of[code] = num
					}
				}
			}
			of[c] = num
		}
	}
	return of
}

// longest returns the longest run of one key letter in keys and where it
// starts; unkeyed items ("") end runs.
func longest(keys []string) (run, at int) {
	start := 0
	for j, k := range keys {
		if j == 0 || k != keys[j-1] {
			start = j
		}
		if n := j - start + 1; k != "" && n > run {
			run, at = n, start
		}
	}
	return run, at
}
