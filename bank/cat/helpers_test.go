package cat

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/passportirt/passport/bank/assemble"
	"github.com/passportirt/passport/fixtures"
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

// demoBank returns the embedded demo bank's 306 items (46 of them pretest)
// with parameters drawn as bank/simulate draws them: a lognormal with
// median 1.1, b ~ N(0, 1), c ~ 4.4·Beta(5, 17)/(options + 0.4), D = 1.
func demoBank(t testing.TB, seed uint64) []Item {
	files, err := fixtures.DemoItems()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 306))
	var pool []Item
	for _, f := range files {
		rows, err := csv.NewReader(bytes.NewReader(f.Data)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := map[string]int{}
		for k, h := range rows[0] {
			col[h] = k
		}
		for _, r := range rows[1:] {
			options := 0
			for _, l := range "abcde" {
				if r[col["option_"+string(l)]] != "" {
					options++
				}
			}
			it := Item{ID: r[col["id"]], Domain: r[col["domain"]], Subdomain: r[col["subdomain"]], Pretest: r[col["status"]] == "pretest",
				Params: irt.ThreePL{A: 1.1 * math.Exp(0.3*rng.NormFloat64()), B: rng.NormFloat64(),
					C: distuv.Beta{Alpha: 5, Beta: 17, Src: rng}.Rand() * 4.4 / (float64(options) + 0.4), D: 1}}
			if g := r[col["enemy_group"]]; g != "" {
				it.Enemies = []string{g}
			}
			pool = append(pool, it)
		}
	}
	return pool
}

// quotas is a blueprint of equal domain quotas for a test of n items over
// the domains.
func quotas(n int, domains ...string) *assemble.Blueprint {
	bp := &assemble.Blueprint{Domains: map[string]assemble.Range{}}
	for _, d := range domains {
		bp.Domains[d] = assemble.Exactly(float64(n / len(domains)))
	}
	return bp
}
