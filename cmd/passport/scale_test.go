package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/passportirt/passport/irt"
	"github.com/passportirt/passport/scale"
)

// TestScalePassportInEveryBank: a new bank lists the scale passport,
// scale.Passport() at full precision, and refuses to define it again;
// another name can be defined.
func TestScalePassportInEveryBank(t *testing.T) {
	db := filepath.Join(t.TempDir(), "p.db")
	if _, _, err := run(t, db, "init"); err != nil {
		t.Fatal(err)
	}
	type scaleRow struct {
		Name                       string
		Slope, Intercept, Min, Max float64
	}
	list := func() []scaleRow {
		t.Helper()
		out, _, err := run(t, db, "scale", "list", "--format", "json")
		var rows []scaleRow
		if err != nil || json.Unmarshal([]byte(out), &rows) != nil {
			t.Fatalf("scale list: %v\n%s", err, out)
		}
		return rows
	}
	p := scale.Passport()
	if rows := list(); len(rows) != 1 || rows[0].Name != "passport" || math.Abs(rows[0].Slope-p.Slope) > 1e-12 ||
		math.Abs(rows[0].Intercept-p.Intercept) > 1e-12 || rows[0].Min != p.Min || rows[0].Max != p.Max {
		t.Errorf("a new bank's scales: %+v, want passport %+v", rows, p)
	}
	_, _, err := run(t, db, "scale", "define", "passport")
	if err == nil || !strings.Contains(err.Error(), "scale passport already exists (score = 91.6667·θ + 575.0000, in [300, 850])") {
		t.Errorf("scale define passport: %v", err)
	}
	if _, _, err := run(t, db, "scale", "define", "wide", "--points", "-4,300,4,850"); err != nil {
		t.Fatal(err)
	}
	if rows := list(); len(rows) != 2 || rows[1].Name != "wide" || rows[1].Slope != 550.0/8 {
		t.Errorf("after defining wide: %+v", rows)
	}
}

// TestScaleTableFreshBank: on a bank holding only the Kolen & Brennan
// items, form X (from a one-examinee log) and its 3PL estimates as run 1,
// scale table builds X's table on the scale passport without any scale
// define, and prints what scale.ConversionTable gives for X's items:
// scores exactly, θs and CSEMs at full precision.
func TestScaleTableFreshBank(t *testing.T) {
	db := kbBank(t)
	raw, err := os.ReadFile(filepath.Join(filepath.Dir(db), "x.csv"))
	if err != nil {
		t.Fatal(err)
	}
	log := "examinee,form,item,option\n"
	var items []irt.ThreePL
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n")[1:] {
		f := strings.Split(line, ",")
		log += "E1,X," + f[0] + ",A\n"
		v := make([]float64, 3)
		for i := range v {
			if v[i], err = strconv.ParseFloat(f[1+i], 64); err != nil {
				t.Fatal(err)
			}
		}
		items = append(items, irt.ThreePL{A: v[0], B: v[1], C: v[2], D: 1.7})
	}
	logFile := filepath.Join(filepath.Dir(db), "log.csv")
	if err := os.WriteFile(logFile, []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, db, "responses", "import", logFile); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, db, "scale", "table", "--form", "X", "--run", "1", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Scale string
		Rows  []struct {
			Raw         int
			ThetaEAP    float64 `json:"theta_eap"`
			ThetaTCC    float64 `json:"theta_tcc"`
			Score, CSEM float64
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%.300s", err, out)
	}
	want, err := scale.ConversionTable(items, scale.Passport(), scale.TableOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Scale != "passport" || len(got.Rows) != 37 {
		t.Fatalf("table on scale %q with %d rows, want passport, 37", got.Scale, len(got.Rows))
	}
	for x, r := range got.Rows {
		w := want.Rows[x]
		if r.Raw != x || r.Score != w.Score || math.Abs(r.ThetaTCC-w.ThetaTCC) > 1e-12 || math.Abs(r.ThetaEAP-w.ThetaEAP) > 1e-12 || math.Abs(r.CSEM-w.CSEM) > 1e-9 {
			t.Errorf("raw %d: printed %+v, scale.ConversionTable %+v", x, r, w)
		}
	}
}
