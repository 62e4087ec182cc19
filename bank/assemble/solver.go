package assemble

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/passportirt/passport/irt"
)

// Solver assembles the forms of a Problem.
type Solver interface {
	Name() string
	Solve(ctx context.Context, p *Problem, o Options) (*Result, error)
}

// Options control a solve. The budgets are deterministic, counted in
// nodes and rounds rather than seconds, so that the same problem, options
// and seed give the same forms on any machine, however loaded; TimeLimit
// is only a safety cap. Zero fields take the defaults noted.
type Options struct {
	// Gap is the relative gap |bound − objective|/|objective| at which CBC
	// stops; 0 asks for proven optimality.
	Gap float64
	// MaxNodes caps the nodes of CBC's branch-and-bound tree (cbc
	// -maxNodes); CBC stopped by it returns its best forms, StatusFeasible.
	// 0 for no cap.
	MaxNodes int
	// Restarts caps the heuristic's rounds of random perturbation and
	// descent after its first descent (it stops sooner, after 30 rounds
	// in a row that bring no improvement); 0 for DefaultRestarts.
	Restarts int
	Seed     uint64 // random seed of the heuristic and of CBC
	// Threads are CBC's threads; 0 for 1. With more, CBC's search depends
	// on how the threads are scheduled, so the forms it stops at (within
	// the gap or at the node cap) may differ from run to run.
	Threads int
	// TimeLimit is an optional cap on the solve's wall-clock time; 0 for
	// none. A solve it stops depends on the machine's speed, so its forms
	// may not reproduce: tests and reproducible runs use the budgets.
	TimeLimit time.Duration
}

// DefaultRestarts is the heuristic's default budget of rounds
// (Options.Restarts).
const DefaultRestarts = 500

// Status says how good a result is known to be.
type Status string

// The statuses.
const (
	StatusOptimal   Status = "optimal"   // proven optimal, within Options.Gap
	StatusFeasible  Status = "feasible"  // the solver stopped (node or time limit) with a larger gap
	StatusHeuristic Status = "heuristic" // found by the heuristic, with a Lagrangian bound
)

// Result is a set of assembled forms.
type Result struct {
	// Forms holds each form's items as pool indexes, ascending.
	Forms [][]int
	// Objective is the forms' objective as Evaluate computes it: maximin's
	// y, or a target's largest deviation.
	Objective float64
	// Bound is the solver's bound on the best objective any forms can
	// reach: an upper bound for maximin, a lower bound for a target.
	Bound float64
	// Gap is |Bound − Objective|/|Objective| (0 when both are 0).
	Gap     float64
	Solver  string // e.g. "cbc 2.10.8", "heuristic"
	Status  Status
	Elapsed time.Duration
}

// Assemble builds bp's forms from pool with solver s. The forms it
// returns meet every hard constraint of the blueprint: Verify checks them,
// and a solver's forms that fail are an error. The objective is evaluated
// from the forms (Evaluate) and the gap computed from it and the bound.
func Assemble(ctx context.Context, bp Blueprint, pool []Item, s Solver, o Options) (*Result, error) {
	p, err := NewProblem(bp, pool)
	if err != nil {
		return nil, err
	}
	return p.Solve(ctx, s, o)
}

// Solve is Assemble for a compiled problem.
func (p *Problem) Solve(ctx context.Context, s Solver, o Options) (*Result, error) {
	res, err := s.Solve(ctx, p, o)
	if err != nil {
		return nil, err
	}
	codes := make([][]string, len(res.Forms))
	params := make([][]irt.ThreePL, len(res.Forms))
	for f, items := range res.Forms {
		for _, i := range items {
			codes[f] = append(codes[f], p.pool[i].Code)
			params[f] = append(params[f], p.pool[i].Params)
		}
	}
	if err := Verify(p.bp, p.pool, codes); err != nil {
		return nil, fmt.Errorf("%s returned forms that break the blueprint (a bug; please report it): %w", s.Name(), err)
	}
	res.Objective = Evaluate(p.bp.Objective, params)
	res.Gap = relativeGap(res.Objective, res.Bound)
	return res, nil
}

// relativeGap is |bound − obj|/|obj|, 0 when both are 0 and +Inf when
// only the objective is.
func relativeGap(obj, bound float64) float64 {
	d := math.Abs(bound - obj)
	switch {
	case d == 0:
		return 0
	case obj == 0:
		return math.Inf(1)
	}
	return d / math.Abs(obj)
}

// ErrNoSolver is returned by FindCBC when the cbc program is not installed.
var ErrNoSolver = errors.New("the CBC solver (program cbc) is not installed; install coinor-cbc (apt-get install coinor-cbc) or use the heuristic")
