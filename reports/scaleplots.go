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

// LinkConstants are a linking's constants θ_base = A·θ_new + B with
// their standard errors (NaN when not computed), and its method.
type LinkConstants struct {
	Method   string
	A, B     float64
	SEA, SEB float64
}

// String is the transformation as the linking plot's key reads it.
func (c LinkConstants) String() string {
	se := func(x float64) string {
		if !Num(x).Defined() {
			return ""
		}
		return fmt.Sprintf(" (SE %.3f)", x)
	}
	return fmt.Sprintf("θ_base = A·θ_new + B: A = %.3f%s, B = %.3f%s", c.A, se(c.SEA), c.B, se(c.SEB))
}

// LinkingPlot draws the common items' difficulties, base against
// transformed new, with the identity line: items that link well lie on it,
// drifting items away from it. The key gives the linking's constants.
func LinkingPlot(points []LinkPoint, c LinkConstants) (Figure, error) {
	p := plot.New()
	p.Title.Text = "Linking: common items' difficulties"
	if c.Method != "" {
		p.Title.Text += " (" + c.Method + ")"
	}
	p.X.Label.Text = "b on the base scale (θ units)"
	p.Y.Label.Text = "new b, on the base scale (θ units)"
	p.Add(plotter.NewGrid())
	k := &key{}
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
	k.add("identity", id)
	for j, set := range []struct {
		xys   plotter.XYs
		label string
		shape draw.GlyphDrawer
	}{{used, "common items used", draw.CircleGlyph{}}, {dropped, "excluded (drift)", draw.CrossGlyph{}}} {
		if len(set.xys) == 0 {
			continue
		}
		s, err := plotter.NewScatter(set.xys)
		if err != nil {
			return Figure{}, err
		}
		s.GlyphStyle.Shape, s.GlyphStyle.Color, s.GlyphStyle.Radius = set.shape, seriesColor(j), vg.Points(3)
		p.Add(s)
		k.add(fmt.Sprintf("%s (%d)", set.label, len(set.xys)), s)
	}
	k.add(c.String())
	return newFigure(p, k, "linking", 5*vg.Inch, 5*vg.Inch)
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
// score, with a band of ± one CSEM (conditional standard error of
// measurement, in scale points) where it is known; beyond maxSeries forms,
// one small panel per form.
func ConversionPlot(tables []ConversionTable, scaleName string) (Figure, error) {
	title := "Conversion: raw score to " + scaleName
	newPanel := func() *plot.Plot {
		p := plot.New()
		p.X.Label.Text = "raw score (items right)"
		p.Y.Label.Text = scaleName + " (scale points)"
		// Scale scores are whole points: round steps of 100 on 300–850.
		p.X.Tick.Marker, p.Y.Tick.Marker = integerTicks{}, integerTicks{}
		p.Add(plotter.NewGrid())
		return p
	}
	if len(tables) > maxSeries {
		panels := make([]*plot.Plot, len(tables))
		for j, t := range tables {
			panels[j] = newPanel()
			panels[j].Title.Text = formLabel(t.Form)
			panels[j].X.Label.Text, panels[j].Y.Label.Text = "raw score", "scale score"
			if err := conversionSeries(panels[j], nil, t, 0); err != nil {
				return Figure{}, err
			}
		}
		return multiples("conversion", title+" (line: scale score; shaded: ± 1 CSEM; in scale points)", panels, 3, 3*vg.Inch, 2.5*vg.Inch)
	}
	p, k := newPanel(), &key{}
	p.Title.Text = title
	for j, t := range tables {
		if err := conversionSeries(p, k, t, j); err != nil {
			return Figure{}, err
		}
	}
	return newFigure(p, k, "conversion", 6*vg.Inch, 4*vg.Inch)
}

// conversionSeries adds a form's conversion curve and CSEM band to p in
// the colour-th series colour, and their entries to k when not nil.
func conversionSeries(p *plot.Plot, k *key, t ConversionTable, colour int) error {
	var xys, band plotter.XYs
	for _, r := range t.Rows {
		xys = append(xys, plotter.XY{X: float64(r.Raw), Y: r.Scale})
		if !math.IsNaN(r.CSEM) {
			band = append(band, plotter.XY{X: float64(r.Raw), Y: r.Scale + r.CSEM})
		}
	}
	for i := len(t.Rows) - 1; i >= 0; i-- {
		if r := t.Rows[i]; !math.IsNaN(r.CSEM) {
			band = append(band, plotter.XY{X: float64(r.Raw), Y: r.Scale - r.CSEM})
		}
	}
	col := seriesColor(colour)
	if len(band) > 2 {
		poly, err := plotter.NewPolygon(band)
		if err != nil {
			return err
		}
		poly.Color = translucent(col)
		poly.LineStyle.Width = 0
		p.Add(poly)
		if k != nil {
			k.add(formLabel(t.Form)+": ± 1 CSEM (scale points)", poly)
		}
	}
	if len(xys) == 0 {
		return nil
	}
	l, s, err := plotter.NewLinePoints(xys)
	if err != nil {
		return err
	}
	l.Color, s.GlyphStyle.Color, s.GlyphStyle.Radius = col, col, vg.Points(1.5)
	p.Add(l, s)
	if k != nil {
		k.add(formLabel(t.Form)+": scale score", l, s)
	}
	return nil
}
