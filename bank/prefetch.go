package bank

// prefetched is a records source read ahead by another goroutine: the
// source's own work (splitting CSV lines, checking UTF-8, decoding Parquet
// pages) runs on one core while the row parser checks, resolves and stores
// the rows on another. Records travel in batches, which go back to the
// reader once used, so that reading ahead allocates nothing per row.
type prefetched struct {
	header  []string
	full    chan *recordBatch // batches read, in file order
	free    chan *recordBatch // batches used, for the reader to refill
	done    chan struct{}     // closed by stop: the reader quits
	cur     *recordBatch
	next    int // the record of cur that Read returns next
	line    int
	stopped bool
}

// recordBatch is up to batchRecords records of a source, cells flattened,
// and, after them, the error that ended the reading (io.EOF at the end of
// the file), or nil when more follow.
type recordBatch struct {
	cells []string
	lines []int
	err   error
}

const (
	batchRecords = 1 << 12
	batchesAhead = 4
)

// prefetch starts reading src ahead; stop must be called when the caller
// is done with it, whether or not it read to the end.
func prefetch(src records) (*prefetched, func()) {
	width := len(src.columns())
	p := &prefetched{header: src.columns(), line: src.at(), full: make(chan *recordBatch, batchesAhead),
		free: make(chan *recordBatch, batchesAhead+2), done: make(chan struct{})}
	for range batchesAhead + 2 {
		p.free <- &recordBatch{cells: make([]string, 0, batchRecords*width), lines: make([]int, 0, batchRecords)}
	}
	go p.readAhead(src)
	return p, p.stop
}

// readAhead fills batches from src until an error (io.EOF included) or
// stop.
func (p *prefetched) readAhead(src records) {
	for {
		var b *recordBatch
		select {
		case b = <-p.free:
		case <-p.done:
			return
		}
		b.cells, b.lines, b.err = b.cells[:0], b.lines[:0], nil
		for len(b.lines) < batchRecords {
			rec, err := src.Read()
			if err != nil {
				b.err = err
				break
			}
			b.cells = append(b.cells, rec...)
			b.lines = append(b.lines, src.at())
		}
		select {
		case p.full <- b:
		case <-p.done:
			return
		}
		if b.err != nil {
			return
		}
	}
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
			if p.cur.err != nil {
				return nil, p.cur.err
			}
			p.free <- p.cur
		}
		p.cur, p.next = <-p.full, 0
	}
	w := len(p.header)
	k := p.next
	p.next++
	p.line = p.cur.lines[k]
	return p.cur.cells[k*w : (k+1)*w : (k+1)*w], nil
}
