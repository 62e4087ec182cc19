package irt

import (
	"fmt"
	"strings"
)

// Model names a dichotomous IRT model. Every model is a special case of
// the 3PL P(θ) = c + (1 − c)/(1 + exp(−D·a·(θ − b))) (Lord 1980, ch. 2).
type Model string

// The models passport estimates and stores.
const (
	ModelRasch Model = "rasch" // a = 1, c = 0; calibrated with the latent SD estimated
	Model1PL   Model = "1pl"   // one slope shared by all items, c = 0
	Model2PL   Model = "2pl"   // c = 0
	Model3PL   Model = "3pl"
)

// Models lists the models in order of complexity.
var Models = []Model{ModelRasch, Model1PL, Model2PL, Model3PL}

// ParseModel reads a model name (case-insensitive).
func ParseModel(s string) (Model, error) {
	for _, m := range Models {
		if strings.EqualFold(s, string(m)) {
			return m, nil
		}
	}
	return "", fmt.Errorf("model %q: expected one of %s", s, ModelNames())
}

// ModelNames is the list of model names for messages: "rasch, 1pl, 2pl, 3pl".
func ModelNames() string {
	names := make([]string, len(Models))
	for i, m := range Models {
		names[i] = string(m)
	}
	return strings.Join(names, ", ")
}

// ItemParams is the number of parameters the model estimates per item:
// b for the ModelRasch and 1PL models, a and b for the 2PL, a, b and c for the 3PL.
func (m Model) ItemParams() int {
	switch m {
	case Model2PL:
		return 2
	case Model3PL:
		return 3
	}
	return 1
}

// SharedParams is the number of parameters the model estimates beyond the
// items': the 1PL's common slope.
func (m Model) SharedParams() int {
	if m == Model1PL {
		return 1
	}
	return 0
}

// Guessing reports whether the model estimates a lower asymptote c.
func (m Model) Guessing() bool { return m == Model3PL }
