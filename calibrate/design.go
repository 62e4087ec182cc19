package calibrate

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/passportirt/passport/irt"
)

// itemCounts returns, per item, the weighted number of responses and of
// correct responses.
func itemCounts(d *irt.Responses) (n, r []float64) {
	n, r = make([]float64, d.NItems()), make([]float64, d.NItems())
	for p := range d.NExaminees() {
		w := d.W(p)
		for k := d.Start[p]; k < d.Start[p+1]; k++ {
			n[d.Item[k]] += w
			r[d.Item[k]] += w * float64(d.Score[k])
		}
	}
	return n, r
}

// selectItems sorts the items, from their counts n (responses) and r
// (correct), into anchors, estimated items (e.free) and items excluded for
// want of information, noting the reason in res and, for an item that was
// administered, a warning. Items that take part in the likelihood are
// marked in e.active.
func (e *engine) selectItems(res *Result, n, r []float64) {
	o := e.o
	e.active = make([]bool, e.d.NItems())
	for i := range e.d.NItems() {
		it := &res.Items[i]
		it.N = n[i]
		it.SEA, it.SEB, it.SEC = math.NaN(), math.NaN(), math.NaN()
		if p, ok := o.Fixed[i]; ok {
			it.Params, it.Fixed = p, true
			e.active[i] = n[i] > 0
			continue
		}
		switch {
		case n[i] == 0:
			it.Excluded = "no responses" // not administered: no warning
			continue
		case n[i] < float64(o.MinResponses):
			it.Excluded = fmt.Sprintf("too few responses (%g, fewer than %d)", n[i], o.MinResponses)
		case r[i] == 0:
			it.Excluded = "no correct responses"
		case r[i] == n[i]:
			it.Excluded = "every response correct"
		}
		if it.Excluded != "" {
			res.Warnings = append(res.Warnings, Warning{i, "excluded: " + it.Excluded})
			continue
		}
		e.active[i] = true
		e.free = append(e.free, i)
	}
}

// DisconnectedError reports a design whose items fall into groups that no
// examinee links: their parameters are not on one scale.
type DisconnectedError struct {
	Components [][]int // item indexes per component
}

func (e *DisconnectedError) Error() string {
	var parts []string
	for k, c := range e.Components {
		parts = append(parts, fmt.Sprintf("component %d: %d items", k+1, len(c)))
	}
	return fmt.Sprintf("the design is disconnected: no examinee links %s", strings.Join(parts, " and "))
}

// Named lists the components by the codes of their items (the first five
// of each), codes indexed as the items of the calibrated matrix.
func (e *DisconnectedError) Named(codes []string) string {
	var parts []string
	for k, c := range e.Components {
		var names []string
		for j, i := range c {
			if j == 5 {
				names = append(names, fmt.Sprintf("… %d more", len(c)-5))
				break
			}
			names = append(names, codes[i])
		}
		parts = append(parts, fmt.Sprintf("component %d (%d items: %s)", k+1, len(c), strings.Join(names, ", ")))
	}
	return strings.Join(parts, "; ")
}

// checkConnected fails with a DisconnectedError when the active items form
// more than one linked group of the design's components (label, k: as
// components returns them).
func (e *engine) checkConnected(label []int, k int) error {
	if k <= 1 {
		return nil
	}
	comps := make([][]int, k)
	for i, l := range label {
		if l >= 0 && e.active[i] {
			comps[l] = append(comps[l], i)
		}
	}
	var nonEmpty [][]int
	for _, c := range comps {
		if len(c) > 0 {
			nonEmpty = append(nonEmpty, c)
		}
	}
	if len(nonEmpty) <= 1 {
		return nil
	}
	sort.Slice(nonEmpty, func(a, b int) bool { return len(nonEmpty[a]) > len(nonEmpty[b]) })
	return &DisconnectedError{Components: nonEmpty}
}

// components labels the connected components of the design: items are
// linked when one examinee answered both. It returns the component of each
// item (−1 for items nobody answered) and the number of components.
func components(d *irt.Responses) ([]int, int) {
	parent := make([]int, d.NItems())
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	used := make([]bool, d.NItems())
	for p := range d.NExaminees() {
		s, e := d.Start[p], d.Start[p+1]
		if s == e {
			continue
		}
		first := find(int(d.Item[s]))
		for k := s; k < e; k++ {
			used[d.Item[k]] = true
			if r := find(int(d.Item[k])); r != first {
				parent[r] = first
			}
		}
	}
	label := make([]int, d.NItems())
	ids := map[int]int{}
	for i := range label {
		if !used[i] {
			label[i] = -1
			continue
		}
		r := find(i)
		if _, ok := ids[r]; !ok {
			ids[r] = len(ids)
		}
		label[i] = ids[r]
	}
	return label, len(ids)
}
