// Package calibrate estimates item parameters by marginal maximum likelihood
// with the EM algorithm of Bock & Aitkin (1981, Psychometrika 46, 443–459)
// on a sparse response matrix: each examinee answers some of the items, and
// only the responses given are stored.
//
// The engine takes plain Go values — a Data matrix and Options — and
// returns a Result; it never sees SQL.
package calibrate

import "github.com/passportirt/passport/irt"

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

// components labels the connected components of the design: items are
// linked when one examinee answered both. It returns the component of each
// item (−1 for items nobody answered) and the number of components.
func components(d *irt.Responses) ([]int, int) {
	parent := make([]int, d.NItems())
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
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
