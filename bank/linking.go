package bank

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// LinkMethods are the linking methods, as stored.
var LinkMethods = []string{"mean-mean", "mean-sigma", "haebara", "stocking-lord"}

// Linking is a stored linking of one run onto another's scale:
// θ_to = A·θ_from + B.
type Linking struct {
	ID        int64          `json:"linking"`
	From      int64          `json:"from_run"`
	To        int64          `json:"to_run"`
	Method    string         `json:"method"`
	A         float64        `json:"a"`
	B         float64        `json:"b"`
	SEA       float64        `json:"se_a"` // NaN when not computed
	SEB       float64        `json:"se_b"`
	Options   LinkingOptions `json:"options"`
	Items     []LinkItem     `json:"items"`
	CreatedAt string         `json:"created_at"`
	Existing  bool           `json:"-"` // SaveLinking found it stored already
}

// LinkingOptions are the options a linking was made with and the drift of
// its common items, stored as JSON with these keys.
type LinkingOptions struct {
	D       float64  `json:"d"`       // scaling constant of the characteristic curves
	Exclude []string `json:"exclude"` // common items the user left out
	// The characteristic-curve criterion: θ points, their range, their
	// weights (uniform, normal, gauss-hermite or posterior) and the scale
	// it is taken on (old, new or both).
	GridPoints int     `json:"grid_points"`
	GridMin    float64 `json:"grid_min"`
	GridMax    float64 `json:"grid_max"`
	Weights    string  `json:"weights"`
	Symmetry   string  `json:"symmetry"`
	Bootstrap  int     `json:"bootstrap"` // replicates for the SEs; 0: none
	Seed       uint64  `json:"seed"`
	// DriftThreshold is the robust z above which a common item is flagged;
	// DropDrift: the flagged items were left out and the runs linked again.
	DriftThreshold float64              `json:"drift_threshold"`
	DropDrift      bool                 `json:"drop_drift"`
	Drift          map[string]ItemDrift `json:"drift"` // by item code
}

// ItemDrift is how far one common item moved from its base values under
// the linking of all common items.
type ItemDrift struct {
	DiffB  float64 `json:"diff_b"`  // transformed b minus base b
	RatioA float64 `json:"ratio_a"` // transformed a over base a
	ZB     float64 `json:"z_b"`     // robust z of DiffB
	ZLogA  float64 `json:"z_log_a"` // robust z of log RatioA
	Flag   bool    `json:"flag"`    // |ZB| above the threshold
}

// LinkItem is one common item of a linking and whether it was used.
type LinkItem struct {
	Item string `json:"item"`
	Used bool   `json:"used"` // false: excluded by the user or as drifting
}

// SaveLinking stores a linking with its common items and returns its id.
// A linking of the same runs by the same method and options is stored
// once: asked again, SaveLinking returns the stored one's id and sets
// Existing.
func (b *Bank) SaveLinking(ctx context.Context, l *Linking) (int64, error) {
	if !slices.Contains(LinkMethods, l.Method) {
		return 0, fmt.Errorf("method %q: expected one of %s", l.Method, strings.Join(LinkMethods, ", "))
	}
	opts, err := json.Marshal(l.Options)
	if err != nil {
		return 0, err
	}
	err = b.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT id, created_at FROM linkings WHERE from_calibration = ? AND to_calibration = ? AND method = ? AND options = ?`,
			l.From, l.To, l.Method, string(opts)).Scan(&l.ID, &l.CreatedAt)
		if err == nil {
			l.Existing = true
			return nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		r, err := tx.ExecContext(ctx, `INSERT INTO linkings (from_calibration, to_calibration, method, a_const, b_const, se_a, se_b, options, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, l.From, l.To, l.Method, l.A, l.B, nullFloat(l.SEA), nullFloat(l.SEB), string(opts), l.stamp(b))
		if err != nil {
			return err
		}
		if l.ID, err = r.LastInsertId(); err != nil {
			return err
		}
		for _, it := range l.Items {
			r, err := tx.ExecContext(ctx, `INSERT INTO linking_items (linking_id, item_id, used) SELECT ?, id, ? FROM items WHERE code = ?`,
				l.ID, boolInt(it.Used), it.Item)
			if err != nil {
				return err
			}
			if k, _ := r.RowsAffected(); k == 0 {
				return fmt.Errorf("item %s is not in the bank", it.Item)
			}
		}
		return nil
	})
	return l.ID, err
}

const linkingColumns = `id, from_calibration, to_calibration, method, a_const, b_const, se_a, se_b, options, created_at`

func scanLinking(sc interface{ Scan(...any) error }) (Linking, error) {
	var l Linking
	var sa, sb sql.NullFloat64
	var opts string
	if err := sc.Scan(&l.ID, &l.From, &l.To, &l.Method, &l.A, &l.B, &sa, &sb, &opts, &l.CreatedAt); err != nil {
		return l, err
	}
	l.SEA, l.SEB = orNaN(sa), orNaN(sb)
	return l, json.Unmarshal([]byte(opts), &l.Options)
}

// Linkings lists the stored linkings without their items.
func (b *Bank) Linkings(ctx context.Context) ([]Linking, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT `+linkingColumns+` FROM linkings ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Linking
	for rows.Next() {
		l, err := scanLinking(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// Linking returns a stored linking with its common items.
func (b *Bank) Linking(ctx context.Context, id int64) (*Linking, error) {
	l, err := scanLinking(b.db.QueryRowContext(ctx, `SELECT `+linkingColumns+` FROM linkings WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("linking %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	rows, err := b.db.QueryContext(ctx, `SELECT i.code, li.used FROM linking_items li JOIN items i ON i.id = li.item_id WHERE li.linking_id = ? ORDER BY i.code`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var it LinkItem
		if err := rows.Scan(&it.Item, &it.Used); err != nil {
			return nil, err
		}
		l.Items = append(l.Items, it)
	}
	return &l, rows.Err()
}

// ScaleDef is a stored reporting scale: score = Slope·θ + Intercept,
// rounded and clamped to [Min, Max].
type ScaleDef struct {
	ID         int64           `json:"id"`
	Name       string          `json:"name"`
	Slope      float64         `json:"slope"`
	Intercept  float64         `json:"intercept"`
	Min        float64         `json:"min"`
	Max        float64         `json:"max"`
	Definition ScaleDefinition `json:"definition"` // how slope and intercept were set
	CreatedAt  string          `json:"created_at"`
}

// ScaleDefinition is how a scale's slope and intercept were set: through
// two points, or by a reference group's moments. It is stored as JSON
// with these keys.
type ScaleDefinition struct {
	Points  []float64 `json:"points,omitempty"`  // θ1, s1, θ2, s2
	Moments []float64 `json:"moments,omitempty"` // θ mean, θ SD, scale mean, scale SD
}

// SaveScale stores a new named scale; a name already used is an error
// (scales are never redefined in place). Every bank has the scale
// passport (θ = −3 → 300, θ = 3 → 850, in [300, 850]) from its creation,
// or from migration 0006 for an older bank.
func (b *Bank) SaveScale(ctx context.Context, s *ScaleDef) (int64, error) {
	if err := checkCode(s.Name); err != nil {
		return 0, fmt.Errorf("scale name: %w", err)
	}
	def, err := json.Marshal(s.Definition)
	if err != nil {
		return 0, err
	}
	if old, err := b.Scale(ctx, s.Name); err == nil {
		return 0, fmt.Errorf("scale %s already exists (score = %.4f·θ + %.4f, in [%g, %g]); scales are not redefined, choose another name",
			s.Name, old.Slope, old.Intercept, old.Min, old.Max)
	}
	err = b.inTx(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `INSERT INTO scales (name, slope, intercept, min_score, max_score, definition, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			s.Name, s.Slope, s.Intercept, s.Min, s.Max, string(def), s.stamp(b))
		if err != nil {
			return err
		}
		s.ID, err = r.LastInsertId()
		return err
	})
	return s.ID, err
}

const scaleColumns = `id, name, slope, intercept, min_score, max_score, definition, created_at`

func scanScale(sc interface{ Scan(...any) error }) (ScaleDef, error) {
	var s ScaleDef
	var def string
	if err := sc.Scan(&s.ID, &s.Name, &s.Slope, &s.Intercept, &s.Min, &s.Max, &def, &s.CreatedAt); err != nil {
		return s, err
	}
	return s, json.Unmarshal([]byte(def), &s.Definition)
}

// Scale returns the scale with the given name.
func (b *Bank) Scale(ctx context.Context, name string) (*ScaleDef, error) {
	s, err := scanScale(b.db.QueryRowContext(ctx, `SELECT `+scaleColumns+` FROM scales WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("scale %s: %w (define it with passport scale define)", name, ErrNotFound)
	}
	return &s, err
}

// Scales lists the stored scales.
func (b *Bank) Scales(ctx context.Context) ([]ScaleDef, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT `+scaleColumns+` FROM scales ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ScaleDef
	for rows.Next() {
		s, err := scanScale(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// ConversionTable is a stored raw-to-scale conversion of a form under a
// calibration run and a scale.
type ConversionTable struct {
	ID        int64           `json:"table"`
	Form      string          `json:"form"`
	Run       int64           `json:"run"`
	Scale     string          `json:"scale"`
	Options   TableOptions    `json:"options"`
	Rows      []ConversionRow `json:"rows,omitempty"`
	CreatedAt string          `json:"created_at"`
	Existing  bool            `json:"-"` // SaveConversionTable found it stored already
}

// TableOptions are how a conversion table was made, stored as JSON with
// these keys.
type TableOptions struct {
	Method         string  `json:"method"`          // tcc or eap: which θ gives the scale score
	PopulationMean float64 `json:"population_mean"` // the population the EAPs integrate over
	PopulationSD   float64 `json:"population_sd"`
	SumC           float64 `json:"sum_c"`   // Σc, below which the TCC has no inverse
	Lowest         float64 `json:"lowest"`  // lowest obtainable scale score
	Highest        float64 `json:"highest"` // highest obtainable scale score
	Items          int     `json:"items"`
	ThetaTCC       string  `json:"theta_tcc"` // the rule of theta_tcc, with its θ bounds
	CSEM           string  `json:"csem"`      // what the CSEM is
}

// ConversionRow is one raw score's line; NaN where a value does not exist.
type ConversionRow struct {
	Raw      int     `json:"raw"`
	ThetaEAP float64 `json:"theta_eap"`
	SDEAP    float64 `json:"sd_eap"`
	ThetaTCC float64 `json:"theta_tcc"`
	Score    float64 `json:"score" table:"decimals=0"`
	CSEM     float64 `json:"csem" table:"decimals=1"`
}

// SaveConversionTable stores a table and returns its id; the same form,
// run, scale and options are stored once (see SaveLinking).
func (b *Bank) SaveConversionTable(ctx context.Context, t *ConversionTable) (int64, error) {
	opts, err := json.Marshal(t.Options)
	if err != nil {
		return 0, err
	}
	err = b.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT t.id, t.created_at FROM conversion_tables t JOIN forms f ON f.id = t.form_id JOIN scales s ON s.id = t.scale_id
			WHERE f.code = ? AND t.calibration_id = ? AND s.name = ? AND t.options = ?`, t.Form, t.Run, t.Scale, string(opts)).Scan(&t.ID, &t.CreatedAt)
		if err == nil {
			t.Existing = true
			return nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		r, err := tx.ExecContext(ctx, `INSERT INTO conversion_tables (form_id, calibration_id, scale_id, options, created_at)
			SELECT f.id, ?, s.id, ?, ? FROM forms f, scales s WHERE f.code = ? AND s.name = ?`, t.Run, string(opts), t.stamp(b), t.Form, t.Scale)
		if err != nil {
			return err
		}
		if k, _ := r.RowsAffected(); k == 0 {
			return fmt.Errorf("form %s or scale %s is not in the bank", t.Form, t.Scale)
		}
		if t.ID, err = r.LastInsertId(); err != nil {
			return err
		}
		for _, row := range t.Rows {
			if _, err := tx.ExecContext(ctx, `INSERT INTO conversion_rows (table_id, raw, theta_eap, sd_eap, theta_tcc, scale_score, csem) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				t.ID, row.Raw, nullFloat(row.ThetaEAP), nullFloat(row.SDEAP), nullFloat(row.ThetaTCC), row.Score, nullFloat(row.CSEM)); err != nil {
				return err
			}
		}
		return nil
	})
	return t.ID, err
}

const tableColumns = `t.id, f.code, t.calibration_id, s.name, t.options, t.created_at
	FROM conversion_tables t JOIN forms f ON f.id = t.form_id JOIN scales s ON s.id = t.scale_id`

func scanTable(sc interface{ Scan(...any) error }) (ConversionTable, error) {
	var t ConversionTable
	var opts string
	if err := sc.Scan(&t.ID, &t.Form, &t.Run, &t.Scale, &opts, &t.CreatedAt); err != nil {
		return t, err
	}
	return t, json.Unmarshal([]byte(opts), &t.Options)
}

// ConversionTables lists the stored tables without their rows.
func (b *Bank) ConversionTables(ctx context.Context) ([]ConversionTable, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT `+tableColumns+` ORDER BY t.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ConversionTable
	for rows.Next() {
		t, err := scanTable(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// ConversionTableByID returns a stored table with its rows.
func (b *Bank) ConversionTableByID(ctx context.Context, id int64) (*ConversionTable, error) {
	t, err := scanTable(b.db.QueryRowContext(ctx, `SELECT `+tableColumns+` WHERE t.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("conversion table %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	rows, err := b.db.QueryContext(ctx, `SELECT raw, theta_eap, sd_eap, theta_tcc, scale_score, csem FROM conversion_rows WHERE table_id = ? ORDER BY raw`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var r ConversionRow
		var te, sd, tt, cs sql.NullFloat64
		if err := rows.Scan(&r.Raw, &te, &sd, &tt, &r.Score, &cs); err != nil {
			return nil, err
		}
		r.ThetaEAP, r.SDEAP, r.ThetaTCC, r.CSEM = orNaN(te), orNaN(sd), orNaN(tt), orNaN(cs)
		t.Rows = append(t.Rows, r)
	}
	return &t, rows.Err()
}

// LinkedRun returns the run a linking was applied to (stored on the base
// run's scale by link --apply), or 0 when there is none.
func (b *Bank) LinkedRun(ctx context.Context, linking int64) (int64, error) {
	var id int64
	err := b.db.QueryRowContext(ctx, `SELECT id FROM calibrations WHERE source = 'linked' AND json_extract(options, '$.linked.linking') = ? ORDER BY id LIMIT 1`,
		linking).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// stamp sets the creation time of what is being stored and returns it.
func (l *Linking) stamp(b *Bank) string         { l.CreatedAt = b.timestamp(); return l.CreatedAt }
func (s *ScaleDef) stamp(b *Bank) string        { s.CreatedAt = b.timestamp(); return s.CreatedAt }
func (t *ConversionTable) stamp(b *Bank) string { t.CreatedAt = b.timestamp(); return t.CreatedAt }
func (e *Equating) stamp(b *Bank) string        { e.CreatedAt = b.timestamp(); return e.CreatedAt }
func (c *Calibration) stamp(b *Bank) string     { c.CreatedAt = b.timestamp(); return c.CreatedAt }
func (a *Assembly) stamp(b *Bank) string        { a.CreatedAt = b.timestamp(); return a.CreatedAt }
