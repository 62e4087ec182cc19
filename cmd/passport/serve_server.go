package main

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"html/template"
	"log"
	"net/http"
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
	sample    string // the sample's form; "" for none
	run       int64  // scores forms not assembled; 0 for none
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
// form and sample sessions. (An adaptive test's builder joins here: a
// test whose start gives a sequence of the engine's session.)
func buildTest(ctx context.Context, b *bank.Bank, k testKey) (*test, error) {
	switch k.kind {
	case bank.SessionForm, bank.SessionSample:
		return formTest(ctx, b, k)
	}
	return nil, fmt.Errorf("sessions of kind %s: this server does not deliver them", k.kind)
}

// newSessionRequest is the body of a request for a new session.
type newSessionRequest struct {
	Examinee string `json:"examinee"`
	Kind     string `json:"kind"`    // form or sample
	Form     string `json:"form"`    // a form session's form
	Version  *int   `json:"version"` // default: one of the form's stored versions, by the session's seed
	Run      int64  `json:"run"`     // default: the form's assembly's run, or passport serve --run
}

// createSession stores a new session and returns it with its token, the
// only time the token is seen.
func (s *server) createSession(ctx context.Context, req newSessionRequest) (*liveSession, string, error) {
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
	default:
		return nil, "", badRequest("kind %q: expected form or sample", req.Kind)
	}
	if err := bank.CheckCode(req.Examinee); err != nil {
		return nil, "", badRequest("examinee: %v", err)
	}
	seed := newSeed()
	version := 0
	if req.Version != nil {
		if version = *req.Version; version < 0 {
			return nil, "", badRequest("version %d: expected 0 or more", version)
		}
	} else if f, err := s.b.Form(ctx, req.Form); err != nil {
		return nil, "", err
	} else if f.VersionCount > 0 {
		version = 1 + int(seed%uint64(f.VersionCount))
	}
	k, err := s.formKey(ctx, req.Kind, req.Form, version, req.Run)
	if err != nil {
		return nil, "", err
	}
	t, err := s.test(ctx, k)
	if err != nil {
		return nil, "", err
	}
	tok := newToken()
	rec, err := s.b.CreateSession(ctx, bank.NewSession{Examinee: req.Examinee, Kind: req.Kind, Form: req.Form, Version: version,
		Run: k.run, Seed: seed, TokenHash: hashToken(tok)})
	if err != nil {
		return nil, "", err
	}
	ls := &liveSession{rec: *rec, t: t, seq: t.start(seed)}
	if err := ls.advance(); err != nil {
		return nil, "", err
	}
	s.mu.Lock()
	s.sessions[rec.ID] = ls
	s.mu.Unlock()
	return ls, tok, nil
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
	t, err := s.test(ctx, testKey{kind: rec.Kind, form: rec.Form, version: rec.Version, run: rec.Run})
	if err != nil {
		return nil, err
	}
	ls = &liveSession{rec: *rec, t: t}
	if err := s.replay(ctx, ls); err != nil { // a finished one too: a retried answer names its item
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
func (s *server) replay(ctx context.Context, ls *liveSession) error {
	answers, err := s.b.SessionAnswers(ctx, ls.rec.ID)
	if err != nil {
		return err
	}
	ls.seq = ls.t.start(ls.rec.Seed)
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
	ls.rec.Answered = len(answers)
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
