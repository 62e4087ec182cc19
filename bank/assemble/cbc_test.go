package assemble

import (
	"math"
	"testing"
)

func TestParseCBCLog(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name, log                   string
		solved, optimal, infeasible bool
		objective, bound            float64
	}{
		{"optimal", "Result - Optimal solution found\n\nObjective value:                -15.55430000\nEnumerated nodes: 0\n",
			true, true, false, -15.5543, nan},
		{"within the gap", "Result - Optimal solution found (within gap tolerance)\n\nObjective value:                -10.59512476\nLower bound:                    -10.681\nGap:                            0.01\n",
			true, true, false, -10.59512476, -10.681},
		{"time limit", "Result - Stopped on time limit\n\nObjective value:                -4.68\nLower bound:                    -10.664\nGap:                            1.28\n",
			true, false, false, -4.68, -10.664},
		{"nothing found", "Result - Stopped on time limit\n\nNo feasible solution found\nObjective value:                1e+50\n",
			false, false, false, 1e50, nan},
		{"infeasible", "Result - Problem proven infeasible\n\nNo feasible solution found\n", false, false, true, 0, nan},
		{"infeasible by presolve", "Problem is infeasible - 0.00 seconds\nTotal time (CPU seconds):       0.00\n", false, false, true, 0, nan},
	} {
		l := parseCBCLog([]byte(tc.log))
		if l.solved != tc.solved || l.optimal != tc.optimal || l.infeasible != tc.infeasible || l.objective != tc.objective ||
			!(l.bound == tc.bound || math.IsNaN(l.bound) && math.IsNaN(tc.bound)) {
			t.Errorf("%s: %+v", tc.name, l)
		}
	}
}
