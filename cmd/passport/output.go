package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/gocarina/gocsv"
)

// render writes rows, a slice of structs with csv and json tags, as a table
// for people, or as JSON or CSV for scripts.
func render(w io.Writer, format string, rows any) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	case "csv":
		return gocsv.Marshal(rows, w)
	}
	text, err := gocsv.MarshalString(rows)
	if err != nil {
		return err
	}
	recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i, rec := range recs {
		for j := range rec {
			rec[j] = oneLine(rec[j])
		}
		if i == 0 {
			for j := range rec {
				rec[j] = strings.ToUpper(rec[j])
			}
		}
		fmt.Fprintln(tw, strings.Join(rec, "\t"))
	}
	return tw.Flush()
}

// oneLine shortens a cell to one line of at most 60 characters for a table.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 60 {
		return string(r[:59]) + "…"
	}
	return s
}

// renderValue writes one value as JSON, or as "key: value" lines.
func renderValue(w io.Writer, format string, v any, lines [][2]string) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, l := range lines {
		fmt.Fprintf(tw, "%s:\t%s\n", l[0], l[1])
	}
	return tw.Flush()
}
