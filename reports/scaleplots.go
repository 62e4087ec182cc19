package reports

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// LinkPoint is a common item of a linking: its difficulty on the base
// scale and its new difficulty transformed onto that scale
// (A·b_new + B), and whether the linking used it (drifting items are
// excluded).
type LinkPoint struct {
	Item     string
	Old, New float64
	Used     bool
}

// LinkingPlot draws the common items' difficulties, base against
// transformed new, with the identity line: items that link well lie on it,
// drifting items away from it.
func LinkingPlot(points []LinkPoint, method string) (Figure, error) {
	p := plot.New()
	p.Title.Text = "Linking: common items' difficulties"
	if method != "" {
		p.Title.Text += " (" + method + ")"
	}
	p.X.Label.Text = "b on the base scale"
	p.Y.Label.Text = "new b, transformed onto the base scale"
	p.Add(plotter.NewGrid())
	lo, hi := math.Inf(1), math.Inf(-1)
	var used, dropped plotter.XYs
	for _, pt := range points {
		lo, hi = min(lo, pt.Old, pt.New), max(hi, pt.Old, pt.New)
		if pt.Used {
			used = append(used, plotter.XY{X: pt.Old, Y: pt.New})
		} else {
			dropped = append(dropped, plotter.XY{X: pt.Old, Y: pt.New})
		}
	}
	if len(points) == 0 {
		lo, hi = -3, 3
	}
	lo, hi = math.Floor(lo-0.25), math.Ceil(hi+0.25)
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = lo, hi, lo, hi
	id, err := plotter.NewLine(plotter.XYs{{X: lo, Y: lo}, {X: hi, Y: hi}})
	if err != nil {
		return Figure{}, err
	}
	id.Color = seriesColor(6)
	id.Dashes = dashes(1)
	p.Add(id)
	p.Legend.Add("identity", id)
	for j, set := range []struct {
		xys   plotter.XYs
		label string
		shape draw.GlyphDrawer
	}{{used, "used", draw.CircleGlyph{}}, {dropped, "excluded", draw.CrossGlyph{}}} {
		if len(set.xys) == 0 {
			continue
		}
		s, err := plotter.NewScatter(set.xys)
		if err != nil {
			return Figure{}, err
		}
		s.GlyphStyle.Shape, s.GlyphStyle.Color, s.GlyphStyle.Radius = set.shape, seriesColor(j), vg.Points(3)
		p.Add(s)
		p.Legend.Add(fmt.Sprintf("%s (%d)", set.label, len(set.xys)), s)
	}
	p.Legend.Top, p.Legend.Left = true, true
	return newFigure(p, "linking", 5*vg.Inch, 5*vg.Inch)
}

// ConversionRow is one raw score of a conversion table, with its scale
// score and (when known, else NaN) its conditional standard error on the
// scale.
type ConversionRow struct {
	Raw   int
	Scale float64
	CSEM  float64
}

// ConversionTable is a form's raw-to-scale conversion.
type ConversionTable struct {
	Form string
	Rows []ConversionRow
}

// ConversionPlot draws each form's conversion curve, raw score to scale
// score, with a band of ± one CSEM where it is known.
func ConversionPlot(tables []ConversionTable, scaleName string) (Figure, error) {
	p := plot.New()
	p.Title.Text = "Conversion: raw score to " + scaleName
	p.X.Label.Text = "raw score (number right)"
	p.Y.Label.Text = scaleName
	p.Add(plotter.NewGrid())
	for j, t := range tables {
		var xys, up, down plotter.XYs
		for _, r := range t.Rows {
			xys = append(xys, plotter.XY{X: float64(r.Raw), Y: r.Scale})
			if !math.IsNaN(r.CSEM) {
				up = append(up, plotter.XY{X: float64(r.Raw), Y: r.Scale + r.CSEM})
				down = append(down, plotter.XY{X: float64(r.Raw), Y: r.Scale - r.CSEM})
			}
		}
		if len(xys) == 0 {
			continue
		}
		l, s, err := plotter.NewLinePoints(xys)
		if err != nil {
			return Figure{}, err
		}
		l.Color, s.GlyphStyle.Color, s.GlyphStyle.Radius = seriesColor(j), seriesColor(j), vg.Points(1.5)
		l.Dashes = dashes(j / 8)
		p.Add(l, s)
		p.Legend.Add(formLabel(t.Form), l)
		for _, band := range []plotter.XYs{up, down} {
			if len(band) == 0 {
				continue
			}
			b, err := plotter.NewLine(band)
			if err != nil {
				return Figure{}, err
			}
			b.Color, b.Dashes, b.Width = seriesColor(j), dashes(2), vg.Points(0.5)
			p.Add(b)
		}
	}
	p.Legend.Top, p.Legend.Left = true, true
	return newFigure(p, "conversion", 6*vg.Inch, 4*vg.Inch)
}
