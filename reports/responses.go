package reports

import (
	"fmt"
	"slices"

	"github.com/passportirt/passport/calibrate"
)

// Item is one item as the analyses see it.
type Item struct {
	Code   string
	Domain string
	// Key is the keyed option, 1..NOptions, or 0 for an unkeyed item
	// (scores only: no distractor analysis).
	Key      int
	NOptions int // 2 to 5
}

// The Option codes that are not a chosen option.
const (
	Omitted   int8 = 0  // presented but not answered; scored wrong
	ScoreOnly int8 = -1 // the log carried a score, not the option chosen
)

// Responses are examinees' responses in compressed rows: examinee p took
// form Form[p] and answered items Item[Start[p]:Start[p+1]] (indexes into
// Items, each at most once), choosing Option[…] and scoring Score[…].
type Responses struct {
	Items []Item
	Forms []string // form codes; "" names responses logged without a form
	Form  []int32  // per examinee, an index into Forms
	Start []int    // len = examinees + 1
	Item  []int32
	// Option is the option chosen, 1..NOptions, or Omitted or ScoreOnly.
	Option []int8
	Score  []uint8 // 0 or 1
}

// Examinees is the number of examinees.
func (r *Responses) Examinees() int { return len(r.Start) - 1 }

// check validates the shape of r: lengths, indexes and codes in range.
func (r *Responses) check() error {
	n := len(r.Item)
	if len(r.Start) == 0 || r.Start[0] != 0 || r.Start[len(r.Start)-1] != n || len(r.Option) != n || len(r.Score) != n {
		return fmt.Errorf("reports: responses of inconsistent lengths (%d starts, %d items, %d options, %d scores)", len(r.Start), n, len(r.Option), len(r.Score))
	}
	for _, it := range r.Items {
		if it.NOptions < 1 || it.NOptions > 5 || it.Key < 0 || it.Key > it.NOptions {
			return fmt.Errorf("reports: item %s: key %d of %d options; expected up to 5 options and a key among them (or 0)", it.Code, it.Key, it.NOptions)
		}
	}
	if len(r.Form) != r.Examinees() {
		return fmt.Errorf("reports: %d forms for %d examinees", len(r.Form), r.Examinees())
	}
	for p, f := range r.Form {
		if f < 0 || int(f) >= len(r.Forms) {
			return fmt.Errorf("reports: examinee %d: form %d of %d", p, f, len(r.Forms))
		}
		if r.Start[p] > r.Start[p+1] {
			return fmt.Errorf("reports: examinee %d: row starts decrease", p)
		}
	}
	for k, i := range r.Item {
		if i < 0 || int(i) >= len(r.Items) {
			return fmt.Errorf("reports: response %d: item %d of %d", k, i, len(r.Items))
		}
		if o := r.Option[k]; o < ScoreOnly || int(o) > r.Items[i].NOptions {
			return fmt.Errorf("reports: response %d: option %d of item %s's %d", k, o, r.Items[i].Code, r.Items[i].NOptions)
		}
		if r.Score[k] > 1 {
			return fmt.Errorf("reports: response %d: score %d", k, r.Score[k])
		}
	}
	return nil
}

// totals returns each examinee's number-correct score on the items
// answered.
func (r *Responses) totals() []int {
	t := make([]int, r.Examinees())
	for p := range t {
		for k := r.Start[p]; k < r.Start[p+1]; k++ {
			t[p] += int(r.Score[k])
		}
	}
	return t
}

// formItems returns, for each form, the items its examinees answered,
// sorted.
func (r *Responses) formItems() [][]int32 {
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

// withoutOmits returns a copy of r without its omitted responses, for
// analyses that treat an omit as not administered.
func (r *Responses) withoutOmits() *Responses {
	c := *r
	c.Start = make([]int, 1, len(r.Start))
	c.Item, c.Option, c.Score = nil, nil, nil
	for p := range r.Examinees() {
		for k := r.Start[p]; k < r.Start[p+1]; k++ {
			if r.Option[k] != Omitted {
				c.Item = append(c.Item, r.Item[k])
				c.Option = append(c.Option, r.Option[k])
				c.Score = append(c.Score, r.Score[k])
			}
		}
		c.Start = append(c.Start, len(c.Item))
	}
	return &c
}

// itemSets labels each examinee with the set of items answered (see
// calibrate.ItemSets): examinees of one form who answered all its items
// share a set.
func (r *Responses) itemSets() (key []int32, sets [][]int32) {
	return calibrate.ItemSets(&calibrate.Data{NItems: len(r.Items), Start: r.Start, Item: r.Item, Score: r.Score})
}
