package bank

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// ExamineesImport is what ImportExaminees did.
type ExamineesImport struct {
	Rows       int      `json:"rows"`        // examinees in the file
	Attributes []string `json:"attributes"`  // the group columns
	New        int      `json:"new"`         // examinees the bank did not have
	Set        int      `json:"values_set"`  // values stored that were not there
	Changed    int      `json:"changed"`     // values that replaced a different one
	Unchanged  int      `json:"unchanged"`   // values already stored
	Empty      int      `json:"empty_cells"` // cells left empty: not known, nothing stored
}

// MaxGroupValueLen is the most characters an attribute's value may have.
const MaxGroupValueLen = 64

// checkAttribute checks an attribute's name (a header of the examinees
// file): a lower-case letter, then lower-case letters, digits and
// underscores, at most 64 characters, as gender, region, first_language.
func checkAttribute(name string) error {
	if name == "" || len(name) > 64 || name[0] < 'a' || name[0] > 'z' {
		return fmt.Errorf("attribute name %q: expected a lower-case letter, then lower-case letters, digits or underscores (at most 64), such as first_language", name)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return fmt.Errorf("attribute name %q: expected a lower-case letter, then lower-case letters, digits or underscores (at most 64), such as first_language", name)
		}
	}
	return nil
}

// checkGroupValue checks a value of an attribute: visible text on one line
// of at most MaxGroupValueLen characters, without surrounding spaces.
func checkGroupValue(v string) error {
	if n := utf8.RuneCountInString(v); n > MaxGroupValueLen {
		return fmt.Errorf("the value is %d characters long; expected at most %d", n, MaxGroupValueLen)
	}
	if strings.TrimSpace(v) != v {
		return fmt.Errorf("the value %q has spaces around it; expected none", v)
	}
	if err := checkVisible("the value", v, false); err != nil {
		return fmt.Errorf("%w; expected %s", err, visibleText(false))
	}
	return nil
}

// ImportExaminees reads examinees' attributes, for analyses by group
// (DIF), from a CSV file: an examinee column and one column per attribute
// (any names, such as gender, region, first_language, year), one row per
// examinee. An empty cell means not known and stores nothing; a value
// replaces the one stored for that examinee and attribute. Examinees the
// bank does not have yet are added. The whole file is checked first, and
// stored in one transaction: on any error (an *InputError naming the
// line and column) the bank is left as it was.
func (b *Bank) ImportExaminees(ctx context.Context, file string, in io.Reader) (ExamineesImport, error) {
	var res ExamineesImport
	src, err := newCSVSource(file, in)
	if err != nil {
		return res, err
	}
	exCol := -1
	for i, name := range src.header {
		if name == "examinee" {
			exCol = i
			continue
		}
		if err := checkAttribute(name); err != nil {
			return res, &InputError{File: file, Line: 1, Field: name, Msg: err.Error()}
		}
		res.Attributes = append(res.Attributes, name)
	}
	if exCol < 0 {
		return res, &InputError{File: file, Line: 1, Field: "examinee", Msg: fmt.Sprintf("required column is missing from the header %q", strings.Join(src.header, ","))}
	}
	if len(res.Attributes) == 0 {
		return res, &InputError{File: file, Line: 1, Msg: "no attribute column; expected examinee and one or more columns such as gender,region"}
	}
	type row struct {
		code   string
		values []string // per attribute, "" when not known
	}
	var rows []row
	seen := map[string]int{}
	for {
		rec, err := src.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return res, err
		}
		code := rec[exCol]
		if err := checkCode(code); err != nil {
			return res, &InputError{File: file, Line: src.line, Field: "examinee", Msg: err.Error()}
		}
		if prev, ok := seen[code]; ok {
			return res, &InputError{File: file, Line: src.line, Field: "examinee", Msg: fmt.Sprintf("examinee %s appears twice (first on line %d)", code, prev)}
		}
		seen[code] = src.line
		r := row{code: code}
		for i, v := range rec {
			if i == exCol {
				continue
			}
			if err := checkGroupValue(v); err != nil {
				return res, &InputError{File: file, Line: src.line, Field: src.header[i], Msg: err.Error()}
			}
			r.values = append(r.values, v)
		}
		rows = append(rows, r)
	}
	if len(rows) == 0 {
		return res, &InputError{File: file, Line: 2, Msg: "the file has a header but no examinees"}
	}
	res.Rows = len(rows)
	err = b.inTx(ctx, func(tx *sql.Tx) error {
		now := b.timestamp()
		for _, r := range rows {
			var id int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM examinees WHERE code = ?`, r.code).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				x, err := tx.ExecContext(ctx, `INSERT INTO examinees (code, created_at) VALUES (?, ?)`, r.code, now)
				if err != nil {
					return err
				}
				if id, err = x.LastInsertId(); err != nil {
					return err
				}
				res.New++
			} else if err != nil {
				return err
			}
			for j, v := range r.values {
				if v == "" {
					res.Empty++
					continue
				}
				var old string
				err := tx.QueryRowContext(ctx, `SELECT value FROM examinee_groups WHERE examinee_id = ? AND name = ?`, id, res.Attributes[j]).Scan(&old)
				switch {
				case errors.Is(err, sql.ErrNoRows):
					res.Set++
				case err != nil:
					return err
				case old == v:
					res.Unchanged++
					continue
				default:
					res.Changed++
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO examinee_groups (examinee_id, name, value) VALUES (?, ?, ?)
					ON CONFLICT (examinee_id, name) DO UPDATE SET value = excluded.value`, id, res.Attributes[j], v); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return res, err
}

// GroupCount is the number of examinees with one value of an attribute.
type GroupCount struct {
	Attribute string `json:"attribute"`
	Value     string `json:"value"`
	Examinees int    `json:"examinees"`
}

// GroupCounts lists every attribute's values with their examinees, by
// attribute and value.
func (b *Bank) GroupCounts(ctx context.Context) ([]GroupCount, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT name, value, COUNT(*) FROM examinee_groups GROUP BY name, value ORDER BY name, value`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []GroupCount
	for rows.Next() {
		var g GroupCount
		if err := rows.Scan(&g.Attribute, &g.Value, &g.Examinees); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// ExamineeGroups returns each examinee's value of an attribute, by
// examinee code; examinees without one are absent. An attribute no
// examinee has is an error that lists the attributes the bank has.
func (b *Bank) ExamineeGroups(ctx context.Context, attribute string) (map[string]string, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT e.code, g.value FROM examinee_groups g JOIN examinees e ON e.id = g.examinee_id WHERE g.name = ?`, attribute)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var code, v string
		if err := rows.Scan(&code, &v); err != nil {
			return nil, err
		}
		out[code] = v
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		var names []string
		rows, err := b.db.QueryContext(ctx, `SELECT DISTINCT name FROM examinee_groups ORDER BY name`)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				return nil, err
			}
			names = append(names, n)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("no examinee has an attribute %q: the bank holds no examinee attributes; import them with passport examinees import", attribute)
		}
		return nil, fmt.Errorf("no examinee has an attribute %q; the bank's attributes: %s", attribute, strings.Join(names, ", "))
	}
	return out, nil
}
