package bank

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/passportirt/passport/bank/csvsafe"
)

// InputError is a problem with one place of an input file: the file, the
// 1-based line, the field (a column name, or empty when the whole line or
// file is at fault) and what was expected. Every import reports bad input
// as an *InputError so that callers can show it or branch on it.
type InputError struct {
	File  string
	Line  int
	Field string
	Msg   string
}

// MaxErrorLen is the most characters an InputError's text runs to: a
// message quoting a huge field is cut in its middle, so that where the
// problem is and what was expected still show.
const MaxErrorLen = 200

func (e *InputError) Error() string { return clip(e.text(), MaxErrorLen) }

// clip cuts s to at most n characters, replacing its middle with "…".
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	head := 2 * n / 3
	return string(r[:head]) + "…" + string(r[len(r)-(n-head-1):])
}

func (e *InputError) text() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": column %s", e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// csvSource reads a strict RFC 4180 file with LF line endings and UTF-8
// text, and takes the formula guard off every cell (csvsafe.Unguard), so
// that it reads back what passport's writers write. It rejects, with an
// *InputError naming the line: a byte-order mark, a carriage return, bytes
// that are not UTF-8, a row whose field count differs from the header's,
// and an empty file. It records the line on which
// each record starts, and implements gocsv.CSVReader so that gocsv can decode
// typed tables through it.
type csvSource struct {
	file   string
	guard  *lineGuard
	r      *csv.Reader
	header []string
	line   int   // line of the record last returned by Read
	lines  []int // with ReadAll: the line of each record returned
}

// newCSVSource reads the header of in; names must be non-empty and unique.
func newCSVSource(file string, in io.Reader) (*csvSource, error) {
	g := &lineGuard{file: file, r: bufio.NewReaderSize(in, 1<<16), line: 1}
	if err := g.checkBOM(); err != nil {
		return nil, err
	}
	r := csv.NewReader(g)
	r.ReuseRecord = true
	s := &csvSource{file: file, guard: g, r: r}
	h, err := s.Read()
	if err == io.EOF {
		return nil, &InputError{File: file, Line: 1, Msg: "the file is empty; expected a header line"}
	}
	if err != nil {
		return nil, err
	}
	s.header = append([]string(nil), h...)
	seen := make(map[string]bool, len(s.header))
	for i, name := range s.header {
		name = strings.TrimSpace(name)
		s.header[i] = name
		if name == "" {
			return nil, &InputError{File: file, Line: 1, Msg: fmt.Sprintf("header column %d is empty; expected a column name", i+1)}
		}
		if seen[name] {
			return nil, &InputError{File: file, Line: 1, Field: name, Msg: "column name appears twice in the header"}
		}
		seen[name] = true
	}
	r.FieldsPerRecord = len(s.header)
	return s, nil
}

// requireColumns checks the source's header (see requireColumns).
func (s *csvSource) requireColumns(required, optional []string) (map[string]int, error) {
	return requireColumns(s.file, 1, s.header, required, optional)
}

// requireColumns checks a header (on line, 0 for none) against the columns
// a format needs and the ones it knows, and returns each known column's
// index (-1 when absent).
func requireColumns(file string, line int, header, required, optional []string) (map[string]int, error) {
	idx := make(map[string]int, len(required)+len(optional))
	for _, c := range required {
		idx[c] = -1
	}
	for _, c := range optional {
		idx[c] = -1
	}
	for i, name := range header {
		if _, ok := idx[name]; !ok {
			return nil, &InputError{File: file, Line: line, Field: name, Msg: fmt.Sprintf("unknown column; expected columns %s", strings.Join(append(append([]string(nil), required...), optional...), ","))}
		}
		idx[name] = i
	}
	for _, c := range required {
		if idx[c] < 0 {
			return nil, &InputError{File: file, Line: line, Field: c, Msg: fmt.Sprintf("required column is missing from the header %q", strings.Join(header, ","))}
		}
	}
	return idx, nil
}

// Read returns the next record (reused between calls) and sets s.line.
func (s *csvSource) Read() ([]string, error) {
	rec, err := s.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
			return nil, &InputError{File: s.file, Line: pe.StartLine, Msg: fmt.Sprintf("row has %d fields; expected %d as in the header", len(rec), len(s.header))}
		}
		return nil, s.wrap(err)
	}
	s.line, _ = s.r.FieldPos(0)
	for i, f := range rec {
		// The guard checks the bytes a block at a time; only once a block
		// fails is every field checked, to name the one at fault.
		if s.guard.badUTF8 && !utf8.ValidString(f) {
			return nil, &InputError{File: s.file, Line: s.line, Field: s.column(i), Msg: "the field is not valid UTF-8; expected UTF-8 text"}
		}
		rec[i] = csvsafe.Unguard(f)
	}
	return rec, nil
}

// ReadAll returns the header followed by the remaining records (copies, not
// reused), as gocsv expects, and records the line of each of those records.
func (s *csvSource) ReadAll() ([][]string, error) {
	out := [][]string{s.header}
	for {
		rec, err := s.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, append([]string(nil), rec...))
		s.lines = append(s.lines, s.line)
	}
}

func (s *csvSource) column(i int) string {
	if i < len(s.header) {
		return s.header[i]
	}
	return fmt.Sprintf("#%d", i+1)
}

// wrap turns reader errors into *InputError values.
func (s *csvSource) wrap(err error) error {
	if err == io.EOF {
		return err
	}
	var ie *InputError
	if errors.As(err, &ie) {
		return ie
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &InputError{File: s.file, Line: pe.Line, Msg: fmt.Sprintf("malformed CSV at column %d: %v", pe.Column, pe.Err)}
	}
	return fmt.Errorf("%s: %w", s.file, err)
}

// lineGuard passes bytes through while counting lines and rejecting carriage
// returns, so that a CRLF file fails at its first line rather than being
// silently rewritten. It also checks that the bytes are UTF-8, a block at a
// time: badUTF8 is set before the reader sees a block that is not (or that
// ends inside a character), and stays set.
type lineGuard struct {
	file    string
	r       *bufio.Reader
	line    int
	badUTF8 bool
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

func (g *lineGuard) checkBOM() error {
	head, _ := g.r.Peek(3)
	switch {
	case bytes.HasPrefix(head, utf8BOM):
		return &InputError{File: g.file, Line: 1, Msg: "the file starts with a UTF-8 byte-order mark; expected plain UTF-8 without a BOM (re-save it without the BOM, e.g. `sed -i '1s/^\\xEF\\xBB\\xBF//'`)"}
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return &InputError{File: g.file, Line: 1, Msg: "the file is UTF-16 (it starts with a UTF-16 byte-order mark); expected UTF-8"}
	}
	return nil
}

func (g *lineGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	chunk := p[:n]
	if i := bytes.IndexByte(chunk, '\r'); i >= 0 {
		line := g.line + bytes.Count(chunk[:i], []byte{'\n'})
		return 0, &InputError{File: g.file, Line: line, Msg: "carriage return (CRLF or CR line ending); expected LF line endings (convert with `dos2unix`)"}
	}
	g.line += bytes.Count(chunk, []byte{'\n'})
	if !g.badUTF8 && !utf8.Valid(chunk) {
		g.badUTF8 = true
	}
	return n, err
}
