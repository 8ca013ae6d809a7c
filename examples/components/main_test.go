package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
)

func TestComposedByHand(t *testing.T) {
	res := hardenedpgtest.Run(program, hardenedpgtest.Project("analytics"), hardenedpgtest.Stack("prod"))
	require.NoError(t, res.Err)
	pg := res.ByType(baseline.TypeParameterGroup)
	require.Len(t, pg, 1)
	assert.Equal(t, "postgres16", pg[0].Inputs["family"])

	status := map[string]baseline.Status{}
	for _, r := range res.Scorecard(waivers) {
		status[r.Key] = r.Status
	}
	assert.Equal(t, baseline.Waived, status["pg-log-redaction"], "the relaxation shows as waived, with its reason")
	assert.Equal(t, baseline.Pass, status["pg-audit"], "adding auto_explain kept pgaudit loaded")
	assert.Equal(t, baseline.Pass, status["rds-cmk"], "the team's own key is a key of the stack")
	// Composed by hand, the stack lacks what only Database adds: the tags on every part, flow
	// logs, alerts, a backup plan and a copy of the backups.
	assert.Equal(t, []string{"rds-tags", "vpc-flow-logs", "events-instance", "events-parameter-group", "events-security-group", "backup-plan", "backup-independent-copy"},
		hardenedpgtest.Failing(res.Scorecard(waivers)))
}

func TestWeakeningWithoutTheWaiverIsRefused(t *testing.T) {
	saved := waivers
	t.Cleanup(func() { waivers = saved })
	waivers = nil
	res := hardenedpgtest.Run(program, hardenedpgtest.Project("analytics"), hardenedpgtest.Stack("prod"))
	require.Error(t, res.Err)
	assert.Contains(t, res.Err.Error(), `Parameters["log_min_duration_statement"] = "5000": relaxes control pg-log-redaction`)
	assert.Empty(t, res.ByType(baseline.TypeParameterGroup))
}
