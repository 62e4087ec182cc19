package irt

// Priors are prior densities on the IRT parameters of calibrated items, for
// a maximum a posteriori ("Bayes modal") calibration (Mislevy 1986,
// Psychometrika 51, 177–195). A zero SD or Beta shape turns a prior off;
// the zero value is pure maximum likelihood.
type Priors struct {
	// LogA: log a ~ N(LogAMean, LogASD²), a lognormal on the slope
	// (BILOG-MG's default is LogAMean 0, LogASD 0.5).
	LogAMean float64 `json:"log_a_mean"`
	LogASD   float64 `json:"log_a_sd"`
	// B: b ~ N(BMean, BSD²).
	BMean float64 `json:"b_mean"`
	BSD   float64 `json:"b_sd"`
	// C: c ~ Beta(CAlpha, CBeta). With CAuto set and CAlpha, CBeta zero,
	// each item takes BILOG-MG's Beta(20p + 1, 20(1 − p) + 1) with
	// p = 1/options (Zimowski, Muraki, Mislevy & Bock 2003, BILOG-MG manual).
	CAlpha float64 `json:"c_alpha"`
	CBeta  float64 `json:"c_beta"`
	CAuto  bool    `json:"c_auto"`
}

// GridSpec describes a quadrature of Points equally spaced nodes on
// [Min, Max] with N(0, 1) weights, as a calibration run records it. The zero
// value is passport's default, DefaultGrid (61 nodes on [−6, 6], mirt's).
type GridSpec struct {
	Points int     `json:"quad_points"`
	Min    float64 `json:"quad_min"`
	Max    float64 `json:"quad_max"`
}

// DefaultGridSpec is the spec of DefaultGrid.
var DefaultGridSpec = GridSpec{Points: 61, Min: -6, Max: 6}

// Quadrature returns a new grid built from the spec (the default for the
// zero value); the caller owns it.
func (s GridSpec) Quadrature() Quadrature {
	if s.Points == 0 {
		s = DefaultGridSpec
	}
	return NormalGrid(s.Points, s.Min, s.Max)
}
