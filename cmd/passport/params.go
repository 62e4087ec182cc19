package main

import (
	"io"

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

// num formats a number for a status line as a table shows it: 4 decimals,
// "" when not finite.
func num(x float64) string { return table.FormatFloat(x, "table") }
