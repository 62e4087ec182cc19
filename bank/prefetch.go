package bank

import (
	"fmt"
	"io"
)

// prefetched is a records source read ahead by other goroutines: the
// source's own work (splitting CSV lines, decoding Parquet pages) runs on
// one core while the row parser checks, resolves and stores the rows on
// another. A source that splits into parts read on their own (a Parquet
// file's row groups) is read by two goroutines, a part each in turn, and
// its records still come out in file order. Records travel in batches,
// which go back to the readers once used, so that reading ahead allocates
// little per row.
type prefetched struct {
	file   string // for errors
	header []string
	parts  []chan *recordBatch // each part's batches, in order
	free   chan *recordBatch   // batches used, for the readers to refill
	done   chan struct{}       // closed by stop: the readers quit
	width  int
	part   int // the part Read takes batches from
	cur    *recordBatch
	next   int // the record of cur that Read returns next
	line   int

	stopped bool
}

// recordBatch is up to batchRecords records of a source, cells flattened,
// and, after them, the error that ended the part (io.EOF at its end), or
// nil when more follow.
type recordBatch struct {
	cells []string
	lines []int
	err   error
}

// splitter is a records source made of parts that can be read side by
// side; each part numbers its rows as the whole source does.
type splitter interface {
	parts() []records
}

const (
	batchRecords = 1 << 12
	batchesAhead = 4
	partReaders  = 2
	// partAhead is how many batches a reader may get ahead of the row
	// parser in a part it is not yet taking (about 40 MB), so that the
	// second reader works while the parser takes the first one's part.
	partAhead = 64
)

// prefetch starts reading src ahead; stop must be called when the caller
// is done with it, whether or not it read to the end.
func prefetch(file string, src records) (*prefetched, func()) {
	parts := []records{src}
	if s, ok := src.(splitter); ok {
		if ps := s.parts(); len(ps) > 1 {
			parts = ps
		}
	}
	p := &prefetched{file: file, header: src.columns(), width: len(src.columns()), line: src.at(),
		parts: make([]chan *recordBatch, len(parts)), free: make(chan *recordBatch, (partAhead+2)*partReaders), done: make(chan struct{})}
	ahead := batchesAhead
	if len(parts) > 1 {
		ahead = partAhead
	}
	for k := range parts {
		p.parts[k] = make(chan *recordBatch, ahead)
	}
	readers := min(partReaders, len(parts))
	for r := range readers {
		go func() {
			for k := r; k < len(parts); k += readers {
				if !p.readAhead(parts[k], p.parts[k]) {
					return
				}
			}
		}()
	}
	return p, p.stop
}

// readAhead sends src's records in batches to out, the last carrying the
// error that ended it; false when stopped or the part ended in an error
// other than io.EOF (nothing after it is read).
func (p *prefetched) readAhead(src records, out chan<- *recordBatch) bool {
	for {
		var b *recordBatch
		select {
		case b = <-p.free:
			b.cells, b.lines, b.err = b.cells[:0], b.lines[:0], nil
		default:
			b = &recordBatch{cells: make([]string, 0, batchRecords*p.width), lines: make([]int, 0, batchRecords)}
		}
		for len(b.lines) < batchRecords {
			rec, err := p.read(src)
			if err != nil {
				b.err = err
				break
			}
			b.cells = append(b.cells, rec...)
			b.lines = append(b.lines, src.at())
		}
		// Once sent, b belongs to the row parser, which hands it back
		// through free to either reader: its error is read before.
		err := b.err
		select {
		case out <- b:
		case <-p.done:
			return false
		}
		if err != nil {
			return err == io.EOF
		}
	}
}

// read reads src's next record. A decoder that panics on a corrupt file
// (it runs on a reader goroutine, where nothing above could recover) gives
// an *InputError at the record after the last one read.
func (p *prefetched) read(src records) (rec []string, err error) {
	defer func() {
		if r := recover(); r != nil {
			rec, err = nil, &InputError{File: p.file, Line: src.at() + 1, Msg: fmt.Sprintf("the data cannot be decoded (%v); expected an intact file", r)}
		}
	}()
	return src.Read()
}

func (p *prefetched) stop() {
	if !p.stopped {
		p.stopped = true
		close(p.done)
	}
}

func (p *prefetched) columns() []string { return p.header }
func (p *prefetched) at() int           { return p.line }

// Read returns the next record; it is valid until the next call.
func (p *prefetched) Read() ([]string, error) {
	for p.cur == nil || p.next == len(p.cur.lines) {
		if p.cur != nil {
			if p.cur.err == io.EOF && p.part+1 < len(p.parts) {
				p.part++
			} else if p.cur.err != nil {
				return nil, p.cur.err
			}
			select {
			case p.free <- p.cur:
			default:
			}
		}
		p.cur, p.next = <-p.parts[p.part], 0
	}
	w := p.width
	k := p.next
	p.next++
	p.line = p.cur.lines[k]
	return p.cur.cells[k*w : (k+1)*w : (k+1)*w], nil
}
