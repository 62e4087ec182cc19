package calibrate

import (
	"github.com/passportirt/passport/irt"
	"math"
	"slices"
	"sync"
)

// nChunks is the fixed number of examinee blocks the E-step splits the data
// into. Each block has its own accumulators and the blocks are summed in
// order, so results are the same for any number of threads.
const nChunks = 64

// posteriorCut drops, from the accumulation, quadrature nodes whose
// posterior is below e^−30 ≈ 1e−13 of the largest: far under any tolerance.
const posteriorCut = -30

// counts are the E-step's expected counts: for item i and node q, r1 is the
// expected number of correct and r0 of incorrect responses (Bock & Aitkin
// 1981, eq. 9–10), nq the expected number of examinees at each node, and
// loglik the marginal log-likelihood Σ_p w_p·log Σ_q L_p(θ_q)·π_q.
type counts struct {
	r0, r1 []float64 // item-major: [i*Q + q]
	nq     []float64
	loglik float64
}

// The E-step groups examinees who answered the same set of items (the
// examinees of one form). For such an examinee the log-likelihood is
//
//	log L(θ) = Σ_i log P_i(θ)^u_i (1 − P_i(θ))^(1−u_i)
//	         = B0(θ) + Σ_{i: u_i=1} Λ_i(θ)   (mode A)
//	         = B1(θ) − Σ_{i: u_i=0} Λ_i(θ)   (mode B)
//
// with B0 = Σ_i log(1 − P_i), B1 = Σ_i log P_i over the group's items and
// Λ_i = log P_i − log(1 − P_i), computed once per group per cycle; each
// examinee takes the mode with fewer terms. The expected counts follow the
// same split: each examinee adds its posterior to its group's total (NA or
// NB), and to an item only for its minority responses (R1A or R0B), so that
//
//	r1_i = R1A_i + Σ_{g∋i} NB_g − R0B_i,   r0_i = Σ_{g∋i} NA_g − R1A_i + R0B_i,
//
// plus the direct counts (R1S, R0S) of examinees whose item set is unique.
// The work per examinee falls from (number of items) to min(number right,
// number wrong) passes over the nodes.
type estep struct {
	data    *irt.Responses
	q       int
	threads int

	order []int32 // examinees, grouped: multi-member groups first, by group
	group []int32 // per examinee: its group, or −1 for a unique item set
	modeB []bool  // per examinee: mode B (more right than wrong)
	// minor lists, per grouped examinee p, the table offsets (item·Q) of
	// its minority responses: minor[minorStart[p]:minorStart[p+1]].
	minor      []int32
	minorStart []int
	groups     [][]int32 // items of each group
	needB0     []bool    // some member of group g uses mode A
	needB1     []bool

	chunks []*chunkAcc
	bounds []int // into order; len(chunks)+1

	lam, base0, base1 []float64 // Λ per item, B0 and B1 per group
	r1s, r0s          []float64 // merged direct counts
	total             counts
	na, nb            []float64 // merged group totals
}

// chunkAcc is one block's accumulators.
type chunkAcc struct {
	r1a, r0b, r1s, r0s []float64 // item-major
	na, nb             []float64 // groups gLo..gHi, group-major
	gLo                int
	nq                 []float64
	loglik             float64
}

// newEstep prepares the E-step for d on nq nodes. grouped = false uses the
// direct computation for every examinee (for tests).
func newEstep(d *irt.Responses, nq, threads int, grouped bool) *estep {
	n := d.NExaminees()
	e := &estep{data: d, q: nq, threads: max(1, threads), group: make([]int32, n), modeB: make([]bool, n)}
	key, sets := d.ItemSets()
	sizes := make([]int, len(sets))
	for _, k := range key {
		if k >= 0 {
			sizes[k]++
		}
	}
	remap := make([]int32, len(sets)) // item set → group (sets shared by 2+ examinees)
	for k := range remap {
		remap[k] = -1
	}
	for p := range n {
		s, t := d.Start[p], d.Start[p+1]
		right := 0
		for k := s; k < t; k++ {
			right += int(d.Score[k])
		}
		e.modeB[p] = 2*right > t-s
		e.group[p] = -1
		if !grouped || key[p] < 0 || sizes[key[p]] < 2 {
			continue
		}
		g := remap[key[p]]
		if g < 0 {
			g = int32(len(e.groups))
			remap[key[p]] = g
			e.groups = append(e.groups, sets[key[p]])
			e.needB0 = append(e.needB0, false)
			e.needB1 = append(e.needB1, false)
		}
		e.group[p] = g
		if e.modeB[p] {
			e.needB1[g] = true
		} else {
			e.needB0[g] = true
		}
	}
	e.minorStart = make([]int, n+1)
	for p := range n {
		if e.group[p] >= 0 {
			want := uint8(1)
			if e.modeB[p] {
				want = 0
			}
			for k := d.Start[p]; k < d.Start[p+1]; k++ {
				if d.Score[k] == want {
					e.minor = append(e.minor, d.Item[k]*int32(nq))
				}
			}
		}
		e.minorStart[p+1] = len(e.minor)
	}
	e.order = make([]int32, n)
	for p := range e.order {
		e.order[p] = int32(p)
	}
	slices.SortStableFunc(e.order, func(a, b int32) int {
		ga, gb := e.group[a], e.group[b]
		switch {
		case ga == gb:
			return 0
		case ga < 0:
			return 1
		case gb < 0:
			return -1
		}
		return int(ga - gb)
	})
	k := min(nChunks, max(1, n))
	e.bounds = make([]int, k+1)
	e.chunks = make([]*chunkAcc, k)
	for c := range k {
		e.bounds[c] = c * n / k
	}
	e.bounds[k] = n
	ni := d.NItems() * nq
	for c := range k {
		acc := &chunkAcc{r1a: make([]float64, ni), r0b: make([]float64, ni), r1s: make([]float64, ni), r0s: make([]float64, ni), nq: make([]float64, nq)}
		lo, hi := e.bounds[c], e.bounds[c+1]
		gLo, gHi := int32(-1), int32(-2)
		for _, p := range e.order[lo:hi] {
			if g := e.group[p]; g >= 0 {
				if gLo < 0 {
					gLo = g
				}
				gHi = g
			}
		}
		if gLo >= 0 {
			acc.gLo = int(gLo)
			acc.na = make([]float64, int(gHi-gLo+1)*nq)
			acc.nb = make([]float64, int(gHi-gLo+1)*nq)
		}
		e.chunks[c] = acc
	}
	e.lam = make([]float64, ni)
	e.r1s, e.r0s = make([]float64, ni), make([]float64, ni)
	e.base0 = make([]float64, len(e.groups)*nq)
	e.base1 = make([]float64, len(e.groups)*nq)
	e.na = make([]float64, len(e.groups)*nq)
	e.nb = make([]float64, len(e.groups)*nq)
	e.total = counts{r0: make([]float64, ni), r1: make([]float64, ni), nq: make([]float64, nq)}
	return e
}

// run computes the expected counts for the tables logP1[i*Q+q] =
// log P_i(θ_q), logP0 = log(1 − P_i(θ_q)) and the log quadrature weights
// of the latent distribution.
func (e *estep) run(logP0, logP1, logPrior []float64) *counts {
	nq := e.q
	for k := range e.lam {
		e.lam[k] = logP1[k] - logP0[k]
	}
	for g, items := range e.groups {
		b0, b1 := e.base0[g*nq:(g+1)*nq], e.base1[g*nq:(g+1)*nq]
		clear(b0)
		clear(b1)
		for _, i := range items {
			off := int(i) * nq
			if e.needB0[g] {
				addTo(b0, logP0[off:off+nq])
			}
			if e.needB1[g] {
				addTo(b1, logP1[off:off+nq])
			}
		}
	}
	next := make(chan int, len(e.chunks))
	for c := range e.chunks {
		next <- c
	}
	close(next)
	var wg sync.WaitGroup
	for range min(e.threads, len(e.chunks)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lp := make([]float64, nq)
			for c := range next {
				e.chunk(e.chunks[c], e.order[e.bounds[c]:e.bounds[c+1]], logP0, logP1, logPrior, lp)
			}
		}()
	}
	wg.Wait()
	return e.merge()
}

// merge sums the blocks in order and turns the group totals into counts.
func (e *estep) merge() *counts {
	t := &e.total
	r1a, r0b := t.r1, t.r0 // reused as the R1A and R0B sums first
	clear(r1a)
	clear(r0b)
	clear(t.nq)
	clear(e.na)
	clear(e.nb)
	t.loglik = 0
	r1s, r0s := e.r1s, e.r0s
	clear(r1s)
	clear(r0s)
	nq := e.q
	for _, c := range e.chunks {
		addTo(r1a, c.r1a)
		addTo(r0b, c.r0b)
		addTo(r1s, c.r1s)
		addTo(r0s, c.r0s)
		addTo(t.nq, c.nq)
		if c.na != nil {
			addTo(e.na[c.gLo*nq:c.gLo*nq+len(c.na)], c.na)
			addTo(e.nb[c.gLo*nq:c.gLo*nq+len(c.nb)], c.nb)
		}
		t.loglik += c.loglik
	}
	// r1 = R1A + R1S + Σ NB − R0B;  r0 = Σ NA − R1A + R0B + R0S.
	for k := range r1a {
		a, b := r1a[k], r0b[k]
		r1a[k] = a + r1s[k] - b
		r0b[k] = b + r0s[k] - a
	}
	for g, items := range e.groups {
		na, nb := e.na[g*nq:(g+1)*nq], e.nb[g*nq:(g+1)*nq]
		for _, i := range items {
			off := int(i) * nq
			addTo(t.r1[off:off+nq], nb)
			addTo(t.r0[off:off+nq], na)
		}
	}
	// Cancellation can leave −1e−17 where the true count is 0.
	for k := range t.r1 {
		t.r1[k] = max(t.r1[k], 0)
		t.r0[k] = max(t.r0[k], 0)
	}
	return t
}

func addTo(dst, src []float64) {
	src = src[:len(dst)]
	for k, v := range src {
		dst[k] += v
	}
}

func subFrom(dst, src []float64) {
	src = src[:len(dst)]
	for k, v := range src {
		dst[k] -= v
	}
}

// chunk accumulates the examinees of one block.
func (e *estep) chunk(acc *chunkAcc, members []int32, logP0, logP1, logPrior, lp []float64) {
	clear(acc.r1a)
	clear(acc.r0b)
	clear(acc.r1s)
	clear(acc.r0s)
	clear(acc.na)
	clear(acc.nb)
	clear(acc.nq)
	acc.loglik = 0
	d, nq := e.data, e.q
	for _, p32 := range members {
		p := int(p32)
		s, t := d.Start[p], d.Start[p+1]
		if s == t {
			continue
		}
		g := e.group[p]
		modeB := e.modeB[p]
		minor := e.minor[e.minorStart[p]:e.minorStart[p+1]]
		copy(lp, logPrior)
		switch {
		case g < 0:
			for k := s; k < t; k++ {
				off := int(d.Item[k]) * nq
				if d.Score[k] == 1 {
					addTo(lp, logP1[off:off+nq])
				} else {
					addTo(lp, logP0[off:off+nq])
				}
			}
		case modeB:
			addTo(lp, e.base1[int(g)*nq:int(g+1)*nq])
			for _, off := range minor {
				subFrom(lp, e.lam[off:int(off)+nq])
			}
		default:
			addTo(lp, e.base0[int(g)*nq:int(g+1)*nq])
			for _, off := range minor {
				addTo(lp, e.lam[off:int(off)+nq])
			}
		}
		lo, hi, top, sum := posteriorWindow(lp)
		post := lp[lo:hi]
		w := d.W(p)
		acc.loglik += w * (top + math.Log(sum))
		scale := w / sum
		for q := range post {
			post[q] *= scale
		}
		addTo(acc.nq[lo:hi], post)
		switch {
		case g < 0:
			for k := s; k < t; k++ {
				off := int(d.Item[k]) * nq
				if d.Score[k] == 1 {
					addTo(acc.r1s[off+lo:off+hi], post)
				} else {
					addTo(acc.r0s[off+lo:off+hi], post)
				}
			}
		case modeB:
			off := (int(g) - acc.gLo) * nq
			addTo(acc.nb[off+lo:off+hi], post)
			for _, off := range minor {
				addTo(acc.r0b[int(off)+lo:int(off)+hi], post)
			}
		default:
			off := (int(g) - acc.gLo) * nq
			addTo(acc.na[off+lo:off+hi], post)
			for _, off := range minor {
				addTo(acc.r1a[int(off)+lo:int(off)+hi], post)
			}
		}
	}
}

// posteriorWindow turns log posterior weights lp (up to a constant) into
// unnormalised posterior weights on the nodes that carry mass: it finds
// the largest log weight top and the window [lo, hi) outside which every
// node is below posteriorCut of it, and replaces lp[lo:hi] with
// exp(lp − top), whose sum it returns. The log marginal likelihood is
// top + log(sum).
func posteriorWindow(lp []float64) (lo, hi int, top, sum float64) {
	top = math.Inf(-1)
	for _, v := range lp {
		top = max(top, v)
	}
	lo, hi = 0, len(lp)
	for lo < hi && lp[lo]-top < posteriorCut {
		lo++
	}
	for hi > lo && lp[hi-1]-top < posteriorCut {
		hi--
	}
	for q := lo; q < hi; q++ {
		lp[q] = math.Exp(lp[q] - top)
		sum += lp[q]
	}
	return lo, hi, top, sum
}
