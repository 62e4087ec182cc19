package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/passportirt/passport/bank"
)

type demoOptions struct {
	dir       string
	examinees int
	seed      uint64
}

func newDemoCmd(g *globals) *cobra.Command {
	o := &demoOptions{}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole pipeline on the embedded demo bank",
		Long: `Runs passport's pipeline end to end on a fresh bank: loads the embedded
Python Fundamentals items, simulates a year of administrations on
overlapping forms, imports the log, and prints what each stage did.
The bank and files go to a temporary folder, removed afterwards, unless
--dir names one to keep.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runDemo(cmd.Context(), g, o) },
	}
	cmd.Flags().StringVar(&o.dir, "dir", "", "keep the demo bank and files in this folder")
	cmd.Flags().IntVar(&o.examinees, "examinees", 6000, "examinees in the simulated year")
	cmd.Flags().Uint64Var(&o.seed, "seed", 2026, "random seed")
	return cmd
}

func runDemo(ctx context.Context, g *globals, o *demoOptions) error {
	dir := o.dir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "passport-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	w := g.out
	dg := *g
	dg.db = filepath.Join(dir, "passport.db")
	if _, err := os.Stat(dg.db); err == nil {
		return fmt.Errorf("%s already exists: the demo starts from a fresh bank; choose another --dir", dg.db)
	}
	dg.quiet = true // the demo narrates on stdout
	b, err := dg.openBank()
	if err != nil {
		return err
	}
	defer b.Close()

	fmt.Fprintf(w, "passport demo — bank %s\n\n", dg.db)
	fmt.Fprintln(w, "1. Item bank: loading the embedded Python Fundamentals items")
	if err := loadDemoItems(ctx, &dg, b); err != nil {
		return err
	}
	s, err := b.Stats(ctx)
	if err != nil {
		return err
	}
	if err := render(w, "table", s.ByDomain); err != nil {
		return err
	}

	fmt.Fprintf(w, "\n2. Simulation: a year of administrations, %d examinees on 8 overlapping forms\n", o.examinees)
	year1 := filepath.Join(dir, "year1_responses.csv")
	truth := filepath.Join(dir, "year1_truth.csv")
	so := &simulateOptions{output: year1, truth: truth}
	so.design.Seed, so.design.Examinees, so.design.Forms, so.design.FormLength, so.design.Anchors = o.seed, o.examinees, 8, 50, 10
	so.design.Model, so.design.D, so.design.OmitRate = "3pl", 1, 0.005
	if err := runSimulate(ctx, &dg, so); err != nil {
		return err
	}
	fi, err := os.Stat(year1)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   wrote %s (%d bytes) and the true parameters to %s\n", year1, fi.Size(), truth)

	fmt.Fprintln(w, "\n3. Import: the response log into the bank, in one transaction")
	f, err := os.Open(year1)
	if err != nil {
		return err
	}
	defer f.Close()
	start := time.Now()
	res, err := b.ImportLong(ctx, year1, f, bank.ResponseOptions{})
	if err != nil {
		return err
	}
	el := time.Since(start)
	fmt.Fprintf(w, "   %d responses from %d examinees (%d omitted) in %.2fs (%.0f rows/s)\n",
		res.Responses, res.NewExaminees, res.Omitted, el.Seconds(), float64(res.Rows)/el.Seconds())
	if _, err := f.Seek(0, 0); err != nil {
		return err
	}
	if _, err := b.ImportLong(ctx, year1, f, bank.ResponseOptions{}); err != nil {
		fmt.Fprintf(w, "   importing it again is refused: %v\n", err)
	}
	if s, err = b.Stats(ctx); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n   bank: %d items, %d examinees, %d responses\n", s.Items, s.Examinees, s.Responses)
	return render(w, "table", s.ByForm)
}
