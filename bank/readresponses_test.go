package bank

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/passportirt/passport/irt"
)

// bankItems are the items of withItems(n) as matrix columns: IT001…,
// four options, keyed B, C, D, A, B, … (itemsCSV).
func bankItems(n int) []irt.ItemInfo {
	items := make([]irt.ItemInfo, n)
	for i := range items {
		items[i] = irt.ItemInfo{Code: fmt.Sprintf("IT%03d", i+1), Domain: Domains[(i+1)%4], NOptions: 4, Key: 1 + (i+1)%4}
	}
	return items
}

// readLog is a long log of four examinees over IT001…IT004 with an omit,
// score-only rows, forms, times and dates, ordered by examinee.
const readLog = "examinee,form,item,option,score,time,administered_at\n" +
	"E1,F1,IT001,B,,12.5,2026-03-01T10:00:00Z\nE1,F1,IT002,-,,3,2026-03-01\nE1,F1,IT003,A,0,,\nE1,F1,IT004,A,,,\n" +
	"E2,F2,IT003,D,,,\nE2,F2,IT001,C,,,\nE2,F2,IT004,,1,,\n" +
	"E3,F1,IT002,C,1,,\nE3,F1,IT001,-,,,\n" +
	"E4,F2,IT004,B,,,\n"

// sameMatrix reports how got differs from want: the column codes, the
// rows' examinees, and every response's column, score and option; with
// forms, each examinee's form too.
func sameMatrix(t *testing.T, name string, got, want *irt.Responses, forms bool) {
	t.Helper()
	if err := got.Check(); err != nil {
		t.Errorf("%s: %v", name, err)
	}
	switch {
	case !slices.Equal(got.Codes(), want.Codes()):
		t.Errorf("%s: items %v, want %v", name, got.Codes(), want.Codes())
	case !slices.Equal(got.Examinees, want.Examinees) || !slices.Equal(got.Start, want.Start):
		t.Errorf("%s: examinees %v starting %v, want %v starting %v", name, got.Examinees, got.Start, want.Examinees, want.Start)
	case !slices.Equal(got.Item, want.Item) || !slices.Equal(got.Score, want.Score):
		t.Errorf("%s: items %v scores %v, want %v %v", name, got.Item, got.Score, want.Item, want.Score)
	case want.Option != nil && !slices.Equal(got.Option, want.Option):
		t.Errorf("%s: options %v, want %v", name, got.Option, want.Option)
	case got.Omitted != want.Omitted:
		t.Errorf("%s: %d omitted, want %d", name, got.Omitted, want.Omitted)
	}
	if forms {
		for p := range want.Form {
			if g, w := got.Forms[got.Form[p]], want.Forms[want.Form[p]]; g != w {
				t.Errorf("%s: examinee %s took form %q, want %q", name, want.Examinees[p], g, w)
			}
		}
	}
}

// TestReadResponsesAsTheBankReads reads a log straight into a matrix and
// checks it against the bank's own reading of the same log once imported
// (AnalysisData for options and forms, ResponseMatrix for the omit
// treatments), the columns being the bank's items.
func TestReadResponsesAsTheBankReads(t *testing.T) {
	ctx := context.Background()
	b := withItems(t, 4)
	if _, err := b.ImportLong(ctx, "log.csv", strings.NewReader(readLog), ResponseOptions{}); err != nil {
		t.Fatal(err)
	}
	want, err := b.AnalysisData(ctx, AnalysisFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want.Omitted = 2
	got, err := ReadResponses("log.csv", strings.NewReader(readLog), ReadOptions{Items: bankItems(4)})
	if err != nil {
		t.Fatal(err)
	}
	sameMatrix(t, "long", got.Responses, want, true)
	if got.Rows != 10 || got.Skipped != 0 {
		t.Errorf("%d rows, %d skipped; want 10, 0", got.Rows, got.Skipped)
	}
	for _, omitMiss := range []bool{false, true} {
		want, err := b.ResponseMatrix(ctx, MatrixFilter{OmitAsMissing: omitMiss})
		if err != nil {
			t.Fatal(err)
		}
		got, err := ReadResponses("log.csv", strings.NewReader(readLog), ReadOptions{Items: bankItems(4), OmitAsMissing: omitMiss})
		if err != nil {
			t.Fatal(err)
		}
		sameMatrix(t, fmt.Sprintf("omit as missing %v", omitMiss), got.Responses, want, false)
	}
	// Responses to items outside the columns are left out and counted.
	got, err = ReadResponses("log.csv", strings.NewReader(readLog), ReadOptions{Items: bankItems(4)[1:3]})
	if err != nil || got.Skipped != 6 || got.NResponses() != 4 || !slices.Equal(got.Codes(), []string{"IT002", "IT003"}) {
		t.Fatalf("two columns: %v; %+v", err, got)
	}
	_, err = ReadResponses("log.csv", strings.NewReader(readLog), ReadOptions{Items: []irt.ItemInfo{{Code: "IT009", NOptions: 4}}})
	if err == nil || !strings.Contains(err.Error(), "none of the file's 10 responses") {
		t.Errorf("no response to the columns: %v", err)
	}
}

// TestReadResponsesLayouts reads one set of responses written six ways —
// passport's long CSV, the same rows ordered by item, the IRW's long CSV
// with options in resp, a wide CSV of options, a wide CSV of scores and the
// bank's Parquet export — and checks they all make the same matrix.
func TestReadResponsesLayouts(t *testing.T) {
	ctx := context.Background()
	b := withItems(t, 4)
	if _, err := b.ImportLong(ctx, "log.csv", strings.NewReader(readLog), ResponseOptions{}); err != nil {
		t.Fatal(err)
	}
	pq := filepath.Join(t.TempDir(), "log.parquet")
	f, err := os.Create(pq)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.ExportResponsesParquet(ctx, f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	keys := []string{"IT001=B", "IT002=C", "IT003=D", "IT004=A"}
	want, err := ReadResponses("log.csv", strings.NewReader(readLog), ReadOptions{Key: keys})
	if err != nil {
		t.Fatal(err)
	}
	if got := want.Codes(); !slices.Equal(got, []string{"IT001", "IT002", "IT003", "IT004"}) || want.Items[0].Key != 2 || want.Items[0].NOptions != MaxOptions {
		t.Fatalf("items %+v", want.Items)
	}
	lines := strings.Split(strings.TrimSuffix(readLog, "\n"), "\n")
	byItem := slices.Clone(lines[1:])
	sort.SliceStable(byItem, func(i, j int) bool { return strings.Split(byItem[i], ",")[2] < strings.Split(byItem[j], ",")[2] })
	irw := []string{"id,item,resp,rt,date,wave"}
	for _, l := range lines[1:] {
		c := strings.Split(l, ",")
		if c[3] == "" {
			continue // score only: no option to give in resp
		}
		at := c[6]
		if at == "2026-03-01T10:00:00Z" {
			at = "1772359200" // the same, in Unix seconds
		}
		irw = append(irw, strings.Join([]string{c[0], c[2], c[3], c[5], at, "1"}, ","))
	}
	wide, wideScores := "examinee,IT001,IT002,IT003,IT004\n", "id,IT001,IT002,IT003,IT004\n"
	for e, m := range [][]string{{"B", "-", "A", "A"}, {"C", "", "D", ""}, {"-", "C", "", ""}, {"", "", "", "B"}} {
		wide += fmt.Sprintf("E%d,%s\n", e+1, strings.Join(m, ","))
	}
	for e, m := range [][]string{{"1", "0", "0", "1"}, {"0", "NA", "1", "1"}, {"0", "1", "", ""}, {"", "", "", "0"}} {
		wideScores += fmt.Sprintf("E%d,%s\n", e+1, strings.Join(m, ","))
	}
	for _, c := range []struct {
		name, data string
		opts       ReadOptions
		forms      bool
	}{
		{"ordered by item", lines[0] + "\n" + strings.Join(byItem, "\n") + "\n", ReadOptions{Key: keys}, true},
		{"IRW", strings.Join(irw, "\n") + "\n", ReadOptions{Key: keys}, false},
		{"wide", wide, ReadOptions{Wide: true, Key: []string{"B", "C", "D", "A"}}, false},
		{"Parquet", pq, ReadOptions{Key: keys}, true},
		{"Parquet without a key", pq, ReadOptions{}, true},
	} {
		var in io.Reader = strings.NewReader(c.data)
		if strings.HasPrefix(c.name, "Parquet") {
			pf, err := os.Open(pq)
			if err != nil {
				t.Fatal(err)
			}
			defer pf.Close()
			in = pf
		}
		got, err := ReadResponses(c.name, in, c.opts)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		w := *want.Responses
		if c.name == "IRW" || c.name == "wide" {
			// E2's score-only response to IT004 has no option to write.
			w = *dropResponse(want.Responses, "E2", "IT004")
		}
		if c.name == "Parquet without a key" {
			// Unkeyed, the options are kept as chosen and resp scores them.
			w.Items = slices.Clone(w.Items)
			for i := range w.Items {
				w.Items[i].Key = 0
			}
		}
		sameMatrix(t, c.name, got.Responses, &w, c.forms)
		if c.name == "Parquet without a key" && !slices.Equal(got.Items, w.Items) {
			t.Errorf("%s: items %+v", c.name, got.Items)
		}
	}
	// Scores only: the same scores, options not known.
	got, err := ReadResponses("scores.csv", strings.NewReader(wideScores), ReadOptions{Wide: true})
	if err != nil {
		t.Fatal(err)
	}
	w := *want.Responses
	w.Option, w.Omitted = nil, 0
	sameMatrix(t, "wide scores", got.Responses, &w, false)
	for _, o := range got.Option {
		if o != irt.ScoreOnly {
			t.Fatalf("wide scores: options %v, want all ScoreOnly", got.Option)
		}
	}
}

// dropResponse returns a copy of r without examinee e's response to item.
func dropResponse(r *irt.Responses, e, item string) *irt.Responses {
	c := *r
	c.Start, c.Item, c.Score, c.Option = []int{0}, nil, nil, nil
	col := slices.Index(r.Codes(), item)
	for p := range r.NExaminees() {
		for k := r.Start[p]; k < r.Start[p+1]; k++ {
			if r.Examinees[p] == e && int(r.Item[k]) == col {
				continue
			}
			c.Item, c.Score, c.Option = append(c.Item, r.Item[k]), append(c.Score, r.Score[k]), append(c.Option, r.Option[k])
		}
		c.Start = append(c.Start, len(c.Item))
	}
	return &c
}

// TestReadResponsesErrors: a file the bank's importers refuse,
// ReadResponses refuses with the very same error.
func TestReadResponsesErrors(t *testing.T) {
	items := bankItems(8)
	key := []string{"B", "C"}
	for _, c := range []struct {
		name, data string
		wide       bool
	}{
		{"ragged", longHeader + "E3,F1,IT001,A\nE3,F1,IT002\n", false},
		{"option outside", longHeader + "E3,F1,IT001,E\n", false},
		{"option not a letter", longHeader + "E3,F1,IT001,Z\n", false},
		{"unknown column", "examinee,form,itm,option\nE3,F1,IT001,A\n", false},
		{"missing column", "examinee,item,option\nE3,IT001,A\n", false},
		{"no option or score column", "examinee,form,item,time\nE3,F1,IT001,3\n", false},
		{"a wide file", "IT001,IT002\nA,B\n", false},
		{"BOM", "\xEF\xBB\xBF" + longHeader + "E3,F1,IT001,A\n", false},
		{"CRLF", longHeader + "E3,F1,IT001,A\nE3,F1,IT002,A\r\n", false},
		{"empty", "", false},
		{"header only", longHeader, false},
		{"non-UTF-8", longHeader + "E\xff3,F1,IT001,A\n", false},
		{"bad quote", longHeader + "E3,F1,\"IT001,A\n", false},
		{"bad score", "examinee,form,item,score\nE3,F1,IT001,2\n", false},
		{"score disagrees", "examinee,form,item,option,score\nE3,F1,IT001,B,0\n", false},
		{"neither option nor score", "examinee,form,item,option,score\nE3,F1,IT001,,\n", false},
		{"bad time", "examinee,form,item,option,time\nE3,F1,IT001,A,-4\n", false},
		{"bad timestamp", "examinee,form,item,option,administered_at\nE3,F1,IT001,A,yesterday\n", false},
		{"empty examinee", longHeader + ",F1,IT001,A\n", false},
		{"zero-width joiner", longHeader + "E\u200d3,F1,IT001,A\n", false},
		{"IRW bad resp", "id,item,resp\nE3,IT001,2\n", false},
		{"IRW no resp", "id,item,score\nE3,IT001,1\n", false},
		{"wide option outside", "IT001,IT002\nA,B\nC,E\n", true},
		{"wide ragged", "IT001,IT002\nA,B\nC\n", true},
		{"wide key disagrees", "IT002,IT001\nA,B\n", true},
		{"wide examinee", "examinee,IT001,IT002\nE 1,A,B\n", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := withItems(t, 8)
			var want error
			if c.wide {
				_, want = b.ImportWide(context.Background(), "in.csv", strings.NewReader(c.data), WideOptions{Key: key})
			} else {
				_, want = b.ImportLong(context.Background(), "in.csv", strings.NewReader(c.data), ResponseOptions{})
			}
			if want == nil {
				t.Fatal("the import succeeded")
			}
			opts := ReadOptions{Items: items, Wide: c.wide}
			if c.wide {
				opts.Key = key
			}
			_, got := ReadResponses("in.csv", strings.NewReader(c.data), opts)
			if got == nil || got.Error() != want.Error() {
				t.Errorf("ReadResponses: %v\nthe import:    %v", got, want)
			}
		})
	}
}

// TestReadResponsesDuplicates: a second response of an examinee to an
// item is refused at its line, whether the examinee's rows come together
// or not.
func TestReadResponsesDuplicates(t *testing.T) {
	for _, c := range []struct {
		name, data string
		line       int
	}{
		{"together", longHeader + "E1,F1,IT001,A\nE1,F1,IT002,A\nE1,F1,IT001,B\n", 4},
		{"apart", longHeader + "E1,F1,IT001,A\nE2,F1,IT001,A\nE1,F1,IT002,A\nE2,F1,IT002,B\nE1,F1,IT001,C\n", 6},
		{"wide", "examinee,IT001\nE1,A\nE2,B\nE1,C\n", 4},
	} {
		opts := ReadOptions{Items: bankItems(2)}
		if c.name == "wide" {
			opts.Wide, opts.Key = true, []string{"B"}
		}
		_, err := ReadResponses("in.csv", strings.NewReader(c.data), opts)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Line != c.line || !strings.Contains(ie.Msg, "already has a response to this item") {
			t.Errorf("%s: %v, want a duplicate at line %d", c.name, err, c.line)
		}
	}
}

// TestReadResponsesKeys: a long file's key names items; with the bank's
// items it must agree with their keys.
func TestReadResponsesKeys(t *testing.T) {
	log := "id,item,resp\nE1,Q1,A\nE1,Q2,3\nE2,Q1,B\n"
	r, err := ReadResponses("irw.csv", strings.NewReader(log), ReadOptions{Key: []string{"Q1=A", "Q2=C"}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Score, []uint8{1, 1, 0}) || !slices.Equal(r.Option, []int8{1, 3, 2}) {
		t.Errorf("scores %v, options %v", r.Score, r.Option)
	}
	for _, c := range []struct {
		key   []string
		items []irt.ItemInfo
		want  string
	}{
		{[]string{"Q1"}, nil, "a long file's key is ITEM=OPTION"},
		{[]string{"Q1=F"}, nil, `"F" is not one of item Q1's 5 options`},
		{[]string{"Q1=A", "Q1=B"}, nil, "keyed twice"},
		{[]string{"Q1=A"}, []irt.ItemInfo{{Code: "Q1", NOptions: 4, Key: 2}}, "the bank keys item Q1 B"},
		{[]string{"Q1=A"}, nil, `item Q2 has no key`},
	} {
		_, err := ReadResponses("irw.csv", strings.NewReader(log), ReadOptions{Key: c.key, Items: c.items})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("key %v: %v, want %q", c.key, err, c.want)
		}
	}
}

// TestFormlessRoundTrip: responses logged without a form (here from an
// IRW file) export with an empty form and import back as they were.
func TestFormlessRoundTrip(t *testing.T) {
	ctx := context.Background()
	a := withItems(t, 2)
	irw := "id,item,resp,rt,date,wave\nP1,IT001,1,3.5,1772359200,1\nP1,IT002,0,,,1\nP2,IT001,0,2,2026-03-01,2\n"
	if _, err := a.ImportLong(ctx, "irw.csv", strings.NewReader(irw), ResponseOptions{}); err != nil {
		t.Fatal(err)
	}
	var first, second strings.Builder
	if err := a.ExportResponses(ctx, &first); err != nil {
		t.Fatal(err)
	}
	want := "examinee,form,item,option,score,time,administered_at\nP1,,IT001,,1,3.5,2026-03-01T10:00:00Z\nP1,,IT002,,0,,\nP2,,IT001,,0,2,2026-03-01T00:00:00Z\n"
	if first.String() != want {
		t.Fatalf("export:\n%s\nwant:\n%s", first.String(), want)
	}
	b := withItems(t, 2)
	if _, err := b.ImportLong(ctx, "export.csv", strings.NewReader(first.String()), ResponseOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := b.ExportResponses(ctx, &second); err != nil || second.String() != want {
		t.Errorf("after a round trip (%v):\n%s", err, second.String())
	}
	r, err := ReadResponses("export.csv", strings.NewReader(want), ReadOptions{})
	if err != nil || !slices.Equal(r.Forms, []string{""}) || !slices.Equal(r.Form, []int32{0, 0}) {
		t.Errorf("read straight: %v, forms %q %v", err, r.Forms, r.Form)
	}
}
