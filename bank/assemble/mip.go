package assemble

import (
	"fmt"
	"math"
)

// mip is the problem as a 0/1 programme (van der Linden 2005, ch. 3–6):
// the model, and the columns of its variables.
type mip struct {
	model
	y int     // the objective variable
	x [][]int // [form][unit]: 1 when the unit is on the form
}

// buildMIP formulates p as a 0/1 programme over binaries x_fk, unit k on
// form f (an item set is one variable, so its items go together), and the
// continuous objective variable y:
//
//	minimise  −y
//	subject to y − Σ_k a_rk·x_fk ≤ c_r         every form f, objective row r
//	           Σ_k |k|·x_fk = n               form length
//	           lo_d ≤ Σ_k n_dk·x_fk ≤ hi_d     each bounded domain, subdomain and key letter d
//	           Σ_{k ∈ g} x_fk ≤ 1              each enemy group g
//	           secLo ≤ Σ_k s_k·x_fk ≤ secHi    total time, when bounded
//	           n·bLo ≤ Σ_k b_k·x_fk ≤ n·bHi    mean difficulty, when bounded
//	           Σ_f x_fk ≤ maxUse               each non-anchor unit, when maxUse < K
//	           Σ_f x_fk ≥ 1                    each included unit
//	           x_fk = 1                        each anchor unit
//	           0 ≤ Σ_k g_k(θ)·x_fk − m ≤ tol     each tolerance row, m a free
//	                                           variable shared by the forms
//
// and, when items may be reused and the overlap of two forms is capped at
// m, with z_fgk ≥ x_fk + x_gk − 1 continuous in [0, 1] for each pair of
// forms, Σ_k |k|·z_fgk ≤ m less the anchors' items.
func buildMIP(p *Problem) *mip {
	m := &mip{x: make([][]int, p.forms)}
	inf := math.Inf(1)
	m.y = m.addCol("y", -1, -inf, inf, false)
	anchorItems := 0
	for _, u := range p.units {
		if u.anchor {
			anchorItems += u.size()
		}
	}
	for f := range p.forms {
		m.x[f] = make([]int, len(p.units))
		for k, u := range p.units {
			lo := 0.0
			if u.anchor {
				lo = 1
			}
			m.x[f][k] = m.addCol(fmt.Sprintf("x%d_%d", f+1, k), 0, lo, 1, true)
		}
	}
	for f := range p.forms {
		// Per-form sums over the units: one row each.
		sum := func(name string, lo, hi float64, coef func(u *unit) float64) {
			var cols []int
			var coefs []float64
			for k := range p.units {
				if c := coef(&p.units[k]); c != 0 {
					cols = append(cols, m.x[f][k])
					coefs = append(coefs, c)
				}
			}
			m.addRow(fmt.Sprintf("%s_f%d", name, f+1), lo, hi, cols, coefs)
		}
		for r, row := range p.rows {
			cols := []int{m.y}
			coefs := []float64{1}
			for k, u := range p.units {
				cols = append(cols, m.x[f][k])
				coefs = append(coefs, -u.coef[r])
			}
			m.addRow(fmt.Sprintf("obj%d_f%d", r, f+1), -inf, row.c, cols, coefs)
		}
		sum("len", float64(p.n), float64(p.n), func(u *unit) float64 { return float64(u.size()) })
		for g, fam := range p.fams {
			for d, b := range fam.bounds {
				sum(fmt.Sprintf("count%d_%d", g, d), b.lo, b.hi, func(u *unit) float64 { return countIn(u.counts[g], d) })
			}
		}
		for g := range p.enemies {
			sum(fmt.Sprintf("enemy%d", g), -inf, 1, func(u *unit) float64 { return countIn(u.enemy, g) })
		}
		if !math.IsInf(p.secLo, -1) || !math.IsInf(p.secHi, 1) {
			sum("time", p.secLo, p.secHi, func(u *unit) float64 { return u.seconds })
		}
		if !math.IsInf(p.bLo, -1) || !math.IsInf(p.bHi, 1) {
			sum("diff", p.bLo, p.bHi, func(u *unit) float64 { return u.bsum })
		}
	}
	for j, row := range p.par {
		mid := m.addCol(fmt.Sprintf("par%d", j), 0, -inf, inf, false)
		for f := range p.forms {
			cols, coefs := []int{mid}, []float64{-1}
			for k, u := range p.units {
				cols = append(cols, m.x[f][k])
				coefs = append(coefs, u.par[j])
			}
			m.addRow(fmt.Sprintf("par%d_f%d", j, f+1), 0, row.c, cols, coefs)
		}
	}
	ones := func(k int) ([]int, []float64) {
		cols := make([]int, p.forms)
		coefs := make([]float64, p.forms)
		for f := range p.forms {
			cols[f], coefs[f] = m.x[f][k], 1
		}
		return cols, coefs
	}
	for k, u := range p.units {
		if u.anchor {
			continue
		}
		if p.maxUse < p.forms {
			cols, coefs := ones(k)
			m.addRow(fmt.Sprintf("use%d", k), -inf, float64(p.maxUse), cols, coefs)
		}
		if u.include {
			cols, coefs := ones(k)
			m.addRow(fmt.Sprintf("incl%d", k), 1, inf, cols, coefs)
		}
	}
	if p.forms > 1 && p.maxOverlap >= 0 && p.maxOverlap < p.n && p.maxUse > 1 {
		for f := range p.forms {
			for g := f + 1; g < p.forms; g++ {
				var cols []int
				var coefs []float64
				for k, u := range p.units {
					if u.anchor {
						continue
					}
					z := m.addCol(fmt.Sprintf("z%d_%d_%d", f+1, g+1, k), 0, 0, 1, false)
					m.addRow(fmt.Sprintf("ovl%d_%d_%d", f+1, g+1, k), -inf, 1, []int{m.x[f][k], m.x[g][k], z}, []float64{1, 1, -1})
					cols = append(cols, z)
					coefs = append(coefs, float64(u.size()))
				}
				m.addRow(fmt.Sprintf("overlap%d_%d", f+1, g+1), -inf, float64(p.maxOverlap-anchorItems), cols, coefs)
			}
		}
	}
	return m
}

// countIn is the unit's count in group idx.
func countIn(cs []count, idx int) float64 {
	for _, c := range cs {
		if c.idx == idx {
			return float64(c.n)
		}
	}
	return 0
}
