package calibrate

import (
	"errors"
	"math"
	"slices"

	"github.com/passportirt/passport/irt"
)

// Run calibrates the items of d by marginal maximum likelihood — marginal
// maximum a posteriori with priors — with the EM algorithm of Bock & Aitkin
// (1981, Psychometrika 46, 443–459). In order:
//
//  1. The design (design.go): anchors (Options.Fixed) are held at their
//     values; items with fewer than Options.MinResponses responses, or all
//     right or all wrong, are excluded with a warning; a design whose items
//     no examinee links into one piece is refused with a DisconnectedError.
//  2. Starting values from the proportions correct (start.go), in the
//     slope–intercept form α = D·a, δ = −D·a·b the optimiser works in, with
//     the lower asymptote c ∈ [0, 1) as it is (param.go).
//  3. E-step (evaluate in em.go, then estep.go): on the quadrature grid
//     Options.Grid — by default mirt's, 61 equally spaced nodes on [−6, 6]
//     with N(0, 1) weights — moved to the latent distribution N(μ, σ²)
//     (latent.go), the tables log P_i(θ_q) and log Q_i(θ_q) of every item
//     and the grid's log weights give each examinee's posterior over the
//     nodes, which is summed into the expected numbers of correct and
//     incorrect responses r1_iq, r0_iq of each item at each node, and the
//     marginal log-likelihood.
//  4. M-step (mstep.go): each item's expected complete-data log-likelihood,
//     plus the log prior density of its (a, b, c) (Options.Priors; Mislevy
//     1986, Psychometrika 51, 177–195; prior.go), is raised by a few
//     Fisher-scoring steps, projected onto c ≥ 0 (a c on its bound stays
//     there only while the gradient points below it); the 1PL's common
//     slope likewise (commonslope.go); where the latent mean and SD are
//     estimated — with anchors, which puts the free items on the anchors'
//     scale, and the Rasch model's SD — they are raised with the items
//     held (latent.go).
//  5. Acceleration: SQUAREM (Varadhan & Roland 2008, Scandinavian Journal
//     of Statistics 35, 335–353; squarem.go) extrapolates from every two EM
//     cycles, unless Options.NoAccel.
//  6. Stopping (em.go): mirt's rule — when an iteration moves no parameter
//     by more than Options.Tol (default 1e-4) — or after Options.MaxCycles
//     EM cycles (default 2000).
//  7. Standard errors (se.go), unless Options.NoSE: the inverse of the
//     cross-product approximation of the information, Σ_p w_p·s_p·s_pᵀ over
//     the examinees' score vectors s_p, plus the prior's curvature (Bock &
//     Lieberman 1970; Mislevy 1986), carried to (a, b, c) by the delta
//     method.
//  8. Diagnostics (diagnose.go): warnings on estimates at the edge of the
//     parameter space, and on every c that rests on its bound 0.
//
// The results do not depend on Options.Threads. Run does not modify d or
// the caller's grid.
func Run(d *irt.Responses, o Options) (*Result, error) {
	e, res, err := newEngine(d, o)
	if err != nil {
		return nil, err
	}
	x, conv, cycles, reason := e.iterate(e.pack())
	e.unpack(x)
	e.evaluate() // the counts and log-likelihood at the estimates
	res.LogLik = e.last.loglik
	res.LogPrior = e.logPriorTotal()
	res.Cycles, res.Converged, res.Reason = cycles, conv, reason
	res.LatentMean, res.LatentSD = e.mu, e.sd
	for _, i := range e.free {
		res.Items[i].Params = e.irtParams(i)
	}
	res.Warnings = append(res.Warnings, e.diagnose(res)...)
	if !res.Converged && res.Reason == "" {
		res.Reason = "the cycle limit was reached"
	}
	if !e.o.NoSE {
		if err := e.standardErrors(res); err != nil {
			res.Warnings = append(res.Warnings, Warning{-1, "standard errors: " + err.Error()})
		}
	}
	return res, nil
}

// newEngine checks the options, sorts the items and sets the engine at its
// starting values (steps 1 and 2 of Run), ready for the E-step on d. The
// result holds the items' counts, anchors and exclusions.
func newEngine(d *irt.Responses, o Options) (*engine, *Result, error) {
	if err := o.defaults(d.NItems()); err != nil {
		return nil, nil, err
	}
	if d.NExaminees() == 0 || d.NResponses() == 0 {
		return nil, nil, errors.New("no responses to calibrate")
	}
	n, r := itemCounts(d)
	label, k := components(d)
	e, res, err := setUp(d, o, n, r, label, k)
	if err != nil {
		return nil, nil, err
	}
	e.prepare(d)
	return e, res, nil
}

// setUp is steps 1 and 2 of Run for the items d.Items (d's responses are
// not read): from the items' weighted numbers of responses n and of
// correct responses r, and the design's components (label, k, as
// components returns them), it sorts the items and sets an engine at its
// starting values. o has its defaults filled in.
func setUp(d *irt.Responses, o Options, n, r []float64, label []int, k int) (*engine, *Result, error) {
	e := &engine{d: d, o: o, nq: len(o.Grid.Nodes), mu: 0, sd: 1}
	res := &Result{Items: make([]ItemEstimate, d.NItems()), Options: o}
	e.selectItems(res, n, r)
	e.configure()
	if len(e.free) == 0 && !(e.estMean || e.estSD) || !slices.Contains(e.active, true) {
		return nil, nil, errors.New("no item can be estimated")
	}
	if err := e.checkConnected(label, k); err != nil {
		return nil, nil, err
	}
	e.start(n, r)
	return e, res, nil
}

// configure sets what is estimated, once the items are sorted: the free
// coordinates of an item (α, δ, c) under the model, each estimated item's
// Beta shapes of its prior on c, the latent mean and SD (with anchors or
// Options.EstimateLatent; the SD alone for the Rasch model) and the 1PL's
// common slope.
func (e *engine) configure() {
	o := e.o
	switch o.Model {
	case irt.Model3PL:
		e.which = [3]bool{true, true, true}
	case irt.Model2PL:
		e.which = [3]bool{true, true, false}
	default:
		e.which = [3]bool{false, true, false}
	}
	e.cShape = make([][2]float64, e.d.NItems())
	if o.Model == irt.Model3PL {
		for i := range e.cShape {
			if _, fixed := o.Fixed[i]; !fixed {
				e.cShape[i] = cPriorShape(o.Priors, e.d.Items[i].NOptions)
			}
		}
	}
	latent := len(o.Fixed) > 0 || o.EstimateLatent
	e.estMean, e.estSD = latent, latent || o.Model == irt.ModelRasch
	e.shared = o.Model == irt.Model1PL && len(e.free) > 0
}

// prepare readies the E-step on d: its examinees grouped by item set
// (estep.go), and room for the tables of log P, log Q and the log weights.
func (e *engine) prepare(d *irt.Responses) {
	e.d = d
	e.es = newEstep(d, e.nq, e.o.Threads, true)
	e.logP0, e.logP1 = make([]float64, d.NItems()*e.nq), make([]float64, d.NItems()*e.nq)
	e.theta = make([]float64, e.nq)
	e.logPrior = make([]float64, e.nq)
	for q, w := range e.o.Grid.Weights {
		e.logPrior[q] = math.Log(w)
	}
}

// engine holds a calibration's working state.
type engine struct {
	d      *irt.Responses
	o      Options // defaults filled in
	nq     int     // quadrature nodes
	free   []int   // indexes of the estimated items
	active []bool  // per item: takes part in the likelihood (estimated, or an answered anchor)
	which  [3]bool // the free coordinates (α, δ, γ) of an estimated item
	params []siParams
	cShape [][2]float64 // per item, the Beta shapes of the prior on c (0: none)
	shared bool         // estimate the 1PL's common slope
	// estMean, estSD: which of the latent mean and SD are estimated.
	estMean, estSD bool
	mu, sd         float64 // the latent distribution, N(μ, σ²)

	es           *estep
	theta        []float64 // the nodes μ + σ·z_q of the latest E-step (latent.go)
	logP0, logP1 []float64 // log Q and log P per item and node, [i*nq+q]
	logPrior     []float64 // log weight of each node, log π_q
	last         *counts   // the latest E-step's
}
