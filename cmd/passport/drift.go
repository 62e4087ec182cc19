package main

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/calibrate"
	"github.com/passportirt/passport/irt"
	"github.com/passportirt/passport/scale"
)

type driftOptions struct {
	*globals
	by       string
	base     ref // the base run; "": the bank's scale
	statuses []string
	minN     int
	z        float64
	d2       float64
	all      bool
}

// defaultDriftOptions are the drift command's defaults.
func defaultDriftOptions(g *globals) *driftOptions {
	return &driftOptions{globals: g, by: "import", statuses: []string{"operational"}, minN: 100,
		z: scale.DefaultZThreshold, d2: scale.DefaultD2Threshold}
}

func newDriftCmd(g *globals) *cobra.Command {
	o := defaultDriftOptions(g)
	cmd := &cobra.Command{
		Use:   "drift --by import|month [--run BASE]",
		Short: "Screen operational items for parameter drift, window by window, against a base run",
		Long: `Cuts the response log into windows — each import of responses, or with
--by month each calendar month of administration (UTC) — and compares each
window's item parameters, on the base run's scale, with the base run's:

  a window's parameters come from a stored run of exactly that import
  which a chain of linkings (or a linked or anchored run) puts on the base
  scale, the newest such run; otherwise the window is calibrated here, with
  the base run's model, D, grid and priors, and linked onto the base by
  Stocking–Lord (normal weights on 41 points of [−4, 4]); nothing is
  stored. The base run's own responses are not screened.

Two statistics flag an item (of the statuses --status, with at least
--min-n responses in the window):

  robust_z_b  Huynh & Meyer's (2010) robust z of its b difference among
              the window's items, (d − median)/(0.74·IQR): |z| above
              --z-threshold (1.645 flags about 10% of stable items by chance)
  d2          Wells et al.'s (2014) D², the squared difference of its two
              characteristic curves integrated over the base group's
              ability distribution: above --d2-threshold (0.01, that is a
              weighted root mean squared difference of 0.1 in probability,
              a rule of thumb for dichotomous items, not a test)

The table lists each flag with its evidence (window, statistic, value,
threshold, b on both runs); --all lists every item's statistics.
The base is --run, or by default the run whose scale the most runs are on.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := runDrift(cmd.Context(), o)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.by, "by", o.by, "windows: import or month")
	f.Var(&o.base, "run", "the base run, by number or name (default: the run whose scale the most runs are on)")
	f.StringSliceVar(&o.statuses, "status", o.statuses, "screen items of these statuses")
	intVar(f, &o.minN, "min-n", o.minN, 1, 1000000, "screen an item only with at least this many responses in the window")
	floatVar(f, &o.z, "z-threshold", o.z, excl(0), incl(10), "flag |robust z of the b difference| above this")
	floatVar(f, &o.d2, "d2-threshold", o.d2, excl(0), incl(1), "flag D² above this")
	f.BoolVar(&o.all, "all", false, "list every screened item's statistics, not only the flags")
	return cmd
}

// driftRow is one statistic of one item in one window.
type driftRow struct {
	Window    string  `json:"window"`
	Item      string  `json:"item"`
	Statistic string  `json:"statistic"` // robust_z_b or d2
	Value     float64 `json:"value"`
	Threshold float64 `json:"threshold"` // |robust z| or D² above it flags
	Flagged   bool    `json:"flagged"`
	BBase     float64 `json:"b_base"`
	BWindow   float64 `json:"b_window"` // on the base scale
	ABase     float64 `json:"a_base"`
	AWindow   float64 `json:"a_window"` // on the base scale
	N         int     `json:"n"`        // the window's responses to the item
}

// runDrift screens the windows against the base run and prints the flags.
func runDrift(ctx context.Context, o *driftOptions) ([]driftRow, error) {
	if !slices.Contains(bank.WindowKinds, o.by) {
		return nil, fmt.Errorf("--by %q: expected %s", o.by, strings.Join(bank.WindowKinds, " or "))
	}
	for _, s := range o.statuses {
		if !slices.Contains(bank.Statuses, s) {
			return nil, fmt.Errorf("--status %q: expected one of %s", s, strings.Join(bank.Statuses, ", "))
		}
	}
	b, err := o.openBank()
	if err != nil {
		return nil, err
	}
	defer b.Close()
	runs, err := b.Calibrations(ctx)
	if err != nil {
		return nil, err
	}
	links, err := b.Linkings(ctx)
	if err != nil {
		return nil, err
	}
	var given int64
	if o.base != "" {
		if given, err = o.base.resolve(ctx, b, bank.KindRun); err != nil {
			return nil, err
		}
	}
	place := runPlacements(runs, links)
	baseID, err := chooseBase(runs, place, given)
	if err != nil {
		return nil, err
	}
	base, err := b.Calibration(ctx, baseID)
	if err != nil {
		return nil, err
	}
	items, err := b.Items(ctx, bank.ItemFilter{})
	if err != nil {
		return nil, err
	}
	wanted := map[string]bool{}
	for _, it := range items {
		if slices.Contains(o.statuses, it.Status) {
			wanted[it.Code] = true
		}
	}
	baseItems := map[string]irt.ThreePL{}
	for _, p := range base.Params {
		if wanted[p.Item] {
			baseItems[p.Item] = p.ThreePL(base.D)
		}
	}
	if len(baseItems) == 0 {
		return nil, fmt.Errorf("run %d has no parameters for items of status %s: nothing to screen", base.ID, strings.Join(o.statuses, ", "))
	}
	q := scale.Population{Mean: base.LatentMean, SD: base.LatentSD, Grid: base.Grid()}.Quadrature()
	o.status("drift screen by %s against run %d (%s%s): %d %s items; flags |robust z of b| > %g (Huynh & Meyer 2010) and D² > %g (Wells et al. 2014) over the base group's N(%.3f, %.3f²)",
		o.by, base.ID, base.Model, nameSuffix(base.Name), len(baseItems), strings.Join(o.statuses, "/"), o.z, o.d2, base.LatentMean, base.LatentSD)
	windows, undated, err := b.Windows(ctx, o.by)
	if err != nil {
		return nil, err
	}
	if undated > 0 {
		o.status("%d responses without an administration time are in no month", undated)
	}
	loaded := map[int64]*bank.Calibration{base.ID: base}
	load := func(id int64) (*bank.Calibration, error) {
		if c, ok := loaded[id]; ok {
			return c, nil
		}
		c, err := b.Calibration(ctx, id)
		loaded[id] = c
		return c, err
	}
	var rows []driftRow
	for _, w := range windows {
		label := w.Label
		if o.by == "import" {
			label += " (" + w.Source + ")"
		}
		if o.by == "import" && slices.Equal(base.Inputs, []int64{w.Import}) {
			o.status("%s: the base run's own responses; not screened", label)
			continue
		}
		moved, n, params, err := windowParams(ctx, b, o, w, base, runs, place, load)
		if err != nil {
			o.status("%s: not screened: %v", label, err)
			continue
		}
		rows = append(rows, screenWindow(o, label, w.Label, moved, n, params, baseItems, q, base.ID)...)
	}
	return rows, render(o.out, o.format, rows)
}

// windowParams returns a window's item parameters on the base scale with
// each item's responses, and says where they came from: a stored run of
// exactly that import placed on the base scale (the newest), or a
// calibration of the window's responses here, linked onto the base.
func windowParams(ctx context.Context, b *bank.Bank, o *driftOptions, w bank.Window, base *bank.Calibration, runs []bank.Calibration,
	place scale.Placements, load func(int64) (*bank.Calibration, error)) (map[string]irt.ThreePL, map[string]int, string, error) {
	moved, n := map[string]irt.ThreePL{}, map[string]int{}
	if o.by == "import" {
		for i := len(runs) - 1; i >= 0; i-- {
			if runs[i].ID == base.ID {
				continue
			}
			t, ok, err := place.ToBase(runs[i].ID, base.ID)
			if err != nil || !ok {
				continue
			}
			r, err := load(runs[i].ID)
			if err != nil {
				return nil, nil, "", err
			}
			if !slices.Equal(r.Inputs, []int64{w.Import}) {
				continue
			}
			for _, p := range r.Params {
				moved[p.Item], n[p.Item] = t.Item(p.ThreePL(r.D)), p.N
			}
			how := fmt.Sprintf("run %d", r.ID)
			if t != scale.Identity {
				how += fmt.Sprintf(" moved onto run %d's scale by A = %.4f, B = %.4f", base.ID, t.A, t.B)
			} else {
				how += fmt.Sprintf(" (on run %d's scale)", base.ID)
			}
			return moved, n, how, nil
		}
	}
	f := bank.MatrixFilter{From: w.From, To: w.To, OmitAsMissing: base.Settings.OmitAsMissing}
	if o.by == "import" {
		f = bank.MatrixFilter{Imports: []int64{w.Import}, OmitAsMissing: base.Settings.OmitAsMissing}
	}
	m, err := b.ResponseMatrix(ctx, f)
	if err != nil {
		return nil, nil, "", err
	}
	model, err := irt.ParseModel(base.Model)
	if err != nil {
		return nil, nil, "", err
	}
	opts := calibrate.Options{Model: model, D: base.D, Grid: base.Grid(), Tol: base.Settings.Tol, MaxCycles: base.Settings.MaxCycles, NoSE: true}
	if base.Source == "em" {
		pr := base.Settings.Priors
		opts.Priors = &pr
	}
	res, err := calibrate.Run(m, opts)
	if err != nil {
		return nil, nil, "", fmt.Errorf("calibrating its %d examinees: %w", m.NExaminees(), err)
	}
	run := scale.Run{Mean: res.LatentMean, SD: res.LatentSD}
	for i, it := range res.Items {
		if it.Excluded == "" {
			run.Items = append(run.Items, scale.RunItem{Code: m.Items[i].Code, Params: it.Params, SEA: it.SEA, SEB: it.SEB})
			n[m.Items[i].Code] = int(it.N)
		}
	}
	lo := defaultLinkOptions(o.globals)
	l, err := scale.Link(run, linkRun(base), scale.LinkOptions{Method: linkMethods[lo.method], Symmetry: scale.Symmetry(lo.symmetry),
		Weights: scale.Weights(lo.weights), Points: lo.points, Min: lo.gridMin, Max: lo.gridMax, DriftThreshold: o.z})
	if err != nil {
		return nil, nil, "", fmt.Errorf("linking its calibration onto run %d: %w", base.ID, err)
	}
	for _, it := range l.Moved.Items {
		moved[it.Code] = it.Params
	}
	how := fmt.Sprintf("calibrated here (%s, %d examinees) and linked onto run %d by Stocking–Lord: A = %.4f, B = %.4f",
		model, m.NExaminees(), base.ID, l.Transform.A, l.Transform.B)
	return moved, n, how, nil
}

// nameSuffix is ", NAME" for a named run, else "".
func nameSuffix(name string) string {
	if name == "" {
		return ""
	}
	return ", " + name
}

// abs is |x|, for ordering rows.
func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// screenWindow screens one window's items, moved onto the base scale, with
// at least o.minN responses against the base run's (robust z of b and
// D², scale.Screen) and returns the rows to print: the flagged ones (all
// with --all), D² first, then by size.
func screenWindow(o *driftOptions, label, window string, moved map[string]irt.ThreePL, n map[string]int, params string,
	baseItems map[string]irt.ThreePL, q irt.Quadrature, baseID int64) []driftRow {
	var codes []string
	for code := range moved {
		if _, ok := baseItems[code]; ok && n[code] >= o.minN {
			codes = append(codes, code)
		}
	}
	slices.Sort(codes)
	common := make([]scale.CommonItem, len(codes))
	for i, code := range codes {
		common[i] = scale.CommonItem{New: moved[code], Base: baseItems[code]}
	}
	if len(common) == 0 {
		o.status("%s: %s; no item of run %d has %d responses in it: nothing to screen", label, params, baseID, o.minN)
		return nil
	}
	screened := scale.Screen(common, q, scale.ScreenOptions{ZThreshold: o.z, D2Threshold: o.d2})
	var wrows []driftRow
	flagsZ, flagsD2 := 0, 0
	for i, s := range screened {
		c := common[i]
		row := driftRow{Window: window, Item: codes[i], BBase: c.Base.B, BWindow: c.New.B, ABase: c.Base.A, AWindow: c.New.A, N: n[codes[i]]}
		z, d2 := row, row
		z.Statistic, z.Value, z.Threshold, z.Flagged = "robust_z_b", s.ZB, o.z, s.Flag
		d2.Statistic, d2.Value, d2.Threshold, d2.Flagged = "d2", s.D2, o.d2, s.FlagD2
		for _, r := range []driftRow{d2, z} {
			if r.Flagged || o.all {
				wrows = append(wrows, r)
			}
		}
		if s.Flag {
			flagsZ++
		}
		if s.FlagD2 {
			flagsD2++
		}
	}
	// D² flags first, then the largest robust z.
	slices.SortStableFunc(wrows, func(a, b driftRow) int {
		if a.Statistic != b.Statistic {
			return strings.Compare(a.Statistic, b.Statistic)
		}
		if o.all {
			return strings.Compare(a.Item, b.Item)
		}
		return cmp.Compare(abs(b.Value), abs(a.Value))
	})
	if len(common) < 4 {
		o.status("%s: %s; %d items with at least %d responses: too few for the robust z (4 needed); D² flags %d", label, params, len(common), o.minN, flagsD2)
		return wrows
	}
	o.status("%s: %s; %d items with at least %d responses: robust z flags %d, D² flags %d", label, params, len(common), o.minN, flagsZ, flagsD2)
	return wrows
}
