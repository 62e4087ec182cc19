package assemble

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestReadBlueprint(t *testing.T) {
	for _, tc := range []struct {
		name, json, want string // want: a substring of the error, "" for none
	}{
		{"empty", `{}`, ""},
		{"syntax", "{\n  \"length\": 50,\n}", "bp.json:3:"},
		{"unknown field", `{"domians": {}}`, `unknown field "domians"`},
		{"wrong type", `{"length": "fifty"}`, "field length: expected int, got string"},
		{"min above max", `{"domains": {"stdlib": {"min": 13, "max": 12}}}`, "domains.stdlib: min 13 is above max 12"},
		{"not a count", `{"domains": {"stdlib": 12.5}}`, "domains.stdlib: 12.5 is not a count"},
		{"range key", `{"domains": {"stdlib": {"mn": 12}}}`, `unknown field "mn"`},
		{"weights", `{"objective": {"weights": [1, 2]}}`, "objective.weights: 2 values for 3 theta points"},
		{"negative weight", `{"objective": {"weights": [1, 0, 1]}}`, "objective.weights[1]: 0; expected a positive"},
		{"target without values", `{"objective": {"type": "target"}}`, "needs info or tcc"},
		{"target length", `{"objective": {"type": "target", "tcc": [10, 20]}}`, "objective.tcc: 2 values for 3"},
		{"info on maximin", `{"objective": {"info": [1, 2, 3]}}`, `set "type": "target"`},
		{"type", `{"objective": {"type": "best"}}`, `objective.type: "best"`},
		{"lonely enemy", `{"enemy_groups": [["A"]]}`, "enemy_groups[0]: 1 items"},
		{"lonely set", `{"item_sets": [["A", "B"], ["C"]]}`, "item_sets[1]: 1 items"},
		{"forms", `{"forms": -1}`, "forms: -1"},
		{"overlap", `{"max_overlap": -2}`, "max_overlap: -2"},
		{"minutes", `{"minutes": {"min": 50, "max": 40}}`, "minutes: min 50 is above max 40"},
		{"tolerance", `{"tcc_tolerance": -1}`, "tcc_tolerance: -1; expected a difference ≥ 0"},
		{"two values", `{} {}`, "more than one JSON value"},
	} {
		_, err := ReadBlueprint("bp.json", strings.NewReader(tc.json))
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}

func TestBlueprintDefaults(t *testing.T) {
	bp, err := ReadBlueprint("bp.json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	want := Blueprint{Length: 50, Forms: 1, Statuses: []string{"operational"}, MaxFormsPerItem: 1, Order: Order{Rule: OrderRandom},
		Objective: Objective{Type: Maximin, Theta: []float64{-1, 0, 1}, Weights: []float64{1, 1, 1}}}
	if !reflect.DeepEqual(bp, want) {
		t.Errorf("defaults %+v, want %+v", bp, want)
	}
}

func TestRangeJSON(t *testing.T) {
	for _, tc := range []struct {
		json, want string
	}{
		{`12`, "12"}, {`{"min": 12, "max": 13}`, "12–13"}, {`{"min": 1}`, "≥ 1"}, {`{"max": 2.5}`, "≤ 2.5"}, {`{}`, "any"},
	} {
		var r Range
		if err := r.UnmarshalJSON([]byte(tc.json)); err != nil || r.String() != tc.want {
			t.Errorf("%s reads as %q (%v), want %q", tc.json, r, err, tc.want)
		}
	}
	var r Range
	if err := r.UnmarshalJSON([]byte(`"12"`)); err == nil {
		t.Error(`"12" was read as a range`)
	}
}

// fixture reads the example blueprint of fixtures/blueprints.
func fixture(t *testing.T) Blueprint {
	t.Helper()
	name := filepath.Join("..", "..", "fixtures", "blueprints", "python-fundamentals.json")
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	bp, err := ReadBlueprint(name, f)
	if err != nil {
		t.Fatal(err)
	}
	return bp
}

func TestFixtureBlueprint(t *testing.T) {
	bp := fixture(t)
	if bp.Forms != 2 || bp.Length != 50 || len(bp.Domains) != 4 || len(bp.Anchors) != 8 || *bp.MaxOverlap != 8 ||
		bp.Objective.Type != Maximin || bp.Minutes.Hi(0) != 42 || *bp.TCCTolerance != 0.5 || bp.KeyBalance.Each.String() != "12–13" ||
		bp.MaxKeyRun != 3 || bp.Order.Rule != OrderDomain || len(bp.Order.Domains) != 4 {
		t.Errorf("fixture reads as %+v", bp)
	}
}

func TestSample(t *testing.T) {
	bp := fixture(t)
	each := Between(12, 13)
	bp.KeyBalance, bp.MaxKeyRun, bp.Order = &KeyBalance{Each: &each}, 3, Order{Rule: OrderSpiral}
	s := bp.Sample(5)
	if s.KeyBalance.Each.String() != "1–2" || s.MaxKeyRun != 3 || s.Order.Rule != OrderSpiral || bp.KeyBalance.Each.String() != "12–13" {
		t.Errorf("sample key balance %s, max_key_run %d, order %+v; want 1–2, 3, spiral and the blueprint's left alone", s.KeyBalance.Each, s.MaxKeyRun, s.Order)
	}
	if s.Length != 5 || s.Forms != 1 || s.Anchors != nil || s.Include != nil || s.MaxOverlap != nil || s.TCCTolerance != nil {
		t.Errorf("sample %+v", s)
	}
	// 12–13 of 50 is 1.2–1.3 of 5: 1–2. The minutes scale by 5/50.
	for d, r := range s.Domains {
		if r.String() != "1–2" {
			t.Errorf("sample domain %s: %s, want 1–2", d, r)
		}
	}
	if r := s.Subdomains["gil"]; r.String() != "0–1" {
		t.Errorf("sample subdomain gil: %s, want 0–1", r)
	}
	if got := s.Minutes.Hi(0); got < 4.2-1e-12 || got > 4.2+1e-12 {
		t.Errorf("sample minutes: %g, want 4.2", got)
	}
	if bp.Domains["stdlib"].String() != "12–13" || bp.Minutes.Hi(0) != 42 || bp.Length != 50 {
		t.Error("Sample changed the blueprint it was made from")
	}
}
