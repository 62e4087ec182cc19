package reports

import (
	"bytes"
	"fmt"
	"image/color"
	"os"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// Figure is a plot rendered as PNG (embedded in the HTML report) and SVG
// (for print), with the file name it is saved under.
type Figure struct {
	Name  string // file base name, without extension, e.g. "wright-map"
	Title string
	PNG   []byte
	SVG   []byte
}

// newFigure renders p at w × h in both formats.
func newFigure(p *plot.Plot, name string, w, h vg.Length) (Figure, error) {
	f := Figure{Name: name, Title: p.Title.Text}
	for _, out := range []struct {
		format string
		dst    *[]byte
	}{{"png", &f.PNG}, {"svg", &f.SVG}} {
		wt, err := p.WriterTo(w, h, out.format)
		if err != nil {
			return f, fmt.Errorf("plot %s: %w", name, err)
		}
		var b bytes.Buffer
		if _, err := wt.WriteTo(&b); err != nil {
			return f, fmt.Errorf("plot %s: %w", name, err)
		}
		*out.dst = b.Bytes()
	}
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

// seriesColor is the colour of the i-th series of a plot (forms, say).
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
