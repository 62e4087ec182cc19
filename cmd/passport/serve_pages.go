package main

import (
	"bytes"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/passportirt/passport/bank"
)

// The pages: html/template (which escapes stems and options), one
// embedded stylesheet, no script and no external asset, so they work
// offline and with the keyboard alone (radio buttons and a submit button).
//
//go:embed serve_pages/layout.html serve_pages/style.css
var pageFS embed.FS

func parsePages() (*template.Template, error) {
	return template.New("pages").Funcs(template.FuncMap{"deref": func(p *float64) float64 { return *p }}).
		ParseFS(pageFS, "serve_pages/layout.html")
}

// The cookies of the pages: a candidate's session ("ID.TOKEN") and an
// operator's administrators' token. HttpOnly and SameSite=Strict, so no
// script reads them and no other site's form posts with them.
const (
	sessionCookie = "passport_session"
	adminCookie   = "passport_admin"
)

// pageCSP allows the pages only their own stylesheet and forms.
const pageCSP = "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// pageData is what the templates show.
type pageData struct {
	Title    string
	Error    string
	Refresh  int
	Sample   bool
	Adaptive bool // the count is a maximum
	Count    int
	Position int
	Answered int
	Stem     string
	Options  []optionView
	Result   *result
	Status   *statusView
	Sessions []sessionView
}

func (s *server) pageRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /{$}", s.pageHome)
	m.HandleFunc("POST /sample", s.pageStartSample)
	m.HandleFunc("GET /take", s.pageTake)
	m.HandleFunc("POST /take", s.pageAnswer)
	m.HandleFunc("GET /operator", s.pageOperator)
	m.HandleFunc("POST /operator", s.pageOperatorLogin)
	m.HandleFunc("GET /static/style.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=3600")
		http.ServeFileFS(w, r, pageFS, "serve_pages/style.css")
	})
}

// render writes page name with d, or a plain error when it fails.
func (s *server) render(w http.ResponseWriter, code int, name string, d pageData) {
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, name, d); err != nil {
		s.log.Printf("page %s: %v", name, err)
		http.Error(w, "internal error: see the server's log", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("X-Frame-Options", "DENY")
	w.WriteHeader(code)
	w.Write(buf.Bytes())
}

// pageError shows err on a page, with the status fail would give it.
func (s *server) pageError(w http.ResponseWriter, err error) {
	code, msg := http.StatusInternalServerError, "Something went wrong on the server; try again."
	var re *requestError
	switch {
	case errors.As(err, &re):
		code, msg = http.StatusBadRequest, err.Error()
	case errors.Is(err, bank.ErrNotFound):
		code, msg = http.StatusNotFound, err.Error()
	case errors.Is(err, bank.ErrConflict):
		code, msg = http.StatusConflict, err.Error()
	default:
		s.log.Printf("%v", err)
	}
	s.render(w, code, "home", pageData{Title: "Something went wrong", Error: msg, Sample: s.sample != "", Count: s.sampleLength()})
}

func (s *server) sampleLength() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, t := range s.tests {
		if k.kind == bank.SessionSample {
			return t.length
		}
	}
	return 0
}

func (s *server) pageHome(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, "home", pageData{Title: "Python Fundamentals", Sample: s.sample != "", Count: s.sampleLength()})
}

// pageStartSample starts a sample session for a new anonymous examinee.
func (s *server) pageStartSample(w http.ResponseWriter, r *http.Request) {
	var id [9]byte
	rand.Read(id[:])
	ls, tok, err := s.createSession(r.Context(), newSessionRequest{Examinee: "S-" + base64.RawURLEncoding.EncodeToString(id[:]), Kind: bank.SessionSample})
	if err != nil {
		s.pageError(w, err)
		return
	}
	setCookie(w, r, sessionCookie, fmt.Sprintf("%d.%s", ls.rec.ID, tok))
	http.Redirect(w, r, "/take", http.StatusSeeOther)
}

func setCookie(w http.ResponseWriter, r *http.Request, name, value string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
}

// pageSession is the session of the candidate's cookie, authorised by its
// token, or nil when there is none (or it does not open the session).
func (s *server) pageSession(r *http.Request) (*liveSession, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, nil
	}
	idText, tok, ok := strings.Cut(c.Value, ".")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || err != nil || id < 1 {
		return nil, nil
	}
	ls, err := s.session(r.Context(), id)
	if errors.Is(err, bank.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	r.Header.Set("Authorization", "Bearer "+tok)
	if _, ok := s.authorize(r, ls); !ok {
		return nil, nil
	}
	return ls, nil
}

// pageTake shows the candidate's next question, or the result. A link
// /take?session=ID&token=TOKEN (an administrator gives it to the
// candidate) sets the session's cookie and leads to /take.
func (s *server) pageTake(w http.ResponseWriter, r *http.Request) {
	if q := r.URL.Query(); q.Has("token") {
		setCookie(w, r, sessionCookie, q.Get("session")+"."+q.Get("token"))
		http.Redirect(w, r, "/take", http.StatusSeeOther)
		return
	}
	ls, err := s.pageSession(r)
	switch {
	case err != nil:
		s.pageError(w, err)
		return
	case ls == nil:
		s.render(w, http.StatusUnauthorized, "home", pageData{Title: "No test open", Sample: s.sample != "", Count: s.sampleLength(),
			Error: "This browser has no test open: start the sample, or open the link you were given."})
		return
	}
	s.showSession(w, r, ls, "")
}

// showSession shows ls's next question (with msg, when set, as an error),
// or its result once finished.
func (s *server) showSession(w http.ResponseWriter, r *http.Request, ls *liveSession, msg string) {
	n := s.next(ls)
	ls.mu.Lock()
	v := s.view(r.Context(), ls)
	ls.mu.Unlock()
	title := "The free sample"
	switch ls.rec.Kind {
	case bank.SessionForm:
		title = "Form " + ls.rec.Form
	case bank.SessionCAT:
		title = "Adaptive test " + v.Config
	}
	adaptive := ls.rec.Kind == bank.SessionCAT
	if n.Done {
		s.render(w, http.StatusOK, "result", pageData{Title: title + ": your result", Result: v.Result, Answered: v.Answered, Count: v.Count, Adaptive: adaptive})
		return
	}
	s.render(w, http.StatusOK, "question", pageData{Title: title, Error: msg, Count: n.Count, Position: n.Position, Answered: n.Answered,
		Stem: n.Item.Stem, Options: n.Item.Options, Adaptive: adaptive})
}

// pageAnswer stores the candidate's answer and goes on; after the last
// one it finishes the session.
func (s *server) pageAnswer(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, s.maxBody)
	ls, err := s.pageSession(r)
	if err == nil && ls == nil {
		err = badRequest("this browser has no test open")
	}
	if err != nil {
		s.pageError(w, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.pageError(w, badRequest("the answer could not be read: %v", err))
		return
	}
	pos, err := strconv.Atoi(r.PostForm.Get("position"))
	if err != nil {
		s.pageError(w, badRequest("the answer names no question"))
		return
	}
	if r.PostForm.Get("option") == "" {
		s.showSession(w, r, ls, "Choose an answer first.")
		return
	}
	v, err := s.answer(r.Context(), ls, answerRequest{Position: pos, Option: r.PostForm.Get("option")})
	if err != nil {
		s.pageError(w, err)
		return
	}
	if v.Done {
		if _, err := s.finish(r.Context(), ls); err != nil {
			s.pageError(w, err)
			return
		}
	}
	http.Redirect(w, r, "/take", http.StatusSeeOther)
}

// pageOperator lists the live sessions and the service's counts, for an
// operator signed in with the administrators' token.
func (s *server) pageOperator(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(adminCookie); err == nil {
		r.Header.Set("Authorization", "Bearer "+c.Value)
	}
	if !s.isAdmin(r) {
		s.render(w, http.StatusUnauthorized, "login", pageData{Title: "Operators"})
		return
	}
	st, err := s.status(r.Context())
	if err != nil {
		s.pageError(w, err)
		return
	}
	recs, err := s.b.Sessions(r.Context(), bank.SessionOpen)
	if err != nil {
		s.pageError(w, err)
		return
	}
	d := pageData{Title: "Operators: live sessions", Refresh: 10, Status: &st}
	for _, rec := range recs {
		d.Sessions = append(d.Sessions, s.recordView(r.Context(), rec, 0))
	}
	s.render(w, http.StatusOK, "operator", d)
}

func (s *server) pageOperatorLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, s.maxBody)
	if err := r.ParseForm(); err != nil {
		s.pageError(w, badRequest("the form could not be read: %v", err))
		return
	}
	r.Header.Set("Authorization", "Bearer "+r.PostForm.Get("token"))
	if !s.isAdmin(r) {
		s.render(w, http.StatusUnauthorized, "login", pageData{Title: "Operators", Error: "That is not the administrators' token."})
		return
	}
	setCookie(w, r, adminCookie, r.PostForm.Get("token"))
	http.Redirect(w, r, "/operator", http.StatusSeeOther)
}
