package scale

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/passportirt/passport/irt"
)

// Method names a linking method, as linkings are stored.
type Method string

// The linking methods.
const (
	ByMeanMean     Method = "mean-mean"     // MeanMean
	ByMeanSigma    Method = "mean-sigma"    // MeanSigma
	ByHaebara      Method = "haebara"       // Haebara
	ByStockingLord Method = "stocking-lord" // StockingLord
)

// RunItem is one item of a calibration run: its code, its parameters on
// the run's θ scale, and the standard errors of a and b (NaN where not
// estimated).
type RunItem struct {
	Code     string
	Params   irt.ThreePL
	SEA, SEB float64
}

// Run is a calibration run as linking sees it: its items and its group's
// latent mean and SD, on the run's own θ scale.
type Run struct {
	Items    []RunItem
	Mean, SD float64
}

// Run moves a whole run onto the base scale: every item by Item and SE,
// and the group's distribution from N(μ, σ²) to N(A·μ + B, (A·σ)²).
func (t Transform) Run(r Run) Run {
	out := Run{Items: make([]RunItem, len(r.Items)), Mean: t.Theta(r.Mean), SD: t.A * r.SD}
	for i, it := range r.Items {
		seA, seB := t.SE(it.SEA, it.SEB)
		out.Items[i] = RunItem{Code: it.Code, Params: t.Item(it.Params), SEA: seA, SEB: seB}
	}
	return out
}

// LinkOptions set the linking procedure of Link.
type LinkOptions struct {
	Method  Method
	Exclude []string // codes of common items to leave out

	// The characteristic-curve criterion of Haebara and Stocking–Lord:
	// taken on the base (old) scale, the new one or both; on Points θ
	// points spread over [Min, Max], weighted as Weights says by each
	// group's own distribution on its own scale (Grid), or, for Posterior,
	// by OldPosterior (the base group's) and NewPosterior (the new
	// group's), which the caller estimates from the groups' responses on
	// the nodes of PosteriorGrid.
	Symmetry                   Symmetry
	Weights                    Weights
	Points                     int
	Min, Max                   float64
	OldPosterior, NewPosterior irt.Quadrature
	// D is the scaling constant of the curves; 0: the items' own, which
	// must then be the same in both runs.
	D float64

	// DriftThreshold is the robust z of DriftCheck above which a common
	// item is flagged (1.645 is customary); DropDrift links again without
	// the flagged items.
	DriftThreshold float64
	DropDrift      bool

	// Bootstrap is the number of bootstrap replicates for the standard
	// errors of A and B (0: none), drawn from Seed.
	Bootstrap int
	Seed      uint64
}

// NeedsPosteriors reports whether Link will weight its criterion by the
// groups' posterior distributions, which the caller must then supply.
func (o LinkOptions) NeedsPosteriors() bool {
	return o.Weights == Posterior && (o.Method == ByHaebara || o.Method == ByStockingLord)
}

// PosteriorGrid is the grid on which the caller estimates the groups'
// distributions for Posterior weights: Points equally spaced nodes on
// [Min, Max] with equal weights.
func (o LinkOptions) PosteriorGrid() (irt.Quadrature, error) {
	return Grid(Uniform, o.Points, o.Min, o.Max, 0, 1)
}

// Check reports what Link would refuse in o, before any work is done
// (such as estimating the groups' posteriors): an unknown method, and for
// Haebara and Stocking–Lord an unknown symmetry or weighting or a grid
// that cannot be built.
func (o LinkOptions) Check() error {
	switch o.Method {
	case ByMeanMean, ByMeanSigma:
		return nil
	case ByHaebara, ByStockingLord:
	default:
		return fmt.Errorf("method %q: expected %s, %s, %s or %s", o.Method, ByMeanMean, ByMeanSigma, ByHaebara, ByStockingLord)
	}
	if _, err := o.Symmetry.check(); err != nil {
		return err
	}
	if o.Weights == Posterior {
		_, err := o.PosteriorGrid()
		return err
	}
	_, err := Grid(o.Weights, o.Points, o.Min, o.Max, 0, 1)
	return err
}

// LinkedItem is one common item of a linking.
type LinkedItem struct {
	Code string
	CommonItem
	Drift Drift // under Linking.First
	Used  bool  // false: dropped as drifting
}

// Linking is the outcome of Link.
type Linking struct {
	Items []LinkedItem // the common items, in the new run's order
	// First is the transform from every common item, under which drift is
	// measured; Transform the linking, First linked again without the
	// drifting items when they were dropped (Relinked).
	First, Transform Transform
	Relinked         bool
	SEA, SEB         float64 // bootstrap SEs of Transform's A and B; NaN without a bootstrap
	// Unidentified are common items left out for a difficulty beyond
	// ±MaxLinkDifficulty on either run.
	Unidentified []string
	D            float64 // the curves' scaling constant
	Moved        Run     // the new run on the base scale, by Transform
}

// MaxLinkDifficulty bounds the difficulties Link uses: an item with
// |b| > 10 on either run (ten SDs from the mean of a calibration group on
// an N(0, 1) scale) has a slope too close to 0 for b to be identified —
// a miskeyed or non-discriminating item — and one such b would set the
// mean/sigma constants and the characteristic curves by itself. Link
// leaves such items out and names them.
const MaxLinkDifficulty = 10

// Link puts run nw on the scale of run base, θ_base = A·θ_new + B: it
// matches the common items by code (leaving out o.Exclude and items whose
// b is not identified, see MaxLinkDifficulty), computes the
// transform by o.Method, screens the common items for drift under it
// (DriftCheck), links again without the flagged items if o.DropDrift,
// estimates the standard errors of A and B by bootstrapping the common
// items used (BootstrapSE), and moves the whole new run (Transform.Run).
func Link(nw, base Run, o LinkOptions) (*Linking, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	onBase := make(map[string]irt.ThreePL, len(base.Items))
	for _, it := range base.Items {
		onBase[it.Code] = it.Params
	}
	var codes, unidentified []string
	var common []CommonItem
	for _, it := range nw.Items {
		b, ok := onBase[it.Code]
		if !ok || slices.Contains(o.Exclude, it.Code) {
			continue
		}
		if math.Abs(b.B) > MaxLinkDifficulty || math.Abs(it.Params.B) > MaxLinkDifficulty {
			unidentified = append(unidentified, it.Code)
			continue
		}
		codes = append(codes, it.Code)
		common = append(common, CommonItem{New: it.Params, Base: b})
	}
	if len(common) < 2 {
		return nil, fmt.Errorf("the runs share %d items (after the exclusions): linking needs at least 2", len(common))
	}
	D := o.D
	if D == 0 {
		D = common[0].New.D
		for _, c := range common {
			if c.New.D != D || c.Base.D != D {
				return nil, fmt.Errorf("the new run's items have D = %g and the base run's D = %g: give the D of the characteristic curves", c.New.D, c.Base.D)
			}
		}
	}
	link, err := o.linkFunc(nw, base, D)
	if err != nil {
		return nil, err
	}
	first, err := link(common)
	if err != nil {
		return nil, err
	}
	l := &Linking{Items: make([]LinkedItem, len(common)), First: first, Transform: first, SEA: math.NaN(), SEB: math.NaN(), D: D,
		Unidentified: unidentified}
	drift := DriftCheck(common, first, o.DriftThreshold)
	kept := make([]CommonItem, 0, len(common))
	for i, c := range common {
		used := !(o.DropDrift && drift[i].Flag)
		l.Items[i] = LinkedItem{Code: codes[i], CommonItem: c, Drift: drift[i], Used: used}
		if used {
			kept = append(kept, c)
		}
	}
	if len(kept) < len(common) {
		l.Relinked = true
		if l.Transform, err = link(kept); err != nil {
			return nil, fmt.Errorf("linking again without the drifting items: %w", err)
		}
	}
	if o.Bootstrap > 0 {
		if l.SEA, l.SEB, err = BootstrapSE(kept, link, o.Bootstrap, o.Seed); err != nil {
			return nil, err
		}
	}
	l.Moved = l.Transform.Run(nw)
	return l, nil
}

// linkFunc binds o.Method, checked, and its criterion's options.
func (o LinkOptions) linkFunc(nw, base Run, D float64) (LinkFunc, error) {
	switch o.Method {
	case ByMeanMean:
		return MeanMean, nil
	case ByMeanSigma:
		return MeanSigma, nil
	}
	curve := StockingLord
	if o.Method == ByHaebara {
		curve = Haebara
	}
	co := CurveOptions{Symmetry: o.Symmetry, D: D}
	if o.Weights == Posterior {
		if len(o.OldPosterior.Nodes) == 0 || len(o.NewPosterior.Nodes) == 0 {
			return nil, errors.New("posterior weights need both groups' estimated distributions")
		}
		co.Old, co.New = o.OldPosterior, o.NewPosterior
	} else {
		var err error
		if co.Old, err = Grid(o.Weights, o.Points, o.Min, o.Max, base.Mean, base.SD); err != nil {
			return nil, err
		}
		if co.New, err = Grid(o.Weights, o.Points, o.Min, o.Max, nw.Mean, nw.SD); err != nil {
			return nil, err
		}
	}
	return func(items []CommonItem) (Transform, error) {
		t, _, err := curve(items, co)
		return t, err
	}, nil
}
