package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
)

// Every applicable control passes with no waiver, and the pieces the regulated scenario names
// are there: pgAudit, customer keys, flow logs, the Object Lock archive.
func TestRegulated(t *testing.T) {
	res := hardenedpgtest.Run(program, hardenedpgtest.Stack("prod"), hardenedpgtest.Config(map[string]string{"aws:region": "eu-west-1"}))
	require.NoError(t, res.Err)
	scorecard := res.Scorecard(nil)
	assert.Empty(t, hardenedpgtest.Failing(scorecard), "no control fails")
	assert.Equal(t, baseline.Summary{Pass: 65, NotApplicable: 10}, baseline.Summarize(scorecard), "and none is waived")
	assert.Len(t, res.Resources(), 87)
	for _, key := range []string{"pg-audit", "rds-cmk", "vpc-flow-logs", "s3-object-lock", "backup-vault-lock", "backup-independent-copy"} {
		for _, r := range scorecard {
			if r.Key == key {
				assert.Equal(t, baseline.Pass, r.Status, "%s: %s", key, r.Detail)
			}
		}
	}
	assert.Len(t, res.ByType(baseline.TypeFlowLog), 3, "a flow log per subnet")
	lock := res.ByType(baseline.TypeBucketObjectLock)
	require.Len(t, lock, 1)
	assert.Equal(t, "COMPLIANCE", lock[0].Inputs["rule"].(map[string]any)["defaultRetention"].(map[string]any)["mode"])
}
