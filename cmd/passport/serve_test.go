package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/irt"
)

// testToken is the administrators' token of the test services.
const testToken = "test-admin-token-0123456789"

// serveBank makes a bank to serve: the demo items, a log of 200
// examinees on forms F01 and F02 (20 items each, 5 of them anchors, origin
// log), run 1 with the simulation's true parameters, and the sample A1-1
// (5 items, assembled from run 1, one scrambled version). It also holds
// form X1, with an unkeyed-free pretest item PRE-001 that run 1 has no
// parameters for (its stem and options hold HTML) and F01's first item.
func serveBank(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	db, log, truth := filepath.Join(dir, "p.db"), filepath.Join(dir, "log.csv"), filepath.Join(dir, "truth.csv")
	runAll(t, db, [][]string{
		{"init", "--demo"},
		{"simulate", "--examinees", "200", "--forms", "2", "--form-length", "20", "--anchors", "5", "-o", log, "--truth", truth},
		{"responses", "import", log},
		{"calibrations", "import", truth, "--model", "3pl"},
		{"assemble", "--run", "1", "--blueprint", fixtureBlueprint, "--sample", "--solver", "heuristic", "--versions", "1"},
	})
	items := filepath.Join(dir, "pretest.csv")
	os.WriteFile(items, []byte("id,domain,subdomain,status,stem,option_a,option_b,option_c,option_d,option_e,key,enemy_group\n"+
		`PRE-001,stdlib,html,pretest,"<script>alert('x')</script> What does a < b & c print?",<b>bold</b>,&amp;,"""quoted""",plain,,A,`+"\n"), 0o644)
	b, err := bank.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	f, err := b.Form(context.Background(), "F01")
	b.Close()
	if err != nil {
		t.Fatal(err)
	}
	x1 := filepath.Join(dir, "x1.csv")
	os.WriteFile(x1, []byte("examinee,form,item,option\nZ1,X1,PRE-001,A\nZ1,X1,"+f.Items[0].Item+",B\n"), 0o644)
	runAll(t, db, [][]string{{"items", "import", items}, {"responses", "import", x1}})
	return db
}

// testServer serves the bank db on a loopback port, with the sample
// A1-1, run 1 for forms not assembled and adaptive tests, and the
// adaptive configurations cats (NAME=FILE).
func testServer(t testing.TB, db string, cats ...string) (*httptest.Server, *server) {
	t.Helper()
	b, err := bank.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	g := &globals{out: io.Discard, errOut: io.Discard, db: db}
	srv, err := newServer(context.Background(), b, &serveOptions{globals: g, token: testToken, sample: "A1-1", run: "1", scale: "passport", maxBody: 16 << 10, cats: cats})
	if err != nil {
		b.Close()
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { ts.Close(); b.Close() })
	return ts, srv
}

// client calls a test service's API.
type client struct {
	t     testing.TB
	base  string
	http  *http.Client
	token string
}

// call sends a request with body (JSON-encoded unless a string) and
// decodes the reply into out (when not nil), returning the status and
// the raw reply, or an error's message.
func (c *client) call(method, path string, body, out any) (int, string) {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		js, _ := json.Marshal(b)
		rd = bytes.NewReader(js)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s %s: %v\n%s", method, path, err, raw)
		}
	}
	if resp.StatusCode >= 300 {
		var e map[string]string
		if json.Unmarshal(raw, &e) != nil || e["error"] == "" {
			c.t.Errorf("%s %s: %d, not a JSON error: %s", method, path, resp.StatusCode, raw)
		}
		return resp.StatusCode, e["error"]
	}
	return resp.StatusCode, string(raw)
}

func (c *client) as(token string) *client { d := *c; d.token = token; return &d }

// runParams is run's item parameters by item code.
func runParams(run *bank.Calibration) map[string]irt.ThreePL {
	params := map[string]irt.ThreePL{}
	for i, p := range run.ItemParams() {
		params[run.Params[i].Item] = p
	}
	return params
}

// checkScore checks that a stored answer is scored 1 exactly when its
// option is the item's key.
func checkScore(t *testing.T, a bank.SessionAnswer, it bank.Item) {
	t.Helper()
	if want := map[bool]int{true: 1, false: 0}[a.Option == it.Key]; a.Score != want {
		t.Errorf("position %d (%s, option %d, key %d) scored %d, want %d", a.Position, a.Item, a.Option, it.Key, a.Score, want)
	}
}

// handEAP is the EAP estimate of θ and its posterior SD from the scores
// on items, by direct summation over nodes with N(0, 1) weights
// (Bock & Mislevy 1982), written here apart from irt.EAP to
// check it.
func handEAP(items []irt.ThreePL, scores []int, nodes []float64) (theta, se float64) {
	var s0, s1, s2 float64
	for _, x := range nodes {
		w := math.Exp(-x * x / 2)
		for i, p := range items {
			if scores[i] == 1 {
				w *= p.Prob(x)
			} else {
				w *= 1 - p.Prob(x)
			}
		}
		s0, s1, s2 = s0+w, s1+w*x, s2+w*x*x
	}
	theta = s1 / s0
	return theta, math.Sqrt(s2/s0 - theta*theta)
}

// TestServeSample takes the sample through the API: the candidate sees
// stems and options but never a key or an item's code; each answer lands
// in the bank as a response of the session's import, with the option the
// candidate chose (mapped back through the scrambled version); retries
// are stored once, conflicting answers refused; the result is the EAP
// estimate, worked in the test by summing over the run's grid, with its
// band on the passport scale.
func TestServeSample(t *testing.T) {
	db := serveBank(t)
	ts, _ := testServer(t, db)
	admin := &client{t: t, base: ts.URL, http: ts.Client(), token: testToken}
	var s sessionView
	if code, raw := admin.call("POST", "/api/v1/sessions", map[string]any{"examinee": "C1", "kind": "sample"}, &s); code != http.StatusCreated {
		t.Fatalf("create: %d %s", code, raw)
	}
	if s.Token == "" || s.Form != "A1-1" || s.Count != 5 || s.Version != 1 || s.State != "open" {
		t.Fatalf("created %+v", s)
	}
	cand := admin.as(s.Token)
	base := fmt.Sprintf("/api/v1/sessions/%d", s.Session)

	b, err := bank.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	form, _ := b.Form(ctx, "A1-1")
	chosen := map[int]string{} // position → the text of the option chosen
	for pos := 1; ; pos++ {
		var n nextView
		code, raw := cand.call("GET", base+"/next", nil, &n)
		if code != http.StatusOK {
			t.Fatalf("next: %d %s", code, raw)
		}
		if n.Done {
			if pos != 6 {
				t.Errorf("done at position %d", pos)
			}
			break
		}
		if n.Position != pos || n.Count != 5 || n.Item == nil || len(n.Item.Options) < 2 {
			t.Fatalf("next at %d: %+v", pos, n)
		}
		if strings.Contains(raw, "key") || strings.Contains(raw, form.Items[pos-1].Item) {
			t.Errorf("the next item tells its key or code: %s", raw)
		}
		letter := string(rune('A' + pos%len(n.Item.Options)))
		chosen[pos] = n.Item.Options[pos%len(n.Item.Options)].Text
		var a answerView
		if code, raw := cand.call("POST", base+"/answers", map[string]any{"position": pos, "option": letter, "rt_ms": 1000 * pos}, &a); code != http.StatusOK || !a.Stored {
			t.Fatalf("answer %d: %d %s", pos, code, raw)
		}
		if code, _ := cand.call("POST", base+"/answers", map[string]any{"position": pos, "option": letter, "rt_ms": 1000 * pos}, &a); code != http.StatusOK || a.Stored {
			t.Errorf("a retried answer %d: %d, stored %v", pos, code, a.Stored)
		}
		other := string(rune('A' + (pos+1)%len(n.Item.Options)))
		if code, raw := cand.call("POST", base+"/answers", map[string]any{"position": pos, "option": other}, nil); code != http.StatusConflict || !strings.Contains(raw, "was answered "+letter) {
			t.Errorf("a different answer to position %d: %d %s", pos, code, raw)
		}
		if pos < 5 {
			if code, raw := cand.call("POST", base+"/answers", map[string]any{"position": pos + 2, "option": "A"}, nil); code != http.StatusConflict || !strings.Contains(raw, fmt.Sprintf("next position to answer is %d", pos+1)) {
				t.Errorf("skipping ahead from %d: %d %s", pos, code, raw)
			}
		}
	}
	// Before the end, no result; then the band.
	var v sessionView
	cand.call("GET", base, nil, &v)
	if v.Result != nil || v.Answered != 5 {
		t.Errorf("an unfinished session: %+v", v)
	}
	if code, raw := cand.call("POST", base+"/finish", nil, &v); code != http.StatusOK || v.Result == nil || v.Result.Band == nil || v.Result.Score != nil {
		t.Fatalf("finish: %d %s", code, raw)
	}
	var again sessionView
	if cand.call("POST", base+"/finish", nil, &again); again.Result == nil || again.Result.Theta != v.Result.Theta || *again.Result.Band != *v.Result.Band {
		t.Errorf("finishing again: %+v, first %+v", again.Result, v.Result)
	}
	if code, _ := cand.call("POST", base+"/answers", map[string]any{"position": 6, "option": "A"}, nil); code != http.StatusConflict {
		t.Errorf("an answer after the end: %d", code)
	}

	// The bank: five responses of the session's import, the options chosen.
	answers, err := b.SessionAnswers(ctx, s.Session)
	if err != nil || len(answers) != 5 {
		t.Fatalf("stored answers %+v (%v)", answers, err)
	}
	run, _ := b.Calibration(ctx, 1)
	params := runParams(run)
	var items []irt.ThreePL
	var scores []int
	for _, a := range answers {
		it, _ := b.Item(ctx, a.Item)
		if it.Options[a.Option-1] != chosen[a.Position] {
			t.Errorf("position %d: stored %s's option %d (%q), the candidate chose %q", a.Position, a.Item, a.Option, it.Options[a.Option-1], chosen[a.Position])
		}
		checkScore(t, a, it)
		if a.Item != form.Items[a.Position-1].Item {
			t.Errorf("position %d held %s, the form has %s", a.Position, a.Item, form.Items[a.Position-1].Item)
		}
		items, scores = append(items, params[a.Item]), append(scores, a.Score)
	}
	im, err := b.Import(ctx, v.Import)
	if err != nil || im.Kind != "serve" || im.Responses != 5 || im.Examinees != 1 {
		t.Errorf("the session's import %+v (%v)", im, err)
	}
	theta, se := handEAP(items, scores, run.Grid().Nodes)
	if r := v.Result; math.Abs(r.Theta-theta) > 1e-9 || math.Abs(r.SE-se) > 1e-9 {
		t.Errorf("θ = %g, SE = %g; summed by hand %g, %g", r.Theta, r.SE, theta, se)
	}
	lo := math.Max(300, math.Round(575+550.0/6*(theta-1.959964*se)))
	hi := math.Min(850, math.Round(575+550.0/6*(theta+1.959964*se)))
	if bd := v.Result.Band; bd.Low != lo || bd.High != hi || !strings.Contains(bd.Note, "1.96 SE") {
		t.Errorf("band %+v, want [%g, %g]", bd, lo, hi)
	}
}

// TestServeAccess: admin calls need the administrators' token; a
// session's token opens that session only; bodies are checked and
// bounded; every refusal is a JSON error.
func TestServeAccess(t *testing.T) {
	db := serveBank(t)
	ts, _ := testServer(t, db)
	admin := &client{t: t, base: ts.URL, http: ts.Client(), token: testToken}
	var s1, s2 sessionView
	admin.call("POST", "/api/v1/sessions", map[string]any{"examinee": "C1", "kind": "form", "form": "F01"}, &s1)
	admin.call("POST", "/api/v1/sessions", map[string]any{"examinee": "C2", "kind": "form", "form": "F02", "version": 0}, &s2)
	if s1.Token == "" || s2.Token == "" || s1.Token == s2.Token || s1.Count != 20 || s1.Run != 1 {
		t.Fatalf("sessions %+v, %+v", s1, s2)
	}
	nobody, c1 := admin.as(""), admin.as(s1.Token)
	b, err := bank.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	// snapshot is what the bank holds, which no refused request changes.
	snapshot := func() string {
		st, err := b.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := b.CountSessions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ss, err := b.Sessions(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		js, _ := json.Marshal([]any{st, sc, ss})
		return string(js)
	}
	before, refused := snapshot(), int64(0)
	for _, c := range []struct {
		who          *client
		method, path string
		body         any
		code         int
		want         string
	}{
		{nobody, "GET", "/api/v1/sessions", nil, 401, "administrators' bearer token"},
		{c1, "GET", "/api/v1/sessions", nil, 401, "administrators' bearer token"},
		{c1, "POST", "/api/v1/sessions", map[string]any{"examinee": "C9", "kind": "sample"}, 401, "administrators'"},
		{c1, "GET", "/api/v1/status", nil, 401, "administrators'"},
		{admin.as(testToken + "x"), "GET", "/api/v1/status", nil, 401, "administrators'"},
		{nobody, "GET", fmt.Sprintf("/api/v1/sessions/%d/next", s1.Session), nil, 401, "session's bearer token"},
		{c1, "GET", fmt.Sprintf("/api/v1/sessions/%d/next", s2.Session), nil, 401, fmt.Sprintf("does not open session %d", s2.Session)},
		{c1, "GET", "/api/v1/sessions/999/next", nil, 401, "does not open session 999"},
		{admin, "GET", "/api/v1/sessions/999", nil, 404, "session 999: not found"},
		{c1, "POST", fmt.Sprintf("/api/v1/sessions/%d/answers", s2.Session), map[string]any{"position": 1, "option": "A"}, 401, "does not open"},
		{c1, "POST", fmt.Sprintf("/api/v1/sessions/%d/answers", s1.Session), `{"position": 1, "option": "A"`, 400, "request body: not JSON: it ends early"},
		{c1, "POST", fmt.Sprintf("/api/v1/sessions/%d/answers", s1.Session), `{"position": 1, "option": "A", "score": 1}`, 400, `unknown field "score"`},
		{c1, "POST", fmt.Sprintf("/api/v1/sessions/%d/answers", s1.Session), `{"position": "one", "option": "A"}`, 400, "field position: expected a whole number, found a JSON string"},
		{c1, "POST", fmt.Sprintf("/api/v1/sessions/%d/answers", s1.Session), `{"position": 1, "option": "A"} {}`, 400, "expected one JSON object"},
		{c1, "POST", fmt.Sprintf("/api/v1/sessions/%d/answers", s1.Session), ``, 400, "empty"},
		{c1, "POST", fmt.Sprintf("/api/v1/sessions/%d/answers", s1.Session), `[1, "A"]`, 400, "request body: expected a JSON object, found a JSON array"},
		{c1, "POST", fmt.Sprintf("/api/v1/sessions/%d/answers", s1.Session), `{"position": 1, "option": A}`, 400, "request body: not JSON: unexpected character at byte"},
		{c1, "POST", fmt.Sprintf("/api/v1/sessions/%d/answers", s1.Session), `{"position": 1, "option": "` + strings.Repeat("A", 20000) + `"}`, 413, "larger than 16384 bytes"},
		{c1, "POST", fmt.Sprintf("/api/v1/sessions/%d/answers", s1.Session), map[string]any{"position": 1, "option": "Z"}, 400, `option "Z": expected a letter from A to`},
		{c1, "POST", fmt.Sprintf("/api/v1/sessions/%d/answers", s1.Session), map[string]any{"position": 1, "option": "A", "rt_ms": -5}, 400, "rt_ms -5"},
		{c1, "POST", fmt.Sprintf("/api/v1/sessions/%d/answers", s1.Session), map[string]any{"position": 0, "option": "A"}, 400, "position 0"},
		{admin, "POST", "/api/v1/sessions", map[string]any{"examinee": "C1", "kind": "form", "form": "F02"}, 409, "has session 1 open"},
		{admin, "POST", "/api/v1/sessions", map[string]any{"examinee": "C3", "kind": "form", "form": "F99"}, 404, "form F99: not found"},
		{admin, "POST", "/api/v1/sessions", map[string]any{"examinee": "C3", "kind": "quiz"}, 400, `kind "quiz": expected form, sample or cat`},
		{admin, "POST", "/api/v1/sessions", map[string]any{"examinee": "C 3", "kind": "sample"}, 400, "space"},
		{admin, "POST", "/api/v1/sessions", map[string]any{"examinee": "E000001", "kind": "form", "form": "F01"}, 409, "already has responses"},
		{admin, "GET", "/api/v1/nothing", nil, 404, "no such call"},
	} {
		if c.code == 400 || c.code == 409 || c.code == 413 { // the refusals the status counts
			refused++
		}
		code, raw := c.who.call(c.method, c.path, c.body, nil)
		if code != c.code || !strings.Contains(raw, c.want) {
			t.Errorf("%s %s %.60v: %d %s, want %d %q", c.method, c.path, c.body, code, raw, c.code, c.want)
		}
	}
	if after := snapshot(); after != before {
		t.Errorf("refused requests changed the bank:\nbefore %s\nafter  %s", before, after)
	}
	var list []sessionView
	if code, _ := admin.call("GET", "/api/v1/sessions?state=open", nil, &list); code != 200 || len(list) != 2 || list[0].Examinee != "C1" {
		t.Errorf("open sessions: %+v", list)
	}
	if strings.Contains(fmt.Sprint(list), s1.Token) {
		t.Error("the session list shows a token")
	}
	var st statusView
	if admin.call("GET", "/api/v1/status", nil, &st); st.Sessions.Open != 2 || st.Refused != refused || st.LiveSessions != 2 {
		t.Errorf("status %+v; want 2 open sessions and %d refused requests", st, refused)
	}
}

// TestServeResume: a session survives a restart of the server: a new
// server on the bank rebuilds it from its stored answers and goes on at
// the next position, with the same items; a pretest item (no parameters
// in the run) is delivered and stored but not scored.
func TestServeResume(t *testing.T) {
	db := serveBank(t)
	ts, _ := testServer(t, db)
	admin := &client{t: t, base: ts.URL, http: ts.Client(), token: testToken}
	var s sessionView
	admin.call("POST", "/api/v1/sessions", map[string]any{"examinee": "C1", "kind": "form", "form": "F01"}, &s)
	c := admin.as(s.Token)
	base := fmt.Sprintf("/api/v1/sessions/%d", s.Session)
	var stems []string
	for pos := 1; pos <= 20; pos++ {
		var n nextView
		if code, raw := c.call("GET", base+"/next", nil, &n); code != 200 || n.Position != pos {
			t.Fatalf("next at %d: %d %s", pos, code, raw)
		}
		stems = append(stems, n.Item.Stem)
		if pos == 7 { // delivered, not answered, and the server restarts
			ts.Close()
			ts, _ = testServer(t, db) // nothing in memory
			c.base, c.http = ts.URL, ts.Client()
			if code, raw := c.call("GET", base+"/next", nil, &n); code != 200 || n.Position != pos || n.Item.Stem != stems[pos-1] {
				t.Fatalf("next at %d after the restart: %d %s", pos, code, raw)
			}
		}
		if code, raw := c.call("POST", base+"/answers", map[string]any{"position": pos, "option": "B"}, nil); code != 200 {
			t.Fatalf("answer %d: %d %s", pos, code, raw)
		}
	}
	b, err := bank.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	form, _ := b.Form(ctx, "F01")
	answers, _ := b.SessionAnswers(ctx, s.Session)
	if len(answers) != 20 {
		t.Fatalf("%d answers stored, want 20", len(answers))
	}
	for i, a := range answers {
		it, _ := b.Item(ctx, a.Item)
		if a.Item != form.Items[i].Item || a.Option != 2 || a.Delivered != "B" {
			t.Errorf("position %d: %+v, want %s option B", i+1, a, form.Items[i].Item)
		}
		if i < len(stems) && stems[i] != it.Stem {
			t.Errorf("position %d delivered %q, the item's stem is %q", i+1, stems[i], it.Stem)
		}
	}
	var v sessionView
	if code, raw := c.call("POST", base+"/finish", nil, &v); code != 200 || v.Result == nil || v.Result.Score == nil || v.Result.Band != nil {
		t.Fatalf("finish: %d %s", code, raw)
	}
	// A finished session after a restart: its result, and a retried last
	// answer stored once.
	ts.Close()
	ts, _ = testServer(t, db)
	c.base, c.http = ts.URL, ts.Client()
	var av answerView
	if code, raw := c.call("POST", base+"/answers", map[string]any{"position": 20, "option": "B"}, &av); code != 200 || av.Stored || !av.Done {
		t.Errorf("the last answer retried after the end and a restart: %d %s", code, raw)
	}
	if code, raw := c.call("POST", base+"/answers", map[string]any{"position": 20, "option": "C"}, nil); code != 409 {
		t.Errorf("a different last answer after the end: %d %s", code, raw)
	}
	var again sessionView
	if c.call("GET", base, nil, &again); again.Result == nil || *again.Result.Score != *v.Result.Score || again.Count != 20 {
		t.Errorf("the finished session after a restart: %+v", again)
	}

	// Form X1: the pretest item PRE-001 (first) is stored, not scored.
	admin.base, admin.http = ts.URL, ts.Client()
	admin.call("POST", "/api/v1/sessions", map[string]any{"examinee": "C2", "kind": "form", "form": "X1"}, &s)
	c = admin.as(s.Token)
	base = fmt.Sprintf("/api/v1/sessions/%d", s.Session)
	var n nextView
	c.call("GET", base+"/next", nil, &n)
	if !strings.HasPrefix(n.Item.Stem, "<script>") || n.Count != 2 {
		t.Errorf("X1's first item: %+v", n)
	}
	c.call("POST", base+"/answers", map[string]any{"position": 1, "option": "A"}, nil)
	c.call("POST", base+"/finish", nil, &v)
	if v.Result == nil || math.Abs(v.Result.Theta) > 1e-9 || math.Abs(v.Result.SE-1) > 1e-3 {
		t.Errorf("a session with only a pretest item answered: %+v, want the prior's mean and SD", v.Result)
	}
	if a, _ := b.SessionAnswers(ctx, s.Session); len(a) != 1 || a[0].Item != "PRE-001" || a[0].Score != 1 {
		t.Errorf("the pretest answer %+v", a)
	}
}

// TestServeCommand: passport serve listens where it is told, serves, and
// stops cleanly when its context ends (as on SIGINT).
func TestServeCommand(t *testing.T) {
	db := serveBank(t)
	var errOut bytes.Buffer
	g := &globals{out: io.Discard, errOut: &errOut, db: db, lockTimeout: bank.DefaultLockTimeout}
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, &serveOptions{globals: g, addr: "127.0.0.1:0", sample: "A1-1", scale: "passport", maxBody: 1024,
			ready: func(a string) { addr <- a }})
	}()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case err := <-done:
		t.Fatal(err)
	case <-time.After(20 * time.Second):
		t.Fatal("the service did not start")
	}
	tok := strings.TrimSpace(errOut.String()[strings.Index(errOut.String(), "given): ")+len("given): "):])
	tok = strings.SplitN(tok, "\n", 2)[0]
	c := &client{t: t, base: base, http: http.DefaultClient, token: tok}
	var st statusView
	if code, raw := c.call("GET", "/api/v1/status", nil, &st); code != 200 || st.Sample != "A1-1" {
		t.Errorf("status with the printed token: %d %s", code, raw)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("stopping: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the service did not stop")
	}
	if !strings.Contains(errOut.String(), "stopped") {
		t.Errorf("stderr: %s", errOut.String())
	}
	if err := runServe(context.Background(), &serveOptions{globals: g, addr: "127.0.0.1:0", token: "short", scale: "passport"}); err == nil || !strings.Contains(err.Error(), "--token") {
		t.Errorf("a short token: %v", err)
	}
}
