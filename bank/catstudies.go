package bank

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// CATStudy is a stored simulation study of an adaptive test (passport cat
// simulate). The configuration and summary are kept as the JSON that
// bank/cat writes, so the bank need not know the engine's types.
type CATStudy struct {
	ID     int64           `json:"study"`
	Name   string          `json:"name"`
	Run    int64           `json:"run"`
	Seed   uint64          `json:"seed"`
	Config json.RawMessage `json:"config"`
	// Simulees is their number; Thetas says where their θ came from,
	// e.g. "N(0, 1)" or a file name.
	Simulees  int             `json:"simulees"`
	Thetas    string          `json:"thetas"`
	Summary   json.RawMessage `json:"summary"`
	CreatedAt string          `json:"created_at"`
}

// SaveCATStudy stores a study and returns its id.
func (b *Bank) SaveCATStudy(ctx context.Context, s *CATStudy) (int64, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	err := b.inTx(ctx, func(tx *sql.Tx) error { return b.insertCATStudy(ctx, tx, s) })
	return s.ID, err
}

// check checks the study's name and JSON before it is stored.
func (s *CATStudy) check() error {
	if err := CheckName(s.Name); err != nil {
		return err
	}
	if !json.Valid(s.Config) || !json.Valid(s.Summary) {
		return errors.New("cat study: the configuration and summary must be JSON")
	}
	return nil
}

// insertCATStudy stores s in tx.
func (b *Bank) insertCATStudy(ctx context.Context, tx *sql.Tx, s *CATStudy) error {
	if err := nameTaken(ctx, tx, KindCATStudy, s.Name, 0); err != nil {
		return err
	}
	s.CreatedAt = b.timestamp()
	r, err := tx.ExecContext(ctx, `INSERT INTO cat_studies (name, calibration_id, config, seed, simulees, thetas, summary, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, s.Name, s.Run, string(s.Config), int64(s.Seed), s.Simulees, s.Thetas, string(s.Summary), s.CreatedAt)
	if err != nil {
		return fmt.Errorf("cat study: %w", err)
	}
	s.ID, err = r.LastInsertId()
	return err
}

const catStudyColumns = `id, name, calibration_id, config, seed, simulees, thetas, summary, created_at`

func scanCATStudy(sc interface{ Scan(...any) error }) (CATStudy, error) {
	var s CATStudy
	var cfg, sum string
	var seed int64
	err := sc.Scan(&s.ID, &s.Name, &s.Run, &cfg, &seed, &s.Simulees, &s.Thetas, &sum, &s.CreatedAt)
	s.Config, s.Summary, s.Seed = json.RawMessage(cfg), json.RawMessage(sum), uint64(seed)
	return s, err
}

// CATStudies lists the stored studies, oldest first, without their
// summaries.
func (b *Bank) CATStudies(ctx context.Context) ([]CATStudy, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT `+catStudyColumns+` FROM cat_studies ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CATStudy
	for rows.Next() {
		s, err := scanCATStudy(rows)
		if err != nil {
			return nil, err
		}
		s.Summary = nil
		out = append(out, s)
	}
	return out, rows.Err()
}

// CATStudy returns the stored study with the given id.
func (b *Bank) CATStudy(ctx context.Context, id int64) (CATStudy, error) {
	s, err := scanCATStudy(b.db.QueryRowContext(ctx, `SELECT `+catStudyColumns+` FROM cat_studies WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return s, fmt.Errorf("cat study %d: %w; see %s", id, ErrNotFound, KindCATStudy.List())
	}
	return s, err
}
