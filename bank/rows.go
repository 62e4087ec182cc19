package bank

import (
	"fmt"
	"strings"
)

// The response files (long and wide CSV, long Parquet) have one reader,
// rowParser, whatever the responses are read into: the bank's importers
// hand it a responseWriter, which inserts them in a transaction;
// ReadResponses a matrixBuilder, which builds an irt.Responses in memory.
// Either way a file passes or fails the same checks, with the same
// messages.

// records is a table read one record at a time: a CSV file (csvSource) or
// a Parquet file (parquetSource).
type records interface {
	// columns are the names of the columns, in record order.
	columns() []string
	// Read returns the next record, reused between calls, or io.EOF.
	Read() ([]string, error)
	// at is the line (CSV) or row (Parquet) of the record last read: the
	// header's before the first (0 for Parquet, which has no header line).
	at() int
}

func (s *csvSource) columns() []string { return s.header }
func (s *csvSource) at() int           { return s.line }

// responseSink takes the responses a rowParser reads.
type responseSink interface {
	// lookupItem returns the item with this code, or nil.
	lookupItem(code string) *itemInfo
	// addItem adds an item the file names and the sink does not have.
	addItem(code string, nOptions, key int) (*itemInfo, error)
	// examinee and form resolve codes to ids, adding the codes they have
	// not seen; form also checks that the item may be on the form.
	examinee(line int, field, code string) (int64, error)
	form(line int, field, code string, it *itemInfo) (int64, error)
	// add takes one response.
	add(r response) error
}

// unknownItems says what a rowParser does with an item code its sink lacks.
type unknownItems int

const (
	rejectUnknown unknownItems = iota // fail, naming the place
	addUnknown                        // add the item (wide --add-items; files read without a bank)
	skipUnknown                       // leave its responses out (ReadOptions.Items)
)

// rowParser checks the cells of a response file's rows, resolves and
// scores them, and hands the responses to its sink.
type rowParser struct {
	file string
	sink responseSink
	omit string // an omit code besides OmitCode; "" for none
	// unknown says what an item the sink lacks does; an item added gets
	// nOptions options and, in a long file, its key from keys.
	unknown  unknownItems
	nOptions int
	keys     map[string]int
	// scoreUnkeyed lets a long row's score column score the option chosen
	// on an item without a key, instead of refusing the option.
	scoreUnkeyed bool
	// respOptions says that the resp column of an IRW file holds the
	// options chosen (a key was given) rather than 0/1 scores.
	respOptions bool
	progressFn  func(rows int64)

	read    int64 // data rows read
	omitted int64 // responses read with an omit code
	skipped int64 // responses left out (skipUnknown)
}

// bad is an *InputError at a place of the parser's file.
func (p *rowParser) bad(line int, field, format string, args ...any) error {
	return inputError(p.file, line, field, format, args...)
}

func inputError(file string, line int, field, format string, args ...any) error {
	return &InputError{File: file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// progress counts a row read.
func (p *rowParser) progress() {
	p.read++
	if p.progressFn != nil && p.read%(1<<16) == 0 {
		p.progressFn(p.read)
	}
}

// item resolves the item code of a long row; nil (and no error) when its
// responses are left out.
func (p *rowParser) item(line int, field, code string) (*itemInfo, error) {
	if it := p.sink.lookupItem(code); it != nil {
		return it, nil
	}
	switch p.unknown {
	case skipUnknown:
		p.skipped++
		return nil, nil
	case addUnknown:
		if err := checkCode(code); err != nil {
			return nil, p.bad(line, field, "%v", err)
		}
		return p.sink.addItem(strings.Clone(code), p.nOptions, p.keys[code])
	}
	if code == "" {
		return nil, p.bad(line, field, "the item id is empty; expected an item code from the bank")
	}
	return nil, p.bad(line, field, "item %q is not in the bank; import it with `passport items import` first", code)
}

// wideItem resolves an item column of a wide file, checking a given key
// against the item's and adding the item when the parser adds unknown
// ones; nil (and no error) when the column is left out.
func (p *rowParser) wideItem(code, key string) (*itemInfo, error) {
	it := p.sink.lookupItem(code)
	switch {
	case it == nil && p.unknown == skipUnknown:
		return nil, nil
	case it == nil && p.unknown == rejectUnknown:
		return nil, p.bad(1, code, "item %q is not in the bank; import it with `passport items import`, or pass --add-items --domain D", code)
	}
	n := p.nOptions
	if it != nil {
		n = it.n
	}
	k, err := p.key(code, key, n)
	if err != nil {
		return nil, err
	}
	if it != nil {
		return it, p.sameKey(it, k)
	}
	if err := checkCode(code); err != nil {
		return nil, p.bad(1, code, "%v", err)
	}
	return p.sink.addItem(code, n, k)
}

// key parses a key given for item code of n options; "" is no key (0).
func (p *rowParser) key(code, key string, n int) (int, error) {
	if key == "" {
		return 0, nil
	}
	k, ok := parseOption(key, n)
	if !ok {
		return 0, p.bad(1, code, "key %q for item %s is not one of its %d options", key, code, n)
	}
	return k, nil
}

// sameKey checks a key k given for a known item against the item's own.
func (p *rowParser) sameKey(it *itemInfo, k int) error {
	if k != 0 && k != it.key {
		return p.bad(1, it.code, "the key gives %s for item %s but the bank keys it %s; expected the same key", optionLetter(k), it.code, orNone(optionLetter(it.key)))
	}
	return nil
}

// isOmit reports whether an option cell is an omit code.
func (p *rowParser) isOmit(cell string) bool {
	return cell == OmitCode || (p.omit != "" && cell == p.omit)
}

// option parses an option cell: the option chosen, or 0 for an omit code.
func (p *rowParser) option(line int, field string, it *itemInfo, cell string) (int, error) {
	if p.isOmit(cell) {
		p.omitted++
		return 0, nil
	}
	k, ok := parseOption(cell, it.n)
	if !ok {
		return 0, p.bad(line, field, "option %q is not one of item %s's options; expected a letter A–%s or a number 1–%d", cell, it.code, optionLetter(it.n), it.n)
	}
	return k, nil
}

// score turns an option cell into (option, score) with the item's key.
func (p *rowParser) score(line int, field string, it *itemInfo, cell string) (int, int, error) {
	k, err := p.option(line, field, it, cell)
	if err != nil || k == 0 {
		return 0, 0, err
	}
	if it.key == 0 {
		return 0, 0, p.bad(line, field, "item %s has no key, so a chosen option cannot be scored; give a key or a 0/1 score", it.code)
	}
	if k == it.key {
		return k, 1, nil
	}
	return k, 0, nil
}
