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
	Model irt.Model // default irt.Model2PL
	D     float64   // scaling constant; default 1 (1.702 approximates the normal ogive)
	// Grid is the quadrature over θ for the N(0, 1) reference
	// distribution; default irt.DefaultGrid(): 61 equally spaced nodes on
	// [−6, 6] with normal weights, as mirt. Run only reads it.
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
