package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/stat"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/bank/assemble"
	"github.com/passportirt/passport/fixtures/blueprints"
)

type assembleOptions struct {
	run       int64
	blueprint string
	forms     int
	sample    bool
	name      string
	solver    string
	timeLimit time.Duration
	gap       float64
	seed      uint64
	threads   int
}

// sampleLength is the length of a --sample form.
const sampleLength = 5

func defaultAssembleOptions() *assembleOptions {
	return &assembleOptions{solver: "auto", timeLimit: time.Minute, gap: 1e-3, seed: 1}
}

func newAssembleCmd(g *globals) *cobra.Command {
	o := defaultAssembleOptions()
	cmd := &cobra.Command{
		Use:   "assemble",
		Short: "Build test forms against a blueprint by mixed-integer programming",
		Long: `Builds forms from the items of a calibration run that meet every rule of a
blueprint (JSON; see fixtures/blueprints/README.md): form length and number,
counts per domain and subdomain, allowed statuses, enemy groups, item sets,
items to include or exclude, anchors on every form, reuse and overlap caps,
total minutes (from the items' median response times in the bank), mean
difficulty, and tolerances on how far the forms' information and
characteristic curves may differ at the θ points. The objective is maximin test information at the blueprint's θ
points, or the smallest largest deviation from target information or
characteristic curves, for every form at once so that the forms come out
parallel.

The forms are a 0/1 programme (van der Linden 2005) solved by COIN-OR CBC
when the cbc program is installed (apt-get install coinor-cbc): the run
reports CBC's objective, best bound and relative gap, and stops at
--time-limit or when the gap falls to --gap. Without CBC (or with
--solver heuristic) a greedy construction with local search builds the
forms, reported as heuristic with a Lagrangian bound. Either way every hard
constraint is checked on the forms before they are stored.

The forms are stored in the bank (codes A<assembly>-<n>) with the blueprint,
run, objective, bound, gap and solver; stdout gets each form's content and
its information (and standard error) and characteristic curve at the θ
points, with each curve's difference from the forms' mean. --format csv
writes that second table, --format json both. --sample builds one 5-item
form with the blueprint's proportions.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runAssemble(cmd.Context(), g, o) },
	}
	f := cmd.Flags()
	f.Int64Var(&o.run, "run", 0, "the calibration run whose items and parameters to use (required)")
	f.StringVar(&o.blueprint, "blueprint", "", "the blueprint, a JSON file (required)")
	f.IntVar(&o.forms, "forms", 0, "number of forms, instead of the blueprint's")
	f.BoolVar(&o.sample, "sample", false, "build one 5-item sample form with the blueprint's proportions")
	f.StringVar(&o.name, "name", "", "a name for the assembly (default: the blueprint's)")
	f.StringVar(&o.solver, "solver", o.solver, "auto (CBC when installed), cbc or heuristic")
	f.DurationVar(&o.timeLimit, "time-limit", o.timeLimit, "stop the solver after this long (e.g. 30s, 5m)")
	f.Float64Var(&o.gap, "gap", o.gap, "stop CBC when the relative gap to its bound is this small (0: prove optimality)")
	f.Uint64Var(&o.seed, "seed", o.seed, "random seed of the solver")
	f.IntVar(&o.threads, "threads", 0, "CBC threads (default: CBC's)")
	cmd.MarkFlagRequired("run")
	cmd.MarkFlagRequired("blueprint")
	return cmd
}

func runAssemble(ctx context.Context, g *globals, o *assembleOptions) error {
	f, err := os.Open(o.blueprint)
	if err != nil {
		return err
	}
	bp, err := assemble.ReadBlueprint(o.blueprint, f)
	f.Close()
	if err != nil {
		return err
	}
	if o.forms > 0 {
		bp.Forms = o.forms
	}
	if o.sample {
		bp = bp.Sample(sampleLength)
	}
	b, err := g.openBank()
	if err != nil {
		return err
	}
	defer b.Close()
	run, err := b.Calibration(ctx, o.run)
	if err != nil {
		return err
	}
	a, err := assembleForms(ctx, g, b, run, bp, o)
	if err != nil {
		return err
	}
	return a.print(g.out, g.format)
}

// assembly is a stored assembly with what its summary needs.
type assembly struct {
	stored *bank.Assembly
	bp     assemble.Blueprint
	forms  [][]assemble.Item // each form's items, in form order
	pool   int               // eligible items in the run
}

// assembleForms builds bp's forms from run's items with the solver o asks
// for, stores them, and reports on stderr.
func assembleForms(ctx context.Context, g *globals, b *bank.Bank, run *bank.Calibration, bp assemble.Blueprint, o *assembleOptions) (*assembly, error) {
	pool, err := assemblyPool(ctx, b, run, bp.Minutes != nil)
	if err != nil {
		return nil, err
	}
	solver, err := pickSolver(g, o.solver)
	if err != nil {
		return nil, err
	}
	p, err := assemble.NewProblem(bp, pool)
	if err != nil {
		return nil, err
	}
	bp = p.Blueprint()
	eligible := 0
	for _, it := range pool {
		if slices.Contains(bp.Statuses, it.Status) {
			eligible++
		}
	}
	g.status("assembling %d form(s) of %d items from run %d's %d %s items with %s (time limit %v)",
		bp.Forms, bp.Length, run.ID, eligible, strings.Join(bp.Statuses, "/"), solver.Name(), o.timeLimit)
	// The solver reports nothing as it goes: show the time it has taken.
	prog := g.progress("solving", 0)
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		start, tick := time.Now(), time.NewTicker(200*time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				prog.Message("%s, %.0fs of at most %v", solver.Name(), time.Since(start).Seconds(), o.timeLimit)
			}
		}
	}()
	res, err := p.Solve(ctx, solver, assemble.Options{TimeLimit: o.timeLimit, Gap: o.gap, Seed: o.seed, Threads: o.threads})
	close(done)
	<-stopped
	prog.Done()
	if err != nil {
		return nil, err
	}
	bpJSON, err := json.Marshal(bp)
	if err != nil {
		return nil, err
	}
	name := o.name
	if name == "" {
		name = bp.Name
	}
	a := &assembly{bp: bp, pool: eligible, stored: &bank.Assembly{Name: name, CalibrationID: run.ID, Blueprint: bpJSON,
		ObjectiveType: bp.Objective.Type, Objective: res.Objective, Bound: res.Bound, Gap: res.Gap, Solver: res.Solver,
		Status: string(res.Status), Seconds: res.Elapsed.Seconds(),
		Options: map[string]any{"blueprint_file": o.blueprint, "sample": o.sample, "solver": o.solver,
			"time_limit": o.timeLimit.String(), "gap": o.gap, "seed": o.seed, "threads": o.threads}}}
	for _, form := range res.Forms {
		var f bank.Form
		var items []assemble.Item
		for _, i := range form {
			f.Items = append(f.Items, bank.FormItem{Item: pool[i].Code, Anchor: slices.Contains(bp.Anchors, pool[i].Code)})
			items = append(items, pool[i])
		}
		a.stored.Forms = append(a.stored.Forms, f)
		a.forms = append(a.forms, items)
	}
	if _, err := b.SaveAssembly(ctx, a.stored); err != nil {
		return nil, err
	}
	g.status("assembly %d: %s, %s in %.2fs; objective %s, bound %s, gap %s",
		a.stored.ID, res.Solver, res.Status, res.Elapsed.Seconds(), num(res.Objective), num(res.Bound), percent(res.Gap))
	if len(a.forms) > 1 {
		d, th, f, h := a.tccDifference()
		g.status("largest difference between the forms' characteristic curves on θ ∈ [−3, 3]: %.3f raw-score points at θ = %.2f (%s above %s)",
			d, th, a.stored.Forms[f].Code, a.stored.Forms[h].Code)
	}
	return a, nil
}

// pickSolver returns the solver --solver names: auto takes CBC when it
// is installed and the heuristic otherwise.
func pickSolver(g *globals, name string) (assemble.Solver, error) {
	switch name {
	case "heuristic":
		return assemble.Heuristic{}, nil
	case "cbc", "auto":
		c, err := assemble.FindCBC()
		if err == nil {
			return c, nil
		}
		if name == "cbc" {
			return nil, err
		}
		g.status("CBC is not installed (apt-get install coinor-cbc): using the heuristic, whose forms are not proven optimal")
		return assemble.Heuristic{}, nil
	}
	return nil, fmt.Errorf("--solver %q: expected auto, cbc or heuristic", name)
}

// assemblyPool is run's items with their parameters and, when times is
// set, their median response times (items without timed responses get
// the median over the items that have them).
func assemblyPool(ctx context.Context, b *bank.Bank, run *bank.Calibration, times bool) ([]assemble.Item, error) {
	items, err := b.Items(ctx, bank.ItemFilter{})
	if err != nil {
		return nil, err
	}
	var secs map[string]float64
	var typical float64
	if times {
		if secs, err = b.ItemSeconds(ctx); err != nil {
			return nil, err
		}
		if len(secs) == 0 {
			return nil, errors.New("the blueprint bounds minutes, but the bank has no response times to take the items' times from; import a log with a time column or drop minutes")
		}
		all := make([]float64, 0, len(secs))
		for _, s := range secs {
			all = append(all, s)
		}
		slices.Sort(all)
		typical = stat.Quantile(0.5, stat.Empirical, all, nil)
	}
	params := make(map[string]bank.ParamRow, len(run.Params))
	for _, p := range run.Params {
		params[p.Item] = p
	}
	var pool []assemble.Item
	for _, it := range items {
		p, ok := params[it.Code]
		if !ok {
			continue
		}
		s, ok := secs[it.Code]
		if times && !ok {
			s = typical
		}
		pool = append(pool, assemble.Item{Code: it.Code, Domain: it.Domain, Subdomain: it.Subdomain, Status: it.Status,
			EnemyGroup: it.EnemyGroup, Params: p.ThreePL(run.D), Seconds: s})
	}
	if len(pool) == 0 {
		return nil, fmt.Errorf("run %d has no parameters for the bank's items", run.ID)
	}
	return pool, nil
}

// demoAssembly is the demo's form-assembly stage: two parallel 50-item
// forms from run's items with the fixture blueprint
// (fixtures/blueprints/python-fundamentals.json), by CBC when it is
// installed and the heuristic otherwise, stored in b, with a short summary
// on w.
func demoAssembly(ctx context.Context, w io.Writer, g *globals, b *bank.Bank, run *bank.Calibration) error {
	bp, err := assemble.ReadBlueprint("python-fundamentals.json", bytes.NewReader(blueprints.PythonFundamentals))
	if err != nil {
		return err
	}
	o := defaultAssembleOptions()
	o.blueprint, o.timeLimit = "fixtures/blueprints/python-fundamentals.json", 5*time.Second
	dg := *g
	dg.quiet = true
	a, err := assembleForms(ctx, &dg, b, run, bp, o)
	if err != nil {
		return err
	}
	s := a.stored
	fmt.Fprintf(w, "   assembly %d: %d forms of %d items from %d operational items, by %s (%s) in %.2fs\n",
		s.ID, len(s.Forms), a.bp.Length, a.pool, s.Solver, s.Status, s.Seconds)
	fmt.Fprintf(w, "   maximin information at θ = −1, 0, 1: objective %s, bound %s, gap %s\n", num(s.Objective), num(s.Bound), percent(s.Gap))
	content, curves := a.tables()
	if err := render(indented(w), "table", content); err != nil {
		return err
	}
	if err := render(indented(w), "table", curves); err != nil {
		return err
	}
	d, th, _, _ := a.tccDifference()
	fmt.Fprintf(w, "   largest difference between the two forms' characteristic curves on θ ∈ [−3, 3]: %.3f raw-score points (θ = %.2f)\n", d, th)
	return nil
}
