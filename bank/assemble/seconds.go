package assemble

import (
	"maps"
	"math"
	"slices"
)

// Median is the sample median of xs: the middle value of an odd number of
// values, the mean of the two middle values of an even number (R's
// median; Hyndman and Fan 1996, definitions 2 and 7 at p = ½), so 25 for
// 10, 20, 30, 40. It is NaN for no values, and leaves xs as it was.
func Median(xs []float64) float64 {
	n := len(xs)
	if n == 0 {
		return math.NaN()
	}
	s := slices.Sorted(slices.Values(xs))
	return (s[(n-1)/2] + s[n/2]) / 2
}

// SetSeconds sets each item's Seconds, the expected response time that a
// blueprint's minutes bound, from seconds: each item's median response
// time (Median of its timed responses) by item code. An item absent from
// seconds gets the median over the items present, a typical item's time.
// With seconds empty no item gets a time.
func SetSeconds(pool []Item, seconds map[string]float64) {
	if len(seconds) == 0 {
		return
	}
	typical := Median(slices.Collect(maps.Values(seconds)))
	for i := range pool {
		s, ok := seconds[pool[i].Code]
		if !ok {
			s = typical
		}
		pool[i].Seconds = s
	}
}
