package reports

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/passportirt/passport/irt"
	"github.com/passportirt/passport/reports/fdr"
)

// FitOptions control Fit. A zero field takes the default noted.
type FitOptions struct {
	// NPar is the number of estimated parameters of each item, taken off
	// S-X²'s degrees of freedom: 1 for the Rasch and 1PL models, 2 for the
	// 2PL, 3 for the 3PL, 0 for an anchor held fixed. Required.
	NPar []int
	// Mean and SD of the latent distribution: the weights of S-X² and the
	// prior of the ability estimates. Zero SD means N(0, 1).
	Mean, SD float64
	// Grid is the quadrature over θ; default irt.DefaultGrid().
	Grid irt.Quadrature
	// Method estimates θ for infit, outfit and Q3; default irt.MethodEAP
	// (as mirt's itemfit).
	Method irt.ScoreMethod
	// OmitAsMissing treats omitted responses as not administered; by
	// default they are wrong answers, as the calibration usually scored
	// them.
	OmitAsMissing bool
	// MinCell is the smallest expected count of an S-X² cell after
	// collapsing; default 1 (mirt's mincell).
	MinCell float64
	// Alpha is the level of the S-X² test after the Benjamini–Hochberg
	// adjustment; default 0.05.
	Alpha float64
	// MSLow, MSHigh bound the infit and outfit mean squares and ZCut their
	// absolute z: an item is flagged when its mean square is outside the
	// band and its z beyond the cut; default 0.7, 1.3 and 2.
	MSLow, MSHigh, ZCut float64
	// Q3Cut flags an item pair whose Q3 exceeds the form's mean Q3 by more;
	// default 0.2.
	Q3Cut float64
}

func (o *FitOptions) defaults() {
	if o.SD == 0 {
		o.Mean, o.SD = 0, 1
	}
	if len(o.Grid.Nodes) == 0 {
		o.Grid = irt.DefaultGrid()
	}
	if o.Method == "" {
		o.Method = irt.MethodEAP
	}
	if o.MinCell == 0 {
		o.MinCell = 1
	}
	if o.Alpha == 0 {
		o.Alpha = 0.05
	}
	if o.MSLow == 0 && o.MSHigh == 0 {
		o.MSLow, o.MSHigh = 0.7, 1.3
	}
	if o.ZCut == 0 {
		o.ZCut = 2
	}
	if o.Q3Cut == 0 {
		o.Q3Cut = 0.2
	}
}

// ItemFit is one item's fit to the calibrated model.
type ItemFit struct {
	Item   string `csv:"item" json:"item"`
	Domain string `csv:"domain" json:"domain"`
	N      int    `csv:"n" json:"n"` // responses
	// SX2 is Orlando and Thissen's S-X² over NSX2 examinees (the others
	// were in tables too sparse to test), with DF degrees of freedom, its
	// p-value P and PAdj adjusted across items (Benjamini & Hochberg 1995).
	SX2  Num `csv:"s_x2" json:"s_x2"`
	DF   int `csv:"df" json:"df"`
	P    Num `csv:"p" json:"p"`
	PAdj Num `csv:"p_adj" json:"p_adj"`
	NSX2 int `csv:"n_sx2" json:"n_sx2"`
	// Infit and Outfit are the mean squares (Wright & Masters 1982), each
	// with its standardised z.
	Infit   Num   `csv:"infit" json:"infit"`
	InfitZ  Num   `csv:"infit_z" json:"infit_z"`
	Outfit  Num   `csv:"outfit" json:"outfit"`
	OutfitZ Num   `csv:"outfit_z" json:"outfit_z"`
	Flags   Flags `csv:"flags" json:"flags"`
}

// FitResult is the fit of a calibration to the responses.
type FitResult struct {
	Items   []ItemFit // in the order of Responses.Items
	Q3      []FormQ3  // per form
	Q3Pairs []Q3Pair  // every pair of items on each form
	// Theta holds each examinee's ability estimate (FitOptions.Method),
	// NaN for an examinee without responses.
	Theta []irt.Estimate
	// Missing says how missing and omitted responses were handled, in a
	// sentence for the output.
	Missing string
	Options FitOptions // as used, defaults filled in
}

// Fit assesses the fit of items with parameters params (one per
// Responses.Items) to the responses r:
//
//   - S-X² (Orlando & Thissen 2000) on the summed scores, with the item's
//     model proportions from the Lord–Wingersky recursion without it,
//     cells collapsed as mirt collapses them, and p-values adjusted across
//     items for the false discovery rate (Benjamini & Hochberg 1995);
//   - infit and outfit mean squares and their z (Wright & Masters 1982) at
//     the examinees' ability estimates;
//   - Yen's (1984) Q3 for every pair of items on each form.
//
// The data may be incomplete: each examinee answers the items of a form,
// or any subset. S-X² compares each examinee with the model's expectation
// for the items that examinee answered: the examinees are grouped by the set
// of items answered (a form), each set gets its own summed-score tables, and
// an item's tables from all its sets are stacked — S-X² sums their cells and
// its degrees of freedom are their cells less their rows less the item's
// parameters. Infit, outfit and Q3 use the responses given. Items are
// flagged FlagMisfit (adjusted p below Alpha), FlagInfit and FlagOutfit
// (mean square outside [MSLow, MSHigh] with |z| ≥ ZCut) and
// FlagLocalDependence (in a flagged Q3 pair).
func Fit(r *irt.Responses, params []irt.ThreePL, o FitOptions) (*FitResult, error) {
	if err := check(r); err != nil {
		return nil, err
	}
	if len(params) != len(r.Items) || len(o.NPar) != len(r.Items) {
		return nil, fmt.Errorf("reports: %d item parameters and %d parameter counts for %d items", len(params), len(o.NPar), len(r.Items))
	}
	o.defaults()
	omits := 0
	for _, opt := range r.Option {
		if opt == irt.Omitted {
			omits++
		}
	}
	if o.OmitAsMissing {
		r = WithoutOmits(r)
	}
	res := &FitResult{Missing: missingNote(r, omits, o.OmitAsMissing), Options: o}
	q := irt.Quadrature{Nodes: o.Grid.Nodes, Weights: make([]float64, len(o.Grid.Nodes))}
	q.SetNormalWeights(o.Mean, o.SD)

	data := r
	est, err := irt.ScoreResponses(data, params, o.Method, irt.ScoreOptions{Mean: o.Mean, SD: o.SD, Grid: q})
	if err != nil {
		return nil, err
	}
	theta := make([]float64, len(est))
	res.Theta = make([]irt.Estimate, len(est))
	for p, e := range est {
		theta[p], res.Theta[p] = e.Theta, e.Estimate
	}

	sx2 := itemSX2(sx2Sets(r, params, q), len(r.Items), o.MinCell)
	ms := itemMeanSquares(r, params, theta)
	res.Q3, res.Q3Pairs = formQ3(r, params, theta, o.Q3Cut)
	dependent := map[string]bool{}
	for _, pr := range res.Q3Pairs {
		if pr.Flagged {
			dependent[pr.ItemA], dependent[pr.ItemB] = true, true
		}
	}

	pvals := make([]float64, len(r.Items))
	res.Items = make([]ItemFit, len(r.Items))
	for i, it := range r.Items {
		f := ItemFit{Item: it.Code, Domain: it.Domain, N: int(ms[i].n), NSX2: sx2[i].n, SX2: Num(math.NaN()), P: Num(math.NaN())}
		pvals[i] = math.NaN()
		if df := sx2[i].df - o.NPar[i]; sx2[i].n > 0 && df > 0 {
			f.SX2, f.DF = Num(sx2[i].x2), df
			pvals[i] = distuv.ChiSquared{K: float64(df)}.Survival(sx2[i].x2)
			f.P = Num(pvals[i])
		}
		in, inZ := ms[i].infit()
		out, outZ := ms[i].outfit()
		f.Infit, f.InfitZ, f.Outfit, f.OutfitZ = Num(in), Num(inZ), Num(out), Num(outZ)
		res.Items[i] = f
	}
	for i, p := range fdr.BH(pvals) {
		f := &res.Items[i]
		f.PAdj = Num(p)
		if f.PAdj.Defined() && p < o.Alpha {
			f.Flags = append(f.Flags, FlagMisfit)
		}
		if o.outside(f.Infit, f.InfitZ) {
			f.Flags = append(f.Flags, FlagInfit)
		}
		if o.outside(f.Outfit, f.OutfitZ) {
			f.Flags = append(f.Flags, FlagOutfit)
		}
		if dependent[f.Item] {
			f.Flags = append(f.Flags, FlagLocalDependence)
		}
	}
	return res, nil
}

// outside reports whether an item misfits by a mean square: the mean
// square outside [MSLow, MSHigh] and its z significant (|z| ≥ ZCut), as
// Winsteps reads them (Linacre, Winsteps manual, "Misfit diagnosis";
// Smith, Schumacker & Bush 1998, Journal of Outcome Measurement 2, 66–78).
// Either alone misleads: with thousands of responses an item whose mean
// square is 0.96 has |z| > 2, and with a few dozen a mean square of 1.4 is
// noise. (Measured on the demo's simulated year, which fits the model by
// construction: "either" flags 131 of 299 items, "both" flags 0.)
// An undefined z (too few responses) leaves the mean square to decide.
func (o *FitOptions) outside(ms, z Num) bool {
	out := ms.Defined() && (float64(ms) < o.MSLow || float64(ms) > o.MSHigh)
	return out && (!z.Defined() || math.Abs(float64(z)) >= o.ZCut)
}

// missingNote describes how Fit handles the data's missing responses and
// its omits (omitted responses, already removed from r when omitAsMissing).
func missingNote(r *irt.Responses, omits int, omitAsMissing bool) string {
	key, sets := r.ItemSets()
	empty := 0
	for _, k := range key {
		if k < 0 {
			empty++
		}
	}
	var s string
	if len(sets) == 1 && len(sets[0]) == len(r.Items) {
		s = fmt.Sprintf("Complete data: all %d examinees answered the same %d items, so S-X² is Orlando and Thissen's on one summed-score table per item.",
			r.NExaminees()-empty, len(r.Items))
	} else {
		s = fmt.Sprintf("Incomplete data: the %d examinees answered %d distinct item sets (forms) of the %d items. "+
			"Items not administered are missing, not wrong: each examinee's summed score is over the items answered, "+
			"and S-X² compares it with the Lord–Wingersky expectation for that item set; "+
			"an item's tables from each set are collapsed separately and stacked "+
			"(S-X² sums their cells; df = cells − rows − estimated parameters), "+
			"and a set whose table cannot reach the minimum expected count is left out of the item's S-X². "+
			"Infit, outfit and Q3 use the responses given, at each examinee's ability estimate.",
			r.NExaminees()-empty, len(sets), len(r.Items))
	}
	switch {
	case omits == 0:
	case omitAsMissing:
		s += fmt.Sprintf(" The %d omitted responses (presented, not answered) were treated as not administered.", omits)
	default:
		s += fmt.Sprintf(" The %d omitted responses (presented, not answered) were scored wrong.", omits)
	}
	return s
}
