package hardenedpg

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// The names the library derives from the instance identifier. Each format is the one source of
// its name: the components build the name with it and identifierLimit checks it fits.
const (
	backupVaultNameFormat   = "hardenedpg-%s"
	backupPlanNameFormat    = "hardenedpg-%s"
	finalSnapshotNameFormat = "%s-final-%s" // the second verb is 8 hex digits
	metricNamespaceFormat   = baseline.AlarmNamespaceFormat
	keyAliasFormat          = "hardenedpg/%s/%s" // without "alias/"; the longest role is backup-replica
)

// nameLimit is AWS's limit on one derived name.
type nameLimit struct {
	what   string
	name   func(identifier string) string
	max    int
	source string
}

// nameLimits are the length limits, as AWS and the provider enforce them, of every name the
// library derives from the identifier; the identifier's own maximum is derived from them.
var nameLimits = []nameLimit{
	{"RDS instance identifier", func(id string) string { return id }, 63,
		"CreateDBInstance: DBInstanceIdentifier, 1 to 63 letters, digits or hyphens"},
	{"Aurora instance identifier", func(id string) string { return clusterInstanceIdentifier(id, MaxClusterReaders) }, 63,
		"CreateDBInstance: DBInstanceIdentifier, 1 to 63 letters, digits or hyphens (a cluster's instances are <identifier>-1 to -16)"},
	{"final snapshot identifier", func(id string) string { return fmt.Sprintf(finalSnapshotNameFormat, id, "0123abcd") }, 255,
		"CreateDBSnapshot: DBSnapshotIdentifier, 1 to 255 characters"},
	{"backup vault name", func(id string) string { return fmt.Sprintf(backupVaultNameFormat, id) }, 50,
		"AWS Backup CreateBackupVault: 2 to 50 characters; terraform-provider-aws aws_backup_vault validates 50"},
	{"backup plan name", func(id string) string { return fmt.Sprintf(backupPlanNameFormat, id) }, 50,
		"AWS Backup CreateBackupPlan: BackupPlanName, 1 to 50 letters, digits and -_. (terraform-provider-aws does not validate it)"},
	{"backup selection name", func(id string) string { return id }, 50,
		"AWS Backup CreateBackupSelection: SelectionName, 1 to 50 characters"},
	{"KMS alias", func(id string) string { return "alias/" + fmt.Sprintf(keyAliasFormat, id, "backup-replica") }, 256,
		"KMS CreateAlias: AliasName, 1 to 256 characters"},
	{"log group name", func(id string) string { return LogGroupName(id, "iam-db-auth-error") }, 512,
		"CloudWatch Logs CreateLogGroup: logGroupName, 1 to 512 characters"},
	{"CloudWatch metric namespace", func(id string) string { return fmt.Sprintf(metricNamespaceFormat, id) }, 255,
		"CloudWatch PutMetricData: Namespace, 1 to 255 characters"},
}

// MaxIdentifierLength is the longest identifier whose every derived name AWS accepts.
var MaxIdentifierLength = func() int {
	longest := 0
	for n := 1; n <= 63; n++ {
		id := fmt.Sprintf("%0*d", n, 0)
		if tightestLimit(id) != nil {
			break
		}
		longest = n
	}
	return longest
}()

// tightestLimit returns the first limit an identifier breaks, or nil.
func tightestLimit(identifier string) *nameLimit {
	for i, l := range nameLimits {
		if len(l.name(identifier)) > l.max {
			return &nameLimits[i]
		}
	}
	return nil
}

// autoNamed are the children whose AWS name Pulumi derives from the Database's own name (the
// child's resource name, a hyphen and 7 random hex digits), by the longest child under each of
// AWS's limits: the Database's name must leave room for them.
var autoNamed = []struct {
	what, typ, suffix string
	max               int
	source            string
}{
	{"EventBridge rule", baseline.TypeEventRule, "-alerts-security-group-changes", 64, "PutRule: Name, 1 to 64 characters"},
	{"IAM role", baseline.TypeRole, "-audit-archive-delivery-role", 64, "CreateRole: RoleName, 1 to 64 characters"},
	{"Firehose stream", baseline.TypeFirehose, "-audit-archive-stream", 64, "CreateDeliveryStream: DeliveryStreamName, 1 to 64 characters"},
	{"S3 bucket", baseline.TypeBucket, "-audit-archive-bucket", 63, "S3 bucket naming rules: 3 to 63 characters"},
}

// autoNameSuffixLength is what Pulumi appends to a resource name to make an AWS name unique.
const autoNameSuffixLength = 8

// databaseNamePattern is the name a Database's children can carry into every AWS name: S3 buckets
// take lowercase letters, digits and hyphens only, RDS parameter and subnet groups and event
// subscriptions start with a letter and have no two hyphens in a row.
var databaseNamePattern = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// MaxDatabaseNameLength is the longest Database name whose children's AWS names all fit.
var MaxDatabaseNameLength = func() int {
	longest := 64
	for _, a := range autoNamed {
		longest = min(longest, a.max-len(a.suffix)-autoNameSuffixLength)
	}
	return longest
}()

// checkDatabaseName reports a name AWS would refuse in a child's name.
func checkDatabaseName(p *problems, name string) {
	switch {
	case !databaseNamePattern.MatchString(name) || strings.HasPrefix(name, "sg-"):
		p.add("name", name, "want lowercase letters, digits and single hyphens, starting with a letter (not sg-): AWS names the bucket, roles, rules and groups after it")
	case len(name) > MaxDatabaseNameLength:
		for _, a := range autoNamed {
			if n := len(name) + len(a.suffix) + autoNameSuffixLength; n > a.max {
				p.add("name", name, "want at most %d characters: the %s would have %d, and AWS allows %d (%s)", MaxDatabaseNameLength, a.what, n, a.max, a.source)
				return
			}
		}
	}
}
