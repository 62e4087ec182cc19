package assemble

import (
	"errors"
	"math"
	"slices"
	"testing"
)

func TestQuantileTargets(t *testing.T) {
	got := QuantileTargets(5, 0, 1)
	// Φ⁻¹(0.1), Φ⁻¹(0.3), 0, …: standard normal tables (Abramowitz & Stegun 1964, table 26.5).
	want := []float64{-1.2815516, -0.5244005, 0, 0.5244005, 1.2815516}
	for k := range want {
		if math.Abs(got[k]-want[k]) > 1e-6 {
			t.Errorf("target %d: %.7f, want %.7f", k, got[k], want[k])
		}
	}
	if got := QuantileTargets(1, 0.5, 2); got[0] != 0.5 {
		t.Errorf("one target: %v, want the mean", got)
	}
}

// spreadCost is the cost Spread minimises, computed directly.
func spreadCost(pool []Item, codes []string, targets []float64) float64 {
	var bs []float64
	for _, c := range codes {
		i := slices.IndexFunc(pool, func(it Item) bool { return it.Code == c })
		bs = append(bs, pool[i].Params.B)
	}
	slices.Sort(bs)
	t := slices.Sorted(slices.Values(targets))
	var s float64
	for k := range bs {
		s += (bs[k] - t[k]) * (bs[k] - t[k])
	}
	return s
}

// TestSpreadBruteForce: on small random pools Spread's form costs as
// little as the best of every 5-item subset that Verify accepts (item-set
// items left out, as Spread documents), found by enumeration; its items
// come in increasing difficulty and pass Verify.
func TestSpreadBruteForce(t *testing.T) {
	targets := QuantileTargets(5, 0, 1)
	feasible := 0
	for seed := uint64(1); seed <= 6; seed++ {
		pool, sets := GeneratePool(seed, PoolSpec{Items: 22, Subdomains: 1, EnemyShare: 0.3, Sets: 1})
		one := Between(1, 2)
		bp := Blueprint{Length: 5, Domains: map[string]Range{"semantics": one, "idioms": one, "performance": one, "stdlib": one},
			ItemSets: sets, EnemyGroups: [][]string{{pool[0].Code, pool[5].Code}}, Exclude: []string{pool[1].Code}}
		if seed%2 == 0 {
			keys := Between(1, 2)
			bp.KeyBalance = &KeyBalance{Each: &keys}
		}
		got, cost, err := bp.Spread(pool, targets)
		inSet := map[string]bool{}
		for _, s := range sets {
			for _, c := range s {
				inSet[c] = true
			}
		}
		best, bestCodes := math.Inf(1), []string(nil)
		idx := []int{0, 1, 2, 3, 4}
		for {
			codes := make([]string, 5)
			ok := true
			for k, i := range idx {
				codes[k] = pool[i].Code
				ok = ok && !inSet[codes[k]]
			}
			if ok && Verify(bp, pool, [][]string{codes}) == nil {
				if c := spreadCost(pool, codes, targets); c < best {
					best, bestCodes = c, codes
				}
			}
			// next combination
			k := 4
			for k >= 0 && idx[k] == len(pool)-5+k {
				k--
			}
			if k < 0 {
				break
			}
			idx[k]++
			for j := k + 1; j < 5; j++ {
				idx[j] = idx[j-1] + 1
			}
		}
		if bestCodes == nil {
			if !errors.Is(err, ErrNoSpread) {
				t.Errorf("seed %d: no feasible form by enumeration, Spread: %v, %v", seed, got, err)
			}
			continue
		}
		feasible++
		if err != nil {
			t.Fatalf("seed %d: %v (enumeration found %v)", seed, err, bestCodes)
		}
		if c := spreadCost(pool, got, targets); math.Abs(c-best) > 1e-12 || math.Abs(cost-c) > 1e-12 {
			t.Errorf("seed %d: Spread's form %v costs %.6f (it says %.6f), enumeration's %v %.6f", seed, got, c, cost, bestCodes, best)
		}
		for k := 1; k < len(got); k++ {
			if bOf(pool, got[k]) < bOf(pool, got[k-1]) {
				t.Errorf("seed %d: items not in increasing difficulty: %v", seed, got)
			}
		}
	}
	if feasible < 3 {
		t.Errorf("only %d of 6 pools had a feasible form: the check is too weak", feasible)
	}
}

func bOf(pool []Item, code string) float64 {
	return pool[slices.IndexFunc(pool, func(it Item) bool { return it.Code == code })].Params.B
}

// TestSpreadSpacing: on the tiny pool (b = (k − 5.5)/3 in every domain)
// the nearest form puts one item at each target's nearest difficulty,
// one per domain but one, with the enemies T01–T03 never together.
func TestSpreadSpacing(t *testing.T) {
	pool := tinyPool()
	one := Between(1, 2)
	bp := Blueprint{Length: 5, Domains: map[string]Range{"semantics": one, "idioms": one, "performance": one, "stdlib": one}}
	got, _, err := bp.Spread(pool, QuantileTargets(5, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	// Nearest b's to −1.28, −0.52, 0, 0.52, 1.28 on the grid (k − 5.5)/3: k = 2 (−1.17), 4 (−0.5), 5 or 6 (∓0.17), 7 (0.5), 9 (1.17).
	var bs []float64
	domains := map[string]int{}
	for _, c := range got {
		bs = append(bs, bOf(pool, c))
		domains[pool[slices.IndexFunc(pool, func(it Item) bool { return it.Code == c })].Domain]++
	}
	want := []float64{-3.5 / 3, -1.5 / 3, 0.5 / 3, 1.5 / 3, 3.5 / 3}
	if math.Abs(bs[2]) != 0.5/3 {
		t.Errorf("middle item b = %.3f, want ±0.167", bs[2])
	}
	for _, k := range []int{0, 1, 3, 4} {
		if math.Abs(bs[k]-want[k]) > 1e-12 {
			t.Errorf("item %d: b = %.3f, want %.3f (form %v)", k, bs[k], want[k], got)
		}
	}
	if len(domains) != 4 {
		t.Errorf("form %v covers %d domains, want 4", got, len(domains))
	}
	// Spacing: consecutive gaps within 0.2 of the targets' gaps.
	tg := QuantileTargets(5, 0, 1)
	for k := 1; k < 5; k++ {
		if g, w := bs[k]-bs[k-1], tg[k]-tg[k-1]; math.Abs(g-w) > 0.2 {
			t.Errorf("gap %d: %.3f, targets' %.3f", k, g, w)
		}
	}
}

func TestSpreadErrors(t *testing.T) {
	pool := tinyPool()
	if _, _, err := (Blueprint{Length: 4}).Spread(pool, QuantileTargets(5, 0, 1)); err == nil {
		t.Error("length 4 with 5 targets: no error")
	}
	var all []string
	for _, it := range pool {
		all = append(all, it.Code)
	}
	if _, _, err := (Blueprint{Length: 5, Exclude: all[3:]}).Spread(pool, QuantileTargets(5, 0, 1)); !errors.Is(err, ErrNoSpread) {
		t.Errorf("3 eligible items: %v, want ErrNoSpread", err)
	}
}
