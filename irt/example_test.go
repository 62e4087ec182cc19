package irt_test

import (
	"fmt"

	"github.com/passportirt/passport/irt"
)

// lsat7 returns the LSAT section 7 items as calibrated by mirt (2PL,
// slope–intercept, D = 1; shared/reference/README.md).
func lsat7() []irt.ThreePL {
	var items []irt.ThreePL
	for _, si := range []irt.SlopeIntercept{
		{Slope: 0.988, Intercept: 1.856},
		{Slope: 1.081, Intercept: 0.808},
		{Slope: 1.706, Intercept: 1.804},
		{Slope: 0.765, Intercept: 0.486},
		{Slope: 0.736, Intercept: 1.854},
	} {
		items = append(items, si.ThreePL(1))
	}
	return items
}

func ExampleThreePL() {
	item := irt.ThreePL{A: 1.2, B: 0.5, C: 0.2, D: 1.702}
	for _, theta := range []float64{-2, 0, 0.5, 2} {
		fmt.Printf("θ = %4.1f  P = %.4f  I = %.4f\n", theta, item.Prob(theta), item.Info(theta))
	}
	// Output:
	// θ = -2.0  P = 0.2048  I = 0.0006
	// θ =  0.0  P = 0.4118  I = 0.4177
	// θ =  0.5  P = 0.6000  I = 0.6952
	// θ =  2.0  P = 0.9643  I = 0.1410
}

// Scoring one pattern, with item 4 not reached, four ways.
func ExampleEAP() {
	items := lsat7()
	resp := []int8{1, 0, 1, irt.Missing, 1}
	for _, e := range []struct {
		name string
		est  irt.Estimate
	}{
		{"ML", irt.ML(items, resp, -6, 6)},
		{"WLE", irt.WLE(items, resp, -6, 6)},
		{"MAP", irt.MAP(items, resp, 0, 1)},
		{"EAP", irt.EAP(items, resp, irt.DefaultGrid())},
	} {
		fmt.Printf("%-3s  θ = %+.3f  SE = %.3f\n", e.name, e.est.Theta, e.est.SE)
	}
	// Output:
	// ML   θ = -0.309  SE = 1.006
	// WLE  θ = -0.550  SE = 0.936
	// MAP  θ = -0.149  SE = 0.729
	// EAP  θ = -0.068  SE = 0.747
}

func ExampleEAPSum() {
	items := lsat7()
	q := irt.DefaultGrid()
	marginal := irt.SumScoreMarginal(nil, items, q)
	fmt.Println("score  P(X=x)  E[θ|x]  SD[θ|x]")
	for x, e := range irt.EAPSum(nil, items, q) {
		fmt.Printf("%5d  %6.4f  %+6.3f  %7.3f\n", x, marginal[x], e.Theta, e.SE)
	}
	// Output:
	// score  P(X=x)  E[θ|x]  SD[θ|x]
	//     0  0.0101  -1.870    0.693
	//     1  0.0447  -1.432    0.684
	//     2  0.1098  -0.949    0.694
	//     3  0.2077  -0.413    0.721
	//     4  0.3192  +0.152    0.759
	//     5  0.3085  +0.727    0.801
}
