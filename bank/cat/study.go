package cat

import (
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/stat/distuv"
)

// StudyOptions are the inputs of a simulation study.
type StudyOptions struct {
	// Thetas are the simulees' true abilities (DrawThetas draws them).
	Thetas []float64
	// Seed makes the study reproducible: simulee k's session and responses
	// come from a generator seeded by (Seed, k), whatever the number of
	// workers.
	Seed uint64
	// Workers run simulees in parallel; 0 for GOMAXPROCS. The result does
	// not depend on it.
	Workers int
	// Exposure is the record exposure control starts from (for
	// Sympson–Hetter, the tuned parameters); nil for a new one. It is not
	// changed.
	Exposure *Exposure
	// Progress, when set, is called with the number of simulees done.
	Progress func(done int)
}

// DrawThetas draws n abilities from N(mean, sd²), reproducibly from seed.
func DrawThetas(n int, mean, sd float64, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 0x7e7a))
	out := make([]float64, n)
	for k := range out {
		out[k] = mean + sd*rng.NormFloat64()
	}
	return out
}

// Simulee is one simulated test.
type Simulee struct {
	True     float64 `json:"true_theta"`
	Theta    float64 `json:"theta"`
	SE       float64 `json:"se"`
	Length   int     `json:"length"`
	Category int     `json:"category"`
	// Items are the pool indexes given, in order.
	Items []int `json:"items"`
}

// batch is the number of simulees that start from one snapshot of the
// exposure record when the control adapts to it (eligibility, rmr): one,
// so that each test sees every test before it and the cap holds in every
// segment, however few tests end in it; those studies run one simulee at
// a time.
const batch = 1

// Simulate runs the engine on simulees who answer by the model at their
// true θ, and returns the study with the exposure record it ends with.
// The study is a pure function of the engine and the options.
func (e *Engine) Simulate(ctx context.Context, o StudyOptions) (*Study, *Exposure, error) {
	x := e.NewExposure()
	if o.Exposure != nil {
		x = o.Exposure.clone()
	}
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	n := len(o.Thetas)
	step := n
	if m := e.cfg.Exposure.Method; m == Eligibility || m == RMR {
		step = batch
	}
	sims := make([]Simulee, n)
	var done atomic.Int64
	for lo := 0; lo < n; lo += step {
		hi := min(n, lo+step)
		ctl := x.control(e)
		sessions := make([]*Session, hi-lo)
		errs := make([]error, hi-lo)
		var next atomic.Int64
		next.Store(int64(lo))
		var wg sync.WaitGroup
		for range min(workers, hi-lo) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					k := int(next.Add(1) - 1)
					if k >= hi || ctx.Err() != nil {
						return
					}
					sessions[k-lo], errs[k-lo] = e.simulate(ctl, o.Seed, k, o.Thetas[k])
					if d := done.Add(1); o.Progress != nil && d%64 == 0 {
						o.Progress(int(d))
					}
				}
			}()
		}
		wg.Wait()
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		for k, s := range sessions {
			if errs[k] != nil {
				return nil, nil, errs[k]
			}
			x.Add(s)
			r := s.Final()
			sim := Simulee{True: o.Thetas[lo+k], Theta: r.Theta, SE: r.SE, Length: r.Length, Category: r.Category}
			for _, rec := range r.Items {
				sim.Items = append(sim.Items, rec.Item)
			}
			sims[lo+k] = sim
		}
	}
	if o.Progress != nil {
		o.Progress(n)
	}
	return e.summarize(sims, x), x, nil
}

// simulate runs simulee k of a study seeded by seed, at true ability θ.
func (e *Engine) simulate(ctl [][]float64, seed uint64, k int, theta float64) (*Session, error) {
	rng := rand.New(rand.NewPCG(seed, uint64(k)))
	s := e.start(rng.Uint64(), ctl)
	for {
		i, done, err := s.Next()
		if err != nil {
			return nil, err
		}
		if done {
			return s, nil
		}
		u := 0
		if rng.Float64() < e.params[i].Prob(theta) {
			u = 1
		}
		if err := s.Answer(i, u); err != nil {
			return nil, err
		}
	}
}

func (x *Exposure) clone() *Exposure {
	c := &Exposure{Tests: slices.Clone(x.Tests)}
	for g := range x.Tests {
		c.Administered = append(c.Administered, slices.Clone(x.Administered[g]))
		c.Selected = append(c.Selected, slices.Clone(x.Selected[g]))
		c.Eligible = append(c.Eligible, slices.Clone(x.Eligible[g]))
		c.FadedAdministered = append(c.FadedAdministered, slices.Clone(x.FadedAdministered[g]))
		c.FadedEligible = append(c.FadedEligible, slices.Clone(x.FadedEligible[g]))
	}
	c.K = cloneRows(x.K)
	return c
}

func cloneRows(rows [][]float64) [][]float64 {
	var out [][]float64
	for _, row := range rows {
		out = append(out, slices.Clone(row))
	}
	return out
}

// TuneSympsonHetter finds the Sympson–Hetter parameters by iterative
// simulation (Sympson & Hetter 1985), conditional on the θ segment
// (Stocking & Lewis 1998; van der Linden 2003): starting from K = 1, each
// round simulates the configuration's Simulees with the current
// parameters and sets, per segment g and item i,
//
//	K_i(g) = r / P(S_i | g)  when P(S_i | g) > r, else 1,
//
// with P(S_i | g) the share of the tests ending in g that chose i — a test
// counts in the segment of its final θ̂, as in the exposure record, and a
// session's lottery reads every segment the test may still end in
// (Session.window), so that K_i(g) governs the choices of the tests that
// end in g. The simulees are drawn stratified: an equal number from the
// prior truncated to each segment (Strata), each stratum's counts weighted
// by the prior's mass in it, so that the rates are the prior's and the
// outer segments get as many tests as the middle one. The rounds stop
// when no item's administration rate passes r + Tolerance in any segment,
// or after Iterations; the parameters returned are those of the round
// whose simulation came closest. It returns a record holding them, to
// start sessions from.
func (e *Engine) TuneSympsonHetter(ctx context.Context, seed uint64, workers int) (*Exposure, error) {
	c := e.cfg
	r := c.Exposure.MaxRate
	G, n := e.Segments(), len(e.pool)
	tuned := e.NewExposure()
	tuned.K = make([][]float64, G)
	for g := range tuned.K {
		tuned.K[g] = make([]float64, n)
		for i := range tuned.K[g] {
			tuned.K[g][i] = 1
		}
	}
	strata, mass := e.strata(c.Exposure.Simulees, seed)
	var best [][]float64
	bestWorst := math.Inf(1)
	for it := range c.Exposure.Iterations {
		tests := make([]float64, G)
		sel, adm := make([][]float64, G), make([][]float64, G)
		for g := range G {
			sel[g], adm[g] = make([]float64, n), make([]float64, n)
		}
		for s, thetas := range strata {
			if len(thetas) == 0 {
				continue
			}
			_, x, err := e.Simulate(ctx, StudyOptions{Thetas: thetas, Seed: seed + uint64(it*G+s) + 1, Workers: workers, Exposure: tuned})
			if err != nil {
				return nil, err
			}
			w := mass[s] / float64(len(thetas))
			for g := range G {
				tests[g] += w * float64(x.Tests[g])
				for i := range n {
					sel[g][i] += w * float64(x.Selected[g][i])
					adm[g][i] += w * float64(x.Administered[g][i])
				}
			}
		}
		worst := 0.0
		for g := range G {
			if tests[g] > 0 {
				worst = max(worst, slices.Max(adm[g])/tests[g])
			}
		}
		if worst < bestWorst {
			best, bestWorst = cloneRows(tuned.K), worst
		}
		if worst <= r+Tolerance {
			break
		}
		for g := range G {
			for i := range n {
				tuned.K[g][i] = 1
				if tests[g] == 0 {
					continue
				}
				if ps := sel[g][i] / tests[g]; ps > r {
					tuned.K[g][i] = r / ps
				}
			}
		}
	}
	tuned.K = best
	return tuned, nil
}

// Tolerance is the excess of an item's administration rate over the cap
// at which TuneSympsonHetter stops.
const Tolerance = 0.01

// strata draws m simulees from the prior stratified by exposure segment:
// m/G from the prior truncated to each of the G segments, by inversion of
// evenly spaced uniforms jittered from seed, with the prior's mass in each.
func (e *Engine) strata(m int, seed uint64) (thetas [][]float64, mass []float64) {
	p := e.cfg.Prior
	prior := distuv.Normal{Mu: p.Mean, Sigma: p.SD}
	cuts := append(append([]float64{math.Inf(-1)}, e.cfg.Exposure.Segments...), math.Inf(1))
	rng := rand.New(rand.NewPCG(seed, 0x57a7a))
	G := e.Segments()
	for g := range G {
		lo, hi := prior.CDF(cuts[g]), prior.CDF(cuts[g+1])
		k := m / G
		if g < m%G {
			k++
		}
		row := make([]float64, k)
		for j := range row {
			row[j] = prior.Quantile(lo + (hi-lo)*(float64(j)+rng.Float64())/float64(k))
		}
		thetas = append(thetas, row)
		mass = append(mass, hi-lo)
	}
	return thetas, mass
}
