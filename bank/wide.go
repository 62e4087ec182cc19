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
		opts.IDPrefix = defaultIDPrefix(file)
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
	return b.importResponses(ctx, file, "responses-wide", in, opts.ResponseOptions, flags, func(p *rowParser, w *responseWriter, src records) error {
		w.domain, p.nOptions = opts.Domain, opts.NOptions
		if opts.AddItems {
			p.unknown = addUnknown
		}
		return readWide(p, src, opts)
	})
}

// defaultIDPrefix prefixes the numbered examinees of a wide file without
// an id column: the file's base name and a hyphen.
func defaultIDPrefix(file string) string {
	base := filepath.Base(file)
	return strings.TrimSuffix(base, filepath.Ext(base)) + "-"
}

func readWide(p *rowParser, src records, opts WideOptions) error {
	header, hline := src.columns(), src.at()
	idCol := -1
	switch {
	case opts.IDColumn != "":
		idCol = slices.Index(header, opts.IDColumn)
		if idCol < 0 {
			return p.bad(hline, opts.IDColumn, "the examinee id column is not in the header %q", strings.Join(header, ","))
		}
	case slices.Contains(header, "examinee"):
		idCol = slices.Index(header, "examinee")
	case slices.Contains(header, "id"):
		idCol = slices.Index(header, "id")
	}
	nItems := len(header)
	if idCol >= 0 {
		nItems--
	}
	if nItems == 0 {
		return p.bad(hline, "", "the header names no item columns")
	}
	if opts.Key != nil && len(opts.Key) != nItems {
		return p.bad(hline, "", "the key has %d entries but the file has %d item columns; expected one key per item column", len(opts.Key), nItems)
	}
	items := make([]*itemInfo, len(header))
	k := 0
	for c, code := range header {
		if c == idCol {
			continue
		}
		key := ""
		if opts.Key != nil {
			key = strings.TrimSpace(opts.Key[k])
		}
		k++
		it, err := p.wideItem(code, key)
		if err != nil {
			return err
		}
		if it != nil && !opts.Scored && it.key == 0 {
			return p.bad(hline, code, "item %s has no key, so its options cannot be scored; give --key, or --scored for 0/1 data", code)
		}
		items[c] = it
	}
	ahead, stop := prefetch(p.file, src)
	defer stop()
	src = ahead
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
		line := src.at()
		p.progress()
		code := fmt.Sprintf("%s%06d", opts.IDPrefix, row)
		field := "examinee"
		if idCol >= 0 {
			code, field = rec[idCol], header[idCol]
		}
		exam, err := p.sink.examinee(line, field, code)
		if err != nil {
			return err
		}
		for c, cell := range rec {
			it := items[c]
			if it == nil || cell == "" || cell == "NA" {
				continue
			}
			r := response{examinee: exam, item: it.id, option: -1, rtMS: -1, at: noTime, line: line, field: header[c]}
			if opts.Form != "" {
				if r.form, err = p.sink.form(line, header[c], opts.Form, it); err != nil {
					return err
				}
			}
			if opts.Scored {
				if cell != "0" && cell != "1" {
					return p.bad(line, header[c], "%q is not a score; expected 0, 1, NA or empty", cell)
				}
				r.score = int(cell[0] - '0')
			} else if r.option, r.score, err = p.score(line, header[c], it, cell); err != nil {
				return err
			}
			if err := p.sink.add(r); err != nil {
				return err
			}
		}
	}
}

// addItem creates, for a wide import with --add-items, an item the bank
// does not have, as a pretest item of the import's domain.
func (w *responseWriter) addItem(code string, n, k int) (*itemInfo, error) {
	now := w.b.timestamp()
	r, err := w.tx.ExecContext(w.ctx, `INSERT INTO items (code, domain, subdomain, stem, n_options, key, status, created_at, updated_at)
		VALUES (?, ?, '', ?, ?, ?, 'pretest', ?, ?)`, code, w.domain, "(added by the import of "+w.file+"; no text)", n, nullKey(k), now, now)
	if err != nil {
		return nil, err
	}
	id, err := r.LastInsertId()
	if err != nil {
		return nil, err
	}
	it := &itemInfo{id: id, code: code, n: n, key: k}
	w.items[code] = it
	return it, nil
}
