package hardenedpg_test

import (
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
)

// alertsOf runs NewAlerts and returns what it made.
func alertsOf(t *testing.T, args *hardenedpg.AlertsArgs) *hardenedpgtest.Monitor {
	return mustRun(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewAlerts(ctx, "alerts", args)
		return err
	})
}

// The connections threshold follows RDS's formula on DBInstanceClassMemory, not nominal memory:
// 80% of LEAST(DBInstanceClassMemory/9531392, 5000). The max_connections it implies match what RDS
// showed for the same memory (198 for 2 GiB, 856 for 8 GiB).
func TestConnectionsThresholdFollowsDBInstanceClassMemory(t *testing.T) {
	for class, want := range map[string]float64{
		"db.t4g.small":   157,  // max_connections 197
		"db.m7g.large":   684,  // 856
		"db.r7g.xlarge":  2739, // 3424
		"db.r7g.8xlarge": 4000, // LEAST(..., 5000)
	} {
		args := alertsArgs()
		args.InstanceClass = class
		var got any
		for _, a := range alertsOf(t, args).ByType(typeAlarm) {
			if a.Inputs["metricName"] == "DatabaseConnections" {
				got = a.Inputs["threshold"]
			}
		}
		assert.Equal(t, want, got, class)
	}
}

// The alarms the component makes are the ones alarms-present asks of a live database: on the
// exported logs, on an instance, and on each instance of an Aurora cluster.
func TestAlertsMakeTheAlarmsTheCatalogRequires(t *testing.T) {
	metricsOf := func(m *hardenedpgtest.Monitor, namespace string) []string {
		var out []string
		for _, a := range m.ByType(typeAlarm) {
			if name := a.Inputs["metricName"].(string); a.Inputs["namespace"] == namespace && !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
		return out
	}
	args := alertsArgs()
	args.IAMAuthErrorLogGroupName = pulumi.String("/aws/rds/instance/orders/iam-db-auth-error")
	instance := alertsOf(t, args)
	assert.ElementsMatch(t, baseline.LogAlarmMetrics, metricsOf(instance, "hardenedpg/orders"))
	assert.ElementsMatch(t, baseline.InstanceAlarmMetrics, metricsOf(instance, "AWS/RDS"))

	args = alertsArgs()
	args.InstanceIdentifiers, args.AllocatedStorageGB = []string{"orders-1", "orders-2"}, 0
	cluster := metricsOf(alertsOf(t, args), "AWS/RDS")
	for _, m := range baseline.ClusterInstanceAlarmMetrics {
		assert.Contains(t, cluster, m)
	}

	// Each of a Multi-AZ DB cluster's instances, as the catalog names them.
	args = alertsArgs()
	args.MultiAZCluster = true
	for i := range baseline.MultiAZMembers {
		args.InstanceIdentifiers = append(args.InstanceIdentifiers, baseline.MultiAZMemberIdentifier("orders", i))
	}
	multiAZ := alertsOf(t, args)
	for _, member := range args.InstanceIdentifiers {
		var metrics []string
		for _, a := range multiAZ.ByType(typeAlarm) {
			if dims, _ := a.Inputs["dimensions"].(map[string]any); dims["DBInstanceIdentifier"] == member {
				metrics = append(metrics, a.Inputs["metricName"].(string))
			}
		}
		assert.ElementsMatch(t, baseline.MultiAZMemberAlarmMetrics, metrics, member)
	}
}
