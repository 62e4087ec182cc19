package bank

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

// wideCSV generates a wide matrix of options: examinees × nItems item
// columns (IT001…), each examinee answering one form of perExam
// consecutive items and leaving the other cells empty.
func wideCSV(examinees, perExam, nItems int) []byte {
	var s bytes.Buffer
	s.WriteString("examinee")
	for i := 1; i <= nItems; i++ {
		fmt.Fprintf(&s, ",IT%03d", i)
	}
	s.WriteByte('\n')
	for e := 1; e <= examinees; e++ {
		form := e % (nItems / perExam)
		fmt.Fprintf(&s, "E%07d", e)
		for i := range nItems {
			s.WriteByte(',')
			if j := i - form*perExam; j >= 0 && j < perExam {
				s.WriteByte(byte('A' + (e+j)%4))
			}
		}
		s.WriteByte('\n')
	}
	return s.Bytes()
}

// BenchmarkImportWide imports a 20,000 × 200 wide matrix of options, 50
// answered per examinee (1,000,000 responses), into a fresh bank per
// iteration, the transaction's commit included.
func BenchmarkImportWide(b *testing.B) {
	benchmarkImport(b, wideCSV(20000, 50, 200), func(bk *Bank, r io.Reader) (ResponsesImport, error) {
		return bk.ImportWide(context.Background(), "wide.csv", r, WideOptions{})
	})
}

// BenchmarkReadResponses reads the 20,000 × 200 wide matrix of
// BenchmarkImportWide, and the same responses as a long log, straight into
// a matrix without a bank.
func BenchmarkReadResponses(b *testing.B) {
	key := make([]string, 200)
	long := []string{}
	for i := range key {
		key[i] = string(rune('A' + (i+1)%4))
		long = append(long, fmt.Sprintf("IT%03d=%s", i+1, key[i]))
	}
	for _, c := range []struct {
		name string
		data []byte
		opts ReadOptions
	}{
		{"wide", wideCSV(20000, 50, 200), ReadOptions{Wide: true, Key: key}},
		{"long", longCSV(20000, 50, 200), ReadOptions{Key: long}},
		{"parquet", longParquet(b, 20000, 50, 200), ReadOptions{Key: long}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.data)))
			b.ReportAllocs()
			for b.Loop() {
				r, err := ReadResponses(c.name+".csv", bytes.NewReader(c.data), c.opts)
				if err != nil {
					b.Fatal(err)
				}
				if r.NResponses() != 20000*50 {
					b.Fatalf("read %d responses", r.NResponses())
				}
			}
			b.ReportMetric(float64(20000*50*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// longParquet is longCSV's log in the IRW layout of ExportResponsesParquet,
// resp scored with the key of itemsCSV.
func longParquet(b testing.TB, examinees, perExam, nItems int, opts ...parquet.WriterOption) []byte {
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[irwRow](&buf, append([]parquet.WriterOption{parquet.Compression(&parquet.Snappy)}, opts...)...)
	rows := make([]irwRow, 0, perExam)
	for e := 1; e <= examinees; e++ {
		form := fmt.Sprintf("F%02d", e%(nItems/perExam))
		at := time.Date(2026, 3, 1+e%28, 9, 0, 0, 0, time.UTC).Unix()
		rows = rows[:0]
		for j := range perExam {
			item := (e%(nItems/perExam))*perExam + j + 1
			opt := string(rune('A' + (e+j)%4))
			rt := float64(10+j) + float64(e%10)/10
			resp := int32(0)
			if (e+j)%4 == item%4 {
				resp = 1
			}
			rows = append(rows, irwRow{ID: fmt.Sprintf("E%07d", e), Item: fmt.Sprintf("IT%03d", item), Resp: resp, Form: &form, Option: &opt, RT: &rt, Date: &at})
		}
		if _, err := w.Write(rows); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkResponseMatrix reads a bank's 1,000,000 responses (20,000
// examinees × 50 of 200 items, the log of BenchmarkImportLong) into a
// matrix as a calibration run does: all of them, and those of one import
// of two.
func BenchmarkResponseMatrix(b *testing.B) {
	bk := withItems(b, 200)
	ctx := context.Background()
	var first int64
	for k, data := range [][]byte{longCSV(10000, 50, 200), bytes.ReplaceAll(longCSV(10000, 50, 200), []byte("\nE"), []byte("\nG"))} {
		res, err := bk.ImportLong(ctx, fmt.Sprintf("log%d.csv", k), bytes.NewReader(data), ResponseOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if k == 0 {
			first = res.ImportID
		}
	}
	for _, c := range []struct {
		name string
		f    MatrixFilter
		n    int
	}{{"all", MatrixFilter{}, 1000000}, {"one-import", MatrixFilter{Imports: []int64{first}}, 500000}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				m, err := bk.ResponseMatrix(ctx, c.f)
				if err != nil {
					b.Fatal(err)
				}
				if m.NResponses() != c.n {
					b.Fatalf("read %d responses, want %d", m.NResponses(), c.n)
				}
			}
			b.ReportMetric(float64(c.n*b.N)/b.Elapsed().Seconds(), "responses/s")
		})
	}
}
