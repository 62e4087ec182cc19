package main

import (
	"fmt"
	"io"
	"time"
)

// progress draws a one-line counter (or a bar when the total is known) on
// stderr while long work runs; it draws nothing unless stderr is a terminal
// and --quiet is off.
type progress struct {
	w     io.Writer
	on    bool
	label string
	total int64
	last  time.Time
	start time.Time
}

func (g *globals) progress(label string, total int64) *progress {
	return &progress{w: g.errOut, on: g.errTTY && !g.quiet, label: label, total: total, start: time.Now()}
}

// Set shows n units done, at most ten times a second.
func (p *progress) Set(n int64) {
	if !p.on || time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	if p.total > 0 {
		const width = 30
		done := int(float64(width) * float64(min(n, p.total)) / float64(p.total))
		bar := make([]byte, width)
		for i := range bar {
			bar[i] = '.'
			if i < done {
				bar[i] = '#'
			}
		}
		fmt.Fprintf(p.w, "\r%s [%s] %d/%d", p.label, bar, n, p.total)
		return
	}
	fmt.Fprintf(p.w, "\r%s: %d (%.0f/s)", p.label, n, float64(n)/time.Since(p.start).Seconds())
}

// Message shows a status line, at most ten times a second.
func (p *progress) Message(format string, args ...any) {
	if !p.on || time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	fmt.Fprintf(p.w, "\r\033[K%s: "+format, append([]any{p.label}, args...)...)
}

// Done clears the line.
func (p *progress) Done() {
	if p.on {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
