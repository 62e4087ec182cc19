package bank

import (
	"context"
	"os"
	"testing"
	"time"
)

func TestZZProf(t *testing.T) {
	f, err := os.Open("/tmp/smoke/big.csv")
	if err != nil {
		t.Skip()
	}
	defer f.Close()
	r, err := ReadResponses("big.csv", f, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(r.NResponses())
}

func TestZZMatrix(t *testing.T) {
	if os.Getenv("ZZDB") == "" {
		t.Skip()
	}
	b, err := Open(os.Getenv("ZZDB"))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	start := time.Now()
	m, err := b.ResponseMatrix(context.Background(), MatrixFilter{Imports: []int64{5}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d responses %d examinees %d items in %v; imports %v omitted %d; first %s %v %v", m.NResponses(), m.NExaminees(), m.NItems(), time.Since(start), m.Imports, m.Omitted, m.Examinees[0], m.Item[:5], m.Score[:5])
}
