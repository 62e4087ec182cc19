package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

// simulatedBank is a demo bank holding a simulated 2PL log of 400
// examinees on two forms, with omits; it returns the bank's path and the
// directory for files.
func simulatedBank(t *testing.T) (string, string) {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	log := filepath.Join(dir, "log.csv")
	for _, args := range [][]string{
		{"init", "--demo"},
		{"simulate", "--examinees", "400", "--forms", "2", "--form-length", "20", "--anchors", "5", "--model", "2pl", "--omit-rate", "0.05", "-o", log},
		{"responses", "import", log},
	} {
		if _, _, err := run(t, db, args...); err != nil {
			t.Fatalf("%s: %v", strings.Join(args, " "), err)
		}
	}
	return db, dir
}

// readCSV reads a CSV file's records, header first.
func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestResponsesExportParquet reads the Parquet export back with the
// Parquet library and checks every row against the CSV export.
func TestResponsesExportParquet(t *testing.T) {
	db, dir := simulatedBank(t)
	csvFile, pqFile := filepath.Join(dir, "export.csv"), filepath.Join(dir, "export.parquet")
	if _, _, err := run(t, db, "responses", "export", "-o", csvFile); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, db, "responses", "export", "--format", "parquet", "-o", pqFile); err != nil {
		t.Fatal(err)
	}
	type irwRow struct {
		ID     string   `parquet:"id"`
		Item   string   `parquet:"item"`
		Resp   int32    `parquet:"resp"`
		Form   *string  `parquet:"form,optional"`
		Option *string  `parquet:"option,optional"`
		RT     *float64 `parquet:"rt,optional"`
		Date   *int64   `parquet:"date,optional"`
	}
	f, err := os.Open(pqFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	rows, err := parquet.Read[irwRow](f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, csvFile)
	if !slices.Equal(recs[0], []string{"examinee", "form", "item", "option", "score", "time", "administered_at"}) || len(rows) != len(recs)-1 || len(rows) < 400*20 {
		t.Fatalf("%d Parquet rows, %d CSV rows under %v", len(rows), len(recs)-1, recs[0])
	}
	text := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	omits, timed := 0, 0
	for i, r := range rows {
		c := recs[i+1]
		rt, date := "", ""
		if r.RT != nil {
			rt = strconv.FormatFloat(*r.RT, 'f', -1, 64)
			timed++
		}
		if r.Date != nil {
			date = time.Unix(*r.Date, 0).UTC().Format(time.RFC3339)
		}
		got := []string{r.ID, text(r.Form), r.Item, text(r.Option), strconv.Itoa(int(r.Resp)), rt, date}
		if !slices.Equal(got, c) {
			t.Fatalf("row %d: Parquet %q, CSV %q", i+1, got, c)
		}
		if text(r.Option) == "-" {
			omits++
		}
	}
	if omits == 0 || timed != len(rows) {
		t.Errorf("%d omits, %d timed responses of %d: the log should have both", omits, timed, len(rows))
	}
	if _, _, err := run(t, db, "responses", "export", "--format", "json"); err == nil || !strings.Contains(err.Error(), "writes csv or parquet") {
		t.Errorf("responses export --format json: %v", err)
	}
	if _, _, err := run(t, db, "items", "list", "--format", "parquet"); err == nil || !strings.Contains(err.Error(), "expected table, json or csv") {
		t.Errorf("items list --format parquet: %v", err)
	}
}

// TestResponsesFileAsTheBank calibrates and scores the bank's log straight
// from its CSV export, its Parquet export and a wide matrix of its scores,
// without a bank, and checks each against the bank's own run and scores.
func TestResponsesFileAsTheBank(t *testing.T) {
	db, dir := simulatedBank(t)
	csvFile, pqFile, wideFile := filepath.Join(dir, "export.csv"), filepath.Join(dir, "export.parquet"), filepath.Join(dir, "wide.csv")
	if _, _, err := run(t, db, "responses", "export", "-o", csvFile); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, db, "responses", "export", "--format", "parquet", "-o", pqFile); err != nil {
		t.Fatal(err)
	}
	writeWideScores(t, readCSV(t, csvFile), wideFile)
	type result struct {
		LogLik     float64 `json:"loglik"`
		NExaminees int     `json:"n_examinees"`
		NResponses int     `json:"n_responses"`
		Items      []struct {
			Item string
			A, B float64
		}
	}
	calibrate := func(args ...string) result {
		t.Helper()
		out, _, err := run(t, db, append([]string{"calibrate", "--model", "2pl", "--format", "json"}, args...)...)
		if err != nil {
			t.Fatalf("calibrate %v: %v", args, err)
		}
		var r result
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	want := calibrate()
	if want.NExaminees != 400 || len(want.Items) != 35 {
		t.Fatalf("the bank's run: %d examinees, %d items", want.NExaminees, len(want.Items))
	}
	for _, args := range [][]string{{"--responses", csvFile}, {"--responses", pqFile}, {"--responses", wideFile, "--wide"}} {
		got := calibrate(args...)
		if got.NExaminees != want.NExaminees || got.NResponses != want.NResponses || len(got.Items) != len(want.Items) || math.Abs(got.LogLik-want.LogLik) > 1e-6 {
			t.Fatalf("%v: %d examinees, %d responses, %d items, log-likelihood %.6f; the bank's %d, %d, %d, %.6f", args,
				got.NExaminees, got.NResponses, len(got.Items), got.LogLik, want.NExaminees, want.NResponses, len(want.Items), want.LogLik)
		}
		for i, w := range want.Items {
			if g := got.Items[i]; g.Item != w.Item || math.Abs(g.A-w.A) > 1e-6 || math.Abs(g.B-w.B) > 1e-6 {
				t.Errorf("%v: item %s a = %.6f, b = %.6f; the bank's %s %.6f, %.6f", args, g.Item, g.A, g.B, w.Item, w.A, w.B)
			}
		}
	}
	// Scoring under the run: the file's examinees get the bank's scores.
	wantScores, _, err := run(t, db, "score", "--run", "1", "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--responses", pqFile}, {"--responses", csvFile, "--omit-as-missing=false"}} {
		got, errOut, err := run(t, db, append([]string{"score", "--run", "1", "--format", "csv"}, args...)...)
		if err != nil {
			t.Fatalf("score %v: %v", args, err)
		}
		if !strings.Contains(errOut, "not stored (--responses)") {
			t.Errorf("score %v: stderr %q", args, errOut)
		}
		sameCSV(t, fmt.Sprint(args), got, wantScores, 1e-9)
	}
	for _, c := range []struct{ args, want string }{
		{"calibrate --responses " + csvFile + " --imports 1", "need the bank"},
		{"calibrate --responses " + csvFile + " --name x", "need the bank"},
		{"analyze --responses " + csvFile + " --form F01", "need the bank"},
		{"score --run 1 --responses " + csvFile + " --imports 1", "--imports chooses the bank's responses"},
		{"calibrate --responses " + pqFile + " --wide", "a Parquet file holds the long layout"},
		{"calibrate --responses " + csvFile + " --key A", "ITEM=OPTION"},
	} {
		if _, _, err := run(t, db, strings.Fields(c.args)...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.args, err, c.want)
		}
	}
}

// writeWideScores writes a long export's scores as a wide CSV, one column
// per item, empty where an examinee did not take the item.
func writeWideScores(t *testing.T, recs [][]string, path string) {
	t.Helper()
	var items, exams []string
	score := map[[2]string]string{}
	for _, r := range recs[1:] {
		if !slices.Contains(items, r[2]) {
			items = append(items, r[2])
		}
		if len(exams) == 0 || exams[len(exams)-1] != r[0] {
			exams = append(exams, r[0])
		}
		score[[2]string{r[0], r[2]}] = r[4]
	}
	slices.Sort(items)
	var b strings.Builder
	b.WriteString("examinee," + strings.Join(items, ",") + "\n")
	for _, e := range exams {
		b.WriteString(e)
		for _, it := range items {
			b.WriteString("," + score[[2]string{e, it}])
		}
		b.WriteString("\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// sameCSV reports cells of got that differ from want's, numbers within tol.
func sameCSV(t *testing.T, name, got, want string, tol float64) {
	t.Helper()
	g, err1 := csv.NewReader(strings.NewReader(got)).ReadAll()
	w, err2 := csv.NewReader(strings.NewReader(want)).ReadAll()
	if err1 != nil || err2 != nil || len(g) != len(w) || len(w) < 2 {
		t.Fatalf("%s: %d rows (%v), want %d (%v)", name, len(g), err1, len(w), err2)
	}
	for i := range w {
		for j := range w[i] {
			x, e1 := strconv.ParseFloat(g[i][j], 64)
			y, e2 := strconv.ParseFloat(w[i][j], 64)
			if g[i][j] != w[i][j] && (e1 != nil || e2 != nil || math.Abs(x-y) > tol) {
				t.Fatalf("%s: row %d %q, want %q", name, i, g[i], w[i])
			}
		}
	}
}
