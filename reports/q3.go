package reports

import (
	"math"

	"github.com/passportirt/passport/irt"
)

// Q3Pair is Yen's (1984) Q3 of two items on one form: the correlation,
// over the form's examinees who answered both, of their residuals
// d_i = u_i − P_i(θ̂). Under local independence Q3 is near its small
// negative mean, about −1/(n − 1) for n items.
type Q3Pair struct {
	Form  string `csv:"form" json:"form"`
	ItemA string `csv:"item_a" json:"item_a"`
	ItemB string `csv:"item_b" json:"item_b"`
	N     int    `csv:"n" json:"n"`
	Q3    Num    `csv:"q3" json:"q3"`
	// Q3Star is Q3 less the mean Q3 of the form's pairs (Christensen,
	// Makransky & Horton 2017); a pair is flagged when it exceeds the
	// cut (FitOptions.Q3Cut).
	Q3Star  Num  `csv:"q3_star" json:"q3_star"`
	Flagged bool `csv:"flagged" json:"flagged"`
}

// FormQ3 summarises the Q3 of a form's item pairs.
type FormQ3 struct {
	Form    string `csv:"form" json:"form"`
	Items   int    `csv:"items" json:"items"`
	Pairs   int    `csv:"pairs" json:"pairs"`
	Mean    Num    `csv:"mean_q3" json:"mean_q3"`
	Max     Num    `csv:"max_q3" json:"max_q3"`
	Flagged int    `csv:"flagged" json:"flagged"` // pairs whose Q3* exceeds the cut
}

// formQ3 computes Q3 for every pair of items on each form, at the
// examinees' ability estimates theta: one summary per form, in form order.
func formQ3(r *irt.Responses, params []irt.ThreePL, theta []float64, cut float64) ([]FormQ3, []Q3Pair) {
	members := make([][]int, len(r.Forms))
	for p, f := range r.Form {
		members[f] = append(members[f], p)
	}
	formItems := formItems(r)
	var forms []FormQ3
	var pairs []Q3Pair
	for f, ps := range members {
		items := formItems[f]
		if len(items) < 2 {
			forms = append(forms, FormQ3{Form: formLabel(r.Forms[f]), Items: len(items), Mean: Num(math.NaN()), Max: Num(math.NaN())})
			continue
		}
		col := make(map[int32]int, len(items))
		for c, i := range items {
			col[i] = c
		}
		n := len(items)
		mom := make([]moments, n*n) // [a·n + b], a < b
		var cs []int
		var ds []float64
		for _, p := range ps {
			if math.IsNaN(theta[p]) {
				continue
			}
			cs, ds = cs[:0], ds[:0]
			for k := r.Start[p]; k < r.Start[p+1]; k++ {
				i := r.Item[k]
				cs = append(cs, col[i])
				ds = append(ds, float64(r.Score[k])-params[i].Prob(theta[p]))
			}
			for x := range cs {
				for y := x + 1; y < len(cs); y++ {
					a, b, da, db := cs[x], cs[y], ds[x], ds[y]
					if a > b {
						a, b, da, db = b, a, db, da
					}
					mom[a*n+b].add(da, db)
				}
			}
		}
		start := len(pairs)
		var sum float64
		var defined int
		fq := FormQ3{Form: formLabel(r.Forms[f]), Items: n, Max: Num(math.NaN())}
		for a := range n {
			for b := a + 1; b < n; b++ {
				m := &mom[a*n+b]
				q := pooledCorr([]*moments{m})
				pairs = append(pairs, Q3Pair{Form: fq.Form, ItemA: r.Items[items[a]].Code, ItemB: r.Items[items[b]].Code, N: int(m.n), Q3: Num(q)})
				if !math.IsNaN(q) {
					sum += q
					defined++
					if !fq.Max.Defined() || q > float64(fq.Max) {
						fq.Max = Num(q)
					}
				}
			}
		}
		fq.Pairs = defined
		fq.Mean = Num(sum / float64(defined))
		for j := start; j < len(pairs); j++ {
			pr := &pairs[j]
			pr.Q3Star = pr.Q3 - fq.Mean
			if pr.Q3Star.Defined() && float64(pr.Q3Star) > cut {
				pr.Flagged = true
				fq.Flagged++
			}
		}
		forms = append(forms, fq)
	}
	return forms, pairs
}
