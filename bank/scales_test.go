package bank

import (
	"context"
	"database/sql"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// checkPassport checks that the bank's scale passport is θ = −3 → 300,
// θ = 3 → 850 in [300, 850]: slope 550/6 and intercept 575 (to 1e-12,
// as SQLite's arithmetic and Go's may round alike or not), by its two
// points.
func checkPassport(t *testing.T, b *Bank) {
	t.Helper()
	s, err := b.Scale(context.Background(), "passport")
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(s.Slope-550.0/6) > 1e-12 || math.Abs(s.Intercept-575) > 1e-12 || s.Min != 300 || s.Max != 850 ||
		!reflect.DeepEqual(s.Definition, ScaleDefinition{Points: []float64{-3, 300, 3, 850}}) {
		t.Errorf("scale passport: %+v", s)
	}
	for _, p := range [][2]float64{{-3, 300}, {3, 850}, {0, 575}} {
		if got := s.Slope*p[0] + s.Intercept; math.Abs(got-p[1]) > 1e-9 {
			t.Errorf("passport: θ = %g gives %.12f, want %g", p[0], got, p[1])
		}
	}
	if _, err := time.Parse(time.RFC3339, s.CreatedAt); err != nil {
		t.Errorf("passport created at %q: %v", s.CreatedAt, err)
	}
}

// TestPassportScaleNewBank: a new bank has the scale passport and nothing
// else, and refuses to define it again, naming the one it has.
func TestPassportScaleNewBank(t *testing.T) {
	ctx := context.Background()
	b := openTemp(t)
	checkPassport(t, b)
	if ss, err := b.Scales(ctx); err != nil || len(ss) != 1 {
		t.Errorf("a new bank has %d scales (%v), want 1", len(ss), err)
	}
	_, err := b.SaveScale(ctx, &ScaleDef{Name: "passport", Slope: 550.0 / 6, Intercept: 575, Min: 300, Max: 850})
	if err == nil || !strings.Contains(err.Error(), "scale passport already exists (score = 91.6667·θ + 575.0000, in [300, 850])") {
		t.Errorf("defining passport again: %v", err)
	}
}

// TestPassportScaleMigration: a bank made before migration 0006 — at
// schema version 5, with its own scales — gains the scale passport when
// opened; one that had defined its own passport keeps it.
func TestPassportScaleMigration(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if ms[5].name != "0006_passport_scale.sql" {
		t.Fatalf("migration 6 is %s", ms[5].name)
	}
	// atVersion5 writes a bank at schema version 5 holding the scale name
	// (slope 100, intercept 500) and returns its path.
	atVersion5 := func(name string) string {
		path := filepath.Join(t.TempDir(), "old.db")
		db, err := sql.Open("sqlite3", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		exec := func(query string, args ...any) {
			t.Helper()
			if _, err := db.Exec(query, args...); err != nil {
				t.Fatal(err)
			}
		}
		exec(`CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`)
		for _, m := range ms[:5] {
			exec(m.sql)
			exec(`INSERT INTO schema_version VALUES (?, ?, '2026-01-01T00:00:00Z')`, m.version, m.name)
		}
		exec(`INSERT INTO scales (name, slope, intercept, min_score, max_score, definition, created_at)
			VALUES (?, 100, 500, 200, 800, '{"moments":[0,1,500,100]}', '2026-01-01T00:00:00Z')`, name)
		return path
	}
	open := func(path string) *Bank {
		b, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		if v, err := b.SchemaVersion(); err != nil || v != len(ms) {
			t.Fatalf("schema version %d (%v), want %d", v, err, len(ms))
		}
		return b
	}
	ctx := context.Background()

	b := open(atVersion5("legacy"))
	checkPassport(t, b)
	if ss, err := b.Scales(ctx); err != nil || len(ss) != 2 || ss[0].Name != "legacy" || ss[0].Slope != 100 {
		t.Errorf("after migration: %v %+v", err, ss)
	}

	b = open(atVersion5("passport"))
	ss, err := b.Scales(ctx)
	if err != nil || len(ss) != 1 || ss[0].Name != "passport" || ss[0].Slope != 100 || ss[0].Intercept != 500 ||
		!reflect.DeepEqual(ss[0].Definition, ScaleDefinition{Moments: []float64{0, 1, 500, 100}}) {
		t.Errorf("a bank's own passport scale after migration: %v %+v", err, ss)
	}
}
