package main

import (
	"context"
	"testing"

	"github.com/blang/semver"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/integration"
	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
)

// A component whose Args embed its settings gets them from another language's flat inputs: the
// security group's allowed groups and VPC (SecurityGroupSettings) and its port (its own field).
func TestConstructDecodesEmbeddedSettings(t *testing.T) {
	prov, err := Provider()
	require.NoError(t, err)
	m := hardenedpgtest.New()
	server, err := integration.NewServer(context.Background(), Name, semver.MustParse(Version), integration.WithProvider(prov), integration.WithMocks(m))
	require.NoError(t, err)
	resp, err := server.Construct(p.ConstructRequest{
		Urn: presource.URN("urn:pulumi:test::yaml::hardenedpg:index:SecurityGroup::db"),
		Inputs: property.NewMap(map[string]property.Value{
			"vpcId":                   property.New("vpc-0123456789abcdef0"),
			"port":                    property.New(6543.0),
			"allowedSecurityGroupIds": property.New([]property.Value{property.New("sg-0000000a")}),
		}),
	})
	require.NoError(t, err)
	rules := m.ByType(baseline.TypeIngressRule)
	require.Len(t, rules, 1)
	assert.Equal(t, "sg-0000000a", rules[0].Inputs["referencedSecurityGroupId"])
	assert.Equal(t, 6543.0, rules[0].Inputs["fromPort"])
	group := m.ByType(baseline.TypeSecurityGroup)
	require.Len(t, group, 1)
	assert.Equal(t, "vpc-0123456789abcdef0", group[0].Inputs["vpcId"])
	_, hasID := resp.State.GetOk("id")
	assert.True(t, hasID, "the output is named by its tag's name: %v", resp.State)
}
