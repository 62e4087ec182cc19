package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/bank/assemble"
	"github.com/passportirt/passport/irt"
)

func newFormsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "forms", Short: "List, show and export test forms"}
	cmd.AddCommand(listCommand(g, "list", "List the forms: assembled, and defined by response logs", listForms))
	cmd.AddCommand(newFormsShowCmd(g), newFormsExportCmd(g))
	return cmd
}

// formRow is a form in forms list.
type formRow struct {
	Form     string `csv:"form" json:"form"`
	Origin   string `csv:"origin" json:"origin"`
	Items    int    `csv:"items" json:"items"`
	Assembly *int64 `csv:"assembly" json:"assembly"` // nil for a form not assembled
	Created  string `csv:"created" json:"created"`
}

// listForms is forms list's rows.
func listForms(ctx context.Context, b *bank.Bank) (any, error) {
	forms, err := b.Forms(ctx)
	if err != nil {
		return nil, err
	}
	rows := make([]formRow, len(forms))
	for i, f := range forms {
		rows[i] = formRow{Form: f.Code, Origin: f.Origin, Items: f.Length, Created: f.CreatedAt}
		if f.AssemblyID > 0 {
			rows[i].Assembly = &f.AssemblyID
		}
	}
	return rows, nil
}

// formsShowOptions are forms show's argument and flags.
type formsShowOptions struct {
	*globals // streams, --db, --quiet, --format
	code     string
	run      int64 // take parameters from this run; 0: the form's assembly's
}

func newFormsShowCmd(g *globals) *cobra.Command {
	o := &formsShowOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "show FORM",
		Short: "Show a form's items with their parameters",
		Long: `Shows a form's items in order with their content and parameters: those of
the run the form was assembled from, or of --run. A summary goes to stderr:
the assembly (solver, objective, bound, gap) and the form's information
(with its standard error) and characteristic curve at θ = −2, −1, 0, 1, 2.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.code = args[0]
			return runFormsShow(cmd.Context(), o)
		},
	}
	cmd.Flags().Int64Var(&o.run, "run", 0, "take parameters from this run (default: the form's assembly's run)")
	return cmd
}

// formsExportOptions are forms export's arguments and flags.
type formsExportOptions struct {
	*globals // streams, --db
	codes    []string
	output   string
}

func newFormsExportCmd(g *globals) *cobra.Command {
	o := &formsExportOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "export FORM...",
		Short: "Write forms' items as CSV, ready to print or deliver",
		Long: `Writes the forms' items in form order as CSV: form, position, anchor (1 for
an item on every form of its assembly), then the item in the items CSV
format (id, domain, subdomain, status, stem, option_a … option_e, key,
enemy_group).`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.codes = args
			return runFormsExport(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVarP(&o.output, "output", "o", "", "write to this file instead of stdout")
	return cmd
}

// runFormsExport writes the forms' items as CSV.
func runFormsExport(ctx context.Context, o *formsExportOptions) error {
	b, err := o.openBank()
	if err != nil {
		return err
	}
	defer b.Close()
	return writeOutput(o.globals, o.output, func(w io.Writer) error { return b.ExportForms(ctx, w, o.codes) })
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

// showThetas are the θ points of forms show's summary.
var showThetas = []float64{-2, -1, 0, 1, 2}

// runFormsShow writes form o.code's items with the parameters of o.run
// (0: its assembly's run), and a summary on stderr.
func runFormsShow(ctx context.Context, o *formsShowOptions) error {
	b, err := o.openBank()
	if err != nil {
		return err
	}
	defer b.Close()
	f, err := b.Form(ctx, o.code)
	if err != nil {
		return err
	}
	run := o.run
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
		for i, p := range c.ItemParams() {
			params[c.Params[i].Item] = p
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
	o.status("form %s: %s, %d items", f.Code, f.Origin, f.Length)
	if asm != nil {
		o.status("assembly %d %q from run %d: %s, %s; objective %s, bound %s, gap %s; created %s",
			asm.ID, asm.Name, asm.CalibrationID, asm.Solver, statusText(asm.Status, asm.Gap, asm.Options.Gap), num(asm.Objective), num(asm.Bound),
			percent(asm.Gap), asm.CreatedAt)
	}
	if run > 0 {
		var pts []string
		for _, c := range assemble.Curves([][]irt.ThreePL{form}, showThetas) {
			pts = append(pts, fmt.Sprintf("θ %g: I %.2f (SE %.3f), T %.2f", c.Theta, c.Info, c.SE, c.TCC))
		}
		o.status("under run %d (%d of %d items with parameters): %s", run, len(form), len(f.Items), strings.Join(pts, "; "))
	}
	return render(o.out, o.format, rows)
}
