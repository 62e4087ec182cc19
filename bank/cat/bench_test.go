package cat

import (
	"context"
	"testing"
)

// benchmarkStudy runs a 1,000-simulee study (θ ~ N(0, 1)) per iteration
// and reports its RMSE and largest exposure rate.
func benchmarkStudy(b *testing.B, pool []Item, cfg Config) {
	e, err := NewEngine(pool, cfg)
	if err != nil {
		b.Fatal(err)
	}
	thetas := DrawThetas(1000, 0, 1, 1)
	var st *Study
	for b.Loop() {
		if st, _, err = e.Simulate(context.Background(), StudyOptions{Thetas: thetas, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(st.RMSE, "rmse")
	b.ReportMetric(st.Exposure.Max, "max_exposure")
}

// BenchmarkMFI85 is the reference study: 1,000 simulees × 20 items by
// maximum information from an 85-item 3PL bank. Target: ≥ 100× catR's
// 67 s, that is well under 0.67 s.
func BenchmarkMFI85(b *testing.B) { benchmarkStudy(b, simBank(1, 85), Config{}) }

// BenchmarkKL85 is the same study by Kullback–Leibler selection (catR:
// about 2,060 s).
func BenchmarkKL85(b *testing.B) { benchmarkStudy(b, simBank(1, 85), Config{Selection: KL}) }

// BenchmarkShadowDemo is a shadow-test CAT with the demo blueprint's domain
// quotas (five items per domain) and the items' enemy groups: 1,000
// simulees × 20 items from the 306-item demo bank, the heuristic solver.
// Target: ≤ 30 s.
func BenchmarkShadowDemo(b *testing.B) {
	benchmarkStudy(b, demoBank(b, 1), Config{Content: ContentRule{Method: Shadow, Blueprint: quotas(20, "semantics", "idioms", "performance", "stdlib")}})
}
