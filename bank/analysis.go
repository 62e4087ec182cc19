package bank

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/passportirt/passport/irt"
)

// AnalysisFilter selects the responses of AnalysisData.
type AnalysisFilter struct {
	Items   []string // only these items; nil: all
	Form    string   // only the responses given on this form; "": all
	Imports []int64  // only the responses of these imports; nil: all
	// From and To keep only the responses administered in [From, To),
	// Unix seconds; 0 leaves that end open (see MatrixFilter).
	From, To int64
}

// AnalysisData reads the responses that pass f with the option chosen and
// the form of each examinee (the form of the examinee's first response, by
// item, should they differ): Option is irt.Omitted for an item presented but
// not answered, irt.ScoreOnly where the log carried only a score. Items no
// response passing f answers are left out.
func (b *Bank) AnalysisData(ctx context.Context, f AnalysisFilter) (*irt.Responses, error) {
	d := &irt.Responses{}
	col, err := b.itemColumns(ctx, d, f.Items, nil, nil)
	if err != nil {
		return nil, err
	}
	var formID int64
	if f.Form != "" {
		err := b.db.QueryRowContext(ctx, `SELECT id FROM forms WHERE code = ?`, f.Form).Scan(&formID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("form %s is not in the bank; see `passport bank stats` for its forms", f.Form)
		}
		if err != nil {
			return nil, err
		}
	}
	if err := b.readRows(ctx, d, rowFilter{From: f.From, To: f.To, Imports: f.Imports, FormID: formID, Options: true}, col); err != nil {
		return nil, err
	}
	dropUnanswered(d)
	return d, nil
}

// dropUnanswered removes the items without responses, renumbering the
// responses' items.
func dropUnanswered(d *irt.Responses) {
	answered := make([]bool, len(d.Items))
	for _, i := range d.Item {
		answered[i] = true
	}
	index := make([]int32, len(d.Items))
	kept := d.Items[:0]
	for i, it := range d.Items {
		if answered[i] {
			index[i] = int32(len(kept))
			kept = append(kept, it)
		}
	}
	d.Items = kept
	for k, i := range d.Item {
		d.Item[k] = index[i]
	}
}

// itemColumns fills d.Items with the bank's items, by code: those named
// in items (all when nil) of the given statuses (any when nil), less those
// in exclude; it returns the column of each item id. A code in items or
// exclude that is not in the bank is an error.
func (b *Bank) itemColumns(ctx context.Context, d *irt.Responses, items, statuses, exclude []string) (map[int64]int32, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT id, code, status, domain, n_options, COALESCE(key, 0) FROM items ORDER BY code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	want, excl := map[string]bool{}, map[string]bool{}
	for _, c := range items {
		want[c] = true
	}
	for _, c := range exclude {
		excl[c] = true
	}
	col := map[int64]int32{}
	for rows.Next() {
		var id int64
		var status string
		var it irt.ItemInfo
		if err := rows.Scan(&id, &it.Code, &status, &it.Domain, &it.NOptions, &it.Key); err != nil {
			return nil, err
		}
		excluded := excl[it.Code]
		delete(excl, it.Code)
		if (items != nil && !want[it.Code]) || (statuses != nil && !slices.Contains(statuses, status)) {
			continue
		}
		delete(want, it.Code)
		if excluded {
			continue
		}
		col[id] = int32(len(d.Items))
		d.Items = append(d.Items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(want) > 0 {
		return nil, fmt.Errorf("items not in the bank: %s", strings.Join(slices.Sorted(maps.Keys(want)), ", "))
	}
	if len(excl) > 0 {
		return nil, fmt.Errorf("items to exclude that are not in the bank: %s", strings.Join(slices.Sorted(maps.Keys(excl)), ", "))
	}
	return col, nil
}

// codes reads an id → code table.
func (b *Bank) codes(ctx context.Context, query string) (map[int64]string, error) {
	rows, err := b.db.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			return nil, err
		}
		out[id] = code
	}
	return out, rows.Err()
}
