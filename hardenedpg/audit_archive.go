package hardenedpg

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kinesis"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Defaults of AuditArchiveArgs.
const (
	DefaultArchiveRetentionDays = 365
	DefaultArchiveColdAfterDays = 90
)

// ArchiveSettings are the choices about the local tamper-proof archive of the audit logs, which
// a Database creates when its logs have no DestinationArn; the zero value is hardened.
type ArchiveSettings struct {
	// Skip creates no archive, so logs without a destination are shipped nowhere: it relaxes
	// logs-shipped. Only a Database reads it (not to archive, create no AuditArchive).
	Skip bool `pulumi:"skip,optional"`
	// RetentionDays is the Object Lock retention in COMPLIANCE mode: no one, the account root
	// included, can delete or overwrite a log object before it ends (365 by default).
	RetentionDays int `pulumi:"retentionDays,optional"`
	// ColdAfterDays moves objects to Glacier Flexible Retrieval (90 by default).
	ColdAfterDays int `pulumi:"coldAfterDays,optional"`
}

// AuditArchiveArgs configures the archive: the settings plus the instance and key it serves.
type AuditArchiveArgs struct {
	ArchiveSettings

	// Identifier is the RDS instance identifier. Required.
	Identifier string `pulumi:"identifier"`
	// KeyArn encrypts the stream and the bucket (the logs key; its policy must admit s3 and
	// firehose through kms:ViaService). Required.
	KeyArn pulumi.StringInput            `pulumi:"keyArn"`
	Tags   map[string]pulumi.StringInput `pulumi:"tags,optional"`
}

// AuditArchive is a Firehose stream into a versioned, Object-Locked, KMS-encrypted, private,
// TLS-only S3 bucket, with the two roles CloudWatch Logs and Firehose need, each scoped to exactly
// the stream, the bucket and the key.
type AuditArchive struct {
	pulumi.ResourceState

	Bucket       *s3.BucketV2
	Stream       *kinesis.FirehoseDeliveryStream
	DeliveryRole *iam.Role
	LogsRole     *iam.Role

	StreamArn   pulumi.StringOutput `pulumi:"streamArn"`
	LogsRoleArn pulumi.StringOutput `pulumi:"logsRoleArn"`
	BucketName  pulumi.StringOutput `pulumi:"bucketName"`
}

// AuditArchiveType is the component's type token.
const AuditArchiveType = "hardenedpg:index:AuditArchive"

func (a ArchiveSettings) withDefaults() ArchiveSettings {
	d := a
	if d.RetentionDays == 0 {
		d.RetentionDays = DefaultArchiveRetentionDays
	}
	if d.ColdAfterDays == 0 {
		d.ColdAfterDays = DefaultArchiveColdAfterDays
	}
	return d
}

func (a *AuditArchiveArgs) check(p *problems) {
	if a.Identifier == "" {
		p.add("Identifier", a.Identifier, "required: the RDS instance identifier")
	}
	if a.KeyArn == nil {
		p.add("KeyArn", "", "required: the key that encrypts the stream and the bucket")
	}
	refuseSkip(p, a.Skip, "AuditArchive")
	a.ArchiveSettings.check(p)
}

// check reports the problems of settings with their defaults applied.
func (a *ArchiveSettings) check(p *problems) {
	if a.RetentionDays < 1 || a.RetentionDays > 36500 {
		p.add("RetentionDays", a.RetentionDays, "want 1 to 36500 days of Object Lock retention")
	}
	// S3 moves objects to Glacier Flexible Retrieval at any age; the first month stays in S3
	// Standard because that is when an investigation reads the logs, and a Glacier read is a
	// restore of hours (a cost guard, not an S3 rule).
	if a.ColdAfterDays < 30 {
		p.add("ColdAfterDays", a.ColdAfterDays, "want 30 or more: the logs of the last month stay readable without a Glacier restore")
	}
}

// abortIncompleteUploadsAfterDays removes the parts of uploads left incomplete (s3-lifecycle).
const abortIncompleteUploadsAfterDays = 7

// NewAuditArchive creates the archive.
func NewAuditArchive(ctx *pulumi.Context, name string, args *AuditArchiveArgs, opts ...pulumi.ResourceOption) (*AuditArchive, error) {
	if args == nil {
		args = &AuditArchiveArgs{}
	}
	a := *args
	a.ArchiveSettings = a.withDefaults()
	var p problems
	a.check(&p)
	if err := p.err(); err != nil {
		return nil, fmt.Errorf("hardenedpg.NewAuditArchive %q: %w", name, err)
	}
	// The account and region come from the provider the component gets: looked up once it is registered.
	return newAuditArchive(ctx, name, &a, awsEnv{}, opts...)
}

func newAuditArchive(ctx *pulumi.Context, name string, a *AuditArchiveArgs, env awsEnv, opts ...pulumi.ResourceOption) (*AuditArchive, error) {
	c := &AuditArchive{}
	env, err := registered(ctx, AuditArchiveType, name, c, env, opts...)
	if err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)
	tags := pulumi.StringMap(a.Tags)
	// Object Lock can only be turned on when the bucket is created; the bucket is never emptied
	// by Pulumi (no forceDestroy) and is protected.
	c.Bucket, err = s3.NewBucketV2(ctx, name+"-bucket", &s3.BucketV2Args{
		ObjectLockEnabled: pulumi.Bool(true), ForceDestroy: pulumi.Bool(false), Tags: tags,
	}, parent, pulumi.Protect(true))
	if err != nil {
		return nil, err
	}
	bucket := c.Bucket.ID().ToStringOutput()
	if _, err := s3.NewBucketVersioningV2(ctx, name+"-versioning", &s3.BucketVersioningV2Args{
		Bucket:                  bucket,
		VersioningConfiguration: s3.BucketVersioningV2VersioningConfigurationArgs{Status: pulumi.String("Enabled")},
	}, parent); err != nil {
		return nil, err
	}
	lock, err := s3.NewBucketObjectLockConfigurationV2(ctx, name+"-object-lock", &s3.BucketObjectLockConfigurationV2Args{
		Bucket: bucket, ObjectLockEnabled: pulumi.String("Enabled"),
		Rule: s3.BucketObjectLockConfigurationV2RuleArgs{DefaultRetention: s3.BucketObjectLockConfigurationV2RuleDefaultRetentionArgs{
			Mode: pulumi.String("COMPLIANCE"), Days: pulumi.Int(a.RetentionDays),
		}},
	}, parent)
	if err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketServerSideEncryptionConfigurationV2(ctx, name+"-encryption", &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: bucket,
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
			ApplyServerSideEncryptionByDefault: s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
				SseAlgorithm: pulumi.String("aws:kms"), KmsMasterKeyId: a.KeyArn,
			},
			BucketKeyEnabled: pulumi.Bool(true),
		}},
	}, parent); err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketPublicAccessBlock(ctx, name+"-public-access-block", &s3.BucketPublicAccessBlockArgs{
		Bucket: bucket, BlockPublicAcls: pulumi.Bool(true), BlockPublicPolicy: pulumi.Bool(true),
		IgnorePublicAcls: pulumi.Bool(true), RestrictPublicBuckets: pulumi.Bool(true),
	}, parent); err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketOwnershipControls(ctx, name+"-ownership", &s3.BucketOwnershipControlsArgs{
		Bucket: bucket, Rule: s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, parent); err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketLifecycleConfigurationV2(ctx, name+"-lifecycle", &s3.BucketLifecycleConfigurationV2Args{
		Bucket: bucket,
		Rules: s3.BucketLifecycleConfigurationV2RuleArray{s3.BucketLifecycleConfigurationV2RuleArgs{
			Id: pulumi.String("cold-storage"), Status: pulumi.String("Enabled"),
			Filter: s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("")},
			Transitions: s3.BucketLifecycleConfigurationV2RuleTransitionArray{s3.BucketLifecycleConfigurationV2RuleTransitionArgs{
				Days: pulumi.Int(a.ColdAfterDays), StorageClass: pulumi.String("GLACIER"),
			}},
			// Parts of an upload Firehose never completed are billed and never read.
			AbortIncompleteMultipartUpload: s3.BucketLifecycleConfigurationV2RuleAbortIncompleteMultipartUploadArgs{
				DaysAfterInitiation: pulumi.Int(abortIncompleteUploadsAfterDays),
			},
		}},
	}, parent); err != nil {
		return nil, err
	}
	policy := c.Bucket.Arn.ApplyT(func(arn string) string {
		everyone := &Principal{AWS: []string{"*"}}
		return PolicyDocument{Statement: []PolicyStatement{
			{
				Sid: "DenyInsecureTransport", Effect: "Deny", Principal: everyone, Action: []string{"s3:*"},
				Resource:  []string{arn, arn + "/*"},
				Condition: map[string]map[string][]string{"Bool": {"aws:SecureTransport": {"false"}}},
			},
			// Deletes only: the stack must stay able to change the default retention of new objects.
			// What is archived cannot be shortened anyway: COMPLIANCE-mode retention binds every
			// principal, root included (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html).
			{
				Sid: "DenyDeletes", Effect: "Deny", Principal: everyone,
				Action:   []string{"s3:DeleteBucket", "s3:DeleteObject", "s3:DeleteObjectVersion"},
				Resource: []string{arn, arn + "/*"},
			},
		}}.JSON()
	}).(pulumi.StringOutput)
	// The lock configuration first: the policy's first apply would otherwise race it.
	if _, err := s3.NewBucketPolicy(ctx, name+"-policy", &s3.BucketPolicyArgs{Bucket: bucket, Policy: policy}, parent, pulumi.DependsOn([]pulumi.Resource{lock})); err != nil {
		return nil, err
	}

	c.DeliveryRole, err = iam.NewRole(ctx, name+"-delivery-role", &iam.RoleArgs{
		Description:      pulumi.String("Firehose writes the audit logs of " + a.Identifier + " to the archive bucket"),
		AssumeRolePolicy: env.trustedBy("firehose.amazonaws.com"),
		Tags:             tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	deliveryPolicy := pulumi.All(c.Bucket.Arn, a.KeyArn).ApplyT(func(v []any) string {
		bucketArn, keyArn := v[0].(string), v[1].(string)
		return PolicyDocument{Statement: []PolicyStatement{
			{Sid: "WriteArchive", Effect: "Allow", Resource: []string{bucketArn, bucketArn + "/*"}, Action: []string{
				"s3:AbortMultipartUpload", "s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:PutObject",
			}},
			{Sid: "EncryptArchive", Effect: "Allow", Resource: []string{keyArn}, Action: []string{"kms:GenerateDataKey", "kms:Decrypt"},
				Condition: map[string]map[string][]string{"StringEquals": {"kms:ViaService": {env.servicePrincipal("s3")}}}},
		}}.JSON()
	}).(pulumi.StringOutput)
	if _, err := iam.NewRolePolicy(ctx, name+"-delivery-policy", &iam.RolePolicyArgs{Role: c.DeliveryRole.ID(), Policy: deliveryPolicy}, parent); err != nil {
		return nil, err
	}
	c.Stream, err = kinesis.NewFirehoseDeliveryStream(ctx, name+"-stream", &kinesis.FirehoseDeliveryStreamArgs{
		Destination: pulumi.String("extended_s3"),
		ServerSideEncryption: kinesis.FirehoseDeliveryStreamServerSideEncryptionArgs{
			Enabled: pulumi.Bool(true), KeyType: pulumi.String("CUSTOMER_MANAGED_CMK"), KeyArn: a.KeyArn,
		},
		ExtendedS3Configuration: kinesis.FirehoseDeliveryStreamExtendedS3ConfigurationArgs{
			BucketArn: c.Bucket.Arn, RoleArn: c.DeliveryRole.Arn, KmsKeyArn: a.KeyArn,
			Prefix:            pulumi.String("rds/" + a.Identifier + "/"),
			ErrorOutputPrefix: pulumi.String("errors/" + a.Identifier + "/"),
			// CloudWatch Logs delivers gzip already; Firehose stores it as it comes.
			CompressionFormat: pulumi.String("UNCOMPRESSED"),
			BufferingInterval: pulumi.Int(300), BufferingSize: pulumi.Int(5),
		},
		Tags: tags,
	}, parent, pulumi.DependsOn([]pulumi.Resource{c.DeliveryRole}))
	if err != nil {
		return nil, err
	}
	c.LogsRole, err = iam.NewRole(ctx, name+"-logs-role", &iam.RoleArgs{
		Description: pulumi.String("CloudWatch Logs streams the audit logs of " + a.Identifier + " into Firehose"),
		AssumeRolePolicy: pulumi.String(PolicyDocument{Statement: []PolicyStatement{{
			Effect: "Allow", Principal: &Principal{Service: []string{env.servicePrincipal("logs")}}, Action: []string{"sts:AssumeRole"},
			Condition: map[string]map[string][]string{"StringLike": {"aws:SourceArn": {fmt.Sprintf("arn:%s:logs:%s:%s:*", env.Partition, env.Region, env.AccountID)}}},
		}}}.JSON()),
		Tags: tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	logsPolicy := c.Stream.Arn.ApplyT(func(arn string) string {
		return PolicyDocument{Statement: []PolicyStatement{{
			Sid: "PutIntoTheArchiveStream", Effect: "Allow", Action: []string{"firehose:PutRecord", "firehose:PutRecordBatch"}, Resource: []string{arn},
		}}}.JSON()
	}).(pulumi.StringOutput)
	if _, err := iam.NewRolePolicy(ctx, name+"-logs-policy", &iam.RolePolicyArgs{Role: c.LogsRole.ID(), Policy: logsPolicy}, parent); err != nil {
		return nil, err
	}
	c.StreamArn, c.LogsRoleArn, c.BucketName = c.Stream.Arn, c.LogsRole.Arn, bucket
	if err := registerOutputs(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}
