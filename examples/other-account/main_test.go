package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
)

// Nothing names the default provider's account or region, and every control passes.
func TestDatabaseInTheTeamsAccountAndRegion(t *testing.T) {
	res := hardenedpgtest.Run(program)
	require.NoError(t, res.Err)
	for _, r := range res.Resources() {
		b, err := json.Marshal([]any{r.Inputs, r.Outputs})
		require.NoError(t, err)
		assert.False(t, strings.Contains(string(b), hardenedpgtest.DefaultAccountID), "%s names the default account", r.Name)
		assert.False(t, strings.Contains(string(b), hardenedpgtest.DefaultRegion), "%s names the default region", r.Name)
	}
	inst, ok := res.Named(baseline.TypeInstance, "payments-instance-db")
	require.True(t, ok)
	assert.Equal(t, "arn:aws:rds:"+region+":"+account+":db:payments-prod", inst.Outputs["arn"])
	replicaKey, _ := res.Named(baseline.TypeKey, "payments-backup-replication-key-key")
	assert.True(t, strings.HasPrefix(replicaKey.Outputs["arn"].(string), "arn:aws:kms:"+replicaRegion+":"+account+":"))
	assert.Empty(t, hardenedpgtest.Failing(res.Scorecard(nil)))
}
