// Command quickstart is the README's program: a hardened database with its defaults, an IAM
// role's grant to connect as one database user, and the endpoint exported.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
)

func main() { pulumi.Run(program) }

func program(ctx *pulumi.Context) error {
	db, err := hardenedpg.NewDatabase(ctx, "orders", &hardenedpg.DatabaseArgs{
		Instance: hardenedpg.InstanceSettings{Identifier: "orders-prod", IAMDatabaseUsers: []string{"orders_app"}},
		Network: hardenedpg.NetworkSettings{
			VpcID:                   pulumi.String("vpc-0a1b2c3d4e5f60001"),
			SubnetIDs:               []string{"subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012"},
			AllowedSecurityGroupIDs: []string{"sg-0a1b2c3d4e5f60021"},
		},
		Logs:        hardenedpg.LogSettings{DestinationArn: "arn:aws:logs:eu-west-1:210987654321:destination:central-audit"},
		Alerts:      hardenedpg.AlertSettings{Emails: []string{"orders-oncall@example.com"}},
		Replication: hardenedpg.ReplicationSettings{Region: "eu-central-1"},
		Tags:        pulumi.StringMap{"environment": pulumi.String("prod"), "owner": pulumi.String("orders-team")},
	})
	if err != nil {
		return err
	}
	// The application's role may sign in as orders_app, with an IAM token, and as no one else.
	if _, err := db.GrantConnect(ctx, "orders-app-connect", pulumi.String("orders-app"), "orders_app"); err != nil {
		return err
	}
	ctx.Export("endpoint", db.Instance.Endpoint)
	return nil
}
