package assemble

import (
	"context"
	"testing"
)

// benchmarkSolvers assembles bp's forms from pool with CBC (when
// installed) and the heuristic, reporting the objective, the bound and the
// gap in percent of the last solve.
func benchmarkSolvers(b *testing.B, bp Blueprint, pool []Item, o Options) {
	solvers := []Solver{Heuristic{}}
	if c, err := FindCBC(); err == nil {
		solvers = append([]Solver{c}, solvers...)
	}
	for _, s := range solvers {
		b.Run(s.Name(), func(b *testing.B) {
			var res *Result
			for b.Loop() {
				var err error
				if res, err = Assemble(context.Background(), bp, pool, s, o); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(res.Objective, "objective")
			b.ReportMetric(res.Bound, "bound")
			b.ReportMetric(100*res.Gap, "gap_%")
			if res.Status == StatusOptimal {
				b.ReportMetric(1, "optimal")
			} else {
				b.ReportMetric(0, "optimal")
			}
		})
	}
}

// BenchmarkMaximin3000 assembles one 50-item maximin form (θ = −1, 0, 1)
// from a 3,000-item pool with enemy groups, domain quotas and item sets;
// CBC is asked to prove optimality (gap 0). Target: proven optimal in
// 5 s or less.
func BenchmarkMaximin3000(b *testing.B) {
	bp, pool := generated(11, 3000)
	benchmarkSolvers(b, bp, pool, Options{Seed: 1, MaxNodes: cbcNodes})
}

// BenchmarkParallel4x1000 assembles four parallel 50-item maximin forms
// from a 1,000-item pool, sharing 10 anchors and no other item; CBC stops
// at a 1 % gap. Target: within 1 % in 30 s or less.
func BenchmarkParallel4x1000(b *testing.B) {
	bp, pool := generated(12, 1000)
	bp.Forms = 4
	bp.Anchors = anchorsOf(pool, bp.ItemSets, 10)
	benchmarkSolvers(b, bp, pool, Options{Seed: 1, MaxNodes: cbcNodes, Gap: 0.01})
}
