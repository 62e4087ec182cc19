package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/bank/cat"
	"github.com/passportirt/passport/scale"
)

func (s *server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("POST /api/v1/sessions", s.adminOnly(s.apiCreate))
	m.HandleFunc("GET /api/v1/sessions", s.adminOnly(s.apiList))
	m.HandleFunc("GET /api/v1/status", s.adminOnly(s.apiStatus))
	m.HandleFunc("GET /api/v1/sessions/{id}", s.withSession(s.apiSession))
	m.HandleFunc("GET /api/v1/sessions/{id}/next", s.withSession(s.apiNext))
	m.HandleFunc("POST /api/v1/sessions/{id}/answers", s.withSession(s.apiAnswer))
	m.HandleFunc("POST /api/v1/sessions/{id}/finish", s.withSession(s.apiFinish))
	m.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("%s %s: no such call; see passport help serve", r.Method, r.URL.Path))
	})
	s.pageRoutes(m)
	s.mux = m
}

// adminOnly lets through requests with the administrators' token.
func (s *server) adminOnly(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.isAdmin(r) {
			unauthorized(w, "this call needs the administrators' bearer token")
			return
		}
		h(w, r)
	}
}

// withSession loads the session of the path's {id} for a request with the
// administrators' token or the session's own.
func (s *server) withSession(h func(http.ResponseWriter, *http.Request, *liveSession)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id < 1 {
			writeError(w, http.StatusNotFound, fmt.Sprintf("session %q: expected a session number", r.PathValue("id")))
			return
		}
		admin := s.isAdmin(r)
		if !admin && bearer(r) == "" {
			unauthorized(w, "this call needs the session's bearer token")
			return
		}
		ls, err := s.session(r.Context(), id)
		if err != nil && !admin && errors.Is(err, bank.ErrNotFound) {
			// Whether a session exists is no business of another's.
			unauthorized(w, fmt.Sprintf("this token does not open session %d", id))
			return
		}
		if err != nil {
			s.fail(w, err)
			return
		}
		if _, ok := s.authorize(r, ls); !ok {
			unauthorized(w, fmt.Sprintf("this token does not open session %d", id))
			return
		}
		h(w, r, ls)
	}
}

// bearer is the request's bearer token, or "".
func bearer(r *http.Request) string {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

func (s *server) apiCreate(w http.ResponseWriter, r *http.Request) {
	var req newSessionRequest
	if err := s.decode(w, r, &req); err != nil {
		s.fail(w, err)
		return
	}
	ls, tok, err := s.createSession(r.Context(), req)
	if err != nil {
		s.fail(w, err)
		return
	}
	v := s.view(r.Context(), ls)
	v.Token = tok
	writeJSON(w, http.StatusCreated, v)
}

func (s *server) apiList(w http.ResponseWriter, r *http.Request) {
	state := r.URL.Query().Get("state")
	if state != "" && state != bank.SessionOpen && state != bank.SessionFinished {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("state %q: expected open or finished", state))
		return
	}
	recs, err := s.b.Sessions(r.Context(), state)
	if err != nil {
		s.fail(w, err)
		return
	}
	out := make([]sessionView, 0, len(recs))
	for _, rec := range recs {
		out = append(out, s.recordView(r.Context(), rec, 0))
	}
	writeJSON(w, http.StatusOK, out)
}

// statusView is the service's counts.
type statusView struct {
	Uptime       string             `json:"uptime"`
	Requests     int64              `json:"requests"`
	Stored       int64              `json:"answers_stored"`   // answers written since the start
	Repeated     int64              `json:"answers_repeated"` // retried answers, stored before
	Refused      int64              `json:"refused"`          // requests refused as conflicts or malformed
	LiveSessions int                `json:"live_sessions"`    // open sessions in memory
	Sessions     bank.SessionCounts `json:"sessions"`         // the bank's, every server's
	Sample       string             `json:"sample,omitempty"`
	CAT          []string           `json:"cat,omitempty"` // the adaptive configurations' names
}

func (s *server) status(ctx context.Context) (statusView, error) {
	c, err := s.b.CountSessions(ctx)
	s.mu.Lock()
	live := len(s.sessions)
	s.mu.Unlock()
	return statusView{Uptime: time.Since(s.started).Round(time.Second).String(), Requests: s.requests.Load(), Stored: s.stored.Load(),
		Repeated: s.repeated.Load(), Refused: s.refused.Load(), LiveSessions: live, Sessions: c, Sample: s.sample, CAT: s.catNames()}, err
}

func (s *server) apiStatus(w http.ResponseWriter, r *http.Request) {
	v, err := s.status(r.Context())
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *server) apiSession(w http.ResponseWriter, r *http.Request, ls *liveSession) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	writeJSON(w, http.StatusOK, s.view(r.Context(), ls))
}

func (s *server) apiNext(w http.ResponseWriter, r *http.Request, ls *liveSession) {
	writeJSON(w, http.StatusOK, s.next(ls))
}

// answerRequest is the body of an answer.
type answerRequest struct {
	Position int    `json:"position"`
	Option   string `json:"option"`
	RTms     *int64 `json:"rt_ms"` // default: the time since the item was delivered, when known
}

func (s *server) apiAnswer(w http.ResponseWriter, r *http.Request, ls *liveSession) {
	var req answerRequest
	if err := s.decode(w, r, &req); err != nil {
		s.fail(w, err)
		return
	}
	v, err := s.answer(r.Context(), ls, req)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *server) apiFinish(w http.ResponseWriter, r *http.Request, ls *liveSession) {
	v, err := s.finish(r.Context(), ls)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// optionView is an option as delivered.
type optionView struct {
	Letter string `json:"letter"`
	Text   string `json:"text"`
}

// deliveredItemView is an item as delivered: never its key, nor its code.
type deliveredItemView struct {
	Stem    string       `json:"stem"`
	Options []optionView `json:"options"`
}

// nextView is the item at a session's next position.
type nextView struct {
	Session  int64              `json:"session"`
	Position int                `json:"position"` // the position to answer; 0 when done
	Answered int                `json:"answered"`
	Count    int                `json:"count"` // items the session delivers (at most)
	Done     bool               `json:"done"`  // no more items: finish the session
	State    string             `json:"state"`
	Item     *deliveredItemView `json:"item,omitempty"`
}

// next is the item at ls's next position; the time it is first
// delivered is the start of its response time.
func (s *server) next(ls *liveSession) nextView {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	v := nextView{Session: ls.rec.ID, Answered: ls.rec.Answered, Count: ls.t.length, State: ls.rec.State,
		Done: ls.rec.State != bank.SessionOpen || ls.cur < 0}
	if v.Done {
		return v
	}
	if ls.shownAt.IsZero() {
		ls.shownAt = time.Now()
	}
	it := ls.t.pool[ls.cur]
	v.Position, v.Item = ls.rec.Answered+1, &deliveredItemView{Stem: it.stem}
	for m, text := range it.options {
		v.Item.Options = append(v.Item.Options, optionView{Letter: string(rune('A' + m)), Text: text})
	}
	return v
}

// answerView is what an answer did.
type answerView struct {
	Session  int64 `json:"session"`
	Position int   `json:"position"`
	Stored   bool  `json:"stored"` // false: the same answer was stored before (a retry)
	Next     int   `json:"next"`   // the next position to answer; 0 when done
	Done     bool  `json:"done"`
}

// maxRT bounds a response time given with an answer (a day).
const maxRT = int64(24 * time.Hour / time.Millisecond)

// answer stores an answer to ls, in the bank before anything else.
func (s *server) answer(ctx context.Context, ls *liveSession, req answerRequest) (answerView, error) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	answered := ls.rec.Answered
	var item int
	switch {
	case req.Position < 1:
		return answerView{}, badRequest("position %d: expected a position from 1", req.Position)
	case req.Position <= answered:
		item = ls.items[req.Position-1] // a retry, or a conflict the bank names
	case ls.rec.State != bank.SessionOpen:
		return answerView{}, fmt.Errorf("session %d is %s: %w; it takes no more answers", ls.rec.ID, ls.rec.State, bank.ErrConflict)
	case ls.cur < 0:
		return answerView{}, fmt.Errorf("position %d: %w; the session has no more items: finish it", req.Position, bank.ErrConflict)
	case req.Position != answered+1:
		return answerView{}, fmt.Errorf("position %d: %w; the next position to answer is %d", req.Position, bank.ErrConflict, answered+1)
	default:
		item = ls.cur
	}
	it := ls.t.pool[item]
	if len(req.Option) != 1 || req.Option[0] < 'A' || int(req.Option[0]-'A') >= len(it.options) {
		return answerView{}, badRequest("option %q: expected a letter from A to %c", req.Option, 'A'+len(it.options)-1)
	}
	rt := int64(-1)
	switch {
	case req.RTms != nil && (*req.RTms < 0 || *req.RTms > maxRT):
		return answerView{}, badRequest("rt_ms %d: expected 0 to %d", *req.RTms, maxRT)
	case req.RTms != nil:
		rt = *req.RTms
	case req.Position == answered+1 && !ls.shownAt.IsZero():
		rt = time.Since(ls.shownAt).Milliseconds()
	}
	a := bank.Answer{Position: req.Position, Item: it.code, Delivered: req.Option,
		Option: int(it.order[req.Option[0]-'A']-'A') + 1, RTms: rt, At: time.Now().Unix()}
	stored, added, err := s.b.SaveAnswer(ctx, ls.rec.ID, a)
	if err != nil {
		return answerView{}, err
	}
	if added {
		s.stored.Add(1)
		err := ls.seq.Answer(item, stored.Score)
		if err == nil {
			ls.items = append(ls.items, item)
			ls.rec.Answered++
			err = ls.advance()
		}
		if err != nil {
			// The answer is in the bank but the session in memory is not
			// past it: forget it, so the next request rebuilds it from
			// the bank.
			s.forget(ls.rec.ID)
			return answerView{}, err
		}
	} else {
		s.repeated.Add(1)
	}
	v := answerView{Session: ls.rec.ID, Position: req.Position, Stored: added, Done: ls.cur < 0 || ls.rec.State != bank.SessionOpen}
	if !v.Done {
		v.Next = ls.rec.Answered + 1
	}
	return v, nil
}

// finish closes ls with its estimate and returns it with its result;
// finishing a finished session returns its result.
func (s *server) finish(ctx context.Context, ls *liveSession) (sessionView, error) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.rec.State == bank.SessionOpen {
		var rec *bank.Session
		var err error
		if f, ok := ls.seq.(finisher); ok {
			rec, err = f.finish(ctx, s.b, ls.rec.ID)
		} else {
			theta, se := ls.seq.Estimate()
			rec, err = s.b.FinishSession(ctx, ls.rec.ID, theta, se)
		}
		if err != nil {
			return sessionView{}, err
		}
		ls.rec, ls.seq = *rec, nil
		s.forget(rec.ID)
	}
	return s.view(ctx, ls), nil
}

// sessionView is a session as the API shows it.
type sessionView struct {
	Session    int64   `json:"session"`
	Token      string  `json:"token,omitempty"` // only when created
	Examinee   string  `json:"examinee"`
	Kind       string  `json:"kind"`
	Form       string  `json:"form,omitempty"`
	Config     string  `json:"config,omitempty"` // an adaptive session's configuration, by name
	Version    int     `json:"version"`
	Run        int64   `json:"run"`
	State      string  `json:"state"`
	Answered   int     `json:"answered"`
	Count      int     `json:"count,omitempty"` // items the session delivers (at most)
	Import     int64   `json:"import"`
	CreatedAt  string  `json:"created_at"`
	FinishedAt string  `json:"finished_at,omitempty"`
	Result     *result `json:"result,omitempty"`
}

// result is a finished session's estimate and score.
type result struct {
	Theta  float64 `json:"theta"`
	SE     float64 `json:"se"`
	Method string  `json:"method"` // eap: the posterior mean and SD under the run; an adaptive test's final estimator
	Scale  string  `json:"scale"`
	// Score is θ on the scale, for a form or an adaptive test; Band, for
	// the sample, the scores of θ ± 1.96 SE, as 5 items cannot support
	// one score, and for an adaptive test beside its score.
	Score *float64 `json:"score,omitempty"`
	Band  *band    `json:"band,omitempty"`
	// Classification is an adaptive test's class among its
	// configuration's cut scores, when it has some.
	Classification *classification `json:"classification,omitempty"`
}

type band struct {
	Low   float64 `json:"low"`
	High  float64 `json:"high"`
	Level float64 `json:"level"` // 0.95
	Note  string  `json:"note"`
}

func (s *server) view(ctx context.Context, ls *liveSession) sessionView {
	return s.recordView(ctx, ls.rec, ls.t.length)
}

// recordView is rec as the API shows it; count is the number of items its
// test delivers, 0 when not known.
func (s *server) recordView(ctx context.Context, rec bank.Session, count int) sessionView {
	v := sessionView{Session: rec.ID, Examinee: rec.Examinee, Kind: rec.Kind, Form: rec.Form, Version: rec.Version, Run: rec.Run,
		State: rec.State, Answered: rec.Answered, Count: count, Import: rec.ImportID, CreatedAt: rec.CreatedAt, FinishedAt: rec.FinishedAt}
	var cfg cat.Config
	if rec.Kind == bank.SessionCAT {
		sc, c, err := parseCATSession(rec)
		if err != nil {
			s.log.Printf("%v", err)
		}
		v.Config, cfg = sc.Name, c
	}
	if rec.State != bank.SessionFinished {
		return v
	}
	v.Result = &result{Theta: rec.Theta, SE: rec.SE, Method: "eap", Scale: s.scaleName}
	if rec.Kind != bank.SessionSample {
		sc := s.scale.Score(rec.Theta)
		v.Result.Score = &sc
	}
	if rec.Kind == bank.SessionCAT {
		v.Result.Method, v.Result.Classification = cfg.Final, s.classify(rec, cfg)
	}
	if rec.Kind != bank.SessionForm {
		lo, hi := s.scale.Band(rec.Theta, rec.SE, scale.Z95)
		v.Result.Band = &band{Low: lo, High: hi, Level: 0.95, Note: fmt.Sprintf("θ ± 1.96 SE on the %s scale", s.scaleName)}
	}
	if rec.Kind == bank.SessionSample {
		v.Result.Band = s.sampleBand(ctx, rec, v.Result.Band)
	}
	return v
}

// sampleBand is the band a finished sample session reports: the one
// passport cat sample simulated for its number right on its form, when the
// bank has one on the service's scale, and otherwise fallback (θ ± 1.96
// SE).
func (s *server) sampleBand(ctx context.Context, rec bank.Session, fallback *band) *band {
	const why = ": a 5-question sample places a score only within such a band"
	answers, err := s.b.SessionAnswers(ctx, rec.ID)
	if err != nil {
		s.log.Printf("session %d: %v", rec.ID, err)
		fallback.Note += why
		return fallback
	}
	raw := 0
	for _, a := range answers {
		raw += a.Score
	}
	sb, err := s.b.SampleBand(ctx, rec.Form, raw)
	if err != nil || sb.Scale != s.scaleName {
		if err != nil && !errors.Is(err, bank.ErrNotFound) {
			s.log.Printf("session %d: %v", rec.ID, err)
		}
		fallback.Note += why
		return fallback
	}
	return &band{Low: sb.Low, High: sb.High, Level: sb.Level,
		Note: fmt.Sprintf("where %g%% of simulated candidates with %d of %d right stood on the %s scale (passport cat sample, study %d)%s",
			100*sb.Level, raw, len(answers), s.scaleName, sb.Study, why)}
}

// decode reads the request's JSON body into v: one object, at most
// maxBody bytes, no unknown fields.
func (s *server) decode(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, s.maxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var tooBig *http.MaxBytesError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		if dec.More() {
			return badRequest("request body: expected one JSON object, found more after it")
		}
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			return badRequest("request body: expected one JSON object, found more after it")
		}
		return nil
	case errors.As(err, &tooBig):
		return err
	case errors.Is(err, io.EOF):
		return badRequest("request body: empty; expected a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("request body: not JSON: it ends early")
	case errors.As(err, &syntax):
		return badRequest("request body: not JSON: unexpected character at byte %d", syntax.Offset)
	case errors.As(err, &typ) && typ.Field == "":
		return badRequest("request body: expected a JSON object, found a JSON %s", typ.Value)
	case errors.As(err, &typ):
		return badRequest("request body: field %s: expected %s, found a JSON %s", typ.Field, jsonKind(typ.Type), typ.Value)
	}
	return badRequest("request body: %s", strings.TrimPrefix(err.Error(), "json: "))
}

// jsonKind says what JSON value a Go type takes.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	}
	return "a " + t.String()
}

// fail writes err as a JSON error with its status: 400 for a malformed
// request, 413 for one too large, 404 for what does not exist, 409 for
// what the session's state refuses, 503 when the bank stayed busy, and
// 500, with the detail only in the server's log, for anything else.
func (s *server) fail(w http.ResponseWriter, err error) {
	var re *requestError
	var tooBig *http.MaxBytesError
	var lock *bank.LockError
	var in *bank.InputError
	switch {
	case errors.As(err, &re), errors.As(err, &in):
		s.refused.Add(1)
		writeError(w, http.StatusBadRequest, err.Error())
	case errors.As(err, &tooBig):
		s.refused.Add(1)
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", tooBig.Limit))
	case errors.Is(err, bank.ErrNotFound):
		writeError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, bank.ErrConflict):
		s.refused.Add(1)
		writeError(w, http.StatusConflict, err.Error())
	case errors.As(err, &lock):
		writeError(w, http.StatusServiceUnavailable, "the bank is busy with another writer: try again")
	default:
		s.log.Printf("%v", err)
		writeError(w, http.StatusInternalServerError, "internal error: see the server's log")
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}

func unauthorized(w http.ResponseWriter, msg string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="passport"`)
	writeError(w, http.StatusUnauthorized, msg)
}
