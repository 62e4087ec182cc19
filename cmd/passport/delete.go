package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/passportirt/passport/bank"
)

// kinds are the stored objects delete and rename address, by the word
// the command line uses.
var kinds = map[string]bank.Kind{
	"import": bank.KindImport, "run": bank.KindRun, "linking": bank.KindLinking, "table": bank.KindTable,
	"equating": bank.KindEquating, "assembly": bank.KindAssembly, "form": bank.KindForm,
}

const kindWords = "import, run, linking, table, equating, assembly or form"

func kindOf(word string) (bank.Kind, error) {
	k, ok := kinds[strings.ToLower(word)]
	if !ok {
		return k, fmt.Errorf("%q: expected %s", word, kindWords)
	}
	return k, nil
}

// openObject opens the bank and finds the object of the kind word that
// ref names.
func openObject(ctx context.Context, g *globals, word, ref string) (*bank.Bank, bank.Kind, int64, error) {
	k, err := kindOf(word)
	if err != nil {
		return nil, k, 0, err
	}
	b, err := g.openBank()
	if err != nil {
		return nil, k, 0, err
	}
	id, err := b.Resolve(ctx, k, ref)
	if err != nil {
		b.Close()
		return nil, k, 0, err
	}
	return b, k, id, nil
}

type deleteOptions struct {
	*globals
	kind, ref string
	cascade   bool
}

func newDeleteCmd(g *globals) *cobra.Command {
	o := &deleteOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "delete KIND REF",
		Short: "Delete a stored import, run, linking, table, equating, assembly or form",
		Long: `Deletes one stored object, named by its number or its name, in one
transaction. KIND is ` + kindWords + `.

An object others depend on is refused, and the message names them: a run
that a linking, table, equating, assembly or another (linked or anchored)
run was made from; an import a run read; a linking a run was moved by; a
form a table or equating was built for. --cascade deletes those too.
Deleting an import deletes its responses. A form with logged responses is
kept (delete the imports that hold them). --dry-run prints what would be
deleted and changes nothing.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.kind, o.ref = args[0], args[1]
			return runDelete(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.cascade, "cascade", false, "also delete what depends on it")
	return cmd
}

// runDelete deletes the object (or, dry, says what it would delete).
func runDelete(ctx context.Context, o *deleteOptions) error {
	b, k, id, err := openObject(ctx, o.globals, o.kind, o.ref)
	if err != nil {
		return err
	}
	defer b.Close()
	gone, err := b.Delete(ctx, k, id, o.cascade)
	if err != nil {
		return err
	}
	verb := "deleted"
	if o.dryRun {
		verb = "would delete (--dry-run: nothing changed)"
	}
	names := make([]string, len(gone))
	for i, g := range gone {
		names[i] = g.String()
	}
	o.status("%s %s", verb, strings.Join(names, ", "))
	return nil
}

type renameOptions struct {
	*globals
	kind, ref, name string
}

func newRenameCmd(g *globals) *cobra.Command {
	o := &renameOptions{globals: g}
	return &cobra.Command{
		Use:   "rename KIND REF NAME",
		Short: "Name (or rename) a stored import, run, linking, table, equating, assembly or form",
		Long: `Gives a stored object, named by its number or its current name, a new
name that commands then accept wherever they take its number. KIND is
` + kindWords + `. Names are unique within a kind, at most 100 characters, and
not numbers; "" removes a name (a form keeps a code).`,
		Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.kind, o.ref, o.name = args[0], args[1], args[2]
			return runRename(cmd.Context(), o)
		},
	}
}

// runRename renames the object.
func runRename(ctx context.Context, o *renameOptions) error {
	b, k, id, err := openObject(ctx, o.globals, o.kind, o.ref)
	if err != nil {
		return err
	}
	defer b.Close()
	if err := b.Rename(ctx, k, id, o.name); err != nil {
		return err
	}
	o.status("%s %d is now named %q", k.Noun, id, o.name)
	return nil
}
