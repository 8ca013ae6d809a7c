package baseline

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
)

// Tool is a public checker whose check IDs Refs cite; Key is its field's JSON name in Refs.
type Tool struct{ Key, Name string }

// Tools are the checkers Refs cite, in the order tables list them. CIS is cited through Security
// Hub's CIS standard and has no list of its own in the survey.
var Tools = []Tool{
	{"securityHub", "Security Hub"}, {"prowler", "Prowler"}, {"checkov", "Checkov"}, {"cis", "CIS"},
	{"cdkNag", "cdk-nag"}, {"awsguard", "awsguard"}, {"compliancePolicies", "compliance-policies"},
}

// Of is the IDs r cites for the tool with that key.
func (r Refs) Of(tool string) []string {
	switch tool {
	case "securityHub":
		return r.SecurityHub
	case "prowler":
		return r.Prowler
	case "checkov":
		return r.Checkov
	case "cis":
		return r.CIS
	case "cdkNag":
		return r.CdkNag
	case "awsguard":
		return r.Awsguard
	case "compliancePolicies":
		return r.CompliancePolicies
	}
	panic("baseline: no tool " + tool)
}

// PublicCheck is a public check that applies to a hardenedpg stack.
type PublicCheck struct{ Tool, ID, Title string }

//go:embed public-checks.tsv
var publicChecksTSV string

// PublicChecks are the applicable checks of public-checks.tsv, in its order.
var PublicChecks = func() []PublicCheck {
	var checks []PublicCheck
	for _, line := range strings.Split(strings.TrimSpace(publicChecksTSV), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			panic(fmt.Sprintf("baseline: public-checks.tsv: want tool, ID and title: %q", line))
		}
		checks = append(checks, PublicCheck{Tool: f[0], ID: f[1], Title: f[2]})
	}
	return checks
}()

// Exception is a public check no control covers, and why: the check does not fit a database
// stack, or AWS offers no way to meet it that the stack could honour. Checks names the IDs per tool.
type Exception struct {
	Topic  string
	Checks Refs
	Reason string
}

// Exceptions are the applicable public checks the catalog does not cover. Each ID is in
// PublicChecks and cited by no control.
var Exceptions = []Exception{
	{Topic: "Aurora global cluster encrypted",
		Checks: Refs{Checkov: []string{"CKV_AWS_140"}},
		Reason: "A Cluster protects its backups across regions with AWS Backup copies (backup-independent-copy), not a global cluster, so a stack of the library declares no aws:rds/globalCluster; a member cluster of one is judged by rds-encrypted like any cluster."},
	{Topic: "Aurora database activity streams",
		Checks: Refs{Checkov: []string{"CKV_AWS_246"}},
		Reason: "An activity stream is started at run time (StartActivityStream), not declared by a cluster's inputs; pgAudit's DDL and ROLE lines in the exported logs (pg-audit, logs-shipped) are the audit trail here."},
	{Topic: "Master secret's resource policy",
		Checks: Refs{Prowler: []string{"secretsmanager_has_restrictive_resource_policy", "secretsmanager_not_publicly_accessible"}},
		Reason: "RDS creates, rotates and deletes the rds!db secret itself, and AWS documents no principal its rotation acts as, so the deny-all-but-named-principals policy Prowler wants could lock RDS out of its own secret. The secret has no resource policy, so it admits no other account or public principal; a read needs IAM secretsmanager:GetSecretValue and the storage key, which admits the account only through Secrets Manager and RDS (kms-policy)."},
	{Topic: "Master secret unused",
		Checks: Refs{SecurityHub: []string{"SecretsManager.3"}, Prowler: []string{"secretsmanager_secret_unused"}},
		Reason: "The master password is break-glass: with IAM database authentication it goes unread for months by design, and a read made only to satisfy the check would hide a real one. Suppress it for rds!db secrets."},
	{Topic: "Master secret tagged",
		Checks: Refs{SecurityHub: []string{"SecretsManager.5"}},
		Reason: "The secret is RDS's, not a resource of the stack, so no plan can tag it; whether RDS copies the instance's tags to it is not documented (unconfirmed)."},
	{Topic: "Archive bucket access logging",
		Checks: Refs{SecurityHub: []string{"S3.9"}, Prowler: []string{"s3_bucket_server_access_logging_enabled"}, Checkov: []string{"CKV_AWS_18"}, CdkNag: []string{"S3BucketLoggingEnabled"}, Awsguard: []string{"s3-bucket-logging-enabled"}},
		Reason: "A server access log target must not have a default Object Lock retention (S3.9), so a log bucket could not meet s3-object-lock, and it would in turn need logging. Only the Firehose role writes to the archive and COMPLIANCE Object Lock refuses every delete before retention ends; object-level reads belong in the account's CloudTrail S3 data events. Prod ships to a central account and has no archive."},
	{Topic: "Archive bucket replication",
		Checks: Refs{SecurityHub: []string{"S3.7"}, Prowler: []string{"s3_bucket_cross_region_replication"}, Checkov: []string{"CKV_AWS_144"}, CdkNag: []string{"S3BucketReplicationEnabled"}, CompliancePolicies: []string{"aws-s3-bucket-configure-replication-configuration", "aws-s3-bucket-enable-replication-configuration"}},
		Reason: "The local archive is the single-account variant; the second copy is the central destination (hardenedpg:auditDestinationArn, as prod does). Replicating it would need a second Object-Locked bucket and key in another region owned by a database stack."},
	{Topic: "Archive bucket event notifications",
		Checks: Refs{SecurityHub: []string{"S3.11"}, Prowler: []string{"s3_bucket_event_notifications_enabled"}, Checkov: []string{"CKV2_AWS_62"}},
		Reason: "The events worth a notification (an object removed or overwritten) cannot happen before retention ends: COMPLIANCE Object Lock and the bucket policy refuse them. The only writer is the Firehose stream and the only remover the lifecycle after retention, so a notification would report the archive's own routine."},
	{Topic: "Archive bucket MFA delete",
		Checks: Refs{Prowler: []string{"s3_bucket_no_mfa_delete"}},
		Reason: "MFA delete can be turned on only by the root user with its MFA device through the API, not by a stack. COMPLIANCE Object Lock already refuses deleting any version before retention ends, to the root user too; Security Hub's S3.20 skips buckets with lifecycle rules."},
	{Topic: "Archive bucket name",
		Checks: Refs{Prowler: []string{"s3_bucket_shadow_resource_vulnerability"}},
		Reason: "The check flags buckets named like the predictable buckets of AWS services (aws-glue-assets-<account>-<region>, ...); the archive's name is the component's with a random suffix (Pulumi's auto-naming)."},
	{Topic: "AWS-managed service-role policies",
		Checks: Refs{CdkNag: []string{"IAMNoManagedPolicies"}},
		Reason: "The monitoring and backup roles attach the policies AWS documents for them (AmazonRDSEnhancedMonitoringRole; AWSBackupServiceRolePolicyForBackup and ForRestores). AWS changes them as the services change the calls they make; a copy would stop monitoring or backups silently when that happens. iam-managed-policies admits these and no other AWS-managed policy."},
	{Topic: "Object ARNs in the archive roles",
		Checks: Refs{CdkNag: []string{"IAMNoWildcardPermissions"}},
		Reason: "The archive's delivery role writes objects, whose ARNs are <bucket ARN>/<key>: its one wildcard is the key part in the one bucket. iam-scoped-writes and iam-no-sensitive-reads refuse a * resource; cdk-nag flags any *."},
	{Topic: "Inline role policies",
		Checks: Refs{CdkNag: []string{"IAMNoInlinePolicy"}},
		Reason: "The archive's two roles carry inline policies, which IAM keeps one-to-one with their role: they are deleted with it and cannot be attached to another role, as a customer-managed policy can."},
	{Topic: "Unused or crowded security groups",
		Checks: Refs{SecurityHub: []string{"EC2.22"}, Prowler: []string{"ec2_securitygroup_not_used", "ec2_securitygroup_from_launch_wizard", "ec2_securitygroup_with_many_ingress_egress_rules"}, Checkov: []string{"CKV2_AWS_5"}},
		Reason: "Runtime hygiene of the account: the components create a group only for the instance they attach it to, name it after the database (launch-wizard-* names come from the EC2 console) and add one rule per client group named in config."},
	{Topic: "Log group resource policy",
		Checks: Refs{Prowler: []string{"cloudwatch_log_group_not_publicly_accessible"}},
		Reason: "A CloudWatch Logs resource policy is set per account and region, not by a database stack; the stack creates none."},
	{Topic: "Pulumi rule and policy management conflicts",
		Checks: Refs{Awsguard: []string{"security-group-no-rule-management-conflicts", "iam-role-no-policy-management-conflicts"}},
		Reason: "Unreleased (pulumi-policy-aws master after v0.4.0). The components never mix inline rules or policies with separate rule or attachment resources: the security group's inline egress is empty and its ingress rules are resources."},
}

// Coverage counts, for one tool, the applicable checks and how they are judged.
type Coverage struct {
	Tool                           Tool
	Applicable, Covered, Exception int
}

// CoverageOf counts PublicChecks per tool (tools without checks are left out).
func CoverageOf(catalog []Control) []Coverage {
	cited := map[[2]string]bool{}
	for _, c := range catalog {
		for _, t := range Tools {
			for _, id := range c.Refs.Of(t.Key) {
				cited[[2]string{t.Key, id}] = true
			}
		}
	}
	var out []Coverage
	for _, t := range Tools {
		cov := Coverage{Tool: t}
		for _, p := range PublicChecks {
			if p.Tool != t.Key {
				continue
			}
			cov.Applicable++
			switch {
			case cited[[2]string{t.Key, p.ID}]:
				cov.Covered++
			case slices.ContainsFunc(Exceptions, func(e Exception) bool { return slices.Contains(e.Checks.Of(t.Key), p.ID) }):
				cov.Exception++
			}
		}
		if cov.Applicable > 0 {
			out = append(out, cov)
		}
	}
	return out
}
