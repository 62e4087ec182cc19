package calibrate

import (
	"fmt"
	"math"

	"github.com/passportirt/passport/irt"
)

// diagnose flags items whose estimates ran to the edge of the parameter
// space, the usual reason a 3PL run does not converge, and the lower
// asymptotes that rest on their bound 0 — a maximum where the log
// posterior falls as c rises from 0 (∂/∂c ≤ 0, from the last E-step's
// counts). It needs the E-step at the estimates.
func (e *engine) diagnose(res *Result) []Warning {
	var w []Warning
	for _, i := range e.free {
		p := res.Items[i].Params
		switch {
		case p.A > 10:
			w = append(w, Warning{i, fmt.Sprintf("slope a = %.3g is very large: the item may be near-deterministic (Guttman) in this sample", p.A)})
		case e.o.Model != irt.ModelRasch && e.o.Model != irt.Model1PL && p.A < 0.05:
			w = append(w, Warning{i, fmt.Sprintf("slope a = %.3g is near zero: the item barely discriminates", p.A)})
		}
		if math.Abs(p.B) > 5 {
			w = append(w, Warning{i, fmt.Sprintf("difficulty b = %.3g is far outside the ability range", p.B)})
		}
		if e.o.Model == irt.Model3PL {
			switch {
			case p.C > 0.5:
				w = append(w, Warning{i, fmt.Sprintf("lower asymptote c = %.3f ran high (toward its bound 1)", p.C)})
			case p.C == 0:
				w = append(w, Warning{i, fmt.Sprintf("lower asymptote c = 0, on its bound: the fit falls as c rises from 0 (∂/∂c = %.3g); no SE for c", e.gradC(i))})
			}
		}
	}
	if !res.Converged {
		for _, x := range w {
			if x.Item >= 0 {
				res.Reason += "; see the warnings on items at the edge of the parameter space"
				break
			}
		}
	}
	return w
}

// gradC is the derivative of the log posterior in item i's c at the
// estimates: by Fisher's identity, that of the expected complete-data log
// posterior at the last E-step's counts.
func (e *engine) gradC(i int) float64 {
	off := i * e.nq
	s := e.params[i]
	_, g, _ := itemObjective(s, e.nodes(), e.last.r0[off:off+e.nq], e.last.r1[off:off+e.nq], e.which)
	_, pg, _ := logPrior(e.o.Priors, s, e.o.D, e.cShape[i][0], e.cShape[i][1], e.which)
	return g[2] + pg[2]
}
