package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"
)

func newBankCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "bank", Short: "Facts about the bank"}
	var perItem bool
	stats := &cobra.Command{
		Use:   "stats",
		Short: "Counts by domain, status and form, and responses per item",
		Long: `Counts the bank's items by domain and status, the forms with their
examinees and responses, and each item's responses and proportion correct.
--format json prints everything; --format csv prints the per-item table.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := g.openBank()
			if err != nil {
				return err
			}
			defer b.Close()
			s, err := b.Stats(cmd.Context())
			if err != nil {
				return err
			}
			switch g.format {
			case "json":
				return renderValue(g.out, "json", s, nil)
			case "csv":
				return render(g.out, "csv", s.PerItem)
			}
			w := g.out
			err = renderValue(w, "table", nil, [][2]string{
				{"bank", b.Path()},
				{"schema version", strconv.Itoa(s.SchemaVersion)},
				{"items", strconv.Itoa(s.Items)},
				{"examinees with responses", strconv.Itoa(s.Examinees)},
				{"items with responses", strconv.Itoa(s.ItemsAnswered)},
				{"responses", strconv.FormatInt(s.Responses, 10)},
				{"imports", strconv.Itoa(s.Imports)},
				{"calibrations", strconv.Itoa(s.Calibrations)},
			})
			if err != nil {
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
			if perItem {
				fmt.Fprintln(w, "\nResponses per item")
				return render(w, "table", s.PerItem)
			}
			if s.ItemsAnswered > 0 {
				lo, hi := s.PerItem[0].Responses, s.PerItem[0].Responses
				for _, c := range s.PerItem {
					lo, hi = min(lo, c.Responses), max(hi, c.Responses)
				}
				fmt.Fprintf(w, "\nResponses per item: %d to %d (--items lists them)\n", lo, hi)
			}
			return nil
		},
	}
	stats.Flags().BoolVar(&perItem, "items", false, "list every item's responses and proportion correct")
	cmd.AddCommand(stats)
	return cmd
}
