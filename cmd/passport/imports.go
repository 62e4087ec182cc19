package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/passportirt/passport/bank"
)

func newImportsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "imports", Short: "List and show the files the bank took in"}
	cmd.AddCommand(listCommand(g, "list", "List the imports with their names, dates and counts", func(ctx context.Context, b *bank.Bank) (any, error) {
		return b.Imports(ctx)
	}))
	o := &importsShowOptions{globals: g}
	cmd.AddCommand(&cobra.Command{
		Use:   "show IMPORT",
		Short: "Show one import (by number or name)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.ref = args[0]
			return runImportsShow(cmd.Context(), o)
		},
	})
	return cmd
}

type importsShowOptions struct {
	*globals
	ref string
}

// runImportsShow prints one import.
func runImportsShow(ctx context.Context, o *importsShowOptions) error {
	b, err := o.openBank()
	if err != nil {
		return err
	}
	defer b.Close()
	id, err := b.Resolve(ctx, bank.KindImport, o.ref)
	if err != nil {
		return err
	}
	im, err := b.Import(ctx, id)
	if err != nil {
		return err
	}
	return render(o.out, o.format, im)
}
