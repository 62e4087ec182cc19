package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/passportirt/passport/bank"
)

// sampleBank is a bank with the demo items, a log on forms F01 and F02,
// run 1 with the simulation's true parameters, and one live assembled
// form (A1-1, the blueprint's 5-item sample by assemble --sample).
func sampleBank(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	db, log, truth := filepath.Join(dir, "p.db"), filepath.Join(dir, "log.csv"), filepath.Join(dir, "truth.csv")
	runAll(t, db, [][]string{
		{"init", "--demo"},
		{"simulate", "--examinees", "200", "--forms", "2", "--form-length", "20", "--anchors", "5", "-o", log, "--truth", truth},
		{"responses", "import", log},
		{"calibrations", "import", truth, "--model", "3pl"},
		{"assemble", "--run", "1", "--blueprint", fixtureBlueprint, "--sample", "--solver", "heuristic"},
	})
	return db
}

// TestCatSampleFixed: the fixed sample takes no item of the live form,
// spreads its difficulties in increasing order, covers 95% of fresh
// simulees' true scores, is stored with bands a service can look up, and
// is the same for the same seed.
func TestCatSampleFixed(t *testing.T) {
	db := sampleBank(t)
	out, errOut, err := run(t, db, "cat", "sample", "--run", "1", "--blueprint", fixtureBlueprint, "--simulees", "4000", "--seed", "3",
		"--format", "json", "--name", "free")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	var rep sampleReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	b, err := bank.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	live, err := b.Form(ctx, "A1-1")
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range live.Items {
		for _, c := range rep.Items {
			if c == it.Item {
				t.Errorf("the sample holds %s, on the live form A1-1", c)
			}
		}
	}
	run1, _ := b.Calibration(ctx, 1)
	bOf := map[string]float64{}
	for _, p := range run1.Params {
		bOf[p.Item] = p.B
	}
	for k := 1; k < len(rep.Items); k++ {
		if bOf[rep.Items[k]] < bOf[rep.Items[k-1]] {
			t.Errorf("items not in increasing difficulty: %v", rep.Items)
		}
	}
	for k, c := range rep.Items {
		if math.Abs(bOf[c]-rep.Targets[k]) > 0.25 {
			t.Errorf("item %s: b %.2f, target %.2f", c, bOf[c], rep.Targets[k])
		}
	}
	if tol := 3*math.Sqrt(0.95*0.05/4000) + 0.01; math.Abs(rep.Coverage-0.95) > tol {
		t.Errorf("coverage %.4f on fresh simulees, want 0.95 ± %.4f", rep.Coverage, tol)
	}
	if len(rep.Bands) != 6 || rep.MeanSE < 0.4 || rep.MeanSE > 0.9 || !strings.Contains(rep.Note, "band, not a point score") {
		t.Errorf("report: %d bands, mean SE %.3f, note %q", len(rep.Bands), rep.MeanSE, rep.Note)
	}
	f, err := b.Form(ctx, rep.Form)
	if err != nil || len(f.Items) != 5 {
		t.Fatalf("form %s: %v", rep.Form, err)
	}
	for raw := 0; raw <= 5; raw++ {
		band, err := b.SampleBand(ctx, rep.Form, raw)
		if err != nil {
			t.Fatal(err)
		}
		if band.Low != rep.Bands[raw].Low || band.High != rep.Bands[raw].High || !(band.Low < band.Mid && band.Mid < band.High) || band.Study != rep.Study {
			t.Errorf("raw %d: stored %+v, printed %+v", raw, band, rep.Bands[raw])
		}
		if raw > 0 {
			prev, _ := b.SampleBand(ctx, rep.Form, raw-1)
			if band.Mid <= prev.Mid {
				t.Errorf("raw %d's band middle %g not above raw %d's %g", raw, band.Mid, raw-1, prev.Mid)
			}
		}
	}
	// A second sample leaves out the first one's items, now live; the same
	// seed on a fresh bank gives the first sample again.
	out2, _, err := run(t, db, "cat", "sample", "--run", "1", "--blueprint", fixtureBlueprint, "--simulees", "4000", "--seed", "3", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var rep2 sampleReport
	json.Unmarshal([]byte(out2), &rep2)
	for _, c := range rep2.Items {
		for _, d := range rep.Items {
			if c == d {
				t.Errorf("the second sample reuses %s of the first, now live", c)
			}
		}
	}
	db2 := sampleBank(t)
	out3, _, err := run(t, db2, "cat", "sample", "--run", "1", "--blueprint", fixtureBlueprint, "--simulees", "4000", "--seed", "3", "--format", "json", "--name", "free")
	if err != nil {
		t.Fatal(err)
	}
	var rep3 sampleReport
	json.Unmarshal([]byte(out3), &rep3)
	rep3.Study, rep3.Form = rep.Study, rep.Form
	a, _ := json.Marshal(rep)
	c, _ := json.Marshal(rep3)
	if string(a) != string(c) {
		t.Errorf("the same seed on the same bank: different samples\n%s\n%s", a, c)
	}
}

// TestCatSampleAdaptive: the adaptive sample's bands by θ̂ decile cover
// 95% of fresh simulees, and only a study is stored.
func TestCatSampleAdaptive(t *testing.T) {
	db := sampleBank(t)
	out, errOut, err := run(t, db, "cat", "sample", "--run", "1", "--mode", "adaptive", "--simulees", "2000", "--format", "json")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	var rep sampleReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if tol := 3*math.Sqrt(0.95*0.05/2000) + 0.01; math.Abs(rep.Coverage-0.95) > tol {
		t.Errorf("coverage %.4f, want 0.95 ± %.4f", rep.Coverage, tol)
	}
	if rep.Form != "" || len(rep.Bands) < 5 || !strings.Contains(rep.Bands[0].Outcome, "θ̂ ≤") {
		t.Errorf("report %+v", rep)
	}
	out, _, err = run(t, db, "cat", "studies", "--format", "json")
	if err != nil || !strings.Contains(out, `"adaptive"`) {
		t.Errorf("studies: %v %s", err, out)
	}
}

// TestCatSampleErrors: bad flags and a pool with no eligible items give
// clear errors, and store nothing.
func TestCatSampleErrors(t *testing.T) {
	db := sampleBank(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--mode", "quiz", "--blueprint", fixtureBlueprint}, `--mode "quiz": expected fixed or adaptive`},
		{[]string{}, "--mode fixed needs --blueprint"},
		{[]string{"--mode", "adaptive", "--blueprint", fixtureBlueprint}, "an adaptive sample has no form"},
		{[]string{"--blueprint", fixtureBlueprint, "--level", "1"}, "--level"},
		{[]string{"--blueprint", fixtureBlueprint, "--simulees", "5"}, "--simulees"},
		{[]string{"--blueprint", fixtureBlueprint, "--scale", "nope"}, "--scale nope"},
		{[]string{"--blueprint", "missing.json"}, "missing.json"},
	} {
		_, _, err := run(t, db, append([]string{"cat", "sample", "--run", "1"}, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want an error with %q", c.args, err, c.want)
		}
	}
	// Every item excluded by the blueprint: no eligible items.
	b, _ := bank.Open(db)
	items, _ := b.Items(context.Background(), bank.ItemFilter{})
	b.Close()
	var codes []string
	for _, it := range items {
		codes = append(codes, `"`+it.Code+`"`)
	}
	bp := filepath.Join(t.TempDir(), "bp.json")
	if err := os.WriteFile(bp, []byte(`{"length": 50, "exclude": [`+strings.Join(codes, ",")+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := run(t, db, "cat", "sample", "--run", "1", "--blueprint", bp)
	if err == nil || !strings.Contains(err.Error(), "no eligible items") {
		t.Errorf("no eligible items: %v", err)
	}
	b, _ = bank.Open(db)
	defer b.Close()
	if st, _ := b.CATStudies(context.Background()); len(st) != 0 {
		t.Errorf("%d studies stored by failed commands", len(st))
	}
	if _, err := b.Form(context.Background(), "A2-1"); !errors.Is(err, bank.ErrNotFound) {
		t.Errorf("a form was stored by a failed command: %v", err)
	}
}

// TestServeSampleBand: the service reports a sample built by passport cat
// sample with the band its simulation stored for the candidate's number
// right, rather than θ ± 1.96 SE.
func TestServeSampleBand(t *testing.T) {
	db := sampleBank(t)
	out, errOut, err := run(t, db, "cat", "sample", "--run", "1", "--blueprint", fixtureBlueprint, "--simulees", "2000", "--format", "json")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	var rep sampleReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	b, err := bank.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	g := &globals{out: io.Discard, errOut: io.Discard, db: db}
	srv, err := newServer(context.Background(), b, &serveOptions{globals: g, token: testToken, sample: rep.Form, run: "1", scale: "passport", maxBody: 16 << 10})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	admin := &client{t: t, base: ts.URL, http: ts.Client(), token: testToken}
	var s sessionView
	if code, raw := admin.call("POST", "/api/v1/sessions", map[string]any{"examinee": "C9", "kind": "sample"}, &s); code != http.StatusCreated || s.Form != rep.Form {
		t.Fatalf("create: %d %s", code, raw)
	}
	cand := admin.as(s.Token)
	base := fmt.Sprintf("/api/v1/sessions/%d", s.Session)
	for pos := 1; pos <= 5; pos++ {
		if code, raw := cand.call("POST", base+"/answers", map[string]any{"position": pos, "option": "B"}, nil); code != http.StatusOK {
			t.Fatalf("answer %d: %d %s", pos, code, raw)
		}
	}
	var v sessionView
	if code, raw := cand.call("POST", base+"/finish", nil, &v); code != http.StatusOK || v.Result == nil || v.Result.Band == nil {
		t.Fatalf("finish: %d %s", code, raw)
	}
	answers, err := b.SessionAnswers(context.Background(), s.Session)
	if err != nil {
		t.Fatal(err)
	}
	right := 0
	for _, a := range answers {
		right += a.Score
	}
	want, err := b.SampleBand(context.Background(), rep.Form, right)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Result.Band; got.Low != want.Low || got.High != want.High || got.Level != want.Level || !strings.Contains(got.Note, "simulated candidates") {
		t.Errorf("%d right: band %+v, want the stored %.1f–%.1f", right, got, want.Low, want.High)
	}
}
