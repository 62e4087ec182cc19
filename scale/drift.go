package scale

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/stat"
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
