// Command two-databases runs two hardened databases in one stack: orders and billing, each with
// its own keys, parameter group, log groups, alerts and backups, sharing the VPC. Every name that
// AWS requires to be unique (instance, log groups, key aliases, vault, final snapshot) derives
// from each Identifier, so the two never collide.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
)

func main() {
	pulumi.Run(program)
}

func databaseArgs(identifier, owner, user string) *hardenedpg.DatabaseArgs {
	return &hardenedpg.DatabaseArgs{
		Instance: hardenedpg.InstanceSettings{Identifier: identifier, IAMDatabaseUsers: []string{user}},
		Network: hardenedpg.NetworkSettings{
			VpcID:                   pulumi.String("vpc-0a1b2c3d4e5f60001"),
			SubnetIDs:               []string{"subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012"},
			AllowedSecurityGroupIDs: []string{"sg-0a1b2c3d4e5f60021"},
		},
		Logs:        hardenedpg.LogSettings{DestinationArn: "arn:aws:logs:eu-west-1:210987654321:destination:central-audit"},
		Alerts:      hardenedpg.AlertSettings{Emails: []string{owner + "-oncall@example.com"}},
		Replication: hardenedpg.ReplicationSettings{Region: "eu-central-1"},
		Tags:        pulumi.StringMap{"environment": pulumi.String("prod"), "owner": pulumi.String(owner)},
	}
}

func program(ctx *pulumi.Context) error {
	orders, err := hardenedpg.NewDatabase(ctx, "orders", databaseArgs("orders-prod", "orders", "orders_api"))
	if err != nil {
		return err
	}
	billing, err := hardenedpg.NewDatabase(ctx, "billing", databaseArgs("billing-prod", "billing", "billing_api"))
	if err != nil {
		return err
	}
	ctx.Export("ordersEndpoint", orders.Instance.Endpoint)
	ctx.Export("billingEndpoint", billing.Instance.Endpoint)
	return nil
}
