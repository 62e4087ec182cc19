package dif

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/passportirt/passport/calibrate"
	"github.com/passportirt/passport/irt"
	"github.com/passportirt/passport/reports/fdr"
	"github.com/passportirt/passport/scale"
)

// LordChi2 is the outcome of Lord's χ² test (Lord 1980, §14.4) on the
// difficulties: the focal and the reference group are calibrated
// separately, each on its own N(0, 1) scale, the focal group's items are
// linked onto the reference group's scale (Stocking–Lord, through the
// items not flagged when purifying), and each item's difference of
// difficulties is tested,
//
//	χ² = (b_F − b_R)² / (SE²(b_F) + SE²(b_R))   on 1 df,
//
// b_F and its SE on the reference scale, the linking's own error left out
// (Lord's test for one parameter; the joint test of (a, b) needs the
// covariance of a and b, which the calibration does not keep).
type LordChi2 struct {
	Items []LordItem
	// Link is θ_ref = A·θ_focal + B; Anchors the items it used.
	Link     scale.Transform
	Anchors  []string
	Relinked bool // linked again without the items flagged
}

// LordItem is one item's row of Lord's χ²; the statistics are NaN and
// Note says why when the item was not tested.
type LordItem struct {
	ItemHead
	BRef    float64 `json:"b_ref"`
	SERef   float64 `json:"se_ref"`
	BFocal  float64 `json:"b_focal"` // on the reference group's scale
	SEFocal float64 `json:"se_focal"`
	Diff    float64 `json:"b_diff" table:"decimals=3"` // b_F − b_R: positive when the item is harder for the focal group
	ChiSq   float64 `json:"chi2"`
	P       float64 `json:"p"`
	PAdj    float64 `json:"p_adj"`
	DIF     bool    `json:"dif"` // significant after adjustment
	Note    string  `json:"note"`
}

// Lord computes Lord's χ² for every item of r (see LordChi2), with the
// groups' calibrations made with o.Calibration. heads name the items and
// count each group's examinees.
func Lord(r *irt.Responses, groups []Group, heads []ItemHead, o Options) (*LordChi2, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	co := o.Calibration
	co.Fixed, co.Progress, co.NoSE, co.EstimateLatent = nil, nil, false, false
	calib := func(g Group, name string) (scale.Run, []calibrate.ItemEstimate, error) {
		sub := rowsOf(r, groups, g)
		res, err := calibrate.Run(sub, co)
		if err != nil {
			return scale.Run{}, nil, fmt.Errorf("the %s group's calibration: %w", name, err)
		}
		run := scale.Run{Mean: res.LatentMean, SD: res.LatentSD}
		for i, it := range res.Items {
			if it.Excluded == "" {
				run.Items = append(run.Items, scale.RunItem{Code: r.Items[i].Code, Params: it.Params, SEA: it.SEA, SEB: it.SEB})
			}
		}
		return run, res.Items, nil
	}
	ref, refItems, err := calib(Reference, "reference")
	if err != nil {
		return nil, err
	}
	foc, focItems, err := calib(Focal, "focal")
	if err != nil {
		return nil, err
	}
	var small []string
	for i, h := range heads {
		if h.NRef < o.MinGroup || h.NFocal < o.MinGroup || refItems[i].Excluded != "" || focItems[i].Excluded != "" {
			small = append(small, h.Item)
		}
	}
	lo := scale.LinkOptions{Method: scale.ByStockingLord, Weights: scale.Normal, Points: 41, Min: -4, Max: 4, Symmetry: scale.OnBoth, Exclude: small}
	link := func() (*LordChi2, error) {
		l, err := scale.Link(foc, ref, lo)
		if err != nil {
			return nil, err
		}
		out := &LordChi2{Items: make([]LordItem, len(heads)), Link: l.Transform}
		for _, it := range l.Items {
			if it.Used {
				out.Anchors = append(out.Anchors, it.Code)
			}
		}
		pvals := make([]float64, len(heads))
		for i, h := range heads {
			nan := math.NaN()
			row := LordItem{ItemHead: h, BRef: nan, SERef: nan, BFocal: nan, SEFocal: nan, Diff: nan, ChiSq: nan, P: nan}
			pvals[i] = nan
			fr, ff := refItems[i], focItems[i]
			switch {
			case h.NRef < o.MinGroup || h.NFocal < o.MinGroup:
				row.Note = fmt.Sprintf("%d reference and %d focal examinees: fewer than %d", h.NRef, h.NFocal, o.MinGroup)
			case fr.Excluded != "":
				row.Note = "reference calibration: " + fr.Excluded
			case ff.Excluded != "":
				row.Note = "focal calibration: " + ff.Excluded
			default:
				row.BRef, row.SERef = fr.Params.B, fr.SEB
				row.BFocal = l.Transform.Item(ff.Params).B
				_, row.SEFocal = l.Transform.SE(ff.SEA, ff.SEB)
				row.Diff = row.BFocal - row.BRef
				v := row.SERef*row.SERef + row.SEFocal*row.SEFocal
				if !(v > 0) || math.IsNaN(v) {
					row.Note = "no standard error of b"
					break
				}
				row.ChiSq = row.Diff * row.Diff / v
				row.P = distuv.ChiSquared{K: 1}.Survival(row.ChiSq)
				pvals[i] = row.P
			}
			out.Items[i] = row
		}
		for i, p := range fdr.BH(pvals) {
			out.Items[i].PAdj = p
			out.Items[i].DIF = !math.IsNaN(p) && p < o.Alpha
		}
		return out, nil
	}
	out, err := link()
	if err != nil {
		return nil, err
	}
	if o.Purify {
		flagged := 0
		for _, it := range out.Items {
			if it.DIF {
				lo.Exclude = append(lo.Exclude, it.Item)
				flagged++
			}
		}
		if flagged > 0 {
			again, err := link()
			if err != nil {
				return nil, fmt.Errorf("linking again without the %d items flagged: %w", flagged, err)
			}
			again.Relinked = true
			out = again
		}
	}
	return out, nil
}

// rowsOf returns the examinees of r in group g, with their responses.
func rowsOf(r *irt.Responses, groups []Group, g Group) *irt.Responses {
	out := &irt.Responses{Items: r.Items, Forms: r.Forms, Start: []int{0}}
	for p := range r.NExaminees() {
		if groups[p] != g {
			continue
		}
		s, t := r.Start[p], r.Start[p+1]
		out.Item = append(out.Item, r.Item[s:t]...)
		out.Score = append(out.Score, r.Score[s:t]...)
		if r.Option != nil {
			out.Option = append(out.Option, r.Option[s:t]...)
		}
		if r.Examinees != nil {
			out.Examinees = append(out.Examinees, r.Examinees[p])
		}
		if r.Form != nil {
			out.Form = append(out.Form, r.Form[p])
		}
		if r.Weight != nil {
			out.Weight = append(out.Weight, r.Weight[p])
		}
		out.Start = append(out.Start, len(out.Item))
	}
	return out
}
