// Package bank is passport's item bank: one SQLite file holding the items
// and their content metadata, examinees, forms, response logs, calibration
// runs and their parameters, linkings, scales and conversion tables. It is
// the only package that speaks SQL.
//
// Every import is one transaction: it either lands whole or leaves the bank
// exactly as it was, and bad input is reported as an *InputError naming the
// file, line and field.
package bank

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3" // the SQLite driver
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Bank is an open item bank.
type Bank struct {
	db   *sql.DB
	path string
	now  func() time.Time
}

// Open opens (creating if needed) the bank at path and brings its schema up
// to date. The file is put in WAL mode with foreign keys enforced.
func Open(path string) (*Bank, error) {
	b, err := open(path)
	if err != nil {
		return nil, err
	}
	if err := b.migrate(context.Background()); err != nil {
		b.db.Close()
		return nil, fmt.Errorf("open bank %s: %w", path, err)
	}
	return b, nil
}

// open opens the bank's file without migrating it.
func open(path string) (*Bank, error) {
	q := url.Values{}
	q.Set("_foreign_keys", "on")
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "NORMAL")
	q.Set("_busy_timeout", "5000")
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite3", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open bank %s: %w", path, err)
	}
	// One connection: SQLite serialises writers anyway, and pragmas and
	// temporary tables then hold for the whole session.
	db.SetMaxOpenConns(1)
	return &Bank{db: db, path: path, now: time.Now}, nil
}

// Close closes the bank.
func (b *Bank) Close() error { return b.db.Close() }

// Path is the bank's file name.
func (b *Bank) Path() string { return b.path }

// timestamp is the current time as stored in the bank (RFC 3339, UTC).
func (b *Bank) timestamp() string { return b.now().UTC().Format(time.RFC3339) }

// migration is one forward-only schema step, from migrations/NNNN_name.sql.
type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) {
	files, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, f := range files {
		base := strings.TrimPrefix(f, "migrations/")
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a version number", f)
		}
		body, err := migrationFS.ReadFile(f)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %d", m.name, i+1)
		}
	}
	return ms, nil
}

// SchemaVersion is the version the bank's schema is at.
func (b *Bank) SchemaVersion() (int, error) {
	var v int
	err := b.db.QueryRow(`SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v)
	return v, err
}

// migrate applies, each in its own transaction, the migrations the file has
// not had yet. A bank newer than this program is an error, not a downgrade.
func (b *Bank) migrate(ctx context.Context) error { return b.migrateTo(ctx, -1) }

// migrateTo applies the migrations up to version to (all of them when to
// is negative).
func (b *Bank) migrateTo(ctx context.Context, to int) error {
	if _, err := b.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL)`); err != nil {
		return err
	}
	ms, err := migrations()
	if err != nil {
		return err
	}
	have, err := b.SchemaVersion()
	if err != nil {
		return err
	}
	if have > len(ms) {
		return fmt.Errorf("the bank's schema is version %d, newer than this passport (%d): upgrade passport", have, len(ms))
	}
	if to >= 0 && to < len(ms) {
		ms = ms[:to]
	}
	for _, m := range ms[min(have, len(ms)):] {
		err := b.inTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)`, m.version, m.name, b.timestamp())
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// inBulkTx is inTx on a connection with foreign-key enforcement off and a
// large page cache, for imports that resolve every reference themselves:
// each id they write was read, or inserted, inside the same transaction, so
// the four parent look-ups SQLite would make per inserted row (a third of
// the import's time) check nothing the import has not already checked.
func (b *Bank) inBulkTx(ctx context.Context, f func(*sql.Tx) error) error {
	conn, err := b.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF; PRAGMA cache_size = -262144`); err != nil {
		return err
	}
	defer conn.ExecContext(context.Background(), `PRAGMA foreign_keys = ON; PRAGMA cache_size = -2000`)
	return commitIf(conn.BeginTx(ctx, nil))(f)
}

// inTx runs f in one transaction, committed only when f succeeds.
func (b *Bank) inTx(ctx context.Context, f func(*sql.Tx) error) error {
	return commitIf(b.db.BeginTx(ctx, nil))(f)
}

// commitIf takes a transaction just begun and returns a function that runs
// f in it, committing when f succeeds and rolling back when it fails.
func commitIf(tx *sql.Tx, err error) func(f func(*sql.Tx) error) error {
	return func(f func(*sql.Tx) error) error {
		if err != nil {
			return err
		}
		if err := f(tx); err != nil {
			tx.Rollback()
			return err
		}
		return tx.Commit()
	}
}
