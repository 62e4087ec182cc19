package calibrate

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/passportirt/passport/irt"
)

// A sharded calibration runs Run's EM on data split into shards — disjoint
// sets of examinees, each read where it lies — with only small files
// passing between the machines. The E-step's statistics are sums over
// examinees p (Bock & Aitkin 1981, Psychometrika 46, 443–459, eq. 9–10):
//
//	r1_iq = Σ_p w_p·u_pi·h_pq,   r0_iq = Σ_p w_p·(1 − u_pi)·h_pq,
//	log L = Σ_p w_p·log Σ_q L_p(θ_q)·π_q,
//
// the first two over the examinees who answered item i, with
// h_pq = L_p(θ_q)·π_q / Σ_k L_p(θ_k)·π_k examinee p's posterior weight at
// node q. They add exactly across shards, and they are all that
// the M-step — items, the 1PL's common slope, the latent mean and SD
// (mstep.go, commonslope.go, latent.go) — and the convergence test need.
// So a calibration is a loop:
//
//	s := StartShards(o)                          // the settings
//	for s.Stage != StageDone {
//		for each shard k, anywhere: c[k] = s.EStep(name[k], data[k], 0)
//		s = MStep(c, 0)                          // sum, M-step, test
//	}
//
// with three kinds of round:
//
//   - StageStart: the E-step counts each shard's responses per item and
//     which items its examinees link; MStep sorts the items (exclusions,
//     the connected-design check) and sets the starting values, as Run's
//     steps 1 and 2 do for one matrix.
//   - StageEM: the E-step at the state's point; MStep sums the counts and
//     takes one M-step. With SQUAREM (Options.NoAccel unset) the state
//     carries the accelerated iteration between its EM cycles (squarem.go),
//     so that the sharded run takes the same steps as Run; it stops by
//     Run's rule (em.go).
//   - StageFinal: the E-step at the estimates; MStep records the
//     log-likelihood and the diagnostics, and the run is StageDone.
//
// MStep sums the shards in the order of their names, whatever the order it
// is given them in, so the result does not depend on which shard finished
// first; the sums differ from Run's, which adds the examinees in other
// blocks, only by rounding (the tests hold the two to 1e-9). Standard
// errors are not computed (the state's items have none); anchors are not
// supported.
//
// A ShardState and a ShardCounts are files: JSON with snake_case keys, of
// format ShardFormatVersion. The state is all a machine needs besides its
// shard; a counts file repeats the state it was computed at, so MStep needs
// nothing else and refuses counts of different states, versions or shard
// sets.

// ShardFormatVersion is the version of the state and counts files. A
// change that an older reader would misread raises it.
const ShardFormatVersion = 1

// The kinds of file.
const (
	KindShardState  = "passport-shard-state"
	KindShardCounts = "passport-shard-counts"
)

// The stages of a sharded calibration.
const (
	StageStart = "start" // no items yet: the E-step counts the responses per item
	StageEM    = "em"    // EM cycles
	StageFinal = "final" // stopped: the E-step at the estimates, for the log-likelihood
	StageDone  = "done"  // finished
)

// ShardState is a sharded calibration between two rounds: its settings and
// where it stands. The packed parameter vectors (X, At, the SQUAREM
// iteration's) are what the engine reads; the items' a, b, c and the
// latent mean and SD show X for people.
type ShardState struct {
	Kind          string    `json:"kind"` // KindShardState
	FormatVersion int       `json:"format_version"`
	Stage         string    `json:"stage"`
	Model         irt.Model `json:"model"`
	D             float64   `json:"d"`
	// Grid is the quadrature for the N(0, 1) reference distribution
	// (Options.Grid), moved to N(μ, σ²) where those are estimated.
	Grid           ShardGrid  `json:"grid"`
	Priors         irt.Priors `json:"priors"`
	Tol            float64    `json:"tol"`
	MaxCycles      int        `json:"max_cycles"`
	MinResponses   int        `json:"min_responses"`
	EstimateLatent bool       `json:"estimate_latent"`
	Accelerate     bool       `json:"accelerate"` // SQUAREM; false: plain EM
	// Shards are the shards the start counted; every later round must
	// bring the same ones.
	Shards []ShardInfo `json:"shards,omitempty"`
	Items  []ShardItem `json:"items"`
	Cycles int         `json:"cycles"` // EM cycles taken
	// LogLik and LogPrior are the marginal log-likelihood and log prior
	// density at the point of the latest E-step; when done, at the
	// estimates.
	LogLik     float64        `json:"loglik"`
	LogPrior   float64        `json:"log_prior"`
	MaxChange  float64        `json:"max_change"` // of the latest iteration, max |Δx_k|
	Converged  bool           `json:"converged"`
	Reason     string         `json:"reason,omitempty"` // why it did not converge
	LatentMean float64        `json:"latent_mean"`
	LatentSD   float64        `json:"latent_sd"`
	Warnings   []ShardWarning `json:"warnings,omitempty"`
	// X is the current iterate, the packed free coordinates (param.go's
	// pack: per estimated item α, δ, c as the model frees them, then the
	// common slope, μ, log σ where estimated); At is where the next
	// E-step runs (X, or a point of the SQUAREM iteration under way).
	X       []float64    `json:"x,omitempty"`
	At      []float64    `json:"at,omitempty"`
	Squarem *squaremIter `json:"squarem,omitempty"`
}

// ShardGrid is a quadrature rule: nodes and their weights.
type ShardGrid struct {
	Nodes   []float64 `json:"nodes"`
	Weights []float64 `json:"weights"`
}

// ShardInfo is a shard as the start counted it.
type ShardInfo struct {
	Name      string `json:"name"`
	Examinees int    `json:"examinees"`
	Responses int    `json:"responses"`
	Digest    string `json:"digest"` // of the shard's data (shardDigest)
}

// ShardItem is an item of a sharded calibration.
type ShardItem struct {
	Code     string  `json:"code"`
	NOptions int     `json:"n_options,omitempty"` // 0 when not known
	N        float64 `json:"n"`                   // responses (weighted), all shards
	Excluded string  `json:"excluded,omitempty"`  // why it is not estimated
	// A, B, C are the item's parameters at X, in the IRT form
	// c + (1 − c)/(1 + exp(−D·a·(θ − b))); 0 for an excluded item.
	A float64 `json:"a"`
	B float64 `json:"b"`
	C float64 `json:"c"`
}

// ShardWarning is a diagnostic about an item (by code), or the run ("").
type ShardWarning struct {
	Item    string `json:"item,omitempty"`
	Message string `json:"message"`
}

// ShardCounts is one shard's E-step: the state it was computed at, and the
// shard's sufficient statistics.
type ShardCounts struct {
	ShardState        // Kind KindShardCounts
	Shard      string `json:"shard"` // the shard's name, unique in the run
	Examinees  int    `json:"examinees"`
	Responses  int    `json:"responses"`
	Digest     string `json:"digest"` // of the shard's data (shardDigest)
	// Seen (stage start) lists the shard's items.
	Seen []ShardItemCount `json:"seen,omitempty"`
	// ShardLogLik is the shard's marginal log-likelihood at the state's At,
	// and R1[i][q], R0[i][q] its expected numbers of correct and incorrect
	// responses to the state's item i at node q; null for an item the
	// shard has no responses to, or that is excluded.
	ShardLogLik float64     `json:"shard_loglik"`
	R0          [][]float64 `json:"r0,omitempty"`
	R1          [][]float64 `json:"r1,omitempty"`
}

// ShardItemCount is an item's responses in one shard.
type ShardItemCount struct {
	Code     string  `json:"code"`
	NOptions int     `json:"n_options,omitempty"`
	N        float64 `json:"n"` // responses (weighted)
	R        float64 `json:"r"` // correct responses (weighted)
	// Component labels the items the shard's examinees link: items
	// answered by one examinee share it; −1 for an item without responses.
	Component int `json:"component"`
}

// StartShards begins a sharded calibration with the options o (Threads and
// Progress are not part of it; Fixed is not supported).
func StartShards(o Options) (*ShardState, error) {
	if len(o.Fixed) > 0 {
		return nil, errors.New("a sharded calibration does not take anchors (Options.Fixed)")
	}
	if err := o.defaults(0); err != nil {
		return nil, err
	}
	return &ShardState{
		Kind: KindShardState, FormatVersion: ShardFormatVersion, Stage: StageStart,
		Model: o.Model, D: o.D, Grid: ShardGrid{slices.Clone(o.Grid.Nodes), slices.Clone(o.Grid.Weights)}, Priors: *o.Priors,
		Tol: o.Tol, MaxCycles: o.MaxCycles, MinResponses: o.MinResponses, EstimateLatent: o.EstimateLatent, Accelerate: !o.NoAccel,
		LatentSD: 1,
	}, nil
}

// options are the state's settings as Options, defaults filled in.
func (s *ShardState) options(threads int) (Options, error) {
	pr := s.Priors
	o := Options{Model: s.Model, D: s.D, Grid: irt.Quadrature{Nodes: s.Grid.Nodes, Weights: s.Grid.Weights}, Tol: s.Tol,
		MaxCycles: s.MaxCycles, Priors: &pr, EstimateLatent: s.EstimateLatent, Threads: threads, NoAccel: !s.Accelerate,
		MinResponses: s.MinResponses}
	return o, o.defaults(len(s.Items))
}

// check refuses a file of another kind or version, or of an unknown stage.
func (s *ShardState) check(kind string) error {
	switch {
	case s.Kind != kind:
		return fmt.Errorf("a %q file, not a %s file", s.Kind, kind)
	case s.FormatVersion != ShardFormatVersion:
		return fmt.Errorf("format_version %d; this passport reads version %d", s.FormatVersion, ShardFormatVersion)
	case !slices.Contains([]string{StageStart, StageEM, StageFinal, StageDone}, s.Stage):
		return fmt.Errorf("stage %q; expected %s, %s, %s or %s", s.Stage, StageStart, StageEM, StageFinal, StageDone)
	}
	return nil
}

// EStep computes the shard's statistics at the state s: at the start, its
// responses per item; afterwards its expected counts and log-likelihood at
// s.At. The shard's columns are matched to the state's items by code, so
// any reader's matrix will do. name names the shard, the same in every
// round; threads are the E-step's workers (0: all cores).
func (s *ShardState) EStep(name string, d *irt.Responses, threads int) (*ShardCounts, error) {
	if err := s.check(KindShardState); err != nil {
		return nil, err
	}
	if name == "" {
		return nil, errors.New("the shard needs a name")
	}
	c := &ShardCounts{ShardState: *s, Shard: name, Examinees: d.NExaminees(), Responses: d.NResponses(), Digest: shardDigest(d)}
	c.Kind = KindShardCounts
	switch s.Stage {
	case StageDone:
		return nil, errors.New("the calibration is done: no E-step is left to run")
	case StageStart:
		n, r := itemCounts(d)
		label, _ := components(d)
		for i, it := range d.Items {
			c.Seen = append(c.Seen, ShardItemCount{Code: it.Code, NOptions: it.NOptions, N: n[i], R: r[i], Component: label[i]})
		}
		return c, nil
	}
	m, err := s.matrix(d)
	if err != nil {
		return nil, err
	}
	e, err := s.engine(m, threads)
	if err != nil {
		return nil, err
	}
	e.prepare(m)
	cn := e.evaluate()
	n, _ := itemCounts(m)
	nq := e.nq
	c.ShardLogLik = cn.loglik
	c.R0, c.R1 = make([][]float64, m.NItems()), make([][]float64, m.NItems())
	for i := range m.NItems() {
		if e.active[i] && n[i] > 0 {
			c.R0[i] = slices.Clone(cn.r0[i*nq : (i+1)*nq])
			c.R1[i] = slices.Clone(cn.r1[i*nq : (i+1)*nq])
		}
	}
	return c, nil
}

// shardDigest identifies a shard's data: the SHA-256 of its item codes,
// and of each examinee's weight and responses (column, score) in order.
func shardDigest(d *irt.Responses) string {
	h := sha256.New()
	var b []byte
	for _, it := range d.Items {
		b = binary.AppendUvarint(b, uint64(len(it.Code)))
		b = append(b, it.Code...)
	}
	for p := range d.NExaminees() {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(d.W(p)))
		b = binary.AppendUvarint(b, uint64(d.Start[p+1]-d.Start[p]))
		for k := d.Start[p]; k < d.Start[p+1]; k++ {
			b = binary.AppendUvarint(b, uint64(d.Item[k])<<1|uint64(d.Score[k]))
		}
		if len(b) > 1<<16 {
			h.Write(b)
			b = b[:0]
		}
	}
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// matrix is d with its columns replaced by the state's items.
func (s *ShardState) matrix(d *irt.Responses) (*irt.Responses, error) {
	col := make(map[string]int32, len(s.Items))
	for i, it := range s.Items {
		col[it.Code] = int32(i)
	}
	to := make([]int32, d.NItems())
	for j, it := range d.Items {
		i, ok := col[it.Code]
		if !ok {
			i = -1
		}
		to[j] = i
	}
	m := &irt.Responses{Items: s.itemInfos(), Start: d.Start, Item: make([]int32, len(d.Item)), Score: d.Score, Weight: d.Weight}
	for k, j := range d.Item {
		if to[j] < 0 {
			return nil, fmt.Errorf("item %s has responses in the shard but is not one of the calibration's items: the shards at its start had none", d.Items[j].Code)
		}
		m.Item[k] = to[j]
	}
	return m, nil
}

// itemInfos are the state's items as the columns of a matrix.
func (s *ShardState) itemInfos() []irt.ItemInfo {
	out := make([]irt.ItemInfo, len(s.Items))
	for i, it := range s.Items {
		out[i] = irt.ItemInfo{Code: it.Code, NOptions: it.NOptions}
	}
	return out
}

// engine sets up an engine for the state's items, the columns of d: the
// estimated items are those not excluded, and the engine is at its
// starting values — which give the coordinates the model holds (a Rasch
// slope D, a 2PL's c = 0) — moved to the point s.At.
func (s *ShardState) engine(d *irt.Responses, threads int) (*engine, error) {
	o, err := s.options(threads)
	if err != nil {
		return nil, err
	}
	e := &engine{d: d, o: o, nq: len(o.Grid.Nodes), mu: 0, sd: 1, active: make([]bool, len(s.Items))}
	n := make([]float64, len(s.Items))
	for i, it := range s.Items {
		n[i] = it.N
		if it.Excluded == "" {
			e.active[i] = true
			e.free = append(e.free, i)
		}
	}
	e.configure()
	e.start(n, make([]float64, len(n)))
	if k := len(e.pack()); len(s.At) != k || len(s.X) != k {
		return nil, fmt.Errorf("the state has %d and %d coordinates for x and at, its items and model %d", len(s.X), len(s.At), k)
	}
	e.unpack(s.At)
	e.theta = make([]float64, e.nq)
	e.setNodes()
	return e, nil
}

// view shows the engine's parameters in the state's items and latent
// moments.
func (s *ShardState) view(e *engine) {
	s.Items = slices.Clone(s.Items)
	for _, i := range e.free {
		p := e.irtParams(i)
		s.Items[i].A, s.Items[i].B, s.Items[i].C = p.A, p.B, p.C
	}
	s.LatentMean, s.LatentSD = e.mu, e.sd
}

// MStep sums the shards' counts, in the order of their names, and takes
// the round's step (see the notes at the top of shard.go): at the start, the
// items and starting values; in EM, one M-step and the convergence test;
// at the end, the log-likelihood and diagnostics at the estimates. It
// refuses counts of different states or versions, a shard given twice,
// and, after the start, a shard set other than the start's. threads are
// the M-step's workers (0: all cores).
func MStep(shards []*ShardCounts, threads int) (*ShardState, error) {
	if len(shards) == 0 {
		return nil, errors.New("no shard counts to sum")
	}
	sh := slices.Clone(shards)
	slices.SortFunc(sh, func(a, b *ShardCounts) int { return cmp.Compare(a.Shard, b.Shard) })
	for k, c := range sh {
		if err := c.check(KindShardCounts); err != nil {
			return nil, fmt.Errorf("shard %s: %w", c.Shard, err)
		}
		if k > 0 && c.Shard == sh[k-1].Shard {
			return nil, fmt.Errorf("shard %s is given twice", c.Shard)
		}
		if err := sameState(&sh[0].ShardState, &c.ShardState); err != nil {
			return nil, fmt.Errorf("shards %s and %s: %w", sh[0].Shard, c.Shard, err)
		}
	}
	s := sh[0].ShardState
	s.Kind = KindShardState
	switch s.Stage {
	case StageDone:
		return nil, errors.New("the calibration is done: no M-step is left to take")
	case StageStart:
		if err := s.begin(sh, threads); err != nil {
			return nil, err
		}
		return &s, nil
	}
	if err := s.sameShards(sh); err != nil {
		return nil, err
	}
	sum, err := s.sum(sh)
	if err != nil {
		return nil, err
	}
	e, err := s.engine(&irt.Responses{Items: s.itemInfos(), Start: []int{0}}, threads)
	if err != nil {
		return nil, err
	}
	if s.Stage == StageEM {
		s.cycle(e, sum)
	} else {
		s.finish(e, sum)
	}
	return &s, nil
}

// sameState fails unless the counts a and b were computed at one state.
func sameState(a, b *ShardState) error {
	switch {
	case a.Stage != b.Stage || a.Cycles != b.Cycles:
		return fmt.Errorf("computed at different rounds (%s after %d EM cycles, %s after %d); give the counts of one round",
			a.Stage, a.Cycles, b.Stage, b.Cycles)
	case a.Model != b.Model || a.D != b.D || !reflect.DeepEqual(a.Grid, b.Grid) || a.Priors != b.Priors:
		return errors.New("computed with different settings (model, D, grid or priors)")
	case !slices.EqualFunc(a.Items, b.Items, func(x, y ShardItem) bool { return x.Code == y.Code }):
		return errors.New("computed over different items")
	case !reflect.DeepEqual(*a, *b):
		return errors.New("computed from different states of the same round")
	}
	return nil
}

// sameShards fails unless the counts sh are those of the shards the start
// counted, each as large as it was.
func (s *ShardState) sameShards(sh []*ShardCounts) error {
	want := map[string]ShardInfo{}
	for _, x := range s.Shards {
		want[x.Name] = x
	}
	for _, c := range sh {
		x, ok := want[c.Shard]
		if !ok {
			return fmt.Errorf("shard %s was not counted at the start of the calibration; its shards are %s", c.Shard, s.shardNames())
		}
		if x.Digest != c.Digest {
			return fmt.Errorf("shard %s (%d examinees, %d responses) is not the data it was at the start (%d, %d): its data changed",
				c.Shard, c.Examinees, c.Responses, x.Examinees, x.Responses)
		}
		delete(want, c.Shard)
	}
	if len(want) > 0 {
		missing := slices.Sorted(maps.Keys(want))
		return fmt.Errorf("the counts of shard %s are missing: every shard of the start takes part in every round", strings.Join(missing, ", "))
	}
	return nil
}

func (s *ShardState) shardNames() string {
	var names []string
	for _, x := range s.Shards {
		names = append(names, x.Name)
	}
	return strings.Join(names, ", ")
}

// sum adds the shards' counts in their order.
func (s *ShardState) sum(sh []*ShardCounts) (*counts, error) {
	ni, nq := len(s.Items), len(s.Grid.Nodes)
	t := &counts{r0: make([]float64, ni*nq), r1: make([]float64, ni*nq)}
	for _, c := range sh {
		if len(c.R0) != ni || len(c.R1) != ni {
			return nil, fmt.Errorf("shard %s: counts for %d and %d items, expected %d", c.Shard, len(c.R0), len(c.R1), ni)
		}
		for i := range ni {
			for _, p := range [2]struct{ dst, src []float64 }{{t.r0, c.R0[i]}, {t.r1, c.R1[i]}} {
				if p.src == nil {
					continue
				}
				if len(p.src) != nq {
					return nil, fmt.Errorf("shard %s: %d counts for item %s, expected one per node (%d)", c.Shard, len(p.src), s.Items[i].Code, nq)
				}
				addTo(p.dst[i*nq:(i+1)*nq], p.src)
			}
		}
		t.loglik += c.ShardLogLik
	}
	return t, nil
}

// begin takes the start's round: it joins the shards' items, in the order
// they first appear, sums their counts, links the shards' components into
// the design's, and sets the items and starting values as Run's steps 1
// and 2.
func (s *ShardState) begin(sh []*ShardCounts, threads int) error {
	index := map[string]int{}
	var items []irt.ItemInfo
	var n, r []float64
	for _, c := range sh {
		s.Shards = append(s.Shards, ShardInfo{c.Shard, c.Examinees, c.Responses, c.Digest})
		seen := map[string]bool{}
		for _, it := range c.Seen {
			if seen[it.Code] {
				return fmt.Errorf("shard %s lists item %s twice", c.Shard, it.Code)
			}
			seen[it.Code] = true
			i, ok := index[it.Code]
			if !ok {
				i = len(items)
				index[it.Code] = i
				items = append(items, irt.ItemInfo{Code: it.Code, NOptions: it.NOptions})
				n, r = append(n, 0), append(r, 0)
			}
			if items[i].NOptions != it.NOptions {
				return fmt.Errorf("item %s has %d options in shard %s but %d in an earlier shard", it.Code, it.NOptions, c.Shard, items[i].NOptions)
			}
			n[i] += it.N
			r[i] += it.R
		}
	}
	if len(items) == 0 || !slices.ContainsFunc(n, func(x float64) bool { return x > 0 }) {
		return errors.New("no responses to calibrate")
	}
	// Items linked in a shard are linked in the design: one pseudo-examinee
	// per component of each shard answering all its items links them.
	b := irt.NewBuilderOver(items)
	for _, c := range sh {
		comp := map[int][]int{}
		for _, it := range c.Seen {
			if it.Component >= 0 {
				comp[it.Component] = append(comp[it.Component], index[it.Code])
			}
		}
		for _, k := range slices.Sorted(maps.Keys(comp)) {
			for _, i := range comp[k] {
				if err := b.Add(i, 0); err != nil {
					return err
				}
			}
			b.Next()
		}
	}
	label, k := components(b.Responses())
	d := &irt.Responses{Items: items, Start: []int{0}}
	o, err := s.options(threads)
	if err != nil {
		return err
	}
	e, res, err := setUp(d, o, n, r, label, k)
	if de, ok := errors.AsType[*DisconnectedError](err); ok {
		codes := make([]string, len(items))
		for i, it := range items {
			codes[i] = it.Code
		}
		return fmt.Errorf("%w: %s", de, de.Named(codes))
	}
	if err != nil {
		return err
	}
	s.Items = make([]ShardItem, len(items))
	for i, it := range items {
		s.Items[i] = ShardItem{Code: it.Code, NOptions: it.NOptions, N: n[i], Excluded: res.Items[i].Excluded}
	}
	s.addWarnings(res.Warnings)
	s.X = e.pack()
	s.At = s.X
	s.Stage = StageEM
	s.view(e)
	return nil
}

// addWarnings appends w, naming items by code.
func (s *ShardState) addWarnings(w []Warning) {
	for _, x := range w {
		code := ""
		if x.Item >= 0 {
			code = s.Items[x.Item].Code
		}
		s.Warnings = append(slices.Clip(s.Warnings), ShardWarning{code, x.Msg})
	}
}

// cycle is one EM cycle from the summed counts c of the E-step at s.At
// (the engine e is there): the M-step, then — plain EM, or when the cycle
// completes a SQUAREM iteration — Run's convergence test (em.go).
func (s *ShardState) cycle(e *engine, c *counts) {
	s.LogLik, s.LogPrior = c.loglik, e.logPriorTotal()
	obj := s.LogLik + s.LogPrior // the log posterior at s.At
	e.mstep(c)
	fx := e.pack()
	s.Cycles++
	next, done := fx, true
	if s.Accelerate {
		var it squaremIter
		if s.Squarem != nil {
			it = *s.Squarem
		}
		next, done = it.next(s.X, fx, obj, e.admit)
		s.Squarem = &it
	}
	if !done {
		s.At = next
		return
	}
	s.MaxChange = maxAbsDiff(next, s.X)
	s.X, s.At, s.Squarem = next, next, nil
	switch {
	case s.MaxChange < s.Tol:
		s.Converged, s.Stage = true, StageFinal
	case s.Cycles >= s.MaxCycles:
		s.Reason, s.Stage = noConvergence(e.o), StageFinal
	}
	e.unpack(s.X)
	s.view(e)
}

// finish records, from the summed counts c of the E-step at the estimates
// (the engine e is there), the log-likelihood, the log prior and Run's
// diagnostics (diagnose.go).
func (s *ShardState) finish(e *engine, c *counts) {
	e.last = c
	s.LogLik, s.LogPrior = c.loglik, e.logPriorTotal()
	res := &Result{Items: make([]ItemEstimate, len(s.Items)), Converged: s.Converged, Reason: s.Reason}
	for _, i := range e.free {
		res.Items[i].Params = e.irtParams(i)
	}
	s.addWarnings(e.diagnose(res))
	s.Reason = res.Reason
	s.Stage = StageDone
}

// Result is the finished calibration as Run returns it, without standard
// errors (they are NaN).
func (s *ShardState) Result() (*Result, error) {
	if err := s.check(KindShardState); err != nil {
		return nil, err
	}
	if s.Stage != StageDone {
		return nil, fmt.Errorf("the calibration is at stage %s, not done", s.Stage)
	}
	o, err := s.options(0)
	if err != nil {
		return nil, err
	}
	res := &Result{Items: make([]ItemEstimate, len(s.Items)), LogLik: s.LogLik, LogPrior: s.LogPrior, Cycles: s.Cycles,
		Converged: s.Converged, Reason: s.Reason, LatentMean: s.LatentMean, LatentSD: s.LatentSD, Options: o}
	index := map[string]int{}
	for i, it := range s.Items {
		index[it.Code] = i
		res.Items[i] = ItemEstimate{N: it.N, Excluded: it.Excluded, SEA: math.NaN(), SEB: math.NaN(), SEC: math.NaN()}
		if it.Excluded == "" {
			res.Items[i].Params = irt.ThreePL{A: it.A, B: it.B, C: it.C, D: s.D}
		}
	}
	for _, w := range s.Warnings {
		i := -1
		if w.Item != "" {
			i = index[w.Item]
		}
		res.Warnings = append(res.Warnings, Warning{i, w.Message})
	}
	return res, nil
}
