package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"time"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/irt"
)

// demoCandidate is a row of the demo's delivery stage.
type demoCandidate struct {
	Examinee  string  `json:"examinee" csv:"examinee"`
	TrueTheta float64 `json:"true_theta" csv:"true_theta" table:"decimals=2"`
	Test      string  `json:"test" csv:"test"` // the form, or the adaptive configuration
	Session   int64   `json:"session" csv:"session"`
	Version   int     `json:"version" csv:"version"`
	Answered  int     `json:"answered" csv:"answered"`
	InBank    int64   `json:"in_bank" csv:"in_bank"` // responses of the session's import, read from the bank
	Import    int64   `json:"import" csv:"import"`
	Theta     float64 `json:"theta" csv:"theta" table:"decimals=3"`
	SE        float64 `json:"se" csv:"se" table:"decimals=3"`
	Score     float64 `json:"score" csv:"score" table:"decimals=0"`
	Class     string  `json:"class,omitempty" csv:"class"` // an adaptive test's, at its cut scores
}

// demoServe starts passport serve on a free loopback port of the bank of
// g, sends a few simulated candidates of known θ through sessions on the
// bank's first assembled form by its JSON API (each answers right with
// the probability the form's run gives), and one more, of θ catTheta,
// through the adaptive test of configuration file practice on the same
// run, and shows, after each candidate, the responses the bank holds for
// the session; then it stops the service.
func demoServe(ctx context.Context, g *globals, thetas []float64, catTheta float64, practice string, seed uint64) error {
	b, err := bank.Open(g.db)
	if err != nil {
		return err
	}
	defer b.Close()
	forms, err := b.Forms(ctx)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(forms, func(f bank.Form) bool { return f.AssemblyID > 0 })
	if i < 0 {
		return errors.New("the bank has no assembled form to serve")
	}
	form := forms[i].Code
	f, err := b.Form(ctx, form)
	if err != nil {
		return err
	}
	a, err := b.Assembly(ctx, f.AssemblyID)
	if err != nil {
		return err
	}
	run, err := b.Calibration(ctx, a.CalibrationID)
	if err != nil {
		return err
	}
	params := run.ParamsByItem()
	items, err := b.Items(ctx, bank.ItemFilter{})
	if err != nil {
		return err
	}
	byStem := map[string]bank.Item{} // the operator's view of a delivered adaptive item, to simulate answers
	for _, it := range items {
		byStem[it.Stem] = it
	}

	sg := *g
	sg.out, sg.quiet = io.Discard, true
	tok := newToken()
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	ready, done := make(chan string, 1), make(chan error, 1)
	go func() {
		done <- runServe(sctx, &serveOptions{globals: &sg, addr: "127.0.0.1:0", token: tok, scale: "passport", maxBody: 16 << 10,
			cats: []string{"practice=" + practice}, run: refTo(run.ID), ready: func(addr string) { ready <- addr }})
	}()
	var c demoClient
	select {
	case addr := <-ready:
		c = demoClient{base: "http://" + addr, hc: &http.Client{Timeout: 30 * time.Second}}
		fmt.Fprintf(g.out, "passport serve listening on http://%s (candidates' pages at /, operators' at /operator)\n", addr)
	case err := <-done:
		return err
	}

	rng := rand.New(rand.NewPCG(seed, 0x5e55))
	// answer is a simulated candidate's letter for an item delivered with
	// key letter key among n options, drawn under the run's parameters
	// (irt.SimulateOption).
	answer := func(theta float64, item, key string, n int) string {
		k := int(key[0]-'A') + 1
		return string(rune('A' + irt.SimulateOption(rng, params[item], theta, k, n) - 1))
	}
	rows := make([]demoCandidate, len(thetas)+1)
	for k := range rows {
		row := &rows[k]
		row.Examinee, row.TrueTheta, row.Test = fmt.Sprintf("D%03d", k+1), catTheta, "practice"
		req := map[string]any{"examinee": row.Examinee, "kind": "cat", "config": "practice"}
		if k < len(thetas) {
			row.TrueTheta, row.Test = thetas[k], form
			req = map[string]any{"examinee": row.Examinee, "kind": "form", "form": form}
		}
		var s sessionView
		if err := c.do("POST", "/api/v1/sessions", tok, req, &s); err != nil {
			return err
		}
		row.Session, row.Version, row.Import = s.Session, s.Version, s.Import
		var d *bank.Delivered
		if k < len(thetas) {
			if d, err = b.Delivered(ctx, form, s.Version); err != nil { // the operator's view, keys included, to simulate answers
				return err
			}
		}
		base := fmt.Sprintf("/api/v1/sessions/%d", s.Session)
		for {
			var n nextView
			if err := c.do("GET", base+"/next", s.Token, nil, &n); err != nil {
				return err
			}
			if n.Done {
				break
			}
			var letter string
			if d != nil {
				di := d.Items[n.Position-1]
				letter = answer(row.TrueTheta, di.Item, di.Key, len(di.Options))
			} else { // adaptive: options as written
				it := byStem[n.Item.Stem]
				letter = answer(row.TrueTheta, it.Code, it.KeyLetter(), len(it.Options))
			}
			var av answerView
			if err := c.do("POST", base+"/answers", s.Token, map[string]any{"position": n.Position, "option": letter}, &av); err != nil {
				return err
			}
			row.Answered++
		}
		im, err := b.Import(ctx, s.Import) // read while the service runs: every answer is there
		if err != nil {
			return err
		}
		row.InBank = im.Responses
		var v sessionView
		if err := c.do("POST", base+"/finish", s.Token, nil, &v); err != nil {
			return err
		}
		row.Theta, row.SE, row.Score = v.Result.Theta, v.Result.SE, *v.Result.Score
		if cl := v.Result.Classification; cl != nil {
			row.Class = cl.Label
		}
		fmt.Fprintf(g.out, "candidate %s (θ = %.2f, %s): %d answers sent, %d responses in the bank under import %d\n",
			row.Examinee, row.TrueTheta, row.Test, row.Answered, row.InBank, row.Import)
	}
	stop()
	if err := <-done; err != nil {
		return err
	}
	return render(g.out, g.format, rows)
}

// demoClient calls passport serve's API for the demo.
type demoClient struct {
	base string
	hc   *http.Client
}

// do sends a JSON request with a bearer token and decodes a 2xx reply
// into out; another reply is an error with the service's message.
func (c demoClient) do(method, path, token string, body, out any) error {
	var rd io.Reader
	if body != nil {
		js, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(js)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		var e struct{ Error string }
		json.NewDecoder(resp.Body).Decode(&e)
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, e.Error)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}
