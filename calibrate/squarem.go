package calibrate

import "math"

// squarem takes one SQUAREM iteration from x (Varadhan & Roland 2008,
// Scandinavian Journal of Statistics 35, 335–353; scheme S3) on the
// fixed-point map F of EM, whose second result is the objective — the log
// posterior — at F's argument. With two EM cycles x1 = F(x), x2 = F(x1),
// the differences r = x1 − x and v = x2 − x1 − r, and the steplength
//
//	α = min(−‖r‖/‖v‖, −1),
//
// the extrapolation x′ = x − 2α·r + α²·v is stabilised by one more EM
// cycle, x3 = F(x′). admit projects x′ onto the parameter space in place
// where it can (Varadhan & Roland 2008, sec. 7, for bounded parameters)
// and reports whether the result is usable. The result is x3, unless x′ is
// not admitted (a slope at or below 0, a non-finite coordinate) or the
// objective at x′ is below the objective at x1, when it is x2: the
// iteration never does worse than two EM cycles. α ≤ −1 makes α = −1 the
// plain two-cycle step x2.
func squarem(x []float64, F func([]float64) ([]float64, float64), admit func([]float64) bool) []float64 {
	x1, _ := F(x)
	x2, ll1 := F(x1)
	var rr, vv float64
	r := make([]float64, len(x))
	v := make([]float64, len(x))
	for k := range x {
		r[k] = x1[k] - x[k]
		v[k] = x2[k] - x1[k] - r[k]
		rr += r[k] * r[k]
		vv += v[k] * v[k]
	}
	if !(vv > 0) { // the two cycles moved alike: no steplength
		return x2
	}
	alpha := min(-math.Sqrt(rr/vv), -1)
	xn := make([]float64, len(x))
	for k := range x {
		xn[k] = x[k] - 2*alpha*r[k] + alpha*alpha*v[k]
	}
	if !admit(xn) {
		return x2
	}
	x3, llx := F(xn)
	// Keep the extrapolation unless it lost ground.
	if math.IsNaN(llx) || llx < ll1 {
		return x2
	}
	return x3
}
