package reports

import (
	"math"

	"github.com/passportirt/passport/irt"
)

// OptionStats is one option of a keyed item in the distractor analysis,
// over the responses whose option was recorded.
type OptionStats struct {
	Item   string `csv:"item" json:"item"`
	Option string `csv:"option" json:"option"` // A–E, or "omit"
	Key    bool   `csv:"key" json:"key"`
	N      int    `csv:"n" json:"n"`         // examinees who chose it
	Share  Num    `csv:"share" json:"share"` // the share who chose it
	// PointBiserial is the correlation of choosing the option (1, else 0)
	// with the rest score (the total without this item, so that the key's
	// own point does not count in its favour), pooled within forms.
	PointBiserial Num `csv:"pbis" json:"pbis"`
	// ByGroup is the share choosing it in each ability group (total score
	// within form; AnalysisOptions.Groups), lowest group first.
	ByGroup Nums `csv:"share_by_group" json:"share_by_group"`
}

// optionName is an option's letter, or "omit" for irt.Omitted.
func optionName(o int8) string {
	if o == irt.Omitted {
		return "omit"
	}
	return string(rune('A' + o - 1))
}

// distractors returns the rows of item it: its options A, B, … then omits.
func distractors(it irt.ItemInfo, a *itemAcc, fs []*itemFormAcc) []OptionStats {
	var n int
	for _, c := range a.nGroup {
		n += c
	}
	rows := make([]OptionStats, 0, it.NOptions+1)
	order := make([]int8, 0, it.NOptions+1)
	for o := 1; o <= it.NOptions; o++ {
		order = append(order, int8(o))
	}
	for _, o := range append(order, irt.Omitted) {
		row := OptionStats{Item: it.Code, Option: optionName(o), Key: int(o) == it.Key, Share: Num(math.NaN()), PointBiserial: Num(math.NaN())}
		ms := make([]*moments, len(fs))
		for j, fa := range fs {
			row.N += int(fa.count[o])
			ms[j] = &moments{n: fa.nOpt, sx: fa.count[o], sxx: fa.count[o], sy: fa.sRest, syy: fa.sRest2, sxy: fa.sRestChose[o]}
		}
		if n > 0 {
			row.Share = Num(float64(row.N) / float64(n))
			row.PointBiserial = Num(pooledCorr(ms))
		}
		row.ByGroup = make(Nums, len(a.nGroup))
		for g, ng := range a.nGroup {
			row.ByGroup[g] = Num(float64(a.chose[o][g]) / float64(ng)) // NaN for an empty group
		}
		rows = append(rows, row)
	}
	return rows
}

// miskeyed applies the miskey rule to an item's option rows: a distractor
// whose point-biserial with the rest score is positive and above the key's
// — the examinees who do well on the rest of the test favour it over the
// key — marks a probable miskey (or an item with two defensible answers).
// A key that nobody (or everybody) chose has no point-biserial, and any
// distractor with a positive one then outdoes it.
func miskeyed(rows []OptionStats) bool {
	key := math.Inf(-1)
	for _, r := range rows {
		if r.Key && r.PointBiserial.Defined() {
			key = float64(r.PointBiserial)
		}
	}
	for _, r := range rows {
		if !r.Key && r.Option != "omit" && r.PointBiserial.Defined() && r.PointBiserial > 0 && float64(r.PointBiserial) > key {
			return true
		}
	}
	return false
}
