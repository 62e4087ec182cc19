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
	// (Lord 1980, ch. 13; Kolen & Brennan 2014, sec. 6.8).
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
	// Lo, Hi bound the TCC inversion; default −6, 6.
	Lo, Hi float64
}

// Row is one raw score's line of a conversion table.
type Row struct {
	Raw      int
	ThetaEAP float64 // E[θ | X = x]
	SDEAP    float64 // posterior SD
	ThetaTCC float64 // TCC⁻¹(x); NaN at or below Σc and at the top score
	Score    float64 // reported scale score
	CSEM     float64 // conditional SEM of the scale score at the raw score's θ
}

// Table is a form's raw-to-scale conversion.
type Table struct {
	Rows    []Row
	SumC    float64 // Σc, below which the TCC has no inverse
	Lowest  float64 // lowest and highest obtainable scale scores
	Highest float64
}

// ConversionTable converts each raw score 0…n on the items to a scale
// score. With ByTCC, a score x with Σc < x < n takes θ = TCC⁻¹(x); at or
// below Σc the scale score follows the line from (0, Min) to the lowest
// invertible score (the Kolen & Brennan 2014, sec. 6.8, rule for scores
// below the sum of the c's, here between raw and scale scores); the top
// score takes Max. With ByEAP every score takes the summed-score EAP.
//
// The CSEM of a raw score is the standard deviation of the reported scale
// score over the raw-score distribution at that score's θ — the TCC θ where
// it exists, the EAP otherwise — from the Lord–Wingersky recursion (Kolen,
// Hanson & Brennan 1992, Journal of Educational Measurement 29, 285–307).
//
// Scale scores are non-decreasing in the raw score by construction.
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
	t := &Table{Rows: make([]Row, n+1)}
	for _, it := range items {
		t.SumC += it.C
	}
	eap := irt.EAPSum(nil, items, o.Population.Quadrature())
	linear := make([]float64, n+1)
	for x := range t.Rows {
		r := &t.Rows[x]
		r.Raw, r.ThetaEAP, r.SDEAP = x, eap[x].Theta, eap[x].SE
		r.ThetaTCC = math.NaN()
		if float64(x) > t.SumC && x < n {
			// A root at a bound of [Lo, Hi] is no root: the score is
			// treated as not invertible.
			if th := InvertTCC(items, float64(x), o.Lo, o.Hi); th > o.Lo && th < o.Hi {
				r.ThetaTCC = th
			}
		}
		switch {
		case o.Method == ByEAP:
			linear[x] = s.Linear(r.ThetaEAP)
		case !math.IsNaN(r.ThetaTCC):
			linear[x] = s.Linear(r.ThetaTCC)
		}
	}
	if o.Method == ByTCC {
		first := 0 // the lowest invertible score
		for first < n && math.IsNaN(t.Rows[first].ThetaTCC) {
			first++
		}
		if first == n {
			return nil, fmt.Errorf("no raw score below the top %d inverts the TCC on [%g, %g] (Σc = %.3f)", n, o.Lo, o.Hi, t.SumC)
		}
		for x := 0; x < first; x++ {
			linear[x] = s.Min + (linear[first]-s.Min)*float64(x)/float64(first)
		}
		linear[n] = s.Max
	}
	for x := range t.Rows {
		t.Rows[x].Score = s.Report(linear[x])
		if x > 0 {
			t.Rows[x].Score = math.Max(t.Rows[x].Score, t.Rows[x-1].Score)
		}
	}
	scores := make([]float64, n+1)
	for x, r := range t.Rows {
		scores[x] = r.Score
	}
	dist := make([]float64, n+1)
	for x := range t.Rows {
		r := &t.Rows[x]
		th := r.ThetaTCC
		if math.IsNaN(th) {
			th = r.ThetaEAP
		}
		r.CSEM = scoreSD(irt.SumScoreDist(dist, items, th), scores)
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
