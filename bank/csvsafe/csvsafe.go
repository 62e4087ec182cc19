// Package csvsafe keeps CSV cells from running as spreadsheet formulas.
//
// A spreadsheet opening a CSV file runs a cell as a formula when it starts
// with =, +, -, @, a tab or a carriage return (OWASP, "CSV Injection"), so
// a stem such as =HYPERLINK(…) in an items export could act on the machine
// of whoever opens it. Every CSV file passport writes goes through Writer,
// which prefixes such cells with a single quote, the mark spreadsheets read
// as "this is text" and do not show. Numbers are left alone, negative ones
// included (-0.5 stays -0.5, while -1+2 is guarded), and so is a lone "-",
// the long format's omit code, which holds no formula.
//
// Every importer reads cells through Unguard, which takes the quote off
// again, so an export imports back to the same text. Cell escapes a text
// that already starts with quotes and a trigger character ('=…) with one
// more quote, so Unguard(Cell(s)) == s for every s. A file written by hand
// follows the same rule: a cell starting with a quote followed by one of
// the characters above loses that first quote on import.
package csvsafe

import (
	"encoding/csv"
	"io"
	"regexp"
	"strings"
)

// triggers are the characters that make a spreadsheet read a cell that
// starts with them as a formula.
const triggers = "=+-@\t\r"

// number is a decimal number as passport writes numbers: an optional
// minus sign, digits with an optional fraction, an optional exponent.
var number = regexp.MustCompile(`^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$`)

// guarded reports whether s, after any leading quotes, starts with a
// trigger character.
func guarded(s string) bool {
	rest := strings.TrimLeft(s, "'")
	return rest != "" && strings.IndexByte(triggers, rest[0]) >= 0
}

// Cell returns s as it is safe to write in a CSV cell: s prefixed with a
// single quote when it starts (after any quotes) with =, +, -, @, a tab or
// a carriage return, unless it is a number or a lone "-"; s itself
// otherwise.
func Cell(s string) string {
	if !guarded(s) || s == "-" || number.MatchString(s) {
		return s
	}
	return "'" + s
}

// Unguard undoes Cell: it drops the first of the quotes before a trigger
// character, and returns any other cell as it is.
func Unguard(s string) string {
	if strings.HasPrefix(s, "'") && guarded(s) {
		return s[1:]
	}
	return s
}

// Writer writes CSV records as encoding/csv does, each cell through Cell.
// It implements gocsv's CSVWriter.
type Writer struct {
	w   *csv.Writer
	rec []string
}

// NewWriter returns a Writer to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: csv.NewWriter(w)} }

// Write writes one record; rec is not changed.
func (w *Writer) Write(rec []string) error {
	w.rec = w.rec[:0]
	for _, s := range rec {
		w.rec = append(w.rec, Cell(s))
	}
	return w.w.Write(w.rec)
}

// Flush writes any buffered data to the underlying writer.
func (w *Writer) Flush() { w.w.Flush() }

// Error reports any error of an earlier Write or Flush.
func (w *Writer) Error() error { return w.w.Error() }
