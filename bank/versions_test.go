package bank

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// versioned is an assembly of one form of IT001 (keyed B), IT002 (C) and
// IT003 (D), options one, two, three, four, with two versions.
func versioned(run int64) *Assembly {
	return &Assembly{CalibrationID: run, Blueprint: json.RawMessage(`{}`), ObjectiveType: "maximin", Solver: "heuristic",
		Status: "heuristic", Bound: math.NaN(), Gap: math.NaN(), Forms: []Form{{
			Items: []FormItem{{Item: "IT001"}, {Item: "IT002"}, {Item: "IT003"}},
			Versions: []FormVersion{
				{Number: 1, Items: []VersionItem{{Item: "IT001", Options: "BACD", Key: "A"}, {Item: "IT002", Options: "DCBA", Key: "B"}, {Item: "IT003", Options: "ABCD", Key: "D"}}},
				{Number: 2, Items: []VersionItem{{Item: "IT001", Options: "CDAB", Key: "D"}, {Item: "IT002", Options: "CABD", Key: "A"}, {Item: "IT003", Options: "DABC", Key: "A"}}},
			}}}}
}

func TestVersions(t *testing.T) {
	ctx := context.Background()
	b, run := withRun(t, 6)
	a := versioned(run)
	if _, err := b.SaveAssembly(ctx, a); err != nil {
		t.Fatal(err)
	}
	forms, err := b.Forms(ctx)
	if err != nil || len(forms) != 1 || forms[0].VersionCount != 2 {
		t.Fatalf("Forms: %v %+v, want one form with 2 versions", err, forms)
	}
	items, _ := b.itemMap(ctx)
	for v := 1; v <= 2; v++ {
		got, err := b.FormVersion(ctx, "A1-1", v)
		if err != nil {
			t.Fatal(err)
		}
		want := a.Forms[0].Versions[v-1]
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("version %d reads back as %+v, want %+v", v, got, want)
		}
		// The stored option order recovers the item's key from the
		// delivered letter.
		for _, vi := range got.Items {
			if orig := string(vi.Options[vi.Key[0]-'A']); orig != items[vi.Item].KeyLetter() {
				t.Errorf("version %d: %s delivered keyed %s maps back to %s, its key is %s", v, vi.Item, vi.Key, orig, items[vi.Item].KeyLetter())
			}
		}
	}
	d, err := b.Delivered(ctx, "A1-1", 2)
	if err != nil {
		t.Fatal(err)
	}
	if d.Version != 2 || len(d.Items) != 3 || !reflect.DeepEqual(d.Items[0].Options, []string{"three", "four", "one", "two"}) ||
		d.Items[0].Key != "D" || d.Items[2].Key != "A" || d.Items[1].Stem != "What does\nf(2) return?" || d.Items[2].Position != 3 {
		t.Errorf("version 2 delivered as %+v", d)
	}
	d, err = b.Delivered(ctx, "A1-1", 0)
	if err != nil || !reflect.DeepEqual(d.Items[1].Options, []string{"one", "two", "three", "four"}) || d.Items[1].Key != "C" || d.Items[1].Recorded != "C" {
		t.Errorf("version 0 delivered as %+v (%v)", d, err)
	}
	if _, err := b.Delivered(ctx, "A1-1", 3); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "it has versions 0 (the options as written) to 2") {
		t.Errorf("version 3: %v", err)
	}
	// A rekey since: the key file follows the item's key now, and the
	// version's record shows the change.
	if _, err := b.ImportItems(ctx, "rekey.csv", strings.NewReader(strings.Replace(itemsCSV(1), "four,,B,", "four,,D,", 1))); err != nil {
		t.Fatal(err)
	}
	if d, err := b.Delivered(ctx, "A1-1", 1); err != nil || d.Items[0].Key != "D" || d.Items[0].Recorded != "A" {
		t.Errorf("after a rekey of IT001 to D, version 1 delivers it as %+v (%v), want key D (recorded A)", d.Items[0], err)
	}
	// Deleting the assembly deletes its forms' versions.
	if _, err := b.Delete(ctx, KindAssembly, 1, false); err != nil {
		t.Fatal(err)
	}
	var n int
	b.db.QueryRow(`SELECT COUNT(*) FROM form_versions`).Scan(&n)
	if n != 0 {
		t.Errorf("%d version rows left after deleting the assembly", n)
	}
}

func TestVersionErrors(t *testing.T) {
	ctx := context.Background()
	b, run := withRun(t, 6)
	for _, tc := range []struct {
		name   string
		change func(f *Form)
		want   string
	}{
		{"numbering", func(f *Form) { f.Versions = f.Versions[1:] }, "form A: version 1 is numbered 2; versions count from 1"},
		{"length", func(f *Form) { f.Versions[0].Items = f.Versions[0].Items[:2] }, "form A: version 1 has 2 items, the form 3"},
		{"item", func(f *Form) { f.Versions[1].Items[2].Item = "IT004" }, "form A: version 2, position 3: item IT004, the form has IT003 there"},
		{"unknown item", func(f *Form) { f.Versions[1].Items[2].Item = "NOPE" }, "form A: version 2, position 3: item NOPE is not in the bank"},
		{"order", func(f *Form) { f.Versions[1].Items[0].Options = "CDAA" }, `form A: version 2, position 1: option order "CDAA" is not an order of IT001's options ABCD`},
		{"short order", func(f *Form) { f.Versions[1].Items[0].Options = "CAB" }, `option order "CAB" is not an order`},
		{"key", func(f *Form) { f.Versions[0].Items[1].Key = "C" }, `form A: version 1, position 2: key "C", but option order DCBA delivers IT002's key C as "B"`},
	} {
		a := versioned(run)
		a.Forms[0].Code = "A"
		tc.change(&a.Forms[0])
		if _, err := b.SaveAssembly(ctx, a); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	forms, _ := b.Forms(ctx)
	if len(forms) != 0 {
		t.Errorf("refused versions left %d forms", len(forms))
	}
}

// TestLiveItems: an item is live when it is on a form of origin assembly,
// not log or import.
func TestLiveItems(t *testing.T) {
	ctx := context.Background()
	b, run := withRun(t, 12)
	if _, err := b.ImportLong(ctx, "log.csv", strings.NewReader("examinee,form,item,option\nE1,F1,IT004,A\nE1,F1,IT005,B\n"), ResponseOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.SaveAssembly(ctx, versioned(run)); err != nil { // IT001–IT003
		t.Fatal(err)
	}
	for _, q := range []string{`INSERT INTO forms (code, origin, created_at) VALUES ('PAPER', 'import', '2026-01-01')`,
		`INSERT INTO form_items (form_id, item_id, position) SELECT f.id, i.id, 1 FROM forms f, items i WHERE f.code = 'PAPER' AND i.code = 'IT009'`} {
		if _, err := b.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	live, err := b.LiveItems(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := slices.Sorted(maps.Keys(live)); !reflect.DeepEqual(got, []string{"IT001", "IT002", "IT003"}) {
		t.Errorf("live items %v, want IT001–IT003 (assembled); IT004–IT005 are on a logged form only, IT009 on an imported one", got)
	}
}

func TestLastOptionStays(t *testing.T) {
	for _, tc := range []struct {
		last string
		want bool
	}{
		{"None of the above", true}, {"all of these", true}, {"  Both of the above.", true}, {"Neither of them", true},
		{"None", false}, {"None (unbounded)", false}, {"all the above", false}, {"None of the abovementioned", false}, {"x = None of the above", false},
	} {
		it := Item{Options: []string{"1", "2", tc.last}}
		if got := it.LastOptionStays(); got != tc.want {
			t.Errorf("last option %q: stays %v, want %v", tc.last, got, tc.want)
		}
	}
	if (Item{}).LastOptionStays() {
		t.Error("an item without options has a last option that stays")
	}
}
