package cat

import (
	"context"
	"testing"
)

// TestQualityTargets runs the reference studies' conditions (1,000
// simulees, θ ~ N(0, 1), 20 items by maximum information) on the
// simulated 85-item bank and on the demo bank: without exposure control,
// randomesque 5, a restricted maximum rate of 0.3 over all tests (as the
// published studies cap it) and the same in five θ segments.
// The published studies on an 85-item bank (fixtures/reference/README.md:
// catR and TestDesign) report RMSE .305 without control and .409 at a 0.3
// cap; on other banks the levels differ, so the test holds the cost of
// the cap to at most the published .104, and the cap to 0.01 in every
// segment where it can (the limits below say where it cannot, and by how
// much).
func TestQualityTargets(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000-simulee studies")
	}
	// limits are the excess over the cap allowed by segment of the final
	// θ̂ and of the true θ, for one and five segments: the measured excess
	// plus 0.01 where the 0.01 target is missed (see TestExposureCaps).
	banks := []struct {
		name   string
		pool   []Item
		limits map[int][2]float64
	}{
		// five segments measured: final θ̂ .298–.333, true θ .319–.407
		{"85-item", simBank(1, 85), map[int][2]float64{1: {0.01, 0.01}, 5: {0.04, 0.12}}},
		// five segments measured: final θ̂ .289–.300, true θ .320–.406
		{"demo", demoBank(t, 1), map[int][2]float64{1: {0.01, 0.01}, 5: {0.01, 0.12}}},
	}
	for _, b := range banks {
		var rmse []float64
		for _, cfg := range []Config{{}, {Randomesque: 5}, {Exposure: ExposureRule{Method: RMR, MaxRate: 0.3}},
			{Exposure: ExposureRule{Method: RMR, MaxRate: 0.3, Segments: []float64{-1.5, -0.5, 0.5, 1.5}}}} {
			e, err := NewEngine(b.pool, cfg)
			if err != nil {
				t.Fatal(err)
			}
			st, _, err := e.Simulate(context.Background(), StudyOptions{Thetas: DrawThetas(1000, 0, 1, 1), Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			rmse = append(rmse, st.RMSE)
			xs := st.Exposure
			t.Logf("%s bank, %s %d segments, randomesque %d: RMSE %.3f, max exposure %.3f, by final θ̂ segment %.3f, by true θ segment %.3f, overlap %.3f, unused %d",
				b.name, e.Config().Exposure.Method, e.Segments(), e.Config().Randomesque, st.RMSE, xs.Max, xs.MaxBySegment, xs.MaxByTrueSegment, xs.Overlap, xs.NeverUsed)
			if cfg.Exposure.Method != RMR {
				continue
			}
			lim := b.limits[e.Segments()]
			for g := range xs.MaxBySegment {
				if r := xs.MaxBySegment[g]; r > 0.3+lim[0] {
					t.Errorf("%s bank: segment %d of the final θ̂: max exposure %.3f, cap 0.3 + %.2f", b.name, g, r, lim[0])
				}
				if r := xs.MaxByTrueSegment[g]; r > 0.3+lim[1] {
					t.Errorf("%s bank: segment %d of the true θ: max exposure %.3f, cap 0.3 + %.2f", b.name, g, r, lim[1])
				}
			}
		}
		if d := rmse[2] - rmse[0]; d > 0.104 {
			t.Errorf("%s bank: the 0.3 cap costs %.3f in RMSE, published .104", b.name, d)
		}
	}
}

// TestOverlapFormula checks the overlap rate of a study against the
// items that every pair of tests shares, counted pair by pair: their mean
// over the pairs, over the mean length L̄, is (M·T − 1)/(M − 1) for M
// simulees (Σ_pairs |A∩B| = Σ_i a_i(a_i − 1)/2 and Σ_i r_i = L̄), whose
// limit is the formula's T — for a fixed length and for the variable
// length of an SE stop, where the formula reads L̄.
func TestOverlapFormula(t *testing.T) {
	for _, cfg := range []Config{{Randomesque: 3}, {Randomesque: 3, MinLength: 5, MaxLength: 30, Stop: StopRule{SE: 0.4}}} {
		e, err := NewEngine(simBank(1, 85), cfg)
		if err != nil {
			t.Fatal(err)
		}
		st, _, err := e.Simulate(context.Background(), StudyOptions{Thetas: DrawThetas(300, 0, 1, 2), Seed: 2})
		if err != nil {
			t.Fatal(err)
		}
		var shared, length float64
		var pairs int
		lengths := map[int]bool{}
		for a := range st.Runs {
			length += float64(len(st.Runs[a].Items))
			lengths[len(st.Runs[a].Items)] = true
			in := map[int]bool{}
			for _, i := range st.Runs[a].Items {
				in[i] = true
			}
			for b := a + 1; b < len(st.Runs); b++ {
				for _, i := range st.Runs[b].Items {
					if in[i] {
						shared++
					}
				}
				pairs++
			}
		}
		M := float64(len(st.Runs))
		brute := shared / float64(pairs) / (length / M)
		T := st.Exposure.Overlap
		if want := (M*T - 1) / (M - 1); abs(brute-want) > 1e-9 {
			t.Errorf("%d lengths: pairwise overlap %.6f, formula %.6f (finite-sample %.6f)", len(lengths), brute, T, want)
		}
		if cfg.Stop.SE > 0 && len(lengths) < 3 {
			t.Errorf("the SE stop gave %d test lengths; the check needs variable lengths", len(lengths))
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
