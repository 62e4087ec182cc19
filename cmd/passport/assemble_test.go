package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/bank/assemble"
	"github.com/passportirt/passport/bank/csvsafe"
)

// calibratedDemo builds a demo bank with a 3PL calibration (run 1) from
// 3,000 simulated examinees.
func calibratedDemo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	db, log := filepath.Join(dir, "p.db"), filepath.Join(dir, "log.csv")
	runAll(t, db, [][]string{
		{"init", "--demo"},
		{"simulate", "--examinees", "3000", "--model", "3pl", "-o", log},
		{"responses", "import", log},
		{"calibrate", "--model", "3pl"},
	})
	return db
}

var fixtureBlueprint = filepath.Join("..", "..", "fixtures", "blueprints", "python-fundamentals.json")

func TestAssemble(t *testing.T) {
	db := calibratedDemo(t)
	dir := filepath.Dir(db)

	t.Run("fixture blueprint", func(t *testing.T) {
		out, errOut, err := run(t, db, "assemble", "--run", "1", "--blueprint", fixtureBlueprint, "--versions", "2", "--format", "json")
		if err != nil {
			t.Fatal(err)
		}
		var res struct {
			Assembly  int64
			Solver    string
			Status    string
			Objective float64
			Bound     float64
			Gap       float64
			Forms     []struct {
				Form                                   string
				Items, Anchors                         int
				Semantics, Idioms, Performance, Stdlib int
				Keys                                   string
				LongestKeyRun                          int `json:"longest_key_run"`
			}
			Curves []struct {
				Form string
				Info float64
			}
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if res.Assembly != 1 || len(res.Forms) != 2 || len(res.Curves) != 6 || !(res.Objective > 5) {
			t.Fatalf("assembly %+v", res)
		}
		// A maximin bound is never below the objective, and the gap is
		// theirs, within the default 0.1 % when optimal.
		if d := res.Gap - (res.Bound-res.Objective)/res.Objective; res.Bound < res.Objective || d > 1e-12 || d < -1e-12 ||
			res.Status == "optimal" && res.Gap > 1e-3 {
			t.Errorf("%s: objective %v, bound %v, gap %v", res.Status, res.Objective, res.Bound, res.Gap)
		}
		for _, c := range res.Curves {
			if c.Info < res.Objective*(1-1e-9) { // maximin: every form's information at each θ point is at least the objective
				t.Errorf("form %s: information %.4f below the maximin objective %.4f", c.Form, c.Info, res.Objective)
			}
		}
		for _, f := range res.Forms {
			if f.Items != 50 || f.Anchors != 8 {
				t.Errorf("form %+v", f)
			}
			for _, n := range []int{f.Semantics, f.Idioms, f.Performance, f.Stdlib} {
				if n < 12 || n > 13 {
					t.Errorf("form %s: domain counts outside 12–13: %+v", f.Form, f)
				}
			}
			if !regexp.MustCompile(`^A 1[23], B 1[23], C 1[23], D 1[23]$`).MatchString(f.Keys) || f.LongestKeyRun < 1 || f.LongestKeyRun > 3 {
				t.Errorf("form %s: keys %q, longest run %d; want 12–13 of each letter and runs of at most 3", f.Form, f.Keys, f.LongestKeyRun)
			}
		}
		if !strings.Contains(errOut, "assembly 1: ") || !strings.Contains(errOut, "largest difference between the forms' characteristic curves") ||
			!strings.Contains(errOut, "items in domain order (semantics, idioms, performance, stdlib), at most 3 of one key letter in a row; 2 versions with the options scrambled") {
			t.Errorf("status:\n%s", errOut)
		}
		b, err := bank.Open(db)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		a, err := b.Assembly(context.Background(), 1)
		if err != nil {
			t.Fatal(err)
		}
		want := bank.AssemblyOptions{BlueprintFile: fixtureBlueprint, Solver: "auto", Gap: 1e-3, MaxNodes: defaultMaxNodes,
			Restarts: assemble.DefaultRestarts, Seed: 1, Versions: 2}
		if a.Options != want {
			t.Errorf("stored options %+v, want %+v", a.Options, want)
		}
		checkDelivered(t, b, a)
	})

	t.Run("forms list, show, export", func(t *testing.T) {
		out, _, err := run(t, db, "forms", "list", "--format", "csv")
		if err != nil || !strings.Contains(out, "\nA1-1,assembly,50,1,") || !strings.Contains(out, "\nA1-2,assembly,50,1,") || !strings.Contains(out, "\nF01,log,50,,") {
			t.Errorf("forms list: %v\n%s", err, out)
		}
		out, errOut, err := run(t, db, "forms", "show", "A1-1", "--format", "csv")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if err != nil || lines[0] != "position,item,domain,subdomain,anchor,a,b,c" || len(lines) != 51 {
			t.Errorf("forms show: %v\n%s", err, out)
		}
		if !strings.Contains(out, ",SEM-001,semantics,mutable-defaults,true,") || !strings.Contains(errOut, "assembly 1 ") ||
			!strings.Contains(errOut, "under run 1 (50 of 50 items with parameters): θ -2: I ") || !strings.Contains(errOut, "; θ 2: I ") {
			t.Errorf("forms show lacks the anchor SEM-001, the assembly or the curves:\n%s\n%s", out, errOut)
		}
		checkExport(t, db, dir)
		if _, _, err := run(t, db, "forms", "show", "NOPE"); err == nil || !strings.Contains(err.Error(), "not found") {
			t.Errorf("showing a missing form: %v", err)
		}
	})

	t.Run("sample beside the assembled forms", func(t *testing.T) {
		_, errOut, err := run(t, db, "assemble", "--run", "1", "--blueprint", fixtureBlueprint, "--sample", "--solver", "heuristic")
		m := regexp.MustCompile(`the sample leaves out the (\d+) on live \(assembled\) forms`).FindStringSubmatch(errOut)
		if err != nil || m == nil || m[1] == "0" {
			t.Errorf("a sample beside the assembled forms: %v\n%s", err, errOut)
		}
	})

	t.Run("without CBC", func(t *testing.T) {
		t.Setenv("PATH", dir)
		if _, _, err := run(t, db, "assemble", "--run", "1", "--blueprint", fixtureBlueprint, "--solver", "cbc"); err == nil ||
			!strings.Contains(err.Error(), "apt-get install coinor-cbc") {
			t.Errorf("--solver cbc without cbc: %v", err)
		}
		_, errOut, err := run(t, db, "assemble", "--run", "1", "--blueprint", fixtureBlueprint, "--forms", "3")
		if err != nil || !strings.Contains(errOut, "CBC is not installed") || !strings.Contains(errOut, "3 form(s)") {
			t.Errorf("auto without cbc: %v\n%s", err, errOut)
		}
	})

	t.Run("errors", func(t *testing.T) {
		short := filepath.Join(dir, "short.json")
		os.WriteFile(short, []byte(`{"domains": {"stdlib": {"min": 60}}}`), 0o644)
		typo := filepath.Join(dir, "typo.json")
		os.WriteFile(typo, []byte(`{"domain": {}}`), 0o644)
		for _, tc := range []struct {
			args []string
			want string
		}{
			{[]string{"--blueprint", short}, "domains.stdlib: each form needs at least 60 stdlib items, the pool has"},
			{[]string{"--blueprint", typo}, `typo.json: unknown field "domain"`},
			{[]string{"--blueprint", filepath.Join(dir, "none.json")}, "no such file"},
			{[]string{"--blueprint", fixtureBlueprint, "--solver", "best"}, `--solver "best"`},
			{[]string{"--blueprint", fixtureBlueprint, "--run", "9"}, `run "9": not found; see passport calibrations list`},
			{[]string{"--blueprint", fixtureBlueprint, "--max-nodes", "-1"}, "--max-nodes -1: expected"},
			{[]string{"--blueprint", fixtureBlueprint, "--restarts", "0"}, "--restarts 0: expected at least 1"},
		} {
			args := append([]string{"assemble", "--run", "1"}, tc.args...)
			if _, _, err := run(t, db, args...); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
			}
		}
	})
}

// checkDelivered checks, independently of the assembler, that every
// version of a's forms keeps 12–13 items of each key letter and runs of
// at most 3 (the fixture blueprint's rules), and that each version's
// option orders deliver every item's key under the letter stored.
func checkDelivered(t *testing.T, b *bank.Bank, a *bank.Assembly) {
	t.Helper()
	ctx := context.Background()
	items, err := b.Items(ctx, bank.ItemFilter{})
	if err != nil {
		t.Fatal(err)
	}
	key := map[string]string{}
	for _, it := range items {
		key[it.Code] = it.KeyLetter()
	}
	for _, f := range a.Forms {
		if f.VersionCount != 2 {
			t.Errorf("form %s: %d versions, want 2", f.Code, f.VersionCount)
		}
		for v := 0; v <= 2; v++ {
			keys := make([]string, len(f.Items))
			for j, fi := range f.Items {
				keys[j] = key[fi.Item]
			}
			if v > 0 {
				ver, err := b.FormVersion(ctx, f.Code, v)
				if err != nil {
					t.Fatal(err)
				}
				for j, vi := range ver.Items {
					if vi.Item != f.Items[j].Item || string(vi.Options[vi.Key[0]-'A']) != key[vi.Item] {
						t.Fatalf("form %s version %d position %d: %+v does not map back to %s keyed %s", f.Code, v, j+1, vi, f.Items[j].Item, key[f.Items[j].Item])
					}
					keys[j] = vi.Key
				}
			}
			counts, run, longest := map[string]int{}, 0, 0
			for j, k := range keys {
				counts[k]++
				if j > 0 && k == keys[j-1] {
					run++
				} else {
					run = 1
				}
				longest = max(longest, run)
			}
			if longest > 3 || len(counts) != 4 {
				t.Errorf("form %s version %d: longest run %d, letters %v", f.Code, v, longest, counts)
			}
			for l, n := range counts {
				if n < 12 || n > 13 {
					t.Errorf("form %s version %d: %d items keyed %s, want 12–13", f.Code, v, n, l)
				}
			}
		}
	}
}

// checkExport exports form A1-1 of the fixture assembly in each format and
// version, and checks the answer key against the form.
func checkExport(t *testing.T, db, dir string) {
	t.Helper()
	b, err := bank.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	items, err := b.Items(context.Background(), bank.ItemFilter{})
	b.Close()
	if err != nil {
		t.Fatal(err)
	}
	keyText := map[string]string{} // item → its key option's text
	for _, it := range items {
		if it.Key > 0 {
			keyText[it.Code] = it.Options[it.Key-1]
		}
	}
	read := func(name string) [][]string {
		f, err := os.Open(name)
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
	var first [][]string
	for v := range 3 {
		file := filepath.Join(dir, fmt.Sprintf("form-v%d.csv", v))
		if _, _, err := run(t, db, "forms", "export", "A1-1", "--version", strconv.Itoa(v), "-o", file); err != nil {
			t.Fatal(err)
		}
		form, keys := read(file), read(strings.TrimSuffix(file, ".csv")+".key.csv")
		if strings.Join(form[0], ",") != "position,item,stem,option_a,option_b,option_c,option_d,option_e" || len(form) != 51 ||
			strings.Join(keys[0], ",") != "position,item,key" || len(keys) != 51 {
			t.Fatalf("version %d: form header %v (%d rows), key header %v (%d rows)", v, form[0], len(form), keys[0], len(keys))
		}
		for j := 1; j <= 50; j++ {
			pos, item, letter := keys[j][0], keys[j][1], keys[j][2]
			if form[j][0] != pos || form[j][1] != item || len(letter) != 1 {
				t.Fatalf("version %d row %d: form %v, key %v", v, j, form[j][:2], keys[j])
			}
			if got := csvsafe.Unguard(form[j][3+int(letter[0]-'A')]); got != keyText[item] {
				t.Errorf("version %d, %s: option %s is %q, its key is %q", v, item, letter, got, keyText[item])
			}
		}
		if v == 0 {
			first = form
		} else if reflect.DeepEqual(form, first) {
			t.Errorf("version %d delivers the options as written", v)
		}
	}
	file := filepath.Join(dir, "form.json")
	if _, _, err := run(t, db, "forms", "export", "A1-1", "--version", "1", "--format", "json", "-o", file, "--key-out", filepath.Join(dir, "answers.json")); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(file)
	var form struct {
		Form    string
		Version int
		Items   []struct {
			Position int
			Item     string
			Options  []struct{ Letter, Text string }
		}
	}
	if err := json.Unmarshal(data, &form); err != nil || form.Form != "A1-1" || form.Version != 1 || len(form.Items) != 50 ||
		len(form.Items[0].Options) != 4 || form.Items[0].Options[3].Letter != "D" || bytes.Contains(data, []byte(`"key"`)) {
		t.Errorf("JSON form (%v):\n%.400s", err, data)
	}
	keys, _ := os.ReadFile(filepath.Join(dir, "answers.json"))
	if !bytes.HasPrefix(keys, []byte("[\n  {\n    \"position\": 1,\n    \"item\": ")) || bytes.Count(keys, []byte(`"key": "`)) != 50 {
		t.Errorf("JSON key:\n%.200s", keys)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"A1-1"}, "the answer key goes to a file of its own"},
		{[]string{"A1-1", "-o", file, "--key-out", file}, "the answer key would overwrite the form"},
		{[]string{"A1-1", "--version", "3", "-o", file}, "form A1-1: version 3: not found; it has versions 0 (the options as written) to 2"},
		{[]string{"F01", "--version", "1", "-o", file}, "form F01: version 1: not found; it has only version 0"},
		{[]string{"A1-1", "--format", "table", "-o", file}, "--format table: this command writes csv or json"},
		{[]string{"A1-1", "A1-2", "-o", file}, "accepts 1 arg(s)"},
	} {
		if _, _, err := run(t, db, append([]string{"forms", "export"}, tc.args...)...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("forms export %v: %v, want %q", tc.args, err, tc.want)
		}
	}
}

// TestAssembleSample: the sample is drawn from items on no live form and
// in no enemy group with one. A bank whose log covers only some of its
// items (five forms of 40 items and 10 anchors), with parameters for all
// of them from elsewhere (the simulation's true ones), has such items.
func TestAssembleSample(t *testing.T) {
	dir := t.TempDir()
	db, log, truth := filepath.Join(dir, "p.db"), filepath.Join(dir, "log.csv"), filepath.Join(dir, "truth.csv")
	runAll(t, db, [][]string{
		{"init", "--demo"},
		{"simulate", "--examinees", "500", "--forms", "5", "--model", "3pl", "-o", log, "--truth", truth},
		{"responses", "import", log},
		{"calibrations", "import", truth, "--model", "3pl"},
		{"assemble", "--run", "1", "--blueprint", fixtureBlueprint, "--solver", "heuristic", "--restarts", "5"},
		{"assemble", "--run", "1", "--blueprint", fixtureBlueprint, "--sample", "--solver", "heuristic", "--versions", "1"},
	})
	ctx := context.Background()
	b, err := bank.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	forms, err := b.Forms(ctx)
	if err != nil {
		t.Fatal(err)
	}
	items, err := b.Items(ctx, bank.ItemFilter{})
	if err != nil {
		t.Fatal(err)
	}
	enemy := map[string]string{"PRF-044": "blueprint", "PRF-047": "blueprint"} // the fixture's enemy group
	for _, it := range items {
		if it.EnemyGroup != "" {
			enemy[it.Code] = it.EnemyGroup
		}
	}
	liveItems, liveGroups := map[string]bool{}, map[string]bool{}
	var sample *bank.Form
	for _, f := range forms {
		full, err := b.Form(ctx, f.Code)
		if err != nil {
			t.Fatal(err)
		}
		if f.Code == "A2-1" {
			sample = full
			continue
		}
		if f.Origin != "assembly" {
			continue // a past administration, not a live form
		}
		for _, fi := range full.Items {
			liveItems[fi.Item] = true
			if g := enemy[fi.Item]; g != "" {
				liveGroups[g] = true
			}
		}
	}
	if sample == nil || sample.Length != 5 || sample.VersionCount != 1 || len(liveItems) < 50 || len(liveItems) > 100 {
		t.Fatalf("sample %+v; %d live items, want a 5-item sample beside the 50–100 of the assembled forms", sample, len(liveItems))
	}
	for _, fi := range sample.Items {
		if liveItems[fi.Item] || liveGroups[enemy[fi.Item]] {
			t.Errorf("sample item %s is on a live form or in an enemy group (%q) with a live item", fi.Item, enemy[fi.Item])
		}
	}
}

func TestStatusText(t *testing.T) {
	for _, tc := range []struct {
		status         string
		gap, tolerance float64
		want           string
	}{
		{"optimal", 0, 1e-3, "optimal (proven)"},
		{"optimal", 4e-4, 1e-3, "optimal within the 0.10% gap tolerance"},
		{"feasible", 2.4e-3, 1e-3, "feasible, the gap above the 0.10% tolerance"},
		{"heuristic", 8.8e-3, 1e-3, "not proven optimal, with a Lagrangian bound"},
	} {
		if got := statusText(tc.status, tc.gap, tc.tolerance); got != tc.want {
			t.Errorf("statusText(%q, %g, %g) = %q, want %q", tc.status, tc.gap, tc.tolerance, got, tc.want)
		}
	}
}
