package config_test

import (
	"errors"
	"maps"
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/config"
)

// valid is a complete production configuration; each case changes it.
func valid() map[string]string {
	return map[string]string{
		"identifier":              "orders",
		"vpcId":                   "vpc-0123456789abcdef0",
		"subnetIds":               `["subnet-0000000a","subnet-0000000b"]`,
		"allowedSecurityGroupIds": `["sg-0000000c"]`,
		"auditDestinationArn":     "arn:aws:logs:eu-west-1:210987654321:destination:audit",
		"alertEmails":             `["dba@example.com"]`,
		"backupReplicationRegion": "eu-central-1",
		"tags":                    `{"environment":"prod","owner":"platform"}`,
	}
}

// problems loads values and validates the args, as the stack does, returning every error line.
func problems(values map[string]string, present ...string) []string {
	c, err := config.Load(func(k string) (string, bool) { v, ok := values[k]; return v, ok }, present, nil, nil)
	if err == nil {
		err = c.Explain(c.Args.Validate())
	}
	if err == nil {
		return nil
	}
	var ce *config.Error
	if !errors.As(err, &ce) {
		return []string{"not a config error: " + err.Error()}
	}
	return ce.Problems
}

func TestValidConfig(t *testing.T) {
	c, err := config.Load(func(k string) (string, bool) { v, ok := valid()[k]; return v, ok }, nil, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, "orders", c.Args.Instance.Identifier)
	assert.NotNil(t, c.Args.Network.VpcID)
	assert.Equal(t, []string{"subnet-0000000a", "subnet-0000000b"}, c.Args.Network.SubnetIDs)
	assert.NoError(t, c.Args.Validate())
}

func TestConfigRelaxationsAndParameters(t *testing.T) {
	values := valid()
	maps.Copy(values, map[string]string{
		"multiAz": "false", "deletionProtection": "false", "finalSnapshot": "false",
		"performanceInsights": "false", "enhancedMonitoring": "false", "verifyPrivateSubnets": "false",
		"port": "6432", "backupRetentionDays": "7",
		"parameters": `{"work_mem":"65536","max_connections":{"value":"200","applyMethod":"pending-reboot"}}`,
		"waivers":    `{"rds-multi-az":"dev","rds-deletion-protection":"dev","rds-final-snapshot":"dev","rds-performance-insights":"dev","rds-enhanced-monitoring":"dev","rds-private-subnets":"dev"}`,
	})
	c, err := config.Load(func(k string) (string, bool) { v, ok := values[k]; return v, ok }, nil, nil, nil)
	require.NoError(t, err)
	a := c.Args
	i := a.Instance
	assert.True(t, i.SingleAZ && i.DisableDeletionProtection && i.SkipFinalSnapshot && i.DisablePerformanceInsights && i.DisableEnhancedMonitoring && a.Network.SkipPrivateSubnetCheck)
	assert.Equal(t, 6432, i.Port)
	assert.Equal(t, []hardenedpg.Parameter{
		{Name: "max_connections", Value: "200", ApplyMethod: "pending-reboot"},
		{Name: "work_mem", Value: "65536"},
	}, a.Parameters)
	assert.NoError(t, a.Validate())
}

func TestConfigBadInputs(t *testing.T) {
	cases := []struct {
		name    string
		set     map[string]string
		unset   []string
		present []string
		want    []string
	}{
		{"identifier missing", nil, []string{"identifier"}, nil,
			[]string{`hardenedpg:identifier = "": required: the RDS instance identifier`}},
		{"identifier uppercase", map[string]string{"identifier": "Orders"}, nil, nil,
			[]string{`hardenedpg:identifier = "Orders": want 1-39 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen`}},
		{"no network", nil, []string{"vpcId", "subnetIds", "allowedSecurityGroupIds"}, nil,
			[]string{`hardenedpg:vpcId is not set: set vpcId, subnetIds and allowedSecurityGroupIds, or networkStack`}},
		{"network twice", map[string]string{"networkStack": "acme/network/prod"}, nil, nil,
			[]string{`hardenedpg:networkStack = "acme/network/prod": give the network either as networkStack or as vpcId/subnetIds/allowedSecurityGroupIds, not both`}},
		{"bad network stack", map[string]string{"networkStack": "a b"}, []string{"vpcId", "subnetIds", "allowedSecurityGroupIds"}, nil,
			[]string{`hardenedpg:networkStack = "a b": want a stack name: stack, project/stack or org/project/stack`}},
		{"vpc id", map[string]string{"vpcId": "my-vpc"}, nil, nil,
			[]string{`hardenedpg:vpcId = "my-vpc": want a VPC ID starting with vpc-`}},
		{"subnets not a list", map[string]string{"subnetIds": "subnet-0000000a"}, nil, nil,
			[]string{`hardenedpg:subnetIds = "subnet-0000000a": want a list of strings`}},
		{"one subnet", map[string]string{"subnetIds": `["subnet-0000000a"]`}, nil, nil,
			[]string{`hardenedpg:subnetIds = ["subnet-0000000a"]: want at least two subnets in two availability zones (RDS needs them for Multi-AZ and failover)`}},
		{"cidr source", map[string]string{"allowedSecurityGroupIds": `["10.0.0.0/8"]`}, nil, nil,
			[]string{`hardenedpg:allowedSecurityGroupIds[0] = "10.0.0.0/8": CIDR sources are not accepted (control sg-no-cidr-ingress); give the security group ID of the clients, sg-...`}},
		{"port not a number", map[string]string{"port": "fivefour"}, nil, nil,
			[]string{`hardenedpg:port = "fivefour": want a whole number`}},
		{"default port", map[string]string{"port": "5432"}, nil, nil,
			[]string{`hardenedpg:port = 5432: relaxes control rds-non-default-port (hardened: any port but 5432, 5433 by default); set it back or add a waiver for rds-non-default-port with the reason`}},
		{"admin name", map[string]string{"adminUsername": "admin"}, nil, nil,
			[]string{`hardenedpg:adminUsername = "admin": a default or reserved name (control rds-custom-admin); refused: postgres, admin, root, rdsadmin, rdsrepladmin, rds_superuser, master, administrator`}},
		{"admin name of 17", map[string]string{"adminUsername": "abcdefghijklmnopq"}, nil, nil,
			[]string{`hardenedpg:adminUsername = "abcdefghijklmnopq": want 1-16 lowercase letters, digits and underscores, starting with a letter (RDS's limit for the master user)`}},
		{"admin name underscore", map[string]string{"adminUsername": "_admin"}, nil, nil,
			[]string{`hardenedpg:adminUsername = "_admin": want 1-16 lowercase letters, digits and underscores, starting with a letter (RDS's limit for the master user)`}},
		{"admin name pg_", map[string]string{"adminUsername": "pg_admin"}, nil, nil,
			[]string{`hardenedpg:adminUsername = "pg_admin": pg_* names are PostgreSQL's predefined roles; RDS would refuse it as the master user`}},
		{"admin name rds", map[string]string{"adminUsername": "rds_admin"}, nil, nil,
			[]string{`hardenedpg:adminUsername = "rds_admin": rds* names are RDS's own roles (rds_superuser, rdsadmin, rds_iam, ...); RDS would refuse it as the master user`}},
		{"admin name rds_iam", map[string]string{"adminUsername": "rds_iam"}, nil, nil,
			[]string{`hardenedpg:adminUsername = "rds_iam": rds* names are RDS's own roles (rds_superuser, rdsadmin, rds_iam, ...); RDS would refuse it as the master user`}},
		{"engine minor", map[string]string{"engineMajorVersion": "16.4"}, nil, nil,
			[]string{`hardenedpg:engineMajorVersion = "16.4": give the major version only (16): minor versions are upgraded automatically`}},
		{"engine old", map[string]string{"engineMajorVersion": "11"}, nil, nil,
			[]string{`hardenedpg:engineMajorVersion = "11": want a supported major version: 14, 15, 16, 17, 18`}},
		{"multiAz not bool", map[string]string{"multiAz": "yes please"}, nil, nil,
			[]string{`hardenedpg:multiAz = "yes please": want true or false`}},
		{"multiAz off without waiver", map[string]string{"multiAz": "false"}, nil, nil,
			[]string{`hardenedpg:multiAz = false: relaxes control rds-multi-az (hardened: true: a standby in a second zone); set it back or add a waiver for rds-multi-az with the reason`}},
		{"deletion protection off without waiver", map[string]string{"deletionProtection": "false"}, nil, nil,
			[]string{`hardenedpg:deletionProtection = false: relaxes control rds-deletion-protection (hardened: true: deletion protection on); set it back or add a waiver for rds-deletion-protection with the reason`}},
		{"backup retention short", map[string]string{"backupRetentionDays": "3"}, nil, nil,
			[]string{`hardenedpg:backupRetentionDays = 3: relaxes control rds-backup-retention (hardened: 7 to 35, 35 by default); set it back or add a waiver for rds-backup-retention with the reason`}},
		{"backup retention long", map[string]string{"backupRetentionDays": "90"}, nil, nil,
			[]string{`hardenedpg:backupRetentionDays = 90: want 1 to 35 (7 or more keeps rds-backup-retention passing)`}},
		{"ca", map[string]string{"caCertIdentifier": "rds-ca-2019"}, nil, nil,
			[]string{`hardenedpg:caCertIdentifier = "rds-ca-2019": want a current RDS CA: rds-ca-rsa2048-g1, rds-ca-rsa4096-g1, rds-ca-ecc384-g1`}},
		{"storage", map[string]string{"allocatedStorageGb": "500", "maxAllocatedStorageGb": "400"}, nil, nil,
			[]string{`hardenedpg:maxAllocatedStorageGb = 400: want 550 to 65536: RDS needs the autoscaling ceiling at least 10% above allocatedStorageGb (500)`}},
		{"weakened parameter", map[string]string{"parameters": `{"ssl_min_protocol_version":"TLSv1.1"}`}, nil, nil,
			[]string{`hardenedpg:parameters["ssl_min_protocol_version"] = "TLSv1.1": weakens control pg-tls-min, which cannot be waived; accepted: TLSv1.2 or TLSv1.3`}},
		{"parameters shape", map[string]string{"parameters": `{"work_mem":5}`}, nil, nil,
			[]string{`hardenedpg:parameters = "{\"work_mem\":5}": parameter work_mem: want a string value or {value, applyMethod}`}},
		{"upgrade in the maintenance window", map[string]string{"upgradeFromMajorVersion": "16", "engineMajorVersion": "17"}, nil, nil, []string{
			`hardenedpg:applyImmediately = false: an upgrade (upgradeFromMajorVersion 16 → engineMajorVersion 17) needs it true: deferred to the maintenance window, the old parameter group cannot be deleted in the same up, which then fails`,
		}},
		{"serverless minimum alone", map[string]string{"engine": "aurora-postgresql", "clusterServerlessMinAcu": "0", "backupCopyToVaultArn": "arn:aws:backup:eu-central-1:123456789012:backup-vault:copy"}, []string{"backupReplicationRegion"}, nil, []string{
			`hardenedpg:clusterServerlessMinAcu = "0": a Serverless v2 minimum needs clusterServerlessMaxAcu; without it the instances are provisioned (instanceClass)`,
		}},
		{"explicit empty strings", map[string]string{"restoreSnapshotIdentifier": "", "engine": " ", "proxyUsers": ""}, nil, nil, []string{
			`hardenedpg:engine = " ": empty; want postgres (an RDS instance) or aurora-postgresql (an Aurora cluster: writer and readers), or leave the key out for the default: postgres`,
			`hardenedpg:proxyUsers = "": empty; want a map of database user to new (the stack makes the user's secret, under the storage key, and you put the password in it) or to the full Secrets Manager secret ARN of its password (encrypted with the storage key); an RDS Proxy requiring TLS and IAM auth fronts the instance, or leave the key out for the default: {} (no proxy)`,
			`hardenedpg:restoreSnapshotIdentifier = "": empty; want a DB snapshot (Aurora: DB cluster snapshot) identifier, or the ARN of one shared with or copied to this account; the new database is restored from it (an RDS snapshot is first copied under the storage key), or leave the key out for the default: a new, empty database`,
		}},
		{"misspelt applyMethod", map[string]string{"parameters": `{"work_mem":{"value":"65536","applyMetod":"pending-reboot"}}`}, nil, nil,
			[]string{`hardenedpg:parameters = "{\"work_mem\":{\"value\":\"65536\",\"applyMetod\":\"pending-reboot\"}}": parameter work_mem: want a string value or {value, applyMethod}`}},
		{"log retention", map[string]string{"logRetentionDays": "100"}, nil, nil,
			[]string{`hardenedpg:logRetentionDays = 100: want a CloudWatch Logs retention: [1 3 5 7 14 30 60 90 120 150 180 365 400 545 731 1096 1827 2192 2557 2922 3288 3653]`}},
		{"destination", map[string]string{"auditDestinationArn": "central-audit"}, nil, nil,
			[]string{`hardenedpg:auditDestinationArn = "central-audit": want a CloudWatch Logs destination (arn:aws:logs:<region>:<account>:destination:<name>) or a Firehose stream (arn:aws:firehose:<region>:<account>:deliverystream/<name>)`}},
		{"no destination and no archive", map[string]string{"auditArchive": "false"}, []string{"auditDestinationArn"}, nil,
			[]string{`hardenedpg:auditArchive = false: relaxes control logs-shipped (hardened: true: the logs stream into a local archive, unless auditDestinationArn names a destination); set it back or add a waiver for logs-shipped with the reason`}},
		{"settings of alerts that are off", map[string]string{"alerts": "false", "alertCpuPercent": "90", "waivers": `{"events-instance":"x","events-parameter-group":"x","events-security-group":"x","alarms-present":"x"}`}, nil, nil,
			[]string{`hardenedpg:alertCpuPercent = 90: would be ignored: there are no alerts (alerts: false); remove it`, `hardenedpg:alertEmails = ["dba@example.com"]: would be ignored: there are no alerts (alerts: false); remove it`}},
		{"archive retention", map[string]string{"auditArchiveRetentionDays": "0x"}, []string{"auditDestinationArn"}, nil,
			[]string{`hardenedpg:auditArchiveRetentionDays = "0x": want a whole number`}},
		{"missing tags", map[string]string{"tags": `{"owner":"platform"}`}, nil, nil,
			[]string{`hardenedpg:tags = ["owner"]: relaxes control rds-tags (hardened: tags with the keys environment, owner; missing: environment); set it back or add a waiver for rds-tags with the reason`}},
		{"tags not a map", map[string]string{"tags": `["prod"]`}, nil, nil,
			[]string{`hardenedpg:tags = "[\"prod\"]": want a map of strings to strings`}},
		{"unknown waiver", map[string]string{"waivers": `{"multi-az":"dev"}`}, nil, nil,
			[]string{`hardenedpg:waivers["multi-az"] = "dev": "multi-az" is not a control key; waivable keys: ` + strings.Join(baseline.WaivableKeys(), ", ")}},
		{"unwaivable waiver", map[string]string{"waivers": `{"rds-not-public":"temporary"}`}, nil, nil,
			[]string{`hardenedpg:waivers["rds-not-public"] = "temporary": control rds-not-public (Instance is not publicly accessible) cannot be waived`}},
		{"invisible reasons", map[string]string{"multiAz": "false", "deletionProtection": "false", "finalSnapshot": "false",
			"waivers": `{"rds-multi-az":"\u200b","rds-deletion-protection":"ok\nPASS            rds-encrypted","rds-final-snapshot":"\u001b[8mhidden"}`}, nil, nil, []string{
			`hardenedpg:waivers["rds-deletion-protection"] = "ok\nPASS            rds-encrypted": the reason must be one line of visible text: no line breaks, control or invisible characters`,
			`hardenedpg:waivers["rds-final-snapshot"] = "\u001b[8mhidden": the reason must be one line of visible text: no line breaks, control or invisible characters`,
			"hardenedpg:waivers[\"rds-multi-az\"] = \"\u200b\": the reason must be one line of visible text: no line breaks, control or invisible characters",
		}},
		{"blank reasons", map[string]string{"multiAz": "false", "deletionProtection": "false",
			"waivers": `{"rds-multi-az":"\u3164\u3164","rds-deletion-protection":"\u2800"}`}, nil, nil, []string{
			"hardenedpg:waivers[\"rds-deletion-protection\"] = \"\u2800\": the reason must be one line of visible text: no line breaks, control or invisible characters",
			"hardenedpg:waivers[\"rds-multi-az\"] = \"\u3164\u3164\": the reason must be one line of visible text: no line breaks, control or invisible characters",
		}},
		{"waiver of a control that is not relaxed", map[string]string{"waivers": `{"rds-multi-az":"just in case"}`}, nil, nil,
			[]string{`hardenedpg:waivers["rds-multi-az"] = "just in case": nothing here relaxes control rds-multi-az: remove the waiver (a waiver stands for a relaxation that is made)`}},
		{"waiver of one resource", map[string]string{"multiAz": "false", "waivers": `{"rds-multi-az/orders-dev":"dev"}`}, nil, nil, []string{
			`hardenedpg:multiAz = false: relaxes control rds-multi-az (hardened: true: a standby in a second zone); set it back or add a waiver for rds-multi-az with the reason`,
			`hardenedpg:waivers["rds-multi-az/orders-dev"] = "dev": a component's waivers cover only its own resources already: waive rds-multi-az alone here; a waiver of one resource (rds-multi-az/orders-dev) is for the scorecard, the policy pack and the live audit`,
		}},
		{"empty reason", map[string]string{"waivers": `{"rds-multi-az":""}`}, nil, nil,
			[]string{`hardenedpg:waivers["rds-multi-az"] = "": the reason is empty; say why the control is relaxed`}},
		{"misspelt key", nil, nil, []string{"hardenedpg:multiAZ", "aws:region"},
			[]string{`hardenedpg:multiAZ: unknown key; known keys: ` + knownKeys()}},
		{"bootstrap user without IAM", map[string]string{"bootstrap": `{"database":"orders","appUsers":["orders_api"]}`}, nil, nil,
			[]string{`hardenedpg:bootstrap.appUsers[0] = "orders_api": not in iamDatabaseUsers, so no exported policy lets it connect; add it there`}},
		{"bootstrap misspelt field", map[string]string{"bootstrap": `{"database":"orders","appUser":["x"]}`}, nil, nil,
			[]string{`hardenedpg:bootstrap = "{\"database\":\"orders\",\"appUser\":[\"x\"]}": unknown key appUser; known keys: database, schema, migrationUsers, appUsers, readOnlyUsers, tenantTables, tenantColumn, tenantSetting, tenants`}},
		{"bootstrap bad names", map[string]string{"bootstrap": `{"database":"orders","schema":"public","iamDatabaseUsers":[]}`}, nil, nil,
			[]string{`hardenedpg:bootstrap = "{\"database\":\"orders\",\"schema\":\"public\",\"iamDatabaseUsers\":[]}": unknown key iamDatabaseUsers; known keys: database, schema, migrationUsers, appUsers, readOnlyUsers, tenantTables, tenantColumn, tenantSetting, tenants`}},
		{"bootstrap undocumented role keys", map[string]string{"bootstrap": `{"database":"orders","appRole":"rds_superuser","ownerRole":"dbadmin"}`}, nil, nil,
			[]string{`hardenedpg:bootstrap = "{\"database\":\"orders\",\"appRole\":\"rds_superuser\",\"ownerRole\":\"dbadmin\"}": unknown key appRole, ownerRole; known keys: database, schema, migrationUsers, appUsers, readOnlyUsers, tenantTables, tenantColumn, tenantSetting, tenants`}},
		{"bootstrap keys match case-sensitively", map[string]string{"bootstrap": `{"Database":"orders","APPUSERS":["x"]}`}, nil, nil,
			[]string{`hardenedpg:bootstrap = "{\"Database\":\"orders\",\"APPUSERS\":[\"x\"]}": unknown key APPUSERS, Database; known keys: database, schema, migrationUsers, appUsers, readOnlyUsers, tenantTables, tenantColumn, tenantSetting, tenants`}},
		{"bootstrap tenants", map[string]string{
			"iamDatabaseUsers": `["orders_api","orders_acme"]`,
			"bootstrap":        `{"database":"orders","appUsers":["orders_api"],"tenants":{"acme":["orders_acme","orders_api","orders_globex"],"Globex":[],"app":[]}}`,
		}, nil, nil, []string{
			`hardenedpg:bootstrap.tenants["Globex"] = "Globex": want a lowercase SQL name for the tenant: letters, digits and underscores, starting with a letter or underscore`,
			`hardenedpg:bootstrap.tenants["acme"][1] = "orders_api": is also in AppUsers: one user, one role`,
			`hardenedpg:bootstrap.tenants["acme"][2] = "orders_globex": not in iamDatabaseUsers, so no exported policy lets it connect; add it there`,
		}},
		{"bootstrap tenants not a map", map[string]string{"bootstrap": `{"database":"orders","tenants":["acme"]}`}, nil, nil,
			[]string{`hardenedpg:bootstrap = "{\"database\":\"orders\",\"tenants\":[\"acme\"]}": bootstrap.tenants: want a map of tenant name to its users (a list, which may be empty)`}},
		{"bootstrap privileged and reserved names", map[string]string{
			"iamDatabaseUsers": `["rds_superuser","rdsadmin","postgres","pg_monitor","public","user","current_user","dbadmin"]`,
			"bootstrap":        `{"database":"orders","appUsers":["rds_superuser","rdsadmin","postgres","pg_monitor"],"readOnlyUsers":["public","user","current_user","dbadmin"]}`,
		}, nil, nil, []string{
			`hardenedpg:bootstrap.appUsers[0] = "rds_superuser": rds* names are RDS's own roles (rds_superuser, rdsadmin, rds_iam, ...)`,
			`hardenedpg:bootstrap.appUsers[1] = "rdsadmin": rds* names are RDS's own roles (rds_superuser, rdsadmin, rds_iam, ...)`,
			`hardenedpg:bootstrap.appUsers[2] = "postgres": is a name PostgreSQL reserves or gives to its superuser`,
			`hardenedpg:bootstrap.appUsers[3] = "pg_monitor": pg_* names are PostgreSQL's predefined roles`,
			`hardenedpg:bootstrap.readOnlyUsers[0] = "public": is a name PostgreSQL reserves or gives to its superuser`,
			`hardenedpg:bootstrap.readOnlyUsers[1] = "user": is a reserved PostgreSQL keyword`,
			`hardenedpg:bootstrap.readOnlyUsers[2] = "current_user": is a reserved PostgreSQL keyword`,
			`hardenedpg:bootstrap.readOnlyUsers[3] = "dbadmin": is the master user that runs the script`,
			`hardenedpg:iamDatabaseUsers[7] = "dbadmin": the master user signs in only through its managed secret, not IAM`,
		}},
		{"bootstrap database and schema", map[string]string{"bootstrap": `{"database":"postgres","schema":"pg_app"}`}, nil, nil, []string{
			`hardenedpg:bootstrap.database = "postgres": is a system database; bootstrap a database of the application's own`,
			`hardenedpg:bootstrap.schema = "pg_app": is a system schema name; use a schema of the application's own`,
		}},
		{"explicit zeros", map[string]string{"port": "0", "backupRetentionDays": "0", "monitoringIntervalSeconds": "0", "alertConnections": "-5"}, nil, nil, []string{
			`hardenedpg:alertConnections = "-5": want 1 or more (leave the key out for the default)`,
			`hardenedpg:backupRetentionDays = "0": want 7-35; 1-6 needs a waiver of rds-backup-retention (leave the key out for the default)`,
			`hardenedpg:monitoringIntervalSeconds = "0": want 1, 5, 10, 15, 30, 60 (leave the key out for the default)`,
			`hardenedpg:port = "0": want 1150-65535; 5432 needs a waiver of rds-non-default-port (leave the key out for the default)`,
		}},
		{"instance class RDS does not offer", map[string]string{"instanceClass": "db.zz9.large"}, nil, nil, []string{
			`hardenedpg:instanceClass = "db.zz9.large": not a DB instance class RDS offers for PostgreSQL; want db.<family>.<size> such as db.m7g.large, with a family of ` + strings.Join(baseline.InstanceFamilies(), ", "),
		}},
		{"read replicas and their rotation", map[string]string{"readReplicas": `{"orders-r2":"db.zz9.large","orders":""}`, "rotationDays": "45"}, nil, nil, []string{
			`hardenedpg:readReplicas["orders"] = "orders": is the identifier of the source or of another replica`,
			`hardenedpg:readReplicas["orders-r2"] = "db.zz9.large": not a DB instance class RDS offers for PostgreSQL; want db.<family>.<size> such as db.m7g.large, with a family of ` + strings.Join(baseline.InstanceFamilies(), ", "),
			`hardenedpg:rotationDays = 45: want 1 to 30: the password the stack generated, which Pulumi's state holds, must not stay valid longer`,
		}},
		{"a replica of another region", map[string]string{"readReplicas": `{"orders-us":{"region":"us-east-1","vpcId":"vpc-0a1b2c3d4e5f60101","subnetIds":["subnet-0a1b2c3d4e5f60111"],"instanceClass":"db.zz9.large"}}`}, nil, nil, []string{
			`hardenedpg:readReplicas["orders-us"].instanceClass = "db.zz9.large": not a DB instance class RDS offers for PostgreSQL; want db.<family>.<size> such as db.m7g.large, with a family of ` + strings.Join(baseline.InstanceFamilies(), ", "),
			`hardenedpg:readReplicas["orders-us"].subnetIds = ["subnet-0a1b2c3d4e5f60111"]: want at least two subnets in two availability zones (RDS needs them for Multi-AZ and failover)`,
		}},
		{"a replica's object with an unknown key", map[string]string{"readReplicas": `{"orders-us":{"region":"us-east-1","subnets":["subnet-1"]}}`}, nil, nil, []string{
			`hardenedpg:readReplicas = "{\"orders-us\":{\"region\":\"us-east-1\",\"subnets\":[\"subnet-1\"]}}": readReplicas["orders-us"]: want an instance class or {instanceClass, region, vpcId, subnetIds, allowedSecurityGroupIds, logsDestinationArn}: json: unknown field "subnets"`,
		}},
		{"a Multi-AZ DB cluster's storage on an instance", map[string]string{"multiAzClusterIops": "3000"}, nil, nil, []string{
			`hardenedpg:multiAzClusterIops = 3000: would be ignored: only a Multi-AZ DB cluster has them (deployment multi-az-cluster); remove it`,
		}},
		{"unknown namespace", nil, nil, []string{"hardendpg:multiAz", "aws:region"},
			[]string{`hardendpg:multiAz: unknown namespace "hardendpg"; this program reads hardenedpg, aws, pulumi`}},
		{"bootstrap public schema", map[string]string{"bootstrap": `{"database":"orders","schema":"public"}`}, nil, nil,
			[]string{`hardenedpg:bootstrap.schema = "public": use a schema of the application's own: public is shared with every role`}},
		{"several at once", map[string]string{"port": "80", "monitoringIntervalSeconds": "7", "iamDatabaseUsers": `["App"]`}, nil, nil,
			[]string{
				`hardenedpg:iamDatabaseUsers[0] = "App": want 1-63 lowercase letters, digits and underscores, starting with a letter or underscore`,
				`hardenedpg:monitoringIntervalSeconds = 7: want 1, 5, 10, 15, 30 or 60 (to turn monitoring off, set enhancedMonitoring: false)`,
				`hardenedpg:port = 80: want 1150 to 65535 (the ports RDS accepts)`,
			}},
	}
	require.GreaterOrEqual(t, len(cases), 20)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			values := valid()
			maps.Copy(values, tc.set)
			for _, k := range tc.unset {
				delete(values, k)
			}
			assert.Equal(t, tc.want, problems(values, tc.present...))
		})
	}
}

func knownKeys() string {
	names := make([]string, len(config.Keys))
	for i, k := range config.Keys {
		names[i] = k.Name
	}
	return strings.Join(names, ", ")
}

// A secret's value never reaches a message, whether the key fails to parse or its value fails a
// component's check; an offline placeholder is accepted as unknown.
func TestSecretsNeverPrinted(t *testing.T) {
	const token = "T0KEN-do-not-print"
	for name, tc := range map[string]struct {
		value string
		want  string
	}{
		"one secure value, not a list": {"https://hooks.example.com/" + token, `hardenedpg:alertHttpsEndpoints = [secret]: want a list of strings`},
		"element fails the check":      {`["http://hooks.example.com/` + token + `"]`, `hardenedpg:alertHttpsEndpoints[0] = [secret]: want an https:// URL (plain http would carry alerts unencrypted)`},
	} {
		t.Run(name, func(t *testing.T) {
			values := valid()
			values["alertHttpsEndpoints"] = tc.value
			_, err := config.Load(func(k string) (string, bool) { v, ok := values[k]; return v, ok }, nil,
				func(key string) bool { return key == "hardenedpg:alertHttpsEndpoints" }, nil)
			require.Error(t, err)
			assert.NotContains(t, err.Error(), token)
			var ce *config.Error
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, []string{tc.want}, ce.Problems)
		})
	}
	values := valid()
	values["alertHttpsEndpoints"] = config.SecretPlaceholder
	c, err := config.Load(func(k string) (string, bool) { v, ok := values[k]; return v, ok }, nil,
		func(key string) bool { return key == "hardenedpg:alertHttpsEndpoints" }, nil)
	require.NoError(t, err, "offline, a secure value is unknown and stands in as a valid one")
	assert.Equal(t, []pulumi.StringInput{pulumi.String("https://secret.invalid/")}, c.Args.Alerts.HTTPSEndpoints)
}

// Windows and retention as AWS's CreateDBInstance accepts them.
func TestWindowsAndRetentionAWSAccepts(t *testing.T) {
	for name, tc := range map[string]struct {
		set  map[string]string
		want []string
	}{
		"backup window under 30 minutes": {map[string]string{"backupWindow": "02:00-02:20"},
			[]string{`hardenedpg:backupWindow = "02:00-02:20": want a window of at least 30 minutes (RDS's minimum)`}},
		"backup window overlaps maintenance": {map[string]string{"backupWindow": "03:00-04:00", "maintenanceWindow": "sun:03:30-sun:04:30"},
			[]string{`hardenedpg:backupWindow = "03:00-04:00": overlaps the maintenance window sun:03:30-sun:04:30; RDS refuses windows that conflict`}},
		"overlap across midnight": {map[string]string{"backupWindow": "23:30-00:30", "maintenanceWindow": "mon:00:00-mon:00:45"},
			[]string{`hardenedpg:backupWindow = "23:30-00:30": overlaps the maintenance window mon:00:00-mon:00:45; RDS refuses windows that conflict`}},
		"maintenance window under 30 minutes": {map[string]string{"maintenanceWindow": "sun:03:30-sun:03:40"},
			[]string{`hardenedpg:maintenanceWindow = "sun:03:30-sun:03:40": want a window of at least 30 minutes (RDS's minimum)`}},
		"adjacent windows": {map[string]string{"backupWindow": "02:30-03:30", "maintenanceWindow": "sun:03:30-sun:04:30"}, nil},
		"negative PI retention": {map[string]string{"performanceInsightsRetentionDays": "-31"},
			[]string{`hardenedpg:performanceInsightsRetentionDays = "-31": want 7, 731, or a multiple of 31 from 31 to 713 (leave the key out for the default)`}},
		"PI retention 744": {map[string]string{"performanceInsightsRetentionDays": "744"},
			[]string{`hardenedpg:performanceInsightsRetentionDays = 744: want 7, 731, or a multiple of 31 from 31 to 713 (months times 31)`}},
		"PI retention 731": {map[string]string{"performanceInsightsRetentionDays": "731"}, nil},
		"PI retention 713": {map[string]string{"performanceInsightsRetentionDays": "713"}, nil},
	} {
		t.Run(name, func(t *testing.T) {
			values := valid()
			maps.Copy(values, tc.set)
			assert.Equal(t, tc.want, problems(values))
		})
	}
}

// The identifier's maximum comes from the tightest name derived from it: the backup vault's 50.
func TestIdentifierFitsEveryDerivedName(t *testing.T) {
	values := valid()
	values["identifier"] = "orders-" + strings.Repeat("x", 33) // 40 characters
	assert.Equal(t, []string{`hardenedpg:identifier = "orders-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx": want at most 39 characters: the backup vault name "hardenedpg-orders-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" would have 51, and AWS allows 50 (AWS Backup CreateBackupVault: 2 to 50 characters; terraform-provider-aws aws_backup_vault validates 50)`},
		problems(values))
	values["identifier"] = "orders-" + strings.Repeat("x", 32) // 39 characters
	assert.Empty(t, problems(values))
}

// The provider's default tags (aws:defaultTags) count towards the required tags: AWS puts them on
// every resource.
func TestProviderDefaultTagsCountTowardsTheRequiredTags(t *testing.T) {
	values := valid()
	values["tags"] = `{"environment": "prod"}`
	get := func(k string) (string, bool) { v, ok := values[k]; return v, ok }
	_, err := config.Load(get, nil, nil, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "hardenedpg:tags = [\"environment\"]: relaxes control rds-tags (hardened: tags with the keys environment, owner; missing: owner)")

	c, err := config.Load(get, nil, nil, map[string]string{"owner": "platform"})
	require.NoError(t, err)
	assert.Equal(t, map[string]pulumi.StringInput{"environment": pulumi.String("prod")}, c.Args.Tags)
}

// Each key sets the DatabaseArgs field its Field names, so that an argument error names the key:
// every path must exist, and no two keys may claim one field.
func TestEveryKeyFieldIsAPathOfDatabaseArgs(t *testing.T) {
	claimed := map[string]string{}
	for _, k := range config.Keys {
		if k.Field == "" {
			continue
		}
		typ := reflect.TypeFor[hardenedpg.DatabaseArgs]()
		for _, name := range strings.Split(k.Field, ".") {
			f, ok := typ.FieldByName(name)
			require.True(t, ok, "key %s: %s has no field %s", k.Name, typ, name)
			typ = f.Type
		}
		if k.Inverted {
			assert.Equal(t, reflect.Bool, typ.Kind(), "key %s inverts %s", k.Name, k.Field)
		}
		assert.Empty(t, claimed[k.Field], "keys %s and %s both set %s", claimed[k.Field], k.Name, k.Field)
		claimed[k.Field] = k.Name
	}
}

// proxyUsers names each user's secret, in user order (the auths' order is stable); a bad user or
// secret is reported under the key, before anything is created.
func TestConfigProxyUsers(t *testing.T) {
	values := valid()
	// A partial ARN (the name without Secrets Manager's suffix) matches nothing in an IAM policy
	// or an encryption context, so the proxy could not read the secret.
	values["proxyUsers"] = `{"orders_batch":"arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/orders_batch-Ab12Cd","dbadmin":"not-an-arn",` +
		`"orders_jobs":"arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/orders_jobs"}`
	assert.Equal(t, []string{
		`hardenedpg:proxyUsers["dbadmin"] = "dbadmin": is the master user: through the proxy every client would have its rights; give an application user`,
		`hardenedpg:proxyUsers["dbadmin"] = "not-an-arn": want a Secrets Manager secret's full ARN: arn:aws:secretsmanager:<region>:<account>:secret:<name>-<the 6 characters Secrets Manager adds>; or new, and the stack makes the secret`,
		`hardenedpg:proxyUsers["orders_jobs"] = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/orders_jobs": want a Secrets Manager secret's full ARN: arn:aws:secretsmanager:<region>:<account>:secret:<name>-<the 6 characters Secrets Manager adds>; or new, and the stack makes the secret`,
	}, problems(values))

	// The bootstrap's rule for its users holds for proxy users: no reserved or RDS name, no group role.
	secret := "arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/x-Xy56Zw"
	values["proxyUsers"] = `{"pg_monitor":"` + secret + `","public":"` + secret + `","rds_iam":"` + secret + `","current_user":"` + secret + `","orders_app":"` + secret + `"}`
	values["bootstrap"] = `{"database":"orders"}`
	assert.Equal(t, []string{
		`hardenedpg:proxyUsers["current_user"] = "current_user": is a reserved PostgreSQL keyword`,
		`hardenedpg:proxyUsers["orders_app"] = "orders_app": is the name of a group role of the bootstrap (orders_owner, orders_app, orders_readonly); a user needs a name of its own`,
		`hardenedpg:proxyUsers["pg_monitor"] = "pg_monitor": pg_* names are PostgreSQL's predefined roles`,
		`hardenedpg:proxyUsers["public"] = "public": is a name PostgreSQL reserves or gives to its superuser`,
		`hardenedpg:proxyUsers["rds_iam"] = "rds_iam": rds* names are RDS's own roles (rds_superuser, rdsadmin, rds_iam, ...)`,
	}, problems(values))
	delete(values, "bootstrap")

	values["proxyUsers"] = `{"orders_batch":"arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/orders_batch-Ab12Cd","orders_jobs":"arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/orders_jobs-Ef34Gh","orders_sync":"new"}`
	c, err := config.Load(func(k string) (string, bool) { v, ok := values[k]; return v, ok }, nil, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, []hardenedpg.ProxyUser{
		{Name: "orders_batch", SecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/orders_batch-Ab12Cd"},
		{Name: "orders_jobs", SecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/orders_jobs-Ef34Gh"},
		{Name: "orders_sync"}, // new: the proxy makes its secret
	}, c.Args.Proxy.Users)
}
