package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/bank/cat"
	"github.com/passportirt/passport/reports"
	"github.com/passportirt/passport/scale"
)

func newCatCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cat",
		Short: "Adaptive tests: simulation studies of a CAT configuration",
	}
	cmd.AddCommand(newCatSimulateCmd(g), newCatSampleCmd(g),
		listCommand(g, "studies", "List the stored CAT simulation studies", func(ctx context.Context, b *bank.Bank) (any, error) {
			return b.CATStudies(ctx)
		}),
		showCommand(g, "show STUDY", "Show a stored CAT simulation study", bank.KindCATStudy, func(ctx context.Context, b *bank.Bank, id int64) error {
			s, err := b.CATStudy(ctx, id)
			if err != nil {
				return err
			}
			return render(g.out, "json", s)
		}))
	return cmd
}

// catSimulateOptions are the flags of passport cat simulate.
type catSimulateOptions struct {
	*globals
	run       ref
	config    string
	simulees  int
	thetaMean float64
	thetaSD   float64
	thetas    string
	seed      uint64
	plots     string
	name      string
}

func newCatSimulateOptions(g *globals) *catSimulateOptions {
	return &catSimulateOptions{globals: g, simulees: 1000, thetaSD: 1, seed: 1}
}

func newCatSimulateCmd(g *globals) *cobra.Command {
	o := newCatSimulateOptions(g)
	cmd := &cobra.Command{
		Use:   "simulate",
		Short: "Simulate an adaptive test on a calibration run's items",
		Long: `Runs the adaptive test of a configuration (JSON; see fixtures/cat/README.md)
on the items of a calibration run, with their parameters, for simulees who
answer by the 3PL model at a known θ: drawn from N(--theta-mean,
--theta-sd²), or read from --thetas FILE (one θ per line, an optional
header "theta"). Operational items are administered; pretest items fill
the configuration's pretest slots.

Reports the bias and RMSE of θ̂, the mean SE and test length, the same by
decile of the true θ, the items' exposure rates (largest, overall and in
each exposure segment, among the tests whose final θ̂ is in it and among
the simulees whose true θ is; the distribution; items never used), the test
overlap rate (Barrada et al. 2009) and the classification accuracy at the
configuration's cut scores. Under Sympson–Hetter the control parameters
are first tuned by the configuration's iterative simulation.

The study is a pure function of the run, the configuration, the simulees
and --seed, whatever the machine's cores, and is stored with them
(passport cat studies). --plots DIR writes the conditional RMSE and SE
against θ, and the exposure distribution, as PNG and SVG. --format json
writes the whole study, csv the deciles.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runCatSimulate(cmd.Context(), o) },
	}
	f := cmd.Flags()
	f.Var(&o.run, "run", "the calibration run whose items and parameters to use, by number or name (required)")
	f.StringVar(&o.config, "config", "", "the CAT configuration, a JSON file (required)")
	intVar(f, &o.simulees, "simulees", o.simulees, 1, 1_000_000, "simulees drawn from the θ distribution")
	floatVar(f, &o.thetaMean, "theta-mean", 0, incl(-5), incl(5), "mean of the simulees' θ")
	floatVar(f, &o.thetaSD, "theta-sd", 1, incl(0), incl(5), "SD of the simulees' θ")
	f.StringVar(&o.thetas, "thetas", "", "read the simulees' θ from this file instead, one per line")
	f.Uint64Var(&o.seed, "seed", o.seed, "random seed of the study")
	f.StringVar(&o.plots, "plots", "", "write the study's plots to this directory")
	f.StringVar(&o.name, "name", "", "a name for the study, unique")
	cmd.MarkFlagRequired("run")
	cmd.MarkFlagRequired("config")
	return cmd
}

// catSummary is the study's headline as a table record.
type catSummary struct {
	Study        int64    `json:"study"`
	Run          int64    `json:"run"`
	Simulees     int      `json:"simulees"`
	Bias         float64  `json:"bias"`
	RMSE         float64  `json:"rmse"`
	MeanSE       float64  `json:"mean_se"`
	MeanLength   float64  `json:"mean_length" table:"decimals=1"`
	MaxExposure  float64  `json:"max_exposure" table:"decimals=3"`
	MaxBySegment string   `json:"max_by_segment"`
	MaxByTrue    string   `json:"max_by_true_segment"`
	NeverUsed    int      `json:"never_used"`
	Overlap      float64  `json:"overlap" table:"decimals=3"`
	Accuracy     *float64 `json:"accuracy" table:"decimals=3"` // nil without cut scores
}

// runCatSimulate runs, stores and writes a CAT simulation study.
func runCatSimulate(ctx context.Context, o *catSimulateOptions) error {
	thetas, source, err := o.readThetas()
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
	cfg, err := catConfig(ctx, b, "--config", o.config)
	if err != nil {
		return err
	}
	pool, err := catPool(ctx, b, run)
	if err != nil {
		return err
	}
	e, err := cat.NewEngine(pool, cfg)
	if err != nil {
		return fmt.Errorf("%s: %w", o.config, err)
	}
	cfg = e.Config()
	var x *cat.Exposure
	if cfg.Exposure.Method == cat.SympsonHetter {
		o.status("tuning the Sympson–Hetter parameters: at most %d rounds of %d simulees", cfg.Exposure.Iterations, cfg.Exposure.Simulees)
		if x, err = e.TuneSympsonHetter(ctx, o.seed, 0); err != nil {
			return err
		}
	}
	o.status("simulating %d adaptive tests (%s selection, %s exposure control, %s content) on run %d's %d items",
		len(thetas), cfg.Selection, cfg.Exposure.Method, cfg.Content.Method, run.ID, len(pool))
	bar := o.progress("simulees", int64(len(thetas)), "simulees")
	st, _, err := e.Simulate(ctx, cat.StudyOptions{Thetas: thetas, Seed: o.seed, Exposure: x, Progress: func(n int) { bar.Set(int64(n)) }})
	bar.Done()
	if err != nil {
		return err
	}
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	sumJSON, err := json.Marshal(st)
	if err != nil {
		return err
	}
	rec := &bank.CATStudy{Name: o.name, Run: run.ID, Seed: o.seed, Config: cfgJSON, Simulees: len(thetas), Thetas: source, Summary: sumJSON}
	if _, err := b.SaveCATStudy(ctx, rec); err != nil {
		return err
	}
	if o.plots != "" {
		if err := catPlots(o.plots, st, cfg.Exposure.MaxRate); err != nil {
			return err
		}
		o.status("plots written to %s", o.plots)
	}
	switch o.format {
	case "json":
		return render(o.out, o.format, struct {
			Study  int64      `json:"study"`
			Run    int64      `json:"run"`
			Seed   uint64     `json:"seed"`
			Config cat.Config `json:"config"`
			Result *cat.Study `json:"result"`
		}{rec.ID, run.ID, o.seed, cfg, st})
	case "csv":
		return render(o.out, o.format, st.Deciles)
	}
	sum := catSummary{Study: rec.ID, Run: run.ID, Simulees: st.Simulees, Bias: st.Bias, RMSE: st.RMSE, MeanSE: st.MeanSE, MeanLength: st.MeanLength,
		MaxExposure: st.Exposure.Max, MaxBySegment: rates(st.Exposure.MaxBySegment), MaxByTrue: rates(st.Exposure.MaxByTrueSegment), NeverUsed: st.Exposure.NeverUsed, Overlap: st.Exposure.Overlap, Accuracy: st.Accuracy}
	if err := render(o.out, o.format, sum); err != nil {
		return err
	}
	fmt.Fprintln(o.out)
	return render(o.out, o.format, st.Deciles)
}

// rates prints exposure rates to three decimals, separated by spaces.
func rates(rs []float64) string {
	out := make([]string, len(rs))
	for g, r := range rs {
		out[g] = strconv.FormatFloat(r, 'f', 3, 64)
	}
	return strings.Join(out, " ")
}

// readThetas returns the simulees' θ, from --thetas or drawn, and says
// where they came from.
func (o *catSimulateOptions) readThetas() ([]float64, string, error) {
	if o.thetas == "" {
		return cat.DrawThetas(o.simulees, o.thetaMean, o.thetaSD, o.seed), fmt.Sprintf("N(%g, %g²)", o.thetaMean, o.thetaSD), nil
	}
	f, err := os.Open(o.thetas)
	if err != nil {
		return nil, "", fmt.Errorf("--thetas: %w", err)
	}
	defer f.Close()
	var out []float64
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || (line == 1 && strings.EqualFold(s, "theta")) {
			continue
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || !(x >= -10 && x <= 10) {
			return nil, "", fmt.Errorf("%s:%d: %q; expected a θ between -10 and 10", o.thetas, line, s)
		}
		out = append(out, x)
	}
	if err := sc.Err(); err != nil {
		return nil, "", fmt.Errorf("%s: %w", o.thetas, err)
	}
	if len(out) == 0 {
		return nil, "", fmt.Errorf("%s: no θ values; expected one per line", o.thetas)
	}
	return out, o.thetas, nil
}

// catConfig reads a CAT configuration file, given by flag, and moves its
// cut scores on a reporting scale, if any, to θ with the bank's scale of
// that name.
func catConfig(ctx context.Context, b *bank.Bank, flag, file string) (cat.Config, error) {
	f, err := os.Open(file)
	if err != nil {
		return cat.Config{}, fmt.Errorf("%s: %w", flag, err)
	}
	cfg, err := cat.ReadConfig(file, f)
	f.Close()
	if err != nil || len(cfg.Stop.ScaleCuts) == 0 {
		return cfg, err
	}
	def, err := b.Scale(ctx, cfg.Stop.Scale)
	if err != nil {
		return cfg, fmt.Errorf("%s: stop.scale: %w", file, err)
	}
	sc := scale.Scale{Slope: def.Slope, Intercept: def.Intercept, Min: def.Min, Max: def.Max}
	if cfg, err = cfg.WithThetaCuts(sc.Theta); err != nil {
		return cfg, fmt.Errorf("%s: %w", file, err)
	}
	return cfg, nil
}

// catPool is the adaptive pool of a run: the bank's operational and
// pretest items with the run's parameters.
func catPool(ctx context.Context, b *bank.Bank, run *bank.Calibration) ([]cat.Item, error) {
	items, err := b.Items(ctx, bank.ItemFilter{})
	if err != nil {
		return nil, err
	}
	params := make(map[string]bank.ParamRow, len(run.Params))
	for _, p := range run.Params {
		params[p.Item] = p
	}
	var pool []cat.Item
	for _, it := range items {
		p, ok := params[it.Code]
		if !ok || (it.Status != "operational" && it.Status != "pretest") {
			continue
		}
		ci := cat.Item{ID: it.Code, Params: p.ThreePL(run.D), Domain: it.Domain, Subdomain: it.Subdomain, Pretest: it.Status == "pretest"}
		if it.EnemyGroup != "" {
			ci.Enemies = []string{it.EnemyGroup}
		}
		pool = append(pool, ci)
	}
	if len(pool) == 0 {
		return nil, fmt.Errorf("run %d has no parameters for the bank's operational or pretest items", run.ID)
	}
	return pool, nil
}

// catPlots writes the study's plots to dir.
func catPlots(dir string, st *cat.Study, maxRate float64) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var theta, rmse, se []float64
	for _, d := range st.Deciles {
		theta = append(theta, d.MeanTheta)
		rmse, se = append(rmse, d.RMSE), append(se, d.MeanSE)
	}
	figs := make([]reports.Figure, 2)
	var err error
	if figs[0], err = reports.CATRecoveryPlot(theta, rmse, se); err != nil {
		return err
	}
	if figs[1], err = reports.ExposurePlot(st.Exposure.Rates, maxRate); err != nil {
		return err
	}
	for _, f := range figs {
		if err := f.Save(dir); err != nil {
			return err
		}
	}
	return nil
}
