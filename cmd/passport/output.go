package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/gocarina/gocsv"
	"github.com/spf13/cobra"

	"github.com/passportirt/passport/bank"
)

// render writes rows, a slice of structs with csv and json tags, as a table
// for people, or as JSON or CSV for scripts.
func render(w io.Writer, format string, rows any) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	case "csv":
		return gocsv.Marshal(rows, w)
	}
	text, err := gocsv.MarshalString(rows)
	if err != nil {
		return err
	}
	recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i, rec := range recs {
		for j := range rec {
			rec[j] = oneLine(rec[j])
		}
		if i == 0 {
			for j := range rec {
				rec[j] = strings.ToUpper(rec[j])
			}
		}
		fmt.Fprintln(tw, strings.Join(rec, "\t"))
	}
	return tw.Flush()
}

// oneLine shortens a cell to one line of at most 60 characters for a table.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 60 {
		return string(r[:59]) + "…"
	}
	return s
}

// renderValue writes one value as JSON, or as "key: value" lines.
func renderValue(w io.Writer, format string, v any, lines [][2]string) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, l := range lines {
		fmt.Fprintf(tw, "%s:\t%s\n", l[0], l[1])
	}
	return tw.Flush()
}

// listCommand is a command without arguments that opens the bank and
// renders the rows list returns (a slice of structs with csv and json tags).
func listCommand(g *globals, use, short string, list func(context.Context, *bank.Bank) (any, error)) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := g.openBank()
			if err != nil {
				return err
			}
			defer b.Close()
			rows, err := list(cmd.Context(), b)
			if err != nil {
				return err
			}
			return render(g.out, g.format, rows)
		},
	}
}

// showCommand is a command taking the number of one stored thing (what, as
// listed by the command list) that opens the bank and runs show on it.
func showCommand(g *globals, use, short, what, list string, show func(ctx context.Context, b *bank.Bank, id int64) error) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID(args[0], what, list)
			if err != nil {
				return err
			}
			b, err := g.openBank()
			if err != nil {
				return err
			}
			defer b.Close()
			return show(cmd.Context(), b, id)
		},
	}
}

// parseID reads the number of one stored thing (what, as listed by the
// command list) from a command's argument.
func parseID(arg, what, list string) (int64, error) {
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s %q: expected a number (see passport %s)", what, arg, list)
	}
	return id, nil
}
