package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/passportirt/passport/bank"
)

// sampleFlags choose the responses a command that evaluates a run reads
// (fit, score, report, analyze --run): by default the run's own sample —
// its items, the imports it was calibrated on and its treatment of
// omitted responses — so the statistics describe the data the parameters
// came from.
type sampleFlags struct {
	imports   []string // --imports: import ids, or "all"
	omitMiss  bool     // --omit-as-missing
	omitGiven bool     // --omit-as-missing was given
}

func (s *sampleFlags) declare(f *pflag.FlagSet) {
	f.StringSliceVar(&s.imports, "imports", nil, `read these imports' responses (by number or name) instead of the run's ("all": every import)`)
	f.BoolFunc("omit-as-missing", "treat omitted responses as not administered (default: as the run did)", func(v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("expected true or false")
		}
		s.omitMiss, s.omitGiven = b, true
		return nil
	})
}

// resolve returns the sample these flags choose for run, and a line that
// says what it is.
func (s *sampleFlags) resolve(ctx context.Context, b *bank.Bank, run *bank.Calibration) (bank.Sample, string, error) {
	smp := run.Sample()
	whose := fmt.Sprintf("run %d's sample", run.ID)
	if s.imports != nil {
		whose = "the chosen sample"
		if len(s.imports) == 1 && s.imports[0] == "all" {
			smp.Imports = nil
		} else {
			smp.Imports = make([]int64, len(s.imports))
			for i, v := range s.imports {
				id, err := b.Resolve(ctx, bank.KindImport, strings.TrimSpace(v))
				if err != nil {
					return smp, "", fmt.Errorf("--imports: %w (or all)", err)
				}
				smp.Imports[i] = id
			}
		}
	}
	if s.omitGiven {
		smp.OmitAsMissing = s.omitMiss
	}
	imports := "every import"
	if smp.Imports != nil {
		ids := make([]string, len(smp.Imports))
		for i, id := range smp.Imports {
			ids[i] = strconv.FormatInt(id, 10)
		}
		imports = "imports " + strings.Join(ids, ", ")
	}
	omits := "omitted responses scored wrong"
	if smp.OmitAsMissing {
		omits = "omitted responses left out as not administered"
	}
	return smp, fmt.Sprintf("%s: %d items, %s; %s; items not presented are missing", whose, len(smp.Items), imports, omits), nil
}

// openRunSample opens the bank, loads the run r names and resolves the
// sample the flags choose for it, with the line that says what it is.
func openRunSample(ctx context.Context, g *globals, r ref, s *sampleFlags) (*bank.Bank, *bank.Calibration, bank.Sample, string, error) {
	b, err := g.openBank()
	if err != nil {
		return nil, nil, bank.Sample{}, "", err
	}
	run, err := r.run(ctx, b)
	if err != nil {
		b.Close()
		return nil, nil, bank.Sample{}, "", err
	}
	smp, said, err := s.resolve(ctx, b, run)
	if err != nil {
		b.Close()
		return nil, nil, bank.Sample{}, "", err
	}
	return b, run, smp, said, nil
}
