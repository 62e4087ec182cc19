package dif

import (
	"fmt"
	"slices"
	"strings"
)

// Groups places the examinees (by code) in the focal group, whose value
// of the attribute is focal, and the reference group: those whose value
// is reference, or, when reference is "", every other examinee with a
// value. Examinees without a value (absent from values) are Outside. A
// focal or reference value no examinee has is an error listing the
// values there are.
func Groups(examinees []string, values map[string]string, focal, reference string) ([]Group, error) {
	seen := map[string]bool{}
	for _, v := range values {
		seen[v] = true
	}
	all := make([]string, 0, len(seen))
	for v := range seen {
		all = append(all, v)
	}
	slices.Sort(all)
	for _, v := range []string{focal, reference} {
		if v != "" && !seen[v] {
			return nil, fmt.Errorf("no examinee has the value %q; the values: %s", v, strings.Join(all, ", "))
		}
	}
	if focal == reference {
		return nil, fmt.Errorf("the focal and the reference group are both %q", focal)
	}
	out := make([]Group, len(examinees))
	for p, code := range examinees {
		v, ok := values[code]
		switch {
		case !ok:
		case v == focal:
			out[p] = Focal
		case reference == "" || v == reference:
			out[p] = Reference
		}
	}
	return out, nil
}
