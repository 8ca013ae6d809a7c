package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
)

// Aurora Serverless v2 behind the proxy, which requires TLS and IAM on every auth; its user's
// secret is the stack's own under the storage key, and the legacy role may connect as that user
// alone; nothing fails, nothing waived.
func TestLegacyMigration(t *testing.T) {
	res := hardenedpgtest.Run(program, hardenedpgtest.Stack("prod"), hardenedpgtest.Config(map[string]string{"aws:region": "eu-west-1"}))
	require.NoError(t, res.Err)
	scorecard := res.Scorecard(nil)
	assert.Empty(t, hardenedpgtest.Failing(scorecard), "no control fails")
	assert.Equal(t, baseline.Summary{Pass: 63, NotApplicable: 12}, baseline.Summarize(scorecard), "and none is waived")
	assert.Len(t, res.Resources(), 87)

	cluster := res.ByType(baseline.TypeCluster)
	require.Len(t, cluster, 1, "Aurora")
	assert.Equal(t, map[string]any{"minCapacity": 0.5, "maxCapacity": 16.0}, cluster[0].Inputs["serverlessv2ScalingConfiguration"])
	for _, ci := range res.ByType(baseline.TypeClusterInstance) {
		assert.Equal(t, "db.serverless", ci.Inputs["instanceClass"])
	}
	target := res.ByType("aws:rds/proxyTarget:ProxyTarget")
	require.Len(t, target, 1)
	assert.Equal(t, "billing-prod", target[0].Inputs["dbClusterIdentifier"], "the proxy fronts the cluster")

	proxy := res.ByType(baseline.TypeProxy)
	require.Len(t, proxy, 1)
	assert.Equal(t, true, proxy[0].Inputs["requireTls"])
	auth := proxy[0].Inputs["auths"].([]any)[0].(map[string]any)
	assert.Equal(t, "REQUIRED", auth["iamAuth"])
	secret, _ := res.Named(baseline.TypeSecret, "billing-proxy-secret-billing_batch")
	storageKey, _ := res.Named(baseline.TypeKey, "billing-storage-key-key")
	assert.Equal(t, storageKey.Outputs["arn"], secret.Inputs["kmsKeyId"])
	assert.Equal(t, secret.Outputs["arn"], auth["secretArn"])

	grant, _ := res.Named(baseline.TypeRolePolicy, "batch-connect")
	assert.Equal(t, "billing-batch-job", grant.Inputs["role"])
	var doc struct{ Statement []struct{ Resource []string } }
	require.NoError(t, json.Unmarshal([]byte(grant.Inputs["policy"].(string)), &doc))
	assert.Regexp(t, `^arn:aws:rds-db:eu-west-1:123456789012:dbuser:prx-[0-9a-f]{17}/billing_batch$`, doc.Statement[0].Resource[0])
}
