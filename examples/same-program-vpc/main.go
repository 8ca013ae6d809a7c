// Command same-program-vpc creates its network and its hardened database in one program: a VPC,
// private subnets in two zones behind a NAT gateway, and the app's security group, passed to
// NewDatabase as outputs. The subnets are proven private from the program's own route tables
// once their IDs are known; a public one fails the deployment before the database is created.
package main

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
)

func main() {
	pulumi.Run(program)
}

// zones are the availability zones of the private subnets.
var zones = []string{"eu-west-1a", "eu-west-1b"}

func program(ctx *pulumi.Context) error {
	vpc, err := ec2.NewVpc(ctx, "orders", &ec2.VpcArgs{CidrBlock: pulumi.String("10.20.0.0/16"), EnableDnsHostnames: pulumi.Bool(true)})
	if err != nil {
		return err
	}
	igw, err := ec2.NewInternetGateway(ctx, "orders", &ec2.InternetGatewayArgs{VpcId: vpc.ID()})
	if err != nil {
		return err
	}
	public, err := ec2.NewSubnet(ctx, "public", &ec2.SubnetArgs{VpcId: vpc.ID(), AvailabilityZone: pulumi.String(zones[0]), CidrBlock: pulumi.String("10.20.100.0/24")})
	if err != nil {
		return err
	}
	publicTable, err := ec2.NewRouteTable(ctx, "public", &ec2.RouteTableArgs{VpcId: vpc.ID(),
		Routes: ec2.RouteTableRouteArray{ec2.RouteTableRouteArgs{CidrBlock: pulumi.String("0.0.0.0/0"), GatewayId: igw.ID()}}})
	if err != nil {
		return err
	}
	if _, err := ec2.NewRouteTableAssociation(ctx, "public", &ec2.RouteTableAssociationArgs{SubnetId: public.ID(), RouteTableId: publicTable.ID()}); err != nil {
		return err
	}
	nat, err := ec2.NewNatGateway(ctx, "orders", &ec2.NatGatewayArgs{SubnetId: public.ID(), ConnectivityType: pulumi.String("private")})
	if err != nil {
		return err
	}
	privateTable, err := ec2.NewRouteTable(ctx, "private", &ec2.RouteTableArgs{VpcId: vpc.ID(),
		Routes: ec2.RouteTableRouteArray{ec2.RouteTableRouteArgs{CidrBlock: pulumi.String("0.0.0.0/0"), NatGatewayId: nat.ID()}}})
	if err != nil {
		return err
	}
	var subnets pulumi.StringArray
	var routed []pulumi.CustomResource
	for i, zone := range zones {
		subnet, err := ec2.NewSubnet(ctx, "private-"+zone, &ec2.SubnetArgs{
			VpcId: vpc.ID(), AvailabilityZone: pulumi.String(zone), CidrBlock: pulumi.Sprintf("10.20.%d.0/24", i),
		})
		if err != nil {
			return err
		}
		assoc, err := ec2.NewRouteTableAssociation(ctx, "private-"+zone, &ec2.RouteTableAssociationArgs{SubnetId: subnet.ID(), RouteTableId: privateTable.ID()})
		if err != nil {
			return err
		}
		subnets = append(subnets, subnet.ID().ToStringOutput())
		routed = append(routed, assoc)
	}
	tags := pulumi.StringMap{"environment": pulumi.String("prod"), "owner": pulumi.String("orders")}
	// The scorecard judges the app's group with the database's (rds-tags: Security Hub EC2.43).
	app, err := ec2.NewSecurityGroup(ctx, "app", &ec2.SecurityGroupArgs{VpcId: vpc.ID(), Description: pulumi.String("orders API"), Tags: tags})
	if err != nil {
		return err
	}
	db, err := hardenedpg.NewDatabase(ctx, "orders", &hardenedpg.DatabaseArgs{
		Instance: hardenedpg.InstanceSettings{Identifier: "orders-prod", IAMDatabaseUsers: []string{"orders_api"}},
		Network: hardenedpg.NetworkSettings{
			VpcID:   vpc.ID().ToStringOutput(),
			Subnets: subnets,
			// The proof waits for the associations, so it sees the routes the subnets will have.
			SubnetsReady:          routed,
			AllowedSecurityGroups: map[string]pulumi.StringInput{"app": app.ID().ToStringOutput()},
		},
		Logs:        hardenedpg.LogSettings{DestinationArn: "arn:aws:logs:eu-west-1:210987654321:destination:central-audit"},
		Alerts:      hardenedpg.AlertSettings{Emails: []string{"orders-oncall@example.com"}},
		Replication: hardenedpg.ReplicationSettings{Region: "eu-central-1"},
		// The app's short-lived jobs go through an RDS Proxy, signing in as a password user. Its
		// secret is made here, under the database's storage key, so one `up` makes everything;
		// bin/proxy-password then puts the password in it (the output proxySecretArns).
		Proxy: hardenedpg.ProxySettings{Users: []hardenedpg.ProxyUser{{Name: "orders_batch"}}},
		Tags:  tags,
	})
	if err != nil {
		return err
	}
	ctx.Export("endpoint", db.Instance.Endpoint)
	ctx.Export("proxyEndpoint", db.ProxyEndpoint)
	ctx.Export("proxySecretArns", db.ProxySecretArns)
	ctx.Export("appSecurityGroupId", app.ID())
	return nil
}
