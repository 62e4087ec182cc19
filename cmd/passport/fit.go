package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/irt"
	"github.com/passportirt/passport/reports"
)

type fitOptions struct {
	*globals
	sample  sampleFlags
	run     ref
	method  string
	table   string
	alpha   float64
	minCell float64
}

// fitTables are the tables fit prints.
var fitTables = []string{"items", "q3", "q3-pairs", "persons", "separation", "scores"}

func newFitCmd(g *globals) *cobra.Command {
	o := &fitOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "fit",
		Short: "IRT item fit of a calibration run: S-X², infit and outfit, Q3",
		Long: `Assesses how well each item of a calibration run fits its model, on the
bank's responses to the run's items, and prints one of three tables:

  items     one row per item: Orlando and Thissen's S-X² with its degrees of
            freedom, p-value and p-value adjusted across items for the false
            discovery rate (Benjamini–Hochberg); infit and outfit mean
            squares with their standardised z; and flags (default)
  q3        one row per form: Yen's Q3 residual correlations, mean and
            largest, and the number of item pairs flagged
  q3-pairs  one row per pair of items on a form, with Q3 and Q3 less the
            form's mean
  persons   one row per examinee: θ by WLE with its SE, Snijders's l_z*
            (the standardised log-likelihood corrected for estimating θ),
            infit and outfit mean squares with z, and flags
            (person-misfit: l_z* below −1.645)
  separation  person and item separation and reliability as Winsteps
            reports them: observed SD, RMSE of the SEs, true SD,
            separation G = true SD / RMSE and reliability G²/(1 + G²), for
            the persons' WLEs and the items' b
  scores    the distribution of the number right per form

Flags: misfit (S-X² adjusted p below --alpha), infit and outfit (mean
square outside 0.7–1.3 with |z| ≥ 2), local-dependence (in a pair whose Q3
exceeds its form's mean by more than 0.2).

The data may be incomplete, each examinee answering one form: S-X²
compares each examinee's summed score with the model's expectation for
the items that examinee answered, form by form, and stacks the forms'
tables (see the note on stderr). Infit, outfit and Q3 use the
responses given at each examinee's ability estimate (--theta).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runFit(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.Var(&o.run, "run", "the calibration run, by number or name (required)")
	f.StringVar(&o.method, "theta", "eap", "ability estimates for infit, outfit and Q3: eap, wle, map or ml")
	o.sample.declare(f)
	f.StringVar(&o.table, "table", "items", "the table to print: "+strings.Join(fitTables, ", "))
	floatVar(f, &o.alpha, "alpha", 0.05, excl(0), excl(1), "level of the S-X² test after the false-discovery-rate adjustment")
	floatVar(f, &o.minCell, "min-cell", 1, excl(0), incl(100), "smallest expected count of an S-X² cell; smaller cells are collapsed")
	cmd.MarkFlagRequired("run")
	return cmd
}

func runFit(ctx context.Context, o *fitOptions) error {
	if !slices.Contains(fitTables, o.table) {
		return fmt.Errorf("--table %q: expected one of %s", o.table, strings.Join(fitTables, ", "))
	}
	if !(o.alpha > 0 && o.alpha < 1) || !(o.minCell > 0) {
		return fmt.Errorf("--alpha %g, --min-cell %g: expected 0 < alpha < 1 and a positive minimum count", o.alpha, o.minCell)
	}
	method, err := irt.ParseMethod(o.method)
	if err != nil || method == irt.MethodEAPSum {
		return fmt.Errorf("--theta %q: expected eap, wle, map or ml", o.method)
	}
	b, run, smp, said, err := openRunSample(ctx, o.globals, o.run, &o.sample)
	if err != nil {
		return err
	}
	defer b.Close()
	fo := reports.FitOptions{Method: method, Alpha: o.alpha, MinCell: o.minCell, OmitAsMissing: smp.OmitAsMissing}
	p := o.progress("item fit", 0, "steps")
	p.Message("reading responses")
	r, params, err := runResponses(ctx, b, run, smp, &fo)
	if err != nil {
		p.Done()
		return err
	}
	switch o.table {
	case "persons", "separation":
		p.Message("person fit of %d examinees", r.NExaminees())
		persons, err := reports.PersonFits(r, params, reports.PersonFitOptions{})
		p.Done()
		if err != nil {
			return err
		}
		o.status("person fit under run %d (%s) on %s: θ by WLE", run.ID, run.Model, said)
		if o.table == "persons" {
			flags := make([]reports.Flags, len(persons))
			for i, pf := range persons {
				flags[i] = pf.Flags
			}
			statusFlags(o.globals, flags)
			return render(o.out, o.format, persons)
		}
		theta, se := make([]float64, len(persons)), make([]float64, len(persons))
		for i, pf := range persons {
			theta[i], se[i] = float64(pf.Theta), float64(pf.SE)
		}
		b, seB := make([]float64, len(params)), make([]float64, len(params))
		byCode := map[string]bank.ParamRow{}
		for _, pr := range run.Params {
			byCode[pr.Item] = pr
		}
		for i, it := range r.Items {
			b[i], seB[i] = params[i].B, byCode[it.Code].SEB
		}
		return render(o.out, o.format, []reports.Separation{reports.SeparationOf("persons", theta, se), reports.SeparationOf("items", b, seB)})
	case "scores":
		p.Done()
		return render(o.out, o.format, reports.ScoreDistributions(r))
	}
	p.Message("S-X², infit, outfit and Q3 of %d items", len(r.Items))
	fit, err := reports.Fit(r, params, fo)
	p.Done()
	if err != nil {
		return err
	}
	o.status("fit of run %d (%s) on %s", run.ID, run.Model, said)
	o.status("N = %d examinees, %d responses: %s", r.NExaminees(), len(r.Item), fit.Missing)
	if err := statusKeys(ctx, o.globals, b, r.Codes(), run); err != nil {
		return err
	}
	flags := make([]reports.Flags, len(fit.Items))
	for i, it := range fit.Items {
		flags[i] = it.Flags
	}
	statusFlags(o.globals, flags)
	switch o.table {
	case "q3":
		return render(o.out, o.format, fit.Q3)
	case "q3-pairs":
		return render(o.out, o.format, fit.Q3Pairs)
	}
	return render(o.out, o.format, fit.Items)
}

// runResponses reads the sample's responses to a run's items as the
// reports package takes them, with the run's parameters and, in o, the
// number of parameters each item's calibration estimated and the run's
// latent distribution. Items of the run that nobody answered are left out.
func runResponses(ctx context.Context, b *bank.Bank, run *bank.Calibration, smp bank.Sample, o *reports.FitOptions) (*irt.Responses, []irt.ThreePL, error) {
	if len(run.Params) == 0 {
		return nil, nil, fmt.Errorf("run %d has no item parameters", run.ID)
	}
	byCode := make(map[string]bank.ParamRow, len(run.Params))
	for _, p := range run.Params {
		byCode[p.Item] = p
	}
	d, err := b.AnalysisData(ctx, bank.AnalysisFilter{Items: smp.Items, Imports: smp.Imports})
	if err != nil {
		return nil, nil, err
	}
	r := d
	if r.NExaminees() == 0 {
		return nil, nil, fmt.Errorf("the sample holds no responses to run %d's items; import the responses it was calibrated on, or choose others with --imports", run.ID)
	}
	model, err := irt.ParseModel(run.Model)
	if err != nil {
		return nil, nil, err
	}
	npar := model.ItemParams()
	params := make([]irt.ThreePL, len(r.Items))
	o.NPar = make([]int, len(r.Items))
	for i, it := range r.Items {
		p := byCode[it.Code]
		params[i] = p.ThreePL(run.D)
		if !slices.Contains(run.Fixed, p.Item) {
			o.NPar[i] = npar
		}
	}
	o.Mean, o.SD, o.Grid = run.LatentMean, run.LatentSD, run.Grid()
	return r, params, nil
}
