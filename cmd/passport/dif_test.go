package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDIFCommand simulates a focal group, 0.3 SD less able, for whom two
// items are 0.6 harder (DIF), imports the log and the groups, calibrates
// the 2PL and runs passport dif: Mantel–Haenszel and logistic regression
// flag the two items and at most one of the 28 others.
func TestDIFCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	log, groups := filepath.Join(dir, "log.csv"), filepath.Join(dir, "groups.csv")
	sim := []string{"simulate", "--seed", "4", "--examinees", "4000", "--forms", "1", "--form-length", "30", "--anchors", "0", "--model", "2pl"}
	runAll(t, db, [][]string{{"init", "--demo"}, append(slices.Clone(sim), "-o", log)})
	// The form does not depend on the draws: a first log names its items.
	f, err := os.Open(log)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	difItems := []string{recs[4][2], recs[13][2]} // the first examinee's 4th and 13th items
	runAll(t, db, [][]string{
		append(slices.Clone(sim), "-o", log, "--focal-share", "0.4", "--focal-mean", "-0.3",
			"--dif", difItems[0]+"=0.6,"+difItems[1]+"=0.6", "--groups", groups),
		{"responses", "import", log},
		{"examinees", "import", groups},
		{"calibrate", "--model", "2pl"},
	})
	out, _, err := run(t, db, "examinees", "groups", "--format", "json")
	if err != nil || !strings.Contains(out, `"value": "focal"`) {
		t.Fatalf("examinees groups: %v\n%s", err, out)
	}
	for _, method := range []string{"mh", "lr"} {
		out, stderr, err := run(t, db, "dif", "--run", "1", "--group", "group", "--focal", "focal", "--method", method, "--purify", "--format", "json")
		if err != nil {
			t.Fatalf("dif --method %s: %v\n%s", method, err, stderr)
		}
		var rows []struct {
			Item   string `json:"item"`
			NFocal int    `json:"n_focal"`
			DIF    bool   `json:"dif"`
			Class  string `json:"class"`
		}
		if err := json.Unmarshal([]byte(out), &rows); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		var flagged []string
		for _, r := range rows {
			if r.DIF {
				flagged = append(flagged, r.Item)
			}
		}
		for _, it := range difItems {
			if !slices.Contains(flagged, it) {
				t.Errorf("%s: item %s with DIF not flagged (flagged: %v)", method, it, flagged)
			}
		}
		if len(flagged) > 3 {
			t.Errorf("%s flags %v: more than the two and one by chance", method, flagged)
		}
		if len(rows) != 30 || rows[0].NFocal < 1400 {
			t.Errorf("%s: %d rows, %d focal examinees on item 1", method, len(rows), rows[0].NFocal)
		}
		if !strings.Contains(stderr, "dif: ") {
			t.Errorf("no dif status line:\n%s", stderr)
		}
	}
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--group", "region", "--focal", "north"}, `no examinee has an attribute "region"; the bank's attributes: group`},
		{[]string{"--group", "group", "--focal", "blue"}, `no examinee has the value "blue"; the values: focal, reference`},
		{[]string{"--group", "group", "--focal", "focal", "--method", "sib"}, `--method "sib"`},
	} {
		_, _, err := run(t, db, append([]string{"dif", "--run", "1"}, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("dif %v: %v, want %q", c.args, err, c.msg)
		}
	}
}
