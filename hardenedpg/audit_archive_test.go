package hardenedpg_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
)

func TestAuditArchiveTamperProofBucketAndScopedRoles(t *testing.T) {
	m := mustRun(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewAuditArchive(ctx, "archive", &hardenedpg.AuditArchiveArgs{Identifier: "orders", KeyArn: pulumi.String(logsKeyArn)})
		return err
	})
	bucket := only(t, m, baseline.TypeBucket)
	assert.Equal(t, true, bucket.Inputs["objectLockEnabled"])
	assert.Equal(t, false, bucket.Inputs["forceDestroy"])
	assert.True(t, bucket.Protect)
	bucketArn := bucket.Outputs["arn"].(string)
	for typ, want := range map[string]map[string]any{
		baseline.TypeBucketVersioning: {"versioningConfiguration": map[string]any{"status": "Enabled"}},
		baseline.TypeBucketObjectLock: {
			"objectLockEnabled": "Enabled", "rule": map[string]any{"defaultRetention": map[string]any{"mode": "COMPLIANCE", "days": 365.0}},
		},
		baseline.TypeBucketEncryption: {"rules": []any{map[string]any{
			"applyServerSideEncryptionByDefault": map[string]any{"sseAlgorithm": "aws:kms", "kmsMasterKeyId": logsKeyArn}, "bucketKeyEnabled": true,
		}}},
		baseline.TypeBucketPublicAccess: {"blockPublicAcls": true, "blockPublicPolicy": true, "ignorePublicAcls": true, "restrictPublicBuckets": true},
		baseline.TypeBucketOwnership:    {"rule": map[string]any{"objectOwnership": "BucketOwnerEnforced"}},
		baseline.TypeBucketLifecycle: {"rules": []any{map[string]any{
			"id": "cold-storage", "status": "Enabled", "filter": map[string]any{"prefix": ""},
			"transitions":                    []any{map[string]any{"days": 90.0, "storageClass": "GLACIER"}},
			"abortIncompleteMultipartUpload": map[string]any{"daysAfterInitiation": 7.0},
		}}},
	} {
		r := only(t, m, typ)
		want["bucket"] = bucket.ID
		assert.Equal(t, want, r.Inputs, typ)
	}
	bucketPolicy := statements(t, only(t, m, baseline.TypeBucketPolicy).Inputs["policy"])
	assert.Equal(t, "Deny", bucketPolicy["DenyInsecureTransport"]["Effect"])
	assert.Equal(t, []any{bucketArn, bucketArn + "/*"}, bucketPolicy["DenyInsecureTransport"]["Resource"])
	assert.Equal(t, []any{"s3:DeleteBucket", "s3:DeleteObject", "s3:DeleteObjectVersion"}, bucketPolicy["DenyDeletes"]["Action"],
		"the stack's own retention change is not denied; deletes are")
	policyRes := only(t, m, baseline.TypeBucketPolicy)
	lockRes := only(t, m, baseline.TypeBucketObjectLock)
	assert.Contains(t, policyRes.DependsOn, lockRes.URN, "the lock configuration is applied before the policy")

	stream := only(t, m, baseline.TypeFirehose)
	assert.Equal(t, "extended_s3", stream.Inputs["destination"])
	assert.Equal(t, map[string]any{"enabled": true, "keyType": "CUSTOMER_MANAGED_CMK", "keyArn": logsKeyArn}, stream.Inputs["serverSideEncryption"])
	s3cfg := stream.Inputs["extendedS3Configuration"].(map[string]any)
	assert.Equal(t, bucketArn, s3cfg["bucketArn"])
	assert.Equal(t, logsKeyArn, s3cfg["kmsKeyArn"])
	assert.Equal(t, "rds/orders/", s3cfg["prefix"])

	// Each role may do exactly its job on exactly its resources: no "*" anywhere.
	policies := map[string]map[string]map[string]any{}
	for _, p := range m.ByType(baseline.TypeRolePolicy) {
		policies[p.Name] = statements(t, p.Inputs["policy"])
	}
	require.Len(t, policies, 2)
	write := policies["archive-delivery-policy"]
	assert.Equal(t, []any{bucketArn, bucketArn + "/*"}, write["WriteArchive"]["Resource"])
	assert.Equal(t, []any{logsKeyArn}, write["EncryptArchive"]["Resource"])
	assert.Equal(t, []any{stream.Outputs["arn"]}, policies["archive-logs-policy"]["PutIntoTheArchiveStream"]["Resource"])
	assert.Equal(t, []any{"firehose:PutRecord", "firehose:PutRecordBatch"}, policies["archive-logs-policy"]["PutIntoTheArchiveStream"]["Action"])
	logsRole, _ := m.Named(typeRole, "archive-logs-role")
	trust := statements(t, logsRole.Inputs["assumeRolePolicy"])[""]
	assert.Equal(t, map[string]any{"Service": []any{"logs.eu-west-1.amazonaws.com"}}, trust["Principal"])
}

func TestAuditLogShippingIntoArchive(t *testing.T) {
	m := mustRun(t, nil, func(ctx *pulumi.Context) error {
		archive, err := hardenedpg.NewAuditArchive(ctx, "archive", &hardenedpg.AuditArchiveArgs{Identifier: "orders", KeyArn: pulumi.String(logsKeyArn)})
		if err != nil {
			return err
		}
		_, err = hardenedpg.NewAuditLogShipping(ctx, "audit", &hardenedpg.AuditLogShippingArgs{
			Identifier: "orders", LogsKeyArn: pulumi.String(logsKeyArn), Archive: archive,
		})
		return err
	})
	stream := only(t, m, baseline.TypeFirehose)
	logsRole, _ := m.Named(typeRole, "archive-logs-role")
	filters := m.ByType(typeSubscription)
	require.Len(t, filters, len(hardenedpg.LogTypes))
	for _, f := range filters {
		assert.Equal(t, stream.Outputs["arn"], f.Inputs["destinationArn"])
		assert.Equal(t, logsRole.Outputs["arn"], f.Inputs["roleArn"])
	}
}

func TestAuditArchiveBadArgs(t *testing.T) {
	_, err := run(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewAuditArchive(ctx, "archive", &hardenedpg.AuditArchiveArgs{ArchiveSettings: hardenedpg.ArchiveSettings{RetentionDays: -5, ColdAfterDays: 10}})
		return err
	})
	assert.EqualError(t, err, `hardenedpg.NewAuditArchive "archive": invalid arguments:
  Identifier = "": required: the RDS instance identifier
  KeyArn = "": required: the key that encrypts the stream and the bucket
  RetentionDays = -5: want 1 to 36500 days of Object Lock retention
  ColdAfterDays = 10: want 30 or more: the logs of the last month stay readable without a Glacier restore`)
}
