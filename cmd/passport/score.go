package main

import (
	"context"
	"errors"
	"io"

	"github.com/spf13/cobra"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/irt"
	"github.com/passportirt/passport/scale"
)

type scoreOptions struct {
	*globals // streams, --db, --quiet, --format
	run      ref
	method   string
	sample   sampleFlags
	bound    float64 // ML and WLE search |θ| ≤ bound
	scale    string  // also report each θ on this scale
	output   string

	fileFlags // score a file's examinees instead of the bank's
}

func newScoreCmd(g *globals) *cobra.Command {
	o := &scoreOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "score",
		Short: "Estimate every examinee's θ under a calibration run",
		Long: `Estimates θ and its standard error for every examinee with responses to the
run's items, by EAP (posterior mean and SD), MAP, ML, WLE (Warm's weighted
likelihood) or EAPsum (from the number right), with the run's latent mean
and SD as the prior, and stores them with the run. ML has no finite
estimate for an all-right or all-wrong pattern: θ is then empty. ML and WLE
search |θ| ≤ --bound (default 20, as mirt); an estimate that stops there is
flagged at_bound, since the true estimate lies at or beyond it. --scale S
adds each θ on the reporting scale S (e.g. passport).

By default the run's own sample is scored (the imports it was calibrated on,
omitted responses treated as the run treated them); --imports and
--omit-as-missing choose otherwise. EAP and EAPsum integrate over the
run's quadrature grid.

--responses FILE scores the examinees of a response file instead (long CSV,
Parquet in the IRW's long layout, or wide CSV with --wide; 0/1 scores, or
options with --key) on the run's items, read straight into memory; their
scores are written but not stored, as the bank does not know them.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runScore(cmd.Context(), o) },
	}
	cmd.Flags().Var(&o.run, "run", "the calibration run, by number or name (required)")
	cmd.Flags().StringVar(&o.method, "method", "eap", "eap, map, ml, wle or eapsum")
	o.sample.declare(cmd.Flags())
	floatVar(cmd.Flags(), &o.bound, "bound", irt.DefaultBound, incl(1), incl(100), "ML and WLE estimates are sought in [-bound, bound]")
	cmd.Flags().StringVar(&o.scale, "scale", "", "also report every θ on this reporting scale (see passport scale list)")
	cmd.Flags().StringVarP(&o.output, "output", "o", "", "write the scores to this file instead of stdout")
	o.fileFlags.declare(cmd.Flags(), "score")
	cmd.MarkFlagRequired("run")
	return cmd
}

// runScore scores the examinees under o.run, stores the scores and writes them.
func runScore(ctx context.Context, o *scoreOptions) error {
	method, err := irt.ParseMethod(o.method)
	if err != nil {
		return err
	}
	b, run, smp, said, err := openRunSample(ctx, o.globals, o.run, &o.sample)
	if err != nil {
		return err
	}
	defer b.Close()
	var sc *scale.Scale
	if o.scale != "" {
		def, err := b.Scale(ctx, o.scale)
		if err != nil {
			return err
		}
		sc = &scale.Scale{Slope: def.Slope, Intercept: def.Intercept, Min: def.Min, Max: def.Max}
	}
	var mx *irt.Responses
	if o.responses != "" {
		if o.sample.imports != nil {
			return errors.New("--imports chooses the bank's responses; --responses scores a file's")
		}
		if mx, err = scoreFile(ctx, o, b, run, smp); err != nil {
			return err
		}
		said = o.responses
	} else if mx, err = b.ResponseMatrix(ctx, bank.MatrixFilter{Items: smp.Items, Imports: smp.Imports, OmitAsMissing: smp.OmitAsMissing}); err != nil {
		return err
	}
	scores, sum, err := scoreRun(mx, run, method, o.bound)
	if err != nil {
		return err
	}
	o.status("scoring under run %d on %s", run.ID, said)
	if o.responses != "" {
		o.status("not stored (--responses): the bank does not know the file's examinees")
	} else if err := b.SaveScores(ctx, run.ID, string(method), scores); err != nil {
		return err
	}
	o.status("scored %d examinees by %s under run %d: θ mean %.3f, SD %.3f, RMS SE %.3f, marginal reliability %.3f (%d without a finite estimate)",
		sum.N, method, run.ID, sum.Mean, sum.SD, sum.RMSSE, sum.Reliability, sum.NonFinite)
	if sum.AtBound > 0 {
		o.status("warning: %d estimates stopped at the bound |θ| = %g (flagged at_bound): their θ lies at or beyond it", sum.AtBound, o.bound)
	}
	if sc == nil {
		return writeOutput(o.globals, o.output, func(w io.Writer) error { return render(w, o.format, scores) })
	}
	type scaled struct {
		bank.Score
		ScaleScore float64 `json:"scale_score" table:"decimals=0"` // θ on the scale, rounded and clamped
	}
	rows := make([]scaled, len(scores))
	for i, s := range scores {
		rows[i] = scaled{s, sc.Score(s.Theta)}
	}
	return writeOutput(o.globals, o.output, func(w io.Writer) error { return render(w, o.format, rows) })
}

// scoreFile reads --responses on the run's items (the sample's), their keys
// and options the bank's.
func scoreFile(ctx context.Context, o *scoreOptions, b *bank.Bank, run *bank.Calibration, smp bank.Sample) (*irt.Responses, error) {
	known, err := b.Items(ctx, bank.ItemFilter{})
	if err != nil {
		return nil, err
	}
	byCode := make(map[string]bank.Item, len(known))
	for _, it := range known {
		byCode[it.Code] = it
	}
	items := make([]irt.ItemInfo, len(smp.Items))
	for i, code := range smp.Items {
		it := byCode[code]
		items[i] = irt.ItemInfo{Code: code, Domain: it.Domain, Key: it.Key, NOptions: len(it.Options)}
	}
	r, err := o.fileFlags.read(o.globals, smp.OmitAsMissing, items)
	if err != nil {
		return nil, err
	}
	return r.Responses, nil
}

// scoreRun scores the examinees of mx, its columns the run's items in the
// run's order (by code), under run, and sums the scores up.
func scoreRun(mx *irt.Responses, run *bank.Calibration, m irt.ScoreMethod, bound float64) ([]bank.Score, irt.ScoreSummary, error) {
	var sum irt.ScoreSummary
	est, err := irt.ScoreResponses(mx, run.ItemParams(), m, irt.ScoreOptions{Mean: run.LatentMean, SD: run.LatentSD, Grid: run.Grid(), Lo: -bound, Hi: bound})
	if err != nil {
		return nil, sum, err
	}
	out := make([]bank.Score, len(est))
	for p, e := range est {
		out[p] = bank.Score{Examinee: mx.Examinees[p], NItems: e.N, Raw: e.Raw, Theta: e.Theta, SE: e.SE, AtBound: e.AtBound}
	}
	return out, irt.Summarize(est, m), nil
}
