package bank

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gocarina/gocsv"

	"github.com/passportirt/passport/bank/csvsafe"
)

// Domains are the content domains of the Python Fundamentals assessment.
var Domains = []string{"semantics", "idioms", "performance", "stdlib"}

// Statuses are an item's life-cycle states: written, tried out unscored,
// scored on live forms, withdrawn.
var Statuses = []string{"draft", "pretest", "operational", "retired"}

// MaxOptions is the largest number of options an item may have (A–E).
const MaxOptions = 5

// Item is one multiple-choice question in the bank.
type Item struct {
	Code       string   // the item's id as people see it, e.g. SEM-001
	Domain     string   // one of Domains
	Subdomain  string   // free text, e.g. mutable-defaults
	Status     string   // one of Statuses
	Stem       string   // the question, code included
	Options    []string // option texts, A first; 2 to MaxOptions of them
	Key        int      // the correct option, 1 = A; 0 when the item is unkeyed
	EnemyGroup string   // items sharing a group never appear on one form; empty for none
	CreatedAt  string
	UpdatedAt  string
}

// KeyLetter is the key as a letter, or "" for an unkeyed item.
func (it Item) KeyLetter() string { return optionLetter(it.Key) }

func optionLetter(k int) string {
	if k < 1 || k > MaxOptions {
		return ""
	}
	return string(rune('A' + k - 1))
}

// itemRow is the items CSV format, one row per item.
type itemRow struct {
	ID         string `csv:"id"`
	Domain     string `csv:"domain"`
	Subdomain  string `csv:"subdomain"`
	Status     string `csv:"status"`
	Stem       string `csv:"stem"`
	OptionA    string `csv:"option_a"`
	OptionB    string `csv:"option_b"`
	OptionC    string `csv:"option_c"`
	OptionD    string `csv:"option_d"`
	OptionE    string `csv:"option_e"`
	Key        string `csv:"key"`
	EnemyGroup string `csv:"enemy_group"`
}

var (
	itemColumnsRequired = []string{"id", "domain", "status", "stem", "option_a", "option_b", "key"}
	itemColumnsOptional = []string{"subdomain", "option_c", "option_d", "option_e", "enemy_group"}
)

func (r itemRow) options() []string {
	return []string{r.OptionA, r.OptionB, r.OptionC, r.OptionD, r.OptionE}
}

// item validates the row (at line of file) and returns the item it describes.
func (r itemRow) item(file string, line int) (Item, error) {
	bad := func(field, format string, args ...any) error {
		return &InputError{File: file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	it := Item{
		Code:       strings.TrimSpace(r.ID),
		Domain:     strings.TrimSpace(r.Domain),
		Subdomain:  strings.TrimSpace(r.Subdomain),
		Status:     strings.TrimSpace(r.Status),
		Stem:       r.Stem,
		EnemyGroup: strings.TrimSpace(r.EnemyGroup),
	}
	if err := checkCode(it.Code); err != nil {
		return it, bad("id", "%v", err)
	}
	if !slices.Contains(Domains, it.Domain) {
		return it, bad("domain", "%q is not a domain; expected one of %s", r.Domain, strings.Join(Domains, ", "))
	}
	if !slices.Contains(Statuses, it.Status) {
		return it, bad("status", "%q is not a status; expected one of %s", r.Status, strings.Join(Statuses, ", "))
	}
	if strings.TrimSpace(it.Stem) == "" {
		return it, bad("stem", "the stem is empty; expected the question's text")
	}
	for _, f := range []struct {
		col, what, text string
		lines           bool
	}{{"stem", "the stem", it.Stem, true}, {"subdomain", "the subdomain", it.Subdomain, false}, {"enemy_group", "the enemy group", it.EnemyGroup, false}} {
		if err := checkVisible(f.what, f.text, f.lines); err != nil {
			return it, bad(f.col, "%v; expected %s", err, visibleText(f.lines))
		}
	}
	opts := r.options()
	n := 0
	for i, o := range opts {
		col := "option_" + strings.ToLower(optionLetter(i+1))
		if strings.TrimSpace(o) == "" {
			continue
		}
		if err := checkVisible("option "+optionLetter(i+1), o, true); err != nil {
			return it, bad(col, "%v; expected %s", err, visibleText(true))
		}
		if n != i {
			return it, bad(col, "option %s is given but option %s is empty; expected options filled from A without gaps", optionLetter(i+1), optionLetter(n+1))
		}
		if slices.Contains(opts[:i], o) {
			return it, bad(col, "option %s repeats an earlier option's text", optionLetter(i+1))
		}
		n++
	}
	if n < 2 {
		return it, bad("option_b", "an item needs at least two options (option_a and option_b)")
	}
	it.Options = opts[:n]
	if k := strings.TrimSpace(r.Key); k != "" {
		key, ok := parseOption(k, n)
		if !ok {
			return it, bad("key", "%q is not one of this item's options; expected a letter A–%s", r.Key, optionLetter(n))
		}
		it.Key = key
	}
	return it, nil
}

// MaxCodeLen is the most characters (not bytes) an id may have.
const MaxCodeLen = 64

// checkCode checks an item, examinee or form code: 1 to MaxCodeLen
// characters, each visible (see invisible), none a space, comma or quote.
func checkCode(code string) error {
	if code == "" {
		return errors.New("the id is empty; expected a code such as SEM-001")
	}
	if n := utf8.RuneCountInString(code); n > MaxCodeLen {
		return fmt.Errorf("the id %.20q… is %d characters long; expected at most %d", code, n, MaxCodeLen)
	}
	pos := 0
	for _, r := range code {
		pos++
		if r == ',' || r == '"' || unicode.Is(unicode.Zs, r) {
			return fmt.Errorf("the id %q contains a space, comma or quote (character %d); expected a code such as SEM-001", code, pos)
		}
	}
	if err := checkVisible("the id", code, false); err != nil {
		return fmt.Errorf("%w; expected a code such as SEM-001", err)
	}
	return nil
}

// checkVisible refuses text (what names it in the error) that holds a
// character a reader cannot see (see invisible); with lines, newlines and
// tabs are allowed, as code in a stem needs them.
func checkVisible(what, s string, lines bool) error {
	pos := 0
	for _, r := range s {
		pos++
		if lines && (r == '\n' || r == '\t') || !invisible(r) {
			continue
		}
		kind := "an invisible or formatting character"
		if unicode.IsControl(r) {
			kind = "a control character"
		}
		return fmt.Errorf("%s has %s, U+%04X, at character %d", what, kind, r, pos)
	}
	return nil
}

// visibleText says what checkVisible expects.
func visibleText(lines bool) string {
	if lines {
		return "visible text (line breaks and tabs are allowed)"
	}
	return "visible text on one line"
}

// invisible reports whether r draws nothing or changes how the text around
// it displays, so that two texts that look alike could differ: control
// characters (NUL included), format characters (zero-width spaces and
// joiners, the soft hyphen, bidirectional marks, embeddings, overrides
// U+202A–U+202E and isolates U+2066–U+2069, a byte-order mark U+FEFF
// inside text, tag characters), line and paragraph separators, private-use
// and unassigned code points, and the letters, marks and symbols that draw
// nothing (blank).
func invisible(r rune) bool {
	return !unicode.IsGraphic(r) || unicode.Is(blank, r)
}

// blank lists characters that Unicode classes as letters, marks or symbols
// but that draw nothing: the combining grapheme joiner, Hangul fillers,
// Khmer inherent vowels, Mongolian and other variation selectors, and the
// blank Braille pattern.
var blank = &unicode.RangeTable{
	R16: []unicode.Range16{
		{Lo: 0x034f, Hi: 0x034f, Stride: 1},
		{Lo: 0x115f, Hi: 0x1160, Stride: 1},
		{Lo: 0x17b4, Hi: 0x17b5, Stride: 1},
		{Lo: 0x180b, Hi: 0x180d, Stride: 1},
		{Lo: 0x180f, Hi: 0x180f, Stride: 1},
		{Lo: 0x2800, Hi: 0x2800, Stride: 1},
		{Lo: 0x3164, Hi: 0x3164, Stride: 1},
		{Lo: 0xfe00, Hi: 0xfe0f, Stride: 1},
		{Lo: 0xffa0, Hi: 0xffa0, Stride: 1},
	},
	R32: []unicode.Range32{
		{Lo: 0xe0100, Hi: 0xe01ef, Stride: 1},
	},
}

// parseOption reads an option as a letter (A–E, either case) or a number
// (1–5) and checks it against the item's n options.
func parseOption(s string, n int) (int, bool) {
	if len(s) != 1 {
		return 0, false
	}
	c := s[0]
	var k int
	switch {
	case c >= 'A' && c <= 'E':
		k = int(c-'A') + 1
	case c >= 'a' && c <= 'e':
		k = int(c-'a') + 1
	case c >= '1' && c <= '5':
		k = int(c - '0')
	default:
		return 0, false
	}
	return k, k <= n
}

// ItemsImport says what an items import did.
type ItemsImport struct {
	ImportID                  int64
	Added, Updated, Unchanged int
}

// AlreadyImportedError reports a file whose exact bytes the bank already has.
type AlreadyImportedError struct {
	File     string
	ImportID int64
	At       string
}

func (e *AlreadyImportedError) Error() string {
	return fmt.Sprintf("%s: this file was already imported (import %d, %s); nothing was changed", e.File, e.ImportID, e.At)
}

// ImportItems reads an items CSV (see itemRow for the columns) and adds or
// updates its items in one transaction. An item that already has responses
// cannot change its key or number of options: those responses were scored
// with them.
func (b *Bank) ImportItems(ctx context.Context, file string, in io.Reader) (ItemsImport, error) {
	var res ItemsImport
	h := sha256.New()
	src, err := newCSVSource(file, io.TeeReader(in, h))
	if err != nil {
		return res, err
	}
	if _, err := src.requireColumns(itemColumnsRequired, itemColumnsOptional); err != nil {
		return res, err
	}
	var rows []itemRow
	if err := gocsv.UnmarshalCSV(src, &rows); err != nil {
		var ie *InputError
		if errors.As(err, &ie) {
			return res, ie
		}
		return res, fmt.Errorf("%s: %w", file, err)
	}
	if len(rows) == 0 {
		return res, &InputError{File: file, Line: 2, Msg: "the file has a header but no items"}
	}
	items := make([]Item, len(rows))
	seen := make(map[string]int, len(rows))
	for i, r := range rows {
		line := src.lines[i]
		it, err := r.item(file, line)
		if err != nil {
			return res, err
		}
		if prev, ok := seen[it.Code]; ok {
			return res, &InputError{File: file, Line: line, Field: "id", Msg: fmt.Sprintf("item %s appears twice (first on line %d)", it.Code, prev)}
		}
		seen[it.Code] = line
		items[i] = it
	}
	sum := hex.EncodeToString(h.Sum(nil))
	err = b.inTx(ctx, func(tx *sql.Tx) error {
		id, err := b.newImport(ctx, tx, "items", file, sum, len(items), "{}", "")
		if err != nil {
			return err
		}
		res.ImportID = id
		for i, it := range items {
			outcome, err := b.upsertItem(ctx, tx, it)
			if err != nil {
				var ie *InputError
				if errors.As(err, &ie) {
					ie.File, ie.Line = file, src.lines[i]
				}
				return err
			}
			switch outcome {
			case added:
				res.Added++
			case updated:
				res.Updated++
			default:
				res.Unchanged++
			}
		}
		return nil
	})
	return res, err
}

type upsertOutcome int

const (
	unchanged upsertOutcome = iota
	added
	updated
)

// newImport records an import (named name, or unnamed when it is ""), or
// fails with *AlreadyImportedError when the same bytes were imported before
// as the same kind.
func (b *Bank) newImport(ctx context.Context, tx *sql.Tx, kind, file, sum string, rows int, options, name string) (int64, error) {
	if err := CheckName(name); err != nil {
		return 0, err
	}
	if err := nameTaken(ctx, tx, KindImport, name, 0); err != nil {
		return 0, err
	}
	var prev int64
	var at string
	err := tx.QueryRowContext(ctx, `SELECT id, imported_at FROM imports WHERE kind = ? AND sha256 = ?`, kind, sum).Scan(&prev, &at)
	if err == nil {
		return 0, &AlreadyImportedError{File: file, ImportID: prev, At: at}
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	r, err := tx.ExecContext(ctx, `INSERT INTO imports (kind, source, sha256, rows, options, imported_at, name) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		kind, file, sum, rows, options, b.timestamp(), name)
	if err != nil {
		return 0, err
	}
	return r.LastInsertId()
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
func nullKey(k int) sql.NullInt64        { return sql.NullInt64{Int64: int64(k), Valid: k > 0} }

func (b *Bank) upsertItem(ctx context.Context, tx *sql.Tx, it Item) (upsertOutcome, error) {
	old, id, err := itemByCode(ctx, tx, it.Code)
	now := b.timestamp()
	if errors.Is(err, sql.ErrNoRows) {
		r, err := tx.ExecContext(ctx, `INSERT INTO items (code, domain, subdomain, stem, n_options, key, enemy_group, status, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			it.Code, it.Domain, it.Subdomain, it.Stem, len(it.Options), nullKey(it.Key), nullString(it.EnemyGroup), it.Status, now, now)
		if err != nil {
			return 0, err
		}
		id, err := r.LastInsertId()
		if err != nil {
			return 0, err
		}
		return added, insertOptions(ctx, tx, id, it.Options)
	}
	if err != nil {
		return 0, err
	}
	if old.Domain == it.Domain && old.Subdomain == it.Subdomain && old.Stem == it.Stem && slices.Equal(old.Options, it.Options) &&
		old.Key == it.Key && old.EnemyGroup == it.EnemyGroup && old.Status == it.Status {
		return unchanged, nil
	}
	if old.Key != it.Key || len(old.Options) != len(it.Options) {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM responses WHERE item_id = ?`, id).Scan(&n); err != nil {
			return 0, err
		}
		if n > 0 {
			return 0, &InputError{Field: "key", Msg: fmt.Sprintf("item %s has %d responses scored with key %s and %d options: to correct its key, `passport items rekey %s` rescores them; else add a new item",
				it.Code, n, orNone(old.KeyLetter()), len(old.Options), it.Code)}
		}
	}
	if old.Key != it.Key {
		if _, err := addKeyVersion(ctx, tx, id, it.Key, "changed by an items import (no responses to rescore)", 0, now); err != nil {
			return 0, err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE items SET domain = ?, subdomain = ?, stem = ?, n_options = ?, key = ?, enemy_group = ?, status = ?, updated_at = ? WHERE id = ?`,
		it.Domain, it.Subdomain, it.Stem, len(it.Options), nullKey(it.Key), nullString(it.EnemyGroup), it.Status, now, id); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM item_options WHERE item_id = ?`, id); err != nil {
		return 0, err
	}
	return updated, insertOptions(ctx, tx, id, it.Options)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func insertOptions(ctx context.Context, tx *sql.Tx, id int64, opts []string) error {
	for i, o := range opts {
		if _, err := tx.ExecContext(ctx, `INSERT INTO item_options (item_id, position, text) VALUES (?, ?, ?)`, id, i+1, o); err != nil {
			return err
		}
	}
	return nil
}

// queryer is what *sql.DB and *sql.Tx share.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const itemColumns = `i.id, i.code, i.domain, i.subdomain, i.status, i.stem, i.n_options, COALESCE(i.key, 0), COALESCE(i.enemy_group, ''), i.created_at, i.updated_at`

func scanItem(sc interface{ Scan(...any) error }) (Item, int64, int, error) {
	var it Item
	var id int64
	var n int
	err := sc.Scan(&id, &it.Code, &it.Domain, &it.Subdomain, &it.Status, &it.Stem, &n, &it.Key, &it.EnemyGroup, &it.CreatedAt, &it.UpdatedAt)
	return it, id, n, err
}

func itemByCode(ctx context.Context, q queryer, code string) (Item, int64, error) {
	it, id, n, err := scanItem(q.QueryRowContext(ctx, `SELECT `+itemColumns+` FROM items i WHERE i.code = ?`, code))
	if err != nil {
		return it, 0, err
	}
	opts, err := loadOptions(ctx, q, map[int64]int{id: n})
	if err != nil {
		return it, 0, err
	}
	it.Options = opts[id]
	return it, id, nil
}

// loadOptions reads the option texts of the items whose ids (with their
// option counts) are given; nil means every item.
func loadOptions(ctx context.Context, q queryer, ids map[int64]int) (map[int64][]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT item_id, position, text FROM item_options ORDER BY item_id, position`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[int64][]string)
	for rows.Next() {
		var id int64
		var pos int
		var text string
		if err := rows.Scan(&id, &pos, &text); err != nil {
			return nil, err
		}
		if ids != nil {
			if _, ok := ids[id]; !ok {
				continue
			}
		}
		out[id] = append(out[id], text)
	}
	return out, rows.Err()
}

// ErrNotFound is returned when a named item, form or run is not in the bank.
var ErrNotFound = errors.New("not found")

// Item returns the item with the given code.
func (b *Bank) Item(ctx context.Context, code string) (Item, error) {
	it, _, err := itemByCode(ctx, b.db, code)
	if errors.Is(err, sql.ErrNoRows) {
		return it, fmt.Errorf("item %s: %w", code, ErrNotFound)
	}
	return it, err
}

// ItemFilter selects items; empty fields select all.
type ItemFilter struct {
	Domain string
	Status string
}

// Items lists the items that pass f, by code.
func (b *Bank) Items(ctx context.Context, f ItemFilter) ([]Item, error) {
	if f.Domain != "" && !slices.Contains(Domains, f.Domain) {
		return nil, fmt.Errorf("%q is not a domain; expected one of %s", f.Domain, strings.Join(Domains, ", "))
	}
	if f.Status != "" && !slices.Contains(Statuses, f.Status) {
		return nil, fmt.Errorf("%q is not a status; expected one of %s", f.Status, strings.Join(Statuses, ", "))
	}
	rows, err := b.db.QueryContext(ctx, `SELECT `+itemColumns+` FROM items i
		WHERE (?1 = '' OR i.domain = ?1) AND (?2 = '' OR i.status = ?2) ORDER BY i.code`, f.Domain, f.Status)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var items []Item
	var ids []int64
	for rows.Next() {
		it, id, _, err := scanItem(rows)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	opts, err := loadOptions(ctx, b.db, nil)
	if err != nil {
		return nil, err
	}
	for i := range items {
		items[i].Options = opts[ids[i]]
	}
	return items, nil
}

// ExportItems writes every item in the items CSV format that ImportItems
// reads, each cell guarded against spreadsheet formulas (csvsafe).
func (b *Bank) ExportItems(ctx context.Context, w io.Writer) error {
	items, err := b.Items(ctx, ItemFilter{})
	if err != nil {
		return err
	}
	rows := make([]itemRow, len(items))
	for i, it := range items {
		opts := make([]string, MaxOptions)
		copy(opts, it.Options)
		rows[i] = itemRow{ID: it.Code, Domain: it.Domain, Subdomain: it.Subdomain, Status: it.Status, Stem: it.Stem,
			OptionA: opts[0], OptionB: opts[1], OptionC: opts[2], OptionD: opts[3], OptionE: opts[4],
			Key: it.KeyLetter(), EnemyGroup: it.EnemyGroup}
	}
	return gocsv.MarshalCSV(rows, csvsafe.NewWriter(w))
}
