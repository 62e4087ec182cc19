package main

import (
	"bufio"
	"context"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/calibrate"
	"github.com/passportirt/passport/irt"
)

// The sharded calibration: calibrate shard init, estep and mstep, each a
// step of calibrate.StartShards, ShardState.EStep and calibrate.MStep on
// files. The state and counts files are written with encoding/json, not
// render, so that every number round-trips to the last bit.

func newShardCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "shard",
		Short: "Calibrate data split into shards: an E-step per shard, anywhere, then the M-step",
		Long: `Runs calibrate's EM on response data split into shards — disjoint sets of
examinees, each read where it lies — passing only small JSON files around.
The E-step's expected counts add exactly across shards, so a calibration is
a loop:

  passport calibrate shard init --model 2pl -o state.json
  until grep -q '"stage": "done"' state.json; do
    passport calibrate shard estep --params state.json --data shard1.csv --wide -o c1.json
    passport calibrate shard estep --params state.json --data shard2.csv --wide -o c2.json
    passport calibrate shard mstep c1.json c2.json -o state.json
  done

The E-steps of one round may run in parallel, on any machines; the M-step
sums their counts in the order of the shards' names, so the result does
not depend on which finished first, and equals calibrate's on the whole
data (to rounding, 1e-9 in the tests) — SQUAREM included, which the state
carries between rounds. The first round counts the responses per item and
sets the starting values; the last computes the log-likelihood at the
estimates, and the M-step then prints the parameters (import them with
passport calibrations import). No standard errors; no anchors.

The state file (kind passport-shard-state) holds the settings, the items
and the current parameters; a counts file (passport-shard-counts) repeats
the state it was computed at and adds the shard's counts. Both carry
format_version; the M-step refuses counts of different rounds, settings,
items or versions, a shard given twice and a shard missing or changed.
scripts/shard-calibrate.sh runs the loop with xargs -P or GNU parallel;
scripts/SHARDING.md shows the same with Spark or Ray.`,
	}
	cmd.AddCommand(newShardInitCmd(g), newShardEStepCmd(g), newShardMStepCmd(g))
	return cmd
}

type shardInitOptions struct {
	*calibrateOptions // the model and EM settings, as calibrate takes them
	output            string
}

func newShardInitCmd(g *globals) *cobra.Command {
	o := &shardInitOptions{calibrateOptions: defaultCalibrateOptions()}
	o.globals = g
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write the starting state of a sharded calibration: the model and EM settings",
		Long: `Writes the state a sharded calibration starts from: the model, D, grid,
priors, tolerance, cycle limit and acceleration, with calibrate's flags and
defaults. The first round of E-steps counts each shard's responses.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runShardInit(o) },
	}
	f := cmd.Flags()
	o.declareModelFlags(f)
	f.StringVarP(&o.output, "output", "o", "", "write the state to this file instead of stdout")
	return cmd
}

func runShardInit(o *shardInitOptions) error {
	opts, err := o.fitOptions()
	if err != nil {
		return err
	}
	st, err := calibrate.StartShards(opts)
	if err != nil {
		return err
	}
	return writeOutput(o.globals, o.output, func(w io.Writer) error { return writeJSONFile(w, st) })
}

type shardEStepOptions struct {
	*globals
	params   string // the state file
	data     string // the shard
	wide     bool
	long     bool
	items    string // with --long: the items file
	key      string
	omit     string
	omitMiss bool
	name     string
	cache    string // a file keeping the shard as read, for the next rounds
	threads  int
	output   string
}

func newShardEStepCmd(g *globals) *cobra.Command {
	o := &shardEStepOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "estep",
		Short: "Compute one shard's expected counts at a sharded calibration's state",
		Long: `Reads a shard of responses and writes its E-step at the state --params:
in the first round its responses per item, then its expected numbers of
correct and incorrect responses per item and quadrature node and its
log-likelihood. The shard is a CSV file: --wide as calibrate --responses
reads it (0/1 cells, or options with --key), or --long as responses import
reads it, with the items file of passport items export (--items) for the
keys. Give every round the same shard, named the same (--shard, default
the file's base name), with the same --omit-as-missing. Reading a CSV file
takes far longer than the E-step: --cache FILE keeps the shard as read (Go's
gob encoding of the response matrix), and later rounds read it instead
while the shard file and the reading flags are unchanged.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runShardEStep(cmd.Context(), o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.params, "params", "", "the calibration's state (init's or mstep's output)")
	f.StringVar(&o.data, "data", "", "the shard's responses (CSV)")
	f.BoolVar(&o.wide, "wide", false, "the shard is wide: one row per examinee, one column per item")
	f.BoolVar(&o.long, "long", false, "the shard is long: one row per response (examinee,form,item,option,score,…)")
	f.StringVar(&o.items, "items", "", "with --long: the items, as passport items export writes them")
	f.StringVar(&o.key, "key", "", "with --wide: answer key, one option per item column (cells are then options)")
	f.StringVar(&o.omit, "omit", "", "code of an omitted response")
	f.BoolVar(&o.omitMiss, "omit-as-missing", false, "treat omitted responses as not administered (default: wrong)")
	f.StringVar(&o.name, "shard", "", "the shard's name, the same in every round (default: the file's base name)")
	f.StringVar(&o.cache, "cache", "", "keep the shard as read in this file, and read it from there in later rounds")
	intVar(f, &o.threads, "threads", 0, 0, 1024, "E-step threads (0: all cores); results do not depend on it")
	f.StringVarP(&o.output, "output", "o", "", "write the counts to this file instead of stdout")
	return cmd
}

func runShardEStep(ctx context.Context, o *shardEStepOptions) error {
	if o.params == "" || o.data == "" {
		return errors.New("estep needs --params STATE.json and --data SHARD.csv")
	}
	st, err := readJSONFile[calibrate.ShardState](o.params)
	if err != nil {
		return err
	}
	d, err := readShardCached(ctx, o)
	if err != nil {
		return err
	}
	if o.name == "" {
		o.name = filepath.Base(o.data)
	}
	c, err := st.EStep(o.name, d, o.threads)
	if err != nil {
		return fmt.Errorf("--params %s, shard %s: %w", o.params, o.name, err)
	}
	if st.Stage == calibrate.StageStart {
		o.status("shard %s: %d examinees, %d responses to %d items counted", o.name, c.Examinees, c.Responses, len(c.Seen))
	} else {
		o.status("shard %s (%s, %d EM cycles): %d examinees, log-likelihood %.4f", o.name, st.Stage, st.Cycles, c.Examinees, c.ShardLogLik)
	}
	return writeOutput(o.globals, o.output, func(w io.Writer) error { return writeJSONFile(w, c) })
}

// shardSource is what a shard was read from: the files, as their size and
// modification time say, and the flags that read them.
type shardSource struct {
	Data, Items          fileStamp
	Wide, Long, OmitMiss bool
	Key, Omit            string
}

// fileStamp identifies a file's contents by its path, size and
// modification time.
type fileStamp struct {
	Path    string
	Size    int64
	ModTime int64 // ns
}

func stamp(file string) (fileStamp, error) {
	if file == "" {
		return fileStamp{}, nil
	}
	fi, err := os.Stat(file)
	if err != nil {
		return fileStamp{}, err
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return fileStamp{}, err
	}
	return fileStamp{abs, fi.Size(), fi.ModTime().UnixNano()}, nil
}

// shardCache is the --cache file: a shard as read, and what from.
type shardCache struct {
	Source shardSource
	Matrix *irt.Responses
}

// readShardCached reads the shard from --cache while that holds it as read
// from the same files with the same flags; otherwise from the shard file,
// writing --cache for the next round.
func readShardCached(ctx context.Context, o *shardEStepOptions) (*irt.Responses, error) {
	if o.cache == "" {
		return readShard(ctx, o)
	}
	src := shardSource{Wide: o.wide, Long: o.long, OmitMiss: o.omitMiss, Key: o.key, Omit: o.omit}
	var err error
	if src.Data, err = stamp(o.data); err != nil {
		return nil, err
	}
	if src.Items, err = stamp(o.items); err != nil {
		return nil, err
	}
	if f, err := os.Open(o.cache); err == nil {
		var c shardCache
		err := gob.NewDecoder(bufio.NewReader(f)).Decode(&c)
		f.Close()
		if err == nil && c.Source == src && c.Matrix.Check() == nil {
			return c.Matrix, nil
		}
	}
	d, err := readShard(ctx, o)
	if err != nil {
		return nil, err
	}
	err = writeOutput(o.globals, o.cache, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		if err := gob.NewEncoder(bw).Encode(shardCache{src, d}); err != nil {
			return err
		}
		return bw.Flush()
	})
	return d, err
}

// readShard reads the shard's responses: a wide file as calibrate
// --responses does, a long file through a temporary bank with --items'
// items.
func readShard(ctx context.Context, o *shardEStepOptions) (*irt.Responses, error) {
	var b *bank.Bank
	var cleanup func()
	var err error
	switch {
	case o.wide == o.long:
		return nil, errors.New("give the shard's layout: --wide or --long")
	case o.wide:
		r, err := (&fileFlags{responses: o.data, wide: true, key: o.key, omit: o.omit}).read(o.globals, o.omitMiss, nil)
		if err != nil {
			return nil, err
		}
		return r.Responses, nil
	case o.items == "":
		return nil, errors.New("--long needs --items ITEMS.csv (from passport items export): a long file's items must be known")
	case o.key != "":
		return nil, errors.New("--key is for --wide files: a long file is scored with the keys of --items")
	default:
		b, cleanup, err = longBank(ctx, o)
	}
	if err != nil {
		return nil, err
	}
	defer cleanup()
	defer b.Close()
	return b.ResponseMatrix(ctx, bank.MatrixFilter{OmitAsMissing: o.omitMiss})
}

// longBank imports --items and the long file --data into a temporary bank;
// cleanup removes it (after the bank is closed).
func longBank(ctx context.Context, o *shardEStepOptions) (*bank.Bank, func(), error) {
	dir, err := os.MkdirTemp("", "passport-shard-")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	b, err := bank.Create(filepath.Join(dir, "tmp.db"))
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	load := func(file string, imp func(io.Reader) error) error {
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		return imp(f)
	}
	err = load(o.items, func(r io.Reader) error { _, err := b.ImportItems(ctx, o.items, r); return err })
	if err == nil {
		err = load(o.data, func(r io.Reader) error {
			_, err := b.ImportLong(ctx, o.data, r, bank.ResponseOptions{Omit: o.omit})
			return err
		})
	}
	if err != nil {
		b.Close()
		cleanup()
		return nil, nil, err
	}
	return b, cleanup, nil
}

type shardMStepOptions struct {
	*globals
	threads int
	output  string
}

func newShardMStepCmd(g *globals) *cobra.Command {
	o := &shardMStepOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "mstep COUNTS.json...",
		Short: "Sum the shards' counts and take the M-step, writing the next state",
		Long: `Sums the counts of every shard of one round, in the order of the shards'
names, and writes the next state (-o): after the first round the items and
starting values, then an EM cycle with the convergence test, and last the
log-likelihood at the estimates, when the state's stage is "done" and the
parameters are printed (--format csv is what calibrations import reads).`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runShardMStep(o, args) },
	}
	f := cmd.Flags()
	intVar(f, &o.threads, "threads", 0, 0, 1024, "M-step threads (0: all cores); results do not depend on it")
	f.StringVarP(&o.output, "output", "o", "", "write the next state to this file (required)")
	return cmd
}

func runShardMStep(o *shardMStepOptions, files []string) error {
	if o.output == "" {
		return errors.New("mstep needs -o STATE.json: the file of the next state")
	}
	var cs []*calibrate.ShardCounts
	for _, f := range files {
		c, err := readJSONFile[calibrate.ShardCounts](f)
		if err != nil {
			return err
		}
		cs = append(cs, c)
	}
	st, err := calibrate.MStep(cs, o.threads)
	if err != nil {
		return err
	}
	if err := writeOutput(o.globals, o.output, func(w io.Writer) error { return writeJSONFile(w, st) }); err != nil {
		return err
	}
	switch {
	case st.Stage == calibrate.StageEM && st.Cycles == 0:
		free := 0
		for _, it := range st.Items {
			if it.Excluded == "" {
				free++
			}
		}
		o.status("%d shards: %d items, %d to estimate; starting values set", len(cs), len(st.Items), free)
		return nil
	case st.Stage == calibrate.StageEM:
		change := "" // reported when the cycle ends an iteration
		if st.Squarem == nil {
			change = fmt.Sprintf(", largest change %.2e", st.MaxChange)
		}
		o.status("cycle %d: log-likelihood %.4f%s", st.Cycles, st.LogLik, change)
		return nil
	case st.Stage == calibrate.StageFinal:
		o.status("cycle %d: stopped (%s); one more round of E-steps gives the log-likelihood at the estimates", st.Cycles, or(st.Reason, "converged"))
		return nil
	}
	res, err := st.Result()
	if err != nil {
		return err
	}
	return writeShardResult(o.globals, st, res)
}

// writeShardResult reports a finished sharded calibration: its warnings
// and fit on stderr, its parameters on stdout.
func writeShardResult(g *globals, st *calibrate.ShardState, res *calibrate.Result) error {
	codes := make([]string, len(st.Items))
	for i, it := range st.Items {
		codes[i] = it.Code
	}
	warnings, notes := resultNotes(res, codes)
	for _, w := range warnings {
		g.status("warning: %s", w)
	}
	g.status("%s", runSummary(st.Model, res, st.Priors))
	return writeParams(g.out, g.format, paramRows(codes, st.Model, res.Items), notes)
}

// or is s, or def when s is empty.
func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// readJSONFile decodes the JSON file into a new T.
func readJSONFile[T any](file string) (*T, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	v := new(T)
	if err := json.Unmarshal(b, v); err != nil {
		return nil, fmt.Errorf("%s: not a state or counts file of passport calibrate shard: %w", file, err)
	}
	return v, nil
}

// writeJSONFile writes v as indented JSON, numbers to the last bit.
func writeJSONFile(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
