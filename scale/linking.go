// Package scale puts calibrations and scores on one reporting scale:
// linking constants between IRT scales (mean/mean, mean/sigma, Haebara,
// Stocking–Lord) with anchor-drift checks, and the whole linking procedure
// of one run onto another (Link); the linear θ → passport transformation,
// raw-to-scale conversion tables with conditional standard errors, and IRT
// true-score and observed-score equating (Equate) in a population. It
// works on plain values; storage is the bank's.
package scale

import (
	"errors"
	"fmt"
	"math"

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

// SE maps the standard errors of a and b to the base scale, A and B taken
// as known: se(a*) = se(a)/A, se(b*) = A·se(b).
func (t Transform) SE(seA, seB float64) (float64, float64) { return seA / t.A, t.A * seB }

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

// check returns s, OnOld for "", or an error for an unknown symmetry.
func (s Symmetry) check() (Symmetry, error) {
	switch s {
	case "":
		return OnOld, nil
	case OnOld, OnNew, OnBoth:
		return s, nil
	}
	return "", fmt.Errorf("symmetry %q: expected old, new or both", s)
}

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

func curveLink(items []CommonItem, o CurveOptions, test bool) (Transform, Fit, error) {
	if err := checkCommon(items, 2); err != nil {
		return Transform{}, Fit{}, err
	}
	var err error
	if o.Symmetry, err = o.Symmetry.check(); err != nil {
		return Transform{}, Fit{}, err
	}
	if (o.Symmetry != OnNew && len(o.Old.Nodes) == 0) || (o.Symmetry != OnOld && len(o.New.Nodes) == 0) {
		return Transform{}, Fit{}, errors.New("the criterion needs a θ grid on each scale it is taken on")
	}
	start, err := MeanSigma(items)
	if err != nil || !(start.A > 0) {
		start = Identity
	}
	t, iters := levenbergMarquardt(items, o, start, test)
	return t, Fit{Criterion: Criterion(items, o, t, test), Iterations: iters, Start: start}, nil
}

// levenbergMarquardt minimises the criterion, a sum of squared residuals in
// (A, B), by Gauss–Newton steps damped as Levenberg (1944) and Marquardt
// (1963) proposed: (JᵀJ + λ·diag(JᵀJ))·δ = −Jᵀr, λ shrinking after a step
// that lowers the criterion and growing after one that does not.
func levenbergMarquardt(items []CommonItem, o CurveOptions, t Transform, test bool) (Transform, int) {
	v, g, h := normalEquations(items, o, t, test)
	lambda := 1e-3
	iters := 0
	for iters < 200 {
		iters++
		a, b, c := h[0][0]*(1+lambda), h[0][1], h[1][1]*(1+lambda)
		det := a*c - b*b
		if !(det > 0) {
			lambda *= 10
			continue
		}
		dA, dB := -(c*g[0]-b*g[1])/det, -(a*g[1]-b*g[0])/det
		next := Transform{A: t.A + dA, B: t.B + dB}
		if next.A > 0 {
			if nv, ng, nh := normalEquations(items, o, next, test); nv <= v {
				done := math.Abs(dA) < 1e-12*math.Max(1, t.A) && math.Abs(dB) < 1e-12*math.Max(1, math.Abs(t.B))
				t, v, g, h = next, nv, ng, nh
				lambda = math.Max(lambda/10, 1e-12)
				if done || v == 0 {
					break
				}
				continue
			}
		}
		if lambda > 1e12 {
			break // no step lowers the criterion: t is the minimum to rounding
		}
		lambda *= 10
	}
	return t, iters
}

// Criterion evaluates a characteristic-curve criterion at t: the value
// Haebara (test = false) or StockingLord (test = true) minimise.
func Criterion(items []CommonItem, o CurveOptions, t Transform, test bool) float64 {
	v, _, _ := normalEquations(items, o, t, test)
	return v
}

// normalEquations returns the criterion Σr² at t, half its gradient Jᵀr and
// the Gauss–Newton matrix JᵀJ, over the residuals of residuals.
func normalEquations(items []CommonItem, o CurveOptions, t Transform, test bool) (v float64, g [2]float64, h [2][2]float64) {
	residuals(items, o, t, test, func(r, dA, dB float64) {
		v += r * r
		g[0] += r * dA
		g[1] += r * dB
		h[0][0] += dA * dA
		h[0][1] += dA * dB
		h[1][1] += dB * dB
	})
	h[1][0] = h[0][1]
	return
}

// residuals calls f with each residual r of the criterion at t and its
// derivatives in A and B: for Haebara one per θ point and item,
// √w·(P_target − P_moved); for Stocking–Lord one per θ point,
// √w·(T_target − T_moved). On the base scale the target is P(θ; base) and
// the moving curve P(θ; new → base), with z = D·a_n·(θ − B)/A − D·a_n·b_n,
// ∂z/∂A = −D·a_n·(θ − B)/A², ∂z/∂B = −D·a_n/A; on the new scale the target
// is P(θ; new) and the moving curve P(θ; base → new), with
// z = D·a_b·(A·θ + B − b_b), ∂z/∂A = D·a_b·θ, ∂z/∂B = D·a_b; and
// ∂P/∂z = (1 − c)·ψ(1 − ψ).
func residuals(items []CommonItem, o CurveOptions, t Transform, test bool, f func(r, dA, dB float64)) {
	d := func(p irt.ThreePL) irt.ThreePL {
		if o.D > 0 {
			p.D = o.D
		}
		return p
	}
	side := func(q irt.Quadrature, toBase bool) {
		for k, th := range q.Nodes {
			sw := math.Sqrt(q.Weights[k])
			var tTarget, tMove, sA, sB float64
			for _, c := range items {
				base, nw := d(c.Base), d(c.New)
				target, mover := nw, base
				var z, zA, zB float64
				if toBase {
					target, mover = base, nw
					slope := nw.D * nw.A
					z = slope*(th-t.B)/t.A - slope*nw.B
					zA, zB = -slope*(th-t.B)/(t.A*t.A), -slope/t.A
				} else {
					slope := base.D * base.A
					z = slope * (t.A*th + t.B - base.B)
					zA, zB = slope*th, slope
				}
				psi := irt.Logistic(z)
				pm := mover.C + (1-mover.C)*psi
				dz := (1 - mover.C) * psi * (1 - psi)
				pt := target.Prob(th)
				if test {
					tTarget += pt
					tMove += pm
					sA += dz * zA
					sB += dz * zB
					continue
				}
				f(sw*(pt-pm), -sw*dz*zA, -sw*dz*zB)
			}
			if test {
				f(sw*(tTarget-tMove), -sw*sA, -sw*sB)
			}
		}
	}
	if o.Symmetry != OnNew {
		side(o.Old, true)
	}
	if o.Symmetry != OnOld {
		side(o.New, false)
	}
}
