package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// logRows reads a long log's rows of item (examinee, option, score).
func logRows(t *testing.T, file, item string) [][]string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	var out [][]string
	for _, r := range recs[1:] {
		if r[col["item"]] == item {
			out = append(out, []string{r[col["examinee"]], r[col["option"]], r[col["score"]]})
		}
	}
	return out
}

// smallBank is a demo bank with a simulated 2PL log of 400 examinees on 2
// forms (import 5); it returns the bank and the log.
func smallBank(t *testing.T) (string, string) {
	t.Helper()
	dir := t.TempDir()
	db, log := filepath.Join(dir, "p.db"), filepath.Join(dir, "y1.csv")
	runAll(t, db, [][]string{
		{"init", "--demo"},
		{"simulate", "--examinees", "400", "--forms", "2", "--model", "2pl", "--omit-rate", "0.02", "--seed", "3", "-o", log},
		{"responses", "import", log},
	})
	return db, log
}

// firstItem is form F01's first item (an anchor) and its key.
func firstItem(t *testing.T, db string) (string, string) {
	t.Helper()
	out, _, err := run(t, db, "forms", "show", "F01", "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	code := strings.Split(strings.Split(out, "\n")[1], ",")[1]
	out, _, err = run(t, db, "items", "show", code, "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var it struct{ Key string }
	if err := json.Unmarshal([]byte(out), &it); err != nil {
		t.Fatal(err)
	}
	return code, it.Key
}

// TestItemsRekey: a rekey rescores exactly the responses the log says it
// should (counted here from the log itself), refuses bad input leaving the
// bank's bytes as they were, and the analyses then say which key they
// score with; a run calibrated before the rekey is named as stale.
func TestItemsRekey(t *testing.T) {
	db, log := smallBank(t)
	item, key := firstItem(t, db)
	if _, _, err := run(t, db, "calibrate", "--model", "2pl", "--prior-a", "0,0.5", "-q"); err != nil {
		t.Fatal(err)
	}
	before := bankBytes(t, db)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"items", "rekey", "NOPE", "--key", "A", "--reason", "r"}, "not found"},
		{[]string{"items", "rekey", item, "--key", "F", "--reason", "r"}, "is not one of item " + item + "'s options"},
		{[]string{"items", "rekey", item, "--key", key, "--reason", "r"}, "already keyed " + key},
		{[]string{"items", "rekey", item, "--key", "B"}, `required flag(s) "reason" not set`},
		{[]string{"items", "rekey", item, "--key", "B", "--reason", " "}, "--reason: expected why the key changes"},
	} {
		_, _, err := run(t, db, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
	if !bytes.Equal(before, bankBytes(t, db)) {
		t.Fatal("a refused rekey changed the bank")
	}

	// The expected changes, from the log: under the new key the old key's
	// choosers lose their point and the new key's gain one; omits stay.
	wrong := "A"
	if key == "A" {
		wrong = "B"
	}
	var toRight, toWrong, omitted, rescored int
	for _, r := range logRows(t, log, item) {
		switch r[1] {
		case "-":
			omitted++
			continue
		case key:
			toWrong++
		case wrong:
			toRight++
		}
		rescored++
	}
	// --dry-run reports the same counts and stores nothing.
	before = bankBytes(t, db)
	dry, _, err := run(t, db, "items", "rekey", item, "--key", wrong, "--reason", "a dry run", "--dry-run", "--format", "json")
	if err != nil || !strings.Contains(dry, `"changed": `+strconv.Itoa(toRight+toWrong)) {
		t.Errorf("rekey --dry-run: %v\n%s", err, dry)
	}
	if !bytes.Equal(before, bankBytes(t, db)) {
		t.Error("rekey --dry-run changed the bank")
	}
	out, errOut, err := run(t, db, "items", "rekey", item, "--key", strings.ToLower(wrong), "--reason", "test: the key was mistyped", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Item, From, To                                 string
		Version, Rescored, Changed                     int
		WrongToRight, RightToWrong, Omitted, ScoreOnly int
		Runs                                           []int64
	}
	dec := json.NewDecoder(strings.NewReader(strings.NewReplacer("wrong_to_right", "WrongToRight", "right_to_wrong", "RightToWrong", "score_only", "ScoreOnly").Replace(out)))
	if err := dec.Decode(&res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if res.Item != item || res.From != key || res.To != wrong || res.Version != 2 || res.Rescored != rescored || res.WrongToRight != toRight ||
		res.RightToWrong != toWrong || res.Changed != toRight+toWrong || res.Omitted != omitted || res.ScoreOnly != 0 || !slices.Equal(res.Runs, []int64{1}) {
		t.Errorf("rekey %s %s → %s: %+v; from the log: %d rescored, %d wrong → right, %d right → wrong, %d omitted",
			item, key, wrong, res, rescored, toRight, toWrong, omitted)
	}
	if !strings.Contains(errOut, "calibrate again") {
		t.Errorf("rekey does not name the stale runs:\n%s", errOut)
	}

	_, errOut, err = run(t, db, "analyze")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"scored with key versions: 1 item rekeyed since import (" + item + " v2)", "miskey: " + item + " — option " + key} {
		if !strings.Contains(errOut, want) {
			t.Errorf("analyze's status lacks %q:\n%s", want, errOut)
		}
	}
	_, errOut, err = run(t, db, "fit", "--run", "1")
	if err != nil {
		t.Fatal(err)
	}
	if want := "warning: run 1 was calibrated with older keys of " + item + " v1 (the bank has v2)"; !strings.Contains(errOut, want) {
		t.Errorf("fit of a run older than the rekey lacks %q:\n%s", want, errOut)
	}

	// A run records its key versions; --exclude leaves an item out without
	// touching the bank; an unknown item to exclude is refused.
	out, errOut, err = run(t, db, "calibrate", "--model", "2pl", "--prior-a", "0,0.5", "--exclude", item, "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var runJSON struct {
		Settings struct {
			Exclude     []string       `json:"exclude"`
			KeyVersions map[string]int `json:"key_versions"`
		}
		Items []struct{ Item string }
	}
	if err := json.Unmarshal([]byte(out), &runJSON); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(runJSON.Settings.Exclude, []string{item}) || len(runJSON.Items) < 50 || len(runJSON.Settings.KeyVersions) != len(runJSON.Items) {
		t.Errorf("run 2: exclude %v, %d items, %d key versions", runJSON.Settings.Exclude, len(runJSON.Items), len(runJSON.Settings.KeyVersions))
	}
	for _, it := range runJSON.Items {
		if it.Item == item {
			t.Errorf("%s was calibrated despite --exclude", item)
		}
		if runJSON.Settings.KeyVersions[it.Item] != 1 {
			t.Errorf("run 2 records key version %d of %s, want 1", runJSON.Settings.KeyVersions[it.Item], it.Item)
		}
	}
	if !strings.Contains(errOut, "left out: "+item+" (--exclude)") {
		t.Errorf("calibrate --exclude does not say so:\n%s", errOut)
	}
	out, _, err = run(t, db, "calibrations", "show", "1", "--format", "json")
	if err != nil || !strings.Contains(out, `"`+item+`": 1`) {
		t.Errorf("run 1 does not record key version 1 of %s: %v", item, err)
	}
	before = bankBytes(t, db)
	if _, _, err := run(t, db, "calibrate", "--exclude", "NOPE"); err == nil || !strings.Contains(err.Error(), "NOPE") {
		t.Errorf("--exclude NOPE: %v", err)
	}
	if !bytes.Equal(before, bankBytes(t, db)) {
		t.Error("a refused calibration changed the bank")
	}
}
