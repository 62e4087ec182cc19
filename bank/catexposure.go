package bank

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// CATExposure is a version of an adaptive test's exposure record: the
// record (bank/cat's Exposure, as JSON) after Tests finished sessions of
// the engine Engine (a digest of the run, configuration and pool that
// index it). A new version is stored when a session finishes; an open
// session keeps the version it started from, so that it can be resumed
// exactly.
type CATExposure struct {
	ID        int64           `json:"id"`
	Engine    string          `json:"engine"`
	Tests     int             `json:"tests"`
	Record    json.RawMessage `json:"record"`
	CreatedAt string          `json:"created_at"`
}

const catExposureColumns = `id, engine, tests, record, created_at FROM cat_exposures`

func scanCATExposure(row *sql.Row) (*CATExposure, error) {
	var x CATExposure
	var rec string
	if err := row.Scan(&x.ID, &x.Engine, &x.Tests, &rec, &x.CreatedAt); err != nil {
		return nil, err
	}
	x.Record = json.RawMessage(rec)
	return &x, nil
}

// LatestCATExposure returns the newest version of engine's exposure
// record, or ErrNotFound when it has none.
func (b *Bank) LatestCATExposure(ctx context.Context, engine string) (*CATExposure, error) {
	x, err := scanCATExposure(b.db.QueryRowContext(ctx, `SELECT `+catExposureColumns+` WHERE engine = ? ORDER BY id DESC LIMIT 1`, engine))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("exposure record of engine %.12s: %w", engine, ErrNotFound)
	}
	return x, err
}

// CATExposureVersion returns version id of an exposure record.
func (b *Bank) CATExposureVersion(ctx context.Context, id int64) (*CATExposure, error) {
	x, err := scanCATExposure(b.db.QueryRowContext(ctx, `SELECT `+catExposureColumns+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("exposure record %d: %w", id, ErrNotFound)
	}
	return x, err
}

// AddCATExposure stores the first version of engine's exposure record
// (record, JSON, after tests sessions) and returns its id.
func (b *Bank) AddCATExposure(ctx context.Context, engine string, tests int, record []byte) (int64, error) {
	if !json.Valid(record) {
		return 0, errors.New("the exposure record is not JSON")
	}
	var id int64
	err := b.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = b.addCATExposure(ctx, tx, engine, tests, record)
		return err
	})
	return id, err
}

func (b *Bank) addCATExposure(ctx context.Context, tx *sql.Tx, engine string, tests int, record []byte) (int64, error) {
	r, err := tx.ExecContext(ctx, `INSERT INTO cat_exposures (engine, tests, record, created_at) VALUES (?, ?, ?, ?)`,
		engine, tests, string(record), b.timestamp())
	if err != nil {
		return 0, err
	}
	return r.LastInsertId()
}

// FinishCATSession closes open adaptive session id with its estimate and
// category (nil without cut scores) and, in the same transaction, stores
// record, the engine's exposure record with the session counted (tests
// sessions in all), as the engine's newest version; versions that are
// neither the newest nor the start of an open session are then deleted.
// It returns the session and the new version's id, 0 when the session was
// already finished (nothing is then stored).
func (b *Bank) FinishCATSession(ctx context.Context, id int64, theta, se float64, category *int, engine string, tests int, record []byte) (*Session, int64, error) {
	if err := checkEstimate(id, theta, se); err != nil {
		return nil, 0, err
	}
	if !json.Valid(record) {
		return nil, 0, errors.New("the exposure record is not JSON")
	}
	var version int64
	err := b.inTx(ctx, func(tx *sql.Tx) error {
		open, err := b.finishSession(ctx, tx, id, theta, se, category)
		if err != nil || !open {
			return err
		}
		if version, err = b.addCATExposure(ctx, tx, engine, tests, record); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM cat_exposures WHERE engine = ? AND id < ?
			AND id NOT IN (SELECT exposure_id FROM sessions WHERE state = 'open' AND exposure_id IS NOT NULL)`, engine, version)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	s, err := b.Session(ctx, id)
	return s, version, err
}

// AnsweredItems returns the codes of the items examinee has a response
// to, in no order; none for an examinee the bank does not know.
func (b *Bank) AnsweredItems(ctx context.Context, examinee string) ([]string, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT i.code FROM responses r JOIN examinees e ON e.id = r.examinee_id
		JOIN items i ON i.id = r.item_id WHERE e.code = ?`, examinee)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var code string
		if err := rows.Scan(&code); err != nil {
			return nil, err
		}
		out = append(out, code)
	}
	return out, rows.Err()
}
