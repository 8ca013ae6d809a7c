package hardenedpg_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
)

// relaxations are, for every setting that weakens a hardened default, the controls it relaxes.
var relaxations = []struct {
	controls []string
	relax    func(a *hardenedpg.DatabaseArgs)
}{
	{[]string{"rds-non-default-port"}, func(a *hardenedpg.DatabaseArgs) { a.Instance.Port = 5432 }},
	{[]string{"rds-backup-retention"}, func(a *hardenedpg.DatabaseArgs) { a.Instance.BackupRetentionDays = 3 }},
	{[]string{"rds-multi-az"}, func(a *hardenedpg.DatabaseArgs) { a.Instance.SingleAZ = true }},
	{[]string{"rds-deletion-protection"}, func(a *hardenedpg.DatabaseArgs) { a.Instance.DisableDeletionProtection = true }},
	{[]string{"rds-final-snapshot"}, func(a *hardenedpg.DatabaseArgs) { a.Instance.SkipFinalSnapshot = true }},
	{[]string{"rds-performance-insights"}, func(a *hardenedpg.DatabaseArgs) { a.Instance.DisablePerformanceInsights = true }},
	{[]string{"rds-enhanced-monitoring"}, func(a *hardenedpg.DatabaseArgs) { a.Instance.DisableEnhancedMonitoring = true }},
	{[]string{"rds-private-subnets"}, func(a *hardenedpg.DatabaseArgs) { a.Network.SkipPrivateSubnetCheck = true }},
	{[]string{"rds-tags"}, func(a *hardenedpg.DatabaseArgs) { a.Tags = pulumi.ToStringMap(map[string]string{"owner": "platform"}) }},
	{[]string{"kms-deletion-window"}, func(a *hardenedpg.DatabaseArgs) { a.Keys.DeletionWindowInDays = 7 }},
	{[]string{"logs-retention"}, func(a *hardenedpg.DatabaseArgs) { a.Logs.RetentionDays = 30 }},
	{[]string{"logs-shipped"}, func(a *hardenedpg.DatabaseArgs) { a.Logs.DestinationArn, a.Archive.Skip = "", true }},
	{[]string{"backup-plan"}, func(a *hardenedpg.DatabaseArgs) { a.Backup.Skip = true }},
	{[]string{"vpc-flow-logs"}, func(a *hardenedpg.DatabaseArgs) { a.FlowLogs.Skip = true }},
	{[]string{"logs-retention"}, func(a *hardenedpg.DatabaseArgs) { a.FlowLogs.RetentionDays = 90 }},
	{[]string{"backup-independent-copy"}, func(a *hardenedpg.DatabaseArgs) { a.Replication.Region = "" }},
	{[]string{"events-instance", "events-parameter-group", "events-security-group", "alarms-present"}, func(a *hardenedpg.DatabaseArgs) { a.Alerts.Skip, a.Alerts.Emails = true, nil }},
	{[]string{"alarm-actions", "events-instance", "events-parameter-group", "events-security-group"}, func(a *hardenedpg.DatabaseArgs) { a.Alerts.Emails = nil }},
	// An Aurora cluster has its own events, relaxed with the others.
	{[]string{"events-cluster", "events-instance", "events-parameter-group", "events-security-group", "alarms-present"}, func(a *hardenedpg.DatabaseArgs) {
		toAurora(a)
		a.Alerts.Skip, a.Alerts.Emails = true, nil
	}},
	{[]string{"rds-multi-az"}, func(a *hardenedpg.DatabaseArgs) { toAurora(a); a.Instance.SingleAZ = true }},
	{[]string{"backup-independent-copy"}, func(a *hardenedpg.DatabaseArgs) { toAurora(a); a.Backup.CopyToVaultArn = "" }},
	{[]string{"pg-connection-logging"}, func(a *hardenedpg.DatabaseArgs) {
		a.Parameters = []hardenedpg.Parameter{{Name: "log_connections", Value: "0"}}
	}},
	{[]string{"pg-statement-logging"}, func(a *hardenedpg.DatabaseArgs) {
		a.Parameters = []hardenedpg.Parameter{{Name: "shared_preload_libraries", Value: "pgaudit"}}
	}},
	{[]string{"pg-log-redaction"}, func(a *hardenedpg.DatabaseArgs) {
		a.Parameters = []hardenedpg.Parameter{{Name: "log_statement", Value: "all"}}
	}},
	{[]string{"pg-audit"}, func(a *hardenedpg.DatabaseArgs) {
		a.Parameters = []hardenedpg.Parameter{{Name: "pgaudit.log", Value: "none"}}
	}},
}

// notRelaxedBySettings are waivable controls no setting weakens: hardenedpg always meets them, and
// they are waivable for stacks judged by the plan or the policy pack.
var notRelaxedBySettings = []string{"rds-no-extended-support"}

// Every relaxation is refused without its waiver, named in the error, and accepted with it; and
// every waivable control of the catalog is either relaxed by a setting here or listed above.
func TestEveryRelaxationNeedsItsWaiver(t *testing.T) {
	covered := slices.Clone(notRelaxedBySettings)
	for _, r := range relaxations {
		t.Run(strings.Join(r.controls, "+"), func(t *testing.T) {
			args := databaseArgs()
			r.relax(args)
			_, err := run(t, nil, newDatabase(args))
			require.Error(t, err)
			for _, c := range r.controls {
				assert.Contains(t, err.Error(), c, "the error names the control")
			}
			assert.Contains(t, err.Error(), "relaxes control")

			args = databaseArgs()
			r.relax(args)
			args.Waivers = baseline.Waivers{}
			for _, c := range r.controls {
				args.Waivers[c] = "test: relaxed on purpose"
			}
			_, err = run(t, nil, newDatabase(args))
			require.NoError(t, err)
		})
		covered = append(covered, r.controls...)
	}
	var waivable []string
	for _, c := range baseline.Catalog {
		if c.Waivable {
			waivable = append(waivable, c.Key)
		}
	}
	slices.Sort(covered)
	slices.Sort(waivable)
	assert.Equal(t, waivable, slices.Compact(covered), "every waivable control is relaxed by a setting or listed in notRelaxedBySettings")
}
