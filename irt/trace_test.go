package irt

import (
	"math/rand/v2"
	"testing"
)

// Scoring from the tabulated trace must agree with scoring from the items
// (the same sums in a different order: relative 1e-13).
func TestTraceEAP(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	items := mixedItems(rng, 40)
	for _, q := range []Quadrature{DefaultGrid(), GaussHermite(21).Rescale(0.3, 1.2)} {
		tr := NewTrace(items, q)
		for rep := range 30 {
			resp := Simulate(nil, rng, items, DrawTheta(rng, 0, 1.5))
			for i := rep; i < len(resp); i += 7 {
				resp[i] = Missing
			}
			got, want := tr.EAP(resp), EAP(items, resp, q)
			if !closeRel(got.Theta, want.Theta, 1e-13) || !closeRel(got.SE, want.SE, 1e-13) {
				t.Errorf("Trace.EAP = %+v, EAP = %+v", got, want)
			}
		}
	}
	for _, resp := range [][]int8{make([]int8, 39), append(make([]int8, 39), 3)} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Trace.EAP(%v): no panic", resp)
				}
			}()
			NewTrace(items, DefaultGrid()).EAP(resp)
		}()
	}
}
