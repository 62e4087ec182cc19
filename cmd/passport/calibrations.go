package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/calibrate"
	"github.com/passportirt/passport/irt"
	"github.com/passportirt/passport/reports"
)

func newCalibrationsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "calibrations", Short: "List, show and import calibration runs"}
	cmd.AddCommand(listCommand(g, "list", "List the calibration runs", func(ctx context.Context, b *bank.Bank) (any, error) {
		runs, err := b.Calibrations(ctx)
		if err != nil {
			return nil, err
		}
		type row struct {
			Run       int64   `csv:"run" json:"run"`
			Name      string  `csv:"name" json:"name"`
			Model     string  `csv:"model" json:"model"`
			D         float64 `json:"d" table:"decimals=3"`
			Source    string  `csv:"source" json:"source"`
			LogLik    float64 `csv:"loglik" json:"loglik"`
			Cycles    int     `csv:"cycles" json:"cycles"`
			Converged bool    `csv:"converged" json:"converged"`
			Examinees int     `csv:"examinees" json:"examinees"`
			Responses int     `csv:"responses" json:"responses"`
			Parent    int64   `csv:"parent" json:"parent"`
			Created   string  `csv:"created" json:"created"`
		}
		rows := make([]row, len(runs))
		for i, c := range runs {
			rows[i] = row{c.ID, c.Name, c.Model, c.D, c.Source, c.LogLik, c.Cycles, c.Converged, c.NExaminees, c.NResponses, c.ParentID, c.CreatedAt}
		}
		return rows, nil
	}))
	show := showCommand(g, "show RUN", "Show a run (by number or name): its settings and its parameter table", bank.KindRun,
		func(ctx context.Context, b *bank.Bank, id int64) error {
			c, err := b.Calibration(ctx, id)
			if err != nil {
				return err
			}
			notes := map[string]string{}
			for _, f := range c.Fixed {
				notes[f] = "anchor (fixed)"
			}
			if g.format == "json" {
				return render(g.out, "json", runView(c, notes))
			}
			g.status("run %d %q: %s, D = %g, source %s, %d items; log-likelihood %s, %d cycles, converged %v; %d examinees, %d responses; latent N(%.3f, %.3f²); created %s",
				c.ID, c.Name, c.Model, c.D, c.Source, len(c.Params), num(c.LogLik), c.Cycles, c.Converged, c.NExaminees, c.NResponses, c.LatentMean, c.LatentSD, c.CreatedAt)
			return writeParams(g.out, g.format, c.Params, notes)
		})
	show.Long = `Shows a run's summary on stderr and its parameter table on stdout; --format
csv writes the table as item,model,a,b,c,se_a,se_b,se_c,n (what calibrations
import reads), --format json the run with its items.`
	cmd.AddCommand(show)
	cmd.AddCommand(newCalibrationsImportCmd(g), newCalibrationsCompareCmd(g), newCalibrationsModelsCmd(g))
	return cmd
}

type calibrationsImportOptions struct {
	*globals
	file  string
	model string
	D     float64
	name  string
}

func newCalibrationsImportCmd(g *globals) *cobra.Command {
	o := &calibrationsImportOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "import FILE.csv",
		Short: "Store parameters estimated elsewhere as a run",
		Long: `Stores a parameter table estimated elsewhere (a legacy bank, BILOG, mirt)
as a run of source "import". Columns: item,a,b required; model,c,se_a,se_b,
se_c,n optional; b is the difficulty (IRT form). Give the scaling constant
the parameters were estimated with as --D.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.file = args[0]
			return runCalibrationsImport(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.model, "model", "3pl", "the parameters' model: "+irt.ModelNames())
	floatVar(cmd.Flags(), &o.D, "D", 1, excl(0), incl(10), "the scaling constant they were estimated with (1 or 1.7/1.702)")
	cmd.Flags().StringVar(&o.name, "name", "", "a name for the run")
	return cmd
}

// runCalibrationsImport stores o.file's parameters as a run and prints its id.
func runCalibrationsImport(ctx context.Context, o *calibrationsImportOptions) error {
	f, err := os.Open(o.file)
	if err != nil {
		return err
	}
	defer f.Close()
	b, err := o.openBank()
	if err != nil {
		return err
	}
	defer b.Close()
	id, err := b.ImportCalibration(ctx, o.file, f, o.model, o.D, o.name)
	if err != nil {
		return err
	}
	o.status("stored %s as run %d (%s, D = %g)", o.file, id, o.model, o.D)
	fmt.Fprintln(o.out, id)
	return nil
}

type calibrationsCompareOptions struct {
	*globals
	run  ref
	file string
}

func newCalibrationsCompareCmd(g *globals) *cobra.Command {
	o := &calibrationsCompareOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "compare RUN FILE.csv",
		Short: "Compare a run's parameters with a parameter file (true values, another program's estimates)",
		Long: `Compares a run's item parameters with those of a parameter file (the
format calibrations import reads): the true parameters of a simulation
(simulate --truth), or another program's estimates of the same items. For
a, b and c it prints the root mean squared difference, the mean difference
(run − file) and the correlation over the items both hold.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.run, o.file = ref(args[0]), args[1]
			_, err := runCalibrationsCompare(cmd.Context(), o)
			return err
		},
	}
	return cmd
}

// runCalibrationsCompare prints the recovery of the file's parameters by
// the run, and returns it.
func runCalibrationsCompare(ctx context.Context, o *calibrationsCompareOptions) (calibrate.Recovery, error) {
	var rec calibrate.Recovery
	b, err := o.openBank()
	if err != nil {
		return rec, err
	}
	defer b.Close()
	run, err := o.run.run(ctx, b)
	if err != nil {
		return rec, err
	}
	f, err := os.Open(o.file)
	if err != nil {
		return rec, err
	}
	defer f.Close()
	other, err := bank.ReadParams(o.file, f, run.Model)
	if err != nil {
		return rec, err
	}
	byItem := map[string]irt.ThreePL{}
	for _, p := range other {
		byItem[p.Item] = p.ThreePL(run.D)
	}
	var est, ref []irt.ThreePL
	for _, p := range run.Params {
		if q, ok := byItem[p.Item]; ok {
			est = append(est, p.ThreePL(run.D))
			ref = append(ref, q)
		}
	}
	if len(est) == 0 {
		return rec, fmt.Errorf("run %d and %s share no items", run.ID, o.file)
	}
	rec = calibrate.Compare(est, ref)
	type row struct {
		Param string  `json:"parameter"`
		RMSE  float64 `json:"rmse"`
		Bias  float64 `json:"bias"`
		Corr  float64 `json:"correlation"`
	}
	o.status("run %d against %s: %d items in common", run.ID, o.file, rec.N)
	return rec, render(o.out, o.format, []row{
		{"a", rec.A.RMSE, rec.A.Bias, rec.A.Corr},
		{"b", rec.B.RMSE, rec.B.Bias, rec.B.Corr},
		{"c", rec.C.RMSE, rec.C.Bias, rec.C.Corr},
	})
}

type calibrationsModelsOptions struct {
	*globals
	runs []ref
}

func newCalibrationsModelsCmd(g *globals) *cobra.Command {
	o := &calibrationsModelsOptions{globals: g}
	return &cobra.Command{
		Use:   "models RUN RUN...",
		Short: "Compare the models of runs fitted to the same data: −2LL, AIC, BIC, likelihood-ratio tests",
		Long: `Compares calibration runs of the same responses (the same items, imports,
examinees and treatment of omits) fitted with different models, for
example the Rasch, 2PL and 3PL: for each run its number of estimated
parameters, −2 log-likelihood, AIC and BIC (smaller is better), and, when
the previous run's model is nested in its own (Rasch or 1PL in 2PL in
3PL), the likelihood-ratio χ² with its degrees of freedom and p-value.
List the runs from the smallest model up. With priors (the 3PL's by
default) the estimates maximise the posterior and the test is approximate;
a c resting at 0 makes it conservative.`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.runs = o.runs[:0]
			for _, a := range args {
				o.runs = append(o.runs, ref(a))
			}
			return runCalibrationsModels(cmd.Context(), o)
		},
	}
}

// runCalibrationsModels prints the comparison of the runs' models.
func runCalibrationsModels(ctx context.Context, o *calibrationsModelsOptions) error {
	b, err := o.openBank()
	if err != nil {
		return err
	}
	defer b.Close()
	var fits []reports.ModelFit
	for _, r := range o.runs {
		run, err := r.run(ctx, b)
		if err != nil {
			return err
		}
		model, err := irt.ParseModel(run.Model)
		if err != nil {
			return err
		}
		fits = append(fits, reports.ModelFit{Run: run.ID, Model: model, LogLik: run.LogLik, N: run.NExaminees,
			Params: reports.ModelParams(model, len(run.Params)-len(run.Fixed), len(run.Fixed) > 0), Data: runData(run)})
	}
	rows, err := reports.CompareModels(fits)
	if err != nil {
		return err
	}
	return render(o.out, o.format, rows)
}

// runData says which data a run was fitted to: its items, inputs,
// responses and treatment of omits.
func runData(run *bank.Calibration) string {
	items := make([]string, len(run.Params))
	for i, p := range run.Params {
		items[i] = p.Item
	}
	slices.Sort(items)
	return fmt.Sprintf("%v|%v|%d|%t|%s|%s", run.Inputs, run.Settings.Imports, run.NResponses, run.Settings.OmitAsMissing, run.Settings.ResponsesFile, strings.Join(items, ","))
}
