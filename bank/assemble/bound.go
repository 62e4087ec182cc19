package assemble

import (
	"cmp"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// lagrangeBound returns an upper bound on the programme's y (see the
// package comment), the Lagrangian dual bound of a relaxation that keeps
// only the form length, the domain bounds, the anchors and the cap on the
// forms an item may appear in (Fisher 1981; van der Linden 2005, ch. 4).
//
// For multipliers λ_r ≥ 0 with Σ λ_r = 1 on the objective rows of every
// form, y ≤ Σ_r λ_r·c_r + (1/K)·Σ_i v_i·n_i for any feasible forms, where
// v_i = Σ_r λ_r·a_ri and n_i is the number of the K forms item i is on. The
// relaxation's largest Σ v_i·n_i is found greedily (dual), so the bound
// L(λ) is exact for each λ; Kelley's cutting-plane method (1960) finds the
// λ that minimises it, each evaluation adding the linear piece
// Σ_r λ_r·G_r that L(λ) is the maximum of, the LP over the pieces solved by
// gonum's simplex. Every L(λ) is a valid bound, so a failed LP only stops
// the refinement.
func (p *Problem) lagrangeBound() float64 {
	R := len(p.rows)
	best := math.Inf(1)
	var cuts [][]float64
	x := newRelaxation(p)
	eval := func(lambda []float64) {
		l, g := x.dual(lambda)
		best = min(best, l)
		cuts = append(cuts, g)
	}
	for r := range R {
		e := make([]float64, R)
		e[r] = 1
		eval(e)
	}
	for range 100 {
		lambda, low, ok := kelleyStep(cuts)
		if !ok || best-low <= 1e-9*(1+math.Abs(best)) {
			break
		}
		eval(lambda)
	}
	return best
}

// kelleyStep solves min t subject to t ≥ Σ_r λ_r·G_ir for every cut i,
// Σ λ_r = 1, λ ≥ 0, in the standard form x = (λ, t⁺, t⁻, s) ≥ 0.
func kelleyStep(cuts [][]float64) (lambda []float64, t float64, ok bool) {
	R, m := len(cuts[0]), len(cuts)
	cols := R + 2 + m
	A := mat.NewDense(m+1, cols, nil)
	b := make([]float64, m+1)
	c := make([]float64, cols)
	c[R], c[R+1] = 1, -1
	for i, g := range cuts {
		for r, x := range g {
			A.Set(i, r, -x)
		}
		A.Set(i, R, 1)
		A.Set(i, R+1, -1)
		A.Set(i, R+2+i, -1)
	}
	for r := range R {
		A.Set(m, r, 1)
	}
	b[m] = 1
	t, x, err := lp.Simplex(c, A, b, 1e-12, nil)
	if err != nil {
		return nil, 0, false
	}
	return x[:R], t, true
}

// relaxation is the problem as lagrangeBound relaxes it: single items
// with their domains and row coefficients, and the anchors' share of G.
type relaxation struct {
	p      *Problem
	items  []relaxItem
	base   []float64 // c_r plus the anchors' a_ri (each on all K forms, over K)
	need   []int     // copies of each bounded domain's items the minimums need
	room   []int     // copies the maximums allow
	copies int       // non-anchor copies to place, K·n less the anchors'
}

type relaxItem struct {
	dom  int // index in the domain bounds, −1 for none
	coef []float64
	v    float64 // Σ_r λ_r·a_ri for the λ in hand
	left int     // copies not yet taken
}

func newRelaxation(p *Problem) *relaxation {
	domains := p.fams[famDomain].bounds
	x := &relaxation{p: p, base: make([]float64, len(p.rows)), need: make([]int, len(domains)),
		room: make([]int, len(domains)), copies: p.n * p.forms}
	for r, row := range p.rows {
		x.base[r] = row.c
	}
	for d, b := range domains {
		x.need[d] = int(b.lo) * p.forms
		x.room[d] = math.MaxInt / 2
		if !math.IsInf(b.hi, 1) {
			x.room[d] = int(b.hi) * p.forms
		}
	}
	for _, u := range p.units {
		for _, i := range u.items {
			it := p.pool[i]
			coef := make([]float64, len(p.rows))
			for r, row := range p.rows {
				coef[r] = row.coef(it.Params)
			}
			d := slices.IndexFunc(domains, func(b bounded) bool { return b.name == it.Domain })
			if !u.anchor {
				x.items = append(x.items, relaxItem{dom: d, coef: coef})
				continue
			}
			for r, a := range coef {
				x.base[r] += a
			}
			x.copies -= p.forms
			if d >= 0 {
				x.need[d] -= p.forms
				x.room[d] -= p.forms
			}
		}
	}
	return x
}

// dual evaluates the Lagrangian at λ: it returns L(λ) and the rows
// G_r = c_r + (1/K)·Σ_i a_ri·n_i of the maximising item counts n_i, so that
// L(λ) = Σ_r λ_r·G_r. The maximum of Σ v_i·n_i takes the anchors on every
// form, then in each bounded domain the best items up to its minimum, then
// the best of the rest within the domains' maximums, each item on at most
// maxUse forms: the optimum of a separable concave allocation. Item sets
// are split, which only relaxes further.
func (x *relaxation) dual(lambda []float64) (float64, []float64) {
	K := float64(x.p.forms)
	G := slices.Clone(x.base)
	for k := range x.items {
		it := &x.items[k]
		it.v, it.left = 0, x.p.maxUse
		for r, a := range it.coef {
			it.v += lambda[r] * a
		}
	}
	slices.SortStableFunc(x.items, func(a, b relaxItem) int { return cmp.Compare(b.v, a.v) })
	need, room, left := slices.Clone(x.need), slices.Clone(x.room), x.copies
	grab := func(it *relaxItem, n int) {
		if n <= 0 {
			return
		}
		it.left -= n
		left -= n
		if it.dom >= 0 {
			need[it.dom] -= n
			room[it.dom] -= n
		}
		for r, a := range it.coef {
			G[r] += a * float64(n) / K
		}
	}
	for k := range x.items {
		if it := &x.items[k]; it.dom >= 0 && need[it.dom] > 0 {
			grab(it, min(it.left, need[it.dom]))
		}
	}
	for k := range x.items {
		it := &x.items[k]
		if left <= 0 {
			break
		}
		if it.dom >= 0 {
			grab(it, min(it.left, room[it.dom], left))
		} else {
			grab(it, min(it.left, left))
		}
	}
	if left > 0 {
		return math.Inf(1), G // the relaxation has no solution: no bound
	}
	var l float64
	for r, g := range G {
		l += lambda[r] * g
	}
	return l, G
}
