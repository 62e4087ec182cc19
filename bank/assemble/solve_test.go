package assemble

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/passportirt/passport/irt"
)

// combos calls f with every k-subset of 0…n−1, ascending.
func combos(n, k int, f func([]int)) {
	c := make([]int, k)
	var rec func(i, start int)
	rec = func(i, start int) {
		if i == k {
			f(c)
			return
		}
		for j := start; j <= n-(k-i); j++ {
			c[i] = j
			rec(i+1, j+1)
		}
	}
	rec(0, 0)
}

// bruteForce returns the best objective over every set of forms that
// Verify accepts, each form a subset of pool.
func bruteForce(bp Blueprint, pool []Item) float64 {
	bp = bp.WithDefaults()
	best := math.NaN()
	var forms [][]string
	var params [][]irt.ThreePL
	var rec func(f int)
	rec = func(f int) {
		if f == bp.Forms {
			if Verify(bp, pool, forms) != nil {
				return
			}
			y := Evaluate(bp.Objective, params)
			if math.IsNaN(best) || (bp.Objective.Minimize() && y < best) || (!bp.Objective.Minimize() && y > best) {
				best = y
			}
			return
		}
		combos(len(pool), bp.Length, func(c []int) {
			codes := make([]string, len(c))
			ps := make([]irt.ThreePL, len(c))
			for k, i := range c {
				codes[k], ps[k] = pool[i].Code, pool[i].Params
			}
			forms, params = append(forms, codes), append(params, ps)
			rec(f + 1)
			forms, params = forms[:f], params[:f]
		})
	}
	rec(0)
	return best
}

// TestAgainstBruteForce solves small problems whose optimum enumeration
// finds: CBC must reach it and prove it, the heuristic come within 3 %
// of it, and both bounds must hold.
func TestAgainstBruteForce(t *testing.T) {
	var first4, first3 []Item // the items numbered 1–4 (1–3) of each domain of tinyPool
	for _, it := range tinyPool() {
		if k := it.Code[1:]; k <= "04" {
			first4 = append(first4, it)
			if k <= "03" {
				first3 = append(first3, it)
			}
		}
	}
	minB, infoTol, tccTol := -0.9, 0.02, 0.1
	balanced := map[string]Range{"semantics": Between(1, 2), "idioms": Between(1, 2), "performance": Between(1, 2), "stdlib": Between(1, 2)}
	for _, tc := range []struct {
		name string
		bp   Blueprint
		pool []Item
	}{
		{"maximin", Blueprint{Length: 5, Domains: balanced, ItemSets: [][]string{{"P01", "P02"}}, MeanDifficulty: &Range{Min: &minB}}, first4},
		{"weighted", Blueprint{Length: 5, Domains: balanced, Objective: Objective{Theta: []float64{-2, 0, 2}, Weights: []float64{0.5, 1, 2}}}, first4},
		{"tcc target", Blueprint{Length: 5, Domains: balanced, ItemSets: [][]string{{"P01", "P02"}},
			Objective: Objective{Type: Target, TCC: []float64{2.5, 3.4, 4.2}}}, first4},
		{"info target", Blueprint{Length: 5, Objective: Objective{Type: Target, Theta: []float64{-1, 1}, Info: []float64{0.6, 0.5}}}, first4},
		{"two forms", Blueprint{Length: 4, Forms: 2, Anchors: []string{"S01"}, EnemyGroups: [][]string{{"I01", "P03"}}}, first3},
		{"two parallel forms", Blueprint{Length: 3, Forms: 2, InfoTolerance: &infoTol, TCCTolerance: &tccTol}, first3},
	} {
		want := bruteForce(tc.bp, tc.pool)
		if math.IsNaN(want) {
			t.Fatalf("%s: no feasible forms", tc.name)
		}
		worse := func(a, b float64) bool { // a worse than b beyond rounding
			if tc.bp.Objective.Type == Target {
				return a > b+1e-6
			}
			return a < b-1e-6
		}
		h, err := Assemble(context.Background(), tc.bp, tc.pool, Heuristic{}, Options{Seed: 1, Restarts: heuristicRounds})
		if err != nil {
			t.Fatalf("%s: heuristic: %v", tc.name, err)
		}
		if worse(want, h.Objective) || worse(h.Bound, want) {
			t.Errorf("%s: heuristic objective %.6f or bound %.6f beyond the optimum %.6f", tc.name, h.Objective, h.Bound, want)
		}
		if tc.bp.Objective.Type == Maximin && h.Objective < 0.97*want {
			t.Errorf("%s: heuristic objective %.6f more than 3%% below the optimum %.6f", tc.name, h.Objective, want)
		}
		t.Run(tc.name+"/cbc", func(t *testing.T) {
			r, err := Assemble(context.Background(), tc.bp, tc.pool, needCBC(t), Options{Seed: 1, MaxNodes: cbcNodes})
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != StatusOptimal || math.Abs(r.Objective-want) > 1e-6 || worse(r.Bound, want) {
				t.Errorf("cbc %s with objective %.6f, bound %.6f; the optimum is %.6f", r.Status, r.Objective, r.Bound, want)
			}
		})
	}
}

// TestCBCProvesOptimal is the Done-means check: a maximin form from a
// 1,000-item pool with enemy groups, domain quotas and item sets, proven
// optimal by CBC, its bound the objective and its gap exactly 0, its
// forms checked by Verify.
func TestCBCProvesOptimal(t *testing.T) {
	c := needCBC(t)
	bp, pool := generated(1, 1000)
	res, err := Assemble(context.Background(), bp, pool, c, Options{Seed: 1, MaxNodes: cbcNodes})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != StatusOptimal || res.Gap != 0 || res.Bound != res.Objective {
		t.Errorf("cbc: %s, objective %.6f, bound %.6f, gap %g; want proven optimal", res.Status, res.Objective, res.Bound, res.Gap)
	}
	if err := Verify(bp, pool, codesOf(pool, res.Forms)); err != nil {
		t.Error(err)
	}
}

// cbcNodes is the node budget of the CBC solves that must prove
// optimality: far more than they take (a few hundred), so that it only
// stops a solve gone wrong.
const cbcNodes = 100_000

func codesOf(pool []Item, forms [][]int) [][]string {
	out := make([][]string, len(forms))
	for f, items := range forms {
		for _, i := range items {
			out[f] = append(out[f], pool[i].Code)
		}
	}
	return out
}

// heuristicTolerance is how far below the optimum the heuristic's maximin
// objective may fall: 3 %. As SE(θ) = 1/√I(θ), 3 % less information is
// 1.5 % more standard error at the objective's θ points: on the fixture's
// forms (I(0) ≈ 12.7, SE ≈ 0.28) less than half a point of the 300–850
// scale's 91.7 points per unit of θ. It is well above the heuristic's
// distance from the optimum on the pools below (at most 0.9 %), yet below
// what its first descent alone leaves on two of them (3.6 % and 15 %), so
// a perturbation or a move that stops working fails the test.
const heuristicTolerance = 0.03

// heuristicRounds is the heuristic's budget in the sweeps. Its rounds
// stop 30 rounds after the last improvement, after 30 to 160 rounds on
// these pools, so the budget is there to stop a search gone wrong.
const heuristicRounds = 200

// TestHeuristicNearOptimum is the Done-means check of the fallback: on
// seeded pools, with every kind of hard constraint, the heuristic's
// objective is within heuristicTolerance of the optimum, its forms meet
// the blueprint (Assemble verifies them), and its Lagrangian bound is a
// bound. For one form, CBC at gap 0 proves the optimum. For several, the
// forms' symmetry keeps CBC from closing the gap within a test's budget
// (two 12-item forms from 200 items were not proven optimal in 20,000
// nodes); CBC's bound after 50 nodes is an upper bound on the optimum, so
// measuring the heuristic against it is the stricter check.
func TestHeuristicNearOptimum(t *testing.T) {
	if testing.Short() {
		t.Skip("slow solver sweep; run without -short")
	}
	c := needCBC(t)
	for _, tc := range []struct {
		name  string
		seeds []uint64
		items int
		edit  func(bp *Blueprint, pool []Item) // nil for generated's one form
	}{
		{"one form", []uint64{1, 2}, 1000, nil},
		{"one form, weighted", []uint64{1, 3}, 1000, func(bp *Blueprint, _ []Item) {
			bp.Objective = Objective{Theta: []float64{-1.5, 0, 1.5}, Weights: []float64{0.6, 1, 0.6}}
		}},
		{"one form, subdomains, minutes and difficulty", []uint64{2, 3}, 1000, func(bp *Blueprint, _ []Item) {
			bp.Subdomains = map[string]Range{"semantics-1": Between(2, 3), "stdlib-2": Between(2, 3), "idioms-3": AtMost(1)}
			minutes, mean := AtMost(36), Between(-0.2, 0.2)
			bp.Minutes, bp.MeanDifficulty = &minutes, &mean
		}},
		{"two forms, tight minutes", []uint64{7}, 500, func(bp *Blueprint, _ []Item) {
			m := AtMost(33)
			bp.Forms, bp.Minutes = 2, &m
		}},
		{"two hard forms", []uint64{3}, 500, func(bp *Blueprint, _ []Item) {
			d := Between(0.9, 1)
			bp.Forms, bp.MeanDifficulty = 2, &d
		}},
		{"two forms, exact subdomains", []uint64{7}, 500, func(bp *Blueprint, _ []Item) {
			bp.Forms = 2
			bp.Subdomains = map[string]Range{"semantics-1": Exactly(4), "idioms-2": Exactly(4), "stdlib-6": Between(0, 1)}
		}},
		{"two forms, include and exclude", []uint64{7}, 500, func(bp *Blueprint, pool []Item) {
			bp.Forms = 2
			bp.Include = anchorsOf(pool, bp.ItemSets, 30)
			for i := 1; i < 60; i += 3 {
				bp.Exclude = append(bp.Exclude, pool[i].Code)
			}
		}},
		{"three forms, reuse and overlap", []uint64{5}, 500, func(bp *Blueprint, _ []Item) {
			overlap := 15
			bp.Forms, bp.MaxFormsPerItem, bp.MaxOverlap = 3, 2, &overlap
		}},
		{"four parallel forms, 10 anchors", []uint64{4}, 500, func(bp *Blueprint, pool []Item) {
			bp.Forms = 4
			bp.Anchors = anchorsOf(pool, bp.ItemSets, 10)
		}},
		{"four forms within tolerances", []uint64{8}, 1000, func(bp *Blueprint, _ []Item) {
			tol := 0.3
			bp.Forms, bp.InfoTolerance, bp.TCCTolerance = 4, &tol, &tol
		}},
	} {
		for _, seed := range tc.seeds {
			bp, pool := generated(seed, tc.items)
			if tc.edit != nil {
				tc.edit(&bp, pool)
			}
			name := fmt.Sprintf("%s, pool %d", tc.name, seed)
			one := bp.WithDefaults().Forms == 1
			// CBC's start is the heuristic's first round only: the
			// heuristic itself runs below.
			o := Options{Seed: 1, MaxNodes: cbcNodes, Restarts: 1}
			if !one {
				o.MaxNodes = 50
			}
			cr, err := Assemble(context.Background(), bp, pool, c, o)
			if err != nil {
				t.Fatalf("%s: cbc: %v", name, err)
			}
			optimum := cr.Bound // an upper bound on the optimum, the optimum itself when proven
			if one && (cr.Status != StatusOptimal || cr.Gap > 1e-9) {
				t.Fatalf("%s: cbc %s with gap %g; want the optimum proven", name, cr.Status, cr.Gap)
			}
			hr, err := Assemble(context.Background(), bp, pool, Heuristic{}, Options{Seed: 1, Restarts: heuristicRounds})
			if err != nil {
				t.Fatalf("%s: heuristic: %v", name, err)
			}
			below := 1 - hr.Objective/optimum
			if below > heuristicTolerance {
				t.Errorf("%s: heuristic %.4f is %.2f%% below the optimum %.4f (at most %.4f), more than %g%%", name,
					hr.Objective, 100*below, cr.Objective, optimum, 100*heuristicTolerance)
			}
			if hr.Bound < cr.Objective-1e-6 {
				t.Errorf("%s: the heuristic's bound %.4f is below cbc's forms' objective %.4f", name, hr.Bound, cr.Objective)
			}
			t.Logf("%s: cbc %.4f (bound %.4f, %s); heuristic %.4f, %.2f%% below the bound on the optimum (its bound %.4f)",
				name, cr.Objective, cr.Bound, cr.Status, hr.Objective, 100*below, hr.Bound)
		}
	}
}

// TestTargetMatch matches two forms to target information and
// characteristic curves, those of the pool's average 50-item form, which
// many forms come close to: CBC and the heuristic must come within 2 % of
// the targets' size, and the bound below the objective.
func TestTargetMatch(t *testing.T) {
	if testing.Short() {
		t.Skip("slow solver sweep; run without -short")
	}
	bp, pool := generated(6, 500)
	bp.Forms = 2
	bp.Objective = Objective{Type: Target, Theta: []float64{-1, 0, 1}}
	var n float64
	for _, it := range pool {
		if it.Status == "operational" {
			n++
		}
	}
	for _, th := range bp.Objective.Theta {
		var info, tcc float64
		for _, it := range pool {
			if it.Status == "operational" {
				info += 50 * it.Params.Info(th) / n
				tcc += 50 * it.Params.Prob(th) / n
			}
		}
		bp.Objective.Info = append(bp.Objective.Info, info)
		bp.Objective.TCC = append(bp.Objective.TCC, tcc)
	}
	check := func(t *testing.T, s Solver, o Options) {
		res, err := Assemble(context.Background(), bp, pool, s, o)
		if err != nil {
			t.Fatal(err)
		}
		if res.Objective > 0.02*bp.Objective.Info[1] || res.Bound > res.Objective+1e-6 {
			t.Errorf("largest deviation %.4f (bound %.4f) from targets of size %.1f", res.Objective, res.Bound, bp.Objective.Info[1])
		}
		t.Logf("largest deviation %.5f, bound %.5f", res.Objective, res.Bound)
	}
	// Many forms come close to these targets: 30 rounds come within a
	// tenth of the allowance.
	t.Run("heuristic", func(t *testing.T) { check(t, Heuristic{}, Options{Seed: 1, Restarts: 30}) })
	// A target's LP bound is 0, so CBC runs to its node limit.
	t.Run("cbc", func(t *testing.T) { check(t, needCBC(t), Options{Seed: 1, MaxNodes: 500, Restarts: 30}) })
}

// TestInfeasibleTogether builds a blueprint that passes every counting
// check but that no form meets: the hard items are all in one domain
// capped at one item, and the mean difficulty must be high.
func TestInfeasibleTogether(t *testing.T) {
	var pool []Item
	for k := range 20 {
		it := Item{Code: "A" + string(rune('a'+k)), Domain: "hard", Status: "operational", Params: irt.ThreePL{A: 1, B: 2, D: 1}}
		if k%2 == 1 {
			it.Domain, it.Params.B = "easy", -2
		}
		pool = append(pool, it)
	}
	bp := Blueprint{Length: 4, Domains: map[string]Range{"hard": AtMost(1)}, MeanDifficulty: &Range{}}
	*bp.MeanDifficulty = AtLeast(0)
	if _, err := NewProblem(bp, pool); err != nil {
		t.Fatalf("the counting checks refused the blueprint: %v", err)
	}
	// The closest forms break one of the two rules in conflict.
	named := func(err error) bool {
		return err != nil && (strings.Contains(err.Error(), "mean_difficulty") || strings.Contains(err.Error(), "domains.hard"))
	}
	_, err := Assemble(context.Background(), bp, pool, Heuristic{}, Options{Seed: 1, Restarts: heuristicRounds})
	if !named(err) {
		t.Errorf("heuristic: %v, want the broken constraint named", err)
	}
	t.Run("cbc", func(t *testing.T) {
		_, err := Assemble(context.Background(), bp, pool, needCBC(t), Options{Seed: 1, MaxNodes: cbcNodes})
		var ie *InfeasibleError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), "CBC proved") || !named(err) {
			t.Errorf("%v, want an InfeasibleError naming the broken constraint", err)
		}
	})
}

// TestDeterministic: the same problem, options and seed give the same
// forms, objective and bound run after run, as the budgets count rounds
// and nodes, not seconds. CBC is stopped by its node limit, short of
// proving its forms optimal, where a time limit would stop it at a point
// that depends on the machine.
func TestDeterministic(t *testing.T) {
	pool, sets := GeneratePool(9, PoolSpec{Items: 300})
	bp := Blueprint{Length: 20, Forms: 2, ItemSets: sets,
		Domains: map[string]Range{"semantics": Between(5, 6), "idioms": Between(5, 6), "performance": Between(5, 6), "stdlib": Between(5, 6)}}
	same := func(t *testing.T, s Solver, o Options) *Result {
		first, err := Assemble(context.Background(), bp, pool, s, o)
		if err != nil {
			t.Fatal(err)
		}
		again, err := Assemble(context.Background(), bp, pool, s, o)
		if err != nil {
			t.Fatal(err)
		}
		first.Elapsed, again.Elapsed = 0, 0
		if !reflect.DeepEqual(first, again) {
			t.Errorf("two runs differ:\n%+v\n%+v", first, again)
		}
		return first
	}
	t.Run("heuristic", func(t *testing.T) { same(t, Heuristic{}, Options{Seed: 3, Restarts: 40}) })
	t.Run("cbc", func(t *testing.T) {
		if r := same(t, needCBC(t), Options{Seed: 3, MaxNodes: 200, Restarts: 40}); r.Status != StatusFeasible {
			t.Errorf("cbc %s; want it stopped by the node limit, its forms not proven optimal", r.Status)
		}
	})
}

// TestCBCNoWorseThanHeuristic: CBC starts from the heuristic's forms and
// returns the better of its own and those, so that under any node budget
// its forms are never worse than the heuristic's with the same options,
// nor its bound looser. On these pools CBC's own forms after 10 nodes,
// started from the heuristic's first descent only, were worse (9.7095
// against 9.7171, 9.5227 against 9.5326, and 8.2407 against 8.2500).
func TestCBCNoWorseThanHeuristic(t *testing.T) {
	c := needCBC(t)
	for _, tc := range []struct {
		seed  uint64
		forms int
	}{{9, 2}, {10, 2}, {11, 3}} {
		bp, pool := generated(tc.seed, 300)
		bp.Forms = tc.forms
		o := Options{Gap: 1e-3, Seed: 1, MaxNodes: 10, Restarts: 50}
		h, err := Assemble(context.Background(), bp, pool, Heuristic{}, o)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Assemble(context.Background(), bp, pool, c, o)
		if err != nil {
			t.Fatal(err)
		}
		if r.Objective < h.Objective || r.Bound > h.Bound {
			t.Errorf("pool %d, %d forms: cbc objective %.6f, bound %.6f (%s); the heuristic's %.6f, %.6f", tc.seed, tc.forms,
				r.Objective, r.Bound, r.Solver, h.Objective, h.Bound)
		}
		t.Logf("pool %d, %d forms: cbc objective %.6f, bound %.6f, gap %.3g (%s, %s); the heuristic's %.6f, %.6f", tc.seed, tc.forms,
			r.Objective, r.Bound, r.Gap, r.Solver, r.Status, h.Objective, h.Bound)
	}
}
