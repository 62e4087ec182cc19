package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/reports"
)

type itemsHistoryOptions struct {
	*globals
	item   string
	by     string   // windows of the classical statistics: import or month
	base   ref      // the run whose scale parameters are put on; "": the bank's
	tables []string // some of historyTables; "all" or none: every one
}

// historyTables are the parts of an item's history.
var historyTables = []string{"all", "events", "windows", "runs", "exposure"}

func newItemsHistoryCmd(g *globals) *cobra.Command {
	o := &itemsHistoryOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "history ITEM",
		Short: "An item's life: key and status changes, statistics by window, parameters across runs, exposure",
		Long: `Shows an item's history in four tables (--table chooses one; --format csv
needs one):

  events    every key version (the first is the key at import; passport
            items rekey adds the others, with the reason and how many
            responses changed score) and every status, in time order
  windows   its p-value and point-biserial (with the total score, pooled
            within forms) in each import of responses, or with --by month
            in each calendar month of administration (UTC)
  runs      its parameters in every calibration run, with standard errors
            and the key version the run read, put on one scale: a run
            linked and applied onto another, or anchored to it, is on that
            run's scale, and a run with a stored linking is moved by the
            linking's A, B (b* = A·b + B, a* = a/A, se(b*) = A·se(b),
            se(a*) = se(a)/A, A and B taken as known); runs on no chain to
            the base keep their own scale, named in the scale column
  exposure  the forms it is on, with the responses given on each and the
            first and last administration

--table events,runs prints some of them; --format json prints the whole
history as one record unless one table is chosen.

The base scale is --run's, or by default the run whose scale the most runs
are on.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.item = args[0]
			_, err := runItemsHistory(cmd.Context(), o)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.by, "by", "import", "windows of the classical statistics: import or month")
	f.Var(&o.base, "run", "put parameters on this run's scale, by number or name (default: the run whose scale the most runs are on)")
	f.StringSliceVar(&o.tables, "table", []string{"all"}, "the tables to print (comma-separated): "+strings.Join(historyTables, ", "))
	return cmd
}

// historyEvent is a key version or a status, in time order.
type historyEvent struct {
	At    string `json:"at"`
	Event string `json:"event"` // "key v2", "status"
	Value string `json:"value"` // the key's letter or the status
	Note  string `json:"note"`
}

// historyWindow is the item's classical statistics in one window.
type historyWindow struct {
	Window   string        `json:"window"`
	Source   string        `json:"source"`
	N        int           `json:"n"`
	Omitted  int           `json:"omitted"`
	PValue   reports.Num   `json:"p_value"`
	PBis     reports.Num   `json:"pbis"`
	ItemRest reports.Num   `json:"r_it"`
	Flags    reports.Flags `json:"flags"`
}

// historyRun is the item's parameters in one run, on the scale of run
// Scale: the base run's when OnBase.
type historyRun struct {
	Run        int64   `json:"run"`
	Name       string  `json:"name"`
	Source     string  `json:"source"`
	Model      string  `json:"model"`
	KeyVersion *int    `json:"key_version"` // nil: the run did not record it
	Scale      int64   `json:"scale"`
	OnBase     bool    `json:"on_base"`
	A          float64 `json:"a"`
	B          float64 `json:"b"`
	C          float64 `json:"c"`
	SEA        float64 `json:"se_a"`
	SEB        float64 `json:"se_b"`
	N          int     `json:"n"`
	Fixed      bool    `json:"fixed"`
	Created    string  `json:"created"`
}

// itemHistory is the whole history, as --format json prints it.
type itemHistory struct {
	Item       string              `json:"item"`
	Status     string              `json:"status"`
	Key        string              `json:"key"`
	KeyVersion int                 `json:"key_version"`
	Base       int64               `json:"base_run"` // 0: the bank has no runs
	By         string              `json:"by"`
	Events     []historyEvent      `json:"events"`
	Windows    []historyWindow     `json:"windows"`
	Runs       []historyRun        `json:"runs"`
	Exposure   []bank.FormExposure `json:"exposure"`
}

// runItemsHistory gathers o.item's history and prints it.
func runItemsHistory(ctx context.Context, o *itemsHistoryOptions) (*itemHistory, error) {
	want := map[string]bool{}
	for _, t := range o.tables {
		if !slices.Contains(historyTables, t) {
			return nil, fmt.Errorf("--table %q: expected some of %s", t, strings.Join(historyTables, ", "))
		}
		want[t] = true
	}
	all := len(want) == 0 || want["all"]
	if all {
		for _, t := range historyTables[1:] {
			want[t] = true
		}
	}
	one := !all && len(want) == 1
	if !slices.Contains(bank.WindowKinds, o.by) {
		return nil, fmt.Errorf("--by %q: expected %s", o.by, strings.Join(bank.WindowKinds, " or "))
	}
	if o.format == "csv" && !one {
		return nil, fmt.Errorf("--format csv writes one table: choose it with --table (%s)", strings.Join(historyTables[1:], ", "))
	}
	b, err := o.openBank()
	if err != nil {
		return nil, err
	}
	defer b.Close()
	it, err := b.Item(ctx, o.item)
	if err != nil {
		return nil, err
	}
	h := &itemHistory{Item: it.Code, Status: it.Status, Key: it.KeyLetter(), By: o.by}
	if h.Events, h.KeyVersion, err = historyEvents(ctx, b, it.Code); err != nil {
		return nil, err
	}
	if h.Windows, err = historyWindows(ctx, b, it.Code, o.by); err != nil {
		return nil, err
	}
	var given int64
	if o.base != "" {
		if given, err = o.base.resolve(ctx, b, bank.KindRun); err != nil {
			return nil, err
		}
	}
	if h.Runs, h.Base, err = historyRuns(ctx, b, it.Code, given); err != nil {
		return nil, err
	}
	if h.Exposure, err = b.ItemExposure(ctx, it.Code); err != nil {
		return nil, err
	}
	var responses int64
	administered := 0
	for _, e := range h.Exposure {
		responses += e.Responses
		if e.Responses > 0 {
			administered++
		}
	}
	onBase := 0
	for _, r := range h.Runs {
		if r.OnBase {
			onBase++
		}
	}
	scaleNote := "no calibration runs"
	if h.Base > 0 {
		scaleNote = fmt.Sprintf("parameters in %s, %d on the scale of run %d", plural(len(h.Runs), "run"), onBase, h.Base)
	}
	o.status("item %s (%s / %s): %s, key %s (version %d); on %s, %d administered, %d responses; %s",
		it.Code, it.Domain, it.Subdomain, it.Status, orNone(h.Key), h.KeyVersion, plural(len(h.Exposure), "form"), administered, responses, scaleNote)
	if o.format == "json" && !one {
		return h, render(o.out, "json", h)
	}
	sections := []struct {
		name, title string
		rows        any
	}{
		{"events", "key and status", h.Events},
		{"windows", "classical statistics by " + o.by, h.Windows},
		{"runs", fmt.Sprintf("parameters by run, on the scale of run %d where on_base", h.Base), h.Runs},
		{"exposure", "exposure by form", h.Exposure},
	}
	first := true
	for _, s := range sections {
		if !want[s.name] {
			continue
		}
		if !one {
			if !first {
				fmt.Fprintln(o.out)
			}
			fmt.Fprintf(o.out, "%s\n", s.title)
		}
		first = false
		if err := render(o.out, o.format, s.rows); err != nil {
			return h, err
		}
	}
	return h, nil
}

// historyEvents merges the item's key versions and statuses in time
// order, returning them and the current key version.
func historyEvents(ctx context.Context, b *bank.Bank, code string) ([]historyEvent, int, error) {
	keys, err := b.KeyHistory(ctx, code)
	if err != nil {
		return nil, 0, err
	}
	statuses, err := b.StatusHistory(ctx, code)
	if err != nil {
		return nil, 0, err
	}
	var out []historyEvent
	version := 0
	for _, k := range keys {
		note := k.Reason
		if k.Version > 1 {
			note += fmt.Sprintf("; %d responses changed score", k.Rescored)
		}
		out = append(out, historyEvent{At: k.At, Event: fmt.Sprintf("key v%d", k.Version), Value: orNone(k.Key), Note: note})
		version = k.Version
	}
	for i, s := range statuses {
		note := "status at import"
		if i > 0 {
			note = "status changed from " + statuses[i-1].Status
		}
		out = append(out, historyEvent{At: s.At, Event: "status", Value: s.Status, Note: note})
	}
	slices.SortStableFunc(out, func(a, b historyEvent) int { return strings.Compare(a.At, b.At) })
	return out, version, nil
}

// historyWindows computes the item's classical statistics in each window
// of the response log that holds responses to it.
func historyWindows(ctx context.Context, b *bank.Bank, code, by string) ([]historyWindow, error) {
	windows, _, err := b.Windows(ctx, by)
	if err != nil {
		return nil, err
	}
	var out []historyWindow
	for _, w := range windows {
		f := bank.AnalysisFilter{From: w.From, To: w.To}
		if by == "import" {
			f = bank.AnalysisFilter{Imports: []int64{w.Import}}
		}
		d, err := b.AnalysisData(ctx, f)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(d.Codes(), code) {
			continue
		}
		an, err := reports.Analyze(d, reports.AnalysisOptions{})
		if err != nil {
			return nil, fmt.Errorf("window %s: %w", w.Label, err)
		}
		for _, st := range an.Items {
			if st.Item == code {
				out = append(out, historyWindow{Window: w.Label, Source: w.Source, N: st.N, Omitted: st.Omitted,
					PValue: st.PValue, PBis: st.PointBiserial, ItemRest: st.ItemRest, Flags: st.Flags})
			}
		}
	}
	return out, nil
}

// historyRuns lists the item's parameters in every run, moved onto the
// base run's scale where a chain of placements reaches it, and returns
// the base.
func historyRuns(ctx context.Context, b *bank.Bank, code string, given int64) ([]historyRun, int64, error) {
	runs, err := b.Calibrations(ctx)
	if err != nil {
		return nil, 0, err
	}
	if len(runs) == 0 && given == 0 {
		return nil, 0, nil
	}
	links, err := b.Linkings(ctx)
	if err != nil {
		return nil, 0, err
	}
	p := runPlacements(runs, links)
	base, err := chooseBase(runs, p, given)
	if err != nil {
		return nil, 0, err
	}
	byID := map[int64]bank.Calibration{}
	for _, r := range runs {
		byID[r.ID] = r
	}
	params, err := b.ItemRuns(ctx, code)
	if err != nil {
		return nil, 0, err
	}
	out := make([]historyRun, 0, len(params))
	for _, ir := range params {
		run := byID[ir.Run]
		hr := historyRun{Run: ir.Run, Name: run.Name, Source: run.Source, Model: run.Model, N: ir.Param.N, Fixed: ir.Fixed, Created: run.CreatedAt}
		if v, ok := run.Settings.KeyVersions[code]; ok {
			hr.KeyVersion = &v
		}
		item := ir.Param.ThreePL(ir.D)
		seA, seB := ir.Param.SEA, ir.Param.SEB
		t, ok, err := p.ToBase(ir.Run, base)
		if err != nil {
			return nil, 0, err
		}
		if ok {
			item = t.Item(item)
			seA, seB = t.SE(seA, seB)
			hr.Scale, hr.OnBase = base, true
		} else if hr.Scale, _, err = p.Root(ir.Run); err != nil {
			return nil, 0, err
		}
		hr.A, hr.B, hr.C, hr.SEA, hr.SEB = item.A, item.B, item.C, seA, seB
		out = append(out, hr)
	}
	return out, base, nil
}
