package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

func newBankCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "bank", Short: "Facts about the bank"}
	cmd.AddCommand(newBankStatsCmd(g))
	return cmd
}

type bankStatsOptions struct {
	*globals
	table string // one table only: summary, domains, forms or items; "" for the overview
}

// bankTables are the tables bank stats prints on their own.
var bankTables = []string{"summary", "domains", "forms", "items"}

func newBankStatsCmd(g *globals) *cobra.Command {
	o := &bankStatsOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "stats",
		Short: "Counts by domain, status and form, and responses per item",
		Long: `Counts the bank's items by domain and status, the forms with their
examinees and responses, and each item's responses and proportion correct.
Without --table it prints an overview (a table, or with --format json
everything); --table summary|domains|forms|items prints one table in any
format (--items is --table items).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runBankStats(cmd.Context(), o) },
	}
	cmd.Flags().StringVar(&o.table, "table", "", "print only this table: "+strings.Join(bankTables, ", "))
	cmd.Flags().BoolFunc("items", "list every item's responses and proportion correct (--table items)", func(string) error {
		o.table = "items"
		return nil
	})
	return cmd
}

// runBankStats prints the bank's counts.
func runBankStats(ctx context.Context, o *bankStatsOptions) error {
	if o.table != "" && !slices.Contains(bankTables, o.table) {
		return fmt.Errorf("--table %q: expected one of %s", o.table, strings.Join(bankTables, ", "))
	}
	b, err := o.openBank()
	if err != nil {
		return err
	}
	defer b.Close()
	s, err := b.Stats(ctx)
	if err != nil {
		return err
	}
	type summary struct {
		Bank          string `json:"bank"`
		SchemaVersion int    `json:"schema_version"`
		Items         int    `json:"items"`
		Examinees     int    `json:"examinees_with_responses"`
		ItemsAnswered int    `json:"items_with_responses"`
		Responses     int64  `json:"responses"`
		Imports       int    `json:"imports"`
		Calibrations  int    `json:"calibrations"`
	}
	sum := summary{b.Path(), s.SchemaVersion, s.Items, s.Examinees, s.ItemsAnswered, s.Responses, s.Imports, s.Calibrations}
	switch {
	case o.table == "summary":
		return render(o.out, o.format, sum)
	case o.table == "domains":
		return render(o.out, o.format, s.ByDomain)
	case o.table == "forms":
		return render(o.out, o.format, s.ByForm)
	case o.table == "items":
		return render(o.out, o.format, s.PerItem)
	case o.format == "json":
		return render(o.out, o.format, s)
	case o.format == "csv":
		return fmt.Errorf("--format csv prints one table: add --table %s", strings.Join(bankTables, "|"))
	}
	w := o.out
	if err := render(w, "table", sum); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nItems by domain and status")
	if err := render(w, "table", s.ByDomain); err != nil {
		return err
	}
	if len(s.ByForm) > 0 {
		fmt.Fprintln(w, "\nForms")
		if err := render(w, "table", s.ByForm); err != nil {
			return err
		}
	}
	imports, err := b.Imports(ctx)
	if err != nil {
		return err
	}
	if len(imports) > 0 {
		type row struct {
			ID         int64  `json:"import"`
			Name       string `json:"name"`
			Kind       string `json:"kind"`
			Source     string `json:"source"`
			Rows       int    `json:"rows"`
			Responses  int64  `json:"responses"`
			Examinees  int64  `json:"examinees"`
			ImportedAt string `json:"imported_at"`
		}
		rows := make([]row, len(imports))
		for i, im := range imports {
			rows[i] = row{im.ID, im.Name, im.Kind, im.Source, im.Rows, im.Responses, im.Examinees, im.ImportedAt}
		}
		fmt.Fprintln(w, "\nImports")
		if err := render(w, "table", rows); err != nil {
			return err
		}
	}
	if s.ItemsAnswered > 0 {
		lo, hi := s.PerItem[0].Responses, s.PerItem[0].Responses
		for _, c := range s.PerItem {
			lo, hi = min(lo, c.Responses), max(hi, c.Responses)
		}
		fmt.Fprintf(w, "\nResponses per item: %d to %d (--table items lists them)\n", lo, hi)
	}
	return nil
}
