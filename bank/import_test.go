package bank

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// snapshot is what must not change when an import fails: every table's row
// count and the bank file's bytes (read with the bank closed, so that the
// write-ahead log has been folded into the file).
type snapshot struct {
	counts map[string]int64
	file   []byte
}

var tables = []string{"imports", "items", "item_options", "examinees", "forms", "form_items", "responses", "calibrations", "item_params"}

func takeSnapshot(t *testing.T, path string) snapshot {
	t.Helper()
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s := snapshot{counts: map[string]int64{}}
	for _, tb := range tables {
		var n int64
		if err := b.db.QueryRow(`SELECT COUNT(*) FROM ` + tb).Scan(&n); err != nil {
			t.Fatal(err)
		}
		s.counts[tb] = n
	}
	b.Close()
	if s.file, err = os.ReadFile(path); err != nil {
		t.Fatal(err)
	}
	return s
}

// seededBank is a bank file with 8 items (IT001…IT008: four options, keys
// B, C, D, A, B, …) and one imported log, closed; it returns the path.
func seededBank(t *testing.T) string {
	return bankWithLog(t, "seed.csv", "examinee,form,item,option,time,administered_at\nE1,F1,IT001,B,12.5,2026-03-01T10:00:00Z\nE1,F1,IT002,-,3,2026-03-01\nE2,F1,IT001,C,,\n")
}

// bankWithLog is a closed bank file with itemsCSV(8) and the long log
// given imported as file; it returns the path.
func bankWithLog(t *testing.T, file, log string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bank.db")
	b, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := b.ImportItems(ctx, "items.csv", strings.NewReader(itemsCSV(8))); err != nil {
		t.Fatal(err)
	}
	if _, err := b.ImportLong(ctx, file, strings.NewReader(log), ResponseOptions{}); err != nil {
		t.Fatal(err)
	}
	b.Close()
	return path
}

const longHeader = "examinee,form,item,option\n"

func TestBadInputLeavesBankUnchanged(t *testing.T) {
	var rows strings.Builder
	for e := range 20000 {
		fmt.Fprintf(&rows, "X%05d,F1,IT001,A\n", e)
	}
	manyRows := rows.String() // 20,000 rows, about 390 KB
	type importer func(b *Bank, file string, data []byte) error
	long := func(b *Bank, file string, data []byte) error {
		_, err := b.ImportLong(context.Background(), file, bytes.NewReader(data), ResponseOptions{})
		return err
	}
	items := func(b *Bank, file string, data []byte) error {
		_, err := b.ImportItems(context.Background(), file, bytes.NewReader(data))
		return err
	}
	wide := func(opts WideOptions) importer {
		return func(b *Bank, file string, data []byte) error {
			_, err := b.ImportWide(context.Background(), file, bytes.NewReader(data), opts)
			return err
		}
	}
	itemHeader := "id,domain,subdomain,status,stem,option_a,option_b,option_c,option_d,option_e,key,enemy_group\n"
	cases := []struct {
		name  string
		imp   importer
		data  string
		line  int    // 0: any
		field string // "": none expected
		msg   string // a fragment of the message
	}{
		// The long format.
		{"long ragged row", long, longHeader + "E3,F1,IT001,A\nE3,F1,IT002\n", 3, "", "row has 3 fields; expected 4"},
		{"long unknown item", long, longHeader + "E3,F1,IT001,A\nE3,F1,XX999,A\n", 3, "item", `item "XX999" is not in the bank`},
		{"long option outside", long, longHeader + "E3,F1,IT001,E\n", 2, "option", `option "E" is not one of item IT001's options`},
		{"long option not a letter", long, longHeader + "E3,F1,IT001,Z\n", 2, "option", "expected a letter A–D"},
		{"long unknown column", long, "examinee,form,itm,option\nE3,F1,IT001,A\n", 1, "itm", "unknown column"},
		{"long missing column", long, "examinee,item,option\nE3,IT001,A\n", 1, "form", "required column is missing"},
		{"long duplicate column", long, "examinee,form,item,item,option\n", 1, "item", "appears twice"},
		{"long no option or score column", long, "examinee,form,item,time\nE3,F1,IT001,3\n", 1, "", "neither an option nor a score column"},
		{"long BOM", long, "\xEF\xBB\xBF" + longHeader + "E3,F1,IT001,A\n", 1, "", "byte-order mark"},
		{"long UTF-16", long, "\xFF\xFEe\x00x\x00", 1, "", "UTF-16"},
		{"long CRLF", long, "examinee,form,item,option\r\nE3,F1,IT001,A\r\n", 1, "", "carriage return"},
		{"long CRLF late", long, longHeader + "E3,F1,IT001,A\nE3,F1,IT002,A\r\n", 3, "", "carriage return"},
		{"long empty file", long, "", 1, "", "the file is empty"},
		{"long header only", long, longHeader, 0, "", "no responses"},
		{"long non-UTF-8", long, longHeader + "E\xff3,F1,IT001,A\n", 2, "examinee", "not valid UTF-8"},
		// Past the guard's first blocks of 64 KiB: still named by line and column.
		{"long non-UTF-8 late", long, longHeader + manyRows + "E4,F1,IT002,\xc3(\n", 20002, "option", "not valid UTF-8"},
		{"long bad quote", long, longHeader + "E3,F1,\"IT001,A\n", 2, "", "malformed CSV"},
		{"long bad score", long, "examinee,form,item,score\nE3,F1,IT001,2\n", 2, "score", `score "2" is not 0 or 1`},
		{"long score disagrees", long, "examinee,form,item,option,score\nE3,F1,IT001,B,0\n", 2, "score", "disagrees"},
		{"long neither option nor score", long, "examinee,form,item,option,score\nE3,F1,IT001,,\n", 2, "option", "neither an option nor a score"},
		{"long bad time", long, "examinee,form,item,option,time\nE3,F1,IT001,A,-4\n", 2, "time", "not a response time"},
		{"long bad timestamp", long, "examinee,form,item,option,administered_at\nE3,F1,IT001,A,yesterday\n", 2, "administered_at", "not a timestamp"},
		{"long empty examinee", long, longHeader + ",F1,IT001,A\n", 2, "examinee", "the id is empty"},
		{"long duplicate in file", long, longHeader + "E3,F1,IT001,A\nE3,F1,IT002,A\nE3,F1,IT001,B\n", 4, "item", "already has a response"},
		{"long duplicate of bank", long, longHeader + "E1,F1,IT001,A\n", 2, "item", "already has a response"},
		// The wide format.
		{"wide unknown item", wide(WideOptions{}), "IT001,XX999\nA,B\n", 1, "XX999", "not in the bank"},
		{"wide option outside", wide(WideOptions{}), "IT001,IT002\nA,B\nC,E\n", 3, "IT002", `option "E" is not one of`},
		{"wide ragged", wide(WideOptions{}), "IT001,IT002\nA,B\nC\n", 3, "", "row has 1 fields; expected 2"},
		{"wide bad score", wide(WideOptions{Scored: true}), "IT001,IT002\n1,0\n1,2\n", 3, "IT002", "not a score"},
		{"wide key length", wide(WideOptions{Key: []string{"A"}}), "IT001,IT002\nA,B\n", 1, "", "the key has 1 entries"},
		{"wide key disagrees", wide(WideOptions{Key: []string{"B", "A"}}), "IT001,IT002\nA,B\n", 1, "IT002", "the bank keys it C"},
		{"wide BOM", wide(WideOptions{}), "\xEF\xBB\xBFIT001\nA\n", 1, "", "byte-order mark"},
		{"wide CRLF", wide(WideOptions{}), "IT001\r\nA\r\n", 1, "", "carriage return"},
		{"wide empty", wide(WideOptions{}), "", 1, "", "empty"},
		{"wide non-UTF-8", wide(WideOptions{}), "examinee,IT001\nE\xfe,A\n", 2, "examinee", "not valid UTF-8"},
		{"wide add without domain", wide(WideOptions{AddItems: true}), "NEW1\n1\n", 0, "", "expected --domain"},
		// The items format.
		{"items bad domain", items, itemHeader + "X1,maths,,operational,Q?,a,b,,,,A,\n", 2, "domain", `"maths" is not a domain`},
		{"items bad status", items, itemHeader + "X1,idioms,,live,Q?,a,b,,,,A,\n", 2, "status", "not a status"},
		{"items key outside", items, itemHeader + "X1,idioms,,draft,Q?,a,b,,,,C,\n", 2, "key", "expected a letter A–B"},
		{"items option gap", items, itemHeader + "X1,idioms,,draft,Q?,a,b,,d,,A,\n", 2, "option_d", "without gaps"},
		{"items repeated option", items, itemHeader + "X1,idioms,,draft,Q?,a,a,,,,A,\n", 2, "option_b", "repeats"},
		{"items one option", items, itemHeader + "X1,idioms,,draft,Q?,a,,,,,A,\n", 2, "option_b", "at least two options"},
		{"items duplicate id", items, itemHeader + "X1,idioms,,draft,Q?,a,b,,,,A,\nX1,idioms,,draft,Q?,a,b,,,,A,\n", 3, "id", "appears twice (first on line 2)"},
		{"items multi-line stem then bad", items, itemHeader + "X1,idioms,,draft,\"Q\n\nline 3\",a,b,,,,A,\nX2,idioms,,nope,Q,a,b,,,,A,\n", 5, "status", "not a status"},
		{"items empty stem", items, itemHeader + "X1,idioms,,draft,,a,b,,,,A,\n", 2, "stem", "the stem is empty"},
		{"items id with space", items, itemHeader + "X 1,idioms,,draft,Q,a,b,,,,A,\n", 2, "id", "contains a space"},
		{"items ragged", items, itemHeader + "X1,idioms,,draft,Q?,a,b\n", 2, "", "row has 7 fields; expected 12"},
		{"items missing column", items, "id,domain,status,stem,option_a,option_b\nX1,idioms,draft,Q,a,b\n", 1, "key", "required column is missing"},
		{"items unknown column", items, "id,domain,status,stem,option_a,option_b,key,colour\n", 1, "colour", "unknown column"},
		{"items BOM", items, "\xEF\xBB\xBF" + itemHeader, 1, "", "byte-order mark"},
		{"items CRLF", items, strings.ReplaceAll(itemHeader, "\n", "\r\n"), 1, "", "carriage return"},
		{"items empty", items, "", 1, "", "the file is empty"},
		{"items header only", items, itemHeader, 2, "", "no items"},
		{"items non-UTF-8", items, itemHeader + "X1,idioms,,draft,Q\xc3(,a,b,,,,A,\n", 2, "stem", "not valid UTF-8"},
		{"items NUL in stem", items, itemHeader + "X1,idioms,,draft,\"Q\x00?\",a,b,,,,A,\n", 2, "stem", "a control character, U+0000, at character 2"},
		{"items zero-width space in id", items, itemHeader + "SEM\u200b001,idioms,,draft,Q,a,b,,,,A,\n", 2, "id", "U+200B, at character 4"},
		{"items bidi override in stem", items, itemHeader + "X1,idioms,,draft,\"x = 1 \u202e# comment\",a,b,,,,A,\n", 2, "stem", "U+202E"},
		{"items bidi isolate in option", items, itemHeader + "X1,idioms,,draft,Q,a,\"b\u2066\",,,,A,\n", 2, "option_b", "U+2066"},
		{"items BOM inside stem", items, itemHeader + "X1,idioms,,draft,Q\ufeff?,a,b,,,,A,\n", 2, "stem", "U+FEFF"},
		{"items Hangul filler id", items, itemHeader + "X\u3164,idioms,,draft,Q,a,b,,,,A,\n", 2, "id", "U+3164"},
		{"items tab in id", items, itemHeader + "X\t1,idioms,,draft,Q,a,b,,,,A,\n", 2, "id", "U+0009"},
		{"items no-break space in id", items, itemHeader + "X\u00a01,idioms,,draft,Q,a,b,,,,A,\n", 2, "id", "contains a space"},
		{"items line break in subdomain", items, itemHeader + "X1,idioms,\"a\nb\",draft,Q,a,b,,,,A,\n", 2, "subdomain", "visible text on one line"},
		{"items id of 65 characters", items, itemHeader + strings.Repeat("é", 65) + ",idioms,,draft,Q,a,b,,,,A,\n", 2, "id", "is 65 characters long; expected at most 64"},
		{"long zero-width joiner in examinee", long, longHeader + "E\u200d3,F1,IT001,A\n", 2, "examinee", "U+200D"},
		{"long huge timestamp", long, "examinee,form,item,option,administered_at\nE3,F1,IT001,A," + strings.Repeat("9", 1<<20) + "\n", 2, "administered_at", "…"},
		{"items key change with responses", items, itemHeader + "IT001,idioms,,operational,Q,one,two,three,four,,A,\n", 2, "key", "has 2 responses scored with key B"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := seededBank(t)
			before := takeSnapshot(t, path)
			b, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			err = tc.imp(b, "in.csv", []byte(tc.data))
			b.Close()
			if err == nil {
				t.Fatal("import succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %.300q does not say %q", err, tc.msg)
			}
			if n := utf8.RuneCountInString(err.Error()); n > MaxErrorLen {
				t.Errorf("error of %d characters, want at most %d", n, MaxErrorLen)
			}
			var ie *InputError
			if tc.line != 0 || tc.field != "" {
				if !errors.As(err, &ie) {
					t.Fatalf("error %v (%T) is not an *InputError", err, err)
				}
				if ie.File != "in.csv" || (tc.line != 0 && ie.Line != tc.line) || ie.Field != tc.field {
					t.Errorf("error at %s:%d field %q, want in.csv:%d field %q (%v)", ie.File, ie.Line, ie.Field, tc.line, tc.field, err)
				}
			}
			after := takeSnapshot(t, path)
			for _, tb := range tables {
				if before.counts[tb] != after.counts[tb] {
					t.Errorf("table %s: %d rows before, %d after", tb, before.counts[tb], after.counts[tb])
				}
			}
			if !bytes.Equal(before.file, after.file) {
				t.Error("the bank file's bytes changed")
			}
		})
	}
}

func TestImportSameFileTwice(t *testing.T) {
	ctx := context.Background()
	b := withItems(t, 8)
	log := []byte(longHeader + "E1,F1,IT001,A\nE1,F1,IT002,B\n")
	if _, err := b.ImportLong(ctx, "log.csv", bytes.NewReader(log), ResponseOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, in := range []struct {
		name string
		r    func() any
	}{{"seekable", func() any { return bytes.NewReader(log) }}, {"stream", func() any { return strings.NewReader(string(log)) }}} {
		var err error
		switch r := in.r().(type) {
		case *bytes.Reader:
			_, err = b.ImportLong(ctx, "again.csv", r, ResponseOptions{})
		case *strings.Reader:
			// Not an io.ReadSeeker once wrapped: the check happens at the end.
			_, err = b.ImportLong(ctx, "again.csv", struct{ *strings.Reader }{r}, ResponseOptions{})
		}
		var ae *AlreadyImportedError
		if !errors.As(err, &ae) {
			t.Errorf("%s: second import: %v, want AlreadyImportedError", in.name, err)
		}
	}
	s, err := b.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Responses != 2 || s.Imports != 2 {
		t.Errorf("bank has %d responses in %d imports, want 2 in 2", s.Responses, s.Imports)
	}
	if _, err := b.ImportItems(ctx, "items.csv", strings.NewReader(itemsCSV(8))); err == nil {
		t.Error("importing the same items file twice succeeded")
	}
}

func TestOnDuplicate(t *testing.T) {
	ctx := context.Background()
	// IT001 is keyed B: the first response is wrong (A), the last right (B).
	log := longHeader + "E1,F1,IT001,A\nE1,F1,IT002,C\nE1,F1,IT001,B\n"
	for _, tc := range []struct {
		policy     OnDuplicate
		wantOption int
		wantScore  int
	}{
		{DuplicateFirst, 1, 0},
		{DuplicateLast, 2, 1},
	} {
		b := withItems(t, 8)
		res, err := b.ImportLong(ctx, "log.csv", strings.NewReader(log), ResponseOptions{OnDuplicate: tc.policy})
		if err != nil {
			t.Fatalf("%s: %v", tc.policy, err)
		}
		if res.Responses != 2 || res.Duplicates != 1 || res.Rows != 3 {
			t.Errorf("%s: %+v, want 2 responses, 1 duplicate, 3 rows", tc.policy, res)
		}
		var opt, score int
		err = b.db.QueryRow(`SELECT option, score FROM responses r JOIN items i ON i.id = r.item_id WHERE i.code = 'IT001'`).Scan(&opt, &score)
		if err != nil || opt != tc.wantOption || score != tc.wantScore {
			t.Errorf("%s: kept option %d score %d (%v), want %d %d", tc.policy, opt, score, err, tc.wantOption, tc.wantScore)
		}
	}
}

func TestLongScoringAndFields(t *testing.T) {
	ctx := context.Background()
	b := withItems(t, 8)
	// IT001 key B, IT002 key C, IT003 key D, IT004 key A.
	log := "examinee,form,item,option,score,time,administered_at\n" +
		"E1,F1,IT001,b,,1.25,2026-03-01T10:00:00Z\n" + // lower case letter, right
		"E1,F1,IT002,1,,,\n" + // a number: option A, wrong
		"E1,F1,IT003,-,,,\n" + // omitted: wrong
		"E1,F1,IT004,,1,,2026-03-02\n" + // a score only
		"E2,F2,IT001,9,,,\n" // the omit code given by the caller
	res, err := b.ImportLong(ctx, "log.csv", strings.NewReader(log), ResponseOptions{Omit: "9"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Responses != 5 || res.Omitted != 2 || res.NewExaminees != 2 || res.NewForms != 2 {
		t.Errorf("import: %+v", res)
	}
	rows, err := b.db.Query(`SELECT i.code, e.code, r.option, r.score, r.rt_ms, r.administered_at FROM responses r
		JOIN items i ON i.id = r.item_id JOIN examinees e ON e.id = r.examinee_id ORDER BY e.code, i.code`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var item, exam string
		var opt, rt, at *int64
		var score int
		if err := rows.Scan(&item, &exam, &opt, &score, &rt, &at); err != nil {
			t.Fatal(err)
		}
		show := func(p *int64) string {
			if p == nil {
				return "NULL"
			}
			return strconv.FormatInt(*p, 10)
		}
		got = append(got, exam+" "+item+" "+show(opt)+" "+strconv.Itoa(score)+" "+show(rt)+" "+show(at))
	}
	want := []string{
		"E1 IT001 2 1 1250 1772359200",
		"E1 IT002 1 0 NULL NULL",
		"E1 IT003 0 0 NULL NULL",
		"E1 IT004 NULL 1 NULL 1772409600",
		"E2 IT001 0 0 NULL NULL",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("stored responses:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestBindRow: a response binds as insertSQL unpacks it — the packing
// checked against SQLite's own unpacking of the same statement — and an id
// too large to pack is refused rather than stored wrong.
func TestBindRow(t *testing.T) {
	b := openTemp(t)
	args := make([]any, rowArgs)
	for _, r := range []response{
		{examinee: 7, item: 1<<31 - 1, form: maxPackedForm, option: 5, score: 1, rtMS: 1500, at: 1780000000},
		{examinee: 8, item: 3, form: 0, option: -1, score: 0, rtMS: -1, at: noTime},
		{examinee: 9, item: 4, form: 12, option: 0, score: 0, rtMS: 0, at: -86400},
	} {
		if err := bindRow(args, r); err != nil {
			t.Fatal(err)
		}
		q := strings.Replace(strings.TrimPrefix(insertSQL("INSERT", 1, 1), "INSERT INTO responses (examinee_id, item_id, form_id, option, score, rt_ms, administered_at, import_id) VALUES "), "(", "SELECT ", 1)
		q = strings.TrimSuffix(q, ")")
		var exam, item, imp int64
		var form, option, rt, at sql.NullInt64
		var score int
		if err := b.db.QueryRow(q, args...).Scan(&exam, &item, &form, &option, &score, &rt, &at, &imp); err != nil {
			t.Fatal(err)
		}
		want := func(v int64, absent bool) sql.NullInt64 {
			if absent {
				return sql.NullInt64{}
			}
			return sql.NullInt64{Int64: v, Valid: true}
		}
		if exam != r.examinee || item != r.item || form != want(r.form, r.form == 0) || option != want(int64(r.option), r.option < 0) ||
			score != r.score || rt != want(r.rtMS, r.rtMS < 0) || at != want(r.at, r.at == noTime) || imp != 1 {
			t.Errorf("%+v unpacks as %d %d %v %v %d %v %v %d", r, exam, item, form, option, score, rt, at, imp)
		}
	}
	for _, r := range []response{{examinee: 1, item: 1 << 31}, {examinee: 1, item: 1, form: maxPackedForm + 1}} {
		if err := bindRow(args, r); err == nil {
			t.Errorf("item %d, form %d packed", r.item, r.form)
		}
	}
}
