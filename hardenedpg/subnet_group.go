package hardenedpg

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// SubnetGroupSettings are the choices about the subnets the instance may run in; a Database
// takes them in its NetworkSettings.
type SubnetGroupSettings struct {
	// SubnetIDs are at least two subnets in at least two availability zones.
	SubnetIDs []string `pulumi:"subnetIds,optional"`
	// Subnets are the subnet IDs as an input, for subnets created in the same program or read
	// from another stack; give SubnetIDs or Subnets. They are checked and proven private when
	// their IDs are known (after SubnetsReady exist): in a preview of new subnets that is at
	// deployment, and a failed proof fails it before the subnet group, so before the instance.
	Subnets pulumi.StringArrayInput `pulumi:"subnets,optional"`
	// SubnetsReady are the resources the subnets' routing depends on (route tables, routes and
	// their associations): the proof waits for them, so its look-ups see the subnets' routes.
	SubnetsReady []pulumi.CustomResource
	// SkipPrivateSubnetCheck skips the look-ups that prove the subnets span two availability
	// zones and none routes anything to an internet gateway; it relaxes rds-private-subnets.
	SkipPrivateSubnetCheck bool `pulumi:"skipPrivateSubnetCheck,optional"`
}

// SubnetGroupArgs configures where the instance may run.
type SubnetGroupArgs struct {
	SubnetGroupSettings

	// Description of the subnet group; a default is used when empty.
	Description string `pulumi:"description,optional"`
	// Tags go on every resource the component makes.
	Tags map[string]pulumi.StringInput `pulumi:"tags,optional"`
	// Waivers relax controls: control key to the reason, one per relaxation made.
	Waivers baseline.Waivers `pulumi:"waivers,optional"`

	// path is where the settings are in the caller's args ("Network." in a Database), for the
	// problems found once Subnets are known.
	path string
}

// SubnetGroup is an RDS subnet group over private subnets.
type SubnetGroup struct {
	pulumi.ResourceState

	Group *rds.SubnetGroup
	// AvailabilityZones are the zones the subnets were found in (empty when not checked).
	AvailabilityZones []string

	// Name is the subnet group's name, for InstanceArgs.SubnetGroupName.
	Name pulumi.StringOutput `pulumi:"name"`
}

// SubnetGroupType is the component's type token.
const SubnetGroupType = "hardenedpg:index:SubnetGroup"

var subnetIDPattern = regexp.MustCompile(`^subnet-[0-9a-f]{8,17}$`)

func (a *SubnetGroupArgs) check(p *problems) {
	a.SubnetGroupSettings.check(p, a.Waivers)
}

func (a *SubnetGroupSettings) check(p *problems, w baseline.Waivers) {
	switch {
	case a.Subnets != nil && len(a.SubnetIDs) > 0:
		p.add("Subnets", "(an input)", "give {SubnetIDs} or {Subnets}, not both")
	case a.Subnets == nil && len(a.SubnetsReady) > 0:
		p.add("SubnetsReady", len(a.SubnetsReady), "only with {Subnets}: known {SubnetIDs} are proven before anything is created")
	}
	if a.Subnets == nil {
		a.checkIDs(p)
	}
	if a.SkipPrivateSubnetCheck {
		p.relax(w, "rds-private-subnets", "SkipPrivateSubnetCheck", true, "false: every subnet proven private")
	}
}

// checkIDs checks known subnet IDs: count, form and repeats.
func (a *SubnetGroupSettings) checkIDs(p *problems) {
	if len(a.SubnetIDs) < 2 {
		p.add("SubnetIDs", a.SubnetIDs, "want at least two subnets in two availability zones (RDS needs them for Multi-AZ and failover)")
	}
	seen := map[string]bool{}
	for i, id := range a.SubnetIDs {
		field := fmt.Sprintf("SubnetIDs[%d]", i)
		switch {
		case !subnetIDPattern.MatchString(id):
			p.add(field, id, "want a subnet ID: subnet- and 8 or 17 hex digits")
		case seen[id]:
			p.add(field, id, "listed twice")
		}
		seen[id] = true
	}
}

// provenSubnets is Subnets once known and proven: checked as SubnetIDs are, then (unless
// SkipPrivateSubnetCheck) looked up through parent once SubnetsReady exist. A problem fails the output,
// and so every resource that takes it.
func (a *SubnetGroupArgs) provenSubnets(ctx *pulumi.Context, name string, parent pulumi.Resource) pulumi.StringArrayOutput {
	deps := []any{a.Subnets}
	for _, r := range a.SubnetsReady {
		deps = append(deps, r.ID())
	}
	return pulumi.All(deps...).ApplyT(func(v []any) ([]string, error) {
		known := SubnetGroupArgs{SubnetGroupSettings: SubnetGroupSettings{SubnetIDs: v[0].([]string)}}
		var p problems
		known.checkIDs(&p)
		if len(p) == 0 && !a.SkipPrivateSubnetCheck {
			known.verify(ctx, &p, parent)
		}
		for i := range p { // the caller gave Subnets
			p[i].Field = a.path + "Subnets" + strings.TrimPrefix(p[i].Field, "SubnetIDs")
		}
		if err := p.err(); err != nil {
			return nil, fmt.Errorf("hardenedpg.NewSubnetGroup %q: %w", name, err)
		}
		return known.SubnetIDs, nil
	}).(pulumi.StringArrayOutput)
}

// verify looks every subnet up and reports each one routed to an internet gateway, and a set of
// subnets within a single availability zone. It returns the zones found.
// The look-ups go through parent (and via, a provider of another region), so they ask the account
// and region of that provider.
func (a *SubnetGroupSettings) verify(ctx *pulumi.Context, p *problems, parent pulumi.Resource, via ...pulumi.InvokeOption) []string {
	opts := append([]pulumi.InvokeOption{pulumi.Parent(parent)}, via...)
	var zones []string
	for i, id := range a.SubnetIDs {
		field := fmt.Sprintf("SubnetIDs[%d]", i)
		subnet, err := ec2.LookupSubnet(ctx, &ec2.LookupSubnetArgs{Id: pulumi.StringRef(id)}, opts...)
		if err != nil {
			p.add(field, id, "the subnet could not be looked up: %v", err)
			continue
		}
		if !slices.Contains(zones, subnet.AvailabilityZone) {
			zones = append(zones, subnet.AvailabilityZone)
		}
		table, err := routeTableOf(ctx, id, subnet.VpcId, opts...)
		if err != nil {
			p.add(field, id, "its route table could not be looked up: %v", err)
			continue
		}
		for _, r := range table.Routes {
			dest := r.CidrBlock
			if dest == "" {
				dest = r.Ipv6CidrBlock
			}
			if baseline.RoutesToInternet(r.GatewayId) {
				p.add(field, id, "the subnet is public: route table %s sends %s to internet gateway %s; use private subnets", table.Id, dest, r.GatewayId)
			}
		}
	}
	if len(a.SubnetIDs) >= 2 && len(zones) == 1 {
		p.add("SubnetIDs", a.SubnetIDs, "all subnets are in %s; want at least two availability zones", zones[0])
	}
	return zones
}

// routeTableOf finds the table a subnet uses: its explicit association, else the VPC's main table.
func routeTableOf(ctx *pulumi.Context, subnetID, vpcID string, opts ...pulumi.InvokeOption) (*ec2.LookupRouteTableResult, error) {
	table, err := ec2.LookupRouteTable(ctx, &ec2.LookupRouteTableArgs{SubnetId: pulumi.StringRef(subnetID)}, opts...)
	if err == nil {
		return table, nil
	}
	return ec2.LookupRouteTable(ctx, &ec2.LookupRouteTableArgs{
		VpcId:   pulumi.StringRef(vpcID),
		Filters: []ec2.GetRouteTableFilter{{Name: "association.main", Values: []string{"true"}}},
	}, opts...)
}

// NewSubnetGroup checks the subnets and creates the subnet group.
func NewSubnetGroup(ctx *pulumi.Context, name string, args *SubnetGroupArgs, opts ...pulumi.ResourceOption) (*SubnetGroup, error) {
	if args == nil {
		args = &SubnetGroupArgs{}
	}
	p := waiverProblems(args.Waivers)
	args.check(&p)
	if err := p.err(); err != nil {
		return nil, fmt.Errorf("hardenedpg.NewSubnetGroup %q: %w", name, err)
	}
	return newSubnetGroup(ctx, name, args, nil, opts...)
}

// newSubnetGroup registers the component, then proves the subnets private through it (so in the
// account of its provider) unless zones says a Database already has.
func newSubnetGroup(ctx *pulumi.Context, name string, args *SubnetGroupArgs, zones []string, opts ...pulumi.ResourceOption) (*SubnetGroup, error) {
	c := &SubnetGroup{AvailabilityZones: zones}
	if err := ctx.RegisterComponentResource(SubnetGroupType, name, c, opts...); err != nil {
		return nil, err
	}
	if zones == nil && !args.SkipPrivateSubnetCheck && args.Subnets == nil {
		var p problems
		c.AvailabilityZones = args.verify(ctx, &p, c)
		if err := p.err(); err != nil {
			return nil, fmt.Errorf("hardenedpg.NewSubnetGroup %q: %w", name, err)
		}
	}
	description := args.Description
	if description == "" {
		description = "hardenedpg: private subnets of the database"
	}
	subnets := pulumi.ToStringArray(args.SubnetIDs).ToStringArrayOutput()
	if args.Subnets != nil {
		subnets = args.provenSubnets(ctx, name, c)
	}
	group, err := rds.NewSubnetGroup(ctx, name+"-subnets", &rds.SubnetGroupArgs{
		SubnetIds:   subnets,
		Description: pulumi.String(description),
		Tags:        pulumi.StringMap(args.Tags),
	}, pulumi.Parent(c))
	if err != nil {
		return nil, err
	}
	c.Group, c.Name = group, group.Name
	if err := registerOutputs(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}
