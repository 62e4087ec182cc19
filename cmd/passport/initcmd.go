package main

import (
	"bytes"
	"context"

	"github.com/spf13/cobra"

	"github.com/passportirt/passport/fixtures"
)

type initOptions struct {
	*globals
	demo bool
}

func newInitCmd(g *globals) *cobra.Command {
	o := &initOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create the bank (or bring its schema up to date)",
		Long: `Creates the bank file named by --db, or migrates an existing one to this
passport's schema. It is the only command that creates a bank: the others
refuse a --db that names no bank. With --demo it also loads the embedded Python
Fundamentals item bank (306 items over semantics, idioms, performance and
stdlib).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runInit(cmd.Context(), o) },
	}
	cmd.Flags().BoolVar(&o.demo, "demo", false, "load the embedded demo item bank")
	return cmd
}

// runInit creates or migrates the bank and, with o.demo, loads the
// embedded items.
func runInit(ctx context.Context, o *initOptions) error {
	b, err := o.createBank()
	if err != nil {
		return err
	}
	defer b.Close()
	v, err := b.SchemaVersion()
	if err != nil {
		return err
	}
	o.status("bank %s at schema version %d", b.Path(), v)
	if !o.demo {
		return nil
	}
	files, err := fixtures.DemoItems()
	if err != nil {
		return err
	}
	for _, f := range files {
		res, err := b.ImportItems(ctx, f.Name, bytes.NewReader(f.Data))
		if errAlreadyImported(err) {
			o.status("%v", err)
			continue
		}
		if err != nil {
			return err
		}
		o.status("loaded %s: %d items added, %d updated", f.Name, res.Added, res.Updated)
	}
	return nil
}
