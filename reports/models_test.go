package reports

import (
	"math"
	"testing"

	"github.com/passportirt/passport/irt"
)

// TestCompareModels: by hand, for LSAT7's published 2PL log-likelihood
// −2658.805 (mirt; fixtures/reference/README.md) against a Rasch fit on
// the same 1000 examinees, ℓ = −2666.4 (a made-up value for the test's
// arithmetic): k = 6 and 10; AIC = 5332.8 + 12, BIC = 5332.8 + 6·ln 1000;
// χ² = 2(2666.4 − 2658.805) = 15.19 on 4 df.
func TestCompareModels(t *testing.T) {
	rasch := ModelFit{Run: 1, Model: irt.ModelRasch, LogLik: -2666.4, Params: ModelParams(irt.ModelRasch, 5, false), N: 1000, Data: "lsat7"}
	twopl := ModelFit{Run: 2, Model: irt.Model2PL, LogLik: -2658.805, Params: ModelParams(irt.Model2PL, 5, false), N: 1000, Data: "lsat7"}
	rows, err := CompareModels([]ModelFit{rasch, twopl})
	if err != nil {
		t.Fatal(err)
	}
	if rows[0].Params != 6 || rows[1].Params != 10 {
		t.Errorf("parameters %d and %d, want 6 (5 b, the SD) and 10", rows[0].Params, rows[1].Params)
	}
	chi := 2 * (2666.4 - 2658.805)
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"−2ℓ Rasch", float64(rows[0].Minus2LL), 5332.8},
		{"AIC Rasch", float64(rows[0].AIC), 5332.8 + 12},
		{"BIC Rasch", float64(rows[0].BIC), 5332.8 + 6*math.Log(1000)},
		{"BIC 2PL", float64(rows[1].BIC), 5317.61 + 10*math.Log(1000)},
		{"χ²", float64(rows[1].ChiSq), chi},
		{"p", float64(rows[1].P), math.Exp(-chi/2) * (1 + chi/2)}, // χ²₄ survival
	} {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("%s = %.10g, by hand %.10g", c.name, c.got, c.want)
		}
	}
	if rows[1].DF != 4 || rows[1].Against != 1 || rows[0].Against != 0 {
		t.Errorf("df %d against run %d", rows[1].DF, rows[1].Against)
	}
	// The other order: the 2PL is not nested in the Rasch model.
	rows, _ = CompareModels([]ModelFit{twopl, rasch})
	if rows[1].Against != 0 || rows[1].Note == "" {
		t.Errorf("2PL then Rasch tested: %+v", rows[1])
	}
	other := twopl
	other.Data = "lsat6"
	if _, err := CompareModels([]ModelFit{rasch, other}); err == nil {
		t.Error("runs on different data compared")
	}
}
