package bank

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strings"

	"github.com/passportirt/passport/irt"
)

// rowFilter selects the responses readRows reads.
type rowFilter struct {
	From, To int64   // administered in [From, To), Unix seconds; 0: open
	Imports  []int64 // only these imports; nil: all
	FormID   int64   // only responses given on this form; 0: all
	// OmitAsMissing drops omitted responses (they are counted either way).
	OmitAsMissing bool
	// Options keeps the option chosen per response and each examinee's
	// form (AnalysisData); without it only scores are kept.
	Options bool
}

// readRows reads the responses that pass f into m, one examinee a row, in
// the order of the examinees' ids; col maps the item ids read to their
// columns (other items are left out). SQLite scans the responses in the
// order of their primary key (examinee, item), keeps those of the filter's
// imports, form and time window, and hands over each examinee's responses
// as one text of packed numbers, item id × 16 + (option + 1) × 2 + score
// with option −1 for a score-only response, so that no sort, no filter and
// no call per response runs in Go. An examinee's imports and forms come
// whole when they are all one (the usual case) and response by response
// otherwise. m gets the examinees' codes, the rows, the forms (with
// Options) and the imports of the responses kept.
func (b *Bank) readRows(ctx context.Context, m *irt.Responses, f rowFilter, col map[int64]int32) error {
	var colOf []int32 // by item id; -1: not a column
	for id, c := range col {
		for int64(len(colOf)) <= id {
			colOf = append(colOf, -1)
		}
		colOf[id] = c
	}
	// Only the conditions the filter sets: SQLite evaluates each for
	// every response.
	var where []string
	var args []any
	if f.From != 0 {
		where, args = append(where, "r.administered_at >= ?"), append(args, f.From)
	}
	if f.To != 0 {
		where, args = append(where, "r.administered_at < ?"), append(args, f.To)
	}
	if f.Imports != nil {
		j, err := json.Marshal(f.Imports)
		if err != nil {
			return err
		}
		where, args = append(where, "r.import_id IN (SELECT value FROM json_each(?))"), append(args, string(j))
	}
	if f.FormID != 0 {
		where, args = append(where, "r.form_id = ?"), append(args, f.FormID)
	}
	cond := ""
	if where != nil {
		cond = "WHERE " + strings.Join(where, " AND ")
	}
	formCols := "0, NULL"
	formCodes := map[int64]string{}
	if f.Options {
		formCols = "min(COALESCE(r.form_id, 0)), CASE WHEN min(COALESCE(r.form_id, 0)) < max(COALESCE(r.form_id, 0)) THEN group_concat(COALESCE(r.form_id, 0)) END"
		var err error
		if formCodes, err = b.codes(ctx, `SELECT id, code FROM forms`); err != nil {
			return err
		}
	}
	rows, err := b.db.QueryContext(ctx, `SELECT (SELECT code FROM examinees WHERE id = r.examinee_id),
			group_concat(r.item_id * 16 + (COALESCE(r.option, -1) + 1) * 2 + r.score),
			min(r.import_id), CASE WHEN min(r.import_id) < max(r.import_id) THEN group_concat(r.import_id) END, `+formCols+`
		FROM responses r `+cond+` GROUP BY r.examinee_id ORDER BY r.examinee_id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	formIndex := map[int64]int32{}
	used, lastUsed := map[int64]bool{}, int64(-1)
	var packed, imps, forms []int64
	m.Start = []int{0}
	for rows.Next() {
		var code string
		var text, impText, formText sql.RawBytes
		var imp, form int64
		if err := rows.Scan(&code, &text, &imp, &impText, &form, &formText); err != nil {
			return err
		}
		packed = appendNumbers(packed[:0], text)
		imps = appendNumbers(imps[:0], impText)
		forms = appendNumbers(forms[:0], formText)
		rowForm := int64(0)
		for k, v := range packed {
			id, option := v>>4, int8((v>>1)&7)-1
			if id >= int64(len(colOf)) || colOf[id] < 0 {
				continue
			}
			if option == irt.Omitted {
				m.Omitted++
				if f.OmitAsMissing {
					continue
				}
			}
			m.Item = append(m.Item, colOf[id])
			m.Score = append(m.Score, uint8(v&1))
			if f.Options {
				m.Option = append(m.Option, option)
			}
			if imps != nil {
				imp = imps[k]
			}
			if imp != lastUsed {
				used[imp], lastUsed = true, imp
			}
			if forms != nil {
				form = forms[k]
			}
			if rowForm == 0 {
				rowForm = form
			}
		}
		if len(m.Item) == m.Start[len(m.Start)-1] {
			continue
		}
		m.Start = append(m.Start, len(m.Item))
		m.Examinees = append(m.Examinees, code)
		if f.Options {
			fi, ok := formIndex[rowForm]
			if !ok {
				fi = int32(len(m.Forms))
				formIndex[rowForm] = fi
				m.Forms = append(m.Forms, formCodes[rowForm])
			}
			m.Form = append(m.Form, fi)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for id := range used {
		m.Imports = append(m.Imports, id)
	}
	slices.Sort(m.Imports)
	return nil
}

// appendNumbers appends the non-negative integers of a comma-separated
// text, as SQLite's group_concat writes them, to dst; for a NULL text it
// returns nil.
func appendNumbers(dst []int64, b []byte) []int64 {
	if b == nil {
		return nil
	}
	var v int64
	for k, c := range b {
		if c != ',' {
			v = v*10 + int64(c-'0')
			if k+1 < len(b) {
				continue
			}
		}
		dst = append(dst, v)
		v = 0
	}
	return dst
}
