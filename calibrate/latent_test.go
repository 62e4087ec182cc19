package calibrate

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/stat"

	"github.com/passportirt/passport/irt"
)

// shifted returns s's items and abilities on the scale θ′ = mu + sd·θ: a
// group drawn from N(mu, sd²) answering the same items.
func shifted(s *sparseDesign, mu, sd float64) (items []irt.ThreePL, thetas []float64) {
	for _, p := range s.truth {
		items = append(items, irt.ThreePL{A: p.A / sd, B: mu + sd*p.B, C: p.C, D: p.D})
	}
	for _, th := range s.thetas {
		thetas = append(thetas, mu+sd*th)
	}
	return items, thetas
}

// TestAnchorEveryItem: with every item held at its true parameters, a run
// estimates only the group's mean and SD; they are those of the group's
// true abilities, drawn from N(0.5, 1.3²), within 0.03 (the 3PL's
// measurement error with 40 items leaves about 0.01).
func TestAnchorEveryItem(t *testing.T) {
	s := simulateSparse(9, 80, 4, 40, 3000, true)
	items, thetas := shifted(s, 0.5, 1.3)
	fixed := map[int]irt.ThreePL{}
	for i, p := range items {
		fixed[i] = p
	}
	res, err := Run(s.data(), Options{Model: irt.Model3PL, Fixed: fixed})
	if err != nil {
		t.Fatal(err)
	}
	mean, sd := stat.PopMeanStdDev(thetas, nil)
	t.Logf("latent N(%.4f, %.4f²), the group's abilities N(%.4f, %.4f²), %d cycles", res.LatentMean, res.LatentSD, mean, sd, res.Cycles)
	if !res.Converged || math.Abs(res.LatentMean-mean) > 0.03 || math.Abs(res.LatentSD-sd) > 0.03 {
		t.Errorf("latent N(%.4f, %.4f²) (converged %v), the group's abilities N(%.4f, %.4f²)", res.LatentMean, res.LatentSD, res.Converged, mean, sd)
	}
	for i, it := range res.Items {
		if !it.Fixed || it.Params != items[i] {
			t.Fatalf("item %d moved: %+v", i, it)
		}
	}
}

// TestLatentOnGaussHermite: the latent distribution of an anchored run is
// the same on a 41-point Gauss–Hermite rule as on the default grid — the
// rule is moved to N(μ, σ²), not reweighted with normal densities at its
// unequally spaced nodes — within 2e-3 in μ, σ and every item parameter;
// and the caller's rule is left as it was.
func TestLatentOnGaussHermite(t *testing.T) {
	s := simulateSparse(8, 100, 8, 40, 8000, false)
	items, _ := shifted(s, -0.4, 1.2)
	fixed := map[int]irt.ThreePL{}
	for i := 0; i < 100; i += 4 {
		fixed[i] = items[i]
	}
	gh := irt.GaussHermite(41)
	nodes, weights := slices.Clone(gh.Nodes), slices.Clone(gh.Weights)
	var runs []*Result
	for _, g := range []irt.Quadrature{irt.DefaultGrid(), gh} {
		res, err := Run(s.data(), Options{Model: irt.Model2PL, Fixed: fixed, Grid: g, NoSE: true, Tol: 1e-6})
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, res)
	}
	def, ghr := runs[0], runs[1]
	t.Logf("latent N(%.5f, %.5f²) on the default grid, N(%.5f, %.5f²) on Gauss–Hermite", def.LatentMean, def.LatentSD, ghr.LatentMean, ghr.LatentSD)
	if math.Abs(def.LatentMean-ghr.LatentMean) > 2e-3 || math.Abs(def.LatentSD-ghr.LatentSD) > 2e-3 {
		t.Errorf("latent N(%.5f, %.5f²) on the default grid, N(%.5f, %.5f²) on Gauss–Hermite", def.LatentMean, def.LatentSD, ghr.LatentMean, ghr.LatentSD)
	}
	for i := range def.Items {
		p, q := def.Items[i].Params, ghr.Items[i].Params
		if math.Abs(p.A-q.A) > 2e-3 || math.Abs(p.B-q.B) > 2e-3 {
			t.Errorf("item %d: %+v on the default grid, %+v on Gauss–Hermite", i, p, q)
		}
	}
	if !slices.Equal(gh.Nodes, nodes) || !slices.Equal(gh.Weights, weights) {
		t.Error("Run changed the caller's Gauss–Hermite rule")
	}
}
