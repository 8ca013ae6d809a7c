package hardenedpg_test

import (
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
)

// sameProgramNetwork creates a VPC with two subnets routed through tables of the program (a NAT
// gateway, or an internet gateway when public), an app security group, and the database on them.
func sameProgramNetwork(public bool) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		vpc, err := ec2.NewVpc(ctx, "net", &ec2.VpcArgs{CidrBlock: pulumi.String("10.0.0.0/16")})
		if err != nil {
			return err
		}
		route := ec2.RouteTableRouteArgs{CidrBlock: pulumi.String("0.0.0.0/0"), NatGatewayId: pulumi.String("nat-0123456789abcdef0")}
		if public {
			igw, err := ec2.NewInternetGateway(ctx, "igw", &ec2.InternetGatewayArgs{VpcId: vpc.ID()})
			if err != nil {
				return err
			}
			route = ec2.RouteTableRouteArgs{CidrBlock: pulumi.String("0.0.0.0/0"), GatewayId: igw.ID()}
		}
		table, err := ec2.NewRouteTable(ctx, "private", &ec2.RouteTableArgs{VpcId: vpc.ID(), Routes: ec2.RouteTableRouteArray{route}})
		if err != nil {
			return err
		}
		var ids pulumi.StringArray
		var ready []pulumi.CustomResource
		for i, zone := range []string{"eu-west-1a", "eu-west-1b"} {
			subnet, err := ec2.NewSubnet(ctx, "private-"+zone, &ec2.SubnetArgs{
				VpcId: vpc.ID(), AvailabilityZone: pulumi.String(zone), CidrBlock: pulumi.Sprintf("10.0.%d.0/24", i),
			})
			if err != nil {
				return err
			}
			assoc, err := ec2.NewRouteTableAssociation(ctx, "private-"+zone, &ec2.RouteTableAssociationArgs{SubnetId: subnet.ID(), RouteTableId: table.ID()})
			if err != nil {
				return err
			}
			ids = append(ids, subnet.ID().ToStringOutput())
			ready = append(ready, assoc)
		}
		// The app's group is judged with the stack's (rds-tags: EC2.43), so it carries the tags too.
		app, err := ec2.NewSecurityGroup(ctx, "app", &ec2.SecurityGroupArgs{
			VpcId: vpc.ID(), Description: pulumi.String("the app"),
			Tags: pulumi.StringMap{"environment": pulumi.String("prod"), "owner": pulumi.String("orders")},
		})
		if err != nil {
			return err
		}
		args := databaseArgs()
		args.Network.VpcID = vpc.ID().ToStringOutput()
		args.Network.SubnetIDs, args.Network.AllowedSecurityGroupIDs = nil, nil
		args.Network.Subnets, args.Network.SubnetsReady = ids, ready
		args.Network.AllowedSecurityGroups = map[string]pulumi.StringInput{"app": app.ID().ToStringOutput()}
		_, err = hardenedpg.NewDatabase(ctx, "db", args)
		return err
	}
}

// A network created in the same program is passed in as outputs; its subnets are proven private
// from the program's own route tables once their IDs are known.
func TestDatabaseOnANetworkOfTheSameProgram(t *testing.T) {
	res := hardenedpgtest.Run(sameProgramNetwork(false))
	require.NoError(t, res.Err)
	subnets, _ := res.Named(baseline.TypeSubnetGroup, "db-subnet-group-subnets")
	ids := subnets.Inputs["subnetIds"].([]any)
	require.Len(t, ids, 2)
	var looked []any
	for _, inv := range res.Invokes() {
		if inv.Token == baseline.InvokeRouteTable {
			looked = append(looked, inv.Args["subnetId"])
			assert.Contains(t, inv.Result["routes"], map[string]any{"cidrBlock": "0.0.0.0/0", "natGatewayId": "nat-0123456789abcdef0"})
		}
	}
	assert.Equal(t, ids, looked, "each subnet's own route table was looked up")
	rule, ok := res.Named(baseline.TypeIngressRule, "db-security-group-from-app")
	require.True(t, ok, "the rule is named by its stable name, not by an ID")
	app, _ := res.Named(baseline.TypeSecurityGroup, "app")
	assert.Equal(t, app.ID, rule.Inputs["referencedSecurityGroupId"])
	for _, r := range res.Scorecard(nil) {
		assert.NotEqual(t, baseline.Fail, r.Status, "%s: %s", r.Key, r.Detail)
	}

	// A preview of new subnets does not know their IDs: the proof waits for the deployment, and
	// the scorecard calls the control unproven rather than passed.
	preview := hardenedpgtest.Run(sameProgramNetwork(false), hardenedpgtest.Preview())
	require.NoError(t, preview.Err)
	status := map[string]baseline.Status{}
	for _, r := range preview.Scorecard(nil) {
		status[r.Key] = r.Status
	}
	assert.Equal(t, baseline.Unproven, status["rds-private-subnets"])
}

// A public subnet created in the program fails the deployment before the instance exists.
func TestDatabaseRefusesAPublicSubnetOfTheSameProgram(t *testing.T) {
	res := hardenedpgtest.Run(sameProgramNetwork(true))
	require.Error(t, res.Err)
	assert.Contains(t, res.Err.Error(), `hardenedpg.NewSubnetGroup "db-subnet-group": invalid arguments:`)
	assert.Regexp(t, `\n  Network\.Subnets\[0\] = "subnet-[0-9a-f]{17}": the subnet is public: route table rtb-[0-9a-f]{17} sends 0.0.0.0/0 to internet gateway igw-[0-9a-f]{17}; use private subnets`, res.Err.Error())
	assert.Empty(t, res.ByType(baseline.TypeSubnetGroup), "no subnet group on unproven subnets")
	assert.Empty(t, res.ByType(baseline.TypeInstance), "no instance")
}

func TestSubnetsGivenTwiceAreRefused(t *testing.T) {
	args := databaseArgs()
	args.Network.Subnets = pulumi.StringArray{pulumi.String("subnet-0000000a")}
	err := args.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), `Network.Subnets = "(an input)": give Network.SubnetIDs or Network.Subnets, not both`)

	args = databaseArgs()
	args.Network.AllowedSecurityGroups = map[string]pulumi.StringInput{"App Servers": pulumi.String("sg-0000000d")}
	err = args.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), `Network.AllowedSecurityGroups["App Servers"] = "App Servers": want a name of 1-63 lowercase letters, digits and hyphens: it names the ingress rule`)
}
