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
	Versions int    `csv:"versions" json:"versions"` // besides version 0, the options as written
}

// listForms is forms list's rows.
func listForms(ctx context.Context, b *bank.Bank) (any, error) {
	forms, err := b.Forms(ctx)
	if err != nil {
		return nil, err
	}
	rows := make([]formRow, len(forms))
	for i, f := range forms {
		rows[i] = formRow{Form: f.Code, Origin: f.Origin, Items: f.Length, Created: f.CreatedAt, Versions: f.VersionCount}
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
	run      ref // take parameters from this run; "": the form's assembly's
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
	cmd.Flags().Var(&o.run, "run", "take parameters from this run, by number or name (default: the form's assembly's run)")
	return cmd
}

// formsExportOptions are forms export's argument and flags.
type formsExportOptions struct {
	*globals // streams, --db, --format
	code     string
	version  int
	output   string
	keyOut   string
}

func newFormsExportCmd(g *globals) *cobra.Command {
	o := &formsExportOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "export FORM",
		Short: "Write a form as delivered, and its answer key in a separate file",
		Long: `Writes a form as delivered in one version: each position's item, stem and
options in delivery order under the letters A, B, … (CSV: position, item,
stem, option_a … option_e; JSON: the form, version and items, each with its
options as letter and text). The answer key goes to a separate file, so
that the form can be handed out without it: position, item and key letter
as delivered, to --key-out or, by default, beside -o as FILE.key.csv
(FILE.key.json). --format csv (the default) or json applies to both.

Version 0 is the form with the options as written; versions 1 and up are
those passport assemble --versions made, with the options scrambled. The
key follows the item's key now: an item rekeyed since the version was made
is named on stderr.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.code = args[0]
			return runFormsExport(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.output, "output", "o", "", "write the form to this file instead of stdout")
	f.StringVar(&o.keyOut, "key-out", "", "write the answer key to this file (default: beside -o, FILE.key.csv or .json)")
	intVar(f, &o.version, "version", 0, 0, maxVersions, "the version: 0 for the options as written, 1 and up for the scrambled ones")
	return cmd
}

// deliveredRow is a position of a delivered form as CSV.
type deliveredRow struct {
	Position int    `json:"position"`
	Item     string `json:"item"`
	Stem     string `json:"stem"`
	OptionA  string `json:"option_a"`
	OptionB  string `json:"option_b"`
	OptionC  string `json:"option_c"`
	OptionD  string `json:"option_d"`
	OptionE  string `json:"option_e"`
}

// deliveredOption is an option of a delivered item as JSON.
type deliveredOption struct {
	Letter string `json:"letter"`
	Text   string `json:"text"`
}

// deliveredItem is a position of a delivered form as JSON.
type deliveredItem struct {
	Position int               `json:"position"`
	Item     string            `json:"item"`
	Stem     string            `json:"stem"`
	Options  []deliveredOption `json:"options"`
}

// keyRow is a position of an answer key.
type keyRow struct {
	Position int    `json:"position"`
	Item     string `json:"item"`
	Key      string `json:"key"`
}

// runFormsExport writes form o.code as version o.version delivers it,
// and its answer key.
func runFormsExport(ctx context.Context, o *formsExportOptions) error {
	if err := o.exportFormat("csv", "json"); err != nil {
		return err
	}
	keyOut := o.keyOut
	switch {
	case keyOut == "" && o.output == "":
		return fmt.Errorf("the answer key goes to a file of its own: give -o FILE (the key goes beside it) or --key-out FILE")
	case keyOut == "":
		keyOut = strings.TrimSuffix(o.output, "."+o.format) + ".key." + o.format
	}
	if keyOut == o.output {
		return fmt.Errorf("--key-out %s: the answer key would overwrite the form", keyOut)
	}
	b, err := o.openBank()
	if err != nil {
		return err
	}
	defer b.Close()
	d, err := b.Delivered(ctx, o.code, o.version)
	if err != nil {
		return err
	}
	var rows []deliveredRow
	var items []deliveredItem
	var keys []keyRow
	for _, di := range d.Items {
		opts := make([]string, len(assemble.Letters))
		copy(opts, di.Options)
		rows = append(rows, deliveredRow{di.Position, di.Item, di.Stem, opts[0], opts[1], opts[2], opts[3], opts[4]})
		it := deliveredItem{Position: di.Position, Item: di.Item, Stem: di.Stem}
		for m, text := range di.Options {
			it.Options = append(it.Options, deliveredOption{assemble.Letters[m : m+1], text})
		}
		items = append(items, it)
		keys = append(keys, keyRow{di.Position, di.Item, di.Key})
		if di.Key != di.Recorded {
			o.status("%s: rekeyed since version %d was made: its key is delivered as %q (the version recorded %q)", di.Item, d.Version, di.Key, di.Recorded)
		}
	}
	var form any = rows
	if o.format == "json" {
		form = struct {
			Form    string          `json:"form"`
			Version int             `json:"version"`
			Items   []deliveredItem `json:"items"`
		}{d.Form, d.Version, items}
	}
	if err := writeOutput(o.globals, o.output, func(w io.Writer) error { return render(w, o.format, form) }); err != nil {
		return err
	}
	if err := writeOutput(o.globals, keyOut, func(w io.Writer) error { return render(w, o.format, keys) }); err != nil {
		return err
	}
	o.status("form %s, version %d: %d items; answer key in %s", d.Form, d.Version, len(d.Items), keyOut)
	return nil
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
	var run int64
	if o.run != "" {
		if run, err = o.run.resolve(ctx, b, bank.KindRun); err != nil {
			return err
		}
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
		params = c.ParamsByItem()
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
