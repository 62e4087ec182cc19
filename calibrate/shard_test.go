package calibrate

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/passportirt/passport/irt"
)

// split deals d's examinees into k shards in turn. Each shard's columns are
// only the items its examinees answered, in an order of its own (reversed
// in odd shards), as separate files would give them.
func split(d *irt.Responses, k int) []*irt.Responses {
	out := make([]*irt.Responses, k)
	for s := range k {
		used := map[int32]bool{}
		for p := s; p < d.NExaminees(); p += k {
			for _, i := range d.Item[d.Start[p]:d.Start[p+1]] {
				used[i] = true
			}
		}
		var cols []int32
		for i := range int32(d.NItems()) {
			if used[i] {
				cols = append(cols, i)
			}
		}
		if s%2 == 1 {
			slices.Reverse(cols)
		}
		to := map[int32]int{}
		var items []irt.ItemInfo
		for j, i := range cols {
			to[i] = j
			items = append(items, d.Items[i])
		}
		b := irt.NewBuilderOver(items)
		for p := s; p < d.NExaminees(); p += k {
			for r := d.Start[p]; r < d.Start[p+1]; r++ {
				if err := b.Add(to[d.Item[r]], d.Score[r]); err != nil {
					panic(err)
				}
			}
			b.Next()
		}
		out[s] = b.Responses()
	}
	return out
}

// viaJSON passes v through its file form.
func viaJSON[T any](t testing.TB, v *T) *T {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out := new(T)
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatal(err)
	}
	return out
}

// estepAll runs the E-step of state s on every shard, the counts through
// JSON.
func estepAll(t testing.TB, s *ShardState, shards []*irt.Responses) []*ShardCounts {
	t.Helper()
	var cs []*ShardCounts
	for k, d := range shards {
		c, err := s.EStep(fmt.Sprintf("shard-%d", k), d, 1)
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, viaJSON(t, c))
	}
	return cs
}

// shardCalibrate runs a sharded calibration to the end, every state and
// count file through JSON.
func shardCalibrate(t testing.TB, o Options, shards []*irt.Responses) *ShardState {
	t.Helper()
	s, err := StartShards(o)
	if err != nil {
		t.Fatal(err)
	}
	for round := 0; s.Stage != StageDone; round++ {
		if round > o.MaxCycles+10 {
			t.Fatalf("no end after %d rounds", round)
		}
		if s, err = MStep(estepAll(t, s, shards), 2); err != nil {
			t.Fatal(err)
		}
		s = viaJSON(t, s)
	}
	return s
}

// A calibration of 4 shards of a sparse design takes the same steps as Run
// on the whole: the same cycles, and the log-likelihood, log prior, every
// parameter and the latent moments to 1e-9 — with plain EM and with
// SQUAREM, which the state carries between cycles. The sums differ from
// Run's only in the order of additions.
func TestShardedMatchesRun(t *testing.T) {
	nExam := 4000
	if testing.Short() {
		nExam = 1500
	}
	for _, tc := range []struct {
		name    string
		model   irt.Model
		noAccel bool
	}{
		{"2PL plain EM", irt.Model2PL, true},
		{"2PL SQUAREM", irt.Model2PL, false},
		{"3PL SQUAREM", irt.Model3PL, false},
		{"Rasch SQUAREM", irt.ModelRasch, false},
		{"1PL plain EM", irt.Model1PL, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim := simulateSparse(11, 40, 8, 12, nExam, tc.model == irt.Model3PL)
			d := sim.data()
			d.Items[3].NOptions = 5 // a c prior of its own under the 3PL
			o := Options{Model: tc.model, NoAccel: tc.noAccel, NoSE: true, Tol: 1e-5, MaxCycles: 500, Threads: 2}
			want, err := Run(d, o)
			if err != nil {
				t.Fatal(err)
			}
			s := shardCalibrate(t, o, split(d, 4))
			got, err := s.Result()
			if err != nil {
				t.Fatal(err)
			}
			if got.Cycles != want.Cycles || got.Converged != want.Converged || !want.Converged {
				t.Fatalf("%d cycles, converged %v; Run: %d, %v", got.Cycles, got.Converged, want.Cycles, want.Converged)
			}
			// The shards list the items in their own orders; Run in d's.
			at := map[string]int{}
			for i, it := range s.Items {
				at[it.Code] = i
			}
			var dPar float64
			for i, w := range want.Items {
				g := got.Items[at[d.Items[i].Code]]
				if g.Excluded != w.Excluded || g.N != w.N {
					t.Errorf("item %d: excluded %q, n %g; Run: %q, %g", i, g.Excluded, g.N, w.Excluded, w.N)
				}
				for _, x := range [][2]float64{{g.Params.A, w.Params.A}, {g.Params.B, w.Params.B}, {g.Params.C, w.Params.C}} {
					dPar = max(dPar, math.Abs(x[0]-x[1]))
				}
			}
			dLat := max(math.Abs(got.LatentMean-want.LatentMean), math.Abs(got.LatentSD-want.LatentSD))
			dLL, dLP := math.Abs(got.LogLik-want.LogLik), math.Abs(got.LogPrior-want.LogPrior)
			t.Logf("%d cycles: max |Δ| parameters %.2g, latent %.2g; log-likelihood %.6f, |Δ| %.2g; log prior |Δ| %.2g",
				got.Cycles, dPar, dLat, want.LogLik, dLL, dLP)
			if dPar > 1e-9 || dLat > 1e-9 || dLL > 1e-9 || dLP > 1e-9 {
				t.Errorf("sharded vs Run: parameters %.3g, latent %.3g, log-likelihood %.3g, log prior %.3g; want all ≤ 1e-9", dPar, dLat, dLL, dLP)
			}
			if len(got.Warnings) != len(want.Warnings) {
				t.Errorf("%d warnings, Run %d", len(got.Warnings), len(want.Warnings))
			}
		})
	}
}

// The M-step sums the shards in the order of their names, so the order in
// which it is given the counts changes nothing, to the bit.
func TestMStepOrderFree(t *testing.T) {
	d := simulateSparse(5, 20, 4, 8, 800, false).data()
	shards := split(d, 4)
	s, err := StartShards(Options{Model: irt.Model2PL})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		cs := estepAll(t, s, shards)
		a, err := MStep(cs, 1)
		if err != nil {
			t.Fatal(err)
		}
		slices.Reverse(cs)
		cs[0], cs[2] = cs[2], cs[0]
		b, err := MStep(cs, 3)
		if err != nil {
			t.Fatal(err)
		}
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if string(ja) != string(jb) {
			t.Fatalf("stage %s: the order of the counts changed the state", s.Stage)
		}
		s = a
	}
}

// MStep refuses counts that do not belong together, naming the problem.
func TestMStepRefusesMismatches(t *testing.T) {
	d := simulateSparse(7, 20, 4, 8, 800, false).data()
	shards := split(d, 3)
	s0, err := StartShards(Options{Model: irt.Model2PL, NoAccel: true})
	if err != nil {
		t.Fatal(err)
	}
	c0 := estepAll(t, s0, shards)
	s1, err := MStep(c0, 1)
	if err != nil {
		t.Fatal(err)
	}
	c1 := estepAll(t, s1, shards)
	s2, err := MStep(c1, 1)
	if err != nil {
		t.Fatal(err)
	}
	c2 := estepAll(t, s2, shards)
	other, err := StartShards(Options{Model: irt.Model2PL, NoAccel: true, Grid: irt.NormalGrid(21, -4, 4)})
	if err != nil {
		t.Fatal(err)
	}
	otherGrid := estepAll(t, other, shards)
	fewer, err := s1.EStep("shard-1", split(d, 2)[0], 1)
	if err != nil {
		t.Fatal(err)
	}
	versioned := viaJSON(t, c1[2])
	versioned.FormatVersion = ShardFormatVersion + 1
	state := viaJSON(t, c1[2])
	state.Kind = KindShardState
	for _, tc := range []struct {
		name   string
		counts []*ShardCounts
		want   string
	}{
		{"two rounds", []*ShardCounts{c1[0], c1[1], c2[2]}, "different rounds"},
		{"two grids", []*ShardCounts{c0[0], otherGrid[1]}, "different settings"},
		{"a shard twice", []*ShardCounts{c1[0], c1[1], c1[1], c1[2]}, "given twice"},
		{"a shard missing", c1[:2], "shard-2 are missing"},
		{"a changed shard", []*ShardCounts{c1[0], fewer, c1[2]}, "its data changed"},
		{"a newer format", []*ShardCounts{c1[0], c1[1], versioned}, "format_version 2"},
		{"a state file", []*ShardCounts{c1[0], c1[1], state}, "not a passport-shard-counts file"},
	} {
		_, err := MStep(tc.counts, 1)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.want)
		}
	}
	// A shard's item the start never saw.
	extra := irt.NewBuilderOver([]irt.ItemInfo{{Code: "NEW-1"}})
	if err := extra.Add(0, 1); err != nil {
		t.Fatal(err)
	}
	extra.Next()
	if _, err := s1.EStep("shard-0", extra.Responses(), 1); err == nil || !strings.Contains(err.Error(), "NEW-1") {
		t.Errorf("unknown item: error %v, want one naming NEW-1", err)
	}
}

// The design is connected when the shards link it together, though no
// shard does alone; without the linking shard the start names the parts.
func TestShardsLinkTheDesign(t *testing.T) {
	// Items 0–4 answered in shard a, 5–9 in shard b, 4 and 5 in shard c.
	items := make([]irt.ItemInfo, 10)
	for i := range items {
		items[i].Code = fmt.Sprintf("I%02d", i)
	}
	shard := func(cols []int, seed int) *irt.Responses {
		b := irt.NewBuilderOver(items)
		for p := range 60 {
			for k, i := range cols {
				if err := b.Add(i, uint8((p+k+seed)%3%2)); err != nil {
					t.Fatal(err)
				}
			}
			b.Next()
		}
		return b.Responses()
	}
	a, b, c := shard([]int{0, 1, 2, 3, 4}, 0), shard([]int{5, 6, 7, 8, 9}, 1), shard([]int{4, 5}, 2)
	s, err := StartShards(Options{Model: irt.ModelRasch})
	if err != nil {
		t.Fatal(err)
	}
	apart := []*ShardCounts{}
	for k, d := range []*irt.Responses{a, b} {
		x, err := s.EStep(string(rune('a'+k)), d, 1)
		if err != nil {
			t.Fatal(err)
		}
		apart = append(apart, x)
	}
	_, err = MStep(apart, 1)
	if _, ok := errors.AsType[*DisconnectedError](err); !ok || !strings.Contains(err.Error(), "I00, I01") {
		t.Errorf("two unlinked shards: error %v, want a DisconnectedError naming the items", err)
	}
	linked, err := s.EStep("c", c, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := MStep(append(apart, linked), 1); err != nil {
		t.Errorf("linked by a third shard: %v", err)
	}
}
