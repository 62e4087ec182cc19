package dif

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Class is a DIF class: "A" (negligible), "B" (slight to moderate) or
// "C" (moderate to large); Mantel–Haenszel classes carry the sign of Δ_MH,
// "+" when the item favours the focal group and "−" (written "-") when it
// favours the reference group. "" when not classified.
type Class string

// Flagged reports whether the class is B or C.
func (c Class) Flagged() bool { return c != "" && c[0] != 'A' }

// ETSClass classifies Δ_MH by the full rule of ETS (Zwick 2012, p. 2):
//
//	A  Δ not significantly different from 0 (significant false), or |Δ| < 1;
//	C  |Δ| ≥ 1.5 and |Δ| significantly greater than 1: (|Δ| − 1)/SE > z_.95
//	   (a one-sided test at the 5 % level);
//	B  otherwise,
//
// B and C signed by Δ. significant is the result of the test of Δ = 0
// (the Mantel–Haenszel χ²) at the analysis's level.
func ETSClass(delta, se float64, significant bool) Class {
	d := math.Abs(delta)
	if !significant || d < 1 || math.IsNaN(delta) {
		return "A"
	}
	sign := "+"
	if delta < 0 {
		sign = "-"
	}
	if d >= 1.5 && (d-1)/se > distuv.UnitNormal.Quantile(0.95) {
		return Class("C" + sign)
	}
	return Class("B" + sign)
}

// JodoinGierlClass classifies logistic-regression DIF by the difference
// of Nagelkerke's R² between the model with group and interaction and the
// model with the matching score alone (Jodoin & Gierl 2001): A when the
// 2-df test is not significant or ΔR² < 0.035, C when ΔR² > 0.070, B
// otherwise.
func JodoinGierlClass(dR2 float64, significant bool) Class {
	switch {
	case !significant || dR2 < 0.035 || math.IsNaN(dR2):
		return "A"
	case dR2 > 0.070:
		return "C"
	}
	return "B"
}
