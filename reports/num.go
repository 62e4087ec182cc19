package reports

import (
	"math"
	"strconv"
)

// Num is a statistic in a result table, NaN when it is not defined (an
// item nobody answered has no p-value): the renderer (package table) writes
// it as an empty cell or JSON null, and String as "" in the report.
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

// Nums is a list of statistics: a JSON array, or one cell with the values
// separated by spaces.
type Nums []Num

// Flags are the words that mark an item for review: a JSON array, or one
// cell with the words separated by spaces.
type Flags []string

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
	FlagPersonMisfit    = "person-misfit"           // an examinee's l_z* below PersonFitOptions.LzCut
	FlagDIF             = "dif"                     // differential item functioning (reports/dif)
)
