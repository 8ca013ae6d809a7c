package hardenedpg_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
)

const (
	logsKeyArn  = "arn:aws:kms:eu-west-1:123456789012:key/logs"
	destination = "arn:aws:logs:eu-west-1:210987654321:destination:central-audit"
)

func TestAuditLogShippingGroupsAndFilters(t *testing.T) {
	m := mustRun(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewAuditLogShipping(ctx, "audit", &hardenedpg.AuditLogShippingArgs{
			Identifier: "orders", LogsKeyArn: pulumi.String(logsKeyArn), LogSettings: hardenedpg.LogSettings{DestinationArn: destination},
		})
		return err
	})
	groups := m.ByType(typeLogGroup)
	require.Len(t, groups, len(hardenedpg.LogTypes))
	for _, logType := range []string{"postgresql", "upgrade"} {
		g, ok := m.Named(typeLogGroup, "audit-"+logType+"-logs")
		require.True(t, ok)
		assert.Equal(t, map[string]any{
			"name": "/aws/rds/instance/orders/" + logType, "kmsKeyId": logsKeyArn, "retentionInDays": 365.0,
		}, g.Inputs)
		f, ok := m.Named(typeSubscription, "audit-"+logType+"-subscription")
		require.True(t, ok)
		assert.Equal(t, map[string]any{
			"logGroup": "/aws/rds/instance/orders/" + logType, "name": "hardenedpg-audit",
			"filterPattern": "", "destinationArn": destination,
		}, f.Inputs, "every event streams; a cross-account destination needs no role")
		assert.Contains(t, f.DependsOn, g.URN)
	}
}

func TestAuditLogShippingFirehoseNeedsRole(t *testing.T) {
	firehose := "arn:aws:firehose:eu-west-1:123456789012:deliverystream/audit"
	_, err := run(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewAuditLogShipping(ctx, "audit", &hardenedpg.AuditLogShippingArgs{
			Identifier: "orders", LogsKeyArn: pulumi.String(logsKeyArn), LogSettings: hardenedpg.LogSettings{DestinationArn: firehose},
		})
		return err
	})
	assert.EqualError(t, err, `hardenedpg.NewAuditLogShipping "audit": invalid arguments:
  DestinationRoleArn = "": required with a Firehose destination: the role CloudWatch Logs assumes to write to it`)

	role := "arn:aws:iam::123456789012:role/logs-to-firehose"
	m := mustRun(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewAuditLogShipping(ctx, "audit", &hardenedpg.AuditLogShippingArgs{
			Identifier: "orders", LogsKeyArn: pulumi.String(logsKeyArn), LogSettings: hardenedpg.LogSettings{DestinationArn: firehose, DestinationRoleArn: role},
		})
		return err
	})
	for _, f := range m.ByType(typeSubscription) {
		assert.Equal(t, role, f.Inputs["roleArn"])
		assert.Equal(t, firehose, f.Inputs["destinationArn"])
	}
}

func TestAuditLogShippingRelaxations(t *testing.T) {
	args := &hardenedpg.AuditLogShippingArgs{Identifier: "orders", LogsKeyArn: pulumi.String(logsKeyArn), LogSettings: hardenedpg.LogSettings{RetentionDays: 30}}
	m, err := run(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewAuditLogShipping(ctx, "audit", args)
		return err
	})
	assert.EqualError(t, err, `hardenedpg.NewAuditLogShipping "audit": invalid arguments:
  RetentionDays = 30: relaxes control logs-retention (hardened: 365 or more); set it back or add a waiver for logs-retention with the reason
  DestinationArn = "": relaxes control logs-shipped (hardened: a CloudWatch Logs destination or Firehose ARN, or a local archive); set it back or add a waiver for logs-shipped with the reason`)
	assert.Empty(t, m.Resources())

	args.Waivers = baseline.Waivers{"logs-retention": "dev", "logs-shipped": "dev has no audit account"}
	m = mustRun(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewAuditLogShipping(ctx, "audit", args)
		return err
	})
	assert.Len(t, m.ByType(typeLogGroup), len(hardenedpg.LogTypes), "the log groups are still owned: encrypted, with retention")
	assert.Empty(t, m.ByType(typeSubscription))
}

func TestAuditLogShippingBadArgs(t *testing.T) {
	_, err := run(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewAuditLogShipping(ctx, "audit", &hardenedpg.AuditLogShippingArgs{
			LogSettings: hardenedpg.LogSettings{RetentionDays: 100, DestinationArn: "arn:aws:s3:::bucket", DestinationRoleArn: "role/x"},
		})
		return err
	})
	assert.EqualError(t, err, `hardenedpg.NewAuditLogShipping "audit": invalid arguments:
  Identifier = "": required: the RDS instance identifier
  LogsKeyArn = "": required: the key that encrypts the log groups
  RetentionDays = 100: want a CloudWatch Logs retention: [1 3 5 7 14 30 60 90 120 150 180 365 400 545 731 1096 1827 2192 2557 2922 3288 3653]
  DestinationArn = "arn:aws:s3:::bucket": want a CloudWatch Logs destination (arn:aws:logs:<region>:<account>:destination:<name>) or a Firehose stream (arn:aws:firehose:<region>:<account>:deliverystream/<name>)
  DestinationRoleArn = "role/x": want an IAM role ARN: arn:aws:iam::<account>:role/<name>`)
}
