package reports

import (
	"fmt"
	"slices"

	"github.com/passportirt/passport/irt"
)

// check validates r for the analyses, which need the option chosen and
// the form taken as well as the score.
func check(r *irt.Responses) error {
	if r.Option == nil || r.Form == nil {
		return fmt.Errorf("reports: the responses carry no options or forms; item analysis needs both")
	}
	if err := r.Check(); err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	return nil
}

// totals returns each examinee's number-correct score on the items
// answered.
func totals(r *irt.Responses) []int {
	t := make([]int, r.NExaminees())
	for p := range t {
		for k := r.Start[p]; k < r.Start[p+1]; k++ {
			t[p] += int(r.Score[k])
		}
	}
	return t
}

// formItems returns, for each form, the items its examinees answered,
// sorted.
func formItems(r *irt.Responses) [][]int32 {
	seen := make([]map[int32]bool, len(r.Forms))
	out := make([][]int32, len(r.Forms))
	for p, f := range r.Form {
		if seen[f] == nil {
			seen[f] = map[int32]bool{}
		}
		for k := r.Start[p]; k < r.Start[p+1]; k++ {
			if i := r.Item[k]; !seen[f][i] {
				seen[f][i] = true
				out[f] = append(out[f], i)
			}
		}
	}
	for _, items := range out {
		slices.Sort(items)
	}
	return out
}

// WithoutOmits returns a copy of r without its omitted responses, for
// analyses that treat an omit as not administered.
func WithoutOmits(r *irt.Responses) *irt.Responses {
	c := *r
	c.Start = make([]int, 1, len(r.Start))
	c.Item, c.Option, c.Score = nil, nil, nil
	for p := range r.NExaminees() {
		for k := r.Start[p]; k < r.Start[p+1]; k++ {
			if r.Option[k] != irt.Omitted {
				c.Item = append(c.Item, r.Item[k])
				c.Option = append(c.Option, r.Option[k])
				c.Score = append(c.Score, r.Score[k])
			}
		}
		c.Start = append(c.Start, len(c.Item))
	}
	return &c
}
