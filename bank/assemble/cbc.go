package assemble

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CBC is the COIN-OR branch-and-cut solver (Forrest and Lougee-Heimer
// 2005), run as the cbc program (Debian package coinor-cbc) on the
// programme of buildMIP written as an MPS file. The heuristic runs first,
// with the same budget of rounds (and a tenth of the time limit, if there
// is one): its forms are CBC's starting solution (a MIP start), and of
// its forms and CBC's the better are returned, with the better of its
// Lagrangian bound and CBC's bound, so that CBC's forms are never worse
// than the heuristic's alone. CBC's bound is read from its log at the
// precision printed and rounded outward (parseCBCLog); when CBC explores
// its whole tree, with its cutoff increment set to 0 so that it prunes no
// node that might hold better forms, the forms are proven optimal and the
// bound is their objective. CBC runs on one thread unless Options.Threads
// asks for more, with its seeds set from Options.Seed, so that a solve
// reproduces exactly.
type CBC struct {
	Path    string // the cbc program
	Version string // e.g. "2.10.8"
}

// FindCBC finds the cbc program on the PATH, or returns ErrNoSolver.
func FindCBC() (*CBC, error) {
	path, err := exec.LookPath("cbc")
	if err != nil {
		return nil, ErrNoSolver
	}
	out, _ := exec.Command(path, "-quit").CombinedOutput()
	v := ""
	if m := regexp.MustCompile(`Version: (\S+)`).FindSubmatch(out); m != nil {
		v = string(m[1])
	}
	return &CBC{Path: path, Version: v}, nil
}

// Name is "cbc" and the version.
func (c *CBC) Name() string { return strings.TrimSpace("cbc " + c.Version) }

// Solve runs the heuristic, writes p as MPS, runs cbc from the
// heuristic's forms with the relative gap, the node limit, the seed, the
// threads and the optional time limit of o, reads back its solution and,
// from its log, its bound, and returns the better forms with the better
// bound. Its status is StatusFeasible, which Problem.Solve turns into
// StatusOptimal when the gap is within o.Gap.
func (c *CBC) Solve(ctx context.Context, p *Problem, o Options) (*Result, error) {
	start := time.Now()
	dir, err := os.MkdirTemp("", "passport-cbc-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	m := buildMIP(p)
	if err := writeFile(filepath.Join(dir, "forms.mps"), m.writeMPS); err != nil {
		return nil, err
	}
	args := []string{filepath.Join(dir, "forms.mps")}
	ho := o
	ho.TimeLimit = o.TimeLimit / 10
	heur, herr := Heuristic{}.Solve(ctx, p, ho)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if herr == nil {
		var buf bytes.Buffer
		buf.WriteString("Feasible - objective value 0\n") // CBC skips the status line
		for f, items := range heur.Forms {
			for k, u := range p.units {
				_, on := slices.BinarySearch(items, u.items[0])
				fmt.Fprintf(&buf, "%d %s %d\n", m.x[f][k], m.cols[m.x[f][k]].name, boolInt(on))
			}
		}
		if err := os.WriteFile(filepath.Join(dir, "start.sol"), buf.Bytes(), 0o644); err != nil {
			return nil, err
		}
		args = append(args, "-mips", filepath.Join(dir, "start.sol"))
	}
	if o.TimeLimit > 0 {
		left := o.TimeLimit - time.Since(start)
		args = append(args, "-sec", strconv.FormatFloat(max(left.Seconds(), 0.1), 'f', 2, 64), "-timeMode", "elapsed")
	}
	if o.MaxNodes > 0 {
		args = append(args, "-maxNodes", strconv.Itoa(o.MaxNodes))
	}
	threads := o.Threads
	if threads == 0 {
		threads = 1
	}
	// CBC stops when best − bound < ratio·max(|best|, |bound|) in its
	// minimised −y; for maximin, whose bound is the larger, the ratio
	// g/(1 + g) stops it when (bound − y)/y < g, Result.Gap's tolerance.
	ratio := o.Gap
	if !p.bp.Objective.Minimize() {
		ratio = o.Gap / (1 + o.Gap)
	}
	args = append(args, "-ratioGap", strconv.FormatFloat(ratio, 'g', -1, 64), "-increment", "0", "-threads", strconv.Itoa(threads),
		"-randomSeed", strconv.FormatUint(o.Seed%(1<<31)+1, 10), "-randomCbcSeed", strconv.FormatUint(o.Seed%(1<<31)+1, 10))
	sol := filepath.Join(dir, "forms.sol")
	args = append(args, "-solve", "-solution", sol)
	runCtx := ctx
	if o.TimeLimit > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, o.TimeLimit+30*time.Second)
		defer cancel()
	}
	out, err := exec.CommandContext(runCtx, c.Path, args...).CombinedOutput()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("cbc failed: %v\n%s", err, tail(out, 20))
	}
	log := parseCBCLog(out)
	switch {
	case log.infeasible && herr != nil:
		msg := "CBC proved that no forms meet every constraint together"
		var nf *noFormsError
		if errors.As(herr, &nf) {
			msg += "; the closest forms the heuristic found break " + strings.Join(nf.violations, "; ")
		}
		return nil, &InfeasibleError{"blueprint", msg}
	case !log.solved && herr != nil:
		return nil, fmt.Errorf("cbc found no forms within its node or time limit (%s); raise the limit\n%s", log.result, tail(out, 20))
	}
	// The better forms and the better bound, in the programme's y (the
	// objective of maximin, minus a target's), which is maximised.
	obj := p.bp.Objective
	res := &Result{Solver: c.Name(), Status: StatusFeasible}
	y, bound := math.Inf(-1), math.Inf(1)
	if herr == nil {
		res.Forms, res.Solver = heur.Forms, c.Name()+" (the heuristic's forms)"
		y, bound = obj.report(p.evaluate(heur.Forms)), obj.report(heur.Bound)
	}
	if log.solved {
		values, err := readCBCSolution(sol)
		if err != nil {
			return nil, err
		}
		forms := make([][]int, p.forms)
		for f := range m.x {
			for k, j := range m.x[f] {
				if values[m.cols[j].name] > 0.5 {
					forms[f] = append(forms[f], p.units[k].items...)
				}
			}
			slices.Sort(forms[f])
		}
		cy := obj.report(p.evaluate(forms))
		if cy >= y {
			res.Forms, res.Solver = forms, c.Name()
		}
		// CBC minimises −y: a lower bound on −y bounds y from above.
		switch {
		case log.proven:
			bound = min(bound, cy)
		case !math.IsNaN(log.bound):
			bound = min(bound, -log.bound)
		}
	}
	res.Bound = obj.report(bound)
	res.Elapsed = time.Since(start)
	return res, nil
}

func writeFile(name string, write func(w io.Writer) error) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// cbcLog is what CBC's log says of a solve.
type cbcLog struct {
	result     string // the "Result - …" line's text
	solved     bool   // an integer solution was found
	optimal    bool   // CBC's result is "Optimal solution found"
	proven     bool   // optimal, the whole tree explored: not stopped on the gap or a limit
	infeasible bool
	objective  float64
	// bound is the best lower bound on the minimised objective that the
	// log gives, rounded outward; NaN when it gives none.
	bound float64
}

var (
	cbcPartial   = regexp.MustCompile(`Partial search - best objective \S+ \(best possible (\S+)\)`)
	cbcGapExit   = regexp.MustCompile(`Exiting as integer gap of (\S+) less than`)
	cbcCompleted = regexp.MustCompile(`Search completed - best objective ([^,\s]+),`)
)

// parseCBCLog reads what CBC prints of the end of a solve:
//
//	Cbc0003I Exiting on maximum nodes             (or time, solutions, …)
//	Cbc0005I Partial search - best objective -15.549 (best possible -15.602317), took …
//	Cbc0011I Exiting as integer gap of 0.0086 less than 1e-10 or 0.1%
//	Cbc0001I Search completed - best objective -15.55430000000001, took …
//	Result - Optimal solution found | Stopped on node limit | ...
//	Objective value:                -15.55430000
//	Lower bound:                    -15.602
//
// Its bound is the largest of the lower bounds on the minimised objective
// that the log prints, each rounded outward at the precision printed
// (half a unit in its last digit, by printedRange): "Lower bound" with
// three decimals, the partial search's best possible with eight
// significant digits, and, when CBC stops on the gap, the best objective
// less the gap. The solve is proven optimal only when CBC reports an
// optimal solution without having stopped on the gap or a limit: CBC
// reports "Optimal solution found" too when it stops on the gap.
func parseCBCLog(out []byte) cbcLog {
	var l cbcLog
	l.bound = math.NaN()
	bound := func(x float64) {
		if math.IsNaN(l.bound) || x > l.bound {
			l.bound = x
		}
	}
	stopped := false
	gap := math.NaN() // the gap CBC stopped on, rounded up, until the best objective that it is a gap from
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		field := func(prefix string) (float64, bool) {
			if !strings.HasPrefix(line, prefix) {
				return 0, false
			}
			x, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimPrefix(line, prefix)), 64)
			return x, err == nil
		}
		switch {
		case strings.HasPrefix(line, "Problem is infeasible"): // found by presolve, before any search
			l.result, l.infeasible = line, true
		case strings.HasPrefix(line, "Result - "):
			l.result = strings.TrimPrefix(line, "Result - ")
			l.optimal = strings.HasPrefix(l.result, "Optimal")
			l.infeasible = strings.Contains(l.result, "infeasible")
		case strings.Contains(line, "Exiting on "):
			stopped = true
		case strings.HasPrefix(line, "Lower bound:"):
			if lo, _, ok := printedRange(strings.TrimSpace(strings.TrimPrefix(line, "Lower bound:"))); ok {
				bound(lo)
			}
		default:
			if x, ok := field("Objective value:"); ok {
				l.objective, l.solved = x, math.Abs(x) < 1e49
			}
			if m := cbcPartial.FindStringSubmatch(line); m != nil {
				stopped = true
				if lo, _, ok := printedRange(m[1]); ok {
					bound(lo)
				}
			}
			if m := cbcGapExit.FindStringSubmatch(line); m != nil {
				stopped = true
				if _, hi, ok := printedRange(m[1]); ok {
					gap = hi
				}
			}
			if m := cbcCompleted.FindStringSubmatch(line); m != nil && !math.IsNaN(gap) {
				if lo, _, ok := printedRange(m[1]); ok {
					bound(lo - gap)
				}
				gap = math.NaN()
			}
		}
	}
	if l.infeasible {
		l.solved = false
	}
	l.proven = l.result == "Optimal solution found" && l.solved && !stopped
	return l
}

// printedRange returns the range of the values that print as the decimal
// s (as printf's %f, %g and %e round): s less and plus half a unit in its
// last digit, e.g. [2.7765, 2.7775] for "2.777" and
// [1.23455e-05, 1.23465e-05] for "1.2346e-05".
func printedRange(s string) (lo, hi float64, ok bool) {
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
		return 0, 0, false
	}
	mant, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant = s[:i]
		exp, _ = strconv.Atoi(s[i+1:]) // a valid exponent: ParseFloat read it
	}
	decimals := 0
	if i := strings.IndexByte(mant, '.'); i >= 0 {
		decimals = len(mant) - i - 1
	}
	half := 0.5 * math.Pow(10, float64(exp-decimals))
	return x - half, x + half, true
}

// readCBCSolution reads CBC's solution file: a status line, then one line
// "index name value reduced-cost" per non-zero column.
func readCBCSolution(name string) (map[string]float64, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("cbc wrote no solution: %w", err)
	}
	values := map[string]float64{}
	lines := strings.Split(string(data), "\n")
	for _, line := range lines[1:] {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		if f[0] == "**" { // CBC marks infeasible values with **
			f = f[1:]
		}
		x, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			return nil, fmt.Errorf("cbc solution %s: %q: %v", name, line, err)
		}
		values[f[1]] = x
	}
	if len(values) == 0 {
		return nil, errors.New("cbc wrote an empty solution")
	}
	return values, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// tail is the last n lines of out.
func tail(out []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
