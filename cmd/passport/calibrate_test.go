package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/passportirt/passport/irt"
)

// lsat7Wide writes LSAT7 (Bock & Lieberman 1970) as a wide 0/1 file of its
// 1,000 examinees and returns its path.
func lsat7Wide(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "reference", "lsat7_patterns.csv"))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var wide strings.Builder
	wide.WriteString(strings.Join(recs[0][:5], ",") + "\n")
	for _, r := range recs[1:] {
		n, _ := strconv.Atoi(r[5])
		for range n {
			wide.WriteString(strings.Join(r[:5], ",") + "\n")
		}
	}
	file := filepath.Join(t.TempDir(), "lsat7.csv")
	if err := os.WriteFile(file, []byte(wide.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// calibratedRun is the part of calibrate --format json the tests read.
type calibratedRun struct {
	LogLik   float64 `json:"loglik"`
	LatentSD float64 `json:"latent_sd"`
	Settings struct {
		Priors   irt.Priors `json:"priors"`
		LogPrior float64    `json:"log_prior"`
	}
	Items []struct{ A, B, C float64 }
}

// TestCalibratePriors: calibrate --model 3pl takes BILOG-MG's priors by
// default and says so in its help; --no-priors is pure maximum
// likelihood; --prior-a replaces only the slope prior; the 2PL has no
// default prior and refuses --prior-c. The run's log prior is gonum's
// log density of its estimates (to 1e-6; the JSON rounds nothing).
func TestCalibratePriors(t *testing.T) {
	file := lsat7Wide(t)
	db := filepath.Join(t.TempDir(), "unused.db")
	help, _, err := run(t, db, "calibrate", "--help")
	if err != nil || !strings.Contains(help, "log a ~ N(0, 0.5²)") || !strings.Contains(help, "Beta(20p + 1, 20(1 − p) + 1)") {
		t.Errorf("calibrate --help does not state the 3PL's default priors (%v)", err)
	}
	fit := func(args ...string) calibratedRun {
		t.Helper()
		out, _, err := run(t, db, append([]string{"calibrate", "--responses", file, "--wide", "--format", "json"}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		var r calibratedRun
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("%v\n%.300s", err, out)
		}
		return r
	}
	for _, tc := range []struct {
		args []string
		want irt.Priors
	}{
		{[]string{"--model", "3pl"}, irt.Priors{LogASD: 0.5, CAuto: true}},
		{[]string{"--model", "3pl", "--no-priors"}, irt.Priors{}},
		{[]string{"--model", "3pl", "--prior-a", "0.1,0.4", "--prior-c", "5,17"}, irt.Priors{LogAMean: 0.1, LogASD: 0.4, CAlpha: 5, CBeta: 17, CAuto: true}},
		{[]string{"--model", "2pl"}, irt.Priors{}},
		{[]string{"--model", "2pl", "--prior-a", "0,0.5"}, irt.Priors{LogASD: 0.5}},
	} {
		r := fit(tc.args...)
		if r.Settings.Priors != tc.want {
			t.Errorf("%v: priors %+v, want %+v", tc.args, r.Settings.Priors, tc.want)
		}
		var want float64
		for _, it := range r.Items {
			if pr := tc.want; pr.LogASD > 0 {
				want += distuv.LogNormal{Mu: pr.LogAMean, Sigma: pr.LogASD}.LogProb(it.A)
			}
			switch {
			case tc.want.CAlpha > 0:
				want += distuv.Beta{Alpha: tc.want.CAlpha, Beta: tc.want.CBeta}.LogProb(it.C)
			case tc.want.CAuto: // a wide file's items are imported with five options: p = 0.2
				want += distuv.Beta{Alpha: 5, Beta: 17}.LogProb(it.C)
			}
		}
		if math.Abs(r.Settings.LogPrior-want) > 1e-6 {
			t.Errorf("%v: log prior %.8f, gonum %.8f", tc.args, r.Settings.LogPrior, want)
		}
	}
	if _, _, err := run(t, db, "calibrate", "--responses", file, "--wide", "--model", "2pl", "--prior-c", "6,16"); err == nil {
		t.Error("--prior-c accepted for the 2PL")
	}
	if _, _, err := run(t, db, "calibrate", "--responses", file, "--wide", "--no-priors", "--prior-a", "0,0.5"); err == nil {
		t.Error("--no-priors with --prior-a accepted")
	}
}

// TestCalibrateRasch: calibrate --model rasch estimates the latent SD, the
// 1PL's common slope on LSAT7 (1.011 in mirt; to 1e-4), with the same
// log-likelihood (to 1e-4: the two stop at the default tolerance).
func TestCalibrateRasch(t *testing.T) {
	file := lsat7Wide(t)
	db := filepath.Join(t.TempDir(), "unused.db")
	var runs []calibratedRun
	for _, m := range []string{"rasch", "1pl"} {
		out, _, err := run(t, db, "calibrate", "--responses", file, "--wide", "--model", m, "--format", "json")
		if err != nil {
			t.Fatal(err)
		}
		var r calibratedRun
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r)
	}
	rasch, onePL := runs[0], runs[1]
	if math.Abs(rasch.LatentSD-onePL.Items[0].A) > 1e-4 || math.Abs(rasch.LogLik-onePL.LogLik) > 1e-4 || rasch.Items[0].A != 1 {
		t.Errorf("rasch: latent SD %.5f, slope %g, log-likelihood %.5f; 1pl: slope %.5f, log-likelihood %.5f",
			rasch.LatentSD, rasch.Items[0].A, rasch.LogLik, onePL.Items[0].A, onePL.LogLik)
	}
}
