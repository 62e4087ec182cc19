package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/calibrate"
	"github.com/passportirt/passport/irt"
	"github.com/passportirt/passport/scale"
)

type linkOptions struct {
	*globals  // streams, --db, --quiet, --format
	from, to  ref
	method    string
	D         float64
	exclude   []string
	points    int
	gridMin   float64
	gridMax   float64
	weights   string
	symmetry  string
	bootstrap int
	seed      uint64
	threshold float64
	dropDrift bool
	apply     bool
	applyName string
}

// linkMethods maps the command's method names to the stored ones.
var linkMethods = map[string]scale.Method{"mm": scale.ByMeanMean, "ms": scale.ByMeanSigma, "haebara": scale.ByHaebara, "sl": scale.ByStockingLord}

// defaultLinkOptions are the link command's defaults.
func defaultLinkOptions(g *globals) *linkOptions {
	return &linkOptions{globals: g, method: "sl", points: 41, gridMin: -4, gridMax: 4, weights: "normal", symmetry: "old",
		bootstrap: 200, seed: 1, threshold: 1.645}
}

func newLinkCmd(g *globals) *cobra.Command {
	o := defaultLinkOptions(g)
	cmd := &cobra.Command{
		Use:   "link",
		Short: "Link one calibration run onto another's scale",
		Long: `Computes linking constants A, B with θ_to = A·θ_from + B from the items the
two runs share: mean/mean (mm), mean/sigma (ms), Haebara or Stocking–Lord
(sl). The characteristic-curve methods take their criterion on a grid of
--grid-points equally spaced points on [--grid-min, --grid-max] (Gauss–
Hermite places its own), weighted uniformly, by the normal density of each
group's distribution, by Gauss–Hermite weights, or by each group's posterior
distribution estimated from its responses; on the old (--to) scale, the new
scale, or both (symmetric). --D replaces the runs' scaling constant in the
curves. Standard errors come from a bootstrap over the common items.

Common items whose transformed b or a move too far (robust z above
--drift-threshold) are flagged; --drop-drift links again without them.
The linking is stored with every option; --apply also stores the --from run
transformed onto the --to scale as a new run.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, _, err := runLink(cmd.Context(), o)
			return err
		},
	}
	f := cmd.Flags()
	f.Var(&o.from, "from", "the run to move (new scale), by number or name")
	f.Var(&o.to, "to", "the run whose scale is kept (base scale), by number or name")
	f.StringVar(&o.method, "method", o.method, "mm, ms, haebara or sl")
	f.Float64Var(&o.D, "D", 0, "scaling constant in the characteristic curves (default: the runs')")
	f.StringSliceVar(&o.exclude, "exclude", nil, "common items to leave out")
	f.IntVar(&o.points, "grid-points", o.points, "θ points of the criterion")
	f.Float64Var(&o.gridMin, "grid-min", o.gridMin, "lowest θ point")
	f.Float64Var(&o.gridMax, "grid-max", o.gridMax, "highest θ point")
	f.StringVar(&o.weights, "weights", o.weights, "uniform, normal, gauss-hermite or posterior")
	f.StringVar(&o.symmetry, "symmetry", o.symmetry, "criterion on the old scale, the new scale, or both")
	f.IntVar(&o.bootstrap, "bootstrap", o.bootstrap, "bootstrap replicates for the standard errors (0: none)")
	f.Uint64Var(&o.seed, "seed", o.seed, "bootstrap seed")
	f.Float64Var(&o.threshold, "drift-threshold", o.threshold, "robust z above which a common item is flagged as drifting")
	f.BoolVar(&o.dropDrift, "drop-drift", false, "link again without the flagged items")
	f.BoolVar(&o.apply, "apply", false, "store the --from run transformed onto the --to scale")
	f.StringVar(&o.applyName, "name", "", "with --apply: the new run's name")
	cmd.MarkFlagRequired("from")
	cmd.MarkFlagRequired("to")
	return cmd
}

// runLink links run o.from onto o.to, stores the linking (and with
// --apply the moved run, whose id it returns) and writes it.
func runLink(ctx context.Context, o *linkOptions) (*bank.Linking, int64, error) {
	b, err := o.openBank()
	if err != nil {
		return nil, 0, err
	}
	defer b.Close()
	l, applied, err := linkRuns(ctx, b, o)
	if err != nil {
		return nil, 0, err
	}
	return l, applied, printLink(o.globals, l, applied)
}

// linkRuns links run o.from onto o.to and stores the linking and, with
// o.apply, the moved run (its id, else 0).
func linkRuns(ctx context.Context, b *bank.Bank, o *linkOptions) (*bank.Linking, int64, error) {
	method, ok := linkMethods[o.method]
	if !ok {
		return nil, 0, fmt.Errorf("--method %q: expected mm, ms, haebara or sl", o.method)
	}
	so := scale.LinkOptions{Method: method, Exclude: o.exclude, Symmetry: scale.Symmetry(o.symmetry), Weights: scale.Weights(o.weights),
		Points: o.points, Min: o.gridMin, Max: o.gridMax, D: o.D,
		DriftThreshold: o.threshold, DropDrift: o.dropDrift, Bootstrap: o.bootstrap, Seed: o.seed}
	if err := so.Check(); err != nil {
		return nil, 0, err
	}
	fromID, err := o.from.resolve(ctx, b, bank.KindRun)
	if err != nil {
		return nil, 0, err
	}
	toID, err := o.to.resolve(ctx, b, bank.KindRun)
	if err != nil {
		return nil, 0, err
	}
	if fromID == toID {
		return nil, 0, fmt.Errorf("--from %s --to %s: a run is on its own scale already; link two different runs", o.from, o.to)
	}
	from, err := b.Calibration(ctx, fromID)
	if err != nil {
		return nil, 0, err
	}
	to, err := b.Calibration(ctx, toID)
	if err != nil {
		return nil, 0, err
	}
	if so.NeedsPosteriors() {
		grid, err := so.PosteriorGrid()
		if err != nil {
			return nil, 0, err
		}
		if so.OldPosterior, err = groupPosterior(ctx, b, to, grid); err != nil {
			return nil, 0, fmt.Errorf("the --to group's distribution: %w", err)
		}
		if so.NewPosterior, err = groupPosterior(ctx, b, from, grid); err != nil {
			return nil, 0, fmt.Errorf("the --from group's distribution: %w", err)
		}
	}
	res, err := scale.Link(linkRun(from), linkRun(to), so)
	if err != nil {
		return nil, 0, fmt.Errorf("linking run %d onto run %d: %w", from.ID, to.ID, err)
	}
	if len(res.Unidentified) > 0 {
		o.status("warning: %d common items left out, their difficulty beyond ±%d on a run (slope near 0: b not identified): %s",
			len(res.Unidentified), scale.MaxLinkDifficulty, strings.Join(res.Unidentified, ", "))
	}
	l := &bank.Linking{From: from.ID, To: to.ID, Method: string(method), A: res.Transform.A, B: res.Transform.B, SEA: res.SEA, SEB: res.SEB,
		Options: bank.LinkingOptions{D: res.D, Exclude: o.exclude, GridPoints: o.points, GridMin: o.gridMin, GridMax: o.gridMax,
			Weights: o.weights, Symmetry: o.symmetry, Bootstrap: o.bootstrap, Seed: o.seed,
			DriftThreshold: o.threshold, DropDrift: o.dropDrift, Drift: map[string]bank.ItemDrift{}}}
	for _, it := range res.Items {
		l.Items = append(l.Items, bank.LinkItem{Item: it.Code, Used: it.Used})
		d := it.Drift
		l.Options.Drift[it.Code] = bank.ItemDrift{DiffB: d.DiffB, RatioA: d.RatioA, ZB: d.ZB, ZLogA: d.ZLogA, Flag: d.Flag}
	}
	if _, err := b.SaveLinking(ctx, l); err != nil {
		return nil, 0, err
	}
	if l.Existing {
		o.status("linking %d of run %d onto run %d with these options was stored on %s: it is shown, not stored again", l.ID, l.From, l.To, l.CreatedAt)
	}
	if !o.apply {
		return l, 0, nil
	}
	if l.Existing {
		if applied, err := b.LinkedRun(ctx, l.ID); err != nil || applied > 0 {
			return l, applied, err
		}
	}
	applied, err := b.SaveCalibration(ctx, linkedRun(from, l, res.Moved, o.applyName))
	return l, applied, err
}

// linkRun is a stored run as scale.Link takes it.
func linkRun(c *bank.Calibration) scale.Run {
	items := c.ItemParams()
	r := scale.Run{Items: make([]scale.RunItem, len(items)), Mean: c.LatentMean, SD: c.LatentSD}
	for i, p := range c.Params {
		r.Items[i] = scale.RunItem{Code: p.Item, Params: items[i], SEA: p.SEA, SEB: p.SEB}
	}
	return r
}

// linkedRun is run from moved onto the scale of l's base run (moved, as
// scale.Link returns it), to be stored as a new run.
func linkedRun(from *bank.Calibration, l *bank.Linking, moved scale.Run, name string) *bank.Calibration {
	c := *from
	c.ID, c.Source, c.ParentID, c.Name = 0, "linked", from.ID, name
	if c.Name == "" {
		c.Name = fmt.Sprintf("run %d on the scale of run %d (linking %d)", from.ID, l.To, l.ID)
	}
	c.Settings.Linked = &bank.LinkedFrom{Linking: l.ID, Method: l.Method, A: l.A, B: l.B, FromRun: from.ID, ToRun: l.To}
	c.LatentMean, c.LatentSD = moved.Mean, moved.SD
	c.Params = make([]bank.ParamRow, len(from.Params))
	for i, p := range from.Params {
		m := moved.Items[i]
		c.Params[i] = bank.ParamRow{Item: p.Item, Model: p.Model, A: m.Params.A, B: m.Params.B, C: m.Params.C, SEA: m.SEA, SEB: m.SEB, SEC: p.SEC, N: p.N}
	}
	c.Fixed = nil
	return &c
}

// groupPosterior is a run's group distribution on grid: the responses it
// was calibrated from, under its parameters.
func groupPosterior(ctx context.Context, b *bank.Bank, run *bank.Calibration, grid irt.Quadrature) (irt.Quadrature, error) {
	if len(run.Inputs) == 0 {
		return irt.Quadrature{}, fmt.Errorf("run %d records no response imports (imported parameters): use other --weights", run.ID)
	}
	codes := make([]string, len(run.Params))
	for i, p := range run.Params {
		codes[i] = p.Item
	}
	m, err := b.ResponseMatrix(ctx, bank.MatrixFilter{Items: codes, Imports: run.Inputs})
	if err != nil {
		return irt.Quadrature{}, err
	}
	w, err := calibrate.Posterior(m, run.ItemParams(), grid)
	if err != nil {
		return irt.Quadrature{}, err
	}
	return irt.Quadrature{Nodes: grid.Nodes, Weights: w}, nil
}

// printLink writes a linking: its constants and its common items with
// their drift, and the run it was applied to, if any (0: none). JSON has
// the whole linking; CSV the items; a table both.
func printLink(g *globals, l *bank.Linking, applied int64) error {
	type item struct {
		Item string `json:"item"`
		Used bool   `json:"used"`
		bank.ItemDrift
	}
	items := make([]item, len(l.Items))
	for i, it := range l.Items {
		items[i] = item{it.Item, it.Used, l.Options.Drift[it.Item]}
	}
	switch g.format {
	case "json":
		return render(g.out, "json", struct {
			*bank.Linking
			Items   []item `json:"items"`
			Applied int64  `json:"applied_run,omitempty"`
		}{l, items, applied})
	case "csv":
		return render(g.out, "csv", items)
	}
	head := struct {
		Linking int64   `json:"linking"`
		Method  string  `json:"method"`
		Scale   string  `json:"θ_scale"`
		A       float64 `json:"a"`
		SEA     float64 `json:"se_a"`
		B       float64 `json:"b"`
		SEB     float64 `json:"se_b"`
		Applied int64   `json:"applied_run"`
	}{l.ID, l.Method, fmt.Sprintf("run %d → run %d: θ_%d = a·θ_%d + b", l.From, l.To, l.To, l.From), l.A, l.SEA, l.B, l.SEB, applied}
	if err := render(g.out, "table", head); err != nil {
		return err
	}
	fmt.Fprintln(g.out)
	return render(g.out, "table", items)
}

type linkingsOptions struct {
	*globals     // streams, --db, --quiet, --format
	id       ref // show: the linking
}

func newLinkingsCmd(g *globals) *cobra.Command {
	o := &linkingsOptions{globals: g}
	cmd := &cobra.Command{Use: "linkings", Short: "List and show stored linkings"}
	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List the linkings",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return runLinkingsList(cmd.Context(), o) },
	}, &cobra.Command{
		Use:   "show LINKING",
		Short: "Show a linking (by number or name) with its options and common items",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.id = ref(args[0])
			return runLinkingsShow(cmd.Context(), o)
		},
	})
	return cmd
}

// runLinkingsList writes the stored linkings.
func runLinkingsList(ctx context.Context, o *linkingsOptions) error {
	b, err := o.openBank()
	if err != nil {
		return err
	}
	defer b.Close()
	ls, err := b.Linkings(ctx)
	if err != nil {
		return err
	}
	type row struct {
		ID      int64   `json:"linking"`
		From    int64   `json:"from_run"`
		To      int64   `json:"to_run"`
		Method  string  `json:"method"`
		A       float64 `json:"a"`
		B       float64 `json:"b"`
		SEA     float64 `json:"se_a"`
		SEB     float64 `json:"se_b"`
		Created string  `json:"created_at"`
	}
	rows := make([]row, len(ls))
	for i, l := range ls {
		rows[i] = row{l.ID, l.From, l.To, l.Method, l.A, l.B, l.SEA, l.SEB, l.CreatedAt}
	}
	return render(o.out, o.format, rows)
}

// runLinkingsShow writes linking o.id again.
func runLinkingsShow(ctx context.Context, o *linkingsOptions) error {
	b, err := o.openBank()
	if err != nil {
		return err
	}
	defer b.Close()
	id, err := o.id.resolve(ctx, b, bank.KindLinking)
	if err != nil {
		return err
	}
	l, err := b.Linking(ctx, id)
	if err != nil {
		return err
	}
	return printLink(o.globals, l, 0)
}
