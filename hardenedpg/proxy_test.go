package hardenedpg_test

import (
	"encoding/json"
	"maps"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
)

const batchSecret = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/orders_batch-Ab12Cd"

func proxiedArgs() *hardenedpg.DatabaseArgs {
	args := databaseArgs()
	args.Proxy.Users = []hardenedpg.ProxyUser{{Name: "orders_batch", SecretArn: batchSecret}}
	return args
}

// A Database with proxy users puts an RDS Proxy in front of the instance: TLS and IAM auth
// required, a role that reads only those secrets, its own group reaching only the database.
func TestDatabaseProxy(t *testing.T) {
	m := mustRun(t, nil, newDatabase(proxiedArgs()))
	proxy := only(t, m, baseline.TypeProxy)
	assert.Equal(t, "orders", proxy.Inputs["name"])
	assert.Equal(t, "POSTGRESQL", proxy.Inputs["engineFamily"])
	assert.Equal(t, true, proxy.Inputs["requireTls"])
	assert.Equal(t, false, proxy.Inputs["debugLogging"])
	assert.Equal(t, 1800.0, proxy.Inputs["idleClientTimeout"])
	assert.Equal(t, []any{map[string]any{
		"authScheme": "SECRETS", "secretArn": batchSecret, "iamAuth": "REQUIRED", "clientPasswordAuthType": "POSTGRES_SCRAM_SHA_256",
		"description": "orders_batch: clients sign in with an IAM token",
	}}, proxy.Inputs["auths"])
	assert.Equal(t, []any{"subnet-0000000a", "subnet-0000000b"}, proxy.Inputs["vpcSubnetIds"])

	proxyGroup, ok := m.Named(baseline.TypeSecurityGroup, "db-proxy-security-group-sg")
	require.True(t, ok)
	dbGroup, ok := m.Named(baseline.TypeSecurityGroup, "db-security-group-sg")
	require.True(t, ok)
	assert.Equal(t, []any{proxyGroup.ID}, proxy.Inputs["vpcSecurityGroupIds"])
	assert.Equal(t, []any{map[string]any{
		"protocol": "tcp", "fromPort": 5433.0, "toPort": 5433.0, "securityGroups": []any{dbGroup.ID}, "description": "to the database",
	}}, proxyGroup.Inputs["egress"], "the proxy reaches the database's port on its group, nothing else")
	toDB, ok := m.Named(baseline.TypeIngressRule, "db-proxy-to-database")
	require.True(t, ok)
	assert.Equal(t, dbGroup.ID, toDB.Inputs["securityGroupId"])
	assert.Equal(t, proxyGroup.ID, toDB.Inputs["referencedSecurityGroupId"])
	rule, ok := m.Named(baseline.TypeEventRule, "db-alerts-security-group-changes")
	require.True(t, ok)
	assert.Contains(t, rule.Inputs["eventPattern"], `"groupId":["`+dbGroup.ID+`","`+proxyGroup.ID+`"]`, "changes to either group alert")
	fromClients, ok := m.Named(baseline.TypeIngressRule, "db-proxy-security-group-from-sg-0000000c")
	require.True(t, ok)
	assert.Equal(t, 5432.0, fromClients.Inputs["fromPort"], "RDS Proxy listens on PostgreSQL's port")

	storageKey, ok := m.Named(baseline.TypeKey, "db-storage-key-key")
	require.True(t, ok)
	role, ok := m.Named(baseline.TypeRole, "db-proxy-role")
	require.True(t, ok)
	rolePolicy, ok := m.Named(baseline.TypeRolePolicy, "db-proxy-role-policy")
	require.True(t, ok)
	var doc hardenedpg.PolicyDocument
	require.NoError(t, json.Unmarshal([]byte(rolePolicy.Inputs["policy"].(string)), &doc))
	assert.Equal(t, []hardenedpg.PolicyStatement{
		{Sid: "ReadTheUsersSecrets", Effect: "Allow", Action: []string{"secretsmanager:GetSecretValue"}, Resource: []string{batchSecret}},
	}, doc.Statement, "the policy names no key: a grant per secret opens the key")
	grant, ok := m.Named(baseline.TypeKeyGrant, "db-proxy-decrypt-orders_batch")
	require.True(t, ok)
	assert.Equal(t, map[string]any{
		"keyId": storageKey.Outputs["arn"], "granteePrincipal": role.Outputs["arn"], "operations": []any{"Decrypt"},
		"constraints": []any{map[string]any{"encryptionContextSubset": map[string]any{"SecretARN": batchSecret}}},
	}, grant.Inputs, "Decrypt of the user's secret only, for the proxy's role")
	assert.Contains(t, proxy.DependsOn, grant.URN, "the proxy starts once it may read its secrets")

	pool := only(t, m, "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup")
	assert.Equal(t, map[string]any{"maxConnectionsPercent": 90.0, "maxIdleConnectionsPercent": 50.0, "connectionBorrowTimeout": 120.0}, pool.Inputs["connectionPoolConfig"])
	target := only(t, m, "aws:rds/proxyTarget:ProxyTarget")
	assert.Equal(t, "orders", target.Inputs["dbInstanceIdentifier"])

	for _, r := range baseline.Evaluate(m.Graph(), nil) {
		assert.NotEqual(t, baseline.Fail, r.Status, "%s: %s", r.Key, r.Detail)
	}
}

// Proxy settings RDS or the hardening would refuse are refused before anything is created.
func TestDatabaseProxyRefusesBadUsers(t *testing.T) {
	args := databaseArgs()
	args.Instance.IAMDatabaseUsers = []string{"orders_api"}
	args.Proxy = hardenedpg.ProxySettings{
		Users: []hardenedpg.ProxyUser{
			{Name: "dbadmin", SecretArn: batchSecret},
			{Name: "orders_api", SecretArn: batchSecret},
			{Name: "Batch", SecretArn: "orders_batch"},
		},
		MaxConnectionsPercent: 40, MaxIdleConnectionsPercent: 60, BorrowTimeoutSeconds: 301,
	}
	m, err := run(t, nil, newDatabase(args))
	require.Error(t, err)
	assert.Equal(t, `hardenedpg.NewDatabase "db": invalid arguments:
  Proxy.Users[2].Name = "Batch": want 1-63 lowercase letters, digits and underscores, starting with a letter or underscore
  Proxy.Users[2].SecretArn = "orders_batch": want a Secrets Manager secret's full ARN: arn:aws:secretsmanager:<region>:<account>:secret:<name>-<the 6 characters Secrets Manager adds>; or leave it empty, and the proxy makes the secret
  Proxy.MaxIdleConnectionsPercent = 60: want 0 to 40 percent: no more than Proxy.MaxConnectionsPercent
  Proxy.BorrowTimeoutSeconds = 301: want 1 to 300 seconds
  Proxy.Users[0].Name = "dbadmin": is the master user: through the proxy every client would have its rights; give an application user
  Proxy.Users[1].Name = "orders_api": is in Instance.IAMDatabaseUsers: an rds_iam user signs in only with a token, and the proxy signs in with the secret's password`, err.Error())
	assert.Empty(t, awsResources(m), "nothing is created")

	args = databaseArgs()
	args.Proxy.IdleClientTimeoutSeconds = 600
	_, err = run(t, nil, newDatabase(args))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `Proxy.IdleClientTimeoutSeconds = 600: would be ignored: there is no proxy (no Proxy.Users); remove it`)
}

// GrantConnect through the proxy names the proxy's resource ID, not the instance's:
// arn:aws:rds-db:<region>:<account>:dbuser:prx-<id>/<user>.
func TestProxyGrantConnect(t *testing.T) {
	var grantErr, arnErr error
	m := mustRun(t, nil, func(ctx *pulumi.Context) error {
		db, err := hardenedpg.NewDatabase(ctx, "db", proxiedArgs())
		if err != nil {
			return err
		}
		if _, err := db.Proxy.GrantConnect(ctx, "batch-connect", pulumi.String("orders-batch-role"), "orders_batch"); err != nil {
			return err
		}
		_, grantErr = db.Proxy.GrantConnect(ctx, "admin-connect", pulumi.String("orders-batch-role"), "dbadmin")
		_, arnErr = db.Proxy.GrantConnect(ctx, "arn-connect", pulumi.String("arn:aws:iam::123456789012:role/orders-batch-role"), "orders_batch")
		return nil
	})
	require.Error(t, arnErr)
	assert.Equal(t, `hardenedpg: GrantConnect "arn-connect": role "arn:aws:iam::123456789012:role/orders-batch-role" is an ARN; want the role's name, "orders-batch-role"`, arnErr.Error())
	_, made := m.Named(baseline.TypeRolePolicy, "arn-connect")
	assert.False(t, made, "IAM would refuse it at deploy: nothing is created")
	proxy := only(t, m, baseline.TypeProxy)
	arn := proxy.Outputs["arn"].(string)
	require.Regexp(t, `^arn:aws:rds:eu-west-1:123456789012:db-proxy:prx-[0-9a-f]{17}$`, arn)
	grant, ok := m.Named(baseline.TypeRolePolicy, "batch-connect")
	require.True(t, ok)
	var doc hardenedpg.PolicyDocument
	require.NoError(t, json.Unmarshal([]byte(grant.Inputs["policy"].(string)), &doc))
	assert.Equal(t, []string{"arn:aws:rds-db:eu-west-1:123456789012:dbuser:" + arn[len("arn:aws:rds:eu-west-1:123456789012:db-proxy:"):] + "/orders_batch"}, doc.Statement[0].Resource)
	require.Error(t, grantErr)
	assert.Equal(t, `hardenedpg: GrantConnect "admin-connect": database user "dbadmin" is not one of the proxy's Users (orders_batch): the proxy signs in only as them`, grantErr.Error())
}

// A Proxy made alone names everything it needs, and creates nothing without it.
func TestNewProxyRequiresItsInputs(t *testing.T) {
	m, err := run(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewProxy(ctx, "proxy", &hardenedpg.ProxyArgs{Name: "orders-", DatabasePort: 80})
		return err
	})
	require.Error(t, err)
	assert.Equal(t, `hardenedpg.NewProxy "proxy": invalid arguments:
  Name = "orders-": want 1-63 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen
  InstanceIdentifier = "": required: the instance's identifier, or ClusterIdentifier for an Aurora cluster
  Users = "": required
  SecretKeyArn = "": required
  SubnetIDs = "": required
  DatabaseSecurityGroupID = "": required
  DatabasePort = 80: want the instance's port, 1150 to 65535
  VpcID = "": required: the VPC of the database`, err.Error())
	assert.Empty(t, awsResources(m))
}

// The proxy's grants name its key; an alias, which CreateGrant refuses, is refused first.
func TestNewProxyRefusesAKeyAlias(t *testing.T) {
	m, err := run(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewProxy(ctx, "proxy", &hardenedpg.ProxyArgs{
			Name: "orders", InstanceIdentifier: pulumi.String("orders"), DatabasePort: 5433,
			ProxySettings: hardenedpg.ProxySettings{Users: []hardenedpg.ProxyUser{{Name: "orders_batch", SecretArn: batchSecret}}},
			SecretKeyArn:  pulumi.String("arn:aws:kms:eu-west-1:123456789012:alias/orders"),
			SubnetIDs:     pulumi.StringArray{pulumi.String("subnet-0000000a")}, DatabaseSecurityGroupID: pulumi.String("sg-0000000d"),
			VpcID: pulumi.String("vpc-00000001"),
		})
		return err
	})
	require.Error(t, err)
	assert.Equal(t, `hardenedpg.NewProxy "proxy": invalid arguments:
  SecretKeyArn = "arn:aws:kms:eu-west-1:123456789012:alias/orders": want the key's ARN or ID: the proxy's KMS grants cannot name an alias`, err.Error())
	assert.Empty(t, awsResources(m))
}

// A proxy user given no secret gets one the proxy makes, under the storage key and with no value
// (the password never passes through Pulumi): the key, the secret and the proxy come up in one
// `up`, and proxy-role-scoped proves the role at the first preview already.
func TestProxyMakesItsUsersSecrets(t *testing.T) {
	args := databaseArgs()
	args.Proxy.Users = []hardenedpg.ProxyUser{{Name: "orders_batch"}}
	var secretArns map[string]string
	program := func(ctx *pulumi.Context) error {
		db, err := hardenedpg.NewDatabase(ctx, "db", args)
		if err != nil {
			return err
		}
		db.Proxy.SecretArns.ApplyT(func(arns map[string]string) map[string]string { secretArns = arns; return arns })
		return nil
	}
	m := mustRun(t, nil, program)
	secret := only(t, m, baseline.TypeSecret)
	storageKey, ok := m.Named(baseline.TypeKey, "db-storage-key-key")
	require.True(t, ok)
	assert.Equal(t, "db-proxy-secret-orders_batch", secret.Name)
	assert.Equal(t, "orders/orders_batch", secret.Inputs["name"])
	assert.Equal(t, storageKey.Outputs["arn"], secret.Inputs["kmsKeyId"])
	assert.NotContains(t, secret.Inputs, "secretString")
	assert.Empty(t, m.ByType(baseline.TypeSecretVersion), "no value is written through Pulumi")
	arn := secret.Outputs["arn"].(string)
	require.Regexp(t, `^arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/orders_batch-[0-9a-f]{6}$`, arn)

	proxy := only(t, m, baseline.TypeProxy)
	assert.Equal(t, arn, proxy.Inputs["auths"].([]any)[0].(map[string]any)["secretArn"])
	rolePolicy, ok := m.Named(baseline.TypeRolePolicy, "db-proxy-role-policy")
	require.True(t, ok)
	var doc hardenedpg.PolicyDocument
	require.NoError(t, json.Unmarshal([]byte(rolePolicy.Inputs["policy"].(string)), &doc))
	assert.Equal(t, []string{"arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/orders_batch-??????"}, doc.Statement[0].Resource)
	grant, ok := m.Named(baseline.TypeKeyGrant, "db-proxy-decrypt-orders_batch")
	require.True(t, ok)
	assert.Equal(t, []any{map[string]any{"encryptionContextSubset": map[string]any{"SecretARN": arn}}}, grant.Inputs["constraints"])
	assert.Equal(t, map[string]string{"orders_batch": arn}, secretArns, "where the password goes")

	status := func(g *baseline.Graph) (baseline.Status, string) {
		for _, r := range baseline.Evaluate(g, nil) {
			if r.Key == "proxy-role-scoped" {
				return r.Status, r.Detail
			}
		}
		t.Fatal("no proxy-role-scoped row")
		return "", ""
	}
	got, detail := status(m.Graph())
	assert.Equal(t, baseline.Pass, got, detail)
	for _, r := range baseline.Evaluate(m.Graph(), nil) {
		assert.NotEqual(t, baseline.Fail, r.Status, "%s: %s", r.Key, r.Detail)
	}

	res := hardenedpgtest.Run(program, hardenedpgtest.Preview())
	require.NoError(t, res.Err)
	got, detail = status(res.Graph())
	assert.Equal(t, baseline.Pass, got, "at the first preview, the pattern names the secret the auth's ARN will come from: %s", detail)

	// What the pattern may not do: match another name, or any secret through another wildcard.
	for resource, want := range map[string]string{
		"arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/orders_batc-??????":  "reads the secret arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/orders_batc-??????, which no auth of db-proxy-proxy names",
		"arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/*":                   "reads the secret arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/*, which no auth of db-proxy-proxy names",
		"arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/*-??????":            "reads the secret arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders/*-??????, which no auth of db-proxy-proxy names",
		"arn:aws:secretsmanager:eu-west-1:210987654321:secret:orders/orders_batch-??????": "reads the secret arn:aws:secretsmanager:eu-west-1:210987654321:secret:orders/orders_batch-??????, which no auth of db-proxy-proxy names",
	} {
		for _, g := range []*baseline.Graph{m.Graph(), res.Graph()} {
			for i, r := range g.Resources {
				if r.Name == "db-proxy-role-policy" {
					weak := maps.Clone(r.Inputs)
					weak["policy"] = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"` + resource + `"}]}`
					g.Resources[i].Inputs, g.Resources[i].Outputs = weak, weak
				}
			}
			got, detail := status(g)
			assert.Equal(t, baseline.Fail, got, resource)
			assert.Contains(t, detail, want)
		}
	}
}
