package csvsafe

import (
	"bytes"
	"encoding/csv"
	"testing"
)

func TestCell(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		// OWASP's trigger characters.
		{"=SUM(A1:A2)", "'=SUM(A1:A2)"},
		{"+1", "'+1"},
		{"-1+2", "'-1+2"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{`=HYPERLINK("http://x","y")`, `'=HYPERLINK("http://x","y")`},
		// Numbers stay numbers.
		{"-0.5", "-0.5"},
		{"-1", "-1"},
		{"-1.5e-07", "-1.5e-07"},
		{"-.5", "-.5"},
		{"0.25", "0.25"},
		{"-", "-"}, // the omit code
		// Text that only looks like a number, or starts like a formula.
		{"-3 -1 -3", "'-3 -1 -3"},
		{"-Inf", "'-Inf"},
		{"-1e", "'-1e"},
		{"--1", "'--1"},
		{"-0x10", "'-0x10"},
		// Quotes before a trigger get one more, so that Unguard can tell.
		{"'=' * 3", "''=' * 3"},
		{"''-x", "'''-x"},
		// Anything else is left.
		{"", ""},
		{"'a' * 3", "'a' * 3"},
		{"''", "''"},
		{"SEM-001", "SEM-001"},
		{"a=b", "a=b"},
		{" =1", " =1"},
	} {
		got := Cell(tc.in)
		if got != tc.want {
			t.Errorf("Cell(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if back := Unguard(got); back != tc.in {
			t.Errorf("Unguard(%q) = %q, want %q", got, back, tc.in)
		}
	}
	// A hand-written cell with a quote before a trigger loses that quote.
	if got := Unguard("'-'.join(xs)"); got != "-'.join(xs)" {
		t.Errorf("Unguard of a quoted trigger = %q", got)
	}
}

// TestWriter: records go out guarded, in CSV quoting, and read back with
// Unguard to what was written; the caller's record is not changed.
func TestWriter(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b)
	rec := []string{"=1+2", "-0.5", "a,\"b\"", "@x\ny"}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	want := "'=1+2,-0.5,\"a,\"\"b\"\"\",\"'@x\ny\"\n"
	if b.String() != want {
		t.Errorf("wrote %q, want %q", b.String(), want)
	}
	if rec[0] != "=1+2" {
		t.Errorf("the caller's record changed: %q", rec)
	}
	got, err := csv.NewReader(&b).Read()
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if Unguard(got[i]) != rec[i] {
			t.Errorf("cell %d read back as %q, want %q", i, Unguard(got[i]), rec[i])
		}
	}
}

// FuzzRoundTrip: Unguard undoes Cell, and Cell leaves no cell starting
// with a trigger character other than a number or the omit code.
func FuzzRoundTrip(f *testing.F) {
	for _, s := range []string{"=1", "-1", "'=", "''+a", "-", "x", "\t", "-1e5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Cell(s)
		if Unguard(c) != s {
			t.Fatalf("Unguard(Cell(%q)) = %q", s, Unguard(c))
		}
		if c != "" && c != "-" && !number.MatchString(c) && (c[0] == '=' || c[0] == '+' || c[0] == '-' || c[0] == '@' || c[0] == '\t' || c[0] == '\r') {
			t.Fatalf("Cell(%q) = %q starts with a trigger", s, c)
		}
	})
}
