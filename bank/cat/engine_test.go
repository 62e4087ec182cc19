package cat

import (
	"math"
	"slices"
	"testing"

	"github.com/passportirt/passport/irt"
)

// rasch is a Rasch item of difficulty b (A = 1, C = 0, D = 1).
func rasch(id string, b float64) Item {
	return Item{ID: id, Params: irt.ThreePL{A: 1, B: b, D: 1}, Domain: "d"}
}

// TestEAPByHand checks the EAP update on a three-node grid {−1, 0, 1}
// with N(0, 1) weights against the closed form: after a correct answer to a
// Rasch item at b = 0 the posterior mean is
// e^{−1/2}·(e − 1)/(e + 1) / (e^{−1/2} + 1/2) = 0.253304…
func TestEAPByHand(t *testing.T) {
	e, err := NewEngine([]Item{rasch("A", 0), rasch("B", 1)}, Config{MaxLength: 2, Grid: irt.GridSpec{Points: 3, Min: -1, Max: 1}, FirstItems: 1})
	if err != nil {
		t.Fatal(err)
	}
	s := e.Start(1)
	i, _, err := s.Next()
	if err != nil || i != 0 {
		t.Fatalf("first item %d, %v; want item 0 (most informative at 0)", i, err)
	}
	if err := s.Answer(0, 1); err != nil {
		t.Fatal(err)
	}
	h := math.Exp(-0.5)
	E := math.E
	num := h * (E - 1) / (E + 1)
	den := h + 0.5
	wantMean := num / den
	// E[θ²] = (h/(1+e) + h·e/(1+e)) / den = h/den.
	wantSD := math.Sqrt(h/den - wantMean*wantMean)
	theta, se := s.Estimate()
	if math.Abs(theta-wantMean) > 1e-12 || math.Abs(se-wantSD) > 1e-12 {
		t.Errorf("EAP %.15f (SE %.15f), want %.15f (%.15f)", theta, se, wantMean, wantSD)
	}
	if math.Abs(wantMean-0.253304) > 1e-6 {
		t.Errorf("closed form %.7f, hand value 0.253304", wantMean)
	}
}

// TestMAPByHand checks the MAP update: after a correct answer to a Rasch
// item at b = 0 under a N(0, 1) prior, θ̂ solves 1 − P(θ) − θ = 0, that is
// θ·(1 + e^θ) = 1, found here by bisection; SE = 1/√(P·Q + 1).
func TestMAPByHand(t *testing.T) {
	e, err := NewEngine([]Item{rasch("A", 0), rasch("B", 1)}, Config{MaxLength: 2, Estimator: MAP, FirstItems: 1})
	if err != nil {
		t.Fatal(err)
	}
	s := e.Start(1)
	i, _, _ := s.Next()
	if err := s.Answer(i, 1); err != nil {
		t.Fatal(err)
	}
	lo, hi := 0.0, 1.0
	for range 100 {
		m := (lo + hi) / 2
		if m*(1+math.Exp(m)) < 1 {
			lo = m
		} else {
			hi = m
		}
	}
	p := 1 / (1 + math.Exp(-lo))
	theta, se := s.Estimate()
	if math.Abs(theta-lo) > 1e-8 || math.Abs(se-1/math.Sqrt(p*(1-p)+1)) > 1e-8 {
		t.Errorf("MAP %.10f (SE %.10f), want %.10f (%.10f)", theta, se, lo, 1/math.Sqrt(p*(1-p)+1))
	}
}

// smallBank is six 3PL items for the selection tests.
func smallBank() []Item {
	ps := []irt.ThreePL{
		{A: 1.0, B: -1.0, C: 0.20, D: 1.7},
		{A: 1.6, B: 0.3, C: 0.25, D: 1.7},
		{A: 0.8, B: 0.0, C: 0.00, D: 1.7},
		{A: 2.0, B: 1.5, C: 0.15, D: 1.7},
		{A: 1.2, B: 0.6, C: 0.10, D: 1.7},
		{A: 1.4, B: -0.4, C: 0.30, D: 1.7},
	}
	pool := make([]Item, len(ps))
	for i, p := range ps {
		pool[i] = Item{ID: string(rune('A' + i)), Params: p, Domain: "d"}
	}
	return pool
}

// bruteInfo is Birnbaum's item information written out:
// (D·a)²·(Q/P)·((P − c)/(1 − c))².
func bruteInfo(p irt.ThreePL, theta float64) float64 {
	P := p.C + (1-p.C)/(1+math.Exp(-p.D*p.A*(theta-p.B)))
	r := (P - p.C) / (1 - p.C)
	return p.D * p.D * p.A * p.A * (1 - P) / P * r * r
}

// bruteKL integrates Chang and Ying's KL(θ̂ ‖ θ) over θ̂ ± 3/√n by the
// trapezoidal rule on 20,000 intervals.
func bruteKL(p irt.ThreePL, that float64, n int) float64 {
	prob := func(x float64) float64 { return p.C + (1-p.C)/(1+math.Exp(-p.D*p.A*(x-p.B))) }
	d := 3 / math.Sqrt(float64(n))
	p0 := prob(that)
	f := func(x float64) float64 {
		p1 := prob(x)
		return p0*math.Log(p0/p1) + (1-p0)*math.Log((1-p0)/(1-p1))
	}
	const m = 20000
	h := 2 * d / m
	sum := (f(that-d) + f(that+d)) / 2
	for k := 1; k < m; k++ {
		sum += f(that - d + float64(k)*h)
	}
	return sum * h
}

// brutePWI is Σ_k I(θ_k)·π(θ_k | u) on the default grid, the posterior
// computed from the full likelihood at every node.
func brutePWI(p irt.ThreePL, items []irt.ThreePL, resp []int8) float64 {
	q := irt.DefaultGrid()
	var num, den float64
	for k, x := range q.Nodes {
		w := q.Weights[k] * math.Exp(irt.LogLik(items, resp, x))
		num += w * bruteInfo(p, x)
		den += w
	}
	return num / den
}

// TestSelectionByBruteForce answers the first two items and checks each
// criterion's next item against the argmax of the criterion computed
// independently over the items left.
func TestSelectionByBruteForce(t *testing.T) {
	pool := smallBank()
	for _, sel := range []string{MFI, KL, PWI} {
		for _, answers := range [][]int{{1, 1}, {0, 0}, {1, 0}, {0, 1}} {
			e, err := NewEngine(pool, Config{MaxLength: 4, Selection: sel, FirstItems: 1})
			if err != nil {
				t.Fatal(err)
			}
			s := e.Start(3)
			var items []irt.ThreePL
			var resp []int8
			given := map[int]bool{}
			for _, u := range answers {
				i, _, err := s.Next()
				if err != nil {
					t.Fatal(err)
				}
				if err := s.Answer(i, u); err != nil {
					t.Fatal(err)
				}
				items, resp = append(items, pool[i].Params), append(resp, int8(u))
				given[i] = true
			}
			theta, _ := s.Estimate()
			best, bestV := -1, math.Inf(-1)
			for i, it := range pool {
				if given[i] {
					continue
				}
				var v float64
				switch sel {
				case MFI:
					v = bruteInfo(it.Params, theta)
				case KL:
					v = bruteKL(it.Params, theta, len(resp))
				case PWI:
					v = brutePWI(it.Params, items, resp)
				}
				if v > bestV {
					best, bestV = i, v
				}
			}
			if got, _, _ := s.Next(); got != best {
				t.Errorf("%s after %v: item %d, brute force %d", sel, answers, got, best)
			}
		}
	}
}

// TestKLIndex checks the Gauss–Legendre KL index against the trapezoidal
// integral.
func TestKLIndex(t *testing.T) {
	pool := smallBank()
	e, err := NewEngine(pool, Config{MaxLength: 3, Selection: KL})
	if err != nil {
		t.Fatal(err)
	}
	s := e.Start(1)
	for _, th := range []float64{-1.3, 0, 0.7} {
		s.theta = th
		for n := 1; n <= 3; n++ {
			s.resp = make([]int8, n)
			for i, it := range pool {
				if got, want := s.klIndex(i), bruteKL(it.Params, th, n); math.Abs(got-want) > 1e-7*(1+want) {
					t.Errorf("θ %g n %d item %d: KL %.10g, trapezoid %.10g", th, n, i, got, want)
				}
			}
		}
	}
}

// TestDeterminism: a session is determined by its seed and answers; the
// first item differs between examinees.
func TestDeterminism(t *testing.T) {
	pool := simBank(2, 85)
	for _, cfg := range []Config{{Randomesque: 3}, {Selection: KL, PretestSlots: 0}, {Content: ContentRule{Method: KingsburyZara, Targets: map[string]float64{"d1": 1, "d2": 1, "d3": 1, "d4": 1, "d5": 1}}}} {
		e, err := NewEngine(pool, cfg)
		if err != nil {
			t.Fatal(err)
		}
		run := func(seed uint64, answers []int) []int {
			s := e.Start(seed)
			var got []int
			for k := 0; ; k++ {
				i, done, err := s.Next()
				if err != nil {
					t.Fatal(err)
				}
				if done {
					return got
				}
				if j, _, _ := s.Next(); j != i {
					t.Fatalf("Next asked twice: %d then %d", i, j)
				}
				got = append(got, i)
				if err := s.Answer(i, answers[k%len(answers)]); err != nil {
					t.Fatal(err)
				}
			}
		}
		answers := []int{1, 0, 1, 1, 0}
		a, b := run(42, answers), run(42, answers)
		if !slices.Equal(a, b) {
			t.Errorf("%+v: same seed and answers gave %v and %v", cfg, a, b)
		}
		firsts := map[int]bool{}
		for seed := range uint64(50) {
			firsts[run(seed, answers)[0]] = true
		}
		if len(firsts) < 3 {
			t.Errorf("%+v: 50 examinees got only %d different first items", cfg, len(firsts))
		}
	}
}

// TestAnswerErrors: answers out of turn are refused.
func TestAnswerErrors(t *testing.T) {
	e, err := NewEngine(smallBank(), Config{MaxLength: 2})
	if err != nil {
		t.Fatal(err)
	}
	s := e.Start(1)
	if err := s.Answer(0, 1); err == nil {
		t.Error("answer before Next accepted")
	}
	i, _, _ := s.Next()
	if err := s.Answer((i+1)%6, 1); err == nil {
		t.Error("answer to another item accepted")
	}
	if err := s.Answer(i, 2); err == nil {
		t.Error("score 2 accepted")
	}
}

// TestExclude: excluded items are never given, by maximum information,
// by the shadow test or as pretest items, even when they are the most
// informative; and Exclude is refused once the test has begun.
func TestExclude(t *testing.T) {
	pool := demoBank(t, 3)
	for _, cfg := range []Config{{PretestSlots: 2}, {PretestSlots: 2, Content: ContentRule{Method: Shadow, Blueprint: quotas(20, "semantics", "idioms", "performance", "stdlib")}}} {
		e, err := NewEngine(pool, cfg)
		if err != nil {
			t.Fatal(err)
		}
		for seed := range uint64(5) {
			// Exclude the items an unrestricted session gives, and every
			// third pretest item.
			first := e.Start(seed)
			var out []int
			for {
				i, done, err := first.Next()
				if err != nil {
					t.Fatal(err)
				}
				if done {
					break
				}
				out = append(out, i)
				first.Answer(i, int(seed+uint64(len(out)))%2)
			}
			for i, it := range pool {
				if it.Pretest && i%3 == 0 {
					out = append(out, i)
				}
			}
			s := e.Start(seed)
			if err := s.Exclude(out...); err != nil {
				t.Fatal(err)
			}
			n := 0
			for {
				i, done, err := s.Next()
				if err != nil {
					t.Fatal(err)
				}
				if done {
					break
				}
				if slices.Contains(out, i) {
					t.Errorf("%s content, seed %d: excluded item %s given at position %d", e.Config().Content.Method, seed, pool[i].ID, n+1)
				}
				s.Answer(i, int(seed+uint64(n))%2)
				n++
			}
			if n != 22 {
				t.Errorf("%s content, seed %d: %d items given, want 20 and 2 pretest", e.Config().Content.Method, seed, n)
			}
			if err := s.Exclude(0); err == nil {
				t.Error("Exclude after the test began accepted")
			}
		}
	}
}

// TestKingsburyZara checks every scored item's domain against Kingsbury
// and Zara's (1989) rule computed here: a domain whose gap between target
// share and share of the items given so far, t_d − n_d/max(1, n), is the
// largest; and the 20-item tests' domain counts against the targets'
// 8, 6, 2, 2, 2.
func TestKingsburyZara(t *testing.T) {
	pool := simBank(2, 85)
	targets := map[string]float64{"d1": 4, "d2": 3, "d3": 1, "d4": 1, "d5": 1}
	e, err := NewEngine(pool, Config{Randomesque: 2, Content: ContentRule{Method: KingsburyZara, Targets: targets}})
	if err != nil {
		t.Fatal(err)
	}
	for seed := range uint64(20) {
		s := e.Start(seed)
		count := map[string]int{}
		n := 0
		for {
			i, done, err := s.Next()
			if err != nil {
				t.Fatal(err)
			}
			if done {
				break
			}
			best := math.Inf(-1)
			for d, w := range targets {
				best = max(best, w/10-float64(count[d])/float64(max(1, n)))
			}
			d := pool[i].Domain
			if gap := targets[d]/10 - float64(count[d])/float64(max(1, n)); gap < best-1e-12 {
				t.Errorf("seed %d, item %d: domain %s with gap %.3f, largest gap %.3f (counts %v)", seed, n+1, d, gap, best, count)
			}
			count[d]++
			n++
			s.Answer(i, int(seed+uint64(n))%2)
		}
		for d, w := range targets {
			if count[d] != int(2*w) {
				t.Errorf("seed %d: %d items of %s, target %d of 20", seed, count[d], d, int(2*w))
			}
		}
	}
}
