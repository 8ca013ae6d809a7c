package hardenedpg_test

import (
	"encoding/json"
	"slices"
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

// replicaArgs is databaseArgs with two read replicas in its region.
func replicaArgs() *hardenedpg.DatabaseArgs {
	a := databaseArgs()
	a.Replicas = []hardenedpg.ReplicaSettings{{Identifier: "orders-reporting-1"}, {Identifier: "orders-reporting-2", InstanceClass: "db.r7g.large"}}
	return a
}

// Read replicas are hardened like their source, and the source's master password, which RDS
// cannot manage then, is the stack's own: generated, kept under the storage key and rotated at
// once by AWS's rotation function, placed in the database's subnets. The recorded inputs.
func TestReadReplicasAndTheStackOwnedMasterSecret(t *testing.T) {
	var db *hardenedpg.Database
	res := hardenedpgtest.Run(func(ctx *pulumi.Context) error {
		var err error
		db, err = hardenedpg.NewDatabase(ctx, "db", replicaArgs())
		return err
	})
	require.NoError(t, res.Err)
	m := res.Monitor
	storageKey, _ := m.Named(typeKey, "db-storage-key-key")
	keyArn := storageKey.Outputs["arn"]
	dbGroup, _ := m.Named(typeSG, "db-security-group-sg")

	// The source: its password is the generated one, and RDS manages none.
	source, _ := m.Named(typeInstance, "db-instance-db")
	password, _ := m.Named(baseline.TypeRandomPassword, "db-instance-master-password")
	assert.Equal(t, map[string]any{"length": 40.0, "special": false}, password.Inputs)
	assert.Equal(t, false, source.Inputs["manageMasterUserPassword"])
	assert.Equal(t, "[secret]", source.Inputs["password"])
	assert.Equal(t, []string{password.URN}, source.PropertyDependencies["password"])
	assert.NotContains(t, source.Inputs, "masterUserSecretKmsKeyId")

	// Its secret, under the storage key, holds what the rotation function reads.
	secret, _ := m.Named(baseline.TypeSecret, "db-instance-master-secret-secret")
	assert.Equal(t, keyArn, secret.Inputs["kmsKeyId"])
	assert.Equal(t, "orders-master-", secret.Inputs["namePrefix"])
	version, _ := m.Named(baseline.TypeSecretVersion, "db-instance-master-secret-initial-version")
	assert.Equal(t, "[secret]", version.Inputs["secretString"])
	assert.ElementsMatch(t, []string{password.URN, source.URN}, version.PropertyDependencies["secretString"])
	assert.Equal(t, []string{"secretString", "versionStages"}, version.IgnoreChanges, "the rotation's versions are not written back")
	var value map[string]any
	require.NoError(t, jsonOf(version.Raw["secretString"].SecretValue().Element.StringValue(), &value))
	assert.Len(t, value["password"], 40, "the generated password")
	delete(value, "password")
	assert.Equal(t, map[string]any{"engine": "postgres", "host": source.Outputs["address"], "port": 5433.0, "username": "dbadmin", "dbname": "postgres"}, value)

	// AWS's rotation function, in the database's subnets, reaching the database and Secrets
	// Manager only.
	function, _ := m.Named(baseline.TypeServerlessStack, "db-instance-master-secret-function")
	fnGroup, _ := m.Named(typeSG, "db-instance-master-secret-function-sg")
	endpointGroup, _ := m.Named(typeSG, "db-instance-master-secret-endpoint-sg")
	assert.Equal(t, "arn:aws:serverlessrepo:us-east-1:297356227824:applications/SecretsManagerRDSPostgreSQLRotationSingleUser", function.Inputs["applicationId"])
	assert.Equal(t, []any{"CAPABILITY_IAM", "CAPABILITY_RESOURCE_POLICY"}, function.Inputs["capabilities"])
	assert.Equal(t, map[string]any{
		"functionName": "orders-master-rotation", "endpoint": "https://secretsmanager.eu-west-1.amazonaws.com", "kmsKeyArn": keyArn,
		"vpcSubnetIds": "subnet-0000000a,subnet-0000000b", "vpcSecurityGroupIds": fnGroup.ID,
	}, function.Inputs["parameters"])
	assert.Equal(t, []any{
		map[string]any{"protocol": "tcp", "fromPort": 5433.0, "toPort": 5433.0, "securityGroups": []any{dbGroup.ID}, "description": "to the database"},
		map[string]any{"protocol": "tcp", "fromPort": 443.0, "toPort": 443.0, "securityGroups": []any{endpointGroup.ID}, "description": "to the Secrets Manager endpoint"},
	}, fnGroup.Inputs["egress"])
	assert.NotContains(t, fnGroup.Inputs, "ingress")
	assert.Equal(t, []any{}, endpointGroup.Inputs["egress"])
	admitted := map[string]any{}
	for _, r := range m.ByType(typeIngress) {
		if r.Inputs["referencedSecurityGroupId"] == fnGroup.ID {
			admitted[r.Inputs["securityGroupId"].(string)] = r.Inputs["fromPort"]
		}
	}
	assert.Equal(t, map[string]any{dbGroup.ID: 5433.0, endpointGroup.ID: 443.0}, admitted)
	endpoint := only(t, m, "aws:ec2/vpcEndpoint:VpcEndpoint")
	for k, want := range map[string]any{"serviceName": "com.amazonaws.eu-west-1.secretsmanager", "vpcEndpointType": "Interface", "privateDnsEnabled": true,
		"subnetIds": []any{"subnet-0000000a", "subnet-0000000b"}, "securityGroupIds": []any{endpointGroup.ID}} {
		assert.Equal(t, want, endpoint.Inputs[k], "endpoint %s", k)
	}
	rotation := only(t, m, baseline.TypeSecretRotation)
	assert.Equal(t, secret.ID, rotation.Inputs["secretId"])
	assert.Equal(t, "arn:aws:lambda:eu-west-1:123456789012:function:orders-master-rotation", rotation.Inputs["rotationLambdaArn"])
	assert.Equal(t, true, rotation.Inputs["rotateImmediately"])
	assert.Equal(t, map[string]any{"automaticallyAfterDays": 30.0}, rotation.Inputs["rotationRules"])
	assert.Contains(t, rotation.DependsOn, version.URN, "rotated once the first version holds the password")
	assert.Contains(t, rotation.DependsOn, endpoint.URN, "rotated once the function can reach Secrets Manager")

	// The replicas: the source's network, groups and key; what RDS does not take is not given.
	for _, tc := range []struct{ id, class string }{{"orders-reporting-1", "db.m7g.large"}, {"orders-reporting-2", "db.r7g.large"}} {
		replica, _ := m.Named(typeInstance, "db-instance-replica-"+tc.id)
		assert.True(t, replica.Protect)
		for k, want := range map[string]any{
			"identifier": tc.id, "replicateSourceDb": "orders", "instanceClass": tc.class, "dbSubnetGroupName": source.Inputs["dbSubnetGroupName"],
			"vpcSecurityGroupIds": []any{dbGroup.ID}, "parameterGroupName": source.Inputs["parameterGroupName"], "publiclyAccessible": false,
			"iamDatabaseAuthenticationEnabled": true, "multiAz": true, "deletionProtection": true, "skipFinalSnapshot": true, "backupRetentionPeriod": 35.0,
			"performanceInsightsKmsKeyId": keyArn, "monitoringRoleArn": source.Inputs["monitoringRoleArn"], "port": 5433.0,
			"enabledCloudwatchLogsExports": []any{"postgresql", "upgrade", "iam-db-auth-error"}, "caCertIdentifier": "rds-ca-rsa2048-g1",
		} {
			assert.Equal(t, want, replica.Inputs[k], "%s %s", tc.id, k)
		}
		for _, k := range []string{"username", "password", "manageMasterUserPassword", "engine", "engineVersion", "allocatedStorage", "finalSnapshotIdentifier", "kmsKeyId", "storageEncrypted"} {
			assert.NotContains(t, replica.Inputs, k, "%s %s: CreateDBInstanceReadReplica takes it from the source", tc.id, k)
		}
		for _, logType := range hardenedpg.LogTypes {
			group, ok := m.Named(typeLogGroup, "db-replica-logs-"+tc.id+"-"+logType+"-logs")
			require.True(t, ok, "%s %s log group", tc.id, logType)
			assert.Equal(t, "/aws/rds/instance/"+tc.id+"/"+logType, group.Inputs["name"])
			assert.Contains(t, replica.DependsOn, group.URN, "the log group exists before RDS writes to it")
		}
		lag, ok := m.Named(typeAlarm, "db-alerts-"+tc.id+"-replicalag-alarm")
		require.True(t, ok)
		assert.Equal(t, 300.0, lag.Inputs["threshold"])
		assert.Equal(t, map[string]any{"DBInstanceIdentifier": tc.id}, lag.Inputs["dimensions"])
	}
	events, _ := m.Named(typeEventSubscription, "db-alerts-instance-events")
	assert.Equal(t, []any{"orders", "orders-reporting-1", "orders-reporting-2"}, events.Inputs["sourceIds"])
	assert.Len(t, db.Instance.Replicas, 2)
	require.NotNil(t, db.Instance.MasterSecret)

	scorecard := res.Scorecard(nil)
	assert.Empty(t, hardenedpgtest.Failing(scorecard))
	for _, r := range scorecard {
		if r.Key == "rds-managed-password" {
			assert.Equal(t, baseline.Pass, r.Status)
			assert.Contains(t, r.Detail, "db-instance-db: a source of read replicas, so its master password is the stack's own (secret db-instance-master-secret-secret under a stack key), rotated at once and every 30 days")
		}
	}
	outputs := hardenedpg.Outputs(db)
	assert.NotNil(t, outputs["masterUserSecretArn"])
}

// A VPC that has an endpoint of Secrets Manager already: the function's group is admitted to it,
// and no second endpoint is made.
func TestTheRotationUsesTheVPCsEndpoint(t *testing.T) {
	a := replicaArgs()
	a.Rotation = hardenedpg.RotationSettings{Days: 7, EndpointSecurityGroupID: "sg-0123456789abcdef0"}
	res := hardenedpgtest.Run(newDatabase(a))
	require.NoError(t, res.Err)
	m := res.Monitor
	assert.Empty(t, m.ByType("aws:ec2/vpcEndpoint:VpcEndpoint"))
	_, made := m.Named(typeSG, "db-instance-master-secret-endpoint-sg")
	assert.False(t, made)
	toEndpoint, _ := m.Named(typeIngress, "db-instance-master-secret-function-to-endpoint")
	assert.Equal(t, "sg-0123456789abcdef0", toEndpoint.Inputs["securityGroupId"])
	assert.Equal(t, map[string]any{"automaticallyAfterDays": 7.0}, only(t, m, baseline.TypeSecretRotation).Inputs["rotationRules"])
	assert.Empty(t, hardenedpgtest.Failing(res.Scorecard(nil)))
}

// Each bad replica setting is refused with its own error, and nothing is made.
func TestReplicaSettingsAreChecked(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(a *hardenedpg.DatabaseArgs)
		want   string
	}{
		{"a replica named as its source", func(a *hardenedpg.DatabaseArgs) { a.Replicas[0].Identifier = "orders" },
			`Replicas[0].Identifier = "orders": is the identifier of the source or of another replica`},
		{"two replicas of one name", func(a *hardenedpg.DatabaseArgs) { a.Replicas[1].Identifier = "orders-reporting-1" },
			`Replicas[1].Identifier = "orders-reporting-1": is the identifier of the source or of another replica`},
		{"a bad identifier", func(a *hardenedpg.DatabaseArgs) { a.Replicas[0].Identifier = "Reporting_1" },
			`Replicas[0].Identifier = "Reporting_1": want 1-63 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen`},
		{"a class RDS does not sell", func(a *hardenedpg.DatabaseArgs) { a.Replicas[1].InstanceClass = "db.zz9.large" },
			`Replicas[1].InstanceClass = "db.zz9.large": not a DB instance class RDS offers for PostgreSQL; want db.<family>.<size> such as db.m7g.large, with a family of ` + strings.Join(baseline.InstanceFamilies(), ", ")},
		{"a rotation of 90 days", func(a *hardenedpg.DatabaseArgs) { a.Rotation.Days = 90 },
			`Rotation.Days = 90: want 1 to 30: the password the stack generated, which Pulumi's state holds, must not stay valid longer`},
		{"an endpoint that is no group", func(a *hardenedpg.DatabaseArgs) { a.Rotation.EndpointSecurityGroupID = "vpce-0123" },
			`Rotation.EndpointSecurityGroupID = "vpce-0123": want a security group ID, sg- and 8 or 17 hex digits`},
		{"a rotation without replicas", func(a *hardenedpg.DatabaseArgs) { a.Replicas, a.Rotation.Days = nil, 7 },
			`Rotation.Days = 7: would be ignored: the master secret is RDS's, which RDS rotates, without Replicas; remove it`},
		{"replicas of Aurora", func(a *hardenedpg.DatabaseArgs) { toAurora(a) },
			`Replicas = 2 replicas: read replicas are made of an RDS instance (Deployment instance); an Aurora cluster's readers are Cluster.Readers`},
		{"replicas of a Multi-AZ DB cluster", func(a *hardenedpg.DatabaseArgs) {
			a.Deployment, a.Replication = hardenedpg.MultiAZClusterDeployment, hardenedpg.ReplicationSettings{}
			a.Network.SubnetIDs = append(a.Network.SubnetIDs, "subnet-0000000d")
			a.Waivers = baseline.Waivers{"backup-independent-copy": independentCopyReason}
		}, `Replicas = 2 replicas: read replicas are made of an RDS instance (Deployment instance); a Multi-AZ DB cluster's two standbys serve reads: connect to its reader endpoint`},
		{"replicas of a restore", func(a *hardenedpg.DatabaseArgs) { a.Instance.Restore.SnapshotIdentifier = "orders-before-migration" },
			`Replicas = 2 replicas: a restore makes its database alone: add the replicas in a later change`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := replicaArgs()
			tc.mutate(a)
			m, err := run(t, nil, newDatabase(a))
			require.Error(t, err)
			assert.Equal(t, "hardenedpg.NewDatabase \"db\": invalid arguments:\n  "+tc.want, err.Error())
			assert.Empty(t, awsResources(m), "nothing is created")
		})
	}
}

// jsonOf decodes a JSON document.
func jsonOf(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// usReplica is a read replica in us-east-1, with its network and audit destination there.
func usReplica() hardenedpg.ReplicaSettings {
	return hardenedpg.ReplicaSettings{Identifier: "orders-us", Region: "us-east-1",
		Network: &hardenedpg.NetworkSettings{VpcID: pulumi.String(hardenedpgtest.DefaultVpcID), SubnetIDs: []string{"subnet-0000001a", "subnet-0000001b"},
			AllowedSecurityGroupIDs: []string{"sg-0000001c"}},
		LogsDestinationArn: "arn:aws:logs:us-east-1:210987654321:destination:central-audit"}
}

// A replica in another region is a Database of that region whose shape is the replica: its keys,
// network, parameter baseline, log groups, flow logs and alerts are made there, through a
// provider of that region pinned to the account, and it is encrypted under its region's key.
func TestAReplicaInAnotherRegionIsBuiltThere(t *testing.T) {
	var db *hardenedpg.Database
	a := replicaArgs()
	a.Replicas = append(a.Replicas, usReplica())
	res := hardenedpgtest.Run(func(ctx *pulumi.Context) error {
		var err error
		db, err = hardenedpg.NewDatabase(ctx, "db", a)
		return err
	})
	require.NoError(t, res.Err)
	m := res.Monitor
	provider, _ := m.Named("pulumi:providers:aws", "orders-us-provider")
	assert.Equal(t, "us-east-1", provider.Inputs["region"])
	assert.Equal(t, []any{"123456789012"}, provider.Inputs["allowedAccountIds"], "pinned to the source's account")

	source, _ := m.Named(typeInstance, "db-instance-db")
	replica, _ := m.Named(typeInstance, "orders-us-instance-db")
	key, _ := m.Named(typeKey, "orders-us-storage-key-key")
	group, _ := m.Named(typeSubnetGroup, "orders-us-subnet-group-subnets")
	sg, _ := m.Named(typeSG, "orders-us-security-group-sg")
	params, _ := m.Named(typeParamGroup, "orders-us-parameter-group-params")
	for _, r := range []hardenedpgtest.Resource{replica, key, group, sg, params} {
		assert.Equal(t, "us-east-1", r.Region, r.Name)
	}
	assert.True(t, replica.Protect)
	for k, want := range map[string]any{
		"identifier": "orders-us", "replicateSourceDb": source.Outputs["arn"], "kmsKeyId": key.Outputs["arn"], "performanceInsightsKmsKeyId": key.Outputs["arn"],
		"dbSubnetGroupName": group.Outputs["name"], "vpcSecurityGroupIds": []any{sg.ID}, "parameterGroupName": params.Outputs["name"],
		"publiclyAccessible": false, "iamDatabaseAuthenticationEnabled": true, "deletionProtection": true, "skipFinalSnapshot": true, "instanceClass": "db.m7g.large",
	} {
		assert.Equal(t, want, replica.Inputs[k], "replica %s", k)
	}
	for _, k := range []string{"username", "password", "manageMasterUserPassword", "engine", "engineVersion", "allocatedStorage", "finalSnapshotIdentifier", "storageEncrypted"} {
		assert.NotContains(t, replica.Inputs, k, "CreateDBInstanceReadReplica takes it from the source")
	}
	assert.Contains(t, replica.DependsOn, source.URN)
	for _, logType := range hardenedpg.LogTypes {
		sub, ok := m.Named(typeSubscription, "orders-us-audit-logs-"+logType+"-subscription")
		require.True(t, ok, logType)
		assert.Equal(t, "arn:aws:logs:us-east-1:210987654321:destination:central-audit", sub.Inputs["destinationArn"], "a destination of the replica's region")
		assert.Equal(t, "us-east-1", sub.Region)
	}
	flows := 0
	for _, f := range m.ByType(baseline.TypeFlowLog) {
		if f.Region == "us-east-1" {
			flows++
		}
	}
	assert.Equal(t, 2, flows, "a flow log per subnet of the replica")
	lag, ok := m.Named(typeAlarm, "orders-us-alerts-replicalag-alarm")
	require.True(t, ok)
	assert.Equal(t, "us-east-1", lag.Region)
	assert.Equal(t, map[string]any{"DBInstanceIdentifier": "orders-us"}, lag.Inputs["dimensions"])
	topic, _ := m.Named(baseline.TypeTopic, "orders-us-alerts-topic")
	assert.Equal(t, "us-east-1", topic.Region, "an alarm notifies a topic of its own region")
	for _, r := range m.Resources() {
		if r.Region == "us-east-1" {
			assert.NotContains(t, r.Type, "aws:backup/", "a replica's data is its source's, which the source's backups keep")
		}
	}
	require.Contains(t, db.RegionalReplicas, "orders-us")
	require.NotNil(t, db.RegionalReplicas["orders-us"].Instance, "the Database of its region is made of the replica")
	// Its source keeps no RDS-managed password: RDS makes no replica of such a source, in any region.
	assert.Equal(t, false, source.Inputs["manageMasterUserPassword"])
	assert.Empty(t, hardenedpgtest.Failing(res.Scorecard(nil)))
}

// A replica of another region is checked, its subnets proven there, before anything is made.
func TestAReplicaInAnotherRegionIsCheckedFirst(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(r *hardenedpg.ReplicaSettings, m *hardenedpgtest.Monitor)
		want   string
	}{
		{"its source's region", func(r *hardenedpg.ReplicaSettings, _ *hardenedpgtest.Monitor) { r.Region = "eu-west-1" },
			`Replicas[2].Region = "eu-west-1": is the source's region; leave it out for a replica beside the source`},
		{"no region", func(r *hardenedpg.ReplicaSettings, _ *hardenedpgtest.Monitor) { r.Region = "Virginia" },
			`Replicas[2].Region = "Virginia": want an AWS region such as us-east-1`},
		{"a public subnet there", func(_ *hardenedpg.ReplicaSettings, m *hardenedpgtest.Monitor) {
			m.SetSubnet(hardenedpgtest.Subnet{ID: "subnet-0000001a", AvailabilityZone: "us-east-1a", Public: true})
		}, `Replicas[2].Network.SubnetIDs[0] = "subnet-0000001a": the subnet is public: route table rtb-`},
		{"one subnet there", func(r *hardenedpg.ReplicaSettings, _ *hardenedpgtest.Monitor) {
			r.Network.SubnetIDs = r.Network.SubnetIDs[:1]
		},
			`Replicas[2].Network.SubnetIDs = ["subnet-0000001a"]: want at least two subnets in two availability zones (RDS needs them for Multi-AZ and failover)`},
		{"an identifier too long for its parts", func(r *hardenedpg.ReplicaSettings, _ *hardenedpgtest.Monitor) {
			r.Identifier = "orders-reporting-north-america"
		},
			`Replicas[2].Identifier = "orders-reporting-north-america": want at most 26 characters: the EventBridge rule would have 68, and AWS allows 64 (PutRule: Name, 1 to 64 characters)`},
		{"a network beside the source", func(r *hardenedpg.ReplicaSettings, _ *hardenedpgtest.Monitor) {
			r.Region, r.LogsDestinationArn = "", ""
		},
			`Replicas[2].Network.VpcID = (set): would be ignored: a replica in its source's region has its source's network (give Replicas[2].Region for another); remove it`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, r, mon := replicaArgs(), usReplica(), hardenedpgtest.New()
			tc.mutate(&r, mon)
			a.Replicas = append(a.Replicas, r)
			m, err := run(t, mon, newDatabase(a))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "\n  "+tc.want)
			// The region's provider is registered to prove the subnets there; it makes nothing in AWS.
			assert.Empty(t, slices.DeleteFunc(awsResources(m), func(r hardenedpgtest.Resource) bool { return strings.HasPrefix(r.Type, "pulumi:providers:") }), "nothing is created")
		})
	}
}

// With a provider of its own, the Database cannot make the replica region's provider with the
// same credentials: it asks for one, as for Replication.
func TestAReplicaElsewhereOfADatabaseWithItsOwnProvider(t *testing.T) {
	m := hardenedpgtest.New()
	err := m.Run("hardenedpg", "test", nil, nil, func(ctx *pulumi.Context) error {
		team, err := aws.NewProvider(ctx, "team", &aws.ProviderArgs{Region: pulumi.String("eu-west-1")})
		if err != nil {
			return err
		}
		a := databaseArgs()
		a.Replication = hardenedpg.ReplicationSettings{}
		a.Backup.CopyToVaultArn = "arn:aws:backup:eu-central-1:123456789012:backup-vault:orders-copy"
		a.Replicas = []hardenedpg.ReplicaSettings{usReplica()}
		_, err = hardenedpg.NewDatabase(ctx, "db", a, pulumi.Provider(team))
		return err
	})
	assert.ErrorContains(t, err, `hardenedpg.NewDatabase "db": invalid arguments:
  Replicas[0].Provider = <nil>: required with Replicas[0].Region when the Database gets an aws provider of its own: give a provider for us-east-1 with the same credentials`)
	assert.Len(t, awsResources(m), 1, "only the team's provider")
}

// The stack's default tags, which the region's provider carries, count for the replica's parts as
// for its source's: the replica is built, and its parts are tagged by the provider.
func TestAReplicaElsewhereCountsTheStacksDefaultTags(t *testing.T) {
	a := replicaArgs()
	a.Tags = nil
	a.Replicas = append(a.Replicas, usReplica())
	res := hardenedpgtest.Run(newDatabase(a), hardenedpgtest.Config(map[string]string{"aws:defaultTags": `{"tags": {"environment": "prod", "owner": "platform"}}`}))
	require.NoError(t, res.Err)
	provider, _ := res.Named("pulumi:providers:aws", "orders-us-provider")
	assert.Equal(t, map[string]any{"tags": map[string]any{"environment": "prod", "owner": "platform"}}, provider.Inputs["defaultTags"])
	assert.Empty(t, hardenedpgtest.Failing(res.Scorecard(nil)))
}
