package reports

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Figure is a plot rendered as SVG (embedded in the HTML report, sharp at
// any zoom, and for print) and PNG (drawn at twice the resolution of its
// size on the page, Width × Height CSS pixels, so that it stays sharp on
// high-density screens), with the file name it is saved under.
type Figure struct {
	Name          string // file base name, without extension, e.g. "wright-map"
	Title         string
	Width, Height int // on the page, in CSS pixels (1/96 inch)
	PNG           []byte
	SVG           []byte
}

// pngDPI is the resolution of the PNG: twice the 96 px per inch of CSS.
const pngDPI = 2 * 96

// key is a plot's legend, drawn below the data area (never over the data)
// in as many columns as the width allows.
type key struct {
	entries []keyEntry
}

type keyEntry struct {
	label  string
	thumbs []plot.Thumbnailer
}

// add adds an entry; without thumbnails it is a line of text.
func (k *key) add(label string, thumbs ...plot.Thumbnailer) {
	k.entries = append(k.entries, keyEntry{label, thumbs})
}

// layout returns the key's columns and rows within width w, and its
// height, for the text style of p's legend.
func (k *key) layout(p *plot.Plot, w vg.Length) (cols, rows int, h vg.Length) {
	if k == nil || len(k.entries) == 0 {
		return 0, 0, 0
	}
	sty := p.Legend.TextStyle
	em := sty.Rectangle(" ").Max.X
	var colW, rowH vg.Length
	for _, e := range k.entries {
		r := sty.Rectangle(e.label)
		colW = max(colW, p.Legend.ThumbnailWidth+em+r.Max.X+2*em)
		rowH = max(rowH, r.Max.Y)
	}
	cols = max(1, min(len(k.entries), int((w-2*em)/colW)))
	rows = (len(k.entries) + cols - 1) / cols
	return cols, rows, vg.Length(rows)*(rowH+keyPadding(p)) + 2*em
}

// keyPadding is the space between the key's rows: a third of its text's
// height.
func keyPadding(p *plot.Plot) vg.Length { return p.Legend.TextStyle.Font.Size / 3 }

// draw draws the key in c, column by column.
func (k *key) draw(p *plot.Plot, c draw.Canvas, cols, rows int) {
	em := p.Legend.TextStyle.Rectangle(" ").Max.X
	c = draw.Crop(c, em, -em, 0, -em)
	colW := (c.Max.X - c.Min.X) / vg.Length(cols)
	for j := range cols {
		l := plot.NewLegend()
		l.TextStyle, l.Padding, l.ThumbnailWidth = p.Legend.TextStyle, keyPadding(p), p.Legend.ThumbnailWidth
		l.Top, l.Left = true, true
		for _, e := range k.entries[j*rows : min(len(k.entries), (j+1)*rows)] {
			l.Add(e.label, e.thumbs...)
		}
		cc := c
		cc.Min.X = c.Min.X + vg.Length(j)*colW
		cc.Max.X = cc.Min.X + colW
		l.Draw(cc)
	}
}

// newFigure renders p with its key below it: the plot takes w × h and
// the key the height it needs under it.
func newFigure(p *plot.Plot, k *key, name string, w, h vg.Length) (Figure, error) {
	cols, rows, kh := k.layout(p, w)
	return render(name, p.Title.Text, w, h+kh, func(c draw.Canvas) {
		p.Draw(draw.Crop(c, 0, 0, kh, 0))
		if kh > 0 {
			strip := c
			strip.Max.Y = c.Min.Y + kh
			k.draw(p, strip, cols, rows)
		}
	})
}

// render draws a figure of w × h with paint, as PNG at pngDPI and as SVG.
func render(name, title string, w, h vg.Length, paint func(draw.Canvas)) (Figure, error) {
	f := Figure{Name: name, Title: title, Width: int(math.Round(float64(w / vg.Inch * 96))), Height: int(math.Round(float64(h / vg.Inch * 96)))}
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(pngDPI))
	svg := vgsvg.New(w, h)
	for _, out := range []struct {
		c   vg.CanvasSizer
		w   io.WriterTo
		dst *[]byte
	}{{img, vgimg.PngCanvas{Canvas: img}, &f.PNG}, {svg, svg, &f.SVG}} {
		paint(draw.New(out.c))
		var b bytes.Buffer
		if _, err := out.w.WriteTo(&b); err != nil {
			return f, fmt.Errorf("plot %s: %w", name, err)
		}
		*out.dst = b.Bytes()
	}
	// gonum lays text out with the metrics of Liberation Serif, which
	// Times New Roman shares: the fallback where it is not installed.
	f.SVG = bytes.ReplaceAll(f.SVG, []byte("font-family:Liberation Serif;"), []byte("font-family:'Liberation Serif','Times New Roman',serif;"))
	return f, nil
}

// Save writes the figure to dir as Name.png and Name.svg.
func (f Figure) Save(dir string) error {
	for ext, b := range map[string][]byte{".png": f.PNG, ".svg": f.SVG} {
		if err := os.WriteFile(filepath.Join(dir, f.Name+ext), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// integerTicks marks an axis whose values are whole numbers (raw scores,
// counts, group numbers) at whole numbers only: steps of 1, 2 or 5 times a
// power of ten, at most about ten labels.
type integerTicks struct{}

// Ticks returns the ticks of [lo, hi].
func (integerTicks) Ticks(lo, hi float64) []plot.Tick {
	step := 1.0
	for pow := 1.0; (hi-lo)/step > 10; pow *= 10 {
		for _, m := range []float64{2, 5, 10} {
			if step = m * pow; (hi-lo)/step <= 10 {
				break
			}
		}
	}
	var ticks []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', 0, 64)})
	}
	return ticks
}

// maxSeries is the most series one panel draws in distinguishable
// colours; beyond it a plot becomes small multiples.
const maxSeries = 8

// multiples draws panels in a grid of cols columns, each w × h, with a
// title above.
func multiples(name, title string, panels []*plot.Plot, cols int, w, h vg.Length) (Figure, error) {
	rows := (len(panels) + cols - 1) / cols
	grid := make([][]*plot.Plot, rows)
	for i := range grid {
		grid[i] = make([]*plot.Plot, cols)
	}
	for i, p := range panels {
		grid[i/cols][i%cols] = p
	}
	head := plot.New()
	head.Title.Text = title
	th := head.Title.TextStyle.Rectangle(title).Size().Y + head.Title.Padding
	return render(name, title, vg.Length(cols)*w, vg.Length(rows)*h+th, func(c draw.Canvas) {
		c.FillText(head.Title.TextStyle, vg.Point{X: c.Center().X, Y: c.Max.Y + head.Title.TextStyle.FontExtents().Descent}, title)
		c.Max.Y -= th
		tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Millimeter, PadY: vg.Millimeter}
		canvases := plot.Align(grid, tiles, c)
		for i, p := range panels {
			p.Draw(canvases[i/cols][i%cols])
		}
	})
}

// domainColor is the colour of a content domain in every plot: the four
// domains of the assessment in a colour-blind-safe palette (Okabe & Ito),
// anything else grey.
func domainColor(domain string) color.Color {
	switch domain {
	case "semantics":
		return color.RGBA{R: 0x00, G: 0x72, B: 0xb2, A: 0xff} // blue
	case "idioms":
		return color.RGBA{R: 0xe6, G: 0x9f, B: 0x00, A: 0xff} // orange
	case "performance":
		return color.RGBA{R: 0x00, G: 0x9e, B: 0x73, A: 0xff} // green
	case "stdlib":
		return color.RGBA{R: 0xcc, G: 0x79, B: 0xa7, A: 0xff} // purple
	}
	return color.Gray{Y: 0x80}
}

// seriesColor is the colour of the i-th series of a plot (forms, say):
// the eight colours of Okabe & Ito's colour-blind-safe palette, yellow
// last; plots of more than maxSeries series draw small multiples.
func seriesColor(i int) color.Color {
	palette := []color.Color{
		color.RGBA{R: 0x00, G: 0x72, B: 0xb2, A: 0xff},
		color.RGBA{R: 0xd5, G: 0x5e, B: 0x00, A: 0xff},
		color.RGBA{R: 0x00, G: 0x9e, B: 0x73, A: 0xff},
		color.RGBA{R: 0xcc, G: 0x79, B: 0xa7, A: 0xff},
		color.RGBA{R: 0x56, G: 0xb4, B: 0xe9, A: 0xff},
		color.RGBA{R: 0xe6, G: 0x9f, B: 0x00, A: 0xff},
		color.RGBA{R: 0x00, G: 0x00, B: 0x00, A: 0xff},
		color.RGBA{R: 0xf0, G: 0xe4, B: 0x42, A: 0xff},
	}
	return palette[i%len(palette)]
}

// translucent is c at a quarter of its opacity, for bands.
func translucent(c color.Color) color.Color {
	r, g, b, _ := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 0x40}
}

// faint is the grey of the other series in a small multiple.
var faint = color.Gray{Y: 0xcc}
