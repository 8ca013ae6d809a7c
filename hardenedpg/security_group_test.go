package hardenedpg_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
)

func TestSecurityGroupIngressOnlyFromGroups(t *testing.T) {
	m := mustRun(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewSecurityGroup(ctx, "db", &hardenedpg.SecurityGroupArgs{
			Port: 5433, SecurityGroupSettings: hardenedpg.SecurityGroupSettings{
				VpcID: pulumi.String("vpc-0123456789abcdef0"), AllowedSecurityGroupIDs: []string{"sg-0000000a", "sg-0000000b"},
			},
		})
		return err
	})
	sg := only(t, m, typeSG)
	assert.Equal(t, "db-sg", sg.Name)
	assert.Equal(t, []any{}, sg.Inputs["egress"], "no egress rule at all: the default allow-all is revoked")
	assert.NotContains(t, sg.Inputs, "ingress", "ingress is managed by rule resources only")
	assert.Equal(t, "PostgreSQL on port 5433: ingress only from allowed security groups, no egress", sg.Inputs["description"])
	assert.Equal(t, true, sg.Inputs["revokeRulesOnDelete"])
	assert.Equal(t, "vpc-0123456789abcdef0", sg.Inputs["vpcId"])

	rules := m.ByType(typeIngress)
	require.Len(t, rules, 2)
	for _, src := range []string{"sg-0000000a", "sg-0000000b"} {
		r, ok := m.Named(typeIngress, "db-from-"+src)
		require.True(t, ok, "rule for %s", src)
		assert.Equal(t, src, r.Inputs["referencedSecurityGroupId"])
		assert.Equal(t, "tcp", r.Inputs["ipProtocol"])
		assert.Equal(t, 5433.0, r.Inputs["fromPort"])
		assert.Equal(t, 5433.0, r.Inputs["toPort"])
		assert.Equal(t, "PostgreSQL clients in "+src, r.Inputs["description"])
		assert.NotContains(t, r.Inputs, "cidrIpv4")
		assert.NotContains(t, r.Inputs, "cidrIpv6")
		assert.Regexp(t, `^sg-[0-9a-f]{17}$`, r.Inputs["securityGroupId"])
		assert.Equal(t, sg.Parent, r.Parent)
	}
	assert.Empty(t, m.ByType(baseline.TypeEgressRule))
}

func TestSecurityGroupRefusesCIDRAndBadIDs(t *testing.T) {
	m, err := run(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewSecurityGroup(ctx, "db", &hardenedpg.SecurityGroupArgs{
			Port: 80, SecurityGroupSettings: hardenedpg.SecurityGroupSettings{AllowedSecurityGroupIDs: []string{"10.0.0.0/16", "::/0", "sg-XYZ", "sg-0000000a", "sg-0000000a"}},
		})
		return err
	})
	assert.EqualError(t, err, `hardenedpg.NewSecurityGroup "db": invalid arguments:
  Port = 80: want 1150 to 65535 (the ports RDS accepts)
  VpcID = "": required: the VPC of the database
  AllowedSecurityGroupIDs[0] = "10.0.0.0/16": CIDR sources are not accepted (control sg-no-cidr-ingress); give the security group ID of the clients, sg-...
  AllowedSecurityGroupIDs[1] = "::/0": CIDR sources are not accepted (control sg-no-cidr-ingress); give the security group ID of the clients, sg-...
  AllowedSecurityGroupIDs[2] = "sg-XYZ": want a security group ID: sg- and 8 or 17 hex digits
  AllowedSecurityGroupIDs[4] = "sg-0000000a": listed twice`)
	assert.Empty(t, m.Resources())
}
