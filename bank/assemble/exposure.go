package assemble

import (
	"maps"
	"slices"
)

// AwayFrom returns bp with every pool item excluded that is live, or
// that is in an enemy group with a live item (the items' own enemy
// groups and the blueprint's), for a form none of whose items may be
// seen beside the live forms', such as a public sample: an item that
// tests the same fact as a live item would give it away. live holds the
// codes of the live items (bank.LiveItems says which forms are live). It
// also returns how many items it excluded for being live and for being
// their enemies.
func (bp Blueprint) AwayFrom(pool []Item, live map[string]bool) (Blueprint, int, int) {
	own := map[string][]string{} // the pool's enemy groups by name
	for _, it := range pool {
		if it.EnemyGroup != "" {
			own[it.EnemyGroup] = append(own[it.EnemyGroup], it.Code)
		}
	}
	groups := slices.Collect(maps.Values(own))
	groups = append(groups, bp.EnemyGroups...)
	out := map[string]bool{}
	for _, g := range groups {
		if slices.ContainsFunc(g, func(c string) bool { return live[c] }) {
			for _, c := range g {
				out[c] = true
			}
		}
	}
	var nLive, nEnemies int
	ex := slices.Clone(bp.Exclude)
	for _, it := range pool {
		switch c := it.Code; {
		case live[c]:
			nLive++
		case out[c]:
			nEnemies++
		default:
			continue
		}
		if !slices.Contains(ex, it.Code) {
			ex = append(ex, it.Code)
		}
	}
	bp.Exclude = ex
	return bp, nLive, nEnemies
}
