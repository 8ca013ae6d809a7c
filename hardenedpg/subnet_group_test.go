package hardenedpg_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
)

func newSubnetGroup(args *hardenedpg.SubnetGroupArgs, out **hardenedpg.SubnetGroup) func(ctx *pulumi.Context) error {
	return func(ctx *pulumi.Context) error {
		g, err := hardenedpg.NewSubnetGroup(ctx, "net", args)
		if out != nil {
			*out = g
		}
		return err
	}
}

func TestSubnetGroupProvesSubnetsPrivate(t *testing.T) {
	mon := hardenedpgtest.New()
	mon.SetSubnet(hardenedpgtest.Subnet{ID: "subnet-0000000a", AvailabilityZone: "eu-west-1a"})
	mon.SetSubnet(hardenedpgtest.Subnet{ID: "subnet-0000000b", AvailabilityZone: "eu-west-1b", MainRouteTable: true})
	var g *hardenedpg.SubnetGroup
	m := mustRun(t, mon, newSubnetGroup(&hardenedpg.SubnetGroupArgs{SubnetGroupSettings: hardenedpg.SubnetGroupSettings{SubnetIDs: []string{"subnet-0000000a", "subnet-0000000b"}}}, &g))
	sg := only(t, m, typeSubnetGroup)
	assert.Equal(t, "net-subnets", sg.Name)
	assert.Equal(t, []any{"subnet-0000000a", "subnet-0000000b"}, sg.Inputs["subnetIds"])
	assert.NotContains(t, sg.Inputs, "name")
	assert.Equal(t, []string{"eu-west-1a", "eu-west-1b"}, g.AvailabilityZones)

	var tokens []string
	for _, inv := range m.Invokes() {
		tokens = append(tokens, inv.Token)
	}
	assert.Equal(t, []string{
		baseline.InvokeSubnet, baseline.InvokeRouteTable,
		baseline.InvokeSubnet, baseline.InvokeRouteTable, baseline.InvokeRouteTable,
	}, tokens, "a subnet without its own route table is checked against the VPC's main table")
}

func TestSubnetGroupRefusesPublicSubnet(t *testing.T) {
	mon := hardenedpgtest.New()
	mon.SetSubnet(hardenedpgtest.Subnet{ID: "subnet-0000000a", AvailabilityZone: "eu-west-1a"})
	mon.SetSubnet(hardenedpgtest.Subnet{ID: "subnet-0000000b", AvailabilityZone: "eu-west-1b", Public: true})
	m, err := run(t, mon, newSubnetGroup(&hardenedpg.SubnetGroupArgs{SubnetGroupSettings: hardenedpg.SubnetGroupSettings{SubnetIDs: []string{"subnet-0000000a", "subnet-0000000b"}}}, nil))
	assert.EqualError(t, err, `hardenedpg.NewSubnetGroup "net": invalid arguments:
  SubnetIDs[1] = "subnet-0000000b": the subnet is public: route table rtb-ade680774b698d048 sends 0.0.0.0/0 to internet gateway igw-a8ab6bbd566d6dc71; use private subnets`)
	assert.Empty(t, awsResources(m), "only the component is registered: the subnets were looked up through it")
}

func TestSubnetGroupRefusesSingleZone(t *testing.T) {
	mon := hardenedpgtest.New()
	mon.SetSubnet(hardenedpgtest.Subnet{ID: "subnet-0000000a", AvailabilityZone: "eu-west-1a"})
	mon.SetSubnet(hardenedpgtest.Subnet{ID: "subnet-0000000b", AvailabilityZone: "eu-west-1a"})
	_, err := run(t, mon, newSubnetGroup(&hardenedpg.SubnetGroupArgs{SubnetGroupSettings: hardenedpg.SubnetGroupSettings{SubnetIDs: []string{"subnet-0000000a", "subnet-0000000b"}}}, nil))
	assert.EqualError(t, err, `hardenedpg.NewSubnetGroup "net": invalid arguments:
  SubnetIDs = ["subnet-0000000a","subnet-0000000b"]: all subnets are in eu-west-1a; want at least two availability zones`)
}

func TestSubnetGroupBadArgs(t *testing.T) {
	m, err := run(t, nil, newSubnetGroup(&hardenedpg.SubnetGroupArgs{SubnetGroupSettings: hardenedpg.SubnetGroupSettings{SubnetIDs: []string{"subnet-1"}, SkipPrivateSubnetCheck: true}}, nil))
	assert.EqualError(t, err, `hardenedpg.NewSubnetGroup "net": invalid arguments:
  SubnetIDs = ["subnet-1"]: want at least two subnets in two availability zones (RDS needs them for Multi-AZ and failover)
  SubnetIDs[0] = "subnet-1": want a subnet ID: subnet- and 8 or 17 hex digits
  SkipPrivateSubnetCheck = true: relaxes control rds-private-subnets (hardened: false: every subnet proven private); set it back or add a waiver for rds-private-subnets with the reason`)
	assert.Empty(t, m.Resources())
	assert.Empty(t, m.Invokes(), "no look-up is made for args that are already wrong")
}

func TestSubnetGroupSkipCheckWithWaiver(t *testing.T) {
	m := mustRun(t, nil, newSubnetGroup(&hardenedpg.SubnetGroupArgs{
		SubnetGroupSettings: hardenedpg.SubnetGroupSettings{SubnetIDs: []string{"subnet-0000000a", "subnet-0000000b"}, SkipPrivateSubnetCheck: true},
		Waivers:             baseline.Waivers{"rds-private-subnets": "subnets are proven private by the network team's own pipeline"},
	}, nil))
	require.Len(t, m.ByType(typeSubnetGroup), 1)
	assert.Empty(t, m.Invokes())
}

// A split default route to an internet gateway is a route to the internet: AWS calls the subnet public.
func TestSubnetGroupRefusesSplitDefaultRoute(t *testing.T) {
	mon := hardenedpgtest.New()
	mon.SetSubnet(hardenedpgtest.Subnet{ID: "subnet-0000000a", AvailabilityZone: "eu-west-1a"})
	mon.SetSubnet(hardenedpgtest.Subnet{ID: "subnet-0000000b", AvailabilityZone: "eu-west-1b", InternetRoutes: []string{"0.0.0.0/1", "128.0.0.0/1"}})
	m, err := run(t, mon, newSubnetGroup(&hardenedpg.SubnetGroupArgs{SubnetGroupSettings: hardenedpg.SubnetGroupSettings{SubnetIDs: []string{"subnet-0000000a", "subnet-0000000b"}}}, nil))
	assert.EqualError(t, err, `hardenedpg.NewSubnetGroup "net": invalid arguments:
  SubnetIDs[1] = "subnet-0000000b": the subnet is public: route table rtb-ade680774b698d048 sends 0.0.0.0/1 to internet gateway igw-a8ab6bbd566d6dc71; use private subnets
  SubnetIDs[1] = "subnet-0000000b": the subnet is public: route table rtb-ade680774b698d048 sends 128.0.0.0/1 to internet gateway igw-a8ab6bbd566d6dc71; use private subnets`)
	assert.Empty(t, awsResources(m), "only the component is registered: the subnets were looked up through it")
}
