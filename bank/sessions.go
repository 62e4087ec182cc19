package bank

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// The kinds of session passport serve delivers.
const (
	SessionForm   = "form"   // a stored form, in its delivery order
	SessionSample = "sample" // the free 5-question sample, a stored form
	SessionCAT    = "cat"    // an adaptive test, its configuration in Config
)

// The states of a session.
const (
	SessionOpen     = "open"
	SessionFinished = "finished"
)

// ErrConflict is the error, wrapped with what conflicts, of a session
// request the bank's state refuses: an examinee with an open session, a
// different answer for a position already answered, a finished session.
var ErrConflict = errors.New("conflict")

// NewSession is what CreateSession stores.
type NewSession struct {
	Examinee string // the examinee's code; created when new
	Kind     string // SessionForm, SessionSample or SessionCAT
	Form     string // the form's code; "" for a CAT
	Version  int    // the form's version delivered (0: options as written)
	Run      int64  // the calibration run that scores the session
	Config   string // a CAT's configuration as JSON; "" for none
	Seed     uint64 // the session's random seed
	// Exposure is the version of the exposure record an adaptive session
	// starts from (CATExposure); 0 for none.
	Exposure int64
	// TokenHash is the SHA-256 of the candidate's token: the token itself
	// is never stored.
	TokenHash []byte
}

// Session is a served session. A session is an import of kind "serve":
// its answers are responses of that import, so calibrate reads them as it
// reads an imported log.
type Session struct {
	ID       int64           `json:"session"`
	Examinee string          `json:"examinee"`
	Kind     string          `json:"kind"`
	Form     string          `json:"form,omitempty"`
	Version  int             `json:"version"`
	Run      int64           `json:"run"` // 0 when the run was deleted since
	Config   json.RawMessage `json:"config"`
	Seed     uint64          `json:"seed"`
	State    string          `json:"state"`
	Answered int             `json:"answered"`
	Theta    float64         `json:"theta"` // set when finished
	SE       float64         `json:"se"`    // set when finished
	// Category is a finished adaptive session's class among its cut
	// scores; nil without cut scores.
	Category *int `json:"category,omitempty"`
	// Exposure is the version of the exposure record an adaptive session
	// started from; 0 for none, or once it finished and the version was
	// dropped.
	Exposure   int64  `json:"exposure,omitempty"`
	ImportID   int64  `json:"import"`
	CreatedAt  string `json:"created_at"`
	FinishedAt string `json:"finished_at,omitempty"`
	TokenHash  []byte `json:"-"`
}

// Answer is an answer to store: the option chosen for the item delivered
// at a position of a session.
type Answer struct {
	Position  int    // from 1
	Item      string // the item's code
	Delivered string // the letter chosen, as the session delivered the options
	Option    int    // the same option as the item writes it, 1 = A
	RTms      int64  // response time in milliseconds; negative when not known
	At        int64  // when answered, Unix seconds
}

// SessionAnswer is a stored answer with its score.
type SessionAnswer struct {
	Position   int    `json:"position"`
	Item       string `json:"item"`
	Delivered  string `json:"delivered"`
	Option     int    `json:"option"`
	Score      int    `json:"score"`
	AnsweredAt string `json:"answered_at"`
}

// sessionColumns are a session's columns in scanSession's order.
const sessionColumns = `s.id, e.code, s.kind, COALESCE(f.code, ''), s.version, COALESCE(s.calibration_id, 0), s.config, s.seed,
	s.state, (SELECT COUNT(*) FROM session_answers a WHERE a.session_id = s.id), COALESCE(s.theta, 0), COALESCE(s.se, 0),
	s.import_id, s.created_at, COALESCE(s.finished_at, ''), s.token_hash, s.category, COALESCE(s.exposure_id, 0)
	FROM sessions s JOIN examinees e ON e.id = s.examinee_id LEFT JOIN forms f ON f.id = s.form_id`

func scanSession(sc interface{ Scan(...any) error }) (Session, error) {
	var s Session
	var seed int64
	var config string
	var category sql.NullInt64
	err := sc.Scan(&s.ID, &s.Examinee, &s.Kind, &s.Form, &s.Version, &s.Run, &config, &seed,
		&s.State, &s.Answered, &s.Theta, &s.SE, &s.ImportID, &s.CreatedAt, &s.FinishedAt, &s.TokenHash, &category, &s.Exposure)
	s.Seed, s.Config = uint64(seed), json.RawMessage(config)
	if category.Valid {
		c := int(category.Int64)
		s.Category = &c
	}
	return s, err
}

// CreateSession stores a new open session, with the import that stands
// for it, in one transaction, and returns it. The examinee is created when
// new. It refuses (ErrConflict) an examinee who has an open session, and
// one who already has a response to an item of the form: the bank keeps
// one response per examinee and item.
func (b *Bank) CreateSession(ctx context.Context, ns NewSession) (*Session, error) {
	switch {
	case ns.Kind != SessionForm && ns.Kind != SessionSample && ns.Kind != SessionCAT:
		return nil, fmt.Errorf("session kind %q: expected form, sample or cat", ns.Kind)
	case (ns.Form == "") != (ns.Kind == SessionCAT):
		return nil, fmt.Errorf("a %s session needs a form exactly when it is not adaptive", ns.Kind)
	case len(ns.TokenHash) != sha256.Size:
		return nil, errors.New("a session needs the SHA-256 of its token")
	case ns.Version < 0:
		return nil, fmt.Errorf("version %d: expected 0 or more", ns.Version)
	}
	if err := checkCode(ns.Examinee); err != nil {
		return nil, fmt.Errorf("examinee: %w", err)
	}
	if ns.Config == "" {
		ns.Config = "{}"
	}
	if !json.Valid([]byte(ns.Config)) {
		return nil, errors.New("the session's configuration is not JSON")
	}
	var id int64
	err := b.inTx(ctx, func(tx *sql.Tx) error {
		exam, err := ensureExaminee(ctx, tx, ns.Examinee, b.timestamp())
		if err != nil {
			return err
		}
		var open int64
		err = tx.QueryRowContext(ctx, `SELECT id FROM sessions WHERE examinee_id = ? AND state = 'open'`, exam).Scan(&open)
		if err == nil {
			return fmt.Errorf("examinee %s has session %d open: %w; finish it first", ns.Examinee, open, ErrConflict)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var run int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM calibrations WHERE id = ?`, ns.Run).Scan(&run); err != nil {
			return fmt.Errorf("run %d: %w; see passport calibrations list", ns.Run, ErrNotFound)
		}
		var form sql.NullInt64
		if ns.Form != "" {
			var versions, answered int
			err := tx.QueryRowContext(ctx, `SELECT f.id, (SELECT COALESCE(MAX(version), 0) FROM form_versions v WHERE v.form_id = f.id),
				(SELECT COUNT(*) FROM form_items fi JOIN responses r ON r.item_id = fi.item_id AND r.examinee_id = ? WHERE fi.form_id = f.id)
				FROM forms f WHERE f.code = ?`, exam, ns.Form).Scan(&form, &versions, &answered)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				return fmt.Errorf("form %s: %w; see passport forms list", ns.Form, ErrNotFound)
			case err != nil:
				return err
			case ns.Version > versions:
				return fmt.Errorf("form %s: version %d: %w; it has versions 0 to %d", ns.Form, ns.Version, ErrNotFound, versions)
			case answered > 0:
				return fmt.Errorf("examinee %s already has responses to %d of form %s's items: %w; the bank keeps one response per examinee and item",
					ns.Examinee, answered, ns.Form, ErrConflict)
			}
		}
		opts, _ := json.Marshal(map[string]any{"kind": ns.Kind, "form": ns.Form, "version": ns.Version, "run": ns.Run})
		// The import's digest is the session's own (of its token's hash):
		// unique, and telling nothing of the token.
		sum := sha256.Sum256(append([]byte("passport serve session "), ns.TokenHash...))
		source := fmt.Sprintf("passport serve: %s session of examinee %s", ns.Kind, ns.Examinee)
		imp, err := b.newImport(ctx, tx, "serve", source, hex.EncodeToString(sum[:]), 0, string(opts), "")
		if err != nil {
			return err
		}
		var exposure sql.NullInt64
		if ns.Exposure > 0 {
			exposure = sql.NullInt64{Int64: ns.Exposure, Valid: true}
			var one int
			if err := tx.QueryRowContext(ctx, `SELECT 1 FROM cat_exposures WHERE id = ?`, ns.Exposure).Scan(&one); err != nil {
				return fmt.Errorf("exposure record %d: %w", ns.Exposure, ErrNotFound)
			}
		}
		r, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, examinee_id, kind, form_id, version, calibration_id, config, seed, state, import_id, created_at, exposure_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)`,
			ns.TokenHash, exam, ns.Kind, form, ns.Version, run, ns.Config, int64(ns.Seed), imp, b.timestamp(), exposure)
		if err != nil {
			return err
		}
		id, err = r.LastInsertId()
		return err
	})
	if err != nil {
		return nil, err
	}
	return b.Session(ctx, id)
}

// CheckCode checks an examinee, item or form code as the imports do: 1 to
// MaxCodeLen visible characters, none a space, comma or quote.
func CheckCode(code string) error { return checkCode(code) }

// ensureExaminee returns the id of the examinee with this code, creating
// the examinee when new.
func ensureExaminee(ctx context.Context, tx *sql.Tx, code, now string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM examinees WHERE code = ?`, code).Scan(&id)
	if !errors.Is(err, sql.ErrNoRows) {
		return id, err
	}
	r, err := tx.ExecContext(ctx, `INSERT INTO examinees (code, created_at) VALUES (?, ?)`, code, now)
	if err != nil {
		return 0, err
	}
	return r.LastInsertId()
}

// Session returns session id.
func (b *Bank) Session(ctx context.Context, id int64) (*Session, error) {
	s, err := scanSession(b.db.QueryRowContext(ctx, `SELECT `+sessionColumns+` WHERE s.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("session %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// Sessions lists the sessions in state state (every session when it is
// ""), oldest first.
func (b *Bank) Sessions(ctx context.Context, state string) ([]Session, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT `+sessionColumns+` WHERE ?1 = '' OR s.state = ?1 ORDER BY s.id`, state)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Session
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// SessionAnswers returns the answers of session id by position, each with
// its score as the bank holds it now (after any rekey).
func (b *Bank) SessionAnswers(ctx context.Context, id int64) ([]SessionAnswer, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT a.position, i.code, a.delivered, COALESCE(r.option, 0), r.score, a.answered_at
		FROM session_answers a JOIN sessions s ON s.id = a.session_id JOIN items i ON i.id = a.item_id
		JOIN responses r ON r.examinee_id = s.examinee_id AND r.item_id = a.item_id
		WHERE a.session_id = ? ORDER BY a.position`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SessionAnswer
	for rows.Next() {
		var a SessionAnswer
		if err := rows.Scan(&a.Position, &a.Item, &a.Delivered, &a.Option, &a.Score, &a.AnsweredAt); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// SaveAnswer stores an answer of open session id in one transaction: the
// session's answer at its position and the response of the session's
// examinee to the item (the option as written, scored with the item's key,
// in the session's import), committed before it returns. It returns the
// stored answer, and whether it was new. Answering a position again with
// the same item and letter stores nothing and returns the stored answer
// (a retried request); a different answer there is refused with
// ErrConflict, as is a position other than the next one or an answer to a
// finished session.
func (b *Bank) SaveAnswer(ctx context.Context, id int64, a Answer) (SessionAnswer, bool, error) {
	var out SessionAnswer
	added := false
	err := b.inTx(ctx, func(tx *sql.Tx) error {
		var exam, imp int64
		var form sql.NullInt64
		var state string
		var answered int
		err := tx.QueryRowContext(ctx, `SELECT examinee_id, form_id, import_id, state,
			(SELECT COUNT(*) FROM session_answers WHERE session_id = s.id) FROM sessions s WHERE id = ?`, id).Scan(&exam, &form, &imp, &state, &answered)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("session %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		var item, delivered string
		err = tx.QueryRowContext(ctx, `SELECT i.code, a.delivered FROM session_answers a JOIN items i ON i.id = a.item_id
			WHERE a.session_id = ? AND a.position = ?`, id, a.Position).Scan(&item, &delivered)
		switch {
		case err == nil && (item != a.Item || delivered != a.Delivered):
			return fmt.Errorf("position %d was answered %s: %w; a different answer (%s) to an answered position is refused", a.Position, delivered, ErrConflict, a.Delivered)
		case err == nil:
			out, err = storedAnswer(ctx, tx, id, a.Position)
			return err
		case !errors.Is(err, sql.ErrNoRows):
			return err
		case state != SessionOpen:
			return fmt.Errorf("session %d is %s: %w; it takes no more answers", id, state, ErrConflict)
		case a.Position != answered+1:
			return fmt.Errorf("position %d: %w; the next position to answer is %d", a.Position, ErrConflict, answered+1)
		}
		var itemID int64
		var n int
		var key sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT id, n_options, key FROM items WHERE code = ?`, a.Item).Scan(&itemID, &n, &key); err != nil {
			return fmt.Errorf("item %s: %w", a.Item, ErrNotFound)
		}
		switch {
		case a.Option < 1 || a.Option > n:
			return fmt.Errorf("item %s: option %d: expected 1 to %d", a.Item, a.Option, n)
		case !key.Valid:
			return fmt.Errorf("item %s has no key: a served item must be keyed", a.Item)
		}
		score := 0
		if int64(a.Option) == key.Int64 {
			score = 1
		}
		now := b.timestamp()
		if _, err := tx.ExecContext(ctx, `INSERT INTO session_answers (session_id, position, item_id, delivered, answered_at) VALUES (?, ?, ?, ?, ?)`,
			id, a.Position, itemID, a.Delivered, now); err != nil {
			if isConstraint(err) {
				return fmt.Errorf("item %s was delivered at another position of session %d: %w", a.Item, id, ErrConflict)
			}
			return err
		}
		var rt any
		if a.RTms >= 0 {
			rt = a.RTms
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO responses (examinee_id, item_id, form_id, option, score, rt_ms, administered_at, import_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, exam, itemID, form, a.Option, score, rt, a.At, imp); err != nil {
			if isConstraint(err) {
				return fmt.Errorf("the session's examinee already has a response to item %s: %w", a.Item, ErrConflict)
			}
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE imports SET rows = rows + 1 WHERE id = ?`, imp); err != nil {
			return err
		}
		added = true
		out = SessionAnswer{Position: a.Position, Item: a.Item, Delivered: a.Delivered, Option: a.Option, Score: score, AnsweredAt: now}
		return nil
	})
	return out, added, err
}

// storedAnswer reads the answer at a position of session id.
func storedAnswer(ctx context.Context, tx *sql.Tx, id int64, pos int) (SessionAnswer, error) {
	a := SessionAnswer{Position: pos}
	err := tx.QueryRowContext(ctx, `SELECT i.code, a.delivered, COALESCE(r.option, 0), r.score, a.answered_at
		FROM session_answers a JOIN sessions s ON s.id = a.session_id JOIN items i ON i.id = a.item_id
		JOIN responses r ON r.examinee_id = s.examinee_id AND r.item_id = a.item_id
		WHERE a.session_id = ? AND a.position = ?`, id, pos).Scan(&a.Item, &a.Delivered, &a.Option, &a.Score, &a.AnsweredAt)
	return a, err
}

// FinishSession closes open session id with its estimate θ and SE, and
// returns the session. Finishing a finished session changes nothing.
func (b *Bank) FinishSession(ctx context.Context, id int64, theta, se float64) (*Session, error) {
	if err := checkEstimate(id, theta, se); err != nil {
		return nil, err
	}
	err := b.inTx(ctx, func(tx *sql.Tx) error {
		_, err := b.finishSession(ctx, tx, id, theta, se, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	return b.Session(ctx, id)
}

// checkEstimate refuses an estimate that is not a pair of finite numbers.
func checkEstimate(id int64, theta, se float64) error {
	if math.IsNaN(theta) || math.IsInf(theta, 0) || math.IsNaN(se) || math.IsInf(se, 0) {
		return fmt.Errorf("session %d: estimate θ = %g, SE = %g: expected finite numbers", id, theta, se)
	}
	return nil
}

// finishSession closes session id in tx if it is open, with its estimate
// and its category (nil for none), and reports whether it was open.
func (b *Bank) finishSession(ctx context.Context, tx *sql.Tx, id int64, theta, se float64, category *int) (bool, error) {
	r, err := tx.ExecContext(ctx, `UPDATE sessions SET state = 'finished', theta = ?, se = ?, category = ?, finished_at = ? WHERE id = ? AND state = 'open'`,
		theta, se, category, b.timestamp(), id)
	if err != nil {
		return false, err
	}
	if n, _ := r.RowsAffected(); n > 0 {
		return true, nil
	}
	var one int
	if err := tx.QueryRowContext(ctx, `SELECT 1 FROM sessions WHERE id = ?`, id).Scan(&one); err != nil {
		return false, fmt.Errorf("session %d: %w", id, ErrNotFound)
	}
	return false, nil
}

// SessionCounts counts the served sessions and their answers.
type SessionCounts struct {
	Open      int   `json:"open"`
	Finished  int   `json:"finished"`
	Examinees int   `json:"examinees"`
	Answers   int64 `json:"answers"`
}

// CountSessions counts the sessions by state, their examinees and answers.
func (b *Bank) CountSessions(ctx context.Context) (SessionCounts, error) {
	var c SessionCounts
	err := b.db.QueryRowContext(ctx, `SELECT COUNT(*) FILTER (WHERE state = 'open'), COUNT(*) FILTER (WHERE state = 'finished'),
		COUNT(DISTINCT examinee_id), (SELECT COUNT(*) FROM session_answers) FROM sessions`).Scan(&c.Open, &c.Finished, &c.Examinees, &c.Answers)
	return c, err
}
