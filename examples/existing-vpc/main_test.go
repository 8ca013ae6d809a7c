package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
)

func network(m *hardenedpgtest.Monitor) {
	m.SetStackOutputs("acme/network/prod", map[string]any{
		"vpcId":               "vpc-0fedcba9876543210",
		"privateSubnetIds":    []any{"subnet-0000000000000000a", "subnet-0000000000000000b"},
		"appSecurityGroupIds": []any{"sg-0000000000000000c"},
	})
}

func TestBillingDatabaseIsHardened(t *testing.T) {
	m := hardenedpgtest.New()
	network(m)
	res := hardenedpgtest.Run(program, hardenedpgtest.Project("billing"), hardenedpgtest.Stack("prod"), hardenedpgtest.WithMonitor(m))
	require.NoError(t, res.Err)
	db := res.ByType(baseline.TypeInstance)
	require.Len(t, db, 1)
	assert.Equal(t, "billing-prod", db[0].Inputs["identifier"])
	assert.Equal(t, true, db[0].Inputs["multiAz"])
	assert.True(t, db[0].Protect)
	assert.Empty(t, hardenedpgtest.Failing(res.Scorecard(nil)), "the imported defaults pass every control")
}

func TestPublicSubnetInTheNetworkStackIsRefused(t *testing.T) {
	m := hardenedpgtest.New()
	network(m)
	m.SetSubnet(hardenedpgtest.Subnet{ID: "subnet-0000000000000000b", AvailabilityZone: "eu-west-1b", Public: true})
	res := hardenedpgtest.Run(program, hardenedpgtest.Project("billing"), hardenedpgtest.Stack("prod"), hardenedpgtest.WithMonitor(m))
	err := res.Err
	require.Error(t, err)
	// The one problem there is, alone: the other subnet is in another zone.
	assert.Regexp(t, `^1 error occurred:\n\t\* hardenedpg.NewDatabase "billing": invalid arguments:\n  Network.SubnetIDs\[1\] = "subnet-0000000000000000b": the subnet is public: route table rtb-[0-9a-f]+ sends 0.0.0.0/0 to internet gateway igw-[0-9a-f]+; use private subnets\n\n$`, err.Error())
	assert.Empty(t, m.ByType(baseline.TypeInstance))
}
