package bank

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

// TestCATExposureVersions: finishing an adaptive session stores the
// engine's exposure record as a new version in the transaction that
// closes the session, and drops the versions that are neither the newest
// nor the start of an open session; finishing again stores nothing; a
// NaN estimate or a record that is not JSON is refused and leaves the
// session open and the versions as they were.
func TestCATExposureVersions(t *testing.T) {
	ctx := context.Background()
	b := servedBank(t)
	const engine = "e1"
	v1, err := b.AddCATExposure(ctx, engine, 0, []byte(`{"tests": [0]}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.AddCATExposure(ctx, engine, 0, []byte(`{`)); err == nil {
		t.Error("a record that is not JSON was stored")
	}
	newCAT := func(examinee, tok string, exposure int64) *Session {
		t.Helper()
		s, err := b.CreateSession(ctx, NewSession{Examinee: examinee, Kind: SessionCAT, Run: 1, Config: `{"name": "x"}`, Exposure: exposure, TokenHash: tokenHash(tok)})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if _, err := b.CreateSession(ctx, NewSession{Examinee: "Q9", Kind: SessionCAT, Run: 1, Exposure: 99, TokenHash: tokenHash("q9")}); !errors.Is(err, ErrNotFound) {
		t.Errorf("a session from exposure record 99: %v", err)
	}
	s1, s2 := newCAT("Q1", "q1", v1), newCAT("Q2", "q2", v1)
	versions := func() []int64 {
		var ids []int64
		for id := int64(1); id <= 10; id++ {
			if _, err := b.CATExposureVersion(ctx, id); err == nil {
				ids = append(ids, id)
			}
		}
		return ids
	}

	// Refused: nothing changes.
	cat := 1
	for _, bad := range []struct {
		theta, se float64
		record    string
		want      string
	}{
		{math.NaN(), 0.3, `{}`, "expected finite numbers"},
		{0.1, math.Inf(1), `{}`, "expected finite numbers"},
		{0.1, 0.3, `{"tests": [`, "not JSON"},
	} {
		if _, _, err := b.FinishCATSession(ctx, s1.ID, bad.theta, bad.se, &cat, engine, 1, []byte(bad.record)); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("finishing with θ = %g, SE = %g, record %s: %v, want %q", bad.theta, bad.se, bad.record, err, bad.want)
		}
	}
	if s, _ := b.Session(ctx, s1.ID); s.State != SessionOpen || !slices.Equal(versions(), []int64{v1}) {
		t.Errorf("after refused finishes: session %+v, versions %v; want open, [%d]", s, versions(), v1)
	}

	// s1 finishes: version 2; version 1 stays, as s2 started from it.
	f1, v2, err := b.FinishCATSession(ctx, s1.ID, 0.5, 0.3, &cat, engine, 1, []byte(`{"tests": [1]}`))
	if err != nil || v2 <= v1 || f1.State != SessionFinished || f1.Theta != 0.5 || f1.SE != 0.3 || f1.Category == nil || *f1.Category != 1 {
		t.Fatalf("finish: %+v, version %d (%v)", f1, v2, err)
	}
	if !slices.Equal(versions(), []int64{v1, v2}) {
		t.Errorf("versions %v, want [%d %d]", versions(), v1, v2)
	}
	latest, err := b.LatestCATExposure(ctx, engine)
	if err != nil || latest.ID != v2 || latest.Tests != 1 || string(latest.Record) != `{"tests": [1]}` {
		t.Errorf("latest %+v (%v)", latest, err)
	}
	// Finishing again stores nothing.
	if again, v, err := b.FinishCATSession(ctx, s1.ID, 9, 9, nil, engine, 2, []byte(`{}`)); err != nil || v != 0 || again.Theta != 0.5 || !slices.Equal(versions(), []int64{v1, v2}) {
		t.Errorf("finishing again: %+v, version %d (%v), versions %v", again, v, err, versions())
	}
	// s2 finishes without cut scores: version 3; versions 1 and 2 go, and
	// the finished sessions' start version is cleared.
	f2, v3, err := b.FinishCATSession(ctx, s2.ID, -0.5, 0.4, nil, engine, 2, []byte(`{"tests": [2]}`))
	if err != nil || f2.Category != nil || f2.Exposure != 0 || !slices.Equal(versions(), []int64{v3}) {
		t.Errorf("second finish: %+v, versions %v, want [%d] (%v)", f2, versions(), v3, err)
	}
	if _, err := b.LatestCATExposure(ctx, "other"); !errors.Is(err, ErrNotFound) {
		t.Errorf("another engine's record: %v", err)
	}
	// AnsweredItems: an examinee of the log, and one the bank does not know.
	got, err := b.AnsweredItems(ctx, "E0000001") // form F01 of the log: IT006–IT010
	slices.Sort(got)
	if err != nil || !slices.Equal(got, []string{"IT006", "IT007", "IT008", "IT009", "IT010"}) {
		t.Errorf("E0000001 answered %v (%v)", got, err)
	}
	if got, err := b.AnsweredItems(ctx, "NOBODY"); err != nil || len(got) != 0 {
		t.Errorf("an unknown examinee answered %v (%v)", got, err)
	}
}
