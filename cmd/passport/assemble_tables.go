package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/gonum/stat"

	"github.com/passportirt/passport/bank/assemble"
	"github.com/passportirt/passport/irt"
)

// params is each form's items' parameters.
func (a *assembly) params() [][]irt.ThreePL {
	out := make([][]irt.ThreePL, len(a.forms))
	for f, items := range a.forms {
		for _, it := range items {
			out[f] = append(out[f], it.Params)
		}
	}
	return out
}

// tccDifference is the largest difference between two of the forms'
// characteristic curves on [−3, 3] (see assemble.TCCDifference).
func (a *assembly) tccDifference() (diff, theta float64, f, g int) {
	return assemble.TCCDifference(a.params(), -3, 3, 121)
}

// formContent is a form's row of the content table.
type formContent struct {
	Form        string  `csv:"form" json:"form"`
	Items       int     `csv:"items" json:"items"`
	Anchors     int     `csv:"anchors" json:"anchors"`
	Semantics   int     `csv:"semantics" json:"semantics"`
	Idioms      int     `csv:"idioms" json:"idioms"`
	Performance int     `csv:"performance" json:"performance"`
	Stdlib      int     `csv:"stdlib" json:"stdlib"`
	Minutes     string  `csv:"minutes" json:"minutes"`
	MeanB       float64 `csv:"mean_b" json:"mean_b"`
}

// formCurve is a form's information and characteristic curve at one θ.
type formCurve struct {
	Form    string  `csv:"form" json:"form"`
	Theta   float64 `csv:"theta" json:"theta"`
	Info    string  `csv:"info" json:"info"`
	SE      string  `csv:"se" json:"se"`
	TCC     string  `csv:"tcc" json:"tcc"`
	TCCDiff string  `csv:"tcc_diff" json:"tcc_diff"` // T_f(θ) less the mean of the forms' T(θ)
}

// tables returns the content and curve tables of the forms.
func (a *assembly) tables() ([]formContent, []formCurve) {
	var content []formContent
	var curves []formCurve
	params := a.params()
	for f, items := range a.forms {
		c := formContent{Form: a.stored.Forms[f].Code, Items: len(items)}
		var secs float64
		bs := make([]float64, len(items))
		for i, it := range items {
			if slices.Contains(a.bp.Anchors, it.Code) {
				c.Anchors++
			}
			switch it.Domain {
			case "semantics":
				c.Semantics++
			case "idioms":
				c.Idioms++
			case "performance":
				c.Performance++
			case "stdlib":
				c.Stdlib++
			}
			secs += it.Seconds
			bs[i] = it.Params.B
		}
		if secs > 0 {
			c.Minutes = strconv.FormatFloat(secs/60, 'f', 1, 64)
		}
		c.MeanB = math.Round(stat.Mean(bs, nil)*1e4) / 1e4
		content = append(content, c)
	}
	for _, c := range assemble.Curves(params, a.bp.Objective.Theta) {
		curves = append(curves, formCurve{Form: a.stored.Forms[c.Form].Code, Theta: c.Theta, Info: num(c.Info), SE: num(c.SE),
			TCC: num(c.TCC), TCCDiff: num(c.TCCDiff)})
	}
	return content, curves
}

// print writes the forms' content and curve tables: both as tables, the
// curves as CSV, or the assembly with both as JSON.
func (a *assembly) print(w io.Writer, format string) error {
	content, curves := a.tables()
	switch format {
	case "json":
		v := map[string]any{"assembly": a.stored.ID, "name": a.stored.Name, "run": a.stored.CalibrationID,
			"solver": a.stored.Solver, "status": a.stored.Status, "objective_type": a.stored.ObjectiveType,
			"objective": a.stored.Objective, "bound": finite(a.stored.Bound), "gap": finite(a.stored.Gap), "seconds": a.stored.Seconds,
			"forms": content, "curves": curves, "blueprint": a.stored.Blueprint}
		if len(a.forms) > 1 {
			d, th, f, g := a.tccDifference()
			v["tcc_max_difference"] = map[string]any{"points": d, "theta": th, "forms": []string{a.stored.Forms[f].Code, a.stored.Forms[g].Code}}
		}
		return renderValue(w, "json", v, nil)
	case "csv":
		return render(w, "csv", curves)
	}
	if err := render(w, "table", content); err != nil {
		return err
	}
	fmt.Fprintln(w)
	return render(w, "table", curves)
}

// percent writes a relative gap as a percentage.
func percent(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "unknown"
	}
	return strconv.FormatFloat(100*x, 'f', 2, 64) + "%"
}
