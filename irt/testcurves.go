package irt

// TCC returns the test characteristic curve at θ, the expected number-correct
// score of the items (Lord 1980, ch. 4):
//
//	T(θ) = Σ P_i(θ).
func TCC(items []ThreePL, theta float64) float64 {
	var t float64
	for _, it := range items {
		t += it.Prob(theta)
	}
	return t
}

// TestInfo returns the test information at θ, the sum of the item
// information functions (Birnbaum 1968; Lord 1980, ch. 5):
//
//	I(θ) = Σ I_i(θ).
//
// 1/√I(θ) is the asymptotic standard error of the maximum-likelihood
// ability estimate at θ.
func TestInfo(items []ThreePL, theta float64) float64 {
	var info float64
	for _, it := range items {
		info += it.Info(theta)
	}
	return info
}
