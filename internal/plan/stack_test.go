package plan_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/plan"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/stack"
)

// The stack program's own tests. They run it as cmd/plan does, through plan, and live here so
// that the fast loop links one test binary fewer (each links the AWS SDK's packages).
func runStack(t *testing.T, name string, m *hardenedpgtest.Monitor) *plan.Result {
	t.Helper()
	sc, err := plan.ReadStackConfig("../..", name)
	require.NoError(t, err)
	res, err := plan.Run(sc, m, stack.Program)
	require.NoError(t, err)
	return res
}

func byType(res *plan.Result, typ string) []hardenedpgtest.Resource {
	var out []hardenedpgtest.Resource
	for _, r := range res.Resources {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

func countTypes(res *plan.Result) map[string]int {
	counts := map[string]int{}
	for _, r := range res.Resources {
		counts[r.Type]++
	}
	return counts
}

func TestProdStack(t *testing.T) {
	res := runStack(t, "prod", nil)
	assert.Equal(t, map[string]int{
		"hardenedpg:index:Database": 1, "hardenedpg:index:EncryptionKey": 5, baseline.TypeKey: 5, baseline.TypeKeyAlias: 5, baseline.TypeKeyGrant: 1,
		"hardenedpg:index:SecurityGroup": 2, baseline.TypeSecurityGroup: 2,
		baseline.TypeIngressRule:       3,
		"hardenedpg:index:SubnetGroup": 1, baseline.TypeSubnetGroup: 1,
		"hardenedpg:index:ParameterGroup": 1, baseline.TypeParameterGroup: 1,
		"hardenedpg:index:AuditLogShipping": 1, baseline.TypeLogGroup: 4,
		baseline.TypeSubscriptionFilter: 3,
		"hardenedpg:index:Instance":     1, baseline.TypeInstance: 1, baseline.TypeRole: 4,
		baseline.TypeRolePolicyAttach: 3, baseline.TypeRandomID: 1,
		"hardenedpg:index:Alerts": 1, baseline.TypeTopic: 1, baseline.TypeTopicPolicy: 1,
		baseline.TypeTopicSubscription: 1, baseline.TypeEventSubscription: 3,
		baseline.TypeEventRule: 1, baseline.TypeEventTarget: 1,
		baseline.TypeLogMetricFilter: 4, baseline.TypeMetricAlarm: 7,
		"hardenedpg:index:BackupPlan": 1, baseline.TypeBackupVault: 1, baseline.TypeBackupVaultLock: 1,
		baseline.TypeBackupPlan: 1, baseline.TypeBackupSelection: 1,
		"hardenedpg:index:BackupReplication": 1, "pulumi:providers:aws": 1,
		baseline.TypeBackupReplication: 1,
		"hardenedpg:index:Proxy":       1, baseline.TypeProxy: 1, baseline.TypeRolePolicy: 2,
		"aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": 1, "aws:rds/proxyTarget:ProxyTarget": 1,
		baseline.TypeSecret:         1,                          // orders_batch: new
		"hardenedpg:index:FlowLogs": 1, baseline.TypeFlowLog: 3, // one per subnet
	}, countTypes(res))
	assert.Zero(t, res.Summary.Fail, "prod fails no control")
	assert.Zero(t, res.Summary.Waived, "prod waives no control")

	inst := byType(res, baseline.TypeInstance)[0]
	assert.True(t, inst.Protect)
	for k, v := range map[string]any{
		"identifier": "orders-prod", "multiAz": true, "deletionProtection": true, "backupRetentionPeriod": 35.0,
		"performanceInsightsEnabled": true, "monitoringInterval": 60.0, "skipFinalSnapshot": false,
		"publiclyAccessible": false, "storageEncrypted": true, "port": 5433.0, "instanceClass": "db.m7g.large",
	} {
		assert.Equal(t, v, inst.Inputs[k], k)
	}
	for _, k := range byType(res, baseline.TypeKey) {
		assert.True(t, k.RetainOnDelete, k.Name)
	}
	for _, lg := range byType(res, baseline.TypeLogGroup) {
		assert.True(t, lg.RetainOnDelete, "%s: the audit trail of a protected database outlives the stack", lg.Name)
	}
	for _, f := range byType(res, baseline.TypeSubscriptionFilter) {
		assert.Equal(t, "arn:aws:logs:eu-west-1:210987654321:destination:central-audit", f.Inputs["destinationArn"])
	}
	for _, g := range byType(res, baseline.TypeLogGroup) {
		assert.Equal(t, 365.0, g.Inputs["retentionInDays"])
	}
	assert.Equal(t, map[string]any{}, res.Outputs["waivers"], "production has no waivers")
	for _, k := range []string{"address", "port", "endpoint", "instanceArn", "resourceId", "masterUserSecretArn", "storageKeyArn", "logsKeyArn", "securityGroupId", "parameterGroupName", "subnetGroupName"} {
		assert.NotEmpty(t, res.Outputs[k], k)
	}
	connect := res.Outputs["connectPolicy"].(string)
	for _, u := range []string{"orders_migrator", "orders_api", "orders_reporting"} {
		assert.Contains(t, connect, "/"+u+`"`)
	}
	sql := res.Outputs["bootstrapSql"].(string)
	assert.Contains(t, sql, `GRANT "orders_app" TO "orders_api";`)
	assert.Contains(t, sql, `GRANT "orders_readonly" TO "orders_reporting";`)
}

func TestDevStackRelaxesOnlyWhatItWaives(t *testing.T) {
	res := runStack(t, "dev", nil)
	assert.Equal(t, map[string]any{
		"rds-multi-az":             "dev: a standby doubles the cost and dev tolerates an outage",
		"rds-deletion-protection":  "dev: torn down and rebuilt from migrations at will",
		"rds-final-snapshot":       "dev: holds synthetic data only",
		"rds-performance-insights": "dev: db.t4g.micro; query analysis is done in staging",
		"rds-enhanced-monitoring":  "dev: OS metrics are not reviewed for dev",
		"logs-retention":           "dev: 30 days of logs are enough to debug; nothing is audited in dev",
		"logs-shipped":             "dev: no central destination, and a compliance-locked archive would outlive the stack",
		"backup-plan":              "dev: 7 days of RDS automated backups suffice; a locked vault would outlive the stack",
		"vpc-flow-logs":            "dev: synthetic data and no investigation to support; nothing is audited in dev",
		"backup-independent-copy":  "dev: synthetic data; losing the storage key loses nothing that matters",
		"alarm-actions":            "dev: alerts go to the topic only, read in the console; nobody is paged for dev",
		"events-instance":          "dev: alerts go to the topic only, read in the console; nobody is paged for dev",
		"events-parameter-group":   "dev: alerts go to the topic only, read in the console; nobody is paged for dev",
		"events-security-group":    "dev: alerts go to the topic only, read in the console; nobody is paged for dev",
	}, res.Outputs["waivers"])
	waived := map[string]string{}
	for _, c := range res.Controls {
		assert.NotEqual(t, "fail", string(c.Status), "%s fails in dev: %s", c.Key, c.Detail)
		if c.Status == "waived" {
			waived[c.Key] = c.Waiver
		}
	}
	assert.Equal(t, res.Outputs["waivers"], toAny(waived), "dev is waived exactly where its config says")
	inst := byType(res, baseline.TypeInstance)[0]
	assert.False(t, inst.Protect)
	for k, v := range map[string]any{
		"multiAz": false, "deletionProtection": false, "skipFinalSnapshot": true, "performanceInsightsEnabled": false,
		"monitoringInterval": 0.0, "backupRetentionPeriod": 7.0, "instanceClass": "db.t4g.micro",
		// What dev does not waive stays hardened.
		"storageEncrypted": true, "publiclyAccessible": false, "iamDatabaseAuthenticationEnabled": true,
		"manageMasterUserPassword": true, "port": 5433.0, "caCertIdentifier": "rds-ca-rsa2048-g1",
	} {
		assert.Equal(t, v, inst.Inputs[k], k)
	}
	assert.Empty(t, byType(res, baseline.TypeSubscriptionFilter))
	assert.Len(t, byType(res, baseline.TypeRole), 0, "no monitoring role, no backup role")
	for _, g := range byType(res, baseline.TypeLogGroup) {
		assert.Equal(t, 30.0, g.Inputs["retentionInDays"])
		assert.NotEmpty(t, g.Inputs["kmsKeyId"])
	}
}

func TestStackIsDeterministic(t *testing.T) {
	first, second := runStack(t, "prod", nil), runStack(t, "prod", nil)
	inputs := func(res *plan.Result) map[string]map[string]any {
		out := map[string]map[string]any{}
		for _, r := range res.Resources {
			out[r.URN] = r.Inputs
		}
		return out
	}
	assert.Equal(t, inputs(first), inputs(second))
}

func TestNetworkFromStackReference(t *testing.T) {
	m := hardenedpgtest.New()
	m.SetStackOutputs("acme/network/prod", map[string]any{
		"vpcId":                   "vpc-0fedcba9876543210",
		"subnetIds":               []any{"subnet-0000000e", "subnet-0000000f"},
		"allowedSecurityGroupIds": []any{"sg-0000000d"},
	})
	sc := &plan.StackConfig{Project: "hardenedpg", Stack: "shared", Values: map[string]string{
		"hardenedpg:identifier":              "shared",
		"hardenedpg:networkStack":            "acme/network/prod",
		"hardenedpg:auditDestinationArn":     "arn:aws:logs:eu-west-1:210987654321:destination:central-audit",
		"hardenedpg:alertEmails":             `["dba@example.com"]`,
		"hardenedpg:backupReplicationRegion": "eu-central-1",
		"hardenedpg:tags":                    `{"environment":"prod","owner":"platform"}`,
	}}
	res, err := plan.Run(sc, m, stack.Program)
	require.NoError(t, err)
	assert.Equal(t, []any{"subnet-0000000e", "subnet-0000000f"}, byType(res, baseline.TypeSubnetGroup)[0].Inputs["subnetIds"])
	assert.Equal(t, "vpc-0fedcba9876543210", byType(res, baseline.TypeSecurityGroup)[0].Inputs["vpcId"])
	assert.Equal(t, "sg-0000000d", byType(res, baseline.TypeIngressRule)[0].Inputs["referencedSecurityGroupId"])
	require.Len(t, byType(res, "pulumi:pulumi:StackReference"), 1)
}

func TestBadConfigRegistersNothing(t *testing.T) {
	m := hardenedpgtest.New()
	sc := &plan.StackConfig{Project: "hardenedpg", Stack: "bad", Values: map[string]string{
		"hardenedpg:identifier": "orders", "hardenedpg:vpcId": "vpc-0123456789abcdef0",
		"hardenedpg:subnetIds": `["subnet-0000000a","subnet-0000000b"]`, "hardenedpg:multiAz": "false", "hardenedpg:auditArchive": "false",
		"hardenedpg:alertEmails": `["dba@example.com"]`, "hardenedpg:backupReplicationRegion": "eu-central-1",
		"hardenedpg:tags": `{"environment":"prod","owner":"platform"}`,
	}}
	_, err := plan.Run(sc, m, stack.Program)
	var cfgErr *plan.ConfigError
	require.True(t, errors.As(err, &cfgErr), "got %v", err)
	assert.Equal(t, strings.Join([]string{
		"configuration errors:",
		`hardenedpg:auditArchive = false: relaxes control logs-shipped (hardened: true: the logs stream into a local archive, unless auditDestinationArn names a destination); set it back or add a waiver for logs-shipped with the reason`,
		`hardenedpg:multiAz = false: relaxes control rds-multi-az (hardened: true: a standby in a second zone); set it back or add a waiver for rds-multi-az with the reason`,
	}, "\n  "), cfgErr.Err.Error())
	assert.Empty(t, m.Resources())
}

func toAny(m map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func TestProdWithoutCentralDestinationArchivesLocally(t *testing.T) {
	sc, err := plan.ReadStackConfig("../..", "prod")
	require.NoError(t, err)
	delete(sc.Values, "hardenedpg:auditDestinationArn")
	res, err := plan.Run(sc, nil, stack.Program)
	require.NoError(t, err)
	assert.Zero(t, res.Summary.Fail)
	assert.Zero(t, res.Summary.Waived)
	stream := byType(res, baseline.TypeFirehose)
	require.Len(t, stream, 1)
	for _, f := range byType(res, baseline.TypeSubscriptionFilter) {
		assert.Equal(t, stream[0].Outputs["arn"], f.Inputs["destinationArn"])
		assert.NotEmpty(t, f.Inputs["roleArn"])
	}
	require.Len(t, byType(res, baseline.TypeBucket), 1)
	for _, k := range byType(res, baseline.TypeKey) {
		if k.Name == "database-logs-key-key" {
			assert.Contains(t, k.Inputs["policy"], "firehose.eu-west-1.amazonaws.com", "the logs key admits the archive's services")
			assert.Contains(t, k.Inputs["policy"], "s3.eu-west-1.amazonaws.com")
		}
	}
}

// A network stack that cannot be read is configuration to fix: a ConfigError (exit 2), not a crash.
func TestUnreadableNetworkStackIsAConfigError(t *testing.T) {
	sc := &plan.StackConfig{Project: "hardenedpg", Stack: "shared", Values: map[string]string{
		"hardenedpg:identifier":              "shared",
		"hardenedpg:networkStack":            "acme/network/missing",
		"hardenedpg:auditDestinationArn":     "arn:aws:logs:eu-west-1:210987654321:destination:central-audit",
		"hardenedpg:alertEmails":             `["dba@example.com"]`,
		"hardenedpg:backupReplicationRegion": "eu-central-1",
		"hardenedpg:tags":                    `{"environment":"prod","owner":"platform"}`,
	}}
	m := hardenedpgtest.New()
	_, err := plan.Run(sc, m, stack.Program)
	var cfgErr *plan.ConfigError
	require.True(t, errors.As(err, &cfgErr), "got %v", err)
	assert.Equal(t, "configuration errors:\n  hardenedpg:networkStack = \"acme/network/missing\": output vpcId = <nil>: want a VPC ID string", cfgErr.Error())
	for _, r := range m.Resources() {
		assert.Equal(t, "pulumi:pulumi:StackReference", r.Type, "only the reference that was read is registered")
	}
}

// Of two outputs of the wrong type, the same one is named every run: subnetIds, read first.
func TestBadNetworkStackOutputsAreNamedInOrder(t *testing.T) {
	sc := &plan.StackConfig{Project: "hardenedpg", Stack: "shared", Values: map[string]string{
		"hardenedpg:identifier":              "shared",
		"hardenedpg:networkStack":            "acme/network/prod",
		"hardenedpg:auditDestinationArn":     "arn:aws:logs:eu-west-1:210987654321:destination:central-audit",
		"hardenedpg:alertEmails":             `["dba@example.com"]`,
		"hardenedpg:backupReplicationRegion": "eu-central-1",
		"hardenedpg:tags":                    `{"environment":"prod","owner":"platform"}`,
	}}
	for range 20 {
		m := hardenedpgtest.New()
		m.SetStackOutputs("acme/network/prod", map[string]any{
			"vpcId": "vpc-0fedcba9876543210", "subnetIds": "subnet-0000000e", "allowedSecurityGroupIds": "sg-0000000d",
		})
		_, err := plan.Run(sc, m, stack.Program)
		var cfgErr *plan.ConfigError
		require.True(t, errors.As(err, &cfgErr), "got %v", err)
		require.Equal(t, "configuration errors:\n  hardenedpg:networkStack = \"acme/network/prod\": output subnetIds = subnet-0000000e: want a list of strings", cfgErr.Error())
	}
}
