package table

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

type inner struct {
	Model string  `json:"model"`
	A     float64 `json:"a"`
	Note  string  `json:"note,omitempty"`
}

type row struct {
	inner
	Note   string    `json:"note"` // hides inner's
	N      int       `json:"n"`
	Shares []float64 `json:"shares"`
	Hidden string    `json:"-"`
	SEA    float64
	Ptr    *float64 `json:"ptr"`
}

func write(t *testing.T, format string, v any) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, format, v); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestWrite(t *testing.T) {
	third := 1.0 / 3
	rows := []row{
		{inner: inner{Model: "3pl", A: 0.1 + 0.2, Note: "inner"}, Note: "outer", N: 7, Shares: []float64{0.25, math.NaN()}, Hidden: "x", SEA: math.NaN(), Ptr: &third},
		{inner: inner{Model: "2pl", A: math.Inf(1)}, N: -1},
	}
	for _, tc := range []struct{ format, want string }{
		// 0.1 + 0.2 = 0.30000000000000004 prints as 0.3; NaN and Inf as empty or null; lists joined by spaces, "-" for NaN.
		{"csv", "model,a,note,n,shares,sea,ptr\n3pl,0.3,outer,7,0.25 -,,0.333333333333333\n2pl,,,-1,,0,\n"},
		{"json", `[
  {
    "model": "3pl",
    "a": 0.3,
    "note": "outer",
    "n": 7,
    "shares": [
      0.25,
      null
    ],
    "sea": null,
    "ptr": 0.333333333333333
  },
  {
    "model": "2pl",
    "a": null,
    "note": "",
    "n": -1,
    "shares": [],
    "sea": 0,
    "ptr": null
  }
]
`},
		{"table", "MODEL  A       NOTE   N   SHARES    SEA     PTR\n3pl    0.3000  outer  7   0.2500 -          0.3333\n2pl                   -1            0.0000  \n"},
	} {
		if got := write(t, tc.format, rows); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.format, got, tc.want)
		}
	}
}

func TestWriteRecord(t *testing.T) {
	rec := struct {
		Run   int64  `json:"run"`
		Name  string `json:"name"`
		Items []row  `json:"items"`
	}{Run: 3, Name: strings.Repeat("long name ", 10)}
	got := write(t, "table", rec)
	want := "run:    3\nname:   long name long name long name long name long name long name…\nitems:  \n"
	if got != want {
		t.Errorf("record as a table:\n got %q\nwant %q", got, want)
	}
	if got := write(t, "json", rec); !strings.Contains(got, `"items": []`) {
		t.Errorf("an empty list is not [] in JSON:\n%s", got)
	}
}

// TestWriteCSVGuard: text a spreadsheet would run as a formula is written
// with a leading quote; numbers, negative ones included, are written as
// numbers, in CSV only.
func TestWriteCSVGuard(t *testing.T) {
	type scoreRow struct {
		Examinee string  `json:"examinee"`
		Theta    float64 `json:"theta"`
		Raw      int     `json:"raw"`
		Note     string  `json:"note"`
		Shares   []float64
	}
	rows := []scoreRow{
		{Examinee: "=HYPERLINK(\"http://x\")", Theta: -0.5, Raw: -1, Note: "-1+2", Shares: []float64{-0.5, 0.25}},
		{Examinee: "@E2", Theta: -1.5e-7, Raw: 3, Note: "+x", Shares: []float64{0.5}},
	}
	want := "examinee,theta,raw,note,shares\n" +
		"\"'=HYPERLINK(\"\"http://x\"\")\",-0.5,-1,'-1+2,'-0.5 0.25\n" +
		"'@E2,-1.5e-07,3,'+x,0.5\n"
	if got := write(t, "csv", rows); got != want {
		t.Errorf("csv:\n got %q\nwant %q", got, want)
	}
	if got := write(t, "json", rows[1]); !strings.Contains(got, `"examinee": "@E2"`) {
		t.Errorf("JSON is guarded:\n%s", got)
	}
}

// TestDecimalsTag: a field tagged table:"decimals=N" has N decimals in a
// table, full precision in CSV and JSON.
func TestDecimalsTag(t *testing.T) {
	rows := []struct {
		Score float64 `json:"score" table:"decimals=0"`
		CSEM  float64 `json:"csem" table:"decimals=1"`
		Theta float64 `json:"theta"`
	}{{575.4, 33.4567, 0.12345}}
	if got, want := write(t, "table", rows), "SCORE  CSEM  THETA\n575    33.5  0.1235\n"; got != want {
		t.Errorf("table %q, want %q", got, want)
	}
	if got, want := write(t, "csv", rows), "score,csem,theta\n575.4,33.4567,0.12345\n"; got != want {
		t.Errorf("csv %q, want %q", got, want)
	}
}
