package bank

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/passportirt/passport/irt"
)

// MatrixFilter selects the responses of a Matrix.
type MatrixFilter struct {
	Items    []string // only these items; nil: all
	Statuses []string // only items of these statuses; nil: all
	// OmitAsMissing drops omitted responses (presented, not answered)
	// instead of scoring them wrong.
	OmitAsMissing bool
	// Imports keeps only the responses of these imports (a calibration's
	// inputs); nil: all.
	Imports []int64
	// Exclude leaves these items out (after Items and Statuses); each must
	// be in the bank.
	Exclude []string
	// From and To keep only the responses administered in [From, To),
	// Unix seconds; 0 leaves that end open. With either set, responses
	// without an administration time are left out.
	From, To int64
}

// ResponseMatrix reads the scored responses that pass f as a sparse
// matrix, its columns the items ordered by code (with domain, key and
// number of options), its rows the examinees.
func (b *Bank) ResponseMatrix(ctx context.Context, f MatrixFilter) (*irt.Responses, error) {
	for _, s := range f.Statuses {
		if !slices.Contains(Statuses, s) {
			return nil, fmt.Errorf("%q is not a status; expected one of %s", s, strings.Join(Statuses, ", "))
		}
	}
	m := &irt.Responses{}
	col, err := b.itemColumns(ctx, m, f.Items, f.Statuses, f.Exclude)
	if err != nil {
		return nil, err
	}
	if err := b.readRows(ctx, m, rowFilter{From: f.From, To: f.To, Imports: f.Imports, OmitAsMissing: f.OmitAsMissing}, col); err != nil {
		return nil, err
	}
	return m, nil
}

// Calibration is a calibration run: item parameters with the settings and
// inputs that produced them.
type Calibration struct {
	ID         int64       `json:"run"`
	Name       string      `json:"name"`
	Model      string      `json:"model"`
	D          float64     `json:"d"`
	Source     string      `json:"source"` // em, import or linked
	Settings   RunSettings `json:"settings"`
	LogLik     float64     `json:"loglik"` // NaN when not known
	Cycles     int         `json:"cycles"`
	Converged  bool        `json:"converged"`
	NExaminees int         `json:"n_examinees"`
	NResponses int         `json:"n_responses"`
	LatentMean float64     `json:"latent_mean"`
	LatentSD   float64     `json:"latent_sd"`
	ParentID   int64       `json:"parent,omitempty"` // the run it was linked or anchored from
	CreatedAt  string      `json:"created_at"`
	Params     []ParamRow  `json:"items,omitempty"`
	Fixed      []string    `json:"fixed,omitempty"`  // items held at their anchor values
	Inputs     []int64     `json:"inputs,omitempty"` // response imports read
}

// RunSettings is the typed record of how a run was made: everything a
// command that evaluates the run (score, fit, tables, linking) must reuse,
// and what a reader needs to reproduce it. It is stored as JSON with these
// snake_case keys.
type RunSettings struct {
	// Grid is the quadrature the run integrated over (zero: the default).
	irt.GridSpec
	Tol        float64    `json:"tol,omitempty"`        // convergence: largest parameter change of a cycle
	MaxCycles  int        `json:"max_cycles,omitempty"` // most EM cycles
	Priors     irt.Priors `json:"priors"`
	Accelerate bool       `json:"accelerate"` // SQUAREM
	// OmitAsMissing: omitted responses (presented, not answered) were left
	// out of the likelihood rather than scored wrong.
	OmitAsMissing bool     `json:"omit_as_missing"`
	Items         []string `json:"items,omitempty"`   // only these items were calibrated
	Exclude       []string `json:"exclude,omitempty"` // these items were left out
	Statuses      []string `json:"status,omitempty"`  // only items of these statuses
	Imports       []int64  `json:"imports,omitempty"` // only the responses of these imports
	AnchorRun     int64    `json:"anchor_run,omitempty"`
	Anchors       []string `json:"anchors,omitempty"`
	SE            string   `json:"se,omitempty"`        // how standard errors were computed
	LogPrior      float64  `json:"log_prior,omitempty"` // log prior density at the estimates
	Reason        string   `json:"reason,omitempty"`    // why the EM stopped
	// OmittedResponses counts the omitted responses read (scored 0 or dropped).
	OmittedResponses int      `json:"omitted_responses,omitempty"`
	ResponsesFile    string   `json:"responses_file,omitempty"` // calibrated from this file, not the bank
	Warnings         []string `json:"warnings,omitempty"`
	// File is where an imported run's parameters came from.
	File string `json:"file,omitempty"`
	// Linked says how a linked run was moved from its parent's scale.
	Linked *LinkedFrom `json:"linked,omitempty"`
	// KeyVersions are the key versions (see KeyHistory) the responses
	// were scored with when the run read them, by item code; absent for
	// runs made before key versions were kept and for imported parameters.
	KeyVersions map[string]int `json:"key_versions,omitempty"`
}

// LinkedFrom records the linking that put a run on another run's scale:
// θ_to = A·θ_from + B.
type LinkedFrom struct {
	Linking int64   `json:"linking"`
	Method  string  `json:"method"`
	A       float64 `json:"a"`
	B       float64 `json:"b"`
	FromRun int64   `json:"from_run"`
	ToRun   int64   `json:"to_run"`
}

// Sample says which responses an analysis of a run reads: by default the
// run's own — its items, the imports it read and its treatment of omitted
// responses — so that fit, scoring and reports describe the data the
// parameters came from.
type Sample struct {
	Items         []string // the items
	Imports       []int64  // the imports; nil: every import in the bank
	OmitAsMissing bool     // omitted responses left out rather than scored wrong
}

// Sample is the run's own sample. A run whose parameters were imported
// read no responses: its sample is every import.
func (c *Calibration) Sample() Sample {
	items := make([]string, len(c.Params))
	for i, p := range c.Params {
		items[i] = p.Item
	}
	s := Sample{Items: items, OmitAsMissing: c.Settings.OmitAsMissing}
	if len(c.Inputs) > 0 {
		s.Imports = c.Inputs
	}
	return s
}

// Grid returns the run's quadrature: a new grid the caller owns.
func (c *Calibration) Grid() irt.Quadrature { return c.Settings.Quadrature() }

// ItemParams returns the run's items as irt values under the run's D, in
// the order of Params.
func (c *Calibration) ItemParams() []irt.ThreePL {
	out := make([]irt.ThreePL, len(c.Params))
	for i, p := range c.Params {
		out[i] = p.ThreePL(c.D)
	}
	return out
}

// ParamsByItem is ItemParams keyed by item code.
func (c *Calibration) ParamsByItem() map[string]irt.ThreePL {
	out := make(map[string]irt.ThreePL, len(c.Params))
	for i, p := range c.ItemParams() {
		out[c.Params[i].Item] = p
	}
	return out
}

func nullFloat(x float64) sql.NullFloat64 {
	return sql.NullFloat64{Float64: x, Valid: !math.IsNaN(x) && !math.IsInf(x, 0)}
}

// SaveCalibration stores a run with its parameters in one transaction and
// returns its id. Every parameter row must name an item in the bank.
func (b *Bank) SaveCalibration(ctx context.Context, c *Calibration) (int64, error) {
	if _, err := irt.ParseModel(c.Model); err != nil {
		return 0, err
	}
	if err := c.checkFinite(); err != nil {
		return 0, fmt.Errorf("run not stored: %w", err)
	}
	if err := CheckName(c.Name); err != nil {
		return 0, err
	}
	if err := nameTaken(ctx, b.db, KindRun, c.Name, 0); err != nil {
		return 0, err
	}
	opts, err := json.Marshal(c.Settings)
	if err != nil {
		return 0, fmt.Errorf("run not stored: its settings cannot be written (%v)", err)
	}
	fixed := map[string]bool{}
	for _, f := range c.Fixed {
		fixed[f] = true
	}
	err = b.inTx(ctx, func(tx *sql.Tx) error {
		var parent sql.NullInt64
		if c.ParentID > 0 {
			parent = sql.NullInt64{Int64: c.ParentID, Valid: true}
		}
		conv := sql.NullInt64{}
		if c.Source == "em" {
			conv = sql.NullInt64{Int64: int64(boolInt(c.Converged)), Valid: true}
		}
		r, err := tx.ExecContext(ctx, `INSERT INTO calibrations (name, model, d, source, options, loglik, cycles, converged,
			n_examinees, n_responses, latent_mean, latent_sd, parent_id, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			c.Name, c.Model, c.D, c.Source, string(opts), nullFloat(c.LogLik), c.Cycles, conv,
			c.NExaminees, c.NResponses, c.LatentMean, c.LatentSD, parent, c.stamp(b))
		if err != nil {
			return err
		}
		if c.ID, err = r.LastInsertId(); err != nil {
			return err
		}
		ins, err := tx.PrepareContext(ctx, `INSERT INTO item_params (calibration_id, item_id, a, b, c, se_a, se_b, se_c, n, fixed)
			SELECT ?, id, ?, ?, ?, ?, ?, ?, ?, ? FROM items WHERE code = ?`)
		if err != nil {
			return err
		}
		defer ins.Close()
		for _, p := range c.Params {
			n := sql.NullInt64{Int64: int64(p.N), Valid: p.N > 0}
			r, err := ins.ExecContext(ctx, c.ID, p.A, p.B, p.C, nullFloat(p.SEA), nullFloat(p.SEB), nullFloat(p.SEC), n, boolInt(fixed[p.Item]), p.Item)
			if err != nil {
				return err
			}
			if k, _ := r.RowsAffected(); k == 0 {
				return fmt.Errorf("item %s is not in the bank", p.Item)
			}
		}
		for _, imp := range c.Inputs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO calibration_inputs (calibration_id, import_id) VALUES (?, ?)`, c.ID, imp); err != nil {
				return err
			}
		}
		return nil
	})
	return c.ID, err
}

// checkFinite makes sure no NaN or infinity reaches the bank where a
// number is required: D, the latent mean and SD, every a, b and c, and the
// settings' numbers. (A log-likelihood or standard error that is not known
// is stored as NULL.)
func (c *Calibration) checkFinite() error {
	bad := func(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) }
	switch {
	case bad(c.D) || bad(c.LatentMean) || bad(c.LatentSD):
		return fmt.Errorf("D = %g, latent mean %g and SD %g must be finite numbers", c.D, c.LatentMean, c.LatentSD)
	case bad(c.Settings.Tol) || bad(c.Settings.LogPrior) || bad(c.Settings.Min) || bad(c.Settings.Max):
		return fmt.Errorf("the settings hold a number that is not finite (tol %g, log prior %g, grid [%g, %g])",
			c.Settings.Tol, c.Settings.LogPrior, c.Settings.Min, c.Settings.Max)
	}
	for _, p := range c.Params {
		if bad(p.A) || bad(p.B) || bad(p.C) || p.SEA < 0 || p.SEB < 0 || p.SEC < 0 {
			return fmt.Errorf("item %s: a = %g, b = %g, c = %g (SEs %g, %g, %g): parameters must be finite and SEs not negative",
				p.Item, p.A, p.B, p.C, p.SEA, p.SEB, p.SEC)
		}
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

const calibrationColumns = `id, name, model, d, source, options, loglik, COALESCE(cycles, 0), COALESCE(converged, 0),
	COALESCE(n_examinees, 0), COALESCE(n_responses, 0), latent_mean, latent_sd, COALESCE(parent_id, 0), created_at`

func scanCalibration(sc interface{ Scan(...any) error }) (Calibration, error) {
	var c Calibration
	var opts string
	var ll sql.NullFloat64
	err := sc.Scan(&c.ID, &c.Name, &c.Model, &c.D, &c.Source, &opts, &ll, &c.Cycles, &c.Converged,
		&c.NExaminees, &c.NResponses, &c.LatentMean, &c.LatentSD, &c.ParentID, &c.CreatedAt)
	if err != nil {
		return c, err
	}
	c.LogLik = math.NaN()
	if ll.Valid {
		c.LogLik = ll.Float64
	}
	if err := json.Unmarshal([]byte(opts), &c.Settings); err != nil {
		return c, fmt.Errorf("calibration run %d: its stored settings are not readable (%v); the bank may be damaged", c.ID, err)
	}
	return c, nil
}

// Calibrations lists the runs, newest last, without their parameters.
func (b *Bank) Calibrations(ctx context.Context) ([]Calibration, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT `+calibrationColumns+` FROM calibrations ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Calibration
	for rows.Next() {
		c, err := scanCalibration(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Calibration returns run id with its parameters (by item code), fixed
// items and inputs.
func (b *Bank) Calibration(ctx context.Context, id int64) (*Calibration, error) {
	c, err := scanCalibration(b.db.QueryRowContext(ctx, `SELECT `+calibrationColumns+` FROM calibrations WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("calibration run %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	rows, err := b.db.QueryContext(ctx, `SELECT i.code, p.a, p.b, p.c, p.se_a, p.se_b, p.se_c, COALESCE(p.n, 0), p.fixed
		FROM item_params p JOIN items i ON i.id = p.item_id WHERE p.calibration_id = ? ORDER BY i.code`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		p := ParamRow{Model: c.Model}
		var sa, sb, scc sql.NullFloat64
		var fixed bool
		if err := rows.Scan(&p.Item, &p.A, &p.B, &p.C, &sa, &sb, &scc, &p.N, &fixed); err != nil {
			return nil, err
		}
		p.SEA, p.SEB, p.SEC = orNaN(sa), orNaN(sb), orNaN(scc)
		c.Params = append(c.Params, p)
		if fixed {
			c.Fixed = append(c.Fixed, p.Item)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	in, err := b.db.QueryContext(ctx, `SELECT import_id FROM calibration_inputs WHERE calibration_id = ? ORDER BY import_id`, id)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	for in.Next() {
		var imp int64
		if err := in.Scan(&imp); err != nil {
			return nil, err
		}
		c.Inputs = append(c.Inputs, imp)
	}
	return &c, in.Err()
}

func orNaN(x sql.NullFloat64) float64 {
	if x.Valid {
		return x.Float64
	}
	return math.NaN()
}

// ImportCalibration stores parameters estimated elsewhere (a legacy bank,
// BILOG, mirt) as a run of source "import". Every item must be in the bank;
// model is the default for rows without one, D the scaling constant the
// parameters were estimated with.
func (b *Bank) ImportCalibration(ctx context.Context, file string, in io.Reader, model string, D float64, name string) (int64, error) {
	if !(D > 0) {
		return 0, fmt.Errorf("D = %g: expected a positive scaling constant (1 or 1.702)", D)
	}
	rows, err := ReadParams(file, in, model)
	if err != nil {
		return 0, err
	}
	known := map[string]bool{}
	items, err := b.Items(ctx, ItemFilter{})
	if err != nil {
		return 0, err
	}
	for _, it := range items {
		known[it.Code] = true
	}
	for _, r := range rows {
		if !known[r.Item] {
			return 0, &InputError{File: file, Line: r.Line, Field: "item", Msg: fmt.Sprintf("item %q is not in the bank; import it with `passport items import` first", r.Item)}
		}
		if r.Model != model {
			return 0, &InputError{File: file, Line: r.Line, Field: "model", Msg: fmt.Sprintf("model %s differs from the run's %s; expected one model per run", r.Model, model)}
		}
	}
	c := &Calibration{Name: name, Model: model, D: D, Source: "import", Settings: RunSettings{File: file}, LogLik: math.NaN(),
		LatentMean: 0, LatentSD: 1, Params: rows}
	return b.SaveCalibration(ctx, c)
}

// Score is one examinee's ability estimate under a run.
type Score struct {
	Examinee string  `json:"examinee"`
	NItems   int     `json:"n_items"`
	Raw      int     `json:"raw"`
	Theta    float64 `json:"theta"` // NaN where the method has no finite estimate
	SE       float64 `json:"se"`
	// AtBound: the ML or WLE search stopped at its bound; the estimate
	// lies at or beyond Theta.
	AtBound bool `json:"at_bound"`
}

// ScoringMethods are the ways passport estimates ability.
var ScoringMethods = []string{"eap", "map", "ml", "wle", "eapsum"}

// SaveScores stores a run's scores by one method, replacing that method's
// earlier scores for the run, in one transaction.
func (b *Bank) SaveScores(ctx context.Context, run int64, method string, scores []Score) error {
	if !slices.Contains(ScoringMethods, method) {
		return fmt.Errorf("method %q: expected one of %s", method, strings.Join(ScoringMethods, ", "))
	}
	ids, err := examineeIDs(ctx, b.db)
	if err != nil {
		return err
	}
	return b.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM scores WHERE calibration_id = ? AND method = ?`, run, method); err != nil {
			return err
		}
		ins, err := tx.PrepareContext(ctx, `INSERT INTO scores (calibration_id, method, examinee_id, theta, se, n_items, raw, at_bound, created_at) VALUES (?,?,?,?,?,?,?,?,?)`)
		if err != nil {
			return err
		}
		defer ins.Close()
		now := b.timestamp()
		for _, s := range scores {
			id, ok := ids[s.Examinee]
			if !ok {
				return fmt.Errorf("examinee %s is not in the bank", s.Examinee)
			}
			if _, err := ins.ExecContext(ctx, run, method, id, nullFloat(s.Theta), nullFloat(s.SE), s.NItems, s.Raw, boolInt(s.AtBound), now); err != nil {
				return err
			}
		}
		return nil
	})
}
