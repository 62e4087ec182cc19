package reports

import (
	"math"
	"strings"
	"testing"

	"github.com/passportirt/passport/calibrate"
	"github.com/passportirt/passport/irt"
)

// lsat7Params calibrates the 2PL on LSAT7 as calibrate's TestLSAT7 does
// (the exact maximum, which mirt's estimates reach with SE.type = 'SEM').
func lsat7Params(t testing.TB, r *irt.Responses) []irt.ThreePL {
	t.Helper()
	d := r
	res, err := calibrate.Run(d, calibrate.Options{Model: irt.Model2PL, NoSE: true, Tol: 1e-8})
	if err != nil {
		t.Fatal(err)
	}
	ps := make([]irt.ThreePL, len(res.Items))
	for i, it := range res.Items {
		ps[i] = it.Params
	}
	return ps
}

// TestSX2LSAT7 reproduces mirt's S-X² of the LSAT7 2PL: mirt's own test
// suite (philchalmers/mirt, tests/testthat/test-01-mirtOne.R, test 'dich':
// itemfit(modm1) with modm1 <- mirt(expand.table(LSAT7), 1, SE = TRUE,
// SE.type = 'SEM')) expects S_X2 = 4.749440, 14.451071, 1.270381,
// 5.237400, 0.941125 and df.S_X2 = 2 for every item, to 1e-2.
func TestSX2LSAT7(t *testing.T) {
	r := lsat7(t)
	params := lsat7Params(t, r)
	res, err := Fit(r, params, FitOptions{NPar: []int{2, 2, 2, 2, 2}})
	if err != nil {
		t.Fatal(err)
	}
	mirt := []float64{4.749440, 14.451071, 1.270381, 5.237400, 0.941125}
	for i, want := range mirt {
		f := res.Items[i]
		if math.Abs(float64(f.SX2)-want) > 1e-2 || f.DF != 2 { // mirt test-01-mirtOne.R, tolerance 1e-2
			t.Errorf("item %d: S-X² %.6f df %d, mirt %.6f df 2", i+1, f.SX2, f.DF, want)
		}
		// The p-value is the χ²(2) upper tail, exp(−x/2).
		if p := math.Exp(-float64(f.SX2) / 2); math.Abs(float64(f.P)-p) > 1e-12 {
			t.Errorf("item %d: p %.6g, exp(−S-X²/2) %.6g", i+1, f.P, p)
		}
		if f.NSX2 != 1000 || f.N != 1000 {
			t.Errorf("item %d: %d examinees in S-X², %d responses", i+1, f.NSX2, f.N)
		}
	}
	// Item 2 is the one mirt's S-X² rejects (p ≈ 7e-4, adjusted over 5 items ≈ 4e-3).
	for i, f := range res.Items {
		if want := i == 1; hasFlag(f.Flags, FlagMisfit) != want {
			t.Errorf("item %d: flags %v, p_adj %.4g", i+1, f.Flags, f.PAdj)
		}
	}
	if !strings.HasPrefix(res.Missing, "Complete data") {
		t.Errorf("missing-data note: %s", res.Missing)
	}
}

// TestSX2LSAT7Sparse: with the first examinee's item 1 response missing,
// the 2PL is calibrated on the incomplete data, and item 1's S-X² rests
// on the 999 examinees who answered all five items — what mirt computes
// with na.rm = TRUE, which drops that examinee: its test suite
// (test-01-mirtOne.R, data[1,1] <- NA; itemfit(modm1, na.rm = TRUE))
// expects S_X2[1] = 4.8448539. mirt stops its EM earlier (at a change of
// 1e-4) than this calibration, hence the tolerance of 1e-2.
func TestSX2LSAT7Sparse(t *testing.T) {
	r := lsat7(t)
	r.Item, r.Option, r.Score = r.Item[1:], r.Option[1:], r.Score[1:]
	for p := 1; p < len(r.Start); p++ {
		r.Start[p]--
	}
	res, err := Fit(r, lsat7Params(t, r), FitOptions{NPar: []int{2, 2, 2, 2, 2}})
	if err != nil {
		t.Fatal(err)
	}
	if f := res.Items[0]; math.Abs(float64(f.SX2)-4.8448539) > 1e-2 || f.DF != 2 || f.NSX2 != 999 || f.N != 999 {
		t.Errorf("item 1: S-X² %.6f df %d over %d examinees (%d responses), mirt 4.8448539 df 2", f.SX2, f.DF, f.NSX2, f.N)
	}
	// The examinee with four items, all wrong, is alone in its item set and
	// has no score between 1 and 3: its tables are empty.
	for _, f := range res.Items[1:] {
		if f.NSX2 != 999 || f.N != 1000 {
			t.Errorf("%s: %d examinees in S-X², %d responses", f.Item, f.NSX2, f.N)
		}
	}
	if !strings.Contains(res.Missing, "2 distinct item sets") {
		t.Errorf("missing-data note: %s", res.Missing)
	}
}

// TestSX2BruteForce checks the Lord–Wingersky expected proportions against
// an independent computation: the marginal probability of each of the 2⁵
// response patterns, summed by total score.
func TestSX2BruteForce(t *testing.T) {
	r := lsat7(t)
	params := lsat7Params(t, r)
	q := irt.DefaultGrid()
	got := sumScoreExpected(params, q)
	n := len(params)
	right := make([][]float64, n) // [item][score]: P(pattern with the item right, score)
	for i := range right {
		right[i] = make([]float64, n+1)
	}
	byScore := make([]float64, n+1)
	for pat := range 1 << n {
		var prob float64
		for k, x := range q.Nodes {
			l := q.Weights[k]
			for i, it := range params {
				if pat>>i&1 == 1 {
					l *= it.Prob(x)
				} else {
					l *= 1 - it.Prob(x)
				}
			}
			prob += l
		}
		s := 0
		for i := range n {
			s += pat >> i & 1
		}
		byScore[s] += prob
		for i := range n {
			if pat>>i&1 == 1 {
				right[i][s] += prob
			}
		}
	}
	for i := range n {
		for s := 1; s < n; s++ {
			if want := right[i][s] / byScore[s]; math.Abs(got[i][s]-want) > 1e-12 { // exact up to rounding
				t.Errorf("item %d, score %d: Lord–Wingersky %.15f, patterns %.15f", i+1, s, got[i][s], want)
			}
		}
	}
}

// TestCollapse follows mirt's collapseCells on hand-made tables.
func TestCollapse(t *testing.T) {
	for _, c := range []struct {
		name string
		in   []sx2Row
		want []sx2Row
	}{
		{"nothing to do", []sx2Row{{10, 4, 5}, {10, 6, 6}}, []sx2Row{{10, 4, 5}, {10, 6, 6}}},
		{"empty rows dropped", []sx2Row{{0, 0, 0}, {10, 4, 5}, {0, 0, 0}, {10, 6, 6}}, []sx2Row{{10, 4, 5}, {10, 6, 6}}},
		// A row of one examinee goes into the next; the last into the one
		// before. The rows left meet mincell: expected 1 right, 1 wrong.
		{"single examinees", []sx2Row{{1, 0, 0.5}, {1, 1, 0.5}, {10, 5, 5}, {1, 1, 0.5}}, []sx2Row{{2, 1, 1}, {11, 6, 5.5}}},
		// Expected right 0.5 < 1 in the first row: merged into the second.
		{"sparse first row", []sx2Row{{5, 0, 0.5}, {10, 3, 4}, {10, 9, 8}}, []sx2Row{{15, 3, 4.5}, {10, 9, 8}}},
		// Expected wrong 10 − 9.5 = 0.5 in the last row: merged into the one before.
		{"sparse last row", []sx2Row{{10, 3, 4}, {10, 6, 6}, {10, 10, 9.5}}, []sx2Row{{10, 3, 4}, {20, 16, 15.5}}},
		// A sparse middle row goes to the neighbour with fewer examinees.
		{"middle row, smaller below", []sx2Row{{8, 3, 4}, {5, 0, 0.5}, {20, 10, 10}}, []sx2Row{{13, 3, 4.5}, {20, 10, 10}}},
		{"middle row, smaller above", []sx2Row{{20, 3, 4}, {5, 0, 0.5}, {8, 4, 4}}, []sx2Row{{20, 3, 4}, {13, 4, 4.5}}},
		{"middle row, tie goes below", []sx2Row{{8, 3, 4}, {5, 0, 0.5}, {8, 4, 4}}, []sx2Row{{13, 3, 4.5}, {8, 4, 4}}},
		{"down to one row", []sx2Row{{3, 0, 0.2}, {3, 1, 0.3}}, []sx2Row{{6, 1, 0.5}}},
	} {
		got := collapse(c.in, 1)
		if len(got) != len(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
			continue
		}
		for j := range got {
			if got[j] != c.want[j] {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
				break
			}
		}
	}
}

func hasFlag(f Flags, w string) bool {
	for _, x := range f {
		if x == w {
			return true
		}
	}
	return false
}
