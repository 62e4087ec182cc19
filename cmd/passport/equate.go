package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/scale"
)

type equateOptions struct {
	*globals         // streams, --db, --quiet, --format
	run              ref
	fromForm, toForm string
}

func newEquateCmd(g *globals) *cobra.Command {
	o := &equateOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "equate",
		Short: "Equate raw scores of one form to another on a common scale",
		Long: `Prints, for each raw score on --from-form, its equivalent on --to-form by
IRT true-score equating (TCC of one form inverted, TCC of the other applied;
scores at or below the sum of the c's scaled linearly, the top score to the
top) and by IRT observed-score equating (the forms' model-implied raw-score
distributions in the run's population, equated equipercentile-wise; results
lie in [−0.5, n + 0.5]). Both forms' items must have parameters in --run.
The table is stored; passport equatings lists them.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runEquate(cmd.Context(), o) },
	}
	cmd.Flags().Var(&o.run, "run", "the calibration run holding both forms' items, by number or name (required)")
	cmd.Flags().StringVar(&o.fromForm, "from-form", "", "the form whose raw scores are equated (required)")
	cmd.Flags().StringVar(&o.toForm, "to-form", "", "the form they are equated to (required)")
	for _, f := range []string{"run", "from-form", "to-form"} {
		cmd.MarkFlagRequired(f)
	}
	return cmd
}

// runEquate equates o.fromForm to o.toForm under run o.run, stores the
// table and writes it.
func runEquate(ctx context.Context, o *equateOptions) error {
	b, err := o.openBank()
	if err != nil {
		return err
	}
	defer b.Close()
	r, err := o.run.run(ctx, b)
	if err != nil {
		return err
	}
	x, err := formItems(ctx, b, r, o.fromForm)
	if err != nil {
		return err
	}
	y, err := formItems(ctx, b, r, o.toForm)
	if err != nil {
		return err
	}
	eq := scale.Equate(x, y, scale.EquateOptions{Population: scale.Population{Mean: r.LatentMean, SD: r.LatentSD, Grid: r.Grid()}})
	e := &bank.Equating{Run: r.ID, FromForm: o.fromForm, ToForm: o.toForm, Options: bank.EquatingOptions{
		PopulationMean: r.LatentMean, PopulationSD: r.LatentSD, ThetaRange: []float64{eq.Lo, eq.Hi},
		TrueScorePolicy:     "x <= sum of c: x*sum(c_Y)/sum(c_X); top score to top",
		ObservedScorePolicy: "equipercentile with uniform continuisation; results in [-0.5, n+0.5]"}}
	for i := range eq.True {
		e.Rows = append(e.Rows, bank.EquatingRow{Raw: i, True: eq.True[i], Observed: eq.Observed[i]})
	}
	if _, err := b.SaveEquating(ctx, e); err != nil {
		return err
	}
	o.status("equating %d: form %s (%d items) to form %s (%d items) under run %d", e.ID, o.fromForm, len(x), o.toForm, len(y), r.ID)
	if e.Existing {
		o.status("equating %d with these inputs and options was stored on %s: it is shown, not stored again", e.ID, e.CreatedAt)
	}
	return printEquating(o.out, o.format, e.Rows)
}

// printEquating writes an equating table.
func printEquating(w io.Writer, format string, rows []bank.EquatingRow) error {
	return render(w, format, rows)
}

type equatingsOptions struct {
	*globals     // streams, --db, --quiet, --format
	id       ref // show: the equating
}

func newEquatingsCmd(g *globals) *cobra.Command {
	o := &equatingsOptions{globals: g}
	cmd := &cobra.Command{Use: "equatings", Short: "List and show stored equating tables"}
	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List the equating tables",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return runEquatingsList(cmd.Context(), o) },
	}, &cobra.Command{
		Use:   "show EQUATING",
		Short: "Print a stored equating table (by number or name) again",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.id = ref(args[0])
			return runEquatingsShow(cmd.Context(), o)
		},
	})
	return cmd
}

// runEquatingsList writes the stored equating tables.
func runEquatingsList(ctx context.Context, o *equatingsOptions) error {
	b, err := o.openBank()
	if err != nil {
		return err
	}
	defer b.Close()
	es, err := b.Equatings(ctx)
	if err != nil {
		return err
	}
	type row struct {
		ID      int64  `csv:"equating" json:"equating"`
		Run     int64  `csv:"run" json:"run"`
		From    string `csv:"from_form" json:"from_form"`
		To      string `csv:"to_form" json:"to_form"`
		Created string `csv:"created" json:"created"`
	}
	rows := make([]row, len(es))
	for i, e := range es {
		rows[i] = row{e.ID, e.Run, e.FromForm, e.ToForm, e.CreatedAt}
	}
	return render(o.out, o.format, rows)
}

// runEquatingsShow writes equating o.id again: in JSON with its options.
func runEquatingsShow(ctx context.Context, o *equatingsOptions) error {
	b, err := o.openBank()
	if err != nil {
		return err
	}
	defer b.Close()
	id, err := o.id.resolve(ctx, b, bank.KindEquating)
	if err != nil {
		return err
	}
	e, err := b.EquatingByID(ctx, id)
	if err != nil {
		return err
	}
	if o.format == "json" {
		return render(o.out, "json", e)
	}
	o.status("equating %d: form %s to form %s under run %d (%s)", e.ID, e.FromForm, e.ToForm, e.Run, e.CreatedAt)
	return printEquating(o.out, o.format, e.Rows)
}
