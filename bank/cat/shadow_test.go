package cat

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/passportirt/passport/bank/assemble"
	"github.com/passportirt/passport/irt"
)

// TestShadowKeepsBlueprint is a property test: on random banks with
// domains, subdomains and enemy groups, every test a shadow-test CAT
// gives meets the blueprint's domain quotas and subdomain caps and holds
// no two enemies, checked by counting, whatever the answers.
func TestShadowKeepsBlueprint(t *testing.T) {
	banks := 12
	if testing.Short() {
		banks = 4
	}
	for b := range banks {
		rng := rand.New(rand.NewPCG(uint64(b), 99))
		n := 40 + rng.IntN(60)
		domains := []string{"p", "q", "r"}
		pool := make([]Item, n)
		for i := range pool {
			pool[i] = Item{ID: fmt.Sprintf("X%02d", i), Domain: domains[rng.IntN(3)], Subdomain: fmt.Sprintf("s%d", rng.IntN(4)),
				Params: irt.ThreePL{A: 0.5 + 1.5*rng.Float64(), B: 2 * rng.NormFloat64(), C: 0.2 * rng.Float64(), D: 1}}
			if rng.IntN(3) == 0 {
				pool[i].Enemies = []string{fmt.Sprintf("g%d", rng.IntN(n/4))}
			}
		}
		length := 6 + 3*rng.IntN(3)
		bp := quotas(length, domains...)
		bp.Subdomains = map[string]assemble.Range{"s0": assemble.AtMost(2)}
		cfg := Config{MaxLength: length, Randomesque: 1 + rng.IntN(3), Content: ContentRule{Method: Shadow, Blueprint: bp}}
		if rng.IntN(2) == 0 {
			cfg.Exposure = ExposureRule{Method: RMR, MaxRate: 0.4}
		}
		e, err := NewEngine(pool, cfg)
		if err != nil {
			t.Logf("bank %d: %v (skipped: the blueprint does not fit the bank)", b, err)
			continue
		}
		st, _, err := e.Simulate(context.Background(), StudyOptions{Thetas: DrawThetas(20, 0, 1.5, uint64(b)), Seed: uint64(b)})
		if err != nil {
			t.Fatalf("bank %d: %v", b, err)
		}
		for k, sim := range st.Runs {
			count := map[string]int{}
			groups := map[string]int{}
			for _, i := range sim.Items {
				count[pool[i].Domain]++
				if pool[i].Subdomain == "s0" {
					count["s0"]++
				}
				for _, g := range pool[i].Enemies {
					groups[g]++
				}
			}
			for _, d := range domains {
				if count[d] != length/3 {
					t.Errorf("bank %d simulee %d: %d %s items, quota %d", b, k, count[d], d, length/3)
				}
			}
			if count["s0"] > 2 {
				t.Errorf("bank %d simulee %d: %d s0 items, at most 2", b, k, count["s0"])
			}
			for g, c := range groups {
				if c > 1 {
					t.Errorf("bank %d simulee %d: %d items of enemy group %s", b, k, c, g)
				}
			}
			if len(sim.Items) != length {
				t.Errorf("bank %d simulee %d: %d items, want %d", b, k, len(sim.Items), length)
			}
		}
	}
}
