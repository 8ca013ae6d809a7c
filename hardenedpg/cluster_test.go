package hardenedpg_test

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
)

// auroraArgs is databaseArgs as an Aurora cluster: Aurora has no automated backup replication, so
// its backups are copied to a vault in another region instead.
func auroraArgs() *hardenedpg.DatabaseArgs {
	a := databaseArgs()
	toAurora(a)
	return a
}

func toAurora(a *hardenedpg.DatabaseArgs) {
	a.Engine = baseline.AuroraEngine
	a.Replication = hardenedpg.ReplicationSettings{}
	a.Backup.CopyToVaultArn = "arn:aws:backup:eu-central-1:123456789012:backup-vault:orders-copy"
}

// Every parameter the Aurora cluster group carries is one AWS documents as cluster-level, and the
// list has no row the baseline does not write: the placement table of docs/components.md is made from both.
func TestEveryAuroraBaselineParameterIsClusterLevel(t *testing.T) {
	m := mustRun(t, nil, newDatabase(auroraArgs()))
	written := map[string]bool{}
	for _, p := range only(t, m, baseline.TypeClusterParameters).Inputs["parameters"].([]any) {
		name := p.(map[string]any)["name"].(string)
		written[name] = true
		placed, ok := baseline.AuroraClusterLevel[name]
		if assert.True(t, ok, "%s is not documented as a cluster-level parameter", name) {
			assert.Contains(t, placed.Sources, baseline.AuroraClusterLevelSource, name)
		}
	}
	for name := range baseline.AuroraClusterLevel {
		assert.True(t, written[name], "%s is listed but not written", name)
	}
}

// The Aurora Database is a cluster and its instances, composed of the same parts as the RDS one,
// each hardened: what users rely on is the recorded inputs.
func TestAuroraDatabaseIsAHardenedCluster(t *testing.T) {
	m := mustRun(t, nil, newDatabase(auroraArgs()))
	assert.Empty(t, m.ByType(typeInstance), "an Aurora Database makes no RDS instance")

	cluster := only(t, m, baseline.TypeCluster)
	storageKey, _ := m.Named(typeKey, "db-storage-key-key")
	keyArn := storageKey.Outputs["arn"]
	assert.True(t, cluster.Protect)
	for k, want := range map[string]any{
		"clusterIdentifier": "orders", "engine": "aurora-postgresql", "engineMode": "provisioned", "engineVersion": "17",
		"engineLifecycleSupport": "open-source-rds-extended-support-disabled", "storageEncrypted": true, "kmsKeyId": keyArn,
		"masterUsername": "dbadmin", "manageMasterUserPassword": true, "masterUserSecretKmsKeyId": keyArn,
		"iamDatabaseAuthenticationEnabled": true, "deletionProtection": true, "backupRetentionPeriod": 35.0,
		"preferredBackupWindow": "02:00-03:00", "preferredMaintenanceWindow": "sun:03:30-sun:04:30", "port": 5433.0,
		"copyTagsToSnapshot": true, "deleteAutomatedBackups": false, "skipFinalSnapshot": false, "applyImmediately": false,
		"allowMajorVersionUpgrade": false, "enabledCloudwatchLogsExports": []any{"postgresql", "instance", "iam-db-auth-error"},
	} {
		assert.Equal(t, want, cluster.Inputs[k], "cluster %s", k)
	}
	assert.Regexp(t, `^orders-final-[0-9a-f]{8}$`, cluster.Inputs["finalSnapshotIdentifier"])
	assert.NotContains(t, cluster.Inputs, "dbInstanceParameterGroupName", "named only for a major upgrade")
	assert.NotContains(t, cluster.Inputs, "serverlessv2ScalingConfiguration")
	clusterGroup := only(t, m, baseline.TypeClusterParameters)
	assert.Equal(t, clusterGroup.Outputs["name"], cluster.Inputs["dbClusterParameterGroupName"])
	assert.Equal(t, "aurora-postgresql17", clusterGroup.Inputs["family"])
	var names []string
	for _, p := range clusterGroup.Inputs["parameters"].([]any) {
		pm := p.(map[string]any)
		names = append(names, pm["name"].(string))
		if pm["name"] == "shared_preload_libraries" {
			assert.Equal(t, "pending-reboot", pm["applyMethod"], "static in PostgreSQL")
		}
	}
	assert.Len(t, names, len(hardenedpg.Baseline), "the cluster group carries the whole baseline")
	instanceGroup := only(t, m, typeParamGroup)
	assert.Equal(t, "aurora-postgresql17", instanceGroup.Inputs["family"])
	assert.Empty(t, instanceGroup.Inputs["parameters"], "the instances' group overrides nothing of the cluster's")

	instances := m.ByType(baseline.TypeClusterInstance)
	require.Len(t, instances, 2, "a writer and a reader")
	sort.Slice(instances, func(i, j int) bool { return instances[i].Name < instances[j].Name })
	zones := []string{}
	for i, inst := range instances {
		assert.Equal(t, []string{"orders-1", "orders-2"}[i], inst.Inputs["identifier"])
		assert.Equal(t, "orders", inst.Inputs["clusterIdentifier"])
		assert.False(t, inst.Protect, "an instance holds no data")
		for k, want := range map[string]any{
			"engine": "aurora-postgresql", "instanceClass": "db.r7g.large", "publiclyAccessible": false, "autoMinorVersionUpgrade": true,
			"caCertIdentifier": "rds-ca-rsa2048-g1", "monitoringInterval": 60.0, "performanceInsightsEnabled": true,
			"performanceInsightsKmsKeyId": keyArn, "performanceInsightsRetentionPeriod": 7.0, "copyTagsToSnapshot": true,
			"dbParameterGroupName": instanceGroup.Outputs["name"], "dbSubnetGroupName": cluster.Inputs["dbSubnetGroupName"],
		} {
			assert.Equal(t, want, inst.Inputs[k], "%s %s", inst.Name, k)
		}
		assert.NotEmpty(t, inst.Inputs["monitoringRoleArn"])
		zones = append(zones, inst.Inputs["availabilityZone"].(string))
	}
	assert.Equal(t, []string{"eu-west-1a", "eu-west-1b"}, zones, "spread over the subnets' zones, writer first")

	var logGroups []string
	for _, lg := range m.ByType(typeLogGroup) {
		logGroups = append(logGroups, lg.Inputs["name"].(string))
	}
	slices.Sort(logGroups)
	assert.Equal(t, []string{"/aws/rds/cluster/orders/iam-db-auth-error", "/aws/rds/cluster/orders/instance", "/aws/rds/cluster/orders/postgresql", "/hardenedpg/orders/vpc-flow-logs"}, logGroups)
	for _, dep := range []string{"iam-db-auth-error", "instance", "postgresql"} {
		lg, _ := m.Named(typeLogGroup, "db-audit-logs-"+dep+"-logs")
		assert.Contains(t, cluster.DependsOn, lg.URN, "RDS must not create %s first", dep)
	}

	subs := map[string]any{}
	for _, s := range m.ByType(typeEventSubscription) {
		subs[s.Inputs["sourceType"].(string)] = s.Inputs["sourceIds"]
	}
	assert.Equal(t, []any{"orders-1", "orders-2"}, subs["db-instance"])
	assert.Equal(t, []any{"orders"}, subs["db-cluster"])
	alarms := map[string]map[string]any{}
	for _, a := range m.ByType(typeAlarm) {
		if d, ok := a.Inputs["dimensions"].(map[string]any); ok {
			alarms[a.Inputs["metricName"].(string)+" "+strings.Join(slices.Sorted(func(yield func(string) bool) {
				for k, v := range d {
					if !yield(k + "=" + v.(string)) {
						return
					}
				}
			}), ",")] = a.Inputs
		}
	}
	assert.ElementsMatch(t, []string{
		"CPUUtilization DBInstanceIdentifier=orders-1", "CPUUtilization DBInstanceIdentifier=orders-2",
		"DatabaseConnections DBInstanceIdentifier=orders-1", "DatabaseConnections DBInstanceIdentifier=orders-2",
		"FreeableMemory DBInstanceIdentifier=orders-1", "FreeableMemory DBInstanceIdentifier=orders-2",
		"AuroraReplicaLagMaximum DBClusterIdentifier=orders",
	}, slices.Collect(func(yield func(string) bool) {
		for k := range alarms {
			if !yield(k) {
				return
			}
		}
	}))
	// db.r7g.large has 16 GiB: a tenth of it less RDS's reservation.
	assert.InDelta(t, 16*(1<<30)*0.95/10, alarms["FreeableMemory DBInstanceIdentifier=orders-1"]["threshold"], 1)
	assert.Equal(t, 1000.0, alarms["AuroraReplicaLagMaximum DBClusterIdentifier=orders"]["threshold"])

	selection := only(t, m, baseline.TypeBackupSelection)
	assert.Equal(t, []any{cluster.Outputs["arn"]}, selection.Inputs["resources"], "AWS Backup covers the cluster")
	assert.Empty(t, m.ByType(baseline.TypeBackupReplication))
}

// A cluster is judged by the same catalog: the Aurora Database passes every control that applies
// to it, and none that reads a cluster is left not applicable.
func TestAuroraDatabasePassesTheCatalog(t *testing.T) {
	m := mustRun(t, nil, newDatabase(auroraArgs()))
	results := baseline.Evaluate(m.Graph(), nil)
	for _, r := range results {
		c, _ := baseline.Lookup(r.Key)
		assert.NotEqual(t, baseline.Fail, r.Status, "%s: %s", r.Key, r.Detail)
		if (slices.Contains(c.Reads, baseline.TypeCluster) || slices.Contains(c.Reads, baseline.TypeClusterInstance)) && !c.LiveOnly {
			assert.Equal(t, baseline.Pass, r.Status, "%s reads clusters: %s", r.Key, r.Detail)
		}
	}
}

func TestServerlessClusterScalesWithinItsBounds(t *testing.T) {
	args := auroraArgs()
	args.Cluster = hardenedpg.ClusterSettings{ServerlessMinAcu: 0.5, ServerlessMaxAcu: 16}
	m := mustRun(t, nil, newDatabase(args))
	cluster := only(t, m, baseline.TypeCluster)
	assert.Equal(t, map[string]any{"minCapacity": 0.5, "maxCapacity": 16.0}, cluster.Inputs["serverlessv2ScalingConfiguration"])
	for _, inst := range m.ByType(baseline.TypeClusterInstance) {
		assert.Equal(t, "db.serverless", inst.Inputs["instanceClass"])
	}
	var capacity []any
	for _, a := range m.ByType(typeAlarm) {
		if a.Inputs["metricName"] == "ServerlessDatabaseCapacity" {
			capacity = append(capacity, a.Inputs["threshold"])
		}
		assert.NotEqual(t, "FreeableMemory", a.Inputs["metricName"], "a Serverless v2 instance's memory follows its capacity")
	}
	assert.Equal(t, []any{14.4, 14.4}, capacity, "90% of 16 ACUs, on each instance")
	// 16 ACUs are 32 GiB: max_connections LEAST(DBInstanceClassMemory/9531392, 5000), 80% of it.
	connections, _ := m.Named(typeAlarm, "db-alerts-orders-1-databaseconnections-alarm")
	assert.Equal(t, 2739.0, connections.Inputs["threshold"])
}

// A Cluster made alone needs its zones: it proves no subnets to read them from.
func TestNewClusterAlone(t *testing.T) {
	program := func(zones []string) func(ctx *pulumi.Context) error {
		return func(ctx *pulumi.Context) error {
			_, err := hardenedpg.NewCluster(ctx, "orders", &hardenedpg.ClusterArgs{
				InstanceSettings: hardenedpg.InstanceSettings{Identifier: "orders"},
				ClusterSettings:  hardenedpg.ClusterSettings{AvailabilityZones: zones},
				StorageKeyArn:    pulumi.String("arn:aws:kms:eu-west-1:123456789012:key/1"), SubnetGroupName: pulumi.String("private"),
				SecurityGroupIDs:          pulumi.StringArray{pulumi.String("sg-1")},
				ClusterParameterGroupName: pulumi.String("cluster-params"), ParameterGroupName: pulumi.String("params"),
			})
			return err
		}
	}
	_, err := run(t, nil, program(nil))
	require.Error(t, err)
	assert.Equal(t, `hardenedpg.NewCluster "orders": invalid arguments:
  AvailabilityZones = []: required when the subnets are not proven here (Network.Subnets or Network.SkipPrivateSubnetCheck): the zones the instances are spread over`, err.Error())
	m := mustRun(t, nil, program([]string{"eu-west-1c", "eu-west-1a"}))
	var zones []any
	for _, inst := range m.ByType(baseline.TypeClusterInstance) {
		zones = append(zones, inst.Inputs["availabilityZone"])
	}
	assert.ElementsMatch(t, []any{"eu-west-1c", "eu-west-1a"}, zones)
}

// Each bad Aurora input gets one clear error naming the setting, and nothing is created.
func TestAuroraBadInputs(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(a *hardenedpg.DatabaseArgs)
		want   string
	}{
		{"engine", func(a *hardenedpg.DatabaseArgs) { a.Engine = "aurora-mysql" },
			`Engine = "aurora-mysql": want postgres (RDS for PostgreSQL, the default) or aurora-postgresql (an Aurora cluster)`},
		{"major Aurora lacks", func(a *hardenedpg.DatabaseArgs) { a.Instance.EngineMajorVersion = "18" },
			`Instance.EngineMajorVersion = "18": want a major version Aurora PostgreSQL supports: 14, 15, 16, 17`},
		{"storage", func(a *hardenedpg.DatabaseArgs) { a.Instance.AllocatedStorageGB = 200 },
			`Instance.AllocatedStorageGB = 200: would be ignored: Aurora storage grows by itself, up to 128 TiB; remove it`},
		{"class", func(a *hardenedpg.DatabaseArgs) { a.Instance.InstanceClass = "db.m7g.large" },
			`Instance.InstanceClass = "db.m7g.large": not a DB instance class Aurora PostgreSQL offers; want db.<family>.<size> such as db.r7g.large, with a family of db.r5, db.r6g, db.r6gd, db.r6i, db.r6id, db.r7g, db.r7i, db.r8g, db.t3, db.t4g, db.x2g (db.t3 and db.t4g: medium or large), or give Cluster.ServerlessMaxAcu for db.serverless`},
		{"replication", func(a *hardenedpg.DatabaseArgs) { a.Replication.Region = "eu-central-1" },
			`Replication.Region = "eu-central-1": Aurora clusters have no automated backup replication; copy the backups with Backup.CopyToVaultArn to a vault in another region or account`},
		{"readers", func(a *hardenedpg.DatabaseArgs) { a.Cluster.Readers = 16 },
			`Cluster.Readers = 16: want 0 to 15 Aurora replicas`},
		{"single zone with readers", func(a *hardenedpg.DatabaseArgs) {
			a.Instance.SingleAZ, a.Cluster.Readers = true, 2
			a.Waivers = baseline.Waivers{"rds-multi-az": "test"}
		}, `Cluster.Readers = 2: Instance.SingleAZ makes a cluster of the writer alone; remove one or the other`},
		{"serverless maximum", func(a *hardenedpg.DatabaseArgs) { a.Cluster.ServerlessMinAcu, a.Cluster.ServerlessMaxAcu = 1, 300 },
			`Cluster.ServerlessMaxAcu = 300: want 1 to 256 ACUs in steps of 0.5: the most the instances scale to`},
		{"serverless minimum", func(a *hardenedpg.DatabaseArgs) { a.Cluster.ServerlessMinAcu, a.Cluster.ServerlessMaxAcu = 8, 4 },
			`Cluster.ServerlessMinAcu = 8: want 0 to Cluster.ServerlessMaxAcu (4) in steps of 0.5`},
		{"serverless class", func(a *hardenedpg.DatabaseArgs) { a.Instance.InstanceClass = "db.serverless" },
			`Instance.InstanceClass = "db.serverless": want Cluster.ServerlessMaxAcu (and ServerlessMinAcu) with db.serverless: a Serverless v2 cluster needs its capacity bounds`},
		{"one zone", func(a *hardenedpg.DatabaseArgs) { a.Cluster.AvailabilityZones = []string{"eu-west-1a"} },
			`Cluster.AvailabilityZones = ["eu-west-1a"]: want two or more zones, so a reader can take over when the writer's zone fails`},
		{"free storage alarm", func(a *hardenedpg.DatabaseArgs) { a.Alerts.FreeStorageGB = 10 },
			`Alerts.FreeStorageGB = 10: would be ignored: Aurora storage grows by itself; remove it`},
		{"cluster settings on RDS", func(a *hardenedpg.DatabaseArgs) {
			a.Engine, a.Replication.Region, a.Backup.CopyToVaultArn, a.Cluster.Readers = "", "eu-central-1", "", 2
		}, `Cluster.Readers = 2: would be ignored: only an Aurora cluster has them (Engine aurora-postgresql); remove it`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := auroraArgs()
			tc.mutate(args)
			m := hardenedpgtest.New()
			_, err := run(t, m, newDatabase(args))
			require.Error(t, err)
			assert.Equal(t, "hardenedpg.NewDatabase \"db\": invalid arguments:\n  "+tc.want, err.Error())
			assert.Empty(t, m.Resources(), "nothing is created")
		})
	}
}
