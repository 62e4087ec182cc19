package bank

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"

	"github.com/mattn/go-sqlite3"
)

// OnDuplicate says what an import does when an examinee answers the same
// item twice (twice in the file, or once in the file and once in the bank).
type OnDuplicate string

// The duplicate policies.
const (
	DuplicateReject OnDuplicate = "reject" // fail the import, naming the line
	DuplicateFirst  OnDuplicate = "first"  // keep the response seen first
	DuplicateLast   OnDuplicate = "last"   // keep the response seen last
)

// ParseOnDuplicate reads a duplicate policy by name.
func ParseOnDuplicate(s string) (OnDuplicate, error) {
	switch d := OnDuplicate(s); d {
	case DuplicateReject, DuplicateFirst, DuplicateLast:
		return d, nil
	}
	return "", fmt.Errorf("--on-duplicate %q: expected reject, first or last", s)
}

// ResponseOptions are the settings shared by the long and wide imports.
type ResponseOptions struct {
	Name        string      // the import's name; "" for none
	OnDuplicate OnDuplicate // default DuplicateReject
	// Omit is a code that marks an item presented but not answered (for
	// example "8" in the TESTFACT files), besides OmitCode, which always
	// does. Such a response is stored with option 0 and scored wrong.
	Omit string
	// Progress, when set, is called now and then with the number of data
	// rows read so far.
	Progress func(rows int64)
}

// ResponsesImport says what a response import did.
type ResponsesImport struct {
	ImportID     int64
	Rows         int64 // data rows (long) or examinee rows (wide) read
	Responses    int64 // responses added to the bank
	Duplicates   int64 // responses dropped or replaced by the duplicate policy
	Omitted      int64 // responses marked presented-but-not-answered
	NewExaminees int
	NewForms     int
}

// itemInfo is what scoring a response needs to know about an item.
type itemInfo struct {
	id   int64
	code string
	n    int // options
	key  int // 0: unkeyed
}

// formInfo is a form and the items it holds.
type formInfo struct {
	id     int64
	code   string
	origin string
	items  map[int64]bool
	next   int // next free position
}

// response is one parsed response, with the line it came from.
type response struct {
	examinee, item, form int64 // form 0: none
	option               int   // -1: only a score was given
	score                int
	rtMS                 int64 // -1: not given
	at                   int64 // Unix seconds; noTime: not given
	line                 int
	field                string
}

// The insert pipeline. A parsing goroutine resolves codes to ids in memory
// (it allocates the ids of new examinees and forms itself) and hands
// batches to one writing goroutine, the only one that touches the
// transaction, so that parsing and SQLite each have a core.
const (
	stmtRows  = 128           // responses per INSERT statement
	batchRows = 16 * stmtRows // responses per batch handed to the writer
)

// insertSQL is an INSERT of n responses, the import id written into the
// statement and each response bound as rowArgs values (see bindRow): the
// examinee, its item, form, option and score packed into one integer
// that SQLite unpacks, the time taken and the time administered. Every
// value bound is a call from Go into SQLite, the import's largest cost
// after SQLite's own work.
func insertSQL(verb string, importID int64, n int) string {
	var b strings.Builder
	b.WriteString(verb + ` INTO responses (examinee_id, item_id, form_id, option, score, rt_ms, administered_at, import_id) VALUES `)
	for k := range n {
		if k > 0 {
			b.WriteByte(',')
		}
		e, p, rt, at := 4*k+1, 4*k+2, 4*k+3, 4*k+4
		fmt.Fprintf(&b, "(?%d, ?%d >> 32, NULLIF((?%d >> 4) & %d, 0), NULLIF(((?%d >> 1) & 7) - 1, -1), ?%d & 1, ?%d, ?%d, %d)",
			e, p, p, maxPackedForm, p, p, rt, at, importID)
	}
	return b.String()
}

// maxPackedForm is the largest form id bindRow packs (2^28 − 1); item ids
// are packed up to 2^31 − 1. Both are row ids the bank hands out one by
// one, so a bank reaches neither.
const maxPackedForm = 1<<28 - 1

type newCode struct {
	id   int64
	code string
}

type formItem struct {
	form, item int64
	pos        int
}

// batch is what the parser hands the writer: new examinees, forms and form
// items first, then responses.
type batch struct {
	exams     []newCode
	forms     []newCode
	formItems []formItem
	rows      []response
}

func (bt *batch) reset() {
	bt.exams, bt.forms, bt.formItems, bt.rows = bt.exams[:0], bt.forms[:0], bt.formItems[:0], bt.rows[:0]
}

// responseWriter adds responses to the bank inside one transaction: it
// resolves codes to ids (creating examinees and log-defined forms as it
// meets them), enforces the duplicate policy and batches the inserts.
type responseWriter struct {
	ctx      context.Context
	b        *Bank
	tx       *sql.Tx
	file     string
	opts     ResponseOptions
	importID int64

	items     map[string]*itemInfo
	examinees map[string]int64
	forms     map[string]*formInfo
	nextExam  int64
	nextForm  int64
	newExam   int
	newForms  int
	domain    string // of the items a wide import adds

	cur    *batch
	full   chan *batch // to the writer
	free   chan *batch // back from it
	failed chan struct{}
	werr   error // the writer's error, read after failed is closed or full drained
	wdone  chan struct{}
	queued int64 // responses handed to add
	before int64
}

func (b *Bank) newResponseWriter(ctx context.Context, tx *sql.Tx, file, kind, sum string, opts ResponseOptions, optJSON string) (*responseWriter, error) {
	if opts.OnDuplicate == "" {
		opts.OnDuplicate = DuplicateReject
	}
	w := &responseWriter{ctx: ctx, b: b, tx: tx, file: file, opts: opts,
		items: map[string]*itemInfo{}, examinees: map[string]int64{}, forms: map[string]*formInfo{}}
	var err error
	if w.importID, err = b.newImport(ctx, tx, kind, file, sum, 0, optJSON, opts.Name); err != nil {
		return nil, err
	}
	if err := w.load(); err != nil {
		return nil, err
	}
	const nBuf = 4
	w.full, w.free = make(chan *batch, nBuf), make(chan *batch, nBuf+1)
	for range nBuf + 1 {
		w.free <- &batch{rows: make([]response, 0, batchRows)}
	}
	w.cur = <-w.free
	w.failed, w.wdone = make(chan struct{}), make(chan struct{})
	go w.write()
	return w, nil
}

// load reads the lookups the import needs.
func (w *responseWriter) load() error {
	ctx, tx := w.ctx, w.tx
	rows, err := tx.QueryContext(ctx, `SELECT id, code, n_options, COALESCE(key, 0) FROM items`)
	if err != nil {
		return err
	}
	for rows.Next() {
		it := new(itemInfo)
		if err := rows.Scan(&it.id, &it.code, &it.n, &it.key); err != nil {
			rows.Close()
			return err
		}
		w.items[it.code] = it
	}
	rows.Close()
	if w.examinees, err = examineeIDs(ctx, tx); err != nil {
		return err
	}
	for _, id := range w.examinees {
		w.nextExam = max(w.nextExam, id)
	}
	rows, err = tx.QueryContext(ctx, `SELECT f.id, f.code, f.origin, fi.item_id, fi.position FROM forms f LEFT JOIN form_items fi ON fi.form_id = f.id`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id int64
		var code, origin string
		var item, pos sql.NullInt64
		if err := rows.Scan(&id, &code, &origin, &item, &pos); err != nil {
			rows.Close()
			return err
		}
		f := w.forms[code]
		if f == nil {
			f = &formInfo{id: id, code: code, origin: origin, items: map[int64]bool{}, next: 1}
			w.forms[code] = f
			w.nextForm = max(w.nextForm, id)
		}
		if item.Valid {
			f.items[item.Int64] = true
			f.next = max(f.next, int(pos.Int64)+1)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM responses`).Scan(&w.before)
}

func (w *responseWriter) bad(line int, field, format string, args ...any) error {
	return inputError(w.file, line, field, format, args...)
}

// lookupItem returns the bank's item with this code, or nil.
func (w *responseWriter) lookupItem(code string) *itemInfo { return w.items[code] }

// examinee resolves an examinee code, creating the examinee when new.
func (w *responseWriter) examinee(line int, field, code string) (int64, error) {
	if id, ok := w.examinees[code]; ok {
		return id, nil
	}
	if err := checkCode(code); err != nil {
		return 0, w.bad(line, field, "%v", err)
	}
	w.nextExam++
	code = strings.Clone(code)
	w.examinees[code] = w.nextExam
	w.cur.exams = append(w.cur.exams, newCode{w.nextExam, code})
	w.newExam++
	return w.nextExam, nil
}

// form resolves a form code, creating it when new, and checks that the item
// is on it. A form defined by response logs grows with the items the logs
// show on it; an assembled or imported form is fixed.
func (w *responseWriter) form(line int, field, code string, it *itemInfo) (int64, error) {
	f := w.forms[code]
	if f == nil {
		if err := checkCode(code); err != nil {
			return 0, w.bad(line, field, "%v", err)
		}
		w.nextForm++
		f = &formInfo{id: w.nextForm, code: strings.Clone(code), origin: "log", items: map[int64]bool{}, next: 1}
		w.forms[f.code] = f
		w.cur.forms = append(w.cur.forms, newCode{f.id, f.code})
		w.newForms++
	}
	if !f.items[it.id] {
		if f.origin != "log" {
			return 0, w.bad(line, "item", "item %s is not on form %s (an %s form); expected one of its items", it.code, f.code, f.origin)
		}
		w.cur.formItems = append(w.cur.formItems, formItem{f.id, it.id, f.next})
		f.items[it.id] = true
		f.next++
	}
	return f.id, nil
}

// add queues one response, handing a full batch to the writer.
func (w *responseWriter) add(r response) error {
	w.queued++
	w.cur.rows = append(w.cur.rows, r)
	if len(w.cur.rows) == batchRows {
		return w.send()
	}
	return nil
}

// send hands the current batch to the writer and takes a free one.
func (w *responseWriter) send() error {
	select {
	case w.full <- w.cur:
	case <-w.failed:
		return w.werr
	}
	select {
	case w.cur = <-w.free:
	case <-w.failed:
		return w.werr
	}
	return nil
}

// close stops the writer after the batches sent so far and returns its error.
func (w *responseWriter) close() error {
	close(w.full)
	<-w.wdone
	return w.werr
}

// write is the writer goroutine: it inserts each batch it receives until
// the channel closes or an insert fails.
func (w *responseWriter) write() {
	defer close(w.wdone)
	ins, err := w.prepare()
	if err == nil {
		defer ins.close()
	}
	for bt := range w.full {
		if err == nil {
			err = ins.insert(w, bt)
			if err != nil {
				w.werr = err
				close(w.failed)
			}
		}
		bt.reset()
		w.free <- bt
	}
	if err != nil && w.werr == nil {
		w.werr = err
		close(w.failed)
	}
}

// inserter holds the writer's prepared statements.
type inserter struct {
	exam, form, formItem, many, one *sql.Stmt
	args                            []any
}

func (w *responseWriter) prepare() (*inserter, error) {
	verb := map[OnDuplicate]string{DuplicateReject: "INSERT", DuplicateFirst: "INSERT OR IGNORE", DuplicateLast: "INSERT OR REPLACE"}[w.opts.OnDuplicate]
	ins := &inserter{args: make([]any, rowArgs*stmtRows)}
	var err error
	prep := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = w.tx.PrepareContext(w.ctx, q)
		return st
	}
	ins.many = prep(insertSQL(verb, w.importID, stmtRows))
	ins.one = prep(insertSQL(verb, w.importID, 1))
	ins.exam = prep(`INSERT INTO examinees (id, code, created_at) VALUES (?, ?, ?)`)
	ins.form = prep(`INSERT INTO forms (id, code, origin, created_at) VALUES (?, ?, 'log', ?)`)
	ins.formItem = prep(`INSERT INTO form_items (form_id, item_id, position) VALUES (?, ?, ?)`)
	if err != nil {
		ins.close()
		return nil, err
	}
	return ins, nil
}

func (ins *inserter) close() {
	for _, st := range []*sql.Stmt{ins.exam, ins.form, ins.formItem, ins.many, ins.one} {
		if st != nil {
			st.Close()
		}
	}
}

func (ins *inserter) insert(w *responseWriter, bt *batch) error {
	ctx := w.ctx
	now := w.b.timestamp()
	for _, e := range bt.exams {
		if _, err := ins.exam.ExecContext(ctx, e.id, e.code, now); err != nil {
			return err
		}
	}
	for _, f := range bt.forms {
		if _, err := ins.form.ExecContext(ctx, f.id, f.code, now); err != nil {
			return err
		}
	}
	for _, fi := range bt.formItems {
		if _, err := ins.formItem.ExecContext(ctx, fi.form, fi.item, fi.pos); err != nil {
			return err
		}
	}
	rows := bt.rows
	for len(rows) >= stmtRows {
		for i, r := range rows[:stmtRows] {
			if err := bindRow(ins.args[rowArgs*i:], r); err != nil {
				return err
			}
		}
		_, err := ins.many.ExecContext(ctx, ins.args...)
		if err != nil && !isConstraint(err) {
			return err
		}
		if err != nil {
			// A duplicate among these rows: the statement was undone whole;
			// the rows go one by one below, to name the line.
			break
		}
		rows = rows[stmtRows:]
	}
	for _, r := range rows {
		if err := bindRow(ins.args, r); err != nil {
			return err
		}
		if _, err := ins.one.ExecContext(ctx, ins.args[:rowArgs]...); err != nil {
			if isConstraint(err) {
				return w.bad(r.line, r.field, "examinee already has a response to this item (earlier in the file or in the bank); expected one response per examinee and item, or use --on-duplicate first|last")
			}
			return err
		}
	}
	return nil
}

// rowArgs is the number of values bindRow binds.
const rowArgs = 4

// bindRow binds a response as insertSQL unpacks it: the examinee; item id
// << 32 | form id << 4 | (option + 1) << 1 | score, with form 0 and option
// −1 for none (NULL); the time taken and the time administered, NULL when
// absent. It fails on an item or form id too large to pack.
func bindRow(dst []any, r response) error {
	if r.item >= 1<<31 || r.form > maxPackedForm {
		return fmt.Errorf("item id %d or form id %d is beyond what an import can store", r.item, r.form)
	}
	dst[0], dst[1], dst[2], dst[3] = r.examinee, r.item<<32|r.form<<4|int64(r.option+1)<<1|int64(r.score), nil, nil
	if r.rtMS >= 0 {
		dst[2] = r.rtMS
	}
	if r.at != noTime {
		dst[3] = r.at
	}
	return nil
}

func isConstraint(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.Code == sqlite3.ErrConstraint
}

// finish flushes, records the import's size and returns its summary; p
// read the file.
func (w *responseWriter) finish(sum hash.Hash, p *rowParser) (ResponsesImport, error) {
	res := ResponsesImport{ImportID: w.importID, Rows: p.read, Omitted: p.omitted, NewExaminees: w.newExam, NewForms: w.newForms}
	if err := w.send(); err != nil {
		return res, err
	}
	if err := w.close(); err != nil {
		return res, err
	}
	var after int64
	if err := w.tx.QueryRowContext(w.ctx, `SELECT COUNT(*) FROM responses`).Scan(&after); err != nil {
		return res, err
	}
	res.Responses = after - w.before
	var in int64
	if err := w.tx.QueryRowContext(w.ctx, `SELECT COUNT(*) FROM responses WHERE import_id = ?`, w.importID).Scan(&in); err != nil {
		return res, err
	}
	if in == 0 {
		return res, &InputError{File: w.file, Msg: "the file holds no responses; expected at least one"}
	}
	res.Duplicates = w.queued - res.Responses
	// The hash is final only now that the whole file has been read.
	hexSum := hex.EncodeToString(sum.Sum(nil))
	var prev int64
	var at string
	err := w.tx.QueryRowContext(w.ctx, `SELECT id, imported_at FROM imports WHERE sha256 = ? AND id <> ?`, hexSum, w.importID).Scan(&prev, &at)
	if err == nil {
		return res, &AlreadyImportedError{File: w.file, ImportID: prev, At: at}
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return res, err
	}
	_, err = w.tx.ExecContext(w.ctx, `UPDATE imports SET rows = ?, sha256 = ? WHERE id = ?`, res.Rows, hexSum, w.importID)
	if p.progressFn != nil {
		p.progressFn(p.read)
	}
	return res, err
}

// importResponses runs one response import: it hashes the input, opens the
// transaction and the writer, lets read parse the rows with a rowParser
// writing to it, and commits only when everything succeeded.
func (b *Bank) importResponses(ctx context.Context, file, kind string, in io.Reader, opts ResponseOptions, flags any,
	read func(p *rowParser, w *responseWriter, src records) error) (ResponsesImport, error) {
	var res ResponsesImport
	if rs, ok := in.(io.ReadSeeker); ok {
		// A file already imported is refused before it is parsed.
		if err := b.checkNotImported(ctx, file, kind, rs); err != nil {
			return res, err
		}
	}
	h := sha256.New()
	var src records
	var err error
	if pq, size, ok := parquetInput(in); ok && kind == "responses-long" {
		// A Parquet log in the IRW long layout: hashed whole, then read by
		// row groups through the same row parser.
		if _, err := io.Copy(h, io.NewSectionReader(pq, 0, size)); err != nil {
			return res, err
		}
		src, err = newParquetSource(file, pq, size)
	} else {
		src, err = newCSVSource(file, io.TeeReader(in, h))
	}
	if err != nil {
		return res, err
	}
	optJSON, err := json.Marshal(flags)
	if err != nil {
		return res, err
	}
	err = b.inBulkTx(ctx, func(tx *sql.Tx) error {
		// The import row needs a unique hash before the file is read; the
		// real one replaces this placeholder in finish.
		w, err := b.newResponseWriter(ctx, tx, file, kind, "pending:"+kind+":"+b.timestamp()+fmt.Sprint(b.now().UnixNano()), opts, string(optJSON))
		if err != nil {
			return err
		}
		p := &rowParser{file: file, sink: w, omit: opts.Omit, progressFn: opts.Progress}
		if err := read(p, w, src); err != nil {
			// The writer's own error, if it failed first, is the cause.
			if werr := w.close(); werr != nil {
				return werr
			}
			return err
		}
		res, err = w.finish(h, p)
		return err
	})
	return res, err
}

// checkNotImported hashes a seekable input and rewinds it, failing with
// *AlreadyImportedError when the bank already has those bytes.
func (b *Bank) checkNotImported(ctx context.Context, file, kind string, rs io.ReadSeeker) error {
	h := sha256.New()
	if _, err := io.Copy(h, rs); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if _, err := rs.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	var prev int64
	var at string
	err := b.db.QueryRowContext(ctx, `SELECT id, imported_at FROM imports WHERE kind = ? AND sha256 = ?`, kind, hex.EncodeToString(h.Sum(nil))).Scan(&prev, &at)
	if err == nil {
		return &AlreadyImportedError{File: file, ImportID: prev, At: at}
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	return err
}

// examineeIDs maps every examinee code to its id.
func examineeIDs(ctx context.Context, q queryer) (map[string]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, code FROM examinees`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := map[string]int64{}
	for rows.Next() {
		var id int64
		var code string
		if err := rows.Scan(&id, &code); err != nil {
			return nil, err
		}
		ids[code] = id
	}
	return ids, rows.Err()
}
