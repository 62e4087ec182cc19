package assemble

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// Range is a closed interval [Min, Max] of counts or values; a nil bound is
// open. In a blueprint it is written {"min": 12, "max": 13}, either key
// optional, or as a bare number n for exactly n.
type Range struct {
	Min *float64 `json:"min,omitempty"`
	Max *float64 `json:"max,omitempty"`
}

// Between returns the range [lo, hi].
func Between(lo, hi float64) Range { return Range{Min: &lo, Max: &hi} }

// Exactly returns the range [n, n].
func Exactly(n float64) Range { return Between(n, n) }

// AtMost returns the range (−∞, hi].
func AtMost(hi float64) Range { return Range{Max: &hi} }

// AtLeast returns the range [lo, ∞).
func AtLeast(lo float64) Range { return Range{Min: &lo} }

// UnmarshalJSON reads a number or a {"min", "max"} object.
func (r *Range) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] != '{' {
		var n float64
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("expected a number or {\"min\": …, \"max\": …}, got %s", b)
		}
		*r = Exactly(n)
		return nil
	}
	type plain Range
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p plain
	if err := dec.Decode(&p); err != nil {
		return fmt.Errorf("expected {\"min\": …, \"max\": …}: %v", err)
	}
	*r = Range(p)
	return nil
}

// Lo is the lower bound, or def when it is open.
func (r Range) Lo(def float64) float64 {
	if r.Min == nil {
		return def
	}
	return *r.Min
}

// Hi is the upper bound, or def when it is open.
func (r Range) Hi(def float64) float64 {
	if r.Max == nil {
		return def
	}
	return *r.Max
}

// Contains reports whether x lies in the range.
func (r Range) Contains(x float64) bool {
	return x >= r.Lo(math.Inf(-1)) && x <= r.Hi(math.Inf(1))
}

// String writes the range as "12–13", "12", "≥ 12", "≤ 13" or "any".
func (r Range) String() string {
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	switch {
	case r.Min != nil && r.Max != nil && *r.Min == *r.Max:
		return f(*r.Min)
	case r.Min != nil && r.Max != nil:
		return f(*r.Min) + "–" + f(*r.Max)
	case r.Min != nil:
		return "≥ " + f(*r.Min)
	case r.Max != nil:
		return "≤ " + f(*r.Max)
	}
	return "any"
}

// check validates the range at field: finite bounds, min ≤ max, and for
// counts whole non-negative numbers.
func (r Range) check(field string, count bool) error {
	for _, p := range []*float64{r.Min, r.Max} {
		if p == nil {
			continue
		}
		if math.IsNaN(*p) || math.IsInf(*p, 0) {
			return fmt.Errorf("%s: %g is not a finite number", field, *p)
		}
		if count && (*p < 0 || *p != math.Trunc(*p)) {
			return fmt.Errorf("%s: %g is not a count; expected a whole number ≥ 0", field, *p)
		}
	}
	if r.Min != nil && r.Max != nil && *r.Min > *r.Max {
		return fmt.Errorf("%s: min %g is above max %g", field, *r.Min, *r.Max)
	}
	return nil
}

// scaledCount is the count range for a form f times as long: [lo, hi]
// becomes [⌊lo·f⌋, ⌈hi·f⌉].
func (r Range) scaledCount(f float64) Range {
	var q Range
	if r.Min != nil {
		lo := math.Floor(*r.Min * f)
		q.Min = &lo
	}
	if r.Max != nil {
		hi := math.Ceil(*r.Max * f)
		q.Max = &hi
	}
	return q
}

// scaleCounts is scaledCount of every range of m; nil for nil.
func scaleCounts(m map[string]Range, f float64) map[string]Range {
	if m == nil {
		return nil
	}
	out := make(map[string]Range, len(m))
	for k, r := range m {
		out[k] = r.scaledCount(f)
	}
	return out
}
