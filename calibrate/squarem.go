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
	var it squaremIter
	at := x
	for {
		fx, obj := F(at)
		next, done := it.next(x, fx, obj, admit)
		if done {
			return next
		}
		at = next
	}
}

// squaremIter is a SQUAREM iteration (squarem) taken one EM cycle at a
// time, so that the cycles may run elsewhere: a sharded calibration keeps
// it in its state file between cycles (shard.go). Its zero value starts an
// iteration.
type squaremIter struct {
	Cycles int       `json:"cycles"`           // EM cycles of the iteration taken so far, 0 to 2
	X1     []float64 `json:"x1,omitempty"`     // F(x)
	X2     []float64 `json:"x2,omitempty"`     // F(x1)
	Obj1   float64   `json:"obj_x1,omitempty"` // the objective at x1
}

// next takes F's value fx at the point the iteration asked for last (x
// itself first) and the objective there; it returns the point at which to
// evaluate F next or, when done, the iteration's result. x is the
// iteration's starting point.
func (it *squaremIter) next(x, fx []float64, obj float64, admit func([]float64) bool) (point []float64, done bool) {
	it.Cycles++
	switch it.Cycles {
	case 1:
		it.X1 = fx
		return fx, false
	case 2:
		it.X2, it.Obj1 = fx, obj
		if xn, ok := it.extrapolate(x, admit); ok {
			return xn, false
		}
		return it.X2, true
	}
	// Keep the extrapolation unless it lost ground.
	if math.IsNaN(obj) || obj < it.Obj1 {
		return it.X2, true
	}
	return fx, true
}

// extrapolate returns x′ = x − 2α·r + α²·v, projected by admit, and
// whether it is usable.
func (it *squaremIter) extrapolate(x []float64, admit func([]float64) bool) ([]float64, bool) {
	var rr, vv float64
	r := make([]float64, len(x))
	v := make([]float64, len(x))
	for k := range x {
		r[k] = it.X1[k] - x[k]
		v[k] = it.X2[k] - it.X1[k] - r[k]
		rr += r[k] * r[k]
		vv += v[k] * v[k]
	}
	if !(vv > 0) { // the two cycles moved alike: no steplength
		return nil, false
	}
	alpha := min(-math.Sqrt(rr/vv), -1)
	xn := make([]float64, len(x))
	for k := range x {
		xn[k] = x[k] - 2*alpha*r[k] + alpha*alpha*v[k]
	}
	return xn, admit(xn)
}
