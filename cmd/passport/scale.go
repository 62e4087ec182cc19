package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/irt"
	"github.com/passportirt/passport/scale"
)

func newScaleCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "scale", Short: "Reporting scales and raw-to-scale conversion tables"}
	cmd.AddCommand(newScaleDefineCmd(g), newScaleListCmd(g), newScaleTableCmd(g))
	cmd.AddCommand(newScaleTablesCmds(g)...)
	return cmd
}

type scaleDefineOptions struct {
	*globals        // streams, --db, --quiet, --format
	name            string
	points, moments string
	min, max        float64
}

func newScaleDefineCmd(g *globals) *cobra.Command {
	o := &scaleDefineOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "define NAME",
		Short: "Define a named reporting scale",
		Long: `Defines score = slope·θ + intercept, rounded to whole points and clamped to
[--min, --max], either through two points (--points θ1,s1,θ2,s2; default
-3,300,3,850) or by a reference group's moments (--moments
θmean,θsd,mean,sd: the group's θ mean and SD become the scale's mean and
SD). A name cannot be redefined. Every bank has the scale passport
(θ = −3 → 300, θ = 3 → 850, in [300, 850]); passport scale list shows it.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.name = args[0]
			return runScaleDefine(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.points, "points", "-3,300,3,850", "two points θ1,s1,θ2,s2")
	cmd.Flags().StringVar(&o.moments, "moments", "", "a reference group's θ mean and SD and the scale mean and SD: θmean,θsd,mean,sd")
	floatVar(cmd.Flags(), &o.min, "min", 300, incl(-1e6), incl(1e6), "lowest reported score")
	floatVar(cmd.Flags(), &o.max, "max", 850, incl(-1e6), incl(1e6), "highest reported score")
	return cmd
}

// runScaleDefine stores the scale o defines.
func runScaleDefine(ctx context.Context, o *scaleDefineOptions) error {
	var s scale.Scale
	var def bank.ScaleDefinition
	if o.moments != "" {
		v, err := floats("moments", o.moments, 4)
		if err != nil {
			return err
		}
		if s, err = scale.FromMoments(v[0], v[1], v[2], v[3], o.min, o.max); err != nil {
			return err
		}
		def.Moments = v
	} else {
		v, err := floats("points", o.points, 4)
		if err != nil {
			return err
		}
		if s, err = scale.TwoPoints(v[0], v[1], v[2], v[3], o.min, o.max); err != nil {
			return err
		}
		def.Points = v
	}
	b, err := o.openBank()
	if err != nil {
		return err
	}
	defer b.Close()
	d := &bank.ScaleDef{Name: o.name, Slope: s.Slope, Intercept: s.Intercept, Min: s.Min, Max: s.Max, Definition: def}
	if _, err := b.SaveScale(ctx, d); err != nil {
		return err
	}
	o.status("scale %s: score = %.4f·θ + %.4f, in [%g, %g]", d.Name, d.Slope, d.Intercept, d.Min, d.Max)
	return nil
}

// floats parses n comma-separated numbers.
func floats(flag, s string, n int) ([]float64, error) {
	parts := strings.Split(s, ",")
	if len(parts) != n {
		return nil, fmt.Errorf("--%s %q: expected %d comma-separated numbers", flag, s, n)
	}
	out := make([]float64, n)
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil, fmt.Errorf("--%s %q: %q is not a number", flag, s, p)
		}
		out[i] = x
	}
	return out, nil
}

type scaleListOptions struct {
	*globals // streams, --db, --quiet, --format
}

func newScaleListCmd(g *globals) *cobra.Command {
	o := &scaleListOptions{globals: g}
	return &cobra.Command{
		Use:   "list",
		Short: "List the defined scales",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return runScaleList(cmd.Context(), o) },
	}
}

// runScaleList writes the defined scales.
func runScaleList(ctx context.Context, o *scaleListOptions) error {
	b, err := o.openBank()
	if err != nil {
		return err
	}
	defer b.Close()
	ss, err := b.Scales(ctx)
	if err != nil {
		return err
	}
	return render(o.out, o.format, ss)
}

type tableOptions struct {
	*globals                // streams, --db, --quiet, --format
	form, scaleName, method string
	run                     ref
}

func newScaleTableCmd(g *globals) *cobra.Command {
	o := &tableOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "table",
		Short: "Build, store and print a form's raw-to-scale conversion table",
		Long: `For each raw score 0…n on the form: θ by summed-score EAP (with its posterior
SD) and θ by the test characteristic curve, the reported scale score and
its conditional standard error. The TCC θ of x is TCC⁻¹(x) for Σc < x < n;
the top score takes TCC⁻¹(n − 0.5), and the scores at or below Σc a line
in x from θ = −6 at 0 to the first score above Σc. A root beyond ±6 takes
the bound, and a θ at −6 or 6 the scale's minimum or maximum. --method tcc
(default) reports the scale score of the TCC θ and --method eap that of
the summed-score EAP; the CSEM is the SD of the reported score over the
raw scores of examinees at that same θ. The population is the run's latent
distribution. The table is stored; passport scale tables lists them.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := runScaleTable(cmd.Context(), o)
			return err
		},
	}
	cmd.Flags().StringVar(&o.form, "form", "", "the form (required)")
	cmd.Flags().Var(&o.run, "run", "the calibration run on the reporting θ scale, by number or name (required)")
	cmd.Flags().StringVar(&o.scaleName, "scale", "passport", "the scale")
	cmd.Flags().StringVar(&o.method, "method", "tcc", "tcc or eap")
	cmd.MarkFlagRequired("form")
	cmd.MarkFlagRequired("run")
	return cmd
}

// runScaleTable builds, stores and writes a form's conversion table.
func runScaleTable(ctx context.Context, o *tableOptions) (*bank.ConversionTable, error) {
	b, err := o.openBank()
	if err != nil {
		return nil, err
	}
	defer b.Close()
	t, err := buildTable(ctx, b, o)
	if err != nil {
		return nil, err
	}
	o.status("table %d: form %s under run %d on scale %s (%s); scores %g–%g", t.ID, t.Form, t.Run, t.Scale, o.method, t.Rows[0].Score, t.Rows[len(t.Rows)-1].Score)
	if t.Existing {
		o.status("table %d with these inputs and options was stored on %s: it is shown, not stored again", t.ID, t.CreatedAt)
	}
	return t, printTable(o.out, o.format, t)
}

// formItems returns a form's items, in form order, with their parameters
// in run, failing with the list of items the run lacks.
func formItems(ctx context.Context, b *bank.Bank, run *bank.Calibration, form string) ([]irt.ThreePL, error) {
	f, err := b.Form(ctx, form)
	if err != nil {
		return nil, err
	}
	byItem := map[string]bank.ParamRow{}
	for _, p := range run.Params {
		byItem[p.Item] = p
	}
	items := make([]irt.ThreePL, 0, len(f.Items))
	var missing []string
	for _, it := range f.Items {
		p, ok := byItem[it.Item]
		if !ok {
			missing = append(missing, it.Item)
			continue
		}
		items = append(items, p.ThreePL(run.D))
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("form %s: run %d has no parameters for %d of the items: %s", form, run.ID, len(missing), strings.Join(missing, ", "))
	}
	return items, nil
}

// buildTable computes and stores a form's conversion table.
func buildTable(ctx context.Context, b *bank.Bank, o *tableOptions) (*bank.ConversionTable, error) {
	run, err := o.run.run(ctx, b)
	if err != nil {
		return nil, err
	}
	sd, err := b.Scale(ctx, o.scaleName)
	if err != nil {
		return nil, err
	}
	items, err := formItems(ctx, b, run, o.form)
	if err != nil {
		return nil, err
	}
	s := scale.Scale{Slope: sd.Slope, Intercept: sd.Intercept, Min: sd.Min, Max: sd.Max}
	tab, err := scale.ConversionTable(items, s, scale.TableOptions{Method: scale.ThetaMethod(o.method),
		Population: scale.Population{Mean: run.LatentMean, SD: run.LatentSD, Grid: run.Grid()}})
	if err != nil {
		return nil, err
	}
	t := &bank.ConversionTable{Form: o.form, Run: run.ID, Scale: sd.Name,
		Options: bank.TableOptions{Method: o.method, PopulationMean: run.LatentMean, PopulationSD: run.LatentSD, SumC: tab.SumC,
			Lowest: tab.Lowest, Highest: tab.Highest, Items: len(items),
			ThetaTCC: fmt.Sprintf("TCC^-1(x) for sum of c < x < n; TCC^-1(n - %g) at n; below, linear in x from %g at 0; a root beyond [%g, %g] at the bound, scored min or max",
				scale.TopAdjust, tab.Lo, tab.Lo, tab.Hi),
			CSEM: "scale-score SD of the Lord-Wingersky raw-score distribution at the θ of the raw score's scale score (theta_tcc or theta_eap by method)"}}
	for _, r := range tab.Rows {
		t.Rows = append(t.Rows, bank.ConversionRow{Raw: r.Raw, ThetaEAP: r.ThetaEAP, SDEAP: r.SDEAP, ThetaTCC: r.ThetaTCC, Score: r.Score, CSEM: r.CSEM})
	}
	if _, err := b.SaveConversionTable(ctx, t); err != nil {
		return nil, err
	}
	return t, nil
}

// printTable writes a conversion table.
func printTable(w io.Writer, format string, t *bank.ConversionTable) error {
	if format == "json" {
		return render(w, format, t)
	}
	return render(w, format, t.Rows)
}

type tablesOptions struct {
	*globals     // streams, --db, --quiet, --format
	id       ref // show-table: the table
}

// newScaleTablesCmds are scale tables and scale show-table.
func newScaleTablesCmds(g *globals) []*cobra.Command {
	o := &tablesOptions{globals: g}
	return []*cobra.Command{{
		Use:   "tables",
		Short: "List the stored conversion tables",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return runScaleTables(cmd.Context(), o) },
	}, {
		Use:   "show-table TABLE",
		Short: "Print a stored conversion table (by number or name) again",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.id = ref(args[0])
			return runScaleShowTable(cmd.Context(), o)
		},
	}}
}

// runScaleTables writes the stored conversion tables.
func runScaleTables(ctx context.Context, o *tablesOptions) error {
	b, err := o.openBank()
	if err != nil {
		return err
	}
	defer b.Close()
	ts, err := b.ConversionTables(ctx)
	if err != nil {
		return err
	}
	type row struct {
		ID      int64  `csv:"table" json:"table"`
		Form    string `csv:"form" json:"form"`
		Run     int64  `csv:"run" json:"run"`
		Scale   string `csv:"scale" json:"scale"`
		Method  string `csv:"method" json:"method"`
		Created string `csv:"created" json:"created"`
	}
	rows := make([]row, len(ts))
	for i, t := range ts {
		rows[i] = row{t.ID, t.Form, t.Run, t.Scale, t.Options.Method, t.CreatedAt}
	}
	return render(o.out, o.format, rows)
}

// runScaleShowTable writes table o.id again.
func runScaleShowTable(ctx context.Context, o *tablesOptions) error {
	b, err := o.openBank()
	if err != nil {
		return err
	}
	defer b.Close()
	id, err := o.id.resolve(ctx, b, bank.KindTable)
	if err != nil {
		return err
	}
	t, err := b.ConversionTableByID(ctx, id)
	if err != nil {
		return err
	}
	return printTable(o.out, o.format, t)
}
