package hardenedpg_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
)

// A team's own program, in the pull request that adds it: Aurora Serverless v2 in an existing VPC,
// an RDS Proxy with its user's secret, and GrantConnect for the application's role, previewed
// before anything exists.
// Nothing fails, and only what waits for apply is unproven.
func TestATeamsProgramAtItsFirstPreview(t *testing.T) {
	program := func(ctx *pulumi.Context) error {
		args := auroraArgs()
		args.Cluster = hardenedpg.ClusterSettings{ServerlessMinAcu: 0.5, ServerlessMaxAcu: 16}
		args.Proxy.Users = []hardenedpg.ProxyUser{{Name: "orders_batch"}} // its secret made here too
		db, err := hardenedpg.NewDatabase(ctx, "orders", args)
		if err != nil {
			return err
		}
		_, err = db.Proxy.GrantConnect(ctx, "orders-app-connect", pulumi.String("orders-app"), "orders_batch")
		return err
	}
	res := hardenedpgtest.Run(program, hardenedpgtest.Preview())
	require.NoError(t, res.Err)
	results := res.Scorecard(nil)
	var unproven []string
	for _, r := range results {
		require.NotEqual(t, baseline.Fail, r.Status, "%s: %s", r.Key, r.Detail)
		if r.Status == baseline.Unproven {
			unproven = append(unproven, r.Key)
		}
	}
	assert.Equal(t, []string{"iam-no-kms-star", "iam-scoped-writes", "iam-no-sensitive-reads", "events-security-group"}, unproven,
		"GrantConnect's policy names the proxy's resource ID, the rule's pattern the groups' IDs: both assigned at apply")
	s := baseline.Summarize(results)
	assert.Equal(t, baseline.Summary{Pass: 59, NotApplicable: 12, Unproven: 4}, s)
}
