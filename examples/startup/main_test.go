package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
)

// Nothing fails: every relaxation is waived with its reason, and the rest is hardened.
func TestStartup(t *testing.T) {
	res := hardenedpgtest.Run(program, hardenedpgtest.Stack("prod"), hardenedpgtest.Config(map[string]string{"aws:region": "eu-west-1"}))
	require.NoError(t, res.Err)
	scorecard := res.Scorecard(waivers)
	assert.Empty(t, hardenedpgtest.Failing(scorecard), "every relaxation is waived, and each waiver is used")
	assert.Equal(t, baseline.Summary{Pass: 43, Waived: len(waivers), NotApplicable: 25}, baseline.Summarize(scorecard))
	assert.Len(t, res.Resources(), 44)
	assert.Empty(t, res.ByType(baseline.TypeFlowLog))
	assert.Empty(t, res.ByType(baseline.TypeBackupVault))
	instance, _ := res.Named(baseline.TypeInstance, "app-instance-db")
	assert.Equal(t, true, instance.Inputs["storageEncrypted"])
}
