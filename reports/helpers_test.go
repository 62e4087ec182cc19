package reports

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"testing"

	"github.com/passportirt/passport/fixtures"
	"github.com/passportirt/passport/irt"
)

// sat12Key is the published key of the TESTFACT SAT12 data
// (fixtures/reference/README.md).
var sat12Key = []int{1, 4, 5, 2, 3, 1, 2, 1, 3, 1, 2, 4, 2, 1, 5, 3, 4, 4, 1, 4, 3, 3, 4, 1, 3, 5, 1, 3, 1, 5, 4, 5}

// sat12 reads the SAT12 raw options (8 = not answered, an omit) as
// Responses on one form, scored with the published key.
func sat12(t testing.TB) *irt.Responses {
	t.Helper()
	recs := readReference(t, "sat12_raw_options.csv")
	r := &irt.Responses{Forms: []string{""}, Start: []int{0}}
	for j, code := range recs[0] {
		r.Items = append(r.Items, irt.ItemInfo{Code: code, Domain: "stdlib", Key: sat12Key[j], NOptions: 5})
	}
	for _, rec := range recs[1:] {
		for j, cell := range rec {
			o, err := strconv.Atoi(cell)
			if err != nil {
				t.Fatal(err)
			}
			if o == 8 {
				o = int(irt.Omitted)
			}
			r.Item = append(r.Item, int32(j))
			r.Option = append(r.Option, int8(o))
			r.Score = append(r.Score, boolScore(o == sat12Key[j]))
		}
		r.Form = append(r.Form, 0)
		r.Start = append(r.Start, len(r.Item))
	}
	return r
}

// lsat7 reads the LSAT7 response patterns expanded to 1000 examinees, as
// 0/1 scores (no options) on one form.
func lsat7(t testing.TB) *irt.Responses {
	t.Helper()
	recs := readReference(t, "lsat7_patterns.csv")
	n := len(recs[0]) - 1
	r := &irt.Responses{Forms: []string{""}, Start: []int{0}}
	for j := range n {
		r.Items = append(r.Items, irt.ItemInfo{Code: recs[0][j], Domain: "stdlib", NOptions: 2})
	}
	for _, rec := range recs[1:] {
		freq, err := strconv.Atoi(rec[n])
		if err != nil {
			t.Fatal(err)
		}
		for range freq {
			for j := range n {
				r.Item = append(r.Item, int32(j))
				r.Option = append(r.Option, irt.ScoreOnly)
				r.Score = append(r.Score, boolScore(rec[j] == "1"))
			}
			r.Form = append(r.Form, 0)
			r.Start = append(r.Start, len(r.Item))
		}
	}
	return r
}

func boolScore(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

func readReference(t testing.TB, name string) [][]string {
	t.Helper()
	raw, err := fixtures.Reference(name)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}
