package hardenedpg

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// The connections threshold follows RDS's formula on DBInstanceClassMemory, not nominal memory:
// 80% of LEAST(DBInstanceClassMemory/9531392, 5000). The max_connections it implies match what RDS
// showed for the same memory (198 for 2 GiB, 856 for 8 GiB).
func TestConnectionsThresholdFollowsDBInstanceClassMemory(t *testing.T) {
	for class, want := range map[string]int{
		"db.t4g.small":   157,  // max_connections 197
		"db.m7g.large":   684,  // 856
		"db.r7g.xlarge":  2739, // 3424
		"db.r7g.8xlarge": 4000, // LEAST(..., 5000)
		"db.zz9.large":   0,    // no such class
	} {
		assert.Equal(t, want, defaultConnections(class, 0), class)
	}
}

// The alarms the component makes are the ones alarms-present asks of a live database.
func TestAlertsMakeTheAlarmsTheCatalogRequires(t *testing.T) {
	var logMetrics []string
	for _, l := range logAlerts {
		logMetrics = append(logMetrics, l.metric)
	}
	assert.Equal(t, baseline.LogAlarmMetrics, logMetrics)
	metricsOf := func(a *AlertsArgs) []string {
		var out []string
		for _, m := range a.metricAlarms() {
			if !slices.Contains(out, m.metric) {
				out = append(out, m.metric)
			}
		}
		return out
	}
	assert.Equal(t, baseline.InstanceAlarmMetrics, metricsOf(&AlertsArgs{Identifier: "orders", AlertSettings: AlertSettings{CPUPercent: 80, Connections: 100, FreeStorageGB: 10}}))
	cluster := metricsOf(&AlertsArgs{Identifier: "orders", InstanceIdentifiers: []string{"orders-1", "orders-2"}, InstanceClass: "db.r7g.large",
		AlertSettings: AlertSettings{CPUPercent: 80, Connections: 100}})
	for _, m := range baseline.ClusterInstanceAlarmMetrics {
		assert.Contains(t, cluster, m)
	}
}
