package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/calibrate"
	"github.com/passportirt/passport/fixtures/blueprints"
	"github.com/passportirt/passport/irt"
	"github.com/passportirt/passport/scale"
)

type demoOptions struct {
	dir       string
	examinees int
	seed      uint64
}

func newDemoCmd(g *globals) *cobra.Command {
	o := &demoOptions{}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole pipeline on the embedded demo bank",
		Long: `Runs passport's pipeline end to end on a fresh bank: loads the embedded
Python Fundamentals items, simulates a year of administrations on
overlapping forms, imports the log, and prints what each stage did.
The bank and files go to a temporary folder, removed afterwards, unless
--dir names one to keep.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runDemo(cmd.Context(), g, o) },
	}
	cmd.Flags().StringVar(&o.dir, "dir", "", "keep the demo bank and files in this folder")
	cmd.Flags().IntVar(&o.examinees, "examinees", 6000, "examinees in the simulated year")
	cmd.Flags().Uint64Var(&o.seed, "seed", 2026, "random seed")
	return cmd
}

// demoPriorA is the demo's slope prior, BILOG-MG's lognormal(0, 0.5).
const demoPriorA = "0,0.5"

func runDemo(ctx context.Context, g *globals, o *demoOptions) error {
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
	w := g.out
	dg := *g
	dg.db = filepath.Join(dir, "passport.db")
	if _, err := os.Stat(dg.db); err == nil {
		return fmt.Errorf("%s already exists: the demo starts from a fresh bank; choose another --dir", dg.db)
	}
	dg.quiet = true // the demo narrates on stdout
	b, err := dg.openBank()
	if err != nil {
		return err
	}
	defer b.Close()

	fmt.Fprintf(w, "passport demo — bank %s\n\n", dg.db)
	fmt.Fprintln(w, "1. Item bank: loading the embedded Python Fundamentals items")
	if err := loadDemoItems(ctx, &dg, b); err != nil {
		return err
	}
	s, err := b.Stats(ctx)
	if err != nil {
		return err
	}
	if err := render(indented(w), "table", s.ByDomain); err != nil {
		return err
	}

	fmt.Fprintf(w, "\n2. Simulation: a year of administrations, %d examinees on 8 overlapping forms\n", o.examinees)
	year1 := filepath.Join(dir, "year1_responses.csv")
	truth := filepath.Join(dir, "year1_truth.csv")
	so := &simulateOptions{output: year1, truth: truth}
	so.design.Seed, so.design.Examinees, so.design.Forms, so.design.FormLength, so.design.Anchors = o.seed, o.examinees, 8, 50, 10
	so.design.Model, so.design.D, so.design.OmitRate = "3pl", 1, 0.005
	if err := runSimulate(ctx, &dg, so); err != nil {
		return err
	}
	fi, err := os.Stat(year1)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   wrote %s (%d bytes) and the true parameters to %s\n", year1, fi.Size(), truth)

	fmt.Fprintln(w, "\n3. Import: the response log into the bank, in one transaction")
	f, err := os.Open(year1)
	if err != nil {
		return err
	}
	defer f.Close()
	start := time.Now()
	res, err := b.ImportLong(ctx, year1, f, bank.ResponseOptions{})
	if err != nil {
		return err
	}
	el := time.Since(start)
	fmt.Fprintf(w, "   %d responses from %d examinees (%d omitted) in %.2fs (%.0f rows/s)\n",
		res.Responses, res.NewExaminees, res.Omitted, el.Seconds(), float64(res.Rows)/el.Seconds())
	if _, err := f.Seek(0, 0); err != nil {
		return err
	}
	if _, err := b.ImportLong(ctx, year1, f, bank.ResponseOptions{}); err != nil {
		fmt.Fprintf(w, "   importing it again is refused: %v\n", err)
	}
	if s, err = b.Stats(ctx); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n   bank: %d items, %d examinees, %d responses\n", s.Items, s.Examinees, s.Responses)
	if err := render(indented(w), "table", s.ByForm); err != nil {
		return err
	}

	fmt.Fprintln(w, "\n4. Calibration: the 3PL by marginal maximum likelihood (EM), with BILOG-MG's priors:")
	fmt.Fprintln(w, "   log a ~ N(0, 0.5²) keeps slopes finite where a few hundred responses cannot; c ~ Beta(6, 16) for 4 options")
	co := defaultCalibrateOptions()
	co.model, co.name, co.priorA = "3pl", "year 1", demoPriorA
	start = time.Now()
	run, _, err := calibrateBank(ctx, &dg, b, co, true)
	if err != nil {
		return err
	}
	conv := "converged"
	if !run.Converged {
		conv = "did not converge"
	}
	fmt.Fprintf(w, "   run %d: %s in %d EM cycles (%.2fs), log-likelihood %.2f; %d items estimated from %d responses\n",
		run.ID, conv, run.Cycles, time.Since(start).Seconds(), run.LogLik, len(run.Params), run.NResponses)
	if err := printRecovery(w, truth, run); err != nil {
		return err
	}

	fmt.Fprintln(w, "\n5. Scoring: every examinee's θ by EAP under the run")
	start = time.Now()
	scores, sum, _, err := scoreRun(ctx, b, run.ID, calibrate.EAP, false)
	if err != nil {
		return err
	}
	if err := b.SaveScores(ctx, run.ID, string(calibrate.EAP), scores); err != nil {
		return err
	}
	fmt.Fprintf(w, "   %d examinees in %.2fs: θ mean %.3f, SD %.3f; RMS standard error %.3f (marginal reliability %.3f)\n",
		sum.N, time.Since(start).Seconds(), sum.Mean, sum.SD, sum.RMSSE, sum.Reliability)

	const trueA, trueB = 1.15, 0.4
	fmt.Fprintf(w, "\n6. Linking: a second year, %d new examinees on forms G01–G08 from the same items, abler and more\n"+
		"   spread (θ ~ N(%.2f, %.2f²) on year 1's scale), calibrated on its own and linked onto year 1\n", o.examinees, trueB, trueA)
	year2 := filepath.Join(dir, "year2_responses.csv")
	so2 := &simulateOptions{output: year2, params: truth}
	so2.design = so.design
	so2.design.Seed, so2.design.ThetaMean, so2.design.ThetaSD = o.seed+1, trueB, trueA
	so2.design.FormPrefix, so2.design.ExamPrefix = "G", "N"
	if err := runSimulate(ctx, &dg, so2); err != nil {
		return err
	}
	f2, err := os.Open(year2)
	if err != nil {
		return err
	}
	defer f2.Close()
	imp2, err := b.ImportLong(ctx, year2, f2, bank.ResponseOptions{})
	if err != nil {
		return err
	}
	co2 := defaultCalibrateOptions()
	co2.model, co2.name, co2.imports, co2.priorA = "3pl", "year 2", []int64{imp2.ImportID}, demoPriorA
	run2, _, err := calibrateBank(ctx, &dg, b, co2, true)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   run %d: year 2 alone, %d responses, %d EM cycles\n", run2.ID, run2.NResponses, run2.Cycles)
	lo := defaultLinkOptions()
	lo.from, lo.to, lo.apply, lo.applyName = run2.ID, run.ID, true, "year 2 on the year-1 scale"
	start = time.Now()
	lr, err := linkRuns(ctx, b, lo)
	if err != nil {
		return err
	}
	l := lr.linking
	flagged := 0
	for _, d := range lr.drift {
		if d.Flag {
			flagged++
		}
	}
	fmt.Fprintf(w, "   Stocking–Lord over %d common items (%.2fs): A = %.3f (SE %.3f), B = %.3f (SE %.3f); true A = %.2f, B = %.2f\n",
		len(l.Items), time.Since(start).Seconds(), l.A, l.SEA, l.B, l.SEB, trueA, trueB)
	fmt.Fprintf(w, "   %d of %d common items flagged as drifting (robust z of b > %.3f, which flags about 10%% of stable\n"+
		"   items by chance; nothing drifted in this simulation); year 2 stored on the year-1 scale as run %d\n",
		flagged, len(l.Items), lo.threshold, lr.applied)

	fmt.Fprintln(w, "\n7. Reporting: the passport scale (θ = −3 → 300, θ = 3 → 850) and form F01's conversion table")
	ps := scale.Passport()
	if _, err := b.SaveScale(ctx, &bank.ScaleDef{Name: "passport", Slope: ps.Slope, Intercept: ps.Intercept, Min: ps.Min, Max: ps.Max,
		Definition: map[string]any{"points": []float64{-3, 300, 3, 850}}}); err != nil {
		return err
	}
	tab, err := buildTable(ctx, b, &tableOptions{form: "F01", run: run.ID, scaleName: "passport", method: "tcc"})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   table %d (θ by inverting the TCC; CSEM in scale points):\n", tab.ID)
	if err := printTable(indented(w), "table", tab); err != nil {
		return err
	}

	fmt.Fprintln(w, "\n8. Assembly: two parallel 50-question forms from the calibrated bank, against the embedded blueprint")
	bpFile := filepath.Join(dir, "python-fundamentals.json")
	if err := os.WriteFile(bpFile, blueprints.PythonFundamentals, 0o644); err != nil {
		return err
	}
	stage := dg // the command's status lines and tables, under the stage
	stage.out, stage.quiet, stage.errTTY, stage.format = indented(w), false, false, "table"
	stage.errOut = stage.out
	ao := newAssembleOptions(&stage)
	ao.run, ao.blueprint, ao.maxNodes = run.ID, bpFile, 2000 // a few seconds
	if err := runAssemble(ctx, ao); err != nil {
		return err
	}

	fmt.Fprintln(w, "\n9. Analysis: classical item analysis, distractors, S-X², infit/outfit, Q3, and the analysts' report")
	if err := demoReport(ctx, w, &dg, b, run, dir, l.ID, []int64{tab.ID}); err != nil {
		return err
	}
	if o.dir == "" {
		fmt.Fprintln(w, "   (the demo folder is removed at exit: run passport demo --dir DIR to keep the bank and the report)")
	}
	return nil
}

// printRecovery compares a run with the simulation's true parameters.
func printRecovery(w io.Writer, truthFile string, run *bank.Calibration) error {
	f, err := os.Open(truthFile)
	if err != nil {
		return err
	}
	defer f.Close()
	truth, err := bank.ReadParams(truthFile, f, "3pl")
	if err != nil {
		return err
	}
	byItem := map[string]irt.ThreePL{}
	for _, t := range truth {
		byItem[t.Item] = t.ThreePL(run.D)
	}
	var est, tru []irt.ThreePL
	for _, p := range run.Params {
		if t, ok := byItem[p.Item]; ok {
			est = append(est, p.ThreePL(run.D))
			tru = append(tru, t)
		}
	}
	rec := calibrate.Compare(est, tru)
	type row struct {
		Param string `csv:"parameter"`
		RMSE  string `csv:"rmse"`
		Bias  string `csv:"bias"`
		Corr  string `csv:"correlation"`
	}
	rows := []row{
		{"a", num(rec.A.RMSE), num(rec.A.Bias), num(rec.A.Corr)},
		{"b", num(rec.B.RMSE), num(rec.B.Bias), num(rec.B.Corr)},
		{"c", num(rec.C.RMSE), num(rec.C.Bias), num(rec.C.Corr)},
	}
	fmt.Fprintf(w, "   recovery of the %d items' true parameters:\n", rec.N)
	return render(indented(w), "table", rows)
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
