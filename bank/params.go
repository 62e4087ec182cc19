package bank

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/gocarina/gocsv"

	"github.com/passportirt/passport/bank/csvsafe"
	"github.com/passportirt/passport/irt"
)

// ThreePL is the row's parameters as an irt item under scaling constant D
// (the run's): the one conversion from a stored row to the response model.
func (r ParamRow) ThreePL(D float64) irt.ThreePL {
	return irt.ThreePL{A: r.A, B: r.B, C: r.C, D: D}
}

// ParamRow is one item's parameters in the IRT parameterisation
// P = c + (1 − c)/(1 + exp(−D·a·(θ − b))), as parameter tables are written
// and read (`item,model,a,b,c,se_a,se_b,se_c,n`). Standard errors and n are
// NaN / 0 where not estimated, and written as empty cells.
type ParamRow struct {
	Item  string  `csv:"item" json:"item"`
	Model string  `csv:"model" json:"model"`
	A     float64 `csv:"a" json:"a"`
	B     float64 `csv:"b" json:"b"`
	C     float64 `csv:"c" json:"c"`
	SEA   float64 `csv:"se_a" json:"se_a"`
	SEB   float64 `csv:"se_b" json:"se_b"`
	SEC   float64 `csv:"se_c" json:"se_c"`
	N     int     `csv:"n" json:"n"`
	Line  int     `csv:"-" json:"-"` // where ReadParams found the row
}

// paramCSV is ParamRow as text, so that empty cells read and write as such.
type paramCSV struct {
	Item  string `csv:"item"`
	Model string `csv:"model"`
	A     string `csv:"a"`
	B     string `csv:"b"`
	C     string `csv:"c"`
	SEA   string `csv:"se_a"`
	SEB   string `csv:"se_b"`
	SEC   string `csv:"se_c"`
	N     string `csv:"n"`
}

func formatFloat(x float64) string {
	if math.IsNaN(x) {
		return ""
	}
	return strconv.FormatFloat(x, 'g', 10, 64)
}

// WriteParams writes a parameter table, text cells guarded against
// spreadsheet formulas (csvsafe).
func WriteParams(w io.Writer, rows []ParamRow) error {
	out := make([]paramCSV, len(rows))
	for i, r := range rows {
		n := ""
		if r.N > 0 {
			n = strconv.Itoa(r.N)
		}
		out[i] = paramCSV{r.Item, r.Model, formatFloat(r.A), formatFloat(r.B), formatFloat(r.C),
			formatFloat(r.SEA), formatFloat(r.SEB), formatFloat(r.SEC), n}
	}
	return gocsv.MarshalCSV(out, csvsafe.NewWriter(w))
}

// Caps on stored item parameters: estimates beyond them are degenerate
// (an item that separates nobody), and numbers near the float64 limits
// would overflow downstream.
const (
	MaxSlope      = 100 // 0 < a ≤ MaxSlope
	MaxDifficulty = 100 // |b| ≤ MaxDifficulty
)

// ReadParams reads a parameter table: item, a and b are required (a may be
// left out of Rasch rows); model defaults to defModel, c to 0, standard
// errors to NaN (not estimated). Each row must hold finite numbers with
// 0 < a ≤ MaxSlope, |b| ≤ MaxDifficulty, 0 ≤ c < 1, standard errors ≥ 0
// and n a whole number ≥ 0, and fit its model: a Rasch row has a = 1, a
// 1PL row the slope every 1PL row shares, 1PL and 2PL rows c = 0.
func ReadParams(file string, in io.Reader, defModel string) ([]ParamRow, error) {
	src, err := newCSVSource(file, in)
	if err != nil {
		return nil, err
	}
	if _, err := src.requireColumns([]string{"item", "b"}, []string{"model", "a", "c", "se_a", "se_b", "se_c", "n"}); err != nil {
		return nil, err
	}
	var raw []paramCSV
	if err := gocsv.UnmarshalCSV(src, &raw); err != nil {
		var ie *InputError
		if errors.As(err, &ie) {
			return nil, ie
		}
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	rows := make([]ParamRow, len(raw))
	seen := map[string]int{}
	var slope1PL float64 // the slope 1PL rows share
	for i, r := range raw {
		line := src.lines[i]
		bad := func(field, format string, args ...any) error {
			return &InputError{File: file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)}
		}
		num := func(field, s string, def float64) (float64, error) {
			s = strings.TrimSpace(s)
			if s == "" || s == "NA" {
				return def, nil
			}
			x, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
				return 0, bad(field, "%q is not a number", s)
			}
			return x, nil
		}
		p := ParamRow{Item: strings.TrimSpace(r.Item), Model: strings.ToLower(strings.TrimSpace(r.Model)), Line: line}
		if err := checkCode(p.Item); err != nil {
			return nil, bad("item", "%v", err)
		}
		if prev, ok := seen[p.Item]; ok {
			return nil, bad("item", "item %s appears twice (first on line %d)", p.Item, prev)
		}
		seen[p.Item] = line
		if p.Model == "" {
			p.Model = defModel
		}
		if _, err := irt.ParseModel(p.Model); err != nil {
			return nil, bad("model", "%q is not a model; expected one of %s", r.Model, irt.ModelNames())
		}
		defA := math.NaN()
		if p.Model == string(irt.ModelRasch) {
			defA = 1
		}
		var errs [7]error
		p.A, errs[0] = num("a", r.A, defA)
		p.B, errs[1] = num("b", r.B, math.NaN())
		p.C, errs[2] = num("c", r.C, 0)
		p.SEA, errs[3] = num("se_a", r.SEA, math.NaN())
		p.SEB, errs[4] = num("se_b", r.SEB, math.NaN())
		p.SEC, errs[5] = num("se_c", r.SEC, math.NaN())
		var n float64
		n, errs[6] = num("n", r.N, 0)
		for _, err := range errs {
			if err != nil {
				return nil, err
			}
		}
		if n < 0 || n != math.Trunc(n) || n > math.MaxInt32 {
			return nil, bad("n", "%q is not a count; expected a whole number of responses ≥ 0", r.N)
		}
		p.N = int(n)
		switch {
		case math.IsNaN(p.A) || p.A <= 0 || p.A > MaxSlope:
			return nil, bad("a", "the slope is missing or outside (0, %d]; expected a positive slope", MaxSlope)
		case math.IsNaN(p.B) || math.Abs(p.B) > MaxDifficulty:
			return nil, bad("b", "the difficulty is missing or outside [−%d, %d]", MaxDifficulty, MaxDifficulty)
		case p.C < 0 || p.C >= 1:
			return nil, bad("c", "%g is outside [0, 1); expected a lower asymptote", p.C)
		case p.SEA < 0 || p.SEB < 0 || p.SEC < 0:
			return nil, bad("se", "a standard error is negative; expected a number ≥ 0 or an empty cell")
		case p.Model == string(irt.ModelRasch) && p.A != 1:
			return nil, bad("a", "a Rasch item has slope 1, not %g; give the model as 1pl or 2pl", p.A)
		case p.Model != string(irt.Model3PL) && p.C != 0:
			return nil, bad("c", "a %s item has no lower asymptote (c = %g); give the model as 3pl", p.Model, p.C)
		}
		if p.Model == string(irt.Model1PL) {
			if slope1PL == 0 {
				slope1PL = p.A
			} else if p.A != slope1PL {
				return nil, bad("a", "1PL items share one slope: %g here, %g above; give the model as 2pl", p.A, slope1PL)
			}
		}
		rows[i] = p
	}
	if len(rows) == 0 {
		return nil, &InputError{File: file, Line: 2, Msg: "the file has a header but no parameters"}
	}
	return rows, nil
}
