package reports

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// OptionCurvesPlot draws an item's option characteristic curves: the
// share of each ability group choosing each option (OptionStats.ByGroup,
// groups by total score within form, lowest first), the key in a thick
// solid black line, distractors thinner and dashed, omits grey. A working item's
// key rises across the groups and its distractors fall; a distractor that
// rises with ability points to a miskey or a second right answer.
func OptionCurvesPlot(item string, options []OptionStats) (Figure, error) {
	p := plot.New()
	p.Title.Text = "Options of " + item + " by ability group"
	p.X.Label.Text = "ability group by total score (1 = lowest)"
	p.Y.Label.Text = "share choosing (proportion)"
	p.X.Tick.Marker = integerTicks{}
	p.Y.Min, p.Y.Max = 0, 1
	p.Add(plotter.NewGrid())
	k := &key{}
	groups := 0
	for j, o := range options {
		var xys plotter.XYs
		for g, s := range o.ByGroup {
			if s.Defined() {
				xys = append(xys, plotter.XY{X: float64(g + 1), Y: float64(s)})
			}
		}
		groups = max(groups, len(o.ByGroup))
		if len(xys) == 0 || (o.Option == "omit" && o.N == 0) {
			continue
		}
		l, s, err := plotter.NewLinePoints(xys)
		if err != nil {
			return Figure{}, err
		}
		col := seriesColor(j)
		label := o.Option
		switch {
		case o.Key:
			col, l.Width, label = seriesColor(6), vg.Points(2.5), o.Option+" (key)"
		case o.Option == "omit":
			col, l.Dashes = faint, dashes(2)
		default:
			l.Dashes = dashes(1)
		}
		l.Color, s.GlyphStyle.Color, s.GlyphStyle.Radius = col, col, vg.Points(2)
		s.GlyphStyle.Shape = draw.CircleGlyph{}
		p.Add(l, s)
		k.add(fmt.Sprintf("%s, %s", label, shareText(o.Share)), l, s)
	}
	p.X.Min, p.X.Max = 0.8, float64(max(groups, 2))+0.2
	return newFigure(p, k, "occ-"+fileSafe(item), 4.5*vg.Inch, 3*vg.Inch)
}

// shareText is an option's overall share as a percentage.
func shareText(x Num) string {
	if !x.Defined() {
		return "no responses"
	}
	return fmt.Sprintf("%.0f %% overall", 100*float64(x))
}
