package calibrate

import (
	"errors"
	"fmt"
	"math"
	"runtime"

	"gonum.org/v1/gonum/stat"

	"github.com/passportirt/passport/irt"
)

// Posterior is a group's estimated ability distribution on a grid, with the
// items held fixed: the examinees' posterior distributions summed and
// normalised (the expected examinee counts of the E-step, Bock & Aitkin
// 1981, eq. 9), then taken as the prior and summed again until the weights
// stop changing (the empirical histogram of Bock & Aitkin 1981, sec. 5;
// mirt's empiricalhist). A single pass would shrink the distribution
// toward q's weights, where the iteration starts. Linking uses it to weight
// a characteristic-curve criterion by the groups' own distributions.
func Posterior(d *irt.Responses, items []irt.ThreePL, q irt.Quadrature) ([]float64, error) {
	if len(items) != d.NItems() {
		return nil, fmt.Errorf("%d item parameters for %d items", len(items), d.NItems())
	}
	if d.NResponses() == 0 {
		return nil, errors.New("no responses to estimate the distribution from")
	}
	nq := len(q.Nodes)
	logP0, logP1 := make([]float64, d.NItems()*nq), make([]float64, d.NItems()*nq)
	for i, it := range items {
		for k, th := range q.Nodes {
			p, r := it.PQ(th)
			logP1[i*nq+k], logP0[i*nq+k] = math.Log(p), math.Log(r)
		}
	}
	prior := make([]float64, nq)
	for k, w := range q.Weights {
		prior[k] = math.Log(w)
	}
	es := newEstep(d, nq, runtime.GOMAXPROCS(0), true)
	w := make([]float64, nq)
	mean, sd := 0.0, 0.0
	for range 1000 {
		c := es.run(logP0, logP1, prior)
		var sum float64
		for _, v := range c.nq {
			sum += v
		}
		for k, v := range c.nq {
			w[k] = v / sum
			prior[k] = math.Log(max(w[k], 1e-300))
		}
		m, s := stat.PopMeanStdDev(q.Nodes, w)
		// The weights have flat directions that EM crawls along; what a
		// criterion needs, the distribution's place and spread, settles
		// much sooner.
		if math.Abs(m-mean) < 1e-6 && math.Abs(s-sd) < 1e-6 {
			break
		}
		mean, sd = m, s
	}
	return w, nil
}
