package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/bank/assemble"
)

// assembleOptions are the assemble command's flags. Tests and the demo
// take newAssembleOptions, set run and blueprint (a JSON file) and call
// runAssemble, which writes the status lines to errOut and the tables to
// out.
type assembleOptions struct {
	*globals  // streams, --db, --quiet, --format
	run       ref
	blueprint string
	forms     int
	sample    bool
	name      string
	solver    string
	gap       float64
	maxNodes  int
	restarts  int
	seed      uint64
	threads   int
	timeLimit time.Duration
	versions  int // scrambled versions of each form, besides the one as written
}

// sampleLength is the length of a --sample form.
const sampleLength = 5

// maxVersions bounds --versions.
const maxVersions = 26

// defaultMaxNodes is CBC's default node budget. The fixture blueprint's
// two forms reach the default gap within a few nodes; a node takes about a
// millisecond for one form from 3,000 items and tens of milliseconds for
// several forms under an overlap cap, so a hard problem stops within
// minutes with the best forms found.
const defaultMaxNodes = 10_000

// newAssembleOptions returns the assemble command's options on g with the
// flags' defaults.
func newAssembleOptions(g *globals) *assembleOptions {
	return &assembleOptions{globals: g, solver: "auto", gap: 1e-3, maxNodes: defaultMaxNodes, restarts: assemble.DefaultRestarts, seed: 1}
}

func newAssembleCmd(g *globals) *cobra.Command {
	o := newAssembleOptions(g)
	cmd := &cobra.Command{
		Use:   "assemble",
		Short: "Build test forms against a blueprint by mixed-integer programming",
		Long: `Builds forms from the items of a calibration run that meet every rule of a
blueprint (JSON; see fixtures/blueprints/README.md): form length and number,
counts per domain and subdomain, allowed statuses, enemy groups, item sets,
items to include or exclude, anchors on every form, reuse and overlap caps,
total minutes (from the items' median response times in the bank), mean
difficulty, and tolerances on how far the forms' information and
characteristic curves may differ at the θ points, and the count of each
key letter. The objective is maximin test information at the blueprint's
θ points, or the smallest largest deviation from target information or
characteristic curves, for every form at once so that the forms come out
parallel.

Each form's items are then put in delivery order by the blueprint's order
rule (random, by domain, or spiralled through the domains; an item set's
items one after another), never with more than max_key_run items of one
key letter in a row. --versions K adds K versions of each form, each
delivering every item's options in another order (a "none of the above"
last option stays last) with key letters that meet the same key rules;
the key mapping of each is stored (passport forms export --version).

The forms are a 0/1 programme (van der Linden 2005). A greedy
construction with local search builds forms first; it stops after
--restarts rounds, or 30 rounds in a row without improvement. With the
cbc program installed (apt-get install coinor-cbc), COIN-OR CBC starts
from those forms and stops when the relative gap between its bound and
its best forms falls to --gap, or after --max-nodes nodes; the better of
its forms and the heuristic's are kept, with the better bound. The run
reports the forms' objective, the bound (the best objective any forms
could reach), the gap (how much better, relative to the objective, forms
might be) and the status: optimal (proven, gap 0, or within the --gap
tolerance) or feasible (stopped with a larger gap). Without CBC (or with
--solver heuristic) the heuristic's forms are reported as heuristic, with
a Lagrangian bound. Either way every hard constraint is checked on the
forms before they are stored.

The budgets count nodes and rounds, not seconds, so the same bank, blueprint
and flags give the same forms on any machine. --time-limit adds a cap on the
wall-clock time, a safety net whose results depend on the machine's speed.

The forms are stored in the bank (codes A<assembly>-<n>) with the blueprint,
run, objective, bound, gap, solver and options; stdout gets each form's
content and its information (and standard error) and characteristic curve
at the θ points, with each curve's difference from the forms' mean.
--format csv writes that second table, --format json both. --sample builds
one 5-item form with the blueprint's proportions from the items on no
live form and in no enemy group with one: a form is live when it was
assembled (earlier samples included); forms of past administrations are
not.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runAssemble(cmd.Context(), o) },
	}
	f := cmd.Flags()
	f.Var(&o.run, "run", "the calibration run whose items and parameters to use, by number or name (required)")
	f.StringVar(&o.blueprint, "blueprint", "", "the blueprint, a JSON file (required)")
	f.IntVar(&o.forms, "forms", 0, "number of forms, instead of the blueprint's")
	f.BoolVar(&o.sample, "sample", false, "build one 5-item sample form with the blueprint's proportions, from items on no live form")
	f.StringVar(&o.name, "name", "", "a name for the assembly, unique, by which commands can refer to it")
	f.StringVar(&o.solver, "solver", o.solver, "auto (CBC when installed), cbc or heuristic")
	f.Float64Var(&o.gap, "gap", o.gap, "the relative gap between bound and objective within which forms are optimal and CBC stops (0: prove optimality)")
	f.IntVar(&o.maxNodes, "max-nodes", o.maxNodes, "stop CBC after this many branch-and-bound nodes (0: no limit)")
	f.IntVar(&o.restarts, "restarts", o.restarts, "the heuristic's most rounds of perturbation and local search")
	f.Uint64Var(&o.seed, "seed", o.seed, "random seed of the solver")
	f.IntVar(&o.threads, "threads", 0, "CBC threads (default 1; with more, results may vary from run to run)")
	f.DurationVar(&o.timeLimit, "time-limit", 0, "also stop the solver after this long (e.g. 5m; default: no limit)")
	intVar(f, &o.versions, "versions", 0, 0, maxVersions, "versions of each form with the options scrambled, besides the one as written")
	cmd.MarkFlagRequired("run")
	cmd.MarkFlagRequired("blueprint")
	return cmd
}

// runAssemble builds the forms of o's blueprint from o.run's items,
// stores them, and writes their tables.
func runAssemble(ctx context.Context, o *assembleOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	bp, err := o.readBlueprint()
	if err != nil {
		return err
	}
	b, err := o.openBank()
	if err != nil {
		return err
	}
	defer b.Close()
	run, err := o.run.run(ctx, b)
	if err != nil {
		return err
	}
	pool, err := assemblyPool(ctx, b, run, bp.Minutes != nil)
	if err != nil {
		return err
	}
	var away string // what the sample leaves out
	if o.sample {
		live, err := b.LiveItems(ctx)
		if err != nil {
			return err
		}
		var nLive, nEnemies int
		bp, nLive, nEnemies = bp.AwayFrom(pool, live)
		away = fmt.Sprintf("of run %d's %d items, the sample leaves out the %d on live (assembled) forms and %d more in enemy groups with them",
			run.ID, len(pool), nLive, nEnemies)
		o.status("%s", away)
	}
	solver, err := pickSolver(o.globals, o.solver)
	if err != nil {
		return err
	}
	p, err := assemble.NewProblem(bp, pool)
	if err != nil {
		if away != "" {
			return fmt.Errorf("%w (%s)", err, away)
		}
		return err
	}
	bp = p.Blueprint()
	o.status("assembling %d form(s) of %d items from run %d's %d %s items with %s (%s)",
		bp.Forms, bp.Length, run.ID, p.Eligible(), strings.Join(bp.Statuses, "/"), solver.Name(), o.budget(solver))
	res, err := o.solve(ctx, p, solver)
	if err != nil {
		return err
	}
	ds, err := p.Deliver(res.Forms, o.versions, o.seed)
	if err != nil {
		return err
	}
	o.status("%s", deliveryText(bp, o.versions))
	a, err := o.record(run.ID, bp, pool, res, ds)
	if err != nil {
		return err
	}
	if _, err := b.SaveAssembly(ctx, a); err != nil {
		return err
	}
	byCode := make(map[string]assemble.Item, len(pool))
	for _, it := range pool {
		byCode[it.Code] = it
	}
	forms := make([][]assemble.Item, len(ds))
	for f, d := range ds {
		for _, c := range d.Items {
			forms[f] = append(forms[f], byCode[c])
		}
	}
	rep := assemble.Describe(bp, forms)
	o.status("assembly %d: %s, %s, in %.2fs; %s: objective %s, bound %s, gap %s",
		a.ID, res.Solver, statusText(a.Status, res.Gap, res.Tolerance), res.Elapsed.Seconds(), objectiveText(bp.Objective), num(res.Objective),
		num(res.Bound), percent(res.Gap))
	if len(forms) > 1 {
		g := rep.TCCGap
		o.status("largest difference between the forms' characteristic curves on θ ∈ [−3, 3]: %.3f raw-score points at θ = %.2f (%s above %s)",
			g.Points, g.Theta, a.Forms[g.Higher].Code, a.Forms[g.Lower].Code)
	}
	return renderAssembly(o.out, o.format, a, rep)
}

// check refuses budgets that mean nothing.
func (o *assembleOptions) check() error {
	switch {
	case o.gap < 0:
		return fmt.Errorf("--gap %g: expected a relative gap ≥ 0", o.gap)
	case o.maxNodes < 0:
		return fmt.Errorf("--max-nodes %d: expected a number of nodes ≥ 0", o.maxNodes)
	case o.restarts < 1:
		return fmt.Errorf("--restarts %d: expected at least 1 round", o.restarts)
	case o.threads < 0:
		return fmt.Errorf("--threads %d: expected a number of threads ≥ 0", o.threads)
	case o.timeLimit < 0:
		return fmt.Errorf("--time-limit %v: expected a duration ≥ 0", o.timeLimit)
	}
	return nil
}

// readBlueprint reads o.blueprint and applies --forms and --sample.
func (o *assembleOptions) readBlueprint() (assemble.Blueprint, error) {
	f, err := os.Open(o.blueprint)
	if err != nil {
		return assemble.Blueprint{}, err
	}
	defer f.Close()
	bp, err := assemble.ReadBlueprint(o.blueprint, f)
	if err != nil {
		return bp, err
	}
	if o.forms > 0 {
		bp.Forms = o.forms
	}
	if o.sample {
		bp = bp.Sample(sampleLength)
	}
	return bp, nil
}

// solveOptions are the solver's options from the flags.
func (o *assembleOptions) solveOptions() assemble.Options {
	return assemble.Options{Gap: o.gap, MaxNodes: o.maxNodes, Restarts: o.restarts, Seed: o.seed, Threads: o.threads, TimeLimit: o.timeLimit}
}

// budget describes the solver's budget for the status line.
func (o *assembleOptions) budget(s assemble.Solver) string {
	var parts []string
	if _, cbc := s.(*assemble.CBC); cbc {
		parts = append(parts, "gap "+percent(o.gap))
		if o.maxNodes > 0 {
			parts = append(parts, fmt.Sprintf("at most %d nodes", o.maxNodes))
		}
		parts = append(parts, fmt.Sprintf("from the heuristic's forms after at most %d rounds", o.restarts))
	} else {
		parts = append(parts, fmt.Sprintf("at most %d rounds", o.restarts))
	}
	if o.timeLimit > 0 {
		parts = append(parts, fmt.Sprintf("time limit %v", o.timeLimit))
	}
	return strings.Join(parts, ", ")
}

// solve runs the solver, showing on a terminal how long it has taken: it
// reports nothing as it goes.
func (o *assembleOptions) solve(ctx context.Context, p *assemble.Problem, s assemble.Solver) (*assemble.Result, error) {
	prog := o.progress("solving", 0, "rounds")
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
				prog.Message("%s, %.0fs", s.Name(), time.Since(start).Seconds())
			}
		}
	}()
	res, err := p.Solve(ctx, s, o.solveOptions())
	close(done)
	<-stopped
	prog.Done()
	return res, err
}

// record is the assembly to store: the forms of res as delivered, ds,
// with their versions, and what made them.
func (o *assembleOptions) record(run int64, bp assemble.Blueprint, pool []assemble.Item, res *assemble.Result, ds []assemble.Delivery) (*bank.Assembly, error) {
	bpJSON, err := json.Marshal(bp)
	if err != nil {
		return nil, err
	}
	a := &bank.Assembly{Name: o.name, CalibrationID: run, Blueprint: bpJSON, ObjectiveType: bp.Objective.Type,
		Objective: res.Objective, Bound: res.Bound, Gap: res.Gap, Solver: res.Solver, Status: string(res.Status), Seconds: res.Elapsed.Seconds(),
		Options: bank.AssemblyOptions{BlueprintFile: o.blueprint, Sample: o.sample, Solver: o.solver, Gap: o.gap, MaxNodes: o.maxNodes,
			Restarts: o.restarts, Seed: o.seed, Threads: o.threads, TimeLimit: bank.Duration(o.timeLimit), Versions: o.versions}}
	key := make(map[string]string, len(pool))
	for _, it := range pool {
		key[it.Code] = it.Key
	}
	for _, d := range ds {
		var f bank.Form
		for _, c := range d.Items {
			f.Items = append(f.Items, bank.FormItem{Item: c, Anchor: slices.Contains(bp.Anchors, c)})
		}
		for v, ver := range d.Versions[1:] {
			fv := bank.FormVersion{Number: v + 1}
			for j, c := range d.Items {
				var letters []byte
				for _, o := range ver[j] {
					letters = append(letters, assemble.Letters[o])
				}
				fv.Items = append(fv.Items, bank.VersionItem{Item: c, Options: string(letters), Key: ver.Key(j, key[c])})
			}
			f.Versions = append(f.Versions, fv)
		}
		a.Forms = append(a.Forms, f)
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

// assemblyPool is run's items with their parameters, keys and options
// and, when times is set, their expected response times
// (assemble.SetSeconds from the bank's medians).
func assemblyPool(ctx context.Context, b *bank.Bank, run *bank.Calibration, times bool) ([]assemble.Item, error) {
	items, err := b.Items(ctx, bank.ItemFilter{})
	if err != nil {
		return nil, err
	}
	params := make(map[string]bank.ParamRow, len(run.Params))
	for _, p := range run.Params {
		params[p.Item] = p
	}
	var pool []assemble.Item
	for _, it := range items {
		if p, ok := params[it.Code]; ok {
			pool = append(pool, assemble.Item{Code: it.Code, Domain: it.Domain, Subdomain: it.Subdomain, Status: it.Status,
				EnemyGroup: it.EnemyGroup, Params: p.ThreePL(run.D), Key: it.KeyLetter(), Options: len(it.Options), FixedLast: it.LastOptionStays()})
		}
	}
	if len(pool) == 0 {
		return nil, fmt.Errorf("run %d has no parameters for the bank's items", run.ID)
	}
	if times {
		secs, err := b.ItemSeconds(ctx, assemble.Median)
		if err != nil {
			return nil, err
		}
		if len(secs) == 0 {
			return nil, errors.New("the blueprint bounds minutes, but the bank has no response times to take the items' times from; import a log with a time column or drop minutes")
		}
		assemble.SetSeconds(pool, secs)
	}
	return pool, nil
}
