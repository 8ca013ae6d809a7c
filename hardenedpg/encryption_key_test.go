package hardenedpg_test

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
)

func storageKeyArgs() *hardenedpg.EncryptionKeyArgs {
	return &hardenedpg.EncryptionKeyArgs{
		Description: "orders storage", Alias: "hardenedpg/orders/storage",
		ViaServices: []string{"rds", "secretsmanager"}, Tags: pulumi.ToStringMap(map[string]string{"owner": "me"}),
	}
}

func TestEncryptionKeyHardenedInputs(t *testing.T) {
	m := mustRun(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewEncryptionKey(ctx, "storage", storageKeyArgs())
		return err
	})
	key := only(t, m, typeKey)
	assert.Equal(t, "storage-key", key.Name)
	assert.Equal(t, true, key.Inputs["enableKeyRotation"])
	assert.Equal(t, true, key.Inputs["isEnabled"])
	assert.Equal(t, 30.0, key.Inputs["deletionWindowInDays"])
	assert.Equal(t, false, key.Inputs["bypassPolicyLockoutSafetyCheck"])
	assert.Equal(t, "SYMMETRIC_DEFAULT", key.Inputs["customerMasterKeySpec"])
	assert.Equal(t, map[string]any{"owner": "me"}, key.Inputs["tags"])
	assert.True(t, key.RetainOnDelete, "a key outlives the stack by default")

	st := statements(t, key.Inputs["policy"])
	require.Len(t, st, 3)
	admin := st["KeyAdministration"]
	assert.Equal(t, map[string]any{"AWS": []any{"arn:aws:iam::123456789012:root"}}, admin["Principal"])
	assert.NotContains(t, admin["Action"], "kms:Decrypt", "administrators manage the key, they do not use it")
	assert.NotContains(t, admin["Action"], "kms:*")
	use := st["UseThroughNamedServices"]
	assert.ElementsMatch(t, []any{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"}, use["Action"])
	assert.Equal(t, map[string]any{"StringEquals": map[string]any{
		"kms:ViaService":    []any{"rds.eu-west-1.amazonaws.com", "secretsmanager.eu-west-1.amazonaws.com"},
		"kms:CallerAccount": []any{"123456789012"},
	}}, use["Condition"])
	grants := st["GrantsForServiceResources"]
	assert.Equal(t, map[string]any{"kms:GrantIsForAWSResource": []any{"true"}}, grants["Condition"].(map[string]any)["Bool"])
	for sid, s := range st {
		assert.NotEqual(t, "*", s["Principal"], "statement %s has a * principal", sid)
	}

	alias := only(t, m, typeAlias)
	assert.Equal(t, "alias/hardenedpg/orders/storage", alias.Inputs["name"])
	assert.Equal(t, key.URN, alias.DependsOn[0])
	assert.Contains(t, key.Parent, "hardenedpg:index:EncryptionKey::storage")
}

func TestEncryptionKeyLogsPrincipalBoundToLogGroups(t *testing.T) {
	m := mustRun(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewEncryptionKey(ctx, "logs", &hardenedpg.EncryptionKeyArgs{
			Description: "logs", Alias: "hardenedpg/orders/logs", LogGroupNames: []string{"/aws/rds/instance/orders/postgresql"},
		})
		return err
	})
	st := statements(t, only(t, m, typeKey).Inputs["policy"])
	require.Len(t, st, 2, "administration and logs only: no account use without a service")
	logs := st["CloudWatchLogsForNamedLogGroups"]
	assert.Equal(t, map[string]any{"Service": []any{"logs.eu-west-1.amazonaws.com"}}, logs["Principal"])
	assert.Equal(t, map[string]any{"ArnLike": map[string]any{
		"kms:EncryptionContext:aws:logs:arn": []any{"arn:aws:logs:eu-west-1:123456789012:log-group:/aws/rds/instance/orders/postgresql"},
	}}, logs["Condition"])
}

func TestEncryptionKeyDeleteWithStack(t *testing.T) {
	args := storageKeyArgs()
	args.DeleteWithStack = true
	m := mustRun(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewEncryptionKey(ctx, "storage", args)
		return err
	})
	assert.False(t, only(t, m, typeKey).RetainOnDelete)
}

func TestEncryptionKeyShortWindowNeedsWaiver(t *testing.T) {
	args := storageKeyArgs()
	args.DeletionWindowInDays = 7
	m, err := run(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewEncryptionKey(ctx, "storage", args)
		return err
	})
	require.EqualError(t, err, `hardenedpg.NewEncryptionKey "storage": invalid arguments:
  DeletionWindowInDays = 7: relaxes control kms-deletion-window (hardened: 30); set it back or add a waiver for kms-deletion-window with the reason`)
	assert.Empty(t, m.Resources(), "nothing is registered on bad input")

	args.Waivers = baseline.Waivers{"kms-deletion-window": "sandbox account, keys are cheap to recreate"}
	m = mustRun(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewEncryptionKey(ctx, "storage", args)
		return err
	})
	assert.Equal(t, 7.0, only(t, m, typeKey).Inputs["deletionWindowInDays"])
}

// An alias given with its alias/ prefix would become alias/alias/...; aws/ is AWS's own.
func TestEncryptionKeyAliasPrefixes(t *testing.T) {
	for _, alias := range []string{"alias/orders", "aws/rds"} {
		_, err := run(t, nil, func(ctx *pulumi.Context) error {
			_, err := hardenedpg.NewEncryptionKey(ctx, "k", &hardenedpg.EncryptionKeyArgs{Alias: alias, Description: "orders", ViaServices: []string{"rds"}})
			return err
		})
		require.Error(t, err)
		assert.Equal(t, `hardenedpg.NewEncryptionKey "k": invalid arguments:
  Alias = "`+alias+`": want 1-250 characters of letters, digits, /, _ and -, without the alias/ prefix and not under aws/`, err.Error())
	}
}

func TestEncryptionKeyBadArgs(t *testing.T) {
	m, err := run(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewEncryptionKey(ctx, "k", &hardenedpg.EncryptionKeyArgs{
			Alias: "alias/x y", ViaServices: []string{"RDS"}, LogGroupNames: []string{"logs"},
			KeySettings: hardenedpg.KeySettings{AdminArns: []string{"*"}, DeletionWindowInDays: 60},
			Waivers:     baseline.Waivers{"rds-encrypted": "no", "nope": "x", "rds-multi-az": " "},
		})
		return err
	})
	require.Error(t, err)
	assert.Equal(t, `hardenedpg.NewEncryptionKey "k": invalid arguments:
  Waivers["nope"] = "x": "nope" is not a control key; waivable keys: `+strings.Join(baseline.WaivableKeys(), ", ")+`
  Waivers["rds-encrypted"] = "no": control rds-encrypted (Storage is encrypted) cannot be waived
  Waivers["rds-multi-az"] = " ": the reason is empty; say why the control is relaxed
  Description = "": required
  Alias = "alias/x y": want 1-250 characters of letters, digits, /, _ and -, without the alias/ prefix and not under aws/
  ViaServices[0] = "RDS": want an AWS service name such as rds or secretsmanager
  LogGroupNames[0] = "logs": want a log group name starting with /
  AdminArns[0] = "*": want an IAM root, role or user ARN (no wildcard)
  DeletionWindowInDays = 60: want 7 to 30 (30 by default)`, err.Error())
	assert.Empty(t, m.Resources())
}
