package reports

import (
	"math"

	"github.com/passportirt/passport/irt"
)

// FormStats summarises the total scores on one form.
type FormStats struct {
	Form      string `csv:"form" json:"form"`
	Examinees int    `csv:"examinees" json:"examinees"`
	Items     int    `csv:"items" json:"items"` // items its examinees answered
	// Complete counts the examinees who answered every one of the form's
	// items; Mean, SD, Alpha and SEM are theirs (listwise deletion).
	Complete int `csv:"complete" json:"complete"`
	Mean     Num `csv:"mean" json:"mean"`
	SD       Num `csv:"sd" json:"sd"`
	// Alpha is coefficient alpha (Cronbach 1951),
	//
	//	α = k/(k − 1) · (1 − Σ s_i² / s_X²),
	//
	// over the k items, s_i² the item score variances and s_X² the total
	// score variance.
	Alpha Num `csv:"alpha" json:"alpha"`
	SEM   Num `csv:"sem" json:"sem"` // standard error of measurement, SD·√(1 − α)
}

// FormItemStats is one item's alpha-if-deleted on one form: α of the form's
// other k − 1 items.
type FormItemStats struct {
	Form           string `csv:"form" json:"form"`
	Item           string `csv:"item" json:"item"`
	AlphaIfDeleted Num    `csv:"alpha_if_deleted" json:"alpha_if_deleted"`
}

// formLabel names a form in output: "(no form)" for responses logged
// without one.
func formLabel(code string) string {
	if code == "" {
		return "(no form)"
	}
	return code
}

// formAlpha returns each form's statistics, each form item's
// alpha-if-deleted, and per item its alpha-if-deleted averaged over its
// forms weighted by their complete cases (NaN where there is none).
//
// Without the item i, α uses k − 1 items, Σ s² − s_i², and the variance of
// X − x_i, s_X² − 2·cov(x_i, X) + s_i², so one pass over the complete cases
// gives every item's value.
func formAlpha(r *irt.Responses, tot []int) ([]FormStats, []FormItemStats, []float64) {
	nf := len(r.Forms)
	order := formItems(r)
	col := make([]map[int32]int, nf) // form → item → column
	examinees := make([]int, nf)
	for f, items := range order {
		col[f] = make(map[int32]int, len(items))
		for c, i := range items {
			col[f][i] = c
		}
	}
	for _, f := range r.Form {
		examinees[f]++
	}
	type formAcc struct {
		n, sx, sxx float64
		si, six    []float64 // per column: Σ x_i, Σ x_i·X
	}
	acc := make([]formAcc, nf)
	for f := range acc {
		acc[f].si = make([]float64, len(order[f]))
		acc[f].six = make([]float64, len(order[f]))
	}
	for p, f := range r.Form {
		if r.Start[p+1]-r.Start[p] != len(order[f]) {
			continue
		}
		a := &acc[f]
		x := float64(tot[p])
		a.n++
		a.sx += x
		a.sxx += x * x
		for k := r.Start[p]; k < r.Start[p+1]; k++ {
			c := col[f][r.Item[k]]
			s := float64(r.Score[k])
			a.si[c] += s
			a.six[c] += s * x
		}
	}
	forms := make([]FormStats, nf)
	var items []FormItemStats
	wsum, wn := make([]float64, len(r.Items)), make([]float64, len(r.Items))
	for f, a := range acc {
		k := float64(len(order[f]))
		fs := FormStats{Form: formLabel(r.Forms[f]), Examinees: examinees[f], Items: len(order[f]), Complete: int(a.n),
			Mean: Num(math.NaN()), SD: Num(math.NaN()), Alpha: Num(math.NaN()), SEM: Num(math.NaN())}
		if a.n > 0 {
			mean := a.sx / a.n
			varX := a.sxx/a.n - mean*mean // population variances throughout: the ratios do not care
			var sumVar float64
			for c := range order[f] {
				p := a.si[c] / a.n
				sumVar += p * (1 - p)
			}
			alpha := alphaOf(k, sumVar, varX)
			fs.Mean, fs.Alpha = Num(mean), Num(alpha)
			if a.n > 1 {
				sd := math.Sqrt(varX * a.n / (a.n - 1))
				fs.SD, fs.SEM = Num(sd), Num(sd*math.Sqrt(max(0, 1-alpha)))
			}
			for c, i := range order[f] {
				p := a.si[c] / a.n
				vi := p * (1 - p)
				cov := a.six[c]/a.n - p*mean
				del := alphaOf(k-1, sumVar-vi, varX-2*cov+vi)
				items = append(items, FormItemStats{Form: fs.Form, Item: r.Items[i].Code, AlphaIfDeleted: Num(del)})
				if !math.IsNaN(del) {
					wsum[i] += a.n * del
					wn[i] += a.n
				}
			}
		}
		forms[f] = fs
	}
	byItem := make([]float64, len(r.Items))
	for i := range byItem {
		byItem[i] = wsum[i] / wn[i] // NaN when the item has no complete case
	}
	return forms, items, byItem
}

// alphaOf is coefficient alpha of k items with summed item variances
// sumVar and total variance varX; NaN when it is not defined (fewer than
// two items, or a total that does not vary).
func alphaOf(k, sumVar, varX float64) float64 {
	if k < 2 || varX <= 1e-12 {
		return math.NaN()
	}
	return k / (k - 1) * (1 - sumVar/varX)
}
