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

const storageKeyArn = "arn:aws:kms:eu-west-1:123456789012:key/storage"

func instanceArgs(s hardenedpg.InstanceSettings) *hardenedpg.InstanceArgs {
	return &hardenedpg.InstanceArgs{
		InstanceSettings:   s,
		StorageKeyArn:      pulumi.String(storageKeyArn),
		SubnetGroupName:    pulumi.String("db-subnets"),
		SecurityGroupIDs:   pulumi.StringArray{pulumi.String("sg-0000000a")},
		ParameterGroupName: pulumi.String("db-params"),
		Tags:               pulumi.ToStringMap(map[string]string{"environment": "test"}),
	}
}

func TestInstanceHardenedInputs(t *testing.T) {
	var inst *hardenedpg.Instance
	var connect, secret string
	m := mustRun(t, nil, func(ctx *pulumi.Context) error {
		var err error
		inst, err = hardenedpg.NewInstance(ctx, "db", instanceArgs(hardenedpg.InstanceSettings{
			Identifier: "orders", IAMDatabaseUsers: []string{"orders_app"},
		}))
		if err != nil {
			return err
		}
		inst.ConnectPolicy.ApplyT(func(s string) string { connect = s; return s })
		inst.MasterUserSecretArn.ApplyT(func(s string) string { secret = s; return s })
		return nil
	})
	db := only(t, m, typeInstance)
	assert.Equal(t, "db-db", db.Name)
	want := map[string]any{
		"identifier":                         "orders",
		"engine":                             "postgres",
		"engineVersion":                      "17",
		"autoMinorVersionUpgrade":            true,
		"allowMajorVersionUpgrade":           false,
		"engineLifecycleSupport":             "open-source-rds-extended-support-disabled",
		"instanceClass":                      "db.m7g.large",
		"storageType":                        "gp3",
		"allocatedStorage":                   100.0,
		"maxAllocatedStorage":                1000.0,
		"storageEncrypted":                   true,
		"kmsKeyId":                           storageKeyArn,
		"dbSubnetGroupName":                  "db-subnets",
		"vpcSecurityGroupIds":                []any{"sg-0000000a"},
		"parameterGroupName":                 "db-params",
		"publiclyAccessible":                 false,
		"port":                               5433.0,
		"username":                           "dbadmin",
		"manageMasterUserPassword":           true,
		"masterUserSecretKmsKeyId":           storageKeyArn,
		"iamDatabaseAuthenticationEnabled":   true,
		"caCertIdentifier":                   "rds-ca-rsa2048-g1",
		"multiAz":                            true,
		"deletionProtection":                 true,
		"backupRetentionPeriod":              35.0,
		"backupWindow":                       "02:00-03:00",
		"maintenanceWindow":                  "sun:03:30-sun:04:30",
		"copyTagsToSnapshot":                 true,
		"deleteAutomatedBackups":             false,
		"skipFinalSnapshot":                  false,
		"enabledCloudwatchLogsExports":       []any{"postgresql", "upgrade", "iam-db-auth-error"},
		"performanceInsightsEnabled":         true,
		"performanceInsightsKmsKeyId":        storageKeyArn,
		"performanceInsightsRetentionPeriod": 7.0,
		"monitoringInterval":                 60.0,
		"applyImmediately":                   false,
		"tags":                               map[string]any{"environment": "test"},
	}
	computed := map[string]string{
		"finalSnapshotIdentifier": `^orders-final-[0-9a-f]{8}$`,
		"monitoringRoleArn":       `^arn:aws:iam::123456789012:role/db-monitoring-role-[0-9a-f]{7}$`,
	}
	for k, pattern := range computed {
		assert.Regexp(t, pattern, db.Inputs[k], k)
		want[k] = db.Inputs[k]
	}
	assert.Equal(t, want, db.Inputs)
	assert.NotContains(t, db.Inputs, "password")
	assert.True(t, db.Protect, "the instance is protected from pulumi destroy")

	suffix := only(t, m, typeRandomID)
	assert.Equal(t, "db-final-snapshot-suffix", suffix.Name)
	assert.Equal(t, map[string]any{"byteLength": 4.0, "keepers": map[string]any{"identifier": "orders"}}, suffix.Inputs)

	role := only(t, m, typeRole)
	assert.Equal(t, "db-monitoring-role", role.Name)
	trust := statements(t, role.Inputs["assumeRolePolicy"])[""]
	assert.Equal(t, map[string]any{"Service": []any{"monitoring.rds.amazonaws.com"}}, trust["Principal"])
	assert.Equal(t, []any{"sts:AssumeRole"}, trust["Action"])
	assert.Equal(t, map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": []any{"123456789012"}}}, trust["Condition"])
	attach := only(t, m, typeRoleAttachment)
	assert.Equal(t, "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole", attach.Inputs["policyArn"])

	for _, r := range m.Resources() {
		if r.Type != hardenedpg.InstanceType {
			assert.Contains(t, r.Parent, "hardenedpg:index:Instance::db", "%s is parented to the component", r.Name)
		}
	}
	connectStatement := statements(t, connect)["ConnectAsNamedDatabaseUsers"]
	assert.Equal(t, []any{"rds-db:connect"}, connectStatement["Action"])
	require.Len(t, connectStatement["Resource"], 1)
	assert.Regexp(t, `^arn:aws:rds-db:eu-west-1:123456789012:dbuser:db-[0-9A-F]{26}/orders_app$`, connectStatement["Resource"].([]any)[0])
	assert.Regexp(t, `^arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-`, secret)
}

func TestInstanceFinalSnapshotNameIsStable(t *testing.T) {
	names := map[string]bool{}
	for range 2 {
		m := mustRun(t, nil, func(ctx *pulumi.Context) error {
			_, err := hardenedpg.NewInstance(ctx, "db", instanceArgs(hardenedpg.InstanceSettings{Identifier: "orders"}))
			return err
		})
		names[only(t, m, typeInstance).Inputs["finalSnapshotIdentifier"].(string)] = true
	}
	assert.Len(t, names, 1, "the same program gives the same final snapshot name")
}

func TestInstanceRelaxationsNeedWaivers(t *testing.T) {
	relaxed := hardenedpg.InstanceSettings{
		Identifier: "orders", Port: 5432, BackupRetentionDays: 3,
		SingleAZ: true, DisableDeletionProtection: true, SkipFinalSnapshot: true,
		DisablePerformanceInsights: true, DisableEnhancedMonitoring: true,
	}
	m, err := run(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewInstance(ctx, "db", instanceArgs(relaxed))
		return err
	})
	assert.EqualError(t, err, `hardenedpg.NewInstance "db": invalid arguments:
  Port = 5432: relaxes control rds-non-default-port (hardened: any port but 5432, 5433 by default); set it back or add a waiver for rds-non-default-port with the reason
  BackupRetentionDays = 3: relaxes control rds-backup-retention (hardened: 7 to 35, 35 by default); set it back or add a waiver for rds-backup-retention with the reason
  SingleAZ = true: relaxes control rds-multi-az (hardened: false: a standby in a second zone); set it back or add a waiver for rds-multi-az with the reason
  DisableDeletionProtection = true: relaxes control rds-deletion-protection (hardened: false: deletion protection on); set it back or add a waiver for rds-deletion-protection with the reason
  SkipFinalSnapshot = true: relaxes control rds-final-snapshot (hardened: false: a final snapshot on delete); set it back or add a waiver for rds-final-snapshot with the reason
  DisablePerformanceInsights = true: relaxes control rds-performance-insights (hardened: false: Performance Insights with the storage key); set it back or add a waiver for rds-performance-insights with the reason
  DisableEnhancedMonitoring = true: relaxes control rds-enhanced-monitoring (hardened: false: enhanced monitoring); set it back or add a waiver for rds-enhanced-monitoring with the reason`)
	assert.Empty(t, m.Resources())

	args := instanceArgs(relaxed)
	args.Waivers = baseline.Waivers{}
	for _, k := range []string{"rds-non-default-port", "rds-backup-retention", "rds-multi-az", "rds-deletion-protection", "rds-final-snapshot", "rds-performance-insights", "rds-enhanced-monitoring"} {
		args.Waivers[k] = "throwaway test database"
	}
	m = mustRun(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewInstance(ctx, "db", args)
		return err
	})
	db := only(t, m, typeInstance)
	assert.Equal(t, 5432.0, db.Inputs["port"])
	assert.Equal(t, 3.0, db.Inputs["backupRetentionPeriod"])
	assert.Equal(t, false, db.Inputs["multiAz"])
	assert.Equal(t, false, db.Inputs["deletionProtection"])
	assert.False(t, db.Protect, "without deletion protection Pulumi does not protect either")
	assert.Equal(t, true, db.Inputs["skipFinalSnapshot"])
	assert.NotContains(t, db.Inputs, "finalSnapshotIdentifier")
	assert.Equal(t, false, db.Inputs["performanceInsightsEnabled"])
	assert.NotContains(t, db.Inputs, "performanceInsightsKmsKeyId")
	assert.Equal(t, 0.0, db.Inputs["monitoringInterval"])
	assert.NotContains(t, db.Inputs, "monitoringRoleArn")
	assert.Empty(t, m.ByType(typeRole))
	assert.Empty(t, m.ByType(typeRandomID))
	assert.Equal(t, true, db.Inputs["storageEncrypted"], "no relaxation touches encryption")
	assert.Equal(t, false, db.Inputs["publiclyAccessible"])
}

func TestInstanceBadArgs(t *testing.T) {
	m, err := run(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewInstance(ctx, "db", &hardenedpg.InstanceArgs{InstanceSettings: hardenedpg.InstanceSettings{
			Identifier: "Orders--", EngineMajorVersion: "12", InstanceClass: "m5.large", AllocatedStorageGB: 10,
			MaxAllocatedStorageGB: 5, Port: 80, AdminUsername: "postgres", BackupRetentionDays: 40,
			BackupWindow: "2am", MaintenanceWindow: "sunday", CACertIdentifier: "rds-ca-2019",
			MonitoringIntervalSeconds: 2, PerformanceInsightsRetentionDays: 30, IAMDatabaseUsers: []string{"App", "postgres"},
		}})
		return err
	})
	assert.EqualError(t, err, `hardenedpg.NewInstance "db": invalid arguments:
  Identifier = "Orders--": want 1-39 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen
  EngineMajorVersion = "12": want a supported major version: 14, 15, 16, 17, 18
  InstanceClass = "m5.large": not a DB instance class RDS offers for PostgreSQL; want db.<family>.<size> such as db.m7g.large, with a family of db.m5, db.m5d, db.m6g, db.m6gd, db.m6i, db.m6id, db.m6idn, db.m6in, db.m7g, db.m7i, db.m8g, db.r5, db.r5b, db.r5d, db.r6g, db.r6gd, db.r6i, db.r6id, db.r6idn, db.r6in, db.r7g, db.r7i, db.r8g, db.t3, db.t4g, db.x2g, db.x2iedn
  AllocatedStorageGB = 10: want 20 to 65536 (gp3)
  MaxAllocatedStorageGB = 5: want 11 to 65536: RDS needs the autoscaling ceiling at least 10% above AllocatedStorageGB (10)
  Port = 80: want 1150 to 65535 (the ports RDS accepts)
  AdminUsername = "postgres": a default or reserved name (control rds-custom-admin); refused: postgres, admin, root, rdsadmin, rdsrepladmin, rds_superuser, master, administrator
  BackupRetentionDays = 40: want 1 to 35 (7 or more keeps rds-backup-retention passing)
  BackupWindow = "2am": want hh:mm-hh:mm in UTC
  MaintenanceWindow = "sunday": want ddd:hh:mm-ddd:hh:mm in UTC, e.g. sun:03:30-sun:04:30
  CACertIdentifier = "rds-ca-2019": want a current RDS CA: rds-ca-rsa2048-g1, rds-ca-rsa4096-g1, rds-ca-ecc384-g1
  MonitoringIntervalSeconds = 2: want 1, 5, 10, 15, 30 or 60 (to turn monitoring off, set DisableEnhancedMonitoring)
  PerformanceInsightsRetentionDays = 30: want 7, 731, or a multiple of 31 from 31 to 713 (months times 31)
  IAMDatabaseUsers[0] = "App": want 1-63 lowercase letters, digits and underscores, starting with a letter or underscore
  IAMDatabaseUsers[1] = "postgres": the master user signs in only through its managed secret, not IAM
  StorageKeyArn = "": required
  SubnetGroupName = "": required
  SecurityGroupIDs = "": required
  ParameterGroupName = "": required`)
	assert.Empty(t, m.Resources())
}

// What CreateDBInstance refuses is refused here, before anything is created: the master user
// name (1-16 characters, a letter first, no reserved word), a ceiling under 10% above the
// allocated storage, and classes RDS does not sell (the review's findings 3 to 5).
func TestInstanceSettingsRDSWouldRefuse(t *testing.T) {
	bad := func(mutate func(s *hardenedpg.InstanceSettings)) string {
		t.Helper()
		args := instanceArgs(hardenedpg.InstanceSettings{Identifier: "orders"})
		mutate(&args.InstanceSettings)
		m, err := run(t, nil, func(ctx *pulumi.Context) error {
			_, err := hardenedpg.NewInstance(ctx, "db", args)
			return err
		})
		if err == nil {
			return ""
		}
		assert.Empty(t, m.Resources(), "nothing is created")
		return strings.TrimPrefix(err.Error(), "hardenedpg.NewInstance \"db\": invalid arguments:\n  ")
	}
	for name, u := range map[string]string{"17 characters": "orders_admin_user", "leading underscore": "_admin", "keyword": "user", "another keyword": "select"} {
		assert.NotEmpty(t, bad(func(s *hardenedpg.InstanceSettings) { s.AdminUsername = u }), name)
	}
	assert.Equal(t, `AdminUsername = "orders_admin_user": want 1-16 lowercase letters, digits and underscores, starting with a letter (RDS's limit for the master user)`,
		bad(func(s *hardenedpg.InstanceSettings) { s.AdminUsername = "orders_admin_user" }))
	assert.Equal(t, `AdminUsername = "user": is a reserved PostgreSQL keyword; RDS would refuse it as the master user`,
		bad(func(s *hardenedpg.InstanceSettings) { s.AdminUsername = "user" }))
	assert.Empty(t, bad(func(s *hardenedpg.InstanceSettings) { s.AdminUsername = "orders_dbadmin16" }), "16 characters")

	assert.Equal(t, `MaxAllocatedStorageGB = 1050: want 1100 to 65536: RDS needs the autoscaling ceiling at least 10% above AllocatedStorageGB (1000)`,
		bad(func(s *hardenedpg.InstanceSettings) { s.AllocatedStorageGB, s.MaxAllocatedStorageGB = 1000, 1050 }))
	assert.Empty(t, bad(func(s *hardenedpg.InstanceSettings) { s.AllocatedStorageGB, s.MaxAllocatedStorageGB = 1000, 1100 }))

	for _, class := range []string{"db.m7i.32xlarge", "db.r7i.32xlarge", "db.m8g.32xlarge", "db.r8g.32xlarge", "db.x2iedn.12xlarge", "db.r6idn.large"} {
		assert.Contains(t, bad(func(s *hardenedpg.InstanceSettings) { s.InstanceClass = class }), `InstanceClass = "`+class+`": not a DB instance class RDS offers`, class)
	}
	for _, class := range []string{"db.m7i.48xlarge", "db.r8g.24xlarge", "db.x2iedn.32xlarge", "db.r6idn.xlarge", "db.m6idn.large"} {
		assert.Empty(t, bad(func(s *hardenedpg.InstanceSettings) { s.InstanceClass = class }), class)
	}
}

// The default ceiling leaves RDS's recommended 26% headroom: 950 GiB allocated gets 1197, not 1000.
func TestDefaultStorageCeilingHasHeadroom(t *testing.T) {
	args := instanceArgs(hardenedpg.InstanceSettings{Identifier: "orders"})
	args.AllocatedStorageGB, args.MaxAllocatedStorageGB = 950, 0
	m := mustRun(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewInstance(ctx, "db", args)
		return err
	})
	assert.Equal(t, 1197.0, only(t, m, typeInstance).Inputs["maxAllocatedStorage"])
}
