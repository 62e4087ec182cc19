package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
)

// serveOptions are passport serve's flags.
type serveOptions struct {
	*globals // streams, --db, --quiet
	addr     string
	token    string   // the administrators' bearer token; "" to take PASSPORT_TOKEN or make one
	sample   string   // the stored form served as the free sample; "" for none
	cats     []string // adaptive configurations, NAME=FILE
	run      ref      // scores forms that were not assembled
	scale    string
	maxBody  int
	// ready, when set, is told the address the service listens on once
	// it does (tests and passport demo start it on port 0).
	ready func(addr string)
}

func newServeCmd(g *globals) *cobra.Command {
	o := &serveOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Deliver forms and the sample over HTTP; every answer lands in the bank",
		Long: `Serves tests from the bank: a versioned JSON API (under /api/v1) that a
delivery platform calls, and plain browser pages for candidates (/) and
operators (/operator).

An administrator (bearer token from --token or PASSPORT_TOKEN; one is made
and printed when neither is given) creates a session for an examinee on a
stored form or the sample (--sample FORM, a 5-item form from passport
assemble --sample; candidates may also start it themselves from /). Each
session has its own secret token, which opens that session only. The
candidate gets each item (stem and options in the form version's order,
never the key) and answers it by position; each answer is written to the
bank in its own transaction before the reply, as a response of the import
that stands for the session (one import of kind serve per session), so
passport calibrate reads served data as it reads imported logs. A retried
answer is stored once; a different answer to an answered position is
refused (409). The result is θ by EAP under the form's run (its
assembly's, or --run), its SE and the score on --scale; the sample reports
a band, θ ± 1.96 SE on the scale, as 5 items cannot support one score.

Adaptive tests: --cat NAME=FILE (repeatable) makes a CAT configuration
(JSON, fixtures/cat/README.md; cut scores on a scale moved to θ with the
bank's scale) available to sessions of kind cat under NAME, on the run the
request names or --run. The pool is the run's keyed operational and
pretest items with parameters, less the items the examinee has answered
before (the bank keeps one response per examinee and item); the engine
(bank/cat) chooses each item after the last answer, fills its pretest
slots with pretest items (stored like any answer, for calibration, and
not scored) and stops by the configuration's rules. Each session stores
its configuration, so it resumes as it began even if the service is
restarted with other files. The result is θ by the configuration's final
estimator, its SE, the score and the 95% band on --scale, and the class
among the cut scores, if any. Exposure control reads a record of the
finished sessions shared by the sessions of one configuration and run:
a session starts from the record's newest version and counts in it when
it finishes, in the transaction that finishes it, so a restart keeps
the counts, and a resumed session replays against the version it
started from.

A session survives a dropped connection or a restart of the server: it is
rebuilt from the bank. SIGINT or SIGTERM stops the service after the
requests in flight.

API (JSON; errors are {"error": "..."}):
  POST /api/v1/sessions                 admin: {"examinee", "kind": "form"|"sample"|"cat", "form", "version", "run", "config"} → session and token
  GET  /api/v1/sessions[?state=open]    admin: the sessions
  GET  /api/v1/status                   admin: counts
  GET  /api/v1/sessions/{id}            the session, its result once finished
  GET  /api/v1/sessions/{id}/next       the item at the next position
  POST /api/v1/sessions/{id}/answers    {"position", "option": "B", "rt_ms"}
  POST /api/v1/sessions/{id}/finish     close the session and score it`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runServe(cmd.Context(), o) },
	}
	cmd.Flags().StringVar(&o.addr, "addr", "127.0.0.1:8080", "the address to listen on, HOST:PORT")
	cmd.Flags().StringVar(&o.token, "token", "", "the administrators' bearer token, 16 characters or more (default from PASSPORT_TOKEN)")
	cmd.Flags().StringVar(&o.sample, "sample", "", "the stored form served as the free sample (see passport assemble --sample)")
	cmd.Flags().StringArrayVar(&o.cats, "cat", nil, "an adaptive test sessions may take, NAME=FILE: its name in requests and its configuration (fixtures/cat/README.md); repeatable")
	cmd.Flags().Var(&o.run, "run", "the run scoring forms that were not assembled, by number or name")
	cmd.Flags().StringVar(&o.scale, "scale", "passport", "the reporting scale of results")
	intVar(cmd.Flags(), &o.maxBody, "max-body", 16<<10, 512, 1<<20, "the largest request body, in bytes")
	return cmd
}

// minTokenLen is the shortest administrators' token taken.
const minTokenLen = 16

// runServe serves until ctx is done or the process gets SIGINT or SIGTERM,
// then lets the requests in flight finish.
func runServe(ctx context.Context, o *serveOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if o.token == "" {
		o.token = os.Getenv("PASSPORT_TOKEN")
	}
	if o.token == "" {
		o.token = newToken()
		o.status("administrators' token (no --token or PASSPORT_TOKEN given): %s", o.token)
	}
	if len(o.token) < minTokenLen {
		return fmt.Errorf("--token: %d characters; expected %d or more", len(o.token), minTokenLen)
	}
	b, err := o.openBank()
	if err != nil {
		return err
	}
	defer b.Close()
	srv, err := newServer(ctx, b, o)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("--addr %s: %w", o.addr, err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	o.status("serving bank %s on http://%s (candidates: /, operators: /operator, API: /api/v1)", o.db, ln.Addr())
	if o.ready != nil {
		o.ready(ln.Addr().String())
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	failed := make(chan error, 1)
	go func() { failed <- hs.Serve(ln) }()
	select {
	case err := <-failed:
		return err
	case <-ctx.Done():
	}
	o.status("stopping: finishing the requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-failed; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	o.status("stopped; every answer received is in the bank")
	return nil
}

// newToken is a fresh secret: 32 bytes from crypto/rand, base64url.
func newToken() string {
	var b [32]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// newSeed is a session's random seed, from crypto/rand.
func newSeed() uint64 {
	var b [8]byte
	rand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:])
}

// hashToken is the SHA-256 of a token, as the bank stores it.
func hashToken(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}
