package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/passportirt/passport/bank"
)

// keyNote says which key versions the stored scores of items carry — the
// keys every analysis of them scores with — as a status line:
// "scored with key versions: 1 item rekeyed since import (SEM-014 v3)" or
// "scored with the keys at import (no item rekeyed)". It returns the
// versions too.
func keyNote(ctx context.Context, b *bank.Bank, items []string) (string, map[string]int, error) {
	kv, err := b.KeyVersions(ctx, items)
	if err != nil {
		return "", nil, err
	}
	var rekeyed []string
	for code, v := range kv {
		if v > 1 {
			rekeyed = append(rekeyed, code)
		}
	}
	if len(rekeyed) == 0 {
		return "scored with the keys at import (no item rekeyed)", kv, nil
	}
	slices.Sort(rekeyed)
	named := make([]string, 0, 5)
	for i, code := range rekeyed {
		if i == 5 {
			named = append(named, fmt.Sprintf("… %d more", len(rekeyed)-5))
			break
		}
		named = append(named, fmt.Sprintf("%s v%d", code, kv[code]))
	}
	return fmt.Sprintf("scored with key versions: %s rekeyed since import (%s)", plural(len(rekeyed), "item"), strings.Join(named, ", ")), kv, nil
}

// staleKeys names the items whose key the bank has changed since run
// read their responses ("" when none, or when the run did not record its
// key versions): the run's parameters describe the old scores.
func staleKeys(run *bank.Calibration, current map[string]int) string {
	var stale []string
	for code, v := range run.Settings.KeyVersions {
		if now, ok := current[code]; ok && now != v {
			stale = append(stale, fmt.Sprintf("%s v%d (the bank has v%d)", code, v, now))
		}
	}
	if len(stale) == 0 {
		return ""
	}
	slices.Sort(stale)
	return fmt.Sprintf("run %d was calibrated with older keys of %s: its parameters describe the responses as scored before; recalibrate",
		run.ID, strings.Join(stale, ", "))
}

// statusKeys writes the key note of items, and for a run the warning of
// staleKeys, on stderr.
func statusKeys(ctx context.Context, g *globals, b *bank.Bank, items []string, run *bank.Calibration) error {
	note, kv, err := keyNote(ctx, b, items)
	if err != nil {
		return err
	}
	g.status("%s", note)
	if run != nil {
		if w := staleKeys(run, kv); w != "" {
			g.status("warning: %s", w)
		}
	}
	return nil
}

// plural is "1 item", "2 items".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
