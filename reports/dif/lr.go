package dif

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// LR is the logistic-regression DIF of one item (Swaminathan & Rogers
// 1990; Zumbo 1999): three nested models of the probability of a right
// answer given the matching score X and the group G (1 focal, 0
// reference),
//
//	M1: logit p = β0 + β1·X
//	M2: logit p = β0 + β1·X + β2·G
//	M3: logit p = β0 + β1·X + β2·G + β3·X·G,
//
// compared by likelihood-ratio tests: M2 against M1 for uniform DIF (1
// df), M3 against M2 for non-uniform DIF (1 df), and M3 against M1 for
// both (2 df), each χ² = 2(ℓ_larger − ℓ_smaller).
type LR struct {
	LogLik [3]float64 // ℓ of M1, M2, M3
	// R2 holds Nagelkerke's (1991) R² of M1, M2, M3: with ℓ0 the
	// log-likelihood of the intercept alone and n the number of
	// examinees,
	//
	//	R² = (1 − exp(2(ℓ0 − ℓ)/n)) / (1 − exp(2ℓ0/n)).
	R2 [3]float64
	// Uniform (M2 − M1), NonUniform (M3 − M2) and ChiSq (M3 − M1, 2 df),
	// with their p-values and the differences of R² (DR2 is M3's less
	// M1's, the effect size of Jodoin & Gierl 2001).
	Uniform, PUniform, DR2Uniform          float64
	NonUniform, PNonUniform, DR2NonUniform float64
	ChiSq, P, DR2                          float64
	// Group is β2 of M2: the focal group's log-odds of a right answer
	// less the reference group's at equal matching score, negative when
	// the item favours the reference group; Delta is it on the ETS delta
	// scale, 2.35·β2, comparable with Δ_MH (Monahan, McHorney, Stump &
	// Perkins 2007: the common odds ratio of M2 is exp(−β2)).
	Group, Delta float64
	N            float64 // examinees (sum of weights)
}

// Logistic fits the three models of LR to one item: x the examinees'
// matching scores, focal their group, y their 0/1 answers and w their
// weights (nil: all 1). The matching score is standardised first, which
// changes neither the likelihoods nor the tests.
func Logistic(x []float64, focal []bool, y []uint8, w []float64) (LR, error) {
	n := len(y)
	if len(x) != n || len(focal) != n || (w != nil && len(w) != n) {
		return LR{}, errors.New("logistic DIF: scores, groups, answers and weights of different lengths")
	}
	var sw, sx, sxx, sy float64
	for i := range n {
		wi := weight(w, i)
		sw += wi
		sx += wi * x[i]
		sxx += wi * x[i] * x[i]
		sy += wi * float64(y[i])
	}
	if sw == 0 {
		return LR{}, errors.New("logistic DIF: no examinees")
	}
	mean := sx / sw
	sd := math.Sqrt(max(0, sxx/sw-mean*mean))
	if sd == 0 {
		return LR{}, errors.New("logistic DIF: the matching score does not vary")
	}
	if sy == 0 || sy == sw {
		return LR{}, errors.New("logistic DIF: every answer is right, or every answer wrong")
	}
	// Examinees alike in score, group and answer are one row weighted by
	// their number: the same likelihood, a few hundred rows at most.
	type cell struct {
		x     float64
		focal bool
		y     uint8
	}
	index := map[cell]int{}
	var cw []float64
	var cy []uint8
	var design []float64
	for i := range n {
		c := cell{x[i], focal[i], y[i]}
		j, ok := index[c]
		if !ok {
			j = len(cw)
			index[c] = j
			z, g := (x[i]-mean)/sd, 0.0
			if focal[i] {
				g = 1
			}
			design = append(design, 1, z, g, z*g)
			cw, cy = append(cw, 0), append(cy, y[i])
		}
		cw[j] += weight(w, i)
	}
	n, y, w = len(cw), cy, cw
	var m LR
	m.N = sw
	pbar := sy / sw
	ll0 := sy*math.Log(pbar) + (sw-sy)*math.Log(1-pbar)
	for j, k := range []int{2, 3, 4} {
		// The first k columns of each row are M(j+1)'s design.
		sub := make([]float64, k*n)
		for i := range n {
			copy(sub[k*i:k*(i+1)], design[4*i:4*i+k])
		}
		f, err := fitLogistic(sub, k, y, w)
		if err != nil {
			return LR{}, err
		}
		m.LogLik[j] = f.LogLik
		m.R2[j] = (1 - math.Exp(2*(ll0-f.LogLik)/sw)) / (1 - math.Exp(2*ll0/sw))
		if j == 1 {
			m.Group, m.Delta = f.Beta[2], 2.35*f.Beta[2]
		}
	}
	chi1, chi2 := distuv.ChiSquared{K: 1}, distuv.ChiSquared{K: 2}
	m.Uniform = max(0, 2*(m.LogLik[1]-m.LogLik[0]))
	m.NonUniform = max(0, 2*(m.LogLik[2]-m.LogLik[1]))
	m.ChiSq = max(0, 2*(m.LogLik[2]-m.LogLik[0]))
	m.PUniform, m.PNonUniform, m.P = chi1.Survival(m.Uniform), chi1.Survival(m.NonUniform), chi2.Survival(m.ChiSq)
	m.DR2Uniform, m.DR2NonUniform, m.DR2 = m.R2[1]-m.R2[0], m.R2[2]-m.R2[1], m.R2[2]-m.R2[0]
	return m, nil
}
