package main

import (
	"fmt"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress shows long work on stderr with github.com/schollz/progressbar:
// a bar with done/total, rate and time left when the total is known, a
// counter with its rate otherwise, and a line of what is being done. It
// draws nothing unless stderr is a terminal and --quiet is off; a nil
// *progress is valid and draws nothing.
type progress struct {
	bar *progressbar.ProgressBar
}

// progress starts a bar labelled label over total units (0: unknown) named
// unit ("rows", "cycles").
func (g *globals) progress(label string, total int64, unit string) *progress {
	if !g.errTTY || g.quiet {
		return nil
	}
	if total <= 0 {
		total = -1
	}
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(g.errOut),
		progressbar.OptionSetDescription(label),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString(unit),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(30),
	}
	return &progress{progressbar.NewOptions64(total, opts...)}
}

// Set shows n units done.
func (p *progress) Set(n int64) {
	if p != nil {
		p.bar.Set64(n)
	}
}

// Message replaces the bar's description with a line of what is being done.
func (p *progress) Message(format string, args ...any) {
	if p != nil {
		p.bar.Describe(fmt.Sprintf(format, args...))
	}
}

// Done clears the bar.
func (p *progress) Done() {
	if p != nil {
		p.bar.Finish()
	}
}
