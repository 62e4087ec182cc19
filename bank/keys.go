package bank

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// KeyVersion is one key an item has had. Version 1 is the key the item
// came with; each rekey adds the next.
type KeyVersion struct {
	Item     string `json:"item"`
	Version  int    `json:"version"`
	Key      string `json:"key"` // the keyed option's letter; "" when unkeyed
	Reason   string `json:"reason"`
	Rescored int    `json:"rescored"` // responses whose score this version changed
	At       string `json:"at"`
}

// addKeyVersion records key as item id's next key version and returns its
// number. It must precede the change of items.key (a trigger refuses a
// key without its version).
func addKeyVersion(ctx context.Context, tx *sql.Tx, id int64, key int, reason string, rescored int, at string) (int, error) {
	var v int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM item_keys WHERE item_id = ?`, id).Scan(&v); err != nil {
		return 0, err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO item_keys (item_id, version, key, reason, rescored, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		id, v, nullKey(key), reason, rescored, at)
	return v, err
}

// Rekey says what RekeyItem did.
type Rekey struct {
	Item    string `json:"item"`
	From    string `json:"from"` // the key before, "" when the item was unkeyed
	To      string `json:"to"`
	Version int    `json:"version"` // the new key version
	Reason  string `json:"reason"`
	// Rescored counts the responses with a chosen option, each scored
	// again with the new key; Changed those whose score changed,
	// WrongToRight and RightToWrong which way.
	Rescored     int `json:"rescored"`
	Changed      int `json:"changed"`
	WrongToRight int `json:"wrong_to_right"`
	RightToWrong int `json:"right_to_wrong"`
	// Omitted (presented, not answered: wrong under any key) and ScoreOnly
	// (logged as a 0/1 score without the option) responses are left as
	// they were.
	Omitted   int `json:"omitted"`
	ScoreOnly int `json:"score_only"`
	// Runs are the calibration runs (estimated, or linked from one) with
	// parameters for the item: they were estimated from its responses as
	// scored before.
	Runs []int64 `json:"runs"`
}

// RekeyItem gives item code the key key (a letter A–E or a number 1–5)
// as its next key version, with the reason given, and in the same
// transaction scores every stored response that records the option
// chosen again: 1 when the option is the new key, else 0. On any error
// the bank is unchanged.
func (b *Bank) RekeyItem(ctx context.Context, code, key, reason string) (Rekey, error) {
	res := Rekey{Item: code, Reason: strings.TrimSpace(reason)}
	if res.Reason == "" {
		return res, errors.New("a rekey needs a reason (kept in the item's key history)")
	}
	err := b.inTx(ctx, func(tx *sql.Tx) error {
		it, id, err := itemByCode(ctx, tx, code)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("item %s: %w", code, ErrNotFound)
		}
		if err != nil {
			return err
		}
		k, ok := parseOption(strings.TrimSpace(key), len(it.Options))
		if !ok {
			return fmt.Errorf("key %q is not one of item %s's options; expected a letter A–%s", key, code, optionLetter(len(it.Options)))
		}
		res.From, res.To = it.KeyLetter(), optionLetter(k)
		if k == it.Key {
			return fmt.Errorf("item %s is already keyed %s; nothing was changed", code, res.To)
		}
		var rescored, toRight, toWrong, omitted, scoreOnly sql.NullInt64
		err = tx.QueryRowContext(ctx, `SELECT SUM(option >= 1), SUM(option >= 1 AND score = 0 AND option = ?1),
			SUM(option >= 1 AND score = 1 AND option <> ?1), SUM(option = 0), SUM(option IS NULL)
			FROM responses WHERE item_id = ?2`, k, id).Scan(&rescored, &toRight, &toWrong, &omitted, &scoreOnly)
		if err != nil {
			return err
		}
		res.Rescored, res.WrongToRight, res.RightToWrong = int(rescored.Int64), int(toRight.Int64), int(toWrong.Int64)
		res.Omitted, res.ScoreOnly = int(omitted.Int64), int(scoreOnly.Int64)
		res.Changed = res.WrongToRight + res.RightToWrong
		now := b.timestamp()
		if res.Version, err = addKeyVersion(ctx, tx, id, k, res.Reason, res.Changed, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE items SET key = ?, updated_at = ? WHERE id = ?`, k, now, id); err != nil {
			return err
		}
		r, err := tx.ExecContext(ctx, `UPDATE responses SET score = (option = ?1) WHERE item_id = ?2 AND option >= 1 AND score <> (option = ?1)`, k, id)
		if err != nil {
			return err
		}
		if n, err := r.RowsAffected(); err != nil || int(n) != res.Changed {
			return fmt.Errorf("item %s: rescoring changed %d responses, expected %d (%v); nothing was changed", code, n, res.Changed, err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT DISTINCT p.calibration_id FROM item_params p JOIN calibrations c ON c.id = p.calibration_id
			WHERE p.item_id = ? AND c.source IN ('em', 'linked') ORDER BY 1`, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var run int64
			if err := rows.Scan(&run); err != nil {
				return err
			}
			res.Runs = append(res.Runs, run)
		}
		return rows.Err()
	})
	return res, err
}

// KeyHistory lists every key item code has had, oldest first.
func (b *Bank) KeyHistory(ctx context.Context, code string) ([]KeyVersion, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT i.code, k.version, COALESCE(k.key, 0), k.reason, k.rescored, k.created_at
		FROM item_keys k JOIN items i ON i.id = k.item_id WHERE i.code = ? ORDER BY k.version`, code)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []KeyVersion
	for rows.Next() {
		var v KeyVersion
		var key int
		if err := rows.Scan(&v.Item, &v.Version, &key, &v.Reason, &v.Rescored, &v.At); err != nil {
			return nil, err
		}
		v.Key = optionLetter(key)
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		if _, err := b.Item(ctx, code); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// KeyVersions returns the current key version of the items named (every
// item when codes is nil), by code.
func (b *Bank) KeyVersions(ctx context.Context, codes []string) (map[string]int, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT i.code, MAX(k.version) FROM item_keys k JOIN items i ON i.id = k.item_id GROUP BY i.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	want := make(map[string]bool, len(codes))
	for _, c := range codes {
		want[c] = true
	}
	out := map[string]int{}
	for rows.Next() {
		var code string
		var v int
		if err := rows.Scan(&code, &v); err != nil {
			return nil, err
		}
		if codes == nil || want[code] {
			out[code] = v
		}
	}
	return out, rows.Err()
}

// StatusChange is one status an item has had, from the time given.
type StatusChange struct {
	Item   string `json:"item"`
	Seq    int    `json:"seq"`
	Status string `json:"status"`
	At     string `json:"at"`
}

// StatusHistory lists every status item code has had, oldest first.
func (b *Bank) StatusHistory(ctx context.Context, code string) ([]StatusChange, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT i.code, s.seq, s.status, s.changed_at
		FROM item_statuses s JOIN items i ON i.id = s.item_id WHERE i.code = ? ORDER BY s.seq`, code)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StatusChange
	for rows.Next() {
		var s StatusChange
		if err := rows.Scan(&s.Item, &s.Seq, &s.Status, &s.At); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
