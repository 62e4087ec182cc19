package bank

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// dirFiles lists the names in dir.
func dirFiles(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// TestFileNames: a bank's path is a plain file name. Create makes exactly
// that file, whatever it holds (characters SQLite URIs give a meaning, a
// query that would open an in-memory database, spaces, unicode), and Open
// finds the same bank there.
func TestFileNames(t *testing.T) {
	ctx := context.Background()
	names := []string{"bankA?.db", "x.db?mode=memory&a=", "a#b.db", "100%.db", "%41.db", "two words.db", "ünïcødé ✓.db", "plain.db"}
	check := func(t *testing.T, dir, create, open string) {
		t.Helper()
		b, err := Create(create)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.ImportItems(ctx, "items.csv", strings.NewReader(itemsCSV(5))); err != nil {
			t.Fatal(err)
		}
		b.Close()
		if got, want := dirFiles(t, dir), []string{filepath.Base(create)}; !slices.Equal(got, want) {
			t.Fatalf("Create(%q) left %q, want %q", create, got, want)
		}
		b, err = Open(open)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		if items, err := b.Items(ctx, ItemFilter{}); err != nil || len(items) != 5 {
			t.Errorf("Open(%q): %d items (%v), want the 5 imported", open, len(items), err)
		}
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			check(t, dir, filepath.Join(dir, name), filepath.Join(dir, name))
		})
	}
	t.Run("relative", func(t *testing.T) {
		dir := t.TempDir()
		t.Chdir(dir)
		check(t, dir, "bankA?.db", filepath.Join(dir, "bankA?.db"))
	})
	t.Run("leading //", func(t *testing.T) {
		dir := t.TempDir()
		check(t, dir, "/"+filepath.Join(dir, "x.db"), filepath.Join(dir, "x.db"))
	})
}

// TestOpenNoBank: Open creates nothing. It fails with ErrNoBank on a missing
// or empty file, and refuses (as Create does) a file that is not a bank,
// leaving it as it was.
func TestOpenNoBank(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing?.db")
	if _, err := Open(missing); !errors.Is(err, ErrNoBank) || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("opening a missing file: %v", err)
	}
	if got := dirFiles(t, dir); len(got) != 0 {
		t.Errorf("opening a missing file created %q", got)
	}
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(empty); !errors.Is(err, ErrNoBank) || !strings.Contains(err.Error(), "empty") {
		t.Errorf("opening an empty file: %v", err)
	}
	if got := dirFiles(t, dir); !slices.Equal(got, []string{"empty.db"}) {
		t.Errorf("opening an empty file left %q", got)
	}
	if fi, err := os.Stat(empty); err != nil || fi.Size() != 0 {
		t.Errorf("opening an empty file wrote to it: %v", err)
	}
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "is a folder") {
		t.Errorf("opening a folder: %v", err)
	}

	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte("not a database, but long enough to look like one's header at first glance\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(dir, "other.db")
	db, err := sql.Open("sqlite3", "file:"+foreign)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE t (x)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, tc := range []struct{ path, msg string }{
		{text, "nor any SQLite database"},
		{foreign, "not a passport bank (it has no schema_version table)"},
	} {
		before, err := os.ReadFile(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		for name, open := range map[string]func(string, ...Option) (*Bank, error){"Open": Open, "Create": Create} {
			if _, err := open(tc.path); err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("%s(%s): %v, want an error saying %q", name, filepath.Base(tc.path), err, tc.msg)
			}
		}
		if after, _ := os.ReadFile(tc.path); string(after) != string(before) {
			t.Errorf("%s was changed", filepath.Base(tc.path))
		}
	}
	if got := dirFiles(t, dir); !slices.Equal(got, []string{"empty.db", "notes.txt", "other.db"}) {
		t.Errorf("refusing files that are not banks left %q", got)
	}
}

// TestCreateEmptyFile: Create makes a bank of an empty file, and of a bank
// already there only brings it up to date.
func TestCreateEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.db")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		b, err := Create(path)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := b.db.QueryRow(`SELECT COUNT(*) FROM schema_version`).Scan(&n); err != nil || n != len(mustMigrations(t)) {
			t.Errorf("schema_version has %d rows (%v), want one per migration", n, err)
		}
		b.Close()
	}
}

func mustMigrations(t *testing.T) []migration {
	t.Helper()
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	return ms
}
