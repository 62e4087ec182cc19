package main

import (
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/irt"
)

// fileFlags are the flags of a command that reads a response file straight
// into a matrix, without a bank: --responses and how to read it.
type fileFlags struct {
	responses string
	wide      bool
	key       string
	omit      string
}

// declare adds the flags; what is the command's verb ("calibrate").
func (ff *fileFlags) declare(f *pflag.FlagSet, what string) {
	f.StringVar(&ff.responses, "responses", "", what+" this response file instead of the bank's responses: long CSV (passport's or the IRW's id,item,resp), Parquet (IRW long), or wide CSV with --wide")
	f.BoolVar(&ff.wide, "wide", false, "with --responses: the file is a wide CSV (one column per item)")
	f.StringVar(&ff.key, "key", "", "with --responses: answer key, one option per item column (wide) or ITEM=OPTION pairs (long); cells, or resp, are then options rather than 0/1 scores")
	f.StringVar(&ff.omit, "omit", "", "with --responses: code of an omitted response (besides -)")
}

// read reads --responses into a matrix (bank.ReadResponses): omitted
// responses left out with omitAsMissing; items, when given, are the
// columns. It shows a progress bar and says what it read.
func (ff *fileFlags) read(g *globals, omitAsMissing bool, items []irt.ItemInfo) (*bank.FileResponses, error) {
	f, err := os.Open(ff.responses)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	opts := bank.ReadOptions{Wide: ff.wide, Omit: ff.omit, OmitAsMissing: omitAsMissing, Items: items}
	if ff.key != "" {
		opts.Key = strings.Split(ff.key, ",")
	}
	p := g.progress("reading "+ff.responses, 0, "rows")
	opts.Progress = p.Set
	r, err := bank.ReadResponses(ff.responses, f, opts)
	p.Done()
	if err != nil {
		return nil, err
	}
	g.status("read %s: %d rows, %d responses of %d examinees to %d items, %d omitted", ff.responses, r.Rows, r.NResponses(), r.NExaminees(), r.NItems(), r.Omitted)
	if r.Skipped > 0 {
		g.status("left out %d responses to items other than the %d read", r.Skipped, len(items))
	}
	return r, nil
}
