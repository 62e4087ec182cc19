package main

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/calibrate"
	"github.com/passportirt/passport/irt"
	"github.com/passportirt/passport/scale"
)

type linkOptions struct {
	from, to  int64
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
var linkMethods = map[string]string{"mm": "mean-mean", "ms": "mean-sigma", "haebara": "haebara", "sl": "stocking-lord"}

func defaultLinkOptions() *linkOptions {
	return &linkOptions{method: "sl", points: 41, gridMin: -4, gridMax: 4, weights: "normal", symmetry: "old",
		bootstrap: 200, seed: 1, threshold: 1.645}
}

func newLinkCmd(g *globals) *cobra.Command {
	o := defaultLinkOptions()
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
			b, err := g.openBank()
			if err != nil {
				return err
			}
			defer b.Close()
			res, err := linkRuns(cmd.Context(), b, o)
			if err != nil {
				return err
			}
			return printLink(g, res)
		},
	}
	f := cmd.Flags()
	f.Int64Var(&o.from, "from", 0, "the run to move (new scale)")
	f.Int64Var(&o.to, "to", 0, "the run whose scale is kept (base scale)")
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

// linkResult is a linking and what was done with it.
type linkResult struct {
	linking *bank.Linking
	drift   map[string]scale.Drift
	applied int64
}

// linkRuns links run o.from onto o.to and stores the linking.
func linkRuns(ctx context.Context, b *bank.Bank, o *linkOptions) (*linkResult, error) {
	method, ok := linkMethods[o.method]
	if !ok {
		return nil, fmt.Errorf("--method %q: expected mm, ms, haebara or sl", o.method)
	}
	from, err := b.Calibration(ctx, o.from)
	if err != nil {
		return nil, err
	}
	to, err := b.Calibration(ctx, o.to)
	if err != nil {
		return nil, err
	}
	D := o.D
	if D == 0 {
		if from.D != to.D {
			return nil, fmt.Errorf("run %d has D = %g and run %d D = %g: give --D for the characteristic curves", from.ID, from.D, to.ID, to.D)
		}
		D = from.D
	}
	base := map[string]bank.ParamRow{}
	for _, p := range to.Params {
		base[p.Item] = p
	}
	var codes []string
	var items []scale.CommonItem
	for _, p := range from.Params {
		q, ok := base[p.Item]
		if !ok || slices.Contains(o.exclude, p.Item) {
			continue
		}
		codes = append(codes, p.Item)
		items = append(items, scale.CommonItem{
			New:  p.ThreePL(from.D),
			Base: q.ThreePL(to.D),
		})
	}
	if len(items) < 2 {
		return nil, fmt.Errorf("runs %d and %d share %d items (after --exclude): linking needs at least 2", from.ID, to.ID, len(items))
	}
	link, err := linkFunc(ctx, b, o, method, D, from, to)
	if err != nil {
		return nil, err
	}
	t, err := link(items)
	if err != nil {
		return nil, err
	}
	drift := scale.DriftCheck(items, t, o.threshold)
	used := make([]bool, len(items))
	var kept []scale.CommonItem
	for i := range items {
		used[i] = !(o.dropDrift && drift[i].Flag)
		if used[i] {
			kept = append(kept, items[i])
		}
	}
	if len(kept) < len(items) {
		if t, err = link(kept); err != nil {
			return nil, fmt.Errorf("linking again without the drifting items: %w", err)
		}
	}
	seA, seB := math.NaN(), math.NaN()
	if o.bootstrap > 0 {
		if seA, seB, err = scale.BootstrapSE(kept, link, o.bootstrap, o.seed); err != nil {
			return nil, err
		}
	}
	res := &linkResult{drift: map[string]scale.Drift{}}
	l := &bank.Linking{From: from.ID, To: to.ID, Method: method, A: t.A, B: t.B, SEA: seA, SEB: seB,
		Options: map[string]any{"D": D, "exclude": o.exclude, "grid_points": o.points, "grid_min": o.gridMin, "grid_max": o.gridMax,
			"weights": o.weights, "symmetry": o.symmetry, "bootstrap": o.bootstrap, "seed": o.seed,
			"drift_threshold": o.threshold, "drop_drift": o.dropDrift}}
	driftOpt := map[string]any{}
	for i, c := range codes {
		l.Items = append(l.Items, bank.LinkItem{Item: c, Used: used[i]})
		res.drift[c] = drift[i]
		driftOpt[c] = map[string]any{"diff_b": drift[i].DiffB, "ratio_a": drift[i].RatioA, "z_b": drift[i].ZB, "z_log_a": drift[i].ZLogA, "flag": drift[i].Flag}
	}
	l.Options["drift"] = driftOpt
	if _, err := b.SaveLinking(ctx, l); err != nil {
		return nil, err
	}
	res.linking = l
	if o.apply {
		if res.applied, err = applyLinking(ctx, b, from, l, t, o.applyName); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// linkFunc binds the chosen method and its options.
func linkFunc(ctx context.Context, b *bank.Bank, o *linkOptions, method string, D float64, from, to *bank.Calibration) (scale.LinkFunc, error) {
	switch method {
	case "mean-mean":
		return scale.MeanMean, nil
	case "mean-sigma":
		return scale.MeanSigma, nil
	}
	co := scale.CurveOptions{Symmetry: scale.Symmetry(o.symmetry), D: D}
	switch co.Symmetry {
	case scale.OnOld, scale.OnNew, scale.OnBoth:
	default:
		return nil, fmt.Errorf("--symmetry %q: expected old, new or both", o.symmetry)
	}
	w := scale.Weights(o.weights)
	var err error
	if w == scale.Posterior {
		grid, err := scale.Grid(scale.Uniform, o.points, o.gridMin, o.gridMax, 0, 1)
		if err != nil {
			return nil, err
		}
		if co.Old, err = groupPosterior(ctx, b, to, grid); err != nil {
			return nil, fmt.Errorf("the --to group's distribution: %w", err)
		}
		if co.New, err = groupPosterior(ctx, b, from, grid); err != nil {
			return nil, fmt.Errorf("the --from group's distribution: %w", err)
		}
	} else {
		// Each group's own distribution on its own scale.
		if co.Old, err = scale.Grid(w, o.points, o.gridMin, o.gridMax, to.LatentMean, to.LatentSD); err != nil {
			return nil, err
		}
		if co.New, err = scale.Grid(w, o.points, o.gridMin, o.gridMax, from.LatentMean, from.LatentSD); err != nil {
			return nil, err
		}
	}
	curve := scale.StockingLord
	if method == "haebara" {
		curve = scale.Haebara
	}
	return func(items []scale.CommonItem) (scale.Transform, error) {
		t, _, err := curve(items, co)
		return t, err
	}, nil
}

// groupPosterior is a run's group distribution on grid: the responses it
// was calibrated from, under its parameters.
func groupPosterior(ctx context.Context, b *bank.Bank, run *bank.Calibration, grid irt.Quadrature) (irt.Quadrature, error) {
	if len(run.Inputs) == 0 {
		return irt.Quadrature{}, fmt.Errorf("run %d records no response imports (imported parameters): use other --weights", run.ID)
	}
	codes := make([]string, len(run.Params))
	items := make([]irt.ThreePL, len(run.Params))
	for i, p := range run.Params {
		codes[i] = p.Item
		items[i] = p.ThreePL(run.D)
	}
	m, err := b.ResponseMatrix(ctx, bank.MatrixFilter{Items: codes, Imports: run.Inputs})
	if err != nil {
		return irt.Quadrature{}, err
	}
	w, err := calibrate.Posterior(m, items, grid)
	if err != nil {
		return irt.Quadrature{}, err
	}
	return irt.Quadrature{Nodes: grid.Nodes, Weights: w}, nil
}

// applyLinking stores run from transformed by t as a new run on the base
// scale (scale.Transform's Item, SE and Theta), the group's distribution
// moving to N(A·μ + B, (A·σ)²).
func applyLinking(ctx context.Context, b *bank.Bank, from *bank.Calibration, l *bank.Linking, t scale.Transform, name string) (int64, error) {
	c := *from
	c.ID, c.Source, c.ParentID, c.Name = 0, "linked", from.ID, name
	if c.Name == "" {
		c.Name = fmt.Sprintf("run %d on the scale of run %d", from.ID, l.To)
	}
	c.Settings.Linked = &bank.LinkedFrom{Linking: l.ID, Method: l.Method, A: t.A, B: t.B, FromRun: from.ID, ToRun: l.To}
	c.LatentMean, c.LatentSD = t.Theta(from.LatentMean), t.A*from.LatentSD
	c.Params = make([]bank.ParamRow, len(from.Params))
	for i, p := range from.Params {
		q := t.Item(p.ThreePL(from.D))
		seA, seB := t.SE(p.SEA, p.SEB)
		c.Params[i] = bank.ParamRow{Item: p.Item, Model: p.Model, A: q.A, B: q.B, C: q.C, SEA: seA, SEB: seB, SEC: p.SEC, N: p.N}
	}
	c.Fixed = nil
	return b.SaveCalibration(ctx, &c)
}

func printLink(g *globals, r *linkResult) error {
	l := r.linking
	type itemRow struct {
		Item   string  `csv:"item" json:"item"`
		Used   bool    `csv:"used" json:"used"`
		DiffB  float64 `csv:"diff_b" json:"diff_b"`
		RatioA float64 `csv:"ratio_a" json:"ratio_a"`
		ZB     float64 `csv:"z_b" json:"z_b"`
		ZLogA  float64 `csv:"z_log_a" json:"z_log_a"`
		Flag   string  `csv:"flag" json:"flag"`
	}
	rows := make([]itemRow, len(l.Items))
	for i, it := range l.Items {
		d := r.drift[it.Item]
		flag := ""
		if d.Flag {
			flag = "drift"
		}
		rows[i] = itemRow{it.Item, it.Used, round4(d.DiffB), round4(d.RatioA), round4(d.ZB), round4(d.ZLogA), flag}
	}
	if g.format == "json" {
		return renderValue(g.out, "json", map[string]any{"linking": l.ID, "from_run": l.From, "to_run": l.To, "method": l.Method,
			"A": l.A, "B": l.B, "se_A": finite(l.SEA), "se_B": finite(l.SEB), "options": l.Options, "items": rows, "applied_run": r.applied}, nil)
	}
	if g.format == "csv" {
		return render(g.out, "csv", rows)
	}
	lines := [][2]string{
		{"linking", strconv.FormatInt(l.ID, 10)},
		{"method", l.Method},
		{"θ scale", fmt.Sprintf("run %d → run %d: θ_%d = A·θ_%d + B", l.From, l.To, l.To, l.From)},
		{"A", fmt.Sprintf("%.4f (SE %s)", l.A, num(l.SEA))},
		{"B", fmt.Sprintf("%.4f (SE %s)", l.B, num(l.SEB))},
	}
	if r.applied > 0 {
		lines = append(lines, [2]string{"applied", fmt.Sprintf("run %d", r.applied)})
	}
	if err := renderValue(g.out, "table", nil, lines); err != nil {
		return err
	}
	fmt.Fprintln(g.out)
	return render(g.out, "table", rows)
}

func round4(x float64) float64 { return math.Round(x*1e4) / 1e4 }

func newLinkingsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "linkings", Short: "List and show stored linkings"}
	cmd.AddCommand(listCommand(g, "list", "List the linkings", func(ctx context.Context, b *bank.Bank) (any, error) {
		ls, err := b.Linkings(ctx)
		if err != nil {
			return nil, err
		}
		type row struct {
			ID      int64  `csv:"linking" json:"linking"`
			From    int64  `csv:"from_run" json:"from_run"`
			To      int64  `csv:"to_run" json:"to_run"`
			Method  string `csv:"method" json:"method"`
			A       string `csv:"A" json:"A"`
			B       string `csv:"B" json:"B"`
			SEA     string `csv:"se_A" json:"se_A"`
			SEB     string `csv:"se_B" json:"se_B"`
			Created string `csv:"created" json:"created"`
		}
		rows := make([]row, len(ls))
		for i, l := range ls {
			rows[i] = row{l.ID, l.From, l.To, l.Method, num(l.A), num(l.B), num(l.SEA), num(l.SEB), l.CreatedAt}
		}
		return rows, nil
	}))
	cmd.AddCommand(showCommand(g, "show ID", "Show a linking with its options and common items", "linking", "linkings list", func(ctx context.Context, b *bank.Bank, id int64) error {
		l, err := b.Linking(ctx, id)
		if err != nil {
			return err
		}
		res := &linkResult{linking: l, drift: map[string]scale.Drift{}}
		if d, ok := l.Options["drift"].(map[string]any); ok {
			for item, v := range d {
				m, _ := v.(map[string]any)
				f := func(k string) float64 { x, _ := m[k].(float64); return x }
				flag, _ := m["flag"].(bool)
				res.drift[item] = scale.Drift{DiffB: f("diff_b"), RatioA: f("ratio_a"), ZB: f("z_b"), ZLogA: f("z_log_a"), Flag: flag}
			}
		}
		return printLink(g, res)
	}))
	return cmd
}
