package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/bank/assemble"
)

// calibratedDemo builds a demo bank with a 3PL calibration (run 1) from
// 3,000 simulated examinees.
func calibratedDemo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	db, log := filepath.Join(dir, "p.db"), filepath.Join(dir, "log.csv")
	for _, args := range [][]string{
		{"init", "--demo"},
		{"simulate", "--examinees", "3000", "--model", "3pl", "-o", log},
		{"responses", "import", log},
		{"calibrate", "--model", "3pl"},
	} {
		if _, _, err := run(t, db, args...); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	return db
}

var fixtureBlueprint = filepath.Join("..", "..", "fixtures", "blueprints", "python-fundamentals.json")

func TestAssemble(t *testing.T) {
	db := calibratedDemo(t)
	dir := filepath.Dir(db)

	t.Run("fixture blueprint", func(t *testing.T) {
		out, errOut, err := run(t, db, "assemble", "--run", "1", "--blueprint", fixtureBlueprint, "--format", "json")
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
		}
		if !strings.Contains(errOut, "assembly 1: ") || !strings.Contains(errOut, "largest difference between the forms' characteristic curves") {
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
			Restarts: assemble.DefaultRestarts, Seed: 1}
		if a.Options != want {
			t.Errorf("stored options %+v, want %+v", a.Options, want)
		}
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
		file := filepath.Join(dir, "forms.csv")
		if _, _, err := run(t, db, "forms", "export", "A1-1", "A1-2", "-o", file); err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(file)
		if !bytes.HasPrefix(data, []byte("form,position,anchor,id,domain,subdomain,status,stem,")) || bytes.Count(data, []byte("\nA1-2,")) != 50 {
			t.Errorf("forms export:\n%.300s", data)
		}
		if _, _, err := run(t, db, "forms", "show", "NOPE"); err == nil || !strings.Contains(err.Error(), "not found") {
			t.Errorf("showing a missing form: %v", err)
		}
	})

	t.Run("sample by the heuristic", func(t *testing.T) {
		out, errOut, err := run(t, db, "assemble", "--run", "1", "--blueprint", fixtureBlueprint, "--sample", "--solver", "heuristic", "--format", "csv")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(out, "form,theta,info,se,tcc,tcc_diff\nA2-1,-1,") || strings.Count(out, "\n") != 4 {
			t.Errorf("sample curves:\n%s", out)
		}
		if !strings.Contains(errOut, "1 form(s) of 5 items") || !strings.Contains(errOut, "heuristic") {
			t.Errorf("status:\n%s", errOut)
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
			{[]string{"--blueprint", fixtureBlueprint, "--run", "9"}, "calibration run 9: not found"},
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
