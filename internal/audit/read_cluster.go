package audit

import (
	"context"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// clusterResource is an Aurora cluster as the provider's aws:rds/cluster inputs name its state.
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

// readCluster reads what an Aurora cluster and its instances are judged on into one block.
func (c *clients) readCluster(ctx context.Context, cluster rdstypes.DBCluster, members []rdstypes.DBInstance, acct *accountReads) *block {
	blk := &block{graph: &baseline.Graph{Live: true}, urns: map[string]bool{}}
	cr := clusterResource(cluster)
	blk.add(cr)
	id := aws.ToString(cluster.DBClusterIdentifier)
	instances := []string{}
	for _, m := range members {
		blk.add(clusterInstanceResource(m))
		instances = append(instances, aws.ToString(m.DBInstanceIdentifier))
	}
	c.readClusterParameterGroup(ctx, blk, aws.ToString(cluster.DBClusterParameterGroup))
	for _, m := range members {
		for _, st := range m.DBParameterGroups {
			c.readParameterGroup(ctx, blk, aws.ToString(st.DBParameterGroupName))
		}
	}
	c.readSubnetGroup(ctx, blk, aws.ToString(cluster.DBSubnetGroup))
	c.readSecurityGroups(ctx, blk, stringsOf(cr.Inputs["vpcSecurityGroupIds"]))
	c.readSecret(ctx, blk, cluster.MasterUserSecret)
	for _, m := range members {
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
