package bank

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
)

// TestDeleteAndRename: deleting an import a run read is refused, naming the
// run; --cascade removes the run, its linking, the run applied from the
// linking and a table built on it, with the import's responses, in one
// transaction; a dry run changes nothing; a form with logged responses is
// kept; names are unique and resolvable.
func TestDeleteAndRename(t *testing.T) {
	ctx := context.Background()
	b := withItems(t, 4)
	imp1, err := b.ImportLong(ctx, "y1.csv", strings.NewReader(longHeader+"E1,F1,IT001,B\nE1,F1,IT002,A\n"), ResponseOptions{Name: "year-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.ImportLong(ctx, "y2.csv", strings.NewReader(longHeader+"E2,F1,IT001,A\nE2,F1,IT002,A\n"), ResponseOptions{}); err != nil {
		t.Fatal(err)
	}
	run := func(name string, inputs ...int64) int64 {
		id, err := b.SaveCalibration(ctx, &Calibration{Name: name, Model: "2pl", D: 1, LatentSD: 1, Source: "em", Inputs: inputs,
			Params: []ParamRow{{Item: "IT001", A: 1}, {Item: "IT002", A: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	r1, r2 := run("y1", imp1.ImportID), run("")
	l := &Linking{From: r2, To: r1, Method: "stocking-lord", A: 1, Items: []LinkItem{{"IT001", true}}}
	if _, err := b.SaveLinking(ctx, l); err != nil {
		t.Fatal(err)
	}
	applied, err := b.SaveCalibration(ctx, &Calibration{Model: "2pl", D: 1, LatentSD: 1, Source: "linked", ParentID: r2,
		Settings: RunSettings{Linked: &LinkedFrom{Linking: l.ID}}, Params: []ParamRow{{Item: "IT001", A: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.SaveConversionTable(ctx, &ConversionTable{Form: "F1", Run: r1, Scale: "passport"}); err != nil {
		t.Fatal(err)
	}
	if id, err := b.Resolve(ctx, KindRun, "y1"); err != nil || id != r1 {
		t.Errorf("run y1 resolves to %d (%v), want %d", id, err, r1)
	}
	if id, err := b.Resolve(ctx, KindImport, "year-1"); err != nil || id != imp1.ImportID {
		t.Errorf("import year-1 resolves to %d (%v)", id, err)
	}
	if err := b.Rename(ctx, KindRun, r2, "y1"); err == nil || !strings.Contains(err.Error(), `run name "y1" is taken by run 1`) {
		t.Errorf("a second run named y1: %v", err)
	}
	if err := b.Rename(ctx, KindRun, r2, "y2"); err != nil {
		t.Fatal(err)
	}

	before := bankFileBytes(t, b)
	_, err = b.Delete(ctx, KindImport, imp1.ImportID, false)
	var de *DependentsError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "import 2 (year-1) is used by run 1 (y1)") {
		t.Fatalf("deleting an import a run read: %v", err)
	}
	b.SetDryRun(true)
	plan, err := b.Delete(ctx, KindImport, imp1.ImportID, true)
	b.SetDryRun(false)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range plan {
		names = append(names, o.String())
	}
	want := "run 3, linking 1, table 1, run 1 (y1), import 2 (year-1)"
	if got := strings.Join(names, ", "); got != want {
		t.Errorf("the cascade would delete %s; want %s", got, want)
	}
	if string(bankFileBytes(t, b)) != string(before) {
		t.Error("a dry run changed the bank")
	}
	if _, err := b.Delete(ctx, KindImport, imp1.ImportID, true); err != nil {
		t.Fatal(err)
	}
	runs, _ := b.Calibrations(ctx)
	ls, _ := b.Linkings(ctx)
	tabs, _ := b.ConversionTables(ctx)
	s, _ := b.Stats(ctx)
	if len(runs) != 1 || runs[0].ID != r2 || len(ls) != 0 || len(tabs) != 0 || s.Responses != 2 || applied != 3 {
		t.Errorf("after the cascade: %d runs, %d linkings, %d tables, %d responses; want run 2 alone, none, none, 2", len(runs), len(ls), len(tabs), s.Responses)
	}
	f, err := b.Resolve(ctx, KindForm, "F1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Delete(ctx, KindForm, f, true); err == nil || !strings.Contains(err.Error(), "has 2 responses logged on it") {
		t.Errorf("deleting a form with responses: %v", err)
	}
}

// bankFileBytes is the bank's file with its write-ahead log.
func bankFileBytes(t *testing.T, b *Bank) []byte {
	t.Helper()
	data, err := os.ReadFile(b.Path())
	if err != nil {
		t.Fatal(err)
	}
	wal, _ := os.ReadFile(b.Path() + "-wal")
	return append(data, wal...)
}
