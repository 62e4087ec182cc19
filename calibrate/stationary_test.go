package calibrate

import (
	"math"
	"testing"

	"github.com/passportirt/passport/irt"
)

// TestEstimatesAreStationary: at convergence, EM's estimates are a
// stationary point of the log posterior (marginal log-likelihood plus the
// items' log prior density): its central differences along the packed
// coordinates — every item coordinate, the 1PL's common slope, the Rasch
// model's log σ, and the latent μ and log σ of an anchored run — vanish
// (within 0.01; at Tol 1e-8 the gradient is ~1e-5 and the differences' error
// ~1e-6).
func TestEstimatesAreStationary(t *testing.T) {
	for _, tc := range []struct {
		model   irt.Model
		priors  *irt.Priors
		threePL bool
		anchors bool
	}{
		{irt.Model1PL, &irt.Priors{BMean: 1, BSD: 0.3}, false, false},
		{irt.Model2PL, &irt.Priors{LogAMean: 0.2, LogASD: 0.3, BMean: -0.5, BSD: 0.5}, false, false},
		{irt.Model3PL, nil, true, false},
		{irt.ModelRasch, &irt.Priors{BMean: 0.5, BSD: 1}, false, false},
		{irt.Model2PL, nil, false, true},
	} {
		s := simulateSparse(21, 24, 4, 12, 1000, tc.threePL)
		var fixed map[int]irt.ThreePL
		if tc.anchors {
			items, _ := shifted(s, 0.3, 1.2)
			fixed = map[int]irt.ThreePL{0: items[0], 6: items[6], 12: items[12], 18: items[18]}
		}
		e, _, err := newEngine(s.data(), Options{Model: tc.model, Priors: tc.priors, Tol: 1e-8, Fixed: fixed})
		if err != nil {
			t.Fatal(err)
		}
		x, conv, _, reason := e.iterate(e.pack())
		if !conv {
			t.Fatalf("%s: %s", tc.model, reason)
		}
		logPost := func(x []float64) float64 {
			e.unpack(x)
			return e.evaluate().loglik + e.logPriorTotal()
		}
		const h = 1e-5
		for k := range x {
			up, down := append([]float64(nil), x...), append([]float64(nil), x...)
			up[k] += h
			down[k] -= h
			if g := (logPost(up) - logPost(down)) / (2 * h); math.Abs(g) > 0.01 {
				t.Errorf("%s, priors %+v: ∂ log posterior/∂x[%d] = %.4g at the estimates", tc.model, *e.o.Priors, k, g)
			}
		}
	}
}
