package cat

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/integrate/quad"

	"github.com/passportirt/passport/bank/assemble"
	"github.com/passportirt/passport/irt"
)

// Item is one item of the adaptive pool.
type Item struct {
	ID     string      // the item's code, e.g. SEM-001
	Params irt.ThreePL // calibrated parameters
	Domain string      // content domain
	// Subdomain is the content subdomain, which a shadow test's blueprint
	// may bound; may be empty.
	Subdomain string
	// Enemies are the enemy groups the item is in: a test holds at most
	// one item of each group.
	Enemies []string
	// Pretest items are never chosen by the criterion nor scored: they
	// fill the configuration's pretest slots, at random positions, and
	// are recorded for later calibration.
	Pretest bool
}

// Engine is an adaptive test on a pool: the configuration checked against
// the pool and the tables every session reads. It is read-only once built
// and safe for concurrent use by any number of sessions.
type Engine struct {
	cfg     Config
	pool    []Item
	params  []irt.ThreePL
	scored  []int // operational (non-pretest) items
	pretest []int
	// nodes and logPrior are the grid of EAP and PWI, with the log prior
	// weights; logP, logQ and info tabulate ln P, ln Q and I of every item
	// at every node, item-major: [i·K + k].
	nodes, logPrior  []float64
	logP, logQ, info []float64
	enemies          [][]int // [item] the other items of its enemy groups
	domainOf         []int   // [item] its index in domains
	domains          []string
	targets          []float64 // [domain] kingsbury-zara's share
	glX, glW         []float64 // Gauss–Legendre rule on [−1, 1] for KL
	shadow           *shadowTest
}

// shadowTest is the blueprint of the shadow tests compiled for the pool.
type shadowTest struct {
	bp     assemble.Blueprint
	pool   []assemble.Item // the operational items, in the order of Engine.scored
	solver assemble.Solver
}

// NewEngine checks cfg (defaults filled in) against pool and builds the
// engine. Errors name the configuration field at fault.
func NewEngine(pool []Item, cfg Config) (*Engine, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	e := &Engine{cfg: cfg, pool: pool, params: make([]irt.ThreePL, len(pool)), enemies: make([][]int, len(pool)),
		domainOf: make([]int, len(pool))}
	ids := map[string]bool{}
	groups := map[string][]int{}
	for i, it := range pool {
		if ids[it.ID] {
			return nil, fmt.Errorf("the pool has item %s twice", it.ID)
		}
		ids[it.ID] = true
		p := it.Params
		if !(p.A > 0 && p.D > 0 && p.C >= 0 && p.C < 1) || math.IsInf(p.A, 0) || math.IsNaN(p.B) || math.IsInf(p.B, 0) {
			return nil, fmt.Errorf("item %s: parameters a=%g b=%g c=%g D=%g; expected a > 0, finite b, 0 ≤ c < 1, D > 0", it.ID, p.A, p.B, p.C, p.D)
		}
		e.params[i] = p
		if it.Pretest {
			e.pretest = append(e.pretest, i)
		} else {
			e.scored = append(e.scored, i)
		}
		for _, g := range it.Enemies {
			groups[g] = append(groups[g], i)
		}
		d := slices.Index(e.domains, it.Domain)
		if d < 0 {
			d = len(e.domains)
			e.domains = append(e.domains, it.Domain)
		}
		e.domainOf[i] = d
	}
	if len(e.scored) < cfg.MaxLength {
		return nil, fmt.Errorf("max_length: %d items, but the pool has %d operational items", cfg.MaxLength, len(e.scored))
	}
	for _, members := range groups {
		for _, i := range members {
			for _, j := range members {
				if j != i && !slices.Contains(e.enemies[i], j) {
					e.enemies[i] = append(e.enemies[i], j)
				}
			}
		}
	}
	for i := range e.enemies {
		slices.Sort(e.enemies[i])
	}
	q := irt.NormalGrid(cfg.Grid.Points, cfg.Grid.Min, cfg.Grid.Max).WithNormalWeights(cfg.Prior.Mean, cfg.Prior.SD)
	K := len(q.Nodes)
	e.nodes, e.logPrior = q.Nodes, make([]float64, K)
	for k, w := range q.Weights {
		e.logPrior[k] = math.Log(w)
	}
	e.logP, e.logQ, e.info = make([]float64, len(pool)*K), make([]float64, len(pool)*K), make([]float64, len(pool)*K)
	for i, p := range e.params {
		for k, x := range e.nodes {
			prob, comp := p.PQ(x)
			e.logP[i*K+k], e.logQ[i*K+k], e.info[i*K+k] = math.Log(prob), math.Log(comp), p.Info(x)
		}
	}
	e.glX, e.glW = make([]float64, klPoints), make([]float64, klPoints)
	quad.Legendre{}.FixedLocations(e.glX, e.glW, -1, 1)
	if cfg.Content.Method == KingsburyZara {
		e.targets = make([]float64, len(e.domains))
		var sum float64
		for d, t := range cfg.Content.Targets {
			k := slices.Index(e.domains, d)
			if k < 0 {
				return nil, fmt.Errorf("content.targets.%s: no pool item is in domain %q; the pool's are %q", d, d, e.domains)
			}
			e.targets[k] = t
			sum += t
		}
		for k := range e.targets {
			e.targets[k] /= sum
		}
	}
	if cfg.Content.Method == Shadow {
		var err error
		if e.shadow, err = newShadowTest(e, groups); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// klPoints is the number of Gauss–Legendre points of the KL integral,
// which then agrees with a fine trapezoidal rule to 1e-7 relative over
// θ̂ ± 3 for items of slope up to D·a = 3.4 (TestKLIndex).
const klPoints = 32

// Config is the engine's configuration, defaults filled in.
func (e *Engine) Config() Config { return e.cfg }

// Pool is the engine's pool; sessions' item indexes refer to it.
func (e *Engine) Pool() []Item { return e.pool }

// Segment returns the index of θ's exposure segment: the number of the
// configuration's segment cut points at or below θ.
func (e *Engine) Segment(theta float64) int { return classOf(e.cfg.Exposure.Segments, theta) }

// Segments is the number of exposure segments.
func (e *Engine) Segments() int { return len(e.cfg.Exposure.Segments) + 1 }

// newShadowTest compiles the configuration's blueprint for the engine's
// operational items, the items' enemy groups added to the blueprint's.
func newShadowTest(e *Engine, groups map[string][]int) (*shadowTest, error) {
	bp := e.cfg.shadowBlueprint()
	pool := make([]assemble.Item, len(e.scored))
	for k, i := range e.scored {
		it := e.pool[i]
		pool[k] = assemble.Item{Code: it.ID, Domain: it.Domain, Subdomain: it.Subdomain, Status: operational, Params: it.Params}
	}
	names := make([]string, 0, len(groups))
	for g := range groups {
		names = append(names, g)
	}
	slices.Sort(names)
	for _, g := range names {
		var codes []string
		for _, i := range groups[g] {
			if !e.pool[i].Pretest {
				codes = append(codes, e.pool[i].ID)
			}
		}
		if len(codes) > 1 {
			bp.EnemyGroups = append(bp.EnemyGroups, codes)
		}
	}
	// A problem compiled once checks the blueprint against the pool.
	if _, err := assemble.NewProblem(bp, pool); err != nil {
		return nil, fmt.Errorf("content.blueprint: %w", err)
	}
	s := &shadowTest{bp: bp, pool: pool}
	switch e.cfg.Content.Solver {
	case "cbc":
		cbc, err := assemble.FindCBC()
		if err != nil {
			return nil, fmt.Errorf("content.solver: %w", err)
		}
		s.solver = cbc
	default:
		s.solver = assemble.Heuristic{}
	}
	return s, nil
}
