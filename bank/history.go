package bank

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// WindowKinds are the ways the response log is cut into windows: by the
// import the responses came in, or by the calendar month (UTC) they were
// administered in.
var WindowKinds = []string{"import", "month"}

// Window is one slice of the response log: the responses of one import,
// or those administered in [From, To) (Unix seconds, one month).
type Window struct {
	Label     string `json:"window"`           // "import 5" or "2026-03"
	Import    int64  `json:"import,omitempty"` // by import: its id
	Source    string `json:"source,omitempty"` // by import: its file
	From      int64  `json:"-"`
	To        int64  `json:"-"`
	Responses int64  `json:"responses"`
}

// Windows cuts the bank's responses into windows by import or by month
// of administration, oldest first, and returns them with the number of
// responses that have no administration time (left out of every month).
func (b *Bank) Windows(ctx context.Context, by string) ([]Window, int64, error) {
	switch by {
	case "import":
		return b.importWindows(ctx)
	case "month":
		return b.monthWindows(ctx)
	}
	return nil, 0, fmt.Errorf("windows by %q: expected import or month", by)
}

func (b *Bank) importWindows(ctx context.Context) ([]Window, int64, error) {
	counts := map[int64]int64{}
	rows, err := b.db.QueryContext(ctx, `SELECT import_id, COUNT(*) FROM responses GROUP BY import_id`)
	if err != nil {
		return nil, 0, err
	}
	for rows.Next() {
		var id, n int64
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return nil, 0, err
		}
		counts[id] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	rows, err = b.db.QueryContext(ctx, `SELECT id, source FROM imports WHERE kind <> 'items' ORDER BY id`)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Window
	for rows.Next() {
		var w Window
		if err := rows.Scan(&w.Import, &w.Source); err != nil {
			return nil, 0, err
		}
		if w.Responses = counts[w.Import]; w.Responses > 0 {
			w.Label = fmt.Sprintf("import %d", w.Import)
			out = append(out, w)
		}
	}
	return out, 0, rows.Err()
}

func (b *Bank) monthWindows(ctx context.Context) ([]Window, int64, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT COALESCE(strftime('%Y-%m', administered_at, 'unixepoch'), ''), COUNT(*)
		FROM responses GROUP BY 1 ORDER BY 1`)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Window
	var undated int64
	for rows.Next() {
		var w Window
		if err := rows.Scan(&w.Label, &w.Responses); err != nil {
			return nil, 0, err
		}
		if w.Label == "" {
			undated = w.Responses
			continue
		}
		m, err := time.Parse("2006-01", w.Label)
		if err != nil {
			return nil, 0, err
		}
		w.From, w.To = m.Unix(), m.AddDate(0, 1, 0).Unix()
		out = append(out, w)
	}
	return out, undated, rows.Err()
}

// FormExposure is how often an item was administered on one form.
type FormExposure struct {
	Form      string `json:"form"` // "" for responses logged without a form
	Origin    string `json:"origin"`
	Position  int    `json:"position"`
	Anchor    bool   `json:"anchor"`
	Responses int64  `json:"responses"`
	First     string `json:"first"` // first and last administration, RFC 3339 (UTC); "" when none is dated
	Last      string `json:"last"`
}

// ItemExposure lists the forms item code is on, in the order they were
// made, with the responses given to it on each (and a row for responses
// logged without a form, if any).
func (b *Bank) ItemExposure(ctx context.Context, code string) ([]FormExposure, error) {
	_, id, err := itemByCode(ctx, b.db, code)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("item %s: %w", code, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	type use struct {
		n           int64
		first, last sql.NullInt64
	}
	uses := map[int64]use{}
	rows, err := b.db.QueryContext(ctx, `SELECT COALESCE(form_id, 0), COUNT(*), MIN(administered_at), MAX(administered_at)
		FROM responses WHERE item_id = ? GROUP BY 1`, id)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var f int64
		var u use
		if err := rows.Scan(&f, &u.n, &u.first, &u.last); err != nil {
			rows.Close()
			return nil, err
		}
		uses[f] = u
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	stamp := func(t sql.NullInt64) string {
		if !t.Valid {
			return ""
		}
		return time.Unix(t.Int64, 0).UTC().Format(time.RFC3339)
	}
	rows, err = b.db.QueryContext(ctx, `SELECT f.id, f.code, f.origin, fi.position, fi.anchor FROM form_items fi JOIN forms f ON f.id = fi.form_id
		WHERE fi.item_id = ? ORDER BY f.id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []FormExposure
	for rows.Next() {
		var f int64
		var e FormExposure
		if err := rows.Scan(&f, &e.Form, &e.Origin, &e.Position, &e.Anchor); err != nil {
			return nil, err
		}
		u := uses[f]
		e.Responses, e.First, e.Last = u.n, stamp(u.first), stamp(u.last)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if u, ok := uses[0]; ok {
		out = append(out, FormExposure{Responses: u.n, First: stamp(u.first), Last: stamp(u.last)})
	}
	return out, nil
}

// ItemRun is one calibration run's parameters for an item.
type ItemRun struct {
	Run   int64
	Param ParamRow // on the run's own scale, in its D
	D     float64
	Fixed bool // held at an anchor's value
}

// ItemRuns lists the runs with parameters for item code, oldest first.
func (b *Bank) ItemRuns(ctx context.Context, code string) ([]ItemRun, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT c.id, c.model, c.d, p.a, p.b, p.c, p.se_a, p.se_b, p.se_c, COALESCE(p.n, 0), p.fixed
		FROM item_params p JOIN items i ON i.id = p.item_id JOIN calibrations c ON c.id = p.calibration_id
		WHERE i.code = ? ORDER BY c.id`, code)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ItemRun
	for rows.Next() {
		r := ItemRun{Param: ParamRow{Item: code}}
		var sa, sb, sc sql.NullFloat64
		if err := rows.Scan(&r.Run, &r.Param.Model, &r.D, &r.Param.A, &r.Param.B, &r.Param.C, &sa, &sb, &sc, &r.Param.N, &r.Fixed); err != nil {
			return nil, err
		}
		r.Param.SEA, r.Param.SEB, r.Param.SEC = orNaN(sa), orNaN(sb), orNaN(sc)
		out = append(out, r)
	}
	return out, rows.Err()
}
