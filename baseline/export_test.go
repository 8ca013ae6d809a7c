package baseline

import (
	"maps"
	"slices"
)

// ReadsOf runs control c over g and returns, per resource URN, the top-level inputs and outputs
// its check read.
func ReadsOf(g *Graph, c Control) map[string][]string {
	g.byType, g.owners = nil, nil
	g.link()
	reads := track(g, func() { c.check(g) })
	out := map[string][]string{}
	for i, keys := range reads.read {
		out[g.Resources[i].URN] = slices.Sorted(maps.Keys(keys))
	}
	return out
}
