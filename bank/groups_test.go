package bank

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestImportExaminees(t *testing.T) {
	path := seededBank(t) // examinees E1, E2
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	res, err := b.ImportExaminees(ctx, "people.csv", strings.NewReader("examinee,gender,region,first_language\nE1,f,north,es\nE2,m,,en\nE9,f,south,\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := ExamineesImport{Rows: 3, Attributes: []string{"gender", "region", "first_language"}, New: 1, Set: 7, Empty: 2}
	if !slices.Equal(res.Attributes, want.Attributes) || res.Rows != 3 || res.New != 1 || res.Set != 7 || res.Empty != 2 || res.Changed != 0 {
		t.Errorf("import = %+v, want %+v", res, want)
	}
	g, err := b.ExamineeGroups(ctx, "gender")
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(g, map[string]string{"E1": "f", "E2": "m", "E9": "f"}) {
		t.Errorf("gender = %v", g)
	}
	r, _ := b.ExamineeGroups(ctx, "region")
	if !maps.Equal(r, map[string]string{"E1": "north", "E9": "south"}) {
		t.Errorf("region = %v (an empty cell stores nothing)", r)
	}
	// A second file updates one value, keeps one, adds an attribute.
	res, err = b.ImportExaminees(ctx, "more.csv", strings.NewReader("examinee,region,year\nE1,north,2026\nE2,west,2025\n"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Unchanged != 1 || res.Set != 3 || res.Changed != 0 || res.New != 0 {
		t.Errorf("second import = %+v, want 1 unchanged, 3 set", res)
	}
	res, err = b.ImportExaminees(ctx, "fix.csv", strings.NewReader("examinee,region\nE2,east\n"))
	if err != nil || res.Changed != 1 {
		t.Errorf("changing a value: %+v, %v", res, err)
	}
	counts, err := b.GroupCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantCounts := []GroupCount{{"first_language", "en", 1}, {"first_language", "es", 1}, {"gender", "f", 2}, {"gender", "m", 1},
		{"region", "east", 1}, {"region", "north", 1}, {"region", "south", 1}, {"year", "2025", 1}, {"year", "2026", 1}}
	if !slices.Equal(counts, wantCounts) {
		t.Errorf("counts = %v, want %v", counts, wantCounts)
	}
	if _, err := b.ExamineeGroups(ctx, "country"); err == nil || !strings.Contains(err.Error(), "first_language, gender, region, year") {
		t.Errorf("unknown attribute: %v", err)
	}
}

func TestImportExamineesBadInputLeavesBankUnchanged(t *testing.T) {
	path := seededBank(t)
	{
		b, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.ImportExaminees(context.Background(), "ok.csv", strings.NewReader("examinee,gender\nE1,f\n")); err != nil {
			t.Fatal(err)
		}
		b.Close()
	}
	before := takeSnapshot(t, path)
	for _, c := range []struct {
		name, data string
		line       int
		field, msg string
	}{
		{"no examinee column", "id,gender\nE1,f\n", 1, "examinee", "required column"},
		{"no attribute", "examinee\nE1\n", 1, "", "no attribute column"},
		{"bad attribute name", "examinee,First Language\nE1,es\n", 1, "First Language", "lower-case letter"},
		{"duplicate column", "examinee,gender,gender\nE1,f,f\n", 1, "gender", "appears twice"},
		{"examinee twice", "examinee,gender\nE5,f\nE6,m\nE5,m\n", 4, "examinee", "appears twice (first on line 2)"},
		{"bad examinee id", "examinee,gender\nE5,f\nE 6,m\n", 3, "examinee", "space, comma or quote"},
		{"invisible value", "examinee,gender\nE5,f\u200b\n", 2, "gender", "invisible"},
		{"value too long", "examinee,gender\nE5," + strings.Repeat("x", 65) + "\n", 2, "gender", "at most 64"},
		{"spaces around", "examinee,gender\nE5, f\n", 2, "gender", "spaces around"},
		{"ragged row", "examinee,gender\nE5,f,x\n", 2, "", "row has 3 fields"},
		{"empty", "", 1, "", "empty"},
		{"header only", "examinee,gender\n", 2, "", "no examinees"},
		{"CRLF", "examinee,gender\r\nE5,f\r\n", 1, "", "carriage return"},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			_, err = b.ImportExaminees(context.Background(), "people.csv", strings.NewReader(c.data))
			b.Close()
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v, want an *InputError", err)
			}
			if ie.File != "people.csv" || ie.Line != c.line || ie.Field != c.field || !strings.Contains(ie.Msg, c.msg) {
				t.Errorf("error %q (line %d, field %q), want line %d, field %q, %q", err, ie.Line, ie.Field, c.line, c.field, c.msg)
			}
			after := takeSnapshot(t, path)
			if !maps.Equal(before.counts, after.counts) || string(before.file) != string(after.file) {
				t.Error("the bank changed")
			}
		})
	}
}
