package irt

import (
	"fmt"
	"math"
)

// Trace tabulates the log item response functions of a test on a
// quadrature grid, ln P_i(θ_k) and ln Q_i(θ_k) for every item i and node
// θ_k, so that scoring many response patterns against the same test and
// prior costs only additions. It is read-only after NewTrace and safe for
// concurrent use.
type Trace struct {
	nodes []float64
	logW  []float64 // ln of the quadrature weights
	items int
	// logs holds, node by node and item by item, the triple
	// (0, ln Q_i(θ_k), ln P_i(θ_k)): the log-likelihood term of response
	// u ∈ {Missing, 0, 1} is at 3·(k·items + i) + u + 1.
	logs []float64
}

// NewTrace tabulates items on the quadrature q, which becomes the prior of
// the Trace's estimates. q.Nodes is retained, not copied.
func NewTrace(items []ThreePL, q Quadrature) *Trace {
	n := len(items)
	t := &Trace{
		nodes: q.Nodes,
		logW:  make([]float64, len(q.Nodes)),
		items: n,
		logs:  make([]float64, 3*n*len(q.Nodes)),
	}
	for k, x := range q.Nodes {
		t.logW[k] = math.Log(q.Weights[k])
		row := t.logs[3*k*n : 3*(k+1)*n]
		for i, it := range items {
			prob, comp := it.PQ(x)
			row[3*i+1], row[3*i+2] = math.Log(comp), math.Log(prob)
		}
	}
	return t
}

// EAP returns the same estimate as EAP(items, resp, q) for the items and
// quadrature of the Trace, from the tabulated logarithms. It does not
// allocate.
func (t *Trace) EAP(resp []int8) Estimate {
	if len(resp) != t.items {
		panic(fmt.Sprintf("irt: %d responses for %d items", len(resp), t.items))
	}
	for _, u := range resp {
		if u < Missing || u > 1 {
			panic(badResponse(u))
		}
	}
	return posteriorMoments(t.nodes, func(k int) float64 {
		row := t.logs[3*k*t.items : 3*(k+1)*t.items]
		lp := t.logW[k]
		for i, u := range resp {
			lp += row[3*i+int(u)+1]
		}
		return lp
	})
}
