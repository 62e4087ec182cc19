package assemble

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// canArrange says by enumeration whether the letters of counts (index 0
// unkeyed) can follow a run of t items keyed last with no run of one
// letter longer than r.
func canArrange(counts []int, last, t, r int) bool {
	left := 0
	for _, c := range counts {
		left += c
	}
	if left == 0 {
		return true
	}
	for l, c := range counts {
		if c == 0 {
			continue
		}
		l2, t2 := 0, 0
		switch {
		case l == 0:
		case l == last:
			l2, t2 = l, t+1
		default:
			l2, t2 = l, 1
		}
		if t2 > r {
			continue
		}
		counts[l]--
		ok := canArrange(counts, l2, t2, r)
		counts[l]++
		if ok {
			return true
		}
	}
	return false
}

// TestArrangeable checks the counting condition of arrangeable against
// enumeration on every multiset of up to three letters and an unkeyed
// item, at most four of each, after every run, for runs of 1 to 3.
func TestArrangeable(t *testing.T) {
	checked := 0
	for r := 1; r <= 3; r++ {
		for code := range 5 * 5 * 5 * 2 {
			counts := []int{code % 2, code / 2 % 5, code / 10 % 5, code / 50 % 5}
			for last := 0; last <= 3; last++ {
				for run := 0; run <= r; run++ {
					if (last == 0) != (run == 0) {
						continue
					}
					want := canArrange(slices.Clone(counts), last, run, r)
					if got := arrangeable(counts, last, run, r); got != want {
						t.Errorf("counts %v after %d×%d, runs ≤ %d: arrangeable %v, enumeration %v", counts, run, last, r, got, want)
					}
					checked++
				}
			}
		}
	}
	if checked < 3000 {
		t.Errorf("only %d cases checked", checked)
	}
}

// TestRandomOrderNeverGoesBack: with the random rule and no item sets,
// the search takes exactly one step per item, as arrangeable's proof
// says, even at max_key_run 1 with a letter on nearly half the form.
func TestRandomOrderNeverGoesBack(t *testing.T) {
	var pool []Item
	for k := range 21 {
		key := "A"
		if k >= 11 {
			key = Letters[k%3+1:][:1] // B, C, D
		}
		pool = append(pool, Item{Code: fmt.Sprintf("X%02d", k), Domain: "d", Status: "operational", Key: key, Options: 4})
	}
	p, err := NewProblem(Blueprint{Length: 21, MaxKeyRun: 1}, pool)
	if err != nil {
		t.Fatal(err)
	}
	form := make([]int, 21)
	for i := range form {
		form[i] = i
	}
	for seed := range uint64(20) {
		s, _, err := p.sequencer(0, form)
		if err != nil {
			t.Fatal(err)
		}
		if !s.run(rand.New(rand.NewPCG(seed, 1))) {
			t.Fatalf("seed %d: no order found", seed)
		}
		if s.memo.steps != len(form) {
			t.Errorf("seed %d: %d steps for %d items; the search went back", seed, s.memo.steps, len(form))
		}
		out, err := p.order(0, form, rand.New(rand.NewPCG(seed, 1)))
		if err != nil {
			t.Fatal(err)
		}
		for j := 1; j < len(out); j++ {
			if pool[out[j]].Key == pool[out[j-1]].Key {
				t.Fatalf("seed %d: positions %d and %d both keyed %s", seed, j, j+1, pool[out[j]].Key)
			}
		}
		if pool[out[0]].Key != "A" || pool[out[20]].Key != "A" {
			t.Errorf("seed %d: 11 A's among 21 items must alternate from the first position to the last", seed)
		}
	}
	// One more A on the form and no order exists; the counting check
	// says so. (The assembly would not pick such a form: its cap on each
	// letter's count, 11, is in the programme.)
	pool[11].Key = "A"
	pool = append(pool, Item{Code: "X21", Domain: "d", Status: "operational", Key: "B", Options: 4})
	if p, err = NewProblem(Blueprint{Length: 21, MaxKeyRun: 1}, pool); err != nil {
		t.Fatal(err)
	}
	_, err = p.order(0, form, rand.New(rand.NewPCG(1, 1)))
	var ie *InfeasibleError
	if !errors.As(err, &ie) || ie.Constraint != "max_key_run" || !strings.Contains(err.Error(), "12 of its 21 items are keyed A") {
		t.Errorf("12 A's in 21 items with runs of 1: %v", err)
	}
}

func TestKeyBalanceJSON(t *testing.T) {
	if err := (Blueprint{KeyBalance: &KeyBalance{}}).WithDefaults().Validate(); err == nil || !strings.Contains(err.Error(), "key_balance: no letters") {
		t.Errorf("a key balance of no letters: %v", err)
	}
	for _, tc := range []struct{ json, want, err string }{
		{`{"key_balance": 12}`, `{"min":12,"max":12}`, ""},
		{`{"key_balance": {"min": 11, "max": 14}}`, `{"min":11,"max":14}`, ""},
		{`{"key_balance": {"A": {"min": 11}, "B": 12}}`, `{"A":{"min":11},"B":{"min":12,"max":12}}`, ""},
		{`{"key_balance": {"F": 3}}`, "", `key_balance: "F" is not a key letter`},
		{`{"key_balance": {"a": 3}}`, "", `"a" is not a key letter`},
		{`{"key_balance": {"A": {"min": 5, "max": 4}}}`, "", "key_balance.A: min 5 is above max 4"},
		{`{"key_balance": {"min": 1.5}}`, "", "key_balance: 1.5 is not a count"},
		{`{"max_key_run": -1}`, "", "max_key_run: -1"},
		{`{"order": {"rule": "alphabetical"}}`, "", `order.rule: "alphabetical"`},
		{`{"order": {"rule": "random", "domains": ["stdlib"]}}`, "", "order.domains: the random order has no domain order"},
		{`{"order": {"rule": "spiral", "domains": ["stdlib", "idioms", "stdlib"]}}`, "", "order.domains: stdlib is named twice"},
		{`{"order": {"rule": "domain", "domians": []}}`, "", `unknown field "domians"`},
	} {
		bp, err := ReadBlueprint("bp.json", strings.NewReader(tc.json))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: %v, want %q", tc.json, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.json, err)
			continue
		}
		if got, err := bp.KeyBalance.MarshalJSON(); err != nil || string(got) != tc.want {
			t.Errorf("%s writes back as %s (%v), want %s", tc.json, got, err, tc.want)
		}
	}
}

func TestKeyRulesInfeasible(t *testing.T) {
	each := func(lo, hi float64) *KeyBalance { r := Between(lo, hi); return &KeyBalance{Each: &r} }
	mixed := tinyPool()
	mixed[0].Domain = "idioms" // S01, in item set with S02 below
	for _, tc := range []struct {
		name       string
		bp         Blueprint
		pool       []Item
		constraint string // "" for an error that is not an InfeasibleError
		want       string
	}{
		// tinyPool's 36 operational items: 12 keyed A, 8 each B, C and D.
		{"a letter short", Blueprint{Length: 30, KeyBalance: each(9, 10)}, nil, "key_balance.B", "each form needs at least 9 items keyed B, the pool has 8 operational ones"},
		{"maximums too low", Blueprint{Length: 20, KeyBalance: each(0, 4)}, nil, "key_balance", "leave room for 16 items, fewer than the form length 20"},
		{"minimums too high", Blueprint{Length: 20, KeyBalance: each(6, 8)}, nil, "key_balance", "the minimums add up to 24 items"},
		{"a run cap below a minimum", Blueprint{Length: 30, MaxKeyRun: 1, KeyBalance: &KeyBalance{Letters: map[string]Range{"A": AtLeast(16)}}}, nil,
			"max_key_run", "key_balance.A asks for at least 16 items keyed A, but with runs of at most 1 a form of 30 holds at most 15"},
		{"run caps", Blueprint{Length: 8, MaxKeyRun: 1, KeyBalance: &KeyBalance{Letters: map[string]Range{"B": AtMost(1), "C": AtMost(1), "D": AtMost(1)}}}, nil,
			"key_balance and max_key_run", "the caps on the key letters' counts leave room for 7 items, fewer than the form length 8"},
		{"a run cap on the anchors", Blueprint{Length: 5, MaxKeyRun: 1, Anchors: []string{"S01", "I01", "P01", "T05"}}, nil,
			"max_key_run", "the anchors hold 4 items keyed A, more than the 3 a form may have"},
		{"an unknown order domain", Blueprint{Length: 8, Order: Order{Rule: OrderSpiral, Domains: []string{"stdlib", "typing"}}}, nil,
			"", `order.domains: no pool item has domain "typing"`},
		{"an item set of two domains", Blueprint{Length: 8, ItemSets: [][]string{{"S01", "S02"}}, Order: Order{Rule: OrderDomain}}, mixed,
			"", "item_sets: S01, S02 holds items of domains idioms and semantics, but the domain order keeps each domain's items apart"},
	} {
		pool := tc.pool
		if pool == nil {
			pool = tinyPool()
		}
		_, err := NewProblem(tc.bp, pool)
		var ie *InfeasibleError
		switch {
		case err == nil || !strings.Contains(err.Error(), tc.want):
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		case tc.constraint != "" && (!errors.As(err, &ie) || ie.Constraint != tc.constraint):
			t.Errorf("%s: %v, want an InfeasibleError of %s", tc.name, err, tc.constraint)
		case tc.constraint == "" && errors.As(err, &ie):
			t.Errorf("%s: %v is an InfeasibleError", tc.name, err)
		}
	}
}

// TestOrderInfeasible: forms whose keys no order under the rule can
// deliver are refused with the reason.
func TestOrderInfeasible(t *testing.T) {
	pool := tinyPool() // S01…S09: A B C D A B C D A
	for k := range pool {
		if pool[k].Domain == "semantics" {
			pool[k].Key = "A"
		}
	}
	idx := func(codes ...string) []int {
		var out []int
		for _, c := range codes {
			out = append(out, slices.IndexFunc(pool, func(it Item) bool { return it.Code == c }))
		}
		slices.Sort(out)
		return out
	}
	eight := []string{"S01", "S02", "S03", "S04", "I01", "I02", "P01", "P02"} // A×6, B×2
	for _, tc := range []struct {
		name string
		bp   Blueprint
		form []string
		want string // "" for an order found
	}{
		{"random", Blueprint{Length: 8, MaxKeyRun: 2}, eight, ""},
		{"domain", Blueprint{Length: 8, MaxKeyRun: 2, Order: Order{Rule: OrderDomain}}, eight,
			"form 1: 4 of its 4 semantics items are keyed A; delivered together (the domain order), no order keeps their runs to 2 items"},
		// Idioms A, A, B take turns with performance A, B: the turns
		// I P I P I leave some A beside an A, though 3 A's and 2 B's can
		// alternate.
		{"spiral", Blueprint{Length: 5, MaxKeyRun: 1, Order: Order{Rule: OrderSpiral, Domains: []string{"idioms", "performance"}}},
			[]string{"I01", "I05", "I02", "P01", "P02"}, "form 1: no order by the spiral rule keeps every run of one key letter to 1 items (every order was tried)"},
		{"item set", Blueprint{Length: 8, MaxKeyRun: 2, ItemSets: [][]string{{"S01", "S02", "S03"}}}, eight,
			"form 1: the item set S01, S02, S03 has 3 items in a row keyed A, more than 2"},
	} {
		p, err := NewProblem(tc.bp, pool)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		_, err = p.Deliver([][]int{idx(tc.form...)}, 0, 1)
		var ie *InfeasibleError
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (!errors.As(err, &ie) || ie.Constraint != "max_key_run" || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want a max_key_run InfeasibleError %q", tc.name, err, tc.want)
		}
	}
}

// deliveryCase is a blueprint on a generated pool for the delivery
// property test: 20-item forms, 4–6 items of each key letter, runs of at
// most r, item sets of the pool, and the order rule.
func deliveryCase(seed uint64, r int, rule string) (Blueprint, []Item) {
	pool, sets := GeneratePool(seed, PoolSpec{Items: 240})
	kb := Between(4, 6)
	bp := Blueprint{Length: 20, Forms: 2, ItemSets: sets, KeyBalance: &KeyBalance{Each: &kb}, MaxKeyRun: r,
		Domains: map[string]Range{"semantics": Between(4, 6), "idioms": Between(4, 6), "performance": Between(4, 6), "stdlib": Between(4, 6)},
		Order:   Order{Rule: rule}}
	if rule != OrderRandom {
		bp.Order.Domains = []string{"stdlib", "semantics"}
	}
	return bp, pool
}

// TestDeliveryProperty: on seeded random pools, under each order rule
// and runs of 1 to 3, the forms the heuristic assembles and Deliver
// orders and scrambles into three versions never break max_key_run nor
// the key counts in any version, never move a fixed last option, and
// every version's option orders map its delivered keys back to the items'
// own keys. The checks here are the test's own, not VerifyDelivery's.
func TestDeliveryProperty(t *testing.T) {
	for seed := uint64(1); seed <= 12; seed++ {
		// Runs of 1 with the random order, which can always keep them
		// (the assembly caps each letter's count, TestArrangeable); runs
		// of 2 and 3 with every rule.
		rule, r := []string{OrderRandom, OrderDomain, OrderSpiral}[seed%3], 2+int(seed/3%2)
		if seed%6 == 0 {
			r = 1
		}
		bp, pool := deliveryCase(seed, r, rule)
		p, err := NewProblem(bp, pool)
		if err != nil {
			t.Fatal(err)
		}
		res, err := p.Solve(context.Background(), Heuristic{}, Options{Seed: seed, Restarts: 5})
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		ds, err := p.Deliver(res.Forms, 3, seed)
		if err != nil {
			t.Fatalf("seed %d (%s, runs ≤ %d): %v", seed, rule, r, err)
		}
		byCode := map[string]Item{}
		for _, it := range pool {
			byCode[it.Code] = it
		}
		for f, d := range ds {
			if len(d.Versions) != 4 {
				t.Fatalf("seed %d form %d: %d versions, want the form as written and 3 more", seed, f+1, len(d.Versions))
			}
			if want := codesOf(pool, res.Forms)[f]; !sameSet(d.Items, want) {
				t.Fatalf("seed %d form %d: delivered items %v are not the form's %v", seed, f+1, d.Items, want)
			}
			for v, ver := range d.Versions {
				counts, run, longestRun, prev := map[byte]int{}, 0, 0, byte(0)
				for j, code := range d.Items {
					it := byCode[code]
					order := ver[j]
					letter := slices.Index(order, strings.IndexByte(Letters, it.Key[0])) // where the key option went
					if letter < 0 {
						t.Fatalf("seed %d form %d version %d: %s's option order %v loses its key %s", seed, f+1, v, code, order, it.Key)
					}
					k := Letters[letter]
					if got := ver.Key(j, it.Key); got != string(k) {
						t.Fatalf("seed %d form %d version %d: Key says %s, the order delivers the key as %c", seed, f+1, v, got, k)
					}
					if it.FixedLast && order[3] != 3 {
						t.Errorf("seed %d form %d version %d: %s's fixed last option moved: %v", seed, f+1, v, code, order)
					}
					if v == 0 && !reflect.DeepEqual(order, []int{0, 1, 2, 3}) {
						t.Errorf("seed %d form %d: the first version reorders %s's options: %v", seed, f+1, code, order)
					}
					counts[k]++
					if k == prev {
						run++
					} else {
						run = 1
					}
					prev, longestRun = k, max(longestRun, run)
				}
				if longestRun > r {
					t.Errorf("seed %d form %d version %d (%s): a run of %d keys, max_key_run %d", seed, f+1, v, rule, longestRun, r)
				}
				for _, l := range []byte("ABCD") {
					if counts[l] < 4 || counts[l] > 6 {
						t.Errorf("seed %d form %d version %d: %d items keyed %c, want 4–6", seed, f+1, v, counts[l], l)
					}
				}
			}
			if reflect.DeepEqual(d.Versions[1], d.Versions[2]) {
				t.Errorf("seed %d form %d: versions 2 and 3 are the same", seed, f+1)
			}
		}
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// TestDeliverRules: the domain and spiral rules order the domains as
// stated, item sets are delivered whole, and the same seed gives the same
// delivery while another seed gives another.
func TestDeliverRules(t *testing.T) {
	bp, pool := deliveryCase(4, 3, OrderSpiral)
	p, err := NewProblem(bp, pool)
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Solve(context.Background(), Heuristic{}, Options{Seed: 1, Restarts: 5})
	if err != nil {
		t.Fatal(err)
	}
	domainsOf := func(d Delivery) []string {
		var out []string
		for _, c := range d.Items {
			out = append(out, pool[slices.IndexFunc(pool, func(it Item) bool { return it.Code == c })].Domain)
		}
		return out
	}
	first, err := p.Deliver(res.Forms, 2, 7)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := p.Deliver(res.Forms, 2, 7)
	other, _ := p.Deliver(res.Forms, 2, 8)
	if !reflect.DeepEqual(first, again) {
		t.Error("the same seed gave two deliveries")
	}
	if reflect.DeepEqual(first[0].Items, other[0].Items) || reflect.DeepEqual(first[0].Versions[1], other[0].Versions[1]) {
		t.Error("another seed gave the same order or the same version")
	}
	// Spiral, stdlib then semantics then the rest alphabetically: the
	// first four units are one of each, in that order.
	got := domainsOf(first[0])
	if k := slices.IndexFunc(got, func(d string) bool { return d != "stdlib" }); got[0] != "stdlib" || got[k] != "semantics" {
		t.Errorf("spiral order starts %v, want stdlib then semantics", got[:6])
	}
	p.bp.Order.Rule = OrderDomain
	ds, err := p.Deliver(res.Forms, 0, 7)
	if err != nil {
		t.Fatal(err)
	}
	doms := domainsOf(ds[0])
	blocks := slices.Compact(slices.Clone(doms))
	if !reflect.DeepEqual(blocks, []string{"stdlib", "semantics", "idioms", "performance"}) {
		t.Errorf("domain order gives the blocks %v", blocks)
	}
}

// TestVerifyDelivery: each delivery rule, broken, is named.
func TestVerifyDelivery(t *testing.T) {
	// Items of tinyPool, keys as written B A A B D A B A (S01, a fixed
	// last option); version 1 delivers I01 as B and T05 as D, B B A B D A
	// B D.
	base := func() (Blueprint, []Item, Delivery) {
		pool := tinyPool()
		pool[0].FixedLast = true
		bp := Blueprint{Length: 8, MaxKeyRun: 2, ItemSets: [][]string{{"P01", "P02"}}, Order: Order{Rule: OrderSpiral, Domains: []string{"semantics", "idioms", "performance", "stdlib"}}}
		id := func() []int { return []int{0, 1, 2, 3} }
		d := Delivery{Items: []string{"S02", "I01", "P01", "P02", "T04", "S01", "I02", "T05"}}
		written := Version{id(), id(), id(), id(), id(), id(), id(), id()}
		swapped := Version{id(), {1, 0, 2, 3}, id(), id(), id(), id(), id(), {3, 1, 2, 0}} // I01 keyed B, T05 keyed D
		d.Versions = []Version{written, swapped}
		return bp, pool, d
	}
	bp, pool, d := base()
	if err := VerifyDelivery(bp, pool, []Delivery{d}); err != nil {
		t.Fatalf("the valid delivery: %v", err)
	}
	for _, tc := range []struct {
		name   string
		change func(bp *Blueprint, d *Delivery)
		want   string
	}{
		{"content", func(_ *Blueprint, d *Delivery) { d.Items[7] = "T10" }, "form 1: item T10 is pretest"},
		{"set apart", func(_ *Blueprint, d *Delivery) { d.Items[3], d.Items[4] = d.Items[4], d.Items[3] },
			"form 1: position 5: P02 is not delivered right after the rest of its item set"},
		{"spiral", func(_ *Blueprint, d *Delivery) { d.Items[5], d.Items[6] = d.Items[6], d.Items[5] },
			"form 1: position 6: a idioms item where the spiral order has a semantics item"},
		{"domain", func(bp *Blueprint, _ *Delivery) { bp.Order.Rule = OrderDomain }, "form 1: position 6: a semantics item after stdlib items; the domain order is semantics, idioms, performance, stdlib"},
		{"random", func(bp *Blueprint, _ *Delivery) { bp.Order = Order{Rule: OrderRandom} }, ""},
		{"no versions", func(_ *Blueprint, d *Delivery) { d.Versions = nil }, "form 1: no versions"},
		{"short version", func(_ *Blueprint, d *Delivery) { d.Versions[1] = d.Versions[1][:7] }, "version 1: option orders for 7 items"},
		{"not a permutation", func(_ *Blueprint, d *Delivery) { d.Versions[1][2] = []int{0, 0, 2, 3} }, "version 1: position 3 (P01): the option order [0 0 2 3] is not a permutation"},
		{"too few options", func(_ *Blueprint, d *Delivery) { d.Versions[1][2] = []int{0, 1, 2} }, "version 1: position 3 (P01): 3 options ordered, the item has 4"},
		{"not as written", func(_ *Blueprint, d *Delivery) { d.Versions[0][2] = []int{1, 0, 2, 3} }, "version 0: position 3 (P01): the option order [1 0 2 3] is not the options as written"},
		{"fixed last", func(_ *Blueprint, d *Delivery) { d.Versions[1][5] = []int{0, 1, 3, 2} }, "version 1: position 6 (S01): its last option must stay last"},
		{"run", func(_ *Blueprint, d *Delivery) { d.Versions[1][2] = []int{1, 0, 2, 3} }, "version 1: 4 items in a row keyed B, from position 1; max_key_run is 2"},
		{"run as written", func(bp *Blueprint, _ *Delivery) { bp.MaxKeyRun = 1 }, "version 0: 2 items in a row keyed A, from position 2"},
		{"counts", func(bp *Blueprint, _ *Delivery) {
			bp.KeyBalance = &KeyBalance{Letters: map[string]Range{"A": AtLeast(4)}}
		}, "form 1, version 1: 2 items keyed A, the blueprint allows ≥ 4"},
		{"counts as written", func(bp *Blueprint, _ *Delivery) {
			bp.KeyBalance = &KeyBalance{Letters: map[string]Range{"A": AtMost(3)}}
		}, "form 1: 4 items keyed A, the blueprint allows ≤ 3"},
	} {
		bp, pool, d := base()
		tc.change(&bp, &d)
		err := VerifyDelivery(bp, pool, []Delivery{d})
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want a violation %q", tc.name, err, tc.want)
		}
	}
}

// TestAwayFrom: the live items and their enemies, the items' own and the
// blueprint's, are excluded, and a sample drawn then shares no item and
// no enemy group with the live ones.
func TestAwayFrom(t *testing.T) {
	pool := tinyPool() // T01, T02, T03 in enemy group e1
	bp := Blueprint{Length: 4, EnemyGroups: [][]string{{"S05", "I05"}}, Exclude: []string{"P09"}}
	live := map[string]bool{"T02": true, "I05": true, "S01": true, "X99": true}
	got, nLive, nEnemies := bp.AwayFrom(pool, live)
	want := []string{"P09", "S01", "S05", "I05", "T01", "T02", "T03"}
	if !sameSet(got.Exclude, want) || nLive != 3 || nEnemies != 3 {
		t.Errorf("excludes %v (%d live, %d enemies), want %v (3 live, 3 enemies)", got.Exclude, nLive, nEnemies, want)
	}
	if len(bp.Exclude) != 1 {
		t.Error("AwayFrom changed the blueprint it was given")
	}
	res, err := Assemble(context.Background(), got, pool, Heuristic{}, Options{Seed: 1, Restarts: 5})
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range res.Forms[0] {
		if it := pool[i]; slices.Contains(want, it.Code) || it.EnemyGroup == "e1" {
			t.Errorf("the form holds %s, live or an enemy of a live item", it.Code)
		}
	}
}

// TestKeyBalanceSolvers: CBC and the heuristic both meet an exact key
// balance, five items of each letter on each 20-item form, which forms
// chosen for information alone almost never have.
func TestKeyBalanceSolvers(t *testing.T) {
	bp, pool := deliveryCase(5, 3, OrderRandom)
	five := Exactly(5)
	bp.KeyBalance = &KeyBalance{Each: &five}
	for _, s := range []Solver{Heuristic{}, needCBC(t)} {
		res, err := Assemble(context.Background(), bp, pool, s, Options{Seed: 1, Restarts: 5, MaxNodes: 200})
		if err != nil {
			t.Fatalf("%s: %v", s.Name(), err)
		}
		for f, form := range res.Forms {
			counts := map[string]int{}
			for _, i := range form {
				counts[pool[i].Key]++
			}
			if !reflect.DeepEqual(counts, map[string]int{"A": 5, "B": 5, "C": 5, "D": 5}) {
				t.Errorf("%s, form %d: keys %v, want 5 of each", res.Solver, f+1, counts)
			}
		}
	}
}
