package irt

import (
	"encoding/binary"
	"fmt"
	"slices"
)

// Item codes of a response that is not a chosen option (see Responses.Option).
const (
	Omitted   int8 = 0  // presented but not answered; scored wrong unless left out
	ScoreOnly int8 = -1 // the log carried a 0/1 score, not the option chosen
)

// ItemInfo describes one column of a response matrix.
type ItemInfo struct {
	Code   string // the item's code in the bank or file
	Domain string // content domain; "" when not known
	// Key is the keyed option, 1..NOptions, or 0 for an unkeyed item
	// (scores only: no distractor analysis).
	Key      int
	NOptions int // options, 2 to 5; 0 when not known
}

// Responses is a sparse examinee × item matrix of dichotomous responses in
// compressed rows: examinee p answered the items Item[Start[p]:Start[p+1]]
// (indexes into Items, each at most once) with 0/1 Score[…]. Memory is
// proportional to the number of responses, never to examinees × items. It
// is the one matrix type of passport: the bank and the file readers produce
// it, calibration, scoring and the reports read it.
type Responses struct {
	Items     []ItemInfo // the columns
	Examinees []string   // examinee code per row; nil when anonymous
	Start     []int      // len = examinees + 1, Start[0] = 0
	Item      []int32    // column per response, in [0, len(Items))
	Score     []uint8    // 0 or 1 per response
	// Option is the option chosen per response, 1..NOptions, or Omitted
	// or ScoreOnly; nil when only scores were kept.
	Option []int8
	// Forms are form codes ("" for responses logged without a form) and
	// Form each examinee's form, an index into Forms; both nil when forms
	// are not known.
	Forms  []string
	Form   []int32
	Weight []float64 // per examinee (e.g. a pattern's frequency); nil: all 1
	// Omitted counts omitted responses read: kept as wrong answers, or
	// dropped when they were read as missing.
	Omitted int
	Imports []int64 // the bank imports the responses came from
}

// NItems is the number of columns.
func (r *Responses) NItems() int { return len(r.Items) }

// NExaminees is the number of rows.
func (r *Responses) NExaminees() int { return len(r.Start) - 1 }

// NResponses is the number of stored responses.
func (r *Responses) NResponses() int { return len(r.Item) }

// W returns examinee p's weight (1 without weights).
func (r *Responses) W(p int) float64 {
	if r.Weight == nil {
		return 1
	}
	return r.Weight[p]
}

// Codes returns the item codes of the columns.
func (r *Responses) Codes() []string {
	out := make([]string, len(r.Items))
	for i, it := range r.Items {
		out[i] = it.Code
	}
	return out
}

// Check validates the shape of r: lengths, indexes and codes in range, and
// no item answered twice by one examinee.
func (r *Responses) Check() error {
	n := len(r.Item)
	if len(r.Start) == 0 || r.Start[0] != 0 || r.Start[len(r.Start)-1] != n || len(r.Score) != n {
		return fmt.Errorf("responses of inconsistent lengths (%d starts, %d items, %d scores)", len(r.Start), n, len(r.Score))
	}
	if r.Option != nil && len(r.Option) != n {
		return fmt.Errorf("%d options for %d responses", len(r.Option), n)
	}
	if r.Form != nil && len(r.Form) != r.NExaminees() {
		return fmt.Errorf("%d forms for %d examinees", len(r.Form), r.NExaminees())
	}
	if r.Weight != nil && len(r.Weight) != r.NExaminees() {
		return fmt.Errorf("%d weights for %d examinees", len(r.Weight), r.NExaminees())
	}
	if r.Examinees != nil && len(r.Examinees) != r.NExaminees() {
		return fmt.Errorf("%d examinee codes for %d examinees", len(r.Examinees), r.NExaminees())
	}
	for _, it := range r.Items {
		if it.NOptions < 0 || it.NOptions > 5 || it.Key < 0 || (it.NOptions > 0 && it.Key > it.NOptions) {
			return fmt.Errorf("item %s: key %d of %d options; expected up to 5 options and a key among them (or 0)", it.Code, it.Key, it.NOptions)
		}
	}
	for p, f := range r.Form {
		if f < 0 || int(f) >= len(r.Forms) {
			return fmt.Errorf("examinee %d: form %d of %d", p, f, len(r.Forms))
		}
	}
	seen := make([]int, len(r.Items))
	for p := range r.NExaminees() {
		if r.Start[p+1] < r.Start[p] {
			return fmt.Errorf("examinee %d: row ends before it starts", p)
		}
		for k := r.Start[p]; k < r.Start[p+1]; k++ {
			i := r.Item[k]
			if i < 0 || int(i) >= len(r.Items) {
				return fmt.Errorf("examinee %d: item index %d outside [0, %d)", p, i, len(r.Items))
			}
			if seen[i] == p+1 {
				return fmt.Errorf("examinee %d answers item %d twice", p, i)
			}
			seen[i] = p + 1
			if r.Score[k] > 1 {
				return fmt.Errorf("examinee %d, item %d: score %d; expected 0 or 1", p, i, r.Score[k])
			}
			if r.Option != nil {
				if o := r.Option[k]; o < ScoreOnly || int(o) > r.Items[i].NOptions {
					return fmt.Errorf("examinee %d, item %d: option %d of %d", p, i, o, r.Items[i].NOptions)
				}
			}
		}
	}
	return nil
}

// Builder assembles Responses one examinee at a time (scores only).
type Builder struct {
	r    Responses
	seen []int // item → last examinee that answered it, +1
}

// NewBuilder starts a matrix over nItems columns coded "1", "2", …
func NewBuilder(nItems int) *Builder {
	items := make([]ItemInfo, nItems)
	for i := range items {
		items[i].Code = fmt.Sprint(i + 1)
	}
	return NewBuilderOver(items)
}

// NewBuilderOver starts a matrix over the given columns.
func NewBuilderOver(items []ItemInfo) *Builder {
	return &Builder{r: Responses{Items: items, Start: []int{0}}, seen: make([]int, len(items))}
}

// Grow reserves room for more examinees and responses.
func (b *Builder) Grow(examinees, responses int) {
	b.r.Start = slices.Grow(b.r.Start, examinees)
	b.r.Item = slices.Grow(b.r.Item, responses)
	b.r.Score = slices.Grow(b.r.Score, responses)
}

// Add records response u (0 or 1) to item i by the current examinee.
func (b *Builder) Add(i int, u uint8) error {
	if i < 0 || i >= len(b.r.Items) {
		return fmt.Errorf("item index %d outside [0, %d)", i, len(b.r.Items))
	}
	if u > 1 {
		return fmt.Errorf("score %d: expected 0 or 1", u)
	}
	p := len(b.r.Start) // the current examinee, +1
	if b.seen[i] == p {
		return fmt.Errorf("examinee %d answers item %d twice", p-1, i)
	}
	b.seen[i] = p
	b.r.Item = append(b.r.Item, int32(i))
	b.r.Score = append(b.r.Score, u)
	return nil
}

// Next closes the current examinee's row; an examinee with no responses is
// kept as an empty row (it adds nothing to a likelihood).
func (b *Builder) Next() { b.r.Start = append(b.r.Start, len(b.r.Item)) }

// NextWeighted closes the current row and gives it weight w (a frequency).
func (b *Builder) NextWeighted(w float64) {
	if b.r.Weight == nil {
		b.r.Weight = make([]float64, len(b.r.Start)-1, cap(b.r.Start))
		for i := range b.r.Weight {
			b.r.Weight[i] = 1
		}
	}
	b.r.Weight = append(b.r.Weight, w)
	b.Next()
}

// Responses returns the matrix built so far (rows closed with Next).
func (b *Builder) Responses() *Responses {
	r := b.r
	for r.Weight != nil && len(r.Weight) < len(r.Start)-1 {
		r.Weight = append(r.Weight, 1)
	}
	return &r
}

// ItemSets labels each examinee with the set of items it answered: key[p]
// indexes sets (each set sorted), or is −1 for an examinee with no
// responses. Examinees of one form share a set.
func (r *Responses) ItemSets() (key []int32, sets [][]int32) {
	n := r.NExaminees()
	key = make([]int32, n)
	ids := map[string]int32{}
	buf := make([]int32, 0, 64)
	var b []byte
	for p := range n {
		s, t := r.Start[p], r.Start[p+1]
		if s == t {
			key[p] = -1
			continue
		}
		buf = append(buf[:0], r.Item[s:t]...)
		slices.Sort(buf)
		b = b[:0]
		for _, i := range buf {
			b = binary.LittleEndian.AppendUint32(b, uint32(i))
		}
		k, ok := ids[string(b)]
		if !ok {
			k = int32(len(sets))
			ids[string(b)] = k
			sets = append(sets, slices.Clone(buf))
		}
		key[p] = k
	}
	return key, sets
}
