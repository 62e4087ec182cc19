package reports

import (
	"bytes"
	"image/png"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/passportirt/passport/irt"
)

// TestEmpiricalICC: R's binom.test gives the Clopper–Pearson intervals
// 0.1870860–0.8129140 for 5 right of 10 and 0–0.3084971 for 0 of 10.
func TestEmpiricalICC(t *testing.T) {
	var theta []float64
	var u []uint8
	for p := range 20 {
		// The ten lowest (θ = −10 … −1) all wrong; of the ten highest every other right.
		theta = append(theta, float64(p-10))
		u = append(u, boolScore(p >= 10 && p%2 == 0))
	}
	theta[3] = math.NaN() // left out
	pts := EmpiricalICC(theta, u, 2)
	if len(pts) != 2 || pts[0].N != 9 || pts[1].N != 10 {
		t.Fatalf("groups %+v", pts)
	}
	hi := pts[1]
	if hi.Prop != 0.5 || math.Abs(hi.Lo-0.1870860) > 1e-7 || math.Abs(hi.Hi-0.8129140) > 1e-7 || hi.Theta != 4.5 { // binom.test(5, 10)
		t.Errorf("upper group %+v", hi)
	}
	// binom.test(0, 9): 0–0.3362671.
	if lo := pts[0]; lo.Prop != 0 || lo.Lo != 0 || math.Abs(lo.Hi-0.3362671) > 1e-7 {
		t.Errorf("lower group %+v", lo)
	}
}

// TestPlots renders every plot and checks that each is a PNG image and an
// SVG document.
func TestPlots(t *testing.T) {
	items := []irt.ThreePL{{A: 1, B: -1, D: 1}, {A: 1.5, B: 0, C: 0.2, D: 1}, {A: 0.8, B: 1, D: 1}}
	var figs []Figure
	icc, err := ICCPlot(irt.ItemInfo{Code: "SEM/001", Domain: "semantics"}, items[1], []EmpiricalPoint{{Theta: -1, N: 10, Prop: 0.3, Lo: 0.1, Hi: 0.6}, {Theta: 1, N: 10, Prop: 0.9, Lo: 0.6, Hi: 1}})
	figs = append(figs, icc)
	if err != nil || icc.Name != "icc-SEM_001" {
		t.Fatalf("ICC %q: %v", icc.Name, err)
	}
	info, csem, err := InformationPlots([]FormParams{{"F1", items}, {"F2", items[:2]}}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	wright, err := WrightMap([]WrightItem{{"A", "semantics", -1}, {"B", "idioms", 7}, {"C", "stdlib", 0.5}}, []float64{-1, 0, 0.2, math.NaN(), 1.5})
	if err != nil {
		t.Fatal(err)
	}
	link, err := LinkingPlot([]LinkPoint{{"A", -1, -0.9, true}, {"B", 0.5, 1.4, false}}, LinkConstants{Method: "Stocking–Lord", A: 1.1, B: 0.2, SEA: 0.05, SEB: math.NaN()})
	if err != nil {
		t.Fatal(err)
	}
	conv, err := ConversionPlot([]ConversionTable{{"F1", []ConversionRow{{0, 300, 40}, {1, 420, 35}, {2, 600, math.NaN()}, {3, 850, 50}}}}, "passport scale")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		f    Figure
		want string
	}{{conv, "F1: ± 1 CSEM (scale points)"}, {link, "A = 1.100 (SE 0.050), B = 0.200"}} {
		if !bytes.Contains(c.f.SVG, []byte(c.want)) {
			t.Errorf("%s: the key lacks %q", c.f.Name, c.want)
		}
	}
	figs = append(figs, info, csem, wright, link, conv)
	for _, f := range figs {
		img, err := png.Decode(bytes.NewReader(f.PNG))
		if err != nil || img.Bounds().Dx() < 300 || img.Bounds().Dy() < 200 {
			t.Errorf("%s: PNG %v, %v", f.Name, err, img)
		}
		if !bytes.Contains(f.SVG[:min(len(f.SVG), 200)], []byte("<svg")) || !strings.HasSuffix(strings.TrimSpace(string(f.SVG)), "</svg>") {
			t.Errorf("%s: not an SVG document: %.80q", f.Name, f.SVG)
		}
		if f.Title == "" {
			t.Errorf("%s has no title", f.Name)
		}
	}
}

func BenchmarkICCPlot(b *testing.B) {
	pts := []EmpiricalPoint{{Theta: -1, N: 10, Prop: 0.3, Lo: 0.1, Hi: 0.6}, {Theta: 1, N: 10, Prop: 0.9, Lo: 0.6, Hi: 1}}
	for b.Loop() {
		if _, err := ICCPlot(irt.ItemInfo{Code: "X", Domain: "idioms"}, irt.ThreePL{A: 1, D: 1}, pts); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSmallMultiples: beyond eight series the information and conversion
// plots draw one panel per form, in a grid (four and three columns).
func TestSmallMultiples(t *testing.T) {
	var forms []FormParams
	var tables []ConversionTable
	for j := range 9 {
		forms = append(forms, FormParams{Form: "F" + strconv.Itoa(j+1), Items: []irt.ThreePL{{A: 1, B: float64(j-4) / 2, D: 1}, {A: 1.2, B: 0, D: 1}}})
		tables = append(tables, ConversionTable{Form: forms[j].Form, Rows: []ConversionRow{{0, 300, 40}, {1, 500 + float64(j), 30}, {2, 850, 40}}})
	}
	info, _, err := InformationPlots(forms, "", "")
	if err != nil {
		t.Fatal(err)
	}
	conv, err := ConversionPlot(tables, "passport")
	if err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("PASSPORT_REPORT_DIR"); dir != "" {
		info.Save(dir)
		conv.Save(dir)
	}
	for _, c := range []struct {
		f          Figure
		cols, rows int
	}{{info, 4, 3}, {conv, 3, 3}} {
		// Each panel carries its form's title: nine titles in the SVG.
		for _, f := range forms {
			if !bytes.Contains(c.f.SVG, []byte(">"+f.Form+"</text>")) {
				t.Errorf("%s: no panel titled %s", c.f.Name, f.Form)
			}
		}
		if c.f.Width < c.cols*240 || c.f.Height < c.rows*180 {
			t.Errorf("%s: %d × %d px for %d × %d panels", c.f.Name, c.f.Width, c.f.Height, c.cols, c.rows)
		}
	}
}

// TestIntegerTicks: whole numbers only, at most about ten.
func TestIntegerTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   string
	}{{0, 5, "0 1 2 3 4 5"}, {0.8, 5.2, "1 2 3 4 5"}, {0, 20, "0 2 4 6 8 10 12 14 16 18 20"}, {0, 50, "0 5 10 15 20 25 30 35 40 45 50"}, {0, 300, "0 50 100 150 200 250 300"}} {
		var got []string
		for _, tk := range (integerTicks{}).Ticks(c.lo, c.hi) {
			got = append(got, tk.Label)
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("[%g, %g]: %v, want %s", c.lo, c.hi, got, c.want)
		}
	}
}
