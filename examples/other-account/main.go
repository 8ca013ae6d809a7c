// Command other-account creates the database in another account and region than the stack's
// default provider: every component gets the team's provider, so key policies, role trusts, ARNs
// and the private-subnet proof are of that account and region, and the backup replicas go
// through a provider of the replica region with the same credentials.
package main

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
)

const (
	account       = "222222222222"
	region        = "ap-southeast-2"
	replicaRegion = "ap-southeast-4"
	teamRole      = "arn:aws:iam::222222222222:role/hardenedpg-deploy"
)

func main() {
	pulumi.Run(program)
}

func provider(ctx *pulumi.Context, name, region string) (*aws.Provider, error) {
	return aws.NewProvider(ctx, name, &aws.ProviderArgs{
		Region:            pulumi.String(region),
		AllowedAccountIds: pulumi.ToStringArray([]string{account}),
		AssumeRole:        &aws.ProviderAssumeRoleArgs{RoleArn: pulumi.String(teamRole)},
	})
}

func program(ctx *pulumi.Context) error {
	team, err := provider(ctx, "team", region)
	if err != nil {
		return err
	}
	replica, err := provider(ctx, "team-replica", replicaRegion)
	if err != nil {
		return err
	}
	db, err := hardenedpg.NewDatabase(ctx, "payments", &hardenedpg.DatabaseArgs{
		Instance: hardenedpg.InstanceSettings{Identifier: "payments-prod", IAMDatabaseUsers: []string{"payments_api"}},
		Network: hardenedpg.NetworkSettings{
			VpcID:                   pulumi.String("vpc-0b1b2c3d4e5f60001"),
			SubnetIDs:               []string{"subnet-0b1b2c3d4e5f60011", "subnet-0b1b2c3d4e5f60012"},
			AllowedSecurityGroupIDs: []string{"sg-0b1b2c3d4e5f60021"},
		},
		Logs:        hardenedpg.LogSettings{DestinationArn: "arn:aws:logs:" + region + ":210987654321:destination:central-audit"},
		Alerts:      hardenedpg.AlertSettings{Emails: []string{"payments-oncall@example.com"}},
		Replication: hardenedpg.ReplicationSettings{Region: replicaRegion, Provider: replica},
		Tags:        pulumi.StringMap{"environment": pulumi.String("prod"), "owner": pulumi.String("payments")},
	}, pulumi.Provider(team))
	if err != nil {
		return err
	}
	ctx.Export("endpoint", db.Instance.Endpoint)
	return nil
}
