package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// splitCSV deals the data rows of a CSV file into k files by the value of
// column col (examinee by examinee for a long file; row by row with col
// −1), keeping the header, and returns their paths.
func splitCSV(t *testing.T, file string, k, col int) []string {
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
	shard := map[string]int{}
	out := make([][][]string, k)
	for r, rec := range recs[1:] {
		key := fmt.Sprint(r)
		if col >= 0 {
			key = rec[col]
		}
		if _, ok := shard[key]; !ok {
			shard[key] = len(shard) % k
		}
		out[shard[key]] = append(out[shard[key]], rec)
	}
	var paths []string
	for s, rows := range out {
		p := filepath.Join(t.TempDir(), fmt.Sprintf("part%d.csv", s))
		g, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		w := csv.NewWriter(g)
		if err := w.WriteAll(append([][]string{recs[0]}, rows...)); err != nil {
			t.Fatal(err)
		}
		g.Close()
		paths = append(paths, p)
	}
	return paths
}

// shardState is the part of a state file the tests read.
type shardState struct {
	Stage  string  `json:"stage"`
	LogLik float64 `json:"loglik"`
	Cycles int     `json:"cycles"`
}

// shardLoop runs a sharded calibration with the commands, as
// scripts/shard-calibrate.sh does: init with initArgs, then rounds of an
// estep per shard (with estepArgs) and an mstep until the state is done.
// It returns the final state and the last mstep's stdout.
func shardLoop(t *testing.T, shards []string, initArgs, estepArgs []string) (shardState, string) {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "unused.db")
	state := filepath.Join(dir, "state.json")
	if _, _, err := run(t, db, append([]string{"calibrate", "shard", "init", "-o", state}, initArgs...)...); err != nil {
		t.Fatal(err)
	}
	var st shardState
	var out string
	for round := 0; st.Stage != "done"; round++ {
		if round > 500 {
			t.Fatal("no end after 500 rounds")
		}
		counts := []string{"calibrate", "shard", "mstep", "-o", state, "--format", "json"}
		for k, s := range shards {
			c := filepath.Join(dir, fmt.Sprintf("counts-%d.json", k))
			if _, _, err := run(t, db, append([]string{"calibrate", "shard", "estep", "--params", state, "--data", s, "-o", c, "--threads", "1"}, estepArgs...)...); err != nil {
				t.Fatal(err)
			}
			counts = append(counts, c)
		}
		var err error
		if out, _, err = run(t, db, counts...); err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(state)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &st); err != nil {
			t.Fatal(err)
		}
	}
	return st, out
}

// paramsByItem reads the items of calibrate's or mstep's JSON output.
func paramsByItem(t *testing.T, out string) map[string][3]float64 {
	t.Helper()
	var rows []struct {
		Item    string
		A, B, C float64
	}
	var run struct {
		Items *[]struct {
			Item    string
			A, B, C float64
		}
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		run.Items = &rows
		if err := json.Unmarshal([]byte(out), &run); err != nil {
			t.Fatalf("%v\n%.300s", err, out)
		}
	}
	m := map[string][3]float64{}
	for _, r := range rows {
		m[r.Item] = [3]float64{r.A, r.B, r.C}
	}
	return m
}

// compareParams fails unless got and want hold the same items with
// parameters within 1e-9; it returns the largest difference.
func compareParams(t *testing.T, got, want map[string][3]float64) float64 {
	t.Helper()
	if len(got) != len(want) || len(want) == 0 {
		t.Fatalf("%d items, calibrate %d", len(got), len(want))
	}
	var d float64
	for item, w := range want {
		g, ok := got[item]
		if !ok {
			t.Fatalf("item %s missing", item)
		}
		for j := range 3 {
			d = max(d, math.Abs(g[j]-w[j]))
		}
	}
	if d > 1e-9 {
		t.Errorf("parameters differ from calibrate's by up to %.3g; want ≤ 1e-9", d)
	}
	return d
}

// A sharded calibration of LSAT7 in 3 wide files equals calibrate
// --responses on the whole file: parameters and log-likelihood to 1e-9.
func TestShardWideMatchesCalibrate(t *testing.T) {
	file := lsat7Wide(t)
	out, _, err := run(t, filepath.Join(t.TempDir(), "unused.db"), "calibrate", "--responses", file, "--wide", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var whole struct {
		LogLik float64 `json:"loglik"`
		Cycles int     `json:"cycles"`
	}
	if err := json.Unmarshal([]byte(out), &whole); err != nil {
		t.Fatal(err)
	}
	st, got := shardLoop(t, splitCSV(t, file, 3, -1), []string{"--model", "2pl"}, []string{"--wide"})
	d := compareParams(t, paramsByItem(t, got), paramsByItem(t, out))
	t.Logf("LSAT7, 3 shards: %d cycles (calibrate %d), parameters |Δ| ≤ %.2g, log-likelihood %.6f, |Δ| %.2g",
		st.Cycles, whole.Cycles, d, st.LogLik, math.Abs(st.LogLik-whole.LogLik))
	if st.Cycles != whole.Cycles || math.Abs(st.LogLik-whole.LogLik) > 1e-9 {
		t.Errorf("%d cycles, log-likelihood %.10f; calibrate: %d, %.10f", st.Cycles, st.LogLik, whole.Cycles, whole.LogLik)
	}
}

// A bank's response log, exported long and split by examinee into 2
// shards, calibrates as calibrate does on the bank, with the items file
// of items export for the keys.
func TestShardLongMatchesBank(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "p.db")
	if _, _, err := run(t, db, "init", "--demo"); err != nil {
		t.Fatal(err)
	}
	log, items := filepath.Join(dir, "log.csv"), filepath.Join(dir, "items.csv")
	if _, _, err := run(t, db, "simulate", "--examinees", "1200", "--forms", "4", "--form-length", "20", "--anchors", "5", "--model", "2pl", "--seed", "3", "-o", log); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, db, "responses", "import", log); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, db, "items", "export", "-o", items); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, db, "--dry-run", "calibrate", "--model", "2pl", "--no-accel", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var whole struct {
		LogLik float64 `json:"loglik"`
	}
	if err := json.Unmarshal([]byte(out), &whole); err != nil {
		t.Fatal(err)
	}
	st, got := shardLoop(t, splitCSV(t, log, 2, 0), []string{"--model", "2pl", "--no-accel"}, []string{"--long", "--items", items})
	d := compareParams(t, paramsByItem(t, got), paramsByItem(t, out))
	t.Logf("long, 2 shards: %d cycles, parameters |Δ| ≤ %.2g, log-likelihood |Δ| %.2g", st.Cycles, d, math.Abs(st.LogLik-whole.LogLik))
	if math.Abs(st.LogLik-whole.LogLik) > 1e-9 {
		t.Errorf("log-likelihood %.10f; calibrate %.10f", st.LogLik, whole.LogLik)
	}
}

// The commands refuse what does not fit, saying what to do.
func TestShardCommandErrors(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "unused.db")
	file := lsat7Wide(t)
	state := filepath.Join(dir, "state.json")
	if _, _, err := run(t, db, "calibrate", "shard", "init", "-o", state); err != nil {
		t.Fatal(err)
	}
	parts := splitCSV(t, file, 2, -1)
	count := func(args ...string) string {
		c := filepath.Join(t.TempDir(), "c.json")
		if _, _, err := run(t, db, append([]string{"calibrate", "shard", "estep", "--params", state, "--wide", "-o", c}, args...)...); err != nil {
			t.Fatal(err)
		}
		return c
	}
	c0, c1 := count("--data", parts[0]), count("--data", parts[1])
	next := filepath.Join(dir, "next.json")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"estep", "--params", state, "--data", parts[0]}, "--wide or --long"},
		{[]string{"estep", "--params", state, "--data", parts[0], "--long"}, "--items"},
		{[]string{"estep", "--params", c0, "--data", parts[0], "--wide"}, "not a passport-shard-state file"},
		{[]string{"mstep", c0, c1}, "-o STATE.json"},
		{[]string{"mstep", c0, c0, "-o", next}, "given twice"},
		{[]string{"mstep", state, "-o", next}, "not a passport-shard-counts file"},
	} {
		_, _, err := run(t, db, append([]string{"calibrate", "shard"}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one saying %q", tc.args, err, tc.want)
		}
	}
	// After the start, every shard must come, unchanged.
	if _, _, err := run(t, db, "calibrate", "shard", "mstep", c0, c1, "-o", state); err != nil {
		t.Fatal(err)
	}
	c0 = count("--data", parts[0])
	if _, _, err := run(t, db, "calibrate", "shard", "mstep", c0, "-o", next); err == nil || !strings.Contains(err.Error(), "part1.csv are missing") {
		t.Errorf("a missing shard: error %v", err)
	}
	changed := count("--data", parts[0], "--shard", "part1.csv")
	if _, _, err := run(t, db, "calibrate", "shard", "mstep", c0, changed, "-o", next); err == nil || !strings.Contains(err.Error(), "data changed") {
		t.Errorf("a changed shard: error %v", err)
	}
}

// --cache keeps the shard as read: a second round reads it and gives the
// same counts to the bit; a changed shard file is read again, and the
// M-step sees that its data changed.
func TestShardCache(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "unused.db")
	state, cache := filepath.Join(dir, "state.json"), filepath.Join(dir, "part.gob")
	parts := splitCSV(t, lsat7Wide(t), 2, -1)
	if _, _, err := run(t, db, "calibrate", "shard", "init", "-o", state); err != nil {
		t.Fatal(err)
	}
	estep := func(k int, args ...string) string {
		t.Helper()
		c := filepath.Join(t.TempDir(), "c.json")
		if _, _, err := run(t, db, append([]string{"calibrate", "shard", "estep", "--params", state, "--wide", "--data", parts[k], "-o", c}, args...)...); err != nil {
			t.Fatal(err)
		}
		return c
	}
	if _, _, err := run(t, db, "calibrate", "shard", "mstep", estep(0), estep(1), "-o", state); err != nil {
		t.Fatal(err)
	}
	plain, first, second := estep(0), estep(0, "--cache", cache), estep(0, "--cache", cache)
	for _, c := range []string{first, second} {
		if a, b := readFile(t, plain), readFile(t, c); a != b {
			t.Errorf("counts through --cache differ from the CSV's")
		}
	}
	// Drop the shard's last examinee: the cache is stale, the data changed.
	raw := readFile(t, parts[0])
	if err := os.WriteFile(parts[0], []byte(raw[:strings.LastIndex(strings.TrimSuffix(raw, "\n"), "\n")+1]), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := run(t, db, "calibrate", "shard", "mstep", estep(0, "--cache", cache), estep(1), "-o", filepath.Join(dir, "next.json"))
	if err == nil || !strings.Contains(err.Error(), "data changed") {
		t.Errorf("a changed shard behind a cache: error %v", err)
	}
}

func readFile(t *testing.T, file string) string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
