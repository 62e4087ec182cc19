package assemble

import (
	"slices"
	"strings"
	"testing"
)

// verifyCase is a blueprint on tinyPool and two forms that meet it.
func verifyCase() (Blueprint, [][]string) {
	lo, hi := -1.2, 1.0
	maxMin := 4.1
	overlap := 2
	bp := Blueprint{Length: 7, Forms: 2,
		Domains:     map[string]Range{"semantics": Between(1, 2), "idioms": Between(1, 2), "performance": Between(1, 2), "stdlib": Between(1, 2)},
		Subdomains:  map[string]Range{"semantics-1": AtMost(1)},
		EnemyGroups: [][]string{{"I01", "I03"}}, ItemSets: [][]string{{"P01", "P02"}},
		Anchors: []string{"S02"}, Include: []string{"I05"}, Exclude: []string{"I06"}, MaxOverlap: &overlap,
		Minutes: &Range{Max: &maxMin}, MeanDifficulty: &Range{Min: &lo, Max: &hi}}
	forms := [][]string{
		{"S02", "S04", "I01", "I05", "P01", "P02", "T04"}, // 3.82 minutes, mean b −0.93
		{"S02", "S06", "I03", "I07", "P03", "T05", "T06"}, // 4.03 minutes, mean b −0.31
	}
	return bp, forms
}

func TestVerify(t *testing.T) {
	swap := func(f int, old, new string) func(*Blueprint, [][]string) [][]string {
		return func(_ *Blueprint, forms [][]string) [][]string {
			forms[f][slices.Index(forms[f], old)] = new
			return forms
		}
	}
	for _, tc := range []struct {
		name   string
		change func(bp *Blueprint, forms [][]string) [][]string
		want   string // "" for no violation
	}{
		{"valid", func(_ *Blueprint, f [][]string) [][]string { return f }, ""},
		{"forms", func(_ *Blueprint, f [][]string) [][]string { return f[:1] }, "forms: 1 forms, the blueprint asks for 2"},
		{"length", func(_ *Blueprint, f [][]string) [][]string { f[1] = f[1][:6]; return f }, "form 2: 6 items, the blueprint's length is 7"},
		{"twice", swap(0, "T04", "S04"), "form 1: item S04 appears twice"},
		{"unknown", swap(0, "T04", "X01"), "form 1: item X01 is not in the pool"},
		{"status", swap(0, "T04", "T10"), "form 1: item T10 is pretest; the blueprint allows operational"},
		{"excluded", swap(0, "I05", "I06"), "form 1: item I06 is excluded"},
		{"include", swap(0, "I05", "I09"), "include: item I05 is on no form"},
		{"domain", swap(0, "T04", "S08"), "form 1: domain stdlib has 0 items, the blueprint allows 1–2"},
		{"subdomain", swap(0, "S04", "S05"), ""},
		{"subdomain over", func(bp *Blueprint, f [][]string) [][]string {
			bp.Subdomains = map[string]Range{"semantics-0": AtMost(1)}
			return f
		}, "form 1: subdomain semantics-0 has 2 items, the blueprint allows ≤ 1"},
		{"pool enemies", func(bp *Blueprint, f [][]string) [][]string {
			return swap(1, "T06", "T02")(bp, swap(1, "T05", "T01")(bp, f))
		}, "form 2: enemies T01, T02 (enemy group e1) share the form"},
		{"blueprint enemies", swap(0, "I05", "I03"), "form 1: 2 items of enemy_groups[0] share the form"},
		{"item set", swap(0, "P02", "P04"), "form 1: 1 of the 2 items of item_sets[0] are on it"},
		{"anchor", swap(1, "S02", "S08"), "form 2: anchor S02 is missing"},
		{"reuse", swap(1, "I07", "I05"), "item I05 is on 2 forms; max_forms_per_item is 1"},
		{"overlap", func(bp *Blueprint, f [][]string) [][]string {
			bp.MaxFormsPerItem = 2
			return swap(1, "I07", "I05")(bp, swap(1, "I03", "I01")(bp, f))
		}, "forms 1 and 2 share 3 items; max_overlap is 2"},
		{"minutes", func(bp *Blueprint, f [][]string) [][]string { *bp.Minutes = AtMost(3.9); return f }, "form 2: 4.03 minutes, the blueprint allows ≤ 3.9"},
		{"difficulty", func(bp *Blueprint, f [][]string) [][]string { *bp.MeanDifficulty = AtMost(-0.5); return f }, "form 2: mean difficulty -0.3095"},
		{"information tolerance", func(bp *Blueprint, f [][]string) [][]string { tol := 0.5; bp.InfoTolerance = &tol; return f }, ""},
		{"score tolerance", func(bp *Blueprint, f [][]string) [][]string { tol := 0.1; bp.TCCTolerance = &tol; return f },
			"the forms' expected scores at θ = -1 differ by 0.7965"},
		{"key balance", func(bp *Blueprint, f [][]string) [][]string {
			bp.KeyBalance = &KeyBalance{Letters: map[string]Range{"A": AtMost(2)}}
			return f
		}, "form 1: 3 items keyed A, the blueprint allows ≤ 2"},
		{"key balance of every letter", func(bp *Blueprint, f [][]string) [][]string {
			r := Between(1, 3)
			bp.KeyBalance = &KeyBalance{Each: &r}
			return f
		}, "form 2: 0 items keyed D, the blueprint allows 1–3"},
		{"key cap", func(bp *Blueprint, f [][]string) [][]string {
			bp.MaxKeyRun = 1
			return swap(1, "T06", "T07")(bp, swap(1, "S06", "S07")(bp, f)) // C: I03, I07, P03, S07, T07
		}, "form 2: 5 items keyed C; with max_key_run 1, 7 items hold at most 4"},
		{"an anchor's set goes on every form", func(bp *Blueprint, f [][]string) [][]string {
			bp.ItemSets = append(bp.ItemSets, []string{"S02", "S06"})
			return swap(0, "S04", "S06")(bp, f)
		}, ""},
	} {
		bp, forms := verifyCase()
		forms = tc.change(&bp, forms)
		err := Verify(bp, tinyPool(), forms)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want a violation %q", tc.name, err, tc.want)
		}
	}
}
