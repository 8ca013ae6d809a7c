package audit

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// What only an account has: the snapshots of a database and its master secret's rotation. No plan
// declares them (a restore's snapshot copy aside), so -compare counts none of them.
var liveTypes = []string{baseline.TypeSnapshot, baseline.TypeClusterSnapshot, baseline.TypeSecret}

// readSecret adds the database's master secret with its rotation, as DescribeSecret returns it.
func (c *clients) readSecret(ctx context.Context, blk *block, sec *rdstypes.MasterUserSecret) {
	if sec == nil || sec.SecretArn == nil {
		return
	}
	out, err := c.secrets.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: sec.SecretArn})
	if !blk.ok("secretsmanager:DescribeSecret", aws.ToString(sec.SecretArn), err) {
		return
	}
	// The secret's key is the one the catalog judges (masterUserSecretKmsKeyId): read it off the
	// secret, which is where Secrets Manager encrypts with it.
	if inst := blk.database(); inst != nil && out.KmsKeyId != nil {
		inst.Inputs["masterUserSecretKmsKeyId"] = aws.ToString(out.KmsKeyId)
		inst.Outputs["masterUserSecretKmsKeyId"] = aws.ToString(out.KmsKeyId)
	}
	arn := aws.ToString(out.ARN)
	if arn == "" {
		arn = aws.ToString(sec.SecretArn)
	}
	state := prune(map[string]any{"arn": arn, "rotationEnabled": aws.ToBool(out.RotationEnabled),
		"lastRotatedDate": day(out.LastRotatedDate), "createdDate": day(out.CreatedDate)})
	if rules := out.RotationRules; rules != nil {
		if rules.AutomaticallyAfterDays != nil && aws.ToInt64(rules.AutomaticallyAfterDays) > 0 {
			state["rotationDays"] = float64(aws.ToInt64(rules.AutomaticallyAfterDays))
		}
		if rules.ScheduleExpression != nil {
			state["rotationSchedule"] = aws.ToString(rules.ScheduleExpression)
		}
	}
	name := aws.ToString(out.Name)
	blk.add(baseline.Resource{URN: arn, Type: baseline.TypeSecret, Name: name, ID: arn,
		Inputs: map[string]any{"name": name}, Outputs: state})
}

func day(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

// readSnapshots adds every snapshot of an instance, manual and automated, with the accounts a
// manual one is shared with. It runs after readKeys: a snapshot's key is judged as a key of the
// stack only if the database's own resources name it.
func (c *clients) readSnapshots(ctx context.Context, blk *block, instance string) {
	pager := rds.NewDescribeDBSnapshotsPaginator(c.rds, &rds.DescribeDBSnapshotsInput{DBInstanceIdentifier: aws.String(instance)})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if !blk.ok("rds:DescribeDBSnapshots", instance, err) {
			return
		}
		for _, sn := range page.DBSnapshots {
			id := aws.ToString(sn.DBSnapshotIdentifier)
			in := prune(map[string]any{"dbSnapshotIdentifier": id, "dbInstanceIdentifier": s(sn.DBInstanceIdentifier),
				"encrypted": b(sn.Encrypted), "kmsKeyId": s(sn.KmsKeyId), "snapshotType": s(sn.SnapshotType)})
			// Only a manual snapshot can be shared (ModifyDBSnapshotAttribute).
			if aws.ToString(sn.SnapshotType) == "manual" {
				attrs, err := c.rds.DescribeDBSnapshotAttributes(ctx, &rds.DescribeDBSnapshotAttributesInput{DBSnapshotIdentifier: sn.DBSnapshotIdentifier})
				if blk.ok("rds:DescribeDBSnapshotAttributes", id, err) && attrs.DBSnapshotAttributesResult != nil {
					in["sharedAccounts"] = restoreAttribute(attrs.DBSnapshotAttributesResult.DBSnapshotAttributes)
				}
			}
			arn := aws.ToString(sn.DBSnapshotArn)
			blk.add(baseline.Resource{URN: arn, Type: baseline.TypeSnapshot, Name: id, ID: id, Inputs: in, Outputs: map[string]any{"arn": arn}})
		}
	}
}

// readClusterSnapshots is readSnapshots for an Aurora cluster.
func (c *clients) readClusterSnapshots(ctx context.Context, blk *block, cluster string) {
	pager := rds.NewDescribeDBClusterSnapshotsPaginator(c.rds, &rds.DescribeDBClusterSnapshotsInput{DBClusterIdentifier: aws.String(cluster)})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if !blk.ok("rds:DescribeDBClusterSnapshots", cluster, err) {
			return
		}
		for _, sn := range page.DBClusterSnapshots {
			id := aws.ToString(sn.DBClusterSnapshotIdentifier)
			in := prune(map[string]any{"dbClusterSnapshotIdentifier": id, "dbClusterIdentifier": s(sn.DBClusterIdentifier),
				"encrypted": b(sn.StorageEncrypted), "kmsKeyId": s(sn.KmsKeyId), "snapshotType": s(sn.SnapshotType)})
			if aws.ToString(sn.SnapshotType) == "manual" {
				attrs, err := c.rds.DescribeDBClusterSnapshotAttributes(ctx, &rds.DescribeDBClusterSnapshotAttributesInput{DBClusterSnapshotIdentifier: sn.DBClusterSnapshotIdentifier})
				if blk.ok("rds:DescribeDBClusterSnapshotAttributes", id, err) && attrs.DBClusterSnapshotAttributesResult != nil {
					in["sharedAccounts"] = restoreAttribute(attrs.DBClusterSnapshotAttributesResult.DBClusterSnapshotAttributes)
				}
			}
			arn := aws.ToString(sn.DBClusterSnapshotArn)
			blk.add(baseline.Resource{URN: arn, Type: baseline.TypeClusterSnapshot, Name: id, ID: id, Inputs: in, Outputs: map[string]any{"arn": arn}})
		}
	}
}

// restoreAttribute is who may restore a snapshot: the accounts, or "all" when it is public.
func restoreAttribute[A rdstypes.DBSnapshotAttribute | rdstypes.DBClusterSnapshotAttribute](attrs []A) []any {
	out := []any{}
	for _, a := range attrs {
		var name *string
		var values []string
		switch x := any(a).(type) {
		case rdstypes.DBSnapshotAttribute:
			name, values = x.AttributeName, x.AttributeValues
		case rdstypes.DBClusterSnapshotAttribute:
			name, values = x.AttributeName, x.AttributeValues
		}
		if aws.ToString(name) == "restore" {
			out = append(out, list(values)...)
		}
	}
	return out
}
