package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/calibrate"
	"github.com/passportirt/passport/irt"
)

type calibrateOptions struct {
	*globals
	model     string
	D         float64
	quad      int
	quadMin   float64
	quadMax   float64
	tol       float64
	maxCycles int
	items     []string
	exclude   []string
	statuses  []string
	imports   refs
	anchors   []string
	anchorRun ref
	name      string
	noPriors  bool
	priorA    string // "mean,sd" of log a
	priorB    string // "mean,sd" of b
	priorC    string // "alpha,beta"
	threads   int
	noAccel   bool
	omitMiss  bool
	fileFlags // straight from a file, without a bank
}

// defaultCalibrateOptions are the calibrate command's defaults.
func defaultCalibrateOptions() *calibrateOptions {
	return &calibrateOptions{model: "2pl", D: 1, quad: 61, quadMin: -6, quadMax: 6, tol: 1e-4, maxCycles: 2000}
}

func newCalibrateCmd(g *globals) *cobra.Command {
	o := defaultCalibrateOptions()
	o.globals = g
	cmd := &cobra.Command{
		Use:   "calibrate",
		Short: "Estimate item parameters by marginal maximum likelihood (EM)",
		Long: `Fits a Rasch, 1PL, 2PL or 3PL model to the bank's responses by marginal
maximum likelihood (Bock–Aitkin EM, SQUAREM-accelerated) and stores the run:
parameters in the IRT form P = c + (1 − c)/(1 + exp(−D·a·(θ − b))) with
standard errors, the options used and the imports read.

Models: rasch fixes every slope at 1 and estimates the latent SD (mean 0),
as mirt's and Winsteps' Rasch; 1pl estimates one slope shared by all items
on θ ~ N(0, 1) (the same model, scaled); 2pl and 3pl a slope per item.

Priors. The 3PL uses by default BILOG-MG's: log a ~ N(0, 0.5²), a
lognormal on the slope, and c ~ Beta(20p + 1, 20(1 − p) + 1), p = 1/options
(Beta(6, 16) for four options). The other models have none by default
(pure maximum likelihood, as mirt). --no-priors gives pure maximum
likelihood; --prior-a, --prior-b and --prior-c set or override a prior
(--prior-a 0,0.5 keeps a 2PL's slopes finite in small samples). The run
records its log prior density, normalising constants included, so that
log posteriors compare across programs.

--anchor-run RUN holds the items of that run (or only --anchors A,B,…) at
their parameters and estimates the group's mean and SD, so that the other
items land on that run's scale; with every item anchored, it estimates only
the group's mean and SD.

A lower asymptote c may end on its bound 0, where the data want none; such
items, and items whose parameters the data do not determine (no standard
errors), are named in a warning.

--exclude A,B leaves items out of the run (say, an item flagged as
miskeyed until its key is settled) without changing the bank. The run
records the key version each item's responses were scored with (see
passport items rekey).

--responses FILE calibrates a file without a bank, as mirt would: a long
CSV (passport's layout, or the IRW's id,item,resp), a Parquet file in the
IRW's long layout, or with --wide a wide CSV; cells are 0/1 scores, or
options with --key. The file is read straight into memory and the run is
not stored.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := runCalibrate(cmd.Context(), o)
			return err
		},
	}
	f := cmd.Flags()
	o.declareModelFlags(f)
	f.StringSliceVar(&o.items, "items", nil, "calibrate only these items (comma-separated codes)")
	f.StringSliceVar(&o.exclude, "exclude", nil, "leave these items out of the run (comma-separated codes; the bank is not changed)")
	f.StringSliceVar(&o.statuses, "status", nil, "calibrate only items of these statuses")
	f.Var(&o.imports, "imports", "calibrate only the responses of these imports, by number or name (e.g. one year's log)")
	f.StringSliceVar(&o.anchors, "anchors", nil, "hold these items at their --anchor-run parameters")
	f.Var(&o.anchorRun, "anchor-run", "the run whose parameters anchor this one, by number or name")
	f.StringVar(&o.name, "name", "", "a name for the run")
	intVar(f, &o.threads, "threads", 0, 0, 1024, "E-step threads (0: all cores); results do not depend on it")
	f.BoolVar(&o.omitMiss, "omit-as-missing", false, "treat omitted responses as not administered (default: wrong)")
	o.fileFlags.declare(f, "calibrate")
	cmd.AddCommand(newShardCmd(g))
	return cmd
}

// declareModelFlags declares the flags of the model and the EM: the model,
// D, the grid, the tolerance and cycle limit, the priors and acceleration.
func (o *calibrateOptions) declareModelFlags(f *pflag.FlagSet) {
	f.StringVar(&o.model, "model", o.model, "rasch, 1pl, 2pl or 3pl")
	floatVar(f, &o.D, "D", o.D, excl(0), incl(10), "scaling constant D (1, or 1.702 for the normal-ogive metric)")
	intVar(f, &o.quad, "quad", o.quad, 3, 1001, "quadrature nodes, equally spaced")
	floatVar(f, &o.quadMin, "quad-min", o.quadMin, incl(-20), excl(0), "lowest quadrature node")
	floatVar(f, &o.quadMax, "quad-max", o.quadMax, excl(0), incl(20), "highest quadrature node")
	floatVar(f, &o.tol, "tol", o.tol, excl(0), incl(1), "convergence: largest parameter change of an iteration")
	intVar(f, &o.maxCycles, "max-cycles", o.maxCycles, 1, 100000, "most EM cycles")
	f.BoolVar(&o.noPriors, "no-priors", false, "no priors: pure maximum likelihood")
	f.StringVar(&o.priorA, "prior-a", "", `lognormal prior on a: "mean,sd" of log a (3PL default 0,0.5; 2PL default none)`)
	f.StringVar(&o.priorB, "prior-b", "", `normal prior on b: "mean,sd" (e.g. 0,2; default none)`)
	f.StringVar(&o.priorC, "prior-c", "", `Beta prior on c: "alpha,beta", both at least 1 (3PL only; default 20p+1,20(1-p)+1 with p = 1/options)`)
	f.BoolVar(&o.noAccel, "no-accel", false, "plain EM, without SQUAREM acceleration")
}

// fitOptions are the calibration's options from the model flags.
func (o *calibrateOptions) fitOptions() (calibrate.Options, error) {
	model, err := irt.ParseModel(o.model)
	if err != nil {
		return calibrate.Options{}, err
	}
	priors, err := o.priors(model)
	if err != nil {
		return calibrate.Options{}, err
	}
	if o.quad < 3 || !(o.quadMax > o.quadMin) {
		return calibrate.Options{}, fmt.Errorf("--quad %d on [%g, %g]: expected at least 3 nodes on a non-empty range", o.quad, o.quadMin, o.quadMax)
	}
	return calibrate.Options{
		Model: model, D: o.D, Grid: irt.NormalGrid(o.quad, o.quadMin, o.quadMax), Tol: o.tol, MaxCycles: o.maxCycles,
		Priors: priors, Threads: o.threads, NoAccel: o.noAccel,
	}, nil
}

// pair parses "x,y".
func pair(flag, s string) (float64, float64, error) {
	parts := strings.Split(s, ",")
	if len(parts) == 2 {
		x, e1 := strconv.ParseFloat(strings.TrimSpace(parts[0]), 64)
		y, e2 := strconv.ParseFloat(strings.TrimSpace(parts[1]), 64)
		if e1 == nil && e2 == nil && isFinite(x) && isFinite(y) {
			return x, y, nil
		}
	}
	return 0, 0, fmt.Errorf("--%s %q: expected two finite numbers separated by a comma", flag, s)
}

// priors returns the run's priors: the model's defaults
// (calibrate.DefaultPriors), with --prior-a, --prior-b and --prior-c
// replacing theirs, or none with --no-priors.
func (o *calibrateOptions) priors(model irt.Model) (*irt.Priors, error) {
	if o.noPriors {
		if o.priorA != "" || o.priorB != "" || o.priorC != "" {
			return nil, errors.New("--no-priors contradicts --prior-a, --prior-b and --prior-c")
		}
		return &irt.Priors{}, nil
	}
	pr := calibrate.DefaultPriors(model)
	var err error
	if o.priorA != "" {
		if pr.LogAMean, pr.LogASD, err = pair("prior-a", o.priorA); err != nil {
			return nil, err
		}
		if !(pr.LogASD > 0) {
			return nil, fmt.Errorf("--prior-a %q: expected the mean and a positive SD of log a (--no-priors drops every prior)", o.priorA)
		}
	}
	if o.priorB != "" {
		if pr.BMean, pr.BSD, err = pair("prior-b", o.priorB); err != nil {
			return nil, err
		}
		if !(pr.BSD > 0) {
			return nil, fmt.Errorf("--prior-b %q: expected the mean and a positive SD of b", o.priorB)
		}
	}
	if o.priorC != "" {
		if model != irt.Model3PL {
			return nil, fmt.Errorf("--prior-c: the %s model has no lower asymptote c", model)
		}
		if pr.CAlpha, pr.CBeta, err = pair("prior-c", o.priorC); err != nil {
			return nil, err
		}
		if !(pr.CAlpha >= 1 && pr.CBeta >= 1) {
			return nil, fmt.Errorf("--prior-c %q: expected Beta shapes alpha, beta of at least 1", o.priorC)
		}
	}
	return &pr, nil
}

// runCalibrate calibrates, stores the run (unless it came from a file),
// prints its parameters and returns it.
func runCalibrate(ctx context.Context, o *calibrateOptions) (*bank.Calibration, error) {
	var b *bank.Bank
	var file *irt.Responses
	if o.responses != "" {
		if len(o.items) > 0 || len(o.exclude) > 0 || len(o.statuses) > 0 || len(o.imports) > 0 || o.anchorRun != "" || len(o.anchors) > 0 || o.name != "" {
			return nil, errors.New("--responses calibrates a file without a bank: --items, --exclude, --status, --imports, --anchor-run, --anchors and --name need the bank")
		}
		r, err := o.fileFlags.read(o.globals, o.omitMiss, nil)
		if err != nil {
			return nil, err
		}
		file = r.Responses
	} else {
		var err error
		if b, err = o.openBank(); err != nil {
			return nil, err
		}
		defer b.Close()
	}
	run, notes, err := calibrateBank(ctx, o.globals, b, file, o)
	if err != nil {
		return nil, err
	}
	if o.format == "json" {
		return run, render(o.out, "json", runView(run, notes))
	}
	return run, writeParams(o.out, o.format, run.Params, notes)
}

// calibrateBank calibrates the bank's responses as o says and stores the
// run, or with file (b nil) calibrates those responses and stores nothing;
// it reports on stderr, and returns the run and a note per item (warnings,
// anchors).
func calibrateBank(ctx context.Context, g *globals, b *bank.Bank, file *irt.Responses, o *calibrateOptions) (*bank.Calibration, map[string]string, error) {
	save := file == nil
	opts, err := o.fitOptions()
	if err != nil {
		return nil, nil, err
	}
	model, priors := opts.Model, opts.Priors
	imports, err := o.imports.resolve(ctx, b, bank.KindImport)
	if err != nil {
		return nil, nil, err
	}
	var anchorRun int64
	if o.anchorRun != "" {
		if anchorRun, err = o.anchorRun.resolve(ctx, b, bank.KindRun); err != nil {
			return nil, nil, err
		}
	}
	m, keys, versions := file, "", map[string]int(nil)
	if save {
		if m, err = b.ResponseMatrix(ctx, bank.MatrixFilter{Items: o.items, Statuses: o.statuses, OmitAsMissing: o.omitMiss, Imports: imports, Exclude: o.exclude}); err != nil {
			return nil, nil, err
		}
		if keys, versions, err = keyNote(ctx, b, m.Codes()); err != nil {
			return nil, nil, err
		}
	}
	var anchorCodes []string
	if anchorRun > 0 || len(o.anchors) > 0 {
		if opts.Fixed, anchorCodes, err = anchorParams(ctx, b, o, m.Codes()); err != nil {
			return nil, nil, err
		}
	}
	p := g.progress("calibrating", 0, "cycles")
	opts.Progress = func(c calibrate.Cycle) {
		p.Set(int64(c.N))
		p.Message("calibrating: log-likelihood %.4f, largest change %.2e", c.LogLik, c.MaxChange)
	}
	g.status("calibrating %s: %d items, %d examinees, %d responses", model, len(m.Items), m.NExaminees(), m.NResponses())
	if len(o.exclude) > 0 {
		g.status("left out: %s (--exclude)", strings.Join(o.exclude, ", "))
	}
	if save {
		g.status("%s", keys)
	}
	res, err := calibrate.Run(m, opts)
	p.Done()
	if err != nil {
		var de *calibrate.DisconnectedError
		if errors.As(err, &de) {
			return nil, nil, fmt.Errorf("the design is disconnected, so its items cannot be put on one scale: %s; add common items or anchor each component", de.Named(m.Codes()))
		}
		return nil, nil, err
	}
	run := &bank.Calibration{
		Name: o.name, Model: string(model), D: o.D, Source: "em", LogLik: res.LogLik, Cycles: res.Cycles, Converged: res.Converged,
		NExaminees: m.NExaminees(), NResponses: m.NResponses(), LatentMean: res.LatentMean, LatentSD: res.LatentSD,
		ParentID: anchorRun, Fixed: anchorCodes, Inputs: m.Imports,
		Settings: bank.RunSettings{
			GridSpec: irt.GridSpec{Points: o.quad, Min: o.quadMin, Max: o.quadMax}, Tol: o.tol, MaxCycles: o.maxCycles,
			Priors: *priors, Accelerate: !o.noAccel, OmitAsMissing: o.omitMiss, Items: o.items, Exclude: o.exclude, Statuses: o.statuses,
			Imports: imports, AnchorRun: anchorRun, Anchors: anchorCodes, SE: "cross-product", LogPrior: res.LogPrior,
			Reason: res.Reason, OmittedResponses: m.Omitted, ResponsesFile: o.responses,
		},
	}
	warnings, notes := resultNotes(res, m.Codes())
	run.Settings.Warnings = warnings
	run.Params = paramRows(m.Codes(), model, res.Items)
	for i, it := range res.Items {
		if it.Excluded != "" {
			continue
		}
		if save {
			if run.Settings.KeyVersions == nil {
				run.Settings.KeyVersions = map[string]int{}
			}
			run.Settings.KeyVersions[m.Items[i].Code] = versions[m.Items[i].Code]
		}
		if it.Fixed {
			notes[m.Items[i].Code] = "anchor (fixed)"
		}
	}
	if save {
		if _, err := b.SaveCalibration(ctx, run); err != nil {
			return nil, nil, err
		}
	}
	for _, w := range warnings {
		g.status("warning: %s", w)
	}
	where := fmt.Sprintf("run %d", run.ID)
	if !save {
		where = "not stored (--responses)"
	}
	g.status("%s: %s", where, runSummary(model, res, *priors))
	return run, notes, nil
}

// runSummary is a calibration's outcome in one line; a run that did not
// converge without a slope prior gets a hint.
func runSummary(model irt.Model, res *calibrate.Result, priors irt.Priors) string {
	conv := "converged"
	if !res.Converged {
		conv = "did NOT converge: " + res.Reason
		if model != irt.ModelRasch && model != irt.Model1PL && priors.LogASD == 0 {
			conv += " (slopes that run away in small samples are kept finite by a prior, e.g. --prior-a 0,0.5, BILOG-MG's)"
		}
	}
	fit := fmt.Sprintf("log-likelihood %.4f", res.LogLik)
	if priors != (irt.Priors{}) {
		fit += fmt.Sprintf(", log prior %.4f", res.LogPrior)
	}
	return fmt.Sprintf("%s %s in %d EM cycles, %s, latent N(%.3f, %.3f²)", model, conv, res.Cycles, fit, res.LatentMean, res.LatentSD)
}

// resultNotes turns a calibration's warnings into lines for the run (and
// stderr) and a note per item for the parameter table.
func resultNotes(res *calibrate.Result, codes []string) (warnings []string, notes map[string]string) {
	notes = map[string]string{}
	unused := 0
	for _, it := range res.Items {
		if it.Excluded == "no responses" {
			unused++
		}
	}
	if unused > 0 {
		warnings = append(warnings, fmt.Sprintf("%d items have no responses in the data and were not calibrated", unused))
	}
	for _, w := range res.Warnings {
		if w.Item < 0 {
			warnings = append(warnings, w.Msg)
			continue
		}
		code := codes[w.Item]
		warnings = append(warnings, code+": "+w.Msg)
		if notes[code] != "" {
			notes[code] += "; "
		}
		notes[code] += w.Msg
	}
	return warnings, notes
}

// paramRows are the estimated items of a calibration as stored parameter
// rows (codes name the items in the order of items; excluded items are
// left out).
func paramRows(codes []string, model irt.Model, items []calibrate.ItemEstimate) []bank.ParamRow {
	var rows []bank.ParamRow
	for i, it := range items {
		if it.Excluded != "" {
			continue
		}
		p := it.Params
		rows = append(rows, bank.ParamRow{Item: codes[i], Model: string(model), A: p.A, B: p.B, C: p.C,
			SEA: it.SEA, SEB: it.SEB, SEC: it.SEC, N: it.Responses()})
	}
	return rows
}

// runRecord is a run as JSON: its fields, settings and items with notes.
type runRecord struct {
	*bank.Calibration
	Items []paramNote `json:"items"`
}

func runView(c *bank.Calibration, notes map[string]string) runRecord {
	return runRecord{c, withNotes(c.Params, notes)}
}

// anchorParams holds items at the parameters of --anchor-run: all of that
// run's items in the data, or only --anchors.
func anchorParams(ctx context.Context, b *bank.Bank, o *calibrateOptions, items []string) (map[int]irt.ThreePL, []string, error) {
	if o.anchorRun == "" {
		return nil, nil, errors.New("--anchors needs --anchor-run: the run whose parameters the anchors keep")
	}
	run, err := o.anchorRun.run(ctx, b)
	if err != nil {
		return nil, nil, err
	}
	if run.D != o.D {
		return nil, nil, fmt.Errorf("anchor run %d has D = %g; calibrate with --D %g", run.ID, run.D, run.D)
	}
	col := map[string]int{}
	for i, c := range items {
		col[c] = i
	}
	params := map[string]bank.ParamRow{}
	for _, p := range run.Params {
		params[p.Item] = p
	}
	want := o.anchors
	if len(want) == 0 {
		for _, p := range run.Params {
			if _, ok := col[p.Item]; ok {
				want = append(want, p.Item)
			}
		}
	}
	fixed := map[int]irt.ThreePL{}
	for _, c := range want {
		p, ok := params[c]
		if !ok {
			return nil, nil, fmt.Errorf("anchor %s has no parameters in run %d", c, run.ID)
		}
		i, ok := col[c]
		if !ok {
			return nil, nil, fmt.Errorf("anchor %s has no responses in the data", c)
		}
		fixed[i] = p.ThreePL(run.D)
	}
	if len(fixed) == 0 {
		return nil, nil, fmt.Errorf("run %d shares no items with the data: nothing to anchor", run.ID)
	}
	return fixed, want, nil
}
