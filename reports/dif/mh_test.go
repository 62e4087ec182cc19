package dif

import (
	"bytes"
	"encoding/csv"
	"math"
	"strconv"
	"testing"

	"github.com/passportirt/passport/fixtures"
)

// jmetrikTables reads the strata of jMetrik's Cochran–Mantel–Haenszel
// test case (fixtures/reference/README.md).
func jmetrikTables(t *testing.T) []Table {
	t.Helper()
	data, err := fixtures.Reference("jmetrik_cmh_strata.csv")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []Table
	for _, rec := range recs[1:] {
		var v [4]float64
		for j := range v {
			if v[j], err = strconv.ParseFloat(rec[j+1], 64); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, Table{RefRight: v[0], RefWrong: v[1], FocalRight: v[2], FocalWrong: v[3]})
	}
	return out
}

// TestMantelHaenszelSAS checks the statistics against SAS's, as jMetrik's
// test case quotes them (fixtures/reference/README.md).
func TestMantelHaenszelSAS(t *testing.T) {
	m, err := MantelHaenszel(jmetrikTables(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		got, want float64
		tol       float64
	}{
		{"CMH χ²", m.ChiSq, 205.2952852813, 1e-6},                                                                // SAS via jMetrik
		{"common odds ratio", m.Alpha, 1.53011608995743, 1e-6},                                                   // SAS via jMetrik
		{"95% CI lower", m.Lo, 1.44335984061157, 1e-6},                                                           // SAS via jMetrik
		{"95% CI upper", m.Hi, 1.62208701037061, 1e-6},                                                           // SAS via jMetrik
		{"p", m.P / 1.46000887157466e-46, 1, 1e-6},                                                               // SAS via jMetrik, relative
		{"focal N", m.NFocal, 8521, 0},                                                                           // jMetrik
		{"reference N", m.NRef, 15999 - 3, 0},                                                                    // stratum 10 holds only the reference group
		{"Δ_MH", m.Delta, -2.35 * math.Log(1.53011608995743), 1e-6},                                              // definition
		{"SE(Δ)", m.DeltaSE, 2.35 * math.Log(1.62208701037061/1.44335984061157) / (2 * 1.959963984540054), 1e-6}, // from SAS's CI
	} {
		if math.Abs(c.got-c.want) > c.tol {
			t.Errorf("%s = %.12g, want %.12g (difference %.3g)", c.name, c.got, c.want, c.got-c.want)
		}
		t.Logf("%s = %.12g, reference %.12g, difference %.3g", c.name, c.got, c.want, c.got-c.want)
	}
	if m.Strata != 9 {
		t.Errorf("%d informative strata, want 9", m.Strata)
	}
	if !(m.ChiSqCC < m.ChiSq) {
		t.Errorf("χ² with continuity correction %g is not below %g", m.ChiSqCC, m.ChiSq)
	}
	// Δ = −0.99956: the boundary case is A on the Δ scale, significant or
	// not (jMetrik's odds-ratio cut labels it B−).
	if got := ETSClass(m.Delta, m.DeltaSE, m.P < 0.05); got != "A" {
		t.Errorf("class %q at Δ = %.5f, want A", got, m.Delta)
	}
}

// TestMantelHaenszelByHand: two strata worked by hand.
//
//	stratum 1: reference 30 right, 10 wrong; focal 20 right, 20 wrong (N 80)
//	stratum 2: reference 15 right, 5 wrong; focal 10 right, 10 wrong (N 40)
//
// R = 30·20/80 + 15·10/40 = 7.5 + 3.75 = 11.25; S = 10·20/80 + 5·10/40 =
// 2.5 + 1.25 = 3.75; α = 3. ΣA = 45; E = 40·50/80 + 20·25/40 = 25 + 12.5
// = 37.5; Var = 40·40·50·30/(80²·79) + 20·20·25·15/(40²·39) = 4.746835 +
// 2.403846; χ² = 7.5²/7.150681 = 7.866383; with correction 7²/7.150681.
func TestMantelHaenszelByHand(t *testing.T) {
	m, err := MantelHaenszel([]Table{{30, 10, 20, 20}, {15, 5, 10, 10}, {0, 0, 3, 4}})
	if err != nil {
		t.Fatal(err)
	}
	v := 40.0*40*50*30/(80*80*79) + 20.0*20*25*15/(40*40*39)
	// RBG by hand: P1 = 50/80, Q1 = 30/80, R1 = 7.5, S1 = 2.5; P2 = 25/40,
	// Q2 = 15/40, R2 = 3.75, S2 = 1.25.
	pr := 50.0/80*7.5 + 25.0/40*3.75
	ps := 50.0/80*2.5 + 30.0/80*7.5 + 25.0/40*1.25 + 15.0/40*3.75
	qs := 30.0/80*2.5 + 15.0/40*1.25
	rbg := pr/(2*11.25*11.25) + ps/(2*11.25*3.75) + qs/(2*3.75*3.75)
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"α", m.Alpha, 3},
		{"χ²", m.ChiSq, 7.5 * 7.5 / v},
		{"χ² corrected", m.ChiSqCC, 7 * 7 / v},
		{"Var ln α", m.VarLogAlpha, rbg},
		{"Δ", m.Delta, -2.35 * math.Log(3)},
		{"N focal", m.NFocal, 60},
	} {
		if math.Abs(c.got-c.want) > 1e-12 {
			t.Errorf("%s = %.12g, by hand %.12g", c.name, c.got, c.want)
		}
	}
	if m.Strata != 2 {
		t.Errorf("%d strata, want 2 (the third holds one group)", m.Strata)
	}
}

func TestMantelHaenszelRefuses(t *testing.T) {
	if _, err := MantelHaenszel([]Table{{3, 4, 0, 0}, {0, 0, 2, 2}}); err != ErrNoComparison {
		t.Errorf("one group per stratum: %v, want ErrNoComparison", err)
	}
	if _, err := MantelHaenszel([]Table{{3, 0, 2, 2}}); err == nil {
		t.Error("infinite odds ratio accepted")
	}
}

func TestETSClass(t *testing.T) {
	for _, c := range []struct {
		delta, se float64
		sig       bool
		want      Class
	}{
		{-0.99956, 0.07, true, "A"}, // |Δ| < 1 (jMetrik's reference case)
		{-1.2, 0.1, false, "A"},     // not significant
		{-1.2, 0.1, true, "B-"},     // 1 ≤ |Δ| < 1.5
		{1.6, 0.1, true, "C+"},      // (1.6 − 1)/0.1 = 6 > 1.645
		{1.6, 0.4, true, "B+"},      // (1.6 − 1)/0.4 = 1.5 < 1.645: not significantly above 1
		{-2, 0.6, true, "C-"},       // 1/0.6 = 1.667 > 1.645
		{-2, 0.61, true, "B-"},      // 1/0.61 = 1.639 < 1.645
		{1.5, 0.01, true, "C+"},     // the boundary |Δ| = 1.5 is C
	} {
		if got := ETSClass(c.delta, c.se, c.sig); got != c.want {
			t.Errorf("ETSClass(%g, %g, %v) = %q, want %q", c.delta, c.se, c.sig, got, c.want)
		}
	}
	for _, c := range []struct {
		r2   float64
		sig  bool
		want Class
	}{
		{0.034, true, "A"}, {0.035, true, "B"}, {0.070, true, "B"}, {0.0701, true, "C"}, {0.2, false, "A"},
	} {
		if got := JodoinGierlClass(c.r2, c.sig); got != c.want {
			t.Errorf("JodoinGierlClass(%g, %v) = %q, want %q", c.r2, c.sig, got, c.want)
		}
	}
}
