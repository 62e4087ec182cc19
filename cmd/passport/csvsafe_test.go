package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCSVSafeToOpen: items whose texts start as formulas come out of
// `items export` and `items list --format csv` guarded with a quote, and
// the export imports into a fresh bank and exports to the same bytes.
func TestCSVSafeToOpen(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("id,domain,status,stem,option_a,option_b,key,enemy_group\n"+
		"@X1,stdlib,draft,\"=HYPERLINK(\"\"http://evil.example/\"\")\",-0.5,-1+2,A,+g\n"), 0o644)
	one, two := filepath.Join(dir, "one.db"), filepath.Join(dir, "two.db")
	exp1, exp2 := filepath.Join(dir, "export1.csv"), filepath.Join(dir, "export2.csv")
	for _, db := range []string{one, two} {
		if _, _, err := run(t, db, "init"); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := run(t, one, "items", "import", in); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, one, "items", "export", "-o", exp1); err != nil {
		t.Fatal(err)
	}
	listed, _, err := run(t, one, "items", "list", "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(exp1)
	for name, text := range map[string]string{"items export": string(data), "items list --format csv": listed} {
		recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
		if err != nil || len(recs) != 2 {
			t.Fatalf("%s: %v\n%s", name, err, text)
		}
		row := strings.Join(recs[1], "|")
		for _, want := range []string{"'@X1", `'=HYPERLINK("http://evil.example/")`, "'+g"} {
			if !strings.Contains(row, want) {
				t.Errorf("%s: row %q lacks %q", name, row, want)
			}
		}
	}
	if !strings.Contains(string(data), ",-0.5,'-1+2,") {
		t.Errorf("items export: the options are not -0.5 (a number) and '-1+2 (guarded):\n%s", data)
	}
	if _, _, err := run(t, two, "items", "import", exp1); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, two, "items", "export", "-o", exp2); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(exp2); string(again) != string(data) {
		t.Errorf("the export of the re-imported export differs:\n%s\n---\n%s", data, again)
	}
}
