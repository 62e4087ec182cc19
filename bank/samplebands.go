package bank

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
)

// SampleBand is the score band of one number right on the free sample's
// form (passport cat sample): among simulees of the study's ability
// distribution with that score, a share Level had a true θ in [ThetaLow,
// ThetaHigh] (ThetaMid the median); Low, Mid and High are those θ on the
// reporting scale Scale. A delivery service reports the band, not a point
// score.
type SampleBand struct {
	Form      string  `json:"form"`
	Raw       int     `json:"raw"`
	Study     int64   `json:"study"` // the cat study that simulated it; 0 once deleted
	N         int     `json:"n"`     // simulees with this score
	Level     float64 `json:"level"`
	ThetaLow  float64 `json:"theta_low"`
	ThetaMid  float64 `json:"theta_mid"`
	ThetaHigh float64 `json:"theta_high"`
	Scale     string  `json:"scale"`
	Low       float64 `json:"low"`
	Mid       float64 `json:"mid"`
	High      float64 `json:"high"`
}

// SaveSample stores, in one transaction, the sample's assembly a (nil for
// an adaptive sample, which has no form), its study s, and the bands of
// a's one form by number right (their Form and Study are set here). The
// bank is unchanged on any error.
func (b *Bank) SaveSample(ctx context.Context, a *Assembly, s *CATStudy, bands []SampleBand) error {
	if a != nil && len(a.Forms) != 1 {
		return fmt.Errorf("sample: %d forms; a sample has one", len(a.Forms))
	}
	if a == nil && len(bands) > 0 {
		return errors.New("sample: bands by number right need the sample's form")
	}
	for _, x := range bands {
		for _, v := range []float64{x.Level, x.ThetaLow, x.ThetaMid, x.ThetaHigh, x.Low, x.Mid, x.High} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("sample: band of raw score %d: %g is not a finite number", x.Raw, v)
			}
		}
	}
	if err := s.check(); err != nil {
		return err
	}
	var opts []byte
	if a != nil {
		var err error
		if opts, err = b.checkAssembly(ctx, a); err != nil {
			return err
		}
	}
	return b.inTx(ctx, func(tx *sql.Tx) error {
		if err := b.insertCATStudy(ctx, tx, s); err != nil {
			return err
		}
		if a == nil {
			return nil
		}
		if err := b.insertAssembly(ctx, tx, a, opts); err != nil {
			return err
		}
		form := a.Forms[0].Code
		for k := range bands {
			x := &bands[k]
			x.Form, x.Study = form, s.ID
			if _, err := tx.ExecContext(ctx, `INSERT INTO sample_bands (form_id, raw, study_id, n, level, theta_low, theta_mid, theta_high, scale, low, mid, high)
				SELECT id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM forms WHERE code = ?`,
				x.Raw, x.Study, x.N, x.Level, x.ThetaLow, x.ThetaMid, x.ThetaHigh, x.Scale, x.Low, x.Mid, x.High, form); err != nil {
				return fmt.Errorf("sample: band of raw score %d: %w", x.Raw, err)
			}
		}
		return nil
	})
}

const sampleBandColumns = `f.code, sb.raw, COALESCE(sb.study_id, 0), sb.n, sb.level, sb.theta_low, sb.theta_mid, sb.theta_high, sb.scale, sb.low, sb.mid, sb.high`

func scanSampleBand(sc interface{ Scan(...any) error }) (SampleBand, error) {
	var x SampleBand
	err := sc.Scan(&x.Form, &x.Raw, &x.Study, &x.N, &x.Level, &x.ThetaLow, &x.ThetaMid, &x.ThetaHigh, &x.Scale, &x.Low, &x.Mid, &x.High)
	return x, err
}

// SampleBands returns the stored bands of form, by number right; none
// when the form has no bands.
func (b *Bank) SampleBands(ctx context.Context, form string) ([]SampleBand, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT `+sampleBandColumns+` FROM sample_bands sb JOIN forms f ON f.id = sb.form_id
		WHERE f.code = ? ORDER BY sb.raw`, form)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SampleBand
	for rows.Next() {
		x, err := scanSampleBand(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// SampleBand returns the band of raw score raw on form; an error wrapping
// ErrNotFound when the form has no band for it (no bands, or no simulee
// had that score).
func (b *Bank) SampleBand(ctx context.Context, form string, raw int) (SampleBand, error) {
	x, err := scanSampleBand(b.db.QueryRowContext(ctx, `SELECT `+sampleBandColumns+` FROM sample_bands sb JOIN forms f ON f.id = sb.form_id
		WHERE f.code = ? AND sb.raw = ?`, form, raw))
	if errors.Is(err, sql.ErrNoRows) {
		return x, fmt.Errorf("form %s: score band of raw score %d: %w; passport cat sample stores them", form, raw, ErrNotFound)
	}
	return x, err
}
