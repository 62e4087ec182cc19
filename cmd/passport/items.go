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
	cmd := &cobra.Command{Use: "items", Short: "Import, export, list, show, rekey the bank's items and show their history"}
	cmd.AddCommand(newItemsImportCmd(g), newItemsExportCmd(g), newItemsListCmd(g), newItemsShowCmd(g), newItemsRekeyCmd(g), newItemsHistoryCmd(g))
	return cmd
}

type itemsImportOptions struct {
	*globals
	file string
}

func newItemsImportCmd(g *globals) *cobra.Command {
	o := &itemsImportOptions{globals: g}
	return &cobra.Command{
		Use:   "import FILE.csv",
		Short: "Add or update items from a CSV file (one transaction)",
		Long: `Reads an items CSV with the header
  id,domain,subdomain,status,stem,option_a,option_b,option_c,option_d,option_e,key,enemy_group
(subdomain, option_c…option_e and enemy_group may be left out). New ids are
added, known ids updated. The file is imported whole or not at all.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.file = args[0]
			return runItemsImport(cmd.Context(), o)
		},
	}
}

// runItemsImport imports o.file into the bank in one transaction.
func runItemsImport(ctx context.Context, o *itemsImportOptions) error {
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
	res, err := b.ImportItems(ctx, o.file, f)
	if err != nil {
		return err
	}
	o.status("imported %s as import %d: %d items added, %d updated, %d unchanged", o.file, res.ImportID, res.Added, res.Updated, res.Unchanged)
	return nil
}

// itemView is an item as list, show and export --format json print it.
type itemView struct {
	ID         string   `json:"id"`
	Domain     string   `json:"domain"`
	Subdomain  string   `json:"subdomain"`
	Status     string   `json:"status"`
	Options    []string `json:"options"`
	Key        string   `json:"key"`
	EnemyGroup string   `json:"enemy_group"`
	Stem       string   `json:"stem"`
	CreatedAt  string   `json:"created_at"`
	UpdatedAt  string   `json:"updated_at"`
}

func viewItem(it bank.Item) itemView {
	return itemView{it.Code, it.Domain, it.Subdomain, it.Status, it.Options, it.KeyLetter(), it.EnemyGroup, it.Stem, it.CreatedAt, it.UpdatedAt}
}

type itemsExportOptions struct {
	*globals
	output string
}

func newItemsExportCmd(g *globals) *cobra.Command {
	o := &itemsExportOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write every item as CSV, in the format items import reads",
		Long: `Writes every item in the format items import reads (CSV), or with
--format json as a JSON array.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runItemsExport(cmd.Context(), o) },
	}
	cmd.Flags().StringVarP(&o.output, "output", "o", "", "write to this file instead of stdout")
	return cmd
}

// runItemsExport writes the bank's items in the import format, or as JSON.
func runItemsExport(ctx context.Context, o *itemsExportOptions) error {
	if err := o.exportFormat("csv", "json"); err != nil {
		return err
	}
	b, err := o.openBank()
	if err != nil {
		return err
	}
	defer b.Close()
	return writeOutput(o.globals, o.output, func(w io.Writer) error {
		if o.format != "json" {
			return b.ExportItems(ctx, w)
		}
		items, err := b.Items(ctx, bank.ItemFilter{})
		if err != nil {
			return err
		}
		views := make([]itemView, len(items))
		for i, it := range items {
			views[i] = viewItem(it)
		}
		return render(w, "json", views)
	})
}

type itemsListOptions struct {
	*globals
	filter bank.ItemFilter
}

func newItemsListCmd(g *globals) *cobra.Command {
	o := &itemsListOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List items, optionally of one domain or status",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return runItemsList(cmd.Context(), o) },
	}
	cmd.Flags().StringVar(&o.filter.Domain, "domain", "", "only this domain ("+strings.Join(bank.Domains, ", ")+")")
	cmd.Flags().StringVar(&o.filter.Status, "status", "", "only this status ("+strings.Join(bank.Statuses, ", ")+")")
	return cmd
}

// runItemsList prints the items that pass the filter.
func runItemsList(ctx context.Context, o *itemsListOptions) error {
	b, err := o.openBank()
	if err != nil {
		return err
	}
	defer b.Close()
	items, err := b.Items(ctx, o.filter)
	if err != nil {
		return err
	}
	type row struct {
		ID         string `json:"id"`
		Domain     string `json:"domain"`
		Subdomain  string `json:"subdomain"`
		Status     string `json:"status"`
		Options    int    `json:"options"`
		Key        string `json:"key"`
		EnemyGroup string `json:"enemy_group"`
		Stem       string `json:"stem"`
	}
	rows := make([]row, len(items))
	for i, it := range items {
		rows[i] = row{it.Code, it.Domain, it.Subdomain, it.Status, len(it.Options), it.KeyLetter(), it.EnemyGroup, it.Stem}
	}
	o.status("%d items", len(rows))
	return render(o.out, o.format, rows)
}

type itemsShowOptions struct {
	*globals
	id string
}

func newItemsShowCmd(g *globals) *cobra.Command {
	o := &itemsShowOptions{globals: g}
	return &cobra.Command{
		Use:   "show ID",
		Short: "Show one item in full",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.id = args[0]
			return runItemsShow(cmd.Context(), o)
		},
	}
}

// runItemsShow prints one item with its options, the key marked.
func runItemsShow(ctx context.Context, o *itemsShowOptions) error {
	b, err := o.openBank()
	if err != nil {
		return err
	}
	defer b.Close()
	it, err := b.Item(ctx, o.id)
	if err != nil {
		return err
	}
	if o.format != "table" {
		return render(o.out, o.format, viewItem(it))
	}
	w := o.out
	fmt.Fprintf(w, "%s  %s / %s  [%s]\n\n%s\n\n", it.Code, it.Domain, it.Subdomain, it.Status, it.Stem)
	for i, opt := range it.Options {
		mark := " "
		if i+1 == it.Key {
			mark = "*"
		}
		fmt.Fprintf(w, "%s %c. %s\n", mark, 'A'+i, opt)
	}
	fmt.Fprintf(w, "\nkey: %s   enemy group: %s   updated: %s\n", it.KeyLetter(), orDash(it.EnemyGroup), it.UpdatedAt)
	return nil
}

type itemsRekeyOptions struct {
	*globals
	item   string
	key    string
	reason string
}

func newItemsRekeyCmd(g *globals) *cobra.Command {
	o := &itemsRekeyOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "rekey ITEM --key K --reason TEXT",
		Short: "Give an item a new key and rescore its stored responses (one transaction)",
		Long: `Records K (a letter A–E or a number 1–5) as the item's next key version,
with the reason, and scores every stored response that records the option
chosen again with it, all in one transaction. Omitted responses stay wrong
and responses logged only as a 0/1 score are left as they were; both are
counted. The key history (passport items history ITEM) keeps every version,
the first being the key at import; every calibration run records the key
versions it read, and analyses say which they score with. Runs that hold
parameters for the item are named: they describe the old scores, so
calibrate again.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.item = args[0]
			_, err := runItemsRekey(cmd.Context(), o)
			return err
		},
	}
	cmd.Flags().StringVar(&o.key, "key", "", "the new key: a letter A–E or a number 1–5 (required)")
	cmd.Flags().StringVar(&o.reason, "reason", "", "why the key changes, kept in the key history (required)")
	cmd.MarkFlagRequired("key")
	cmd.MarkFlagRequired("reason")
	return cmd
}

// runItemsRekey rekeys o.item and rescores its responses, says what
// changed on stderr and prints the outcome.
func runItemsRekey(ctx context.Context, o *itemsRekeyOptions) (bank.Rekey, error) {
	if strings.TrimSpace(o.key) == "" {
		return bank.Rekey{}, fmt.Errorf("--key: expected the new key, a letter A–E or a number 1–5")
	}
	if strings.TrimSpace(o.reason) == "" {
		return bank.Rekey{}, fmt.Errorf("--reason: expected why the key changes (it is kept in the item's key history)")
	}
	b, err := o.openBank()
	if err != nil {
		return bank.Rekey{}, err
	}
	defer b.Close()
	res, err := b.RekeyItem(ctx, o.item, o.key, o.reason)
	if err != nil {
		return res, err
	}
	o.status("item %s rekeyed %s → %s (key version %d): %d responses with a chosen option rescored, %d changed score (%d wrong → right, %d right → wrong); %d omitted and %d score-only responses left as they were",
		res.Item, orNone(res.From), res.To, res.Version, res.Rescored, res.Changed, res.WrongToRight, res.RightToWrong, res.Omitted, res.ScoreOnly)
	if len(res.Runs) > 0 {
		ids := make([]string, len(res.Runs))
		for i, r := range res.Runs {
			ids[i] = fmt.Sprint(r)
		}
		o.status("runs with parameters for %s, estimated from its responses as scored before: %s; calibrate again (passport calibrate)", res.Item, strings.Join(ids, ", "))
	}
	return res, render(o.out, o.format, res)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
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
