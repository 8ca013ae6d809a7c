package hardenedpg_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
)

const instanceArn = "arn:aws:rds:eu-west-1:123456789012:db:orders"

func TestBackupPlanLockedVaultOwnKey(t *testing.T) {
	copyTo := "arn:aws:backup:eu-central-1:210987654321:backup-vault:central"
	m := mustRun(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewBackupPlan(ctx, "backup", &hardenedpg.BackupPlanArgs{
			Identifier: "orders", InstanceArn: pulumi.String(instanceArn), BackupSettings: hardenedpg.BackupSettings{CopyToVaultArn: copyTo},
		})
		return err
	})
	key := only(t, m, typeKey)
	assert.Equal(t, "backup-key-key", key.Name)
	assert.True(t, key.RetainOnDelete)
	via := statements(t, key.Inputs["policy"])["UseThroughNamedServices"]["Condition"].(map[string]any)["StringEquals"].(map[string]any)["kms:ViaService"]
	assert.Equal(t, []any{"backup.eu-west-1.amazonaws.com"}, via)

	vault := only(t, m, baseline.TypeBackupVault)
	assert.Equal(t, map[string]any{
		"name": "hardenedpg-orders", "kmsKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/" + only(t, m, typeAlias).Inputs["targetKeyId"].(string),
		"forceDestroy": false,
	}, vault.Inputs)
	assert.True(t, vault.Protect)
	assert.Equal(t, map[string]any{
		"backupVaultName": "hardenedpg-orders", "minRetentionDays": 7.0, "maxRetentionDays": 400.0, "changeableForDays": 3.0,
	}, only(t, m, baseline.TypeBackupVaultLock).Inputs)
	assert.True(t, only(t, m, baseline.TypeBackupVaultLock).RetainOnDelete, "a replaced lock is written over, never deleted: deleting it would unlock the vault")

	rule := only(t, m, baseline.TypeBackupPlan).Inputs["rules"].([]any)[0].(map[string]any)
	assert.Equal(t, "daily", rule["ruleName"])
	assert.Equal(t, "cron(0 6 * * ? *)", rule["schedule"])
	assert.Equal(t, "hardenedpg-orders", rule["targetVaultName"])
	assert.Equal(t, map[string]any{"deleteAfter": 35.0}, rule["lifecycle"])
	assert.Equal(t, []any{map[string]any{"destinationVaultArn": copyTo, "lifecycle": map[string]any{"deleteAfter": 35.0}}}, rule["copyActions"])

	sel := only(t, m, baseline.TypeBackupSelection)
	assert.Equal(t, []any{instanceArn}, sel.Inputs["resources"])
	role := only(t, m, typeRole)
	assert.Equal(t, role.Outputs["arn"], sel.Inputs["iamRoleArn"])
	trust := statements(t, role.Inputs["assumeRolePolicy"])[""]
	assert.Equal(t, map[string]any{"Service": []any{"backup.amazonaws.com"}}, trust["Principal"])
	var policies []any
	for _, a := range m.ByType(typeRoleAttachment) {
		policies = append(policies, a.Inputs["policyArn"])
	}
	assert.ElementsMatch(t, []any{
		"arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
		"arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
	}, policies)
}

func TestBackupPlanBadArgs(t *testing.T) {
	m, err := run(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewBackupPlan(ctx, "backup", &hardenedpg.BackupPlanArgs{
			Identifier: "orders", BackupSettings: hardenedpg.BackupSettings{RetentionDays: 500, Schedule: "daily", VaultChangeableForDays: 1, CopyToVaultArn: "central"},
		})
		return err
	})
	assert.EqualError(t, err, `hardenedpg.NewBackupPlan "backup": invalid arguments:
  InstanceArn = "": required
  Schedule = "daily": want an AWS Backup cron expression, e.g. cron(0 6 * * ? *)
  RetentionDays = 500: want 7 to 400: the vault lock refuses recovery points kept shorter or longer
  VaultChangeableForDays = 1: want 3 or more (AWS Backup's minimum grace period before the lock is immutable)
  CopyToVaultArn = "central": want a backup vault ARN: arn:aws:backup:<region>:<account>:backup-vault:<name>`)
	assert.Empty(t, m.Resources())

	m, err = run(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewBackupPlan(ctx, "backup", &hardenedpg.BackupPlanArgs{
			Identifier: "orders", InstanceArn: pulumi.String(instanceArn), BackupSettings: hardenedpg.BackupSettings{VaultMaxRetentionDays: 40000},
		})
		return err
	})
	assert.EqualError(t, err, `hardenedpg.NewBackupPlan "backup": invalid arguments:
  VaultMaxRetentionDays = 40000: want VaultMinRetentionDays (7) to 36500`)
	assert.Empty(t, m.Resources())
}
