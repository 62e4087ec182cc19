package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/passportirt/passport/fixtures/blueprints"
)

type demoOptions struct {
	*globals
	dir       string
	examinees int
	seed      uint64
}

func newDemoCmd(g *globals) *cobra.Command {
	o := &demoOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole pipeline on the embedded demo bank",
		Long: `Runs passport's pipeline end to end on a fresh bank: loads the embedded
Python Fundamentals items, simulates a year of administrations on
overlapping forms, imports the log, and prints what each stage did.
The bank and files go to a temporary folder, removed afterwards, unless
--dir names one to keep.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runDemo(cmd.Context(), o) },
	}
	cmd.Flags().StringVar(&o.dir, "dir", "", "keep the demo bank and files in this folder")
	intVar(cmd.Flags(), &o.examinees, "examinees", 6000, 500, 1000000, "examinees in the simulated year")
	cmd.Flags().Uint64Var(&o.seed, "seed", 2026, "random seed")
	return cmd
}

func runDemo(ctx context.Context, o *demoOptions) error {
	dir := o.dir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "passport-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	w := o.out
	// Each stage runs a command on the demo bank; the commands' results
	// and status lines appear indented under the stage.
	dg := *o.globals
	dg.db = filepath.Join(dir, "passport.db")
	dg.out, dg.errOut, dg.quiet, dg.errTTY, dg.format = indented(w), indented(w), false, false, "table"
	if _, err := os.Stat(dg.db); err == nil {
		return fmt.Errorf("%s already exists: the demo starts from a fresh bank; choose another --dir", dg.db)
	}

	fmt.Fprintf(w, "passport demo — bank %s\n\n", dg.db)
	fmt.Fprintln(w, "1. Item bank: passport init --demo loads the embedded Python Fundamentals items")
	if err := runInit(ctx, &initOptions{globals: &dg, demo: true}); err != nil {
		return err
	}
	if err := runBankStats(ctx, &bankStatsOptions{globals: &dg, table: "domains"}); err != nil {
		return err
	}

	fmt.Fprintf(w, "\n2. Simulation: a year of administrations, %d examinees on 8 overlapping forms (passport simulate)\n", o.examinees)
	year1 := filepath.Join(dir, "year1_responses.csv")
	truth := filepath.Join(dir, "year1_truth.csv")
	so := &simulateOptions{globals: &dg, output: year1, truth: truth}
	so.design.Seed, so.design.Examinees, so.design.Forms, so.design.FormLength, so.design.Anchors = o.seed, o.examinees, 8, 50, 10
	so.design.Model, so.design.D, so.design.OmitRate = "3pl", 1, 0.005
	if err := runSimulate(ctx, so); err != nil {
		return err
	}

	fmt.Fprintln(w, "\n3. Import: the response log into the bank, in one transaction (passport responses import)")
	io1 := &responsesImportOptions{globals: &dg, file: year1, onDuplicate: "reject"}
	if _, err := runResponsesImport(ctx, io1); err != nil {
		return err
	}
	if _, err := runResponsesImport(ctx, io1); err != nil {
		fmt.Fprintf(dg.out, "importing it again is refused: %v\n", err)
	}
	if err := runBankStats(ctx, &bankStatsOptions{globals: &dg, table: "forms"}); err != nil {
		return err
	}

	fmt.Fprintln(w, "\n4. Calibration: the 3PL by marginal maximum likelihood (passport calibrate --model 3pl), with its default")
	fmt.Fprintln(w, "   priors, BILOG-MG's: log a ~ N(0, 0.5²) and c ~ Beta(6, 16) for 4 options; then the estimates")
	fmt.Fprintln(w, "   against the simulation's true parameters (passport calibrations compare)")
	quiet := dg
	quiet.out = io.Discard // the parameter table is long: passport calibrations show prints it
	co := defaultCalibrateOptions()
	co.globals, co.model, co.name = &quiet, "3pl", "year 1"
	run, err := runCalibrate(ctx, co)
	if err != nil {
		return err
	}
	if _, err := runCalibrationsCompare(ctx, &calibrationsCompareOptions{globals: &dg, run: refTo(run.ID), file: truth}); err != nil {
		return err
	}

	fmt.Fprintln(w, "\n5. Scoring: every examinee's θ by EAP under the run (passport score)")
	if err := runScore(ctx, &scoreOptions{globals: &dg, run: refTo(run.ID), method: "eap", output: filepath.Join(dir, "year1_scores.csv")}); err != nil {
		return err
	}

	const trueA, trueB = 1.15, 0.4
	fmt.Fprintf(w, "\n6. Linking: a second year, %d new examinees on forms G01–G08 from the same items, abler and more\n"+
		"   spread (θ ~ N(%.2f, %.2f²) on year 1's scale), calibrated on its own and linked onto year 1\n", o.examinees, trueB, trueA)
	year2 := filepath.Join(dir, "year2_responses.csv")
	so2 := &simulateOptions{globals: &dg, output: year2, params: truth}
	so2.design = so.design
	so2.design.Seed, so2.design.ThetaMean, so2.design.ThetaSD = o.seed+1, trueB, trueA
	so2.design.FormPrefix, so2.design.ExamPrefix = "G", "N"
	if err := runSimulate(ctx, so2); err != nil {
		return err
	}
	imp2, err := runResponsesImport(ctx, &responsesImportOptions{globals: &dg, file: year2, onDuplicate: "reject"})
	if err != nil {
		return err
	}
	co2 := defaultCalibrateOptions()
	co2.globals, co2.model, co2.name, co2.imports = &quiet, "3pl", "year 2", []int64{imp2.ImportID}
	run2, err := runCalibrate(ctx, co2)
	if err != nil {
		return err
	}
	lo := defaultLinkOptions(&quiet) // the table of 299 common items is long: passport linkings show prints it
	lo.from, lo.to, lo.apply, lo.applyName = refTo(run2.ID), refTo(run.ID), true, "year 2 on the year-1 scale"
	l, applied, err := runLink(ctx, lo)
	if err != nil {
		return err
	}
	flagged := 0
	for _, d := range l.Options.Drift {
		if d.Flag {
			flagged++
		}
	}
	fmt.Fprintf(dg.out, "linking %d, Stocking–Lord over %d common items: A = %.3f (SE %.3f), B = %.3f (SE %.3f); true A = %.2f, B = %.2f\n",
		l.ID, len(l.Items), l.A, l.SEA, l.B, l.SEB, trueA, trueB)
	fmt.Fprintf(dg.out, "%d of %d common items flagged as drifting (robust z of b > %.3f, which flags about 10%% of stable\n"+
		"items by chance; nothing drifted in this simulation); year 2 stored on the year-1 scale as run %d\n",
		flagged, len(l.Items), lo.threshold, applied)

	fmt.Fprintln(w, "\n7. Reporting: the passport scale (θ = −3 → 300, θ = 3 → 850; in every bank) and form F01's")
	fmt.Fprintln(w, "   conversion table (passport scale table; θ by inverting the TCC, CSEM in scale points)")
	tab, err := runScaleTable(ctx, &tableOptions{globals: &dg, form: "F01", run: refTo(run.ID), scaleName: "passport", method: "tcc"})
	if err != nil {
		return err
	}

	fmt.Fprintln(w, "\n8. Assembly: two parallel 50-question forms from the calibrated bank, against the embedded blueprint")
	bpFile := filepath.Join(dir, "python-fundamentals.json")
	if err := os.WriteFile(bpFile, blueprints.PythonFundamentals, 0o644); err != nil {
		return err
	}
	ao := newAssembleOptions(&dg)
	ao.run, ao.blueprint, ao.maxNodes = run.ID, bpFile, 2000 // a few seconds
	if err := runAssemble(ctx, ao); err != nil {
		return err
	}

	fmt.Fprintln(w, "\n9. Analysis: item fit (passport fit: S-X², infit/outfit, Q3) and the analysts' report (passport report:")
	fmt.Fprintln(w, "   classical item analysis, distractors, fit, plots), both on the run's own sample")
	fo := &fitOptions{globals: &quiet, run: run.ID, method: "eap", table: "items", alpha: 0.05, minCell: 1}
	fo.errOut = dg.errOut // the status lines, not the 299-row table
	if err := runFit(ctx, fo); err != nil {
		return err
	}
	ro := &reportOptions{globals: &dg, run: run.ID, dir: filepath.Join(dir, "report"), groups: 5, iccGroups: 10, linking: l.ID, tables: []int64{tab.ID}}
	if err := runReport(ctx, ro); err != nil {
		return err
	}
	if o.dir == "" {
		fmt.Fprintln(w, "   (the demo folder is removed at exit: run passport demo --dir DIR to keep the bank and the report)")
	}
	return nil
}

// indenter writes to w with every line indented under the demo's stages.
type indenter struct {
	w      io.Writer
	midway bool // inside a line
}

func indented(w io.Writer) io.Writer { return &indenter{w: w} }

func (in *indenter) Write(p []byte) (int, error) {
	for _, line := range bytes.SplitAfter(p, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		if !in.midway {
			if _, err := io.WriteString(in.w, "   "); err != nil {
				return 0, err
			}
		}
		if _, err := in.w.Write(line); err != nil {
			return 0, err
		}
		in.midway = line[len(line)-1] != '\n'
	}
	return len(p), nil
}
