package assemble

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
)

// model is a mixed-integer linear programme: minimise Σ obj_j·x_j subject
// to lo_i ≤ Σ_j a_ij·x_j ≤ hi_i and lo_j ≤ x_j ≤ hi_j, some x_j integer.
type model struct {
	cols []column
	rows []row
}

type column struct {
	name    string
	obj     float64
	lo, hi  float64
	integer bool
	terms   []term // the column's non-zero coefficients, by row
}

type term struct {
	row  int
	coef float64
}

type row struct {
	name   string
	lo, hi float64 // ±Inf when open
}

// addCol adds a column and returns its index.
func (m *model) addCol(name string, obj, lo, hi float64, integer bool) int {
	m.cols = append(m.cols, column{name: name, obj: obj, lo: lo, hi: hi, integer: integer})
	return len(m.cols) - 1
}

// addRow adds the row lo ≤ Σ coefs[k]·x[cols[k]] ≤ hi.
func (m *model) addRow(name string, lo, hi float64, cols []int, coefs []float64) {
	i := len(m.rows)
	m.rows = append(m.rows, row{name: name, lo: lo, hi: hi})
	for k, j := range cols {
		if coefs[k] != 0 {
			m.cols[j].terms = append(m.cols[j].terms, term{i, coefs[k]})
		}
	}
}

// writeMPS writes the programme in free MPS format (IBM's MPS with names
// separated by spaces, as CBC, GLPK and HiGHS read it): ranged rows as G
// rows with a RANGES entry, integer columns between MARKER lines.
func (m *model) writeMPS(w io.Writer) error {
	bw := bufio.NewWriter(w)
	num := func(x float64) string { return strconv.FormatFloat(x, 'g', 17, 64) }
	fmt.Fprintln(bw, "NAME passport FREE")
	fmt.Fprintln(bw, "ROWS")
	fmt.Fprintln(bw, " N obj")
	for _, r := range m.rows {
		fmt.Fprintf(bw, " %s %s\n", rowType(r), r.name)
	}
	fmt.Fprintln(bw, "COLUMNS")
	inInt := false
	for _, c := range m.cols {
		if c.integer != inInt {
			kind := "INTORG"
			if inInt {
				kind = "INTEND"
			}
			fmt.Fprintf(bw, " MARKER 'MARKER' '%s'\n", kind)
			inInt = c.integer
		}
		if c.obj != 0 {
			fmt.Fprintf(bw, " %s obj %s\n", c.name, num(c.obj))
		}
		for _, t := range c.terms {
			fmt.Fprintf(bw, " %s %s %s\n", c.name, m.rows[t.row].name, num(t.coef))
		}
		if c.obj == 0 && len(c.terms) == 0 {
			fmt.Fprintf(bw, " %s obj 0\n", c.name)
		}
	}
	if inInt {
		fmt.Fprintln(bw, " MARKER 'MARKER' 'INTEND'")
	}
	fmt.Fprintln(bw, "RHS")
	for _, r := range m.rows {
		if rhs := rowRHS(r); rhs != 0 {
			fmt.Fprintf(bw, " rhs %s %s\n", r.name, num(rhs))
		}
	}
	fmt.Fprintln(bw, "RANGES")
	for _, r := range m.rows {
		if r.lo != r.hi && !math.IsInf(r.lo, 0) && !math.IsInf(r.hi, 0) {
			fmt.Fprintf(bw, " rng %s %s\n", r.name, num(r.hi-r.lo))
		}
	}
	fmt.Fprintln(bw, "BOUNDS")
	for _, c := range m.cols {
		switch {
		case math.IsInf(c.lo, -1) && math.IsInf(c.hi, 1):
			fmt.Fprintf(bw, " FR bnd %s\n", c.name)
		case c.integer && c.lo == 0 && c.hi == 1:
			fmt.Fprintf(bw, " BV bnd %s\n", c.name)
		default:
			if math.IsInf(c.lo, -1) {
				fmt.Fprintf(bw, " MI bnd %s\n", c.name)
			} else {
				fmt.Fprintf(bw, " LO bnd %s %s\n", c.name, num(c.lo))
			}
			if !math.IsInf(c.hi, 1) {
				fmt.Fprintf(bw, " UP bnd %s %s\n", c.name, num(c.hi))
			}
		}
	}
	fmt.Fprintln(bw, "ENDATA")
	return bw.Flush()
}

// rowType is the row's MPS type: E, G (ranged rows too), L, or N for a
// row bounded on neither side.
func rowType(r row) string {
	switch {
	case r.lo == r.hi:
		return "E"
	case !math.IsInf(r.lo, -1):
		return "G"
	case !math.IsInf(r.hi, 1):
		return "L"
	}
	return "N"
}

// rowRHS is the row's right-hand side: its lower bound for E and G rows,
// its upper bound for L rows.
func rowRHS(r row) float64 {
	switch rowType(r) {
	case "E", "G":
		return r.lo
	case "L":
		return r.hi
	}
	return 0
}
