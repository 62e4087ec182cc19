package cat

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/stat"

	"github.com/passportirt/passport/irt"
)

// Outcome is one simulee of a short test: the true θ, the number right
// (a fixed form's outcome), and the EAP estimate θ̂ with its posterior SD
// (an adaptive test's outcome is θ̂).
type Outcome struct {
	True  float64 `json:"true_theta"`
	Raw   int     `json:"raw"`
	Theta float64 `json:"theta"`
	SE    float64 `json:"se"`
}

// SimulateFixed gives the fixed form items to simulees of true abilities
// thetas, who answer by the model: simulee k's responses come from a
// generator seeded by (seed, k). Each is scored by EAP with the prior q
// (Bock & Mislevy 1982).
func SimulateFixed(items []irt.ThreePL, q irt.Quadrature, thetas []float64, seed uint64) []Outcome {
	out := make([]Outcome, len(thetas))
	resp := make([]int8, len(items))
	for k, th := range thetas {
		rng := rand.New(rand.NewPCG(seed, uint64(k)))
		raw := 0
		for i, p := range items {
			resp[i] = 0
			if rng.Float64() < p.Prob(th) {
				resp[i], raw = 1, raw+1
			}
		}
		est := irt.EAP(items, resp, q)
		out[k] = Outcome{True: th, Raw: raw, Theta: est.Theta, SE: est.SE}
	}
	return out
}

// AdaptiveOutcomes are the outcomes of a simulation study's tests (their
// number right is not recorded, and is 0).
func AdaptiveOutcomes(runs []Simulee) []Outcome {
	out := make([]Outcome, len(runs))
	for k, r := range runs {
		out[k] = Outcome{True: r.True, Theta: r.Theta, SE: r.SE}
	}
	return out
}

// Band is where the true θ of the simulees with one outcome lies: Low and
// High are the empirical (1 − level)/2 and (1 + level)/2 quantiles of
// their true θ, Mid the median (Hyndman & Fan 1996, type 1, the inverse
// of the empirical distribution). It is a band for the outcome, not an
// interval around an estimate: among examinees of the simulees' ability
// distribution who obtain the outcome, a share level have a true θ in it.
type Band struct {
	// Outcome is the number right for a fixed form; for an adaptive test,
	// the group of θ̂ (0 for the lowest), which holds the θ̂ in
	// (ThetaLo, ThetaHi], nil for an open end.
	Outcome int      `json:"outcome"`
	ThetaLo *float64 `json:"theta_hat_lo,omitempty"`
	ThetaHi *float64 `json:"theta_hat_hi,omitempty"`
	N       int      `json:"n"`
	Low     float64  `json:"low"`
	Mid     float64  `json:"mid"`
	High    float64  `json:"high"`
}

// Bands are a short test's score bands from a simulation.
type Bands struct {
	Level    float64 `json:"level"`
	Simulees int     `json:"simulees"`
	// MeanSE is the simulees' mean posterior SD of θ, RMSE the root mean
	// squared error of θ̂: how precisely the test measures.
	MeanSE float64 `json:"mean_se"`
	RMSE   float64 `json:"rmse"`
	// Cuts, for an adaptive test, are the θ̂ cut points between groups
	// (the deciles of θ̂, ties merged); nil for a fixed form, whose
	// groups are the numbers right.
	Cuts  []float64 `json:"cuts,omitempty"`
	Bands []Band    `json:"bands"`
}

// FixedBands are the bands of a fixed form by number right, 0 … len of
// the form, from the simulated outcomes; a number right that no simulee
// obtained has no band.
func FixedBands(outcomes []Outcome, level float64) (*Bands, error) {
	return newBands(outcomes, level, nil, func(o Outcome) int { return o.Raw })
}

// AdaptiveBands are the bands of an adaptive test by group of θ̂: groups
// split the simulees at the empirical deciles of θ̂ (groups of them; ties
// merged, as a short test's θ̂ takes few values).
func AdaptiveBands(outcomes []Outcome, groups int, level float64) (*Bands, error) {
	if groups < 1 {
		return nil, fmt.Errorf("bands: %d groups; expected at least 1", groups)
	}
	hat := make([]float64, len(outcomes))
	for k, o := range outcomes {
		hat[k] = o.Theta
	}
	slices.Sort(hat)
	var cuts []float64
	for j := 1; j < groups && len(hat) > 0; j++ {
		c := stat.Quantile(float64(j)/float64(groups), stat.Empirical, hat, nil)
		if c < hat[len(hat)-1] && (len(cuts) == 0 || c > cuts[len(cuts)-1]) {
			cuts = append(cuts, c)
		}
	}
	b := &Bands{Cuts: cuts}
	return newBands(outcomes, level, cuts, b.groupOf)
}

// groupOf is the θ̂ group of an adaptive outcome: the number of cuts
// below θ̂.
func (b *Bands) groupOf(o Outcome) int {
	g, _ := slices.BinarySearch(b.Cuts, o.Theta)
	return g
}

// Group is the outcome's band number: the number right of a fixed form,
// the θ̂ group of an adaptive test.
func (b *Bands) Group(o Outcome) int {
	if b.Cuts == nil {
		return o.Raw
	}
	return b.groupOf(o)
}

// Find returns the band of outcome number g.
func (b *Bands) Find(g int) (Band, bool) {
	i, ok := slices.BinarySearchFunc(b.Bands, g, func(x Band, g int) int { return cmp.Compare(x.Outcome, g) })
	if !ok {
		return Band{}, false
	}
	return b.Bands[i], true
}

// Coverage is the share of outcomes whose true θ lies in their band (an
// outcome without a band is not covered): on fresh simulees from the same
// distribution it estimates the bands' level.
func (b *Bands) Coverage(outcomes []Outcome) float64 {
	in := 0
	for _, o := range outcomes {
		if band, ok := b.Find(b.Group(o)); ok && o.True >= band.Low && o.True <= band.High {
			in++
		}
	}
	return float64(in) / float64(len(outcomes))
}

func newBands(outcomes []Outcome, level float64, cuts []float64, group func(Outcome) int) (*Bands, error) {
	if !(level > 0 && level < 1) {
		return nil, fmt.Errorf("bands: level %g; expected a share in (0, 1)", level)
	}
	if len(outcomes) == 0 {
		return nil, fmt.Errorf("bands: no simulees")
	}
	b := &Bands{Level: level, Simulees: len(outcomes), Cuts: cuts}
	byGroup := map[int][]float64{}
	var se, sq float64
	for _, o := range outcomes {
		g := group(o)
		byGroup[g] = append(byGroup[g], o.True)
		se += o.SE
		sq += (o.Theta - o.True) * (o.Theta - o.True)
	}
	n := float64(len(outcomes))
	b.MeanSE, b.RMSE = se/n, math.Sqrt(sq/n)
	for _, g := range slices.Sorted(maps.Keys(byGroup)) {
		th := byGroup[g]
		slices.Sort(th)
		band := Band{Outcome: g, N: len(th),
			Low:  stat.Quantile((1-level)/2, stat.Empirical, th, nil),
			Mid:  stat.Quantile(0.5, stat.Empirical, th, nil),
			High: stat.Quantile((1+level)/2, stat.Empirical, th, nil)}
		if g > 0 && cuts != nil {
			band.ThetaLo = &cuts[g-1]
		}
		if g < len(cuts) {
			band.ThetaHi = &cuts[g]
		}
		b.Bands = append(b.Bands, band)
	}
	return b, nil
}
