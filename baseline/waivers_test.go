package baseline_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// twoSingleAZInstances is prod with a second instance, scratch-db, beside its own; both single-AZ.
func twoSingleAZInstances(t *testing.T) (*baseline.Graph, baseline.Resource) {
	g := prodGraph(t)
	inst := first(t, g, baseline.TypeInstance, "")
	inst.Inputs["multiAz"] = false
	scratch := *inst
	scratch.Name, scratch.URN = "scratch-db", strings.TrimSuffix(inst.URN, inst.Name)+"scratch-db"
	scratch.Inputs = maps.Clone(inst.Inputs)
	g.Resources = append(g.Resources, scratch)
	return g, *inst
}

// A waiver of one resource relaxes that resource: the same weakness of another still fails, and
// the row says what was relaxed.
func TestAWaiverOfOneResourceRelaxesOnlyIt(t *testing.T) {
	g, inst := twoSingleAZInstances(t)
	row := rows(baseline.Evaluate(g, baseline.Waivers{"rds-multi-az/scratch-db": "a scratch copy, rebuilt nightly"}))["rds-multi-az"]
	assert.Equal(t, baseline.Fail, row.Status)
	assert.Equal(t, inst.Name+": multiAz is false, want true", row.Detail)
	assert.Equal(t, []baseline.Relaxed{{Waiver: "rds-multi-az/scratch-db", Reason: "a scratch copy, rebuilt nightly", Problem: "scratch-db: multiAz is false, want true"}}, row.Relaxed)

	// Both named, one by its URN: waived, with each reason.
	row = rows(baseline.Evaluate(g, baseline.Waivers{
		"rds-multi-az/scratch-db":  "a scratch copy, rebuilt nightly",
		"rds-multi-az/" + inst.URN: "dev: cost",
	}))["rds-multi-az"]
	assert.Equal(t, baseline.Waived, row.Status)
	assert.Equal(t, "for "+inst.URN+": dev: cost; for scratch-db: a scratch copy, rebuilt nightly", row.Waiver)
	assert.Equal(t, inst.Name+": multiAz is false, want true; scratch-db: multiAz is false, want true", row.Detail)
}

// A waiver naming a component covers the resources under it, and only those.
func TestAWaiverOfAComponentCoversItsResources(t *testing.T) {
	g, inst := twoSingleAZInstances(t)
	var parent baseline.Resource
	for _, r := range g.Resources {
		if r.URN == inst.Parent {
			parent = r
		}
	}
	require.NotEmpty(t, parent.Name, "the instance belongs to a component")
	for i := range g.Resources {
		if g.Resources[i].Name == "scratch-db" {
			g.Resources[i].Parent = "" // made by hand, outside the component
		}
	}
	row := rows(baseline.Evaluate(g, baseline.Waivers{"rds-multi-az/" + parent.Name: "dev: cost"}))["rds-multi-az"]
	assert.Equal(t, baseline.Fail, row.Status)
	assert.Equal(t, "scratch-db: multiAz is false, want true", row.Detail)
	assert.Equal(t, "rds-multi-az/"+parent.Name, row.Relaxed[0].Waiver)
}

// A waiver of one resource is checked as a waiver of its control, and names a resource.
func TestAWaiverOfOneResourceIsChecked(t *testing.T) {
	var problems []string
	for _, p := range (baseline.Waivers{
		"rds-not-public/orders":  "tried anyway",
		"rds-multi-az/":          "no resource",
		"no-such-control/orders": "typo",
		"rds-multi-az/orders":    "",
		"rds-multi-az/scratch":   "a scratch copy",
	}).Problems() {
		problems = append(problems, p.Key+": "+p.Problem)
	}
	assert.Equal(t, []string{
		`no-such-control/orders: "no-such-control" is not a control key; waivable keys: ` + strings.Join(baseline.WaivableKeys(), ", "),
		`rds-multi-az/: no resource after "rds-multi-az/": name one (rds-multi-az/<name or URN>), or waive the whole control with the key rds-multi-az`,
		"rds-multi-az/orders: the reason is empty; say why the control is relaxed",
		"rds-not-public/orders: control rds-not-public (" + mustLookup(t, "rds-not-public").Title + ") cannot be waived",
	}, problems)
}

func mustLookup(t *testing.T, key string) baseline.Control {
	c, ok := baseline.Lookup(key)
	require.True(t, ok)
	return c
}
