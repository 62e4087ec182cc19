package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/bank/cat"
	"github.com/passportirt/passport/irt"
)

// practiceConfig is fixtures/cat/practice.json: 20 items by a shadow
// test, an exposure cap of 0.3 by the restricted maximum rate, two
// pretest slots and a cut score at 625.
const practiceConfig = "../../fixtures/cat/practice.json"

// mfiConfig writes a plain maximum-information CAT of 20 items, the first
// drawn among the 10 most informative at the prior mean.
func mfiConfig(t testing.TB) string {
	file := filepath.Join(t.TempDir(), "mfi.json")
	if err := os.WriteFile(file, []byte(`{"name": "MFI", "max_length": 20, "selection": "mfi", "first_items": 10}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// catTaker takes an adaptive session through the API, recording the stem
// delivered and the letter chosen at each position.
type catTaker struct {
	c       *client
	base    string
	stems   []string
	letters []string
}

// step gets the next item and answers it (option by position: the
// letter is A, B, … in turn); it reports false when the test is done.
func (k *catTaker) step(t *testing.T) bool {
	t.Helper()
	var n nextView
	code, raw := k.c.call("GET", k.base+"/next", nil, &n)
	if code != http.StatusOK {
		t.Fatalf("next: %d %s", code, raw)
	}
	checkNoSecrets(t, raw)
	if n.Done {
		return false
	}
	if n.Position != len(k.stems)+1 {
		t.Fatalf("next position %d after %d answers", n.Position, len(k.stems))
	}
	letter := string(rune('A' + n.Position%len(n.Item.Options)))
	k.stems, k.letters = append(k.stems, n.Item.Stem), append(k.letters, letter)
	var a answerView
	code, raw = k.c.call("POST", k.base+"/answers", map[string]any{"position": n.Position, "option": letter}, &a)
	if code != http.StatusOK || !a.Stored {
		t.Fatalf("answer %d: %d %s", n.Position, code, raw)
	}
	checkNoSecrets(t, raw)
	return true
}

// itemCode matches the demo bank's item codes, such as SEM-001.
var itemCode = regexp.MustCompile(`\b(SEM|IDI|PRF|STD|PRE)-\d{3}\b`)

// checkNoSecrets checks that a reply to a candidate holds no item code and
// no field that could tell a key or a score.
func checkNoSecrets(t *testing.T, raw string) {
	t.Helper()
	if itemCode.MatchString(raw) {
		t.Errorf("a reply tells an item's code: %s", raw)
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for name, x := range v {
				if name == "key" || name == "code" || name == "score" || name == "correct" {
					t.Errorf("a reply has a field %q: %s", name, raw)
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	var v any
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		t.Errorf("a reply is not JSON: %v", err)
	}
	walk(v)
}

// TestServeCAT takes the adaptive practice test through the API as an
// examinee who answered form F01 before: the items come one at a time
// with neither key nor code, none of them answered before; retries are
// stored once and a different answer refused; two pretest items are
// stored and not scored; the result is the EAP estimate of the scored
// answers, summed in the test over the configuration's grid, with its
// score, band and class at 625; the exposure record counts the session.
func TestServeCAT(t *testing.T) {
	db := serveBank(t)
	ts, _ := testServer(t, db, "practice="+practiceConfig, "mfi="+mfiConfig(t))
	admin := &client{t: t, base: ts.URL, http: ts.Client(), token: testToken}
	for _, c := range []struct {
		body map[string]any
		code int
		want string
	}{
		{map[string]any{"examinee": "C9", "kind": "cat", "config": "nope"}, 400, `config "nope": expected one of the service's adaptive configurations ["mfi" "practice"]`},
		{map[string]any{"examinee": "C9", "kind": "cat", "config": "mfi", "form": "F01"}, 400, "no form nor version"},
		{map[string]any{"examinee": "C9", "kind": "form", "form": "F01", "config": "mfi"}, 400, "give it with kind cat"},
		{map[string]any{"examinee": "C9", "kind": "cat", "config": "mfi", "run": 99}, 404, "run 99"},
	} {
		if code, raw := admin.call("POST", "/api/v1/sessions", c.body, nil); code != c.code || !strings.Contains(raw, c.want) {
			t.Errorf("%v: %d %s, want %d %q", c.body, code, raw, c.code, c.want)
		}
	}

	b, err := bank.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	before, err := b.AnsweredItems(ctx, "E000001")
	if err != nil || len(before) == 0 {
		t.Fatalf("E000001 answered %v (%v)", before, err)
	}
	var s sessionView
	if code, raw := admin.call("POST", "/api/v1/sessions", map[string]any{"examinee": "E000001", "kind": "cat", "config": "practice"}, &s); code != http.StatusCreated {
		t.Fatalf("create: %d %s", code, raw)
	}
	if s.Kind != "cat" || s.Config != "practice" || s.Count != 22 || s.Run != 1 || s.Form != "" {
		t.Fatalf("created %+v", s)
	}
	k := &catTaker{c: admin.as(s.Token), base: fmt.Sprintf("/api/v1/sessions/%d", s.Session)}
	for k.step(t) {
		pos := len(k.stems)
		var a answerView
		if code, raw := k.c.call("POST", k.base+"/answers", map[string]any{"position": pos, "option": k.letters[pos-1]}, &a); code != 200 || a.Stored || a.Position != pos {
			t.Errorf("a retried answer %d: %d %s", pos, code, raw)
		}
		other := map[bool]string{true: "B", false: "A"}[k.letters[pos-1] == "A"] // every item has options A and B
		if code, raw := k.c.call("POST", k.base+"/answers", map[string]any{"position": pos, "option": other}, nil); code != http.StatusConflict || !strings.Contains(raw, "was answered "+k.letters[pos-1]) {
			t.Errorf("a different answer to %d: %d %s", pos, code, raw)
		}
	}
	if len(k.stems) != 22 {
		t.Fatalf("%d items delivered, want 20 and 2 pretest", len(k.stems))
	}
	var v sessionView
	if code, raw := k.c.call("POST", k.base+"/finish", nil, &v); code != 200 || v.Result == nil || v.Result.Score == nil || v.Result.Band == nil || v.Result.Classification == nil {
		t.Fatalf("finish: %d %s", code, raw)
	}
	if code, raw := k.c.call("POST", k.base+"/answers", map[string]any{"position": 23, "option": "A"}, nil); code != http.StatusConflict {
		t.Errorf("an answer after the end: %d %s", code, raw)
	}

	// The bank: 22 responses of the session's import, the letters chosen
	// (options as written), none to an item answered before.
	answers, err := b.SessionAnswers(ctx, s.Session)
	if err != nil || len(answers) != 22 {
		t.Fatalf("stored answers %d (%v)", len(answers), err)
	}
	run, _ := b.Calibration(ctx, 1)
	params := runParams(run)
	var items []irt.ThreePL
	var scores []int
	pretest, domains := 0, map[string]int{}
	for j, a := range answers {
		it, _ := b.Item(ctx, a.Item)
		if slices.Contains(before, a.Item) {
			t.Errorf("position %d: item %s, answered before", j+1, a.Item)
		}
		if it.Stem != k.stems[j] || a.Delivered != k.letters[j] || a.Option != int(k.letters[j][0]-'A')+1 {
			t.Errorf("position %d stored %+v (stem %.30q), delivered %.30q and chose %s", j+1, a, it.Stem, k.stems[j], k.letters[j])
		}
		checkScore(t, a, it)
		if it.Status == "pretest" {
			pretest++
			continue
		}
		domains[it.Domain]++
		items, scores = append(items, params[a.Item]), append(scores, a.Score)
	}
	if pretest != 2 || len(domains) != 4 || domains["semantics"] != 5 || domains["stdlib"] != 5 {
		t.Errorf("%d pretest items, domains %v; want 2 and 5 of each", pretest, domains)
	}
	// EAP by direct summation over the configuration's grid (61 nodes on
	// [−6, 6]) with N(0, 1) weights, on the scored items only.
	nodes := make([]float64, 61)
	for q := range nodes {
		nodes[q] = -6 + 12*float64(q)/60
	}
	theta, se := handEAP(items, scores, nodes)
	r := v.Result
	if math.Abs(r.Theta-theta) > 1e-6 || math.Abs(r.SE-se) > 1e-6 || r.Method != "eap" {
		t.Errorf("θ = %g, SE = %g by %s; summed by hand %g, %g", r.Theta, r.SE, r.Method, theta, se)
	}
	score := math.Max(300, math.Min(850, math.Round(575+550.0/6*theta)))
	category, label := 0, "below 625"
	if score >= 625 {
		category, label = 1, "625 or above"
	}
	if *r.Score != score || r.Classification.Category != category || r.Classification.Label != label || !slices.Equal(r.Classification.Cuts, []float64{625}) {
		t.Errorf("score %g, class %+v; want %g, %s", *r.Score, r.Classification, score, label)
	}
	if r.Band.Low > *r.Score || r.Band.High < *r.Score {
		t.Errorf("band %+v around %g", r.Band, *r.Score)
	}
	// The exposure record: one test, its scored and pretest items counted.
	rec, _ := b.Session(ctx, s.Session)
	if rec.Category == nil || *rec.Category != category {
		t.Errorf("stored category %v", rec.Category)
	}
	var sc catSessionConfig
	json.Unmarshal(rec.Config, &sc)
	if !slices.Equal(sc.Exclude, func() []string { x := slices.Clone(before); slices.Sort(x); return x }()) {
		t.Errorf("the session excludes %v; the examinee answered %v", sc.Exclude, before)
	}
	var x cat.Exposure
	var latest *bank.CATExposure
	if rows, err := b.Sessions(ctx, ""); err == nil && len(rows) == 1 {
		first, _ := b.CATExposureVersion(ctx, rows[0].Exposure)
		if first != nil {
			t.Errorf("the finished session's start version %d is kept", rows[0].Exposure)
		}
	}
	for id := int64(1); id < 10; id++ {
		if v, err := b.CATExposureVersion(ctx, id); err == nil && v.Tests == 1 {
			latest = v
		}
	}
	if latest == nil || json.Unmarshal(latest.Record, &x) != nil {
		t.Fatalf("no stored exposure record counts the session: %+v", latest)
	}
	counted := 0
	for _, row := range x.Administered {
		for _, n := range row {
			counted += n
		}
	}
	if counted != 22 || slices.Max(x.Tests) != 1 {
		t.Errorf("the exposure record counts %d items of %v tests, want 22 of 1", counted, x.Tests)
	}
}

// TestServeCATResume: an adaptive session survives restarts of the
// server, each time with the same next item, while other sessions finish
// between and change the exposure record (under the practice test's
// exposure cap, the items of a finished test are not eligible for the
// next ones): a resumed session replays against the version it started
// from. The exposure record survives the restarts too.
func TestServeCATResume(t *testing.T) {
	db := serveBank(t)
	cats := []string{"practice=" + practiceConfig}
	ts, _ := testServer(t, db, cats...)
	admin := &client{t: t, base: ts.URL, http: ts.Client(), token: testToken}
	var s sessionView
	admin.call("POST", "/api/v1/sessions", map[string]any{"examinee": "A1", "kind": "cat", "config": "practice"}, &s)
	a := &catTaker{c: admin.as(s.Token), base: fmt.Sprintf("/api/v1/sessions/%d", s.Session)}
	restart := func() {
		ts.Close()
		ts, _ = testServer(t, db, cats...)
		a.c.base, a.c.http, admin.base, admin.http = ts.URL, ts.Client(), ts.URL, ts.Client()
	}
	other := 0
	finishOther := func() {
		other++
		var o sessionView
		admin.call("POST", "/api/v1/sessions", map[string]any{"examinee": fmt.Sprintf("B%d", other), "kind": "cat", "config": "practice"}, &o)
		k := &catTaker{c: admin.as(o.Token), base: fmt.Sprintf("/api/v1/sessions/%d", o.Session)}
		for k.step(t) {
		}
		k.c.call("POST", k.base+"/finish", nil, nil)
	}
	for _, answers := range []int{0, 3, 10} {
		for len(a.stems) < answers {
			a.step(t)
		}
		var n nextView
		a.c.call("GET", a.base+"/next", nil, &n)
		finishOther()
		restart()
		var m nextView
		if code, raw := a.c.call("GET", a.base+"/next", nil, &m); code != 200 || m.Position != n.Position || m.Item.Stem != n.Item.Stem {
			t.Fatalf("after %d answers and a restart: %d %s; before it position %d, %.40q", answers, code, raw, n.Position, n.Item.Stem)
		}
	}
	for a.step(t) {
	}
	var v sessionView
	if code, raw := a.c.call("POST", a.base+"/finish", nil, &v); code != 200 || v.Answered != 22 || v.Result == nil {
		t.Fatalf("finish: %d %s", code, raw)
	}
	// The record counts all four tests, in the bank; versions no open
	// session starts from are gone.
	b, err := bank.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var ids []int64
	for id := int64(1); id < 20; id++ {
		if x, err := b.CATExposureVersion(context.Background(), id); err == nil {
			ids = append(ids, id)
			if x.Tests != 4 {
				t.Errorf("exposure record %d counts %d tests, want 4", id, x.Tests)
			}
		}
	}
	if len(ids) != 1 {
		t.Errorf("exposure record versions kept: %v, want only the newest", ids)
	}
}

// TestServeCATPage: a candidate given a link takes the adaptive practice
// test page by page, seeing the position of at most 22 questions, and at
// the end the score, its band and the class at 625.
func TestServeCATPage(t *testing.T) {
	db := serveBank(t)
	ts, _ := testServer(t, db, "practice="+practiceConfig)
	admin := &client{t: t, base: ts.URL, http: ts.Client(), token: testToken}
	var s sessionView
	admin.call("POST", "/api/v1/sessions", map[string]any{"examinee": "C1", "kind": "cat", "config": "practice"}, &s)
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	code, body := page(t, hc, fmt.Sprintf("%s/take?session=%d&token=%s", ts.URL, s.Session, s.Token), nil)
	position := regexp.MustCompile(`name="position" value="(\d+)"`)
	for q := 1; q <= 22; q++ {
		if code != 200 || !strings.Contains(body, "Adaptive test practice") || !strings.Contains(body, fmt.Sprintf("Question %d of at most 22", q)) ||
			!strings.Contains(body, fmt.Sprintf(`<progress id="progress" max="22" value="%d"`, q-1)) {
			t.Fatalf("question %d: %d %s", q, code, body)
		}
		m := position.FindStringSubmatch(body)
		code, body = page(t, hc, ts.URL+"/take", url.Values{"position": {m[1]}, "option": {"B"}})
	}
	score := regexp.MustCompile(`id="score">(\d+)</strong>`).FindStringSubmatch(body)
	band := regexp.MustCompile(`id="band-low">(\d+)</strong>\s+and <strong id="band-high">(\d+)</strong>`).FindStringSubmatch(body)
	class := regexp.MustCompile(`id="classification">Your result is <strong>(below 625|625 or above)</strong>`).FindStringSubmatch(body)
	if code != 200 || score == nil || band == nil || class == nil || !strings.Contains(body, "22 questions answered") {
		t.Fatalf("the result page: %d %s", code, body)
	}
	var v sessionView
	admin.call("GET", fmt.Sprintf("/api/v1/sessions/%d", s.Session), nil, &v)
	if v.Result == nil || fmt.Sprint(*v.Result.Score) != score[1] || fmt.Sprint(v.Result.Band.Low) != band[1] || v.Result.Classification.Label != class[1] {
		t.Errorf("the page shows %v %v %v; the API %+v", score, band, class, v.Result)
	}
}

// TestDemoServe runs the demo's delivery stage on a bank like the demo's:
// two candidates take the first assembled form and one the adaptive
// practice test, every answer in the bank when the session ends.
func TestDemoServe(t *testing.T) {
	db := serveBank(t)
	var out bytes.Buffer
	g := &globals{out: &out, errOut: io.Discard, db: db, format: "json", lockTimeout: bank.DefaultLockTimeout}
	if err := demoServe(context.Background(), g, []float64{-1, 1}, 0.8, practiceConfig, 1); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "candidate D003 (θ = 0.80, practice): 22 answers sent, 22 responses in the bank") {
		t.Errorf("the stage's output:\n%s", out.String())
	}
	text := out.String()
	var rows []demoCandidate
	if err := json.Unmarshal([]byte(text[strings.Index(text, "["):]), &rows); err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	if len(rows) != 3 || rows[2].Test != "practice" || rows[2].InBank != 22 || (rows[2].Class != "below 625" && rows[2].Class != "625 or above") || rows[0].Class != "" {
		t.Errorf("rows %+v", rows)
	}
}
