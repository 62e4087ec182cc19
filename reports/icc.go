package reports

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/passportirt/passport/irt"
)

// EmpiricalPoint is the observed proportion right in one ability group,
// with its 95 % interval.
type EmpiricalPoint struct {
	Theta  float64 // the group's mean ability estimate
	N      int     // examinees in the group
	Prop   float64 // proportion right
	Lo, Hi float64 // Clopper–Pearson (1934) exact 95 % interval
}

// EmpiricalICC groups the examinees who answered an item — abilities
// theta (NaN: left out) and scores u — into (at most) groups equal-sized
// groups by ability and returns each group's proportion right with its
// 95 % Clopper–Pearson interval: with x right of n,
//
//	lo = Beta⁻¹(0.025; x, n − x + 1),   hi = Beta⁻¹(0.975; x + 1, n − x),
//
// lo = 0 when x = 0 and hi = 1 when x = n (as mirt's itemfit plots).
func EmpiricalICC(theta []float64, u []uint8, groups int) []EmpiricalPoint {
	type obs struct {
		theta float64
		u     uint8
	}
	xs := make([]obs, 0, len(theta))
	for p, t := range theta {
		if !math.IsNaN(t) {
			xs = append(xs, obs{t, u[p]})
		}
	}
	slices.SortFunc(xs, func(a, b obs) int {
		switch {
		case a.theta < b.theta:
			return -1
		case a.theta > b.theta:
			return 1
		}
		return 0
	})
	groups = min(groups, len(xs))
	pts := make([]EmpiricalPoint, 0, groups)
	for g := range groups {
		lo, hi := g*len(xs)/groups, (g+1)*len(xs)/groups
		var sum float64
		x := 0
		for _, o := range xs[lo:hi] {
			sum += o.theta
			x += int(o.u)
		}
		n := hi - lo
		pt := EmpiricalPoint{Theta: sum / float64(n), N: n, Prop: float64(x) / float64(n), Lo: 0, Hi: 1}
		if x > 0 {
			pt.Lo = distuv.Beta{Alpha: float64(x), Beta: float64(n - x + 1)}.Quantile(0.025)
		}
		if x < n {
			pt.Hi = distuv.Beta{Alpha: float64(x + 1), Beta: float64(n - x)}.Quantile(0.975)
		}
		pts = append(pts, pt)
	}
	return pts
}

// ICCPlot draws an item's model curve P(θ) over [−4, 4] with the empirical
// proportions right of ability groups and their 95 % intervals.
func ICCPlot(it irt.ItemInfo, params irt.ThreePL, pts []EmpiricalPoint) (Figure, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s (%s): a = %.2f, b = %.2f, c = %.2f", it.Code, it.Domain, params.A, params.B, params.C)
	p.X.Label.Text = "ability θ (SD units)"
	p.Y.Label.Text = "P(right) (proportion)"
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = -4, 4, 0, 1
	p.Add(plotter.NewGrid())
	curve := plotter.NewFunction(params.Prob)
	curve.Samples = 101
	curve.Color = domainColor(it.Domain)
	curve.Width = vg.Points(2)
	p.Add(curve)
	k := &key{}
	k.add("model P(θ)", curve)
	if len(pts) > 0 {
		xys := make(plotter.XYs, len(pts))
		errs := make(plotter.YErrors, len(pts))
		for j, pt := range pts {
			xys[j] = plotter.XY{X: min(4, max(-4, pt.Theta)), Y: pt.Prop}
			errs[j].Low, errs[j].High = pt.Prop-pt.Lo, pt.Hi-pt.Prop
		}
		bars, err := plotter.NewYErrorBars(struct {
			plotter.XYs
			plotter.YErrors
		}{xys, errs})
		if err != nil {
			return Figure{}, err
		}
		dots, err := plotter.NewScatter(xys)
		if err != nil {
			return Figure{}, err
		}
		dots.GlyphStyle.Shape = draw.CircleGlyph{}
		dots.GlyphStyle.Radius = vg.Points(2.5)
		p.Add(bars, dots)
		k.add("observed by ability group, with 95 % interval", dots)
	}
	return newFigure(p, k, "icc-"+fileSafe(it.Code), 4.5*vg.Inch, 3*vg.Inch)
}

// fileSafe maps an item code to a file name: letters, digits, '-', '_' and
// '.' kept, anything else '_'.
func fileSafe(code string) string {
	b := []byte(code)
	for i, c := range b {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
		if !ok {
			b[i] = '_'
		}
	}
	return string(b)
}
