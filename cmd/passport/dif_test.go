package main

import (
	"encoding/csv"
	"encoding/json"
	"math"
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
	db, difItems := difBank(t)
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

// difBank is a demo bank with a simulated log of 4000 examinees on one
// 30-item form, 40 % of them in a focal group 0.3 SD less able, for whom
// two items (returned) are 0.6 harder; the groups imported as attribute
// "group" (focal, reference) and the 2PL calibrated as run 1.
func difBank(t *testing.T) (string, []string) {
	t.Helper()
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
	return db, difItems
}

// TestFitPersonsAndModels: fit --table persons, separation and scores on
// the run's sample, and calibrations models comparing a Rasch run with the
// 2PL run on the same (2PL) data.
func TestFitPersonsAndModels(t *testing.T) {
	db, _ := difBank(t)
	out, stderr, err := run(t, db, "fit", "--run", "1", "--table", "persons", "--format", "json")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	var persons []struct {
		Examinee string   `json:"examinee"`
		N        int      `json:"n"`
		Lz       *float64 `json:"lz_star"`
		Flags    []string `json:"flags"`
	}
	if err := json.Unmarshal([]byte(out), &persons); err != nil {
		t.Fatal(err)
	}
	misfit := 0
	for _, p := range persons {
		if slices.Contains(p.Flags, "person-misfit") {
			misfit++
		}
	}
	if len(persons) != 4000 || persons[0].N != 30 || persons[0].Lz == nil || misfit < 80 || misfit > 320 {
		t.Errorf("%d persons, first on %d items with l_z* %v; %d flagged person-misfit (want about 5 %%)", len(persons), persons[0].N, persons[0].Lz, misfit)
	}
	out, _, err = run(t, db, "fit", "--run", "1", "--table", "separation", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var sep []struct {
		Of          string  `json:"of"`
		N           int     `json:"n"`
		Reliability float64 `json:"reliability"`
	}
	if err := json.Unmarshal([]byte(out), &sep); err != nil {
		t.Fatal(err)
	}
	if len(sep) != 2 || sep[0].Of != "persons" || sep[0].N != 4000 || !(sep[0].Reliability > 0.8 && sep[0].Reliability < 0.95) ||
		sep[1].Of != "items" || sep[1].N != 30 || !(sep[1].Reliability > 0.95) {
		t.Errorf("separation: %+v", sep)
	}
	out, _, err = run(t, db, "fit", "--run", "1", "--table", "scores", "--format", "csv")
	if err != nil || !strings.HasPrefix(out, "form,items,raw,examinees,percent\nF01,30,") {
		t.Errorf("scores: %v\n%.200s", err, out)
	}
	runAll(t, db, [][]string{{"calibrate", "--model", "rasch"}})
	out, _, err = run(t, db, "calibrations", "models", "2", "1", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var models []struct {
		Run     int64    `json:"run"`
		Params  int      `json:"params"`
		M2LL    float64  `json:"minus2ll"`
		AIC     float64  `json:"aic"`
		Against int64    `json:"against"`
		DF      int      `json:"df"`
		ChiSq   *float64 `json:"chi2"`
		P       *float64 `json:"p"`
	}
	if err := json.Unmarshal([]byte(out), &models); err != nil {
		t.Fatal(err)
	}
	if len(models) != 2 || models[0].Params != 31 || models[1].Params != 60 || models[1].Against != 2 || models[1].DF != 29 ||
		models[1].ChiSq == nil || math.Abs(*models[1].ChiSq-(models[0].M2LL-models[1].M2LL)) > 1e-6 || *models[1].P > 1e-6 || !(models[1].AIC < models[0].AIC) {
		t.Errorf("Rasch against 2PL on 2PL data: %s", out)
	}
	if _, _, err := run(t, db, "calibrations", "models", "1", "2"); err != nil {
		t.Errorf("models in the other order: %v", err)
	}
}
