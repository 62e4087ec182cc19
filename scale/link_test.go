package scale

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/passportirt/passport/fixtures"
	"github.com/passportirt/passport/irt"
)

// kbRuns is the Kolen & Brennan example as two runs (D = 1.7): form X the
// new one, form Y the base; the common items are coded C3, C6, …, C36, the
// others X1, … and Y1, …. Standard errors are made up (0.05 + i/1000 for a,
// 0.1 + i/1000 for b) so that their transformation shows.
func kbRuns(t testing.TB) (x, y Run) {
	t.Helper()
	raw, err := fixtures.Reference("kb36_3pl_params.csv")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range recs[1:] {
		v := make([]float64, 6)
		for k := range v {
			if v[k], err = strconv.ParseFloat(r[2+k], 64); err != nil {
				t.Fatal(err)
			}
		}
		cx, cy := "X"+r[0], "Y"+r[0]
		if r[1] == "1" {
			cx, cy = "C"+r[0], "C"+r[0]
		}
		se := float64(i) / 1000
		x.Items = append(x.Items, RunItem{Code: cx, Params: irt.ThreePL{A: v[0], B: v[1], C: v[2], D: 1.7}, SEA: 0.05 + se, SEB: 0.1 + se})
		y.Items = append(y.Items, RunItem{Code: cy, Params: irt.ThreePL{A: v[3], B: v[4], C: v[5], D: 1.7}, SEA: 0.05 + se, SEB: 0.1 + se})
	}
	x.Mean, x.SD = 0, 1
	y.Mean, y.SD = 0, 1
	return x, y
}

// TestLinkKolenBrennan: the procedure reproduces the published mean/mean
// and mean/sigma constants (common items without 27; Kolen & Brennan 2014,
// ch. 6), lists the common items in the new run's order, and moves the
// whole new run: every item by the transform (a/A, A·b + B, c), the SEs of
// a and b by 1/A and A, the latent N(μ, σ²) to N(A·μ + B, (A·σ)²).
func TestLinkKolenBrennan(t *testing.T) {
	x, y := kbRuns(t)
	x.Mean, x.SD = 0.1, 0.9
	for _, tc := range []struct {
		m    Method
		A, B float64
	}{
		{ByMeanMean, 1.1449, -0.4790},  // Kolen & Brennan 2014, ch. 6
		{ByMeanSigma, 1.1761, -0.5042}, // Kolen & Brennan 2014, ch. 6
	} {
		l, err := Link(x, y, LinkOptions{Method: tc.m, Exclude: []string{"C27"}, DriftThreshold: 1.645})
		if err != nil {
			t.Fatal(err)
		}
		tr := l.Transform
		if math.Abs(tr.A-tc.A) > 1e-4 || math.Abs(tr.B-tc.B) > 1e-4 || tr != l.First || l.Relinked {
			t.Errorf("%s: A %.5f B %.5f (first %+v), published %.4f %.4f", tc.m, tr.A, tr.B, l.First, tc.A, tc.B)
		}
		var codes []string
		for _, it := range l.Items {
			codes = append(codes, it.Code)
			if !it.Used {
				t.Errorf("%s: %s unused without --drop-drift", tc.m, it.Code)
			}
		}
		if got := strings.Join(codes, " "); got != "C3 C6 C9 C12 C15 C18 C21 C24 C30 C33 C36" {
			t.Errorf("%s: common items %s", tc.m, got)
		}
		if !math.IsNaN(l.SEA) || !math.IsNaN(l.SEB) || l.D != 1.7 {
			t.Errorf("%s: SEs %g %g without a bootstrap, D %g", tc.m, l.SEA, l.SEB, l.D)
		}
		if len(l.Moved.Items) != 36 || math.Abs(l.Moved.Mean-(tr.A*0.1+tr.B)) > 1e-15 || math.Abs(l.Moved.SD-tr.A*0.9) > 1e-15 {
			t.Fatalf("%s: moved run %d items, N(%g, %g²)", tc.m, len(l.Moved.Items), l.Moved.Mean, l.Moved.SD)
		}
		for i, it := range x.Items {
			m := l.Moved.Items[i]
			want := irt.ThreePL{A: it.Params.A / tr.A, B: tr.A*it.Params.B + tr.B, C: it.Params.C, D: 1.7}
			if m.Code != it.Code || math.Abs(m.Params.A-want.A) > 1e-15 || math.Abs(m.Params.B-want.B) > 1e-15 || m.Params.C != want.C || m.Params.D != 1.7 ||
				math.Abs(m.SEA-it.SEA/tr.A) > 1e-15 || math.Abs(m.SEB-it.SEB*tr.A) > 1e-15 {
				t.Errorf("%s: %s moved to %+v, want %+v with SEs %g %g", tc.m, it.Code, m, want, it.SEA/tr.A, it.SEB*tr.A)
			}
		}
	}
}

// TestLinkCurveOptions: Link's characteristic-curve linkings are Haebara
// and StockingLord on the grids the options describe — the base group's
// distribution on the old scale, the new group's on the new one (the
// groups differ here, so a swap shows) — or on the posteriors given.
func TestLinkCurveOptions(t *testing.T) {
	x, y := kbRuns(t)
	x.Mean, x.SD = -0.3, 1.2
	for _, m := range []struct {
		method Method
		f      func([]CommonItem, CurveOptions) (Transform, Fit, error)
	}{{ByHaebara, Haebara}, {ByStockingLord, StockingLord}} {
		for _, w := range []Weights{Uniform, Normal, GaussHermite} {
			o := LinkOptions{Method: m.method, Weights: w, Points: 21, Min: -3, Max: 3, Symmetry: OnBoth, D: 1, DriftThreshold: 1.645}
			l, err := Link(x, y, o)
			if err != nil {
				t.Fatal(err)
			}
			old, _ := Grid(w, 21, -3, 3, 0, 1)
			nw, _ := Grid(w, 21, -3, 3, -0.3, 1.2)
			want, _, err := m.f(commonOf(l), CurveOptions{Old: old, New: nw, Symmetry: OnBoth, D: 1})
			if err != nil || l.Transform != want || l.D != 1 {
				t.Errorf("%s %s: Link %+v, direct %+v (%v)", m.method, w, l.Transform, want, err)
			}
		}
		o := LinkOptions{Method: m.method, Weights: Posterior, Points: 11, Min: -4, Max: 4, Symmetry: OnOld}
		if !o.NeedsPosteriors() {
			t.Errorf("%s: posterior weights need no posteriors", m.method)
		}
		if _, err := Link(x, y, o); err == nil {
			t.Errorf("%s: posterior weights without the posteriors were accepted", m.method)
		}
		g, err := o.PosteriorGrid()
		if err != nil || len(g.Nodes) != 11 || g.Nodes[0] != -4 || g.Nodes[10] != 4 {
			t.Fatalf("posterior grid %+v (%v)", g, err)
		}
		o.OldPosterior = g.Rescale(0.2, 1) // stand-ins for estimated distributions
		o.NewPosterior = g
		l, err := Link(x, y, o)
		if err != nil {
			t.Fatal(err)
		}
		want, _, _ := m.f(commonOf(l), CurveOptions{Old: o.OldPosterior, New: o.NewPosterior, Symmetry: OnOld, D: 1.7})
		if l.Transform != want {
			t.Errorf("%s posterior: Link %+v, direct %+v", m.method, l.Transform, want)
		}
	}
	if (LinkOptions{Method: ByMeanSigma, Weights: Posterior}).NeedsPosteriors() {
		t.Error("mean/sigma asks for posteriors")
	}
}

func commonOf(l *Linking) []CommonItem {
	out := make([]CommonItem, len(l.Items))
	for i, it := range l.Items {
		out[i] = it.CommonItem
	}
	return out
}

// TestLinkDropDrift: the base run's common items made from the new run's
// by a known transform, one anchor's b moved by 0.8: that item alone is flagged,
// dropping it relinks to exactly the transform, and the bootstrap over
// the exactly transformed items left has SEs 0; kept, the item biases the
// transform, and the bootstrap equals BootstrapSE over the items used.
func TestLinkDropDrift(t *testing.T) {
	truth := Transform{A: 1.2, B: 0.3}
	x, _ := kbRuns(t)
	base := Run{Mean: 0, SD: 1}
	for _, it := range x.Items {
		if strings.HasPrefix(it.Code, "C") {
			base.Items = append(base.Items, RunItem{Code: it.Code, Params: truth.Item(it.Params)})
		}
	}
	base.Items[4].Params.B += 0.8 // C15
	o := LinkOptions{Method: ByMeanSigma, DriftThreshold: 1.645, DropDrift: true, Bootstrap: 50, Seed: 3}
	l, err := Link(x, base, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Items) != 12 {
		t.Fatalf("%d common items, want 12", len(l.Items))
	}
	for _, it := range l.Items {
		if it.Drift.Flag != (it.Code == "C15") || it.Used == it.Drift.Flag {
			t.Errorf("%s: flag %v used %v (z_b %.2f)", it.Code, it.Drift.Flag, it.Used, it.Drift.ZB)
		}
	}
	if !l.Relinked || math.Abs(l.Transform.A-truth.A) > 1e-12 || math.Abs(l.Transform.B-truth.B) > 1e-12 || l.First == l.Transform {
		t.Errorf("relinked %v: %+v from %+v, want %+v", l.Relinked, l.Transform, l.First, truth)
	}
	if l.SEA > 1e-9 || l.SEB > 1e-9 {
		t.Errorf("bootstrap over exactly transformed items: SEs %g %g", l.SEA, l.SEB)
	}
	o.DropDrift = false
	if l, err = Link(x, base, o); err != nil {
		t.Fatal(err)
	}
	seA, seB, err := BootstrapSE(commonOf(l), MeanSigma, 50, 3)
	if err != nil || l.Relinked || l.Transform != l.First || l.SEA != seA || l.SEB != seB || !(seA > 0) {
		t.Errorf("kept: %+v relinked %v, SEs %g %g, BootstrapSE %g %g (%v)", l.Transform, l.Relinked, l.SEA, l.SEB, seA, seB, err)
	}
}

func TestLinkErrors(t *testing.T) {
	x, y := kbRuns(t)
	for name, tc := range map[string]struct {
		x, y Run
		o    LinkOptions
		want string
	}{
		"one common item": {Run{Items: x.Items[2:3]}, y, LinkOptions{Method: ByMeanMean}, "share 1 items"},
		"excluded":        {x, y, LinkOptions{Method: ByMeanMean, Exclude: []string{"C3", "C6", "C9", "C12", "C15", "C18", "C21", "C24", "C27", "C30", "C33"}}, "share 1 items"},
		"unknown method":  {x, y, LinkOptions{Method: "guess"}, `method "guess"`},
		"unknown weights": {x, y, LinkOptions{Method: ByHaebara, Weights: "flat", Points: 11, Min: -4, Max: 4}, `weights "flat"`},
		"bad symmetry":    {x, y, LinkOptions{Method: ByStockingLord, Weights: Uniform, Points: 11, Min: -4, Max: 4, Symmetry: "up"}, `symmetry "up"`},
		"two Ds":          {x, Run{Items: withD(y.Items, 1)}, LinkOptions{Method: ByMeanMean}, "D = 1.7"},
	} {
		if _, err := Link(tc.x, tc.y, tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", name, err, tc.want)
		}
	}
	if err := (LinkOptions{Method: ByMeanMean, Symmetry: "up", Weights: "flat"}).Check(); err != nil {
		t.Errorf("mean/mean refused for options it does not use: %v", err)
	}
	if err := (LinkOptions{Method: ByHaebara, Weights: Posterior, Points: 1, Min: -4, Max: 4}).Check(); err == nil {
		t.Error("a posterior grid of 1 point passed the check")
	}
	o := LinkOptions{Method: ByStockingLord, Weights: Uniform, Points: 11, Min: -4, Max: 4, D: 1.7}
	if err := o.Check(); err != nil {
		t.Errorf("check: %v", err)
	}
	if _, err := Link(x, Run{Items: withD(y.Items, 1), SD: 1}, o); err != nil {
		t.Errorf("runs with two Ds and the curves' D given: %v", err)
	}
}

func withD(items []RunItem, D float64) []RunItem {
	out := make([]RunItem, len(items))
	for i, it := range items {
		it.Params.D = D
		out[i] = it
	}
	return out
}

// TestLinkLeavesOutUnidentified: a common item with b = 3e9 on one run (a
// miskeyed item's slope near 0) is left out and named; the constants are
// those of the other items, here the identity.
func TestLinkLeavesOutUnidentified(t *testing.T) {
	var items []RunItem
	for i := range 10 {
		items = append(items, RunItem{Code: fmt.Sprint("I", i), Params: irt.ThreePL{A: 1 + 0.1*float64(i), B: -1 + 0.2*float64(i), D: 1}})
	}
	base := Run{Items: items, SD: 1}
	nw := Run{Items: slices.Clone(items), SD: 1}
	nw.Items[3].Params.B = 3e9
	for _, m := range []Method{ByMeanMean, ByMeanSigma, ByHaebara, ByStockingLord} {
		l, err := Link(nw, base, LinkOptions{Method: m, Points: 21, Min: -4, Max: 4, Weights: Uniform, Symmetry: OnOld, DriftThreshold: 1.645})
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Unidentified) != 1 || l.Unidentified[0] != "I3" || math.Abs(l.Transform.A-1) > 1e-6 || math.Abs(l.Transform.B) > 1e-6 {
			t.Errorf("%s: unidentified %v, A %g, B %g; want [I3], 1, 0", m, l.Unidentified, l.Transform.A, l.Transform.B)
		}
	}
}
