// Command passport is the command-line tool of the passport psychometrics
// toolkit: the item bank, calibration, linking, form assembly, scoring and
// reports for the Python Fundamentals assessment.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/passportirt/passport/bank"
)

func main() {
	g := &globals{in: os.Stdin, out: os.Stdout, errOut: os.Stderr, errTTY: isTerminal(os.Stderr)}
	cmd := newRootCmd(g)
	if err := cmd.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "passport:", err)
		os.Exit(1)
	}
}

// globals are the streams and the flags every command shares.
type globals struct {
	in          io.Reader
	out, errOut io.Writer
	errTTY      bool // stderr is a terminal: show progress bars

	db          string
	lockTimeout time.Duration // --lock-timeout: how long a write waits for another writer
	dryRun      bool          // --dry-run: compute and print, store nothing
	quiet       bool
	format      string
	formatSet   bool // --format was given
}

// fileFormat is the annotation by which a command that writes files takes
// one more --format than table, json and csv (responses export: parquet).
const fileFormat = "file-format"

// maxLockTimeout bounds --lock-timeout (24h, as its usage says).
const maxLockTimeout = 24 * time.Hour

func newRootCmd(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "passport",
		Short: "Item bank, IRT calibration and scoring for the Python Fundamentals assessment",
		Long: `passport keeps an item bank in one SQLite file and runs the psychometric
pipeline on it: import items and response logs, calibrate IRT models, link
calibrations, assemble forms, build score conversion tables and report.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			g.formatSet = cmd.Flags().Changed("format")
			if g.lockTimeout < 0 || g.lockTimeout > maxLockTimeout {
				return fmt.Errorf("--lock-timeout %s: expected 0s to 24h", g.lockTimeout)
			}
			switch g.format {
			case "table", "json", "csv":
				return nil
			}
			if f := cmd.Annotations[fileFormat]; f != "" && f == g.format {
				return nil // a file format of this command's, such as parquet
			}
			return fmt.Errorf("--format %q: expected table, json or csv", g.format)
		},
	}
	root.SetIn(g.in)
	root.SetOut(g.out)
	root.SetErr(g.errOut)
	def := os.Getenv("PASSPORT_DB")
	if def == "" {
		def = "passport.db"
	}
	root.PersistentFlags().StringVar(&g.db, "db", def, "the bank's SQLite file (default from PASSPORT_DB)")
	root.PersistentFlags().BoolVar(&g.dryRun, "dry-run", false, "compute and print as usual, but store nothing in the bank")
	root.PersistentFlags().DurationVar(&g.lockTimeout, "lock-timeout", bank.DefaultLockTimeout,
		"how long a command that writes waits while another passport is writing to the bank (e.g. 30s, 10m); 0s to 24h")
	root.PersistentFlags().BoolVarP(&g.quiet, "quiet", "q", false, "no progress or status on stderr")
	root.PersistentFlags().StringVar(&g.format, "format", "table", "output format: table, json or csv")
	root.AddCommand(newInitCmd(g), newItemsCmd(g), newResponsesCmd(g), newExamineesCmd(g), newImportsCmd(g), newBankCmd(g), newSimulateCmd(g),
		newCalibrateCmd(g), newCalibrationsCmd(g), newScoreCmd(g),
		newLinkCmd(g), newLinkingsCmd(g), newScaleCmd(g), newEquateCmd(g), newEquatingsCmd(g),
		newAssembleCmd(g), newFormsCmd(g), newCatCmd(g), newAnalyzeCmd(g), newFitCmd(g), newDIFCmd(g), newReportCmd(g), newDriftCmd(g), newDeleteCmd(g), newRenameCmd(g), newServeCmd(g), newDemoCmd(g))
	return root
}

// openBank opens the bank named by --db, which must exist: only init
// creates a bank.
func (g *globals) openBank() (*bank.Bank, error) {
	b, err := bank.Open(g.db, g.bankOptions()...)
	if errors.Is(err, bank.ErrNoBank) {
		return nil, fmt.Errorf("%w: create it with passport init --db %s (add --demo to load the demo items)", err, shellQuote(g.db))
	}
	if err == nil && g.dryRun {
		b.SetDryRun(true)
		g.status("--dry-run: every result is computed and printed, nothing is stored")
	}
	return b, err
}

// createBank opens the bank named by --db, creating it if there is none.
func (g *globals) createBank() (*bank.Bank, error) {
	if g.dryRun {
		return nil, errors.New("--dry-run: this command creates a bank, which a dry run cannot do")
	}
	return bank.Create(g.db, g.bankOptions()...)
}

// bankOptions are --lock-timeout and the notice that a write is waiting.
func (g *globals) bankOptions() []bank.Option {
	return []bank.Option{bank.LockTimeout(g.lockTimeout), bank.OnWait(func(timeout time.Duration) {
		g.status("waiting for the bank: another passport is writing to %s (up to %s, --lock-timeout)", g.db, timeout)
	})}
}

// shellSafe matches the words a shell takes as they are.
var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

// shellQuote is s as one shell word, to paste into a command.
func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// exportFormat checks --format for a command that writes a file format
// rather than a table: allowed lists its formats, the first the default
// (taken when --format was not given).
func (g *globals) exportFormat(allowed ...string) error {
	if !g.formatSet {
		g.format = allowed[0]
		return nil
	}
	if !slices.Contains(allowed, g.format) {
		return fmt.Errorf("--format %s: this command writes %s", g.format, strings.Join(allowed, " or "))
	}
	return nil
}

// status writes a line of status to stderr unless --quiet.
func (g *globals) status(format string, args ...any) {
	if !g.quiet {
		fmt.Fprintf(g.errOut, format+"\n", args...)
	}
}

// isTerminal reports whether f is a character device (a terminal).
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// errAlreadyImported is true for a file the bank already has.
func errAlreadyImported(err error) bool {
	var ae *bank.AlreadyImportedError
	return errors.As(err, &ae)
}
