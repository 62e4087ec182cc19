package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// page fetches a page with the browser-like client hc (cookies, redirects
// followed), posting form when it is not nil.
func page(t *testing.T, hc *http.Client, u string, form url.Values) (int, string) {
	t.Helper()
	var resp *http.Response
	var err error
	if form == nil {
		resp, err = hc.Get(u)
	} else {
		resp, err = hc.PostForm(u, form)
	}
	if err != nil {
		t.Fatalf("%s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); strings.HasPrefix(ct, "text/html") && !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Errorf("%s: no content security policy", u)
	}
	return resp.StatusCode, string(body)
}

// TestServePages: a candidate starts the sample from the home page and
// answers it page by page, sees the progress and, at the end, the band;
// a candidate given a link takes a form whose HTML-laden item is shown
// escaped; an operator signs in and sees the live sessions and counts.
func TestServePages(t *testing.T) {
	db := serveBank(t)
	ts, _ := testServer(t, db)
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}

	code, body := page(t, hc, ts.URL+"/", nil)
	if code != 200 || !strings.Contains(body, `<button type="submit" id="start">`) || !strings.Contains(body, "has 5 questions") {
		t.Fatalf("home: %d %s", code, body)
	}
	code, body = page(t, hc, ts.URL+"/sample", url.Values{})
	position := regexp.MustCompile(`name="position" value="(\d+)"`)
	for q := 1; q <= 5; q++ {
		if code != 200 || !strings.Contains(body, fmt.Sprintf("Question %d of 5", q)) ||
			!strings.Contains(body, fmt.Sprintf(`<progress id="progress" max="5" value="%d"`, q-1)) || !strings.Contains(body, `<label for="option-A">`) {
			t.Fatalf("question %d: %d %s", q, code, body)
		}
		m := position.FindStringSubmatch(body)
		if q == 2 { // sent without a choice: asked again
			code, body = page(t, hc, ts.URL+"/take", url.Values{"position": {m[1]}})
			if code != http.StatusOK || !strings.Contains(body, "Choose an answer first.") || !strings.Contains(body, "Question 2 of 5") {
				t.Errorf("an answer without a choice: %s", body)
			}
		}
		code, body = page(t, hc, ts.URL+"/take", url.Values{"position": {m[1]}, "option": {"B"}})
	}
	band := regexp.MustCompile(`id="band-low">(\d+)</strong> and <strong id="band-high">(\d+)</strong>`)
	if code != 200 || band.FindStringSubmatch(body) == nil {
		t.Fatalf("the result page: %d %s", code, body)
	}
	// The same page again shows the result; an answer now is refused.
	if _, again := page(t, hc, ts.URL+"/take", nil); band.FindString(again) != band.FindString(body) {
		t.Errorf("the result page again: %s", again)
	}
	if code, _ := page(t, hc, ts.URL+"/take", url.Values{"position": {"6"}, "option": {"A"}}); code != http.StatusConflict {
		t.Errorf("an answer after the end: %d", code)
	}

	// A link given by an administrator, to form X1.
	admin := &client{t: t, base: ts.URL, http: ts.Client(), token: testToken}
	var s sessionView
	admin.call("POST", "/api/v1/sessions", map[string]any{"examinee": "C7", "kind": "form", "form": "X1"}, &s)
	jar2, _ := cookiejar.New(nil)
	hc2 := &http.Client{Jar: jar2}
	code, body = page(t, hc2, fmt.Sprintf("%s/take?session=%d&token=%s", ts.URL, s.Session, s.Token), nil)
	if code != 200 || !strings.Contains(body, "Form X1") || strings.Contains(body, "<script>") || strings.Contains(body, "<b>bold") ||
		!strings.Contains(body, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; What does a &lt; b &amp; c print?") || !strings.Contains(body, "&lt;b&gt;bold&lt;/b&gt;") ||
		!strings.Contains(body, "&amp;amp;") {
		t.Errorf("form X1's first page (the item's HTML escaped): %d %s", code, body)
	}
	jar3, _ := cookiejar.New(nil)
	if code, body := page(t, &http.Client{Jar: jar3}, fmt.Sprintf("%s/take?session=%d&token=%s", ts.URL, s.Session, "wrong"), nil); code != 401 || !strings.Contains(body, "no test open") {
		t.Errorf("a link with a wrong token: %d %s", code, body)
	}

	// The operator.
	jar4, _ := cookiejar.New(nil)
	op := &http.Client{Jar: jar4}
	if code, body := page(t, op, ts.URL+"/operator", nil); code != 401 || !strings.Contains(body, `<label for="token">`) {
		t.Errorf("operator page unsigned: %d %s", code, body)
	}
	if code, body := page(t, op, ts.URL+"/operator", url.Values{"token": {"wrong-token-wrong-token"}}); code != 401 || !strings.Contains(body, "not the administrators&#39; token") {
		t.Errorf("operator sign-in with a wrong token: %d %s", code, body)
	}
	code, body = page(t, op, ts.URL+"/operator", url.Values{"token": {testToken}})
	if code != 200 || !strings.Contains(body, "<td>C7</td><td>form</td><td>X1</td><td>0</td>") || !strings.Contains(body, "Finished sessions (bank)</th><td>1</td>") ||
		!strings.Contains(body, "Answers in the bank</th><td>5</td>") {
		t.Errorf("operator page: %d %s", code, body)
	}
}
