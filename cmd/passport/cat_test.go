package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var fixtureCAT = filepath.Join("..", "..", "fixtures", "cat")

func TestCatSimulate(t *testing.T) {
	db := calibratedDemo(t)
	dir := filepath.Dir(db)
	type result struct {
		Study  int64
		Config struct{ Stop struct{ Cuts []float64 } }
		Result struct {
			Simulees   int
			RMSE       float64
			MeanLength float64 `json:"mean_length"`
			Deciles    []struct{ N int }
			Exposure   struct {
				MaxBySegment []float64 `json:"max_by_segment"`
			}
		}
	}
	sim := func(args ...string) result {
		t.Helper()
		out, errOut, err := run(t, db, append([]string{"cat", "simulate", "--run", "1", "--format", "json"}, args...)...)
		if err != nil {
			t.Fatalf("%v\n%s", err, errOut)
		}
		var r result
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		return r
	}
	plots := filepath.Join(dir, "plots")
	a := sim("--config", filepath.Join(fixtureCAT, "practice.json"), "--simulees", "40", "--seed", "7", "--plots", plots)
	b := sim("--config", filepath.Join(fixtureCAT, "practice.json"), "--simulees", "40", "--seed", "7")
	if a.Result.Simulees != 40 || a.Result.MeanLength != 20 || len(a.Result.Deciles) != 10 || len(a.Result.Exposure.MaxBySegment) != 5 {
		t.Errorf("study: %+v", a.Result)
	}
	// practice.json's cut 625 on the passport scale, θ = (625 − 575)/(550/6).
	if c := a.Config.Stop.Cuts; len(c) != 1 || c[0] < 0.5454 || c[0] > 0.5455 {
		t.Errorf("cut on θ: %v, want 0.5454…", c)
	}
	if a.Result.RMSE != b.Result.RMSE || a.Study == b.Study {
		t.Errorf("same seed: RMSE %v and %v, studies %d and %d", a.Result.RMSE, b.Result.RMSE, a.Study, b.Study)
	}
	for _, f := range []string{"cat-recovery.png", "cat-exposure.svg"} {
		if _, err := os.Stat(filepath.Join(plots, f)); err != nil {
			t.Error(err)
		}
	}
	thetas := filepath.Join(dir, "thetas.txt")
	os.WriteFile(thetas, []byte("theta\n-1\n0\n1.5\n"), 0o644)
	if r := sim("--config", filepath.Join(fixtureCAT, "sample.json"), "--thetas", thetas); r.Result.Simulees != 3 || r.Result.MeanLength != 5 {
		t.Errorf("sample from a file: %+v", r.Result)
	}
	out, _, err := run(t, db, "cat", "studies", "--format", "csv")
	if err != nil || strings.Count(out, "\n") != 4 {
		t.Errorf("cat studies: %v\n%s", err, out)
	}
	os.WriteFile(thetas, []byte("0\nabc\n"), 0o644)
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"selection": "best"}`), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--config", bad}, `bad.json: selection: "best"`},
		{[]string{"--config", filepath.Join(fixtureCAT, "sample.json"), "--thetas", thetas}, "thetas.txt:2: \"abc\""},
		{[]string{"--config", filepath.Join(fixtureCAT, "sample.json"), "--simulees", "0"}, "--simulees"},
	} {
		_, _, err := run(t, db, append([]string{"cat", "simulate", "--run", "1"}, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want %q", c.args, err, c.want)
		}
	}
}
