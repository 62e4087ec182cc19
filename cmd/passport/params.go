package main

import (
	"io"
	"math"
	"strconv"

	"github.com/passportirt/passport/bank"
)

// paramView is a parameter row for output: numbers as JSON numbers (null
// where not estimated) or as fixed-width text in a table.
type paramView struct {
	Item  string   `json:"item"`
	Model string   `json:"model"`
	A     float64  `json:"a"`
	B     float64  `json:"b"`
	C     float64  `json:"c"`
	SEA   *float64 `json:"se_a"`
	SEB   *float64 `json:"se_b"`
	SEC   *float64 `json:"se_c"`
	N     int      `json:"n"`
	Note  string   `json:"note,omitempty"`
}

func finite(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

func viewParams(rows []bank.ParamRow, notes map[string]string) []paramView {
	out := make([]paramView, len(rows))
	for i, r := range rows {
		out[i] = paramView{r.Item, r.Model, r.A, r.B, r.C, finite(r.SEA), finite(r.SEB), finite(r.SEC), r.N, notes[r.Item]}
	}
	return out
}

// paramText is a parameter row as table text.
type paramText struct {
	Item  string `csv:"item"`
	Model string `csv:"model"`
	A     string `csv:"a"`
	B     string `csv:"b"`
	C     string `csv:"c"`
	SEA   string `csv:"se_a"`
	SEB   string `csv:"se_b"`
	SEC   string `csv:"se_c"`
	N     string `csv:"n"`
	Note  string `csv:"note"`
}

func num(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return ""
	}
	return strconv.FormatFloat(x, 'f', 4, 64)
}

// writeParams writes a parameter table in the chosen format: CSV with the
// columns item,model,a,b,c,se_a,se_b,se_c,n; JSON via run; or a table.
func writeParams(w io.Writer, format string, rows []bank.ParamRow, notes map[string]string) error {
	switch format {
	case "csv":
		return bank.WriteParams(w, rows)
	case "json":
		return render(w, "json", viewParams(rows, notes))
	}
	text := make([]paramText, len(rows))
	for i, r := range rows {
		n := ""
		if r.N > 0 {
			n = strconv.Itoa(r.N)
		}
		text[i] = paramText{r.Item, r.Model, num(r.A), num(r.B), num(r.C), num(r.SEA), num(r.SEB), num(r.SEC), n, notes[r.Item]}
	}
	return render(w, "table", text)
}
