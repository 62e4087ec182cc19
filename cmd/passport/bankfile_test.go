package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passportirt/passport/bank"
)

// testWait bounds every wait of the shared-bank test: a writer or reader
// that blocks when it should not fails the test instead of hanging it.
const testWait = 30 * time.Second

// dirNames lists the files in dir.
func dirNames(t *testing.T, dir string) []string {
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

// TestBankFileNames: --db is a plain file name. init makes exactly that
// file, and later commands use it, whatever characters it holds.
func TestBankFileNames(t *testing.T) {
	for _, name := range []string{"bankA?.db", "x.db?mode=memory&a=", "a#b.db", "100%.db", "my bank.db", "banque ünïcødé.db"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, name)
			if _, _, err := run(t, db, "init", "--demo"); err != nil {
				t.Fatal(err)
			}
			if got := dirNames(t, dir); !slices.Equal(got, []string{name}) {
				t.Fatalf("init --db %q made %q", name, got)
			}
			out, _, err := run(t, db, "bank", "stats", "--format", "json")
			if err != nil {
				t.Fatal(err)
			}
			var s bank.Stats
			if err := json.Unmarshal([]byte(out), &s); err != nil || s.Items != 306 {
				t.Errorf("bank stats on %q: %d items (%v), want the 306 init loaded", name, s.Items, err)
			}
		})
	}
	t.Run("relative", func(t *testing.T) {
		dir := t.TempDir()
		t.Chdir(dir)
		if _, _, err := run(t, "bankA?.db", "init"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := run(t, "bankA?.db", "items", "list"); err != nil {
			t.Fatal(err)
		}
		if got := dirNames(t, dir); !slices.Equal(got, []string{"bankA?.db"}) {
			t.Errorf("init --db 'bankA?.db' made %q", got)
		}
	})
}

// TestMissingBank: every command but init refuses a --db that names no
// file, says how to create one, and creates nothing.
func TestMissingBank(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "no bank?.db")
	log := filepath.Join(dir, "log.csv")
	if err := os.WriteFile(log, []byte("examinee,form,item,option\nE1,F1,SEM-001,A\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	hint := "create it with passport init --db '" + db + "' (add --demo"
	for _, args := range [][]string{
		{"items", "list"},
		{"bank", "stats"},
		{"responses", "import", log},
		{"responses", "export"},
		{"simulate", "--examinees", "10"},
		{"calibrate"},
		{"calibrations", "list"},
		{"score", "--run", "1"},
		{"scale", "list"},
		{"forms", "list"},
		{"analyze"},
	} {
		_, _, err := run(t, db, args...)
		if err == nil || !strings.Contains(err.Error(), "no bank (no such file)") || !strings.Contains(err.Error(), hint) {
			t.Errorf("%s on a missing bank: %v; want it to say so and %q", strings.Join(args, " "), err, hint)
		}
	}
	if got := dirNames(t, dir); !slices.Equal(got, []string{"log.csv"}) {
		t.Errorf("commands on a missing bank left %q", got)
	}
}

// syncBuffer is a buffer one goroutine writes while another reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// sortedExportSum is the SHA-256 of the bank's responses exported in the
// long format, lines sorted (examinee ids follow the order of the imports).
func sortedExportSum(t *testing.T, db string) string {
	t.Helper()
	out, _, err := run(t, db, "responses", "export")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	slices.Sort(lines[1:])
	h := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return hex.EncodeToString(h[:])
}

// bankStats is passport bank stats on db.
func bankStats(t *testing.T, db string) bank.Stats {
	t.Helper()
	out, _, err := run(t, db, "bank", "stats", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var s bank.Stats
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSharedBank is a team sharing one bank. While one import holds the
// write lock (log D, streamed through a pipe and held half-way), a reader
// reads at once, a writer with a short --lock-timeout gives up with the
// clear message and changes nothing, and two imports (logs B and C) and a
// calibration (of log A, imported before) start together: each says it
// waits, the calibration computing first. When the lock is let go all
// land, and the bank holds exactly what importing A, D, B and C one after
// the other gives.
func TestSharedBank(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "shared.db")
	if _, _, err := run(t, db, "init", "--demo"); err != nil {
		t.Fatal(err)
	}
	logs := map[string]string{}
	for i, p := range []string{"A", "B", "C", "D"} {
		logs[p] = filepath.Join(dir, "log"+p+".csv")
		if _, _, err := run(t, db, "simulate", "--examinees", "200", "--seed", string(rune('1'+i)), "--examinee-prefix", p,
			"--form-prefix", "F"+p, "-o", logs[p]); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := run(t, db, "responses", "import", logs["A"]); err != nil {
		t.Fatal(err)
	}
	before := bankStats(t, db)

	// The holder: an import of log D that has begun its transaction (so
	// holds the lock) and waits for the rest of its file.
	start := time.Now()
	data, err := os.ReadFile(logs["D"])
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	hb, err := bank.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer hb.Close()
	pr, pw := io.Pipe()
	held := make(chan error, 1)
	go func() {
		_, err := hb.ImportLong(ctx, logs["D"], pr, bank.ResponseOptions{})
		pr.CloseWithError(err)
		held <- err
	}()
	// Each write returns once the import has read it: the header before
	// the transaction begins, the first rows inside it.
	for _, l := range lines[:3] {
		if _, err := pw.Write(l); err != nil {
			t.Fatal(err)
		}
	}
	holding := time.Now()

	// A reader reads at once, and sees the bank as last committed.
	if s := bankStats(t, db); s.Responses != before.Responses || s.Imports != before.Imports {
		t.Errorf("a reader during the write saw %d responses in %d imports, want %d in %d", s.Responses, s.Imports, before.Responses, before.Imports)
	}
	readAt := time.Now()

	// A writer that cannot wait long enough gives up and changes nothing.
	_, _, err = run(t, db, "--lock-timeout", "200ms", "responses", "import", logs["B"])
	if err == nil || !strings.Contains(err.Error(), "another passport was still writing to it after 200ms") ||
		!strings.Contains(err.Error(), "nothing was written") || !strings.Contains(err.Error(), "--lock-timeout") {
		t.Fatalf("an import past its lock timeout: %v", err)
	}
	if s := bankStats(t, db); s.Responses != before.Responses || s.Imports != before.Imports {
		t.Errorf("the failed import left %d responses in %d imports, want %d in %d", s.Responses, s.Imports, before.Responses, before.Imports)
	}
	gaveUpAt := time.Now()

	// Two imports and a calibration at once.
	type writer struct {
		name   string
		errOut *syncBuffer
		run    func(*globals) error
		err    error
		done   time.Duration
	}
	writers := []*writer{
		{name: "import B", run: func(g *globals) error {
			_, err := runResponsesImport(ctx, &responsesImportOptions{globals: g, file: logs["B"], onDuplicate: "reject"})
			return err
		}},
		{name: "import C", run: func(g *globals) error {
			_, err := runResponsesImport(ctx, &responsesImportOptions{globals: g, file: logs["C"], onDuplicate: "reject"})
			return err
		}},
		{name: "calibrate", run: func(g *globals) error {
			co := defaultCalibrateOptions()
			co.globals, co.model, co.name = g, "rasch", "during imports"
			_, err := runCalibrate(ctx, co)
			return err
		}},
	}
	var wg sync.WaitGroup
	for _, w := range writers {
		w.errOut = &syncBuffer{}
		g := &globals{in: strings.NewReader(""), out: io.Discard, errOut: w.errOut, db: db, lockTimeout: testWait, format: "table"}
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.err = w.run(g)
			w.done = time.Since(start)
		}()
	}
	const waiting = "waiting for the bank: another passport is writing to " // … (up to 30s, --lock-timeout)
	deadline := time.Now().Add(testWait)
	for _, w := range writers {
		for !strings.Contains(w.errOut.String(), waiting) {
			if time.Now().After(deadline) {
				t.Fatalf("%s never said it waits; its stderr:\n%s", w.name, w.errOut)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	allWaiting := time.Now()
	for _, l := range lines[3:] {
		if _, err := pw.Write(l); err != nil {
			t.Fatal(err)
		}
	}
	pw.Close()
	if err := <-held; err != nil {
		t.Fatalf("the holder's import: %v", err)
	}
	released := time.Now()
	wg.Wait()
	for _, w := range writers {
		if w.err != nil {
			t.Errorf("%s: %v", w.name, w.err)
		}
		if n := strings.Count(w.errOut.String(), waiting); n != 1 {
			t.Errorf("%s said %d times that it waits, want once:\n%s", w.name, n, w.errOut)
		}
	}
	cal := writers[2].errOut.String()
	if i, j := strings.Index(cal, "calibrating rasch"), strings.Index(cal, waiting); i < 0 || j < i || !strings.Contains(cal[j:], "run 1: rasch") {
		t.Errorf("the calibration did not compute, wait, then store run 1:\n%s", cal)
	}
	t.Logf("timings from the holder's start: lock held at %s, a read done at %s, the 200ms writer gave up at %s, "+
		"all three writers waiting at %s, lock let go at %s; import B, C and the calibration done at %s, %s, %s",
		holding.Sub(start).Round(time.Millisecond), readAt.Sub(start).Round(time.Millisecond), gaveUpAt.Sub(start).Round(time.Millisecond),
		allWaiting.Sub(start).Round(time.Millisecond), released.Sub(start).Round(time.Millisecond),
		writers[0].done.Round(time.Millisecond), writers[1].done.Round(time.Millisecond), writers[2].done.Round(time.Millisecond))

	// Everything landed, exactly: the same responses as one import after
	// another; the calibration is of log A, the data it read.
	seq := filepath.Join(dir, "sequential.db")
	if _, _, err := run(t, seq, "init", "--demo"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"A", "D", "B", "C"} {
		if _, _, err := run(t, seq, "responses", "import", logs[p]); err != nil {
			t.Fatal(err)
		}
	}
	got, want := bankStats(t, db), bankStats(t, seq)
	if got.Responses != want.Responses || got.Examinees != want.Examinees || got.Imports != want.Imports || got.Calibrations != 1 ||
		got.Responses != 4*before.Responses {
		t.Errorf("shared bank: %d responses, %d examinees, %d imports, %d calibrations; one after another: %d, %d, %d (and no calibration)",
			got.Responses, got.Examinees, got.Imports, got.Calibrations, want.Responses, want.Examinees, want.Imports)
	}
	if g, w := sortedExportSum(t, db), sortedExportSum(t, seq); g != w {
		t.Errorf("the shared bank's responses (SHA-256 %s) differ from importing them one after another (%s)", g, w)
	}
	b, err := bank.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	run1, err := b.Calibration(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if run1.Name != "during imports" || run1.NResponses != int(before.Responses) || len(run1.Inputs) != 1 || len(run1.Params) == 0 {
		t.Errorf("the calibration stored %q on %d responses from imports %v, %d items; want log A's %d responses",
			run1.Name, run1.NResponses, run1.Inputs, len(run1.Params), before.Responses)
	}
}
