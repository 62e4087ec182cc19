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
	// Gap is the tolerance on the relative gap between the bound and the
	// objective (Result.Gap) at which CBC stops, and within which a result
	// is reported optimal; 0 asks for proven optimality.
	Gap float64
	// MaxNodes caps the nodes of CBC's branch-and-bound tree (cbc
	// -maxNodes); CBC stopped by it returns its best forms, StatusFeasible.
	// 0 for no cap.
	MaxNodes int
	// Restarts caps the heuristic's rounds of random perturbation and
	// descent after its first descent (it stops sooner, after 30 rounds
	// in a row that bring no improvement), whether it solves alone or
	// gives CBC its start; 0 for DefaultRestarts.
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
	StatusOptimal   Status = "optimal"   // proven optimal within the tolerance: Gap ≤ Tolerance
	StatusFeasible  Status = "feasible"  // the solver stopped (node or time limit) with Gap > Tolerance
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
	// reach: an upper bound for maximin, a lower bound for a target. It
	// is never beyond Objective (the returned forms reach it), nor a
	// target's below 0.
	Bound float64
	// Gap is the relative gap by which better forms might exist:
	// (Bound − Objective)/|Objective| for maximin, (Objective −
	// Bound)/|Objective| for a target; never negative, exactly 0 when the
	// forms are proven optimal, +Inf when Objective is 0 and Bound is not.
	Gap float64
	// Tolerance is the relative gap within which StatusOptimal is proven
	// (Options.Gap); for StatusOptimal and StatusFeasible.
	Tolerance float64
	Solver    string // e.g. "cbc 2.10.8", "heuristic"
	Status    Status
	Elapsed   time.Duration
}

// Assemble builds bp's forms from pool with solver s. The forms it
// returns meet every hard constraint of the blueprint: Verify checks them,
// and a solver's forms that fail are an error. The objective is evaluated
// from the forms (Evaluate) and the gap computed from it and the bound;
// an exact solver's result is optimal when that gap is within
// Options.Gap.
func Assemble(ctx context.Context, bp Blueprint, pool []Item, s Solver, o Options) (*Result, error) {
	p, err := NewProblem(bp, pool)
	if err != nil {
		return nil, err
	}
	return p.Solve(ctx, s, o)
}

// Solve is Assemble for a compiled problem. It certifies the solver's
// result from the forms themselves: the objective is Evaluate's, the
// bound is moved to the objective if the solver's lies beyond it (any
// forms' objective bounds the optimum) and a target's to 0 if below it
// (no deviation is negative), the gap is the signed relative gap of
// Result.Gap, and an exact solver's result (StatusFeasible or
// StatusOptimal) is StatusOptimal exactly when the gap is at most o.Gap,
// Result.Tolerance.
func (p *Problem) Solve(ctx context.Context, s Solver, o Options) (*Result, error) {
	res, err := s.Solve(ctx, p, o)
	if err != nil {
		return nil, err
	}
	codes := make([][]string, len(res.Forms))
	for f, items := range res.Forms {
		for _, i := range items {
			codes[f] = append(codes[f], p.pool[i].Code)
		}
	}
	if err := Verify(p.bp, p.pool, codes); err != nil {
		return nil, fmt.Errorf("%s returned forms that break the blueprint (a bug; please report it): %w", s.Name(), err)
	}
	obj := p.bp.Objective
	res.Objective = p.evaluate(res.Forms)
	// In the programme's y, which is maximised: y is the objective of
	// maximin and minus a target's.
	y, bound := obj.report(res.Objective), obj.report(res.Bound)
	if obj.Minimize() {
		bound = min(bound, 0)
	}
	if bound < y {
		bound = y
	}
	res.Bound = obj.report(bound)
	res.Gap = relativeGap(y, bound)
	if res.Status == StatusFeasible || res.Status == StatusOptimal {
		res.Tolerance, res.Status = o.Gap, StatusFeasible
		if res.Gap <= o.Gap {
			res.Status = StatusOptimal
		}
	}
	return res, nil
}

// evaluate is Evaluate for forms given as pool indexes.
func (p *Problem) evaluate(forms [][]int) float64 {
	params := make([][]irt.ThreePL, len(forms))
	for f, items := range forms {
		for _, i := range items {
			params[f] = append(params[f], p.pool[i].Params)
		}
	}
	return Evaluate(p.bp.Objective, params)
}

// relativeGap is (bound − y)/|y| for the programme's y and its upper
// bound: 0 when they are equal, +Inf when only y is 0.
func relativeGap(y, bound float64) float64 {
	switch d := bound - y; {
	case d == 0:
		return 0
	case y == 0:
		return math.Inf(1)
	default:
		return d / math.Abs(y)
	}
}

// ErrNoSolver is returned by FindCBC when the cbc program is not installed.
var ErrNoSolver = errors.New("the CBC solver (program cbc) is not installed; install coinor-cbc (apt-get install coinor-cbc) or use the heuristic")
