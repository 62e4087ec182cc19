package main

import (
	"context"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/passportirt/passport/bank"
)

func newResponsesCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "responses", Short: "Import and export response logs"}
	cmd.AddCommand(newResponsesImportCmd(g), newResponsesExportCmd(g))
	return cmd
}

type responsesImportOptions struct {
	*globals
	file        string
	wide        bool
	onDuplicate string
	key         string
	wideOpts    bank.WideOptions
}

func newResponsesImportCmd(g *globals) *cobra.Command {
	o := &responsesImportOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "import FILE.csv",
		Short: "Import a response log, long or wide (one transaction)",
		Long: `Imports responses in one transaction: the whole file or nothing.

Long format (default), one row per examinee and item:
  examinee,form,item,option,score,time,administered_at
option is a letter A–E or a number 1–5 scored with the item's key ("-" marks
an item presented but not answered); or give a 0/1 score. time is seconds,
administered_at RFC 3339 or YYYY-MM-DD; both optional. The long layout of
the Item Response Warehouse is read too: id,item,resp[,form,option,rt,date]
(resp the 0/1 score, rt seconds, date Unix seconds; other columns ignored).

Wide format (--wide), one row per examinee, one column per item, as mirt and
most IRT programs exchange data: cells are chosen options (scored with --key
or the bank's keys) or, with --scored, 0/1; NA or empty means not
administered. An "examinee" or "id" column (or --id-column) names the
examinees; otherwise rows are numbered.

A file already imported is refused. Duplicate responses (same examinee and
item) follow --on-duplicate.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.file = args[0]
			_, err := runResponsesImport(cmd.Context(), o)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.wideOpts.Name, "name", "", "a name for the import (e.g. year-2026), by which commands can refer to it")
	f.BoolVar(&o.wide, "wide", false, "the file is a wide matrix: one row per examinee, one column per item")
	f.StringVar(&o.onDuplicate, "on-duplicate", "reject", "a second response of an examinee to an item: reject, first or last")
	f.StringVar(&o.wideOpts.Omit, "omit", "", `a code meaning "presented, not answered", scored wrong (e.g. 8)`)
	f.StringVar(&o.key, "key", "", "wide: the answer key, one option per item column, comma-separated (e.g. A,C,B or 1,3,2)")
	f.BoolVar(&o.wideOpts.Scored, "scored", false, "wide: cells are 0/1 scores, not options")
	f.StringVar(&o.wideOpts.Form, "form", "", "wide: the form every row took")
	f.StringVar(&o.wideOpts.IDColumn, "id-column", "", "wide: the column holding examinee ids")
	f.StringVar(&o.wideOpts.IDPrefix, "id-prefix", "", "wide: prefix of numbered examinees (default: the file's name)")
	f.BoolVar(&o.wideOpts.AddItems, "add-items", false, "wide: create item columns the bank lacks, as pretest items of --domain")
	f.StringVar(&o.wideOpts.Domain, "domain", "", "wide, with --add-items: the new items' domain")
	intVar(f, &o.wideOpts.NOptions, "n-options", 4, 2, 5, "wide, with --add-items: the new items' number of options")
	return cmd
}

// runResponsesImport imports o.file in one transaction and says what it
// added.
func runResponsesImport(ctx context.Context, o *responsesImportOptions) (bank.ResponsesImport, error) {
	dup, err := bank.ParseOnDuplicate(o.onDuplicate)
	if err != nil {
		return bank.ResponsesImport{}, err
	}
	f, err := os.Open(o.file)
	if err != nil {
		return bank.ResponsesImport{}, err
	}
	defer f.Close()
	var size int64
	if fi, err := f.Stat(); err == nil {
		size = fi.Size()
	}
	b, err := o.openBank()
	if err != nil {
		return bank.ResponsesImport{}, err
	}
	defer b.Close()
	p := o.progress("importing "+o.file, 0, "rows")
	defer p.Done()
	opts := o.wideOpts
	opts.OnDuplicate = dup
	opts.Progress = p.Set
	var res bank.ResponsesImport
	if o.wide {
		if o.key != "" {
			opts.Key = strings.Split(o.key, ",")
		}
		res, err = b.ImportWide(ctx, o.file, f, opts)
	} else {
		res, err = b.ImportLong(ctx, o.file, f, opts.ResponseOptions)
	}
	p.Done()
	if err != nil {
		return bank.ResponsesImport{}, err
	}
	o.status("imported %s (%d bytes) as import %d: %d rows, %d responses added, %d duplicates (%s), %d omitted, %d new examinees, %d new forms",
		o.file, size, res.ImportID, res.Rows, res.Responses, res.Duplicates, dup, res.Omitted, res.NewExaminees, res.NewForms)
	return res, nil
}

type responsesExportOptions struct {
	*globals
	output string
}

func newResponsesExportCmd(g *globals) *cobra.Command {
	o := &responsesExportOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write every response in the long format (CSV, or Parquet in the IRW's layout)",
		Long: `Writes every response, ordered by examinee and item, in the long format:
as CSV (default), the import format, or with --format parquet as a Parquet
table in the long layout of the Item Response Warehouse, for Spark, DuckDB
or pandas: id (the examinee), item, resp (the 0/1 score), form, option (a
letter, - for an omit, null where the log had only a score), rt (seconds)
and date (Unix seconds), null where not known. --responses reads either
back.`,
		Args:        cobra.NoArgs,
		Annotations: map[string]string{fileFormat: "parquet"},
		RunE:        func(cmd *cobra.Command, args []string) error { return runResponsesExport(cmd.Context(), o) },
	}
	cmd.Flags().StringVarP(&o.output, "output", "o", "", "write to this file instead of stdout")
	return cmd
}

// runResponsesExport writes the bank's responses as a long CSV log, or a
// Parquet table with --format parquet.
func runResponsesExport(ctx context.Context, o *responsesExportOptions) error {
	if err := o.exportFormat("csv", "parquet"); err != nil {
		return err
	}
	b, err := o.openBank()
	if err != nil {
		return err
	}
	defer b.Close()
	export := b.ExportResponses
	if o.format == "parquet" {
		export = b.ExportResponsesParquet
	}
	return writeOutput(o.globals, o.output, func(w io.Writer) error { return export(ctx, w) })
}
