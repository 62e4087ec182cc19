package assemble

import (
	"errors"
	"strings"
	"testing"
)

func TestInfeasible(t *testing.T) {
	one := func(n float64) *float64 { return &n }
	overlap := 2
	for _, tc := range []struct {
		name       string
		bp         Blueprint
		constraint string // the InfeasibleError's, or "" for another error
		want       string
	}{
		{"domain short", Blueprint{Length: 20, Domains: map[string]Range{"semantics": AtLeast(10)}},
			"domains.semantics", "each form needs at least 10 semantics items, the pool has 9 operational ones"},
		{"domain short by enemies", Blueprint{Length: 20, Domains: map[string]Range{"stdlib": AtLeast(9)}},
			"domains.stdlib", "the pool has 9 operational ones, of which at most 7 can share a form (enemy groups)"},
		{"length", Blueprint{Length: 40}, "length", "each form needs 40 items, the pool has 36 operational ones"},
		{"forms", Blueprint{Length: 8, Forms: 5}, "forms", "5 forms of 8 items need 40 items besides the 0 anchors"},
		{"minimums", Blueprint{Length: 8, Domains: map[string]Range{"semantics": AtLeast(3), "idioms": AtLeast(3), "stdlib": AtLeast(3)}},
			"domains", "the minimums add up to 9 items, more than the form length 8"},
		{"subdomain", Blueprint{Length: 20, Subdomains: map[string]Range{"stdlib-1": AtLeast(5)}},
			"subdomains.stdlib-1", "at most 4 can share a form"},
		{"enemy anchors", Blueprint{Length: 8, Anchors: []string{"T01", "T02"}}, "anchors", "T01 and T02 are in enemy group e1"},
		{"pretest anchor", Blueprint{Length: 8, Anchors: []string{"S10"}}, "anchors", "S10 is pretest (the blueprint allows operational)"},
		{"anchors over a maximum", Blueprint{Length: 8, Anchors: []string{"S01", "S02", "S03"}, Domains: map[string]Range{"semantics": AtMost(2)}},
			"domains.semantics", "the anchors hold 3 semantics items, more than the 2"},
		{"overlap below anchors", Blueprint{Length: 8, Forms: 2, Anchors: []string{"S01", "S02", "S03"}, MaxOverlap: &overlap},
			"max_overlap", "the 3 anchor items are on every form"},
		{"excluded include", Blueprint{Length: 8, Include: []string{"S01"}, Exclude: []string{"S01"}}, "include", "S01 is excluded"},
		{"include beside an enemy anchor", Blueprint{Length: 8, Anchors: []string{"T01"}, Include: []string{"T02"}},
			"include", "T02 is in enemy group e1 with anchor T01"},
		{"minutes", Blueprint{Length: 8, Minutes: &Range{Max: one(3)}}, "minutes", "even the 8 quickest eligible items (anchors included) give 4.2 minutes"},
		{"difficulty", Blueprint{Length: 8, MeanDifficulty: &Range{Min: one(2)}}, "mean_difficulty", "less than the minimum a mean difficulty of 2.000"},
		{"unknown anchor", Blueprint{Length: 8, Anchors: []string{"X99"}}, "", "anchors: item X99 is not in the pool"},
		{"unknown domain", Blueprint{Length: 8, Domains: map[string]Range{"typo": AtLeast(1)}}, "", `domains.typo: no pool item has domain "typo"`},
		{"enemies in a set", Blueprint{Length: 8, ItemSets: [][]string{{"T01", "T02"}}}, "", "item_sets: T01, T02 are enemies (enemy group e1)"},
	} {
		_, err := NewProblem(tc.bp, tinyPool())
		var ie *InfeasibleError
		switch {
		case err == nil:
			t.Errorf("%s: no error", tc.name)
			continue
		case tc.constraint != "" && (!errors.As(err, &ie) || ie.Constraint != tc.constraint):
			t.Errorf("%s: %v, want an InfeasibleError of %s", tc.name, err, tc.constraint)
		case tc.constraint == "" && errors.As(err, &ie):
			t.Errorf("%s: %v is an InfeasibleError", tc.name, err)
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}

// TestEligible: tinyPool's 40 items are operational but for one pretest
// item per domain.
func TestEligible(t *testing.T) {
	for _, tc := range []struct {
		statuses []string
		want     int
	}{{nil, 36}, {[]string{"operational", "pretest"}, 40}, {[]string{"pretest"}, 4}} {
		p, err := NewProblem(Blueprint{Length: 4, Statuses: tc.statuses}, tinyPool())
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Eligible(); got != tc.want {
			t.Errorf("statuses %v: %d eligible, want %d", tc.statuses, got, tc.want)
		}
	}
}
