package reports

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// Num is a statistic in a result table: written with four decimals in CSV
// and as a JSON number, and as an empty cell (JSON null) when it is not
// defined (NaN or infinite) — an item nobody answered has no p-value.
type Num float64

// Defined reports whether x is a finite number.
func (x Num) Defined() bool { return !math.IsNaN(float64(x)) && !math.IsInf(float64(x), 0) }

// String is x with four decimals, or "" when undefined.
func (x Num) String() string {
	if !x.Defined() {
		return ""
	}
	return strconv.FormatFloat(float64(x), 'f', 4, 64)
}

// MarshalCSV writes x as String does.
func (x Num) MarshalCSV() (string, error) { return x.String(), nil }

// MarshalJSON writes x as a number, or null when undefined.
func (x Num) MarshalJSON() ([]byte, error) {
	if !x.Defined() {
		return []byte("null"), nil
	}
	return json.Marshal(float64(x))
}

// Nums is a list of statistics: a JSON array, or one CSV cell with the
// values separated by spaces.
type Nums []Num

// MarshalCSV writes the values separated by spaces ("-" where undefined).
func (xs Nums) MarshalCSV() (string, error) {
	s := make([]string, len(xs))
	for i, x := range xs {
		if s[i] = x.String(); s[i] == "" {
			s[i] = "-"
		}
	}
	return strings.Join(s, " "), nil
}

// Flags are the words that mark an item for review: a JSON array, or one
// CSV cell with the words separated by spaces.
type Flags []string

// MarshalCSV writes the words separated by spaces.
func (f Flags) MarshalCSV() (string, error) { return strings.Join(f, " "), nil }

// MarshalJSON writes the words as an array, empty rather than null.
func (f Flags) MarshalJSON() ([]byte, error) {
	if f == nil {
		return []byte("[]"), nil
	}
	return json.Marshal([]string(f))
}

// The flags the analyses raise.
const (
	FlagMiskey          = "miskey"                  // a distractor outdoes the key
	FlagEasy            = "easy"                    // p-value above AnalysisOptions.Easy
	FlagHard            = "hard"                    // p-value below AnalysisOptions.Hard
	FlagNegative        = "negative-discrimination" // corrected item–total correlation below 0
	FlagMisfit          = "misfit"                  // S-X² adjusted p below FitOptions.Alpha
	FlagInfit           = "infit"                   // infit mean square or z outside its band
	FlagOutfit          = "outfit"                  // outfit mean square or z outside its band
	FlagLocalDependence = "local-dependence"        // in a pair whose Q3 stands out on a form
)
