package bank

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// aboveOption matches an option that speaks of the others, "None of the
// above", "All of these", "Both of the above", which must stay last when
// the options are scrambled.
var aboveOption = regexp.MustCompile(`(?i)^\s*(all|none|both|neither)\s+of\s+(the\s+)?(above|these|those|them)\b`)

// LastOptionStays reports whether the item's last option must stay last
// when its options are scrambled: an option such as "None of the above".
func (it Item) LastOptionStays() bool {
	return len(it.Options) > 0 && aboveOption.MatchString(it.Options[len(it.Options)-1])
}

// FormVersion is a stored version of a form: the form's items, in its
// order, with their options scrambled. Version 0, the options as written,
// is not stored; the stored ones are numbered from 1.
type FormVersion struct {
	Number int           `json:"version"`
	Items  []VersionItem `json:"items"`
}

// VersionItem is an item's place in a version.
type VersionItem struct {
	Position int    `json:"position"`
	Item     string `json:"item"`
	// Options are the item's option letters in delivery order: "CADB"
	// delivers its option C as A, A as B, D as C and B as D.
	Options string `json:"option_order"`
	Key     string `json:"key"` // the key letter as delivered; "" for an unkeyed item
}

// deliveredKey is the letter under which the option order delivers the
// option keyed key ("" for none).
func deliveredKey(order, key string) string {
	if m := strings.Index(order, key); key != "" && m >= 0 {
		return optionLetter(m + 1)
	}
	return ""
}

// checkVersions checks form f's versions against its items and the bank's:
// numbered 1, 2, …, each position holding the form's item there, its
// option order a permutation of the item's option letters, and its key
// the letter that order delivers the item's key under.
func checkVersions(f *Form, items map[string]Item) error {
	for k, v := range f.Versions {
		if v.Number != k+1 {
			return fmt.Errorf("form %s: version %d is numbered %d; versions count from 1 (0 is the form as written)", f.Code, k+1, v.Number)
		}
		if len(v.Items) != len(f.Items) {
			return fmt.Errorf("form %s: version %d has %d items, the form %d", f.Code, v.Number, len(v.Items), len(f.Items))
		}
		for j, vi := range v.Items {
			it, ok := items[vi.Item]
			if !ok {
				return fmt.Errorf("form %s: version %d, position %d: item %s is not in the bank", f.Code, v.Number, j+1, vi.Item)
			}
			letters := strings.Split(allLetters[:len(it.Options)], "")
			got := strings.Split(vi.Options, "")
			slices.Sort(got)
			switch {
			case vi.Item != f.Items[j].Item:
				return fmt.Errorf("form %s: version %d, position %d: item %s, the form has %s there", f.Code, v.Number, j+1, vi.Item, f.Items[j].Item)
			case !slices.Equal(got, letters):
				return fmt.Errorf("form %s: version %d, position %d: option order %q is not an order of %s's options %s",
					f.Code, v.Number, j+1, vi.Options, vi.Item, strings.Join(letters, ""))
			case vi.Key != deliveredKey(vi.Options, it.KeyLetter()):
				return fmt.Errorf("form %s: version %d, position %d: key %q, but option order %s delivers %s's key %s as %q",
					f.Code, v.Number, j+1, vi.Key, vi.Options, vi.Item, orNone(it.KeyLetter()), deliveredKey(vi.Options, it.KeyLetter()))
			}
		}
	}
	return nil
}

// allLetters are the option letters, A first.
const allLetters = "ABCDE"

// saveVersions stores the versions of form f, numbered id, in tx.
func saveVersions(ctx context.Context, tx *sql.Tx, id int64, f *Form) error {
	for k := range f.Versions {
		v := &f.Versions[k]
		for j := range v.Items {
			vi := &v.Items[j]
			vi.Position = j + 1
			if _, err := tx.ExecContext(ctx, `INSERT INTO form_versions (form_id, version, position, item_id, option_order, key)
				SELECT ?, ?, ?, id, ?, ? FROM items WHERE code = ?`, id, v.Number, vi.Position, vi.Options, vi.Key, vi.Item); err != nil {
				return fmt.Errorf("form %s: version %d: item %s: %w", f.Code, v.Number, vi.Item, err)
			}
		}
	}
	return nil
}

// FormVersion returns version v (from 1) of the form with the given code.
func (b *Bank) FormVersion(ctx context.Context, code string, v int) (*FormVersion, error) {
	f, err := b.Form(ctx, code)
	if err != nil {
		return nil, err
	}
	if v < 1 || v > f.VersionCount {
		return nil, fmt.Errorf("form %s: version %d: %w; %s", code, v, ErrNotFound, f.versionsText())
	}
	rows, err := b.db.QueryContext(ctx, `SELECT v.position, i.code, v.option_order, v.key FROM form_versions v
		JOIN forms f ON f.id = v.form_id JOIN items i ON i.id = v.item_id WHERE f.code = ? AND v.version = ? ORDER BY v.position`, code, v)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := &FormVersion{Number: v}
	for rows.Next() {
		var vi VersionItem
		if err := rows.Scan(&vi.Position, &vi.Item, &vi.Options, &vi.Key); err != nil {
			return nil, err
		}
		out.Items = append(out.Items, vi)
	}
	return out, rows.Err()
}

// versionsText says which versions a form has.
func (f *Form) versionsText() string {
	if f.VersionCount == 0 {
		return "it has only version 0, the options as written"
	}
	return fmt.Sprintf("it has versions 0 (the options as written) to %d", f.VersionCount)
}

// Delivered is a form as delivered in one version, with its answer key.
type Delivered struct {
	Form    string          `json:"form"`
	Version int             `json:"version"` // 0 for the options as written
	Items   []DeliveredItem `json:"items"`
}

// DeliveredItem is an item as a version delivers it.
type DeliveredItem struct {
	Position int    `json:"position"`
	Item     string `json:"item"`
	Stem     string `json:"stem"`
	// Options are the option texts in delivery order, under the letters
	// A, B, ….
	Options []string `json:"options"`
	// Order is the item's option letters in delivery order (see
	// VersionItem.Options): the option delivered as A is the item's
	// Order[0].
	Order string `json:"-"`
	// Key is the key letter as delivered, from the item's key now;
	// "" for an unkeyed item. It is left out of JSON, so that a form
	// written as JSON never holds its key.
	Key string `json:"-"`
	// Recorded is the key letter the version recorded when it was made:
	// it differs from Key when the item has been rekeyed since.
	Recorded string `json:"-"`
}

// Delivered returns the form with the given code as version v delivers
// it: version 0 with the options as written, a stored version with its
// option orders.
func (b *Bank) Delivered(ctx context.Context, code string, v int) (*Delivered, error) {
	f, err := b.Form(ctx, code)
	if err != nil {
		return nil, err
	}
	orders := make([]VersionItem, len(f.Items))
	switch {
	case v == 0:
		for j, fi := range f.Items {
			orders[j] = VersionItem{Position: fi.Position, Item: fi.Item}
		}
	default:
		ver, err := b.FormVersion(ctx, code, v)
		if err != nil {
			return nil, err
		}
		orders = ver.Items
	}
	items, err := b.itemMap(ctx)
	if err != nil {
		return nil, err
	}
	d := &Delivered{Form: f.Code, Version: v}
	for _, vi := range orders {
		it := items[vi.Item]
		if v == 0 {
			vi.Options, vi.Key = allLetters[:len(it.Options)], it.KeyLetter()
		}
		di := DeliveredItem{Position: vi.Position, Item: vi.Item, Stem: it.Stem, Order: vi.Options, Key: deliveredKey(vi.Options, it.KeyLetter()), Recorded: vi.Key}
		for _, l := range vi.Options {
			di.Options = append(di.Options, it.Options[l-'A'])
		}
		d.Items = append(d.Items, di)
	}
	return d, nil
}

// itemMap is every item by its code.
func (b *Bank) itemMap(ctx context.Context) (map[string]Item, error) {
	items, err := b.Items(ctx, ItemFilter{})
	if err != nil {
		return nil, err
	}
	out := make(map[string]Item, len(items))
	for _, it := range items {
		out[it.Code] = it
	}
	return out, nil
}

// LiveItems returns the codes of the items on a live form: a form the
// program delivers, that is one built by passport assemble (origin
// assembly, earlier samples included) and not deleted. Forms of past
// administrations (origin log) and imported forms are not live: an item's
// exposure on them is in its history (passport items history).
func (b *Bank) LiveItems(ctx context.Context) (map[string]bool, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT DISTINCT i.code FROM form_items fi JOIN forms f ON f.id = fi.form_id
		JOIN items i ON i.id = fi.item_id WHERE f.origin = 'assembly'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	live := map[string]bool{}
	for rows.Next() {
		var code string
		if err := rows.Scan(&code); err != nil {
			return nil, err
		}
		live[code] = true
	}
	return live, rows.Err()
}
