package reports

import "math"

// moments accumulates the sums of a bivariate sample (x, y) for its
// centred cross-products.
type moments struct {
	n, sx, sy, sxx, syy, sxy float64
}

func (m *moments) add(x, y float64) {
	m.n++
	m.sx += x
	m.sy += y
	m.sxx += x * x
	m.syy += y * y
	m.sxy += x * y
}

// centred returns Σ(x − x̄)², Σ(y − ȳ)² and Σ(x − x̄)(y − ȳ).
func (m *moments) centred() (cxx, cyy, cxy float64) {
	if m.n == 0 {
		return 0, 0, 0
	}
	return m.sxx - m.sx*m.sx/m.n, m.syy - m.sy*m.sy/m.n, m.sxy - m.sx*m.sy/m.n
}

// pooledCorr returns the pooled within-group correlation of the groups'
// samples: deviations are taken from each group's own means,
//
//	r = Σ_g Σ(x − x̄_g)(y − ȳ_g) / √(Σ_g Σ(x − x̄_g)² · Σ_g Σ(y − ȳ_g)²),
//
// which for one group is Pearson's r. Examinees on different forms have
// total scores on different tests: pooling within forms keeps a form's
// difficulty out of an item's correlation with the total. NaN when either
// variable does not vary within groups.
func pooledCorr(groups []*moments) float64 {
	var cxx, cyy, cxy float64
	for _, m := range groups {
		a, b, c := m.centred()
		cxx += a
		cyy += b
		cxy += c
	}
	// A variance that is zero up to rounding is zero.
	if cxx <= 1e-9 || cyy <= 1e-9 {
		return math.NaN()
	}
	return cxy / math.Sqrt(cxx*cyy)
}
