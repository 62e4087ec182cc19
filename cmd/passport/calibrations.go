package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/passportirt/passport/bank"
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
			D         float64 `csv:"D" json:"D"`
			Source    string  `csv:"source" json:"source"`
			LogLik    string  `csv:"loglik" json:"loglik"`
			Cycles    int     `csv:"cycles" json:"cycles"`
			Converged bool    `csv:"converged" json:"converged"`
			Examinees int     `csv:"examinees" json:"examinees"`
			Responses int     `csv:"responses" json:"responses"`
			Parent    int64   `csv:"parent" json:"parent"`
			Created   string  `csv:"created" json:"created"`
		}
		rows := make([]row, len(runs))
		for i, c := range runs {
			rows[i] = row{c.ID, c.Name, c.Model, c.D, c.Source, num(c.LogLik), c.Cycles, c.Converged, c.NExaminees, c.NResponses, c.ParentID, c.CreatedAt}
		}
		return rows, nil
	}))
	show := showCommand(g, "show RUN", "Show a run: its options and its parameter table", "run", "calibrations list",
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
				return renderValue(g.out, "json", runView(c, notes), nil)
			}
			g.status("run %d %q: %s, D = %g, source %s, %d items; log-likelihood %s, %d cycles, converged %v; %d examinees, %d responses; latent N(%.3f, %.3f²); created %s",
				c.ID, c.Name, c.Model, c.D, c.Source, len(c.Params), num(c.LogLik), c.Cycles, c.Converged, c.NExaminees, c.NResponses, c.LatentMean, c.LatentSD, c.CreatedAt)
			return writeParams(g.out, g.format, c.Params, notes)
		})
	show.Long = `Shows a run's summary on stderr and its parameter table on stdout; --format
csv writes the table as item,model,a,b,c,se_a,se_b,se_c,n (what calibrations
import reads), --format json the run with its items.`
	cmd.AddCommand(show)
	var model, name string
	var D float64
	imp := &cobra.Command{
		Use:   "import FILE.csv",
		Short: "Store parameters estimated elsewhere as a run",
		Long: `Stores a parameter table estimated elsewhere (a legacy bank, BILOG, mirt)
as a run of source "import". Columns: item,a,b required; model,c,se_a,se_b,
se_c,n optional; b is the difficulty (IRT form). Give the scaling constant
the parameters were estimated with as --D.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			b, err := g.openBank()
			if err != nil {
				return err
			}
			defer b.Close()
			id, err := b.ImportCalibration(cmd.Context(), args[0], f, model, D, name)
			if err != nil {
				return err
			}
			g.status("stored %s as run %d (%s, D = %g)", args[0], id, model, D)
			fmt.Fprintln(g.out, id)
			return nil
		},
	}
	imp.Flags().StringVar(&model, "model", "3pl", "the parameters' model: rasch, 1pl, 2pl or 3pl")
	imp.Flags().Float64Var(&D, "D", 1, "the scaling constant they were estimated with (1 or 1.7/1.702)")
	imp.Flags().StringVar(&name, "name", "", "a name for the run")
	cmd.AddCommand(imp)
	return cmd
}
