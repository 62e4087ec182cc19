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
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Bank is an open item bank.
type Bank struct {
	db   *sql.DB
	path string
	now  func() time.Time

	lockTimeout time.Duration               // how long a write waits for another writer
	onWait      func(timeout time.Duration) // told when a write starts waiting; may be nil
	dryRun      bool                        // every write is rolled back (SetDryRun)
}

// SetDryRun makes every later write of b compute and check as usual and
// then roll back: a command run dry prints what it would store and stores
// nothing. Numbers given to new objects are those they would have had.
func (b *Bank) SetDryRun(dry bool) { b.dryRun = dry }

// DefaultLockTimeout is how long a write waits, unless told otherwise, for
// another writer to finish with the bank.
const DefaultLockTimeout = 5 * time.Minute

// ErrNoBank is Open's error, wrapped with the file's name, when there is no
// bank at the path: no such file, or an empty one. Create makes one.
var ErrNoBank = errors.New("no bank")

// An Option adjusts how Open and Create open a bank.
type Option func(*Bank)

// LockTimeout sets how long a write waits for another writer (another
// passport on the same file) to finish before it gives up with a
// *LockError; zero gives up at once. The default is DefaultLockTimeout.
// Reads never wait for a writer, except, as long at most, in the moment
// a closing connection folds the write-ahead log into the file.
func LockTimeout(d time.Duration) Option { return func(b *Bank) { b.lockTimeout = d } }

// OnWait sets a function told, once per write that has to wait for another
// writer, that it is waiting and for how long at most.
func OnWait(f func(timeout time.Duration)) Option { return func(b *Bank) { b.onWait = f } }

// Open opens the bank at path, which must exist (Create makes one), and
// brings its schema up to date. The path is a plain file name: one holding
// ?, #, % or spaces names exactly that file. Opening a bank whose schema
// is current writes nothing, so it never waits for a writer.
func Open(path string, opts ...Option) (*Bank, error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s: %w (no such file)", path, ErrNoBank)
	case err != nil:
		return nil, fmt.Errorf("open bank %s: %w", path, err)
	case fi.IsDir():
		return nil, fmt.Errorf("%s is a folder, not a bank file", path)
	}
	return open(path, false, -1, opts)
}

// Create opens the bank at path, first creating the file and the bank's
// tables when there is none, and brings its schema up to date. It refuses
// a file that is not a passport bank. The file is put in WAL mode, so that
// readers never wait for a writer.
func Create(path string, opts ...Option) (*Bank, error) {
	if path == "" {
		return nil, errors.New("create bank: no file name given")
	}
	return open(path, true, -1, opts)
}

// open opens the file at path (creating it when create is set) and brings
// its schema up to version to (the latest when to is negative).
func open(path string, create bool, to int, opts []Option) (*Bank, error) {
	b := &Bank{path: path, now: time.Now, lockTimeout: DefaultLockTimeout}
	for _, o := range opts {
		o(b)
	}
	mode := "rw" // SQLite's: fail on a missing file rather than create it
	if create {
		mode = "rwc"
	}
	q := url.Values{}
	q.Set("mode", mode)
	q.Set("_foreign_keys", "on")
	q.Set("_synchronous", "NORMAL")
	q.Set("_busy_timeout", strconv.FormatInt(ceilMillis(b.lockTimeout), 10))
	q.Set("_txlock", "immediate") // a write transaction takes the write lock when it begins
	db, err := sql.Open("sqlite3", fileURI(path)+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open bank %s: %w", path, err)
	}
	// One connection: SQLite serialises writers anyway, and pragmas and
	// temporary tables then hold for the whole session.
	db.SetMaxOpenConns(1)
	b.db = db
	if err := b.setUp(context.Background(), create, to); err != nil {
		db.Close()
		return nil, err
	}
	return b, nil
}

// fileURI is path as the SQLite URI naming exactly that file: the
// characters a URI gives a meaning (%, ? and #) are escaped, and an
// absolute path gets the empty authority ("file:///…") so that one
// beginning with // is not read as a host.
func fileURI(path string) string {
	p := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	if strings.HasPrefix(p, "/") {
		p = "//" + p
	}
	return "file:" + p
}

// setUp checks that the file holds a passport bank (or, with create, is
// new or empty, and makes it one), puts it in WAL mode and migrates it.
func (b *Bank) setUp(ctx context.Context, create bool, to int) error {
	var tables, versioned int
	err := b.db.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(*) FILTER (WHERE name = 'schema_version')
		FROM sqlite_master WHERE type = 'table'`).Scan(&tables, &versioned)
	if sqliteCode(err) == sqlite3.ErrNotADB {
		return fmt.Errorf("%s is not a passport bank (nor any SQLite database): check the file name", b.path)
	}
	if err != nil {
		return fmt.Errorf("open bank %s: %w", b.path, err)
	}
	switch {
	case versioned == 0 && tables > 0:
		return fmt.Errorf("%s is an SQLite database but not a passport bank (it has no schema_version table): check the file name", b.path)
	case versioned == 0 && !create:
		return fmt.Errorf("%s: %w (the file is empty)", b.path, ErrNoBank)
	}
	var mode string
	if err := b.db.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		return fmt.Errorf("open bank %s: %w", b.path, err)
	}
	if mode != "wal" { // WAL is a property of the file: set once, at creation
		if _, err := b.db.ExecContext(ctx, `PRAGMA journal_mode = WAL`); err != nil {
			return fmt.Errorf("open bank %s: %w", b.path, err)
		}
	}
	if versioned == 0 {
		err := b.inTx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, schemaVersionTable)
			return err
		})
		if err != nil {
			return fmt.Errorf("create bank %s: %w", b.path, err)
		}
	}
	if err := b.migrateTo(ctx, to); err != nil {
		return fmt.Errorf("open bank %s: %w", b.path, err)
	}
	return nil
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

// schemaVersionTable records the migrations a bank has had.
const schemaVersionTable = `CREATE TABLE IF NOT EXISTS schema_version (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at TEXT NOT NULL)`

// migrateTo applies, each in its own transaction, the migrations up to
// version to (all of them when to is negative) that the file has not had
// yet. A bank newer than this program is an error, not a downgrade. A bank
// already at the version is only read.
func (b *Bank) migrateTo(ctx context.Context, to int) error {
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
			// Another passport may have applied it while this one waited.
			var v int
			if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v); err != nil || v >= m.version {
				return err
			}
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

// LockError is a write's error when another writer kept the bank's write
// lock for longer than the lock timeout. Nothing was written.
type LockError struct {
	Path    string
	Timeout time.Duration
}

func (e *LockError) Error() string {
	return fmt.Sprintf("the bank %s is busy: another passport was still writing to it after %s of waiting, "+
		"so nothing was written; run this again when it has finished, or wait longer with --lock-timeout", e.Path, e.Timeout)
}

// lockPoll bounds each attempt to take the write lock inside SQLite, so that
// a cancelled context stops the wait within it.
const lockPoll = 100 * time.Millisecond

// inTx runs f in one write transaction, committed only when f succeeds.
func (b *Bank) inTx(ctx context.Context, f func(*sql.Tx) error) error {
	conn, err := b.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return b.write(ctx, conn, f)
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
	return b.write(ctx, conn, f)
}

// write runs f in a write transaction on conn, committing when f succeeds
// and rolling back when it fails.
func (b *Bank) write(ctx context.Context, conn *sql.Conn, f func(*sql.Tx) error) error {
	defer conn.ExecContext(context.Background(), busyTimeout(b.lockTimeout))
	tx, err := b.begin(ctx, conn)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	if b.dryRun {
		return tx.Rollback()
	}
	return tx.Commit()
}

// begin begins a write transaction on conn, which takes the bank's write
// lock (BEGIN IMMEDIATE). While another writer holds the lock it tells
// onWait, once, and tries again until it has waited the lock timeout; then
// it gives up with a *LockError. Readers neither take nor wait for the
// lock (WAL). The first attempt does not wait, so that a wait is told at
// once; the later ones wait inside SQLite up to lockPoll each, and the
// caller restores the connection's busy timeout afterwards.
func (b *Bank) begin(ctx context.Context, conn *sql.Conn) (*sql.Tx, error) {
	start := time.Now()
	for wait := time.Duration(0); ; {
		if _, err := conn.ExecContext(ctx, busyTimeout(wait)); err != nil {
			return nil, err
		}
		tx, err := conn.BeginTx(ctx, nil)
		if sqliteCode(err) != sqlite3.ErrBusy {
			return tx, err
		}
		left := b.lockTimeout - time.Since(start)
		if left <= 0 {
			return nil, &LockError{Path: b.path, Timeout: b.lockTimeout}
		}
		if wait == 0 && b.onWait != nil {
			b.onWait(b.lockTimeout)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		wait = min(left, lockPoll)
	}
}

// busyTimeout is the statement setting how long a statement waits inside
// SQLite for a lock another connection holds.
func busyTimeout(d time.Duration) string {
	return fmt.Sprintf("PRAGMA busy_timeout = %d", ceilMillis(d))
}

// ceilMillis is d in whole milliseconds, rounded up.
func ceilMillis(d time.Duration) int64 { return int64((d + time.Millisecond - 1) / time.Millisecond) }

// sqliteCode is err's SQLite result code, or 0 when err is not SQLite's.
func sqliteCode(err error) sqlite3.ErrNo {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}
