package calibrate

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/passportirt/passport/irt"
)

// withLoneItem returns s's responses plus those of 100 more examinees who
// each answered item 0, correctly, and, with lone set, item X =
// len(s.truth), 60 of them correctly. Only two response patterns reach X,
// so its likelihood fixes one function of its (a, b) and no more: the
// information on X is singular.
func withLoneItem(s *sparseDesign, lone bool) *irt.Responses {
	n := len(s.truth)
	b := irt.NewBuilder(n + 1)
	for p := 0; p+1 < len(s.start); p++ {
		for k := s.start[p]; k < s.start[p+1]; k++ {
			b.Add(int(s.items[k]), s.scores[k])
		}
		b.Next()
	}
	for p := range 100 {
		b.Add(0, 1)
		if lone {
			b.Add(n, uint8(min(1, max(0, 60-p))))
		}
		b.Next()
	}
	return b.Responses()
}

// TestSingularItemKeepsOthersSEs: one item whose information is singular
// loses its SEs, with a warning that names it; every other item keeps its
// SEs, within 2% of those of the same data without that item's responses.
// (Before the fix: no item had SEs, and one warning for the run.)
func TestSingularItemKeepsOthersSEs(t *testing.T) {
	s := simulateSparse(4, 30, 3, 15, 3000, false)
	res, err := Run(withLoneItem(s, true), Options{Model: irt.Model2PL})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := Run(withLoneItem(s, false), Options{Model: irt.Model2PL})
	if err != nil {
		t.Fatal(err)
	}
	lone := len(s.truth)
	if x := res.Items[lone]; !math.IsNaN(x.SEA) || !math.IsNaN(x.SEB) {
		t.Errorf("item X: SEs a %g b %g for a singular information", x.SEA, x.SEB)
	}
	if len(res.Warnings) != 1 || res.Warnings[0].Item != lone {
		t.Errorf("warnings %v, want one on item %d", res.Warnings, lone)
	}
	worst := 0.0
	for i := range lone {
		got, want := res.Items[i], ref.Items[i]
		worst = max(worst, math.Abs(got.SEA/want.SEA-1), math.Abs(got.SEB/want.SEB-1))
		if !(math.Abs(got.SEA/want.SEA-1) < 0.02 && math.Abs(got.SEB/want.SEB-1) < 0.02) {
			t.Errorf("item %d: SEs a %.4f b %.4f, without item X %.4f %.4f", i, got.SEA, got.SEB, want.SEA, want.SEB)
		}
	}
	t.Logf("largest relative difference from the SEs without item X: %.4f", worst)
}

// TestSmallestPivot: the pivot share of parameter k in order is
// 1/(A_kk·(A_{1..k}⁻¹)_kk), the inverse of the leading block's last
// diagonal element (the Schur complement), computed here by gonum's
// inverse; smallestPivot finds the smallest (to 1e-12) on random
// positive definite matrices in a shuffled order, and stops at a
// nonpositive pivot.
func TestSmallestPivot(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20 {
		const n = 6
		b := mat.NewDense(n, n, nil)
		for r := range n {
			for c := range n {
				b.Set(r, c, rng.NormFloat64())
			}
		}
		a := mat.NewSymDense(n, nil)
		a.SymOuterK(1, b)
		idx := rng.Perm(n)
		wantK, want := -1, math.Inf(1)
		for k := range n {
			lead := mat.NewSymDense(k+1, nil)
			for r := 0; r <= k; r++ {
				for c := r; c <= k; c++ {
					lead.SetSym(r, c, a.At(idx[r], idx[c]))
				}
			}
			var inv mat.SymDense
			if err := inv.PowPSD(lead, -1); err != nil {
				t.Fatal(err)
			}
			if share := 1 / (a.At(idx[k], idx[k]) * inv.At(k, k)); share < want {
				wantK, want = idx[k], share
			}
		}
		k, share := smallestPivot(a, idx)
		if k != wantK || math.Abs(share-want) > 1e-12 {
			t.Errorf("smallest pivot share %.15g at %d, want %.15g at %d", share, k, want, wantK)
		}
	}
	// Parameter 2 is parameter 0 plus parameter 1: not determined.
	sing := mat.NewSymDense(3, []float64{2, 1, 3, 1, 2, 3, 3, 3, 6})
	if k, share := smallestPivot(sing, []int{0, 1, 2}); k != 2 || share > 1e-15 {
		t.Errorf("singular matrix: share %g at %d, want ≤ 0 at 2", share, k)
	}
}
