package reports

import (
	"math"

	"github.com/passportirt/passport/irt"
)

// sx2Row is one row of an S-X² table: at one summed score (or a run of
// adjacent scores after collapsing), the examinees n, those who answered
// the item right o, and the number the model expects right e. The wrong
// column is n − o observed, n − e expected.
type sx2Row struct{ n, o, e float64 }

// sx2Set is one item set's S-X² tables: the examinees who answered exactly
// these items, their summed-score counts, and for each item its counts of
// right answers by summed score and the model's expected proportions.
type sx2Set struct {
	items []int32     // the set, sorted item indexes
	count []float64   // examinees by summed score 0..n
	right [][]float64 // [item in set][score]: examinees right on it
	prop  [][]float64 // [item in set][score]: model P(right | score)
}

// sumScoreExpected returns, for each item i of items, the model's
// proportions right by summed score (Orlando & Thissen 2000, eq. 6):
//
//	E_ik = Σ_q w_q·P_i(θ_q)·f*_{k−1}(θ_q) / Σ_q w_q·f_k(θ_q),   k = 1, …, n − 1,
//
// where f_k(θ) is the probability of the summed score k on the n items and
// f*_k(θ) on the n − 1 items without i, both by the recursion of Lord &
// Wingersky (1984), and θ_q, w_q are the quadrature's nodes and weights (the
// latent distribution). Entries 0 and n are left 0: at those scores the item's
// answer is fixed, and S-X² does not use them.
func sumScoreExpected(items []irt.ThreePL, q irt.Quadrature) [][]float64 {
	n := len(items)
	den := make([]float64, n+1)
	f := make([]float64, n+1)
	for k, x := range q.Nodes {
		irt.SumScoreDist(f, items, x)
		for s, v := range f {
			den[s] += q.Weights[k] * v
		}
	}
	out := make([][]float64, n)
	rest := make([]irt.ThreePL, n-1)
	fs := make([]float64, n)
	for i := range items {
		copy(rest, items[:i])
		copy(rest[i:], items[i+1:])
		num := make([]float64, n+1)
		for k, x := range q.Nodes {
			irt.SumScoreDist(fs, rest, x)
			wp := q.Weights[k] * items[i].Prob(x)
			for s := 1; s < n; s++ {
				num[s] += wp * fs[s-1]
			}
		}
		for s := 1; s < n; s++ {
			// A score whose probability underflows at every node keeps
			// the expected proportion 0: a cell S-X² leaves out.
			if den[s] > 0 {
				num[s] /= den[s]
			}
		}
		out[i] = num
	}
	return out
}

// table returns the set's table for its j-th item: rows for the summed
// scores 1, …, n − 1, expected counts e = n_k·E_ik.
func (s *sx2Set) table(j int) []sx2Row {
	n := len(s.items)
	rows := make([]sx2Row, 0, max(0, n-1))
	for k := 1; k < n; k++ {
		rows = append(rows, sx2Row{n: s.count[k], o: s.right[j][k], e: s.count[k] * s.prop[j][k]})
	}
	return rows
}

// collapse merges the rows of an S-X² table until every nonzero expected
// cell (right or wrong) holds at least mincell, following mirt's rule
// (Chalmers 2012; R/utils.R, collapseCells, mincell = 1 by default):
//
//  1. rows nobody scored are dropped;
//  2. a row of one examinee is merged into the next row (the last such
//     row into the one before it);
//  3. while a row has a nonzero expected cell below mincell, the first such
//     row is merged into its neighbour — the only one at either end, else
//     the one with fewer examinees (the lower-score one on a tie).
//
// It stops when one row is left, whether or not it meets mincell.
func collapse(rows []sx2Row, mincell float64) []sx2Row {
	kept := rows[:0:0]
	for _, r := range rows {
		if r.n > 0 {
			kept = append(kept, r)
		}
	}
	rows = kept
	merge := func(from, into int) {
		rows[into].n += rows[from].n
		rows[into].o += rows[from].o
		rows[into].e += rows[from].e
		rows = append(rows[:from], rows[from+1:]...)
	}
	if len(rows) > 1 {
		kept = rows[:0:0]
		for j := range rows {
			if j < len(rows)-1 && rows[j].n == 1 {
				rows[j+1].n += rows[j].n
				rows[j+1].o += rows[j].o
				rows[j+1].e += rows[j].e
				continue
			}
			kept = append(kept, rows[j])
		}
		rows = kept
		if last := len(rows) - 1; last > 0 && rows[last].n == 1 {
			merge(last, last-1)
		}
	}
	for len(rows) > 1 {
		whc := -1
		for j, r := range rows {
			if r.sparse(mincell) {
				whc = j
				break
			}
		}
		switch {
		case whc < 0:
			return rows
		case whc == 0:
			merge(0, 1)
		case whc == len(rows)-1:
			merge(whc, whc-1)
		case rows[whc-1].n <= rows[whc+1].n:
			merge(whc, whc-1)
		default:
			merge(whc, whc+1)
		}
	}
	return rows
}

// sparse reports whether a nonzero expected cell of the row is below
// mincell.
func (r sx2Row) sparse(mincell float64) bool {
	w := r.n - r.e
	return (r.e != 0 && r.e < mincell) || (w != 0 && w < mincell)
}

// sx2Stat returns Pearson's X² of a collapsed table over its nonzero
// expected cells, and the number of those cells less the number of rows
// (the table's degrees of freedom before the item's parameters are taken
// off):
//
//	S-X² = Σ_k [(O_k − E_k)²/E_k + (O′_k − E′_k)²/E′_k],
//
// O, E the observed and expected right, O′, E′ wrong (Orlando & Thissen
// 2000, eq. 7, in counts).
func sx2Stat(rows []sx2Row) (x2 float64, df int) {
	for _, r := range rows {
		for _, c := range [2][2]float64{{r.o, r.e}, {r.n - r.o, r.n - r.e}} {
			if c[1] != 0 {
				d := c[0] - c[1]
				x2 += d * d / c[1]
				df++
			}
		}
		df--
	}
	return x2, df
}

// sx2Sets builds the S-X² tables of every item set of r (responses 0/1
// by item set, see Responses.itemSets) under the item parameters and the
// latent distribution q.
func sx2Sets(r *irt.Responses, params []irt.ThreePL, q irt.Quadrature) []sx2Set {
	key, sets := r.ItemSets()
	out := make([]sx2Set, len(sets))
	pos := make([]int, len(r.Items)) // item → position in the current set
	for g, set := range sets {
		n := len(set)
		s := sx2Set{items: set, count: make([]float64, n+1), right: make([][]float64, n)}
		for j := range s.right {
			s.right[j] = make([]float64, n+1)
		}
		out[g] = s
	}
	for p, g := range key {
		if g < 0 {
			continue
		}
		s := &out[g]
		for j, i := range s.items {
			pos[i] = j
		}
		total := 0
		for k := r.Start[p]; k < r.Start[p+1]; k++ {
			total += int(r.Score[k])
		}
		s.count[total]++
		for k := r.Start[p]; k < r.Start[p+1]; k++ {
			if r.Score[k] == 1 {
				s.right[pos[r.Item[k]]][total]++
			}
		}
	}
	for g := range out {
		s := &out[g]
		ps := make([]irt.ThreePL, len(s.items))
		for j, i := range s.items {
			ps[j] = params[i]
		}
		s.prop = sumScoreExpected(ps, q)
	}
	return out
}

// sx2Result is one item's S-X² over the item sets that carry it.
type sx2Result struct {
	x2       float64
	df       int // cells − rows, before the item's parameters are taken off
	n        int // examinees in the tables used
	excluded int // examinees in sets whose table could not meet mincell
}

// itemSX2 stacks, for every item, the collapsed tables of the sets that
// carry it: S-X² sums their cells and their degrees of freedom. A set whose
// table still has a nonzero expected cell below mincell after collapsing
// (it has one row left) is left out, and its examinees counted as
// excluded.
func itemSX2(sets []sx2Set, nItems int, mincell float64) []sx2Result {
	out := make([]sx2Result, nItems)
	for _, s := range sets {
		var setN float64
		for _, c := range s.count {
			setN += c
		}
		for j, i := range s.items {
			rows := collapse(s.table(j), mincell)
			ok := len(rows) > 0
			for _, r := range rows {
				ok = ok && !r.sparse(mincell)
			}
			if !ok {
				out[i].excluded += int(setN)
				continue
			}
			x2, df := sx2Stat(rows)
			out[i].x2 += x2
			out[i].df += df
			out[i].n += int(setN)
		}
	}
	for i := range out {
		if out[i].n == 0 {
			out[i].x2 = math.NaN()
		}
	}
	return out
}
