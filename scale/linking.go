// Package scale puts calibrations and scores on one reporting scale:
// linking constants between IRT scales (mean/mean, mean/sigma, Haebara,
// Stocking–Lord) with anchor-drift checks, the linear θ → passport
// transformation, raw-to-scale conversion tables with conditional standard
// errors, and IRT true-score and observed-score equating. It works on plain
// values; storage is the bank's.
package scale

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/optimize"
	"gonum.org/v1/gonum/stat"

	"github.com/passportirt/passport/irt"
)

// Transform is a linear change of θ scale, θ_base = A·θ_new + B. Item
// parameters move with it as a* = a/A, b* = A·b + B, c* = c (Kolen &
// Brennan 2014, Test Equating, Scaling, and Linking, 3rd ed., eq. 6.3–6.5).
type Transform struct {
	A float64 // slope, > 0
	B float64 // intercept
}

// Identity is the transform that changes nothing.
var Identity = Transform{A: 1, B: 0}

// Theta maps a new-scale θ to the base scale.
func (t Transform) Theta(theta float64) float64 { return t.A*theta + t.B }

// Item maps an item's parameters from the new scale to the base scale.
func (t Transform) Item(p irt.ThreePL) irt.ThreePL {
	return irt.ThreePL{A: p.A / t.A, B: t.A*p.B + t.B, C: p.C, D: p.D}
}

// Inverse is the transform from the base scale back to the new one.
func (t Transform) Inverse() Transform { return Transform{A: 1 / t.A, B: -t.B / t.A} }

// CommonItem is one common (anchor) item's parameters as estimated on the
// new and on the base scale.
type CommonItem struct {
	New, Base irt.ThreePL
}

func checkCommon(items []CommonItem, min int) error {
	if len(items) < min {
		return fmt.Errorf("%d common items: linking needs at least %d", len(items), min)
	}
	for i, c := range items {
		if !(c.New.A > 0) || !(c.Base.A > 0) {
			return fmt.Errorf("common item %d has a non-positive slope", i)
		}
	}
	return nil
}

func moments(items []CommonItem, f func(irt.ThreePL) float64) (newMean, newSD, baseMean, baseSD float64) {
	x, y := make([]float64, len(items)), make([]float64, len(items))
	for i, c := range items {
		x[i], y[i] = f(c.New), f(c.Base)
	}
	newMean, newSD = stat.PopMeanStdDev(x, nil)
	baseMean, baseSD = stat.PopMeanStdDev(y, nil)
	return
}

// MeanMean is the mean/mean method (Loyd & Hoover 1980; Kolen & Brennan
// 2014, eq. 6.8–6.9): A = mean(a_new)/mean(a_base),
// B = mean(b_base) − A·mean(b_new).
func MeanMean(items []CommonItem) (Transform, error) {
	if err := checkCommon(items, 1); err != nil {
		return Transform{}, err
	}
	an, _, ab, _ := moments(items, func(p irt.ThreePL) float64 { return p.A })
	bn, _, bb, _ := moments(items, func(p irt.ThreePL) float64 { return p.B })
	A := an / ab
	return Transform{A: A, B: bb - A*bn}, nil
}

// MeanSigma is the mean/sigma method (Marco 1977; Kolen & Brennan 2014,
// eq. 6.6–6.7): A = sd(b_base)/sd(b_new), B = mean(b_base) − A·mean(b_new).
func MeanSigma(items []CommonItem) (Transform, error) {
	if err := checkCommon(items, 2); err != nil {
		return Transform{}, err
	}
	bn, sn, bb, sb := moments(items, func(p irt.ThreePL) float64 { return p.B })
	if sn == 0 {
		return Transform{}, errors.New("the common items' difficulties on the new scale do not vary: mean/sigma is undefined")
	}
	A := sb / sn
	return Transform{A: A, B: bb - A*bn}, nil
}

// Symmetry says on which scale a characteristic-curve criterion is taken.
type Symmetry string

// The criteria: on the base (old) scale, as Haebara (1980) and Stocking &
// Lord (1983) define them; on the new scale; or their sum, the symmetric
// criterion (Kim & Lee 2006, Journal of Educational Measurement 43, 193–213).
const (
	OnOld  Symmetry = "old"
	OnNew  Symmetry = "new"
	OnBoth Symmetry = "both"
)

// CurveOptions set a characteristic-curve criterion.
type CurveOptions struct {
	// Old is the θ grid and weights on the base scale (the base group's
	// distribution); New on the new scale (the new group's). Each criterion
	// uses the grid of its own scale.
	Old, New irt.Quadrature
	Symmetry Symmetry // default OnOld
	// D, when positive, replaces the items' own scaling constants in the
	// response functions the criterion compares.
	D float64
}

// Fit reports a characteristic-curve minimisation.
type Fit struct {
	Criterion  float64 // the criterion at the solution
	Iterations int
	Start      Transform // mean/sigma, where the search began
}

// Haebara finds the transform minimising the item characteristic curve
// criterion of Haebara (1980; Kolen & Brennan 2014, eq. 6.19): on the base
// scale
//
//	H = Σ_q w_q Σ_j [P_j(θ_q; base) − P_j(θ_q; new transformed)]²,
//
// on the new scale the same with the base items transformed back, and the
// symmetric criterion their sum.
func Haebara(items []CommonItem, o CurveOptions) (Transform, Fit, error) {
	return curveLink(items, o, false)
}

// StockingLord finds the transform minimising the test characteristic
// curve criterion of Stocking & Lord (1983; Kolen & Brennan 2014, eq. 6.21):
// on the base scale
//
//	SL = Σ_q w_q [Σ_j P_j(θ_q; base) − Σ_j P_j(θ_q; new transformed)]²,
//
// on the new scale the same with the base items transformed back, and the
// symmetric criterion their sum.
func StockingLord(items []CommonItem, o CurveOptions) (Transform, Fit, error) {
	return curveLink(items, o, true)
}

// Criterion evaluates a characteristic-curve criterion at t: the value
// Haebara (test = false) or StockingLord (test = true) minimise.
func Criterion(items []CommonItem, o CurveOptions, t Transform, test bool) float64 {
	v, _ := criterion(items, o, t, test)
	return v
}

func curveLink(items []CommonItem, o CurveOptions, test bool) (Transform, Fit, error) {
	if err := checkCommon(items, 2); err != nil {
		return Transform{}, Fit{}, err
	}
	if o.Symmetry == "" {
		o.Symmetry = OnOld
	}
	switch o.Symmetry {
	case OnOld, OnNew, OnBoth:
	default:
		return Transform{}, Fit{}, fmt.Errorf("symmetry %q: expected old, new or both", o.Symmetry)
	}
	if (o.Symmetry != OnNew && len(o.Old.Nodes) == 0) || (o.Symmetry != OnOld && len(o.New.Nodes) == 0) {
		return Transform{}, Fit{}, errors.New("the criterion needs a θ grid on each scale it is taken on")
	}
	start, err := MeanSigma(items)
	if err != nil || !(start.A > 0) {
		start = Identity
	}
	// Optimise over (log A, B): A stays positive.
	p := optimize.Problem{
		Func: func(x []float64) float64 {
			v, _ := criterion(items, o, Transform{A: math.Exp(x[0]), B: x[1]}, test)
			return v
		},
		Grad: func(g, x []float64) {
			A := math.Exp(x[0])
			_, d := criterion(items, o, Transform{A: A, B: x[1]}, test)
			g[0], g[1] = d[0]*A, d[1]
		},
	}
	res, err := optimize.Minimize(p, []float64{math.Log(start.A), start.B},
		&optimize.Settings{GradientThreshold: 1e-12, Converger: &optimize.FunctionConverge{Absolute: 1e-15, Iterations: 50}},
		&optimize.BFGS{})
	if err != nil && res == nil {
		return Transform{}, Fit{}, fmt.Errorf("minimising the criterion: %w", err)
	}
	t := Transform{A: math.Exp(res.X[0]), B: res.X[1]}
	return t, Fit{Criterion: res.F, Iterations: res.Stats.MajorIterations, Start: start}, nil
}

// criterion returns the criterion at t and its gradient in (A, B).
func criterion(items []CommonItem, o CurveOptions, t Transform, test bool) (float64, [2]float64) {
	var v float64
	var g [2]float64
	d := func(p irt.ThreePL) irt.ThreePL {
		if o.D > 0 {
			p.D = o.D
		}
		return p
	}
	// On the base scale: target P(θ; base), moving P(θ; new → base), with
	// z = D·a_n·(θ − B)/A − D·a_n·b_n, ∂z/∂A = −D·a_n·(θ − B)/A², ∂z/∂B = −D·a_n/A.
	old := func() {
		for q, th := range o.Old.Nodes {
			w := o.Old.Weights[q]
			var tBase, tMove, dA, dB float64
			for _, c := range items {
				base, nw := d(c.Base), d(c.New)
				pb := base.Prob(th)
				pm := t.Item(nw).Prob(th)
				slope := nw.D * nw.A
				dz := (1 - nw.C) * logisticSlope(t.Item(nw), th)
				zA, zB := -slope*(th-t.B)/(t.A*t.A), -slope/t.A
				if test {
					tBase += pb
					tMove += pm
					dA += dz * zA
					dB += dz * zB
					continue
				}
				r := pb - pm
				v += w * r * r
				g[0] += -2 * w * r * dz * zA
				g[1] += -2 * w * r * dz * zB
			}
			if test {
				r := tBase - tMove
				v += w * r * r
				g[0] += -2 * w * r * dA
				g[1] += -2 * w * r * dB
			}
		}
	}
	// On the new scale: target P(θ; new), moving P(θ; base → new), with
	// z = D·a_b·(A·θ + B − b_b), ∂z/∂A = D·a_b·θ, ∂z/∂B = D·a_b.
	inv := t.Inverse()
	onNew := func() {
		for q, th := range o.New.Nodes {
			w := o.New.Weights[q]
			var tNew, tMove, dA, dB float64
			for _, c := range items {
				base, nw := d(c.Base), d(c.New)
				pn := nw.Prob(th)
				moved := inv.Item(base)
				pm := moved.Prob(th)
				slope := base.D * base.A
				dz := (1 - base.C) * logisticSlope(moved, th)
				zA, zB := slope*th, slope
				if test {
					tNew += pn
					tMove += pm
					dA += dz * zA
					dB += dz * zB
					continue
				}
				r := pn - pm
				v += w * r * r
				g[0] += -2 * w * r * dz * zA
				g[1] += -2 * w * r * dz * zB
			}
			if test {
				r := tNew - tMove
				v += w * r * r
				g[0] += -2 * w * r * dA
				g[1] += -2 * w * r * dB
			}
		}
	}
	if o.Symmetry != OnNew {
		old()
	}
	if o.Symmetry != OnOld {
		onNew()
	}
	return v, g
}

// logisticSlope is ψ(1 − ψ) for the logistic part ψ of p at θ:
// ∂P/∂z = (1 − c)·ψ(1 − ψ).
func logisticSlope(p irt.ThreePL, theta float64) float64 {
	psi := (p.Prob(theta) - p.C) / (1 - p.C)
	return psi * (1 - psi)
}
