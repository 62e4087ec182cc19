package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/passportirt/passport/bank"
)

// ref names a stored object on the command line: its number or its name
// (see passport rename). It is a flag value; resolve looks it up.
type ref string

func (r *ref) Set(s string) error {
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("expected a number or a name")
	}
	*r = ref(s)
	return nil
}

func (r *ref) String() string { return string(*r) }
func (r *ref) Type() string   { return "number|name" }

// refTo refers to the object numbered id.
func refTo(id int64) ref { return ref(strconv.FormatInt(id, 10)) }

// resolve returns the number of the object of kind k that r names.
func (r ref) resolve(ctx context.Context, b *bank.Bank, k bank.Kind) (int64, error) {
	if r == "" {
		return 0, fmt.Errorf("no %s given: name one by its number or name (see %s)", k.Noun, k.List())
	}
	return b.Resolve(ctx, k, string(r))
}

// run loads the calibration run r names.
func (r ref) run(ctx context.Context, b *bank.Bank) (*bank.Calibration, error) {
	id, err := r.resolve(ctx, b, bank.KindRun)
	if err != nil {
		return nil, err
	}
	return b.Calibration(ctx, id)
}

// refs is a comma-separated list of refs.
type refs []ref

func (rs *refs) Set(s string) error {
	for _, part := range strings.Split(s, ",") {
		var r ref
		if err := r.Set(part); err != nil {
			return err
		}
		*rs = append(*rs, r)
	}
	return nil
}

func (rs *refs) String() string {
	parts := make([]string, len(*rs))
	for i, r := range *rs {
		parts[i] = string(r)
	}
	return strings.Join(parts, ",")
}

func (rs *refs) Type() string { return "numbers|names" }

// resolve returns the numbers of the objects of kind k that rs name; nil
// for none.
func (rs refs) resolve(ctx context.Context, b *bank.Bank, k bank.Kind) ([]int64, error) {
	if len(rs) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(rs))
	for i, r := range rs {
		id, err := r.resolve(ctx, b, k)
		if err != nil {
			return nil, err
		}
		ids[i] = id
	}
	return ids, nil
}
