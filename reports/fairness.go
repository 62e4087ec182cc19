package reports

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// DIFRow is one item's differential item functioning as the report shows
// it (reports/dif computes it): the groups' sizes, Mantel–Haenszel's
// Δ_MH with its ETS class, logistic regression's Nagelkerke ΔR² with its
// Jodoin–Gierl class, Lord's difference of difficulties, each method's
// Benjamini–Hochberg-adjusted p (NaN or "" for a method not run), and
// whether any method flagged the item.
type DIFRow struct {
	Item     string
	NRef     int
	NFocal   int
	MHDelta  Num
	MHClass  string
	MHPAdj   Num
	LRDR2    Num
	LRClass  string
	LRPAdj   Num
	LordDiff Num
	LordPAdj Num
	DIF      bool
}

// DIFInput is a DIF analysis for the report: the attribute that made the
// groups, the focal and reference values ("" for every other value), the
// examinees of each group, and one row per item of the report, in the
// order of its Responses.Items.
type DIFInput struct {
	Group, Focal, Reference string
	NRef, NFocal            int
	Matching, Rounds        int // items of the final matching score; purification rounds
	Rows                    []DIFRow
}

// DIFPlot draws each item's Δ_MH against its position in the item table
// with the ETS boundaries |Δ| = 1 and 1.5: flagged items as red crosses.
// Positive Δ favours the focal group.
func DIFPlot(d *DIFInput) (Figure, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Mantel–Haenszel Δ by item: focal %s = %s", d.Group, d.Focal)
	p.X.Label.Text = "item (order of the item table)"
	p.Y.Label.Text = "Δ_MH (ETS delta points)"
	p.X.Tick.Marker = integerTicks{}
	p.Add(plotter.NewGrid())
	k := &key{}
	var ok, flagged plotter.XYs
	top := 2.0
	for i, r := range d.Rows {
		if !r.MHDelta.Defined() {
			continue
		}
		pt := plotter.XY{X: float64(i + 1), Y: float64(r.MHDelta)}
		top = max(top, math.Abs(pt.Y)+0.2)
		if r.DIF {
			flagged = append(flagged, pt)
		} else {
			ok = append(ok, pt)
		}
	}
	n := float64(max(len(d.Rows), 2))
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, n+1, -top, top
	for j, cut := range []float64{1, 1.5} {
		for _, s := range []float64{-1, 1} {
			l, err := plotter.NewLine(plotter.XYs{{X: 0, Y: s * cut}, {X: n + 1, Y: s * cut}})
			if err != nil {
				return Figure{}, err
			}
			l.Color, l.Dashes = seriesColor(6), dashes(j+1)
			p.Add(l)
			if s > 0 {
				k.add([]string{"|Δ| = 1: B boundary", "|Δ| = 1.5: C boundary"}[j], l)
			}
		}
	}
	for j, set := range []struct {
		xys   plotter.XYs
		label string
		shape draw.GlyphDrawer
	}{{ok, "not flagged", draw.CircleGlyph{}}, {flagged, "flagged dif (any method)", draw.CrossGlyph{}}} {
		if len(set.xys) == 0 {
			continue
		}
		s, err := plotter.NewScatter(set.xys)
		if err != nil {
			return Figure{}, err
		}
		s.GlyphStyle.Shape, s.GlyphStyle.Color, s.GlyphStyle.Radius = set.shape, seriesColor(j), vg.Points(2.5+2*float64(j))
		p.Add(s)
		k.add(fmt.Sprintf("%s (%d)", set.label, len(set.xys)), s)
	}
	return newFigure(p, k, "dif-delta", 7*vg.Inch, 3.5*vg.Inch)
}

// PersonFitPlot draws the distribution of the examinees' l_z* as a
// histogram of densities in bins of 0.25 with the standard normal density
// it follows when the model holds, and the cut below which examinees are
// flagged.
func PersonFitPlot(persons []PersonFit, cut float64) (Figure, error) {
	p := plot.New()
	p.Title.Text = "Person fit: distribution of l_z*"
	p.X.Label.Text = "l_z* (standard normal units)"
	p.Y.Label.Text = "density"
	p.Add(plotter.NewGrid())
	k := &key{}
	const lo, hi, width = -6.0, 4.0, 0.25
	counts := make([]float64, int((hi-lo)/width))
	n := 0.0
	for _, pf := range persons {
		if pf.Lz.Defined() {
			counts[min(len(counts)-1, max(0, int((float64(pf.Lz)-lo)/width)))]++
			n++
		}
	}
	top := 0.45
	if n > 0 {
		outline := plotter.XYs{{X: lo, Y: 0}}
		for b, c := range counts {
			x, y := lo+float64(b)*width, c/(n*width)
			top = max(top, y)
			outline = append(outline, plotter.XY{X: x, Y: y}, plotter.XY{X: x + width, Y: y})
		}
		outline = append(outline, plotter.XY{X: hi, Y: 0})
		h, err := plotter.NewPolygon(outline)
		if err != nil {
			return Figure{}, err
		}
		h.Color, h.LineStyle.Color = seriesColor(4), seriesColor(0)
		p.Add(h)
		k.add(fmt.Sprintf("examinees (N = %.0f; those beyond %g or %g in the end bins)", n, lo, hi), h)
	}
	normal := plotter.NewFunction(distuv.UnitNormal.Prob)
	normal.Color, normal.Width, normal.Samples = seriesColor(1), vg.Points(1.5), 201
	p.Add(normal)
	k.add("standard normal, the distribution under the model", normal)
	c, err := plotter.NewLine(plotter.XYs{{X: cut, Y: 0}, {X: cut, Y: top * 1.05}})
	if err != nil {
		return Figure{}, err
	}
	c.Color, c.Dashes = seriesColor(6), dashes(1)
	p.Add(c)
	k.add(fmt.Sprintf("cut %.3g: flagged below", cut), c)
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = lo, hi, 0, top*1.05
	return newFigure(p, k, "person-fit", 6*vg.Inch, 3.5*vg.Inch)
}
