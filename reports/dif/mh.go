package dif

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Table is one stratum's 2×2 table of an item: the numbers of right and
// wrong answers in the reference and the focal group (counts, or sums of
// weights).
type Table struct {
	RefRight, RefWrong, FocalRight, FocalWrong float64
}

// n returns the stratum's size.
func (t Table) n() float64 { return t.RefRight + t.RefWrong + t.FocalRight + t.FocalWrong }

// informative reports whether the stratum compares the groups: both are
// present.
func (t Table) informative() bool {
	return t.RefRight+t.RefWrong > 0 && t.FocalRight+t.FocalWrong > 0
}

// MH is the Mantel–Haenszel DIF statistics of one item over its strata.
type MH struct {
	// Alpha is the common odds ratio (Mantel & Haenszel 1959), the
	// reference group's odds of a right answer over the focal group's,
	// with A_k, B_k the reference group's right and wrong answers in
	// stratum k, C_k, D_k the focal group's and N_k the stratum's size:
	//
	//	α_MH = Σ A_k·D_k/N_k / Σ B_k·C_k/N_k.
	//
	// Above 1 the item favours the reference group.
	Alpha float64
	// VarLogAlpha is the Robins–Breslow–Greenland (1986, eq. 12) variance
	// of ln α_MH: with P_k = (A_k + D_k)/N_k, Q_k = (B_k + C_k)/N_k,
	// R_k = A_k·D_k/N_k, S_k = B_k·C_k/N_k, R = ΣR_k, S = ΣS_k,
	//
	//	Var = ΣP_k·R_k/(2R²) + Σ(P_k·S_k + Q_k·R_k)/(2R·S) + ΣQ_k·S_k/(2S²).
	VarLogAlpha float64
	// Lo and Hi bound the 95 % confidence interval of α_MH,
	// exp(ln α_MH ∓ z_.975·√Var).
	Lo, Hi float64
	// Delta is Holland and Thayer's (1988) Δ_MH = −2.35 ln α_MH on the
	// ETS delta scale, negative when the item favours the reference
	// group, and DeltaSE its standard error 2.35·√Var.
	Delta, DeltaSE float64
	// ChiSq is the Cochran–Mantel–Haenszel statistic on 1 degree of
	// freedom, with E(A_k) = n_Rk·m_1k/N_k and
	// Var(A_k) = n_Rk·n_Fk·m_1k·m_0k/(N_k²(N_k − 1)) (n the groups' and
	// m the right and wrong answers' margins):
	//
	//	χ² = (|ΣA_k − ΣE(A_k)|)² / ΣVar(A_k),
	//
	// and ChiSqCC the same with the continuity correction, the absolute
	// difference less ½ (Holland & Thayer 1988); P and PCC their p-values.
	ChiSq, P, ChiSqCC, PCC float64
	// NRef and NFocal are the examinees of each group in the strata that
	// hold both groups; Strata is the number of such strata.
	NRef, NFocal float64
	Strata       int
}

// ErrNoComparison is returned when no stratum holds both groups.
var ErrNoComparison = errors.New("no score stratum holds both groups")

// MantelHaenszel computes the Mantel–Haenszel statistics of an item from
// its tables, one per stratum of the matching score. Strata holding only
// one group carry no information and are skipped. It fails when no
// stratum compares the groups, or when the odds ratio is 0 or infinite
// (every informative stratum has no wrong answer in one group, or no
// right answer in the other).
func MantelHaenszel(tables []Table) (MH, error) {
	var m MH
	var r, s, prS, psqr, qs, sumA, sumE, sumV float64
	for _, t := range tables {
		if !t.informative() {
			continue
		}
		n := t.n()
		nR, nF := t.RefRight+t.RefWrong, t.FocalRight+t.FocalWrong
		m1, m0 := t.RefRight+t.FocalRight, t.RefWrong+t.FocalWrong
		rk, sk := t.RefRight*t.FocalWrong/n, t.RefWrong*t.FocalRight/n
		pk, qk := (t.RefRight+t.FocalWrong)/n, (t.RefWrong+t.FocalRight)/n
		r += rk
		s += sk
		prS += pk * rk
		psqr += pk*sk + qk*rk
		qs += qk * sk
		sumA += t.RefRight
		sumE += nR * m1 / n
		if n > 1 {
			sumV += nR * nF * m1 * m0 / (n * n * (n - 1))
		}
		m.NRef += nR
		m.NFocal += nF
		m.Strata++
	}
	if m.Strata == 0 {
		return MH{}, ErrNoComparison
	}
	if r == 0 || s == 0 {
		return MH{}, errors.New("the common odds ratio is 0 or infinite: in every comparable stratum one group answers all right or the other all wrong")
	}
	m.Alpha = r / s
	m.VarLogAlpha = prS/(2*r*r) + psqr/(2*r*s) + qs/(2*s*s)
	se := math.Sqrt(m.VarLogAlpha)
	z := distuv.UnitNormal.Quantile(0.975)
	m.Lo, m.Hi = math.Exp(math.Log(m.Alpha)-z*se), math.Exp(math.Log(m.Alpha)+z*se)
	m.Delta = -2.35 * math.Log(m.Alpha)
	m.DeltaSE = 2.35 * se
	m.ChiSq, m.P, m.ChiSqCC, m.PCC = math.NaN(), math.NaN(), math.NaN(), math.NaN()
	if sumV > 0 {
		d := math.Abs(sumA - sumE)
		m.ChiSq = d * d / sumV
		dc := max(0, d-0.5)
		m.ChiSqCC = dc * dc / sumV
		chi := distuv.ChiSquared{K: 1}
		m.P, m.PCC = chi.Survival(m.ChiSq), chi.Survival(m.ChiSqCC)
	}
	return m, nil
}
