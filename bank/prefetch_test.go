package bank

import (
	"errors"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// countedPart is a part of a split source: n one-cell records numbered
// from first, on lines first+1, …, then err (io.EOF when nil).
type countedPart struct {
	first, n int
	err      error
	i        int
	rec      []string
	read     *atomic.Int64 // records read from all parts
}

func (c *countedPart) columns() []string { return []string{"k"} }
func (c *countedPart) at() int           { return c.first + c.i }
func (c *countedPart) Read() ([]string, error) {
	if c.i == c.n {
		if c.err != nil {
			return nil, c.err
		}
		return nil, io.EOF
	}
	c.i++
	c.read.Add(1)
	c.rec = append(c.rec[:0], strconv.Itoa(c.first+c.i-1))
	return c.rec, nil
}

// splitSource is a source of parts of the given sizes; the part at bad
// (when ≥ 0) ends in errBad.
type splitSource struct {
	ps   []records
	read atomic.Int64
}

var errBad = errors.New("a broken page")

func newSplitSource(sizes []int, bad int) *splitSource {
	s := &splitSource{}
	first := 0
	for k, n := range sizes {
		p := &countedPart{first: first, n: n, read: &s.read}
		if k == bad {
			p.err = errBad
		}
		s.ps = append(s.ps, p)
		first += n
	}
	return s
}

// source is s, or its part when it has only one.
func (s *splitSource) source() records {
	if len(s.ps) == 1 {
		return s.ps[0]
	}
	return s
}

func (s *splitSource) parts() []records        { return s.ps }
func (s *splitSource) columns() []string       { return []string{"k"} }
func (s *splitSource) at() int                 { return 0 }
func (s *splitSource) Read() ([]string, error) { panic("a split source is read by its parts") }

// TestPrefetchOrder: parts read two at a time come out in order, each
// record with its line, whatever the parts' sizes (empty, less than a
// batch, several batches); a part ending in an error other than io.EOF
// ends the reading there, after the part's records, and the readers read
// nothing after it of their own parts.
func TestPrefetchOrder(t *testing.T) {
	for _, sizes := range [][]int{{5000, 0, 3, 2 * batchRecords, 1, 9000}, {7000}} {
		for _, bad := range []int{-1, 0, 2, 3, 5} {
			if bad < len(sizes) {
				prefetchOrder(t, sizes, bad)
			}
		}
	}
}

func prefetchOrder(t *testing.T, sizes []int, bad int) {
	src := newSplitSource(sizes, bad)
	ahead, stop := prefetch("t.csv", src.source())
	want, end := 0, 0
	for k, n := range sizes {
		end += n
		if k == bad {
			break
		}
	}
	var err error
	for {
		var rec []string
		if rec, err = ahead.Read(); err != nil {
			break
		}
		if rec[0] != strconv.Itoa(want) || ahead.at() != want+1 {
			t.Fatalf("part %d bad: record %d reads %q on line %d", bad, want, rec[0], ahead.at())
		}
		want++
	}
	wantErr := io.EOF
	if bad >= 0 {
		wantErr = errBad
	}
	if want != end || err != wantErr {
		t.Errorf("part %d bad: %d records then %v; want %d then %v", bad, want, err, end, wantErr)
	}
	if _, again := ahead.Read(); again != wantErr {
		t.Errorf("part %d bad: reading again gives %v; want %v", bad, again, wantErr)
	}
	stop()
	if bad >= 0 && bad+partReaders < len(sizes) {
		// The reader of the bad part never starts its next part.
		var after int
		for k := bad + partReaders; k < len(sizes); k += partReaders {
			after += src.ps[k].(*countedPart).i
		}
		if after != 0 {
			t.Errorf("part %d bad: %d records read after it by its reader", bad, after)
		}
	}
}

// TestPrefetchStop: stopping a reading that is far from its end (readers
// blocked on full channels) ends the readers.
func TestPrefetchStop(t *testing.T) {
	for _, sizes := range [][]int{{1 << 22}, {1 << 21, 1 << 21, 1 << 21}} {
		before := runtime.NumGoroutine()
		src := newSplitSource(sizes, -1)
		ahead, stop := prefetch("t.csv", src.source())
		for range 10 {
			if _, err := ahead.Read(); err != nil {
				t.Fatal(err)
			}
		}
		// Wait until the readers are blocked: what they have read no
		// longer grows.
		for last := int64(-1); last != src.read.Load(); {
			last = src.read.Load()
			time.Sleep(20 * time.Millisecond)
		}
		stop()
		stop() // a second stop does nothing
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			t.Errorf("%d parts: %d goroutines after stop; want %d as before", len(sizes), n, before)
		}
	}
}

// panicPart is a one-column source whose decoder panics after n records.
type panicPart struct{ countedPart }

func (c *panicPart) Read() ([]string, error) {
	if c.i == c.n {
		panic("index out of range in a corrupt page")
	}
	return c.countedPart.Read()
}

// TestPrefetchPanic: a decoder that panics on a reader goroutine gives an
// *InputError at the line after the last record read, after the records
// before it, instead of crashing the process.
func TestPrefetchPanic(t *testing.T) {
	var read atomic.Int64
	src := &panicPart{countedPart{n: 5000, read: &read}}
	ahead, stop := prefetch("bad.parquet", src)
	defer stop()
	n := 0
	var err error
	for {
		if _, err = ahead.Read(); err != nil {
			break
		}
		n++
	}
	var ie *InputError
	if n != 5000 || !errors.As(err, &ie) || ie.File != "bad.parquet" || ie.Line != 5001 || !strings.Contains(ie.Msg, "cannot be decoded") {
		t.Errorf("after %d records: %v", n, err)
	}
}
