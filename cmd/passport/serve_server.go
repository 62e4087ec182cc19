package main

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"html/template"
	"log"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/scale"
)

// server is passport serve's HTTP handler: the JSON API and the pages.
// Sessions live in memory while open, each rebuilt from the bank when
// first needed (after a restart); the bank is the record, written before
// every reply that stores something.
type server struct {
	b         *bank.Bank
	adminHash [sha256.Size]byte
	scaleName string
	scale     scale.Scale
	sample    string                     // the sample's form; "" for none
	cats      map[string]json.RawMessage // adaptive configurations by name (--cat)
	run       int64                      // scores forms not assembled; 0 for none
	maxBody   int64
	started   time.Time
	mux       *http.ServeMux
	pages     *template.Template
	log       *log.Logger // errors the service could not put in a reply

	mu       sync.Mutex
	tests    map[testKey]*test
	sessions map[int64]*liveSession

	requests, stored, repeated, refused atomic.Int64
}

// liveSession is an open session in memory: its record, its test and its
// sequence, with the items delivered so far.
type liveSession struct {
	mu      sync.Mutex
	rec     bank.Session
	t       *test
	seq     sequence // nil once finished
	items   []int    // pool indexes of the answered items, by position
	cur     int      // pool index at the next position; -1 when there is none
	shownAt time.Time
}

func newServer(ctx context.Context, b *bank.Bank, o *serveOptions) (*server, error) {
	s := &server{b: b, adminHash: sha256.Sum256([]byte(o.token)), scaleName: o.scale, sample: o.sample, maxBody: int64(o.maxBody),
		started: time.Now(), log: log.New(o.errOut, "passport serve: ", log.LstdFlags), tests: map[testKey]*test{}, sessions: map[int64]*liveSession{}}
	def, err := b.Scale(ctx, o.scale)
	if err != nil {
		return nil, fmt.Errorf("--scale %s: %w", o.scale, err)
	}
	s.scale = scale.Scale{Slope: def.Slope, Intercept: def.Intercept, Min: def.Min, Max: def.Max}
	if o.run != "" {
		if s.run, err = o.run.resolve(ctx, b, bank.KindRun); err != nil {
			return nil, fmt.Errorf("--run: %w", err)
		}
	}
	if s.cats, err = readCATConfigs(ctx, b, o.cats); err != nil {
		return nil, err
	}
	for name, cfg := range s.cats { // checked against --run's pool now rather than at the first session
		if s.run == 0 {
			break
		}
		if _, err := s.test(ctx, testKey{kind: bank.SessionCAT, run: s.run, config: string(cfg)}); err != nil {
			return nil, fmt.Errorf("--cat %s: %w", name, err)
		}
	}
	if o.sample != "" {
		k, err := s.formKey(ctx, bank.SessionSample, o.sample, 0, 0)
		if err == nil {
			_, err = s.test(ctx, k)
		}
		if err != nil {
			return nil, fmt.Errorf("--sample %s: %w", o.sample, err)
		}
	}
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	s.mux.ServeHTTP(w, r)
}

// formKey is the test a session of kind on form takes: version (a form
// with stored versions delivers one of them, chosen by the seed, when
// version is 0) and the run that scores it (the form's assembly's, or the
// server's --run, unless run is given).
func (s *server) formKey(ctx context.Context, kind, form string, version int, run int64) (testKey, error) {
	f, err := s.b.Form(ctx, form)
	if err != nil {
		return testKey{}, err
	}
	if version > f.VersionCount {
		return testKey{}, fmt.Errorf("form %s: version %d: %w; it has versions 0 to %d", form, version, bank.ErrNotFound, f.VersionCount)
	}
	if run == 0 && f.AssemblyID > 0 {
		a, err := s.b.Assembly(ctx, f.AssemblyID)
		if err != nil {
			return testKey{}, err
		}
		run = a.CalibrationID
	}
	if run == 0 {
		run = s.run
	}
	if run == 0 {
		return testKey{}, fmt.Errorf("form %s was not assembled, so no run scores it: name one (run, or passport serve --run)", form)
	}
	return testKey{kind: kind, form: form, version: version, run: run}, nil
}

// test returns the test k names, building it on first use.
func (s *server) test(ctx context.Context, k testKey) (*test, error) {
	s.mu.Lock()
	t := s.tests[k]
	s.mu.Unlock()
	if t != nil {
		return t, nil
	}
	t, err := buildTest(ctx, s.b, k)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if prev := s.tests[k]; prev != nil {
		return prev, nil
	}
	s.tests[k] = t
	return t, nil
}

// buildTest builds the test k names, by its kind: a stored form's for
// form and sample sessions, the engine's for adaptive ones.
func buildTest(ctx context.Context, b *bank.Bank, k testKey) (*test, error) {
	switch k.kind {
	case bank.SessionForm, bank.SessionSample:
		return formTest(ctx, b, k)
	case bank.SessionCAT:
		return catTestOf(ctx, b, k)
	}
	return nil, fmt.Errorf("sessions of kind %s: this server does not deliver them", k.kind)
}

// newSessionRequest is the body of a request for a new session.
type newSessionRequest struct {
	Examinee string `json:"examinee"`
	Kind     string `json:"kind"`    // form, sample or cat
	Form     string `json:"form"`    // a form session's form
	Version  *int   `json:"version"` // default: one of the form's stored versions, by the session's seed
	Run      int64  `json:"run"`     // default: the form's assembly's run, or passport serve --run
	Config   string `json:"config"`  // a cat session's configuration, by its --cat name
}

// createSession stores a new session and returns it with its token, the
// only time the token is seen.
func (s *server) createSession(ctx context.Context, req newSessionRequest) (*liveSession, string, error) {
	if req.Kind != bank.SessionCAT && req.Config != "" {
		return nil, "", badRequest("config names an adaptive configuration: give it with kind cat")
	}
	switch req.Kind {
	case bank.SessionForm:
		if req.Form == "" {
			return nil, "", badRequest("a form session needs a form")
		}
	case bank.SessionSample:
		if s.sample == "" {
			return nil, "", badRequest("this service has no sample: start it with passport serve --sample FORM")
		}
		if req.Form != "" && req.Form != s.sample {
			return nil, "", badRequest("the sample is form %s; leave out form", s.sample)
		}
		req.Form = s.sample
	case bank.SessionCAT:
		if req.Form != "" || req.Version != nil {
			return nil, "", badRequest("an adaptive session has no form nor version; leave them out")
		}
		if _, ok := s.cats[req.Config]; !ok {
			return nil, "", badRequest("config %q: expected one of the service's adaptive configurations %q (passport serve --cat NAME=FILE)", req.Config, s.catNames())
		}
	default:
		return nil, "", badRequest("kind %q: expected form, sample or cat", req.Kind)
	}
	if err := bank.CheckCode(req.Examinee); err != nil {
		return nil, "", badRequest("examinee: %v", err)
	}
	seed := newSeed()
	ns := bank.NewSession{Examinee: req.Examinee, Kind: req.Kind, Form: req.Form, Seed: seed}
	var k testKey
	if req.Kind == bank.SessionCAT {
		var err error
		if k, ns.Config, err = s.catKey(ctx, req); err != nil {
			return nil, "", err
		}
	} else {
		if req.Version != nil {
			if ns.Version = *req.Version; ns.Version < 0 {
				return nil, "", badRequest("version %d: expected 0 or more", ns.Version)
			}
		} else if f, err := s.b.Form(ctx, req.Form); err != nil {
			return nil, "", err
		} else if f.VersionCount > 0 {
			ns.Version = 1 + int(seed%uint64(f.VersionCount))
		}
		var err error
		if k, err = s.formKey(ctx, req.Kind, req.Form, ns.Version, req.Run); err != nil {
			return nil, "", err
		}
	}
	ns.Run = k.run
	t, err := s.test(ctx, k)
	if err != nil {
		return nil, "", err
	}
	tok := newToken()
	ns.TokenHash = hashToken(tok)
	rec, seq, err := t.begin(func(exposure int64) (*bank.Session, error) {
		ns.Exposure = exposure
		return s.b.CreateSession(ctx, ns)
	})
	if err != nil {
		return nil, "", err
	}
	ls := &liveSession{rec: *rec, t: t, seq: seq}
	if err := ls.advance(); err != nil {
		return nil, "", err
	}
	s.mu.Lock()
	s.sessions[rec.ID] = ls
	s.mu.Unlock()
	return ls, tok, nil
}

// catKey is the adaptive test of a new cat session and the configuration
// it stores: the named configuration on the request's run (default
// --run), without the items the examinee has answered before, as the
// bank keeps one response per examinee and item.
func (s *server) catKey(ctx context.Context, req newSessionRequest) (testKey, string, error) {
	run := req.Run
	if run == 0 {
		run = s.run
	}
	if run == 0 {
		return testKey{}, "", badRequest("an adaptive session needs a run, whose items and parameters make its pool: give run, or start the service with --run")
	}
	answered, err := s.b.AnsweredItems(ctx, req.Examinee)
	if err != nil {
		return testKey{}, "", err
	}
	slices.Sort(answered)
	cfg := s.cats[req.Config]
	js, err := json.Marshal(catSessionConfig{Name: req.Config, Config: cfg, Exclude: answered})
	return testKey{kind: bank.SessionCAT, run: run, config: string(cfg)}, string(js), err
}

// catNames are the names of the service's adaptive configurations, sorted.
func (s *server) catNames() []string {
	names := make([]string, 0, len(s.cats))
	for name := range s.cats {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// advance asks the sequence for the item at the next position.
func (ls *liveSession) advance() error {
	item, done, err := ls.seq.Next()
	if err != nil {
		return err
	}
	ls.cur, ls.shownAt = item, time.Time{}
	if done {
		ls.cur = -1
	}
	return nil
}

// forget drops session id from memory.
func (s *server) forget(id int64) {
	s.mu.Lock()
	delete(s.sessions, id)
	s.mu.Unlock()
}

// session returns session id, rebuilding it from the bank when it is not
// in memory: its test, and its sequence started with its seed and given
// its stored answers in order.
func (s *server) session(ctx context.Context, id int64) (*liveSession, error) {
	s.mu.Lock()
	ls := s.sessions[id]
	s.mu.Unlock()
	if ls != nil {
		return ls, nil
	}
	rec, err := s.b.Session(ctx, id)
	if err != nil {
		return nil, err
	}
	if rec.Run == 0 {
		return nil, fmt.Errorf("session %d: its run was deleted, so nothing scores it", id)
	}
	k := testKey{kind: rec.Kind, form: rec.Form, version: rec.Version, run: rec.Run}
	if rec.Kind == bank.SessionCAT {
		sc, _, err := parseCATSession(*rec)
		if err != nil {
			return nil, err
		}
		k.config = string(sc.Config)
	}
	t, err := s.test(ctx, k)
	if err != nil {
		return nil, err
	}
	ls = &liveSession{rec: *rec, t: t}
	if err := s.replay(ctx, ls); err != nil {
		return nil, fmt.Errorf("session %d: %w", id, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if prev := s.sessions[id]; prev != nil {
		return prev, nil
	}
	if rec.State == bank.SessionOpen {
		s.sessions[id] = ls
	}
	return ls, nil
}

// replay starts ls's sequence and gives it the session's stored answers.
// A finished session has no sequence: its items are those of its answers
// (a retried answer names its item).
func (s *server) replay(ctx context.Context, ls *liveSession) error {
	answers, err := s.b.SessionAnswers(ctx, ls.rec.ID)
	if err != nil {
		return err
	}
	ls.rec.Answered = len(answers)
	if ls.rec.State != bank.SessionOpen {
		for _, a := range answers {
			i, ok := ls.t.index[a.Item]
			if !ok {
				return fmt.Errorf("position %d holds item %s, which the test no longer has", a.Position, a.Item)
			}
			ls.items = append(ls.items, i)
		}
		ls.cur = -1
		return nil
	}
	if ls.seq, err = ls.t.resume(ctx, s.b, ls.rec); err != nil {
		return err
	}
	for _, a := range answers {
		if err := ls.advance(); err != nil {
			return err
		}
		if ls.cur < 0 || ls.t.pool[ls.cur].code != a.Item {
			return fmt.Errorf("replaying its answers: position %d holds item %s, which the test no longer delivers there", a.Position, a.Item)
		}
		if err := ls.seq.Answer(ls.cur, a.Score); err != nil {
			return err
		}
		ls.items = append(ls.items, ls.cur)
	}
	return ls.advance()
}

// authorize checks the request's bearer token: the administrators', or
// the token of session id (when id > 0). It returns whether the caller is
// an administrator. Tokens are compared in constant time.
func (s *server) authorize(r *http.Request, ls *liveSession) (admin bool, ok bool) {
	tok := bearer(r)
	if tok == "" {
		return false, false
	}
	h := sha256.Sum256([]byte(tok))
	if subtle.ConstantTimeCompare(h[:], s.adminHash[:]) == 1 {
		return true, true
	}
	return false, ls != nil && subtle.ConstantTimeCompare(h[:], ls.rec.TokenHash) == 1
}

// isAdmin says whether the request carries the administrators' token.
func (s *server) isAdmin(r *http.Request) bool {
	admin, _ := s.authorize(r, nil)
	return admin
}

// requestError is a request the service refuses as malformed (400).
type requestError struct{ msg string }

func (e *requestError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &requestError{fmt.Sprintf(format, args...)}
}
