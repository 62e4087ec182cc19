package bank

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

// writeParquet writes rows as a Parquet file in memory.
func writeParquet[T any](t *testing.T, rows []T, opts ...parquet.WriterOption) *bytes.Reader {
	t.Helper()
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[T](&buf, opts...)
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(buf.Bytes())
}

// TestParquetValues: a Parquet table of other writers' types (numeric ids,
// double scores, timestamps and dates, booleans, nulls, columns the IRW
// allows) reads as the CSV of the same values would.
func TestParquetValues(t *testing.T) {
	type row struct {
		ID    int64     `parquet:"id"`
		Item  string    `parquet:"item"`
		Resp  float64   `parquet:"resp"`
		RT    *float32  `parquet:"rt,optional"`
		Date  time.Time `parquet:"date,timestamp(millisecond)"`
		Day   int32     `parquet:"day,date"` // days since 1970
		Right bool      `parquet:"right"`
		Wave  int32     `parquet:"wave"`
	}
	rt := float32(2.5)
	at := time.Date(2026, 3, 2, 9, 14, 0, 0, time.UTC)
	day := int32(at.Unix() / 86400)
	in := writeParquet(t, []row{
		{1001, "Q1", 1, &rt, at, day, true, 1},
		{1001, "Q2", 0, nil, at.Add(1500 * time.Millisecond), day, false, 1},
		{1002, "Q1", 0, nil, at, day, false, 2},
	})
	src, err := newParquetSource("t.parquet", in, in.Size())
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"id", "item", "resp", "rt", "date", "day", "right", "wave"}; !slices.Equal(src.columns(), want) {
		t.Fatalf("columns %v, want %v", src.columns(), want)
	}
	for i, want := range [][]string{
		{"1001", "Q1", "1", "2.5", "2026-03-02T09:14:00Z", "2026-03-02", "1", "1"},
		{"1001", "Q2", "0", "", "2026-03-02T09:14:01Z", "2026-03-02", "0", "1"},
		{"1002", "Q1", "0", "", "2026-03-02T09:14:00Z", "2026-03-02", "0", "2"},
	} {
		rec, err := src.Read()
		if err != nil || !slices.Equal(rec, want) || src.at() != i+1 {
			t.Fatalf("row %d (at %d): %q, %v; want %q", i+1, src.at(), rec, err, want)
		}
	}
	if _, err := src.Read(); err == nil {
		t.Error("read past the last row")
	}
	r, err := ReadResponses("t.parquet", in, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Examinees, []string{"1001", "1002"}) || !slices.Equal(r.Score, []uint8{1, 0, 0}) || !slices.Equal(r.Start, []int{0, 2, 3}) {
		t.Errorf("matrix %+v", r.Responses)
	}
}

// TestParquetErrors: bad values name the row and column; tables that are
// not flat, or not Parquet at all, are refused.
func TestParquetErrors(t *testing.T) {
	type row struct {
		ID   string  `parquet:"id"`
		Item string  `parquet:"item"`
		Resp float64 `parquet:"resp"`
	}
	in := writeParquet(t, []row{{"E1", "Q1", 1}, {"E1", "Q2", 0}, {"E2", "Q1", 0.5}})
	_, err := ReadResponses("t.parquet", in, ReadOptions{})
	var ie *InputError
	if !errors.As(err, &ie) || ie.Line != 3 || ie.Field != "resp" || !strings.Contains(ie.Msg, `score "0.5" is not 0 or 1`) {
		t.Errorf("a score of 0.5: %v", err)
	}
	in = writeParquet(t, []row{{"E1", "Q1", 1}, {"E 2", "Q1", 1}})
	if _, err := ReadResponses("t.parquet", in, ReadOptions{}); err == nil || err.Error() != `t.parquet:2: column id: the id "E 2" contains a space, comma or quote (character 2); expected a code such as SEM-001` {
		t.Errorf("an examinee id with a space: %v", err)
	}
	type nested struct {
		ID   string   `parquet:"id"`
		Item string   `parquet:"item"`
		Resp int32    `parquet:"resp"`
		Tags []string `parquet:"tags,list"`
	}
	in = writeParquet(t, []nested{{"E1", "Q1", 1, []string{"a"}}})
	if _, err := ReadResponses("t.parquet", in, ReadOptions{}); err == nil || !strings.Contains(err.Error(), "column tags.list.element: the column is repeated") {
		t.Errorf("a list column: %v", err)
	}
	in = bytes.NewReader(append([]byte("PAR1"), "not really"...))
	if _, err := ReadResponses("t.parquet", in, ReadOptions{}); err == nil || !strings.Contains(err.Error(), "not a readable Parquet file") {
		t.Errorf("a broken file: %v", err)
	}
	in = writeParquet(t, []row{{"E1", "Q1", 1}})
	if _, err := ReadResponses("t.parquet", in, ReadOptions{Wide: true}); err == nil || !strings.Contains(err.Error(), "a Parquet file holds the long layout") {
		t.Errorf("a Parquet file read as wide: %v", err)
	}
}

// TestParquetRowGroups: a file of many row groups, read two groups at a
// time, gives the matrix of the same rows in one group, and an error in a
// later group names its row.
func TestParquetRowGroups(t *testing.T) {
	groups := parquet.MaxRowsPerRowGroup(700)
	one, many := longParquet(t, 300, 10, 40), longParquet(t, 300, 10, 40, groups)
	if f, err := parquet.OpenFile(bytes.NewReader(many), int64(len(many))); err != nil || len(f.RowGroups()) != 5 {
		t.Fatalf("the test file has %v row groups (%v); want 5", len(f.RowGroups()), err)
	}
	want, err := ReadResponses("one.parquet", bytes.NewReader(one), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadResponses("many.parquet", bytes.NewReader(many), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Responses, want.Responses) || got.Rows != 3000 {
		t.Errorf("%d rows in five groups read differently from one group", got.Rows)
	}
	type row struct {
		ID   string `parquet:"id"`
		Item string `parquet:"item"`
		Resp int32  `parquet:"resp"`
	}
	rows := make([]row, 3000)
	for k := range rows {
		rows[k] = row{fmt.Sprintf("E%04d", k/10), fmt.Sprintf("Q%d", k%10), int32(k % 2)}
	}
	rows[2345].Resp = 7
	_, err = ReadResponses("bad.parquet", writeParquet(t, rows, groups), ReadOptions{})
	var ie *InputError
	if !errors.As(err, &ie) || ie.Line != 2346 || ie.Field != "resp" {
		t.Errorf("a score of 7 in row 2,346, the fourth group: %v", err)
	}
}

// TestImportParquet: a bank's log exported as Parquet imports into a fresh
// bank and exports again as the same long CSV; importing it twice is
// refused as for a CSV file.
func TestImportParquet(t *testing.T) {
	ctx := context.Background()
	a := withItems(t, 8)
	log := longHeader + "E1,F1,IT001,B\nE1,F1,IT002,-\nE2,F1,IT001,A\nE2,F1,IT003,D\nE3,F2,IT005,B\n"
	if _, err := a.ImportLong(ctx, "log.csv", strings.NewReader(log), ResponseOptions{}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "log.parquet")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.ExportResponsesParquet(ctx, f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	b := withItems(t, 8)
	in, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	res, err := b.ImportLong(ctx, file, in, ResponseOptions{})
	if err != nil || res.Responses != 5 || res.Omitted != 1 {
		t.Fatalf("importing the Parquet export: %+v, %v", res, err)
	}
	var want, got strings.Builder
	if err := a.ExportResponses(ctx, &want); err != nil {
		t.Fatal(err)
	}
	if err := b.ExportResponses(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Errorf("after a Parquet round trip the log reads\n%s\nwant\n%s", got.String(), want.String())
	}
	in.Seek(0, io.SeekStart)
	if _, err := b.ImportLong(ctx, file, in, ResponseOptions{}); !errors.As(err, new(*AlreadyImportedError)) {
		t.Errorf("importing the same Parquet file again: %v", err)
	}
}
