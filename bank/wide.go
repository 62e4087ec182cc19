package bank

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
)

// WideOptions are the settings of a wide import: one row per examinee, one
// column per item, as mirt and most IRT programs exchange data. A cell is a
// chosen option (a letter A–E or a number 1–5), or with Scored a 0/1
// score; "NA" or an empty cell means the item was not administered.
type WideOptions struct {
	ResponseOptions
	// IDColumn is the column holding examinee codes. Empty: the column
	// named "examinee" or "id" when there is one, otherwise the rows are
	// numbered IDPrefix000001, IDPrefix000002, ….
	IDColumn string
	// IDPrefix prefixes numbered examinees; default the file's base name
	// and a hyphen.
	IDPrefix string
	// Form, when set, is the form every row took.
	Form string
	// Key scores the options: one option per item column, in column order.
	// Nil: the bank's keys. A key given for an item the bank has must agree
	// with the bank's.
	Key []string
	// Scored says the cells are 0/1 scores, not options.
	Scored bool
	// AddItems creates, as pretest items of Domain with NOptions options
	// (default 4) and the Key, the item columns the bank does not have.
	AddItems bool
	Domain   string
	NOptions int
}

// ImportWide imports a wide response matrix in one transaction.
func (b *Bank) ImportWide(ctx context.Context, file string, in io.Reader, opts WideOptions) (ResponsesImport, error) {
	if opts.IDPrefix == "" {
		base := filepath.Base(file)
		opts.IDPrefix = strings.TrimSuffix(base, filepath.Ext(base)) + "-"
	}
	if opts.NOptions == 0 {
		opts.NOptions = 4
	}
	if opts.AddItems && !slices.Contains(Domains, opts.Domain) {
		return ResponsesImport{}, fmt.Errorf("adding items needs their domain: expected --domain one of %s", strings.Join(Domains, ", "))
	}
	if opts.NOptions < 2 || opts.NOptions > MaxOptions {
		return ResponsesImport{}, fmt.Errorf("--n-options %d: expected 2 to %d", opts.NOptions, MaxOptions)
	}
	flags := map[string]any{"on_duplicate": opts.OnDuplicate, "omit": opts.Omit, "id_column": opts.IDColumn, "id_prefix": opts.IDPrefix,
		"form": opts.Form, "key": opts.Key, "scored": opts.Scored, "add_items": opts.AddItems, "domain": opts.Domain, "n_options": opts.NOptions}
	return b.importResponses(ctx, file, "responses-wide", in, opts.ResponseOptions, flags, func(w *responseWriter, src *csvSource) error {
		return readWide(w, src, opts)
	})
}

func readWide(w *responseWriter, src *csvSource, opts WideOptions) error {
	idCol := -1
	switch {
	case opts.IDColumn != "":
		idCol = slices.Index(src.header, opts.IDColumn)
		if idCol < 0 {
			return w.bad(1, opts.IDColumn, "the examinee id column is not in the header %q", strings.Join(src.header, ","))
		}
	case slices.Contains(src.header, "examinee"):
		idCol = slices.Index(src.header, "examinee")
	case slices.Contains(src.header, "id"):
		idCol = slices.Index(src.header, "id")
	}
	nItems := len(src.header)
	if idCol >= 0 {
		nItems--
	}
	if nItems == 0 {
		return w.bad(1, "", "the header names no item columns")
	}
	if opts.Key != nil && len(opts.Key) != nItems {
		return w.bad(1, "", "the key has %d entries but the file has %d item columns; expected one key per item column", len(opts.Key), nItems)
	}
	items := make([]*itemInfo, len(src.header))
	k := 0
	for c, code := range src.header {
		if c == idCol {
			continue
		}
		key := ""
		if opts.Key != nil {
			key = strings.TrimSpace(opts.Key[k])
		}
		k++
		it, err := w.wideItem(code, key, opts)
		if err != nil {
			return err
		}
		if !opts.Scored && it.key == 0 {
			return w.bad(1, code, "item %s has no key, so its options cannot be scored; give --key, or --scored for 0/1 data", code)
		}
		items[c] = it
	}
	row := 0
	for {
		rec, err := src.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		row++
		line := src.line
		w.progress()
		code := fmt.Sprintf("%s%06d", opts.IDPrefix, row)
		field := "examinee"
		if idCol >= 0 {
			code, field = rec[idCol], src.header[idCol]
		}
		exam, err := w.examinee(line, field, code)
		if err != nil {
			return err
		}
		for c, cell := range rec {
			it := items[c]
			if it == nil || cell == "" || cell == "NA" {
				continue
			}
			r := response{examinee: exam, item: it.id, option: -1, rtMS: -1, at: noTime, line: line, field: src.header[c]}
			if opts.Form != "" {
				if r.form, err = w.form(line, src.header[c], opts.Form, it); err != nil {
					return err
				}
			}
			if opts.Scored {
				if cell != "0" && cell != "1" {
					return w.bad(line, src.header[c], "%q is not a score; expected 0, 1, NA or empty", cell)
				}
				r.score = int(cell[0] - '0')
			} else if r.option, r.score, err = w.score(line, src.header[c], it, cell); err != nil {
				return err
			}
			if err := w.add(r); err != nil {
				return err
			}
		}
	}
}

// wideItem resolves an item column, checking a given key against the
// bank's and creating the item when asked to.
func (w *responseWriter) wideItem(code, key string, opts WideOptions) (*itemInfo, error) {
	it := w.items[code]
	if it == nil && !opts.AddItems {
		return nil, w.bad(1, code, "item %q is not in the bank; import it with `passport items import`, or pass --add-items --domain D", code)
	}
	n := opts.NOptions
	if it != nil {
		n = it.n
	}
	k := 0
	if key != "" {
		var ok bool
		if k, ok = parseOption(key, n); !ok {
			return nil, w.bad(1, code, "key %q for item %s is not one of its %d options", key, code, n)
		}
	}
	if it != nil {
		if k != 0 && k != it.key {
			return nil, w.bad(1, code, "the key gives %s for item %s but the bank keys it %s; expected the same key", optionLetter(k), code, orNone(optionLetter(it.key)))
		}
		return it, nil
	}
	if err := checkCode(code); err != nil {
		return nil, w.bad(1, code, "%v", err)
	}
	now := w.b.timestamp()
	r, err := w.tx.ExecContext(w.ctx, `INSERT INTO items (code, domain, subdomain, stem, n_options, key, status, created_at, updated_at)
		VALUES (?, ?, '', ?, ?, ?, 'pretest', ?, ?)`, code, opts.Domain, "(added by the import of "+w.file+"; no text)", n, nullKey(k), now, now)
	if err != nil {
		return nil, err
	}
	id, err := r.LastInsertId()
	if err != nil {
		return nil, err
	}
	it = &itemInfo{id: id, code: code, n: n, key: k}
	w.items[code] = it
	return it, nil
}
