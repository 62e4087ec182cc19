package main

import (
	"bytes"
	"encoding/json"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// driftJSONRow is a row of drift --format json.
type driftJSONRow struct {
	Window    string  `json:"window"`
	Item      string  `json:"item"`
	Statistic string  `json:"statistic"`
	Value     float64 `json:"value"`
	Threshold float64 `json:"threshold"`
	Flagged   bool    `json:"flagged"`
	BBase     float64 `json:"b_base"`
	BWindow   float64 `json:"b_window"`
	ABase     float64 `json:"a_base"`
	AWindow   float64 `json:"a_window"`
	N         int     `json:"n"`
}

func driftRows(t *testing.T, db string, args ...string) ([]driftJSONRow, string) {
	t.Helper()
	out, errOut, err := run(t, db, append([]string{"drift", "--format", "json"}, args...)...)
	if err != nil {
		t.Fatalf("drift %v: %v\n%s", args, err, errOut)
	}
	var rows []driftJSONRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return rows, errOut
}

// flaggedBy lists the items a statistic flags in the rows.
func flaggedBy(rows []driftJSONRow, stat string) []string {
	var out []string
	for _, r := range rows {
		if r.Statistic == stat && r.Flagged {
			out = append(out, r.Item)
		}
	}
	return out
}

// twoYears is a demo bank with two simulated 2PL years of 2,000
// examinees (imports 5 and 6): in year 2 the group is abler, and form
// F01's second item, an anchor, is made easier by 1.2 (it drifts). Year 1
// is calibrated (run 1). It returns the bank, the logs and the item.
func twoYears(t *testing.T) (db, y1, y2, drifted string) {
	t.Helper()
	dir := t.TempDir()
	db, y1, y2 = filepath.Join(dir, "p.db"), filepath.Join(dir, "y1.csv"), filepath.Join(dir, "y2.csv")
	t1, t2 := filepath.Join(dir, "t1.csv"), filepath.Join(dir, "t2.csv")
	runAll(t, db, [][]string{
		{"init", "--demo"},
		{"simulate", "--examinees", "2000", "--model", "2pl", "--seed", "11", "-o", y1, "--truth", t1},
		{"responses", "import", y1},
		{"calibrate", "--model", "2pl", "--prior-a", "0,0.5", "--imports", "5", "--name", "year 1", "-q"},
	})
	out, _, err := run(t, db, "forms", "show", "F01", "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	drifted = strings.Split(strings.Split(out, "\n")[2], ",")[1]
	if err := driftTruth(t1, t2, drifted, -1.2); err != nil {
		t.Fatal(err)
	}
	runAll(t, db, [][]string{
		{"simulate", "--examinees", "2000", "--model", "2pl", "--seed", "12", "--params", t2, "--theta-mean", "0.3",
			"--form-prefix", "G", "--examinee-prefix", "N", "-o", y2},
		{"responses", "import", y2},
	})
	return db, y1, y2, drifted
}

// d2Trapezoid integrates (P_1(θ) − P_2(θ))² for two 2PL items (D = 1)
// against the N(μ, σ²) density by the trapezoidal rule on μ ± 8σ: written
// here independently of scale.CurveD2.
func d2Trapezoid(a1, b1, a2, b2, mu, sigma float64) float64 {
	const n = 16000
	lo, h := mu-8*sigma, 16*sigma/n
	var sum float64
	for i := 0; i <= n; i++ {
		x := lo + float64(i)*h
		d := 1/(1+math.Exp(-a1*(x-b1))) - 1/(1+math.Exp(-a2*(x-b2)))
		w := math.Exp(-(x-mu)*(x-mu)/(2*sigma*sigma)) / (sigma * math.Sqrt(2*math.Pi))
		if i == 0 || i == n {
			w /= 2
		}
		sum += d * d * w * h
	}
	return sum
}

// TestDrift screens year 2 against year 1: first with year 2 calibrated
// and linked by the screen itself, then through a stored run linked onto
// year 1; both flag the drifted item by D², and its D² is the curves'
// squared difference integrated here over year 1's N(0, 1). Month windows
// are calibrated one by one. The screen leaves the bank as it was.
func TestDrift(t *testing.T) {
	db, _, _, drifted := twoYears(t)
	before := bankBytes(t, db)
	rows, errOut := driftRows(t, db, "--by", "import", "--run", "1")
	if !bytes.Equal(before, bankBytes(t, db)) {
		t.Error("drift changed the bank")
	}
	for _, want := range []string{"import 5 (", "the base run's own responses; not screened", "import 6 (", "calibrated here (2pl, 2000 examinees) and linked onto run 1 by Stocking–Lord"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("drift's status lacks %q:\n%s", want, errOut)
		}
	}
	// With 250 responses an item in both years (2,000 on the anchors),
	// sampling alone takes a few items' D² just past 0.01; the drifted
	// anchor's is far above them all.
	flags := flaggedBy(rows, "d2")
	if len(flags) == 0 || flags[0] != drifted || len(flags) > 15 || (len(flags) > 1 && !(rows[0].Value > 3*rows[1].Value)) {
		t.Errorf("D² flags %v (the largest first: %+v); want %s far above the others", flags, rows[:min(2, len(rows))], drifted)
	}
	z := flaggedBy(rows, "robust_z_b")
	if !strings.Contains(strings.Join(z, " "), drifted) {
		t.Errorf("the robust z does not flag %s: %v", drifted, z)
	}
	for _, r := range rows {
		if r.Window != "import 6" || !r.Flagged || (r.Statistic == "d2" && r.Threshold != 0.01) || (r.Statistic == "robust_z_b" && r.Threshold != 1.645) {
			t.Errorf("row %+v", r)
		}
	}

	// Year 2 calibrated, linked and applied: the screen takes the stored
	// linked run, on year 1's scale, and the base by default is year 1
	// (three runs on its scale).
	runAll(t, db, [][]string{
		{"calibrate", "--model", "2pl", "--prior-a", "0,0.5", "--imports", "6", "--name", "year 2", "-q"},
		{"link", "--from", "2", "--to", "1", "--apply", "--bootstrap", "0", "-q"},
	})
	rows, errOut = driftRows(t, db, "--all")
	if _, named := driftRows(t, db, "--run", "year 1"); !strings.Contains(named, "against run 1 (2pl, year 1)") {
		t.Errorf("drift --run by name:\n%s", named)
	}
	if !strings.Contains(errOut, "against run 1") || !strings.Contains(errOut, "run 3 (on run 1's scale)") {
		t.Errorf("drift by the stored run:\n%s", errOut)
	}
	var d2 *driftJSONRow
	for i, r := range rows {
		if r.Item == drifted && r.Statistic == "d2" {
			d2 = &rows[i]
		}
	}
	if d2 == nil || !d2.Flagged {
		t.Fatalf("D² of %s: %+v", drifted, d2)
	}
	if want := d2Trapezoid(d2.ABase, d2.BBase, d2.AWindow, d2.BWindow, 0, 1); math.Abs(d2.Value-want) > 1e-4*want {
		t.Errorf("D² of %s = %.6g, integrated here %.6g", drifted, d2.Value, want)
	}
	// Its window parameters are run 3's, as stored.
	out, _, err := run(t, db, "calibrations", "show", "3", "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Split(line, ","); f[0] == drifted {
			b, _ := strconv.ParseFloat(f[3], 64)
			if math.Abs(b-d2.BWindow) > 1e-9 {
				t.Errorf("b of %s in the window %g, run 3's %g", drifted, d2.BWindow, b)
			}
		}
	}
	// --all lists both statistics of every screened item.
	if len(rows) < 2*200 || len(rows)%2 != 0 {
		t.Errorf("--all listed %d rows", len(rows))
	}

	_, errOut = driftRows(t, db, "--by", "month", "--run", "1", "--min-n", "50")
	for _, want := range []string{"2026-01: calibrated here (2pl,", "2027-01: calibrated here"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("drift --by month lacks %q:\n%s", want, errOut)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"drift", "--by", "week"}, `--by "week": expected import or month`},
		{[]string{"drift", "--run", "99"}, `"99": not found`},
		{[]string{"drift", "--run", "year 3"}, `"year 3": not found`},
		{[]string{"drift", "--status", "live"}, `--status "live"`},
		{[]string{"drift", "--d2-threshold", "0"}, `"--d2-threshold" flag: expected a number in (0, 1]`},
	} {
		if _, _, err := run(t, db, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
}

// TestItemsHistory: an item's history puts every run's parameters on the
// base scale through the stored linking (b* = A·b + B, a* = a/A, checked
// against the linking's constants), its p-values by import are those of
// the logs, and its exposure counts the logs' rows.
func TestItemsHistory(t *testing.T) {
	db, y1, y2, item := twoYears(t)
	runAll(t, db, [][]string{
		{"calibrate", "--model", "2pl", "--prior-a", "0,0.5", "--imports", "6", "--name", "year 2", "-q"},
		{"link", "--from", "2", "--to", "1", "--bootstrap", "0", "-q"},
	})
	out, errOut, err := run(t, db, "items", "history", item, "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		Item, Status, Key string
		KeyVersion        int   `json:"key_version"`
		Base              int64 `json:"base_run"`
		Events            []struct{ Event, Value string }
		Windows           []struct {
			Window string
			N      int
			PValue float64 `json:"p_value"`
			PBis   float64 `json:"pbis"`
		}
		Runs []struct {
			Run        int64
			KeyVersion *int `json:"key_version"`
			Scale      int64
			OnBase     bool `json:"on_base"`
			A, B       float64
		}
		Exposure []struct {
			Form      string
			Responses int
		}
	}
	if err := json.Unmarshal([]byte(out), &h); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if h.Item != item || h.KeyVersion != 1 || h.Base != 1 || len(h.Events) != 2 || h.Events[0].Event != "key v1" || h.Events[1].Value != "operational" {
		t.Errorf("history header and events: %+v", h)
	}
	if !strings.Contains(errOut, "parameters in 2 runs, 2 on the scale of run 1") {
		t.Errorf("history status:\n%s", errOut)
	}
	// Run 2's parameters moved by linking 1.
	var link struct{ A, B float64 }
	out, _, err = run(t, db, "linkings", "show", "1", "--format", "json")
	if err != nil || json.Unmarshal([]byte(out), &link) != nil {
		t.Fatal(err)
	}
	own := func(run string) (a, b float64) {
		out, _, err := run2(t, db, "calibrations", "show", run, "--format", "csv")
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(out, "\n") {
			if f := strings.Split(line, ","); f[0] == item {
				a, _ = strconv.ParseFloat(f[2], 64)
				b, _ = strconv.ParseFloat(f[3], 64)
			}
		}
		return a, b
	}
	a1, b1 := own("1")
	a2, b2 := own("2")
	if len(h.Runs) != 2 || !h.Runs[0].OnBase || !h.Runs[1].OnBase || h.Runs[1].Scale != 1 || *h.Runs[1].KeyVersion != 1 ||
		math.Abs(h.Runs[0].B-b1) > 1e-9 || math.Abs(h.Runs[0].A-a1) > 1e-9 ||
		math.Abs(h.Runs[1].B-(link.A*b2+link.B)) > 1e-9 || math.Abs(h.Runs[1].A-a2/link.A) > 1e-9 {
		t.Errorf("runs %+v; run 1 (%g, %g), run 2 (%g, %g) moved by A = %g, B = %g", h.Runs, a1, b1, a2, b2, link.A, link.B)
	}
	// The drift shows: year 2's b, on year 1's scale, is about 1.2 lower.
	if d := h.Runs[1].B - h.Runs[0].B; d > -0.8 || d < -1.6 {
		t.Errorf("b moved by %.3f from year 1 to year 2 on year 1's scale; the simulation moved it by −1.2", d)
	}
	// p-values by import, against the logs' scores; exposure, the logs' rows.
	total := 0
	for i, log := range []string{y1, y2} {
		rows := logRows(t, log, item)
		right := 0
		for _, r := range rows {
			right += int(r[2][0] - '0')
		}
		total += len(rows)
		w := h.Windows[i]
		if want := float64(right) / float64(len(rows)); w.N != len(rows) || math.Abs(w.PValue-want) > 1e-12 || !(w.PBis > 0.2) {
			t.Errorf("window %s: n %d, p %.4f, pbis %.3f; the log has %d rows, p %.4f", w.Window, w.N, w.PValue, w.PBis, len(rows), want)
		}
	}
	if len(h.Windows) != 2 || h.Windows[0].Window != "import 5" || h.Windows[1].PValue <= h.Windows[0].PValue {
		t.Errorf("windows %+v: the drifted item should be easier in year 2", h.Windows)
	}
	exposed := 0
	for _, e := range h.Exposure {
		exposed += e.Responses
	}
	if exposed != total || len(h.Exposure) != 16 {
		t.Errorf("exposure: %d responses on %d forms; the logs have %d rows on 16 forms", exposed, len(h.Exposure), total)
	}
	// Months; one table as CSV; refusals.
	if out, _, err := run(t, db, "items", "history", item, "--by", "month", "--table", "windows", "--format", "csv"); err != nil ||
		!strings.HasPrefix(out, "window,source,n,omitted,p_value,pbis,r_it,flags\n2026-01,") {
		t.Errorf("history --by month --table windows: %v\n%.200s", err, out)
	}
	out, _, err = run(t, db, "items", "history", item, "--table", "events,runs")
	if err != nil || !strings.Contains(out, "key and status\n") || !strings.Contains(out, "\nparameters by run") || strings.Contains(out, "exposure") || strings.Contains(out, "classical") {
		t.Errorf("history --table events,runs: %v\n%s", err, out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"items", "history", item, "--format", "csv"}, "--format csv writes one table"},
		{[]string{"items", "history", item, "--table", "events,keys"}, `--table "keys"`},
		{[]string{"items", "history", item, "--by", "week"}, `--by "week"`},
		{[]string{"items", "history", "NOPE"}, "not found"},
		{[]string{"items", "history", item, "--run", "9"}, `"9": not found`},
	} {
		if _, _, err := run(t, db, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
}

// run2 is run, for a closure that shadows the name.
var run2 = run
