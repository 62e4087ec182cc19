package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/passportirt/passport/bank"
)

// candidate is a simulated candidate: a session, its token, and the
// stem delivered and the text of the option chosen at each position.
type candidate struct {
	examinee string
	session  int64
	token    string
	stems    []string
	chosen   []string
}

// api is a client of a service that may go away: it retries a request
// that fails in transport or with a 5xx until the deadline, as a delivery
// platform would across a restart of the server.
type api struct {
	base     string
	hc       *http.Client
	deadline time.Time
	retried  atomic.Int64
}

var errGaveUp = errors.New("gave up")

// do sends a request, retrying as above, and decodes a 2xx reply into
// out; another status is an error with the reply.
func (a *api) do(method, path, token string, body, out any) error {
	js, _ := json.Marshal(body)
	for {
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(js)
		}
		req, _ := http.NewRequest(method, a.base+path, rd)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := a.hc.Do(req)
		if err == nil {
			raw, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			switch {
			case rerr == nil && resp.StatusCode < 300:
				return json.Unmarshal(raw, out)
			case rerr == nil && resp.StatusCode < 500:
				return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, raw)
			}
		}
		if time.Now().After(a.deadline) {
			return fmt.Errorf("%s %s: %w at the deadline: %v", method, path, errGaveUp, err)
		}
		a.retried.Add(1)
		time.Sleep(20 * time.Millisecond)
	}
}

// createCandidates opens n sessions of the request req (its kind, form or
// config), for examinees L0001….
func createCandidates(a *api, n int, req map[string]any) ([]*candidate, error) {
	cs := make([]*candidate, n)
	for i := range cs {
		c := &candidate{examinee: fmt.Sprintf("L%04d", i+1)}
		body := maps.Clone(req)
		body["examinee"] = c.examinee
		var v sessionView
		if err := a.do("POST", "/api/v1/sessions", testToken, body, &v); err != nil {
			return nil, err
		}
		c.session, c.token = v.Session, v.Token
		cs[i] = c
	}
	return cs, nil
}

// take answers the candidate's session to its end, choosing options at
// random (the same choice for a position however often it is asked, so
// that a retry repeats it), and finishes it. timed, when set, is told the
// latency of each next-item ("next") and answer ("answer") request, and of
// each answer with the next-item request after it ("item"). With think > 0
// the candidate reads each item for a time drawn uniformly from [think/2,
// 3·think/2) before answering.
func (c *candidate) take(a *api, seed uint64, think time.Duration, timed func(kind string, d time.Duration), answered *atomic.Int64) error {
	rng := rand.New(rand.NewPCG(seed, 7))
	base := fmt.Sprintf("/api/v1/sessions/%d", c.session)
	var answer time.Duration
	for {
		var n nextView
		t0 := time.Now()
		if err := a.do("GET", base+"/next", c.token, nil, &n); err != nil {
			return err
		}
		if timed != nil {
			timed("next", time.Since(t0))
			if answer > 0 {
				timed("item", answer+time.Since(t0))
			}
		}
		if n.Done {
			break
		}
		if n.Position != len(c.chosen)+1 {
			return fmt.Errorf("%s: next position %d after %d answers", c.examinee, n.Position, len(c.chosen))
		}
		m := rng.IntN(len(n.Item.Options))
		if think > 0 {
			time.Sleep(think/2 + time.Duration(rng.Int64N(int64(think))))
		}
		c.stems, c.chosen = append(c.stems, n.Item.Stem), append(c.chosen, n.Item.Options[m].Text)
		var av answerView
		t0 = time.Now()
		if err := a.do("POST", base+"/answers", c.token, map[string]any{"position": n.Position, "option": n.Item.Options[m].Letter}, &av); err != nil {
			return err
		}
		answer = time.Since(t0)
		if timed != nil {
			timed("answer", answer)
		}
		answered.Add(1)
	}
	var v sessionView
	if err := a.do("POST", base+"/finish", c.token, nil, &v); err != nil {
		return err
	}
	if v.Result == nil || v.Result.Score == nil || len(c.chosen) == 0 {
		return fmt.Errorf("%s: finished without a score: %+v", c.examinee, v)
	}
	return nil
}

// checkCandidates checks the bank against the candidates' answers: each
// session finished, with one response per position answered, to the item
// whose stem was delivered there (for a form session, the form's item in
// the form's order), the option chosen, scored with the item's key, in
// its own import, and nothing else. form is "" for adaptive sessions.
func checkCandidates(t *testing.T, db, form string, cs []*candidate) {
	t.Helper()
	ctx := context.Background()
	b, err := bank.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var f *bank.Form
	if form != "" {
		if f, err = b.Form(ctx, form); err != nil {
			t.Fatal(err)
		}
	}
	items := map[string]bank.Item{}
	item := func(code string) bank.Item {
		it, ok := items[code]
		if !ok {
			if it, err = b.Item(ctx, code); err != nil {
				t.Fatal(err)
			}
			items[code] = it
		}
		return it
	}
	total, given := 0, 0
	for _, c := range cs {
		given += len(c.chosen)
		s, err := b.Session(ctx, c.session)
		if err != nil || s.State != bank.SessionFinished || s.Examinee != c.examinee || s.Answered != len(c.chosen) || (f != nil && len(c.chosen) != len(f.Items)) {
			t.Errorf("%s: session %+v (%v), %d answers given", c.examinee, s, err, len(c.chosen))
			continue
		}
		answers, err := b.SessionAnswers(ctx, c.session)
		if err != nil {
			t.Fatal(err)
		}
		for j, a := range answers {
			it := item(a.Item)
			if a.Position != j+1 || it.Options[a.Option-1] != c.chosen[j] || it.Stem != c.stems[j] || (f != nil && a.Item != f.Items[j].Item) {
				t.Errorf("%s: position %d stored %+v, the candidate was given %.30q and chose %q", c.examinee, j+1, a, c.stems[j], c.chosen[j])
			}
			checkScore(t, a, it)
		}
		im, err := b.Import(ctx, s.ImportID)
		if err != nil || im.Responses != int64(len(c.chosen)) || im.Examinees != 1 || im.Rows != len(c.chosen) {
			t.Errorf("%s: import %+v (%v)", c.examinee, im, err)
		}
		total += len(answers)
	}
	if c, err := b.CountSessions(ctx); err != nil || c.Answers != int64(total) || total != given || (f != nil && total != len(cs)*len(f.Items)) {
		t.Errorf("the bank holds %+v (%v) answers; the candidates gave %d", c, err, given)
	}
}

// percentile is the p-quantile (nearest rank) of sorted durations.
func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	return d[min(len(d)-1, int(p*float64(len(d))))]
}

// TestServeLoad: 200 candidates (20 under -short) at once against a
// service on the loopback address, taking form F01 (20 items), an
// adaptive test by maximum information (20 items) and the adaptive
// practice test (a shadow test with domain quotas, an exposure cap and
// two pretest items: 22 items); their latencies and the throughput are
// logged, not asserted; then the bank is checked against every
// candidate's answers. Targets (issue 14): p99 next-item latency ≤ 20 ms
// for MFI and ≤ 250 ms for the shadow test. The adaptive engine chooses
// the next item when the answer arrives, so its time is in the answer's
// latency; "item" is the two together, from the answer sent to the next
// item received. Candidates answer at once (a stress test: the service is
// then busy all the time, and latency is queueing), and, outside -short,
// the two adaptive tests again with candidates who read each item for
// about a second (0.5–1.5 s) before answering — still 50 times faster
// than people read a question.
func TestServeLoad(t *testing.T) {
	n := 200
	if testing.Short() {
		n = 20
	}
	cats := []string{"mfi=" + mfiConfig(t), "practice=" + practiceConfig}
	cases := []struct {
		name  string
		req   map[string]any
		think time.Duration
	}{
		{"form", map[string]any{"kind": "form", "form": "F01"}, 0},
		{"mfi", map[string]any{"kind": "cat", "config": "mfi"}, 0},
		{"shadow", map[string]any{"kind": "cat", "config": "practice"}, 0},
	}
	if !testing.Short() {
		cases = append(cases,
			struct {
				name  string
				req   map[string]any
				think time.Duration
			}{"mfi-paced", map[string]any{"kind": "cat", "config": "mfi"}, time.Second},
			struct {
				name  string
				req   map[string]any
				think time.Duration
			}{"shadow-paced", map[string]any{"kind": "cat", "config": "practice"}, time.Second})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := serveBank(t)
			ts, _ := testServer(t, db, cats...)
			cs := loadRun(t, ts.URL, n, c.req, c.think)
			form, _ := c.req["form"].(string)
			checkCandidates(t, db, form, cs)
		})
	}
}

// loadRun runs n candidates at once through sessions of req and logs the
// throughput and latencies.
func loadRun(t *testing.T, base string, n int, req map[string]any, think time.Duration) []*candidate {
	tr := &http.Transport{MaxIdleConnsPerHost: n, MaxConnsPerHost: n}
	defer tr.CloseIdleConnections()
	a := &api{base: base, hc: &http.Client{Transport: tr, Timeout: 30 * time.Second}, deadline: time.Now().Add(2 * time.Minute)}
	cs, err := createCandidates(a, n, req)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var nexts, answers, items []time.Duration
	timed := func(kind string, d time.Duration) {
		mu.Lock()
		switch kind {
		case "next":
			nexts = append(nexts, d)
		case "answer":
			answers = append(answers, d)
		default:
			items = append(items, d)
		}
		mu.Unlock()
	}
	var answered atomic.Int64
	start := time.Now()
	errs := make(chan error, n)
	for i, c := range cs {
		go func() { errs <- c.take(a, uint64(i), think, timed, &answered) }()
	}
	for range cs {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	wall := time.Since(start)
	slices.Sort(nexts)
	slices.Sort(answers)
	slices.Sort(items)
	t.Logf("%d candidates × %d items in %v: %.0f requests/s, %.0f answers/s", n, int(answered.Load())/n, wall.Round(time.Millisecond),
		float64(len(nexts)+len(answers)+n)/wall.Seconds(), float64(answered.Load())/wall.Seconds())
	t.Logf("next item: p50 %v, p99 %v, max %v (%d requests)", percentile(nexts, 0.5), percentile(nexts, 0.99), nexts[len(nexts)-1], len(nexts))
	t.Logf("answer:    p50 %v, p99 %v, max %v (%d requests)", percentile(answers, 0.5), percentile(answers, 0.99), answers[len(answers)-1], len(answers))
	t.Logf("item (answer + next): p50 %v, p99 %v", percentile(items, 0.5), percentile(items, 0.99))
	return cs
}

// TestServeKill: the server, built and run as its own process, is killed
// with SIGKILL while candidates answer, and started again on the same
// bank; the candidates retry what failed, every session resumes and
// completes, and the bank holds exactly the answers given: none lost,
// none doubled.
func TestServeKill(t *testing.T) {
	n := 50
	if testing.Short() {
		n = 10
	}
	db := serveBank(t)
	bin := filepath.Join(t.TempDir(), "passport")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var serr bytes.Buffer
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "serve", "--db", db, "--addr", addr, "--run", "1", "--quiet")
		cmd.Env = append(os.Environ(), "PASSPORT_TOKEN="+testToken)
		cmd.Stderr = &serr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	tr := &http.Transport{MaxIdleConnsPerHost: n}
	defer tr.CloseIdleConnections()
	a := &api{base: "http://" + addr, hc: &http.Client{Transport: tr, Timeout: 10 * time.Second}, deadline: time.Now().Add(time.Minute)}
	cmd := start()
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	cs, err := createCandidates(a, n, map[string]any{"kind": "form", "form": "F01"}) // retried until the server is up
	if err != nil {
		t.Fatal(err)
	}
	var answered atomic.Int64
	errs := make(chan error, n)
	for i, c := range cs {
		go func() { errs <- c.take(a, uint64(i), 0, nil, &answered) }()
	}
	for answered.Load() < int64(n*20/2) {
		if time.Now().After(a.deadline) {
			t.Fatalf("only %d of %d answers before the deadline; the server: %s", answered.Load(), n*20, serr.String())
		}
		time.Sleep(time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	t.Logf("killed the server (SIGKILL) after %d of %d answers; restarting it", answered.Load(), n*20)
	time.Sleep(100 * time.Millisecond)
	cmd = start()
	for range cs {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	t.Logf("every session completed; %d requests were retried across the restart", a.retried.Load())
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Errorf("the restarted server on SIGTERM: %v\n%s", err, serr.String())
	}
	checkCandidates(t, db, "F01", cs)
}

// BenchmarkServeAnswer measures one item of a session through the API on
// the loopback address: the next-item request and the answer (one bank
// transaction and, in an adaptive session, the choice of the next item),
// for form F01 (20 items), an adaptive test by maximum information (20
// items) and the adaptive practice test (a shadow test with domain
// quotas, 22 items). A new session starts after the last item, untimed.
func BenchmarkServeAnswer(b *testing.B) {
	for _, c := range []struct {
		name string
		req  map[string]any
	}{
		{"form", map[string]any{"kind": "form", "form": "F01"}},
		{"mfi", map[string]any{"kind": "cat", "config": "mfi"}},
		{"shadow", map[string]any{"kind": "cat", "config": "practice"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			db := serveBank(b)
			ts, _ := testServer(b, db, "mfi="+mfiConfig(b), "practice="+practiceConfig)
			a := &api{base: ts.URL, hc: ts.Client(), deadline: time.Now().Add(time.Hour)}
			var c0 *candidate
			var n nextView
			newSession := func(i int) {
				b.StopTimer()
				req := maps.Clone(c.req)
				req["examinee"] = fmt.Sprintf("B%07d", i)
				var v sessionView
				if err := a.do("POST", "/api/v1/sessions", testToken, req, &v); err != nil {
					b.Fatal(err)
				}
				c0 = &candidate{session: v.Session, token: v.Token}
				b.StartTimer()
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if c0 == nil {
					newSession(i)
				}
				base := fmt.Sprintf("/api/v1/sessions/%d", c0.session)
				if err := a.do("GET", base+"/next", c0.token, nil, &n); err != nil {
					b.Fatal(err)
				}
				if n.Done {
					newSession(i)
					base = fmt.Sprintf("/api/v1/sessions/%d", c0.session)
					if err := a.do("GET", base+"/next", c0.token, nil, &n); err != nil {
						b.Fatal(err)
					}
				}
				var av answerView
				if err := a.do("POST", base+"/answers", c0.token, map[string]any{"position": n.Position, "option": "A"}, &av); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
