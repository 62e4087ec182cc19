package reports

import (
	"fmt"
	"image/color"
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
// θ in [−4, 4], one line per form; beyond maxSeries forms, one small
// panel per form with the others in grey behind it. name prefixes the
// figures' names and what their titles ("" for the forms of the
// responses: "test-information" and "csem").
func InformationPlots(forms []FormParams, name, what string) (info, csem Figure, err error) {
	const n = 161
	in, se := make([]plotter.XYs, len(forms)), make([]plotter.XYs, len(forms))
	var top float64 // the highest CSEM drawn
	for j, f := range forms {
		in[j], se[j] = make(plotter.XYs, n), make(plotter.XYs, n)
		for k := range n {
			x := -4 + 8*float64(k)/(n-1)
			v := irt.TestInfo(f.Items, x)
			in[j][k] = plotter.XY{X: x, Y: v}
			se[j][k] = plotter.XY{X: x, Y: min(1.5, 1/math.Sqrt(v))}
			top = max(top, se[j][k].Y)
		}
	}
	titles := [2]string{"Test information by form", "Conditional standard error of measurement by form"}
	if what != "" {
		titles = [2]string{"Test information of " + what, "Conditional standard error of measurement of " + what}
	}
	names := [2]string{name + "test-information", name + "csem"}
	newPanel := func(c int) *plot.Plot {
		p := plot.New()
		p.X.Label.Text = "ability θ (SD units)"
		p.X.Min, p.X.Max = -4, 4
		p.Y.Label.Text = []string{"information I(θ) (1/θ units²)", "CSEM(θ) = 1/√I(θ) (θ units)"}[c]
		if c == 1 {
			p.Y.Min, p.Y.Max = 0, top*1.05
		}
		p.Add(plotter.NewGrid())
		return p
	}
	line := func(xys plotter.XYs, col color.Color, w float64) (*plotter.Line, error) {
		l, err := plotter.NewLine(xys)
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = col, vg.Points(w)
		return l, nil
	}
	var figs [2]Figure
	for c, curves := range [2][]plotter.XYs{in, se} {
		if len(forms) > maxSeries {
			panels := make([]*plot.Plot, len(forms))
			for j := range forms {
				// Small panels: short labels, the units in the title.
				p := newPanel(c)
				p.Title.Text = formLabel(forms[j].Form)
				p.X.Label.Text, p.Y.Label.Text = "θ", []string{"I(θ)", "CSEM(θ)"}[c]
				for o := range forms {
					if o == j {
						continue
					}
					l, err := line(curves[o], faint, 0.75)
					if err != nil {
						return info, csem, err
					}
					p.Add(l)
				}
				l, err := line(curves[j], seriesColor(0), 1.5)
				if err != nil {
					return info, csem, err
				}
				p.Add(l)
				panels[j] = p
			}
			units := []string{"information I(θ) in 1/θ units²", "CSEM(θ) = 1/√I(θ) in θ units"}[c]
			if figs[c], err = multiples(names[c], titles[c]+": "+units+", θ in SD units (grey: the other forms)", panels, 4, 2.6*vg.Inch, 2.2*vg.Inch); err != nil {
				return info, csem, err
			}
			continue
		}
		p, k := newPanel(c), &key{}
		p.Title.Text = titles[c]
		for j := range forms {
			l, err := line(curves[j], seriesColor(j), 1.5)
			if err != nil {
				return info, csem, err
			}
			p.Add(l)
			k.add(formLabel(forms[j].Form), l)
		}
		if figs[c], err = newFigure(p, k, names[c], 6*vg.Inch, 4*vg.Inch); err != nil {
			return info, csem, err
		}
	}
	return figs[0], figs[1], nil
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
	p.X.Label.Text = "ability θ and difficulty b (θ units)"
	p.Y.Label.Text = "density (above), domain (below)"
	k := &key{}
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
		k.add(fmt.Sprintf("examinees (density, N = %.0f)", n), h)
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
		m := 0
		for _, it := range items {
			if it.Domain != dom {
				continue
			}
			jitter := float64(m%5-2) * row / 8
			xys = append(xys, plotter.XY{X: min(hi, max(lo, it.B)), Y: -row*float64(d+1) + jitter})
			m++
		}
		s, err := plotter.NewScatter(xys)
		if err != nil {
			return Figure{}, err
		}
		s.GlyphStyle.Color = domainColor(dom)
		s.GlyphStyle.Shape = draw.CircleGlyph{}
		s.GlyphStyle.Radius = vg.Points(2.5)
		p.Add(s)
		k.add(fmt.Sprintf("%s items (%d)", dom, len(xys)), s)
		ticks = append(ticks, plot.Tick{Value: -row * float64(d+1), Label: dom})
	}
	p.Y.Tick.Marker = ticks
	p.Y.Min, p.Y.Max = -row*(float64(len(domains))+0.8), top*1.1
	return newFigure(p, k, "wright-map", 7*vg.Inch, 4.5*vg.Inch)
}
