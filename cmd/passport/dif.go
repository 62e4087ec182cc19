package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/calibrate"
	"github.com/passportirt/passport/irt"
	"github.com/passportirt/passport/reports"
	"github.com/passportirt/passport/reports/dif"
)

type difOptions struct {
	*globals
	sample     sampleFlags
	run        ref
	group      string
	focal      string
	reference  string
	method     string
	purify     bool
	continuity bool
	alpha      float64
	minGroup   int
}

// difMethods are the values of --method.
var difMethods = []string{"mh", "lr", "lord", "all"}

func newDIFCmd(g *globals) *cobra.Command {
	o := &difOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "dif",
		Short: "Differential item functioning between two groups of examinees",
		Long: `Screens every item of a calibration run for differential item functioning
(DIF) between a focal group — the examinees whose attribute --group has
the value --focal — and a reference group (--reference, or by default every
other examinee with a value), on the run's own sample. Attributes come from
passport examinees import.

Examinees are matched on their number right over the items they answered
(the studied item included); the Mantel–Haenszel strata are pairs of form
and score, so that examinees are compared only with those who took the
same form. --purify drops the items flagged from the matching score and
computes again, until the flags settle.

--method chooses the table:
  mh    Mantel–Haenszel: common odds ratio α_MH with its 95 % interval
        (Robins–Breslow–Greenland), Δ_MH = −2.35 ln α_MH and its SE, the
        Cochran–Mantel–Haenszel χ² with and without the continuity
        correction (--correct takes the corrected one for the p-value), and
        the ETS class (Zwick 2012): A if not significant or |Δ| < 1; C if
        |Δ| ≥ 1.5 and significantly above 1; B otherwise; signed, − when
        the item favours the reference group. dif: class B or C.
  lr    logistic regression (Swaminathan & Rogers 1990; Zumbo 1999):
        likelihood-ratio χ² of uniform (1 df), non-uniform (1 df) and both
        (2 df), Nagelkerke ΔR² and Jodoin and Gierl's class (A below 0.035,
        C above 0.070), and Δ_LR = 2.35·β_group on the delta scale (Monahan
        et al. 2007). dif: the 2-df test significant and the DIF not
        negligible: |Δ_LR| ≥ 1 or Jodoin–Gierl B or C.
  lord  Lord's χ² on the difficulties of the two groups' calibrations (the
        run's model, D, priors and grid), the focal group linked onto the
        reference group's scale by Stocking–Lord through the items not
        flagged. dif: significant.
  all   one row per item with each method's class and adjusted p (default).

p-values are adjusted across items for the false discovery rate
(Benjamini–Hochberg) and tested at --alpha. Items that fewer than
--min-group examinees of either group answered are not tested (note).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runDIF(cmd.Context(), o) },
	}
	f := cmd.Flags()
	f.Var(&o.run, "run", "the calibration run, by number or name (required)")
	f.StringVar(&o.group, "group", "", "the examinee attribute that defines the groups, e.g. gender (required)")
	f.StringVar(&o.focal, "focal", "", "the attribute's value of the focal group (required)")
	f.StringVar(&o.reference, "reference", "", "the value of the reference group (default: every other value)")
	f.StringVar(&o.method, "method", "all", "the method: "+strings.Join(difMethods, ", "))
	f.BoolVar(&o.purify, "purify", false, "drop the items flagged from the matching score (and the linking) and compute again")
	f.BoolVar(&o.continuity, "correct", false, "test Δ_MH = 0 by the χ² with the continuity correction")
	floatVar(f, &o.alpha, "alpha", 0.05, excl(0), excl(1), "level of the tests after the false-discovery-rate adjustment")
	intVar(f, &o.minGroup, "min-group", 100, 1, 1000000, "fewest examinees of each group for an item to be tested")
	o.sample.declare(f)
	for _, name := range []string{"run", "group", "focal"} {
		cmd.MarkFlagRequired(name)
	}
	return cmd
}

func runDIF(ctx context.Context, o *difOptions) error {
	if !slices.Contains(difMethods, o.method) {
		return fmt.Errorf("--method %q: expected one of %s", o.method, strings.Join(difMethods, ", "))
	}
	if !(o.alpha > 0 && o.alpha < 1) || o.minGroup < 1 {
		return fmt.Errorf("--alpha %g, --min-group %d: expected 0 < alpha < 1 and at least one examinee", o.alpha, o.minGroup)
	}
	b, run, smp, said, err := openRunSample(ctx, o.globals, o.run, &o.sample)
	if err != nil {
		return err
	}
	defer b.Close()
	do := dif.Options{
		MH: o.method == "mh" || o.method == "all", LR: o.method == "lr" || o.method == "all", Lord: o.method == "lord" || o.method == "all",
		Purify: o.purify, Continuity: o.continuity, Alpha: o.alpha, MinGroup: o.minGroup,
	}
	p := o.progress("DIF", 0, "steps")
	res, err := runDIFAnalysis(ctx, b, run, smp, o.group, o.focal, o.reference, do, p.Message)
	p.Done()
	if err != nil {
		return err
	}
	o.status("DIF on %s of run %d (%s), on %s", o.group, run.ID, run.Model, said)
	o.status("focal %s = %s: %d examinees; reference %s: %d examinees; matching on %d items after %d rounds of purification",
		o.group, o.focal, res.NFocal, referenceName(o.reference), res.NRef, len(res.Matching), res.Rounds)
	if res.Lord != nil {
		o.status("Lord's χ²: focal onto reference θ_ref = %.3f·θ_focal %+.3f through %d items", res.Lord.Link.A, res.Lord.Link.B, len(res.Lord.Anchors))
	}
	var flagged []string
	for _, it := range res.Items {
		if it.DIF {
			flagged = append(flagged, it.Item)
		}
	}
	if len(flagged) > 0 {
		o.status("dif: %s", strings.Join(flagged, " "))
	}
	switch o.method {
	case "mh":
		return render(o.out, o.format, res.MH)
	case "lr":
		return render(o.out, o.format, res.LR)
	case "lord":
		return render(o.out, o.format, res.Lord.Items)
	}
	return render(o.out, o.format, res.Items)
}

func referenceName(v string) string {
	if v == "" {
		return "every other value"
	}
	return v
}

// runDIFAnalysis reads the run's sample with the examinees' groups by
// attribute and computes the DIF statistics do asks for; the report can
// draw its rows. Lord's χ² calibrates each group with the run's model, D,
// priors and grid. say, when not nil, is told what is being done.
func runDIFAnalysis(ctx context.Context, b *bank.Bank, run *bank.Calibration, smp bank.Sample, attribute, focal, reference string,
	do dif.Options, say func(format string, args ...any)) (*dif.Result, error) {
	if say == nil {
		say = func(string, ...any) {}
	}
	say("reading responses")
	var fo reports.FitOptions
	r, _, err := runResponses(ctx, b, run, smp, &fo)
	if err != nil {
		return nil, err
	}
	if smp.OmitAsMissing {
		r = reports.WithoutOmits(r)
	}
	values, err := b.ExamineeGroups(ctx, attribute)
	if err != nil {
		return nil, fmt.Errorf("--group: %w", err)
	}
	groups, err := dif.Groups(r.Examinees, values, focal, reference)
	if err != nil {
		return nil, fmt.Errorf("--group %s: %w", attribute, err)
	}
	model, err := irt.ParseModel(run.Model)
	if err != nil {
		return nil, err
	}
	pr := run.Settings.Priors
	do.Calibration = calibrate.Options{Model: model, D: run.D, Grid: run.Grid(), Tol: run.Settings.Tol, MaxCycles: run.Settings.MaxCycles, Priors: &pr}
	say("DIF statistics of %d items", r.NItems())
	res, err := dif.Analyze(r, groups, do)
	if err != nil {
		return nil, err
	}
	return res, nil
}
