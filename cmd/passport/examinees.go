package main

import (
	"context"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/passportirt/passport/bank"
)

func newExamineesCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "examinees", Short: "Examinees' attributes, for analyses by group (DIF)"}
	cmd.AddCommand(newExamineesImportCmd(g), newExamineesGroupsCmd(g))
	return cmd
}

type examineesImportOptions struct {
	*globals
	file string
}

func newExamineesImportCmd(g *globals) *cobra.Command {
	o := &examineesImportOptions{globals: g}
	return &cobra.Command{
		Use:   "import FILE.csv",
		Short: "Import examinees' attributes such as gender or region (one transaction)",
		Long: `Reads examinees' attributes for analyses by group (passport dif) from a CSV
file with an examinee column and any number of attribute columns, named in
lower case (letters, digits, underscores), for example
  examinee,gender,region,first_language,year
  E0001,f,north,es,2026
One row per examinee. A value (at most 64 characters) replaces the one
stored for that examinee and attribute; an empty cell means not known and
stores nothing. Examinees the bank does not have yet are added. The file is
imported whole or not at all.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.file = args[0]
			return runExamineesImport(cmd.Context(), o)
		},
	}
}

// runExamineesImport imports o.file's attributes in one transaction.
func runExamineesImport(ctx context.Context, o *examineesImportOptions) error {
	f, err := os.Open(o.file)
	if err != nil {
		return err
	}
	defer f.Close()
	b, err := o.openBank()
	if err != nil {
		return err
	}
	defer b.Close()
	res, err := b.ImportExaminees(ctx, o.file, f)
	if err != nil {
		return err
	}
	o.status("imported %s: %d examinees (%d new), attributes %s: %d values set, %d changed, %d unchanged, %d cells empty",
		o.file, res.Rows, res.New, strings.Join(res.Attributes, ", "), res.Set, res.Changed, res.Unchanged, res.Empty)
	return nil
}

func newExamineesGroupsCmd(g *globals) *cobra.Command {
	return listCommand(g, "groups", "List the attributes' values with their numbers of examinees", func(ctx context.Context, b *bank.Bank) (any, error) {
		return b.GroupCounts(ctx)
	})
}
