package reports

import (
	"cmp"
	"math"
	"slices"

	"github.com/passportirt/passport/irt"
)

// PersonFit is one examinee's fit to the model, at the examinee's
// weighted likelihood estimate θ̂ (Warm 1989), from the items answered.
type PersonFit struct {
	Examinee string `csv:"examinee" json:"examinee"`
	Form     string `csv:"form" json:"form"`
	N        int    `csv:"n" json:"n"`     // items answered
	Raw      int    `csv:"raw" json:"raw"` // number right
	Theta    Num    `csv:"theta" json:"theta"`
	SE       Num    `csv:"se" json:"se"`
	// Lz is Snijders's (2001) l_z*, the standardised log-likelihood of
	// the pattern corrected for the estimation of θ: with P_i, P′_i, P″_i
	// the response function and its derivatives at θ̂, Q_i = 1 − P_i,
	// w_i = ln(P_i/Q_i) and r_i = P′_i/(P_i·Q_i),
	//
	//	W = Σ(x_i − P_i)·w_i           (the log-likelihood less its mean)
	//	I = ΣP′_i·r_i                  (the test information)
	//	c = ΣP′_i·w_i / I,  w̃_i = w_i − c·r_i
	//	τ² = Σw̃_i²·P_i·Q_i
	//	l_z* = (W + c·r_0)/τ,
	//
	// where r_0 = J/(2I), J = ΣP′_i·P″_i/(P_i·Q_i), is the
	// term the weighted likelihood adds to the ML estimating equation
	// (Snijders 2001, eq. 9; Magis, Raîche & Béland 2012). Asymptotically
	// N(0, 1) when the model holds; large negative values mark aberrant
	// patterns. NaN for an examinee without a finite θ̂ or with fewer than
	// two items.
	Lz Num `csv:"lz_star" json:"lz_star"`
	// Infit and Outfit are the examinee's mean squares over the items
	// answered (Wright & Masters 1982), with their standardised z.
	Infit   Num   `csv:"infit" json:"infit"`
	InfitZ  Num   `csv:"infit_z" json:"infit_z"`
	Outfit  Num   `csv:"outfit" json:"outfit"`
	OutfitZ Num   `csv:"outfit_z" json:"outfit_z"`
	Flags   Flags `csv:"flags" json:"flags"`
}

// LzStar returns Snijders's l_z* (see PersonFit.Lz) of the responses
// resp (0/1) to items at the weighted likelihood estimate theta. It is
// NaN when fewer than two items carry information at theta.
func LzStar(items []irt.ThreePL, resp []uint8, theta float64) float64 {
	var w0, pw, info, j float64
	type term struct{ p, q, d, w, r float64 }
	ts := make([]term, 0, len(items))
	for k, it := range items {
		p, q := it.PQ(theta)
		if p <= 0 || q <= 0 {
			continue
		}
		d, d2 := it.DProb(theta), it.D2Prob(theta)
		t := term{p: p, q: q, d: d, w: math.Log(p / q), r: d / (p * q)}
		ts = append(ts, t)
		w0 += (float64(resp[k]) - p) * t.w
		pw += d * t.w
		info += d * t.r
		j += d * d2 / (p * q)
	}
	if len(ts) < 2 || info <= 0 {
		return math.NaN()
	}
	c := pw / info
	var tau2 float64
	for _, t := range ts {
		wt := t.w - c*t.r
		tau2 += wt * wt * t.p * t.q
	}
	if tau2 <= 0 {
		return math.NaN()
	}
	r0 := j / (2 * info)
	return (w0 + c*r0) / math.Sqrt(tau2)
}

// DefaultLzCut is the l_z* below which an examinee is flagged by
// default: −1.645, the standard normal's lower 5 % point.
const DefaultLzCut = -1.645

// PersonFitOptions control PersonFits. A zero field takes the default.
type PersonFitOptions struct {
	// LzCut flags an examinee whose l_z* is below it; default
	// DefaultLzCut.
	LzCut float64
	// The mean-square band and z cut of FitOptions, applied to persons.
	Fit FitOptions
}

// PersonFits computes every examinee's fit at the examinee's WLE under
// params (one per item of r): l_z*, infit and outfit, and flags (l_z*
// below the cut; a mean square out of its band with a significant z).
func PersonFits(r *irt.Responses, params []irt.ThreePL, o PersonFitOptions) ([]PersonFit, error) {
	if o.LzCut == 0 {
		o.LzCut = DefaultLzCut
	}
	o.Fit.defaults()
	est, err := irt.ScoreResponses(r, params, irt.MethodWLE, irt.ScoreOptions{})
	if err != nil {
		return nil, err
	}
	out := make([]PersonFit, r.NExaminees())
	var items []irt.ThreePL
	var resp []uint8
	for p := range r.NExaminees() {
		e := est[p]
		f := PersonFit{N: e.N, Raw: e.Raw, Theta: Num(e.Theta), SE: Num(e.SE), Lz: Num(math.NaN())}
		if r.Examinees != nil {
			f.Examinee = r.Examinees[p]
		}
		if r.Form != nil {
			f.Form = r.Forms[r.Form[p]]
		}
		items, resp = items[:0], resp[:0]
		var ms meanSquares
		for k := r.Start[p]; k < r.Start[p+1]; k++ {
			it := params[r.Item[k]]
			items = append(items, it)
			resp = append(resp, r.Score[k])
			if !math.IsNaN(e.Theta) {
				ms.add(r.Score[k], it.Prob(e.Theta))
			}
		}
		if !math.IsNaN(e.Theta) && !e.AtBound {
			f.Lz = Num(LzStar(items, resp, e.Theta))
		}
		in, inZ := ms.infit()
		ou, ouZ := ms.outfit()
		f.Infit, f.InfitZ, f.Outfit, f.OutfitZ = Num(in), Num(inZ), Num(ou), Num(ouZ)
		if f.Lz.Defined() && float64(f.Lz) < o.LzCut {
			f.Flags = append(f.Flags, FlagPersonMisfit)
		}
		if o.Fit.outside(f.Infit, f.InfitZ) {
			f.Flags = append(f.Flags, FlagInfit)
		}
		if o.Fit.outside(f.Outfit, f.OutfitZ) {
			f.Flags = append(f.Flags, FlagOutfit)
		}
		out[p] = f
	}
	return out, nil
}

// Separation is the separation and reliability of a set of measures —
// persons' θ̂ or items' b — as Winsteps reports them (Wright & Masters
// 1982, ch. 5; Linacre, Winsteps manual, "Reliability and separation of
// measures"): with the measures' observed variance SD² (population, over
// the N measures) and the mean of their error variances MSE = mean(SE²),
//
//	true variance  = SD² − MSE
//	RMSE           = √MSE
//	separation G   = √(true variance) / RMSE
//	reliability R  = true variance / SD² = G²/(1 + G²).
type Separation struct {
	Of          string `csv:"of" json:"of"` // persons or items
	N           int    `csv:"n" json:"n"`
	Mean        Num    `csv:"mean" json:"mean"`
	SD          Num    `csv:"sd" json:"sd"` // observed
	RMSE        Num    `csv:"rmse" json:"rmse"`
	TrueSD      Num    `csv:"true_sd" json:"true_sd"`
	Separation  Num    `csv:"separation" json:"separation"`
	Reliability Num    `csv:"reliability" json:"reliability"`
}

// SeparationOf computes the separation of measures x with standard errors
// se; pairs with a non-finite measure or SE are left out. The true
// variance is taken as 0 when the errors exceed the observed variance.
func SeparationOf(of string, x, se []float64) Separation {
	s := Separation{Of: of}
	var sum, sum2, mse float64
	for i := range x {
		if !Num(x[i]).Defined() || !Num(se[i]).Defined() {
			continue
		}
		s.N++
		sum += x[i]
		sum2 += x[i] * x[i]
		mse += se[i] * se[i]
	}
	if s.N == 0 {
		nan := Num(math.NaN())
		s.Mean, s.SD, s.RMSE, s.TrueSD, s.Separation, s.Reliability = nan, nan, nan, nan, nan, nan
		return s
	}
	n := float64(s.N)
	mean := sum / n
	obs := max(0, sum2/n-mean*mean)
	mse /= n
	tv := max(0, obs-mse)
	s.Mean, s.SD, s.RMSE, s.TrueSD = Num(mean), Num(math.Sqrt(obs)), Num(math.Sqrt(mse)), Num(math.Sqrt(tv))
	s.Separation = Num(math.Sqrt(tv) / math.Sqrt(mse))
	s.Reliability = Num(math.NaN())
	if obs > 0 {
		s.Reliability = Num(tv / obs)
	}
	return s
}

// ScoreCount is the number of examinees of a form with one number right.
type ScoreCount struct {
	Form      string `csv:"form" json:"form"`
	Items     int    `csv:"items" json:"items"` // items answered
	Raw       int    `csv:"raw" json:"raw"`
	Examinees int    `csv:"examinees" json:"examinees"`
	Percent   Num    `csv:"percent" json:"percent"` // of the form's examinees with that many items
}

// ScoreDistributions counts the examinees by form, number of items
// answered and number right, in that order.
func ScoreDistributions(r *irt.Responses) []ScoreCount {
	type key struct{ form, n, raw int }
	counts := map[key]int{}
	totals := map[[2]int]int{}
	for p := range r.NExaminees() {
		f := 0
		if r.Form != nil {
			f = int(r.Form[p])
		}
		raw := 0
		for k := r.Start[p]; k < r.Start[p+1]; k++ {
			raw += int(r.Score[k])
		}
		n := r.Start[p+1] - r.Start[p]
		if n == 0 {
			continue
		}
		counts[key{f, n, raw}]++
		totals[[2]int{f, n}]++
	}
	keys := make([]key, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.form, b.form), cmp.Compare(a.n, b.n), cmp.Compare(a.raw, b.raw))
	})
	out := make([]ScoreCount, len(keys))
	for i, k := range keys {
		form := ""
		if r.Forms != nil {
			form = r.Forms[k.form]
		}
		c := counts[k]
		out[i] = ScoreCount{Form: form, Items: k.n, Raw: k.raw, Examinees: c, Percent: Num(100 * float64(c) / float64(totals[[2]int{k.form, k.n}]))}
	}
	return out
}
