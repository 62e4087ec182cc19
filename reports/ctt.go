package reports

import (
	"github.com/passportirt/passport/irt"
	"math"
	"slices"
)

// AnalysisOptions control Analyze. A zero field takes the default noted.
type AnalysisOptions struct {
	// Groups is the number of ability groups of the distractor analysis,
	// formed by total score within form; default 5 (quintiles).
	Groups int
	// Easy and Hard flag items whose p-value is above Easy (default 0.90)
	// or below Hard (default 0.20), conventional screening bands for
	// multiple-choice items (Crocker & Algina 1986, ch. 14).
	Easy, Hard float64
	// OmitAsMissing leaves omitted responses out as not administered;
	// by default they count as wrong answers.
	OmitAsMissing bool
}

func (o *AnalysisOptions) defaults() {
	if o.Groups <= 0 {
		o.Groups = 5
	}
	if o.Easy == 0 {
		o.Easy = 0.90
	}
	if o.Hard == 0 {
		o.Hard = 0.20
	}
}

// ItemStats is one item's classical statistics.
type ItemStats struct {
	Item    string `csv:"item" json:"item"`
	Domain  string `csv:"domain" json:"domain"`
	Key     string `csv:"key" json:"key"`     // the keyed option's letter; "" when unkeyed
	Forms   int    `csv:"forms" json:"forms"` // forms whose examinees answered it
	N       int    `csv:"n" json:"n"`         // responses
	Omitted int    `csv:"omitted" json:"omitted"`
	// PValue is the proportion of responses scored right (omits count
	// wrong).
	PValue Num `csv:"p_value" json:"p_value"`
	// PointBiserial is the correlation of the item score with the total
	// score, the item included; ItemRest, the corrected item–total
	// correlation, leaves the item out of the total (the rest score). Both
	// are pooled within forms (see pooledCorr).
	PointBiserial Num `csv:"pbis" json:"pbis"`
	ItemRest      Num `csv:"r_it" json:"r_it"`
	// AlphaIfDeleted is coefficient alpha of the item's form without the
	// item; for an item on several forms, the mean over its forms weighted
	// by their complete cases (FormItems has each form's value).
	AlphaIfDeleted Num   `csv:"alpha_if_deleted" json:"alpha_if_deleted"`
	Flags          Flags `csv:"flags" json:"flags"`
}

// Analysis is the classical item analysis of a set of responses.
type Analysis struct {
	Items       []ItemStats     // one per item, in the order of Responses.Items
	Forms       []FormStats     // one per form
	FormItems   []FormItemStats // alpha-if-deleted per form and item
	Distractors []OptionStats   // per keyed item, one row per option and one for omits
	Options     AnalysisOptions // as used, defaults filled in
}

// itemAcc accumulates one item's responses.
type itemAcc struct {
	n, right, omitted int
	forms             map[int32]*itemFormAcc
	// Distractor analysis: responses with a recorded option, per group,
	// and choices per option (0 = omitted) and group.
	nGroup []int
	chose  [][]int
}

// itemFormAcc accumulates one item's responses on one form.
type itemFormAcc struct {
	total, rest moments // (score, total score), (score, rest score)
	// Over responses with a recorded option: their number and rest-score
	// sums, and per option the choices and the choosers' rest-score sum.
	nOpt, sRest, sRest2 float64
	count, sRestChose   [6]float64
}

// Analyze computes the classical item analysis of r: per item its p-value,
// point-biserial and corrected item–total correlations and alpha-if-
// deleted; per form coefficient alpha (Cronbach 1951); per keyed item its
// distractor analysis. Items are flagged FlagEasy, FlagHard, FlagNegative
// (corrected item–total correlation below zero) and FlagMiskey (see
// OptionStats).
func Analyze(r *irt.Responses, o AnalysisOptions) (*Analysis, error) {
	if err := check(r); err != nil {
		return nil, err
	}
	o.defaults()
	if o.OmitAsMissing {
		r = WithoutOmits(r)
	}
	tot := totals(r)
	group := abilityGroups(r, tot, o.Groups)
	acc := make([]itemAcc, len(r.Items))
	for i := range acc {
		acc[i].forms = map[int32]*itemFormAcc{}
		acc[i].nGroup = make([]int, o.Groups)
		acc[i].chose = make([][]int, r.Items[i].NOptions+1)
		for k := range acc[i].chose {
			acc[i].chose[k] = make([]int, o.Groups)
		}
	}
	for p := range r.NExaminees() {
		f := r.Form[p]
		for k := r.Start[p]; k < r.Start[p+1]; k++ {
			a := &acc[r.Item[k]]
			s := float64(r.Score[k])
			rest := float64(tot[p]) - s
			a.n++
			a.right += int(r.Score[k])
			fa := a.forms[f]
			if fa == nil {
				fa = &itemFormAcc{}
				a.forms[f] = fa
			}
			fa.total.add(s, float64(tot[p]))
			fa.rest.add(s, rest)
			opt := r.Option[k]
			if opt == irt.Omitted {
				a.omitted++
			}
			if opt == irt.ScoreOnly {
				continue
			}
			fa.nOpt++
			fa.sRest += rest
			fa.sRest2 += rest * rest
			fa.count[opt]++
			fa.sRestChose[opt] += rest
			a.nGroup[group[p]]++
			a.chose[opt][group[p]]++
		}
	}
	forms, formItems, alphaDel := formAlpha(r, tot)
	an := &Analysis{Forms: forms, FormItems: formItems, Options: o}
	for i, it := range r.Items {
		a := &acc[i]
		st := ItemStats{Item: it.Code, Domain: it.Domain, Forms: len(a.forms), N: a.n, Omitted: a.omitted,
			PValue: Num(math.NaN()), PointBiserial: Num(math.NaN()), ItemRest: Num(math.NaN()), AlphaIfDeleted: Num(alphaDel[i])}
		if it.Key > 0 {
			st.Key = optionName(int8(it.Key))
		}
		fs := a.sortedForms()
		if a.n > 0 {
			st.PValue = Num(float64(a.right) / float64(a.n))
			tm, rm := make([]*moments, len(fs)), make([]*moments, len(fs))
			for j, fa := range fs {
				tm[j], rm[j] = &fa.total, &fa.rest
			}
			st.PointBiserial, st.ItemRest = Num(pooledCorr(tm)), Num(pooledCorr(rm))
		}
		switch {
		case st.PValue.Defined() && float64(st.PValue) > o.Easy:
			st.Flags = append(st.Flags, FlagEasy)
		case st.PValue.Defined() && float64(st.PValue) < o.Hard:
			st.Flags = append(st.Flags, FlagHard)
		}
		if st.ItemRest.Defined() && st.ItemRest < 0 {
			st.Flags = append(st.Flags, FlagNegative)
		}
		if it.Key > 0 {
			opts := distractors(it, a, fs)
			if miskeyed(opts) {
				st.Flags = append(st.Flags, FlagMiskey)
			}
			an.Distractors = append(an.Distractors, opts...)
		}
		an.Items = append(an.Items, st)
	}
	return an, nil
}

// sortedForms returns the item's per-form accumulators in form order, so
// that sums are taken in the same order on every run.
func (a *itemAcc) sortedForms() []*itemFormAcc {
	keys := make([]int32, 0, len(a.forms))
	for f := range a.forms {
		keys = append(keys, f)
	}
	slices.Sort(keys)
	out := make([]*itemFormAcc, len(keys))
	for j, f := range keys {
		out[j] = a.forms[f]
	}
	return out
}

// abilityGroups assigns each examinee to one of g groups by total score
// within form: an examinee whose score has mid-rank q (the share of the
// form's examinees scoring lower plus half of those scoring the same) is in
// group ⌊g·q⌋, so that examinees with equal scores share a group and the
// groups are as equal in size as the ties allow. Group 0 is the lowest.
func abilityGroups(r *irt.Responses, tot []int, g int) []int {
	counts := make([][]int, len(r.Forms))
	for p, f := range r.Form {
		if counts[f] == nil {
			counts[f] = make([]int, len(r.Items)+1)
		}
		counts[f][tot[p]]++
	}
	// below[f][s]: examinees of form f scoring less than s.
	below := make([][]int, len(counts))
	size := make([]int, len(counts))
	for f, c := range counts {
		below[f] = make([]int, len(c))
		for s := range c {
			below[f][s] = size[f]
			size[f] += c[s]
		}
	}
	out := make([]int, len(tot))
	for p, f := range r.Form {
		s := tot[p]
		q := (float64(below[f][s]) + float64(counts[f][s])/2) / float64(size[f])
		out[p] = min(g-1, int(float64(g)*q))
	}
	return out
}
