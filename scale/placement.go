package scale

import "fmt"

// Then is t followed by u, the transform θ ↦ u(t(θ)) =
// u.A·(t.A·θ + t.B) + u.B: if t puts a run on a parent's scale and u the
// parent on its own parent's, t.Then(u) puts the run on the grandparent's.
func (t Transform) Then(u Transform) Transform {
	return Transform{A: u.A * t.A, B: u.A*t.B + u.B}
}

// Placement says on which scale a calibration run's parameters are:
// θ_parent = T.Theta(θ_run), so that T.Item moves the run's items onto
// run Parent's scale. A run linked and applied onto another (a stored
// linked run), or calibrated with anchors held at another run's values,
// is on that run's scale already (T = Identity); a run with a stored
// linking onto another is moved by the linking's constants; a run with
// neither is on its own scale and has no placement.
type Placement struct {
	Parent int64
	T      Transform
}

// Placements are the placements of the runs of a bank, by run id.
type Placements map[int64]Placement

// Root follows run's placements to the run whose scale run's parameters
// are on (run itself when it has no placement), returning that run and the
// transform θ_root = T.Theta(θ_run). Placements that lead back to a run
// already passed (a cycle of linkings) are an error.
func (p Placements) Root(run int64) (int64, Transform, error) {
	t := Identity
	seen := map[int64]bool{}
	for {
		pl, ok := p[run]
		if !ok || pl.Parent == 0 {
			return run, t, nil
		}
		if seen[run] {
			return 0, Transform{}, fmt.Errorf("the linkings of run %d lead back to it: no run's scale is their base", run)
		}
		seen[run] = true
		t = t.Then(pl.T)
		run = pl.Parent
	}
}

// ToBase returns the transform θ_base = T.Theta(θ_run) that puts run's
// parameters on base's scale, and whether there is one: both runs' chains
// of placements must end on the same run's scale. It is the composition of
// run's chain with the inverse of base's.
func (p Placements) ToBase(run, base int64) (Transform, bool, error) {
	rr, tr, err := p.Root(run)
	if err != nil {
		return Transform{}, false, err
	}
	rb, tb, err := p.Root(base)
	if err != nil {
		return Transform{}, false, err
	}
	if rr != rb {
		return Transform{}, false, nil
	}
	return tr.Then(tb.Inverse()), true, nil
}
