package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/bank/assemble"
	"github.com/passportirt/passport/reports/table"
)

// formContent is a form's row of the content table.
type formContent struct {
	Form        string  `csv:"form" json:"form"`
	Items       int     `csv:"items" json:"items"`
	Anchors     int     `csv:"anchors" json:"anchors"`
	Semantics   int     `csv:"semantics" json:"semantics"`
	Idioms      int     `csv:"idioms" json:"idioms"`
	Performance int     `csv:"performance" json:"performance"`
	Stdlib      int     `csv:"stdlib" json:"stdlib"`
	Minutes     float64 `json:"minutes"` // 0 when the items have no times
	MeanB       float64 `json:"mean_b"`
	Keys        string  `json:"keys"`            // items per key letter, e.g. "A 13, B 12, C 12, D 13"
	LongestRun  int     `json:"longest_key_run"` // of one key letter, in delivery order (the options as written)
}

// formCurve is a form's information and characteristic curve at one θ.
type formCurve struct {
	Form string `json:"form"`
	assemble.Curve
}

// assemblyTables returns the content and curve tables of a's forms,
// described by rep.
func assemblyTables(a *bank.Assembly, rep assemble.Report) ([]formContent, []formCurve) {
	var content []formContent
	var curves []formCurve
	for f, s := range rep.Forms {
		var keys []string
		for _, l := range slices.Sorted(maps.Keys(s.Keys)) {
			keys = append(keys, fmt.Sprintf("%s %d", l, s.Keys[l]))
		}
		content = append(content, formContent{Form: a.Forms[f].Code, Items: s.Items, Anchors: s.Anchors, Semantics: s.Domains["semantics"],
			Idioms: s.Domains["idioms"], Performance: s.Domains["performance"], Stdlib: s.Domains["stdlib"], Minutes: s.Minutes, MeanB: s.MeanB,
			Keys: strings.Join(keys, ", "), LongestRun: s.LongestRun})
	}
	for _, c := range rep.Curves {
		curves = append(curves, formCurve{a.Forms[c.Form].Code, c})
	}
	return content, curves
}

// renderAssembly writes the forms' content and curve tables: both as
// tables, the curves as CSV, or the assembly with both as JSON.
func renderAssembly(w io.Writer, format string, a *bank.Assembly, rep assemble.Report) error {
	content, curves := assemblyTables(a, rep)
	switch format {
	case "json":
		type gap struct {
			Points float64  `json:"points"`
			Theta  float64  `json:"theta"`
			Forms  []string `json:"forms"`
		}
		v := struct {
			*bank.Assembly
			Forms  []formContent `json:"forms"`
			Curves []formCurve   `json:"curves"`
			Gap    *gap          `json:"tcc_max_difference,omitempty"`
		}{Assembly: a, Forms: content, Curves: curves}
		if len(a.Forms) > 1 {
			g := rep.TCCGap
			v.Gap = &gap{g.Points, g.Theta, []string{a.Forms[g.Higher].Code, a.Forms[g.Lower].Code}}
		}
		return render(w, "json", v)
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

// deliveryText describes how the forms are delivered: their order rule,
// the cap on runs of one key letter and the versions.
func deliveryText(bp assemble.Blueprint, versions int) string {
	text := "items in " + bp.Order.Rule + " order"
	if len(bp.Order.Domains) > 0 {
		text += " (" + strings.Join(bp.Order.Domains, ", ") + ")"
	}
	if bp.MaxKeyRun > 0 {
		text += fmt.Sprintf(", at most %d of one key letter in a row", bp.MaxKeyRun)
	}
	switch versions {
	case 0:
		return text + "; options as written"
	case 1:
		return text + "; 1 version with the options scrambled besides the one as written"
	}
	return text + fmt.Sprintf("; %d versions with the options scrambled besides the one as written", versions)
}

// statusText describes an assembly's status: its forms proven optimal
// (gap 0), optimal within the tolerance on the gap, feasible, the gap
// above the tolerance, or the heuristic's.
func statusText(status string, gap, tolerance float64) string {
	switch assemble.Status(status) {
	case assemble.StatusOptimal:
		if gap == 0 {
			return "optimal (proven)"
		}
		return "optimal within the " + percent(tolerance) + " gap tolerance"
	case assemble.StatusFeasible:
		return "feasible, the gap above the " + percent(tolerance) + " tolerance"
	case assemble.StatusHeuristic:
		return "not proven optimal, with a Lagrangian bound"
	}
	return status
}

// percent writes a relative gap as a percentage.
func percent(x float64) string {
	if table.FormatFloat(x, "json") == "" { // NaN or infinite
		return "unknown"
	}
	return strconv.FormatFloat(100*x, 'f', 2, 64) + "%"
}
