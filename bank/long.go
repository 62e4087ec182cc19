package bank

import (
	"context"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/passportirt/passport/bank/csvsafe"
)

// The long response format has one row per examinee × item:
//
//	examinee,form,item,option,score,time,administered_at
//	E000001,F01,SEM-001,B,,41.2,2026-03-02T09:14:00Z
//
// examinee, form and item are required columns (an empty form is none, as
// ExportResponses writes a response logged without one); a row needs an option (a letter
// A–E or a number 1–5, scored with the item's key; OmitCode "-" for an item
// presented but not answered) or a score (0 or 1), or both when they agree. time is the response time in seconds and
// administered_at an RFC 3339 timestamp or a date (YYYY-MM-DD); both are
// optional. Timestamps before 1970 are kept as they are.
//
// The long layout of the Item Response Warehouse (IRW) is read too: a
// header with an id column and no examinee column names its columns
//
//	id,item,resp[,form,option,rt,date]
//
// id is the examinee, resp the 0/1 score (or, when a key is given and
// there is no option column, the option chosen), rt the response time in
// seconds and date Unix seconds or a timestamp as administered_at. Other
// columns, which the IRW standard allows (wave, treat, rater, cov_…), are
// ignored.
var (
	longRequired = []string{"examinee", "form", "item"}
	longOptional = []string{"option", "score", "time", "administered_at"}
	// LongHeader is the column order ExportResponses writes.
	LongHeader = []string{"examinee", "form", "item", "option", "score", "time", "administered_at"}
	// IRWHeader is the column order ExportResponsesParquet writes: IRW's
	// id, item, resp, rt and date, and passport's form and option.
	IRWHeader = []string{"id", "item", "resp", "form", "option", "rt", "date"}
)

// ImportLong imports a long-format response log (see LongHeader) in one
// transaction.
func (b *Bank) ImportLong(ctx context.Context, file string, in io.Reader, opts ResponseOptions) (ResponsesImport, error) {
	flags := map[string]any{"on_duplicate": opts.OnDuplicate, "omit": opts.Omit}
	return b.importResponses(ctx, file, "responses-long", in, opts, flags, func(p *rowParser, _ *responseWriter, src records) error {
		return readLong(p, src)
	})
}

// longLayout is where a long file keeps each field: column indexes, -1
// when absent.
type longLayout struct {
	exam, form, item, option, score, time, at int
	irw                                       bool // the IRW layout: date may be Unix seconds
}

// longColumns reads a long file's header: passport's layout when it has an
// examinee column, the IRW's when it has an id column.
func (p *rowParser) longColumns(src records) (longLayout, error) {
	header, line := src.columns(), src.at()
	index := func(name string) int { return slices.Index(header, name) }
	if index("examinee") < 0 && index("id") >= 0 {
		l := longLayout{exam: index("id"), form: index("form"), item: index("item"), option: index("option"), score: index("resp"),
			time: index("rt"), at: index("date"), irw: true}
		for _, c := range []struct {
			name string
			i    int
		}{{"item", l.item}, {"resp", l.score}} {
			if c.i < 0 {
				return l, p.bad(line, c.name, "required column is missing from the header %q; expected IRW's id,item,resp, or --wide for a wide file", strings.Join(header, ","))
			}
		}
		if p.respOptions && l.option < 0 {
			l.option, l.score = l.score, -1
		}
		return l, nil
	}
	if index("item") < 0 && (index("examinee") < 0 || index("form") < 0) {
		return longLayout{}, p.bad(line, "item", "the header %q has no item column; expected a long file (examinee,form,item,… or IRW's id,item,resp), or --wide for a wide one", strings.Join(header, ","))
	}
	col, err := requireColumns(p.file, line, header, longRequired, longOptional)
	if err != nil {
		return longLayout{}, err
	}
	if col["option"] < 0 && col["score"] < 0 {
		return longLayout{}, p.bad(line, "", "the header has neither an option nor a score column; expected at least one")
	}
	return longLayout{exam: col["examinee"], form: col["form"], item: col["item"], option: col["option"], score: col["score"],
		time: col["time"], at: col["administered_at"]}, nil
}

func readLong(p *rowParser, src records) error {
	l, err := p.longColumns(src)
	if err != nil {
		return err
	}
	ahead, stop := prefetch(p.file, src)
	defer stop()
	src = ahead
	header := src.columns()
	cell := func(rec []string, i int) string {
		if i < 0 {
			return ""
		}
		return rec[i]
	}
	unixHint := ""
	if l.irw {
		unixHint = " or Unix seconds"
	}
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
		line := src.at()
		p.progress()
		it, err := p.item(line, header[l.item], rec[l.item])
		if it == nil {
			if err != nil {
				return err
			}
			continue
		}
		r := response{item: it.id, option: -1, rtMS: -1, at: noTime, line: line, field: header[l.item]}
		if r.examinee, err = p.sink.examinee(line, header[l.exam], rec[l.exam]); err != nil {
			return err
		}
		if form := cell(rec, l.form); form != "" {
			if r.form, err = p.sink.form(line, header[l.form], form, it); err != nil {
				return err
			}
		}
		opt, sc := cell(rec, l.option), cell(rec, l.score)
		switch {
		case opt != "" && it.key == 0 && p.scoreUnkeyed && (sc == "0" || sc == "1") && !p.isOmit(opt):
			// No key to score the option with: the score does, and the
			// option is kept as chosen.
			if r.option, err = p.option(line, header[l.option], it, opt); err != nil {
				return err
			}
			r.score = int(sc[0] - '0')
		case opt != "":
			if r.option, r.score, err = p.score(line, header[l.option], it, opt); err != nil {
				return err
			}
			if sc != "" && sc != strconv.Itoa(r.score) {
				return p.bad(line, header[l.score], "score %q disagrees with option %s and item %s's key %s; expected %d", sc, opt, it.code, optionLetter(it.key), r.score)
			}
		case sc == "0" || sc == "1":
			r.score = int(sc[0] - '0')
		case sc != "":
			return p.bad(line, header[l.score], "score %q is not 0 or 1", sc)
		default:
			field := "option"
			if l.irw && l.option < 0 {
				field = header[l.score]
			}
			return p.bad(line, field, "neither an option nor a score is given; expected one of them")
		}
		if t := cell(rec, l.time); t != "" {
			s, err := strconv.ParseFloat(t, 64)
			if err != nil || s < 0 || math.IsInf(s, 0) || math.IsNaN(s) || s > 1e7 {
				return p.bad(line, header[l.time], "%q is not a response time; expected seconds, a number ≥ 0", t)
			}
			r.rtMS = int64(math.Round(s * 1000))
		}
		if at := cell(rec, l.at); at != "" {
			if at != lastAt {
				t, err := parseTimestamp(at, l.irw)
				if err != nil {
					return p.bad(line, header[l.at], "%q is not a timestamp; expected RFC 3339 (2026-03-02T09:14:00Z) or a date (2026-03-02)%s", at, unixHint)
				}
				lastAt, lastAtVal = at, t.Unix()
			}
			r.at = lastAtVal
		}
		if err := p.sink.add(r); err != nil {
			return err
		}
	}
}

// noTime marks a response without a timestamp: Unix seconds are negative
// before 1970, so no other value is free.
const noTime = math.MinInt64

// parseTimestamp reads an RFC 3339 timestamp or a date, or with unix also
// a number of Unix seconds (the IRW's date), cut to the second.
func parseTimestamp(s string, unix bool) (time.Time, error) {
	if unix {
		if sec, err := strconv.ParseFloat(s, 64); err == nil && math.Abs(sec) < 1e15 {
			return time.Unix(int64(math.Floor(sec)), 0), nil
		}
	}
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
	lw := NewLongWriter(out)
	if err := b.eachResponse(ctx, lw.Write); err != nil {
		return err
	}
	return lw.Flush()
}

// eachResponse calls do with every response, ordered by examinee and item.
func (b *Bank) eachResponse(ctx context.Context, do func(LongRecord) error) error {
	rows, err := b.db.QueryContext(ctx, `SELECT e.code, COALESCE(f.code, ''), i.code, r.option, r.score, r.rt_ms, r.administered_at
		FROM responses r JOIN examinees e ON e.id = r.examinee_id JOIN items i ON i.id = r.item_id LEFT JOIN forms f ON f.id = r.form_id
		ORDER BY r.examinee_id, r.item_id`)
	if err != nil {
		return err
	}
	defer rows.Close()
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
		if err := do(rec); err != nil {
			return err
		}
	}
	return rows.Err()
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
