package main

import (
	"fmt"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/scale"
)

// runPlacements says on which run's scale each stored run is (see
// scale.Placement): a linked run on the run it was linked onto; a run
// calibrated with anchors on its anchor run's; otherwise a run with a
// stored linking onto another (the latest such linking) is moved by the
// linking's constants.
func runPlacements(runs []bank.Calibration, links []bank.Linking) scale.Placements {
	p := scale.Placements{}
	for _, l := range links { // oldest first: the latest linking of a run wins
		p[l.From] = scale.Placement{Parent: l.To, T: scale.Transform{A: l.A, B: l.B}}
	}
	for _, r := range runs {
		switch {
		case r.Settings.Linked != nil:
			p[r.ID] = scale.Placement{Parent: r.Settings.Linked.ToRun, T: scale.Identity}
		case r.Settings.AnchorRun > 0:
			p[r.ID] = scale.Placement{Parent: r.Settings.AnchorRun, T: scale.Identity}
		}
	}
	return p
}

// chooseBase returns the run whose scale history and drift report on:
// given, when set (a stored run's number); otherwise the run whose scale
// the most stored runs are on (the bank's scale), the newest on a tie.
func chooseBase(runs []bank.Calibration, p scale.Placements, given int64) (int64, error) {
	if given != 0 {
		return given, nil
	}
	if len(runs) == 0 {
		return 0, fmt.Errorf("the bank has no calibration runs; calibrate first (passport calibrate)")
	}
	on := map[int64]int{}
	var best int64
	for _, r := range runs {
		root, _, err := p.Root(r.ID)
		if err != nil {
			return 0, err
		}
		on[root]++
		if on[root] > on[best] || (on[root] == on[best] && root > best) {
			best = root
		}
	}
	return best, nil
}
