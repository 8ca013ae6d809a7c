package baseline

import "strings"

// The values the controls accept. hardenedpg builds its defaults and validation from these, so a
// component and the scorecard cannot disagree on what passes.
var (
	// SupportedMajorVersions are the PostgreSQL major versions RDS supports in standard support (rds-supported-engine).
	SupportedMajorVersions = []string{"14", "15", "16", "17", "18"}
	// CACertificates are the current RDS certificate authorities (rds-ca-cert).
	CACertificates = []string{"rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"}
	// DefaultCACertificate is the CA of an instance created without caCertIdentifier: "the default
	// CA for new DB instances" per
	// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html
	DefaultCACertificate = "rds-ca-rsa2048-g1"
	// MonitoringIntervals are the enhanced-monitoring intervals in seconds (rds-enhanced-monitoring).
	MonitoringIntervals = []int{1, 5, 10, 15, 30, 60}
	// LogExports are the logs every instance exports to CloudWatch (rds-log-exports):
	// iam-db-auth-error holds the failed IAM sign-ins, which every bootstrap user makes
	// (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Concepts.PostgreSQL.html).
	LogExports = []string{"postgresql", "upgrade", "iam-db-auth-error"}
	// DefaultAdminNames are the master user names scanners flag (rds-custom-admin).
	DefaultAdminNames = []string{"postgres", "admin"}
	// RequiredTagKeys are the tag keys rds-tags wants on the instance, subnet group and parameter group.
	RequiredTagKeys = []string{"environment", "owner"}
)

// EventCategories are the RDS event categories each source type's subscription must cover
// (events-* controls). failover tells a Multi-AZ instance switched over, backup that an automated
// backup failed or was delayed (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.Messages.html).
var EventCategories = map[string][]string{
	"db-instance":        {"backup", "configuration change", "failover", "failure", "maintenance"},
	"db-cluster":         {"failover", "failure", "maintenance"},
	"db-parameter-group": {"configuration change"},
	"db-security-group":  {"configuration change", "failure"},
}

// SecurityGroupChangeEvents are the EC2 API calls that change a security group's rules, as
// CloudTrail records them (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Operations.html);
// events-security-group wants an EventBridge rule on all of them.
var SecurityGroupChangeEvents = []string{
	"AuthorizeSecurityGroupEgress", "AuthorizeSecurityGroupIngress", "DeleteSecurityGroup",
	"ModifySecurityGroupRules", "RevokeSecurityGroupEgress", "RevokeSecurityGroupIngress",
	"UpdateSecurityGroupRuleDescriptionsEgress", "UpdateSecurityGroupRuleDescriptionsIngress",
}

// Numeric bounds of the controls.
const (
	MinBackupRetentionDays   = 7    // rds-backup-retention
	MaxBackupRetentionDays   = 35   // rds-backup-retention
	DefaultPostgresPort      = 5432 // rds-non-default-port: the port scanners probe first
	MinKeyDeletionWindowDays = 30   // kms-deletion-window
	MinLogRetentionDays      = 365  // logs-retention
)

// RoutesToInternet reports whether a route sends traffic to an internet gateway, whatever its
// destination: AWS calls a subnet public when "the subnet has a direct route to an internet
// gateway" (https://docs.aws.amazon.com/vpc/latest/userguide/configure-subnets.html), so a split
// default route (0.0.0.0/1 + 128.0.0.0/1) or a single host counts as much as 0.0.0.0/0.
func RoutesToInternet(gatewayID string) bool { return strings.HasPrefix(gatewayID, "igw-") }

// Family is the parameter group family of a PostgreSQL major version (pg-family-matches).
func Family(majorVersion string) string { return "postgres" + majorVersion }
