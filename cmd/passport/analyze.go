package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/irt"
	"github.com/passportirt/passport/reports"
)

type analyzeOptions struct {
	*globals
	run    ref // analyse this run's items on its sample
	sample sampleFlags
	form   string
	table  string
	opts   reports.AnalysisOptions

	fileFlags // straight from a file, without a bank
}

// analyzeTables are the tables analyze prints.
var analyzeTables = []string{"items", "distractors", "forms", "alpha"}

func newAnalyzeCmd(g *globals) *cobra.Command {
	o := &analyzeOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "analyze",
		Short: "Classical item analysis: p-values, discrimination, alpha, distractors",
		Long: `Analyses the bank's responses item by item (classical test theory) and
prints one of four tables:

  items        one row per item: responses, omits, p-value, point-biserial
               and corrected item–total (rest score) correlations,
               alpha-if-deleted, and flags (default)
  distractors  one row per option of each keyed item (and one for omits):
               who chose it, its point-biserial with the rest score, and
               the share choosing it in each ability group (--groups groups
               by total score within form, lowest first)
  forms        one row per form: examinees, items, mean, SD, coefficient
               alpha and SEM
  alpha        one row per form and item: alpha if the item were deleted

Flags: miskey (a distractor's point-biserial is positive and above the
key's), easy and hard (p-value above --easy, below --hard),
negative-discrimination (corrected item–total correlation below 0).
Correlations with the total are pooled within forms, so that forms of
different difficulty do not inflate them.

--run R analyses the run's items on the run's own sample (the imports it was
calibrated on, omitted responses treated as it treated them), unless
--imports or --omit-as-missing say otherwise. --form F analyses only the
responses given on form F. --responses FILE analyses a file without a bank
(long CSV, Parquet in the IRW's long layout, or wide CSV with --wide);
--key K scores its options (--omit CODE marks omitted responses).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runAnalyze(cmd.Context(), o) },
	}
	f := cmd.Flags()
	f.Var(&o.run, "run", "analyse this calibration run's items (by number or name) on its sample")
	o.sample.declare(f)
	f.StringVar(&o.form, "form", "", "analyse only the responses given on this form")
	f.StringVar(&o.table, "table", "items", "the table to print: "+strings.Join(analyzeTables, ", "))
	intVar(f, &o.opts.Groups, "groups", 5, 1, 20, "ability groups of the distractor analysis")
	floatVar(f, &o.opts.Easy, "easy", 0.90, excl(0), excl(1), "flag items with a p-value above this as easy")
	floatVar(f, &o.opts.Hard, "hard", 0.20, excl(0), excl(1), "flag items with a p-value below this as hard")
	o.fileFlags.declare(f, "analyse")
	return cmd
}

func runAnalyze(ctx context.Context, o *analyzeOptions) error {
	if !slices.Contains(analyzeTables, o.table) {
		return fmt.Errorf("--table %q: expected one of %s", o.table, strings.Join(analyzeTables, ", "))
	}
	if o.opts.Groups < 1 || o.opts.Groups > 20 {
		return fmt.Errorf("--groups %d: expected 1 to 20 ability groups", o.opts.Groups)
	}
	if !(0 < o.opts.Hard && o.opts.Hard < o.opts.Easy && o.opts.Easy < 1) {
		return fmt.Errorf("--hard %g, --easy %g: expected 0 < hard < easy < 1", o.opts.Hard, o.opts.Easy)
	}
	var b *bank.Bank
	var r *irt.Responses
	var run *bank.Calibration
	var err error
	if o.responses != "" {
		if o.run != "" || o.form != "" || o.sample.imports != nil || o.sample.omitGiven {
			return errors.New("--responses analyses a file without a bank: --run, --form, --imports and --omit-as-missing need the bank")
		}
		f, err := o.fileFlags.read(o.globals, false, nil)
		if err != nil {
			return err
		}
		r = f.Responses
	} else {
		if b, err = o.openBank(); err != nil {
			return err
		}
		defer b.Close()
		if r, run, err = analysisData(ctx, o, b); err != nil {
			return err
		}
	}
	an, err := reports.Analyze(r, o.opts)
	if err != nil {
		return err
	}
	o.status("analysed %d responses of %d examinees to %d items%s", len(r.Item), r.NExaminees(), len(r.Items), onForm(o.form))
	for _, f := range an.Forms {
		o.status("form %s: %d examinees, %d items, alpha %s, SEM %s", f.Form, f.Examinees, f.Items, f.Alpha, f.SEM)
	}
	flags := make([]reports.Flags, len(an.Items))
	for i, it := range an.Items {
		flags[i] = it.Flags
	}
	statusFlags(o.globals, flags)
	for _, m := range miskeyNotes(an) {
		o.status("%s", m)
	}
	if o.responses == "" {
		if err := statusKeys(ctx, o.globals, b, r.Codes(), run); err != nil {
			return err
		}
	}
	switch o.table {
	case "distractors":
		return render(o.out, o.format, an.Distractors)
	case "forms":
		return render(o.out, o.format, an.Forms)
	case "alpha":
		return render(o.out, o.format, an.FormItems)
	}
	return render(o.out, o.format, an.Items)
}

// analysisData reads the bank's responses that o chooses, and the run
// whose sample they are (nil without --run).
func analysisData(ctx context.Context, o *analyzeOptions, b *bank.Bank) (*irt.Responses, *bank.Calibration, error) {
	filter := bank.AnalysisFilter{Form: o.form}
	var run *bank.Calibration
	if o.run != "" {
		var err error
		if run, err = o.run.run(ctx, b); err != nil {
			return nil, nil, err
		}
		smp, said, err := o.sample.resolve(ctx, b, run)
		if err != nil {
			return nil, nil, err
		}
		filter.Items, filter.Imports, o.opts.OmitAsMissing = smp.Items, smp.Imports, smp.OmitAsMissing
		o.status("analysis of run %d's items on %s", run.ID, said)
	} else if o.sample.imports != nil || o.sample.omitGiven {
		return nil, nil, fmt.Errorf("--imports and --omit-as-missing choose a run's sample: give --run")
	}
	r, err := b.AnalysisData(ctx, filter)
	if err != nil {
		return nil, nil, err
	}
	if r.NExaminees() == 0 {
		return nil, nil, fmt.Errorf("the bank holds no responses%s; import some with `passport responses import`", onForm(o.form))
	}
	return r, run, nil
}

func onForm(form string) string {
	if form == "" {
		return ""
	}
	return " on form " + form
}

// statusFlags says on stderr how many items carry each flag.
func statusFlags(g *globals, flags []reports.Flags) {
	if s := reports.FlagSummary(flags); s != "" {
		g.status("flagged: %s", s)
	}
}

// miskeyNotes names each item flagged miskey with its evidence: the
// distractor whose point-biserial is above the key's, and what to do.
func miskeyNotes(an *reports.Analysis) []string {
	var notes []string
	for _, it := range an.Items {
		if !slices.Contains(it.Flags, reports.FlagMiskey) {
			continue
		}
		var key, best *reports.OptionStats
		for i, d := range an.Distractors {
			if d.Item != it.Item || !d.PointBiserial.Defined() {
				continue
			}
			switch {
			case d.Key:
				key = &an.Distractors[i]
			case d.Option != "omit" && (best == nil || d.PointBiserial > best.PointBiserial):
				best = &an.Distractors[i]
			}
		}
		if key == nil || best == nil {
			continue
		}
		notes = append(notes, fmt.Sprintf("miskey: %s — option %s (chosen by %s) has point-biserial %s, the key %s %s; if %s is right, passport items rekey %s --key %s --reason TEXT rescores it",
			it.Item, best.Option, percent(float64(best.Share)), best.PointBiserial, key.Option, key.PointBiserial, best.Option, it.Item, best.Option))
	}
	return notes
}
