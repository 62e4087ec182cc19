package dif

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/passportirt/passport/calibrate"
	"github.com/passportirt/passport/irt"
	"github.com/passportirt/passport/reports/fdr"
)

// Group places an examinee in a DIF analysis.
type Group int8

// The groups.
const (
	Outside   Group = iota // in neither group: left out
	Reference              // the reference group
	Focal                  // the focal group
)

// Options control Analyze. A zero field takes the default noted.
type Options struct {
	// MH, LR and Lord choose the methods; none chosen means MH and LR.
	MH, LR, Lord bool
	// Purify refines the matching score: items flagged are dropped from
	// it (the studied item always stays in its own) and the statistics
	// computed again, until the flagged items no longer change or after
	// MaxPurify rounds; Lord's χ² links the groups again without them.
	Purify bool
	// Continuity takes the Mantel–Haenszel test of Δ = 0 (for the p-value
	// and the ETS class) with the continuity correction.
	Continuity bool
	// Alpha is the level of the tests after the Benjamini–Hochberg
	// adjustment across items; default 0.05.
	Alpha float64
	// MinGroup: an item that fewer examinees of either group answered
	// (in the strata that compare the groups, for Mantel–Haenszel) is not
	// tested; default 100 (Zwick 2012 reviews ETS's minimums: 100 focal,
	// 400 in all for Mantel–Haenszel in practice, with less power below).
	MinGroup int
	// Calibration holds the options of the two groups' calibrations for
	// Lord's χ² (model, D, priors, grid), the run's.
	Calibration calibrate.Options
}

// maxPurify bounds the rounds of purification.
const maxPurify = 10

func (o *Options) defaults() error {
	if !o.MH && !o.LR && !o.Lord {
		o.MH, o.LR = true, true
	}
	if o.Alpha == 0 {
		o.Alpha = 0.05
	}
	if o.MinGroup == 0 {
		o.MinGroup = 100
	}
	if !(o.Alpha > 0 && o.Alpha < 1) || o.MinGroup < 1 {
		return fmt.Errorf("alpha %g, minimum group %d: expected 0 < alpha < 1 and a positive minimum", o.Alpha, o.MinGroup)
	}
	return nil
}

// ItemHead names an item of a DIF table and counts the examinees of each
// group who answered it.
type ItemHead struct {
	Item   string `json:"item"`
	Domain string `json:"domain"`
	NRef   int    `json:"n_ref"`
	NFocal int    `json:"n_focal"`
}

// MHItem is one item's Mantel–Haenszel row; the statistics are NaN and
// Note says why when the item was not tested.
type MHItem struct {
	ItemHead
	Alpha   float64 `json:"alpha_mh"`
	Lo      float64 `json:"alpha_lo"`
	Hi      float64 `json:"alpha_hi"`
	Delta   float64 `json:"delta_mh" table:"decimals=3"`
	DeltaSE float64 `json:"delta_se" table:"decimals=3"`
	ChiSq   float64 `json:"chi2"`
	P       float64 `json:"p"`
	ChiSqCC float64 `json:"chi2_cc"`
	PCC     float64 `json:"p_cc"`
	// PAdj is the p-value of the test taken (P, or PCC with
	// Options.Continuity) adjusted across items.
	PAdj  float64 `json:"p_adj"`
	Class Class   `json:"class"`
	DIF   bool    `json:"dif"` // class B or C
	Note  string  `json:"note"`
}

// LRItem is one item's logistic-regression row (see LR).
type LRItem struct {
	ItemHead
	Uniform       float64 `json:"chi2_uniform"`
	PUniform      float64 `json:"p_uniform"`
	NonUniform    float64 `json:"chi2_nonuniform"`
	PNonUniform   float64 `json:"p_nonuniform"`
	ChiSq         float64 `json:"chi2"`
	P             float64 `json:"p"`
	PAdj          float64 `json:"p_adj"` // of the 2-df test, adjusted across items
	DR2Uniform    float64 `json:"dr2_uniform"`
	DR2NonUniform float64 `json:"dr2_nonuniform"`
	DR2           float64 `json:"dr2"`
	Group         float64 `json:"beta_group"`
	Delta         float64 `json:"delta_lr" table:"decimals=3"`
	Class         Class   `json:"class"`
	// DIF: the 2-df test significant after adjustment, and the DIF not
	// negligible: uniform DIF of |Δ_LR| ≥ 1, the ETS threshold of class
	// B (Monahan et al. 2007), or a Jodoin–Gierl class B or C. Matching
	// on the observed score, a large sample makes negligible differences
	// significant, notably under impact where a 2PL or 3PL item's slope
	// departs from the others'.
	DIF  bool   `json:"dif"`
	Note string `json:"note"`
}

// Summary is one item's DIF across the methods run (NaN or "" for a
// method not run).
type Summary struct {
	ItemHead
	MHDelta  float64 `json:"delta_mh" table:"decimals=3"`
	MHClass  Class   `json:"mh_class"`
	MHPAdj   float64 `json:"mh_p_adj"`
	LRDR2    float64 `json:"lr_dr2"`
	LRClass  Class   `json:"lr_class"`
	LRPAdj   float64 `json:"lr_p_adj"`
	LordDiff float64 `json:"lord_b_diff" table:"decimals=3"`
	LordPAdj float64 `json:"lord_p_adj"`
	DIF      bool    `json:"dif"` // flagged by any method run
}

// Result is the outcome of Analyze, items in the order of the responses'.
type Result struct {
	MH    []MHItem  // nil when not run
	LR    []LRItem  // nil when not run
	Lord  *LordChi2 // nil when not run
	Items []Summary // every method run, side by side
	// Matching lists the items of the final matching score, and Rounds
	// the rounds of purification taken (0 without).
	Matching []string
	Rounds   int
	NRef     int // examinees of each group
	NFocal   int
}

// Analyze screens every item of r for DIF between the examinees in the
// focal and reference groups (groups holds one Group per examinee). The
// matching score is an examinee's number right on the matching items (all
// of them, less those purification drops) that the examinee answered,
// the studied item always included (Holland & Thayer 1988); the
// Mantel–Haenszel strata are the pairs (form, score), so that examinees
// of different forms are never matched, and logistic regression takes the
// score standardised within form. Examinees who did not answer an item
// are not in its analysis.
func Analyze(r *irt.Responses, groups []Group, o Options) (*Result, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	if len(groups) != r.NExaminees() {
		return nil, fmt.Errorf("%d groups for %d examinees", len(groups), r.NExaminees())
	}
	res := &Result{}
	for _, g := range groups {
		switch g {
		case Reference:
			res.NRef++
		case Focal:
			res.NFocal++
		}
	}
	if res.NRef == 0 || res.NFocal == 0 {
		return nil, errors.New("the focal or the reference group has no examinees in the responses")
	}
	heads := make([]ItemHead, r.NItems())
	for i, it := range r.Items {
		heads[i] = ItemHead{Item: it.Code, Domain: it.Domain}
	}
	for p := range r.NExaminees() {
		for k := r.Start[p]; k < r.Start[p+1]; k++ {
			switch groups[p] {
			case Reference:
				heads[r.Item[k]].NRef++
			case Focal:
				heads[r.Item[k]].NFocal++
			}
		}
	}
	matching := make([]bool, r.NItems())
	for i := range matching {
		matching[i] = true
	}
	for {
		m := newMatch(r, groups, matching)
		if o.MH {
			res.MH = mhItems(m, heads, o)
		}
		if o.LR {
			res.LR = lrItems(m, heads, o)
		}
		flagged := make([]bool, r.NItems())
		for i := range flagged {
			flagged[i] = (o.MH && res.MH[i].DIF) || (!o.MH && o.LR && res.LR[i].DIF)
		}
		next := make([]bool, len(flagged))
		kept := 0
		for i, f := range flagged {
			next[i] = !f
			if !f {
				kept++
			}
		}
		if !o.Purify || !(o.MH || o.LR) || slices.Equal(next, matching) || res.Rounds == maxPurify || kept < 2 {
			break
		}
		matching = next
		res.Rounds++
	}
	for i, in := range matching {
		if in {
			res.Matching = append(res.Matching, r.Items[i].Code)
		}
	}
	if o.Lord {
		l, err := Lord(r, groups, heads, o)
		if err != nil {
			return nil, fmt.Errorf("Lord's χ²: %w", err)
		}
		res.Lord = l
	}
	res.Items = summarise(heads, res, o)
	return res, nil
}

// match holds each examinee's score on the matching items, the form's
// mean and SD of it over the examinees in a group, and every response's
// examinee.
type match struct {
	r          *irt.Responses
	groups     []Group
	inMatching []bool
	score      []float64 // per examinee
	form       []int32   // per examinee (0 without forms)
	mean, sd   []float64 // per form
	byItem     [][]int32 // per item, the examinees in a group who answered it
	at         [][]int   // per item, those responses' indexes
}

func newMatch(r *irt.Responses, groups []Group, matching []bool) *match {
	m := &match{r: r, groups: groups, inMatching: matching, score: make([]float64, r.NExaminees()), form: make([]int32, r.NExaminees()),
		byItem: make([][]int32, r.NItems()), at: make([][]int, r.NItems())}
	nForms := max(1, len(r.Forms))
	sw, sx, sxx := make([]float64, nForms), make([]float64, nForms), make([]float64, nForms)
	for p := range r.NExaminees() {
		for k := r.Start[p]; k < r.Start[p+1]; k++ {
			i := r.Item[k]
			if matching[i] {
				m.score[p] += float64(r.Score[k])
			}
			if groups[p] != Outside {
				m.byItem[i] = append(m.byItem[i], int32(p))
				m.at[i] = append(m.at[i], k)
			}
		}
		if r.Form != nil {
			m.form[p] = r.Form[p]
		}
		if groups[p] != Outside {
			f, w := m.form[p], r.W(p)
			sw[f] += w
			sx[f] += w * m.score[p]
			sxx[f] += w * m.score[p] * m.score[p]
		}
	}
	m.mean, m.sd = make([]float64, nForms), make([]float64, nForms)
	for f := range nForms {
		m.sd[f] = 1
		if sw[f] > 0 {
			m.mean[f] = sx[f] / sw[f]
			if v := sxx[f]/sw[f] - m.mean[f]*m.mean[f]; v > 0 {
				m.sd[f] = math.Sqrt(v)
			}
		}
	}
	return m
}

// studied calls f for every examinee in a group who answered item i, with
// the examinee's matching score for the item (the studied item's score
// added when it is not among the matching items) and answer.
func (m *match) studied(i int, f func(p int, score float64, y uint8)) {
	for j, p := range m.byItem[i] {
		y := m.r.Score[m.at[i][j]]
		s := m.score[p]
		if !m.inMatching[i] {
			s += float64(y)
		}
		f(int(p), s, y)
	}
}

// mhItems computes every item's Mantel–Haenszel row.
func mhItems(m *match, heads []ItemHead, o Options) []MHItem {
	out := make([]MHItem, len(heads))
	pvals := make([]float64, len(heads))
	stride := m.r.NItems() + 2
	for i, h := range heads {
		nan := math.NaN()
		row := MHItem{ItemHead: h, Alpha: nan, Lo: nan, Hi: nan, Delta: nan, DeltaSE: nan, ChiSq: nan, P: nan, ChiSqCC: nan, PCC: nan}
		pvals[i] = nan
		tables := map[int]*Table{}
		m.studied(i, func(p int, score float64, y uint8) {
			key := int(m.form[p])*stride + int(score)
			t := tables[key]
			if t == nil {
				t = &Table{}
				tables[key] = t
			}
			w := m.r.W(p)
			switch {
			case m.groups[p] == Reference && y == 1:
				t.RefRight += w
			case m.groups[p] == Reference:
				t.RefWrong += w
			case y == 1:
				t.FocalRight += w
			default:
				t.FocalWrong += w
			}
		})
		list := make([]Table, 0, len(tables))
		keys := make([]int, 0, len(tables))
		for k := range tables {
			keys = append(keys, k)
		}
		slices.Sort(keys) // a fixed order: the sums do not depend on the map's
		for _, k := range keys {
			list = append(list, *tables[k])
		}
		s, err := MantelHaenszel(list)
		switch {
		case err != nil:
			row.Note = err.Error()
		case s.NRef < float64(o.MinGroup) || s.NFocal < float64(o.MinGroup):
			row.Note = fmt.Sprintf("%.0f reference and %.0f focal examinees in comparable strata: fewer than %d", s.NRef, s.NFocal, o.MinGroup)
		case math.IsNaN(s.P):
			row.Note = "the χ² has no variance: every comparable stratum holds one examinee"
		default:
			row.Alpha, row.Lo, row.Hi, row.Delta, row.DeltaSE = s.Alpha, s.Lo, s.Hi, s.Delta, s.DeltaSE
			row.ChiSq, row.P, row.ChiSqCC, row.PCC = s.ChiSq, s.P, s.ChiSqCC, s.PCC
			pvals[i] = s.P
			if o.Continuity {
				pvals[i] = s.PCC
			}
		}
		out[i] = row
	}
	for i, p := range fdr.BH(pvals) {
		out[i].PAdj = p
		if !math.IsNaN(p) {
			out[i].Class = ETSClass(out[i].Delta, out[i].DeltaSE, p < o.Alpha)
			out[i].DIF = out[i].Class.Flagged()
		}
	}
	return out
}

// lrItems computes every item's logistic-regression row.
func lrItems(m *match, heads []ItemHead, o Options) []LRItem {
	out := make([]LRItem, len(heads))
	pvals := make([]float64, len(heads))
	var x []float64
	var focal []bool
	var y []uint8
	var w []float64
	for i, h := range heads {
		nan := math.NaN()
		row := LRItem{ItemHead: h, Uniform: nan, PUniform: nan, NonUniform: nan, PNonUniform: nan, ChiSq: nan, P: nan,
			DR2Uniform: nan, DR2NonUniform: nan, DR2: nan, Group: nan, Delta: nan}
		pvals[i] = nan
		x, focal, y, w = x[:0], focal[:0], y[:0], w[:0]
		m.studied(i, func(p int, score float64, yi uint8) {
			f := m.form[p]
			x = append(x, (score-m.mean[f])/m.sd[f])
			focal = append(focal, m.groups[p] == Focal)
			y = append(y, yi)
			w = append(w, m.r.W(p))
		})
		if h.NRef < o.MinGroup || h.NFocal < o.MinGroup {
			row.Note = fmt.Sprintf("%d reference and %d focal examinees: fewer than %d", h.NRef, h.NFocal, o.MinGroup)
		} else if s, err := Logistic(x, focal, y, w); err != nil {
			row.Note = err.Error()
		} else {
			row.Uniform, row.PUniform, row.NonUniform, row.PNonUniform = s.Uniform, s.PUniform, s.NonUniform, s.PNonUniform
			row.ChiSq, row.P = s.ChiSq, s.P
			row.DR2Uniform, row.DR2NonUniform, row.DR2, row.Group, row.Delta = s.DR2Uniform, s.DR2NonUniform, s.DR2, s.Group, s.Delta
			pvals[i] = s.P
		}
		out[i] = row
	}
	for i, p := range fdr.BH(pvals) {
		out[i].PAdj = p
		if !math.IsNaN(p) {
			sig := p < o.Alpha
			out[i].Class = JodoinGierlClass(out[i].DR2, sig)
			out[i].DIF = sig && (math.Abs(out[i].Delta) >= 1 || out[i].Class.Flagged())
		}
	}
	return out
}

// summarise puts the methods' results side by side.
func summarise(heads []ItemHead, res *Result, o Options) []Summary {
	out := make([]Summary, len(heads))
	nan := math.NaN()
	for i, h := range heads {
		s := Summary{ItemHead: h, MHDelta: nan, MHPAdj: nan, LRDR2: nan, LRPAdj: nan, LordDiff: nan, LordPAdj: nan}
		if res.MH != nil {
			m := res.MH[i]
			s.MHDelta, s.MHClass, s.MHPAdj = m.Delta, m.Class, m.PAdj
			s.DIF = s.DIF || m.DIF
		}
		if res.LR != nil {
			l := res.LR[i]
			s.LRDR2, s.LRClass, s.LRPAdj = l.DR2, l.Class, l.PAdj
			s.DIF = s.DIF || l.DIF
		}
		if res.Lord != nil {
			l := res.Lord.Items[i]
			s.LordDiff, s.LordPAdj = l.Diff, l.PAdj
			s.DIF = s.DIF || l.DIF
		}
		out[i] = s
	}
	return out
}
