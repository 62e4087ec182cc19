package assemble

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
)

// Blueprint is what every assembled form must satisfy, and what makes one
// set of forms better than another. Zero fields take the defaults noted;
// fixtures/blueprints/README.md documents the JSON form with an example.
type Blueprint struct {
	Name     string   `json:"name,omitempty"`
	Length   int      `json:"length,omitempty"`   // items per form; default 50
	Forms    int      `json:"forms,omitempty"`    // forms to build; default 1
	Statuses []string `json:"statuses,omitempty"` // statuses an item may have; default ["operational"]
	// Domains bounds each form's items per domain; a domain not named is
	// unbounded.
	Domains map[string]Range `json:"domains,omitempty"`
	// Subdomains bounds each form's items per subdomain.
	Subdomains map[string]Range `json:"subdomains,omitempty"`
	// EnemyGroups are groups of item codes of which a form holds at most
	// one, in addition to the pool items' own enemy groups.
	EnemyGroups [][]string `json:"enemy_groups,omitempty"`
	// ItemSets are groups of item codes that a form holds all of or none
	// of (set-based items, e.g. questions on one code listing).
	ItemSets [][]string `json:"item_sets,omitempty"`
	Include  []string   `json:"include,omitempty"` // each on at least one form
	Exclude  []string   `json:"exclude,omitempty"` // on no form
	Anchors  []string   `json:"anchors,omitempty"` // on every form, for linking
	// MaxFormsPerItem caps the forms a non-anchor item appears on;
	// default 1 (no reuse).
	MaxFormsPerItem int `json:"max_forms_per_item,omitempty"`
	// MaxOverlap caps the items, anchors included, that any two forms
	// share; nil for no cap beyond MaxFormsPerItem's.
	MaxOverlap *int `json:"max_overlap,omitempty"`
	// Minutes bounds a form's total expected response time in minutes
	// (the sum of its items' Seconds, over 60).
	Minutes *Range `json:"minutes,omitempty"`
	// MeanDifficulty bounds the mean IRT difficulty b of a form's items.
	MeanDifficulty *Range `json:"mean_difficulty,omitempty"`
	// InfoTolerance caps the difference between any two forms' test
	// information at each of the objective's θ points; nil for no cap.
	InfoTolerance *float64 `json:"info_tolerance,omitempty"`
	// TCCTolerance caps the difference between any two forms' expected
	// number-correct scores (characteristic curves) at each θ point.
	TCCTolerance *float64 `json:"tcc_tolerance,omitempty"`
	// KeyBalance bounds each form's count of items keyed with each
	// letter, in every version of the form.
	KeyBalance *KeyBalance `json:"key_balance,omitempty"`
	// MaxKeyRun caps the longest run of consecutive items with one key
	// letter, in delivery order, in every version of the form; 0 for no
	// cap.
	MaxKeyRun int       `json:"max_key_run,omitempty"`
	Order     Order     `json:"order"` // the delivery order; default random
	Objective Objective `json:"objective"`
}

// Objective is what the forms optimise, the same for every form.
type Objective struct {
	// Type is "maximin" (default): maximise y subject to
	// I_f(θ_k) ≥ w_k·y for every form f and point k; or "target":
	// minimise the largest |I_f(θ_k) − Info_k| and |T_f(θ_k) − TCC_k|.
	Type  string    `json:"type,omitempty"`
	Theta []float64 `json:"theta,omitempty"` // the points θ_k; default −1, 0, 1
	// Weights are maximin's relative information targets w_k > 0;
	// default 1 at every point.
	Weights []float64 `json:"weights,omitempty"`
	Info    []float64 `json:"info,omitempty"` // target test information at each θ_k
	TCC     []float64 `json:"tcc,omitempty"`  // target expected score at each θ_k
}

// The objective types.
const (
	Maximin = "maximin"
	Target  = "target"
)

// ReadBlueprint reads a JSON blueprint, fills in the defaults and checks
// it (Check tests it against a pool). Errors name the file and field.
func ReadBlueprint(file string, r io.Reader) (Blueprint, error) {
	var bp Blueprint
	data, err := io.ReadAll(r)
	if err != nil {
		return bp, fmt.Errorf("%s: %w", file, err)
	}
	if err := DecodeJSON(file, data, &bp, "fixtures/blueprints/README.md"); err != nil {
		return bp, err
	}
	bp = bp.WithDefaults()
	if err := bp.Validate(); err != nil {
		return bp, fmt.Errorf("%s: %w", file, err)
	}
	return bp, nil
}

// DecodeJSON decodes data, the contents of file, into v as one JSON value
// with no unknown fields. Errors name the file, the line and the field;
// for an unknown field they point to doc, where the fields are described.
func DecodeJSON(file string, data []byte, v any, doc string) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return fmt.Errorf("%s:%d: %v", file, lineOf(data, se.Offset), se)
		case errors.As(err, &te):
			return fmt.Errorf("%s:%d: field %s: expected %s, got %s", file, lineOf(data, te.Offset), te.Field, te.Type, te.Value)
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			return fmt.Errorf("%s: %v; see %s for the fields", file, strings.TrimPrefix(err.Error(), "json: "), doc)
		}
		return fmt.Errorf("%s: %w", file, err)
	}
	if dec.More() {
		return fmt.Errorf("%s: more than one JSON value; expected one object", file)
	}
	return nil
}

// lineOf is the 1-based line of byte offset off in data.
func lineOf(data []byte, off int64) int {
	return 1 + bytes.Count(data[:min(int(off), len(data))], []byte("\n"))
}

// WithDefaults returns bp with its zero fields set to their defaults.
func (bp Blueprint) WithDefaults() Blueprint {
	if bp.Length == 0 {
		bp.Length = 50
	}
	if bp.Forms == 0 {
		bp.Forms = 1
	}
	if len(bp.Statuses) == 0 {
		bp.Statuses = []string{"operational"}
	}
	if bp.MaxFormsPerItem == 0 {
		bp.MaxFormsPerItem = 1
	}
	if bp.Order.Rule == "" {
		bp.Order.Rule = OrderRandom
	}
	o := &bp.Objective
	if o.Type == "" {
		o.Type = Maximin
	}
	if len(o.Theta) == 0 {
		o.Theta = []float64{-1, 0, 1}
	}
	if o.Type == Maximin && len(o.Weights) == 0 {
		o.Weights = make([]float64, len(o.Theta))
		for k := range o.Weights {
			o.Weights[k] = 1
		}
	}
	return bp
}

// Validate checks the blueprint on its own, with defaults filled in; Check
// checks it against a pool.
func (bp Blueprint) Validate() error {
	switch {
	case bp.Length < 1:
		return fmt.Errorf("length: %d; expected a positive number of items per form", bp.Length)
	case bp.Forms < 1:
		return fmt.Errorf("forms: %d; expected a positive number of forms", bp.Forms)
	case bp.MaxFormsPerItem < 1:
		return fmt.Errorf("max_forms_per_item: %d; expected at least 1", bp.MaxFormsPerItem)
	case bp.MaxOverlap != nil && *bp.MaxOverlap < 0:
		return fmt.Errorf("max_overlap: %d; expected a number of items ≥ 0", *bp.MaxOverlap)
	case bp.MaxKeyRun < 0:
		return fmt.Errorf("max_key_run: %d; expected a run of at least 1 item, or 0 for no cap", bp.MaxKeyRun)
	}
	if bp.KeyBalance != nil {
		if err := bp.KeyBalance.validate(); err != nil {
			return err
		}
	}
	if err := bp.Order.validate(); err != nil {
		return err
	}
	for _, name := range sortedKeys(bp.Domains) {
		if err := bp.Domains[name].check("domains."+name, true); err != nil {
			return err
		}
	}
	for _, name := range sortedKeys(bp.Subdomains) {
		if err := bp.Subdomains[name].check("subdomains."+name, true); err != nil {
			return err
		}
	}
	if bp.Minutes != nil {
		if err := bp.Minutes.check("minutes", false); err != nil {
			return err
		}
	}
	if bp.MeanDifficulty != nil {
		if err := bp.MeanDifficulty.check("mean_difficulty", false); err != nil {
			return err
		}
	}
	for _, t := range []struct {
		field string
		tol   *float64
	}{{"info_tolerance", bp.InfoTolerance}, {"tcc_tolerance", bp.TCCTolerance}} {
		if t.tol != nil && !(*t.tol >= 0 && !math.IsInf(*t.tol, 1)) {
			return fmt.Errorf("%s: %g; expected a difference ≥ 0", t.field, *t.tol)
		}
	}
	for i, l := range bp.EnemyGroups {
		if len(l) < 2 {
			return fmt.Errorf("enemy_groups[%d]: %d items; expected a group of at least two", i, len(l))
		}
	}
	for i, l := range bp.ItemSets {
		if len(l) < 2 {
			return fmt.Errorf("item_sets[%d]: %d items; expected a set of at least two", i, len(l))
		}
	}
	return bp.Objective.validate()
}

func (o Objective) validate() error {
	finite := func(field string, xs []float64) error {
		for k, x := range xs {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("objective.%s[%d]: %g is not a finite number", field, k, x)
			}
		}
		return nil
	}
	if err := finite("theta", o.Theta); err != nil {
		return err
	}
	perPoint := func(field string, xs []float64) error {
		if len(xs) != len(o.Theta) {
			return fmt.Errorf("objective.%s: %d values for %d theta points; expected one per point", field, len(xs), len(o.Theta))
		}
		return finite(field, xs)
	}
	switch o.Type {
	case Maximin:
		if err := perPoint("weights", o.Weights); err != nil {
			return err
		}
		for k, w := range o.Weights {
			if !(w > 0) {
				return fmt.Errorf("objective.weights[%d]: %g; expected a positive relative weight", k, w)
			}
		}
		if o.Info != nil || o.TCC != nil {
			return errors.New(`objective: info and tcc are targets; set "type": "target" to match them`)
		}
	case Target:
		if o.Info == nil && o.TCC == nil {
			return errors.New("objective: a target objective needs info or tcc values, one per theta point")
		}
		if o.Weights != nil {
			return errors.New(`objective.weights: weights belong to "maximin"; a target objective has none`)
		}
		if o.Info != nil {
			if err := perPoint("info", o.Info); err != nil {
				return err
			}
		}
		if o.TCC != nil {
			if err := perPoint("tcc", o.TCC); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("objective.type: %q; expected %q or %q", o.Type, Maximin, Target)
	}
	return nil
}

// Sample returns the blueprint of one n-item form with bp's proportions: each
// count range [lo, hi] (domains, subdomains, key letters) becomes
// [⌊lo·n/L⌋, ⌈hi·n/L⌉] for bp's length L, minutes and information and
// score targets scale by n/L, and anchors, include lists and the rules
// between forms are dropped; the delivery rules stay.
func (bp Blueprint) Sample(n int) Blueprint {
	s := bp.WithDefaults()
	f := float64(n) / float64(s.Length)
	scale := func(xs []float64) []float64 {
		if xs == nil {
			return nil
		}
		out := make([]float64, len(xs))
		for i, x := range xs {
			out[i] = x * f
		}
		return out
	}
	if s.Name != "" {
		s.Name += fmt.Sprintf(" (%d-item sample)", n)
	}
	s.Length, s.Forms, s.MaxFormsPerItem = n, 1, 1
	s.Anchors, s.Include, s.MaxOverlap, s.InfoTolerance, s.TCCTolerance = nil, nil, nil, nil, nil
	s.Domains, s.Subdomains = scaleCounts(s.Domains, f), scaleCounts(s.Subdomains, f)
	if s.KeyBalance != nil {
		kb := s.KeyBalance.scaled(f)
		s.KeyBalance = &kb
	}
	if s.Minutes != nil {
		m := Range{}
		if s.Minutes.Min != nil {
			lo := *s.Minutes.Min * f
			m.Min = &lo
		}
		if s.Minutes.Max != nil {
			hi := *s.Minutes.Max * f
			m.Max = &hi
		}
		s.Minutes = &m
	}
	s.Objective.Info, s.Objective.TCC = scale(s.Objective.Info), scale(s.Objective.TCC)
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// allowed reports whether status is one bp allows.
func (bp Blueprint) allowed(status string) bool { return slices.Contains(bp.Statuses, status) }
