package main

import (
	"fmt"
	"math"
	"strconv"

	"github.com/spf13/pflag"
)

// A bound of a flag's valid range.
type bound struct {
	x    float64
	open bool // the bound itself is not valid
}

// incl and excl are inclusive and exclusive bounds.
func incl(x float64) bound { return bound{x: x} }
func excl(x float64) bound { return bound{x: x, open: true} }

// rangeText is the valid range as a message says it: "[0, 1)", "(0, 10]".
func rangeText(lo, hi bound) string {
	l, r := "[", "]"
	if lo.open {
		l = "("
	}
	if hi.open {
		r = ")"
	}
	return fmt.Sprintf("%s%g, %g%s", l, lo.x, hi.x, r)
}

// isFinite is false for NaN and ±Inf.
func isFinite(x float64) bool { return x >= -math.MaxFloat64 && x <= math.MaxFloat64 }

func inRange(x float64, lo, hi bound) bool {
	return !(x < lo.x || x > hi.x || (lo.open && x == lo.x) || (hi.open && x == hi.x))
}

// floatFlag is a float flag that accepts only finite numbers in its range,
// so that a bad value is refused while the flags are read, naming the flag
// and the range.
type floatFlag struct {
	p      *float64
	lo, hi bound
}

func (f *floatFlag) Set(s string) error {
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || !isFinite(x) || !inRange(x, f.lo, f.hi) {
		return fmt.Errorf("expected a number in %s", rangeText(f.lo, f.hi))
	}
	*f.p = x
	return nil
}

func (f *floatFlag) String() string { return strconv.FormatFloat(*f.p, 'g', -1, 64) }
func (f *floatFlag) Type() string   { return "float" }

// floatVar declares a float flag valid in [lo, hi] (or open bounds).
func floatVar(fs *pflag.FlagSet, p *float64, name string, value float64, lo, hi bound, usage string) {
	*p = value
	fs.Var(&floatFlag{p, lo, hi}, name, fmt.Sprintf("%s; %s", usage, rangeText(lo, hi)))
}

// intFlag is an integer flag that accepts only values in [lo, hi].
type intFlag struct {
	p      *int
	lo, hi int
}

func (f *intFlag) Set(s string) error {
	x, err := strconv.Atoi(s)
	if err != nil || x < f.lo || x > f.hi {
		return fmt.Errorf("expected a whole number from %d to %d", f.lo, f.hi)
	}
	*f.p = x
	return nil
}

func (f *intFlag) String() string { return strconv.Itoa(*f.p) }
func (f *intFlag) Type() string   { return "int" }

// intVar declares an integer flag valid from lo to hi.
func intVar(fs *pflag.FlagSet, p *int, name string, value, lo, hi int, usage string) {
	*p = value
	fs.Var(&intFlag{p, lo, hi}, name, fmt.Sprintf("%s; %d to %d", usage, lo, hi))
}
