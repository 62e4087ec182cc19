package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/bank/simulate"
	"github.com/passportirt/passport/irt"
)

type simulateOptions struct {
	*globals
	design simulate.Design
	params string // file of true parameters to use
	truth  string // file to write the true parameters to
	output string
	groups string   // file to write the examinees' groups to
	dif    []string // ITEM=SHIFT: the focal group's b of ITEM moved by SHIFT
}

func newSimulateCmd(g *globals) *cobra.Command {
	o := &simulateOptions{globals: g}
	cmd := &cobra.Command{
		Use:   "simulate",
		Short: "Write a simulated response log for the bank's items",
		Long: `Simulates a response log over the bank's keyed pretest and operational
items and writes it in the long format (import it with passport responses
import). True item parameters are drawn (a lognormal, b normal, c beta) or
read with --params; --truth writes them out. Forms share --anchors items and
overlap through rotation; examinees are spiralled over the forms; wrong
answers are spread over the distractors. The same --seed gives the same log.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runSimulate(cmd.Context(), o) },
	}
	f := cmd.Flags()
	d := &o.design
	f.Uint64Var(&d.Seed, "seed", 1, "random seed")
	intVar(f, &d.Examinees, "examinees", 5000, 1, 100000000, "number of examinees")
	intVar(f, &d.Forms, "forms", 8, 1, 1000, "number of forms")
	intVar(f, &d.FormLength, "form-length", 50, 1, 1000, "items per form")
	intVar(f, &d.Anchors, "anchors", 10, 0, 1000, "items common to every form")
	floatVar(f, &d.ThetaMean, "theta-mean", 0, incl(-5), incl(5), "mean of the examinees' abilities")
	floatVar(f, &d.ThetaSD, "theta-sd", 1, excl(0), incl(5), "SD of the examinees' abilities")
	f.StringVar(&d.Model, "model", "3pl", "model of drawn parameters: 2pl or 3pl")
	floatVar(f, &d.D, "D", 1, excl(0), incl(10), "scaling constant D of the response function")
	floatVar(f, &d.OmitRate, "omit-rate", 0, incl(0), excl(1), "chance that a response is left unanswered")
	f.StringVar(&d.FormPrefix, "form-prefix", "F", "prefix of form codes")
	f.StringVar(&d.ExamPrefix, "examinee-prefix", "E", "prefix of examinee codes")
	f.StringVar(&o.params, "params", "", "CSV of true parameters (item,model,a,b,c) to use instead of drawing them")
	f.StringVar(&o.truth, "truth", "", "write the true parameters to this CSV")
	f.StringVarP(&o.output, "output", "o", "", "write the log to this file instead of stdout")
	floatVar(f, &d.FocalShare, "focal-share", 0, incl(0), excl(1), "chance that an examinee is in a focal group, for DIF studies (0: no groups)")
	floatVar(f, &d.FocalMean, "focal-mean", 0, incl(-5), incl(5), "mean of the focal group's abilities (impact)")
	f.StringSliceVar(&o.dif, "dif", nil, "ITEM=SHIFT,…: the focal group's difficulty b of ITEM moved by SHIFT (DIF)")
	f.StringVar(&o.groups, "groups", "", "write the examinees' groups (examinee,group: focal or reference) to this CSV, for passport examinees import")
	return cmd
}

func runSimulate(ctx context.Context, o *simulateOptions) error {
	b, err := o.openBank()
	if err != nil {
		return err
	}
	defer b.Close()
	items, err := b.Items(ctx, bank.ItemFilter{})
	if err != nil {
		return err
	}
	if o.design.Anchors == 0 {
		o.design.NoAnchors = true
	}
	if o.params != "" {
		if o.design.Params, err = readTrueParams(o.params, o.design.D); err != nil {
			return err
		}
	}
	if err := o.focalDesign(items); err != nil {
		return err
	}
	var res simulate.Result
	err = writeOutput(o.globals, o.output, func(w io.Writer) error {
		res, err = simulate.Run(items, o.design, w)
		return err
	})
	if err != nil {
		return err
	}
	if o.truth != "" {
		if err := writeOutput(o.globals, o.truth, func(w io.Writer) error { return bank.WriteParams(w, res.Truth.Rows(o.design.Model)) }); err != nil {
			return err
		}
	}
	if o.groups != "" {
		if err := writeOutput(o.globals, o.groups, func(w io.Writer) error { return simulate.WriteGroups(w, o.design, res.Focal) }); err != nil {
			return err
		}
	}
	o.status("simulated %d responses: %d examinees on %d forms of %d items (%d items in all), θ mean %.3f SD %.3f",
		res.Responses, o.design.Examinees, o.design.Forms, o.design.FormLength, len(res.Truth.Items), res.MeanTheta, res.SDTheta)
	return nil
}

// focalDesign checks the focal-group flags and puts --dif in the design.
func (o *simulateOptions) focalDesign(items []bank.Item) error {
	if (len(o.dif) > 0 || o.groups != "" || o.design.FocalMean != 0) && o.design.FocalShare == 0 {
		return fmt.Errorf("--dif, --focal-mean and --groups need a focal group: give --focal-share")
	}
	if o.groups != "" && o.groups == o.output {
		return fmt.Errorf("--groups %s: the log's file; choose another", o.groups)
	}
	for _, kv := range o.dif {
		code, v, ok := strings.Cut(kv, "=")
		shift, err := strconv.ParseFloat(v, 64)
		if !ok || err != nil || !isFinite(shift) || code == "" {
			return fmt.Errorf("--dif %q: expected ITEM=SHIFT, such as STD-001=0.6", kv)
		}
		if !slices.ContainsFunc(items, func(it bank.Item) bool { return it.Code == code }) {
			return fmt.Errorf("--dif %q: item %s is not in the bank", kv, code)
		}
		if o.design.FocalShift == nil {
			o.design.FocalShift = map[string]float64{}
		}
		o.design.FocalShift[code] = shift
	}
	return nil
}

func readTrueParams(file string, D float64) (map[string]irt.ThreePL, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := bank.ReadParams(file, f, "3pl")
	if err != nil {
		return nil, err
	}
	out := make(map[string]irt.ThreePL, len(rows))
	for _, r := range rows {
		out[r.Item] = r.ThreePL(D)
	}
	return out, nil
}
