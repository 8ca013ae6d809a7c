package hardenedpg

import "fmt"

// The names the library derives from the instance identifier. Each format is the one source of
// its name: the components build the name with it and identifierLimit checks it fits.
const (
	backupVaultNameFormat   = "hardenedpg-%s"
	backupPlanNameFormat    = "hardenedpg-%s"
	finalSnapshotNameFormat = "%s-final-%s" // the second verb is 8 hex digits
	metricNamespaceFormat   = "hardenedpg/%s"
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
	{"final snapshot identifier", func(id string) string { return fmt.Sprintf(finalSnapshotNameFormat, id, "0123abcd") }, 255,
		"CreateDBSnapshot: DBSnapshotIdentifier, 1 to 255 characters"},
	{"backup vault name", func(id string) string { return fmt.Sprintf(backupVaultNameFormat, id) }, 50,
		"AWS Backup CreateBackupVault: 2 to 50 characters; terraform-provider-aws aws_backup_vault validates 50"},
	{"backup plan name", func(id string) string { return fmt.Sprintf(backupPlanNameFormat, id) }, 50,
		"terraform-provider-aws aws_backup_plan: name validated to 50 characters"},
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
