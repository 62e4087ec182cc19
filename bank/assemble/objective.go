package assemble

import (
	"math"

	"github.com/passportirt/passport/irt"
)

// objRow is one row of the objective, c + scale·g(θ) for a form, where g
// is the form's test information I(θ) = Σ I_i(θ) or its characteristic
// curve T(θ) = Σ P_i(θ) (irt.TestInfo, irt.TCC). A form's value is the
// smallest of its rows; the programme maximises the smallest over forms.
type objRow struct {
	theta float64
	tcc   bool // g is T(θ) rather than I(θ)
	scale float64
	c     float64
}

// rows returns the objective's rows: maximin's I(θ_k)/w_k, or for a target
// the pair T_k − g(θ_k) and g(θ_k) − T_k at each point, whose smaller is
// −|g(θ_k) − T_k|.
func (o Objective) rows() []objRow {
	var rs []objRow
	if o.Type == Maximin {
		for k, th := range o.Theta {
			rs = append(rs, objRow{theta: th, scale: 1 / o.Weights[k]})
		}
		return rs
	}
	for k, th := range o.Theta {
		if o.Info != nil {
			rs = append(rs, objRow{theta: th, scale: -1, c: o.Info[k]}, objRow{theta: th, scale: 1, c: -o.Info[k]})
		}
		if o.TCC != nil {
			rs = append(rs, objRow{theta: th, tcc: true, scale: -1, c: o.TCC[k]}, objRow{theta: th, tcc: true, scale: 1, c: -o.TCC[k]})
		}
	}
	return rs
}

// tolerances returns, for the blueprint's information and TCC
// tolerances, a row per θ point of the objective with scale 1 and c the
// tolerance; none with fewer than two forms.
func (bp Blueprint) tolerances() []objRow {
	var rs []objRow
	if bp.Forms < 2 {
		return nil
	}
	for _, th := range bp.Objective.Theta {
		if bp.InfoTolerance != nil {
			rs = append(rs, objRow{theta: th, scale: 1, c: *bp.InfoTolerance})
		}
		if bp.TCCTolerance != nil {
			rs = append(rs, objRow{theta: th, tcc: true, scale: 1, c: *bp.TCCTolerance})
		}
	}
	return rs
}

// coef is one item's coefficient a_i = scale·g_i(θ) in the row.
func (r objRow) coef(p irt.ThreePL) float64 {
	if r.tcc {
		return r.scale * p.Prob(r.theta)
	}
	return r.scale * p.Info(r.theta)
}

// value is the row's value for a form of the given items.
func (r objRow) value(items []irt.ThreePL) float64 {
	if r.tcc {
		return r.c + r.scale*irt.TCC(items, r.theta)
	}
	return r.c + r.scale*irt.TestInfo(items, r.theta)
}

// Minimize reports whether the objective's reported value is to be made
// small (a target's largest deviation) rather than large (maximin's y).
func (o Objective) Minimize() bool { return o.Type == Target }

// report turns the programme's y into the objective as reported: y for
// maximin, the largest deviation −y for a target.
func (o Objective) report(y float64) float64 {
	if o.Minimize() {
		return -y
	}
	return y
}

// Evaluate returns the objective of forms given as their items' parameters:
// for maximin the largest y with I_f(θ_k) ≥ w_k·y for every form f and
// point k, for a target the largest |g_f(θ_k) − target_k|. It computes
// from the forms alone, whatever solver built them.
func Evaluate(o Objective, forms [][]irt.ThreePL) float64 {
	y := math.Inf(1)
	rows := o.rows()
	for _, items := range forms {
		for _, r := range rows {
			y = min(y, r.value(items))
		}
	}
	return o.report(y)
}
