package bank

import (
	"bytes"
	"context"
	"testing"
)

// BenchmarkImportLong imports 1,000,000 long-format rows (20,000 examinees
// × 50 items from a 200-item bank) into a fresh bank per iteration, the
// transaction's commit included.
func BenchmarkImportLong(b *testing.B) {
	data := longCSV(20000, 50, 200)
	const rows = 20000 * 50
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		bk := withItems(b, 200)
		b.StartTimer()
		res, err := bk.ImportLong(context.Background(), "log.csv", bytes.NewReader(data), ResponseOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if res.Responses != rows {
			b.Fatalf("imported %d responses, want %d", res.Responses, rows)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
