package assemble

import (
	"fmt"
	"os"
	"testing"

	"github.com/passportirt/passport/irt"
)

// fourDomains is the Python Fundamentals blueprint's 12–13 items of each
// of the four domains, for 50-item forms.
func fourDomains() map[string]Range {
	return map[string]Range{"semantics": Between(12, 13), "idioms": Between(12, 13),
		"performance": Between(12, 13), "stdlib": Between(12, 13)}
}

// needCBC returns the CBC solver. Without it the test is skipped, unless
// the CI variable is set (as CI services set it): there a missing solver
// would quietly drop the exact checks, so the test fails.
func needCBC(t testing.TB) *CBC {
	t.Helper()
	c, err := FindCBC()
	if err == nil {
		return c
	}
	if _, ci := os.LookupEnv("CI"); ci {
		t.Fatal("CI is set and cbc is not installed: apt-get install coinor-cbc")
	}
	t.Skip("cbc is not installed (apt-get install coinor-cbc); with CI set this fails")
	return nil
}

// anchorsOf picks n operational items of the pool outside enemy groups and
// item sets, taking the domains in turn, to serve as anchors.
func anchorsOf(pool []Item, sets [][]string, n int) []string {
	inSet := map[string]bool{}
	for _, s := range sets {
		for _, c := range s {
			inSet[c] = true
		}
	}
	var out []string
	for i := 0; len(out) < n && i < len(pool); i += 3 {
		if it := pool[i]; it.Status == "operational" && it.EnemyGroup == "" && !inSet[it.Code] {
			out = append(out, it.Code)
		}
	}
	return out
}

// generated is a blueprint on a generated pool of n items: 50-item
// forms balanced over the four domains, with the pool's item sets and
// enemy groups.
func generated(seed uint64, n int) (Blueprint, []Item) {
	pool, sets := GeneratePool(seed, PoolSpec{Items: n})
	return Blueprint{Domains: fourDomains(), ItemSets: sets}, pool
}

// tinyPool is 40 items, ten per domain (S01…S10, I01…, P01…, T01…T10),
// the tenth of each pretest; subdomains <domain>-0 and -1 by parity;
// difficulty rising with the number, b = (k − 5.5)/3; k + 30 seconds each;
// four options, keyed A, B, C, D, A, … by k; T01, T02 and T03 in enemy
// group e1.
func tinyPool() []Item {
	var pool []Item
	for _, d := range []struct{ name, prefix string }{{"semantics", "S"}, {"idioms", "I"}, {"performance", "P"}, {"stdlib", "T"}} {
		for k := 1; k <= 10; k++ {
			it := Item{Code: fmt.Sprintf("%s%02d", d.prefix, k), Domain: d.name, Subdomain: fmt.Sprintf("%s-%d", d.name, k%2),
				Status: "operational", Params: irt.ThreePL{A: 0.8 + 0.05*float64(k), B: (float64(k) - 5.5) / 3, C: 0.2, D: 1},
				Seconds: float64(30 + k), Options: 4, Key: Letters[(k-1)%4:][:1]}
			if k == 10 {
				it.Status = "pretest"
			}
			if d.prefix == "T" && k <= 3 {
				it.EnemyGroup = "e1"
			}
			pool = append(pool, it)
		}
	}
	return pool
}
