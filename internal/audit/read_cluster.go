package audit

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// clusterResource is an Aurora or Multi-AZ DB cluster as the provider's aws:rds/cluster inputs
// name its state.
func clusterResource(c rdstypes.DBCluster) baseline.Resource {
	var sgs []string
	for _, m := range c.VpcSecurityGroups {
		sgs = append(sgs, aws.ToString(m.VpcSecurityGroupId))
	}
	in := prune(map[string]any{
		"clusterIdentifier": s(c.DBClusterIdentifier), "engine": s(c.Engine), "engineVersion": s(c.EngineVersion), "engineMode": s(c.EngineMode),
		"storageEncrypted": b(c.StorageEncrypted), "kmsKeyId": s(c.KmsKeyId), "dbSubnetGroupName": s(c.DBSubnetGroup),
		"vpcSecurityGroupIds": list(sgs), "dbClusterParameterGroupName": s(c.DBClusterParameterGroup), "backupRetentionPeriod": n(c.BackupRetentionPeriod),
		"preferredBackupWindow": s(c.PreferredBackupWindow), "preferredMaintenanceWindow": s(c.PreferredMaintenanceWindow),
		"copyTagsToSnapshot": b(c.CopyTagsToSnapshot), "port": n(c.Port), "masterUsername": s(c.MasterUsername),
		"iamDatabaseAuthenticationEnabled": b(c.IAMDatabaseAuthenticationEnabled), "deletionProtection": b(c.DeletionProtection),
		"enabledCloudwatchLogsExports": list(c.EnabledCloudwatchLogsExports), "engineLifecycleSupport": s(c.EngineLifecycleSupport),
		"tags": rdsTags(c.TagList), "manageMasterUserPassword": c.MasterUserSecret != nil,
	})
	if aws.ToString(c.Engine) == "postgres" {
		// A Multi-AZ DB cluster's host and storage settings are the cluster's own; Aurora's are
		// its instances'.
		maps.Copy(in, prune(map[string]any{
			"dbClusterInstanceClass": s(c.DBClusterInstanceClass), "storageType": s(c.StorageType), "allocatedStorage": n(c.AllocatedStorage),
			"iops": n(c.Iops), "publiclyAccessible": b(c.PubliclyAccessible), "autoMinorVersionUpgrade": b(c.AutoMinorVersionUpgrade),
			"monitoringInterval": n(c.MonitoringInterval), "monitoringRoleArn": s(c.MonitoringRoleArn),
			"performanceInsightsEnabled": b(c.PerformanceInsightsEnabled), "performanceInsightsKmsKeyId": s(c.PerformanceInsightsKMSKeyId),
			"performanceInsightsRetentionPeriod": n(c.PerformanceInsightsRetentionPeriod),
		}))
		if c.CertificateDetails != nil {
			in["caCertificateIdentifier"] = aws.ToString(c.CertificateDetails.CAIdentifier)
		}
	}
	out := map[string]any{"arn": s(c.DBClusterArn), "clusterIdentifier": s(c.DBClusterIdentifier)}
	if sec := c.MasterUserSecret; sec != nil {
		in["masterUserSecretKmsKeyId"] = aws.ToString(sec.KmsKeyId)
		out["masterUserSecrets"] = []any{prune(map[string]any{"secretArn": s(sec.SecretArn), "kmsKeyId": s(sec.KmsKeyId), "secretStatus": s(sec.SecretStatus)})}
	}
	id := aws.ToString(c.DBClusterIdentifier)
	return baseline.Resource{URN: aws.ToString(c.DBClusterArn), Type: baseline.TypeCluster, Name: id, ID: id, Inputs: in, Outputs: out}
}

// clusterInstanceResource is an Aurora instance as aws:rds/clusterInstance names it: the host's
// settings only, since its storage, key and backups are its cluster's.
func clusterInstanceResource(db rdstypes.DBInstance) baseline.Resource {
	var pg, subnetGroup any
	if len(db.DBParameterGroups) > 0 {
		pg = s(db.DBParameterGroups[0].DBParameterGroupName)
	}
	if db.DBSubnetGroup != nil {
		subnetGroup = s(db.DBSubnetGroup.DBSubnetGroupName)
	}
	in := prune(map[string]any{
		"identifier": s(db.DBInstanceIdentifier), "clusterIdentifier": s(db.DBClusterIdentifier), "engine": s(db.Engine),
		"instanceClass": s(db.DBInstanceClass), "publiclyAccessible": b(db.PubliclyAccessible), "availabilityZone": s(db.AvailabilityZone),
		"autoMinorVersionUpgrade": b(db.AutoMinorVersionUpgrade), "caCertIdentifier": s(db.CACertificateIdentifier),
		"dbParameterGroupName": pg, "dbSubnetGroupName": subnetGroup, "monitoringInterval": n(db.MonitoringInterval),
		"monitoringRoleArn": s(db.MonitoringRoleArn), "performanceInsightsEnabled": b(db.PerformanceInsightsEnabled),
		"performanceInsightsKmsKeyId": s(db.PerformanceInsightsKMSKeyId), "performanceInsightsRetentionPeriod": n(db.PerformanceInsightsRetentionPeriod),
		"preferredMaintenanceWindow": s(db.PreferredMaintenanceWindow), "copyTagsToSnapshot": b(db.CopyTagsToSnapshot), "tags": rdsTags(db.TagList),
	})
	id := aws.ToString(db.DBInstanceIdentifier)
	return baseline.Resource{URN: aws.ToString(db.DBInstanceArn), Type: baseline.TypeClusterInstance, Name: id, ID: id, Inputs: in,
		Outputs: map[string]any{"arn": s(db.DBInstanceArn)}}
}

// readCluster reads what a cluster is judged on into one block: an Aurora cluster with its
// instances; a Multi-AZ DB cluster alone, as the catalog judges it, since RDS sets its writer
// and standbys from the cluster and gives them the engine's default DB parameter group.
func (c *clients) readCluster(ctx context.Context, cluster rdstypes.DBCluster, members []rdstypes.DBInstance, acct *accountReads) *block {
	blk := &block{graph: &baseline.Graph{Live: true}, urns: map[string]bool{}}
	cr := clusterResource(cluster)
	blk.add(cr)
	id := aws.ToString(cluster.DBClusterIdentifier)
	instances := []string{}
	for _, m := range members {
		instances = append(instances, aws.ToString(m.DBInstanceIdentifier))
	}
	// An Aurora cluster's instances are resources of their own; a Multi-AZ DB cluster's are not.
	hosts := members
	if aws.ToString(cluster.Engine) == "postgres" {
		hosts = nil
		c.readRole(ctx, blk, aws.ToString(cluster.MonitoringRoleArn))
	}
	for _, m := range hosts {
		blk.add(clusterInstanceResource(m))
	}
	c.readClusterParameterGroup(ctx, blk, aws.ToString(cluster.DBClusterParameterGroup))
	for _, m := range hosts {
		for _, st := range m.DBParameterGroups {
			c.readParameterGroup(ctx, blk, aws.ToString(st.DBParameterGroupName))
		}
	}
	c.readSubnetGroup(ctx, blk, aws.ToString(cluster.DBSubnetGroup))
	c.readSecurityGroups(ctx, blk, stringsOf(cr.Inputs["vpcSecurityGroupIds"]))
	c.readSecret(ctx, blk, cluster.MasterUserSecret)
	for _, m := range hosts {
		c.readRole(ctx, blk, aws.ToString(m.MonitoringRoleArn))
	}
	c.readLogs(ctx, blk, "/aws/rds/cluster/"+id+"/")
	c.readAlarms(ctx, blk, acct, map[string][]string{"DBClusterIdentifier": {id}, "DBInstanceIdentifier": instances})
	c.readEventSubscriptions(ctx, blk, acct)
	c.readEventRules(ctx, blk, acct)
	c.readTrails(ctx, blk, acct)
	c.readProxies(ctx, blk, acct, id)
	c.readBackups(ctx, blk, acct, aws.ToString(cluster.DBClusterArn))
	c.readTopics(ctx, blk)
	c.readKeys(ctx, blk)
	c.readClusterSnapshots(ctx, blk, id)
	return blk
}

// membersOf are the listed instances of a cluster.
func membersOf(cluster rdstypes.DBCluster, instances []rdstypes.DBInstance) []rdstypes.DBInstance {
	var out []rdstypes.DBInstance
	for _, db := range instances {
		if aws.ToString(db.DBClusterIdentifier) == aws.ToString(cluster.DBClusterIdentifier) {
			out = append(out, db)
		}
	}
	slices.SortFunc(out, func(a, b rdstypes.DBInstance) int {
		return strings.Compare(aws.ToString(a.DBInstanceIdentifier), aws.ToString(b.DBInstanceIdentifier))
	})
	return out
}
