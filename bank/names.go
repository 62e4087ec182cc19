package bank

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Kind is a kind of stored object that has a number and may have a name.
type Kind struct {
	Noun  string // as messages say it: "run", "linking"
	table string
	name  string // the column holding the name
	list  string // the command that lists them
}

// The kinds of stored objects.
var (
	KindImport   = Kind{"import", "imports", "name", "passport imports list"}
	KindRun      = Kind{"run", "calibrations", "name", "passport calibrations list"}
	KindLinking  = Kind{"linking", "linkings", "name", "passport linkings list"}
	KindTable    = Kind{"table", "conversion_tables", "name", "passport scale tables"}
	KindEquating = Kind{"equating", "equatings", "name", "passport equatings list"}
	KindAssembly = Kind{"assembly", "assemblies", "name", "passport forms list"}
	KindCATStudy = Kind{"cat study", "cat_studies", "name", "passport cat studies"}
)

// List is the command that lists the objects of the kind.
func (k Kind) List() string { return k.list }

// MaxNameLength is the longest name, in characters.
const MaxNameLength = 100

// CheckName checks a name given to a stored object: at most MaxNameLength
// characters, printable, not only digits (a number is the object's id),
// and not surrounded by spaces. The empty name means none.
func CheckName(name string) error {
	if name == "" {
		return nil
	}
	if !utf8.ValidString(name) || utf8.RuneCountInString(name) > MaxNameLength {
		return fmt.Errorf("name %q: expected at most %d characters of UTF-8 text", name, MaxNameLength)
	}
	if _, err := strconv.ParseInt(name, 10, 64); err == nil {
		return fmt.Errorf("name %q: a name cannot be a number, which would read as an id", name)
	}
	for _, r := range name {
		if !unicode.IsPrint(r) {
			return fmt.Errorf("name %q: expected printable characters", name)
		}
	}
	if name[0] == ' ' || name[len(name)-1] == ' ' {
		return fmt.Errorf("name %q: expected no leading or trailing spaces", name)
	}
	return nil
}

// Resolve finds the object of kind k that ref names: its number, or its
// name. The error says how to list the objects of the kind.
func (b *Bank) Resolve(ctx context.Context, k Kind, ref string) (int64, error) {
	var id int64
	var err error
	if n, perr := strconv.ParseInt(ref, 10, 64); perr == nil {
		err = b.db.QueryRowContext(ctx, `SELECT id FROM `+k.table+` WHERE id = ?`, n).Scan(&id)
	} else {
		err = b.db.QueryRowContext(ctx, `SELECT id FROM `+k.table+` WHERE `+k.name+` = ? AND `+k.name+` <> ''`, ref).Scan(&id)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("%s %q: %w; see %s", k.Noun, ref, ErrNotFound, k.list)
	}
	return id, err
}

// nameTaken says whether another object of kind k (not id) has name.
func nameTaken(ctx context.Context, q querier, k Kind, name string, id int64) error {
	if name == "" {
		return nil
	}
	var other int64
	err := q.QueryRowContext(ctx, `SELECT id FROM `+k.table+` WHERE `+k.name+` = ? AND id <> ?`, name, id).Scan(&other)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return fmt.Errorf("%s name %q is taken by %s %d; choose another", k.Noun, name, k.Noun, other)
}

// querier is a database or a transaction.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}
