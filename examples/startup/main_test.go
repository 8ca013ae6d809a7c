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
	waived := map[string]bool{}
	for _, r := range res.Scorecard(waivers) {
		assert.NotEqual(t, baseline.Fail, r.Status, "%s: %s", r.Key, r.Detail)
		if r.Status == baseline.Waived {
			waived[r.Key] = true
		}
	}
	assert.Len(t, waived, 7)
	summary := baseline.Summarize(res.Scorecard(waivers))
	t.Logf("startup: %d resources; %d pass, %d fail, %d waived, %d not applicable", len(res.Resources()), summary.Pass, summary.Fail, summary.Waived, summary.NotApplicable)
	assert.Empty(t, res.ByType(baseline.TypeFlowLog))
	assert.Empty(t, res.ByType(baseline.TypeBackupVault))
	instance, _ := res.Named(baseline.TypeInstance, "app-instance-db")
	assert.Equal(t, true, instance.Inputs["storageEncrypted"])
}
