package scale

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/stat"

	"github.com/passportirt/passport/irt"
)

// Drift describes how far one common item's transformed parameters moved
// from its base values.
type Drift struct {
	DiffB  float64 // b on the base scale after the transform, minus the base b
	RatioA float64 // a after the transform over the base a
	ZB     float64 // robust z of DiffB among the common items
	ZLogA  float64 // robust z of log RatioA, reported, not flagged on
	Flag   bool    // |ZB| above the threshold
}

// DriftCheck computes, for each common item under transform t, the robust z
// statistics of Huynh & Meyer (2010, Practical Assessment, Research &
// Evaluation 15(2)): z = (d − median(d))/(0.74·IQR(d)), on the b
// differences, flagging items with |z| > threshold (1.645 is customary; it
// flags about 10% of stable items by chance), and on the log a ratios for
// inspection. With fewer than 4 common items nothing is flagged.
func DriftCheck(items []CommonItem, t Transform, threshold float64) []Drift {
	out := make([]Drift, len(items))
	db, la := make([]float64, len(items)), make([]float64, len(items))
	for i, c := range items {
		moved := t.Item(c.New)
		out[i].DiffB = moved.B - c.Base.B
		out[i].RatioA = moved.A / c.Base.A
		db[i], la[i] = out[i].DiffB, math.Log(out[i].RatioA)
	}
	zb, za := robustZ(db), robustZ(la)
	for i := range out {
		out[i].ZB, out[i].ZLogA = zb[i], za[i]
		out[i].Flag = len(items) >= 4 && math.Abs(zb[i]) > threshold
	}
	return out
}

// CurveD2 is the D² statistic of Wells, Hambleton, Kirkpatrick & Meng
// (2014, Applied Measurement in Education 27(3), 214–231), a weighted
// area between an item's two characteristic curves: the squared difference
// of its response functions under the base and the new parameters (both
// on the base scale), integrated over the base group's ability
// distribution g,
//
//	D² = ∫ (P_base(θ) − P_new(θ))² g(θ) dθ ≈ Σ_k w_k (P_base(θ_k) − P_new(θ_k))² / Σ_k w_k,
//
// on the nodes θ_k and weights w_k of q (normalised here, so any positive
// weights will do). √D² is the weighted root mean squared difference of
// the curves, in probability units. q must have a node.
func CurveD2(base, nw irt.ThreePL, q irt.Quadrature) float64 {
	var sum, w float64
	for k, x := range q.Nodes {
		d := base.Prob(x) - nw.Prob(x)
		sum += q.Weights[k] * d * d
		w += q.Weights[k]
	}
	return sum / w
}

// Default thresholds of Screen.
const (
	// DefaultZThreshold flags |robust z| > 1.645, the customary cut-off of
	// Huynh & Meyer's robust z (see DriftCheck).
	DefaultZThreshold = 1.645
	// DefaultD2Threshold flags D² > 0.01, that is √D² > 0.1: the rule of
	// thumb for dichotomous items that the R package irt (Gonulates,
	// function ipd, method "d2", which computes D² as CurveD2 does) states
	// with Wells et al. (2014) and Li (2012, ETS Research Report Series, doi:10.1002/j.2333-8504.2012.tb02291.x)
	// as its sources, noting that there is no strict threshold. It is a
	// screening convention for consequential drift, not a significance
	// test.
	DefaultD2Threshold = 0.01
)

// ScreenOptions set the flagging thresholds of Screen.
type ScreenOptions struct {
	ZThreshold  float64 // |robust z of the b difference| above which an item is flagged
	D2Threshold float64 // D² above which an item is flagged
}

// Screened is one common item screened for drift.
type Screened struct {
	Drift          // the robust z of its b difference (DriftCheck)
	D2     float64 // CurveD2 over the base group's distribution
	FlagD2 bool    // D2 above the threshold
}

// Screen screens common items for drift between a base calibration and a
// new one whose parameters are already on the base scale (moved by a
// linking, or calibrated onto it): by the robust z of Huynh & Meyer (2010)
// on the b differences (DriftCheck under the identity; nothing is flagged
// by it with fewer than 4 items) and by Wells et al.'s (2014) D² over the
// base group's ability distribution q (CurveD2).
func Screen(items []CommonItem, q irt.Quadrature, o ScreenOptions) []Screened {
	if len(items) == 0 {
		return nil
	}
	drift := DriftCheck(items, Identity, o.ZThreshold)
	out := make([]Screened, len(items))
	for i, c := range items {
		d2 := CurveD2(c.Base, c.New, q)
		out[i] = Screened{Drift: drift[i], D2: d2, FlagD2: d2 > o.D2Threshold}
	}
	return out
}

// robustZ is (x − median)/(0.74·IQR), 0 where the IQR is 0 (or at the
// level of rounding error, where the z would only magnify noise).
func robustZ(x []float64) []float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	med := stat.Quantile(0.5, stat.Empirical, s, nil)
	iqr := stat.Quantile(0.75, stat.Empirical, s, nil) - stat.Quantile(0.25, stat.Empirical, s, nil)
	z := make([]float64, len(x))
	if iqr <= 1e-9*math.Max(1, math.Abs(med)) {
		return z
	}
	for i, v := range x {
		z[i] = (v - med) / (0.74 * iqr)
	}
	return z
}

// LinkFunc computes a transform from common items (one of the methods,
// with its options bound).
type LinkFunc func([]CommonItem) (Transform, error)

// BootstrapSE estimates the standard errors of A and B over the sampling of
// common items: the SD of the constants over r resamples of the items with
// replacement (Efron & Tibshirani 1993, ch. 6), drawn from seed.
// Resamples in which the method fails (e.g. every b equal) are skipped.
func BootstrapSE(items []CommonItem, link LinkFunc, r int, seed uint64) (seA, seB float64, err error) {
	if r < 2 {
		return 0, 0, errors.New("the bootstrap needs at least 2 replicates")
	}
	rng := rand.New(rand.NewPCG(seed, 0xb007))
	as, bs := make([]float64, 0, r), make([]float64, 0, r)
	sample := make([]CommonItem, len(items))
	for range r {
		for i := range sample {
			sample[i] = items[rng.IntN(len(items))]
		}
		t, err := link(sample)
		if err != nil {
			continue
		}
		as = append(as, t.A)
		bs = append(bs, t.B)
	}
	if len(as) < 2 {
		return 0, 0, errors.New("the bootstrap resamples could not be linked")
	}
	return stat.StdDev(as, nil), stat.StdDev(bs, nil), nil
}
