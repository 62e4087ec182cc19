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
// programme of buildMIP written as an MPS file. The heuristic's first
// descent (no perturbation rounds), when it finds forms, is given to CBC
// as a starting solution, so that a node or time limit always ends with
// forms at least as good. CBC runs on one thread unless Options.Threads
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

// Solve writes p as MPS, runs cbc with the relative gap, the node limit,
// the seed, the threads and the optional time limit of o, and reads back
// its solution and, from its log, its best bound.
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
	// A starting solution from the heuristic's first descent, within a
	// tenth of the time limit if there is one: CBC then always has forms
	// to return.
	ho := o
	ho.TimeLimit = o.TimeLimit / 10
	warm, herr := searchForms(ctx, p, ho, 0)
	if herr == nil {
		var buf bytes.Buffer
		buf.WriteString("Feasible - objective value 0\n") // CBC skips the status line
		for f := range m.x {
			for k, j := range m.x[f] {
				fmt.Fprintf(&buf, "%d %s %d\n", j, m.cols[j].name, boolInt(warm.in[f][k]))
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
	args = append(args, "-ratioGap", strconv.FormatFloat(o.Gap, 'g', -1, 64), "-threads", strconv.Itoa(threads),
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
	case log.infeasible:
		msg := "CBC proved that no forms meet every constraint together"
		var nf *noFormsError
		if errors.As(herr, &nf) {
			msg += "; the closest forms the heuristic found break " + strings.Join(nf.violations, "; ")
		}
		return nil, &InfeasibleError{"blueprint", msg}
	case !log.solved:
		return nil, fmt.Errorf("cbc found no forms within its node or time limit (%s); raise the limit\n%s", log.result, tail(out, 20))
	}
	values, err := readCBCSolution(sol)
	if err != nil {
		return nil, err
	}
	res := &Result{Forms: make([][]int, p.forms), Solver: c.Name(), Status: StatusFeasible}
	for f := range m.x {
		for k, j := range m.x[f] {
			if values[m.cols[j].name] > 0.5 {
				res.Forms[f] = append(res.Forms[f], p.units[k].items...)
			}
		}
		slices.Sort(res.Forms[f])
	}
	// CBC minimises −y: its lower bound on −y bounds y from above. A run
	// that ends "optimal" without a bound is optimal within the ratio gap,
	// which CBC prunes by: the best −y is at least m − gap·|m|.
	bound := log.bound
	if math.IsNaN(bound) && log.optimal {
		bound = log.objective - o.Gap*math.Abs(log.objective)
	}
	res.Bound = p.bp.Objective.report(-bound)
	if log.optimal {
		res.Status = StatusOptimal
	}
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
	optimal    bool   // proven optimal within the gap
	infeasible bool
	objective  float64
	bound      float64 // best bound on the minimised objective
}

// parseCBCLog reads the summary CBC prints at the end of a solve:
//
//	Result - Optimal solution found | Stopped on time limit | ...
//	Objective value:                -15.55
//	Lower bound:                    -15.60   (when stopped short of optimal)
//	Gap:                            0.003
//
// The bound is NaN when the log gives none.
func parseCBCLog(out []byte) cbcLog {
	var l cbcLog
	l.bound = math.NaN()
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
		default:
			if x, ok := field("Objective value:"); ok {
				l.objective, l.solved = x, math.Abs(x) < 1e49
			}
			if x, ok := field("Lower bound:"); ok {
				l.bound = x
			}
		}
	}
	if l.infeasible {
		l.solved = false
	}
	return l
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
