package simulate

import (
	"bytes"
	"context"
	"encoding/csv"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/fixtures"
	"github.com/passportirt/passport/irt"
)

// demoItems loads the embedded demo bank into a fresh bank and lists it.
func demoItems(t *testing.T) (*bank.Bank, []bank.Item) {
	t.Helper()
	b, err := bank.Create(filepath.Join(t.TempDir(), "sim.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	files, err := fixtures.DemoItems()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, f := range files {
		if _, err := b.ImportItems(ctx, f.Name, bytes.NewReader(f.Data)); err != nil {
			t.Fatal(err)
		}
	}
	items, err := b.Items(ctx, bank.ItemFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return b, items
}

func TestReproducible(t *testing.T) {
	_, items := demoItems(t)
	run := func(seed uint64) []byte {
		var buf bytes.Buffer
		if _, err := Run(items, Design{Seed: seed, Examinees: 200}, &buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	a, b, c := run(7), run(7), run(8)
	if !bytes.Equal(a, b) {
		t.Error("the same seed gave different logs")
	}
	if bytes.Equal(a, c) {
		t.Error("different seeds gave the same log")
	}
}

func TestFormDesign(t *testing.T) {
	_, items := demoItems(t)
	d := Design{Seed: 1, Examinees: 16, Forms: 8, FormLength: 50, Anchors: 10}
	res, err := Run(items, d, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	tr := res.Truth
	anchorCount := map[int]int{}
	for f, form := range tr.Forms {
		if len(form) != 50 {
			t.Errorf("form %d has %d items", f+1, len(form))
		}
		seen := map[int]bool{}
		groups := map[string]bool{}
		domains := map[string]int{}
		for _, i := range form {
			if seen[i] {
				t.Errorf("form %d holds item %s twice", f+1, tr.Items[i].Code)
			}
			seen[i] = true
			if g := tr.Items[i].EnemyGroup; g != "" {
				if groups[g] {
					t.Errorf("form %d holds two items of enemy group %s", f+1, g)
				}
				groups[g] = true
			}
			domains[tr.Items[i].Domain]++
		}
		for _, dom := range bank.Domains {
			if n := domains[dom]; n < 12 || n > 13 {
				t.Errorf("form %d has %d %s items, want 12–13", f+1, n, dom)
			}
		}
		for _, i := range form[:10] {
			anchorCount[i]++
		}
	}
	for i, n := range anchorCount {
		if n != 8 || tr.Items[i].Status != "operational" {
			t.Errorf("anchor %s is on %d forms (status %s), want all 8, operational", tr.Items[i].Code, n, tr.Items[i].Status)
		}
	}
	// Nearly every item that may go on a form is used (an item is passed
	// over where an enemy already sits on the form; an anchor's enemies go
	// on none), and with 8 × 40 slots for fewer items some forms share
	// items beyond the anchors.
	used := map[int]int{}
	for _, form := range tr.Forms {
		for _, i := range form[10:] {
			used[i]++
		}
	}
	anchorGroups := map[string]bool{}
	for i := range anchorCount {
		anchorGroups[tr.Items[i].EnemyGroup] = true
	}
	eligible := 0
	for i, it := range tr.Items {
		if anchorCount[i] == 0 && (it.EnemyGroup == "" || !anchorGroups[it.EnemyGroup]) {
			eligible++
		}
	}
	if float64(len(used)) < 0.95*float64(eligible) {
		t.Errorf("%d of %d items that may go on a form (not anchors or their enemies) are on one", len(used), eligible)
	}
	shared := 0
	for _, n := range used {
		if n > 1 {
			shared++
		}
	}
	if shared == 0 {
		t.Error("no item besides the anchors is on two forms")
	}
}

// TestResponsesFollowModel imports a simulated log and checks each item's
// proportion correct against its expectation under the true parameters,
// ∫P(θ)φ(θ)dθ, within 4.5 binomial standard errors.
func TestResponsesFollowModel(t *testing.T) {
	b, items := demoItems(t)
	var buf bytes.Buffer
	res, err := Run(items, Design{Seed: 3, Examinees: 4000}, &buf)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := b.ImportLong(ctx, "sim.csv", bytes.NewReader(buf.Bytes()), bank.ResponseOptions{}); err != nil {
		t.Fatal(err)
	}
	s, err := b.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Responses != 4000*50 || s.Examinees != 4000 {
		t.Fatalf("imported %d responses from %d examinees", s.Responses, s.Examinees)
	}
	pv := map[string]bank.ItemCount{}
	for _, c := range s.PerItem {
		pv[c.Item] = c
	}
	g := irt.DefaultGrid()
	checked := 0
	for i, it := range res.Truth.Items {
		c := pv[it.Code]
		if c.Responses == 0 {
			continue
		}
		var want float64
		for q, th := range g.Nodes {
			want += g.Weights[q] * res.Truth.Params[i].Prob(th)
		}
		se := math.Sqrt(want * (1 - want) / float64(c.Responses))
		if math.Abs(c.PValue-want) > 4.5*se {
			t.Errorf("item %s: proportion correct %.3f, expected %.3f ± %.3f", it.Code, c.PValue, want, se)
		}
		checked++
	}
	if checked < 200 {
		t.Errorf("only %d items were administered", checked)
	}
	if math.Abs(res.MeanTheta) > 4.5/math.Sqrt(4000) || math.Abs(res.SDTheta-1) > 0.05 {
		t.Errorf("abilities: mean %.3f, SD %.3f; want N(0, 1)", res.MeanTheta, res.SDTheta)
	}
}

func TestDistractorsSpread(t *testing.T) {
	_, items := demoItems(t)
	var buf bytes.Buffer
	if _, err := Run(items, Design{Seed: 5, Examinees: 3000}, &buf); err != nil {
		t.Fatal(err)
	}
	// Count, per item, how often each wrong option was chosen.
	chosen := map[string]map[string]int{}
	keys := map[string]string{}
	for _, it := range items {
		keys[it.Code] = it.KeyLetter()
	}
	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))[1:]
	for _, l := range lines {
		f := bytes.Split(l, []byte(","))
		item, opt := string(f[2]), string(f[3])
		if opt != keys[item] {
			if chosen[item] == nil {
				chosen[item] = map[string]int{}
			}
			chosen[item][opt]++
		}
	}
	// Attractiveness is Dirichlet(2, 2, 2): about 0.1% of weights fall
	// below 0.01, so a near-dead distractor is rare but possible; a picker
	// that ignored some option would fail most items.
	many, spread := 0, 0
	for item, m := range chosen {
		total := 0
		for _, n := range m {
			total += n
		}
		if total >= 100 {
			many++
			if len(m) == 3 {
				spread++
			}
		}
		if keys[item] != "" && m[keys[item]] > 0 {
			t.Errorf("item %s: the key counted as a distractor", item)
		}
	}
	if many < 100 || float64(spread) < 0.95*float64(many) {
		t.Errorf("of %d items with 100+ wrong answers, %d use all three distractors", many, spread)
	}
}

func TestDesignErrors(t *testing.T) {
	_, items := demoItems(t)
	for _, d := range []Design{
		{Model: "4pl"},
		{Anchors: 60, FormLength: 50},
		{OmitRate: 1},
		{FormLength: 300},
	} {
		if _, err := Run(items, d, &bytes.Buffer{}); err == nil {
			t.Errorf("design %+v: no error", d)
		}
	}
	if _, err := Run(nil, Design{}, &bytes.Buffer{}); err == nil {
		t.Error("no items: no error")
	}
}

// TestFormsAndFocalGroup: Forms names the items Run puts on each form, for
// any seed; a focal group share draws the groups, and an item given DIF is
// harder for the focal group only.
func TestFormsAndFocalGroup(t *testing.T) {
	_, items := demoItems(t)
	d := Design{Seed: 9, Examinees: 4000, Forms: 2, FormLength: 10, Anchors: 4, Model: "2pl"}
	forms, err := Forms(items, d)
	if err != nil {
		t.Fatal(err)
	}
	dif := forms[0][0] // an anchor: on both forms
	d.FocalShare, d.FocalShift = 0.5, map[string]float64{dif: 1.5}
	var log bytes.Buffer
	res, err := Run(items, d, &log)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&log).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	onForm := map[string][]string{}
	right := map[bool][2]int{} // by focal: right answers to dif, and to the other anchor forms[0][1]
	n := map[bool]int{}
	for _, r := range recs[1:] {
		e, _ := strconv.Atoi(strings.TrimPrefix(r[0], "E"))
		onForm[r[1]] = append(onForm[r[1]], r[2])
		focal := res.Focal[e-1]
		c := right[focal]
		if r[2] == dif {
			n[focal]++
			if r[4] == "1" {
				c[0]++
			}
		}
		if r[2] == forms[0][1] && r[4] == "1" {
			c[1]++
		}
		right[focal] = c
	}
	if first := onForm["F01"][:10]; !slices.Equal(first, forms[0]) {
		t.Errorf("F01's first examinee took %v, Forms says %v", first, forms[0])
	}
	if len(res.Focal) != 4000 || n[true] < 1800 || n[true] > 2200 {
		t.Fatalf("%d groups drawn, %d focal", len(res.Focal), n[true])
	}
	pF, pR := float64(right[true][0])/float64(n[true]), float64(right[false][0])/float64(n[false])
	qF, qR := float64(right[true][1])/float64(n[true]), float64(right[false][1])/float64(n[false])
	if !(pR-pF > 0.15) || math.Abs(qR-qF) > 0.05 {
		t.Errorf("p right on the DIF item: reference %.3f, focal %.3f; on another anchor %.3f and %.3f", pR, pF, qR, qF)
	}
	var groups bytes.Buffer
	if err := WriteGroups(&groups, Design{}, res.Focal[:2]); err != nil {
		t.Fatal(err)
	}
	if want := "examinee,group\nE000001," + map[bool]string{true: "focal", false: "reference"}[res.Focal[0]] + "\n"; !strings.HasPrefix(groups.String(), want) {
		t.Errorf("groups file %q, want it to start %q", groups.String(), want)
	}
}
