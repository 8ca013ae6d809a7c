package hardenedpg_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
)

// A part that is skipped takes none of its settings: each one set would be ignored silently.
func TestSettingsOfASkippedPartAreRefused(t *testing.T) {
	args := databaseArgs()
	args.Alerts = hardenedpg.AlertSettings{Skip: true, Emails: []string{"dba@example.com"}, HTTPSEndpoints: []pulumi.StringInput{pulumi.String("https://hooks.example.com/x")}, CPUPercent: 90}
	args.Waivers = baseline.Waivers{"events-instance": "t", "events-parameter-group": "t", "events-security-group": "t", "alarms-present": "t"}
	assert.EqualError(t, args.Validate(), `invalid arguments:
  Alerts.Emails = ["dba@example.com"]: would be ignored: there are no alerts (Alerts.Skip); remove it
  Alerts.HTTPSEndpoints = 1 inputs: would be ignored: there are no alerts (Alerts.Skip); remove it
  Alerts.CPUPercent = 90: would be ignored: there are no alerts (Alerts.Skip); remove it`)
}

// Skip is a Database's choice: a component made by hand refuses it rather than ignore it.
func TestComponentsRefuseSkip(t *testing.T) {
	_, err := run(t, nil, func(ctx *pulumi.Context) error {
		args := alertsArgs()
		args.Skip = true
		_, err := hardenedpg.NewAlerts(ctx, "alerts", args)
		return err
	})
	assert.EqualError(t, err, `hardenedpg.NewAlerts "alerts": invalid arguments:
  Skip = true: only a Database reads it; to have no Alerts, do not create one`)
}

// Problems of every group carry the group's path, and so do the fields a problem names.
func TestProblemsNameThePathOfTheSetting(t *testing.T) {
	args := databaseArgs()
	args.Alerts.CPUPercent = 101
	args.Backup = hardenedpg.BackupSettings{VaultMinRetentionDays: 10, VaultMaxRetentionDays: 5}
	args.Replication.Region = "mars"
	args.Instance.MonitoringIntervalSeconds = 2
	err := args.Validate()
	var ve hardenedpg.ValidationError
	require.ErrorAs(t, err, &ve)
	fields := map[string][]string{}
	for _, fe := range ve {
		fields[fe.Field] = fe.FieldReferences()
	}
	assert.Equal(t, map[string][]string{
		"Instance.MonitoringIntervalSeconds": {"Instance.DisableEnhancedMonitoring"},
		"Alerts.CPUPercent":                  nil,
		"Backup.VaultMaxRetentionDays":       {"Backup.VaultMinRetentionDays"},
		"Backup.RetentionDays":               nil,
		"Replication.Region":                 nil,
	}, fields)
	assert.Contains(t, err.Error(), "Backup.VaultMaxRetentionDays = 5: want Backup.VaultMinRetentionDays (10) to 36500")
}

// Tag values are inputs: a secret from config reaches every resource as a secret, and counts
// towards rds-tags by its key.
func TestTagValuesAreInputs(t *testing.T) {
	args := databaseArgs()
	args.Tags = pulumi.StringMap{"environment": pulumi.String("prod"), "owner": pulumi.ToSecret(pulumi.String("platform")).(pulumi.StringOutput)}
	res := hardenedpgtest.Run(newDatabase(args))
	require.NoError(t, res.Err)
	inst := res.ByType(baseline.TypeInstance)[0]
	assert.Equal(t, map[string]any{"environment": "prod", "owner": "[secret]", "managed-by": "hardenedpg"}, inst.Inputs["tags"])
	for _, r := range res.Scorecard(nil) {
		if r.Key == "rds-tags" {
			assert.Equal(t, baseline.Pass, r.Status, r.Detail)
		}
	}

	args.Tags = pulumi.StringMap{"environment": pulumi.String("prod"), "owner": pulumi.String(" ")}
	assert.ErrorContains(t, args.Validate(), `Tags = ["environment","owner"]: relaxes control rds-tags (hardened: tags with the keys environment, owner; missing: owner)`)
}

// A component's outputs are its tagged fields, by the tag's name, those of InstanceOutputs too; an
// output of a part not made is absent, not empty.
func TestOutputsAreTheTaggedFields(t *testing.T) {
	var db *hardenedpg.Database
	args := databaseArgs()
	args.Backup.Skip, args.Waivers = true, baseline.Waivers{"backup-plan": "t"}
	res := hardenedpgtest.Run(func(ctx *pulumi.Context) (err error) {
		db, err = hardenedpg.NewDatabase(ctx, "db", args)
		return err
	})
	require.NoError(t, res.Err)
	assert.ElementsMatch(t, []string{
		"address", "port", "endpoint", "arn", "resourceId", "masterUserSecretArn", "connectPolicy",
		"storageKeyArn", "logsKeyArn", "securityGroupId", "alertsTopicArn",
	}, slices.Collect(maps.Keys(hardenedpg.Outputs(db))))
}

// Tags AWS would refuse are refused before anything is created, each by its key.
func TestTagsAWSWouldRefuse(t *testing.T) {
	args := databaseArgs()
	args.Tags = map[string]pulumi.StringInput{
		"environment": pulumi.String("prod"), "owner": pulumi.String("platform"),
		"aws:cloudformation:stack-name": pulumi.String("x"),
		"cost-center":                   nil,
		"note":                          pulumi.String(strings.Repeat("x", 257)),
		strings.Repeat("k", 129):        pulumi.String("x"),
	}
	assert.EqualError(t, args.Validate(), `invalid arguments:
  Tags["aws:cloudformation:stack-name"] = "aws:cloudformation:stack-name": the aws: and rds: prefixes are reserved for AWS's own tags
  Tags["cost-center"] = <nil>: want a value: a string or an input
  Tags["`+strings.Repeat("k", 129)+`"] = "`+strings.Repeat("k", 129)+`": want a key of 1 to 128 characters
  Tags["note"] = 257 characters: want a value of at most 256 characters`)
}

// The rules of RDS and IAM beyond length: the character set, the rds: prefix of keys and values,
// the aws: prefix of values and 50 tags a resource, counting managed-by and the provider's
// default tags (the review's finding 6).
func TestTagsRDSWouldRefuse(t *testing.T) {
	args := databaseArgs()
	args.Tags = map[string]pulumi.StringInput{
		"environment": pulumi.String("prod"), "owner": pulumi.String("platform"),
		"R&D":        pulumi.String("x"),
		"team":       pulumi.String("data, analytics"),
		"rds:backup": pulumi.String("x"),
		"source":     pulumi.String("rds:snapshot"),
		"origin":     pulumi.String("aws:migrated"),
		"ok":         pulumi.String("Ünïcode 1.0 /path=+-@:_"),
	}
	assert.EqualError(t, args.Validate(), `invalid arguments:
  Tags["R&D"] = "R&D": want a key of letters, digits, spaces and _.:/=+-@ only (RDS and IAM refuse other characters)
  Tags["origin"] = "aws:migrated": RDS refuses a value prefixed aws: or rds:
  Tags["rds:backup"] = "rds:backup": the aws: and rds: prefixes are reserved for AWS's own tags
  Tags["source"] = "rds:snapshot": RDS refuses a value prefixed aws: or rds:
  Tags["team"] = "data, analytics": want a value of letters, digits, spaces and _.:/=+-@ only (RDS and IAM refuse other characters)`)

	args = databaseArgs()
	inherited := map[string]string{}
	for i := range 47 {
		args.Tags[fmt.Sprintf("t%02d", i)] = pulumi.String("x")
	}
	require.NoError(t, args.ValidateWithProviderTags(inherited), "47 + environment, owner and managed-by = 50")
	inherited["cost-center"] = "42"
	assert.EqualError(t, args.ValidateWithProviderTags(inherited), `invalid arguments:
  Tags = 49 tags: want at most 50 tags on each resource: these, managed-by and the provider's 1 default tags make 51`)
}
