package scale

import (
	"errors"
	"fmt"
	"math"

	"github.com/passportirt/passport/irt"
)

// ThetaMethod says which θ of a raw score gives its scale score.
type ThetaMethod string

// The methods of a conversion table.
const (
	// ByTCC inverts the test characteristic curve: θ with TCC(θ) = x
	// (Lord 1980, ch. 13; Kolen & Brennan 2014, sec. 6.8), with the rule
	// of ConversionTable where it has no inverse.
	ByTCC ThetaMethod = "tcc"
	// ByEAP takes the summed-score EAP, E[θ | X = x] (Thissen & Wainer
	// 2001, ch. 3).
	ByEAP ThetaMethod = "eap"
)

// TableOptions control a conversion table.
type TableOptions struct {
	Method ThetaMethod // default ByTCC
	// Population is the prior of the summed-score EAP; default N(0, 1)
	// on irt.DefaultGrid().
	Population Population
	// Lo, Hi bound θ under ByTCC: the TCC is inverted on [Lo, Hi], and
	// raw score 0 takes θ = Lo; default −6, 6.
	Lo, Hi float64
}

// TopAdjust is the fraction of a score point the top score gives up to
// have a TCC θ: the top score n takes θ = TCC⁻¹(n − TopAdjust). Half a
// point is Berkson's adjustment, the most conservative of the usual ones
// (Linacre, Winsteps manual, EXTRSCORE=, whose default is 0.3 in a usual
// range of 0.1 to 0.5).
const TopAdjust = 0.5

// Row is one raw score's line of a conversion table.
type Row struct {
	Raw      int
	ThetaEAP float64 // E[θ | X = x]
	SDEAP    float64 // posterior SD
	ThetaTCC float64 // θ by the TCC rule of ConversionTable, in [Lo, Hi]; NaN if Σc ≥ n − 1
	Score    float64 // reported scale score
	CSEM     float64 // conditional SEM of Score at the raw score's θ
}

// Table is a form's raw-to-scale conversion.
type Table struct {
	Rows    []Row
	SumC    float64 // Σc, at or below which the TCC has no inverse
	First   int     // the lowest raw score above Σc
	Lowest  float64 // lowest and highest obtainable scale scores
	Highest float64
	Lo, Hi  float64 // the θ bounds, defaults filled
}

// ConversionTable converts each raw score 0…n on the items to a scale
// score, through one θ per raw score. Under ByTCC (the default) that θ is
// the TCC rule, for f the lowest raw score above Σc (f < n):
//
//	Σc < x < n:  θ_x = TCC⁻¹(x)                  (Lord 1980, ch. 13)
//	x = n:       θ_n = TCC⁻¹(n − TopAdjust)       (Berkson's half point)
//	x < f:       θ_x = Lo + (θ_f − Lo)·x/f        (linear, from Lo at 0)
//
// The TCC reaches neither Σc nor n at a finite θ, so those scores have no
// TCC θ of their own. Below f the rule is the linear interpolation for
// scores below Σc of IRT true-score equating (Kolen & Brennan 2014, sec.
// 6.8, there between raw scores), here between (0, Lo) and (f, θ_f); the
// top score is moved half a point inward, as extreme scores are in Rasch
// measurement (see TopAdjust). θ is non-decreasing in x, so the scale
// scores are too. With f = n (Σc ≥ n − 1) there is no TCC θ: ByTCC is an
// error, and ByEAP leaves the TCC θ NaN.
//
// A root beyond [Lo, Hi] (the bisection returns the bound) is taken as
// the bound, and a θ at Lo or Hi reports the scale's Min or Max: raw 0
// always reports Min, and a raw score whose root lies above Hi reports
// Max. Every other θ reports s.Score(θ). Under ByEAP every score reports
// s.Score of its summed-score EAP, which increases with x (the summed
// score has a monotone likelihood ratio in θ; Grayson 1988,
// Psychometrika 53, 383–392).
//
// The CSEM of a raw score is the standard deviation of the reported scale
// score over the raw-score distribution at the θ its scale score comes
// from — θ_x by the TCC rule, or its EAP — from the Lord–Wingersky
// recursion (Kolen, Hanson & Brennan 1992, Journal of Educational
// Measurement 29, 285–307). One θ gives both, so the CSEM runs smoothly
// across Σc and the top score.
func ConversionTable(items []irt.ThreePL, s Scale, o TableOptions) (*Table, error) {
	n := len(items)
	if n == 0 {
		return nil, errors.New("a conversion table needs at least one item")
	}
	if o.Method == "" {
		o.Method = ByTCC
	}
	if o.Method != ByTCC && o.Method != ByEAP {
		return nil, fmt.Errorf("method %q: expected tcc or eap", o.Method)
	}
	o.Lo, o.Hi = thetaRange(o.Lo, o.Hi)
	if !(o.Lo < o.Hi) {
		return nil, fmt.Errorf("θ bounds [%g, %g]: expected lo < hi", o.Lo, o.Hi)
	}
	t := &Table{Rows: make([]Row, n+1), Lo: o.Lo, Hi: o.Hi}
	for _, it := range items {
		t.SumC += it.C
	}
	t.First = int(math.Floor(t.SumC)) + 1
	if t.First >= n && o.Method == ByTCC {
		return nil, fmt.Errorf("Σc = %.3f: no raw score between it and the top score %d has a TCC θ", t.SumC, n)
	}
	eap := irt.EAPSum(nil, items, o.Population.Quadrature())
	for x := range t.Rows {
		r := &t.Rows[x]
		r.Raw, r.ThetaEAP, r.SDEAP = x, eap[x].Theta, eap[x].SE
		switch {
		case t.First >= n: // ByEAP on a form without a TCC θ
			r.ThetaTCC = math.NaN()
		case x == n:
			r.ThetaTCC = InvertTCC(items, float64(n)-TopAdjust, o.Lo, o.Hi)
		case x >= t.First:
			r.ThetaTCC = InvertTCC(items, float64(x), o.Lo, o.Hi)
		}
	}
	if t.First < n {
		f := t.Rows[t.First].ThetaTCC
		for x := range t.First {
			t.Rows[x].ThetaTCC = o.Lo + (f-o.Lo)*float64(x)/float64(t.First)
		}
	}
	theta := make([]float64, n+1) // the θ each scale score comes from
	scores := make([]float64, n+1)
	for x, r := range t.Rows {
		theta[x], scores[x] = r.ThetaTCC, s.Score(r.ThetaTCC)
		switch {
		case o.Method == ByEAP:
			theta[x], scores[x] = r.ThetaEAP, s.Score(r.ThetaEAP)
		case r.ThetaTCC <= o.Lo:
			scores[x] = s.Min
		case r.ThetaTCC >= o.Hi:
			scores[x] = s.Max
		}
	}
	dist := make([]float64, n+1)
	for x := range t.Rows {
		r := &t.Rows[x]
		r.Score = scores[x]
		r.CSEM = scoreSD(irt.SumScoreDist(dist, items, theta[x]), scores)
	}
	t.Lowest, t.Highest = t.Rows[0].Score, t.Rows[n].Score
	return t, nil
}

// scoreSD is the SD of the scores under the raw-score distribution f.
func scoreSD(f, scores []float64) float64 {
	var m, v float64
	for y, p := range f {
		m += p * scores[y]
	}
	for y, p := range f {
		d := scores[y] - m
		v += p * d * d
	}
	return math.Sqrt(v)
}

// InvertTCC returns θ in [lo, hi] with TCC(θ) = x, by bisection (the TCC is
// increasing in θ); the bound when x lies beyond the TCC on [lo, hi].
func InvertTCC(items []irt.ThreePL, x, lo, hi float64) float64 {
	if irt.TCC(items, lo) >= x {
		return lo
	}
	if irt.TCC(items, hi) <= x {
		return hi
	}
	for range 200 {
		mid := (lo + hi) / 2
		if irt.TCC(items, mid) < x {
			lo = mid
		} else {
			hi = mid
		}
		if hi-lo < 1e-12 {
			break
		}
	}
	return (lo + hi) / 2
}
