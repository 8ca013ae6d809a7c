package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
)

func TestComposedByHand(t *testing.T) {
	m := hardenedpgtest.New()
	require.NoError(t, m.Run("analytics", "prod", nil, nil, program))
	pg := m.ByType(baseline.TypeParameterGroup)
	require.Len(t, pg, 1)
	assert.Equal(t, "postgres16", pg[0].Inputs["family"])

	results := baseline.Evaluate(m.Graph(), waivers)
	status := map[string]baseline.Status{}
	for _, r := range results {
		status[r.Key] = r.Status
	}
	assert.Equal(t, baseline.Waived, status["pg-log-redaction"], "the relaxation shows as waived, with its reason")
	assert.Equal(t, baseline.Pass, status["pg-audit"], "adding auto_explain kept pgaudit loaded")
	assert.Equal(t, baseline.Pass, status["rds-cmk"], "the team's own key is a key of the stack")
	// Composed by hand, the stack lacks what only Database adds: alerts and a backup plan.
	assert.Equal(t, baseline.Fail, status["events-instance"])
	assert.Equal(t, baseline.Fail, status["backup-plan"])
}

func TestWeakeningWithoutTheWaiverIsRefused(t *testing.T) {
	saved := waivers
	t.Cleanup(func() { waivers = saved })
	waivers = nil
	m := hardenedpgtest.New()
	err := m.Run("analytics", "prod", nil, nil, program)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `Parameters["log_min_duration_statement"] = "5000": relaxes control pg-log-redaction`)
	assert.Empty(t, m.ByType(baseline.TypeParameterGroup))
}
