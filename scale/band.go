package scale

// Z95 is the standard normal's 97.5th percentile, z with P(|Z| ≤ z) = 0.95:
// θ̂ ± Z95·SE is the usual 95% confidence interval of θ (Lord 1980, §4.12).
const Z95 = 1.959963984540054

// Band is the score band of an estimate θ with standard error se: the
// reported scores of θ − z·se and θ + z·se (with z = Z95, a 95% band).
// A short test, such as the 5-question sample, reports this band rather
// than one score, whose precision it cannot support.
func (s Scale) Band(theta, se, z float64) (lo, hi float64) {
	return s.Score(theta - z*se), s.Score(theta + z*se)
}
