package bank

import (
	"fmt"
	"io"
	"strings"
	"testing"
)

// TestUTF8AcrossBlocks: a file dense in multibyte characters, some of
// which straddle the blocks the guard checks, reads back whole: a block
// ending inside a character only makes every field be checked.
func TestUTF8AcrossBlocks(t *testing.T) {
	var in strings.Builder
	in.WriteString("a,b\n")
	for k := range 20000 {
		fmt.Fprintf(&in, "日本語%d,é\n", k)
	}
	s, err := newCSVSource("u.csv", strings.NewReader(in.String()))
	if err != nil {
		t.Fatal(err)
	}
	for k := 0; ; k++ {
		rec, err := s.Read()
		if err == io.EOF {
			if k != 20000 {
				t.Errorf("%d records; want 20000", k)
			}
			break
		}
		if err != nil {
			t.Fatalf("record %d: %v", k, err)
		}
		if rec[0] != fmt.Sprintf("日本語%d", k) || rec[1] != "é" || s.at() != k+2 {
			t.Fatalf("record %d reads %q on line %d", k, rec, s.at())
		}
	}
	if !s.guard.badUTF8 {
		t.Error("no block ended inside a character: the test does not test the straddling case")
	}
}
