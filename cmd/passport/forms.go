package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/spf13/cobra"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/irt"
)

func newFormsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "forms", Short: "List, show and export test forms"}
	cmd.AddCommand(listCommand(g, "list", "List the forms: assembled, and defined by response logs", func(ctx context.Context, b *bank.Bank) (any, error) {
		forms, err := b.Forms(ctx)
		if err != nil {
			return nil, err
		}
		type row struct {
			Form     string `csv:"form" json:"form"`
			Origin   string `csv:"origin" json:"origin"`
			Items    int    `csv:"items" json:"items"`
			Assembly *int64 `csv:"assembly" json:"assembly"` // nil for a form not assembled
			Created  string `csv:"created" json:"created"`
		}
		rows := make([]row, len(forms))
		for i, f := range forms {
			rows[i] = row{Form: f.Code, Origin: f.Origin, Items: f.Length, Created: f.CreatedAt}
			if f.AssemblyID > 0 {
				rows[i].Assembly = &f.AssemblyID
			}
		}
		return rows, nil
	}))
	var run int64
	show := &cobra.Command{
		Use:   "show FORM",
		Short: "Show a form's items with their parameters",
		Long: `Shows a form's items in order with their content and parameters: those of
the run the form was assembled from, or of --run. A summary goes to stderr:
the assembly (solver, objective, bound, gap) and the form's information and
characteristic curve at the blueprint's θ points.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := g.openBank()
			if err != nil {
				return err
			}
			defer b.Close()
			return showForm(cmd.Context(), g, b, args[0], run)
		},
	}
	show.Flags().Int64Var(&run, "run", 0, "take parameters from this run (default: the form's assembly's run)")
	cmd.AddCommand(show)
	var output string
	export := &cobra.Command{
		Use:   "export FORM...",
		Short: "Write forms' items as CSV, ready to print or deliver",
		Long: `Writes the forms' items in form order as CSV: form, position, anchor (1 for
an item on every form of its assembly), then the item in the items CSV
format (id, domain, subdomain, status, stem, option_a … option_e, key,
enemy_group).`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := g.openBank()
			if err != nil {
				return err
			}
			defer b.Close()
			return writeOutput(g, output, func(w io.Writer) error { return b.ExportForms(cmd.Context(), w, args) })
		},
	}
	export.Flags().StringVarP(&output, "output", "o", "", "write to this file instead of stdout")
	cmd.AddCommand(export)
	return cmd
}

// formItemView is a form's item as JSON: parameters null when the run
// has none.
type formItemView struct {
	Position  int      `json:"position"`
	Item      string   `json:"item"`
	Domain    string   `json:"domain"`
	Subdomain string   `json:"subdomain"`
	Anchor    bool     `json:"anchor"`
	A         *float64 `json:"a"`
	B         *float64 `json:"b"`
	C         *float64 `json:"c"`
}

// formItemText is a form's item as table or CSV text.
type formItemText struct {
	Position  int    `csv:"position"`
	Item      string `csv:"item"`
	Domain    string `csv:"domain"`
	Subdomain string `csv:"subdomain"`
	Anchor    bool   `csv:"anchor"`
	A         string `csv:"a"`
	B         string `csv:"b"`
	C         string `csv:"c"`
}

// showForm writes form code's items with the parameters of run (0: its
// assembly's run), and a summary on stderr.
func showForm(ctx context.Context, g *globals, b *bank.Bank, code string, run int64) error {
	f, err := b.Form(ctx, code)
	if err != nil {
		return err
	}
	var asm *bank.Assembly
	if f.AssemblyID > 0 {
		if asm, err = b.Assembly(ctx, f.AssemblyID); err != nil {
			return err
		}
		if run == 0 {
			run = asm.CalibrationID
		}
	}
	params := map[string]irt.ThreePL{}
	if run > 0 {
		c, err := b.Calibration(ctx, run)
		if err != nil {
			return err
		}
		for _, p := range c.Params {
			params[p.Item] = p.ThreePL(c.D)
		}
	}
	items, err := b.Items(ctx, bank.ItemFilter{})
	if err != nil {
		return err
	}
	byCode := make(map[string]bank.Item, len(items))
	for _, it := range items {
		byCode[it.Code] = it
	}
	rows := make([]formItemView, len(f.Items))
	var form []irt.ThreePL
	for i, fi := range f.Items {
		it := byCode[fi.Item]
		rows[i] = formItemView{Position: fi.Position, Item: fi.Item, Domain: it.Domain, Subdomain: it.Subdomain, Anchor: fi.Anchor}
		if p, ok := params[fi.Item]; ok {
			rows[i].A, rows[i].B, rows[i].C = &p.A, &p.B, &p.C
			form = append(form, p)
		}
	}
	g.status("form %s: %s, %d items", f.Code, f.Origin, f.Length)
	if asm != nil {
		g.status("assembly %d %q from run %d: %s, %s; objective %s, bound %s, gap %s; created %s",
			asm.ID, asm.Name, asm.CalibrationID, asm.Solver, asm.Status, num(asm.Objective), num(asm.Bound), percent(asm.Gap), asm.CreatedAt)
	}
	if run > 0 {
		var pts []string
		for _, th := range []float64{-2, -1, 0, 1, 2} {
			pts = append(pts, fmt.Sprintf("θ %g: I %.2f (SE %.3f), T %.2f", th, irt.TestInfo(form, th), 1/math.Sqrt(irt.TestInfo(form, th)), irt.TCC(form, th)))
		}
		g.status("under run %d (%d of %d items with parameters): %s", run, len(form), len(f.Items), strings.Join(pts, "; "))
	}
	if g.format == "json" {
		return render(g.out, "json", rows)
	}
	text := make([]formItemText, len(rows))
	for i, r := range rows {
		text[i] = formItemText{Position: r.Position, Item: r.Item, Domain: r.Domain, Subdomain: r.Subdomain, Anchor: r.Anchor}
		if r.A != nil {
			text[i].A, text[i].B, text[i].C = num(*r.A), num(*r.B), num(*r.C)
		}
	}
	return render(g.out, g.format, text)
}
