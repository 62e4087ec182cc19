package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/bank/assemble"
	"github.com/passportirt/passport/bank/cat"
	catfixtures "github.com/passportirt/passport/fixtures/cat"
	"github.com/passportirt/passport/irt"
	"github.com/passportirt/passport/scale"
)

// catSampleOptions are the flags of passport cat sample.
type catSampleOptions struct {
	*globals
	run       ref
	mode      string
	blueprint string
	config    string
	simulees  int
	thetaMean float64
	thetaSD   float64
	level     float64
	groups    int
	scale     string
	seed      uint64
	name      string
	prefix    string
}

func newCatSampleOptions(g *globals) *catSampleOptions {
	return &catSampleOptions{globals: g, mode: "fixed", simulees: 10000, thetaSD: 1, level: 0.95, groups: 10, scale: "passport", seed: 1}
}

func newCatSampleCmd(g *globals) *cobra.Command {
	o := newCatSampleOptions(g)
	cmd := &cobra.Command{
		Use:   "sample",
		Short: "Build the free 5-question sample and the score bands it reports",
		Long: `Builds the free 5-question sample from the items of a calibration run that
are on no live form (a form is live when it was assembled, earlier samples
included) and in no enemy group with an item that is, and finds by
simulation the score band it reports: a 5-item test measures θ too
loosely for a point score.

--mode fixed (the default) takes the blueprint's 5-item sample (its
proportions, as passport assemble --sample: each domain one or two items)
and picks the five items whose difficulties lie nearest the quantiles of
the θ distribution at (k − ½)/5 — for N(0, 1), −1.28, −0.52, 0, 0.52 and
1.28 — exactly, under the blueprint's statuses, exclusions, domain counts
and enemy groups, and checked against every rule of the blueprint. The
form is stored (code A<assembly>-1, or --form-prefix-1), its items in
increasing difficulty, for passport serve --sample and forms export.

--mode adaptive runs the adaptive sample of --config (default
fixtures/cat/sample.json) on the same items; nothing is stored to deliver.

Then --simulees simulees with θ ~ N(--theta-mean, --theta-sd²) take the
sample, answering by the model (seeded by --seed); for each outcome — the
number right on the fixed form, the decile of θ̂ on the adaptive test —
the band is where the true θ of a share --level of the simulees with that
outcome lay (their empirical quantiles), on the reporting scale --scale.
The bands are checked on as many fresh simulees, and stored with the
study (passport cat studies) and, for the fixed form, by raw score for a
delivery service (bank.SampleBand).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runCatSample(cmd.Context(), o) },
	}
	f := cmd.Flags()
	f.Var(&o.run, "run", "the calibration run whose items and parameters to use, by number or name (required)")
	f.StringVar(&o.mode, "mode", o.mode, "fixed: a stored 5-item form with spread difficulties; adaptive: the adaptive sample of --config")
	f.StringVar(&o.blueprint, "blueprint", "", "fixed: the blueprint whose 5-item sample to build, a JSON file (required with --mode fixed)")
	f.StringVar(&o.config, "config", "", "adaptive: the CAT configuration, a JSON file (default fixtures/cat/sample.json)")
	intVar(f, &o.simulees, "simulees", o.simulees, 100, 1_000_000, "simulees that find the bands, and as many fresh ones that check them")
	floatVar(f, &o.thetaMean, "theta-mean", 0, incl(-5), incl(5), "mean of the simulees' θ")
	floatVar(f, &o.thetaSD, "theta-sd", 1, excl(0), incl(5), "SD of the simulees' θ")
	floatVar(f, &o.level, "level", o.level, excl(0), excl(1), "the share of simulees whose true score each band holds")
	intVar(f, &o.groups, "groups", o.groups, 2, 100, "adaptive: the groups of θ̂ (deciles: 10)")
	f.StringVar(&o.scale, "scale", o.scale, "the reporting scale of the bands")
	f.Uint64Var(&o.seed, "seed", o.seed, "random seed of the simulation")
	f.StringVar(&o.name, "name", "", "a name for the sample's assembly and study, unique")
	f.StringVar(&o.prefix, "form-prefix", "", "code the fixed sample's form PREFIX-1 (default A<assembly>-1)")
	cmd.MarkFlagRequired("run")
	return cmd
}

// sampleBandRow is one band as a table record: the point in the middle
// is shown as where the band is centred, not as a score.
type sampleBandRow struct {
	Outcome string  `json:"outcome"`
	N       int     `json:"n"`
	Band    string  `json:"band"`
	Low     float64 `json:"low" table:"decimals=0"`
	High    float64 `json:"high" table:"decimals=0"`
	Middle  float64 `json:"middle" table:"decimals=0"`
}

// sampleReport is what passport cat sample writes.
type sampleReport struct {
	Mode     string          `json:"mode"`
	Form     string          `json:"form,omitempty"`
	Study    int64           `json:"study"`
	Run      int64           `json:"run"`
	Items    []string        `json:"items,omitempty"`
	Targets  []float64       `json:"targets,omitempty"`
	Scale    string          `json:"scale"`
	Level    float64         `json:"level"`
	MeanSE   float64         `json:"mean_se"`
	RMSE     float64         `json:"rmse"`
	Coverage float64         `json:"coverage"` // on fresh simulees
	Bands    []sampleBandRow `json:"bands"`
	Note     string          `json:"note"`
}

// runCatSample builds the sample, simulates its bands, stores them and
// writes them.
func runCatSample(ctx context.Context, o *catSampleOptions) error {
	switch {
	case o.mode != "fixed" && o.mode != "adaptive":
		return fmt.Errorf("--mode %q: expected fixed or adaptive", o.mode)
	case o.mode == "fixed" && o.blueprint == "":
		return fmt.Errorf("--mode fixed needs --blueprint FILE, the blueprint whose proportions the sample keeps")
	case o.mode == "fixed" && o.config != "":
		return fmt.Errorf("--config is the adaptive sample's; give --mode adaptive")
	case o.mode == "adaptive" && (o.blueprint != "" || o.prefix != ""):
		return fmt.Errorf("--blueprint and --form-prefix are the fixed sample's; an adaptive sample has no form")
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
	def, err := b.Scale(ctx, o.scale)
	if err != nil {
		return fmt.Errorf("--scale %s: %w", o.scale, err)
	}
	sc := scale.Scale{Slope: def.Slope, Intercept: def.Intercept, Min: def.Min, Max: def.Max}
	apool, err := assemblyPool(ctx, b, run, false)
	if err != nil {
		return err
	}
	live, err := b.LiveItems(ctx)
	if err != nil {
		return err
	}
	away, nLive, nEnemies := assemble.Blueprint{}.AwayFrom(apool, live)
	o.status("of run %d's %d items, the sample leaves out the %d on live (assembled) forms and %d more in enemy groups with them",
		run.ID, len(apool), nLive, nEnemies)
	thetas := cat.DrawThetas(o.simulees, o.thetaMean, o.thetaSD, o.seed)
	fresh := cat.DrawThetas(o.simulees, o.thetaMean, o.thetaSD, o.seed+1)
	rep := &sampleReport{Mode: o.mode, Run: run.ID, Scale: o.scale, Level: o.level}
	study := &bank.CATStudy{Name: o.name, Run: run.ID, Seed: o.seed, Simulees: o.simulees, Thetas: fmt.Sprintf("N(%g, %g²)", o.thetaMean, o.thetaSD)}
	var bands *cat.Bands
	var a *bank.Assembly
	var rows []bank.SampleBand
	if o.mode == "fixed" {
		if a, bands, err = o.fixed(ctx, b, run, live, rep, thetas, fresh); err != nil {
			return err
		}
	} else if bands, err = o.adaptive(ctx, b, run, away.Exclude, rep, thetas, fresh); err != nil {
		return err
	}
	rep.MeanSE, rep.RMSE = bands.MeanSE, bands.RMSE
	for _, x := range bands.Bands {
		row := sampleBandRow{N: x.N, Low: sc.Score(x.Low), High: sc.Score(x.High), Middle: sc.Score(x.Mid)}
		row.Band = fmt.Sprintf("%.0f–%.0f", row.Low, row.High)
		if o.mode == "fixed" {
			row.Outcome = fmt.Sprintf("%d of %d right", x.Outcome, sampleLength)
			rows = append(rows, bank.SampleBand{Raw: x.Outcome, N: x.N, Level: o.level, ThetaLow: x.Low, ThetaMid: x.Mid, ThetaHigh: x.High,
				Scale: o.scale, Low: row.Low, Mid: row.Middle, High: row.High})
		} else {
			row.Outcome = thetaRange(x.ThetaLo, x.ThetaHi)
		}
		rep.Bands = append(rep.Bands, row)
	}
	lo, hi := sc.Band(0, bands.MeanSE, scale.Z95)
	rep.Note = fmt.Sprintf("A %d-item test measures θ with a mean SE of %.2f (simulated), about ±%.0f points on the %s scale at 95%%: "+
		"the sample reports a band, not a point score. Each band holds the true score of %.0f%% of the simulees with that outcome (%.1f%% of %d fresh simulees).",
		sampleLength, bands.MeanSE, (hi-lo)/2, o.scale, 100*o.level, 100*rep.Coverage, o.simulees)
	if study.Config, err = json.Marshal(struct {
		Mode      string    `json:"mode"`
		Blueprint string    `json:"blueprint,omitempty"`
		Config    string    `json:"config,omitempty"`
		Items     []string  `json:"items,omitempty"`
		Targets   []float64 `json:"targets,omitempty"`
		Level     float64   `json:"level"`
		Scale     string    `json:"scale"`
	}{o.mode, o.blueprint, o.config, rep.Items, rep.Targets, o.level, o.scale}); err != nil {
		return err
	}
	if study.Summary, err = json.Marshal(struct {
		*cat.Bands
		Coverage float64 `json:"coverage"`
	}{bands, rep.Coverage}); err != nil {
		return err
	}
	if err := b.SaveSample(ctx, a, study, rows); err != nil {
		return err
	}
	rep.Study = study.ID
	if a != nil {
		rep.Form = a.Forms[0].Code
		o.status("stored the sample as form %s (assembly %d) with its bands; study %d", rep.Form, a.ID, study.ID)
	} else {
		o.status("stored the study %d", study.ID)
	}
	switch o.format {
	case "json":
		return render(o.out, o.format, rep)
	case "csv":
		return render(o.out, o.format, rep.Bands)
	}
	if err := render(o.out, o.format, rep.Bands); err != nil {
		return err
	}
	_, err = fmt.Fprintf(o.out, "\n%s\n", rep.Note)
	return err
}

// thetaRange writes a group of θ̂ as an interval.
func thetaRange(lo, hi *float64) string {
	switch {
	case lo == nil && hi == nil:
		return "any θ̂"
	case lo == nil:
		return fmt.Sprintf("θ̂ ≤ %.2f", *hi)
	case hi == nil:
		return fmt.Sprintf("θ̂ > %.2f", *lo)
	}
	return fmt.Sprintf("%.2f < θ̂ ≤ %.2f", *lo, *hi)
}

// fixed builds the fixed sample, its assembly record and its bands.
func (o *catSampleOptions) fixed(ctx context.Context, b *bank.Bank, run *bank.Calibration, live map[string]bool, rep *sampleReport, thetas, fresh []float64) (*bank.Assembly, *cat.Bands, error) {
	f, err := os.Open(o.blueprint)
	if err != nil {
		return nil, nil, fmt.Errorf("--blueprint: %w", err)
	}
	bp, err := assemble.ReadBlueprint(o.blueprint, f)
	f.Close()
	if err != nil {
		return nil, nil, err
	}
	bp = bp.Sample(sampleLength)
	pool, err := assemblyPool(ctx, b, run, bp.Minutes != nil)
	if err != nil {
		return nil, nil, err
	}
	bp, _, _ = bp.AwayFrom(pool, live)
	rep.Targets = assemble.QuantileTargets(sampleLength, o.thetaMean, o.thetaSD)
	codes, cost, err := bp.Spread(pool, rep.Targets)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", o.blueprint, err)
	}
	rep.Items = codes
	params := make([]irt.ThreePL, len(codes))
	for k, c := range codes {
		params[k] = pool[slices.IndexFunc(pool, func(it assemble.Item) bool { return it.Code == c })].Params
	}
	o.status("the sample: %s, difficulties nearest %s (sum of squared distances %.4f); simulating %d simulees, then as many fresh ones",
		strings.Join(codes, ", "), rates(rep.Targets), cost, o.simulees)
	grid := run.Grid()
	bands, err := cat.FixedBands(cat.SimulateFixed(params, grid, thetas, o.seed), o.level)
	if err != nil {
		return nil, nil, err
	}
	rep.Coverage = bands.Coverage(cat.SimulateFixed(params, grid, fresh, o.seed+1))
	bpJSON, err := json.Marshal(bp)
	if err != nil {
		return nil, nil, err
	}
	form := bank.Form{}
	if o.prefix != "" {
		form.Code = o.prefix + "-1"
	}
	for _, c := range codes {
		form.Items = append(form.Items, bank.FormItem{Item: c})
	}
	// Spread's search is exact: its cost is proven the least, gap 0.
	a := &bank.Assembly{Name: o.name, CalibrationID: run.ID, Blueprint: bpJSON, ObjectiveType: assemble.Target, Objective: cost, Bound: cost,
		Solver: "spread (nearest quantile difficulties)", Status: string(assemble.StatusOptimal),
		Options: bank.AssemblyOptions{BlueprintFile: o.blueprint, Sample: true, Solver: "spread", Seed: o.seed}, Forms: []bank.Form{form}}
	return a, bands, nil
}

// adaptive simulates the adaptive sample on the run's items not in
// exclude, and returns its bands by θ̂ group.
func (o *catSampleOptions) adaptive(ctx context.Context, b *bank.Bank, run *bank.Calibration, exclude []string, rep *sampleReport, thetas, fresh []float64) (*cat.Bands, error) {
	var cfg cat.Config
	var err error
	if o.config == "" {
		cfg, err = cat.ReadConfig("fixtures/cat/sample.json", bytes.NewReader(catfixtures.Sample))
	} else {
		cfg, err = catConfig(ctx, b, "--config", o.config)
	}
	if err != nil {
		return nil, err
	}
	pool, err := catPool(ctx, b, run)
	if err != nil {
		return nil, err
	}
	pool = slices.DeleteFunc(pool, func(it cat.Item) bool { return slices.Contains(exclude, it.ID) })
	e, err := cat.NewEngine(pool, cfg)
	if err != nil {
		return nil, fmt.Errorf("the adaptive sample on the %d items on no live form: %w", len(pool), err)
	}
	o.status("simulating the adaptive sample (%d items) on %d items for %d simulees, then as many fresh ones", e.Config().MaxLength, len(pool), o.simulees)
	simulate := func(th []float64, seed uint64) ([]cat.Outcome, error) {
		bar := o.progress("simulees", int64(len(th)), "simulees")
		st, _, err := e.Simulate(ctx, cat.StudyOptions{Thetas: th, Seed: seed, Progress: func(n int) { bar.Set(int64(n)) }})
		bar.Done()
		if err != nil {
			return nil, err
		}
		return cat.AdaptiveOutcomes(st.Runs), nil
	}
	out, err := simulate(thetas, o.seed)
	if err != nil {
		return nil, err
	}
	bands, err := cat.AdaptiveBands(out, o.groups, o.level)
	if err != nil {
		return nil, err
	}
	check, err := simulate(fresh, o.seed+1)
	if err != nil {
		return nil, err
	}
	rep.Coverage = bands.Coverage(check)
	return bands, nil
}
