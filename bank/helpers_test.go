package bank

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// openTemp opens a fresh bank in the test's temporary directory.
func openTemp(t testing.TB) *Bank {
	t.Helper()
	b, err := Create(filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// itemsCSV generates an items file of n four-option items, keyed A, B, C, D
// in turn, spread over the domains.
func itemsCSV(n int) string {
	var s strings.Builder
	s.WriteString("id,domain,subdomain,status,stem,option_a,option_b,option_c,option_d,option_e,key,enemy_group\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&s, "IT%03d,%s,sub%d,operational,\"What does\nf(%d) return?\",one,two,three,four,,%c,\n",
			i, Domains[i%4], i%3, i, 'A'+rune(i%4))
	}
	return s.String()
}

// withItems opens a fresh bank holding itemsCSV(n).
func withItems(t testing.TB, n int) *Bank {
	t.Helper()
	b := openTemp(t)
	if _, err := b.ImportItems(context.Background(), "items.csv", strings.NewReader(itemsCSV(n))); err != nil {
		t.Fatal(err)
	}
	return b
}

// longCSV generates a long log: examinees × perExam responses over nItems
// items, forms of perExam consecutive items.
func longCSV(examinees, perExam, nItems int) []byte {
	var s bytes.Buffer
	s.WriteString("examinee,form,item,option,time,administered_at\n")
	for e := 1; e <= examinees; e++ {
		form := e % (nItems / perExam)
		at := fmt.Sprintf("2026-03-%02dT09:00:00Z", 1+e%28)
		for j := 0; j < perExam; j++ {
			item := form*perExam + j + 1
			fmt.Fprintf(&s, "E%07d,F%02d,IT%03d,%c,%d.%d,%s\n", e, form, item, 'A'+rune((e+j)%4), 10+j, e%10, at)
		}
	}
	return s.Bytes()
}
