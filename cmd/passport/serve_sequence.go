package main

import (
	"context"
	"fmt"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/irt"
)

// A sequence chooses the items of one session, one position at a time,
// from the scores of the items answered so far. Its items are indexes
// into its test's pool. A sequence is determined by its test, its seed and
// the answers given to it in order (and, for an adaptive test, the
// exposure record it started from and the items it excludes): the server
// resumes a session after a restart by starting the sequence again with
// the session's seed and replaying the stored answers.
type sequence interface {
	// Next is the pool index of the item at the next position, or done
	// when the session has no more items.
	Next() (item int, done bool, err error)
	// Answer records the score (0 or 1) of the item Next gave.
	Answer(item, score int) error
	// Estimate is θ and its standard error from the answers so far.
	Estimate() (theta, se float64)
}

// servedItem is an item as sessions deliver it.
type servedItem struct {
	code    string
	stem    string
	options []string // option texts in delivery order, under A, B, …
	order   string   // the item's option letters in delivery order: options[m] is its option order[m]
}

// test is what the sessions of one kind and reference deliver: a pool of
// items, their parameters under the run that scores them, and how a
// session goes through them: a fixed form in order, or an adaptive test
// (cat). Items without parameters in the run (pretest items) are
// delivered and stored but not scored.
type test struct {
	kind    string
	form    string // "" for an adaptive test
	version int
	run     *bank.Calibration
	pool    []servedItem
	index   map[string]int // pool index by item code
	params  []irt.ThreePL  // a form's, under run; the zero value where scored is false
	scored  []bool
	prior   irt.Quadrature // the run's grid with the run's latent N(mean, SD²) weights
	length  int            // items a session delivers at most
	cat     *catTest       // an adaptive test's engine; nil for a form
}

// testKey names a test in the server's cache.
type testKey struct {
	kind, form string
	version    int
	run        int64
	config     string // an adaptive test's configuration, JSON
}

// begin stores a new session of t by create, given the version of the
// exposure record an adaptive session starts from, and starts its
// sequence.
func (t *test) begin(create func(exposure int64) (*bank.Session, error)) (*bank.Session, sequence, error) {
	if t.cat != nil {
		return t.cat.begin(create)
	}
	rec, err := create(0)
	if err != nil {
		return nil, nil, err
	}
	return rec, newFixedSequence(t), nil
}

// resume starts the sequence of stored session rec again, before its
// answers are replayed.
func (t *test) resume(ctx context.Context, b *bank.Bank, rec bank.Session) (sequence, error) {
	if t.cat != nil {
		return t.cat.resume(ctx, b, rec)
	}
	return newFixedSequence(t), nil
}

// A finisher is a sequence that closes its session itself: an adaptive
// test, with its final estimate, its class and its exposure.
type finisher interface {
	finish(ctx context.Context, b *bank.Bank, id int64) (*bank.Session, error)
}

// formTest is the test of a stored form in a version: its items in the
// form's order, their options in the version's, scored under run.
func formTest(ctx context.Context, b *bank.Bank, k testKey) (*test, error) {
	d, err := b.Delivered(ctx, k.form, k.version)
	if err != nil {
		return nil, err
	}
	run, err := b.Calibration(ctx, k.run)
	if err != nil {
		return nil, err
	}
	t := &test{kind: k.kind, form: k.form, version: k.version, run: run, length: len(d.Items), index: map[string]int{},
		prior: run.Grid().WithNormalWeights(run.LatentMean, run.LatentSD)}
	byCode := run.ParamsByItem()
	nScored := 0
	for _, di := range d.Items {
		if di.Key == "" {
			return nil, fmt.Errorf("form %s: item %s has no key: a served item must be keyed", k.form, di.Item)
		}
		p, ok := byCode[di.Item]
		t.index[di.Item] = len(t.pool)
		t.pool = append(t.pool, servedItem{code: di.Item, stem: di.Stem, options: di.Options, order: di.Order})
		t.params = append(t.params, p)
		t.scored = append(t.scored, ok)
		if ok {
			nScored++
		}
	}
	if nScored == 0 {
		return nil, fmt.Errorf("form %s: none of its items has parameters in run %d, which cannot score it; choose another run", k.form, k.run)
	}
	return t, nil
}

// fixedSequence delivers a fixed form: its items in order.
type fixedSequence struct {
	t    *test
	resp []int8 // by pool index: the score, or irt.Missing
	n    int    // items answered
}

func newFixedSequence(t *test) *fixedSequence {
	resp := make([]int8, len(t.pool))
	for i := range resp {
		resp[i] = irt.Missing
	}
	return &fixedSequence{t: t, resp: resp}
}

func (s *fixedSequence) Next() (int, bool, error) {
	if s.n == len(s.t.pool) {
		return 0, true, nil
	}
	return s.n, false, nil
}

func (s *fixedSequence) Answer(item, score int) error {
	if item != s.n {
		return fmt.Errorf("item %d answered at position %d of a fixed form", item+1, s.n+1)
	}
	if s.t.scored[item] {
		s.resp[item] = int8(score)
	}
	s.n++
	return nil
}

// Estimate is the EAP estimate under the test's run from the scored items
// answered (Bock & Mislevy 1982; irt.EAP): the run's latent distribution
// before any answer.
func (s *fixedSequence) Estimate() (float64, float64) {
	e := irt.EAP(s.t.params, s.resp, s.t.prior)
	return e.Theta, e.SE
}
