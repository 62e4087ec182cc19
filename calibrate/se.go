package calibrate

import (
	"errors"
	"math"
	"slices"

	"github.com/passportirt/passport/irt"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// standardErrors fills the items' SEs from the cross-product approximation
// of the observed information (the "XPD" of mirt; Bock & Lieberman 1970;
// Mislevy 1986): I = Σ_p w_p s_p s_pᵀ, where s_p is examinee p's score —
// the gradient of log ∫ L_p(θ) g(θ) dθ over the item parameters, computed on
// the quadrature grid — plus the negative Hessian of the log prior. The
// inverse, in slope–intercept form, is carried to (a, b, c) by the delta
// method. The latent mean and SD of an anchored run are treated as known;
// the Rasch model's SD is estimated with the items, as the 1PL's slope. A c
// on its bound 0 is held there and has no SE. An item whose information is
// singular (invertInformation) has no SEs and a warning; the others' SEs
// take its parameters as known.
//
// Examinees of one form share the pattern of nonzero scores, so their score
// vectors are stacked into a matrix S and S_gᵀS_g is one BLAS Syrk per form;
// examinees whose item set is unique are stacked together with their
// scores spread over the full parameter vector.
func (e *engine) standardErrors(res *Result) error {
	nq := e.nq
	nodes := e.nodes()
	// Parameter positions, as in pack (without the latent moments).
	pos := make([][3]int, e.d.NItems())
	for i := range pos {
		pos[i] = [3]int{-1, -1, -1}
	}
	np := 0
	for _, i := range e.free {
		for j := range 3 {
			// A c on its bound 0 is held there: its SE is not defined.
			if e.which[j] && (j < 2 || e.params[i].c > 0) {
				pos[i][j] = np
				np++
			}
		}
	}
	// The Rasch model's latent SD σ takes the place of the 1PL's common
	// slope: the slot of α carries it, with ∂P/∂σ = ∂P/∂α·α/σ at
	// θ_q = σ·z_q.
	raschSD := e.o.Model == irt.ModelRasch && e.estSD && !e.estMean
	if e.shared || raschSD {
		for _, i := range e.free {
			pos[i][0] = np
		}
		np++
	}
	if np == 0 {
		return nil // every item anchored
	}
	// g1, g0: per item and node, ∂log P(u | θ_q)/∂x_j for u = 1 and 0.
	g1, g0 := make([]float64, e.d.NItems()*nq*3), make([]float64, e.d.NItems()*nq*3)
	for _, i := range e.free {
		it := e.params[i].item()
		for q, th := range nodes {
			p, r, dP := probGrad(it, th)
			if raschSD {
				dP[0] *= it.Slope / e.sd
			}
			for j := range 3 {
				k := (i*nq+q)*3 + j
				g1[k] = dP[j] / p
				g0[k] = -dP[j] / r
			}
		}
	}
	// Blocks: each form's examinees (a dense score matrix S, one Syrk), then
	// the examinees with unique item sets in up to 8 fixed slices (sparse
	// rank-one updates over the full parameter vector). Each block yields its
	// own Gram matrix; they are summed in block order.
	es := e.es
	type block struct {
		members []int32
		params  []int // the parameter position of each column (dense blocks)
	}
	var blocks []block
	start := 0
	for start < len(es.order) {
		g := es.group[es.order[start]]
		end := start + 1
		for end < len(es.order) && es.group[es.order[end]] == g {
			end++
		}
		if g >= 0 {
			seen := map[int]bool{}
			var cols []int
			for _, i := range es.groups[g] {
				for j := range 3 {
					if p := pos[i][j]; p >= 0 && !seen[p] {
						seen[p] = true
						cols = append(cols, p)
					}
				}
			}
			blocks = append(blocks, block{es.order[start:end], cols})
		} else {
			n := end - start
			for k := range 8 {
				if lo, hi := start+k*n/8, start+(k+1)*n/8; hi > lo {
					blocks = append(blocks, block{es.order[lo:hi], nil})
				}
			}
		}
		start = end
	}
	sc := &scorer{e: e, pos: pos, g0: g0, g1: g1}
	grams := make([][]float64, len(blocks))
	next := make(chan int, len(blocks))
	for b := range blocks {
		next <- b
	}
	close(next)
	var wg sync.WaitGroup
	for range min(e.o.Threads, len(blocks)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lp := make([]float64, nq)
			colOf := make([]int, np)
			full := make([]float64, np)
			mark := make([]int, np)
			var touched []int
			var S []float64
			for b := range next {
				bl := blocks[b]
				if bl.params == nil {
					// Unique item sets: Σ s sᵀ over the touched positions.
					gram := make([]float64, np*np)
					for k := range colOf {
						colOf[k] = k
					}
					for _, p := range bl.members {
						touched = touched[:0]
						for k := e.d.Start[p]; k < e.d.Start[p+1]; k++ {
							for _, pj := range pos[e.d.Item[k]] {
								if pj >= 0 && mark[pj] != int(p)+1 {
									mark[pj] = int(p) + 1
									touched = append(touched, pj)
								}
							}
						}
						sc.score(int(p), lp, full, colOf)
						for _, a := range touched {
							row := gram[a*np:]
							for _, c := range touched {
								if c >= a {
									row[c] += full[a] * full[c]
								}
							}
						}
						for _, a := range touched {
							full[a] = 0
						}
					}
					grams[b] = gram
					continue
				}
				k := len(bl.params)
				for c, p := range bl.params {
					colOf[p] = c
				}
				// The score vectors go through S a slab of examinees at a
				// time, so that memory does not grow with the form's size.
				gram := make([]float64, k*k)
				for lo := 0; lo < len(bl.members); lo += seSlab {
					slab := bl.members[lo:min(lo+seSlab, len(bl.members))]
					S = slices.Grow(S[:0], len(slab)*k)[:len(slab)*k]
					clear(S)
					for r, p := range slab {
						sc.score(int(p), lp, S[r*k:(r+1)*k], colOf)
					}
					blas64.Syrk(blas.Trans, 1, blas64.General{Rows: len(slab), Cols: k, Stride: k, Data: S},
						1, blas64.Symmetric{Uplo: blas.Upper, N: k, Stride: k, Data: gram})
				}
				grams[b] = gram
			}
		}()
	}
	wg.Wait()
	info := mat.NewSymDense(np, nil)
	raw := info.RawSymmetric()
	for b, bl := range blocks {
		if bl.params == nil {
			for k, v := range grams[b] {
				raw.Data[k] += v
			}
			continue
		}
		k := len(bl.params)
		for r, pr := range bl.params {
			for c := r; c < k; c++ {
				pc := bl.params[c]
				lo, hi := min(pr, pc), max(pr, pc)
				raw.Data[lo*raw.Stride+hi] += grams[b][r*k+c]
			}
		}
	}
	// The prior's curvature.
	for _, i := range e.free {
		_, _, h := logPrior(e.o.Priors, e.params[i], e.o.D, e.cShape[i][0], e.cShape[i][1], e.which)
		for j := range 3 {
			for k := j; k < 3; k++ {
				if a, b := pos[i][j], pos[i][k]; a >= 0 && b >= 0 {
					info.SetSym(a, b, info.At(a, b)-h[j][k])
				}
			}
		}
	}
	owner := make([]int, np)
	for k := range owner {
		owner[k] = -1
	}
	for _, i := range e.free {
		for j, p := range pos[i] {
			if p >= 0 && (j > 0 || !(e.shared || raschSD)) {
				owner[p] = i
			}
		}
	}
	cov, at, dropped, err := invertInformation(info, owner)
	if err != nil {
		return err
	}
	for _, i := range dropped {
		res.Warnings = append(res.Warnings, Warning{i, "no standard errors: the information on its parameters is singular (the data do not determine them); the other items' SEs take them as known"})
	}
	covAt := func(a, b int) float64 {
		if a < 0 || b < 0 {
			return 0
		}
		return cov.At(at[a], at[b])
	}
	for _, i := range e.free {
		if slices.Contains(dropped, i) {
			continue
		}
		s := e.params[i]
		// Rows of the Jacobian ∂(a, b, c)/∂(α, δ, c); the Rasch model's
		// slope is fixed.
		jac := [3][3]float64{
			{1 / e.o.D, 0, 0},
			{s.delta / (s.alpha * s.alpha), -1 / s.alpha, 0},
			{0, 0, 1},
		}
		if raschSD {
			jac[0][0], jac[1][0] = 0, 0
		}
		var v [3]float64
		for r := range 3 {
			for j := range 3 {
				for k := range 3 {
					v[r] += jac[r][j] * jac[r][k] * covAt(pos[i][j], pos[i][k])
				}
			}
		}
		it := &res.Items[i]
		if pos[i][0] >= 0 && !raschSD {
			it.SEA = math.Sqrt(v[0])
		}
		it.SEB = math.Sqrt(v[1])
		if pos[i][2] >= 0 {
			it.SEC = math.Sqrt(v[2])
		}
	}
	return nil
}

// relPivot is the smallest share of a parameter's information that may be
// left once the parameters before it are known — its Cholesky pivot over
// its diagonal element, I_jj·(1 − R_j²)/I_jj with R_j the multiple
// correlation of its score with theirs — for the data to determine it.
const relPivot = 1e-10

// seSlab is how many examinees' score vectors standardErrors stacks at a
// time.
const seSlab = 1024

// invertInformation inverts the information matrix over the parameters of
// the items whose information is not singular, and returns the inverse, the
// position in it of each parameter of info (−1 where dropped) and the items
// dropped. owner gives the item of each parameter (−1: shared by all
// items). An item is dropped when its own block of info is singular (a
// pivot below relPivot), or, should the rest still not factorise, when one
// of its parameters has the smallest pivot of the rest; the inverse over
// the remaining parameters takes the dropped ones as known. It fails only
// when a shared parameter is not determined.
func invertInformation(info *mat.SymDense, owner []int) (cov *mat.SymDense, at []int, dropped []int, err error) {
	n := info.SymmetricDim()
	params := map[int][]int{} // per item, its parameters
	var items []int
	for k, o := range owner {
		if o >= 0 {
			if params[o] == nil {
				items = append(items, o)
			}
			params[o] = append(params[o], k)
		}
	}
	keep := make([]bool, n)
	for k := range keep {
		keep[k] = true
	}
	drop := func(o int) {
		dropped = append(dropped, o)
		for _, k := range params[o] {
			keep[k] = false
		}
	}
	for _, o := range items {
		if _, share := smallestPivot(info, params[o]); share < relPivot {
			drop(o)
		}
	}
	for {
		var idx []int
		at = make([]int, n)
		for k := range at {
			at[k] = -1
			if keep[k] {
				at[k] = len(idx)
				idx = append(idx, k)
			}
		}
		sub := info
		if len(idx) < n {
			sub = mat.NewSymDense(len(idx), nil)
			for r, a := range idx {
				for c := r; c < len(idx); c++ {
					sub.SetSym(r, c, info.At(a, idx[c]))
				}
			}
		}
		var chol mat.Cholesky
		if chol.Factorize(sub) {
			cov = &mat.SymDense{}
			if err := chol.InverseTo(cov); err == nil {
				return cov, at, dropped, nil
			}
		}
		k, _ := smallestPivot(info, idx)
		if owner[k] < 0 {
			return nil, nil, nil, errors.New("the information matrix is singular in the parameter all items share: it is not determined by the data")
		}
		drop(owner[k])
	}
}

// smallestPivot factorises info restricted to the parameters idx by
// Cholesky, in order, and returns the parameter whose pivot is the smallest
// share of its diagonal element, and that share; at a pivot that is not
// positive (info not positive definite there) it stops and returns it.
func smallestPivot(info *mat.SymDense, idx []int) (k int, share float64) {
	n := len(idx)
	l := make([]float64, n*n)
	share = math.Inf(1)
	for i := range n {
		for j := 0; j <= i; j++ {
			sum := info.At(idx[i], idx[j])
			for m := range j {
				sum -= l[i*n+m] * l[j*n+m]
			}
			if j < i {
				l[i*n+j] = sum / l[j*n+j]
				continue
			}
			r := sum / info.At(idx[i], idx[i])
			if !(r > 0) {
				return idx[i], r
			}
			if r < share {
				k, share = idx[i], r
			}
			l[i*n+i] = math.Sqrt(sum)
		}
	}
	return k, share
}

// scorer computes examinees' score vectors at the final estimates.
type scorer struct {
	e      *engine
	pos    [][3]int  // parameter position of each item's (α, δ, γ); −1: not estimated
	g0, g1 []float64 // ∂log P(u | θ_q)/∂x_j, [(i*Q+q)*3+j]
}

// score adds √w_p times examinee p's score to row[colOf[position]]: the
// posterior-weighted gradient Σ_q post_q ∂log P(u | θ_q)/∂x over the nodes
// that carry posterior mass. lp is scratch of length Q.
func (sc *scorer) score(p int, lp, row []float64, colOf []int) {
	e, d, nq := sc.e, sc.e.d, sc.e.nq
	s, t := d.Start[p], d.Start[p+1]
	if s == t {
		return
	}
	copy(lp, e.logPrior)
	for k := s; k < t; k++ {
		off := int(d.Item[k]) * nq
		if d.Score[k] == 1 {
			addTo(lp, e.logP1[off:off+nq])
		} else {
			addTo(lp, e.logP0[off:off+nq])
		}
	}
	lo, hi, _, sum := posteriorWindow(lp)
	scale := math.Sqrt(d.W(p)) / sum
	for k := s; k < t; k++ {
		i := int(d.Item[k])
		g := sc.g0
		if d.Score[k] == 1 {
			g = sc.g1
		}
		for j, pj := range sc.pos[i] {
			if pj < 0 {
				continue
			}
			var v float64
			for q := lo; q < hi; q++ {
				v += lp[q] * g[(i*nq+q)*3+j]
			}
			row[colOf[pj]] += v * scale
		}
	}
}
