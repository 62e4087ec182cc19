package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/bank/assemble"
)

// formContent is a form's row of the content table.
type formContent struct {
	Form        string      `csv:"form" json:"form"`
	Items       int         `csv:"items" json:"items"`
	Anchors     int         `csv:"anchors" json:"anchors"`
	Semantics   int         `csv:"semantics" json:"semantics"`
	Idioms      int         `csv:"idioms" json:"idioms"`
	Performance int         `csv:"performance" json:"performance"`
	Stdlib      int         `csv:"stdlib" json:"stdlib"`
	Minutes     string      `csv:"minutes" json:"minutes"`
	MeanB       json.Number `csv:"mean_b" json:"mean_b"`
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

// assemblyTables returns the content and curve tables of a's forms,
// described by rep.
func assemblyTables(a *bank.Assembly, rep assemble.Report) ([]formContent, []formCurve) {
	var content []formContent
	var curves []formCurve
	for f, s := range rep.Forms {
		c := formContent{Form: a.Forms[f].Code, Items: s.Items, Anchors: s.Anchors, Semantics: s.Domains["semantics"],
			Idioms: s.Domains["idioms"], Performance: s.Domains["performance"], Stdlib: s.Domains["stdlib"],
			MeanB: json.Number(strconv.FormatFloat(s.MeanB, 'f', 4, 64))}
		if s.Minutes > 0 {
			c.Minutes = strconv.FormatFloat(s.Minutes, 'f', 1, 64)
		}
		content = append(content, c)
	}
	for _, c := range rep.Curves {
		curves = append(curves, formCurve{Form: a.Forms[c.Form].Code, Theta: c.Theta, Info: num(c.Info), SE: num(c.SE),
			TCC: num(c.TCC), TCCDiff: num(c.TCCDiff)})
	}
	return content, curves
}

// renderAssembly writes the forms' content and curve tables: both as
// tables, the curves as CSV, or the assembly with both as JSON.
func renderAssembly(w io.Writer, format string, a *bank.Assembly, rep assemble.Report) error {
	content, curves := assemblyTables(a, rep)
	switch format {
	case "json":
		v := map[string]any{"assembly": a.ID, "name": a.Name, "run": a.CalibrationID,
			"solver": a.Solver, "status": a.Status, "objective_type": a.ObjectiveType,
			"objective": a.Objective, "bound": finite(a.Bound), "gap": finite(a.Gap), "seconds": a.Seconds,
			"forms": content, "curves": curves, "blueprint": a.Blueprint}
		if len(a.Forms) > 1 {
			g := rep.TCCGap
			v["tcc_max_difference"] = map[string]any{"points": g.Points, "theta": g.Theta, "forms": []string{a.Forms[g.Higher].Code, a.Forms[g.Lower].Code}}
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

// objectiveText names the objective for a status line, e.g. "maximin
// information at θ = −1, 0, 1".
func objectiveText(o assemble.Objective) string {
	points := func(xs []float64) string {
		s := make([]string, len(xs))
		for i, x := range xs {
			s[i] = strings.ReplaceAll(strconv.FormatFloat(x, 'g', -1, 64), "-", "−")
		}
		return strings.Join(s, ", ")
	}
	if o.Type == assemble.Target {
		return "largest deviation from the targets at θ = " + points(o.Theta)
	}
	text := "maximin information at θ = " + points(o.Theta)
	for _, w := range o.Weights {
		if w != 1 {
			return text + " (relative weights " + points(o.Weights) + ")"
		}
	}
	return text
}

// percent writes a relative gap as a percentage.
func percent(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "unknown"
	}
	return strconv.FormatFloat(100*x, 'f', 2, 64) + "%"
}
