package baseline_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// Every check a framework requirement names is one a control cites, and every control maps to a
// requirement or is an exception with its reason; an exception for a control that maps is stale.
func TestEveryControlMapsToAFrameworkOrIsAnException(t *testing.T) {
	cited := map[string]bool{}
	for _, c := range baseline.Catalog {
		for _, id := range append(slices.Clone(c.Refs.Prowler), c.Refs.CIS...) {
			cited[id] = true
		}
	}
	mapped := map[string]bool{}
	for _, f := range baseline.Frameworks {
		require.NotEmpty(t, f.Source, f.Key)
		for _, r := range f.Requirements {
			for _, id := range append(slices.Clone(r.Prowler), r.CIS...) {
				assert.True(t, cited[id], "%s %s maps %s, which no control cites", f.Key, r.ID, id)
			}
			controls := r.ControlsOf()
			assert.NotEmpty(t, controls, "%s %s: no control", f.Key, r.ID)
			for _, k := range controls {
				mapped[k] = true
			}
		}
	}
	for _, c := range baseline.Catalog {
		reason, excepted := baseline.FrameworkExceptions[c.Key]
		switch {
		case mapped[c.Key]:
			assert.False(t, excepted, "%s maps to a requirement: remove its exception", c.Key)
		default:
			assert.NotEmpty(t, reason, "%s maps to no requirement and is no exception", c.Key)
		}
	}
	for key := range baseline.FrameworkExceptions {
		_, ok := baseline.Lookup(key)
		assert.True(t, ok, "exception %s is no control", key)
	}
}

// A requirement takes the worst status of its controls; one whose controls all do not apply does
// not apply.
func TestARequirementTakesTheWorstOfItsControls(t *testing.T) {
	g := prodGraph(t)
	results := baseline.Evaluate(g, nil)
	byID := func(frs []baseline.FrameworkResult, fw, id string) baseline.RequirementResult {
		for _, f := range frs {
			for _, r := range f.Requirements {
				if f.Key == fw && r.ID == id {
					return r
				}
			}
		}
		t.Fatalf("no %s %s", fw, id)
		return baseline.RequirementResult{}
	}
	frs := baseline.JudgeFrameworks(results)
	assert.Equal(t, baseline.Pass, byID(frs, "hipaa", "164.308(a)(7)(ii)(A)").Status)
	assert.Equal(t, []string{"rds-multi-az", "rds-backup-retention", "s3-versioning"}, byID(frs, "hipaa", "164.308(a)(7)(ii)(A)").Controls)

	breakers["rds-multi-az"].mutate(t, g)
	frs = baseline.JudgeFrameworks(baseline.Evaluate(g, nil))
	assert.Equal(t, baseline.Fail, byID(frs, "hipaa", "164.308(a)(7)(ii)(A)").Status)
	assert.Equal(t, baseline.Pass, byID(frs, "hipaa", "164.312(b)").Status, "a requirement without rds-multi-az still passes")
	frs = baseline.JudgeFrameworks(baseline.Evaluate(g, baseline.Waivers{"rds-multi-az": "dev"}))
	assert.Equal(t, baseline.Waived, byID(frs, "hipaa", "164.308(a)(7)(ii)(A)").Status)

	for _, f := range baseline.JudgeFrameworks(baseline.Evaluate(&baseline.Graph{}, nil)) {
		met, applicable := f.PassRate()
		assert.Zero(t, met+applicable, f.Key)
		assert.Equal(t, len(f.Requirements), f.Summary.NotApplicable, f.Key)
	}
}
