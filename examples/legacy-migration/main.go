// Command legacy-migration is the decision matrix's "Legacy migration", onto the modern shape:
// Aurora Serverless v2 in an existing VPC. An application that still signs in with a password
// reaches it through an RDS Proxy, which requires TLS and an IAM token from every client and
// signs in to PostgreSQL with the password user's secret. The
// secret is made in this program, under the database's storage key, so one `up` makes it all;
// bin/proxy-password then puts the password in it, never through Pulumi. The legacy job's
// existing IAM role is granted to connect through the proxy as that user, and as no other.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
)

func main() { pulumi.Run(program) }

func program(ctx *pulumi.Context) error {
	db, err := hardenedpg.NewDatabase(ctx, "billing", &hardenedpg.DatabaseArgs{
		Engine:   baseline.AuroraEngine,
		Instance: hardenedpg.InstanceSettings{Identifier: "billing-prod", IAMDatabaseUsers: []string{"billing_api"}},
		// A writer and a reader that scale between half an ACU and 16 with the load.
		Cluster: hardenedpg.ClusterSettings{ServerlessMinAcu: 0.5, ServerlessMaxAcu: 16},
		Network: hardenedpg.NetworkSettings{
			VpcID:                   pulumi.String("vpc-0a1b2c3d4e5f60001"),
			SubnetIDs:               []string{"subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012"},
			AllowedSecurityGroupIDs: []string{"sg-0a1b2c3d4e5f60021"},
		},
		Logs:   hardenedpg.LogSettings{DestinationArn: "arn:aws:logs:eu-west-1:210987654321:destination:central-audit"},
		Alerts: hardenedpg.AlertSettings{Emails: []string{"billing-oncall@example.com"}},
		// Aurora has no automated backup replication: the vault's copies go to another Region.
		Backup: hardenedpg.BackupSettings{CopyToVaultArn: "arn:aws:backup:eu-central-1:123456789012:backup-vault:billing-copy"},
		// The legacy batch signs in as a password user; its secret is made here (no SecretArn).
		Proxy: hardenedpg.ProxySettings{Users: []hardenedpg.ProxyUser{{Name: "billing_batch"}}},
		Tags:  pulumi.StringMap{"environment": pulumi.String("prod"), "owner": pulumi.String("billing-team")},
	})
	if err != nil {
		return err
	}
	// The batch job's role exists already; it gets rds-db:connect through the proxy as billing_batch.
	if _, err := db.Proxy.GrantConnect(ctx, "batch-connect", pulumi.String("billing-batch-job"), "billing_batch"); err != nil {
		return err
	}
	ctx.Export("proxyEndpoint", db.ProxyEndpoint)
	ctx.Export("proxySecretArns", db.ProxySecretArns)
	return nil
}
