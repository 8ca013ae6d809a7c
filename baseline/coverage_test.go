package baseline_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// Every applicable public check is cited by a control or excepted with a reason, never both, and
// nothing cites a check the survey does not hold (a retired or misspelled ID).
func TestEveryPublicCheckIsJudged(t *testing.T) {
	type check struct{ tool, id string }
	applicable := map[check]bool{}
	tools := map[string]bool{}
	for _, tool := range baseline.Tools {
		tools[tool.Key] = true
	}
	for _, p := range baseline.PublicChecks {
		c := check{p.Tool, p.ID}
		require.True(t, tools[p.Tool], "public-checks.tsv: unknown tool %q", p.Tool)
		assert.False(t, applicable[c], "public-checks.tsv lists %s %s twice", p.Tool, p.ID)
		applicable[c] = true
	}
	cited := map[check][]string{}
	for _, control := range baseline.Catalog {
		for _, tool := range baseline.Tools {
			for _, id := range control.Refs.Of(tool.Key) {
				cited[check{tool.Key, id}] = append(cited[check{tool.Key, id}], control.Key)
				if tool.Key != "cis" {
					assert.True(t, applicable[check{tool.Key, id}], "%s cites %s %s, which public-checks.tsv does not hold", control.Key, tool.Key, id)
				}
			}
		}
	}
	excepted := map[check]string{}
	for _, e := range baseline.Exceptions {
		assert.NotEmpty(t, e.Reason, e.Topic)
		for _, tool := range baseline.Tools {
			for _, id := range e.Checks.Of(tool.Key) {
				c := check{tool.Key, id}
				assert.True(t, applicable[c], "exception %q names %s %s, which public-checks.tsv does not hold", e.Topic, tool.Key, id)
				assert.Empty(t, cited[c], "exception %q names %s %s, which a control cites", e.Topic, tool.Key, id)
				assert.Empty(t, excepted[c], "%s %s is excepted twice", tool.Key, id)
				excepted[c] = e.Topic
			}
		}
	}
	for c := range applicable {
		assert.True(t, len(cited[c]) > 0 || excepted[c] != "", "%s %s is neither cited by a control nor an exception", c.tool, c.id)
	}
}

// The coverage figures count each applicable check once, as covered or excepted.
func TestCoverageCountsEveryCheck(t *testing.T) {
	total := 0
	for _, cov := range baseline.CoverageOf(baseline.Catalog) {
		assert.Equal(t, cov.Applicable, cov.Covered+cov.Exception, cov.Tool.Name)
		total += cov.Applicable
	}
	assert.Equal(t, len(baseline.PublicChecks), total)
	// Without the catalog nothing is covered: the counts come from the refs, not from the file.
	for _, cov := range baseline.CoverageOf(nil) {
		assert.Zero(t, cov.Covered, cov.Tool.Name)
	}
}
