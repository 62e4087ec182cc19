package assemble

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/passportirt/passport/irt"
)

// VerifyError lists the hard constraints that forms break.
type VerifyError struct {
	Violations []string
}

func (e *VerifyError) Error() string {
	return fmt.Sprintf("%d violations: %s", len(e.Violations), strings.Join(e.Violations, "; "))
}

// Verify checks forms, given as item codes, against every hard constraint
// of bp on pool, and returns a *VerifyError listing each one broken, or
// nil. It reads the blueprint directly and shares no code with the
// solvers, so that it checks them: the number and length of forms, item
// statuses, exclusions and inclusions, anchors, domain and subdomain
// counts, enemy groups (the items' own and the blueprint's), item sets
// (all of a set or none on each form), the forms per item (anchors and
// the items of their sets are on every form by rule, so exempt), the
// overlap of every two forms, the time and mean-difficulty bounds, the
// tolerances on the forms' information and expected scores, the count of
// each key letter, and that no letter has more items than max_key_run
// lets a form hold in any order. The rules on the order of the items and
// the versions are VerifyDelivery's.
func Verify(bp Blueprint, pool []Item, forms [][]string) error {
	bp = bp.WithDefaults()
	var bad []string
	fail := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }
	byCode := make(map[string]Item, len(pool))
	for _, it := range pool {
		byCode[it.Code] = it
	}
	letters := bp.keyLetters(pool)
	if len(forms) != bp.Forms {
		fail("forms: %d forms, the blueprint asks for %d", len(forms), bp.Forms)
	}
	// Anchors and every item that shares an item set with one, transitively.
	onAll := map[string]bool{}
	for _, a := range bp.Anchors {
		onAll[a] = true
	}
	for grew := true; grew; {
		grew = false
		for _, set := range bp.ItemSets {
			if slices.ContainsFunc(set, func(c string) bool { return onAll[c] }) {
				for _, c := range set {
					if !onAll[c] {
						onAll[c], grew = true, true
					}
				}
			}
		}
	}
	var par [][]float64 // per form: information then expected score at each θ point
	formsOf := map[string]int{}
	sets := make([]map[string]bool, len(forms))
	for f, codes := range forms {
		name := fmt.Sprintf("form %d", f+1)
		on := map[string]bool{}
		for _, c := range codes {
			if on[c] {
				fail("%s: item %s appears twice", name, c)
			}
			on[c] = true
		}
		sets[f] = on
		if len(codes) != bp.Length {
			fail("%s: %d items, the blueprint's length is %d", name, len(codes), bp.Length)
		}
		domains, subdomains, enemies := map[string]int{}, map[string]int{}, map[string][]string{}
		var seconds, sumB float64
		var params []irt.ThreePL
		var keys []string
		for c := range on {
			formsOf[c]++
			it, ok := byCode[c]
			if !ok {
				fail("%s: item %s is not in the pool", name, c)
				continue
			}
			if !slices.Contains(bp.Statuses, it.Status) {
				fail("%s: item %s is %s; the blueprint allows %s", name, c, it.Status, strings.Join(bp.Statuses, ", "))
			}
			if slices.Contains(bp.Exclude, c) {
				fail("%s: item %s is excluded", name, c)
			}
			domains[it.Domain]++
			subdomains[it.Subdomain]++
			if it.EnemyGroup != "" {
				enemies[it.EnemyGroup] = append(enemies[it.EnemyGroup], c)
			}
			seconds += it.Seconds
			sumB += it.Params.B
			params = append(params, it.Params)
			keys = append(keys, it.Key)
		}
		bad = append(bad, keyCounts(bp, letters, name, keys)...)
		var curves []float64
		for _, th := range bp.Objective.Theta {
			curves = append(curves, irt.TestInfo(params, th), irt.TCC(params, th))
		}
		par = append(par, curves)
		for _, d := range sortedKeys(bp.Domains) {
			if r := bp.Domains[d]; !r.Contains(float64(domains[d])) {
				fail("%s: domain %s has %d items, the blueprint allows %s", name, d, domains[d], r)
			}
		}
		for _, d := range sortedKeys(bp.Subdomains) {
			if r := bp.Subdomains[d]; !r.Contains(float64(subdomains[d])) {
				fail("%s: subdomain %s has %d items, the blueprint allows %s", name, d, subdomains[d], r)
			}
		}
		for _, g := range sortedKeys(enemies) {
			if len(enemies[g]) > 1 {
				slices.Sort(enemies[g])
				fail("%s: enemies %s (enemy group %s) share the form", name, strings.Join(enemies[g], ", "), g)
			}
		}
		for k, group := range bp.EnemyGroups {
			if n := countOn(on, group); n > 1 {
				fail("%s: %d items of enemy_groups[%d] share the form", name, n, k)
			}
		}
		for k, set := range bp.ItemSets {
			if n := countOn(on, set); n != 0 && n != len(set) {
				fail("%s: %d of the %d items of item_sets[%d] are on it; a set goes on whole or not at all", name, n, len(set), k)
			}
		}
		for _, a := range bp.Anchors {
			if !on[a] {
				fail("%s: anchor %s is missing", name, a)
			}
		}
		if bp.Minutes != nil && !within(*bp.Minutes, seconds/60) {
			fail("%s: %.2f minutes, the blueprint allows %s", name, seconds/60, bp.Minutes)
		}
		if bp.MeanDifficulty != nil && !within(*bp.MeanDifficulty, sumB/float64(len(codes))) {
			fail("%s: mean difficulty %.4f, the blueprint allows %s", name, sumB/float64(len(codes)), bp.MeanDifficulty)
		}
	}
	for _, c := range bp.Include {
		if formsOf[c] == 0 {
			fail("include: item %s is on no form", c)
		}
	}
	for _, c := range sortedKeys(formsOf) {
		if !onAll[c] && formsOf[c] > bp.MaxFormsPerItem {
			fail("item %s is on %d forms; max_forms_per_item is %d", c, formsOf[c], bp.MaxFormsPerItem)
		}
	}
	if bp.MaxOverlap != nil {
		for f := range sets {
			for g := f + 1; g < len(sets); g++ {
				shared := 0
				for c := range sets[f] {
					if sets[g][c] {
						shared++
					}
				}
				if shared > *bp.MaxOverlap {
					fail("forms %d and %d share %d items; max_overlap is %d", f+1, g+1, shared, *bp.MaxOverlap)
				}
			}
		}
	}
	for k, th := range bp.Objective.Theta {
		for c, t := range []struct {
			name string
			tol  *float64
		}{{"information", bp.InfoTolerance}, {"expected scores", bp.TCCTolerance}} {
			if t.tol == nil {
				continue
			}
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, curves := range par {
				lo, hi = min(lo, curves[2*k+c]), max(hi, curves[2*k+c])
			}
			if hi-lo > *t.tol+1e-9*(1+hi) {
				fail("the forms' %s at θ = %g differ by %.4f, more than the tolerance %g", t.name, th, hi-lo, *t.tol)
			}
		}
	}
	if bad != nil {
		return &VerifyError{bad}
	}
	return nil
}

// keyCounts lists how a form's key letters (or a version's, in delivery
// order), keys, break key_balance, and the most items of one letter that
// max_key_run lets a form hold in any order; letters is how many letters
// a single key_balance range bounds.
func keyCounts(bp Blueprint, letters int, name string, keys []string) []string {
	var bad []string
	n := map[string]int{}
	for _, k := range keys {
		n[k]++
	}
	if bp.KeyBalance != nil {
		ranges := bp.KeyBalance.ranges(letters)
		for _, l := range sortedKeys(ranges) {
			if r := ranges[l]; !r.Contains(float64(n[l])) {
				bad = append(bad, fmt.Sprintf("%s: %d items keyed %s, the blueprint allows %s", name, n[l], l, r))
			}
		}
	}
	if bp.MaxKeyRun > 0 {
		for _, l := range sortedKeys(n) {
			if c := runCap(len(keys), bp.MaxKeyRun); l != "" && n[l] > c {
				bad = append(bad, fmt.Sprintf("%s: %d items keyed %s; with max_key_run %d, %d items hold at most %d", name, n[l], l, bp.MaxKeyRun, len(keys), c))
			}
		}
	}
	return bad
}

// countOn counts the codes that are on a form.
func countOn(on map[string]bool, codes []string) int {
	n := 0
	for _, c := range codes {
		if on[c] {
			n++
		}
	}
	return n
}

// within is Range.Contains with a relative tolerance of 1e-9 for sums that
// solvers compute in floating point.
func within(r Range, x float64) bool {
	tol := 1e-9 * (1 + math.Abs(x))
	return x >= r.Lo(math.Inf(-1))-tol && x <= r.Hi(math.Inf(1))+tol
}
