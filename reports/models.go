package reports

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/passportirt/passport/irt"
)

// ModelFit is what model comparison needs of a calibration run.
type ModelFit struct {
	Run    int64
	Model  irt.Model
	LogLik float64 // marginal log-likelihood; NaN when not known
	// Params is the number of estimated parameters (see ModelParams);
	// N the examinees and Data a key of the data calibrated (its
	// responses, items and treatment of omits): runs are compared only on
	// the same data.
	Params int
	N      int
	Data   string
}

// ModelParams counts a run's estimated parameters: ItemParams for each
// free (not anchored) item, the 1PL's common slope, the Rasch model's
// latent SD, and the latent mean and SD of a run with anchors.
func ModelParams(m irt.Model, free int, anchored bool) int {
	k := free*m.ItemParams() + m.SharedParams()
	switch {
	case anchored:
		k += 2
	case m == irt.ModelRasch:
		k++
	}
	return k
}

// ModelComparison is one run's row in a comparison of models fitted to
// the same data: −2 log-likelihood, Akaike's (1974) AIC = −2ℓ + 2k and
// Schwarz's (1978) BIC = −2ℓ + k·ln N, and, against the previous run in
// the list when its model is nested in this one's (Rasch or 1PL within
// 2PL within 3PL), the likelihood-ratio test χ² = 2(ℓ − ℓ_prev) on
// k − k_prev degrees of freedom. The test is conservative where the larger
// model's extra parameters can rest on a bound (the 3PL's c at 0), and
// approximate when the runs used priors (the 3PL's by default), since
// their estimates then maximise the posterior, not the likelihood.
type ModelComparison struct {
	Run      int64  `csv:"run" json:"run"`
	Model    string `csv:"model" json:"model"`
	Params   int    `csv:"params" json:"params"`
	N        int    `csv:"n" json:"n"`
	Minus2LL Num    `csv:"minus2ll" json:"minus2ll" table:"decimals=2"`
	AIC      Num    `csv:"aic" json:"aic" table:"decimals=2"`
	BIC      Num    `csv:"bic" json:"bic" table:"decimals=2"`
	Against  int64  `csv:"against" json:"against,omitempty"` // the run tested against; 0 for none
	ChiSq    Num    `csv:"chi2" json:"chi2" table:"decimals=2"`
	DF       int    `csv:"df" json:"df"`
	P        Num    `csv:"p" json:"p"`
	Note     string `csv:"note" json:"note"`
}

// modelRank orders the models by nesting; Rasch and 1PL are the same
// model parameterised differently (a common slope, or the latent SD).
func modelRank(m irt.Model) int {
	switch m {
	case irt.Model2PL:
		return 2
	case irt.Model3PL:
		return 3
	}
	return 1
}

// CompareModels compares runs fitted to the same data, in the order given.
// It fails when the runs were not fitted to the same data, since their
// likelihoods are then not comparable.
func CompareModels(runs []ModelFit) ([]ModelComparison, error) {
	out := make([]ModelComparison, len(runs))
	nan := Num(math.NaN())
	for i, r := range runs {
		if r.Data != runs[0].Data || r.N != runs[0].N {
			return nil, fmt.Errorf("run %d was not fitted to the data of run %d (other responses, items or treatment of omits): their likelihoods are not comparable", r.Run, runs[0].Run)
		}
		c := ModelComparison{Run: r.Run, Model: string(r.Model), Params: r.Params, N: r.N, Minus2LL: nan, AIC: nan, BIC: nan, ChiSq: nan, P: nan}
		if !math.IsNaN(r.LogLik) {
			m2 := -2 * r.LogLik
			c.Minus2LL, c.AIC, c.BIC = Num(m2), Num(m2+2*float64(r.Params)), Num(m2+float64(r.Params)*math.Log(float64(r.N)))
		} else {
			c.Note = "no log-likelihood (parameters imported or linked)"
		}
		if i > 0 {
			prev := runs[i-1]
			switch {
			case modelRank(prev.Model) >= modelRank(r.Model) || prev.Params >= r.Params:
				c.Note = fmt.Sprintf("run %d's model is not nested in this one: compare AIC and BIC", prev.Run)
			case math.IsNaN(prev.LogLik) || math.IsNaN(r.LogLik):
			default:
				c.Against, c.DF = prev.Run, r.Params-prev.Params
				chi := max(0, 2*(r.LogLik-prev.LogLik))
				c.ChiSq, c.P = Num(chi), Num(distuv.ChiSquared{K: float64(c.DF)}.Survival(chi))
			}
		}
		out[i] = c
	}
	return out, nil
}
