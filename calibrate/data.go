// Package calibrate estimates item parameters by marginal maximum likelihood
// with the EM algorithm of Bock & Aitkin (1981, Psychometrika 46, 443–459)
// on a sparse response matrix: each examinee answers some of the items, and
// only the responses given are stored.
//
// The engine takes plain Go values — a Data matrix and Options — and
// returns a Result; it never sees SQL.
package calibrate

import (
	"encoding/binary"
	"fmt"
	"slices"
)

// Data is a sparse examinee × item matrix of 0/1 responses in compressed
// rows: examinee p answered items Item[Start[p]:Start[p+1]] with scores
// Score[Start[p]:Start[p+1]]. Memory is proportional to the number of
// responses, never to examinees × items.
type Data struct {
	NItems int
	Start  []int     // len = examinees + 1
	Item   []int32   // item index per response, in [0, NItems)
	Score  []uint8   // 0 or 1 per response
	Weight []float64 // per examinee (e.g. a pattern's frequency); nil: all 1
}

// Builder assembles Data one examinee at a time.
type Builder struct {
	d    Data
	seen []int // item → last examinee that answered it, +1
}

// NewBuilder starts a matrix over nItems items.
func NewBuilder(nItems int) *Builder {
	return &Builder{d: Data{NItems: nItems, Start: []int{0}}, seen: make([]int, nItems)}
}

// Grow reserves room for n more responses.
func (b *Builder) Grow(examinees, responses int) {
	b.d.Start = slices.Grow(b.d.Start, examinees)
	b.d.Item = slices.Grow(b.d.Item, responses)
	b.d.Score = slices.Grow(b.d.Score, responses)
}

// Add records response u (0 or 1) to item i by the current examinee.
func (b *Builder) Add(i int, u uint8) error {
	if i < 0 || i >= b.d.NItems {
		return fmt.Errorf("item index %d outside [0, %d)", i, b.d.NItems)
	}
	if u > 1 {
		return fmt.Errorf("score %d: expected 0 or 1", u)
	}
	p := len(b.d.Start) // the current examinee, +1
	if b.seen[i] == p {
		return fmt.Errorf("examinee %d answers item %d twice", p-1, i)
	}
	b.seen[i] = p
	b.d.Item = append(b.d.Item, int32(i))
	b.d.Score = append(b.d.Score, u)
	return nil
}

// Next closes the current examinee's row; an examinee with no responses is
// kept as an empty row (it adds nothing to the likelihood).
func (b *Builder) Next() { b.d.Start = append(b.d.Start, len(b.d.Item)) }

// NextWeighted closes the current row and gives it weight w (a frequency).
func (b *Builder) NextWeighted(w float64) {
	if b.d.Weight == nil {
		b.d.Weight = make([]float64, len(b.d.Start)-1, cap(b.d.Start))
		for i := range b.d.Weight {
			b.d.Weight[i] = 1
		}
	}
	b.d.Weight = append(b.d.Weight, w)
	b.Next()
}

// Data returns the matrix built so far (rows closed with Next).
func (b *Builder) Data() *Data {
	d := b.d
	if d.Weight != nil && len(d.Weight) < len(d.Start)-1 {
		for len(d.Weight) < len(d.Start)-1 {
			d.Weight = append(d.Weight, 1)
		}
	}
	return &d
}

// Examinees is the number of rows.
func (d *Data) Examinees() int { return len(d.Start) - 1 }

// Responses is the number of stored responses.
func (d *Data) Responses() int { return len(d.Item) }

func (d *Data) weight(p int) float64 {
	if d.Weight == nil {
		return 1
	}
	return d.Weight[p]
}

// itemCounts returns, per item, the weighted number of responses and of
// correct responses.
func (d *Data) itemCounts() (n, r []float64) {
	n, r = make([]float64, d.NItems), make([]float64, d.NItems)
	for p := range d.Examinees() {
		w := d.weight(p)
		for k := d.Start[p]; k < d.Start[p+1]; k++ {
			n[d.Item[k]] += w
			r[d.Item[k]] += w * float64(d.Score[k])
		}
	}
	return n, r
}

// components labels the connected components of the design: items are
// linked when one examinee answered both. It returns the component of each
// item (−1 for items nobody answered) and the number of components.
func (d *Data) components() ([]int, int) {
	parent := make([]int, d.NItems)
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	used := make([]bool, d.NItems)
	for p := range d.Examinees() {
		s, e := d.Start[p], d.Start[p+1]
		if s == e {
			continue
		}
		first := find(int(d.Item[s]))
		for k := s; k < e; k++ {
			used[d.Item[k]] = true
			if r := find(int(d.Item[k])); r != first {
				parent[r] = first
			}
		}
	}
	label := make([]int, d.NItems)
	ids := map[int]int{}
	for i := range label {
		if !used[i] {
			label[i] = -1
			continue
		}
		r := find(i)
		if _, ok := ids[r]; !ok {
			ids[r] = len(ids)
		}
		label[i] = ids[r]
	}
	return label, len(ids)
}

// ItemSets labels each examinee with the set of items it answered: key[p]
// indexes sets (each set sorted), or is −1 for an examinee with no
// responses. Examinees of one form share a set.
func ItemSets(d *Data) (key []int32, sets [][]int32) {
	n := d.Examinees()
	key = make([]int32, n)
	ids := map[string]int32{}
	buf := make([]int32, 0, 64)
	var b []byte
	for p := range n {
		s, t := d.Start[p], d.Start[p+1]
		if s == t {
			key[p] = -1
			continue
		}
		buf = append(buf[:0], d.Item[s:t]...)
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
