package assemble

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// certificateCase is a small maximin assembly whose optimum CBC proves
// in well under a second: one or two forms of 8–12 operational items from
// 60–120, with domain quotas, the pool's item sets and enemy groups, and
// weights on some.
type certificateCase struct {
	name string
	bp   Blueprint
	pool []Item
}

// certificateCases are n seeded cases.
func certificateCases(n int) []certificateCase {
	var cs []certificateCase
	for seed := 1; seed <= n; seed++ {
		forms, items, length := 1, 60+10*(seed%7), 8+seed%5
		if seed%4 == 0 { // two forms: symmetric, so smaller
			forms, items, length = 2, 60, 8
		}
		pool, sets := GeneratePool(uint64(100+seed), PoolSpec{Items: items, Subdomains: 3})
		lo, hi := float64(length/4), float64((length+3)/4+1)
		bp := Blueprint{Length: length, Forms: forms, ItemSets: sets, Domains: map[string]Range{"semantics": Between(lo, hi),
			"idioms": Between(lo, hi), "performance": Between(lo, hi), "stdlib": Between(lo, hi)}}
		if seed%3 == 0 {
			bp.Objective = Objective{Theta: []float64{-1.5, 0, 1.5}, Weights: []float64{0.7, 1, 0.8}}
		}
		cs = append(cs, certificateCase{fmt.Sprintf("pool %d of %d items, %d form(s) of %d", 100+seed, items, forms, length), bp, pool})
	}
	return cs
}

// independentOptimum solves c's problem with a formulation of its own,
// written here without the package's model or MPS writer: in CPLEX LP
// format, one binary x_f_i per form f and eligible item i (rather than
// one per item set), maximise y subject to w_k·y ≤ Σ_i I_i(θ_k)·x_f_i
// (rather than y ≤ Σ_i I_i(θ_k)/w_k·x_f_i), the length, the domain
// quotas, Σ x_f_i ≤ 1 over each enemy group, x_f_i = x_f_j within an item
// set (x_f_i = 0 when a set has an item that is not operational), and
// Σ_f x_f_i ≤ 1. CBC solves it with every tolerance zero (relative and
// absolute gap, cutoff increment), and the optimum is the smallest
// Σ_i I_i(θ_k)/w_k over the forms of its solution, computed here.
func independentOptimum(t *testing.T, cbc string, c certificateCase) float64 {
	t.Helper()
	bp := c.bp.WithDefaults()
	ok := func(i int) bool { return c.pool[i].Status == "operational" }
	index := map[string]int{}
	for i, it := range c.pool {
		index[it.Code] = i
	}
	x := func(f, i int) string { return fmt.Sprintf("x_%d_%d", f, i) }
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', 17, 64) }
	var lp strings.Builder
	lp.WriteString("Maximize\n obj: y\nSubject To\n")
	row := 0
	constraint := func(terms []string, sense string, rhs float64) {
		if len(terms) == 0 {
			terms = []string{"0 y"}
		}
		row++
		fmt.Fprintf(&lp, " c%d: %s %s %s\n", row, strings.Join(terms, " + "), sense, num(rhs))
	}
	for f := range bp.Forms {
		for k, th := range bp.Objective.Theta {
			terms := []string{num(bp.Objective.Weights[k]) + " y"}
			for i, it := range c.pool {
				if ok(i) {
					terms = append(terms, num(-it.Params.Info(th))+" "+x(f, i))
				}
			}
			constraint(terms, "<=", 0)
		}
		var all []string
		domain := map[string][]string{}
		enemies := map[string][]string{}
		for i, it := range c.pool {
			if !ok(i) {
				continue
			}
			all = append(all, x(f, i))
			domain[it.Domain] = append(domain[it.Domain], x(f, i))
			if it.EnemyGroup != "" {
				enemies[it.EnemyGroup] = append(enemies[it.EnemyGroup], x(f, i))
			}
		}
		constraint(all, "=", float64(bp.Length))
		for d, r := range bp.Domains {
			constraint(domain[d], ">=", r.Lo(0))
			constraint(domain[d], "<=", r.Hi(0))
		}
		for _, g := range enemies {
			constraint(g, "<=", 1)
		}
		for _, set := range bp.ItemSets {
			usable := true
			for _, code := range set {
				usable = usable && ok(index[code])
			}
			for k, code := range set {
				switch i := index[code]; {
				case !ok(i):
				case !usable:
					constraint([]string{x(f, i)}, "=", 0)
				case k > 0:
					constraint([]string{x(f, i), "-1 " + x(f, index[set[0]])}, "=", 0)
				}
			}
		}
	}
	var bins []string
	for i := range c.pool {
		if !ok(i) {
			continue
		}
		var use []string
		for f := range bp.Forms {
			use = append(use, x(f, i))
			bins = append(bins, x(f, i))
		}
		constraint(use, "<=", 1)
	}
	fmt.Fprintf(&lp, "Bounds\n -inf <= y <= +inf\nBinaries\n %s\nEnd\n", strings.Join(bins, "\n "))

	dir := t.TempDir()
	file, sol := filepath.Join(dir, "independent.lp"), filepath.Join(dir, "independent.sol")
	if err := os.WriteFile(file, []byte(lp.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(cbc, file, "-ratioGap", "0", "-allowableGap", "0", "-increment", "0", "-threads", "1",
		"-solve", "-solution", sol).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: cbc: %v\n%s", c.name, err, out)
	}
	if !strings.Contains(string(out), "Result - Optimal solution found\n") || strings.Contains(string(out), "Exiting") {
		t.Fatalf("%s: cbc did not prove the independent model's optimum:\n%s", c.name, out)
	}
	data, err := os.ReadFile(sol)
	if err != nil {
		t.Fatal(err)
	}
	info := make([][]float64, bp.Forms) // [form][point]: Σ I_i(θ_k)/w_k
	for f := range info {
		info[f] = make([]float64, len(bp.Objective.Theta))
	}
	for _, line := range strings.Split(string(data), "\n")[1:] {
		fs := strings.Fields(line)
		if len(fs) < 3 || !strings.HasPrefix(fs[1], "x_") {
			continue
		}
		var f, i int
		if _, err := fmt.Sscanf(fs[1], "x_%d_%d", &f, &i); err != nil {
			t.Fatal(err)
		}
		if v, _ := strconv.ParseFloat(fs[2], 64); v > 0.5 {
			for k, th := range bp.Objective.Theta {
				info[f][k] += c.pool[i].Params.Info(th) / bp.Objective.Weights[k]
			}
		}
	}
	y := math.Inf(1)
	for _, form := range info {
		for _, v := range form {
			y = min(y, v)
		}
	}
	return y
}

// TestCertificate checks what the solvers certify against the optimum of
// an independent formulation (independentOptimum) on 24 seeded cases (6
// with -short): CBC proving optimality (gap 0), CBC stopped at the
// default gap or after a few nodes, and the heuristic. For every result
// the bound is never below the optimum, the objective never above it,
// the gap is (bound − objective)/objective, never negative, and the
// status is optimal only when the objective is within the tolerance of
// the optimum, and the gap within the tolerance.
func TestCertificate(t *testing.T) {
	c := needCBC(t)
	n := 24
	if testing.Short() {
		n = 6
	}
	const tol = 1e-9 // on information of 2–6: rounding only
	type run struct {
		name   string
		solver Solver
		o      Options
	}
	runs := []run{
		{"cbc, gap 0", c, Options{Seed: 1, MaxNodes: cbcNodes, Restarts: 20}},
		{"cbc, gap 0.1%", c, Options{Gap: 1e-3, Seed: 1, MaxNodes: cbcNodes, Restarts: 20}},
		{"cbc, 3 nodes", c, Options{Gap: 1e-3, Seed: 1, MaxNodes: 3, Restarts: 5}},
		{"heuristic", Heuristic{}, Options{Seed: 1, Restarts: 20}},
	}
	// Per run: the largest |bound − optimum|, objective − optimum and
	// optimum − objective, and the statuses.
	worstBound, above, below := make([]float64, len(runs)), make([]float64, len(runs)), make([]float64, len(runs))
	statuses := make([]map[Status]int, len(runs))
	for i := range runs {
		above[i], below[i], statuses[i] = math.Inf(-1), math.Inf(-1), map[Status]int{}
	}
	for _, tc := range certificateCases(n) {
		opt := independentOptimum(t, c.Path, tc)
		for k, r := range runs {
			res, err := Assemble(context.Background(), tc.bp, tc.pool, r.solver, r.o)
			if err != nil {
				t.Fatalf("%s, %s: %v", tc.name, r.name, err)
			}
			worstBound[k] = max(worstBound[k], math.Abs(res.Bound-opt))
			above[k], below[k] = max(above[k], res.Objective-opt), max(below[k], opt-res.Objective)
			statuses[k][res.Status]++
			where := fmt.Sprintf("%s, %s: objective %.10g, bound %.10g, gap %.3g, %s; optimum %.10g", tc.name, r.name,
				res.Objective, res.Bound, res.Gap, res.Status, opt)
			if res.Bound < opt-tol {
				t.Errorf("%s: the bound is below the optimum", where)
			}
			if res.Objective > opt+tol {
				t.Errorf("%s: the objective is above the optimum", where)
			}
			if want := (res.Bound - res.Objective) / math.Abs(res.Objective); res.Gap < 0 || math.Abs(res.Gap-want) > 1e-12 {
				t.Errorf("%s: the gap is not (bound − objective)/objective = %.3g, or negative", where, want)
			}
			if res.Status == StatusOptimal && ((opt-res.Objective)/opt > r.o.Gap+tol || res.Gap > r.o.Gap) {
				t.Errorf("%s: optimal claimed beyond the tolerance %g", where, r.o.Gap)
			}
			if r.o.Gap == 0 && r.o.MaxNodes == cbcNodes && (res.Status != StatusOptimal || res.Gap != 0) {
				t.Errorf("%s: want the optimum proven, gap 0", where)
			}
		}
	}
	for k, r := range runs {
		t.Logf("%s over %d cases %v: largest |bound − optimum| %.3g, objective − optimum %.3g, optimum − objective %.3g", r.name, n,
			statuses[k], worstBound[k], above[k], below[k])
	}
}

// fixedSolver returns its result, whatever the problem.
type fixedSolver struct{ res Result }

func (fixedSolver) Name() string { return "fixed" }

func (s fixedSolver) Solve(context.Context, *Problem, Options) (*Result, error) {
	r := s.res
	r.Forms = [][]int{{0, 1, 2, 3, 4}}
	return &r, nil
}

// TestSolveCertifies checks what Problem.Solve makes of a solver's claims
// on the form S01–S05 of tinyPool: the bound is moved to the objective
// when beyond it, a target's to 0 when negative, the gap recomputed, and
// the status optimal exactly when the gap is within the tolerance.
func TestSolveCertifies(t *testing.T) {
	maximin := Blueprint{Length: 5}
	target := Blueprint{Length: 5, Objective: Objective{Type: Target, TCC: []float64{2, 3, 4}}}
	y := func(bp Blueprint) float64 { // the form's objective
		p, err := NewProblem(bp, tinyPool())
		if err != nil {
			t.Fatal(err)
		}
		return p.evaluate([][]int{{0, 1, 2, 3, 4}})
	}
	ym, yt := y(maximin), y(target)
	for _, tc := range []struct {
		name      string
		bp        Blueprint
		claim     Result
		gap       float64 // Options.Gap
		wantBound float64
		wantGap   float64
		want      Status
	}{
		{"maximin bound below the objective", maximin, Result{Bound: ym - 1e-9, Status: StatusFeasible}, 0, ym, 0, StatusOptimal},
		{"maximin gap beyond the tolerance", maximin, Result{Bound: 1.01 * ym, Status: StatusOptimal}, 1e-3, 1.01 * ym, 0.01, StatusFeasible},
		{"maximin gap within the tolerance", maximin, Result{Bound: 1.0005 * ym, Status: StatusFeasible}, 1e-3, 1.0005 * ym, 5e-4, StatusOptimal},
		{"target bound above the objective", target, Result{Bound: yt + 1, Status: StatusFeasible}, 0, yt, 0, StatusOptimal},
		{"target bound below 0", target, Result{Bound: -0.5, Status: StatusFeasible}, 1e-3, 0, 1, StatusFeasible},
		{"heuristic", maximin, Result{Bound: 2 * ym, Status: StatusHeuristic}, 1e-3, 2 * ym, 1, StatusHeuristic},
	} {
		res, err := Assemble(context.Background(), tc.bp, tinyPool(), fixedSolver{tc.claim}, Options{Gap: tc.gap})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(res.Bound-tc.wantBound) > 1e-12 || math.Abs(res.Gap-tc.wantGap) > 1e-12 || res.Status != tc.want {
			t.Errorf("%s: objective %.6f, bound %.6f, gap %g, %s; want bound %.6f, gap %g, %s", tc.name, res.Objective, res.Bound,
				res.Gap, res.Status, tc.wantBound, tc.wantGap, tc.want)
		}
	}
}
