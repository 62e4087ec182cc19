// Package table writes result tables: an aligned table for people, or
// JSON or CSV for scripts, from plain Go structs. It is the one renderer of
// passport's command line and of the report's CSV files.
package table

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/passportirt/passport/bank/csvsafe"
)

// Formats lists the output formats.
var Formats = []string{"table", "json", "csv"}

// Write is passport's one renderer. v is a slice of structs (rows) or one
// struct (a record); it is written as an aligned table for people, or as
// JSON or CSV for scripts. Names are the fields' json tags (snake_case;
// a csv tag where there is none; else the field name in snake_case),
// embedded structs are flattened, and fields tagged json:"-" are left out.
//
// Numbers: floating-point values print with at most 15 significant digits
// in JSON and CSV (so binary noise such as 0.30000000000000004 never shows)
// and with 4 decimals in a table (a field tagged table:"decimals=N" takes N
// there); NaN and ±Inf print as an empty cell and as
// JSON null. A table shows a record as "name: value" lines, and cuts cells
// to one line of at most 60 characters. CSV cells that a spreadsheet would
// run as a formula are guarded with a leading quote (csvsafe.Cell);
// numbers, negative ones included, are not.
func Write(w io.Writer, format string, v any) error {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		rv = rv.Elem()
	}
	if format == "json" {
		var buf bytes.Buffer
		if err := encodeJSON(&buf, rv); err != nil {
			return err
		}
		var out bytes.Buffer
		if err := json.Indent(&out, buf.Bytes(), "", "  "); err != nil {
			return err
		}
		out.WriteByte('\n')
		_, err := w.Write(out.Bytes())
		return err
	}
	var header []string
	var rows [][]string
	if rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array {
		header = columnNames(rv.Type().Elem())
		for i := range rv.Len() {
			rows = append(rows, cells(rv.Index(i), format))
		}
	} else {
		header = columnNames(rv.Type())
		rows = [][]string{cells(rv, format)}
		if format == "table" {
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			for j, h := range header {
				fmt.Fprintf(tw, "%s:\t%s\n", h, oneLine(rows[0][j]))
			}
			return tw.Flush()
		}
	}
	if format == "csv" {
		cw := csvsafe.NewWriter(w)
		for _, r := range append([][]string{header}, rows...) {
			if err := cw.Write(r); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	up := make([]string, len(header))
	for j, h := range header {
		up[j] = strings.ToUpper(h)
	}
	fmt.Fprintln(tw, strings.Join(up, "\t"))
	for _, r := range rows {
		for j := range r {
			r[j] = oneLine(r[j])
		}
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

// field is one output column of a struct type: its name and index path.
type field struct {
	name      string
	index     []int
	omitEmpty bool
	decimals  int // decimals of a float in a table: the tag table:"decimals=N", else 4
}

// fields lists t's output columns in declaration order, flattening
// embedded structs.
func fields(t reflect.Type) []field {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return []field{{name: "value"}}
	}
	var out []field
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() && !f.Anonymous {
			continue
		}
		tag, ok := f.Tag.Lookup("json")
		if !ok {
			tag = f.Tag.Get("csv")
		}
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			for _, sub := range fields(f.Type) {
				sub.index = append([]int{i}, sub.index...)
				out = append(out, sub)
			}
			continue
		}
		if name == "" {
			name = snakeCase(f.Name)
		}
		dec := 4
		if t, ok := strings.CutPrefix(f.Tag.Get("table"), "decimals="); ok {
			if n, err := strconv.Atoi(t); err == nil && n >= 0 {
				dec = n
			}
		}
		out = append(out, field{name: name, index: []int{i}, omitEmpty: opts == "omitempty", decimals: dec})
	}
	// As encoding/json: a field of the outer struct hides an embedded
	// struct's field of the same name.
	return slices.DeleteFunc(out, func(f field) bool {
		return slices.ContainsFunc(out, func(g field) bool { return g.name == f.name && len(g.index) < len(f.index) })
	})
}

// snakeCase turns a Go field name into a snake_case key (SEA → sea,
// LatentMean → latent_mean).
func snakeCase(s string) string {
	var b strings.Builder
	r := []rune(s)
	for i, c := range r {
		lower := strings.ToLower(string(c))
		if i > 0 && lower != string(c) && (r[i-1] >= 'a' && r[i-1] <= 'z' || i+1 < len(r) && r[i+1] >= 'a' && r[i+1] <= 'z') {
			b.WriteByte('_')
		}
		b.WriteString(lower)
	}
	return b.String()
}

func columnNames(t reflect.Type) []string {
	fs := fields(t)
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.name
	}
	return names
}

// cells formats one row's values as text.
func cells(v reflect.Value, format string) []string {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return []string{cell(v, format)}
	}
	fs := fields(v.Type())
	out := make([]string, len(fs))
	for i, f := range fs {
		c := cell(v.FieldByIndex(f.index), format)
		if fv := v.FieldByIndex(f.index); format == "table" && f.decimals != 4 && (fv.Kind() == reflect.Float64 || fv.Kind() == reflect.Float32) && c != "" {
			c = strconv.FormatFloat(fv.Float(), 'f', f.decimals, 64)
		}
		out[i] = c
	}
	return out
}

// cell formats one value as text: numbers as described at Write, slices
// of scalars joined by spaces, anything else as compact JSON.
func cell(v reflect.Value, format string) string {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		return FormatFloat(v.Float(), format)
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Slice, reflect.Array:
		parts := make([]string, v.Len())
		for i := range v.Len() {
			e := v.Index(i)
			if k := e.Kind(); k == reflect.Struct || k == reflect.Map || k == reflect.Slice {
				return compactJSON(v)
			}
			if parts[i] = cell(e, format); parts[i] == "" {
				parts[i] = "-" // an undefined value inside a list
			}
		}
		return strings.Join(parts, " ")
	}
	return compactJSON(v)
}

func compactJSON(v reflect.Value) string {
	var buf bytes.Buffer
	if err := encodeJSON(&buf, v); err != nil {
		return fmt.Sprint(v.Interface())
	}
	return buf.String()
}

// FormatFloat prints x for a table (4 decimals) or for a script (at most
// 15 significant digits); "" when x is not finite.
func FormatFloat(x float64, format string) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return ""
	}
	if format == "table" {
		return strconv.FormatFloat(x, 'f', 4, 64)
	}
	return strconv.FormatFloat(x, 'g', 15, 64)
}

// encodeJSON writes v as compact JSON: keys from json tags in field
// order, embedded structs flattened, non-finite numbers as null.
func encodeJSON(buf *bytes.Buffer, v reflect.Value) error {
	if !v.IsValid() {
		buf.WriteString("null")
		return nil
	}
	if k := v.Kind(); k == reflect.Float32 || k == reflect.Float64 {
		if s := FormatFloat(v.Float(), "json"); s != "" {
			buf.WriteString(s)
		} else {
			buf.WriteString("null")
		}
		return nil
	}
	if m, ok := v.Interface().(json.Marshaler); ok && v.Kind() != reflect.Pointer {
		b, err := m.MarshalJSON()
		if err != nil {
			return err
		}
		buf.Write(b)
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			buf.WriteString("null")
			return nil
		}
		return encodeJSON(buf, v.Elem())
	case reflect.Struct:
		buf.WriteByte('{')
		first := true
		for _, f := range fields(v.Type()) {
			fv := v.FieldByIndex(f.index)
			if f.omitEmpty && fv.IsZero() {
				continue
			}
			if !first {
				buf.WriteByte(',')
			}
			first = false
			key, _ := json.Marshal(f.name)
			buf.Write(key)
			buf.WriteByte(':')
			if err := encodeJSON(buf, fv); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
		return nil
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			buf.WriteString("[]")
			return nil
		}
		buf.WriteByte('[')
		for i := range v.Len() {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := encodeJSON(buf, v.Index(i)); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	case reflect.Map:
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			key, _ := json.Marshal(fmt.Sprint(k))
			buf.Write(key)
			buf.WriteByte(':')
			if err := encodeJSON(buf, v.MapIndex(k)); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
		return nil
	}
	b, err := json.Marshal(v.Interface())
	if err != nil {
		return err
	}
	buf.Write(b)
	return nil
}

// oneLine shortens a cell to one line of at most 60 characters for a table.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 60 {
		return string(r[:59]) + "…"
	}
	return s
}
