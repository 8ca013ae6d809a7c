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

// A Database logs the traffic of each of its subnets, all of it, into a log group under the logs
// key, through a role VPC Flow Logs assumes for this account only and that writes that group alone.
func TestDatabaseFlowLogs(t *testing.T) {
	m := mustRun(t, nil, newDatabase(databaseArgs()))
	group, ok := m.Named(typeLogGroup, "db-flow-logs-logs")
	require.True(t, ok)
	logsKey, ok := m.Named(baseline.TypeKey, "db-logs-key-key")
	require.True(t, ok)
	assert.Equal(t, "/hardenedpg/orders/vpc-flow-logs", group.Inputs["name"])
	assert.Equal(t, logsKey.Outputs["arn"], group.Inputs["kmsKeyId"])
	assert.Equal(t, 365.0, group.Inputs["retentionInDays"])
	assert.Contains(t, logsKey.Inputs["policy"], "log-group:/hardenedpg/orders/vpc-flow-logs", "the logs key admits CloudWatch Logs for the group")
	var subnets []any
	for _, fl := range m.ByType(baseline.TypeFlowLog) {
		subnets = append(subnets, fl.Inputs["subnetId"])
		assert.Equal(t, "ALL", fl.Inputs["trafficType"])
		assert.Equal(t, "cloud-watch-logs", fl.Inputs["logDestinationType"])
		assert.Equal(t, group.Outputs["arn"], fl.Inputs["logDestination"])
		assert.Equal(t, 60.0, fl.Inputs["maxAggregationInterval"])
	}
	assert.ElementsMatch(t, []any{"subnet-0000000a", "subnet-0000000b"}, subnets)

	role, ok := m.Named(baseline.TypeRole, "db-flow-logs-role")
	require.True(t, ok)
	trust := statements(t, role.Inputs["assumeRolePolicy"])[""]
	assert.Equal(t, map[string]any{"Service": []any{"vpc-flow-logs.amazonaws.com"}}, trust["Principal"])
	assert.Equal(t, map[string]any{
		"StringEquals": map[string]any{"aws:SourceAccount": []any{"123456789012"}},
		"ArnLike":      map[string]any{"aws:SourceArn": []any{"arn:aws:ec2:eu-west-1:123456789012:vpc-flow-log/*"}},
	}, trust["Condition"])
	policy, ok := m.Named(baseline.TypeRolePolicy, "db-flow-logs-role-policy")
	require.True(t, ok)
	st := statements(t, policy.Inputs["policy"])
	assert.Equal(t, []any{"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"}, st["WriteTheFlowLogGroup"]["Action"])
	assert.Equal(t, []any{"arn:aws:logs:eu-west-1:123456789012:log-group:/hardenedpg/orders/vpc-flow-logs", "arn:aws:logs:eu-west-1:123456789012:log-group:/hardenedpg/orders/vpc-flow-logs:*"}, st["WriteTheFlowLogGroup"]["Resource"])
	assert.Equal(t, []any{"logs:DescribeLogGroups"}, st["FindTheFlowLogGroup"]["Action"])

	results := baseline.Evaluate(m.Graph(), nil)
	for _, r := range results {
		assert.NotEqual(t, baseline.Fail, r.Status, "%s: %s", r.Key, r.Detail)
	}
	status, detail := controlStatus(results, "vpc-flow-logs")
	assert.Equal(t, baseline.Pass, status, detail)

	// The VPC instead, on request.
	args := databaseArgs()
	args.FlowLogs.WholeVpc = true
	m = mustRun(t, nil, newDatabase(args))
	fl := only(t, m, baseline.TypeFlowLog)
	assert.Equal(t, "db-flow-logs-vpc", fl.Name)
	assert.Equal(t, hardenedpgtest.DefaultVpcID, fl.Inputs["vpcId"])
	status, detail = controlStatus(baseline.Evaluate(m.Graph(), nil), "vpc-flow-logs")
	assert.Equal(t, baseline.Pass, status, detail)
}

// Made by hand, FlowLogs names what it needs, and refuses a Skip, which only a Database reads.
func TestNewFlowLogsRequiresItsInputs(t *testing.T) {
	m, err := run(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewFlowLogs(ctx, "fl", &hardenedpg.FlowLogsArgs{FlowLogSettings: hardenedpg.FlowLogSettings{Skip: true, WholeVpc: true, RetentionDays: 10}})
		return err
	})
	require.Error(t, err)
	assert.Equal(t, `hardenedpg.NewFlowLogs "fl": invalid arguments:
  Skip = true: only a Database reads it; to have no FlowLogs, do not create one
  Identifier = "": required: names the log group
  SubnetIDs = "": required: the database's subnets, or VpcID
  VpcID = "": required with WholeVpc
  LogsKeyArn = "": required: the key that encrypts the log group
  RetentionDays = 10: want a CloudWatch Logs retention: [1 3 5 7 14 30 60 90 120 150 180 365 400 545 731 1096 1827 2192 2557 2922 3288 3653]`, err.Error())
	assert.Empty(t, awsResources(m), "nothing is created")
}

func controlStatus(results []baseline.Result, key string) (baseline.Status, string) {
	for _, r := range results {
		if r.Key == key {
			return r.Status, r.Detail
		}
	}
	return "", "no row " + key
}
