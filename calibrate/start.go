package calibrate

import "github.com/passportirt/passport/irt"

// start sets the starting values from the items' counts n (responses) and
// r (correct): anchors at their given values; otherwise slope α = 1
// (α = D for the Rasch model), c at the mode of its Beta prior (0.1
// without one, or when the mode is 0; 0 below the 3PL), and the intercept
// δ = 1.2·logit(p*) from the proportion correct p = (r + ½)/(n + 1) with
// the guessing taken out, p* = (p − c)/(1 − c), kept in [0.02, 0.98].
func (e *engine) start(n, r []float64) {
	o := e.o
	e.params = make([]siParams, e.d.NItems())
	for i := range e.d.NItems() {
		if p, ok := o.Fixed[i]; ok {
			e.params[i] = fromIRT(p)
			continue
		}
		c := 0.0
		if o.Model == irt.Model3PL {
			c = 0.1
			if s := e.cShape[i]; s[0] > 1 && s[1] > 1 {
				c = (s[0] - 1) / (s[0] + s[1] - 2)
			}
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
		e.params[i] = siParams{alpha: alpha, delta: logit(pv) * 1.2, c: c}
	}
}
