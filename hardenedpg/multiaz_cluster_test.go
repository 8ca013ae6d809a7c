package hardenedpg_test

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
)

// independentCopyReason waives what no Multi-AZ DB cluster can have.
const independentCopyReason = "nothing copies a Multi-AZ DB cluster's backups; the locked vault and PITR are the protection"

// multiAZArgs is databaseArgs as a Multi-AZ DB cluster: subnets in three zones, and no backup
// replication, which AWS does not offer for it.
func multiAZArgs() *hardenedpg.DatabaseArgs {
	a := databaseArgs()
	a.Deployment = hardenedpg.MultiAZClusterDeployment
	a.Network.SubnetIDs = []string{"subnet-0000000a", "subnet-0000000b", "subnet-0000000d"}
	a.Replication = hardenedpg.ReplicationSettings{}
	a.Instance.IAMDatabaseUsers = []string{"orders_api"}
	a.Proxy.Users = []hardenedpg.ProxyUser{{Name: "orders_batch"}}
	a.Waivers = baseline.Waivers{"backup-independent-copy": independentCopyReason}
	return a
}

// A Multi-AZ DB cluster is one aws:rds/cluster of engine postgres, composed of the same keys,
// network, parameter baseline, logs, alerts, backup and proxy as an instance: the recorded inputs.
func TestMultiAZDatabaseIsAHardenedCluster(t *testing.T) {
	var grant pulumi.Resource
	res := hardenedpgtest.Run(func(ctx *pulumi.Context) error {
		d, err := hardenedpg.NewDatabase(ctx, "db", multiAZArgs())
		if err != nil {
			return err
		}
		require.NotNil(t, d.MultiAZCluster)
		assert.Nil(t, d.Instance)
		assert.Nil(t, d.Cluster)
		grant, err = d.GrantConnect(ctx, "api-connect", pulumi.String("orders-api"), "orders_api")
		return err
	})
	require.NoError(t, res.Err)
	m := res.Monitor
	assert.Empty(t, m.ByType(typeInstance), "RDS makes the three instances itself")
	assert.Empty(t, m.ByType(baseline.TypeClusterInstance), "RDS makes the three instances itself")

	cluster := only(t, m, baseline.TypeCluster)
	storageKey, _ := m.Named(typeKey, "db-storage-key-key")
	keyArn := storageKey.Outputs["arn"]
	assert.True(t, cluster.Protect)
	assert.Contains(t, cluster.URN, "hardenedpg:index:Database$hardenedpg:index:MultiAZCluster$aws:rds/cluster:Cluster::db-multiaz-cluster")
	for k, want := range map[string]any{
		"clusterIdentifier": "orders", "engine": "postgres", "engineVersion": "17", "engineLifecycleSupport": "open-source-rds-extended-support-disabled",
		"dbClusterInstanceClass": "db.m6gd.large", "storageType": "io1", "allocatedStorage": 100.0, "iops": 1000.0,
		"storageEncrypted": true, "kmsKeyId": keyArn, "masterUsername": "dbadmin", "manageMasterUserPassword": true, "masterUserSecretKmsKeyId": keyArn,
		"iamDatabaseAuthenticationEnabled": true, "caCertificateIdentifier": "rds-ca-rsa2048-g1", "deletionProtection": true,
		"backupRetentionPeriod": 35.0, "copyTagsToSnapshot": true, "deleteAutomatedBackups": false, "skipFinalSnapshot": false,
		"monitoringInterval": 60.0, "performanceInsightsEnabled": true, "performanceInsightsKmsKeyId": keyArn, "performanceInsightsRetentionPeriod": 7.0,
		"port": 5433.0, "enabledCloudwatchLogsExports": []any{"postgresql", "upgrade", "iam-db-auth-error"},
	} {
		assert.Equal(t, want, cluster.Inputs[k], "cluster %s", k)
	}
	for _, k := range []string{"engineMode", "serverlessv2ScalingConfiguration", "maxAllocatedStorage"} {
		assert.NotContains(t, cluster.Inputs, k)
	}
	// Its baseline is a cluster group of the postgres family.
	clusterGroup := only(t, m, baseline.TypeClusterParameters)
	assert.Equal(t, clusterGroup.Outputs["name"], cluster.Inputs["dbClusterParameterGroupName"])
	assert.Equal(t, "postgres17", clusterGroup.Inputs["family"])
	assert.Len(t, clusterGroup.Inputs["parameters"], len(hardenedpg.Baseline))
	// Its logs are an instance's, under the cluster's name.
	var logGroups []string
	for _, g := range m.ByType(typeLogGroup) {
		if name := g.Inputs["name"].(string); strings.HasPrefix(name, "/aws/rds/") {
			logGroups = append(logGroups, name)
		}
	}
	assert.ElementsMatch(t, []string{"/aws/rds/cluster/orders/postgresql", "/aws/rds/cluster/orders/upgrade", "/aws/rds/cluster/orders/iam-db-auth-error"}, logGroups)
	// The proxy targets the cluster; the backup plan selects it.
	target := only(t, m, "aws:rds/proxyTarget:ProxyTarget")
	assert.Equal(t, "orders", target.Inputs["dbClusterIdentifier"])
	assert.NotContains(t, target.Inputs, "dbInstanceIdentifier")
	selection := only(t, m, baseline.TypeBackupSelection)
	assert.Equal(t, []any{cluster.Outputs["arn"]}, selection.Inputs["resources"])
	// IAM sign-in names the cluster's resource ID.
	policy, _ := m.Named(baseline.TypeRolePolicy, "api-connect")
	assert.Equal(t, []any{"arn:aws:rds-db:eu-west-1:123456789012:dbuser:" + cluster.Outputs["clusterResourceId"].(string) + "/orders_api"},
		statements(t, policy.Inputs["policy"])["ConnectAsNamedDatabaseUsers"]["Resource"])
	require.NotNil(t, grant)

	// Each of the three instances RDS makes is watched, and a reader's lag too.
	alarms := map[string]hardenedpgtest.Resource{}
	for _, a := range m.ByType(typeAlarm) {
		if dims, ok := a.Inputs["dimensions"].(map[string]any); ok {
			alarms[dims["DBInstanceIdentifier"].(string)+"/"+a.Inputs["metricName"].(string)] = a
		}
	}
	for _, member := range []string{"orders-instance-1", "orders-instance-2", "orders-instance-3"} {
		for _, metric := range []string{"CPUUtilization", "DatabaseConnections", "FreeStorageSpace", "ReplicaLag"} {
			assert.Contains(t, alarms, member+"/"+metric)
		}
		lag := alarms[member+"/ReplicaLag"]
		assert.Equal(t, 60.0, lag.Inputs["threshold"])
		assert.Equal(t, "notBreaching", lag.Inputs["treatMissingData"], "the writer reports no lag")
		assert.Equal(t, 10.0*(1<<30), alarms[member+"/FreeStorageSpace"].Inputs["threshold"], "a tenth of each instance's 100 GiB")
	}
	assert.Len(t, alarms, 12)
	events := map[string]any{}
	for _, s := range m.ByType(typeEventSubscription) {
		events[s.Inputs["sourceType"].(string)] = s.Inputs["sourceIds"]
	}
	assert.Equal(t, []any{"orders-instance-1", "orders-instance-2", "orders-instance-3"}, events["db-instance"])
	assert.Equal(t, []any{"orders"}, events["db-cluster"])

	scorecard := res.Scorecard(baseline.Waivers{"backup-independent-copy": independentCopyReason})
	assert.Empty(t, hardenedpgtest.Failing(scorecard))
	for _, r := range scorecard {
		switch r.Key {
		case "backup-independent-copy":
			assert.Equal(t, baseline.Waived, r.Status)
		case "rds-multi-az", "rds-iam-auth", "rds-encrypted", "rds-not-public", "events-instance", "events-cluster", "backup-plan", "pg-family-matches", "rds-log-exports":
			assert.Equal(t, baseline.Pass, r.Status, "%s: %s", r.Key, r.Detail)
		}
	}
}

// Each bad setting of a Multi-AZ DB cluster is refused with its own error, and nothing is made.
func TestMultiAZDatabaseRefusesWhatAWSDoesNotTake(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(a *hardenedpg.DatabaseArgs)
		want   string
	}{
		{"an unknown deployment", func(a *hardenedpg.DatabaseArgs) { a.Deployment = "cluster" },
			`Deployment = "cluster": want instance (an RDS instance, the default) or multi-az-cluster (a writer and two readable standbys in three zones)`},
		{"a deployment of Aurora", func(a *hardenedpg.DatabaseArgs) {
			toAurora(a)
			a.Waivers = nil
		}, `Deployment = "multi-az-cluster": an Aurora cluster has no deployment to choose; remove it (or take Engine postgres)`},
		{"one zone", func(a *hardenedpg.DatabaseArgs) {
			a.Instance.SingleAZ = true
		}, `Instance.SingleAZ = true: a Multi-AZ DB cluster always runs in three zones; for one zone, take Deployment instance`},
		{"a class without local storage", func(a *hardenedpg.DatabaseArgs) { a.Instance.InstanceClass = "db.m7g.large" },
			`Instance.InstanceClass = "db.m7g.large": not a class of Multi-AZ DB clusters; want db.<family>.<size> such as db.m6gd.large, with a family of ` + strings.Join(baseline.MultiAZInstanceFamilies(), ", ")},
		{"too little storage", func(a *hardenedpg.DatabaseArgs) { a.Instance.AllocatedStorageGB = 50 },
			`Instance.AllocatedStorageGB = 50: want 100 to 65536 (io1 and io2)`},
		{"storage autoscaling", func(a *hardenedpg.DatabaseArgs) { a.Instance.MaxAllocatedStorageGB = 500 },
			`Instance.MaxAllocatedStorageGB = 500: would be ignored: a Multi-AZ DB cluster has no storage autoscaling; remove it`},
		{"gp3", func(a *hardenedpg.DatabaseArgs) { a.MultiAZCluster.StorageType = "gp3" },
			`MultiAZCluster.StorageType = "gp3": want io1 or io2: a Multi-AZ DB cluster runs on Provisioned IOPS storage only`},
		{"IOPS out of ratio", func(a *hardenedpg.DatabaseArgs) { a.MultiAZCluster.Iops = 6000 },
			`MultiAZCluster.Iops = 6000: want 0.5 to 50 IOPS per GiB of Instance.AllocatedStorageGB (100): 50 to 5000`},
		{"too few IOPS", func(a *hardenedpg.DatabaseArgs) { a.MultiAZCluster.Iops = 500 },
			`MultiAZCluster.Iops = 500: want 1000 to 256000`},
		{"a backup copy", func(a *hardenedpg.DatabaseArgs) {
			a.Backup.CopyToVaultArn = "arn:aws:backup:eu-central-1:123456789012:backup-vault:orders-copy"
		}, `Backup.CopyToVaultArn = "arn:aws:backup:eu-central-1:123456789012:backup-vault:orders-copy": AWS Backup does not copy a Multi-AZ DB cluster's snapshots, so every copy job would fail; remove it`},
		{"backup replication", func(a *hardenedpg.DatabaseArgs) { a.Replication.Region = "eu-central-1" },
			`Replication.Region = "eu-central-1": a Multi-AZ DB cluster has no automated backup replication`},
		{"no copy, unwaived", func(a *hardenedpg.DatabaseArgs) { a.Waivers = nil },
			`Deployment = "multi-az-cluster": relaxes control backup-independent-copy (hardened: deployment instance, whose automated backups RDS replicates to another region, or engine aurora-postgresql, whose backups AWS Backup copies); set it back or add a waiver for backup-independent-copy with the reason`},
		{"an upgrade", func(a *hardenedpg.DatabaseArgs) {
			a.Instance.UpgradeFromMajorVersion, a.Instance.ApplyImmediately = "16", true
		}, `Instance.UpgradeFromMajorVersion = "16": not built for a Multi-AZ DB cluster by this library; remove it (the upgrade and the restore are made for Deployment instance and Aurora)`},
		{"Aurora's settings", func(a *hardenedpg.DatabaseArgs) { a.Cluster.Readers = 2 },
			`Cluster.Readers = 2: would be ignored: only an Aurora cluster has them (Engine aurora-postgresql); remove it`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := multiAZArgs()
			tc.mutate(a)
			m, err := run(t, nil, newDatabase(a))
			require.Error(t, err)
			assert.Equal(t, "hardenedpg.NewDatabase \"db\": invalid arguments:\n  "+tc.want, err.Error())
			assert.Empty(t, awsResources(m), "nothing is created")
		})
	}
}

// A Multi-AZ DB cluster's settings on an instance or Aurora would be ignored: refused, and its
// three zones are proven before anything is made.
func TestMultiAZSettingsAndZones(t *testing.T) {
	a := databaseArgs()
	a.MultiAZCluster.Iops = 3000
	_, err := run(t, nil, newDatabase(a))
	require.Error(t, err)
	assert.Equal(t, "hardenedpg.NewDatabase \"db\": invalid arguments:\n  "+`MultiAZCluster.Iops = 3000: would be ignored: only a Multi-AZ DB cluster has them (Deployment multi-az-cluster); remove it`, err.Error())

	mon := hardenedpgtest.New()
	mon.SetSubnet(hardenedpgtest.Subnet{ID: "subnet-0000000a", AvailabilityZone: "eu-west-1a"})
	mon.SetSubnet(hardenedpgtest.Subnet{ID: "subnet-0000000b", AvailabilityZone: "eu-west-1b"})
	mon.SetSubnet(hardenedpgtest.Subnet{ID: "subnet-0000000d", AvailabilityZone: "eu-west-1b"})
	m, err := run(t, mon, newDatabase(multiAZArgs()))
	require.Error(t, err)
	assert.Equal(t, "hardenedpg.NewDatabase \"db\": invalid arguments:\n  "+`Network.SubnetIDs = ["subnet-0000000a","subnet-0000000b","subnet-0000000d"]: are in 2 zones (eu-west-1a, eu-west-1b); want subnets in 3 zones, one for each instance of a Multi-AZ DB cluster`, err.Error())
	assert.Empty(t, awsResources(m))
}
