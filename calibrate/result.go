package calibrate

import "github.com/passportirt/passport/irt"

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
