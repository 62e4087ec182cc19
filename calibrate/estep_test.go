package calibrate

import (
	"github.com/passportirt/passport/irt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestGroupedEStepMatchesDirect: the grouped E-step (per-form bases,
// minority responses only) gives the direct computation's counts and
// log-likelihood, on a design mixing forms with unique item sets.
func TestGroupedEStepMatchesDirect(t *testing.T) {
	s := simulateSparse(3, 40, 4, 15, 600, true)
	b := irt.NewBuilder(40)
	for p := 0; p+1 < len(s.start); p++ {
		for k := s.start[p]; k < s.start[p+1]; k++ {
			// Every 7th examinee skips one item: some of them have an item
			// set nobody else has.
			if p%7 == 0 && k-s.start[p] == (p/7)%15 {
				continue
			}
			b.Add(int(s.items[k]), s.scores[k])
		}
		b.NextWeighted(1 + float64(p%3))
	}
	d := b.Responses()
	const nq = 21
	rng := rand.New(rand.NewPCG(1, 2))
	logP0, logP1 := make([]float64, 40*nq), make([]float64, 40*nq)
	for k := range logP0 {
		p := 0.05 + 0.9*rng.Float64()
		logP1[k], logP0[k] = math.Log(p), math.Log1p(-p)
	}
	prior := make([]float64, nq)
	for q := range prior {
		z := -4 + 8*float64(q)/(nq-1)
		prior[q] = -z * z / 2
	}
	grouped := newEstep(d, nq, 2, true)
	singles := 0
	for _, g := range grouped.group {
		if g < 0 {
			singles++
		}
	}
	if len(grouped.groups) < 4 || singles == 0 {
		t.Fatalf("%d groups and %d examinees on the direct path; want both paths used", len(grouped.groups), singles)
	}
	g := grouped.run(logP0, logP1, prior)
	direct := newEstep(d, nq, 1, false).run(logP0, logP1, prior)
	if math.Abs(g.loglik-direct.loglik) > 1e-9*math.Abs(direct.loglik) {
		t.Errorf("log-likelihood %.12g grouped, %.12g direct", g.loglik, direct.loglik)
	}
	for k := range g.r1 {
		if math.Abs(g.r1[k]-direct.r1[k]) > 1e-9 || math.Abs(g.r0[k]-direct.r0[k]) > 1e-9 {
			t.Fatalf("counts differ at %d: r1 %.12g/%.12g r0 %.12g/%.12g", k, g.r1[k], direct.r1[k], g.r0[k], direct.r0[k])
		}
	}
	for q := range g.nq {
		if math.Abs(g.nq[q]-direct.nq[q]) > 1e-9 {
			t.Errorf("node %d: %g vs %g examinees", q, g.nq[q], direct.nq[q])
		}
	}
}
