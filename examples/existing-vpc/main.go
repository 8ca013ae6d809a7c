// Command existing-vpc is another team's stack: one hardened database in a VPC that a network
// stack owns, read through a StackReference.
package main

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
)

func main() {
	pulumi.Run(program)
}

// program reads the network stack and creates the database in it.
func program(ctx *pulumi.Context) error {
	network, err := pulumi.NewStackReference(ctx, "network", &pulumi.StackReferenceArgs{Name: pulumi.String("acme/network/prod")})
	if err != nil {
		return err
	}
	// The values are awaited: the subnets are proven private before anything is created.
	vpcID, err := network.GetOutputDetails("vpcId")
	if err != nil {
		return err
	}
	subnets, err := stringsOf(network, "privateSubnetIds")
	if err != nil {
		return err
	}
	clients, err := stringsOf(network, "appSecurityGroupIds")
	if err != nil {
		return err
	}
	db, err := hardenedpg.NewDatabase(ctx, "billing", &hardenedpg.DatabaseArgs{
		Instance: hardenedpg.InstanceSettings{
			Identifier: "billing-prod", InstanceClass: "db.r7g.large", IAMDatabaseUsers: []string{"billing_api"},
		},
		Network: hardenedpg.NetworkSettings{
			VpcID:                   pulumi.String(fmt.Sprint(vpcID.Value)),
			SubnetIDs:               subnets,
			AllowedSecurityGroupIDs: clients,
		},
		Logs:        hardenedpg.LogSettings{DestinationArn: "arn:aws:logs:eu-west-1:210987654321:destination:central-audit"},
		Alerts:      hardenedpg.AlertSettings{Emails: []string{"billing-oncall@example.com"}},
		Replication: hardenedpg.ReplicationSettings{Region: "eu-central-1"},
		Tags:        pulumi.StringMap{"environment": pulumi.String("prod"), "owner": pulumi.String("billing")},
	})
	if err != nil {
		return err
	}
	ctx.Export("endpoint", db.Instance.Endpoint)
	ctx.Export("connectPolicy", db.Instance.ConnectPolicy)
	return nil
}

func stringsOf(ref *pulumi.StackReference, output string) ([]string, error) {
	d, err := ref.GetOutputDetails(output)
	if err != nil {
		return nil, err
	}
	items, ok := d.Value.([]any)
	if !ok {
		return nil, fmt.Errorf("network stack output %s is %v, want a list of IDs", output, d.Value)
	}
	out := make([]string, len(items))
	for i, item := range items {
		if out[i], ok = item.(string); !ok {
			return nil, fmt.Errorf("network stack output %s[%d] is %v, want an ID", output, i, item)
		}
	}
	return out, nil
}
