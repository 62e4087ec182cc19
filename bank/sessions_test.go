package bank

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// servedBank is a bank of 20 items (keyed A, B, C, D in turn from IT001's
// B), a log of 10 examinees on four 5-item forms F00–F03, and run 1 with
// parameters for every item.
func servedBank(t *testing.T) *Bank {
	t.Helper()
	ctx := context.Background()
	b := withItems(t, 20)
	if _, err := b.ImportLong(ctx, "log.csv", bytes.NewReader(longCSV(10, 5, 20)), ResponseOptions{}); err != nil {
		t.Fatal(err)
	}
	var params strings.Builder
	params.WriteString("item,a,b\n")
	for i := 1; i <= 20; i++ {
		fmt.Fprintf(&params, "IT%03d,1.2,%g\n", i, float64(i-10)/5)
	}
	if _, err := b.ImportCalibration(ctx, "params.csv", strings.NewReader(params.String()), "2pl", 1, ""); err != nil {
		t.Fatal(err)
	}
	return b
}

func tokenHash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// TestSessionAnswers: a served session's answers are responses of its
// import, scored with the items' keys; a retried answer neither doubles
// nor changes a response; a different one, a skipped position and an
// answer after the end are refused as conflicts.
func TestSessionAnswers(t *testing.T) {
	ctx := context.Background()
	b := servedBank(t)
	s, err := b.CreateSession(ctx, NewSession{Examinee: "X1", Kind: SessionForm, Form: "F01", Run: 1, Seed: 1 << 63, TokenHash: tokenHash("t1")})
	if err != nil {
		t.Fatal(err)
	}
	if s.State != SessionOpen || s.Seed != 1<<63 || s.Form != "F01" || s.Examinee != "X1" || s.Run != 1 || string(s.Config) != "{}" {
		t.Errorf("created %+v", s)
	}
	form, err := b.Form(ctx, "F01")
	if err != nil {
		t.Fatal(err)
	}
	// F01's items are IT006–IT010; IT00k is keyed 'A'+k%4. Answer A to all.
	for j, fi := range form.Items {
		a := Answer{Position: j + 1, Item: fi.Item, Delivered: "A", Option: 1, RTms: 1500, At: 1_700_000_000}
		got, added, err := b.SaveAnswer(ctx, s.ID, a)
		if err != nil || !added {
			t.Fatalf("answer %d: %v (added %v)", j+1, err, added)
		}
		again, added, err := b.SaveAnswer(ctx, s.ID, a)
		if err != nil || added || again != got {
			t.Errorf("retried answer %d: %+v, added %v, %v; first %+v", j+1, again, added, err, got)
		}
		var k int
		fmt.Sscanf(fi.Item, "IT%d", &k)
		if want := map[bool]int{true: 1, false: 0}[k%4 == 0]; got.Score != want {
			t.Errorf("%s answered A scored %d, want %d", fi.Item, got.Score, want)
		}
		if j == 1 {
			_, _, err := b.SaveAnswer(ctx, s.ID, Answer{Position: 1, Item: form.Items[0].Item, Delivered: "B", Option: 2})
			if !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "position 1 was answered A") {
				t.Errorf("a different answer to position 1: %v", err)
			}
			_, _, err = b.SaveAnswer(ctx, s.ID, Answer{Position: 4, Item: form.Items[3].Item, Delivered: "A", Option: 1})
			if !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "next position to answer is 3") {
				t.Errorf("skipping to position 4: %v", err)
			}
			_, _, err = b.SaveAnswer(ctx, s.ID, Answer{Position: 3, Item: form.Items[2].Item, Delivered: "A", Option: 9})
			if err == nil || !strings.Contains(err.Error(), "expected 1 to 4") {
				t.Errorf("option 9: %v", err)
			}
		}
	}
	var n, scored int
	err = b.db.QueryRow(`SELECT COUNT(*), SUM(score) FROM responses r JOIN examinees e ON e.id = r.examinee_id
		WHERE e.code = 'X1' AND r.import_id = ? AND r.rt_ms = 1500 AND r.option = 1`, s.ImportID).Scan(&n, &scored)
	if err != nil || n != 5 || scored != 1 {
		t.Errorf("X1's responses: %d, %d right (%v); want 5, 1 right (IT008 keyed A)", n, scored, err)
	}
	im, err := b.Import(ctx, s.ImportID)
	if err != nil || im.Kind != "serve" || im.Responses != 5 || im.Rows != 5 {
		t.Errorf("the session's import: %+v (%v)", im, err)
	}
	answers, err := b.SessionAnswers(ctx, s.ID)
	if err != nil || len(answers) != 5 || answers[4].Position != 5 || answers[4].Item != form.Items[4].Item {
		t.Errorf("answers %+v (%v)", answers, err)
	}

	_, err = b.CreateSession(ctx, NewSession{Examinee: "X1", Kind: SessionSample, Form: "F02", Run: 1, TokenHash: tokenHash("t2")})
	if !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "has session 1 open") {
		t.Errorf("a second open session: %v", err)
	}
	f, err := b.FinishSession(ctx, s.ID, 0.25, 0.5)
	if err != nil || f.State != SessionFinished || f.Theta != 0.25 || f.SE != 0.5 || f.Answered != 5 {
		t.Errorf("finished %+v (%v)", f, err)
	}
	if again, err := b.FinishSession(ctx, s.ID, 1, 1); err != nil || again.Theta != 0.25 {
		t.Errorf("finishing again: %+v (%v)", again, err)
	}
	_, _, err = b.SaveAnswer(ctx, s.ID, Answer{Position: 6, Item: "IT001", Delivered: "A", Option: 1})
	if !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "is finished") {
		t.Errorf("an answer after the end: %v", err)
	}
	_, err = b.CreateSession(ctx, NewSession{Examinee: "X1", Kind: SessionForm, Form: "F01", Run: 1, TokenHash: tokenHash("t3")})
	if !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "already has responses to 5 of form F01's items") {
		t.Errorf("taking a form again: %v", err)
	}
	for _, bad := range []struct {
		ns   NewSession
		want string
	}{
		{NewSession{Examinee: "X2", Kind: SessionForm, Form: "F09", Run: 1, TokenHash: tokenHash("a")}, "form F09: not found"},
		{NewSession{Examinee: "X2", Kind: SessionForm, Form: "F01", Run: 7, TokenHash: tokenHash("a")}, "run 7: not found"},
		{NewSession{Examinee: "X2", Kind: SessionForm, Form: "F01", Version: 2, Run: 1, TokenHash: tokenHash("a")}, "versions 0 to 0"},
		{NewSession{Examinee: "X 2", Kind: SessionForm, Form: "F01", Run: 1, TokenHash: tokenHash("a")}, "space"},
		{NewSession{Examinee: "X2", Kind: "quiz", Form: "F01", Run: 1, TokenHash: tokenHash("a")}, "expected form, sample or cat"},
	} {
		if _, err := b.CreateSession(ctx, bad.ns); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%+v: %v, want %q", bad.ns, err, bad.want)
		}
	}
	if c, err := b.CountSessions(ctx); err != nil || c != (SessionCounts{Open: 0, Finished: 1, Examinees: 1, Answers: 5}) {
		t.Errorf("counts %+v (%v)", c, err)
	}
	// Deleting the session's import deletes its responses and the session.
	if _, err := b.Delete(ctx, KindImport, s.ImportID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Session(ctx, s.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("the session after its import was deleted: %v", err)
	}
}

// TestSessionsMigration: a bank of schema 11 with imports and responses
// migrates to sessions; imports then take the kind serve, and the
// database passes SQLite's integrity and foreign key checks.
func TestSessionsMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	b, err := open(path, true, 11, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.ImportItems(ctx, "items.csv", strings.NewReader(itemsCSV(20))); err != nil {
		t.Fatal(err)
	}
	if _, err := b.ImportLong(ctx, "log.csv", bytes.NewReader(longCSV(10, 5, 20)), ResponseOptions{}); err != nil {
		t.Fatal(err)
	}
	b.Close()
	b, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var check string
	if err := b.db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check: %s (%v)", check, err)
	}
	rows, err := b.db.Query(`PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatal(err)
	}
	if rows.Next() {
		t.Error("foreign_key_check reports a violation")
	}
	rows.Close()
	if _, err := b.db.Exec(`INSERT INTO imports (kind, source, sha256, rows, imported_at) VALUES ('serve', 's', 'x', 0, '')`); err != nil {
		t.Errorf("an import of kind serve: %v", err)
	}
	if _, err := b.db.Exec(`INSERT INTO imports (kind, source, sha256, rows, imported_at) VALUES ('other', 's', 'y', 0, '')`); err == nil {
		t.Error("an import of kind other was taken")
	}
	ims, err := b.Imports(ctx)
	if err != nil || len(ims) != 3 || ims[1].Responses != 50 {
		t.Errorf("imports after the migration: %+v (%v)", ims, err)
	}
}
