package hardenedpg

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// SecurityGroupSettings are the choices about who may reach the database; a Database takes them
// in its NetworkSettings.
type SecurityGroupSettings struct {
	// VpcID is the VPC of the database. Required.
	VpcID pulumi.StringInput `pulumi:"vpcId"`
	// AllowedSecurityGroupIDs may connect on the database port, one ingress rule each. CIDR
	// ranges are refused: an address range admits whatever lands in it, a security group only
	// what is put in it.
	AllowedSecurityGroupIDs []string `pulumi:"allowedSecurityGroupIds,optional"`
	// AllowedSecurityGroups are clients given as inputs (a group created in the same program):
	// a stable name, which names the ingress rule so its URN carries no ID, to the group's ID.
	AllowedSecurityGroups map[string]pulumi.StringInput `pulumi:"allowedSecurityGroups,optional"`
}

// SecurityGroupArgs configures the database security group: the settings plus the port.
type SecurityGroupArgs struct {
	SecurityGroupSettings

	// Port is the database port the ingress rules open. Required.
	Port int `pulumi:"port"`
	// Description of the group; a default naming the port is used when empty.
	Description string `pulumi:"description,optional"`
	// EgressTo is the one security group this group may reach, on EgressPort: a proxy's path to
	// its database. Without it the group has no egress at all.
	EgressTo   pulumi.StringInput `pulumi:"egressTo,optional"`
	EgressPort int                `pulumi:"egressPort,optional"`
	// Tags go on the group and its rules.
	Tags map[string]pulumi.StringInput `pulumi:"tags,optional"`
}

// SecurityGroup admits the allowed security groups on the database port and nothing else, and
// has no egress at all: PostgreSQL answers on the connections it accepts and opens none.
type SecurityGroup struct {
	pulumi.ResourceState

	Group        *ec2.SecurityGroup
	IngressRules []*vpc.SecurityGroupIngressRule

	// ID is the security group's ID, for InstanceArgs.SecurityGroupIDs.
	ID pulumi.StringOutput `pulumi:"id"`
}

// SecurityGroupType is the component's type token.
const SecurityGroupType = "hardenedpg:index:SecurityGroup"

var securityGroupIDPattern = regexp.MustCompile(`^sg-[0-9a-f]{8,17}$`)

func (a *SecurityGroupArgs) check(p *problems) {
	checkPort(p, a.Port)
	a.SecurityGroupSettings.check(p)
	if a.EgressTo != nil {
		var ep problems
		if checkPort(&ep, a.EgressPort); len(ep) > 0 {
			p.add("EgressPort", a.EgressPort, "want the database port the egress opens, 1150 to 65535")
		}
	}
}

func (a *SecurityGroupSettings) check(p *problems) {
	if a.VpcID == nil {
		p.add("VpcID", "", "required: the VPC of the database")
	}
	seen := map[string]bool{}
	for i, id := range a.AllowedSecurityGroupIDs {
		field := fmt.Sprintf("AllowedSecurityGroupIDs[%d]", i)
		switch {
		case strings.Contains(id, "/"):
			p.add(field, id, "CIDR sources are not accepted (control sg-no-cidr-ingress); give the security group ID of the clients, sg-...")
		case !securityGroupIDPattern.MatchString(id):
			p.add(field, id, "want a security group ID: sg- and 8 or 17 hex digits")
		case seen[id]:
			p.add(field, id, "listed twice")
		}
		seen[id] = true
	}
	for _, n := range slices.Sorted(maps.Keys(a.AllowedSecurityGroups)) {
		field := fmt.Sprintf("AllowedSecurityGroups[%q]", n)
		switch {
		case !sourceNamePattern.MatchString(n):
			p.add(field, n, "want a name of 1-63 lowercase letters, digits and hyphens: it names the ingress rule")
		case seen[n]:
			p.add(field, n, "is also in {AllowedSecurityGroupIDs}: the two rules would have one name")
		case a.AllowedSecurityGroups[n] == nil:
			p.add(field, nil, "want the ID of the clients' security group")
		}
	}
}

var sourceNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

func (a *SecurityGroupArgs) description() string {
	switch {
	case a.Description != "":
		return a.Description
	case a.EgressTo != nil:
		return fmt.Sprintf("PostgreSQL on port %d: ingress only from allowed security groups, egress only to the database on port %d", a.Port, a.EgressPort)
	}
	return fmt.Sprintf("PostgreSQL on port %d: ingress only from allowed security groups, no egress", a.Port)
}

func (a *SecurityGroupArgs) egress() ec2.SecurityGroupEgressArray {
	if a.EgressTo == nil {
		return ec2.SecurityGroupEgressArray{}
	}
	return ec2.SecurityGroupEgressArray{ec2.SecurityGroupEgressArgs{
		Protocol: pulumi.String("tcp"), FromPort: pulumi.Int(a.EgressPort), ToPort: pulumi.Int(a.EgressPort),
		SecurityGroups: pulumi.StringArray{a.EgressTo}, Description: pulumi.String("to the database"),
	}}
}

// NewSecurityGroup creates the group and one ingress rule per allowed source.
func NewSecurityGroup(ctx *pulumi.Context, name string, args *SecurityGroupArgs, opts ...pulumi.ResourceOption) (*SecurityGroup, error) {
	if args == nil {
		args = &SecurityGroupArgs{}
	}
	var p problems
	args.check(&p)
	if err := p.err(); err != nil {
		return nil, fmt.Errorf("hardenedpg.NewSecurityGroup %q: %w", name, err)
	}
	c := &SecurityGroup{}
	if err := ctx.RegisterComponentResource(SecurityGroupType, name, c, opts...); err != nil {
		return nil, err
	}
	group, err := ec2.NewSecurityGroup(ctx, name+"-sg", &ec2.SecurityGroupArgs{
		Description: pulumi.String(args.description()),
		VpcId:       args.VpcID,
		// The egress list is the whole of it: empty revokes the default allow-all rule, and the
		// list keeps removing any egress rule added outside Pulumi. Ingress is managed by the rule
		// resources below only.
		Egress:              args.egress(),
		RevokeRulesOnDelete: pulumi.Bool(true),
		Tags:                pulumi.StringMap(args.Tags),
	}, pulumi.Parent(c))
	if err != nil {
		return nil, err
	}
	type source struct {
		name string
		id   pulumi.StringInput
	}
	var sources []source
	for _, id := range args.AllowedSecurityGroupIDs {
		sources = append(sources, source{id, pulumi.String(id)})
	}
	for _, n := range slices.Sorted(maps.Keys(args.AllowedSecurityGroups)) {
		sources = append(sources, source{n, args.AllowedSecurityGroups[n]})
	}
	for _, src := range sources {
		rule, err := vpc.NewSecurityGroupIngressRule(ctx, name+"-from-"+src.name, &vpc.SecurityGroupIngressRuleArgs{
			SecurityGroupId:           group.ID(),
			ReferencedSecurityGroupId: src.id,
			IpProtocol:                pulumi.String("tcp"),
			FromPort:                  pulumi.Int(args.Port),
			ToPort:                    pulumi.Int(args.Port),
			Description:               pulumi.Sprintf("PostgreSQL clients in %s", src.id),
			Tags:                      pulumi.StringMap(args.Tags),
		}, pulumi.Parent(c))
		if err != nil {
			return nil, err
		}
		c.IngressRules = append(c.IngressRules, rule)
	}
	c.Group, c.ID = group, group.ID().ToStringOutput()
	if err := registerOutputs(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}
