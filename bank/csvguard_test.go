package bank

import (
	"bytes"
	"context"
	"encoding/csv"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// formulaItems are items whose texts and codes start as spreadsheet
// formulas do, and (X2) texts that start with a quote before a trigger,
// written as the exporter writes them: with one more quote.
const formulaItems = "id,domain,subdomain,status,stem,option_a,option_b,option_c,option_d,option_e,key,enemy_group\n" +
	"=X1,semantics,+sub,operational,\"=HYPERLINK(\"\"http://evil.example/\"\",\"\"click\"\")\",-3 -1 -3,-0.5,@a,\"\tindented\",,B,-grp\n" +
	"X2,semantics,sub,operational,\"''=' * 3 evaluates to?\",''==',\"''-'.join('ab')\",-1,+1,,C,-grp\n" +
	"@X3,stdlib,sub,pretest,\"\tdef f():\n\t\treturn 1\nWhat does f() return?\",1,None,-1+2,=1,,A,\n"

// checkGuarded fails when a cell of the CSV text starts with a formula
// trigger, other than a number or the omit code, and returns the records.
func checkGuarded(t *testing.T, name, text string) [][]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for i, rec := range recs {
		for j, c := range rec {
			if c == "" || c == "-" || strings.IndexByte("=+-@\t\r", c[0]) < 0 {
				continue
			}
			if _, err := strconv.ParseFloat(c, 64); err != nil || strings.ContainsAny(strings.ToLower(c), "inx_") {
				t.Errorf("%s: row %d cell %d %q would run as a formula", name, i+1, j+1, c)
			}
		}
	}
	return recs
}

// TestExportsAreGuarded: the items, responses, forms and parameter exports
// guard cells that would run as formulas, keep negative numbers as
// numbers, and import back to the same bank and the same bytes.
func TestExportsAreGuarded(t *testing.T) {
	ctx := context.Background()
	a := openTemp(t)
	if _, err := a.ImportItems(ctx, "items.csv", strings.NewReader(formulaItems)); err != nil {
		t.Fatal(err)
	}
	x1, err := a.Item(ctx, "=X1")
	if err != nil {
		t.Fatal(err)
	}
	if x1.Stem != `=HYPERLINK("http://evil.example/","click")` || x1.Subdomain != "+sub" || x1.EnemyGroup != "-grp" ||
		!reflect.DeepEqual(x1.Options, []string{"-3 -1 -3", "-0.5", "@a", "\tindented"}) {
		t.Errorf("imported %+v", x1)
	}
	if x2, err := a.Item(ctx, "X2"); err != nil || x2.Stem != "'=' * 3 evaluates to?" || !reflect.DeepEqual(x2.Options, []string{"'=='", "'-'.join('ab')", "-1", "+1"}) {
		t.Errorf("imported %+v (%v)", x2, err)
	}
	log := "examinee,form,item,option,score,time,administered_at\n" +
		"@E1,+F1,=X1,B,,12.5,1969-07-20T20:17:40Z\n@E1,+F1,X2,-,,3,1969-07-20\n-E2,+F1,=X1,A,,,\n"
	if _, err := a.ImportLong(ctx, "log.csv", strings.NewReader(log), ResponseOptions{}); err != nil {
		t.Fatal(err)
	}
	var items1, resp1, params1 bytes.Buffer
	if err := a.ExportItems(ctx, &items1); err != nil {
		t.Fatal(err)
	}
	if err := a.ExportResponses(ctx, &resp1); err != nil {
		t.Fatal(err)
	}
	params := []ParamRow{{Item: "=X1", Model: "2pl", A: 1.25, B: -0.5, C: 0, SEA: 0.1, SEB: math.NaN(), SEC: math.NaN(), N: 2},
		{Item: "@X3", Model: "2pl", A: 0.75, B: -1.5e-7, SEA: math.NaN(), SEB: math.NaN(), SEC: math.NaN()}}
	if err := WriteParams(&params1, params); err != nil {
		t.Fatal(err)
	}
	items := checkGuarded(t, "items", items1.String())
	if want := []string{"'=X1", "semantics", "'+sub", "operational", `'=HYPERLINK("http://evil.example/","click")`,
		"'-3 -1 -3", "-0.5", "'@a", "'\tindented", "", "B", "'-grp"}; !reflect.DeepEqual(items[1], want) {
		t.Errorf("items export row 1 %q, want %q", items[1], want)
	}
	if want := []string{"X2", "semantics", "sub", "operational", "''=' * 3 evaluates to?", "''=='", "''-'.join('ab')", "-1", "'+1", "", "C", "'-grp"}; !reflect.DeepEqual(items[3], want) {
		t.Errorf("items export row 3 %q, want %q", items[3], want)
	}
	resp := checkGuarded(t, "responses", resp1.String())
	if want := []string{"'@E1", "'+F1", "'=X1", "B", "1", "12.5", "1969-07-20T20:17:40Z"}; !reflect.DeepEqual(resp[1], want) {
		t.Errorf("responses export row 1 %q, want %q", resp[1], want)
	}
	if got := checkGuarded(t, "params", params1.String()); !reflect.DeepEqual(got[1], []string{"'=X1", "2pl", "1.25", "-0.5", "0", "0.1", "", "", "2"}) ||
		got[2][3] != "-1.5e-07" {
		t.Errorf("params export %q", got)
	}

	// Round trip: a fresh bank imports the exports and exports the same bytes.
	b := roundTrip(t, a)
	for _, code := range []string{"=X1", "X2", "@X3"} {
		ia, _ := a.Item(ctx, code)
		ib, err := b.Item(ctx, code)
		if err != nil || ia.Stem != ib.Stem || !reflect.DeepEqual(ia.Options, ib.Options) || ia.Subdomain != ib.Subdomain || ia.EnemyGroup != ib.EnemyGroup {
			t.Errorf("item %s after a round trip: %+v (%v), want %+v", code, ib, err, ia)
		}
	}
	back, err := ReadParams("params.csv", bytes.NewReader(params1.Bytes()), "2pl")
	if err != nil {
		t.Fatal(err)
	}
	for i := range params {
		got, want := back[i], params[i]
		got.Line = 0
		if got.Item != want.Item || got.A != want.A || got.B != want.B || got.N != want.N || got.SEA != want.SEA && !math.IsNaN(want.SEA) {
			t.Errorf("parameters %+v read back as %+v", want, got)
		}
	}
}

// TestTimestampsBefore1970: administered_at before the Unix epoch (negative
// seconds, -1 included) is stored and exported as given, not dropped.
func TestTimestampsBefore1970(t *testing.T) {
	ctx := context.Background()
	b := withItems(t, 4)
	log := "examinee,form,item,option,administered_at\n" +
		"E1,F1,IT001,A,1969-07-20\nE1,F1,IT002,A,1969-12-31T23:59:59Z\nE1,F1,IT003,A,1970-01-01T00:00:00Z\nE1,F1,IT004,A,\n"
	if _, err := b.ImportLong(ctx, "log.csv", strings.NewReader(log), ResponseOptions{}); err != nil {
		t.Fatal(err)
	}
	rows, err := b.db.Query(`SELECT administered_at FROM responses ORDER BY item_id`)
	if err != nil {
		t.Fatal(err)
	}
	var got []*int64
	for rows.Next() {
		var at *int64
		if err := rows.Scan(&at); err != nil {
			t.Fatal(err)
		}
		got = append(got, at)
	}
	rows.Close()
	want := []int64{-14256000, -1, 0}
	if len(got) != 4 || got[3] != nil {
		t.Fatalf("stored %v, want %v and NULL", got, want)
	}
	for i, w := range want {
		if got[i] == nil || *got[i] != w {
			t.Errorf("row %d stored %v, want %d", i+1, got[i], w)
		}
	}
	var out bytes.Buffer
	if err := b.ExportResponses(ctx, &out); err != nil {
		t.Fatal(err)
	}
	wantOut := "examinee,form,item,option,score,time,administered_at\n" +
		"E1,F1,IT001,A,0,,1969-07-20T00:00:00Z\nE1,F1,IT002,A,0,,1969-12-31T23:59:59Z\nE1,F1,IT003,A,0,,1970-01-01T00:00:00Z\nE1,F1,IT004,A,1,,\n"
	if out.String() != wantOut {
		t.Errorf("exported\n%s\nwant\n%s", out.String(), wantOut)
	}
}

// TestVisibleTextAccepted: ids count characters, not bytes, and stems and
// options keep their newlines, tabs and ordinary non-ASCII text.
func TestVisibleTextAccepted(t *testing.T) {
	ctx := context.Background()
	b := openTemp(t)
	id := strings.Repeat("é", MaxCodeLen) // 128 bytes
	in := "id,domain,status,stem,option_a,option_b,key\n" +
		id + ",idioms,draft,\"for x in xs:\n\tprint(x)  # naïve, ½, 日本\",\"a\n\tb\",»b«,A\n"
	if _, err := b.ImportItems(ctx, "items.csv", strings.NewReader(in)); err != nil {
		t.Fatal(err)
	}
	it, err := b.Item(ctx, id)
	if err != nil || utf8.RuneCountInString(it.Code) != MaxCodeLen || it.Stem != "for x in xs:\n\tprint(x)  # naïve, ½, 日本" || it.Options[0] != "a\n\tb" {
		t.Errorf("item %+v (%v)", it, err)
	}
}

// TestErrorCut: an error about a huge field is cut to MaxErrorLen
// characters and still names the place and what was expected.
func TestErrorCut(t *testing.T) {
	b := withItems(t, 1)
	log := "examinee,form,item,option,administered_at\nE1,F1,IT001,A," + strings.Repeat("x", 1<<20) + "\n"
	_, err := b.ImportLong(context.Background(), "big.csv", strings.NewReader(log), ResponseOptions{})
	if err == nil {
		t.Fatal("a 1 MB timestamp was accepted")
	}
	msg := err.Error()
	if n := utf8.RuneCountInString(msg); n != MaxErrorLen || !strings.HasPrefix(msg, `big.csv:2: column administered_at: "xxx`) ||
		!strings.Contains(msg, "…") || !strings.HasSuffix(msg, "expected RFC 3339 (2026-03-02T09:14:00Z) or a date (2026-03-02)") {
		t.Errorf("error of %d characters: %q", n, msg)
	}
}
