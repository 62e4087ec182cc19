package calibrate

import "math"

// Responses is the item's number of responses, the weighted count N
// rounded to an integer.
func (e ItemEstimate) Responses() int { return int(math.Round(e.N)) }
