package cat

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/passportirt/passport/irt"
)

// simBank returns n 3PL items (D = 1) in the five content domains d1–d5,
// like the 85-item bank of the reference studies: a lognormal with median
// 1.2, b ~ N(0, 1.1²), c ~ U(0.1, 0.3); every tenth pair of items an
// enemy group.
func simBank(seed uint64, n int) []Item {
	rng := rand.New(rand.NewPCG(seed, 85))
	pool := make([]Item, n)
	for i := range pool {
		pool[i] = Item{
			ID:     fmt.Sprintf("I%03d", i+1),
			Params: irt.ThreePL{A: 1.2 * math.Exp(0.3*rng.NormFloat64()), B: 1.1 * rng.NormFloat64(), C: 0.1 + 0.2*rng.Float64(), D: 1},
			Domain: fmt.Sprintf("d%d", i%5+1),
		}
		if i%10 == 1 {
			g := fmt.Sprintf("e%d", i)
			pool[i].Enemies = []string{g}
			pool[i-1].Enemies = []string{g}
		}
	}
	return pool
}
