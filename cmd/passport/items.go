package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/passportirt/passport/bank"
)

func newItemsCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "items", Short: "Import, export, list and show the bank's items"}
	cmd.AddCommand(newItemsImportCmd(g), newItemsExportCmd(g), newItemsListCmd(g), newItemsShowCmd(g))
	return cmd
}

func newItemsImportCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "import FILE.csv",
		Short: "Add or update items from a CSV file (one transaction)",
		Long: `Reads an items CSV with the header
  id,domain,subdomain,status,stem,option_a,option_b,option_c,option_d,option_e,key,enemy_group
(subdomain, option_c…option_e and enemy_group may be left out). New ids are
added, known ids updated. The file is imported whole or not at all.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runItemsImport(cmd.Context(), g, args[0]) },
	}
}

func runItemsImport(ctx context.Context, g *globals, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	b, err := g.openBank()
	if err != nil {
		return err
	}
	defer b.Close()
	res, err := b.ImportItems(ctx, file, f)
	if err != nil {
		return err
	}
	g.status("imported %s as import %d: %d items added, %d updated, %d unchanged", file, res.ImportID, res.Added, res.Updated, res.Unchanged)
	return nil
}

func newItemsExportCmd(g *globals) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write every item as CSV, in the format items import reads",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := g.openBank()
			if err != nil {
				return err
			}
			defer b.Close()
			return writeOutput(g, out, func(w io.Writer) error { return b.ExportItems(cmd.Context(), w) })
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to this file instead of stdout")
	return cmd
}

func newItemsListCmd(g *globals) *cobra.Command {
	var f bank.ItemFilter
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List items, optionally of one domain or status",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := g.openBank()
			if err != nil {
				return err
			}
			defer b.Close()
			items, err := b.Items(cmd.Context(), f)
			if err != nil {
				return err
			}
			type row struct {
				ID         string `csv:"id" json:"id"`
				Domain     string `csv:"domain" json:"domain"`
				Subdomain  string `csv:"subdomain" json:"subdomain"`
				Status     string `csv:"status" json:"status"`
				Options    int    `csv:"options" json:"options"`
				Key        string `csv:"key" json:"key"`
				EnemyGroup string `csv:"enemy_group" json:"enemy_group"`
				Stem       string `csv:"stem" json:"stem"`
			}
			rows := make([]row, len(items))
			for i, it := range items {
				rows[i] = row{it.Code, it.Domain, it.Subdomain, it.Status, len(it.Options), it.KeyLetter(), it.EnemyGroup, it.Stem}
			}
			g.status("%d items", len(rows))
			return render(g.out, g.format, rows)
		},
	}
	cmd.Flags().StringVar(&f.Domain, "domain", "", "only this domain ("+strings.Join(bank.Domains, ", ")+")")
	cmd.Flags().StringVar(&f.Status, "status", "", "only this status ("+strings.Join(bank.Statuses, ", ")+")")
	return cmd
}

func newItemsShowCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "show ID",
		Short: "Show one item in full",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := g.openBank()
			if err != nil {
				return err
			}
			defer b.Close()
			it, err := b.Item(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if g.format == "json" {
				return renderValue(g.out, g.format, map[string]any{"id": it.Code, "domain": it.Domain, "subdomain": it.Subdomain,
					"status": it.Status, "stem": it.Stem, "options": it.Options, "key": it.KeyLetter(), "enemy_group": it.EnemyGroup,
					"created_at": it.CreatedAt, "updated_at": it.UpdatedAt}, nil)
			}
			w := g.out
			fmt.Fprintf(w, "%s  %s / %s  [%s]\n\n%s\n\n", it.Code, it.Domain, it.Subdomain, it.Status, it.Stem)
			for i, o := range it.Options {
				mark := " "
				if i+1 == it.Key {
					mark = "*"
				}
				fmt.Fprintf(w, "%s %c. %s\n", mark, 'A'+i, o)
			}
			fmt.Fprintf(w, "\nkey: %s   enemy group: %s   updated: %s\n", it.KeyLetter(), orDash(it.EnemyGroup), it.UpdatedAt)
			return nil
		},
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// writeOutput runs write on the file named out (removed again if write
// fails), or on stdout when out is empty.
func writeOutput(g *globals, out string, write func(io.Writer) error) error {
	if out == "" {
		return write(g.out)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out)
	}
	return err
}
