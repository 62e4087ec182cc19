package bank

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/passportirt/passport/fixtures"
)

// TestRoundTrip: exporting a bank and importing the exports into a fresh
// bank gives the same bank, byte for byte in the exports.
func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	a := withItems(t, 8)
	// Multi-line stems, quotes and commas, a five-option unkeyed item.
	extra := "id,domain,subdomain,status,stem,option_a,option_b,option_c,option_d,option_e,key,enemy_group\n" +
		"Q1,semantics,closures,pretest,\"What does this print?\n\nprint(\"\"a, b\"\")\",\"a, b\",\"'a, b'\",\"\"\"a\"\"\",(a b),x,,grp-1\n"
	if _, err := a.ImportItems(ctx, "extra.csv", strings.NewReader(extra)); err != nil {
		t.Fatal(err)
	}
	log := "examinee,form,item,option,score,time,administered_at\n" +
		"E1,F1,IT001,B,,12.5,2026-03-01T10:00:00Z\nE1,F1,IT002,-,,3,2026-03-01T10:00:12Z\nE1,F1,Q1,,1,,\n" +
		"E2,F2,IT001,C,,,\nE2,F2,IT003,D,,0.1,2026-04-01T00:00:00Z\n"
	if _, err := a.ImportLong(ctx, "log.csv", strings.NewReader(log), ResponseOptions{}); err != nil {
		t.Fatal(err)
	}
	b := roundTrip(t, a)
	sa, _ := a.Stats(ctx)
	sb, _ := b.Stats(ctx)
	if sa.Items != sb.Items || sa.Responses != sb.Responses || sa.Examinees != sb.Examinees || len(sa.ByForm) != len(sb.ByForm) {
		t.Errorf("stats differ: %+v vs %+v", sa, sb)
	}
	var resp strings.Builder
	if err := b.ExportResponses(ctx, &resp); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(resp.String(), "E1,F1,IT002,-,0,3,2026-03-01T10:00:12Z") {
		t.Errorf("the omitted response is not exported as %q:\n%s", OmitCode, resp.String())
	}
}

func TestMigrations(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.db")
	b, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	v, err := b.SchemaVersion()
	if err != nil || v != len(ms) || v < 1 {
		t.Fatalf("a new bank is at version %d (%v), want %d", v, err, len(ms))
	}
	var fk, mode string
	b.db.QueryRow(`PRAGMA foreign_keys`).Scan(&fk)
	b.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode)
	if fk != "1" || mode != "wal" {
		t.Errorf("foreign_keys = %s, journal_mode = %s; want 1, wal", fk, mode)
	}
	// Foreign keys are enforced on ordinary statements.
	if _, err := b.db.Exec(`INSERT INTO form_items (form_id, item_id, position) VALUES (99, 99, 1)`); err == nil {
		t.Error("a form item naming no form was accepted")
	}
	b.Close()
	// Opening again applies nothing twice.
	b, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	b.db.QueryRow(`SELECT COUNT(*) FROM schema_version`).Scan(&n)
	if n != len(ms) {
		t.Errorf("schema_version has %d rows, want %d", n, len(ms))
	}
	// A bank from a newer passport is refused, not downgraded.
	b.db.Exec(`INSERT INTO schema_version (version, name, applied_at) VALUES (999, 'future', 'x')`)
	b.Close()
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), "newer than this passport") {
		t.Errorf("opening a bank at version 999: %v", err)
	}
}

// TestSAT12Wide imports the TESTFACT SAT12 data (fixtures/reference) as wide
// options with its published key, 8 = not answered.
func TestSAT12Wide(t *testing.T) {
	ctx := context.Background()
	data, err := fixtures.Reference("sat12_raw_options.csv")
	if err != nil {
		t.Fatal(err)
	}
	key := strings.Split("1,4,5,2,3,1,2,1,3,1,2,4,2,1,5,3,4,4,1,4,3,3,4,1,3,5,1,3,1,5,4,5", ",")
	b := openTemp(t)
	res, err := b.ImportWide(ctx, "sat12_raw_options.csv", bytes.NewReader(data), WideOptions{
		ResponseOptions: ResponseOptions{Omit: "8"}, Key: key, AddItems: true, Domain: "stdlib", NOptions: 5})
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Examinees != 600 || s.ItemsAnswered != 32 || s.Responses != 600*32 || res.Rows != 600 {
		t.Errorf("bank has %d examinees × %d items, %d responses; want 600 × 32, 19200", s.Examinees, s.ItemsAnswered, s.Responses)
	}
	// Count the omits and the right answers straight from the file.
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")[1:]
	var omits, right int64
	for _, l := range lines {
		for j, c := range strings.Split(l, ",") {
			switch {
			case c == "8":
				omits++
			case c == key[j]:
				right++
			}
		}
	}
	var gotRight int64
	for _, c := range s.PerItem {
		gotRight += int64(c.PValue*float64(c.Responses) + 0.5)
	}
	if res.Omitted != omits || gotRight != right {
		t.Errorf("omitted %d, right %d; the file has %d omits, %d right", res.Omitted, gotRight, omits, right)
	}
	// The items exist now, so importing another file against them needs no --add-items.
	again := "Item.1,Item.2\n1,4\n2,8\n"
	if _, err := b.ImportWide(ctx, "more.csv", strings.NewReader(again), WideOptions{ResponseOptions: ResponseOptions{Omit: "8"}}); err != nil {
		t.Errorf("a second file on the same items: %v", err)
	}
}

// roundTrip exports a's items and responses, imports both exports into a
// fresh bank, checks that it exports the same bytes, and returns that bank.
func roundTrip(t *testing.T, a *Bank) *Bank {
	t.Helper()
	ctx := context.Background()
	export := func(bk *Bank) (items, resp bytes.Buffer) {
		if err := bk.ExportItems(ctx, &items); err != nil {
			t.Fatal(err)
		}
		if err := bk.ExportResponses(ctx, &resp); err != nil {
			t.Fatal(err)
		}
		return items, resp
	}
	items1, resp1 := export(a)
	b := openTemp(t)
	if _, err := b.ImportItems(ctx, "items.csv", bytes.NewReader(items1.Bytes())); err != nil {
		t.Fatalf("re-importing the items export: %v", err)
	}
	if _, err := b.ImportLong(ctx, "responses.csv", bytes.NewReader(resp1.Bytes()), ResponseOptions{}); err != nil {
		t.Fatalf("re-importing the responses export: %v", err)
	}
	items2, resp2 := export(b)
	if items1.String() != items2.String() {
		t.Errorf("items differ after a round trip:\n%s\n---\n%s", items1.String(), items2.String())
	}
	if resp1.String() != resp2.String() {
		t.Errorf("responses differ after a round trip:\n%s\n---\n%s", resp1.String(), resp2.String())
	}
	return b
}
