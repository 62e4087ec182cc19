package cat

import (
	"fmt"
	"io"
	"math"
	"slices"
	"sort"

	"github.com/passportirt/passport/bank/assemble"
	"github.com/passportirt/passport/irt"
)

// Config is an adaptive test's design: how θ is estimated, how items are
// chosen, how exposure and content are controlled, and when the test
// stops. Zero fields take the defaults noted; fixtures/cat/README.md
// documents the JSON form with examples.
type Config struct {
	Name string `json:"name,omitempty"`
	// MinLength and MaxLength bound the number of scored items; MaxLength
	// defaults to 20 and MinLength to MaxLength (a fixed length).
	MinLength int `json:"min_length,omitempty"`
	MaxLength int `json:"max_length,omitempty"`
	// Prior is the ability distribution θ ~ N(Mean, SD²) of the estimates
	// during the test; default N(0, 1).
	Prior Prior `json:"prior"`
	// Grid is the quadrature of EAP estimates and of posterior-weighted
	// selection; default 61 nodes on [−6, 6], mirt's.
	Grid irt.GridSpec `json:"grid"`
	// Estimator updates θ after each response: "eap" (default) or "map".
	Estimator string `json:"estimator,omitempty"`
	// Final is the estimator of the reported θ: "eap", "map", "ml" or
	// "wle"; default the Estimator.
	Final string `json:"final,omitempty"`
	// Bound confines ML and WLE estimates to [−Bound, Bound]; default 4.
	Bound float64 `json:"bound,omitempty"`
	// Selection is the item selection criterion: "mfi" (default),
	// maximum Fisher information at θ̂; "kl", Kullback–Leibler
	// information over θ̂ ± 3/√n (Chang & Ying 1996); or "pwi",
	// posterior-weighted information (van der Linden 1998).
	Selection string `json:"selection,omitempty"`
	// Randomesque draws each item at random among the best k by the
	// criterion (Kingsbury & Zara 1989); default 1.
	Randomesque int `json:"randomesque,omitempty"`
	// FirstItems: the first item is drawn at random among the this many
	// items most informative at the prior mean; default 5.
	FirstItems int          `json:"first_items,omitempty"`
	Exposure   ExposureRule `json:"exposure"`
	Content    ContentRule  `json:"content"`
	Stop       StopRule     `json:"stop"`
	// PretestSlots is the number of unscored pretest items placed at
	// random positions of each test; default 0.
	PretestSlots int `json:"pretest_slots,omitempty"`
}

// Prior is a normal ability distribution.
type Prior struct {
	Mean float64 `json:"mean"`
	SD   float64 `json:"sd"` // > 0; 0 for the default 1
}

// ExposureRule limits how often an item is administered.
type ExposureRule struct {
	// Method is "none" (default); "sympson-hetter", each selected item
	// administered with the probability of its control parameter, tuned by
	// iterative simulation (Sympson & Hetter 1985), conditional on the θ
	// segment (Stocking & Lewis 1998); "eligibility", items eligible with a
	// probability updated after every test (van der Linden & Veldkamp
	// 2004); or "rmr", the restricted maximum rate: an item whose rate has
	// reached the cap is not eligible (Revuelta & Ponsoda 1998).
	Method string `json:"method,omitempty"`
	// MaxRate is the cap r on each item's exposure rate in every θ
	// segment, 0 < r ≤ 1.
	MaxRate float64 `json:"max_rate,omitempty"`
	// Segments are the cut points of the θ segments in which the cap holds
	// (increasing); none for one segment, the whole θ scale.
	Segments []float64 `json:"segments,omitempty"`
	// Iterations (at most; the rounds stop once the cap holds) and
	// Simulees size the Sympson–Hetter tuning simulation; defaults 10 and
	// 1,000.
	Iterations int `json:"iterations,omitempty"`
	Simulees   int `json:"simulees,omitempty"`
}

// ContentRule balances the content of each test.
type ContentRule struct {
	// Method is "none" (default); "kingsbury-zara", each item from the
	// domain furthest below its target share (Kingsbury & Zara 1989); or
	// "shadow", each item from a full-length test that meets Blueprint
	// with the items given so far fixed, re-assembled before every item
	// (van der Linden & Reese 1998).
	Method string `json:"method,omitempty"`
	// Targets are the domains' target shares of a test, for
	// kingsbury-zara; they are normalised to sum to 1.
	Targets map[string]float64 `json:"targets,omitempty"`
	// Blueprint is the shadow test's blueprint (fixtures/blueprints
	// format): its domain and subdomain counts, enemy groups, item sets
	// and exclusions hold for every test; its length, forms and objective
	// are the adaptive test's (MaxLength, one form, information at θ̂).
	Blueprint *assemble.Blueprint `json:"blueprint,omitempty"`
	// Restarts is the heuristic solver's budget of rounds for each shadow
	// test; default 1.
	Restarts int `json:"restarts,omitempty"`
	// Solver is "heuristic" (default) or "cbc" (COIN-OR CBC, when
	// installed).
	Solver string `json:"solver,omitempty"`
}

// StopRule says when a test ends, between MinLength and MaxLength items.
type StopRule struct {
	// SE ends the test once the standard error of θ̂ is at most SE; 0 for
	// none.
	SE float64 `json:"se,omitempty"`
	// Cuts are cut scores on the θ scale, increasing; a test with cuts
	// classifies every examinee and, with Rule set, ends once the
	// classification is decided.
	Cuts []float64 `json:"cuts,omitempty"`
	// ScaleCuts are the cut scores on the reporting scale named Scale
	// (default passport, 300–850), increasing, given instead of Cuts; the
	// caller moves them to θ with the run's scale (WithThetaCuts) before
	// building the engine, which reads Cuts.
	ScaleCuts []float64 `json:"scale_cuts,omitempty"`
	Scale     string    `json:"scale,omitempty"`
	// Rule is "" (no classification stop), "ci", ending when the
	// Confidence interval θ̂ ± z·SE holds no cut (Kingsbury & Weiss 1983),
	// or "sprt", Wald's sequential probability ratio test of θ = cut − Delta
	// against θ = cut + Delta at every cut (Reckase 1983; Eggen 1999).
	Rule string `json:"rule,omitempty"`
	// Confidence of the ci rule; default 0.95.
	Confidence float64 `json:"confidence,omitempty"`
	// Delta is the half-width of the SPRT's indifference region; default
	// 0.2. Alpha and Beta are its error rates; default 0.05 each.
	Delta float64 `json:"delta,omitempty"`
	Alpha float64 `json:"alpha,omitempty"`
	Beta  float64 `json:"beta,omitempty"`
}

// The names of the methods.
const (
	EAP = "eap"
	MAP = "map"
	ML  = "ml"
	WLE = "wle"

	MFI = "mfi"
	KL  = "kl"
	PWI = "pwi"

	None          = "none"
	SympsonHetter = "sympson-hetter"
	Eligibility   = "eligibility"
	RMR           = "rmr"

	KingsburyZara = "kingsbury-zara"
	Shadow        = "shadow"

	RuleCI   = "ci"
	RuleSPRT = "sprt"
)

// ReadConfig reads a JSON configuration, fills in the defaults and checks
// it. Errors name the file, and the field and its valid range.
func ReadConfig(file string, r io.Reader) (Config, error) {
	var c Config
	data, err := io.ReadAll(r)
	if err != nil {
		return c, fmt.Errorf("%s: %w", file, err)
	}
	if err := assemble.DecodeJSON(file, data, &c, "fixtures/cat/README.md"); err != nil {
		return c, err
	}
	if len(c.Stop.Cuts) > 0 && len(c.Stop.ScaleCuts) > 0 {
		return c, fmt.Errorf("%s: stop: both cuts and scale_cuts; expected cut scores on the θ scale (cuts) or on the reporting scale (scale_cuts)", file)
	}
	c = c.WithDefaults()
	if err := c.validate(false); err != nil {
		return c, fmt.Errorf("%s: %w", file, err)
	}
	return c, nil
}

// WithThetaCuts returns c with Cuts set to its ScaleCuts moved to θ by
// theta, the inverse of the run's reporting scale (scale.Scale.Theta).
func (c Config) WithThetaCuts(theta func(score float64) (float64, error)) (Config, error) {
	c.Stop.Cuts = nil
	for k, x := range c.Stop.ScaleCuts {
		th, err := theta(x)
		if err != nil {
			return c, fmt.Errorf("stop.scale_cuts[%d] on scale %s: %w", k, c.Stop.Scale, err)
		}
		c.Stop.Cuts = append(c.Stop.Cuts, th)
	}
	return c, nil
}

// WithDefaults returns c with its zero fields set to their defaults.
func (c Config) WithDefaults() Config {
	if c.MaxLength == 0 {
		c.MaxLength = 20
	}
	if c.MinLength == 0 {
		c.MinLength = c.MaxLength
	}
	if c.Prior.SD == 0 {
		c.Prior.SD = 1
	}
	if c.Grid.Points == 0 {
		c.Grid = irt.DefaultGridSpec
	}
	if c.Estimator == "" {
		c.Estimator = EAP
	}
	if c.Final == "" {
		c.Final = c.Estimator
	}
	if c.Bound == 0 {
		c.Bound = 4
	}
	if c.Selection == "" {
		c.Selection = MFI
	}
	if c.Randomesque == 0 {
		c.Randomesque = 1
	}
	if c.FirstItems == 0 {
		c.FirstItems = 5
	}
	x := &c.Exposure
	if x.Method == "" {
		x.Method = None
	}
	if x.Iterations == 0 {
		x.Iterations = 10
	}
	if x.Simulees == 0 {
		x.Simulees = 1000
	}
	ct := &c.Content
	if ct.Method == "" {
		ct.Method = None
	}
	if ct.Restarts == 0 {
		ct.Restarts = 1
	}
	if ct.Solver == "" {
		ct.Solver = "heuristic"
	}
	s := &c.Stop
	if s.Confidence == 0 {
		s.Confidence = 0.95
	}
	if s.Delta == 0 {
		s.Delta = 0.2
	}
	if s.Alpha == 0 {
		s.Alpha = 0.05
	}
	if s.Beta == 0 {
		s.Beta = 0.05
	}
	if s.Scale == "" {
		s.Scale = "passport"
	}
	return c
}

// Validate checks a configuration with its defaults filled in, its
// ScaleCuts moved to θ; NewEngine checks it against a pool.
func (c Config) Validate() error { return c.validate(true) }

// validate checks c; with converted, any ScaleCuts must have their θ in
// Cuts.
func (c Config) validate(converted bool) error {
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	oneOf := func(field, v string, valid ...string) error {
		if !slices.Contains(valid, v) {
			return fmt.Errorf("%s: %q; expected one of %q", field, v, valid)
		}
		return nil
	}
	increasing := func(field string, xs []float64) error {
		for k, x := range xs {
			if !finite(x) || (k > 0 && x <= xs[k-1]) {
				return fmt.Errorf("%s[%d]: %g; expected finite values in increasing order", field, k, x)
			}
		}
		return nil
	}
	switch {
	case c.MaxLength < 1 || c.MaxLength > 1000:
		return fmt.Errorf("max_length: %d; expected 1 to 1000 items", c.MaxLength)
	case c.MinLength < 1 || c.MinLength > c.MaxLength:
		return fmt.Errorf("min_length: %d; expected 1 to max_length (%d)", c.MinLength, c.MaxLength)
	case !finite(c.Prior.Mean):
		return fmt.Errorf("prior.mean: %g; expected a finite number", c.Prior.Mean)
	case !(c.Prior.SD > 0) || !finite(c.Prior.SD):
		return fmt.Errorf("prior.sd: %g; expected a positive number", c.Prior.SD)
	case c.Grid.Points < 2 || c.Grid.Points > 1001 || !(c.Grid.Min < c.Grid.Max) || !finite(c.Grid.Min) || !finite(c.Grid.Max):
		return fmt.Errorf("grid: %d points on [%g, %g]; expected 2 to 1001 points on a finite interval", c.Grid.Points, c.Grid.Min, c.Grid.Max)
	case !(c.Bound > 0) || !finite(c.Bound):
		return fmt.Errorf("bound: %g; expected a positive number", c.Bound)
	case c.Randomesque < 1:
		return fmt.Errorf("randomesque: %d; expected at least 1", c.Randomesque)
	case c.FirstItems < 1:
		return fmt.Errorf("first_items: %d; expected at least 1", c.FirstItems)
	case c.PretestSlots < 0 || c.PretestSlots > c.MaxLength:
		return fmt.Errorf("pretest_slots: %d; expected 0 to max_length (%d)", c.PretestSlots, c.MaxLength)
	}
	if err := oneOf("estimator", c.Estimator, EAP, MAP); err != nil {
		return err
	}
	if err := oneOf("final", c.Final, EAP, MAP, ML, WLE); err != nil {
		return err
	}
	if err := oneOf("selection", c.Selection, MFI, KL, PWI); err != nil {
		return err
	}
	x := c.Exposure
	if err := oneOf("exposure.method", x.Method, None, SympsonHetter, Eligibility, RMR); err != nil {
		return err
	}
	if x.Method != None && !(x.MaxRate > 0 && x.MaxRate <= 1) {
		return fmt.Errorf("exposure.max_rate: %g; expected a rate in (0, 1]", x.MaxRate)
	}
	if err := increasing("exposure.segments", x.Segments); err != nil {
		return err
	}
	if x.Iterations < 1 || x.Iterations > 1000 {
		return fmt.Errorf("exposure.iterations: %d; expected 1 to 1000", x.Iterations)
	}
	if x.Simulees < 1 {
		return fmt.Errorf("exposure.simulees: %d; expected at least 1", x.Simulees)
	}
	ct := c.Content
	if err := oneOf("content.method", ct.Method, None, KingsburyZara, Shadow); err != nil {
		return err
	}
	if err := oneOf("content.solver", ct.Solver, "heuristic", "cbc"); err != nil {
		return err
	}
	if ct.Restarts < 1 {
		return fmt.Errorf("content.restarts: %d; expected at least 1", ct.Restarts)
	}
	switch ct.Method {
	case KingsburyZara:
		if len(ct.Targets) == 0 {
			return fmt.Errorf("content.targets: none; kingsbury-zara needs each domain's target share")
		}
		names := make([]string, 0, len(ct.Targets))
		for d := range ct.Targets {
			names = append(names, d)
		}
		sort.Strings(names)
		for _, d := range names {
			if t := ct.Targets[d]; !(t > 0) || !finite(t) {
				return fmt.Errorf("content.targets.%s: %g; expected a positive share", d, t)
			}
		}
	case Shadow:
		if ct.Blueprint == nil {
			return fmt.Errorf("content.blueprint: none; a shadow test needs a blueprint")
		}
		if err := c.shadowBlueprint().Validate(); err != nil {
			return fmt.Errorf("content.blueprint: %w", err)
		}
	}
	s := c.Stop
	switch {
	case s.SE < 0 || !finite(s.SE):
		return fmt.Errorf("stop.se: %g; expected a standard error ≥ 0 (0: none)", s.SE)
	case !(s.Confidence > 0.5 && s.Confidence < 1):
		return fmt.Errorf("stop.confidence: %g; expected a level in (0.5, 1)", s.Confidence)
	case !(s.Delta > 0) || !finite(s.Delta):
		return fmt.Errorf("stop.delta: %g; expected a positive half-width", s.Delta)
	case !(s.Alpha > 0 && s.Alpha < 0.5):
		return fmt.Errorf("stop.alpha: %g; expected an error rate in (0, 0.5)", s.Alpha)
	case !(s.Beta > 0 && s.Beta < 0.5):
		return fmt.Errorf("stop.beta: %g; expected an error rate in (0, 0.5)", s.Beta)
	}
	if err := increasing("stop.cuts", s.Cuts); err != nil {
		return err
	}
	if err := increasing("stop.scale_cuts", s.ScaleCuts); err != nil {
		return err
	}
	if converted && len(s.ScaleCuts) > 0 && len(s.Cuts) != len(s.ScaleCuts) {
		return fmt.Errorf("stop.scale_cuts: %g on scale %s, not moved to θ (Config.WithThetaCuts)", s.ScaleCuts, s.Scale)
	}
	if err := oneOf("stop.rule", s.Rule, "", RuleCI, RuleSPRT); err != nil {
		return err
	}
	if s.Rule != "" && len(s.Cuts) == 0 && len(s.ScaleCuts) == 0 {
		return fmt.Errorf("stop.rule: %q needs cut scores (stop.cuts or stop.scale_cuts)", s.Rule)
	}
	return nil
}

// shadowBlueprint is the content blueprint as the shadow test uses it: one
// form of MaxLength items from operational items, maximising information
// at θ = 0 (each shadow test moves the point to θ̂).
func (c Config) shadowBlueprint() assemble.Blueprint {
	bp := *c.Content.Blueprint
	bp.Length, bp.Forms, bp.MaxFormsPerItem = c.MaxLength, 1, 1
	bp.Statuses = []string{operational}
	bp.Anchors, bp.Include, bp.MaxOverlap, bp.InfoTolerance, bp.TCCTolerance = nil, nil, nil, nil, nil
	bp.Minutes, bp.MeanDifficulty, bp.KeyBalance, bp.MaxKeyRun = nil, nil, nil, 0
	bp.Order = assemble.Order{}
	bp.Objective = assemble.Objective{Type: assemble.Maximin, Theta: []float64{0}, Weights: []float64{1}}
	return bp.WithDefaults()
}

// operational is the status the shadow test's pool items carry.
const operational = "operational"
