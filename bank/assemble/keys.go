package assemble

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Letters are the option letters, A for an item's first option; an item
// has at most len(Letters) options.
const Letters = "ABCDE"

// letterIndex is the 0-based index of an option letter, or −1 for "" (an
// unkeyed item) or a character that is not one.
func letterIndex(l string) int {
	if len(l) != 1 {
		return -1
	}
	return strings.IndexByte(Letters, l[0])
}

// KeyBalance bounds how many of a form's items have each key letter. In a
// blueprint it is one range for every letter, {"min": 12, "max": 13} or a
// bare number, or an object of ranges by letter, {"A": {"min": 11,
// "max": 14}, "B": …}; a letter not named is unbounded.
type KeyBalance struct {
	// Each bounds every letter from A to the most options an eligible
	// item has (D for four-option items); nil when Letters is used.
	Each *Range
	// Letters bounds the letters named, "A" to "E".
	Letters map[string]Range
}

// UnmarshalJSON reads one range (a number, or an object with only min and
// max) or an object of ranges by letter.
func (kb *KeyBalance) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	var keys map[string]json.RawMessage
	if len(b) > 0 && b[0] == '{' {
		if err := json.Unmarshal(b, &keys); err != nil {
			return err
		}
	}
	single := true
	for k := range keys {
		single = single && (k == "min" || k == "max")
	}
	if single {
		var r Range
		if err := r.UnmarshalJSON(b); err != nil {
			return err
		}
		*kb = KeyBalance{Each: &r}
		return nil
	}
	kb.Letters = make(map[string]Range, len(keys))
	for k, v := range keys {
		var r Range
		if err := r.UnmarshalJSON(v); err != nil {
			return fmt.Errorf("%s: %v", k, err)
		}
		kb.Letters[k] = r
	}
	return nil
}

// MarshalJSON writes the form it was read in.
func (kb KeyBalance) MarshalJSON() ([]byte, error) {
	if kb.Each != nil {
		return json.Marshal(kb.Each)
	}
	return json.Marshal(kb.Letters)
}

// validate checks the letters and the ranges.
func (kb KeyBalance) validate() error {
	if kb.Each != nil {
		return kb.Each.check("key_balance", true)
	}
	if len(kb.Letters) == 0 {
		return fmt.Errorf("key_balance: no letters; expected a range or ranges by letter, e.g. {\"A\": {\"min\": 11, \"max\": 14}}")
	}
	for _, l := range sortedKeys(kb.Letters) {
		if letterIndex(l) < 0 {
			return fmt.Errorf("key_balance: %q is not a key letter; expected one of %s", l, strings.Join(strings.Split(Letters, ""), ", "))
		}
		if err := kb.Letters[l].check("key_balance."+l, true); err != nil {
			return err
		}
	}
	return nil
}

// ranges returns the range of each bounded letter, Each applying to the
// first letters of Letters.
func (kb KeyBalance) ranges(letters int) map[string]Range {
	if kb.Each == nil {
		return kb.Letters
	}
	out := make(map[string]Range, letters)
	for _, l := range Letters[:letters] {
		out[string(l)] = *kb.Each
	}
	return out
}

// scaled returns the balance for a form of f times the length: each
// range [lo, hi] becomes [⌊lo·f⌋, ⌈hi·f⌉], as Sample scales counts.
func (kb KeyBalance) scaled(f float64) KeyBalance {
	if kb.Each != nil {
		r := kb.Each.scaledCount(f)
		return KeyBalance{Each: &r}
	}
	return KeyBalance{Letters: scaleCounts(kb.Letters, f)}
}

// runCap is the most items of one key letter that a sequence of n items
// can hold without a run of more than r of that letter: the others split
// it into at most n − c + 1 runs, so c ≤ r·(n − c + 1), c ≤ ⌊r·(n+1)/(r+1)⌋.
func runCap(n, r int) int { return r * (n + 1) / (r + 1) }

// keyLetters is how many letters, from A, a single key_balance range
// bounds: the most options of an item whose status bp allows, or failing
// that (options not known) its key's letter.
func (bp Blueprint) keyLetters(pool []Item) int {
	n := 0
	for _, it := range pool {
		if bp.allowed(it.Status) {
			n = max(n, it.Options, letterIndex(it.Key)+1)
		}
	}
	return n
}
