package reports

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/stat"

	"github.com/passportirt/passport/irt"
)

// TestQ3 checks Q3 on LSAT7 against gonum's correlation of the residual
// vectors, and that a copied item (a pair as dependent as can be) is
// flagged while the five real items are not.
func TestQ3(t *testing.T) {
	r := lsat7(t)
	params := lsat7Params(t, r)
	// Item 6 repeats item 1's answers.
	r2 := &irt.Responses{Items: slices.Concat(r.Items, []irt.ItemInfo{{Code: "Copy.1", Domain: "stdlib", NOptions: 2}}), Forms: r.Forms, Form: r.Form, Start: []int{0}}
	for p := range r.NExaminees() {
		for k := r.Start[p]; k < r.Start[p+1]; k++ {
			r2.Item, r2.Option, r2.Score = append(r2.Item, r.Item[k]), append(r2.Option, r.Option[k]), append(r2.Score, r.Score[k])
		}
		r2.Item, r2.Option, r2.Score = append(r2.Item, 5), append(r2.Option, irt.ScoreOnly), append(r2.Score, r.Score[r.Start[p]])
		r2.Start = append(r2.Start, len(r2.Item))
	}
	for _, c := range []struct {
		r       *irt.Responses
		ps      []irt.ThreePL
		flagged []string
	}{{r, params, nil}, {r2, slices.Concat(params, params[:1]), []string{"Item.1", "Copy.1"}}} {
		ps := c.ps
		res, err := Fit(c.r, ps, FitOptions{NPar: make([]int, len(ps))})
		if err != nil {
			t.Fatal(err)
		}
		n := len(c.r.Items)
		resid := make([][]float64, n)
		for p := range c.r.NExaminees() {
			for k := c.r.Start[p]; k < c.r.Start[p+1]; k++ {
				i := c.r.Item[k]
				resid[i] = append(resid[i], float64(c.r.Score[k])-ps[i].Prob(res.Theta[p].Theta))
			}
		}
		if len(res.Q3Pairs) != n*(n-1)/2 || len(res.Q3) != 1 || res.Q3[0].Pairs != len(res.Q3Pairs) {
			t.Fatalf("%d items: %d pairs, forms %+v", n, len(res.Q3Pairs), res.Q3)
		}
		var sum float64
		j := 0
		for a := range n {
			for b := a + 1; b < n; b++ {
				pr := res.Q3Pairs[j]
				j++
				want := stat.Correlation(resid[a], resid[b], nil)
				sum += want
				if math.Abs(float64(pr.Q3)-want) > 1e-12 || pr.N != 1000 { // the same correlation, computed twice
					t.Errorf("%s–%s: Q3 %.12f over %d, gonum %.12f", pr.ItemA, pr.ItemB, pr.Q3, pr.N, want)
				}
			}
		}
		if mean := sum / float64(j); math.Abs(float64(res.Q3[0].Mean)-mean) > 1e-12 {
			t.Errorf("mean Q3 %.12f, want %.12f", res.Q3[0].Mean, mean)
		}
		var got []string
		for _, f := range res.Items {
			if hasFlag(f.Flags, FlagLocalDependence) {
				got = append(got, f.Item)
			}
		}
		if !slices.Equal(got, c.flagged) {
			t.Errorf("%d items: local dependence flagged on %v, want %v", n, got, c.flagged)
		}
	}
}
