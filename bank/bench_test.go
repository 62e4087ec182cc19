package bank

import (
	"bytes"
	"context"
	"io"
	"testing"
)

// BenchmarkImportLong imports 1,000,000 long-format rows (20,000 examinees
// × 50 items from a 200-item bank) into a fresh bank per iteration, the
// transaction's commit included.
func BenchmarkImportLong(b *testing.B) {
	benchmarkImport(b, longCSV(20000, 50, 200), func(bk *Bank, r io.Reader) (ResponsesImport, error) {
		return bk.ImportLong(context.Background(), "log.csv", r, ResponseOptions{})
	})
}

// benchmarkImport imports data, 20,000 examinees × 50 responses, into a
// fresh 200-item bank per iteration with imp, and reports rows per second.
func benchmarkImport(b *testing.B, data []byte, imp func(*Bank, io.Reader) (ResponsesImport, error)) {
	const rows = 20000 * 50
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		bk := withItems(b, 200)
		b.StartTimer()
		res, err := imp(bk, bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		if res.Responses != rows {
			b.Fatalf("imported %d responses, want %d", res.Responses, rows)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
