package cat

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/passportirt/passport/irt"
)

// Session is one examinee's adaptive test. It is fully determined by its
// engine, its seed, the exposure record it started from, the items it
// excludes (Exclude) and the answers in order: a session started again the same way and given the same
// answers asks the same items, which is how a delivery service resumes
// one. A session is not safe for concurrent use.
type Session struct {
	e   *Engine
	rng *rand.Rand
	// ctl is the exposure control in force, [segment][item]: the
	// Sympson–Hetter parameter, or the probability that the item is
	// eligible; nil for none. eligible is this examinee's draw of
	// eligibility from it.
	ctl      [][]float64
	eligible [][]bool
	// out marks items this examinee cannot get: administered, enemies of
	// an administered item, or passed over by the Sympson–Hetter lottery.
	out       []bool
	rejected  []int // the items the lottery passed over
	admin     []Record
	pending   int    // the item asked and not yet answered, −1 for none
	pretestAt []bool // [position] a pretest slot
	logPost   []float64
	params    []irt.ThreePL // scored items answered, in order
	resp      []int8
	theta     float64
	se        float64
	selected  []int // the items chosen before the Sympson–Hetter lottery
	domainN   []int // [domain] scored items administered
	done      bool
	scratch   []float64
}

// Record is one administered item.
type Record struct {
	Item    int    `json:"-"`       // index into the engine's pool
	ID      string `json:"item"`    // the item's code
	Score   int    `json:"score"`   // 0 or 1
	Pretest bool   `json:"pretest"` // unscored
	// Segment is the exposure segment of θ̂ when the item was chosen.
	Segment int `json:"segment"`
	// Theta and SE are the estimate after the answer.
	Theta float64 `json:"theta"`
	SE    float64 `json:"se"`
}

// Start begins a session with no exposure record: every item eligible,
// every Sympson–Hetter parameter 1. It is StartWith(seed, nil).
func (e *Engine) Start(seed uint64) *Session { return e.StartWith(seed, nil) }

// StartWith begins a session whose exposure control reads x, the record
// of the tests so far that the caller owns (nil for none; see Exposure).
// The session keeps what it needs of x at the start, so x may be updated
// meanwhile; to resume a session, start it from the same record.
func (e *Engine) StartWith(seed uint64, x *Exposure) *Session {
	return e.start(seed, x.control(e))
}

// start begins a session under the exposure control ctl.
func (e *Engine) start(seed uint64, ctl [][]float64) *Session {
	c := e.cfg
	s := &Session{e: e, rng: rand.New(rand.NewPCG(seed, 0xca7_5e55)), ctl: ctl, out: make([]bool, len(e.pool)),
		pending: -1, logPost: append([]float64(nil), e.logPrior...),
		domainN: make([]int, len(e.domains))}
	s.theta, s.se = c.Prior.Mean, c.Prior.SD
	if c.Estimator == EAP {
		s.theta, s.se = moments(e.nodes, s.logPost)
	}
	if ctl != nil && c.Exposure.Method != SympsonHetter {
		s.eligible = make([][]bool, len(ctl))
		for g, row := range ctl {
			s.eligible[g] = make([]bool, len(row))
			for i, p := range row {
				s.eligible[g][i] = p >= 1 || (p > 0 && s.rng.Float64() < p)
			}
		}
	}
	if n := c.PretestSlots; n > 0 && len(e.pretest) > 0 {
		s.pretestAt = make([]bool, c.MinLength+n)
		for _, p := range s.rng.Perm(len(s.pretestAt))[:n] {
			s.pretestAt[p] = true
		}
	}
	return s
}

// Exclude keeps items (indexes into the engine's pool) out of the test:
// an examinee who has answered them before, say, when the bank keeps one
// response per examinee and item. It is called before the first Next;
// the items' enemies stay available.
func (s *Session) Exclude(items ...int) error {
	if len(s.admin) > 0 || s.pending >= 0 {
		return errors.New("items are excluded before the first item is asked")
	}
	for _, i := range items {
		if i < 0 || i >= len(s.out) {
			return fmt.Errorf("item %d excluded: expected an index into the pool of %d items", i, len(s.out))
		}
		s.out[i] = true
	}
	return nil
}

// Next returns the item to ask, as an index into the engine's pool, or
// done when the test is over. Asked again before the answer, it returns
// the same item.
func (s *Session) Next() (item int, done bool, err error) {
	if s.done {
		return -1, true, nil
	}
	if s.pending >= 0 {
		return s.pending, false, nil
	}
	if pos := len(s.admin); pos < len(s.pretestAt) && s.pretestAt[pos] {
		if i := s.drawPretest(); i >= 0 {
			s.pending = i
			return i, false, nil
		}
	}
	if s.stop() {
		s.done = true
		return -1, true, nil
	}
	i, err := s.choose()
	if err != nil {
		return -1, false, err
	}
	s.pending = i
	return i, false, nil
}

// Answer records the score, 0 or 1, of the item Next returned and updates
// θ̂ if it is scored.
func (s *Session) Answer(item, score int) error {
	switch {
	case s.pending < 0:
		return errors.New("no item is waiting for an answer; call Next first")
	case item != s.pending:
		return fmt.Errorf("item %d answered, but item %d (%s) was asked", item, s.pending, s.e.pool[s.pending].ID)
	case score != 0 && score != 1:
		return fmt.Errorf("score %d for item %s; expected 0 or 1", score, s.e.pool[item].ID)
	}
	e := s.e
	s.pending = -1
	s.out[item] = true
	for _, j := range e.enemies[item] {
		s.out[j] = true
	}
	r := Record{Item: item, ID: e.pool[item].ID, Score: score, Pretest: e.pool[item].Pretest, Segment: e.Segment(s.theta)}
	if !r.Pretest {
		s.update(item, score)
		s.domainN[e.domainOf[item]]++
	}
	r.Theta, r.SE = s.theta, s.se
	s.admin = append(s.admin, r)
	return nil
}

// update adds the scored answer to the posterior and re-estimates θ.
func (s *Session) update(item, score int) {
	e := s.e
	K := len(e.nodes)
	row := e.logQ[item*K : (item+1)*K]
	if score == 1 {
		row = e.logP[item*K : (item+1)*K]
	}
	for k, l := range row {
		s.logPost[k] += l
	}
	s.params = append(s.params, e.params[item])
	s.resp = append(s.resp, int8(score))
	if e.cfg.Estimator == EAP {
		s.theta, s.se = moments(e.nodes, s.logPost)
		return
	}
	est := irt.MAP(s.params, s.resp, e.cfg.Prior.Mean, e.cfg.Prior.SD)
	s.theta, s.se = est.Theta, est.SE
}

// moments returns the mean and SD of the distribution on nodes whose mass
// at node k is proportional to exp(logMass[k]): the EAP estimate and its
// posterior SD (Bock & Mislevy 1982).
func moments(nodes, logMass []float64) (mean, sd float64) {
	top := math.Inf(-1)
	for _, l := range logMass {
		top = max(top, l)
	}
	var s0, s1, s2 float64
	for k, x := range nodes {
		m := math.Exp(logMass[k] - top)
		s0 += m
		s1 += m * x
		s2 += m * x * x
	}
	mean = s1 / s0
	return mean, math.Sqrt(max(0, s2/s0-mean*mean))
}

// Estimate returns the current estimate of θ and its standard error, by
// the configuration's estimator.
func (s *Session) Estimate() (theta, se float64) { return s.theta, s.se }

// Scored is the number of scored items answered.
func (s *Session) Scored() int { return len(s.resp) }

// drawPretest draws a pretest item at random among those the examinee can
// still get, or returns −1 when none is left.
func (s *Session) drawPretest() int {
	var free []int
	for _, i := range s.e.pretest {
		if !s.out[i] {
			free = append(free, i)
		}
	}
	if len(free) == 0 {
		return -1
	}
	return free[s.rng.IntN(len(free))]
}

// stop reports whether the test ends before another scored item.
func (s *Session) stop() bool {
	c := s.e.cfg
	n := len(s.resp)
	switch {
	case n >= c.MaxLength || !s.anyLeft():
		return true
	case n < c.MinLength:
		return false
	case c.Stop.SE > 0 && s.se <= c.Stop.SE:
		return true
	}
	_, decided := s.classify()
	return c.Stop.Rule != "" && decided
}

// anyLeft reports whether an operational item remains for the examinee.
func (s *Session) anyLeft() bool {
	for _, i := range s.e.scored {
		if !s.out[i] {
			return true
		}
	}
	return false
}

// classify returns the category of θ̂ among the cut scores (the number of
// cuts at or below it) and whether the stopping rule has decided it: by
// the confidence interval θ̂ ± z·SE holding no cut (Kingsbury & Weiss
// 1983), or by Wald's SPRT at every cut c of θ = c − δ against θ = c + δ,
// deciding when the log likelihood ratio reaches ln((1 − β)/α) or
// ln(β/(1 − α)) (Reckase 1983; Eggen 1999), its category then the cuts
// decided above. Without a rule it is the category of θ̂, undecided.
func (s *Session) classify() (category int, decided bool) {
	st := s.e.cfg.Stop
	category = classOf(st.Cuts, s.theta)
	switch st.Rule {
	case RuleCI:
		z := normalQuantile((1 + st.Confidence) / 2)
		for _, c := range st.Cuts {
			if math.Abs(s.theta-c) <= z*s.se {
				return category, false
			}
		}
		return category, true
	case RuleSPRT:
		upper, lower := math.Log((1-st.Beta)/st.Alpha), math.Log(st.Beta/(1-st.Alpha))
		decided, above := true, 0
		for _, c := range st.Cuts {
			llr := irt.LogLik(s.params, s.resp, c+st.Delta) - irt.LogLik(s.params, s.resp, c-st.Delta)
			switch {
			case llr >= upper:
				above++
			case llr > lower:
				decided = false
			}
		}
		if decided {
			return above, true
		}
		return category, false
	}
	return category, false
}
