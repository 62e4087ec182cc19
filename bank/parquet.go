package bank

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// parquetMagic starts (and ends) every Parquet file.
var parquetMagic = []byte("PAR1")

// parquetSource reads a flat Parquet table record by record, each value
// as the text a CSV cell would hold: null as an empty cell, numbers in
// decimal, booleans as 1 or 0, DATE columns as YYYY-MM-DD and TIMESTAMP
// columns in RFC 3339. Row groups are read in turn, a few hundred rows at
// a time, so memory does not grow with the file; prefetch reads them two
// at a time (parts).
type parquetSource struct {
	file   string
	header []string
	types  []parquet.Type // of the columns
	// text reads a column's values, and says whether the text is UTF-8.
	text   []func(parquet.Value) (string, bool)
	groups []parquet.RowGroup // still to read
	rows   parquet.Rows       // of the row group being read
	buf    []parquet.Row
	n, i   int // rows in buf, next to return
	row    int // 1-based number of the record last returned
	rec    []string
}

func newParquetSource(file string, in io.ReaderAt, size int64) (*parquetSource, error) {
	f, err := parquet.OpenFile(in, size)
	if err != nil {
		return nil, &InputError{File: file, Msg: fmt.Sprintf("not a readable Parquet file (%v); expected a Parquet table", err)}
	}
	s := &parquetSource{file: file, groups: f.RowGroups(), buf: make([]parquet.Row, 256)}
	for _, path := range f.Schema().Columns() {
		name := strings.Join(path, ".")
		leaf, _ := f.Schema().Lookup(path...)
		if leaf.MaxRepetitionLevel > 0 {
			return nil, &InputError{File: file, Field: name, Msg: "the column is repeated (a list); expected a flat table, one value per column and row"}
		}
		s.header = append(s.header, name)
		s.types = append(s.types, leaf.Node.Type())
		s.text = append(s.text, valueText(leaf.Node.Type()))
	}
	s.rec = make([]string, len(s.header))
	return s, nil
}

// valueText returns how a column's values read as text.
func valueText(t parquet.Type) func(parquet.Value) (string, bool) {
	if k := t.Kind(); k == parquet.ByteArray || k == parquet.FixedLenByteArray {
		return (&stringColumn{seen: map[string]string{}}).text
	}
	text := numberText(t)
	return func(v parquet.Value) (string, bool) { return text(v), true }
}

// stringColumn reads a column of strings. Ids and codes repeat, so it
// keeps the strings it has seen (up to maxSeen) and checks only new ones.
type stringColumn struct {
	seen map[string]string // all valid UTF-8
	last string
}

const maxSeen = 1 << 16

func (c *stringColumn) text(v parquet.Value) (string, bool) {
	b := v.ByteArray()
	if string(b) == c.last {
		return c.last, true
	}
	if s, ok := c.seen[string(b)]; ok {
		c.last = s
		return s, true
	}
	s := string(b)
	if !utf8.ValidString(s) {
		return s, false
	}
	if len(c.seen) < maxSeen {
		c.seen[s] = s
	}
	c.last = s
	return s, true
}

// numberText returns how the values of a column that does not hold
// strings read as text.
func numberText(t parquet.Type) func(parquet.Value) string {
	var logical format.LogicalTypeValue
	if lt := t.LogicalType(); lt != nil {
		logical = lt.Value
	}
	switch t.Kind() {
	case parquet.Boolean:
		return func(v parquet.Value) string {
			if v.Boolean() {
				return "1"
			}
			return "0"
		}
	case parquet.Int32:
		if _, ok := logical.(*format.DateType); ok {
			return func(v parquet.Value) string {
				return time.Unix(int64(v.Int32())*86400, 0).UTC().Format(time.DateOnly)
			}
		}
		return func(v parquet.Value) string { return strconv.FormatInt(int64(v.Int32()), 10) }
	case parquet.Int64:
		if ts, ok := logical.(*format.TimestampType); ok && ts.Unit.Value != nil {
			perSecond := int64(time.Second / ts.Unit.Value.Duration())
			return func(v parquet.Value) string {
				n := v.Int64()
				sec := n / perSecond
				if n%perSecond < 0 {
					sec--
				}
				return time.Unix(sec, 0).UTC().Format(time.RFC3339)
			}
		}
		return func(v parquet.Value) string { return strconv.FormatInt(v.Int64(), 10) }
	case parquet.Float:
		return func(v parquet.Value) string { return strconv.FormatFloat(float64(v.Float()), 'f', -1, 32) }
	case parquet.Double:
		return func(v parquet.Value) string { return strconv.FormatFloat(v.Double(), 'f', -1, 64) }
	}
	return parquet.Value.String
}

// parts splits the rows still to read into one source per row group,
// rows numbered on from the groups before (see splitter).
func (s *parquetSource) parts() []records {
	if s.rows != nil {
		return nil // a group is being read: the rest is not whole groups
	}
	out := make([]records, len(s.groups))
	row := s.row
	for k, g := range s.groups {
		p := &parquetSource{file: s.file, header: s.header, types: s.types, groups: []parquet.RowGroup{g},
			buf: make([]parquet.Row, len(s.buf)), row: row, rec: make([]string, len(s.header))}
		for _, t := range s.types {
			p.text = append(p.text, valueText(t)) // each part its own caches
		}
		out[k] = p
		row += int(g.NumRows())
	}
	return out
}

func (s *parquetSource) columns() []string { return s.header }
func (s *parquetSource) at() int           { return s.row }

// Read returns the next record (reused between calls).
func (s *parquetSource) Read() ([]string, error) {
	for s.i == s.n {
		if err := s.fill(); err != nil {
			return nil, err
		}
	}
	s.row++
	clear(s.rec)
	for _, v := range s.buf[s.i] {
		if c := v.Column(); !v.IsNull() {
			var ok bool
			if s.rec[c], ok = s.text[c](v); !ok {
				return nil, &InputError{File: s.file, Line: s.row, Field: s.header[c], Msg: "the field is not valid UTF-8; expected UTF-8 text"}
			}
		}
	}
	s.i++
	return s.rec, nil
}

// fill reads the next rows into buf, moving on to the next row group when
// one is done; io.EOF after the last.
func (s *parquetSource) fill() error {
	if s.rows == nil {
		if len(s.groups) == 0 {
			return io.EOF
		}
		s.rows, s.groups = s.groups[0].Rows(), s.groups[1:]
	}
	n, err := s.rows.ReadRows(s.buf)
	s.n, s.i = n, 0
	if err == io.EOF {
		err = s.rows.Close()
		s.rows = nil
	}
	if err != nil {
		return &InputError{File: s.file, Line: s.row + 1, Msg: fmt.Sprintf("the Parquet data cannot be read (%v); expected an intact Parquet file", err)}
	}
	return nil
}

// irwRow is one response in the IRW long layout (see IRWHeader).
type irwRow struct {
	ID     string   `parquet:"id,dict"`
	Item   string   `parquet:"item,dict"`
	Resp   int32    `parquet:"resp"`
	Form   *string  `parquet:"form,optional,dict"`
	Option *string  `parquet:"option,optional,dict"`
	RT     *float64 `parquet:"rt,optional"`
	Date   *int64   `parquet:"date,optional"`
}

// ExportResponsesParquet writes every response as a Parquet table in the
// long layout of the Item Response Warehouse, ordered by examinee and
// item, for Spark, DuckDB, pandas or the IRW's own tools: id (the
// examinee), item, resp (the 0/1 score), form, option (a letter, the omit
// code "-", or null where the log carried only a score), rt (seconds) and
// date (Unix seconds); null where not known. ReadResponses and every
// --responses flag read it back.
func (b *Bank) ExportResponsesParquet(ctx context.Context, out io.Writer) error {
	w := parquet.NewGenericWriter[irwRow](out, parquet.Compression(&parquet.Snappy), parquet.MaxRowsPerRowGroup(parquetGroupRows))
	batch := make([]irwRow, 0, 4096)
	flush := func() error {
		_, err := w.Write(batch)
		batch = batch[:0]
		return err
	}
	err := b.eachResponse(ctx, func(rec LongRecord) error {
		r := irwRow{ID: rec.Examinee, Item: rec.Item, Resp: int32(rec.Score)}
		if rec.Form != "" {
			r.Form = &rec.Form
		}
		switch {
		case rec.Option == 0:
			r.Option = &omitCode
		case rec.Option > 0:
			letter := optionLetter(rec.Option)
			r.Option = &letter
		}
		if rec.Time >= 0 {
			r.RT = &rec.Time
		}
		if !rec.At.IsZero() {
			at := rec.At.Unix()
			r.Date = &at
		}
		batch = append(batch, r)
		if len(batch) == cap(batch) {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return err
}

// parquetGroupRows is the most rows ExportResponsesParquet puts in a row
// group: about 2.5 MB compressed, small enough to write without holding
// the log in memory and for readers (ReadResponses, Spark, DuckDB) to
// share out among cores; ReadResponses buffers a group's records ahead
// (partAhead batches of 4,096 rows), so that both its readers work.
const parquetGroupRows = 1 << 18

// omitCode is OmitCode, addressable.
var omitCode = OmitCode
