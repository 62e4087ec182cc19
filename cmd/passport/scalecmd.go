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
	cmd.AddCommand(newScaleDefineCmd(g), newScaleListCmd(g), newScaleTableCmd(g), newScaleTablesCmd(g), newScaleShowTableCmd(g))
	return cmd
}

func newScaleDefineCmd(g *globals) *cobra.Command {
	var points, moments string
	var lo, hi float64
	cmd := &cobra.Command{
		Use:   "define NAME",
		Short: "Define a named reporting scale",
		Long: `Defines score = slope·θ + intercept, rounded to whole points and clamped to
[--min, --max], either through two points (--points θ1,s1,θ2,s2; default
-3,300,3,850, the passport scale) or by a reference group's moments
(--moments θmean,θsd,mean,sd: the group's θ mean and SD become the scale's
mean and SD). A name cannot be redefined.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var s scale.Scale
			var def map[string]any
			var err error
			switch {
			case moments != "":
				v, err := floats("moments", moments, 4)
				if err != nil {
					return err
				}
				s, err = scale.FromMoments(v[0], v[1], v[2], v[3], lo, hi)
				if err != nil {
					return err
				}
				def = map[string]any{"moments": v}
			default:
				v, err := floats("points", points, 4)
				if err != nil {
					return err
				}
				s, err = scale.TwoPoints(v[0], v[1], v[2], v[3], lo, hi)
				if err != nil {
					return err
				}
				def = map[string]any{"points": v}
			}
			b, err := g.openBank()
			if err != nil {
				return err
			}
			defer b.Close()
			d := &bank.ScaleDef{Name: args[0], Slope: s.Slope, Intercept: s.Intercept, Min: s.Min, Max: s.Max, Definition: def}
			if _, err := b.SaveScale(cmd.Context(), d); err != nil {
				return err
			}
			g.status("scale %s: score = %.4f·θ + %.4f, in [%g, %g]", d.Name, d.Slope, d.Intercept, d.Min, d.Max)
			return nil
		},
	}
	cmd.Flags().StringVar(&points, "points", "-3,300,3,850", "two points θ1,s1,θ2,s2")
	cmd.Flags().StringVar(&moments, "moments", "", "a reference group's θ mean and SD and the scale mean and SD: θmean,θsd,mean,sd")
	cmd.Flags().Float64Var(&lo, "min", 300, "lowest reported score")
	cmd.Flags().Float64Var(&hi, "max", 850, "highest reported score")
	return cmd
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

func newScaleListCmd(g *globals) *cobra.Command {
	return listCommand(g, "list", "List the defined scales", func(ctx context.Context, b *bank.Bank) (any, error) {
		ss, err := b.Scales(ctx)
		if err != nil {
			return nil, err
		}
		type row struct {
			Name      string  `csv:"name" json:"name"`
			Slope     float64 `csv:"slope" json:"slope"`
			Intercept float64 `csv:"intercept" json:"intercept"`
			Min       float64 `csv:"min" json:"min"`
			Max       float64 `csv:"max" json:"max"`
			Created   string  `csv:"created" json:"created"`
		}
		rows := make([]row, len(ss))
		for i, s := range ss {
			rows[i] = row{s.Name, round4(s.Slope), round4(s.Intercept), s.Min, s.Max, s.CreatedAt}
		}
		return rows, nil
	})
}

type tableOptions struct {
	form, scaleName, method string
	run                     int64
}

func newScaleTableCmd(g *globals) *cobra.Command {
	o := &tableOptions{}
	cmd := &cobra.Command{
		Use:   "table",
		Short: "Build, store and print a form's raw-to-scale conversion table",
		Long: `For each raw score 0…n on the form: θ by summed-score EAP (with its posterior
SD) and by inverting the test characteristic curve, the reported scale
score and its conditional standard error. --method tcc (default) reports
from the TCC inversion — scores at or below the sum of the c's follow a line
from the scale minimum, the top score takes the maximum — and --method eap
from the summed-score EAP. The population is the run's latent distribution.
The table is stored; passport scale tables lists them.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := g.openBank()
			if err != nil {
				return err
			}
			defer b.Close()
			t, err := buildTable(cmd.Context(), b, o)
			if err != nil {
				return err
			}
			g.status("table %d: form %s under run %d on scale %s (%s); scores %g–%g", t.ID, t.Form, t.Run, t.Scale, o.method, t.Rows[0].Score, t.Rows[len(t.Rows)-1].Score)
			return printTable(g.out, g.format, t)
		},
	}
	cmd.Flags().StringVar(&o.form, "form", "", "the form (required)")
	cmd.Flags().Int64Var(&o.run, "run", 0, "the calibration run on the reporting θ scale (required)")
	cmd.Flags().StringVar(&o.scaleName, "scale", "passport", "the scale")
	cmd.Flags().StringVar(&o.method, "method", "tcc", "tcc or eap")
	cmd.MarkFlagRequired("form")
	cmd.MarkFlagRequired("run")
	return cmd
}

// formItemCodes lists a form's items in form order.
func formItemCodes(ctx context.Context, b *bank.Bank, form string) ([]string, error) {
	f, err := b.Form(ctx, form)
	if err != nil {
		return nil, err
	}
	codes := make([]string, len(f.Items))
	for i, it := range f.Items {
		codes[i] = it.Item
	}
	return codes, nil
}

// runItems returns the parameters of the given items in a run, failing with
// the list of items the run lacks.
func runItems(run *bank.Calibration, codes []string) ([]irt.ThreePL, error) {
	byItem := map[string]bank.ParamRow{}
	for _, p := range run.Params {
		byItem[p.Item] = p
	}
	items := make([]irt.ThreePL, 0, len(codes))
	var missing []string
	for _, c := range codes {
		p, ok := byItem[c]
		if !ok {
			missing = append(missing, c)
			continue
		}
		items = append(items, p.ThreePL(run.D))
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("run %d has no parameters for %d of the items: %s", run.ID, len(missing), strings.Join(missing, ", "))
	}
	return items, nil
}

// buildTable computes and stores a form's conversion table.
func buildTable(ctx context.Context, b *bank.Bank, o *tableOptions) (*bank.ConversionTable, error) {
	run, err := b.Calibration(ctx, o.run)
	if err != nil {
		return nil, err
	}
	sd, err := b.Scale(ctx, o.scaleName)
	if err != nil {
		return nil, err
	}
	codes, err := formItemCodes(ctx, b, o.form)
	if err != nil {
		return nil, err
	}
	items, err := runItems(run, codes)
	if err != nil {
		return nil, fmt.Errorf("form %s: %w", o.form, err)
	}
	s := scale.Scale{Slope: sd.Slope, Intercept: sd.Intercept, Min: sd.Min, Max: sd.Max}
	tab, err := scale.ConversionTable(items, s, scale.TableOptions{Method: scale.ThetaMethod(o.method), Population: scale.Population{Mean: run.LatentMean, SD: run.LatentSD}})
	if err != nil {
		return nil, err
	}
	t := &bank.ConversionTable{Form: o.form, Run: run.ID, Scale: sd.Name,
		Options: map[string]any{"method": o.method, "population_mean": run.LatentMean, "population_sd": run.LatentSD, "sum_c": tab.SumC,
			"lowest": tab.Lowest, "highest": tab.Highest, "items": len(items), "csem": "scale-score SD of the Lord-Wingersky raw-score distribution at the raw score's θ"}}
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
		type row struct {
			Raw      int      `json:"raw"`
			ThetaEAP *float64 `json:"theta_eap"`
			SDEAP    *float64 `json:"sd_eap"`
			ThetaTCC *float64 `json:"theta_tcc"`
			Score    float64  `json:"score"`
			CSEM     *float64 `json:"csem"`
		}
		rows := make([]row, len(t.Rows))
		for i, r := range t.Rows {
			rows[i] = row{r.Raw, finite(r.ThetaEAP), finite(r.SDEAP), finite(r.ThetaTCC), r.Score, finite(r.CSEM)}
		}
		return renderValue(w, "json", map[string]any{"table": t.ID, "form": t.Form, "run": t.Run, "scale": t.Scale,
			"options": t.Options, "created_at": t.CreatedAt, "rows": rows}, nil)
	}
	type row struct {
		Raw      int    `csv:"raw"`
		ThetaEAP string `csv:"theta_eap"`
		SDEAP    string `csv:"sd_eap"`
		ThetaTCC string `csv:"theta_tcc"`
		Score    string `csv:"scale_score"`
		CSEM     string `csv:"csem"`
	}
	rows := make([]row, len(t.Rows))
	for i, r := range t.Rows {
		rows[i] = row{r.Raw, num(r.ThetaEAP), num(r.SDEAP), num(r.ThetaTCC), strconv.FormatFloat(r.Score, 'f', 0, 64), strconv.FormatFloat(r.CSEM, 'f', 1, 64)}
	}
	return render(w, format, rows)
}

func newScaleTablesCmd(g *globals) *cobra.Command {
	return listCommand(g, "tables", "List the stored conversion tables", func(ctx context.Context, b *bank.Bank) (any, error) {
		ts, err := b.ConversionTables(ctx)
		if err != nil {
			return nil, err
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
			m, _ := t.Options["method"].(string)
			rows[i] = row{t.ID, t.Form, t.Run, t.Scale, m, t.CreatedAt}
		}
		return rows, nil
	})
}

func newScaleShowTableCmd(g *globals) *cobra.Command {
	return showCommand(g, "show-table ID", "Print a stored conversion table again", "table", "scale tables", func(ctx context.Context, b *bank.Bank, id int64) error {
		t, err := b.ConversionTableByID(ctx, id)
		if err != nil {
			return err
		}
		return printTable(g.out, g.format, t)
	})
}

func newEquateCmd(g *globals) *cobra.Command {
	var run int64
	var fromForm, toForm string
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
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := g.openBank()
			if err != nil {
				return err
			}
			defer b.Close()
			ctx := cmd.Context()
			r, err := b.Calibration(ctx, run)
			if err != nil {
				return err
			}
			form := func(code string) ([]irt.ThreePL, error) {
				codes, err := formItemCodes(ctx, b, code)
				if err != nil {
					return nil, err
				}
				items, err := runItems(r, codes)
				if err != nil {
					return nil, fmt.Errorf("form %s: %w", code, err)
				}
				return items, nil
			}
			x, err := form(fromForm)
			if err != nil {
				return err
			}
			y, err := form(toForm)
			if err != nil {
				return err
			}
			pop := irt.DefaultGrid()
			pop.SetNormalWeights(r.LatentMean, r.LatentSD)
			ts, os := scale.TrueScore(x, y, -6, 6), scale.ObservedScore(x, y, pop)
			e := &bank.Equating{Run: r.ID, FromForm: fromForm, ToForm: toForm, Options: map[string]any{
				"population_mean": r.LatentMean, "population_sd": r.LatentSD, "theta_range": []float64{-6, 6},
				"true_score_policy":     "x <= sum of c: x*sum(c_Y)/sum(c_X); top score to top",
				"observed_score_policy": "equipercentile with uniform continuisation; results in [-0.5, n+0.5]"}}
			for i := range ts {
				e.Rows = append(e.Rows, bank.EquatingRow{Raw: i, True: round4(ts[i]), Observed: round4(os[i])})
			}
			if _, err := b.SaveEquating(ctx, e); err != nil {
				return err
			}
			g.status("equating %d: form %s (%d items) to form %s (%d items) under run %d", e.ID, fromForm, len(x), toForm, len(y), run)
			return render(g.out, g.format, e.Rows)
		},
	}
	cmd.Flags().Int64Var(&run, "run", 0, "the calibration run holding both forms' items (required)")
	cmd.Flags().StringVar(&fromForm, "from-form", "", "the form whose raw scores are equated (required)")
	cmd.Flags().StringVar(&toForm, "to-form", "", "the form they are equated to (required)")
	for _, f := range []string{"run", "from-form", "to-form"} {
		cmd.MarkFlagRequired(f)
	}
	return cmd
}

func newEquatingsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "equatings", Short: "List and show stored equating tables"}
	cmd.AddCommand(listCommand(g, "list", "List the equating tables", func(ctx context.Context, b *bank.Bank) (any, error) {
		es, err := b.Equatings(ctx)
		if err != nil {
			return nil, err
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
		return rows, nil
	}))
	cmd.AddCommand(showCommand(g, "show ID", "Print a stored equating table again", "equating", "equatings list", func(ctx context.Context, b *bank.Bank, id int64) error {
		e, err := b.EquatingByID(ctx, id)
		if err != nil {
			return err
		}
		if g.format == "json" {
			return renderValue(g.out, "json", e, nil)
		}
		g.status("equating %d: form %s to form %s under run %d (%s)", e.ID, e.FromForm, e.ToForm, e.Run, e.CreatedAt)
		return render(g.out, g.format, e.Rows)
	}))
	return cmd
}
