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

func alertsArgs() *hardenedpg.AlertsArgs {
	return &hardenedpg.AlertsArgs{
		Identifier: "orders", ParameterGroupName: pulumi.String("orders-params"),
		TopicKeyArn: pulumi.String("arn:aws:kms:eu-west-1:123456789012:key/alerts"), PostgresLogGroupName: pulumi.String("/aws/rds/instance/orders/postgresql"),
		InstanceClass: "db.r7g.large", AllocatedStorageGB: 200,
		AlertSettings: hardenedpg.AlertSettings{Emails: []string{"oncall@example.com"}, HTTPSEndpoints: []pulumi.StringInput{pulumi.String("https://hooks.example.com/rds")}},
	}
}

func TestAlertsTopicEventsAndAlarms(t *testing.T) {
	m := mustRun(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewAlerts(ctx, "alerts", alertsArgs())
		return err
	})
	topic := only(t, m, baseline.TypeTopic)
	assert.Equal(t, "arn:aws:kms:eu-west-1:123456789012:key/alerts", topic.Inputs["kmsMasterKeyId"])
	topicArn := topic.Outputs["arn"]

	policy := statements(t, only(t, m, baseline.TypeTopicPolicy).Inputs["policy"])
	publish := policy["PublishFromThisAccountsAlarmsAndEvents"]
	assert.Equal(t, map[string]any{"Service": []any{"cloudwatch.amazonaws.com", "events.rds.amazonaws.com", "events.amazonaws.com"}}, publish["Principal"])
	assert.Equal(t, map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": []any{"123456789012"}}}, publish["Condition"])
	assert.Equal(t, map[string]any{"Bool": map[string]any{"aws:SecureTransport": []any{"false"}}}, policy["DenyUnencryptedTransport"]["Condition"])

	subs := map[string]string{}
	for _, s := range m.ByType(baseline.TypeTopicSubscription) {
		subs[s.Inputs["protocol"].(string)] = s.Inputs["endpoint"].(string)
		assert.Equal(t, topicArn, s.Inputs["topic"])
	}
	assert.Equal(t, map[string]string{"email": "oncall@example.com", "https": "[secret]"}, subs, "a webhook URL is a secret")

	events := map[string]map[string]any{}
	for _, e := range m.ByType(typeEventSubscription) {
		events[e.Inputs["sourceType"].(string)] = e.Inputs
		assert.Equal(t, topicArn, e.Inputs["snsTopic"])
		assert.Equal(t, true, e.Inputs["enabled"])
	}
	require.Len(t, events, 3)
	assert.Equal(t, []any{}, events["db-instance"]["eventCategories"], "every category: what RDS.20 and Prowler both accept")
	assert.Equal(t, []any{"orders"}, events["db-instance"]["sourceIds"])
	assert.Equal(t, []any{"configuration change"}, events["db-parameter-group"]["eventCategories"])
	assert.Equal(t, []any{"orders-params"}, events["db-parameter-group"]["sourceIds"])
	assert.Equal(t, []any{"configuration change", "failure"}, events["db-security-group"]["eventCategories"])

	filters := map[string]string{}
	for _, f := range m.ByType(typeMetricFilter) {
		mt := f.Inputs["metricTransformation"].(map[string]any)
		filters[mt["name"].(string)] = f.Inputs["pattern"].(string)
		assert.Equal(t, "/aws/rds/instance/orders/postgresql", f.Inputs["logGroupName"])
		assert.Equal(t, "hardenedpg/orders", mt["namespace"])
	}
	assert.Equal(t, map[string]string{
		"FailedAuthentication": `?"password authentication failed" ?"PAM authentication failed" ?"no pg_hba.conf entry"`,
		"PermissionDenied":     `"permission denied"`,
		"RoleChanges":          `"AUDIT: SESSION" ",ROLE,"`,
	}, filters)

	thresholds := map[string]float64{}
	for _, a := range m.ByType(typeAlarm) {
		thresholds[a.Inputs["metricName"].(string)] = a.Inputs["threshold"].(float64)
		assert.Equal(t, []any{topicArn}, a.Inputs["alarmActions"])
		assert.Equal(t, []any{topicArn}, a.Inputs["okActions"])
	}
	assert.Equal(t, map[string]float64{
		"FailedAuthentication": 1, "PermissionDenied": 1, "RoleChanges": 1,
		"CPUUtilization":      80,
		"FreeStorageSpace":    20 * (1 << 30), // a tenth of 200 GB
		"DatabaseConnections": 1369,           // 80% of LEAST(DBInstanceClassMemory / 9531392, 5000) = 1712 for an r-class large (16 GiB)
	}, thresholds)
}

func TestAlertsBadArgs(t *testing.T) {
	args := alertsArgs()
	args.InstanceClass, args.CPUPercent = "db.z9.huge", 150
	args.Emails, args.HTTPSEndpoints = []string{"oncall"}, []pulumi.StringInput{pulumi.String("http://hooks.example.com")}
	args.TopicKeyArn = nil
	m, err := run(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewAlerts(ctx, "alerts", args)
		return err
	})
	assert.EqualError(t, err, `hardenedpg.NewAlerts "alerts": invalid arguments:
  TopicKeyArn = "": required
  InstanceClass = "db.z9.huge": not a DB instance class RDS offers for PostgreSQL, so no connections threshold can be derived; give Connections
  CPUPercent = 150: want 1 to 100
  Emails[0] = "oncall": want an e-mail address
  HTTPSEndpoints[0] = "http://hooks.example.com": want an https:// URL (plain http would carry alerts unencrypted)`)
	assert.Empty(t, m.Resources())
}

// A webhook URL may be an output, e.g. a secret from config or a secrets store: it is checked once
// known, before its subscription exists, and never printed.
func TestAlertsWebhookFromASecretOutput(t *testing.T) {
	const token = "T0KEN-from-a-secret"
	args := databaseArgs()
	args.Alerts.HTTPSEndpoints = []pulumi.StringInput{pulumi.ToSecret(pulumi.String("https://hooks.example.com/" + token)).(pulumi.StringOutput)}
	res := hardenedpgtest.Run(newDatabase(args))
	require.NoError(t, res.Err)
	sub, ok := res.Named(baseline.TypeTopicSubscription, "db-alerts-https-0")
	require.True(t, ok)
	assert.Equal(t, "[secret]", sub.Inputs["endpoint"], "kept secret in the state")

	args = databaseArgs()
	args.Alerts.HTTPSEndpoints = []pulumi.StringInput{pulumi.ToSecret(pulumi.String("http://hooks.example.com/" + token)).(pulumi.StringOutput)}
	res = hardenedpgtest.Run(newDatabase(args))
	require.Error(t, res.Err)
	assert.Contains(t, res.Err.Error(), `hardenedpg.NewAlerts "db-alerts": HTTPSEndpoints[0] = [secret]: want an https:// URL (plain http would carry alerts unencrypted)`)
	assert.NotContains(t, res.Err.Error(), token)
	_, ok = res.Named(baseline.TypeTopicSubscription, "db-alerts-https-0")
	assert.False(t, ok, "no subscription to a plain-http URL")
}
