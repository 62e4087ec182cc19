package main

import (
	"io"
	"math"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/reports/table"
)

// paramNote is a parameter row with a note (a warning, "anchor (fixed)").
type paramNote struct {
	bank.ParamRow
	Note string `json:"note,omitempty"`
}

// writeParams writes a parameter table. CSV has exactly the columns
// calibrations import reads (item,model,a,b,c,se_a,se_b,se_c,n); the table
// and JSON add each item's note.
func writeParams(w io.Writer, format string, rows []bank.ParamRow, notes map[string]string) error {
	if format == "csv" {
		return render(w, format, rows)
	}
	return render(w, format, withNotes(rows, notes))
}

func withNotes(rows []bank.ParamRow, notes map[string]string) []paramNote {
	out := make([]paramNote, len(rows))
	for i, r := range rows {
		out[i] = paramNote{r, notes[r.Item]}
	}
	return out
}

// finite is x, or nil where x is NaN or infinite (JSON null).
// Deprecated: render prints non-finite numbers as null itself.
func finite(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

// num formats x with 4 decimals; "" when not finite.
// Deprecated: render formats numbers itself.
func num(x float64) string { return table.FormatFloat(x, "table") }
