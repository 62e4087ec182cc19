package bank

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// Equating is a stored equating table: each raw score on one form with its
// equivalents on another, under a calibration run.
type Equating struct {
	ID        int64           `json:"equating"`
	Run       int64           `json:"run"`
	FromForm  string          `json:"from_form"`
	ToForm    string          `json:"to_form"`
	Options   EquatingOptions `json:"options"`
	Rows      []EquatingRow   `json:"rows,omitempty"`
	CreatedAt string          `json:"created_at"`
	Existing  bool            `json:"-"` // SaveEquating found it stored already
}

// EquatingOptions are how an equating table was made, stored as JSON with
// these keys.
type EquatingOptions struct {
	// The population of observed-score equating.
	PopulationMean float64 `json:"population_mean"`
	PopulationSD   float64 `json:"population_sd"`
	// ThetaRange is the interval the TCC was inverted on: lowest, highest.
	ThetaRange          []float64 `json:"theta_range"`
	TrueScorePolicy     string    `json:"true_score_policy"`
	ObservedScorePolicy string    `json:"observed_score_policy"`
}

// EquatingRow is one raw score's equivalents.
type EquatingRow struct {
	Raw      int     `json:"raw"`
	True     float64 `json:"true_score"`
	Observed float64 `json:"observed_score"`
}

// SaveEquating stores an equating table and returns its id; the same run,
// forms and options are stored once (see SaveLinking).
func (b *Bank) SaveEquating(ctx context.Context, e *Equating) (int64, error) {
	opts, err := json.Marshal(e.Options)
	if err != nil {
		return 0, err
	}
	err = b.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT e.id, e.created_at FROM equatings e JOIN forms x ON x.id = e.from_form_id JOIN forms y ON y.id = e.to_form_id
			WHERE e.calibration_id = ? AND x.code = ? AND y.code = ? AND e.options = ?`, e.Run, e.FromForm, e.ToForm, string(opts)).Scan(&e.ID, &e.CreatedAt)
		if err == nil {
			e.Existing = true
			return nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		r, err := tx.ExecContext(ctx, `INSERT INTO equatings (calibration_id, from_form_id, to_form_id, options, created_at)
			SELECT ?, x.id, y.id, ?, ? FROM forms x, forms y WHERE x.code = ? AND y.code = ?`,
			e.Run, string(opts), e.stamp(b), e.FromForm, e.ToForm)
		if err != nil {
			return err
		}
		if k, _ := r.RowsAffected(); k == 0 {
			return fmt.Errorf("form %s or %s is not in the bank", e.FromForm, e.ToForm)
		}
		if e.ID, err = r.LastInsertId(); err != nil {
			return err
		}
		for _, row := range e.Rows {
			if _, err := tx.ExecContext(ctx, `INSERT INTO equating_rows (equating_id, raw, true_score, observed_score) VALUES (?, ?, ?, ?)`,
				e.ID, row.Raw, row.True, row.Observed); err != nil {
				return err
			}
		}
		return nil
	})
	return e.ID, err
}

const equatingColumns = `e.id, e.calibration_id, x.code, y.code, e.options, e.created_at
	FROM equatings e JOIN forms x ON x.id = e.from_form_id JOIN forms y ON y.id = e.to_form_id`

func scanEquating(sc interface{ Scan(...any) error }) (Equating, error) {
	var e Equating
	var opts string
	if err := sc.Scan(&e.ID, &e.Run, &e.FromForm, &e.ToForm, &opts, &e.CreatedAt); err != nil {
		return e, err
	}
	return e, json.Unmarshal([]byte(opts), &e.Options)
}

// Equatings lists the stored equating tables without their rows.
func (b *Bank) Equatings(ctx context.Context) ([]Equating, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT `+equatingColumns+` ORDER BY e.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Equating
	for rows.Next() {
		e, err := scanEquating(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// EquatingByID returns a stored equating table with its rows.
func (b *Bank) EquatingByID(ctx context.Context, id int64) (*Equating, error) {
	e, err := scanEquating(b.db.QueryRowContext(ctx, `SELECT `+equatingColumns+` WHERE e.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("equating %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	rows, err := b.db.QueryContext(ctx, `SELECT raw, true_score, observed_score FROM equating_rows WHERE equating_id = ? ORDER BY raw`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var r EquatingRow
		if err := rows.Scan(&r.Raw, &r.True, &r.Observed); err != nil {
			return nil, err
		}
		e.Rows = append(e.Rows, r)
	}
	return &e, rows.Err()
}
