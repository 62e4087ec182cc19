package assemble

import "github.com/passportirt/passport/irt"

// Item is one item of the pool that forms are assembled from.
type Item struct {
	Code       string      // the item's code, e.g. SEM-001
	Domain     string      // content domain
	Subdomain  string      // content subdomain; may be empty
	Status     string      // life-cycle status, e.g. operational
	EnemyGroup string      // items sharing a group never share a form; empty for none
	Params     irt.ThreePL // calibrated parameters
	// Seconds is the expected response time; only blueprints that limit
	// a form's minutes need it.
	Seconds float64
	// Key is the key's letter as written, "A" to "E"; "" for an unkeyed
	// item. Blueprints that balance keys or cap their runs need it.
	Key string
	// Options is the number of options, 2 to len(Letters); 0 when not
	// known, as it may be for forms that are not given versions.
	Options int
	// FixedLast says that the last option ("none of the above") stays
	// last when the options are scrambled.
	FixedLast bool
}
