package bank

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// testWait bounds every wait of these tests, so that a writer or reader
// that blocks when it should not fails the test instead of hanging it.
const testWait = 10 * time.Second

// holdLock opens a second connection to the bank at path and holds its
// write lock, with one item written and not yet committed, until the
// returned function is called; that commits it.
func holdLock(t *testing.T, path string) (release func()) {
	t.Helper()
	h, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	held, done := make(chan struct{}), make(chan error, 1)
	let := make(chan struct{})
	go func() {
		done <- h.inTx(context.Background(), func(tx *sql.Tx) error {
			if _, err := tx.Exec(`INSERT INTO items (code, domain, status, stem, n_options, created_at, updated_at)
				VALUES ('HELD', 'idioms', 'draft', 'Q', 4, 'x', 'x')`); err != nil {
				return err
			}
			close(held)
			<-let
			return nil
		})
	}()
	select {
	case <-held:
	case err := <-done:
		t.Fatalf("holding the lock: %v", err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			close(let)
			if err := <-done; err != nil {
				t.Errorf("the holder's transaction: %v", err)
			}
			h.Close()
		})
	}
	t.Cleanup(release)
	return release
}

// itemCodes is the set of the bank's item codes, joined.
func itemCodes(t *testing.T, b *Bank) string {
	t.Helper()
	items, err := b.Items(context.Background(), ItemFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, it := range items {
		codes = append(codes, it.Code)
	}
	return strings.Join(codes, ",")
}

// TestWriterWaitsForLock: while another connection holds the write lock, a
// reader opens the bank and reads at once (what was committed before), and
// a writer says, once, that it waits, then writes when the lock is let go.
func TestWriterWaitsForLock(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	b := withItemsAt(t, path, 2)
	b.Close()
	release := holdLock(t, path)

	waits := make(chan time.Duration, 10)
	w, err := Open(path, LockTimeout(testWait), OnWait(func(d time.Duration) { waits <- d }))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	wrote := make(chan error, 1)
	go func() {
		_, err := w.ImportItems(ctx, "more.csv", strings.NewReader(itemsCSV(3)))
		wrote <- err
	}()
	select {
	case d := <-waits:
		if d != testWait {
			t.Errorf("told it waits up to %s, want %s", d, testWait)
		}
	case err := <-wrote:
		t.Fatalf("the writer finished (%v) while another held the lock", err)
	case <-time.After(testWait):
		t.Fatal("the writer never said it waits")
	}

	// A reader, opened and reading while the lock is held, is not held up
	// and sees the bank as last committed.
	read := make(chan string, 1)
	go func() {
		r, err := Open(path, LockTimeout(0))
		if err != nil {
			read <- err.Error()
			return
		}
		defer r.Close()
		read <- itemCodes(t, r)
	}()
	select {
	case got := <-read:
		if got != "IT001,IT002" {
			t.Errorf("a reader during the write saw %q, want IT001,IT002", got)
		}
	case <-time.After(testWait):
		t.Fatal("a reader waited for the writer")
	}

	release()
	select {
	case err := <-wrote:
		if err != nil {
			t.Fatalf("the waiting writer: %v", err)
		}
	case <-time.After(testWait):
		t.Fatal("the writer did not write after the lock was let go")
	}
	if n := len(waits); n != 0 {
		t.Errorf("told %d more times that it waits, want once", n)
	}
	if got := itemCodes(t, w); got != "HELD,IT001,IT002,IT003" {
		t.Errorf("after both writes the bank has %s", got)
	}
}

// TestWriterGivesUp: a writer that cannot take the lock within its timeout
// fails with a *LockError saying what to do, having written nothing, and a
// cancelled one stops waiting.
func TestWriterGivesUp(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	b := withItemsAt(t, path, 2)
	b.Close()
	release := holdLock(t, path)

	const timeout = 300 * time.Millisecond
	w, err := Open(path, LockTimeout(timeout))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	start := time.Now()
	_, err = w.ImportItems(ctx, "more.csv", strings.NewReader(itemsCSV(3)))
	var le *LockError
	if !errors.As(err, &le) || le.Timeout != timeout || !strings.Contains(err.Error(), "another passport was still writing") ||
		!strings.Contains(err.Error(), "--lock-timeout") {
		t.Fatalf("a write past its lock timeout: %v", err)
	}
	if waited := time.Since(start); waited < timeout {
		t.Errorf("gave up after %s, before its timeout %s", waited, timeout)
	}

	// Cancelled while waiting: the context's error, promptly.
	c, err := Open(path, LockTimeout(testWait))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cctx, cancel := context.WithCancel(ctx)
	time.AfterFunc(100*time.Millisecond, cancel)
	start = time.Now()
	if _, err := c.ImportItems(cctx, "more.csv", strings.NewReader(itemsCSV(3))); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled wait: %v", err)
	}
	if waited := time.Since(start); waited >= testWait {
		t.Errorf("a cancelled wait lasted its whole timeout")
	}

	release()
	if got := itemCodes(t, w); got != "HELD,IT001,IT002" {
		t.Errorf("after the failed writes the bank has %s, want the holder's and the first two items only", got)
	}
}

// TestConcurrentCreate: several passports creating (or migrating) one new
// bank at once each wait their turn, and every migration is applied once.
func TestConcurrentCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.db")
	errs := make(chan error, 4)
	for range cap(errs) {
		go func() {
			b, err := Create(path, LockTimeout(testWait))
			if err == nil {
				b.Close()
			}
			errs <- err
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var n, v int
	if err := b.db.QueryRow(`SELECT COUNT(*), MAX(version) FROM schema_version`).Scan(&n, &v); err != nil || n != v || v != len(mustMigrations(t)) {
		t.Errorf("schema_version: %d rows up to version %d (%v), want each of the %d migrations once", n, v, err, len(mustMigrations(t)))
	}
}

// withItemsAt creates the bank at path holding itemsCSV(n).
func withItemsAt(t *testing.T, path string, n int) *Bank {
	t.Helper()
	b, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.ImportItems(context.Background(), "items.csv", strings.NewReader(itemsCSV(n))); err != nil {
		t.Fatal(err)
	}
	return b
}
