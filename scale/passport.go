package scale

import (
	"fmt"
	"math"
)

// Scale is a reporting scale: score = Slope·θ + Intercept, rounded to a
// whole point and clamped to [Min, Max] (Kolen & Brennan 2014, ch. 9,
// linear transformations of θ).
type Scale struct {
	Slope, Intercept float64
	Min, Max         float64
}

// TwoPoints is the scale through (θ1, s1) and (θ2, s2): e.g. θ = −3 → 300
// and θ = 3 → 850 for the passport scale.
func TwoPoints(theta1, s1, theta2, s2, min, max float64) (Scale, error) {
	if theta1 == theta2 {
		return Scale{}, fmt.Errorf("the two points have the same θ %g", theta1)
	}
	slope := (s2 - s1) / (theta2 - theta1)
	return checked(Scale{Slope: slope, Intercept: s1 - slope*theta1, Min: min, Max: max})
}

// FromMoments is the scale that gives a reference group with θ mean mu and
// SD sigma the scale mean m and SD s: Slope = s/σ, Intercept = m − Slope·μ.
func FromMoments(mu, sigma, m, s, min, max float64) (Scale, error) {
	if !(sigma > 0) || !(s > 0) {
		return Scale{}, fmt.Errorf("SDs %g and %g: expected both positive", sigma, s)
	}
	return checked(Scale{Slope: s / sigma, Intercept: m - s/sigma*mu, Min: min, Max: max})
}

// Passport is the passport reporting scale: θ = −3 → 300, θ = 3 → 850.
func Passport() Scale {
	s, _ := TwoPoints(-3, 300, 3, 850, 300, 850)
	return s
}

func checked(s Scale) (Scale, error) {
	switch {
	case !(s.Slope > 0):
		return Scale{}, fmt.Errorf("slope %g: scores must increase with θ", s.Slope)
	case !(s.Max > s.Min):
		return Scale{}, fmt.Errorf("range [%g, %g]: expected min < max", s.Min, s.Max)
	}
	return s, nil
}

// Linear is the unrounded, unclamped score of θ.
func (s Scale) Linear(theta float64) float64 { return s.Slope*theta + s.Intercept }

// Score is the reported score of θ: Linear rounded to a whole point and
// clamped to [Min, Max]; θ = ±Inf gives Max or Min.
func (s Scale) Score(theta float64) float64 { return s.Report(s.Linear(theta)) }

// Theta is the θ of an unrounded score x in [Min, Max], the inverse of
// Linear: θ = (x − Intercept)/Slope. A cut score given on the scale is
// moved to θ by it.
func (s Scale) Theta(x float64) (float64, error) {
	if !(x >= s.Min && x <= s.Max) {
		return 0, fmt.Errorf("score %g: expected a score in [%g, %g]", x, s.Min, s.Max)
	}
	return (x - s.Intercept) / s.Slope, nil
}

// Report rounds and clamps an unrounded score.
func (s Scale) Report(x float64) float64 {
	return math.Min(s.Max, math.Max(s.Min, math.Round(x)))
}
