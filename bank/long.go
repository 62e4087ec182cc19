package bank

import (
	"context"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/passportirt/passport/bank/csvsafe"
)

// The long response format has one row per examinee × item:
//
//	examinee,form,item,option,score,time,administered_at
//	E000001,F01,SEM-001,B,,41.2,2026-03-02T09:14:00Z
//
// examinee, form and item are required; a row needs an option (a letter
// A–E or a number 1–5, scored with the item's key; OmitCode "-" for an item
// presented but not answered) or a score (0 or 1), or both when they agree. time is the response time in seconds and
// administered_at an RFC 3339 timestamp or a date (YYYY-MM-DD); both are
// optional. Timestamps before 1970 are kept as they are.
var (
	longRequired = []string{"examinee", "form", "item"}
	longOptional = []string{"option", "score", "time", "administered_at"}
	// LongHeader is the column order ExportResponses writes.
	LongHeader = []string{"examinee", "form", "item", "option", "score", "time", "administered_at"}
)

// ImportLong imports a long-format response log (see LongHeader) in one
// transaction.
func (b *Bank) ImportLong(ctx context.Context, file string, in io.Reader, opts ResponseOptions) (ResponsesImport, error) {
	flags := map[string]any{"on_duplicate": opts.OnDuplicate, "omit": opts.Omit}
	return b.importResponses(ctx, file, "responses-long", in, opts, flags, readLong)
}

func readLong(w *responseWriter, src *csvSource) error {
	col, err := src.requireColumns(longRequired, longOptional)
	if err != nil {
		return err
	}
	if col["option"] < 0 && col["score"] < 0 {
		return w.bad(1, "", "the header has neither an option nor a score column; expected at least one")
	}
	iExam, iForm, iItem := col["examinee"], col["form"], col["item"]
	iOpt, iScore, iTime, iAt := col["option"], col["score"], col["time"], col["administered_at"]
	var lastAt string
	var lastAtVal int64
	for {
		rec, err := src.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		line := src.line
		w.progress()
		it, err := w.item(line, "item", rec[iItem])
		if err != nil {
			return err
		}
		r := response{item: it.id, option: -1, rtMS: -1, at: noTime, line: line, field: "item"}
		if r.examinee, err = w.examinee(line, "examinee", rec[iExam]); err != nil {
			return err
		}
		if r.form, err = w.form(line, "form", rec[iForm], it); err != nil {
			return err
		}
		opt, sc := "", ""
		if iOpt >= 0 {
			opt = rec[iOpt]
		}
		if iScore >= 0 {
			sc = rec[iScore]
		}
		switch {
		case opt != "":
			if r.option, r.score, err = w.score(line, "option", it, opt); err != nil {
				return err
			}
			if sc != "" && sc != strconv.Itoa(r.score) {
				return w.bad(line, "score", "score %q disagrees with option %s and item %s's key %s; expected %d", sc, opt, it.code, optionLetter(it.key), r.score)
			}
		case sc == "0" || sc == "1":
			r.score = int(sc[0] - '0')
		case sc != "":
			return w.bad(line, "score", "score %q is not 0 or 1", sc)
		default:
			return w.bad(line, "option", "neither an option nor a score is given; expected one of them")
		}
		if iTime >= 0 && rec[iTime] != "" {
			s, err := strconv.ParseFloat(rec[iTime], 64)
			if err != nil || s < 0 || math.IsInf(s, 0) || math.IsNaN(s) || s > 1e7 {
				return w.bad(line, "time", "%q is not a response time; expected seconds, a number ≥ 0", rec[iTime])
			}
			r.rtMS = int64(math.Round(s * 1000))
		}
		if iAt >= 0 && rec[iAt] != "" {
			if rec[iAt] != lastAt {
				t, err := parseTimestamp(rec[iAt])
				if err != nil {
					return w.bad(line, "administered_at", "%q is not a timestamp; expected RFC 3339 (2026-03-02T09:14:00Z) or a date (2026-03-02)", rec[iAt])
				}
				lastAt, lastAtVal = rec[iAt], t.Unix()
			}
			r.at = lastAtVal
		}
		if err := w.add(r); err != nil {
			return err
		}
	}
}

// noTime marks a response without a timestamp: Unix seconds are negative
// before 1970, so no other value is free.
const noTime = math.MinInt64

func parseTimestamp(s string) (time.Time, error) {
	if len(s) == len("2006-01-02") {
		return time.Parse(time.DateOnly, s)
	}
	return time.Parse(time.RFC3339, s)
}

// ExportResponses writes every response in the long format, ordered by
// examinee and item. Options are written as letters, omitted responses with
// the omit code "-" in the option column; times in seconds; cells guarded
// against spreadsheet formulas (csvsafe).
func (b *Bank) ExportResponses(ctx context.Context, out io.Writer) error {
	rows, err := b.db.QueryContext(ctx, `SELECT e.code, COALESCE(f.code, ''), i.code, r.option, r.score, r.rt_ms, r.administered_at
		FROM responses r JOIN examinees e ON e.id = r.examinee_id JOIN items i ON i.id = r.item_id LEFT JOIN forms f ON f.id = r.form_id
		ORDER BY r.examinee_id, r.item_id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	lw := NewLongWriter(out)
	for rows.Next() {
		var rec LongRecord
		var opt, rt, at *int64
		if err := rows.Scan(&rec.Examinee, &rec.Form, &rec.Item, &opt, &rec.Score, &rt, &at); err != nil {
			return err
		}
		rec.Option, rec.Time = -1, -1
		if opt != nil {
			rec.Option = int(*opt)
		}
		if rt != nil {
			rec.Time = float64(*rt) / 1000
		}
		if at != nil {
			rec.At = time.Unix(*at, 0)
		}
		if err := lw.Write(rec); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return lw.Flush()
}

// LongRecord is one row of the long format as a writer takes it.
type LongRecord struct {
	Examinee, Form, Item string
	Option               int       // 1 = A; 0 omitted (written "-"); -1 none (score only)
	Score                int       // 0 or 1
	Time                 float64   // seconds; < 0 when not known
	At                   time.Time // when administered; zero when not known
}

// LongWriter writes the long format, header first, cells guarded against
// spreadsheet formulas (csvsafe).
type LongWriter struct {
	w      *csvsafe.Writer
	header bool
	rec    []string
}

// NewLongWriter returns a writer of the long format to out.
func NewLongWriter(out io.Writer) *LongWriter {
	return &LongWriter{w: csvsafe.NewWriter(out), rec: make([]string, len(LongHeader))}
}

// OmitCode is the option code ExportResponses writes for a response that was
// presented but not answered; pass it as ResponseOptions.Omit to read it back.
const OmitCode = "-"

// Write writes one record.
func (lw *LongWriter) Write(r LongRecord) error {
	if !lw.header {
		lw.header = true
		if err := lw.w.Write(LongHeader); err != nil {
			return err
		}
	}
	rec := lw.rec
	rec[0], rec[1], rec[2] = r.Examinee, r.Form, r.Item
	switch {
	case r.Option == 0:
		rec[3] = OmitCode
	case r.Option > 0:
		rec[3] = optionLetter(r.Option)
	default:
		rec[3] = ""
	}
	rec[4] = strconv.Itoa(r.Score)
	rec[5], rec[6] = "", ""
	if r.Time >= 0 {
		rec[5] = strconv.FormatFloat(r.Time, 'f', -1, 64)
	}
	if !r.At.IsZero() {
		rec[6] = r.At.UTC().Format(time.RFC3339)
	}
	return lw.w.Write(rec)
}

// Flush flushes the writer and reports any write error.
func (lw *LongWriter) Flush() error {
	if !lw.header {
		lw.header = true
		if err := lw.w.Write(LongHeader); err != nil {
			return err
		}
	}
	lw.w.Flush()
	return lw.w.Error()
}
