package assemble

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/passportirt/passport/irt"
)

// PoolSpec describes a generated pool for tests and benchmarks. Zero
// fields take the defaults noted.
type PoolSpec struct {
	Items   int      // default 1000
	Domains []string // default semantics, idioms, performance, stdlib
	// Subdomains per domain; default 6.
	Subdomains int
	// EnemyShare is the share of items in enemy groups of two or three;
	// default 0.1.
	EnemyShare float64
	// Sets is the number of item sets of two to four items of one
	// subdomain; default Items/50.
	Sets int
	// PretestShare is the share of items with status pretest, the rest
	// operational; default 0.15.
	PretestShare float64
}

// GeneratePool draws a pool like a calibrated bank's, the same for the same
// seed: items spread evenly over the domains and their subdomains,
// parameters a ~ lognormal(ln 1.1, 0.3), b ~ N(0, 1), c ~ Beta(5, 17)
// (D = 1, as simulate draws them), expected times ~ lognormal(ln 45 s,
// 0.3), four options with the key uniform on A–D, one item in twenty with
// a last option that stays last ("none of the above"). It returns the
// items and the item sets, for a blueprint's ItemSets; sets hold no
// enemies.
func GeneratePool(seed uint64, spec PoolSpec) ([]Item, [][]string) {
	if spec.Items == 0 {
		spec.Items = 1000
	}
	if spec.Domains == nil {
		spec.Domains = []string{"semantics", "idioms", "performance", "stdlib"}
	}
	if spec.Subdomains == 0 {
		spec.Subdomains = 6
	}
	if spec.EnemyShare == 0 {
		spec.EnemyShare = 0.1
	}
	if spec.Sets == 0 {
		spec.Sets = spec.Items / 50
	}
	if spec.PretestShare == 0 {
		spec.PretestShare = 0.15
	}
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	guess := distuv.Beta{Alpha: 5, Beta: 17, Src: rng}
	items := make([]Item, spec.Items)
	for i := range items {
		d := spec.Domains[i%len(spec.Domains)]
		status := "operational"
		if rng.Float64() < spec.PretestShare {
			status = "pretest"
		}
		items[i] = Item{
			Code:      fmt.Sprintf("%s-%04d", strings.ToUpper(d[:3]), i+1),
			Domain:    d,
			Subdomain: fmt.Sprintf("%s-%d", d, (i/len(spec.Domains))%spec.Subdomains+1),
			Status:    status,
			Params: irt.ThreePL{A: math.Exp(math.Log(1.1) + 0.3*rng.NormFloat64()), B: rng.NormFloat64(),
				C: guess.Rand(), D: 1},
			Seconds: math.Round(math.Exp(math.Log(45)+0.3*rng.NormFloat64())*10) / 10,
		}
	}
	// Item sets: runs of items of one domain and subdomain, which are
	// len(spec.Domains)·spec.Subdomains apart.
	stride := len(spec.Domains) * spec.Subdomains
	inSet := make([]bool, len(items))
	var sets [][]string
	for s := 0; s < spec.Sets; s++ {
		size := 2 + rng.IntN(3)
		first := rng.IntN(len(items) - size*stride)
		var set []string
		for k := range size {
			i := first + k*stride
			if inSet[i] {
				set = nil
				break
			}
			set = append(set, items[i].Code)
		}
		if set == nil {
			continue
		}
		for k := range size {
			inSet[first+k*stride] = true
		}
		sets = append(sets, set)
	}
	// Enemy groups of two or three items of one domain, outside the sets.
	group := 0
	for i := 0; i < len(items); {
		if inSet[i] || rng.Float64() >= spec.EnemyShare/2.5 {
			i++
			continue
		}
		size := 2 + rng.IntN(2)
		group++
		for k := 0; k < size; k++ {
			j := i + k*len(spec.Domains)
			if j < len(items) && !inSet[j] && items[j].EnemyGroup == "" {
				items[j].EnemyGroup = fmt.Sprintf("g%d", group)
			}
		}
		i++
	}
	// Keys from a stream of their own, so that the rest of the pool is
	// what it was before items had keys.
	keys := rand.New(rand.NewPCG(seed, 0x6b6579))
	for i := range items {
		items[i].Options, items[i].Key, items[i].FixedLast = 4, Letters[keys.IntN(4):][:1], keys.IntN(20) == 0
	}
	return items, sets
}
