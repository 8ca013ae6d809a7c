// Package baseline is the control catalog of hardenedpg as Go data: every control that public
// scanners (AWS Security Hub, Prowler, Checkov, CIS) apply to an RDS for PostgreSQL stack, with a
// stable key that waivers name. It needs no Pulumi engine.
package baseline

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
)

// Severity ranks a control the way Security Hub does.
type Severity string

// Severities used by the catalog.
const (
	Critical Severity = "critical"
	High     Severity = "high"
	Medium   Severity = "medium"
	Low      Severity = "low"
)

// Refs are the IDs of a control in the public catalogs.
type Refs struct {
	SecurityHub []string `json:"securityHub"`
	Prowler     []string `json:"prowler"`
	Checkov     []string `json:"checkov"`
	CIS         []string `json:"cis"`
}

// Resource type tokens the catalog reads.
const (
	TypeInstance           = "aws:rds/instance:Instance"
	TypeParameterGroup     = "aws:rds/parameterGroup:ParameterGroup"
	TypeSubnetGroup        = "aws:rds/subnetGroup:SubnetGroup"
	TypeKey                = "aws:kms/key:Key"
	TypeSecurityGroup      = "aws:ec2/securityGroup:SecurityGroup"
	TypeIngressRule        = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
	TypeEgressRule         = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
	TypeSecurityGroupRule  = "aws:ec2/securityGroupRule:SecurityGroupRule"
	TypeLogGroup           = "aws:cloudwatch/logGroup:LogGroup"
	TypeSubscriptionFilter = "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter"
	TypeRole               = "aws:iam/role:Role"
	TypeRolePolicy         = "aws:iam/rolePolicy:RolePolicy"
	TypePolicy             = "aws:iam/policy:Policy"
	TypeEventSubscription  = "aws:rds/eventSubscription:EventSubscription"
	TypeBackupSelection    = "aws:backup/selection:Selection"
	TypeBackupVault        = "aws:backup/vault:Vault"
	TypeBackupVaultLock    = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"
	TypeProxy              = "aws:rds/proxy:Proxy"
	TypeTopic              = "aws:sns/topic:Topic"
	TypeTopicSubscription  = "aws:sns/topicSubscription:TopicSubscription"
	TypeEventRule          = "aws:cloudwatch/eventRule:EventRule"
	TypeEventTarget        = "aws:cloudwatch/eventTarget:EventTarget"
	TypeBucket             = "aws:s3/bucketV2:BucketV2"
	TypeBucketVersioning   = "aws:s3/bucketVersioningV2:BucketVersioningV2"
	TypeBucketObjectLock   = "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2"
	TypeBucketEncryption   = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	TypeBucketPublicAccess = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	TypeBucketPolicy       = "aws:s3/bucketPolicy:BucketPolicy"
	TypeFirehose           = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
	TypeBackupReplication  = "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication"
	TypeBackupPlan         = "aws:backup/plan:Plan"
	TypeKeyAlias           = "aws:kms/alias:Alias"
	TypeTopicPolicy        = "aws:sns/topicPolicy:TopicPolicy"
	TypeBucketOwnership    = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	TypeBucketLifecycle    = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
	TypeRolePolicyAttach   = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	TypeMetricAlarm        = "aws:cloudwatch/metricAlarm:MetricAlarm"
	TypeLogMetricFilter    = "aws:cloudwatch/logMetricFilter:LogMetricFilter"
	TypeRandomID           = "random:index/randomId:RandomId"
	// The network a program may create around the database: the private-subnet proof reads it.
	TypeVpc                   = "aws:ec2/vpc:Vpc"
	TypeSubnet                = "aws:ec2/subnet:Subnet"
	TypeRouteTable            = "aws:ec2/routeTable:RouteTable"
	TypeRoute                 = "aws:ec2/route:Route"
	TypeRouteTableAssociation = "aws:ec2/routeTableAssociation:RouteTableAssociation"
	TypeInternetGateway       = "aws:ec2/internetGateway:InternetGateway"
	TypeNatGateway            = "aws:ec2/natGateway:NatGateway"
)

// Invoke tokens of the look-ups the components make and the checks read.
const (
	InvokeCallerIdentity = "aws:index/getCallerIdentity:getCallerIdentity"
	InvokeRegion         = "aws:index/getRegion:getRegion"
	InvokePartition      = "aws:index/getPartition:getPartition"
	InvokeSubnet         = "aws:ec2/getSubnet:getSubnet"
	InvokeRouteTable     = "aws:ec2/getRouteTable:getRouteTable"
	InvokeVpc            = "aws:ec2/getVpc:getVpc"
)

// Control is one entry of the catalog.
type Control struct {
	Key      string
	Title    string
	Severity Severity
	Refs     Refs
	// Reads lists the resource types the control inspects; a stack with none of them makes the
	// control not applicable.
	Reads []string
	// Waivable is false for controls no reason can relax (encryption, public access).
	Waivable bool
}

// Catalog is every control, in the order of CONTROLS.md.
var Catalog = []Control{
	{Key: "rds-not-public", Title: "Instance is not publicly accessible", Severity: Critical, Reads: []string{TypeInstance},
		Refs: Refs{SecurityHub: []string{"RDS.2"}, Prowler: []string{"rds_instance_no_public_access"}, Checkov: []string{"CKV_AWS_17"}, CIS: []string{"2.2.3"}}},
	{Key: "rds-private-subnets", Title: "Every subnet of the subnet group is private", Severity: High, Reads: []string{TypeSubnetGroup}, Waivable: true,
		Refs: Refs{SecurityHub: []string{"RDS.46"}}},
	{Key: "rds-in-vpc", Title: "Instance runs in a VPC subnet group", Severity: High, Reads: []string{TypeInstance},
		Refs: Refs{SecurityHub: []string{"RDS.18"}, Prowler: []string{"rds_instance_inside_vpc"}}},
	{Key: "rds-encrypted", Title: "Storage is encrypted", Severity: High, Reads: []string{TypeInstance},
		Refs: Refs{SecurityHub: []string{"RDS.3"}, Prowler: []string{"rds_instance_storage_encrypted"}, Checkov: []string{"CKV_AWS_16"}, CIS: []string{"2.2.1"}}},
	{Key: "rds-cmk", Title: "Storage is encrypted with a customer-managed key of the stack", Severity: Medium, Reads: []string{TypeInstance, TypeKey}},
	{Key: "rds-multi-az", Title: "Instance is Multi-AZ", Severity: Medium, Reads: []string{TypeInstance}, Waivable: true,
		Refs: Refs{SecurityHub: []string{"RDS.5"}, Prowler: []string{"rds_instance_multi_az"}, Checkov: []string{"CKV_AWS_157"}, CIS: []string{"2.2.4"}}},
	{Key: "rds-enhanced-monitoring", Title: "Enhanced monitoring is on", Severity: Low, Reads: []string{TypeInstance}, Waivable: true,
		Refs: Refs{SecurityHub: []string{"RDS.6"}, Prowler: []string{"rds_instance_enhanced_monitoring_enabled"}, Checkov: []string{"CKV_AWS_118"}}},
	{Key: "rds-deletion-protection", Title: "Deletion protection is on", Severity: Low, Reads: []string{TypeInstance}, Waivable: true,
		Refs: Refs{SecurityHub: []string{"RDS.8"}, Prowler: []string{"rds_instance_deletion_protection"}, Checkov: []string{"CKV_AWS_293"}}},
	{Key: "rds-log-exports", Title: "postgresql and upgrade logs are exported to CloudWatch", Severity: Medium, Reads: []string{TypeInstance},
		Refs: Refs{SecurityHub: []string{"RDS.9", "RDS.36"}, Prowler: []string{"rds_instance_integration_cloudwatch_logs"}, Checkov: []string{"CKV_AWS_129"}}},
	{Key: "rds-iam-auth", Title: "IAM database authentication is on", Severity: Medium, Reads: []string{TypeInstance},
		Refs: Refs{SecurityHub: []string{"RDS.10"}, Prowler: []string{"rds_instance_iam_authentication_enabled"}, Checkov: []string{"CKV_AWS_161"}}},
	{Key: "rds-backup-retention", Title: "Automated backups are kept 7 to 35 days", Severity: Medium, Reads: []string{TypeInstance}, Waivable: true,
		Refs: Refs{SecurityHub: []string{"RDS.11"}, Prowler: []string{"rds_instance_backup_enabled"}, Checkov: []string{"CKV_AWS_133"}}},
	{Key: "rds-minor-upgrades", Title: "Automatic minor version upgrades are on", Severity: High, Reads: []string{TypeInstance},
		Refs: Refs{SecurityHub: []string{"RDS.13"}, Prowler: []string{"rds_instance_minor_version_upgrade_enabled"}, Checkov: []string{"CKV_AWS_226"}, CIS: []string{"2.2.2"}}},
	{Key: "rds-copy-tags", Title: "Tags are copied to snapshots", Severity: Low, Reads: []string{TypeInstance},
		Refs: Refs{SecurityHub: []string{"RDS.17"}, Prowler: []string{"rds_instance_copy_tags_to_snapshots"}, Checkov: []string{"CKV2_AWS_60"}}},
	{Key: "rds-non-default-port", Title: "Instance does not listen on 5432", Severity: Low, Reads: []string{TypeInstance}, Waivable: true,
		Refs: Refs{SecurityHub: []string{"RDS.23"}, Prowler: []string{"rds_instance_non_default_port"}}},
	{Key: "rds-custom-admin", Title: "Master user name is not a default", Severity: Medium, Reads: []string{TypeInstance},
		Refs: Refs{SecurityHub: []string{"RDS.25"}, Prowler: []string{"rds_instance_default_admin"}}},
	{Key: "rds-managed-password", Title: "Master password is managed and rotated by RDS with a stack key", Severity: High, Reads: []string{TypeInstance},
		Refs: Refs{SecurityHub: []string{"SecretsManager.1"}, Prowler: []string{"secretsmanager_automatic_rotation_enabled"}, Checkov: []string{"CKV_AWS_149"}}},
	{Key: "rds-ca-cert", Title: "Server certificate is from a current RDS CA", Severity: Medium, Reads: []string{TypeInstance},
		Refs: Refs{Prowler: []string{"rds_instance_certificate_expiration"}, Checkov: []string{"CKV_AWS_211"}}},
	{Key: "rds-supported-engine", Title: "Engine is PostgreSQL on a supported major version", Severity: High, Reads: []string{TypeInstance},
		Refs: Refs{Prowler: []string{"rds_instance_deprecated_engine_version"}, Checkov: []string{"CKV_AWS_250"}}},
	{Key: "rds-no-extended-support", Title: "RDS Extended Support is off", Severity: Low, Reads: []string{TypeInstance}, Waivable: true,
		Refs: Refs{Prowler: []string{"rds_instance_extended_support"}}},
	{Key: "rds-performance-insights", Title: "Performance Insights is on and encrypted with a stack key", Severity: Low, Reads: []string{TypeInstance}, Waivable: true,
		Refs: Refs{Checkov: []string{"CKV_AWS_353", "CKV_AWS_354"}}},
	{Key: "rds-final-snapshot", Title: "A final snapshot is taken on delete", Severity: Medium, Reads: []string{TypeInstance}, Waivable: true},
	{Key: "rds-tags", Title: "Instance, subnet group and parameter group carry the required tags", Severity: Low, Reads: []string{TypeInstance, TypeSubnetGroup, TypeParameterGroup}, Waivable: true,
		Refs: Refs{SecurityHub: []string{"RDS.30", "RDS.33"}}},

	{Key: "pg-force-ssl", Title: "rds.force_ssl is 1", Severity: High, Reads: []string{TypeInstance},
		Refs: Refs{SecurityHub: []string{"RDS.38"}, Prowler: []string{"rds_instance_transport_encrypted"}, Checkov: []string{"CKV2_AWS_69"}}},
	{Key: "pg-tls-min", Title: "TLS 1.2 or newer", Severity: High, Reads: []string{TypeInstance}},
	{Key: "pg-scram", Title: "Only SCRAM-SHA-256 passwords: stored as SCRAM, and RDS accepts no md5 password", Severity: High, Reads: []string{TypeInstance}},
	{Key: "pg-connection-logging", Title: "Connections and disconnections are logged", Severity: Medium, Reads: []string{TypeInstance}, Waivable: true},
	// Not CKV2_AWS_30: it wants log_statement=all, which writes every password to the log.
	{Key: "pg-statement-logging", Title: "Slow statements are measured without their text: pg_stat_statements is loaded", Severity: Medium, Reads: []string{TypeInstance}, Waivable: true},
	// CIS's PostgreSQL rule for Cloud SQL (Checkov CKV_GCP_57) turns slow-statement logging off for the same reason.
	{Key: "pg-log-redaction", Title: "No statement text reaches the log, on success, failure or slowness: pgAudit logs DDL and ROLE with passwords redacted", Severity: High, Reads: []string{TypeInstance}, Waivable: true},
	{Key: "pg-audit", Title: "pgAudit is loaded, logs DDL and ROLE statements, and its lines reach the log", Severity: High, Reads: []string{TypeInstance}, Waivable: true},
	{Key: "pg-family-matches", Title: "Parameter group family matches the engine major version", Severity: High, Reads: []string{TypeInstance}},

	{Key: "kms-rotation", Title: "Every stack key rotates", Severity: Medium, Reads: []string{TypeKey},
		Refs: Refs{SecurityHub: []string{"KMS.4"}, Prowler: []string{"kms_cmk_rotation_enabled"}, Checkov: []string{"CKV_AWS_7"}, CIS: []string{"3.6"}}},
	{Key: "kms-policy", Title: "Key policies grant no unconditioned * principal", Severity: Critical, Reads: []string{TypeKey},
		Refs: Refs{SecurityHub: []string{"KMS.5"}, Prowler: []string{"kms_key_not_publicly_accessible"}, Checkov: []string{"CKV_AWS_33", "CKV2_AWS_64"}}},
	{Key: "kms-deletion-window", Title: "Keys have a 30-day deletion window and are enabled", Severity: Medium, Reads: []string{TypeKey}, Waivable: true,
		Refs: Refs{SecurityHub: []string{"KMS.3"}, Prowler: []string{"kms_cmk_not_deleted_unintentionally"}, Checkov: []string{"CKV_AWS_227"}}},
	{Key: "iam-no-kms-star", Title: "No IAM policy allows kms:Decrypt or kms:ReEncryptFrom on *", Severity: Medium, Reads: []string{TypeRole, TypeRolePolicy, TypePolicy},
		Refs: Refs{SecurityHub: []string{"KMS.1", "KMS.2"}}},
	{Key: "sg-no-cidr-ingress", Title: "Database ingress comes only from security groups", Severity: High, Reads: []string{TypeSecurityGroup},
		Refs: Refs{SecurityHub: []string{"EC2.18", "EC2.19"}, Prowler: []string{"ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_postgres_5432"}, Checkov: []string{"CKV_AWS_277"}, CIS: []string{"5.2"}}},
	{Key: "sg-no-open-egress", Title: "No egress to all addresses (0.0.0.0/0, ::/0, in any spelling or split)", Severity: Medium, Reads: []string{TypeSecurityGroup},
		Refs: Refs{Checkov: []string{"CKV_AWS_382"}}},
	{Key: "sg-descriptions", Title: "Security group and every rule are described", Severity: Low, Reads: []string{TypeSecurityGroup},
		Refs: Refs{Checkov: []string{"CKV_AWS_23"}}},
	{Key: "logs-cmk", Title: "Log groups are encrypted with a stack key", Severity: Medium, Reads: []string{TypeLogGroup},
		Refs: Refs{Prowler: []string{"cloudwatch_log_group_kms_encryption_enabled"}, Checkov: []string{"CKV_AWS_158"}}},
	{Key: "logs-retention", Title: "Log groups keep 365 days or more", Severity: Medium, Reads: []string{TypeLogGroup}, Waivable: true,
		Refs: Refs{SecurityHub: []string{"CloudWatch.16"}, Prowler: []string{"cloudwatch_log_group_retention_policy_specific_days_enabled"}, Checkov: []string{"CKV_AWS_338"}}},
	{Key: "logs-shipped", Title: "Every exported log group streams to the audit destination", Severity: Medium, Reads: []string{TypeLogGroup}, Waivable: true},
	{Key: "events-instance", Title: "Event subscription for instance maintenance, configuration change and failure", Severity: Low, Reads: []string{TypeInstance}, Waivable: true,
		Refs: Refs{SecurityHub: []string{"RDS.20"}, Prowler: []string{"rds_instance_critical_event_subscription"}}},
	{Key: "events-parameter-group", Title: "Event subscription for parameter group configuration change", Severity: Low, Reads: []string{TypeParameterGroup}, Waivable: true,
		Refs: Refs{SecurityHub: []string{"RDS.21"}, Prowler: []string{"rds_instance_event_subscription_parameter_groups"}}},
	{Key: "events-security-group", Title: "Event subscription for security group configuration change and failure", Severity: Low, Reads: []string{TypeSecurityGroup}, Waivable: true,
		Refs: Refs{SecurityHub: []string{"RDS.22"}, Prowler: []string{"rds_instance_event_subscription_security_groups"}}},
	{Key: "backup-plan", Title: "An AWS Backup plan covers the instance", Severity: Medium, Reads: []string{TypeInstance}, Waivable: true,
		Refs: Refs{SecurityHub: []string{"RDS.26"}, Prowler: []string{"rds_instance_protected_by_backup_plan"}}},
	{Key: "backup-vault-cmk", Title: "The backup vault has its own key", Severity: Medium, Reads: []string{TypeBackupVault},
		Refs: Refs{SecurityHub: []string{"Backup.1"}, Prowler: []string{"backup_vaults_encrypted"}}},
	{Key: "backup-vault-lock", Title: "The backup vault is locked", Severity: Medium, Reads: []string{TypeBackupVault}},
	// AWS Backup does not re-encrypt RDS snapshots with the vault key ("Independent encryption: not
	// supported" for RDS, https://docs.aws.amazon.com/aws-backup/latest/devguide/encryption.html): the
	// recovery points stay under the storage key, and only a copy elsewhere survives its loss.
	{Key: "backup-independent-copy", Title: "A copy of the backups lives under another key, in another region or account", Severity: High, Reads: []string{TypeInstance}, Waivable: true},
	{Key: "proxy-tls", Title: "RDS Proxy requires TLS and IAM auth", Severity: High, Reads: []string{TypeProxy},
		Refs: Refs{SecurityHub: []string{"RDS.43"}}},

	// Not in CONTROLS.md: they cover what the alerts and the audit archive add.
	{Key: "sns-cmk", Title: "Topics are encrypted with a stack key", Severity: Medium, Reads: []string{TypeTopic},
		Refs: Refs{SecurityHub: []string{"SNS.1"}, Prowler: []string{"sns_topics_kms_encryption_at_rest_enabled"}, Checkov: []string{"CKV_AWS_26"}}},
	{Key: "iam-scoped-writes", Title: "No IAM policy of the stack allows a write action on *", Severity: High, Reads: []string{TypeRole, TypeRolePolicy, TypePolicy},
		Refs: Refs{Checkov: []string{"CKV_AWS_290", "CKV_AWS_355"}}},
	{Key: "s3-object-lock", Title: "Archive buckets are Object-Locked in COMPLIANCE mode", Severity: High, Reads: []string{TypeBucket},
		Refs: Refs{SecurityHub: []string{"S3.15"}, Checkov: []string{"CKV_AWS_143"}}},
	{Key: "s3-versioning", Title: "Archive buckets are versioned", Severity: Medium, Reads: []string{TypeBucket},
		Refs: Refs{SecurityHub: []string{"S3.14"}, Prowler: []string{"s3_bucket_object_versioning"}, Checkov: []string{"CKV_AWS_21"}}},
	{Key: "s3-cmk", Title: "Archive buckets are encrypted with a stack key", Severity: Medium, Reads: []string{TypeBucket},
		Refs: Refs{SecurityHub: []string{"S3.17"}, Prowler: []string{"s3_bucket_kms_encryption"}, Checkov: []string{"CKV_AWS_145"}}},
	{Key: "s3-public-access-block", Title: "Archive buckets block every form of public access", Severity: Critical, Reads: []string{TypeBucket},
		Refs: Refs{SecurityHub: []string{"S3.8"}, Prowler: []string{"s3_bucket_level_public_access_block"}, Checkov: []string{"CKV2_AWS_6"}}},
	{Key: "s3-tls-only", Title: "Archive buckets refuse requests without TLS", Severity: Medium, Reads: []string{TypeBucket},
		Refs: Refs{SecurityHub: []string{"S3.5"}, Prowler: []string{"s3_bucket_secure_transport_policy"}}},
	{Key: "firehose-cmk", Title: "Delivery streams and what they write are encrypted with a stack key", Severity: Medium, Reads: []string{TypeFirehose},
		Refs: Refs{Checkov: []string{"CKV_AWS_240", "CKV_AWS_241"}}},
}

// Lookup returns the control with the given key.
func Lookup(key string) (Control, bool) {
	for _, c := range Catalog {
		if c.Key == key {
			return c, true
		}
	}
	return Control{}, false
}

// PackWaiversPolicy is the policy of the policy pack (./policy) whose config holds waivers:
// {"hardenedpg-waivers": {"waivers": {"<control key>": "<reason>"}}}.
const PackWaiversPolicy = "hardenedpg-waivers"

// Waivers maps a control key to the reason it is relaxed. A waiver is the only way to relax a
// hardened default; it is applied and reported as "waived" with its reason.
type Waivers map[string]string

// WaiverProblem is one waiver that cannot be applied.
type WaiverProblem struct {
	Key, Reason, Problem string
}

// Problems lists every waiver that names no control, names a control that cannot be waived, or
// gives no reason, sorted by key.
func (w Waivers) Problems() []WaiverProblem {
	var out []WaiverProblem
	for _, k := range slices.Sorted(maps.Keys(w)) {
		c, ok := Lookup(k)
		switch {
		case !ok:
			out = append(out, WaiverProblem{k, w[k], fmt.Sprintf("%q is not a control key; waivable keys: %s", k, strings.Join(WaivableKeys(), ", "))})
		case !c.Waivable:
			out = append(out, WaiverProblem{k, w[k], fmt.Sprintf("control %s (%s) cannot be waived", k, c.Title)})
		case strings.TrimSpace(w[k]) == "":
			out = append(out, WaiverProblem{k, w[k], "the reason is empty; say why the control is relaxed"})
		case !visibleLine(w[k]):
			out = append(out, WaiverProblem{k, w[k], "the reason must be one line of visible text: no line breaks, control or invisible characters"})
		}
	}
	return out
}

// visibleLine reports whether s has no control or format character (line breaks, terminal
// escapes, zero-width and bidi characters) and at least one visible character.
func visibleLine(s string) bool {
	visible := false
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return false
		}
		visible = visible || (unicode.IsGraphic(r) && !unicode.IsSpace(r))
	}
	return visible
}

// Has reports whether control key is waived.
func (w Waivers) Has(key string) bool {
	_, ok := w[key]
	return ok
}

// WaivableKeys lists the keys a waiver may name, in catalog order.
func WaivableKeys() []string {
	var keys []string
	for _, c := range Catalog {
		if c.Waivable {
			keys = append(keys, c.Key)
		}
	}
	return keys
}
