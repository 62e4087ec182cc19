package assemble

import (
	"math"
	"testing"
)

// TestParseCBCLog reads CBC 2.10's logs, the bounds rounded outward: a
// lower bound printed as -2.777 may be as low as -2.7775.
func TestParseCBCLog(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name, log                           string
		solved, optimal, proven, infeasible bool
		objective, bound                    float64
	}{
		{"optimal", "Cbc0001I Search completed - best objective -15.5543, took 153 iterations and 38 nodes (0.07 seconds)\n" +
			"Result - Optimal solution found\n\nObjective value:                -15.55430000\nEnumerated nodes: 0\n",
			true, true, true, false, -15.5543, nan},
		{"within the gap", "Result - Optimal solution found (within gap tolerance)\n\nObjective value:                -10.59512476\nLower bound:                    -10.681\nGap:                            0.01\n",
			true, true, false, false, -10.59512476, -10.6815},
		// The bound read as -2.777 put the maximin bound 2.777 below the
		// forms' objective 2.77701.
		{"a bound of three decimals", "Result - Optimal solution found (within gap tolerance)\n\nObjective value:                -2.77701000\nLower bound:                    -2.777\n",
			true, true, false, false, -2.77701, -2.7775},
		// CBC reports "Optimal solution found" when it has stopped on the
		// gap: the bound is the best objective less the gap.
		{"stopped on the gap", "Cbc0011I Exiting as integer gap of 0.0010132615 less than 1e-10 or 0.1%\n" +
			"Cbc0001I Search completed - best objective -2.060777625247952, took 117956 iterations and 16635 nodes (3.70 seconds)\n" +
			"Cbc0012I Integer solution of -2.0607776 found by Reduced search after 118375 iterations and 16685 nodes (3.70 seconds)\n" +
			"Cbc0001I Search completed - best objective -2.060777625247953, took 118375 iterations and 16685 nodes (3.70 seconds)\n" +
			"Result - Optimal solution found\n\nObjective value:                -2.06077763\n",
			true, true, false, false, -2.06077763, -2.060777625247952 - 5e-16 - 0.0010132615 - 5e-11},
		{"node limit", "Cbc0003I Exiting on maximum nodes\n" +
			"Cbc0005I Partial search - best objective -13.37659 (best possible -13.416741), took 447 iterations and 100 nodes (0.70 seconds)\n" +
			"Result - Stopped on node limit\n\nObjective value:                -13.37659028\nLower bound:                    -13.417\nGap:                            0.00\n",
			true, false, false, false, -13.37659028, -13.4167415},
		{"time limit", "Result - Stopped on time limit\n\nObjective value:                -4.68\nLower bound:                    -10.664\nGap:                            1.28\n",
			true, false, false, false, -4.68, -10.6645},
		{"nothing found", "Result - Stopped on time limit\n\nNo feasible solution found\nObjective value:                1e+50\n",
			false, false, false, false, 1e50, nan},
		{"infeasible", "Result - Problem proven infeasible\n\nNo feasible solution found\n", false, false, false, true, 0, nan},
		{"infeasible by presolve", "Problem is infeasible - 0.00 seconds\nTotal time (CPU seconds):       0.00\n", false, false, false, true, 0, nan},
	} {
		l := parseCBCLog([]byte(tc.log))
		if l.solved != tc.solved || l.optimal != tc.optimal || l.proven != tc.proven || l.infeasible != tc.infeasible || l.objective != tc.objective ||
			!(math.Abs(l.bound-tc.bound) < 1e-12 || math.IsNaN(l.bound) && math.IsNaN(tc.bound)) {
			t.Errorf("%s: %+v, want bound %.16g", tc.name, l, tc.bound)
		}
	}
}

func TestPrintedRange(t *testing.T) {
	for _, tc := range []struct {
		s      string
		lo, hi float64
	}{
		{"-2.777", -2.7775, -2.7765},
		{"2.777", 2.7765, 2.7775},
		{"-13.416741", -13.4167415, -13.4167405},
		{"1.2346e-05", 1.23455e-05, 1.23465e-05},
		{"1e-10", 0.5e-10, 1.5e-10},
		{"42", 41.5, 42.5},
		{"0.00", -0.005, 0.005},
	} {
		lo, hi, ok := printedRange(tc.s)
		if !ok || math.Abs(lo-tc.lo) > 1e-15*(1+math.Abs(lo)) || math.Abs(hi-tc.hi) > 1e-15*(1+math.Abs(hi)) {
			t.Errorf("printedRange(%q) = %.17g, %.17g, %v; want %g, %g", tc.s, lo, hi, ok, tc.lo, tc.hi)
		}
	}
	for _, s := range []string{"", "abc", "inf", "NaN"} {
		if _, _, ok := printedRange(s); ok {
			t.Errorf("printedRange(%q) ok", s)
		}
	}
}
