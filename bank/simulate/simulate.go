// Package simulate writes realistic response logs with known truth: it
// draws item parameters (or takes them), builds overlapping forms that share
// anchor items, spirals examinees over the forms, and draws each response
// from the 3PL model, spreading wrong answers over the distractors.
// Everything is drawn from one seed, so a log is reproducible.
package simulate

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/passportirt/passport/bank"
	"github.com/passportirt/passport/irt"
)

// Design says what to simulate. Zero fields take the defaults noted.
type Design struct {
	Seed       uint64
	Examinees  int       // default 5000
	Forms      int       // default 8
	FormLength int       // default 50
	Anchors    int       // items on every form, default 10; 0 with NoAnchors
	NoAnchors  bool      // forms share items only through rotation
	ThetaMean  float64   // ability distribution, default N(0, 1)
	ThetaSD    float64   // default 1
	Model      string    // "3pl" (default) or "2pl", for drawn parameters
	D          float64   // scaling constant, default 1
	OmitRate   float64   // chance that a response is left unanswered, in [0, 1)
	Start      time.Time // first administration day; default 2026-01-05 UTC
	Days       int       // administration window in days, default 365
	FormPrefix string    // default "F"
	ExamPrefix string    // default "E"
	// Params, when set, are the true parameters by item code; items without
	// an entry get drawn ones.
	Params map[string]irt.ThreePL
	// FocalShare, in [0, 1), puts each examinee in a focal group with that
	// chance (0: no groups), for studies of differential item functioning:
	// the focal group's abilities are drawn from N(FocalMean, ThetaSD²)
	// (impact) and its difficulty of each item in FocalShift moved by the
	// shift given (DIF). Result.Focal says who is in it.
	FocalShare float64
	FocalMean  float64
	FocalShift map[string]float64
}

func (d *Design) defaults() error {
	set := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	set(&d.Examinees, 5000)
	set(&d.Forms, 8)
	set(&d.FormLength, 50)
	set(&d.Days, 365)
	if d.Anchors == 0 && !d.NoAnchors {
		d.Anchors = 10
	}
	if d.ThetaSD == 0 {
		d.ThetaSD = 1
	}
	if d.Model == "" {
		d.Model = "3pl"
	}
	if d.D == 0 {
		d.D = 1
	}
	if d.Start.IsZero() {
		d.Start = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	}
	if d.FormPrefix == "" {
		d.FormPrefix = "F"
	}
	if d.ExamPrefix == "" {
		d.ExamPrefix = "E"
	}
	switch {
	case d.Model != "3pl" && d.Model != "2pl":
		return fmt.Errorf("model %q: expected 2pl or 3pl", d.Model)
	case d.Examinees < 1 || d.Forms < 1 || d.FormLength < 1 || d.Days < 1:
		return errors.New("examinees, forms, form length and days must be positive")
	case d.Anchors < 0 || d.Anchors > d.FormLength:
		return fmt.Errorf("anchors %d: expected 0 to the form length %d", d.Anchors, d.FormLength)
	case d.ThetaSD <= 0 || d.D <= 0:
		return errors.New("the ability SD and D must be positive")
	case d.OmitRate < 0 || d.OmitRate >= 1:
		return fmt.Errorf("omit rate %g: expected a number in [0, 1)", d.OmitRate)
	case d.FocalShare < 0 || d.FocalShare >= 1:
		return fmt.Errorf("focal share %g: expected a number in [0, 1)", d.FocalShare)
	}
	return nil
}

// Truth is what a simulation drew: each item's parameters and each form's
// items, in the order given.
type Truth struct {
	Items  []bank.Item
	Params []irt.ThreePL // parallel to Items
	Forms  [][]int       // indexes into Items, anchors first
	D      float64
}

// Rows are the true parameters as a parameter table of the model (no
// standard errors), as simulate --truth writes it.
func (t Truth) Rows(model string) []bank.ParamRow {
	rows := make([]bank.ParamRow, len(t.Items))
	for i, it := range t.Items {
		p := t.Params[i]
		rows[i] = bank.ParamRow{Item: it.Code, Model: model, A: p.A, B: p.B, C: p.C, SEA: math.NaN(), SEB: math.NaN(), SEC: math.NaN()}
	}
	return rows
}

// Result sums up a written log.
type Result struct {
	Truth     Truth
	Responses int
	MeanTheta float64
	SDTheta   float64
	// Focal is, with Design.FocalShare, whether each examinee (E000001 is
	// the first) is in the focal group; nil without groups.
	Focal []bool
}

// Run simulates a log over the given items (keyed items whose status is
// pretest or operational take part) and writes it to w in the long format.
func Run(items []bank.Item, d Design, w io.Writer) (Result, error) {
	var res Result
	if err := d.defaults(); err != nil {
		return res, err
	}
	rng := rand.New(rand.NewPCG(d.Seed, 0x5eed_7a55_9047))
	pool := itemPool(items)
	params := make([]irt.ThreePL, len(pool))
	for i, it := range pool {
		if p, ok := d.Params[it.Code]; ok {
			params[i] = p
			continue
		}
		params[i] = drawParams(rng, d, len(it.Options))
	}
	forms, err := buildForms(pool, d)
	if err != nil {
		return res, err
	}
	res.Truth = Truth{Items: pool, Params: params, Forms: forms, D: d.D}

	// Per item: response-time intensity and distractor attractiveness.
	timeLoc := make([]float64, len(pool))
	attract := make([][]float64, len(pool))
	for i, it := range pool {
		timeLoc[i] = math.Log(45) + 0.3*rng.NormFloat64()
		attract[i] = dirichlet(rng, len(it.Options)-1)
	}

	lw := bank.NewLongWriter(w)
	var sum, sumSq float64
	for e := range d.Examinees {
		form := e % d.Forms // spiralled
		mean, focal := d.ThetaMean, false
		if d.FocalShare > 0 { // no draw without groups: a seed's log stays the same
			focal = rng.Float64() < d.FocalShare
			res.Focal = append(res.Focal, focal)
			if focal {
				mean = d.FocalMean
			}
		}
		theta := mean + d.ThetaSD*rng.NormFloat64()
		sum += theta
		sumSq += theta * theta
		speed := 0.2 * rng.NormFloat64()
		at := d.Start.Add(time.Duration(rng.IntN(d.Days))*24*time.Hour + time.Duration(8*3600+rng.IntN(12*3600))*time.Second)
		code := ExamineeCode(d.ExamPrefix, e)
		fcode := fmt.Sprintf("%s%02d", d.FormPrefix, form+1)
		for _, i := range forms[form] {
			it := pool[i]
			rt := math.Round(math.Exp(timeLoc[i]-speed+0.4*rng.NormFloat64())*10) / 10
			rec := bank.LongRecord{Examinee: code, Form: fcode, Item: it.Code, Time: rt, At: at}
			at = at.Add(time.Duration(rt * float64(time.Second)))
			u := rng.Float64()
			p := params[i]
			if focal {
				p.B += d.FocalShift[it.Code]
			}
			switch {
			case d.OmitRate > 0 && rng.Float64() < d.OmitRate:
				rec.Option = 0
			case u < p.Prob(theta):
				rec.Option, rec.Score = it.Key, 1
			default:
				rec.Option = distractor(rng, attract[i], it.Key)
			}
			if err := lw.Write(rec); err != nil {
				return res, err
			}
			res.Responses++
		}
	}
	n := float64(d.Examinees)
	res.MeanTheta = sum / n
	res.SDTheta = math.Sqrt(max(0, sumSq/n-res.MeanTheta*res.MeanTheta))
	return res, lw.Flush()
}

// itemPool returns the items a simulation takes part: keyed pretest and
// operational items.
func itemPool(items []bank.Item) []bank.Item {
	var pool []bank.Item
	for _, it := range items {
		if it.Key > 0 && len(it.Options) >= 2 && (it.Status == "operational" || it.Status == "pretest") {
			pool = append(pool, it)
		}
	}
	return pool
}

// Forms returns the item codes of each form Run builds from items under
// d, anchors first, without simulating: the forms do not depend on the
// seed, so a design can give items of known forms DIF (Design.FocalShift).
func Forms(items []bank.Item, d Design) ([][]string, error) {
	if err := d.defaults(); err != nil {
		return nil, err
	}
	pool := itemPool(items)
	forms, err := buildForms(pool, d)
	if err != nil {
		return nil, err
	}
	out := make([][]string, len(forms))
	for f, idx := range forms {
		for _, i := range idx {
			out[f] = append(out[f], pool[i].Code)
		}
	}
	return out, nil
}

// ExamineeCode is the code of the simulation's examinee e (from 0).
func ExamineeCode(prefix string, e int) string { return fmt.Sprintf("%s%06d", prefix, e+1) }

// WriteGroups writes the examinees' groups of a simulation of design d
// with a focal group (Result.Focal) as an examinees file (passport
// examinees import): the columns examinee and group, the values focal and
// reference.
func WriteGroups(w io.Writer, d Design, focal []bool) error {
	if err := d.defaults(); err != nil {
		return err
	}
	prefix := d.ExamPrefix
	cw := csv.NewWriter(w)
	cw.Write([]string{"examinee", "group"})
	for e, f := range focal {
		g := "reference"
		if f {
			g = "focal"
		}
		cw.Write([]string{ExamineeCode(prefix, e), g})
	}
	cw.Flush()
	return cw.Error()
}

// drawParams draws true parameters as calibrated banks look: a from a
// lognormal with median 1.1, b from N(0, 1), and for the 3PL c from
// Beta(5, 17) scaled to the number of options (mean ≈ 1/(k+0.4)).
func drawParams(rng *rand.Rand, d Design, k int) irt.ThreePL {
	p := irt.ThreePL{A: math.Exp(math.Log(1.1) + 0.3*rng.NormFloat64()), B: rng.NormFloat64(), D: d.D}
	if d.Model == "3pl" {
		p.C = distuv.Beta{Alpha: 5, Beta: 17, Src: rng}.Rand() * 4.4 / (float64(k) + 0.4)
	}
	return p
}

// buildForms puts d.Anchors operational items, balanced over domains, on
// every form, and fills the rest of each form domain by domain by striding
// through the remaining items, so that every item is used and, where the
// forms need more slots than there are items, forms overlap. No form holds
// two items of one enemy group.
func buildForms(pool []bank.Item, d Design) ([][]int, error) {
	byDomain := map[string][]int{}
	for i, it := range pool {
		byDomain[it.Domain] = append(byDomain[it.Domain], i)
	}
	var domains []string
	for _, dom := range bank.Domains {
		if len(byDomain[dom]) > 0 {
			domains = append(domains, dom)
		}
	}
	if len(domains) == 0 {
		return nil, errors.New("no keyed pretest or operational items to simulate")
	}
	quota := func(total int) []int { // total spread over the domains
		q := make([]int, len(domains))
		for j := range q {
			q[j] = total / len(domains)
			if j < total%len(domains) {
				q[j]++
			}
		}
		return q
	}
	anchors := map[int]bool{}
	anchorGroups := map[string]bool{}
	var anchorList []int
	for j, n := range quota(d.Anchors) {
		for _, i := range byDomain[domains[j]] {
			if n == 0 {
				break
			}
			g := pool[i].EnemyGroup
			if pool[i].Status == "operational" && (g == "" || !anchorGroups[g]) {
				anchors[i] = true
				anchorList = append(anchorList, i)
				if g != "" {
					anchorGroups[g] = true
				}
				n--
			}
		}
		if n > 0 {
			return nil, fmt.Errorf("domain %s has too few operational items for %d anchors", domains[j], d.Anchors)
		}
	}
	rest := make([][]int, len(domains))
	for j, dom := range domains {
		for _, i := range byDomain[dom] {
			if !anchors[i] {
				rest[j] = append(rest[j], i)
			}
		}
	}
	forms := make([][]int, d.Forms)
	q := quota(d.FormLength - d.Anchors)
	for f := range forms {
		form := slices.Clone(anchorList)
		groups := map[string]bool{}
		for _, i := range form {
			if g := pool[i].EnemyGroup; g != "" {
				groups[g] = true
			}
		}
		for j := range domains {
			r := rest[j]
			if q[j] > len(r) {
				return nil, fmt.Errorf("domain %s has %d non-anchor items; a form needs %d", domains[j], len(r), q[j])
			}
			// Form f takes items f, f+F, f+2F, … (circularly): items spread
			// evenly over the forms, and the neighbours in the bank's order
			// (often enemies) never meet on one form.
			seen := map[int]bool{}
			for k := f; k < f+2*d.Forms*len(r) && q[j] > 0; k += d.Forms {
				i := r[k%len(r)]
				if seen[i] {
					continue
				}
				if g := pool[i].EnemyGroup; g != "" && groups[g] {
					continue
				}
				if g := pool[i].EnemyGroup; g != "" {
					groups[g] = true
				}
				seen[i] = true
				form = append(form, i)
				q[j]--
			}
			if q[j] > 0 {
				return nil, fmt.Errorf("domain %s: enemy groups leave too few items for form %d", domains[j], f+1)
			}
		}
		q = quota(d.FormLength - d.Anchors)
		forms[f] = form
	}
	return forms, nil
}

// distractor picks a wrong option by the item's attractiveness weights.
func distractor(rng *rand.Rand, w []float64, key int) int {
	u := rng.Float64()
	k := 0
	for ; k < len(w)-1; k++ {
		if u < w[k] {
			break
		}
		u -= w[k]
	}
	opt := k + 1 // options other than the key, in order
	if opt >= key {
		opt++
	}
	return opt
}

// dirichlet draws n weights from a Dirichlet(2, …, 2), as normalised
// Gamma(2, 1) draws: distractors differ in pull, none is dead.
func dirichlet(rng *rand.Rand, n int) []float64 {
	w := make([]float64, n)
	var s float64
	for i := range w {
		w[i] = distuv.Gamma{Alpha: 2, Beta: 1, Src: rng}.Rand()
		s += w[i]
	}
	for i := range w {
		w[i] /= s
	}
	return w
}
