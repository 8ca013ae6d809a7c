package hardenedpgtest_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
)

func TestRecordsResourcesConcurrently(t *testing.T) {
	m := hardenedpgtest.New()
	const n = 50
	err := m.Run("p", "s", nil, nil, func(ctx *pulumi.Context) error {
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := kms.NewKey(ctx, fmt.Sprintf("key-%d", i), &kms.KeyArgs{
					Description: pulumi.String("k"), Policy: pulumi.ToSecret(pulumi.String("{}")).(pulumi.StringOutput),
				}, pulumi.Protect(i%2 == 0))
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(t, err)
	keys := m.ByType(baseline.TypeKey)
	require.Len(t, keys, n)
	k, ok := m.Named(baseline.TypeKey, "key-4")
	require.True(t, ok)
	assert.Equal(t, "urn:pulumi:s::p::aws:kms/key:Key::key-4", k.URN)
	assert.True(t, k.Protect)
	assert.Equal(t, "[secret]", k.Inputs["policy"], "secrets never appear in recorded inputs")
	assert.Equal(t, "k", k.Inputs["description"])
}

func TestAnswersConfiguredSubnetsAndUnknownInvokes(t *testing.T) {
	m := hardenedpgtest.New()
	m.Region = "us-east-2"
	m.SetSubnet(hardenedpgtest.Subnet{ID: "subnet-1", AvailabilityZone: "us-east-2c", Public: true})
	var az string
	var routes []ec2.GetRouteTableRoute
	err := m.Run("p", "s", nil, nil, func(ctx *pulumi.Context) error {
		s, err := ec2.LookupSubnet(ctx, &ec2.LookupSubnetArgs{Id: pulumi.StringRef("subnet-1")})
		if err != nil {
			return err
		}
		az = s.AvailabilityZone
		rt, err := ec2.LookupRouteTable(ctx, &ec2.LookupRouteTableArgs{SubnetId: pulumi.StringRef("subnet-1")})
		if err != nil {
			return err
		}
		routes = rt.Routes
		auto, err := ec2.LookupSubnet(ctx, &ec2.LookupSubnetArgs{Id: pulumi.StringRef("subnet-2")})
		if err != nil {
			return err
		}
		assert.Equal(t, "us-east-2a", auto.AvailabilityZone, "an unknown subnet takes the first zone no known subnet is in")
		_, err = ec2.LookupVpc(ctx, &ec2.LookupVpcArgs{})
		assert.ErrorContains(t, err, "hardenedpgtest: no mock answer for invoke aws:ec2/getVpc:getVpc")
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, "us-east-2c", az)
	require.Len(t, routes, 2)
	assert.Equal(t, "0.0.0.0/0", routes[1].CidrBlock)
	assert.Regexp(t, `^igw-`, routes[1].GatewayId)
	invokes := m.Invokes()
	require.Len(t, invokes, 4)
	assert.Equal(t, baseline.InvokeVpc, invokes[3].Token)
	assert.NotEmpty(t, invokes[3].Err)
}

// Aliases are recorded as the URNs the engine would move state from, whether given as a URN or as
// a spec that keeps the rest from the resource.
func TestRecordsAliasesAsURNs(t *testing.T) {
	m := hardenedpgtest.New()
	err := m.Run("p", "s", nil, nil, func(ctx *pulumi.Context) error {
		parent := &struct{ pulumi.ResourceState }{}
		if err := ctx.RegisterComponentResource("hardenedpg:index:Thing", "thing", parent); err != nil {
			return err
		}
		_, err := kms.NewKey(ctx, "key", &kms.KeyArgs{Description: pulumi.String("k")}, pulumi.Parent(parent),
			pulumi.Aliases([]pulumi.Alias{{Name: pulumi.String("old-key")}, {NoParent: pulumi.Bool(true)}}))
		return err
	})
	require.NoError(t, err)
	key := m.ByType(baseline.TypeKey)[0]
	assert.Equal(t, "urn:pulumi:s::p::hardenedpg:index:Thing$aws:kms/key:Key::key", key.URN)
	assert.ElementsMatch(t, []string{
		"urn:pulumi:s::p::hardenedpg:index:Thing$aws:kms/key:Key::old-key",
		"urn:pulumi:s::p::aws:kms/key:Key::key",
	}, key.Aliases)
}
