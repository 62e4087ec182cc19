package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/bank/cat"
)

// catSessionConfig is what an adaptive session stores as its
// configuration: the name it was created under, the configuration itself
// (defaults filled in, cut scores on θ) and the items left out because
// the examinee had answered them before. With the session's run, seed,
// exposure version and answers it determines the session.
type catSessionConfig struct {
	Name    string          `json:"name"`
	Config  json.RawMessage `json:"config"`
	Exclude []string        `json:"exclude,omitempty"`
}

// parseCATSession reads an adaptive session's stored configuration.
func parseCATSession(rec bank.Session) (catSessionConfig, cat.Config, error) {
	var sc catSessionConfig
	var cfg cat.Config
	if err := json.Unmarshal(rec.Config, &sc); err != nil {
		return sc, cfg, fmt.Errorf("session %d: its configuration: %w", rec.ID, err)
	}
	if err := json.Unmarshal(sc.Config, &cfg); err != nil {
		return sc, cfg, fmt.Errorf("session %d: its configuration: %w", rec.ID, err)
	}
	return sc, cfg, nil
}

// readCATConfigs reads passport serve's --cat NAME=FILE flags: each
// configuration with its scale cut scores moved to θ, as the JSON that
// sessions store.
func readCATConfigs(ctx context.Context, b *bank.Bank, flags []string) (map[string]json.RawMessage, error) {
	out := map[string]json.RawMessage{}
	for _, f := range flags {
		name, file, ok := strings.Cut(f, "=")
		if !ok || name == "" || file == "" {
			return nil, fmt.Errorf("--cat %q: expected NAME=FILE, a name and a configuration file", f)
		}
		if err := bank.CheckCode(name); err != nil {
			return nil, fmt.Errorf("--cat %s: the name: %w", f, err)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("--cat %s: the name %s is given twice", f, name)
		}
		cfg, err := catConfig(ctx, b, "--cat "+name, file)
		if err != nil {
			return nil, err
		}
		if out[name], err = json.Marshal(cfg); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// catTest is the adaptive side of a test: the engine on the run's pool
// and the exposure record its sessions share.
type catTest struct {
	engine *cat.Engine
	// digest names the engine's exposure record in the bank: the SHA-256
	// of the run, the configuration and the pool's items.
	digest string
	index  map[string]int // pool index by item code

	// mu guards the newest version of the exposure record: its id in the
	// bank, its JSON and its value, which is replaced, never changed, when
	// a session finishes (so a session may start from it after the lock
	// is released).
	mu      sync.Mutex
	version int64
	record  []byte
	x       *cat.Exposure
}

// catTestOf builds the adaptive test k names: its configuration (k.config,
// JSON) on the pool of run k.run — the bank's keyed operational and
// pretest items with parameters in the run (catPool) — and the newest
// version of its exposure record, the first one stored when there is
// none (under Sympson–Hetter, the parameters tuned by simulation).
func catTestOf(ctx context.Context, b *bank.Bank, k testKey) (*test, error) {
	var cfg cat.Config
	if err := json.Unmarshal([]byte(k.config), &cfg); err != nil {
		return nil, fmt.Errorf("the adaptive configuration: %w", err)
	}
	run, err := b.Calibration(ctx, k.run)
	if err != nil {
		return nil, err
	}
	pool, err := catPool(ctx, b, run)
	if err != nil {
		return nil, err
	}
	items, err := b.Items(ctx, bank.ItemFilter{})
	if err != nil {
		return nil, err
	}
	byCode := make(map[string]bank.Item, len(items))
	for _, it := range items {
		byCode[it.Code] = it
	}
	pool = slices.DeleteFunc(pool, func(it cat.Item) bool { return byCode[it.ID].Key == 0 }) // a served item must be keyed
	e, err := cat.NewEngine(pool, cfg)
	if err != nil {
		return nil, fmt.Errorf("%s on run %d: %w", cfg.Name, run.ID, err)
	}
	c := &catTest{engine: e, index: make(map[string]int, len(pool))}
	h := sha256.New()
	fmt.Fprintf(h, "run %d\n%s\n", run.ID, k.config)
	t := &test{kind: bank.SessionCAT, run: run, length: e.Config().MaxLength, cat: c}
	pretest := false
	for i, it := range pool {
		bi := byCode[it.ID]
		t.pool = append(t.pool, servedItem{code: it.ID, stem: bi.Stem, options: bi.Options, order: "ABCDEFGHIJ"[:len(bi.Options)]})
		c.index[it.ID] = i
		fmt.Fprintf(h, "%s %t\n", it.ID, it.Pretest)
		pretest = pretest || it.Pretest
	}
	if pretest {
		t.length += e.Config().PretestSlots
	}
	t.index = c.index
	c.digest = hex.EncodeToString(h.Sum(nil))
	latest, err := b.LatestCATExposure(ctx, c.digest)
	switch {
	case err == nil:
		c.version, c.record = latest.ID, latest.Record
		c.x, err = decodeExposure(c.record)
		return t, err
	case !errors.Is(err, bank.ErrNotFound):
		return nil, err
	}
	c.x = e.NewExposure()
	if e.Config().Exposure.Method == cat.SympsonHetter {
		if c.x, err = e.TuneSympsonHetter(ctx, 1, 0); err != nil {
			return nil, err
		}
	}
	if c.record, err = json.Marshal(c.x); err != nil {
		return nil, err
	}
	c.version, err = b.AddCATExposure(ctx, c.digest, 0, c.record)
	return t, err
}

func decodeExposure(record []byte) (*cat.Exposure, error) {
	x := new(cat.Exposure)
	if err := json.Unmarshal(record, x); err != nil {
		return nil, fmt.Errorf("the exposure record: %w", err)
	}
	return x, nil
}

// begin stores a new session of the adaptive test by create, given the
// version of the exposure record it starts from, and starts it. The lock
// is held meanwhile, so that the version is not dropped before the open
// session holds it.
func (c *catTest) begin(create func(exposure int64) (*bank.Session, error)) (*bank.Session, sequence, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	rec, err := create(c.version)
	if err != nil {
		return nil, nil, err
	}
	seq, err := c.start(*rec, c.x)
	return rec, seq, err
}

// resume starts stored session rec again from the version of the exposure
// record it started from.
func (c *catTest) resume(ctx context.Context, b *bank.Bank, rec bank.Session) (sequence, error) {
	c.mu.Lock()
	x := c.x
	current := rec.Exposure == c.version
	c.mu.Unlock()
	if !current {
		v, err := b.CATExposureVersion(ctx, rec.Exposure)
		if err != nil {
			return nil, err
		}
		if v.Engine != c.digest {
			return nil, fmt.Errorf("exposure record %d belongs to another pool: the run's items or their statuses changed since the session started", rec.Exposure)
		}
		if x, err = decodeExposure(v.Record); err != nil {
			return nil, err
		}
	}
	return c.start(rec, x)
}

// start begins the engine's session for rec from exposure record x,
// without the items rec excludes.
func (c *catTest) start(rec bank.Session, x *cat.Exposure) (sequence, error) {
	sc, _, err := parseCATSession(rec)
	if err != nil {
		return nil, err
	}
	s := c.engine.StartWith(rec.Seed, x)
	var out []int
	for _, code := range sc.Exclude {
		if i, ok := c.index[code]; ok {
			out = append(out, i)
		}
	}
	if err := s.Exclude(out...); err != nil {
		return nil, err
	}
	return &catSequence{Session: s, c: c}, nil
}

// catSequence is an adaptive session: the engine's.
type catSequence struct {
	*cat.Session
	c *catTest
}

// finish closes session id with the engine's final estimate and class,
// and counts it in the exposure record, stored as the record's newest
// version in the same transaction.
func (s *catSequence) finish(ctx context.Context, b *bank.Bank, id int64) (*bank.Session, error) {
	r := s.Final()
	var category *int
	if len(s.c.engine.Config().Stop.Cuts) > 0 {
		category = &r.Category
	}
	c := s.c
	c.mu.Lock()
	defer c.mu.Unlock()
	x, err := decodeExposure(c.record) // a copy: the published value stays as it is
	if err != nil {
		return nil, err
	}
	x.Add(s.Session)
	record, err := json.Marshal(x)
	if err != nil {
		return nil, err
	}
	tests := 0
	for _, n := range x.Tests {
		tests += n
	}
	rec, version, err := b.FinishCATSession(ctx, id, r.Theta, r.SE, category, c.digest, tests, record)
	if err != nil {
		return nil, err
	}
	if version > 0 {
		c.version, c.record, c.x = version, record, x
	}
	return rec, nil
}

// classification is a finished adaptive session's class among the cut
// scores of its configuration.
type classification struct {
	Cuts     []float64 `json:"cuts"`     // on the result's scale
	Category int       `json:"category"` // the number of cuts at or below θ
	Label    string    `json:"label"`
}

// classify is rec's classification, nil without cut scores.
func (s *server) classify(rec bank.Session, cfg cat.Config) *classification {
	if rec.Category == nil || len(cfg.Stop.Cuts) == 0 {
		return nil
	}
	cl := &classification{Category: *rec.Category, Cuts: cfg.Stop.ScaleCuts}
	if cfg.Stop.Scale != s.scaleName || len(cl.Cuts) == 0 {
		cl.Cuts = nil
		for _, c := range cfg.Stop.Cuts {
			cl.Cuts = append(cl.Cuts, s.scale.Score(c))
		}
	}
	k, cuts := cl.Category, cl.Cuts
	switch {
	case k == 0:
		cl.Label = fmt.Sprintf("below %g", cuts[0])
	case k == len(cuts):
		cl.Label = fmt.Sprintf("%g or above", cuts[k-1])
	default:
		cl.Label = fmt.Sprintf("%g or above, below %g", cuts[k-1], cuts[k])
	}
	return cl
}
