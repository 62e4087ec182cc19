package calibrate

import (
	"errors"
	"fmt"
	"math"
	"runtime"

	"github.com/passportirt/passport/irt"
)

// Options control a calibration. The zero value of a field takes the
// default noted.
type Options struct {
	// Model: default irt.Model2PL. irt.ModelRasch fixes every slope at 1
	// and estimates the latent SD (mean 0), as mirt's and Winsteps' Rasch;
	// irt.Model1PL estimates one slope shared by the items on N(0, 1).
	Model irt.Model
	D     float64 // scaling constant; default 1 (1.702 approximates the normal ogive)
	// Grid is the quadrature over θ for the N(0, 1) reference
	// distribution; default irt.DefaultGrid(): 61 equally spaced nodes on
	// [−6, 6] with normal weights, as mirt. Run only reads it.
	Grid irt.Quadrature
	Tol  float64 // convergence: max |Δ parameter| of an EM cycle; default 1e-4
	// MaxCycles caps the EM cycles (each extrapolation step counts the EM
	// cycles it takes); default 2000.
	MaxCycles int
	// Priors on the item parameters; nil means DefaultPriors(Model): none,
	// except BILOG-MG's for the 3PL. &irt.Priors{}, the zero value, is pure
	// maximum likelihood. Beta shapes on c, when given, are both at least 1.
	Priors *irt.Priors
	// Fixed holds anchor items at the given parameters (keyed by item
	// index; D must equal Options.D). With anchors the latent mean and SD
	// are estimated, so that the free items land on the anchors' scale;
	// with every item anchored, only they are.
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

// defaults fills in the zero fields and checks the options for a matrix of
// nItems items.
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
		pr := DefaultPriors(o.Model)
		o.Priors = &pr
	}
	if pr := o.Priors; pr.LogASD < 0 || pr.BSD < 0 {
		return fmt.Errorf("prior SDs must not be negative (log a: %g, b: %g)", pr.LogASD, pr.BSD)
	}
	if pr := o.Priors; (pr.CAlpha != 0 || pr.CBeta != 0) && !(pr.CAlpha >= 1 && pr.CBeta >= 1) {
		return fmt.Errorf("prior Beta(%g, %g) on c: both shapes must be at least 1 (below 1 the density, and the posterior, is infinite at a bound)", pr.CAlpha, pr.CBeta)
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
