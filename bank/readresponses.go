package bank

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/passportirt/passport/irt"
)

// ReadOptions say how ReadResponses reads a response file.
type ReadOptions struct {
	// Wide says the file is a wide CSV matrix (one column per item; an
	// examinee or id column, or rows numbered after the file's name, as
	// ImportWide); a long file is CSV or Parquet, told apart by Parquet's
	// magic bytes.
	Wide bool
	// Key keys the options. For a wide file, one option per item column,
	// in column order, and the cells are options (without it, 0/1
	// scores); for a long file, ITEM=OPTION entries, and an IRW file's
	// resp column holds options (without it, 0/1 scores).
	Key []string
	// Omit is a code that marks an item presented but not answered,
	// besides OmitCode (see ResponseOptions.Omit).
	Omit string
	// OmitAsMissing leaves omitted responses out rather than scoring them
	// wrong (see MatrixFilter.OmitAsMissing).
	OmitAsMissing bool
	// Items are the columns, in this order, with their keys and options:
	// responses to other items are left out and counted in
	// FileResponses.Skipped. Nil: the items the file answers, by code,
	// each with MaxOptions options and the key Key gives.
	Items []irt.ItemInfo
	// Progress, when set, is called now and then with the rows read.
	Progress func(rows int64)
}

// FileResponses is what ReadResponses read: the matrix and how many rows
// and responses went into it.
type FileResponses struct {
	*irt.Responses
	Rows    int64 // data rows read
	Skipped int64 // responses to items outside ReadOptions.Items
}

// ReadResponses reads a response file straight into a matrix, without a
// bank: a long CSV (passport's layout or the IRW's), a wide CSV, or a
// Parquet file in the long layout. in must be an io.ReaderAt and
// io.Seeker (an *os.File) for Parquet. Every cell is checked as the bank's
// importers check it (the two share one parser), and an examinee
// answering an item twice is refused. An option chosen on an item without
// a key is kept as chosen when the row's score column scores it, so that
// an export reads back without keys. Columns are ReadOptions.Items or the
// items by code; rows the examinees in the order they first appear, each
// with the form of its first response given on one ("" for none).
func ReadResponses(file string, in io.Reader, opts ReadOptions) (*FileResponses, error) {
	m := newMatrixBuilder(file, opts.Items)
	p := &rowParser{file: file, sink: m, omit: opts.Omit, unknown: addUnknown, nOptions: MaxOptions, scoreUnkeyed: true,
		progressFn: opts.Progress, respOptions: opts.Key != nil}
	if opts.Items != nil {
		p.unknown = skipUnknown
	}
	read := readLongFile
	if opts.Wide {
		read = readWideFile
	}
	if err := read(p, file, in, opts); err != nil {
		return nil, err
	}
	if p.progressFn != nil {
		p.progressFn(p.read)
	}
	r := m.matrix(opts.OmitAsMissing)
	r.Omitted = int(p.omitted)
	switch {
	case r.NResponses() == 0 && p.skipped > 0:
		return nil, &InputError{File: file, Msg: fmt.Sprintf("none of the file's %d responses is to one of the %d items read; expected responses to them", p.skipped, len(opts.Items))}
	case r.NResponses() == 0:
		return nil, &InputError{File: file, Msg: "the file holds no responses; expected at least one"}
	}
	return &FileResponses{Responses: r, Rows: p.read, Skipped: p.skipped}, nil
}

func readWideFile(p *rowParser, file string, in io.Reader, opts ReadOptions) error {
	if _, _, ok := parquetInput(in); ok {
		return &InputError{File: file, Msg: "a Parquet file holds the long layout (id,item,resp); expected a wide CSV file, or no --wide"}
	}
	src, err := newCSVSource(file, in)
	if err != nil {
		return err
	}
	return readWide(p, src, WideOptions{IDPrefix: defaultIDPrefix(file), Key: opts.Key, Scored: opts.Key == nil})
}

func readLongFile(p *rowParser, file string, in io.Reader, opts ReadOptions) error {
	var err error
	if p.keys, err = longKeys(opts.Key, opts.Items); err != nil {
		return err
	}
	var src records
	if pq, size, ok := parquetInput(in); ok {
		src, err = newParquetSource(file, pq, size)
	} else {
		src, err = newCSVSource(file, in)
	}
	if err != nil {
		return err
	}
	return readLong(p, src)
}

// parquetInput returns in as a Parquet file of size bytes when it is
// seekable and starts with Parquet's magic bytes.
func parquetInput(in io.Reader) (io.ReaderAt, int64, bool) {
	ra, ok := in.(interface {
		io.ReaderAt
		io.Seeker
	})
	if !ok {
		return nil, 0, false
	}
	head := make([]byte, len(parquetMagic))
	if n, _ := ra.ReadAt(head, 0); !bytes.Equal(head[:n], parquetMagic) {
		return nil, 0, false
	}
	size, err := ra.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, 0, false
	}
	return ra, size, true
}

// longKeys parses ITEM=OPTION key entries, against the options of the
// items when given (a key must then agree with the item's), otherwise
// against MaxOptions.
func longKeys(entries []string, items []irt.ItemInfo) (map[string]int, error) {
	if entries == nil {
		return nil, nil
	}
	known := map[string]irt.ItemInfo{}
	for _, it := range items {
		known[it.Code] = it
	}
	keys := make(map[string]int, len(entries))
	for _, e := range entries {
		code, opt, ok := strings.Cut(strings.TrimSpace(e), "=")
		if !ok || code == "" {
			return nil, fmt.Errorf("--key entry %q: a long file's key is ITEM=OPTION entries, e.g. SEM-001=B,SEM-002=D", e)
		}
		n := MaxOptions
		it, isKnown := known[code]
		if isKnown {
			n = it.NOptions
		}
		k, ok := parseOption(opt, n)
		if !ok {
			return nil, fmt.Errorf("--key entry %q: %q is not one of item %s's %d options", e, opt, code, n)
		}
		if isKnown && it.Key != k {
			return nil, fmt.Errorf("--key entry %q: the bank keys item %s %s; expected the same key", e, code, orNone(optionLetter(it.Key)))
		}
		if _, dup := keys[code]; dup {
			return nil, fmt.Errorf("--key: item %s is keyed twice", code)
		}
		keys[code] = k
	}
	return keys, nil
}

// matrixBuilder is the responseSink of ReadResponses: it collects the
// responses in memory and checks that no examinee answers an item twice.
// While each examinee's responses come together (a wide file, a long file
// ordered by examinee) that check is a look-up per item; once an examinee
// comes back after another, it keeps the set of (examinee, item) pairs and
// sorts the responses by examinee at the end.
type matrixBuilder struct {
	file  string
	fixed bool // the columns are ReadOptions.Items
	items map[string]*itemInfo
	cols  []irt.ItemInfo // by item id

	exams     map[string]int64
	examCodes []string // by examinee id
	examRow   []int32  // by examinee id: its row + 1, 0 before its first response
	examForm  []int32  // by examinee id: form id of its first response with one, 0 for none
	forms     map[string]int64
	formCodes []string // by form id; 0 is no form

	// The responses in the order read.
	item   []int32
	score  []uint8
	option []int8

	rowExam []int32 // examinee id by row, rows in order of first response
	last    int64   // the examinee of the last response; -1 before the first
	// Grouped: every examinee's responses so far came together; start
	// holds each row's first response, seen the row (+1) that last
	// answered each item.
	grouped bool
	start   []int
	seen    []int32
	// Not grouped: the row of every response, and the pairs answered.
	respRow []int32
	pairs   map[uint64]struct{}
}

func newMatrixBuilder(file string, items []irt.ItemInfo) *matrixBuilder {
	m := &matrixBuilder{file: file, fixed: items != nil, items: map[string]*itemInfo{}, exams: map[string]int64{},
		forms: map[string]int64{}, formCodes: []string{""}, last: -1, grouped: true}
	for _, it := range items {
		m.items[it.Code] = &itemInfo{id: int64(len(m.cols)), code: it.Code, n: it.NOptions, key: it.Key}
		m.cols = append(m.cols, it)
	}
	m.seen = make([]int32, len(m.cols))
	return m
}

func (m *matrixBuilder) lookupItem(code string) *itemInfo { return m.items[code] }

func (m *matrixBuilder) addItem(code string, n, key int) (*itemInfo, error) {
	it := &itemInfo{id: int64(len(m.cols)), code: code, n: n, key: key}
	m.items[code] = it
	m.cols = append(m.cols, irt.ItemInfo{Code: code, Key: key, NOptions: n})
	m.seen = append(m.seen, 0)
	return it, nil
}

func (m *matrixBuilder) examinee(line int, field, code string) (int64, error) {
	if id, ok := m.exams[code]; ok {
		return id, nil
	}
	if err := checkCode(code); err != nil {
		return 0, inputError(m.file, line, field, "%v", err)
	}
	id := int64(len(m.examCodes))
	code = strings.Clone(code)
	m.exams[code] = id
	m.examCodes = append(m.examCodes, code)
	m.examRow = append(m.examRow, 0)
	m.examForm = append(m.examForm, 0)
	return id, nil
}

func (m *matrixBuilder) form(line int, field, code string, _ *itemInfo) (int64, error) {
	if id, ok := m.forms[code]; ok {
		return id, nil
	}
	if err := checkCode(code); err != nil {
		return 0, inputError(m.file, line, field, "%v", err)
	}
	id := int64(len(m.formCodes))
	code = strings.Clone(code)
	m.forms[code] = id
	m.formCodes = append(m.formCodes, code)
	return id, nil
}

// errDuplicate is the complaint about a second response of an examinee to
// an item.
const errDuplicate = "examinee already has a response to this item earlier in the file; expected one response per examinee and item"

func (m *matrixBuilder) add(r response) error {
	if r.examinee != m.last {
		switch {
		case m.examRow[r.examinee] == 0:
			m.rowExam = append(m.rowExam, int32(r.examinee))
			m.examRow[r.examinee] = int32(len(m.rowExam))
			if m.grouped {
				m.start = append(m.start, len(m.item))
			}
		case m.grouped:
			m.ungroup()
		}
		m.last = r.examinee
	}
	row := m.examRow[r.examinee]
	if m.grouped {
		if m.seen[r.item] == row {
			return inputError(m.file, r.line, r.field, errDuplicate)
		}
		m.seen[r.item] = row
	} else {
		pair := uint64(row)<<32 | uint64(r.item)
		if _, dup := m.pairs[pair]; dup {
			return inputError(m.file, r.line, r.field, errDuplicate)
		}
		m.pairs[pair] = struct{}{}
		m.respRow = append(m.respRow, row-1)
	}
	if r.form != 0 && m.examForm[r.examinee] == 0 {
		m.examForm[r.examinee] = int32(r.form)
	}
	m.item = append(m.item, int32(r.item))
	m.score = append(m.score, uint8(r.score))
	m.option = append(m.option, int8(r.option))
	return nil
}

// ungroup turns to keeping the row of every response and the pairs
// answered, as an examinee's responses no longer come together.
func (m *matrixBuilder) ungroup() {
	m.grouped = false
	m.respRow = make([]int32, len(m.item), cap(m.item))
	m.pairs = make(map[uint64]struct{}, len(m.item))
	for row, s := range m.start {
		end := len(m.item)
		if row+1 < len(m.start) {
			end = m.start[row+1]
		}
		for k := s; k < end; k++ {
			m.respRow[k] = int32(row)
			m.pairs[uint64(row+1)<<32|uint64(m.item[k])] = struct{}{}
		}
	}
	m.start, m.seen = nil, nil
}

// matrix returns the responses as a matrix: the rows in order of first
// response, each row's responses by column, omitted responses dropped
// with omitAsMissing; without fixed columns, the columns are the items
// answered, by code. The matrix may take over m's storage: m is spent.
func (m *matrixBuilder) matrix(omitAsMissing bool) *irt.Responses {
	order := m.responseOrder()
	// col maps an item id to its column, -1 for an item left out.
	col := make([]int32, len(m.cols))
	r := &irt.Responses{Items: m.cols}
	if !m.fixed {
		answered := make([]bool, len(m.cols))
		for k := range m.item {
			if !omitAsMissing || m.option[k] != irt.Omitted {
				answered[m.item[k]] = true
			}
		}
		ids := make([]int, 0, len(m.cols))
		for id := range m.cols {
			if answered[id] {
				ids = append(ids, id)
			}
			col[id] = -1
		}
		slices.SortFunc(ids, func(a, b int) int { return strings.Compare(m.cols[a].Code, m.cols[b].Code) })
		r.Items = make([]irt.ItemInfo, len(ids))
		for c, id := range ids {
			r.Items[c], col[id] = m.cols[id], int32(c)
		}
	} else {
		for id := range col {
			col[id] = int32(id)
		}
	}
	r.Start = make([]int, 1, len(m.rowExam)+1)
	if order == nil {
		// Each row's responses lie together: the rows are compacted and
		// sorted where they are, writing never past the row being read.
		r.Item, r.Score, r.Option = m.item[:0], m.score[:0], m.option[:0]
	} else {
		n := len(m.item)
		r.Item, r.Score, r.Option = make([]int32, 0, n), make([]uint8, 0, n), make([]int8, 0, n)
	}
	formIndex := map[int32]int32{}
	var cells []uint64
	for row, e := range m.rowExam {
		s, t := m.rowBounds(row)
		cells = cells[:0]
		for i := s; i < t; i++ {
			k := i
			if order != nil {
				k = order[i]
			}
			if omitAsMissing && m.option[k] == irt.Omitted {
				continue
			}
			// A column, option and score packed to sort by column.
			cells = append(cells, uint64(col[m.item[k]])<<16|uint64(uint8(m.option[k]))<<8|uint64(m.score[k]))
		}
		if len(cells) == 0 {
			continue
		}
		slices.Sort(cells)
		for _, c := range cells {
			r.Item = append(r.Item, int32(c>>16))
			r.Option = append(r.Option, int8(uint8(c>>8)))
			r.Score = append(r.Score, uint8(c))
		}
		r.Start = append(r.Start, len(r.Item))
		r.Examinees = append(r.Examinees, m.examCodes[e])
		f := m.examForm[e]
		fi, ok := formIndex[f]
		if !ok {
			fi = int32(len(r.Forms))
			formIndex[f] = fi
			r.Forms = append(r.Forms, m.formCodes[f])
		}
		r.Form = append(r.Form, fi)
	}
	return r
}

// responseOrder returns the indexes of the responses row by row (nil when
// they are in that order already), and leaves in m.start where each row's
// begin.
func (m *matrixBuilder) responseOrder() []int {
	if m.grouped {
		return nil
	}
	// A stable counting sort by row.
	order := make([]int, len(m.item))
	m.start = make([]int, len(m.rowExam)+1)
	for _, row := range m.respRow {
		m.start[row+1]++
	}
	for row := range m.rowExam {
		m.start[row+1] += m.start[row]
	}
	next := slices.Clone(m.start[:len(m.rowExam)])
	for k, row := range m.respRow {
		order[next[row]] = k
		next[row]++
	}
	m.start = m.start[:len(m.rowExam)]
	return order
}

// rowBounds returns where row's responses begin and end in the order of
// responseOrder.
func (m *matrixBuilder) rowBounds(row int) (int, int) {
	if row+1 < len(m.start) {
		return m.start[row], m.start[row+1]
	}
	return m.start[row], len(m.item)
}
