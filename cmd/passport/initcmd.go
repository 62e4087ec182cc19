package main

import (
	"bytes"
	"context"

	"github.com/spf13/cobra"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/fixtures"
)

func newInitCmd(g *globals) *cobra.Command {
	var demo bool
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create the bank (or bring its schema up to date)",
		Long: `Creates the bank file named by --db, or migrates an existing one to this
passport's schema. With --demo it also loads the embedded Python
Fundamentals item bank (306 items over semantics, idioms, performance and
stdlib).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := g.openBank()
			if err != nil {
				return err
			}
			defer b.Close()
			v, err := b.SchemaVersion()
			if err != nil {
				return err
			}
			g.status("bank %s at schema version %d", b.Path(), v)
			if demo {
				return loadDemoItems(cmd.Context(), g, b)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&demo, "demo", false, "load the embedded demo item bank")
	return cmd
}

// loadDemoItems imports the embedded demo item files.
func loadDemoItems(ctx context.Context, g *globals, b *bank.Bank) error {
	files, err := fixtures.DemoItems()
	if err != nil {
		return err
	}
	for _, f := range files {
		res, err := b.ImportItems(ctx, f.Name, bytes.NewReader(f.Data))
		if errAlreadyImported(err) {
			g.status("%v", err)
			continue
		}
		if err != nil {
			return err
		}
		g.status("loaded %s: %d items added, %d updated", f.Name, res.Added, res.Updated)
	}
	return nil
}
