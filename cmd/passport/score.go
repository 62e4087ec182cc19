package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/irt"
)

type scoreOptions struct {
	*globals // streams, --db, --quiet, --format
	run      int64
	method   string
	omitMiss bool
	output   string
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
estimate for an all-right or all-wrong pattern: θ is then empty.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runScore(cmd.Context(), o) },
	}
	cmd.Flags().Int64Var(&o.run, "run", 0, "the calibration run (required)")
	cmd.Flags().StringVar(&o.method, "method", "eap", "eap, map, ml, wle or eapsum")
	cmd.Flags().BoolVar(&o.omitMiss, "omit-as-missing", false, "treat omitted responses as not administered (default: wrong)")
	cmd.Flags().StringVarP(&o.output, "output", "o", "", "write the scores to this file instead of stdout")
	cmd.MarkFlagRequired("run")
	return cmd
}

// runScore scores the examinees under o.run, stores the scores and writes them.
func runScore(ctx context.Context, o *scoreOptions) error {
	method, err := irt.ParseMethod(o.method)
	if err != nil {
		return err
	}
	b, err := o.openBank()
	if err != nil {
		return err
	}
	defer b.Close()
	scores, sum, run, err := scoreRun(ctx, b, o.run, method, o.omitMiss)
	if err != nil {
		return err
	}
	if err := b.SaveScores(ctx, run.ID, string(method), scores); err != nil {
		return err
	}
	o.status("scored %d examinees by %s under run %d: θ mean %.3f, SD %.3f, RMS SE %.3f, marginal reliability %.3f (%d without a finite estimate)",
		sum.N, method, run.ID, sum.Mean, sum.SD, sum.RMSSE, sum.Reliability, sum.NonFinite)
	return writeOutput(o.globals, o.output, func(w io.Writer) error { return renderScores(w, o.format, scores) })
}

// scoreRun scores the bank's examinees under run id, and sums the scores up.
func scoreRun(ctx context.Context, b *bank.Bank, id int64, m irt.ScoreMethod, omitMiss bool) ([]bank.Score, irt.ScoreSummary, *bank.Calibration, error) {
	var sum irt.ScoreSummary
	run, err := b.Calibration(ctx, id)
	if err != nil {
		return nil, sum, nil, err
	}
	codes := make([]string, len(run.Params))
	items := make([]irt.ThreePL, len(run.Params))
	for i, p := range run.Params {
		codes[i] = p.Item
		items[i] = p.ThreePL(run.D)
	}
	mx, err := b.ResponseMatrix(ctx, bank.MatrixFilter{Items: codes, OmitAsMissing: omitMiss})
	if err != nil {
		return nil, sum, nil, err
	}
	// ResponseMatrix orders columns by code, as Calibration orders params.
	est, err := irt.ScoreResponses(mx, items, m, irt.ScoreOptions{Mean: run.LatentMean, SD: run.LatentSD})
	if err != nil {
		return nil, sum, nil, err
	}
	out := make([]bank.Score, len(est))
	for p, e := range est {
		out[p] = bank.Score{Examinee: mx.Examinees[p], NItems: e.N, Raw: e.Raw, Theta: e.Theta, SE: e.SE}
	}
	return out, irt.Summarize(est, m), run, nil
}

// renderScores writes scores, with empty cells (null in JSON) where an
// estimate is not finite.
func renderScores(w io.Writer, format string, scores []bank.Score) error {
	type view struct {
		Examinee string   `csv:"examinee" json:"examinee"`
		NItems   int      `csv:"n_items" json:"n_items"`
		Raw      int      `csv:"raw" json:"raw"`
		Theta    *float64 `csv:"theta" json:"theta"`
		SE       *float64 `csv:"se" json:"se"`
	}
	if format == "json" {
		rows := make([]view, len(scores))
		for i, s := range scores {
			rows[i] = view{s.Examinee, s.NItems, s.Raw, finite(s.Theta), finite(s.SE)}
		}
		return render(w, format, rows)
	}
	type text struct {
		Examinee string `csv:"examinee"`
		NItems   int    `csv:"n_items"`
		Raw      int    `csv:"raw"`
		Theta    string `csv:"theta"`
		SE       string `csv:"se"`
	}
	rows := make([]text, len(scores))
	for i, s := range scores {
		rows[i] = text{s.Examinee, s.NItems, s.Raw, num(s.Theta), num(s.SE)}
	}
	return render(w, format, rows)
}
