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
	"github.com/passportirt/passport/bank/simulate"
	"github.com/passportirt/passport/fixtures/blueprints"
	catfixtures "github.com/passportirt/passport/fixtures/cat"
	"github.com/passportirt/passport/reports"
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
overlapping forms, imports the log, and prints what each stage did: a
miskeyed item flagged, rekeyed and recalibrated, scoring, a second year
linked onto the first, reporting, assembly, fit, an item's history
with a drift screen over the two years, CAT simulation studies, and a
DIF screen between a simulated focal group and the others.
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
	// A focal group of 30 %, 0.2 SD less able, for whom two anchors of
	// every form are 0.6 harder: the DIF that stage 12 finds.
	difItems, err := demoDIFItems(ctx, dg.db, so.design)
	if err != nil {
		return err
	}
	const difShift = 0.6
	so.design.FocalShare, so.design.FocalMean = 0.3, -0.2
	so.design.FocalShift = map[string]float64{difItems[0]: difShift, difItems[1]: difShift}
	so.groups = filepath.Join(dir, "year1_examinees.csv")
	if err := runSimulate(ctx, so); err != nil {
		return err
	}
	fmt.Fprintf(dg.out, "with each examinee's group (examinee,group) in %s: 30%% focal, 0.2 SD less able\n", filepath.Base(so.groups))

	fmt.Fprintln(w, "\n3. Import: the response log into the bank, in one transaction (passport responses import)")
	io1 := &responsesImportOptions{globals: &dg, file: year1, onDuplicate: "reject"}
	io1.wideOpts.Name = "year-1" // commands take the import by this name or its number
	if _, err := runResponsesImport(ctx, io1); err != nil {
		return err
	}
	if _, err := runResponsesImport(ctx, io1); err != nil {
		fmt.Fprintf(dg.out, "importing it again is refused: %v\n", err)
	}
	if err := runExamineesImport(ctx, &examineesImportOptions{globals: &dg, file: so.groups}); err != nil {
		return err
	}
	if err := runBankStats(ctx, &bankStatsOptions{globals: &dg, table: "forms"}); err != nil {
		return err
	}
	// The first two anchors of form F01 (on every form): one gets a wrong
	// key now, the other drifts in year 2.
	miskeyed, drifted, err := demoItems(ctx, dg.db)
	if err != nil {
		return err
	}
	wrong := string(rune('A' + miskeyed.Key%len(miskeyed.Options))) // the next option
	fmt.Fprintf(w, "   To show the key check of stage 5, anchor item %s's key (%s) is set wrong, to %s, as a mistyped key would be\n"+
		"   (passport items rekey, which rescores its stored responses)\n", miskeyed.Code, miskeyed.KeyLetter(), wrong)
	quiet := dg
	quiet.out = io.Discard // long tables: the commands' status lines tell the story
	if _, err := runItemsRekey(ctx, &itemsRekeyOptions{globals: &quiet, item: miskeyed.Code, key: wrong, reason: "demo: a mistyped key"}); err != nil {
		return err
	}

	fmt.Fprintln(w, "\n4. Calibration: the 3PL by marginal maximum likelihood (passport calibrate --model 3pl), with its default")
	fmt.Fprintln(w, "   priors, BILOG-MG's: log a ~ N(0, 0.5²) and c ~ Beta(6, 16) for 4 options. The run records the key")
	fmt.Fprintf(w, "   version of each item; %s's wrong key shows in its warnings\n", miskeyed.Code)
	co := defaultCalibrateOptions()
	co.globals, co.model, co.name = &quiet, "3pl", "year 1"
	run, err := runCalibrate(ctx, co)
	if err != nil {
		return err
	}

	fmt.Fprintf(w, "\n5. Key check: classical item analysis flags the miskey (passport analyze --run %d), the key is corrected\n"+
		"   and the item's responses rescored (passport items rekey), year 1 is calibrated again, and its estimates\n"+
		"   are compared with the simulation's true parameters (passport calibrations compare)\n", run.ID)
	if err := runAnalyze(ctx, &analyzeOptions{globals: &quiet, run: refTo(run.ID), table: "items", opts: reports.AnalysisOptions{Groups: 5, Easy: 0.90, Hard: 0.20}}); err != nil {
		return err
	}
	if _, err := runItemsRekey(ctx, &itemsRekeyOptions{globals: &quiet, item: miskeyed.Code, key: miskeyed.KeyLetter(),
		reason: "miskey flagged: " + miskeyed.KeyLetter() + " outdid " + wrong}); err != nil {
		return err
	}
	co = defaultCalibrateOptions()
	co.globals, co.model, co.name = &quiet, "3pl", "year 1 (rekeyed)"
	if run, err = runCalibrate(ctx, co); err != nil {
		return err
	}
	if _, err := runCalibrationsCompare(ctx, &calibrationsCompareOptions{globals: &dg, run: refTo(run.ID), file: truth}); err != nil {
		return err
	}

	fmt.Fprintln(w, "\n6. Scoring: every examinee's θ by EAP under the run (passport score)")
	if err := runScore(ctx, &scoreOptions{globals: &dg, run: refTo(run.ID), method: "eap", output: filepath.Join(dir, "year1_scores.csv")}); err != nil {
		return err
	}

	const trueA, trueB, drift = 1.15, 0.4, -1.0
	fmt.Fprintf(w, "\n7. Linking: a second year, %d new examinees on forms G01–G08 from the same items, abler and more\n"+
		"   spread (θ ~ N(%.2f, %.2f²) on year 1's scale), calibrated on its own and linked onto year 1; one item,\n"+
		"   %s, drifts: its true b moves by %.1f in year 2, as a leaked item gets easier\n", o.examinees, trueB, trueA, drifted, drift)
	year2 := filepath.Join(dir, "year2_responses.csv")
	truth2 := filepath.Join(dir, "year2_truth.csv")
	if err := driftTruth(truth, truth2, drifted, drift); err != nil {
		return err
	}
	so2 := &simulateOptions{globals: &dg, output: year2, params: truth2}
	so2.design = so.design
	so2.design.Seed, so2.design.ThetaMean, so2.design.ThetaSD = o.seed+1, trueB, trueA
	so2.design.FormPrefix, so2.design.ExamPrefix = "G", "N"
	so2.design.FocalShare, so2.design.FocalMean, so2.design.FocalShift = 0, 0, nil // year 2 without groups
	so2.design.Start = time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC)                 // the year after year 1's
	if err := runSimulate(ctx, so2); err != nil {
		return err
	}
	io2 := &responsesImportOptions{globals: &dg, file: year2, onDuplicate: "reject"}
	io2.wideOpts.Name = "year-2"
	if _, err := runResponsesImport(ctx, io2); err != nil {
		return err
	}
	co2 := defaultCalibrateOptions()
	co2.globals, co2.model, co2.name, co2.imports = &quiet, "3pl", "year 2", refs{"year-2"}
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
	caught := "flagged"
	if !l.Options.Drift[drifted].Flag {
		caught = "not flagged"
	}
	fmt.Fprintf(dg.out, "%d of %d common items flagged as drifting (robust z of b > %.3f, which flags about 10%% of stable\n"+
		"items by chance; one item drifted in this simulation: %s, %s); year 2 stored on the year-1 scale as run %d\n",
		flagged, len(l.Items), lo.threshold, drifted, caught, applied)

	fmt.Fprintln(w, "\n8. Reporting: the passport scale (θ = −3 → 300, θ = 3 → 850; in every bank) and form F01's")
	fmt.Fprintln(w, "   conversion table (passport scale table; θ by inverting the TCC, CSEM in scale points)")
	tab, err := runScaleTable(ctx, &tableOptions{globals: &dg, form: "F01", run: refTo(run.ID), scaleName: "passport", method: "tcc"})
	if err != nil {
		return err
	}

	fmt.Fprintln(w, "\n9. Assembly: two parallel 50-question forms from the calibrated bank, against the embedded blueprint")
	bpFile := filepath.Join(dir, "python-fundamentals.json")
	if err := os.WriteFile(bpFile, blueprints.PythonFundamentals, 0o644); err != nil {
		return err
	}
	ao := newAssembleOptions(&dg)
	ao.run, ao.blueprint, ao.maxNodes, ao.name = refTo(run.ID), bpFile, 2000, "demo-forms" // a few seconds
	if err := runAssemble(ctx, ao); err != nil {
		return err
	}

	fmt.Fprintln(w, "\n10. Analysis: item fit (passport fit: S-X², infit/outfit, Q3) and the analysts' report (passport report:")
	fmt.Fprintln(w, "   classical item analysis, distractors, fit, person fit, DIF between the groups of stage 2, the assembled")
	fmt.Fprintln(w, "   forms' information, plots), both on the run's own sample")
	fo := &fitOptions{globals: &quiet, run: refTo(run.ID), method: "eap", table: "items", alpha: 0.05, minCell: 1}
	fo.errOut = dg.errOut // the status lines, not the 299-row table
	if err := runFit(ctx, fo); err != nil {
		return err
	}
	ro := &reportOptions{globals: &dg, run: refTo(run.ID), dir: filepath.Join(dir, "report"), groups: 5, iccGroups: 10, linking: refTo(l.ID), tables: refs{refTo(tab.ID)},
		assembly: "demo-forms", difGroup: "group", focal: "focal"}
	if err := runReport(ctx, ro); err != nil {
		return err
	}

	do := defaultDriftOptions(&dg)
	do.base, do.z = refTo(run.ID), 2.576
	fmt.Fprintf(w, "\n11. History and drift: item %s's life in the bank (passport items history: keys and statuses, statistics\n"+
		"    by import and the parameters of every run on run %d's scale; --table exposure adds its forms), then a\n"+
		"    drift screen of the operational items over the two years against run %d (passport drift --by import\n"+
		"    --z-threshold %g, the normal's two-sided 1%% point rather than 1.645; D² > %g, a rule of thumb for\n"+
		"    drift large enough to change scores)\n",
		miskeyed.Code, run.ID, run.ID, do.z, do.d2)
	if _, err := runItemsHistory(ctx, &itemsHistoryOptions{globals: &dg, item: miskeyed.Code, by: "import", base: refTo(run.ID), tables: []string{"events", "windows", "runs"}}); err != nil {
		return err
	}
	fmt.Fprintln(dg.out)
	if _, err := runDrift(ctx, do); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n12. Adaptive testing: simulation studies on run %d (passport cat simulate, 300 simulees θ ~ N(0, 1)) of the\n"+
		"    free 5-question sample (fixtures/cat/sample.json; a 5-item test measures θ with an SE of 0.5 or more,\n"+
		"    mean_se below: ±90 scale points or more at 95%%, so no point score should be reported) and of the\n"+
		"    20-item adaptive practice test with the blueprint's domain quotas by a shadow test and a 0.3 exposure\n"+
		"    cap in five θ segments (fixtures/cat/practice.json)\n", run.ID)
	for _, c := range []struct {
		file string
		data []byte
	}{{"cat-sample.json", catfixtures.Sample}, {"cat-practice.json", catfixtures.Practice}} {
		file := filepath.Join(dir, c.file)
		if err := os.WriteFile(file, c.data, 0o644); err != nil {
			return err
		}
		so := newCatSimulateOptions(&dg)
		so.run, so.config, so.simulees, so.seed = refTo(run.ID), file, 300, o.seed
		if err := runCatSimulate(ctx, so); err != nil {
			return err
		}
	}

	fmt.Fprintln(w, "\n13. Delivery: passport serve on a free loopback port; three simulated candidates (θ = −1, 0, 1.5) take the")
	fmt.Fprintln(w, "    first assembled form through its JSON API, and a fourth (θ = 0.8) the adaptive practice test (--cat")
	fmt.Fprintln(w, "    practice=cat-practice.json, on the form's run: 20 items and 2 pretest items, classified at 625); each")
	fmt.Fprintln(w, "    answer is written to the bank before the reply, as a response of the session's own import (kind")
	fmt.Fprintln(w, "    serve), which calibrate reads like an imported log")
	if err := demoServe(ctx, &dg, []float64{-1, 0, 1.5}, 0.8, filepath.Join(dir, "cat-practice.json"), o.seed); err != nil {
		return err
	}

	fmt.Fprintf(w, "\n14. Fairness: DIF between the focal group and the others on year 1 (passport dif --group group --focal focal\n"+
		"    --method mh|lr --purify): two anchors, %s and %s, were simulated %.1f harder for the focal group at equal\n"+
		"    ability; Mantel–Haenszel (ETS classes B and C) and logistic regression (likelihood-ratio test, |Δ| ≥ 1) flag\n", difItems[0], difItems[1], difShift)
	fmt.Fprintln(w, "    items after the Benjamini–Hochberg adjustment across the items")
	dq := &difOptions{globals: &quiet, run: refTo(run.ID), group: "group", focal: "focal", purify: true, alpha: 0.05, minGroup: 100}
	dq.errOut = dg.errOut // the status lines, not the 299-row tables
	for _, m := range []string{"mh", "lr"} {
		dq.method = m
		if err := runDIF(ctx, dq); err != nil {
			return err
		}
	}
	if o.dir == "" {
		fmt.Fprintln(w, "   (the demo folder is removed at exit: run passport demo --dir DIR to keep the bank and the report)")
	}
	return nil
}

// demoItems returns the first two items of form F01, anchors on every
// form: the one the demo miskeys and the one that drifts in year 2.
func demoItems(ctx context.Context, db string) (bank.Item, string, error) {
	b, err := bank.Open(db)
	if err != nil {
		return bank.Item{}, "", err
	}
	defer b.Close()
	f, err := b.Form(ctx, "F01")
	if err != nil {
		return bank.Item{}, "", err
	}
	if len(f.Items) < 2 {
		return bank.Item{}, "", fmt.Errorf("form F01 has %d items; the demo needs two", len(f.Items))
	}
	it, err := b.Item(ctx, f.Items[0].Item)
	return it, f.Items[1].Item, err
}

// demoDIFItems returns the third and fourth anchors of the first form
// the design builds over the bank's items (the first two are the ones the
// demo miskeys and drifts).
func demoDIFItems(ctx context.Context, db string, d simulate.Design) ([2]string, error) {
	b, err := bank.Open(db)
	if err != nil {
		return [2]string{}, err
	}
	defer b.Close()
	items, err := b.Items(ctx, bank.ItemFilter{})
	if err != nil {
		return [2]string{}, err
	}
	forms, err := simulate.Forms(items, d)
	if err != nil {
		return [2]string{}, err
	}
	if d.Anchors < 4 {
		return [2]string{}, fmt.Errorf("the demo needs 4 anchors, has %d", d.Anchors)
	}
	return [2]string{forms[0][2], forms[0][3]}, nil
}

// driftTruth copies the true parameters in file from to file to with
// item's b moved by shift.
func driftTruth(from, to, item string, shift float64) error {
	f, err := os.Open(from)
	if err != nil {
		return err
	}
	defer f.Close()
	rows, err := bank.ReadParams(from, f, "3pl")
	if err != nil {
		return err
	}
	moved := false
	for i := range rows {
		if rows[i].Item == item {
			rows[i].B += shift
			moved = true
		}
	}
	if !moved {
		return fmt.Errorf("%s has no parameters for item %s", from, item)
	}
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if err := bank.WriteParams(out, rows); err != nil {
		out.Close()
		return err
	}
	return out.Close()
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
