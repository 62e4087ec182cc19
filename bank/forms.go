package bank

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Assembly is a run of the form assembler: the forms it built against a
// blueprint from a calibration run's parameters, and what the solver
// reported of them.
type Assembly struct {
	ID            int64           `json:"assembly"`
	Name          string          `json:"name"`
	CalibrationID int64           `json:"run"`
	Blueprint     json.RawMessage `json:"blueprint"` // the blueprint as used, defaults filled in
	ObjectiveType string          `json:"objective_type"`
	// Objective is maximin's y (the forms' information at each θ_k is at
	// least w_k·y), or a target's largest deviation.
	Objective float64         `json:"objective"`
	Bound     float64         `json:"bound"` // the solver's bound on the best objective; NaN when none
	Gap       float64         `json:"gap"`   // (Bound − Objective)/|Objective|, the other way for a target: ≥ 0, 0 when proven optimal; NaN when no bound
	Solver    string          `json:"solver"`
	Status    string          `json:"status"` // optimal, feasible or heuristic
	Seconds   float64         `json:"seconds"`
	Options   AssemblyOptions `json:"options"`
	CreatedAt string          `json:"created_at"`
	Forms     []Form          `json:"forms,omitempty"`
}

// AssemblyOptions is the typed record of how an assembly was asked for,
// stored as JSON with these snake_case keys: the keys of the options
// stored before the record was typed, so that their rows read back (keys
// added since are absent from those rows and read as zero).
type AssemblyOptions struct {
	BlueprintFile string  `json:"blueprint_file"`
	Sample        bool    `json:"sample"` // one 5-item form with the blueprint's proportions
	Solver        string  `json:"solver"` // as asked: auto, cbc or heuristic
	Gap           float64 `json:"gap"`    // the gap within which forms are optimal and CBC stops
	// MaxNodes is CBC's node limit; 0 for none.
	MaxNodes int `json:"max_nodes,omitempty"`
	// Restarts is the heuristic's budget of perturbation rounds; 0 for
	// its default.
	Restarts int    `json:"restarts,omitempty"`
	Seed     uint64 `json:"seed"`
	// Threads are CBC's threads; 0 for its default (one; in rows written
	// before budgets were recorded, the cbc program's own default).
	Threads int `json:"threads"`
	// TimeLimit is the optional cap on the solve's wall-clock time; 0 for
	// none.
	TimeLimit Duration `json:"time_limit"`
	// Versions is the number of versions of each form with the options
	// scrambled, besides the one as written.
	Versions int `json:"versions,omitempty"`
}

// Duration is a time.Duration written in JSON as Go writes durations,
// e.g. "1m0s".
type Duration time.Duration

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("expected a duration such as \"30s\": %w", err)
	}
	x, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(x)
	return nil
}

// Form is a test form: its items in order.
type Form struct {
	Code       string     `json:"form"`
	Origin     string     `json:"origin"`             // log, assembly or import
	AssemblyID int64      `json:"assembly,omitempty"` // the assembly that built it
	Length     int        `json:"length"`
	CreatedAt  string     `json:"created_at"`
	Items      []FormItem `json:"items,omitempty"`
	// VersionCount is the number of stored versions, besides version 0
	// (the options as written).
	VersionCount int `json:"versions"`
	// Versions are the stored versions to save with an assembly; Form
	// and Forms leave them out (see FormVersion).
	Versions []FormVersion `json:"-"`
}

// FormItem is an item's place on a form.
type FormItem struct {
	Position int    `json:"position"`
	Item     string `json:"item"`
	Anchor   bool   `json:"anchor"` // shared by every form of its assembly
}

// SaveAssembly stores an assembly with its forms and their versions in one
// transaction and returns its id. A form without a code is named
// A<assembly>-<n>, n counting from 1; positions follow the order of Items.
// Each version must give, at each position, the form's item there, an
// order of its option letters, and the key letter that order delivers
// the item's key under.
func (b *Bank) SaveAssembly(ctx context.Context, a *Assembly) (int64, error) {
	opts, err := b.checkAssembly(ctx, a)
	if err != nil {
		return 0, err
	}
	err = b.inTx(ctx, func(tx *sql.Tx) error { return b.insertAssembly(ctx, tx, a, opts) })
	return a.ID, err
}

// checkAssembly checks a's name and versions before it is stored, and
// returns its options as JSON.
func (b *Bank) checkAssembly(ctx context.Context, a *Assembly) ([]byte, error) {
	opts, err := json.Marshal(a.Options)
	if err != nil {
		return nil, err
	}
	if err := CheckName(a.Name); err != nil {
		return nil, err
	}
	if slices.ContainsFunc(a.Forms, func(f Form) bool { return len(f.Versions) > 0 }) {
		items, err := b.itemMap(ctx)
		if err != nil {
			return nil, err
		}
		for k := range a.Forms {
			if err := checkVersions(&a.Forms[k], items); err != nil {
				return nil, err
			}
		}
	}
	return opts, nil
}

// insertAssembly stores a, with options opts, in tx.
func (b *Bank) insertAssembly(ctx context.Context, tx *sql.Tx, a *Assembly, opts []byte) error {
	if err := nameTaken(ctx, tx, KindAssembly, a.Name, 0); err != nil {
		return err
	}
	r, err := tx.ExecContext(ctx, `INSERT INTO assemblies (name, calibration_id, blueprint, objective_type, objective, bound, gap,
		solver, status, seconds, options, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
		a.Name, a.CalibrationID, string(a.Blueprint), a.ObjectiveType, a.Objective, nullFloat(a.Bound), nullFloat(a.Gap),
		a.Solver, a.Status, a.Seconds, string(opts), a.stamp(b))
	if err != nil {
		return fmt.Errorf("assembly: %w", err)
	}
	if a.ID, err = r.LastInsertId(); err != nil {
		return err
	}
	for k := range a.Forms {
		f := &a.Forms[k]
		if f.Code == "" {
			f.Code = fmt.Sprintf("A%d-%d", a.ID, k+1)
		}
		if err := checkCode(f.Code); err != nil {
			return fmt.Errorf("form %q: %v", f.Code, err)
		}
		var prev int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM forms WHERE code = ?`, f.Code).Scan(&prev); err == nil {
			return fmt.Errorf("form %s is already in the bank; choose another code", f.Code)
		}
		r, err := tx.ExecContext(ctx, `INSERT INTO forms (code, origin, assembly_id, created_at) VALUES (?, 'assembly', ?, ?)`, f.Code, a.ID, b.timestamp())
		if err != nil {
			return err
		}
		id, err := r.LastInsertId()
		if err != nil {
			return err
		}
		for i, it := range f.Items {
			r, err := tx.ExecContext(ctx, `INSERT INTO form_items (form_id, item_id, position, anchor) SELECT ?, id, ?, ? FROM items WHERE code = ?`,
				id, i+1, boolInt(it.Anchor), it.Item)
			if err != nil {
				return fmt.Errorf("form %s: item %s: %w", f.Code, it.Item, err)
			}
			if n, _ := r.RowsAffected(); n == 0 {
				return fmt.Errorf("form %s: item %s is not in the bank", f.Code, it.Item)
			}
			f.Items[i].Position = i + 1
		}
		if err := saveVersions(ctx, tx, id, f); err != nil {
			return err
		}
		f.Origin, f.AssemblyID, f.Length, f.VersionCount = "assembly", a.ID, len(f.Items), len(f.Versions)
	}
	return nil
}

const assemblyColumns = `id, name, calibration_id, blueprint, objective_type, objective, bound, gap, solver, status, seconds, options, created_at`

func scanAssembly(sc interface{ Scan(...any) error }) (Assembly, error) {
	var a Assembly
	var bp, opts string
	var bound, gap sql.NullFloat64
	err := sc.Scan(&a.ID, &a.Name, &a.CalibrationID, &bp, &a.ObjectiveType, &a.Objective, &bound, &gap, &a.Solver, &a.Status, &a.Seconds, &opts, &a.CreatedAt)
	if err != nil {
		return a, err
	}
	a.Blueprint, a.Bound, a.Gap = json.RawMessage(bp), orNaN(bound), orNaN(gap)
	if err := json.Unmarshal([]byte(opts), &a.Options); err != nil {
		return a, fmt.Errorf("assembly %d: options: %w", a.ID, err)
	}
	return a, nil
}

// Assembly returns assembly id with its forms and their items.
func (b *Bank) Assembly(ctx context.Context, id int64) (*Assembly, error) {
	a, err := scanAssembly(b.db.QueryRowContext(ctx, `SELECT `+assemblyColumns+` FROM assemblies WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("assembly %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	forms, err := b.Forms(ctx)
	if err != nil {
		return nil, err
	}
	for _, f := range forms {
		if f.AssemblyID != id {
			continue
		}
		full, err := b.Form(ctx, f.Code)
		if err != nil {
			return nil, err
		}
		a.Forms = append(a.Forms, *full)
	}
	return &a, nil
}

const formColumns = `f.code, f.origin, COALESCE(f.assembly_id, 0), (SELECT COUNT(*) FROM form_items fi WHERE fi.form_id = f.id), f.created_at,
	(SELECT COALESCE(MAX(v.version), 0) FROM form_versions v WHERE v.form_id = f.id)`

func scanForm(sc interface{ Scan(...any) error }) (Form, error) {
	var f Form
	err := sc.Scan(&f.Code, &f.Origin, &f.AssemblyID, &f.Length, &f.CreatedAt, &f.VersionCount)
	return f, err
}

// Forms lists the bank's forms, in the order they were made, without
// their items.
func (b *Bank) Forms(ctx context.Context) ([]Form, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT `+formColumns+` FROM forms f ORDER BY f.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Form
	for rows.Next() {
		f, err := scanForm(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// Form returns the form with the given code and its items in order.
func (b *Bank) Form(ctx context.Context, code string) (*Form, error) {
	f, err := scanForm(b.db.QueryRowContext(ctx, `SELECT `+formColumns+` FROM forms f WHERE f.code = ?`, code))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("form %s: %w", code, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	rows, err := b.db.QueryContext(ctx, `SELECT fi.position, i.code, fi.anchor FROM form_items fi
		JOIN forms f ON f.id = fi.form_id JOIN items i ON i.id = fi.item_id WHERE f.code = ? ORDER BY fi.position`, code)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var it FormItem
		if err := rows.Scan(&it.Position, &it.Item, &it.Anchor); err != nil {
			return nil, err
		}
		f.Items = append(f.Items, it)
	}
	return &f, rows.Err()
}

// ItemSeconds returns, for each item with timed responses, summary of
// its response times in seconds, given in ascending order in a slice that
// summary must not keep; items without any are absent. The assembler's
// summary is assemble.Median.
func (b *Bank) ItemSeconds(ctx context.Context, summary func(seconds []float64) float64) (map[string]float64, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT i.code, r.rt_ms FROM responses r JOIN items i ON i.id = r.item_id
		WHERE r.rt_ms IS NOT NULL ORDER BY r.item_id, r.rt_ms`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]float64{}
	var code string
	var times []float64
	flush := func() {
		if len(times) > 0 {
			out[code] = summary(times)
		}
		times = times[:0]
	}
	for rows.Next() {
		var c string
		var ms float64
		if err := rows.Scan(&c, &ms); err != nil {
			return nil, err
		}
		if c != code {
			flush()
			code = c
		}
		times = append(times, ms/1000)
	}
	flush()
	return out, rows.Err()
}
