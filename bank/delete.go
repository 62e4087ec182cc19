package bank

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// KindForm is a form, named by its code.
var KindForm = Kind{"form", "forms", "code", "passport forms list"}

// Object is one stored object, as deletion reports it.
type Object struct {
	Kind Kind
	ID   int64
	Name string // its name (a form's code); "" when unnamed
}

func (o Object) String() string {
	if o.Name != "" {
		return fmt.Sprintf("%s %d (%s)", o.Kind.Noun, o.ID, o.Name)
	}
	return fmt.Sprintf("%s %d", o.Kind.Noun, o.ID)
}

// dependencies list, for each kind, the queries finding the objects that
// depend on one object of that kind (its id is the query's one argument):
// what a deletion must remove first, or refuse. An object's own rows
// (a run's parameters and scores, an import's responses, a table's rows)
// are not dependents: they go with it.
var dependencies = map[string][]struct {
	kind  Kind
	query string
}{
	"imports": {
		{KindRun, `SELECT DISTINCT c.id, c.name FROM calibration_inputs i JOIN calibrations c ON c.id = i.calibration_id WHERE i.import_id = ?`},
	},
	"calibrations": {
		{KindRun, `SELECT id, name FROM calibrations WHERE parent_id = ?1`},
		{KindLinking, `SELECT id, name FROM linkings WHERE from_calibration = ?1 OR to_calibration = ?1`},
		{KindTable, `SELECT id, name FROM conversion_tables WHERE calibration_id = ?`},
		{KindEquating, `SELECT id, name FROM equatings WHERE calibration_id = ?`},
		{KindAssembly, `SELECT id, name FROM assemblies WHERE calibration_id = ?`},
	},
	"linkings": {
		{KindRun, `SELECT id, name FROM calibrations WHERE source = 'linked' AND json_extract(options, '$.linked.linking') = ?`},
	},
	"assemblies": {
		{KindForm, `SELECT id, code FROM forms WHERE assembly_id = ?`},
	},
	"forms": {
		{KindTable, `SELECT id, name FROM conversion_tables WHERE form_id = ?`},
		{KindEquating, `SELECT id, name FROM equatings WHERE from_form_id = ?1 OR to_form_id = ?1`},
	},
	"conversion_tables": nil,
	"equatings":         nil,
}

// DependentsError refuses a deletion: other objects depend on the one to
// delete.
type DependentsError struct {
	Object     Object
	Dependents []Object
}

func (e *DependentsError) Error() string {
	names := make([]string, len(e.Dependents))
	for i, d := range e.Dependents {
		names[i] = d.String()
	}
	return fmt.Sprintf("%s is used by %s: delete those first, or give --cascade to delete them with it", e.Object, strings.Join(names, ", "))
}

// Delete removes the object of kind k numbered id, in one transaction,
// and returns what it removed, dependents first. Objects that depend on it
// (a run read by a linking, a form of a table…) make it refuse with a
// *DependentsError unless cascade is set, when they are removed too. A
// form that responses were logged on is never removed: delete the imports
// that hold them. On a dry-run bank nothing is removed and the list is what
// would be (see SetDryRun).
func (b *Bank) Delete(ctx context.Context, k Kind, id int64, cascade bool) ([]Object, error) {
	var out []Object
	err := b.inTx(ctx, func(tx *sql.Tx) error {
		var name string
		if err := tx.QueryRowContext(ctx, `SELECT `+k.name+` FROM `+k.table+` WHERE id = ?`, id).Scan(&name); err != nil {
			return fmt.Errorf("%s %d: %w; see %s", k.Noun, id, ErrNotFound, k.list)
		}
		var err error
		if out, err = closure(ctx, tx, Object{k, id, name}, cascade, map[string]bool{}); err != nil {
			return err
		}
		for _, o := range out {
			if err := deleteOne(ctx, tx, o); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// closure lists o's dependents (recursively, each before what it depends
// on) and o last.
func closure(ctx context.Context, tx *sql.Tx, o Object, cascade bool, seen map[string]bool) ([]Object, error) {
	key := o.String()
	if seen[key] {
		return nil, nil
	}
	seen[key] = true
	if o.Kind == KindForm {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM responses WHERE form_id = ?`, o.ID).Scan(&n); err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, fmt.Errorf("%s has %d responses logged on it: it is kept; delete the imports that hold them (passport imports list)", o, n)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE form_id = ?`, o.ID).Scan(&n); err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, fmt.Errorf("%s has %d sessions served on it: it is kept; delete the imports that stand for them (passport imports list)", o, n)
		}
	}
	var deps []Object
	for _, d := range dependencies[o.Kind.table] {
		rows, err := tx.QueryContext(ctx, d.query, o.ID)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			dep := Object{Kind: d.kind}
			if err := rows.Scan(&dep.ID, &dep.Name); err != nil {
				rows.Close()
				return nil, err
			}
			deps = append(deps, dep)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	// An assembly's own forms go with it unless something uses them.
	own := o.Kind == KindAssembly
	if len(deps) > 0 && !cascade && !own {
		return nil, &DependentsError{Object: o, Dependents: deps}
	}
	var out []Object
	for _, d := range deps {
		sub, err := closure(ctx, tx, d, cascade, seen)
		if err != nil {
			return nil, err
		}
		out = append(out, sub...)
	}
	return append(out, o), nil
}

// deleteOne removes one object and its own rows.
func deleteOne(ctx context.Context, tx *sql.Tx, o Object) error {
	stmts := map[string][]string{
		"imports":           {`DELETE FROM responses WHERE import_id = ?`, `DELETE FROM sessions WHERE import_id = ?`, `DELETE FROM imports WHERE id = ?`},
		"calibrations":      {`DELETE FROM calibrations WHERE id = ?`},
		"linkings":          {`DELETE FROM linkings WHERE id = ?`},
		"conversion_tables": {`DELETE FROM conversion_tables WHERE id = ?`},
		"equatings":         {`DELETE FROM equatings WHERE id = ?`},
		"assemblies":        {`DELETE FROM assemblies WHERE id = ?`},
		"forms":             {`DELETE FROM forms WHERE id = ?`},
	}[o.Kind.table]
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q, o.ID); err != nil {
			return fmt.Errorf("deleting %s: %w", o, err)
		}
	}
	return nil
}

// Rename gives the object of kind k numbered id a new name (a form a new
// code); "" removes a name (forms must keep a code).
func (b *Bank) Rename(ctx context.Context, k Kind, id int64, name string) error {
	if err := CheckName(name); err != nil {
		return err
	}
	if k == KindForm && name == "" {
		return fmt.Errorf("a form keeps a code: give the new one")
	}
	return b.inTx(ctx, func(tx *sql.Tx) error {
		if err := nameTaken(ctx, tx, k, name, id); err != nil {
			return err
		}
		r, err := tx.ExecContext(ctx, `UPDATE `+k.table+` SET `+k.name+` = ? WHERE id = ?`, name, id)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return fmt.Errorf("%s %d: %w; see %s", k.Noun, id, ErrNotFound, k.list)
		}
		return nil
	})
}
