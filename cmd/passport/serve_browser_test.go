package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/passportirt/passport/bank"
)

// chromium is the installed Chromium (or Chrome). Without one the test
// is skipped, except under CI=true, where a browser check must run.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium on PATH: CI must check the pages in a browser (apt-get install chromium)")
	}
	t.Skip("no Chromium on PATH: the browser check is skipped")
	return ""
}

// TestServeInChromium takes the sample in headless Chromium as a
// candidate would: the start button, the first question answered with
// the keyboard alone (Tab to the options, an arrow key to choose, Enter
// to send), the others by clicking; it checks the progress on each page
// and the band at the end, saves a screenshot, and finds the five answers
// in the bank.
func TestServeInChromium(t *testing.T) {
	browser := chromium(t)
	db := serveBank(t)
	ts, _ := testServer(t, db)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1000, 900))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(css("#start")), chromedp.Click(css("#start"))); err != nil {
		t.Fatalf("starting the sample: %v", err)
	}
	for q := 1; q <= 5; q++ {
		if err := chromedp.Do(ctx, chromedp.WaitVisible(css(fmt.Sprintf(`#progress[value="%d"]`, q-1)))); err != nil {
			t.Fatalf("question %d: %v", q, err)
		}
		progress, err := chromedp.Run(ctx, chromedp.Text(css("#progress-text")))
		if err != nil || progress != fmt.Sprintf("Question %d of 5", q) {
			t.Errorf("question %d shows %q (%v)", q, progress, err)
		}
		if q == 1 {
			// The keyboard alone: Tab past the skip link to the first
			// option, the down arrow chooses B, Enter sends the form.
			err = chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Tab))
			var focused string
			if err == nil {
				focused, err = chromedp.Run(ctx, chromedp.Evaluate[string]("document.activeElement.id"))
			}
			if err == nil && focused != "option-A" {
				t.Errorf("two Tabs from the top reach %q, not the first option", focused)
			}
			if err == nil {
				err = chromedp.Do(ctx, chromedp.Focus(css("#option-A")), chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.Enter))
			}
		} else {
			err = chromedp.Do(ctx, chromedp.Click(css("#option-B")), chromedp.Click(css("#answer")))
		}
		if err != nil {
			t.Fatalf("answering question %d: %v", q, err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(css("#result"))); err != nil {
		t.Fatalf("the result page: %v", err)
	}
	lo, err1 := chromedp.Run(ctx, chromedp.Text(css("#band-low")))
	hi, err2 := chromedp.Run(ctx, chromedp.Text(css("#band-high")))
	shot, err3 := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100: a PNG
	if err := errors.Join(err1, err2, err3); err != nil {
		t.Fatalf("the result page: %v", err)
	}
	path := filepath.Join(t.TempDir(), "sample-result.png")
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("the result page: band %s–%s; screenshot %s", lo, hi, path)
	l, _ := strconv.Atoi(lo)
	h, _ := strconv.Atoi(hi)
	if l < 300 || h > 850 || l >= h {
		t.Errorf("band %q–%q", lo, hi)
	}

	b, err := bank.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctxb := context.Background()
	ss, err := b.Sessions(ctxb, bank.SessionFinished)
	if err != nil || len(ss) != 1 || ss[0].Kind != bank.SessionSample || ss[0].Answered != 5 {
		t.Fatalf("sessions in the bank: %+v (%v)", ss, err)
	}
	answers, err := b.SessionAnswers(ctxb, ss[0].ID)
	if err != nil || len(answers) != 5 {
		t.Fatalf("answers %+v (%v)", answers, err)
	}
	for _, a := range answers {
		if a.Delivered != "B" {
			t.Errorf("position %d: %s chosen, the browser chose B", a.Position, a.Delivered)
		}
	}
	im, err := b.Import(ctxb, ss[0].ImportID)
	if err != nil || im.Responses != 5 {
		t.Errorf("the session's import %+v (%v)", im, err)
	}
	lo2, hi2 := scaleBandOf(t, ts.URL, ss[0].ID)
	if strconv.Itoa(int(lo2)) != lo || strconv.Itoa(int(hi2)) != hi {
		t.Errorf("the page shows %s–%s, the API %g–%g", lo, hi, lo2, hi2)
	}
}

// scaleBandOf is the band the API gives session id.
func scaleBandOf(t *testing.T, base string, id int64) (float64, float64) {
	t.Helper()
	c := &client{t: t, base: base, http: &http.Client{}, token: testToken}
	var v sessionView
	c.call("GET", fmt.Sprintf("/api/v1/sessions/%d", id), nil, &v)
	if v.Result == nil || v.Result.Band == nil {
		t.Fatalf("session %d: %+v", id, v)
	}
	return v.Result.Band.Low, v.Result.Band.High
}
