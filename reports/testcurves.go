package reports

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/passportirt/passport/irt"
)

// FormParams is a form's items' parameters, for its test curves.
type FormParams struct {
	Form  string
	Items []irt.ThreePL
}

// InformationPlots draws each form's test information I(θ) = Σ I_i(θ)
// and its conditional standard error of measurement CSEM(θ) = 1/√I(θ), the
// asymptotic standard error of the ML estimate (Lord 1980, ch. 5), over
// θ in [−4, 4], one line per form.
func InformationPlots(forms []FormParams) (info, csem Figure, err error) {
	pi, pc := plot.New(), plot.New()
	pi.Title.Text, pc.Title.Text = "Test information by form", "Conditional standard error of measurement by form"
	pi.Y.Label.Text, pc.Y.Label.Text = "information I(θ)", "CSEM(θ) = 1/√I(θ)"
	for _, p := range []*plot.Plot{pi, pc} {
		p.X.Label.Text = "θ"
		p.X.Min, p.X.Max = -4, 4
		p.Add(plotter.NewGrid())
		p.Legend.Top = true
	}
	const n = 161
	var top float64 // the highest CSEM drawn
	for j, f := range forms {
		in, se := make(plotter.XYs, n), make(plotter.XYs, n)
		for k := range n {
			x := -4 + 8*float64(k)/(n-1)
			v := irt.TestInfo(f.Items, x)
			in[k] = plotter.XY{X: x, Y: v}
			se[k] = plotter.XY{X: x, Y: min(1.5, 1/math.Sqrt(v))}
			top = max(top, se[k].Y)
		}
		for _, c := range []struct {
			p   *plot.Plot
			xys plotter.XYs
		}{{pi, in}, {pc, se}} {
			l, err := plotter.NewLine(c.xys)
			if err != nil {
				return info, csem, err
			}
			l.Color = seriesColor(j)
			l.Width = vg.Points(1.5)
			l.Dashes = dashes(j / 8)
			c.p.Add(l)
			c.p.Legend.Add(formLabel(f.Form), l)
		}
	}
	// The CSEM is U-shaped: its legend goes top centre, where it is lowest.
	pc.Y.Min, pc.Y.Max = 0, top*1.2
	pc.Legend.Left, pc.Legend.XOffs = true, 2.5*vg.Inch
	if info, err = newFigure(pi, "test-information", 6*vg.Inch, 4*vg.Inch); err != nil {
		return info, csem, err
	}
	csem, err = newFigure(pc, "csem", 6*vg.Inch, 4*vg.Inch)
	return info, csem, err
}

// dashes is the k-th line pattern, for series beyond the palette.
func dashes(k int) []vg.Length {
	switch k % 3 {
	case 1:
		return []vg.Length{vg.Points(6), vg.Points(3)}
	case 2:
		return []vg.Length{vg.Points(2), vg.Points(2)}
	}
	return nil
}

// WrightItem is an item on the Wright map: its difficulty b on the θ scale.
type WrightItem struct {
	Code, Domain string
	B            float64
}

// WrightMap draws items and examinees on one θ axis (Wright & Masters
// 1982): above it the distribution of the examinees' ability estimates
// theta (NaN left out) as a histogram, below it each item at its
// difficulty, one row per content domain in the domain's colour. Values
// beyond the axis (|θ| > 6) are drawn at its ends.
func WrightMap(items []WrightItem, theta []float64) (Figure, error) {
	p := plot.New()
	p.Title.Text = "Wright map: examinees (above) and items by domain (below)"
	p.X.Label.Text = "θ"
	lo, hi := -4.0, 4.0
	for _, it := range items {
		lo, hi = min(lo, it.B), max(hi, it.B)
	}
	lo, hi = max(-6, math.Floor(lo)), min(6, math.Ceil(hi))
	p.X.Min, p.X.Max = lo, hi
	p.Add(plotter.NewGrid())

	// The histogram's outline, a step function from lo to hi at height 0
	// outside, filled: gonum's Histogram draws its bars from the bottom of
	// the plot, which here holds the items.
	const width = 0.25
	nb := int(math.Round((hi - lo) / width))
	density := make([]float64, nb)
	var n, top float64
	for _, t := range theta {
		if math.IsNaN(t) {
			continue
		}
		density[min(nb-1, max(0, int((t-lo)/width)))]++
		n++
	}
	if n > 0 {
		outline := plotter.XYs{{X: lo, Y: 0}}
		for b, c := range density {
			density[b] = c / (n * width)
			top = max(top, density[b])
			x := lo + float64(b)*width
			outline = append(outline, plotter.XY{X: x, Y: density[b]}, plotter.XY{X: x + width, Y: density[b]})
		}
		outline = append(outline, plotter.XY{X: hi, Y: 0})
		h, err := plotter.NewPolygon(outline)
		if err != nil {
			return Figure{}, err
		}
		h.Color, h.LineStyle.Color = seriesColor(4), seriesColor(0)
		p.Add(h)
		p.Legend.Add(fmt.Sprintf("examinees (density, N = %.0f)", n), h)
	}
	top = max(top, 0.4)

	var domains []string
	for _, it := range items {
		if !slices.Contains(domains, it.Domain) {
			domains = append(domains, it.Domain)
		}
	}
	row := top / 5 // the height of a domain's row
	ticks := plot.ConstantTicks{{Value: 0, Label: "0"}, {Value: top, Label: strconv.FormatFloat(top, 'f', 2, 64)}}
	for d, dom := range domains {
		var xys plotter.XYs
		k := 0
		for _, it := range items {
			if it.Domain != dom {
				continue
			}
			jitter := float64(k%5-2) * row / 8
			xys = append(xys, plotter.XY{X: min(hi, max(lo, it.B)), Y: -row*float64(d+1) + jitter})
			k++
		}
		s, err := plotter.NewScatter(xys)
		if err != nil {
			return Figure{}, err
		}
		s.GlyphStyle.Color = domainColor(dom)
		s.GlyphStyle.Shape = draw.CircleGlyph{}
		s.GlyphStyle.Radius = vg.Points(2.5)
		p.Add(s)
		p.Legend.Add(dom, s)
		ticks = append(ticks, plot.Tick{Value: -row * float64(d+1), Label: dom})
	}
	p.Y.Tick.Marker = ticks
	p.Y.Min, p.Y.Max = -row*(float64(len(domains))+0.8), top*1.6 // room for the legend
	p.Legend.Top, p.Legend.Left = true, true
	return newFigure(p, "wright-map", 7*vg.Inch, 4.5*vg.Inch)
}
