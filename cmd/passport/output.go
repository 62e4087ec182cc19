package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/reports/table"
)

// render writes v as a table, JSON or CSV (see table.Write).
func render(w io.Writer, format string, v any) error { return table.Write(w, format, v) }

// listCommand is a command without arguments that opens the bank and
// renders the rows list returns.
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

// showCommand is a command taking one stored object of kind k, by number
// or name, that opens the bank and runs show on it.
func showCommand(g *globals, use, short string, k bank.Kind, show func(ctx context.Context, b *bank.Bank, id int64) error) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := g.openBank()
			if err != nil {
				return err
			}
			defer b.Close()
			id, err := ref(args[0]).resolve(cmd.Context(), b, k)
			if err != nil {
				return err
			}
			return show(cmd.Context(), b, id)
		},
	}
}
