package hardenedpg_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
)

func TestBackupReplicationToAnotherRegion(t *testing.T) {
	args := databaseArgs()
	args.Replication.Region = "eu-central-1"
	m := mustRun(t, nil, newDatabase(args))
	provider := only(t, m, "pulumi:providers:aws")
	assert.Equal(t, "db-backup-replication-provider", provider.Name)
	assert.Equal(t, "eu-central-1", provider.Inputs["region"])
	assert.Contains(t, provider.Inputs["allowedAccountIds"], "123456789012")

	replication := only(t, m, baseline.TypeBackupReplication)
	assert.Equal(t, only(t, m, typeInstance).Outputs["arn"], replication.Inputs["sourceDbInstanceArn"])
	assert.Equal(t, 35.0, replication.Inputs["retentionPeriod"])
	assert.True(t, strings.HasPrefix(replication.Provider, provider.URN+"::"), "created in the destination region")

	key, ok := m.Named(typeKey, "db-backup-replication-key-key")
	require.True(t, ok)
	assert.True(t, strings.HasPrefix(key.Provider, provider.URN+"::"), "the key lives in the destination region")
	assert.Equal(t, key.Outputs["arn"], replication.Inputs["kmsKeyId"])
	via := statements(t, key.Inputs["policy"])["UseThroughNamedServices"]["Condition"].(map[string]any)["StringEquals"].(map[string]any)["kms:ViaService"]
	assert.Equal(t, []any{"rds.eu-central-1.amazonaws.com"}, via)
	alias, _ := m.Named(typeAlias, "db-backup-replication-key-alias")
	assert.True(t, strings.HasPrefix(alias.Provider, provider.URN+"::"))
}

// The replica retention is the replication's own: changing the instance's retention does not
// replace the replication (the review's finding 7), and a replacement stops the old one first.
func TestBackupReplicationRetentionIsItsOwn(t *testing.T) {
	args := databaseArgs()
	args.Replication.Region = "eu-central-1"
	args.Instance.BackupRetentionDays = 30
	m := mustRun(t, nil, newDatabase(args))
	replication := only(t, m, baseline.TypeBackupReplication)
	assert.Equal(t, 35.0, replication.Inputs["retentionPeriod"])
	assert.Equal(t, 30.0, only(t, m, typeInstance).Inputs["backupRetentionPeriod"])
	assert.True(t, replication.DeleteBeforeReplace, "one replication per source and region")
}

func TestBackupReplicationRefusesHomeRegion(t *testing.T) {
	args := databaseArgs()
	args.Replication.Region = "eu-west-1"
	m, err := run(t, nil, newDatabase(args))
	assert.EqualError(t, err, `hardenedpg.NewDatabase "db": invalid arguments:
  Replication.Region = "eu-west-1": is the region of the database's provider; replicas protect only in another one`)
	assert.Empty(t, awsResources(m), "only the component is registered: its provider's region was looked up through it")

	args.Replication.Region = "mars-1"
	_, err = run(t, nil, newDatabase(args))
	assert.EqualError(t, err, `hardenedpg.NewDatabase "db": invalid arguments:
  Replication.Region = "mars-1": want an AWS region such as eu-central-1`)
}

// The replica-region provider authenticates as the default one does: the stack's aws: profile,
// role to assume and default tags reach it (an explicit provider reads none of them by itself).
func TestBackupReplicationProviderInheritsStackConfig(t *testing.T) {
	m := hardenedpgtest.New()
	config := map[string]string{
		"aws:profile":     "orders-deploy",
		"aws:assumeRole":  `{"roleArn":"arn:aws:iam::123456789012:role/deployer","sessionName":"pulumi"}`,
		"aws:defaultTags": `{"tags":{"cost-center":"42"}}`,
	}
	require.NoError(t, m.Run("hardenedpg", "test", config, nil, newDatabase(databaseArgs())))
	provider, ok := m.Named("pulumi:providers:aws", "db-backup-replication-provider")
	require.True(t, ok)
	assert.Equal(t, "orders-deploy", provider.Inputs["profile"])
	assert.Equal(t, "eu-central-1", provider.Inputs["region"])
	assert.Contains(t, fmt.Sprint(provider.Inputs["assumeRole"]), "arn:aws:iam::123456789012:role/deployer")
	assert.Contains(t, fmt.Sprint(provider.Inputs["defaultTags"]), "cost-center")
	assert.Contains(t, fmt.Sprint(provider.Inputs["allowedAccountIds"]), hardenedpgtest.DefaultAccountID)
}

// Settings a made provider cannot carry would make it another principal: the caller gives the
// replica region's provider instead, before anything is created (the review's finding 16).
func TestBackupReplicationRefusesUncarriedProviderConfig(t *testing.T) {
	args := databaseArgs()
	args.Replication.Region = "eu-central-1"
	m := hardenedpgtest.New()
	config := map[string]string{
		"aws:assumeRole":                `{"roleArn":"arn:aws:iam::123456789012:role/deployer","policyArns":["arn:aws:iam::aws:policy/ReadOnlyAccess"]}`,
		"aws:assumeRoleWithWebIdentity": `{"roleArn":"arn:aws:iam::123456789012:role/ci"}`,
	}
	err := m.Run("hardenedpg", "test", config, nil, newDatabase(args))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `hardenedpg.NewDatabase "db": invalid arguments:
  Replication.Provider = <nil>: required: the stack's aws:assumeRoleWithWebIdentity, aws:assumeRole.policyArns cannot be carried to a provider made for the replica region; give a provider with the same credentials`+"\n")
	assert.Empty(t, m.Resources())
}
