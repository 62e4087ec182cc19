package bank

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// rekeyBank is a closed bank file with itemsCSV(8) (IT001 keyed B) and a
// log of IT001 covering every kind of response: chosen options right and
// wrong under B, an omit and a score-only response.
func rekeyBank(t *testing.T) string {
	return bankWithLog(t, "log.csv", "examinee,form,item,option,score\n"+
		"E1,F1,IT001,B,\n"+ // right under B, wrong under C
		"E2,F1,IT001,C,\n"+ // wrong under B, right under C
		"E3,F1,IT001,A,\n"+ // wrong under both
		"E4,F1,IT001,-,\n"+ // omitted: wrong under any key
		"E5,F1,IT001,,1\n"+ // a score only: left as it is
		"E6,F1,IT001,B,\n"+ // right under B, wrong under C
		"E1,F1,IT002,C,\n") // another item: untouched
}

// scoresOf reads item code's stored scores by examinee.
func scoresOf(t *testing.T, b *Bank, code string) map[string]int {
	t.Helper()
	rows, err := b.db.Query(`SELECT e.code, r.score FROM responses r JOIN examinees e ON e.id = r.examinee_id
		JOIN items i ON i.id = r.item_id WHERE i.code = ?`, code)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var e string
		var s int
		if err := rows.Scan(&e, &s); err != nil {
			t.Fatal(err)
		}
		out[e] = s
	}
	return out
}

func TestRekeyItem(t *testing.T) {
	ctx := context.Background()
	path := rekeyBank(t)
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	want := map[string]int{"E1": 1, "E2": 0, "E3": 0, "E4": 0, "E5": 1, "E6": 1}
	if got := scoresOf(t, b, "IT001"); !reflect.DeepEqual(got, want) {
		t.Fatalf("scores under key B: %v, want %v", got, want)
	}
	res, err := b.RekeyItem(ctx, "IT001", "c", "the key was typed in wrong")
	if err != nil {
		t.Fatal(err)
	}
	// Four chosen options (B, C, A, B) are scored again: C gains a right
	// answer, the two B's lose theirs; the omit and the score-only
	// response are left alone.
	wantRes := Rekey{Item: "IT001", From: "B", To: "C", Version: 2, Reason: "the key was typed in wrong",
		Rescored: 4, Changed: 3, WrongToRight: 1, RightToWrong: 2, Omitted: 1, ScoreOnly: 1}
	if !reflect.DeepEqual(res, wantRes) {
		t.Errorf("rekey: %+v\nwant %+v", res, wantRes)
	}
	want = map[string]int{"E1": 0, "E2": 1, "E3": 0, "E4": 0, "E5": 1, "E6": 0}
	if got := scoresOf(t, b, "IT001"); !reflect.DeepEqual(got, want) {
		t.Errorf("scores under key C: %v, want %v", got, want)
	}
	if got := scoresOf(t, b, "IT002"); got["E1"] != 1 {
		t.Errorf("IT002 (keyed C, answered C) was rescored: %v", got)
	}
	it, err := b.Item(ctx, "IT001")
	if err != nil || it.KeyLetter() != "C" {
		t.Errorf("the item's key is %q (%v), want C", it.KeyLetter(), err)
	}
	// The matrix every analysis reads carries the new scores.
	m, err := b.ResponseMatrix(ctx, MatrixFilter{Items: []string{"IT001"}})
	if err != nil {
		t.Fatal(err)
	}
	right := 0
	for _, s := range m.Score {
		right += int(s)
	}
	if right != 2 || len(m.Score) != 6 {
		t.Errorf("matrix: %d right of %d, want 2 of 6", right, len(m.Score))
	}

	// A calibration run with parameters for the item is named as estimated
	// from the old scores.
	run := &Calibration{Model: "2pl", D: 1, Source: "em", LatentSD: 1, Params: []ParamRow{{Item: "IT001", Model: "2pl", A: 1, B: 0}}}
	if _, err := b.SaveCalibration(ctx, run); err != nil {
		t.Fatal(err)
	}
	back, err := b.RekeyItem(ctx, "IT001", "2", "back to B")
	if err != nil {
		t.Fatal(err)
	}
	if back.Version != 3 || back.Changed != 3 || back.WrongToRight != 2 || back.RightToWrong != 1 || !reflect.DeepEqual(back.Runs, []int64{run.ID}) {
		t.Errorf("rekey back: %+v", back)
	}
	if got := scoresOf(t, b, "IT001"); got["E1"] != 1 || got["E2"] != 0 || got["E6"] != 1 {
		t.Errorf("scores back under key B: %v", got)
	}

	hist, err := b.KeyHistory(ctx, "IT001")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range hist {
		got = append(got, v.Key+"/"+v.Reason)
		if v.At == "" {
			t.Errorf("version %d has no time", v.Version)
		}
	}
	wantHist := []string{"B/key at import", "C/the key was typed in wrong", "B/back to B"}
	if !reflect.DeepEqual(got, wantHist) || hist[1].Rescored != 3 || hist[0].Version != 1 || hist[2].Version != 3 {
		t.Errorf("key history %v (%+v), want %v", got, hist, wantHist)
	}
	kv, err := b.KeyVersions(ctx, []string{"IT001", "IT002"})
	if err != nil || !reflect.DeepEqual(kv, map[string]int{"IT001": 3, "IT002": 1}) {
		t.Errorf("key versions %v (%v)", kv, err)
	}
	if _, err := b.KeyHistory(ctx, "NOPE"); !errors.Is(err, ErrNotFound) {
		t.Errorf("history of an unknown item: %v", err)
	}

	// A key changed without its version is refused by the schema itself.
	if _, err := b.db.Exec(`UPDATE items SET key = 4 WHERE code = 'IT001'`); err == nil || !strings.Contains(err.Error(), "key version") {
		t.Errorf("a key changed behind the history's back: %v", err)
	}
}

// TestRekeyRefused: a rekey that cannot be done says why and leaves the
// bank's bytes as they were.
func TestRekeyRefused(t *testing.T) {
	ctx := context.Background()
	path := rekeyBank(t)
	cases := []struct {
		item, key, reason, msg string
	}{
		{"NOPE", "A", "r", "not found"},
		{"IT001", "E", "r", "expected a letter A–D"}, // four options
		{"IT001", "7", "r", "expected a letter A–D"},
		{"IT001", "", "r", "expected a letter A–D"},
		{"IT001", "b", "r", "already keyed B"},
		{"IT001", "C", "  ", "needs a reason"},
	}
	for _, c := range cases {
		before := takeSnapshot(t, path)
		b, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		_, err = b.RekeyItem(ctx, c.item, c.key, c.reason)
		b.Close()
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("rekey %s --key %q --reason %q: %v, want an error saying %q", c.item, c.key, c.reason, err, c.msg)
		}
		after := takeSnapshot(t, path)
		if !bytes.Equal(before.file, after.file) || !reflect.DeepEqual(before.counts, after.counts) {
			t.Errorf("rekey %s --key %q changed the bank", c.item, c.key)
		}
	}
}

// TestItemHistoryKept: an items import that changes the key of an item
// without responses adds a key version, a change of status a status
// entry; an item with responses still cannot change its key by import.
func TestItemHistoryKept(t *testing.T) {
	ctx := context.Background()
	b, err := Open(rekeyBank(t))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	changed := strings.Replace(itemsCSV(8), "f(3) return?\",one,two,three,four,,D,", "f(3) return?\",one,two,three,four,,A,", 1)
	changed = strings.Replace(changed, "IT004,semantics,sub1,operational", "IT004,semantics,sub1,retired", 1)
	if changed == itemsCSV(8) || !strings.Contains(changed, "retired") {
		t.Fatal("the test's edit of the items file did not apply")
	}
	if _, err := b.ImportItems(ctx, "items2.csv", strings.NewReader(changed)); err != nil {
		t.Fatal(err)
	}
	hist, err := b.KeyHistory(ctx, "IT003")
	if err != nil || len(hist) != 2 || hist[0].Key != "D" || hist[1].Key != "A" || !strings.Contains(hist[1].Reason, "items import") {
		t.Errorf("IT003's key history: %+v (%v)", hist, err)
	}
	st, err := b.StatusHistory(ctx, "IT004")
	if err != nil || len(st) != 2 || st[0].Status != "operational" || st[1].Status != "retired" || st[1].Seq != 2 {
		t.Errorf("IT004's status history: %+v (%v)", st, err)
	}
	if st, _ := b.StatusHistory(ctx, "IT005"); len(st) != 1 {
		t.Errorf("IT005's status did not change but has %d entries", len(st))
	}
	rekeyed := strings.Replace(itemsCSV(8), "f(1) return?\",one,two,three,four,,B,", "f(1) return?\",one,two,three,four,,C,", 1)
	_, err = b.ImportItems(ctx, "items3.csv", strings.NewReader(rekeyed))
	if err == nil || !strings.Contains(err.Error(), "passport items rekey IT001") {
		t.Errorf("changing a key with responses by import: %v", err)
	}
}

// TestKeyHistoryMigrated: a bank made before key versions were kept
// (schema 9) gets version 1 of every item's key, and its status, when it
// is migrated.
func TestKeyHistoryMigrated(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	b, err := open(path, true, 9, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.ImportItems(ctx, "items.csv", strings.NewReader(itemsCSV(4))); err != nil {
		t.Fatal(err)
	}
	b.Close()
	b, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	kv, err := b.KeyVersions(ctx, nil)
	if err != nil || !reflect.DeepEqual(kv, map[string]int{"IT001": 1, "IT002": 1, "IT003": 1, "IT004": 1}) {
		t.Errorf("key versions after migration: %v (%v)", kv, err)
	}
	it, _ := b.Item(ctx, "IT002")
	hist, err := b.KeyHistory(ctx, "IT002")
	if err != nil || len(hist) != 1 || hist[0].Key != "C" || hist[0].At != it.CreatedAt {
		t.Errorf("IT002's migrated history: %+v (%v); created %s", hist, err, it.CreatedAt)
	}
	if _, err := b.RekeyItem(ctx, "IT002", "A", "after the migration"); err != nil {
		t.Fatal(err)
	}
	if kv, _ := b.KeyVersions(ctx, []string{"IT002"}); kv["IT002"] != 2 {
		t.Errorf("IT002 at version %d after a rekey, want 2", kv["IT002"])
	}
}
