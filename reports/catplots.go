package reports

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// CATRecoveryPlot draws an adaptive test's conditional precision from a
// simulation study: the RMSE of θ̂ and the mean reported SE against the
// true θ, one point per group of simulees (e.g. deciles of θ) at its
// mean θ. The two curves agree when the reported SE is honest.
func CATRecoveryPlot(theta, rmse, se []float64) (Figure, error) {
	p := plot.New()
	p.Title.Text = "Conditional RMSE and SE"
	p.X.Label.Text = "true θ (mean of the group)"
	p.Y.Label.Text = "RMSE, SE (θ units)"
	p.Y.Min = 0
	p.Add(plotter.NewGrid())
	k := &key{}
	for j, s := range []struct {
		name string
		ys   []float64
	}{{"RMSE of θ̂", rmse}, {"mean SE", se}} {
		xys := make(plotter.XYs, len(theta))
		for k := range theta {
			xys[k] = plotter.XY{X: theta[k], Y: s.ys[k]}
		}
		l, pts, err := plotter.NewLinePoints(xys)
		if err != nil {
			return Figure{}, err
		}
		l.Color, pts.GlyphStyle.Color, l.Dashes = seriesColor(j), seriesColor(j), dashes(j)
		p.Add(l, pts)
		k.add(s.name, l, pts)
	}
	return newFigure(p, k, "cat-recovery", 6*vg.Inch, 4*vg.Inch)
}

// ExposurePlot draws the distribution of the items' exposure rates as a
// histogram of the items in bins of 0.05, with the cap marked when it is
// positive.
func ExposurePlot(rates []float64, maxRate float64) (Figure, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Exposure rates of %d items", len(rates))
	p.X.Label.Text = "exposure rate (share of tests)"
	p.Y.Label.Text = "items"
	p.Y.Tick.Marker = integerTicks{}
	p.Add(plotter.NewGrid())
	k := &key{}
	const width = 0.05
	counts := make([]float64, int(1/width))
	for _, r := range rates {
		counts[min(len(counts)-1, int(r/width))]++
	}
	bins := make(plotter.XYs, len(counts))
	for k, c := range counts {
		bins[k] = plotter.XY{X: (float64(k) + 0.5) * width, Y: c}
	}
	h, err := plotter.NewHistogram(bins, len(counts))
	if err != nil {
		return Figure{}, err
	}
	h.FillColor = seriesColor(0)
	p.Add(h)
	if maxRate > 0 {
		top := 0.0
		for _, c := range counts {
			top = max(top, c)
		}
		l, err := plotter.NewLine(plotter.XYs{{X: maxRate, Y: 0}, {X: maxRate, Y: top}})
		if err != nil {
			return Figure{}, err
		}
		l.Color, l.Dashes = seriesColor(1), dashes(1)
		p.Add(l)
		k.add(fmt.Sprintf("cap %.2g", maxRate), l)
	}
	p.X.Min, p.X.Max = 0, 1
	return newFigure(p, k, "cat-exposure", 6*vg.Inch, 4*vg.Inch)
}
