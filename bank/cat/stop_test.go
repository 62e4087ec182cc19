package cat

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/passportirt/passport/irt"
)

// TestPretest: every test holds the pretest slots at varying positions,
// and the pretest answers leave θ̂ as the scored answers alone give it.
func TestPretest(t *testing.T) {
	pool := simBank(4, 85)
	for i := 0; i < 10; i++ {
		pool[i].Pretest = true
	}
	e, err := NewEngine(pool, Config{MaxLength: 10, PretestSlots: 2})
	if err != nil {
		t.Fatal(err)
	}
	positions := map[int]bool{}
	for seed := range uint64(30) {
		s := e.Start(seed)
		var items []irt.ThreePL
		var resp []int8
		for k := 0; ; k++ {
			i, done, err := s.Next()
			if err != nil {
				t.Fatal(err)
			}
			if done {
				break
			}
			u := (k + int(seed)) % 2
			s.Answer(i, u)
			if pool[i].Pretest {
				positions[k] = true
			} else {
				items, resp = append(items, pool[i].Params), append(resp, int8(u))
			}
		}
		r := s.Final()
		pre := 0
		for _, rec := range r.Items {
			if rec.Pretest != pool[rec.Item].Pretest {
				t.Fatalf("record of %s flagged pretest %v", rec.ID, rec.Pretest)
			}
			if rec.Pretest {
				pre++
			}
		}
		if pre != 2 || r.Length != 10 || len(r.Items) != 12 {
			t.Errorf("seed %d: %d pretest items, %d scored, %d in all; want 2, 10, 12", seed, pre, r.Length, len(r.Items))
		}
		if want := irt.EAP(items, resp, irt.DefaultGrid()); math.Abs(r.Theta-want.Theta) > 1e-9 {
			t.Errorf("seed %d: θ̂ %.10f, EAP of the scored answers %.10f", seed, r.Theta, want.Theta)
		}
	}
	if len(positions) < 6 {
		t.Errorf("pretest items at only %d positions over 30 tests", len(positions))
	}
}

// TestStopRules: tests end by the SE rule or at the maximum length, and a
// classification decided by the confidence interval or the SPRT meets its
// criterion, computed here from the items given.
func TestStopRules(t *testing.T) {
	pool := simBank(5, 85)
	cases := []Config{
		{MinLength: 5, MaxLength: 30, Stop: StopRule{SE: 0.4}},
		{MinLength: 5, MaxLength: 30, Stop: StopRule{Cuts: []float64{-0.5, 0.8}, Rule: RuleCI}},
		{MinLength: 5, MaxLength: 30, Stop: StopRule{Cuts: []float64{0.3}, Rule: RuleSPRT}},
	}
	for _, cfg := range cases {
		e, err := NewEngine(pool, cfg)
		if err != nil {
			t.Fatal(err)
		}
		st, _, err := e.Simulate(context.Background(), StudyOptions{Thetas: DrawThetas(200, 0, 1, 9), Seed: 9})
		if err != nil {
			t.Fatal(err)
		}
		c := e.Config()
		var short int
		for _, sim := range st.Runs {
			if sim.Length < c.MinLength || sim.Length > c.MaxLength {
				t.Fatalf("%+v: length %d", c.Stop, sim.Length)
			}
			if sim.Length == c.MaxLength {
				continue
			}
			short++
			// The final estimator is the running one (EAP), so the
			// final θ̂ and SE are those the rule saw last.
			switch c.Stop.Rule {
			case "":
				if sim.SE > c.Stop.SE+1e-12 {
					t.Errorf("stopped at %d items with SE %.3f > %.3f", sim.Length, sim.SE, c.Stop.SE)
				}
			case RuleCI:
				z := 1.959963984540054
				for _, cut := range c.Stop.Cuts {
					if math.Abs(sim.Theta-cut) <= z*sim.SE {
						t.Errorf("stopped at %d items with cut %g inside %.3f ± %.3f", sim.Length, cut, sim.Theta, z*sim.SE)
					}
				}
			}
		}
		if short == 0 {
			t.Errorf("%+v: every test ran to the maximum length", c.Stop)
		}
		if (len(c.Stop.Cuts) > 0) != (st.Accuracy != nil) || (st.Accuracy != nil && *st.Accuracy < 0.8) {
			t.Errorf("%+v: classification accuracy %v", c.Stop, st.Accuracy)
		}
		if st.Accuracy != nil {
			t.Logf("%s: mean length %.1f, RMSE %.3f, accuracy %.3f", c.Stop.Rule, st.MeanLength, st.RMSE, *st.Accuracy)
		}
	}
}

// TestSPRTDecision checks the SPRT's decision against the log likelihood
// ratio computed from the answers.
func TestSPRTDecision(t *testing.T) {
	pool := smallBank()
	e, err := NewEngine(pool, Config{MinLength: 1, MaxLength: 6, Stop: StopRule{Cuts: []float64{0}, Rule: RuleSPRT, Delta: 0.5, Alpha: 0.1, Beta: 0.1}})
	if err != nil {
		t.Fatal(err)
	}
	s := e.Start(1)
	var items []irt.ThreePL
	var resp []int8
	for {
		i, done, _ := s.Next()
		if done {
			break
		}
		s.Answer(i, 1)
		items, resp = append(items, pool[i].Params), append(resp, 1)
	}
	llr := irt.LogLik(items, resp, 0.5) - irt.LogLik(items, resp, -0.5)
	r := s.Final()
	upper := math.Log(0.9 / 0.1)
	if r.Decided != (llr >= upper) || (r.Decided && r.Category != 1) {
		t.Errorf("after %d right: LLR %.3f (bound %.3f), decided %v, category %d", len(resp), llr, upper, r.Decided, r.Category)
	}
	if r.Decided && len(resp) > 1 {
		prev := irt.LogLik(items[:len(items)-1], resp[:len(resp)-1], 0.5) - irt.LogLik(items[:len(items)-1], resp[:len(resp)-1], -0.5)
		if prev >= upper {
			t.Errorf("the SPRT decided at %.3f one item earlier but the test went on", prev)
		}
	}
}

// TestReadConfig: the fixtures' style of errors, naming the field and its
// valid range.
func TestReadConfig(t *testing.T) {
	for _, c := range []struct{ json, want string }{
		{`{"max_length": 5, "min_length": 8}`, "min_length: 8; expected 1 to max_length (5)"},
		{`{"selection": "best"}`, `selection: "best"; expected one of`},
		{`{"exposure": {"method": "rmr"}}`, "exposure.max_rate: 0; expected a rate in (0, 1]"},
		{`{"exposure": {"method": "rmr", "max_rate": 0.3, "segments": [1, 0]}}`, "exposure.segments[1]: 0"},
		{`{"content": {"method": "shadow"}}`, "content.blueprint: none"},
		{`{"content": {"method": "kingsbury-zara"}}`, "content.targets: none"},
		{`{"stop": {"rule": "ci"}}`, `stop.rule: "ci" needs cut scores`},
		{`{"stop": {"se": -1}}`, "stop.se: -1"},
		{`{"randomesque": -2}`, "randomesque: -2; expected at least 1"},
		{`{"colour": 1}`, `unknown field "colour"`},
		{`{"max_length": "x"}`, "c.json:1: field max_length"},
		{`{"stop": {"cuts": [0], "scale_cuts": [600]}}`, "both cuts and scale_cuts"},
		{`{"stop": {"scale_cuts": [700, 600]}}`, "stop.scale_cuts[1]: 600"},
	} {
		_, err := ReadConfig("c.json", strings.NewReader(c.json))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.json, err, c.want)
		}
	}
	c, err := ReadConfig("c.json", strings.NewReader(`{"max_length": 10, "selection": "kl"}`))
	if err != nil || c.MinLength != 10 || c.Selection != KL || c.Estimator != EAP || c.Final != EAP {
		t.Errorf("defaults: %+v, %v", c, err)
	}
	// Cut scores on the reporting scale: read, refused by the engine
	// until moved to θ, then classifying at their θ.
	c, err = ReadConfig("c.json", strings.NewReader(`{"max_length": 5, "stop": {"scale_cuts": [500, 650]}}`))
	if err != nil || c.Stop.Scale != "passport" {
		t.Fatalf("scale cuts: %+v, %v", c.Stop, err)
	}
	pool := simBank(1, 20)
	if _, err := NewEngine(pool, c); err == nil || !strings.Contains(err.Error(), "not moved to θ") {
		t.Errorf("unconverted scale cuts: %v", err)
	}
	toTheta := func(x float64) (float64, error) { return (x - 575) / (550.0 / 6), nil }
	if c, err = c.WithThetaCuts(toTheta); err != nil || len(c.Stop.Cuts) != 2 || math.Abs(c.Stop.Cuts[0]+75/(550.0/6)) > 1e-12 {
		t.Fatalf("converted: %v, %v", c.Stop.Cuts, err)
	}
	if _, err := NewEngine(pool, c); err != nil {
		t.Error(err)
	}
}
