package audit

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// What only an account has: the snapshots of a database, its master secret's rotation and the
// account's trails. No plan declares them (a restore's snapshot copy aside), so -compare counts
// none of them.
var liveTypes = []string{baseline.TypeSnapshot, baseline.TypeClusterSnapshot, baseline.TypeSecret, baseline.TypeTrail}

// trail is a CloudTrail trail with what the catalog reads of it: whether it logs, and which events.
type trail struct {
	summary   cttypes.Trail
	logging   *bool
	selectors *cloudtrail.GetEventSelectorsOutput
	failures  []Failure
}

// readTrails adds the trails that log the account's API calls in this Region (its own, and the
// Organization's, which DescribeTrails lists as shadow trails), read once per account-Region.
func (c *clients) readTrails(ctx context.Context, blk *block, acct *accountReads) {
	trails, err := acct.trailList.get(func() ([]trail, error) {
		out, err := c.trails.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(true)})
		if err != nil {
			return nil, err
		}
		var list []trail
		for _, t := range out.TrailList {
			// By ARN: a shadow trail, and an Organization's trail read from a member account, are
			// found by nothing else (CloudTrail API reference, GetTrailStatus).
			tr := trail{summary: t}
			arn := aws.ToString(t.TrailARN)
			if status, err := c.trails.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: t.TrailARN}); err == nil {
				tr.logging = status.IsLogging
			} else {
				tr.failures = append(tr.failures, failureOf("cloudtrail:GetTrailStatus", arn, err))
			}
			if sel, err := c.trails.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: t.TrailARN}); err == nil {
				tr.selectors = sel
			} else {
				tr.failures = append(tr.failures, failureOf("cloudtrail:GetEventSelectors", arn, err))
			}
			list = append(list, tr)
		}
		return list, nil
	})
	if !blk.ok("cloudtrail:DescribeTrails", "", err) {
		return
	}
	for _, t := range trails {
		for _, f := range t.failures {
			if !slices.Contains(blk.failures, f) {
				blk.failures = append(blk.failures, f)
			}
		}
		in := prune(map[string]any{"name": s(t.summary.Name), "isMultiRegionTrail": b(t.summary.IsMultiRegionTrail), "enableLogging": b(t.logging)})
		if sel := t.selectors; sel != nil {
			var basic, advanced []any
			for _, es := range sel.EventSelectors {
				basic = append(basic, prune(map[string]any{"readWriteType": string(es.ReadWriteType), "includeManagementEvents": b(es.IncludeManagementEvents)}))
			}
			for _, as := range sel.AdvancedEventSelectors {
				var fields []any
				for _, fs := range as.FieldSelectors {
					fields = append(fields, map[string]any{"field": aws.ToString(fs.Field), "equals": list(fs.Equals)})
				}
				advanced = append(advanced, map[string]any{"fieldSelectors": fields})
			}
			in["eventSelectors"], in["advancedEventSelectors"] = orEmpty(basic), orEmpty(advanced)
		}
		arn := aws.ToString(t.summary.TrailARN)
		blk.add(baseline.Resource{URN: arn, Type: baseline.TypeTrail, Name: aws.ToString(t.summary.Name), ID: arn, Inputs: in,
			Outputs: map[string]any{"arn": arn, "homeRegion": aws.ToString(t.summary.HomeRegion)}})
	}
}

func orEmpty(l []any) []any {
	if l == nil {
		return []any{}
	}
	return l
}

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
	blk.add(secretResource(arn, aws.ToString(out.Name), nil, out.RotationEnabled, out.RotationRules, out.LastRotatedDate, out.CreatedDate))
}

// readOwnSecret adds the master secret a source of read replicas keeps itself, RDS making no
// replica of a source whose password it manages: the library names it <identifier>-master-….
func (c *clients) readOwnSecret(ctx context.Context, blk *block, identifier string) {
	prefix := baseline.OwnMasterSecretPrefix(identifier)
	out, err := c.secrets.ListSecrets(ctx, &secretsmanager.ListSecretsInput{Filters: []smtypes.Filter{{Key: smtypes.FilterNameStringTypeName, Values: []string{prefix}}}})
	if !blk.ok("secretsmanager:ListSecrets", prefix, err) {
		return
	}
	for _, sec := range out.SecretList {
		name := aws.ToString(sec.Name)
		if !strings.HasPrefix(name, prefix) { // the filter matches a prefix of any word of the name
			continue
		}
		arn := aws.ToString(sec.ARN)
		blk.add(secretResource(arn, name, sec.KmsKeyId, sec.RotationEnabled, sec.RotationRules, sec.LastRotatedDate, sec.CreatedDate))
		if inst := blk.database(); inst != nil {
			inst.Outputs["ownMasterSecretArn"] = arn
		}
		return
	}
}

// secretResource is a secret with its key and rotation, as Secrets Manager describes it.
func secretResource(arn, name string, key *string, enabled *bool, rules *smtypes.RotationRulesType, lastRotated, created *time.Time) baseline.Resource {
	state := prune(map[string]any{"arn": arn, "rotationEnabled": aws.ToBool(enabled), "lastRotatedDate": day(lastRotated), "createdDate": day(created)})
	if rules != nil {
		if rules.AutomaticallyAfterDays != nil && aws.ToInt64(rules.AutomaticallyAfterDays) > 0 {
			state["rotationDays"] = float64(aws.ToInt64(rules.AutomaticallyAfterDays))
		}
		if rules.ScheduleExpression != nil {
			state["rotationSchedule"] = aws.ToString(rules.ScheduleExpression)
		}
	}
	in := map[string]any{"name": name}
	if key != nil {
		in["kmsKeyId"] = aws.ToString(key)
	}
	return baseline.Resource{URN: arn, Type: baseline.TypeSecret, Name: name, ID: arn, Inputs: in, Outputs: state}
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
