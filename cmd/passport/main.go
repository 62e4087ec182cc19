// Command passport is the command-line tool of the passport psychometrics
// toolkit: the item bank, calibration, linking, form assembly, scoring and
// reports for the Python Fundamentals assessment.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

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

	db        string
	quiet     bool
	format    string
	formatSet bool // --format was given
}

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
			switch g.format {
			case "table", "json", "csv":
				return nil
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
	root.PersistentFlags().BoolVarP(&g.quiet, "quiet", "q", false, "no progress or status on stderr")
	root.PersistentFlags().StringVar(&g.format, "format", "table", "output format: table, json or csv")
	root.AddCommand(newInitCmd(g), newItemsCmd(g), newResponsesCmd(g), newBankCmd(g), newSimulateCmd(g),
		newCalibrateCmd(g), newCalibrationsCmd(g), newScoreCmd(g),
		newLinkCmd(g), newLinkingsCmd(g), newScaleCmd(g), newEquateCmd(g), newEquatingsCmd(g),
		newAssembleCmd(g), newFormsCmd(g), newAnalyzeCmd(g), newFitCmd(g), newReportCmd(g), newDriftCmd(g), newDemoCmd(g))
	return root
}

// openBank opens the bank named by --db.
func (g *globals) openBank() (*bank.Bank, error) { return bank.Open(g.db) }

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
