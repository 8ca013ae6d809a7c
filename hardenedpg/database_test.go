package hardenedpg_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
)

func databaseArgs() *hardenedpg.DatabaseArgs {
	return &hardenedpg.DatabaseArgs{
		Instance: hardenedpg.InstanceSettings{Identifier: "orders"},
		Network: hardenedpg.NetworkSettings{
			VpcID:                   pulumi.String(hardenedpgtest.DefaultVpcID),
			SubnetIDs:               []string{"subnet-0000000a", "subnet-0000000b"},
			AllowedSecurityGroupIDs: []string{"sg-0000000c"},
		},
		Logs:        hardenedpg.LogSettings{DestinationArn: destination},
		Alerts:      hardenedpg.AlertSettings{Emails: []string{"dba@example.com"}},
		Replication: hardenedpg.ReplicationSettings{Region: "eu-central-1"},
		Tags:        pulumi.StringMap{"environment": pulumi.String("prod"), "owner": pulumi.String("platform")},
	}
}

func newDatabase(args *hardenedpg.DatabaseArgs) func(ctx *pulumi.Context) error {
	return func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewDatabase(ctx, "db", args)
		return err
	}
}

func TestDatabaseComposesHardenedChildren(t *testing.T) {
	m := mustRun(t, nil, newDatabase(databaseArgs()))

	names := map[string]string{}
	for _, r := range m.Resources() {
		names[r.Name] = r.Type
		assert.True(t, strings.HasPrefix(r.Name, "db"), "%s is named after the component", r.Name)
		if r.Type != hardenedpg.DatabaseType {
			assert.Contains(t, r.URN, "hardenedpg:index:Database$", "%s is a descendant of the Database", r.Name)
		}
		assert.NotContains(t, r.Inputs, "password", "%s receives a password", r.Name)
		assert.NotContains(t, r.Inputs, "masterPassword", "%s receives a password", r.Name)
	}
	assert.Equal(t, map[string]string{
		"db":                                                   hardenedpg.DatabaseType,
		"db-storage-key":                                       hardenedpg.EncryptionKeyType,
		"db-storage-key-key":                                   typeKey,
		"db-storage-key-alias":                                 typeAlias,
		"db-logs-key":                                          hardenedpg.EncryptionKeyType,
		"db-logs-key-key":                                      typeKey,
		"db-logs-key-alias":                                    typeAlias,
		"db-security-group":                                    hardenedpg.SecurityGroupType,
		"db-security-group-sg":                                 typeSG,
		"db-security-group-from-sg-0000000c":                   typeIngress,
		"db-subnet-group":                                      hardenedpg.SubnetGroupType,
		"db-subnet-group-subnets":                              typeSubnetGroup,
		"db-parameter-group":                                   hardenedpg.ParameterGroupType,
		"db-parameter-group-params":                            typeParamGroup,
		"db-audit-logs":                                        hardenedpg.AuditLogShippingType,
		"db-audit-logs-iam-db-auth-error-logs":                 typeLogGroup,
		"db-audit-logs-iam-db-auth-error-subscription":         typeSubscription,
		"db-audit-logs-postgresql-logs":                        typeLogGroup,
		"db-audit-logs-upgrade-logs":                           typeLogGroup,
		"db-audit-logs-postgresql-subscription":                typeSubscription,
		"db-audit-logs-upgrade-subscription":                   typeSubscription,
		"db-instance":                                          hardenedpg.InstanceType,
		"db-instance-db":                                       typeInstance,
		"db-instance-monitoring-role":                          typeRole,
		"db-instance-monitoring-policy":                        typeRoleAttachment,
		"db-instance-final-snapshot-suffix":                    typeRandomID,
		"db-alerts-key":                                        hardenedpg.EncryptionKeyType,
		"db-alerts-key-key":                                    typeKey,
		"db-alerts-key-alias":                                  typeAlias,
		"db-alerts":                                            hardenedpg.AlertsType,
		"db-alerts-topic":                                      baseline.TypeTopic,
		"db-alerts-topic-policy":                               baseline.TypeTopicPolicy,
		"db-alerts-instance-events":                            typeEventSubscription,
		"db-alerts-parameter-group-events":                     typeEventSubscription,
		"db-alerts-security-group-changes":                     baseline.TypeEventRule,
		"db-alerts-security-group-changes-target":              baseline.TypeEventTarget,
		"db-alerts-security-group-events":                      typeEventSubscription,
		"db-alerts-failedauthentication-filter":                typeMetricFilter,
		"db-alerts-failediamauthentication-filter":             typeMetricFilter,
		"db-alerts-failediamauthentication-alarm":              typeAlarm,
		"db-alerts-permissiondenied-filter":                    typeMetricFilter,
		"db-alerts-rolechanges-filter":                         typeMetricFilter,
		"db-alerts-failedauthentication-alarm":                 typeAlarm,
		"db-alerts-permissiondenied-alarm":                     typeAlarm,
		"db-alerts-rolechanges-alarm":                          typeAlarm,
		"db-alerts-cpuutilization-alarm":                       typeAlarm,
		"db-alerts-freestoragespace-alarm":                     typeAlarm,
		"db-alerts-databaseconnections-alarm":                  typeAlarm,
		"db-alerts-email-0":                                    baseline.TypeTopicSubscription,
		"db-backup":                                            hardenedpg.BackupPlanType,
		"db-backup-key":                                        hardenedpg.EncryptionKeyType,
		"db-backup-key-key":                                    typeKey,
		"db-backup-key-alias":                                  typeAlias,
		"db-backup-vault":                                      baseline.TypeBackupVault,
		"db-backup-vault-lock":                                 baseline.TypeBackupVaultLock,
		"db-flow-logs":                                         hardenedpg.FlowLogsType,
		"db-flow-logs-logs":                                    typeLogGroup,
		"db-flow-logs-role":                                    baseline.TypeRole,
		"db-flow-logs-role-policy":                             baseline.TypeRolePolicy,
		"db-flow-logs-subnet-0000000a":                         baseline.TypeFlowLog,
		"db-flow-logs-subnet-0000000b":                         baseline.TypeFlowLog,
		"db-backup-replication":                                "hardenedpg:index:BackupReplication",
		"db-backup-replication-key":                            "hardenedpg:index:EncryptionKey",
		"db-backup-replication-key-alias":                      baseline.TypeKeyAlias,
		"db-backup-replication-key-key":                        typeKey,
		"db-backup-replication-provider":                       "pulumi:providers:aws",
		"db-backup-replication-replication":                    baseline.TypeBackupReplication,
		"db-backup-plan":                                       baseline.TypeBackupPlan,
		"db-backup-selection":                                  baseline.TypeBackupSelection,
		"db-backup-role":                                       typeRole,
		"db-backup-role-AWSBackupServiceRolePolicyForBackup":   typeRoleAttachment,
		"db-backup-role-AWSBackupServiceRolePolicyForRestores": typeRoleAttachment,
	}, names)

	storageKey, _ := m.Named(typeKey, "db-storage-key-key")
	logsKey, _ := m.Named(typeKey, "db-logs-key-key")
	assert.True(t, storageKey.RetainOnDelete)
	assert.True(t, logsKey.RetainOnDelete)
	const keyArnPrefix = "arn:aws:kms:eu-west-1:123456789012:key/"
	storageAlias, _ := m.Named(typeAlias, "db-storage-key-alias")
	logsAlias, _ := m.Named(typeAlias, "db-logs-key-alias")
	inst := only(t, m, typeInstance)
	assert.True(t, inst.Protect)
	for _, sub := range m.ByType(typeEventSubscription) {
		assert.Contains(t, sub.DependsOn, inst.URN, "RDS refuses a subscription to an instance that does not exist yet")
	}
	assert.Equal(t, keyArnPrefix+storageAlias.Inputs["targetKeyId"].(string), inst.Inputs["kmsKeyId"])
	assert.Equal(t, inst.Inputs["kmsKeyId"], inst.Inputs["masterUserSecretKmsKeyId"])
	assert.Equal(t, inst.Inputs["kmsKeyId"], inst.Inputs["performanceInsightsKmsKeyId"])
	sg := only(t, m, typeSG)
	assert.Equal(t, []any{"sg-" + sgSuffix(t, m)}, inst.Inputs["vpcSecurityGroupIds"])
	assert.Contains(t, inst.Inputs["parameterGroupName"], "db-parameter-group-params-")
	assert.Contains(t, inst.Inputs["dbSubnetGroupName"], "db-subnet-group-subnets-")
	assert.Equal(t, "postgres17", only(t, m, typeParamGroup).Inputs["family"])
	for _, g := range m.ByType(typeLogGroup) {
		if strings.HasPrefix(g.Name, "db-audit-logs-") { // RDS writes into these: they come first
			assert.Contains(t, inst.DependsOn, g.URN, "the instance waits for %s", g.Name)
		}
		assert.Equal(t, keyArnPrefix+logsAlias.Inputs["targetKeyId"].(string), g.Inputs["kmsKeyId"], "logs use the logs key")
	}
	assert.Equal(t, []any{"postgresql", "upgrade", "iam-db-auth-error"}, inst.Inputs["enabledCloudwatchLogsExports"])
	assert.Equal(t, map[string]any{"environment": "prod", "owner": "platform", "managed-by": "hardenedpg"}, sg.Inputs["tags"])
}

// sgSuffix returns the mock ID suffix of the one security group.
func sgSuffix(t *testing.T, m *hardenedpgtest.Monitor) string {
	t.Helper()
	rule := only(t, m, typeIngress)
	return strings.TrimPrefix(rule.Inputs["securityGroupId"].(string), "sg-")
}

func TestDatabaseReportsEveryProblemAndRegistersNothing(t *testing.T) {
	args := databaseArgs()
	args.Instance.Identifier = ""
	args.Instance.Port = 5432
	args.Network.SubnetIDs = []string{"subnet-0000000a"}
	args.Network.AllowedSecurityGroupIDs = []string{"0.0.0.0/0"}
	args.Parameters = []hardenedpg.Parameter{{Name: "rds.force_ssl", Value: "0"}}
	args.Logs.RetentionDays = 14
	args.Logs.DestinationArn = ""
	args.Archive.RetentionDays = -1
	args.Keys.DeletionWindowInDays = 10
	args.Tags = pulumi.ToStringMap(map[string]string{"team": "x"})
	args.Waivers = baseline.Waivers{"rds-encrypted": "cheaper"}
	m, err := run(t, nil, newDatabase(args))
	assert.EqualError(t, err, `hardenedpg.NewDatabase "db": invalid arguments:
  Waivers["rds-encrypted"] = "cheaper": control rds-encrypted (Storage is encrypted) cannot be waived
  Instance.Identifier = "": required: the RDS instance identifier
  Instance.Port = 5432: relaxes control rds-non-default-port (hardened: any port but 5432, 5433 by default); set it back or add a waiver for rds-non-default-port with the reason
  Network.AllowedSecurityGroupIDs[0] = "0.0.0.0/0": CIDR sources are not accepted (control sg-no-cidr-ingress); give the security group ID of the clients, sg-...
  Network.SubnetIDs = ["subnet-0000000a"]: want at least two subnets in two availability zones (RDS needs them for Multi-AZ and failover)
  Parameters["rds.force_ssl"] = "0": weakens control pg-force-ssl, which cannot be waived; accepted: 1
  Logs.RetentionDays = 14: relaxes control logs-retention (hardened: 365 or more); set it back or add a waiver for logs-retention with the reason
  Keys.DeletionWindowInDays = 10: relaxes control kms-deletion-window (hardened: 30); set it back or add a waiver for kms-deletion-window with the reason
  Archive.RetentionDays = -1: want 1 to 36500 days of Object Lock retention
  Tags = ["team"]: relaxes control rds-tags (hardened: tags with the keys environment, owner; missing: environment, owner); set it back or add a waiver for rds-tags with the reason`)
	assert.Empty(t, m.Resources())
	assert.Empty(t, m.Invokes(), "no look-up either")
	require.Error(t, args.Validate(), "Validate finds the same problems without a Pulumi context")
	assert.Equal(t, strings.SplitN(err.Error(), "\n", 2)[1], strings.SplitN(args.Validate().Error(), "\n", 2)[1])
}

func TestDatabaseRefusesPublicSubnet(t *testing.T) {
	mon := hardenedpgtest.New()
	mon.SetSubnet(hardenedpgtest.Subnet{ID: "subnet-0000000a", AvailabilityZone: "eu-west-1a", Public: true})
	m, err := run(t, mon, newDatabase(databaseArgs()))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `SubnetIDs[0] = "subnet-0000000a": the subnet is public: route table rtb-`)
	assert.Empty(t, awsResources(m), "only the component is registered: the subnets were looked up through it")
}

func TestDatabaseDevRelaxationsDeleteKeysWithStack(t *testing.T) {
	args := databaseArgs()
	args.Instance.DisableDeletionProtection = true
	args.Instance.SingleAZ = true
	args.Waivers = baseline.Waivers{"rds-deletion-protection": "dev", "rds-multi-az": "dev"}
	m := mustRun(t, nil, newDatabase(args))
	for _, k := range m.ByType(typeKey) {
		if k.Name == "db-backup-key-key" || k.Name == "db-backup-replication-key-key" {
			assert.True(t, k.RetainOnDelete, "locked and replicated backups outlive the stack, and so must their keys")
			continue
		}
		assert.False(t, k.RetainOnDelete, "%s goes with a disposable stack", k.Name)
		assert.Equal(t, 30.0, k.Inputs["deletionWindowInDays"], "still recoverable for 30 days")
	}
	for _, lg := range m.ByType(baseline.TypeLogGroup) {
		assert.False(t, lg.RetainOnDelete, "%s goes with a disposable stack", lg.Name)
	}
	inst := only(t, m, typeInstance)
	assert.False(t, inst.Protect)
	assert.Equal(t, false, inst.Inputs["multiAz"])
}

func TestDatabaseRefusesSettingsOfPartsItDoesNotCreate(t *testing.T) {
	args := databaseArgs()
	args.Archive.RetentionDays = 730 // there is a central destination: no archive
	args.Backup.Skip, args.Backup.CopyToVaultArn = true, "arn:aws:backup:eu-central-1:210987654321:backup-vault:central"
	args.Waivers = baseline.Waivers{"backup-plan": "test"}
	m, err := run(t, nil, newDatabase(args))
	assert.EqualError(t, err, `hardenedpg.NewDatabase "db": invalid arguments:
  Archive.RetentionDays = 730: would be ignored: there is no local archive (Logs.DestinationArn is set); remove it
  Backup.CopyToVaultArn = "arn:aws:backup:eu-central-1:210987654321:backup-vault:central": would be ignored: there is no backup plan (Backup.Skip); remove it`)
	assert.Empty(t, m.Resources())
}

// Failed IAM sign-ins alert: PAM failures in the postgresql log, and every event of the exported
// iam-db-auth-error log, whose group, key and retention are like the others.
func TestDatabaseAlertsOnFailedIAMSignIns(t *testing.T) {
	m := mustRun(t, nil, newDatabase(databaseArgs()))
	filters := map[string]map[string]any{}
	for _, f := range m.ByType(typeMetricFilter) {
		filters[f.Name] = f.Inputs
	}
	assert.Equal(t, "/aws/rds/instance/orders/iam-db-auth-error", filters["db-alerts-failediamauthentication-filter"]["logGroupName"])
	assert.Equal(t, "", filters["db-alerts-failediamauthentication-filter"]["pattern"], "every event of that log is a failure")
	assert.Contains(t, filters["db-alerts-failedauthentication-filter"]["pattern"], `"PAM authentication failed"`)
	var iamGroup map[string]any
	for _, g := range m.ByType(typeLogGroup) {
		if g.Name == "db-audit-logs-iam-db-auth-error-logs" {
			iamGroup = g.Inputs
		}
	}
	require.NotNil(t, iamGroup)
	assert.Equal(t, 365.0, iamGroup["retentionInDays"])
	assert.NotEmpty(t, iamGroup["kmsKeyId"])
}

// A team passes its own provider, in another account and region than the default one: every
// look-up goes through it, and every ARN, policy and trust names its account and region.
func TestDatabaseThroughTheCallersProvider(t *testing.T) {
	const account, region, replicaRegion = "222222222222", "ap-southeast-2", "ap-southeast-4"
	m := hardenedpgtest.New() // the default provider: hardenedpgtest.DefaultAccountID in DefaultRegion
	var teamURN string
	err := m.Run("hardenedpg", "test", nil, nil, func(ctx *pulumi.Context) error {
		team, err := aws.NewProvider(ctx, "team", &aws.ProviderArgs{Region: pulumi.String(region), AllowedAccountIds: pulumi.ToStringArray([]string{account})})
		if err != nil {
			return err
		}
		replica, err := aws.NewProvider(ctx, "team-replica", &aws.ProviderArgs{Region: pulumi.String(replicaRegion), AllowedAccountIds: pulumi.ToStringArray([]string{account})})
		if err != nil {
			return err
		}
		team.URN().ApplyT(func(u pulumi.URN) error { teamURN = string(u); return nil })
		args := databaseArgs()
		args.Replication.Region, args.Replication.Provider = replicaRegion, replica
		args.Logs.DestinationArn = "arn:aws:logs:" + region + ":210987654321:destination:central-audit"
		_, err = hardenedpg.NewDatabase(ctx, "db", args, pulumi.Provider(team))
		return err
	})
	require.NoError(t, err)
	require.NotEmpty(t, m.Invokes())
	for _, inv := range m.Invokes() {
		assert.True(t, strings.HasPrefix(inv.Provider, teamURN+"::"), "%s went through %q, not the team's provider", inv.Token, inv.Provider)
	}
	for _, r := range m.Resources() {
		b, err := json.Marshal([]any{r.Inputs, r.Outputs})
		require.NoError(t, err)
		assert.False(t, strings.Contains(string(b), hardenedpgtest.DefaultAccountID), "%s names the default account", r.Name)
		assert.False(t, strings.Contains(string(b), hardenedpgtest.DefaultRegion), "%s names the default region", r.Name)
	}
	inst := only(t, m, typeInstance)
	assert.Equal(t, "arn:aws:rds:"+region+":"+account+":db:orders", inst.Outputs["arn"])
	key, _ := m.Named(typeKey, "db-storage-key-key")
	assert.Contains(t, key.Inputs["policy"], `"arn:aws:iam::`+account+`:root"`)
	replicaKey, _ := m.Named(typeKey, "db-backup-replication-key-key")
	assert.True(t, strings.HasPrefix(replicaKey.Outputs["arn"].(string), "arn:aws:kms:"+replicaRegion+":"+account+":"), "the replica key lives in the replica region of the team's account")
}

// With a provider of its own, the Database cannot make a replica-region provider with the same
// credentials: it asks for one.
func TestDatabaseWithOwnProviderNeedsAReplicationProvider(t *testing.T) {
	m := hardenedpgtest.New()
	err := m.Run("hardenedpg", "test", nil, nil, func(ctx *pulumi.Context) error {
		team, err := aws.NewProvider(ctx, "team", &aws.ProviderArgs{Region: pulumi.String("ap-southeast-2")})
		if err != nil {
			return err
		}
		_, err = hardenedpg.NewDatabase(ctx, "db", databaseArgs(), pulumi.Provider(team))
		return err
	})
	assert.ErrorContains(t, err, `hardenedpg.NewDatabase "db": invalid arguments:
  Replication.Provider = <nil>: required with Replication.Region when the Database gets an aws provider of its own: give a provider for eu-central-1 with the same credentials`)
	assert.Len(t, awsResources(m), 1, "only the team's provider")
}

// GrantConnect gives one role one database user, by the exact rds-db ARN AWS documents:
// arn:aws:rds-db:region:account-id:dbuser:DbiResourceId/db-user-name.
func TestDatabaseGrantConnect(t *testing.T) {
	args := databaseArgs()
	args.Instance.IAMDatabaseUsers = []string{"orders_api", "orders_reporting"}
	var grantErr error
	m := mustRun(t, nil, func(ctx *pulumi.Context) error {
		db, err := hardenedpg.NewDatabase(ctx, "db", args)
		if err != nil {
			return err
		}
		if _, err := db.GrantConnect(ctx, "api-connect", pulumi.String("orders-api-role"), "orders_api"); err != nil {
			return err
		}
		_, grantErr = db.GrantConnect(ctx, "admin-connect", pulumi.String("orders-api-role"), "dbadmin")
		return nil
	})
	policy, ok := m.Named(baseline.TypeRolePolicy, "api-connect")
	require.True(t, ok)
	assert.Equal(t, "orders-api-role", policy.Inputs["role"])
	resourceID := only(t, m, baseline.TypeInstance).Outputs["resourceId"]
	require.NotEmpty(t, resourceID)
	var doc hardenedpg.PolicyDocument
	require.NoError(t, json.Unmarshal([]byte(policy.Inputs["policy"].(string)), &doc))
	require.Len(t, doc.Statement, 1)
	assert.Equal(t, []string{"rds-db:connect"}, doc.Statement[0].Action)
	assert.Equal(t, []string{"arn:aws:rds-db:eu-west-1:123456789012:dbuser:" + resourceID.(string) + "/orders_api"}, doc.Statement[0].Resource)
	assert.Equal(t, "Allow", doc.Statement[0].Effect)

	require.Error(t, grantErr)
	assert.Equal(t, `hardenedpg: GrantConnect "admin-connect": database user "dbadmin" is not one of IAMDatabaseUsers (orders_api, orders_reporting): only they are granted rds_iam and can sign in with an IAM token`, grantErr.Error())
}

// GrantConnect takes a role's name: an ARN, which IAM would refuse at deploy, is refused first.
func TestGrantConnectRefusesARoleArn(t *testing.T) {
	var grantErr error
	m := mustRun(t, nil, func(ctx *pulumi.Context) error {
		args := databaseArgs()
		args.Instance.IAMDatabaseUsers = []string{"orders_api"}
		db, err := hardenedpg.NewDatabase(ctx, "db", args)
		if err != nil {
			return err
		}
		_, grantErr = db.GrantConnect(ctx, "api-connect", pulumi.String("arn:aws:iam::123456789012:role/orders-api-role"), "orders_api")
		return nil
	})
	require.Error(t, grantErr)
	assert.Equal(t, `hardenedpg: GrantConnect "api-connect": role "arn:aws:iam::123456789012:role/orders-api-role" is an ARN; want the role's name, "orders-api-role"`, grantErr.Error())
	_, made := m.Named(baseline.TypeRolePolicy, "api-connect")
	assert.False(t, made, "no policy is created")
}

// The stack's aws:defaultTags reach every resource (the provider's tags_all): they satisfy the
// required tags, and the scorecard reads them.
func TestDatabaseCountsTheProvidersDefaultTags(t *testing.T) {
	args := databaseArgs()
	args.Tags = pulumi.ToStringMap(map[string]string{"environment": "prod"})
	program := newDatabase(args)
	res := hardenedpgtest.Run(program)
	require.Error(t, res.Err)
	assert.Contains(t, res.Err.Error(), "relaxes control rds-tags (hardened: tags with the keys environment, owner; missing: owner)")

	res = hardenedpgtest.Run(program, hardenedpgtest.Config(map[string]string{"aws:defaultTags": `{"tags": {"owner": "platform"}}`}))
	require.NoError(t, res.Err)
	inst := only(t, res.Monitor, baseline.TypeInstance)
	assert.Equal(t, map[string]any{"environment": "prod", "owner": "platform", "managed-by": "hardenedpg"}, inst.Outputs["tagsAll"])
	// The provider tags resources, not the recovery points AWS Backup makes: the plan names them.
	plan := only(t, res.Monitor, baseline.TypeBackupPlan)
	assert.Equal(t, map[string]any{"environment": "prod", "owner": "platform", "managed-by": "hardenedpg"},
		plan.Inputs["rules"].([]any)[0].(map[string]any)["recoveryPointTags"])
	for _, r := range res.Scorecard(nil) {
		if r.Key == "rds-tags" {
			assert.Equal(t, baseline.Pass, r.Status, r.Detail)
		}
	}
}

// The Database's name goes into the AWS names of its auto-named children: the longest name
// accepted leaves each of them within AWS's limit, and a name AWS would refuse there is refused
// before anything is created (the review's finding 15).
func TestDatabaseNameFitsEveryChildName(t *testing.T) {
	args := databaseArgs()
	args.Logs.DestinationArn = "" // the local archive: its bucket, stream and roles are auto-named too
	args.Replication.Region = "eu-central-1"
	args.Proxy.Users = []hardenedpg.ProxyUser{{Name: "orders_batch", SecretArn: batchSecret}} // and the proxy's role
	name := "d" + strings.Repeat("x", hardenedpg.MaxDatabaseNameLength-1)
	m := mustRun(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewDatabase(ctx, name, args)
		return err
	})
	limits := map[string]int{baseline.TypeEventRule: 64, typeRole: 64, baseline.TypeFirehose: 64, baseline.TypeBucket: 63}
	checked := 0
	for _, r := range m.Resources() {
		if limit, ok := limits[r.Type]; ok {
			checked++
			assert.LessOrEqual(t, len(r.Name)+8, limit, "%s %s with Pulumi's suffix", r.Type, r.Name)
		}
	}
	assert.GreaterOrEqual(t, checked, 7, "the rule, the bucket, the stream and the four roles were made")

	for bad, problem := range map[string]string{
		name + "x":  `name = "` + name + `x": want at most 26 characters: the EventBridge rule would have 65, and AWS allows 64 (PutRule: Name, 1 to 64 characters)`,
		"Orders_DB": `name = "Orders_DB": want lowercase letters, digits and single hyphens, starting with a letter (not sg-): AWS names the bucket, roles, rules and groups after it`,
		"1orders":   "",
		"orders--a": "",
		"sg-orders": "",
	} {
		m, err := run(t, nil, func(ctx *pulumi.Context) error {
			_, err := hardenedpg.NewDatabase(ctx, bad, databaseArgs())
			return err
		})
		require.Error(t, err, bad)
		if problem != "" {
			assert.Equal(t, `hardenedpg.NewDatabase "`+bad+`": invalid arguments:`+"\n  "+problem, err.Error())
		}
		assert.Empty(t, m.Resources(), bad)
	}
}

// Two databases in one stack, the scratch one single-AZ: a waiver of that one database in the
// scorecard relaxes rds-multi-az for it alone, and the same weakness of the other still fails.
func TestAWaiverOfOneDatabaseLeavesTheOtherJudged(t *testing.T) {
	twoDatabases := func(ordersSingleAZ bool) func(ctx *pulumi.Context) error {
		return func(ctx *pulumi.Context) error {
			orders := databaseArgs()
			if ordersSingleAZ {
				orders.Instance.SingleAZ, orders.Waivers = true, baseline.Waivers{"rds-multi-az": "not yet"}
			}
			if _, err := hardenedpg.NewDatabase(ctx, "orders", orders); err != nil {
				return err
			}
			scratch := databaseArgs()
			scratch.Instance.Identifier, scratch.Instance.SingleAZ = "scratch", true
			scratch.Waivers = baseline.Waivers{"rds-multi-az": "rebuilt nightly from a snapshot"}
			_, err := hardenedpg.NewDatabase(ctx, "scratch", scratch)
			return err
		}
	}
	waivers := baseline.Waivers{baseline.WaiverKey("rds-multi-az", "scratch"): "rebuilt nightly from a snapshot"}
	row := func(m *hardenedpgtest.Monitor) baseline.Result {
		for _, r := range (&hardenedpgtest.Result{Monitor: m}).Scorecard(waivers) {
			if r.Key == "rds-multi-az" {
				return r
			}
		}
		t.Fatal("no rds-multi-az row")
		return baseline.Result{}
	}

	got := row(mustRun(t, nil, twoDatabases(false)))
	assert.Equal(t, baseline.Waived, got.Status)
	assert.Equal(t, "for scratch: rebuilt nightly from a snapshot", got.Waiver)
	assert.Equal(t, "scratch-instance-db: multiAz is false, want true", got.Detail)

	got = row(mustRun(t, nil, twoDatabases(true)))
	assert.Equal(t, baseline.Fail, got.Status)
	assert.Equal(t, "orders-instance-db: multiAz is false, want true", got.Detail)
	assert.Equal(t, []baseline.Relaxed{{Waiver: "rds-multi-az/scratch", Reason: "rebuilt nightly from a snapshot", Problem: "scratch-instance-db: multiAz is false, want true"}}, got.Relaxed)
}

// A component's waivers already cover only that component: a waiver of one resource is refused
// there, saying where it belongs.
func TestDatabaseRefusesAWaiverOfOneResource(t *testing.T) {
	args := databaseArgs()
	args.Instance.SingleAZ = true
	args.Waivers = baseline.Waivers{"rds-multi-az/db-instance-db": "dev"}
	_, err := run(t, nil, newDatabase(args))
	require.Error(t, err)
	assert.Equal(t, `hardenedpg.NewDatabase "db": invalid arguments:`+"\n"+
		`  Waivers["rds-multi-az/db-instance-db"] = "dev": a component's waivers cover only its own resources already: waive rds-multi-az alone here; a waiver of one resource (rds-multi-az/db-instance-db) is for the scorecard, the policy pack and the live audit`+"\n"+
		"  Instance.SingleAZ = true: relaxes control rds-multi-az (hardened: false: a standby in a second zone); set it back or add a waiver for rds-multi-az with the reason", err.Error())
}
