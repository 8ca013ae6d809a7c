package baseline_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// multiAZGraph is the aurora stack with its cluster turned into a Multi-AZ DB cluster as a team
// would write one by hand: engine postgres on aws:rds/cluster, an instance class, provisioned
// storage and the cluster parameter group of the postgres family. RDS makes the two readable
// standbys itself, so there is no cluster instance, and the monitoring settings move to the
// cluster (CreateDBCluster's Multi-AZ DB cluster parameters). mutate changes the cluster.
func multiAZGraph(t *testing.T, mutate func(cluster *baseline.Resource)) (*baseline.Graph, *baseline.Resource) {
	g := auroraGraph(t)
	instance := *first(t, g, baseline.TypeClusterInstance, "")
	g.Resources = slices.DeleteFunc(g.Resources, func(r baseline.Resource) bool { return r.Type == baseline.TypeClusterInstance })
	cluster := first(t, g, baseline.TypeCluster, "")
	in := cluster.Inputs
	in["engine"] = "postgres"
	in["dbClusterInstanceClass"] = "db.m6gd.large"
	in["storageType"], in["allocatedStorage"], in["iops"] = "io1", 100, 1000
	for _, k := range []string{"monitoringInterval", "monitoringRoleArn", "performanceInsightsEnabled", "performanceInsightsKmsKeyId", "performanceInsightsRetentionPeriod", "autoMinorVersionUpgrade"} {
		if v, ok := instance.Inputs[k]; ok {
			in[k] = v
		}
	}
	in["caCertificateIdentifier"] = instance.Inputs["caCertIdentifier"]
	// It exports an instance's logs, to the cluster's log groups.
	in["enabledCloudwatchLogsExports"] = []any{"postgresql", "upgrade", "iam-db-auth-error"}
	for i, r := range g.Resources {
		if name, _ := r.Inputs["name"].(string); r.Type == baseline.TypeLogGroup && strings.HasSuffix(name, "/instance") {
			g.Resources[i].Inputs["name"] = strings.TrimSuffix(name, "instance") + "upgrade"
		}
	}
	delete(in, "serverlessv2ScalingConfiguration")
	pg := first(t, g, baseline.TypeClusterParameters, "")
	pg.Inputs["family"] = baseline.Family(baseline.MajorOf(in["engineVersion"].(string)))
	if mutate != nil {
		mutate(cluster)
	}
	return g, cluster
}

// A Multi-AZ DB cluster is judged as one: it is not asked for Aurora's engine, family, logs or
// instances, and what an instance holds is asked of the cluster.
func TestAMultiAZDBClusterIsJudgedAsOne(t *testing.T) {
	g, _ := multiAZGraph(t, nil)
	got := rows(baseline.Evaluate(g, nil))
	for key, r := range got {
		if key == "backup-independent-copy" {
			continue
		}
		assert.Contains(t, []baseline.Status{baseline.Pass, baseline.NotApplicable}, r.Status, "%s: %s", key, r.Detail)
	}
	// The aurora stack's AWS Backup copy rule stays, but copies no Multi-AZ DB cluster snapshot.
	copied := got["backup-independent-copy"]
	assert.Equal(t, baseline.Fail, copied.Status)
	assert.Equal(t, "database-cluster-cluster: a Multi-AZ DB cluster's backups stay under its storage key, in its own region and account: AWS Backup does not copy its snapshots and RDS does not replicate its automated backups", copied.Detail)
	for _, key := range []string{"rds-multi-az", "rds-supported-engine", "pg-family-matches", "rds-log-exports", "rds-not-public", "rds-enhanced-monitoring",
		"rds-performance-insights", "rds-minor-upgrades", "rds-ca-cert", "pg-tls-min"} {
		assert.Equal(t, baseline.Pass, got[key].Status, key)
	}
}

// A weak Multi-AZ DB cluster fails each control with the cluster's own detail, including the
// settings an Aurora cluster leaves to its instances.
func TestAWeakMultiAZDBClusterFailsItsControl(t *testing.T) {
	for _, tc := range []struct {
		name, control, detail string
		mutate                func(in map[string]any)
	}{
		{"unencrypted", "rds-encrypted", "database-cluster-cluster: storageEncrypted is false, want true", func(in map[string]any) { in["storageEncrypted"] = false }},
		{"public", "rds-not-public", "database-cluster-cluster: publiclyAccessible is true, want false", func(in map[string]any) { in["publiclyAccessible"] = true }},
		{"without IAM auth", "rds-iam-auth", "database-cluster-cluster: iamDatabaseAuthenticationEnabled is false, want true", func(in map[string]any) { in["iamDatabaseAuthenticationEnabled"] = false }},
		{"without enhanced monitoring", "rds-enhanced-monitoring", "database-cluster-cluster: monitoringInterval is 0, want one of [1 5 10 15 30 60]", func(in map[string]any) { in["monitoringInterval"] = 0 }},
		{"without Performance Insights", "rds-performance-insights", "database-cluster-cluster: performanceInsightsEnabled is false, want true", func(in map[string]any) { in["performanceInsightsEnabled"] = false }},
		{"without minor upgrades", "rds-minor-upgrades", "database-cluster-cluster: autoMinorVersionUpgrade is false, want true", func(in map[string]any) { in["autoMinorVersionUpgrade"] = false }},
		{"on an old CA", "rds-ca-cert", "database-cluster-cluster: caCertificateIdentifier is \"rds-ca-2019\", want one of " + strings.Join(baseline.CACertificates, ", "), func(in map[string]any) { in["caCertificateIdentifier"] = "rds-ca-2019" }},
		{"without the upgrade log", "rds-log-exports", `database-cluster-cluster: enabledCloudwatchLogsExports is ["postgresql","iam-db-auth-error"], want it to include upgrade`, func(in map[string]any) { in["enabledCloudwatchLogsExports"] = []any{"postgresql", "iam-db-auth-error"} }},
		{"on an unsupported major", "rds-supported-engine", "database-cluster-cluster: engineVersion is \"11\", want a supported major version (" + strings.Join(baseline.SupportedMajorVersions, ", ") + ")", func(in map[string]any) { in["engineVersion"] = "11" }},
		{"on another engine", "rds-supported-engine", "database-cluster-cluster: engine is \"mysql\", want aurora-postgresql, or postgres for a Multi-AZ DB cluster", func(in map[string]any) { in["engine"] = "mysql" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, _ := multiAZGraph(t, func(c *baseline.Resource) { tc.mutate(c.Inputs) })
			row := rows(baseline.Evaluate(g, nil))[tc.control]
			assert.Equal(t, baseline.Fail, row.Status, row.Detail)
			assert.Equal(t, tc.detail, row.Detail)
		})
	}
}

// An Aurora cluster's family stays aurora-postgresql: a postgres family on it fails.
func TestAnAuroraClusterStillWantsTheAuroraFamily(t *testing.T) {
	g := auroraGraph(t)
	pg := first(t, g, baseline.TypeClusterParameters, "")
	pg.Inputs["family"] = "postgres17"
	row := rows(baseline.Evaluate(g, nil))["pg-family-matches"]
	require.Equal(t, baseline.Fail, row.Status)
	assert.Contains(t, row.Detail, `family is "postgres17", want aurora-postgresql17`)
}

// A live database reports its minor version ("16.4"): only a plan can pin one, so the live audit
// does not fail rds-supported-engine on it, while a plan with the same version does.
func TestALiveMinorVersionIsNotAPin(t *testing.T) {
	for _, tc := range []struct {
		name  string
		graph func(t *testing.T) (*baseline.Graph, *baseline.Resource)
	}{
		{"instance", func(t *testing.T) (*baseline.Graph, *baseline.Resource) {
			g := prodGraph(t)
			return g, first(t, g, baseline.TypeInstance, "")
		}},
		{"Multi-AZ DB cluster", func(t *testing.T) (*baseline.Graph, *baseline.Resource) { return multiAZGraph(t, nil) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, db := tc.graph(t)
			db.Inputs["engineVersion"] = baseline.MajorOf(db.Inputs["engineVersion"].(string)) + ".4"
			planned := rows(baseline.Evaluate(g, nil))["rds-supported-engine"]
			assert.Equal(t, baseline.Fail, planned.Status)
			assert.Equal(t, db.Name+": engineVersion "+db.Inputs["engineVersion"].(string)+" pins a minor version, which RDS deprecates; give the major only", planned.Detail)
			g.Live = true
			live := rows(baseline.Evaluate(g, nil))["rds-supported-engine"]
			assert.Equal(t, baseline.Pass, live.Status, live.Detail)
		})
	}
}

// Live, a Multi-AZ DB cluster the library made must keep the alarms it makes on each of the three
// instances RDS runs for it: one deleted in the console fails alarms-present, by name.
func TestAMultiAZDBClustersMemberAlarmsMustExist(t *testing.T) {
	g := recordedGraph(t, multiazVariant)
	g.Live = true
	row := rows(baseline.Evaluate(g, nil))["alarms-present"]
	assert.Equal(t, baseline.Pass, row.Status, row.Detail)
	g.Resources = slices.DeleteFunc(g.Resources, func(r baseline.Resource) bool {
		dims, _ := r.Inputs["dimensions"].(map[string]any)
		return r.Type == baseline.TypeMetricAlarm && r.Inputs["metricName"] == "ReplicaLag" && dims["DBInstanceIdentifier"] == "orders-multiaz-instance-2"
	})
	row = rows(baseline.Evaluate(g, nil))["alarms-present"]
	assert.Equal(t, baseline.Fail, row.Status)
	assert.Equal(t, "database-multiaz-cluster: no alarm on AWS/RDS ReplicaLag of DBInstanceIdentifier=orders-multiaz-instance-2: its alert is gone; run pulumi up to make it again", row.Detail)
}
