package calibrate

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/passportirt/passport/irt"
)

// Options control a calibration. The zero value of a field takes the
// default noted.
type Options struct {
	Model irt.Model // default irt.Model2PL
	D     float64   // scaling constant; default 1 (1.702 approximates the normal ogive)
	// Grid is the quadrature over θ for the N(0, 1) reference
	// distribution; default irt.DefaultGrid(): 61 equally spaced nodes on
	// [−6, 6] with normal weights, as mirt.
	Grid irt.Quadrature
	Tol  float64 // convergence: max |Δ parameter| of an EM cycle; default 1e-4
	// MaxCycles caps the EM cycles (each extrapolation step counts the EM
	// cycles it takes); default 2000.
	MaxCycles int
	// Priors on the item parameters; nil means the model's defaults: none,
	// except for the 3PL the BILOG-MG Beta prior on c. Use &irt.Priors{} for
	// pure maximum likelihood.
	Priors *irt.Priors
	// Fixed holds anchor items at the given parameters (keyed by item
	// index; D must equal Options.D). With anchors the latent mean and SD
	// are estimated, so that the free items land on the anchors' scale.
	Fixed map[int]irt.ThreePL
	// EstimateLatent estimates the latent mean and SD even without anchors
	// (not identified for a free calibration; for fixed designs only).
	EstimateLatent bool
	Threads        int  // E-step workers; default GOMAXPROCS. Results do not depend on it.
	NoAccel        bool // plain EM instead of SQUAREM
	NoSE           bool // skip the standard errors
	// MinResponses: items with fewer responses are excluded; default 10.
	MinResponses int
	// Progress, when set, is called after each EM cycle.
	Progress func(Cycle)
}

// Cycle reports one EM cycle.
type Cycle struct {
	N         int
	LogLik    float64 // marginal log-likelihood before the cycle
	MaxChange float64 // max |Δ parameter| of the cycle
}

// ItemEstimate is one item's result, in the IRT parameterisation.
type ItemEstimate struct {
	Params        irt.ThreePL
	SEA, SEB, SEC float64 // NaN where not estimated
	N             float64 // responses (weighted)
	Fixed         bool    // an anchor held at its given values
	Excluded      string  // why the item was not estimated; "" when it was
}

// Warning is a diagnostic about one item (Item ≥ 0) or the run (Item = −1).
type Warning struct {
	Item int
	Msg  string
}

// Result is a calibration's outcome.
type Result struct {
	Items      []ItemEstimate
	LogLik     float64 // marginal log-likelihood at the estimates
	LogPrior   float64 // log prior density at the estimates (0 without priors)
	Cycles     int
	Converged  bool
	Reason     string // why it did not converge; "" when it did
	Warnings   []Warning
	LatentMean float64 // of the calibration group, on the scale of the estimates
	LatentSD   float64
	Options    Options // as used, defaults filled in
}

// DisconnectedError reports a design whose items fall into groups that no
// examinee links: their parameters are not on one scale.
type DisconnectedError struct {
	Components [][]int // item indexes per component
}

func (e *DisconnectedError) Error() string {
	var parts []string
	for k, c := range e.Components {
		parts = append(parts, fmt.Sprintf("component %d: %d items", k+1, len(c)))
	}
	return fmt.Sprintf("the design is disconnected: no examinee links %s", strings.Join(parts, " and "))
}

func (o *Options) defaults(nItems int) error {
	if o.Model == "" {
		o.Model = irt.Model2PL
	}
	if _, err := irt.ParseModel(string(o.Model)); err != nil {
		return err
	}
	if o.D == 0 {
		o.D = 1
	}
	if len(o.Grid.Nodes) == 0 {
		o.Grid = irt.DefaultGrid()
	}
	if len(o.Grid.Nodes) != len(o.Grid.Weights) || len(o.Grid.Nodes) < 3 {
		return errors.New("the quadrature grid needs at least 3 nodes, one weight per node")
	}
	if o.Tol == 0 {
		o.Tol = 1e-4
	}
	if o.MaxCycles == 0 {
		o.MaxCycles = 2000
	}
	if o.Priors == nil {
		o.Priors = &irt.Priors{CAuto: o.Model == irt.Model3PL}
	}
	if o.Threads <= 0 {
		o.Threads = runtime.GOMAXPROCS(0)
	}
	if o.MinResponses == 0 {
		o.MinResponses = 10
	}
	for i, p := range o.Fixed {
		if i < 0 || i >= nItems {
			return fmt.Errorf("fixed item %d outside [0, %d)", i, nItems)
		}
		if math.Abs(p.D-o.D) > 1e-12 {
			return fmt.Errorf("fixed item %d has D = %g, the calibration D = %g", i, p.D, o.D)
		}
	}
	return nil
}

// engine holds a calibration's working state.
type engine struct {
	d      *irt.Responses
	o      Options
	nq     int
	free   []int        // indexes of the estimated items
	which  [3]bool      // free coordinates of an estimated item
	params []siParams   // every item, internal form
	cShape [][2]float64 // per item Beta(c) prior shapes (0: none)
	active []bool       // item takes part in the likelihood
	latent bool         // estimate mean and SD
	mu, sd float64

	es           *estep
	logP0, logP1 []float64
	logPrior     []float64
	last         *counts
}

// Run calibrates the items of d.
func Run(d *irt.Responses, o Options) (*Result, error) {
	if err := o.defaults(d.NItems()); err != nil {
		return nil, err
	}
	if d.NExaminees() == 0 || d.NResponses() == 0 {
		return nil, errors.New("no responses to calibrate")
	}
	e := &engine{d: d, o: o, nq: len(o.Grid.Nodes), mu: 0, sd: 1}
	res := &Result{Items: make([]ItemEstimate, d.NItems()), Options: o}
	n, r := itemCounts(d)
	e.active = make([]bool, d.NItems())
	for i := range d.NItems() {
		it := &res.Items[i]
		it.N = n[i]
		it.SEA, it.SEB, it.SEC = math.NaN(), math.NaN(), math.NaN()
		if p, ok := o.Fixed[i]; ok {
			it.Params, it.Fixed = p, true
			e.active[i] = n[i] > 0
			continue
		}
		switch {
		case n[i] == 0:
			it.Excluded = "no responses" // not administered: no warning
			continue
		case n[i] < float64(o.MinResponses):
			it.Excluded = fmt.Sprintf("too few responses (%g, fewer than %d)", n[i], o.MinResponses)
		case r[i] == 0:
			it.Excluded = "no correct responses"
		case r[i] == n[i]:
			it.Excluded = "every response correct"
		}
		if it.Excluded != "" {
			res.Warnings = append(res.Warnings, Warning{i, "excluded: " + it.Excluded})
			continue
		}
		e.active[i] = true
		e.free = append(e.free, i)
	}
	if len(e.free) == 0 {
		return nil, errors.New("no item can be estimated")
	}
	if err := e.checkConnected(); err != nil {
		return nil, err
	}
	e.latent = len(o.Fixed) > 0 || o.EstimateLatent
	e.start(n, r)
	e.es = newEstep(d, e.nq, o.Threads, true)
	e.logP0, e.logP1 = make([]float64, d.NItems()*e.nq), make([]float64, d.NItems()*e.nq)
	e.logPrior = make([]float64, e.nq)

	x := e.pack()
	conv, cycles, reason := e.iterate(&x)
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
	if !o.NoSE {
		if err := e.standardErrors(res); err != nil {
			res.Warnings = append(res.Warnings, Warning{-1, "standard errors: " + err.Error()})
		}
	}
	return res, nil
}

// checkConnected fails when the active items form more than one linked group.
func (e *engine) checkConnected() error {
	label, k := components(e.d)
	if k <= 1 {
		return nil
	}
	comps := make([][]int, k)
	for i, l := range label {
		if l >= 0 && e.active[i] {
			comps[l] = append(comps[l], i)
		}
	}
	var nonEmpty [][]int
	for _, c := range comps {
		if len(c) > 0 {
			nonEmpty = append(nonEmpty, c)
		}
	}
	if len(nonEmpty) <= 1 {
		return nil
	}
	sort.Slice(nonEmpty, func(a, b int) bool { return len(nonEmpty[a]) > len(nonEmpty[b]) })
	return &DisconnectedError{Components: nonEmpty}
}

// start sets starting values from proportions correct: slopes 1 (a = 1),
// intercepts from the logit of the proportion, c at the prior's mode or 0.1.
func (e *engine) start(n, r []float64) {
	o := e.o
	e.params = make([]siParams, e.d.NItems())
	e.cShape = make([][2]float64, e.d.NItems())
	switch o.Model {
	case irt.Model3PL:
		e.which = [3]bool{true, true, true}
	case irt.Model2PL:
		e.which = [3]bool{true, true, false}
	default:
		e.which = [3]bool{false, true, false}
	}
	for i := range e.d.NItems() {
		if p, ok := o.Fixed[i]; ok {
			e.params[i] = fromIRT(p)
			continue
		}
		k := 4 // options, when the matrix does not say
		if n := e.d.Items[i].NOptions; n > 1 {
			k = n
		}
		if o.Model == irt.Model3PL {
			pr := o.Priors
			switch {
			case pr.CAlpha > 0 && pr.CBeta > 0:
				e.cShape[i] = [2]float64{pr.CAlpha, pr.CBeta}
			case pr.CAuto:
				p := 1 / float64(k)
				e.cShape[i] = [2]float64{20*p + 1, 20*(1-p) + 1}
			}
		}
		c := 0.0
		gamma := math.Inf(-1)
		if o.Model == irt.Model3PL {
			c = 0.1
			if s := e.cShape[i]; s[0] > 0 {
				c = (s[0] - 1) / (s[0] + s[1] - 2)
			}
			gamma = logit(c)
		}
		pv := 0.5
		if n[i] > 0 {
			pv = (r[i] + 0.5) / (n[i] + 1)
		}
		pv = min(max((pv-c)/(1-c), 0.02), 0.98)
		alpha := 1.0
		if o.Model == irt.ModelRasch {
			alpha = o.D
		}
		e.params[i] = siParams{alpha: alpha, delta: logit(pv) * 1.2, gamma: gamma}
	}
}

// fromIRT converts IRT parameters to the internal form.
func fromIRT(p irt.ThreePL) siParams {
	g := math.Inf(-1)
	if p.C > 0 {
		g = logit(p.C)
	}
	return siParams{alpha: p.D * p.A, delta: -p.D * p.A * p.B, gamma: g}
}

func (e *engine) irtParams(i int) irt.ThreePL {
	s := e.params[i]
	c := 0.0
	if !math.IsInf(s.gamma, -1) {
		c = irt.Logistic(s.gamma)
	}
	return irt.ThreePL{A: s.alpha / e.o.D, B: -s.delta / s.alpha, C: c, D: e.o.D}
}

// pack lays the free parameters out as one vector: per estimated item its
// free coordinates, then the common slope (1PL), then μ and log σ.
func (e *engine) pack() []float64 {
	var x []float64
	for _, i := range e.free {
		s := e.params[i]
		if e.which[0] {
			x = append(x, s.alpha)
		}
		x = append(x, s.delta)
		if e.which[2] {
			x = append(x, s.gamma)
		}
	}
	if e.o.Model == irt.Model1PL {
		x = append(x, e.params[e.free[0]].alpha)
	}
	if e.latent {
		x = append(x, e.mu, math.Log(e.sd))
	}
	return x
}

func (e *engine) unpack(x []float64) {
	k := 0
	for _, i := range e.free {
		s := &e.params[i]
		if e.which[0] {
			s.alpha = x[k]
			k++
		}
		s.delta = x[k]
		k++
		if e.which[2] {
			s.gamma = x[k]
			k++
		}
	}
	if e.o.Model == irt.Model1PL {
		for _, i := range e.free {
			e.params[i].alpha = x[k]
		}
		k++
	}
	if e.latent {
		e.mu, e.sd = x[k], math.Exp(x[k+1])
	}
}

// valid reports whether a parameter vector is usable (slopes positive,
// everything finite).
func (e *engine) valid(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	if e.which[0] {
		stride := 2
		if e.which[2] {
			stride = 3
		}
		for k := 0; k < len(e.free)*stride; k += stride {
			if x[k] <= 0 {
				return false
			}
		}
	}
	if e.o.Model == irt.Model1PL && x[len(e.free)] <= 0 {
		return false
	}
	return true
}

// evaluate runs the E-step at the current parameters.
func (e *engine) evaluate() *counts {
	nodes := e.o.Grid.Nodes
	for i := range e.d.NItems() {
		off := i * e.nq
		if !e.active[i] {
			clear(e.logP0[off : off+e.nq])
			clear(e.logP1[off : off+e.nq])
			continue
		}
		s := e.params[i]
		c := irt.Logistic(s.gamma)
		for q, th := range nodes {
			p, _ := s.prob(th, c)
			e.logP1[off+q] = math.Log(p)
			e.logP0[off+q] = math.Log1p(-p)
		}
	}
	e.latentWeights()
	e.last = e.es.run(e.logP0, e.logP1, e.logPrior)
	return e.last
}

// latentWeights sets the log quadrature weights: the grid's own weights for
// N(0, 1), or normal-density weights for N(μ, σ²) on the same nodes.
func (e *engine) latentWeights() {
	g := e.o.Grid
	if !e.latent || (e.mu == 0 && e.sd == 1) {
		for q, w := range g.Weights {
			e.logPrior[q] = math.Log(w)
		}
		return
	}
	var sum float64
	for q, th := range g.Nodes {
		z := (th - e.mu) / e.sd
		e.logPrior[q] = -z * z / 2
		sum += math.Exp(e.logPrior[q])
	}
	ls := math.Log(sum)
	for q := range e.logPrior {
		e.logPrior[q] -= ls
	}
}

// logPriorTotal is the log prior density of all estimated items.
func (e *engine) logPriorTotal() float64 {
	var v float64
	for _, i := range e.free {
		pv, _, _ := logPrior(e.o.Priors, e.params[i], e.o.D, e.cShape[i][0], e.cShape[i][1], e.which)
		v += pv
	}
	return v
}

// emStep is one EM cycle from the current parameters: the E-step, then the
// M-step for every estimated item (and the common slope and the latent
// moments). It returns the log posterior at the parameters it started from.
func (e *engine) emStep() float64 {
	c := e.evaluate()
	start := c.loglik + e.logPriorTotal()
	nodes := e.o.Grid.Nodes
	which := e.which
	// Items are maximised independently, in parallel; each worker writes
	// only its own items, so the result does not depend on the threads.
	var wg sync.WaitGroup
	next := make(chan int, len(e.free))
	for _, i := range e.free {
		next <- i
	}
	close(next)
	for range min(e.o.Threads, len(e.free)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				off := i * e.nq
				e.params[i] = mstepItem(e.params[i], nodes, c.r0[off:off+e.nq], c.r1[off:off+e.nq], which, e.o.Priors, e.o.D, e.cShape[i][0], e.cShape[i][1])
			}
		}()
	}
	wg.Wait()
	if e.o.Model == irt.Model1PL {
		e.commonSlope(c)
	}
	if e.latent {
		var n, m, v float64
		for q, w := range c.nq {
			n += w
			m += w * nodes[q]
		}
		m /= n
		for q, w := range c.nq {
			v += w * (nodes[q] - m) * (nodes[q] - m)
		}
		e.mu, e.sd = m, math.Sqrt(v/n)
	}
	return start
}

// commonSlope updates the 1PL's shared slope by Fisher scoring on the
// summed expected log-likelihood of the estimated items.
func (e *engine) commonSlope(c *counts) {
	nodes := e.o.Grid.Nodes
	total := func(alpha float64) (v, g, info float64) {
		for _, i := range e.free {
			off := i * e.nq
			s := e.params[i]
			s.alpha = alpha
			iv, ig, ii := itemObjective(s, nodes, c.r0[off:off+e.nq], c.r1[off:off+e.nq], [3]bool{true, false, false})
			pv, pg, ph := logPrior(e.o.Priors, s, e.o.D, 0, 0, [3]bool{false, true, false})
			v += iv + pv
			g += ig[0] + pg[0]
			info += ii[0][0] - ph[0][0]
		}
		return
	}
	alpha := e.params[e.free[0]].alpha
	v, g, info := total(alpha)
	for range maxNewton {
		if info <= 0 {
			break
		}
		step, t := g/info, 1.0
		for ; t > 1e-8; t /= 2 {
			if a := alpha + t*step; a > 0 {
				if nv, _, _ := total(a); nv >= v {
					break
				}
			}
		}
		if t <= 1e-8 {
			break
		}
		alpha += t * step
		if math.Abs(t*step) < 1e-10 {
			break
		}
		v, g, info = total(alpha)
	}
	for _, i := range e.free {
		e.params[i].alpha = alpha
	}
}

// step applies one EM cycle to x, returning F(x) and the log posterior at x.
func (e *engine) step(x []float64) ([]float64, float64) {
	e.unpack(x)
	lp := e.emStep()
	return e.pack(), lp
}

func maxAbsDiff(a, b []float64) float64 {
	var m float64
	for k := range a {
		m = max(m, math.Abs(a[k]-b[k]))
	}
	return m
}

// iterate runs EM, accelerated by SQUAREM (Varadhan & Roland 2008,
// Scandinavian Journal of Statistics 35, 335–353, scheme S3 with the
// steplength bounded by −1 and a fallback to the EM step when the
// extrapolation lowers the objective). Convergence is declared when an
// iteration — one EM cycle, or one accelerated step of three — moves no
// parameter (in slope–intercept form) by more than Tol.
func (e *engine) iterate(xp *[]float64) (converged bool, cycles int, reason string) {
	x := *xp
	o := e.o
	report := func(ll, change float64) {
		cycles++
		if o.Progress != nil {
			o.Progress(Cycle{N: cycles, LogLik: ll, MaxChange: change})
		}
	}
	defer func() { *xp = x }()
	for cycles < o.MaxCycles {
		x1, ll0 := e.step(x)
		ch := maxAbsDiff(x1, x)
		report(ll0, ch)
		if o.NoAccel {
			x = x1
			if ch < o.Tol {
				return true, cycles, ""
			}
			continue
		}
		x2, ll1 := e.step(x1)
		report(ll1, maxAbsDiff(x2, x1))
		rr, vv := 0.0, 0.0
		r := make([]float64, len(x))
		v := make([]float64, len(x))
		for k := range x {
			r[k] = x1[k] - x[k]
			v[k] = x2[k] - x1[k] - r[k]
			rr += r[k] * r[k]
			vv += v[k] * v[k]
		}
		next := x2
		if vv > 0 {
			alpha := min(-math.Sqrt(rr/vv), -1)
			xn := make([]float64, len(x))
			for k := range x {
				xn[k] = x[k] - 2*alpha*r[k] + alpha*alpha*v[k]
			}
			if e.valid(xn) {
				x3, llx := e.step(xn)
				report(llx, maxAbsDiff(x3, xn))
				// Keep the extrapolation unless it lost ground.
				if !math.IsNaN(llx) && llx >= ll1 {
					next = x3
				}
			}
		}
		// Converged when a whole accelerated iteration moves no parameter
		// by more than Tol.
		ch = maxAbsDiff(next, x)
		x = next
		if ch < o.Tol {
			return true, cycles, ""
		}
	}
	return false, cycles, fmt.Sprintf("no convergence in %d EM cycles (tolerance %g)", o.MaxCycles, o.Tol)
}

// diagnose flags items whose estimates ran to the edge of the parameter
// space, the usual reason a 3PL run does not converge.
func (e *engine) diagnose(res *Result) []Warning {
	var w []Warning
	for _, i := range e.free {
		p := res.Items[i].Params
		switch {
		case p.A > 10:
			w = append(w, Warning{i, fmt.Sprintf("slope a = %.3g is very large: the item may be near-deterministic (Guttman) in this sample", p.A)})
		case e.o.Model != irt.ModelRasch && e.o.Model != irt.Model1PL && p.A < 0.05:
			w = append(w, Warning{i, fmt.Sprintf("slope a = %.3g is near zero: the item barely discriminates", p.A)})
		}
		if math.Abs(p.B) > 5 {
			w = append(w, Warning{i, fmt.Sprintf("difficulty b = %.3g is far outside the ability range", p.B)})
		}
		if e.o.Model == irt.Model3PL {
			switch {
			case p.C > 0.5:
				w = append(w, Warning{i, fmt.Sprintf("lower asymptote c = %.3f ran high (toward its bound 1)", p.C)})
			case p.C < 1e-4 && e.cShape[i][0] == 0:
				w = append(w, Warning{i, fmt.Sprintf("lower asymptote c = %.2g ran to its bound 0", p.C)})
			}
		}
	}
	if !res.Converged {
		for _, x := range w {
			if x.Item >= 0 {
				res.Reason += "; see the warnings on items at the edge of the parameter space"
				break
			}
		}
	}
	return w
}
