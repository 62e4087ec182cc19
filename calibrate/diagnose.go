package calibrate

import (
	"fmt"
	"math"

	"github.com/passportirt/passport/irt"
)

// diagnose flags items whose estimates ran to the edge of the parameter
// space, the usual reason a 3PL run does not converge.
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
			case p.C < 1e-4 && e.cShape[i][0] == 0:
				w = append(w, Warning{i, fmt.Sprintf("lower asymptote c = %.2g ran to its bound 0", p.C)})
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
