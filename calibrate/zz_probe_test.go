package calibrate

import (
	"testing"

	"github.com/passportirt/passport/irt"
)

func TestZZRasch(t *testing.T) {
	d := patterns(t, "lsat7_patterns.csv")
	for _, m := range []irt.Model{irt.ModelRasch, irt.Model1PL} {
		res, _ := Run(d, Options{Model: m})
		for _, it := range res.Items {
			t.Logf("%s: SEA %.5f SEB %.5f", m, it.SEA, it.SEB)
		}
	}
	for _, ci := range [][2]float64{{1.67, 2.067}, {0.631, 0.951}, {1.277, 1.644}, {0.367, 0.676}, {1.793, 2.193}, {0.885, 1.138}} {
		t.Logf("mirt SE %.5f", (ci[1]-ci[0])/(2*1.959964))
	}
}
