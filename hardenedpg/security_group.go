package hardenedpg

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// SecurityGroupArgs configures the database security group.
type SecurityGroupArgs struct {
	// VpcID is the VPC of the database. Required.
	VpcID pulumi.StringInput
	// Port is the database port the ingress rules open. Required.
	Port int
	// AllowedSecurityGroupIDs may connect on Port, one ingress rule each. CIDR ranges are refused:
	// an address range admits whatever lands in it, a security group only what is put in it.
	AllowedSecurityGroupIDs []string
	// Description of the group; a default naming the port is used when empty.
	Description string
	Tags        map[string]string
}

// SecurityGroup admits the allowed security groups on the database port and nothing else, and
// has no egress at all: PostgreSQL answers on the connections it accepts and opens none.
type SecurityGroup struct {
	pulumi.ResourceState

	Group        *ec2.SecurityGroup
	IngressRules []*vpc.SecurityGroupIngressRule

	ID pulumi.IDOutput `pulumi:"id"`
}

// SecurityGroupType is the component's type token.
const SecurityGroupType = "hardenedpg:index:SecurityGroup"

var securityGroupIDPattern = regexp.MustCompile(`^sg-[0-9a-f]{8,17}$`)

func (a *SecurityGroupArgs) check(p *problems) {
	if a.VpcID == nil {
		p.add("VpcID", "", "required: the VPC of the database")
	}
	checkPort(p, a.Port)
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
}

func (a *SecurityGroupArgs) description() string {
	if a.Description != "" {
		return a.Description
	}
	return fmt.Sprintf("PostgreSQL on port %d: ingress only from allowed security groups, no egress", a.Port)
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
		// An empty egress list revokes the default allow-all rule and keeps removing any egress
		// rule added outside Pulumi. Ingress is managed by the rule resources below only.
		Egress:              ec2.SecurityGroupEgressArray{},
		RevokeRulesOnDelete: pulumi.Bool(true),
		Tags:                pulumi.ToStringMap(args.Tags),
	}, pulumi.Parent(c))
	if err != nil {
		return nil, err
	}
	for _, source := range args.AllowedSecurityGroupIDs {
		rule, err := vpc.NewSecurityGroupIngressRule(ctx, name+"-from-"+source, &vpc.SecurityGroupIngressRuleArgs{
			SecurityGroupId:           group.ID(),
			ReferencedSecurityGroupId: pulumi.String(source),
			IpProtocol:                pulumi.String("tcp"),
			FromPort:                  pulumi.Int(args.Port),
			ToPort:                    pulumi.Int(args.Port),
			Description:               pulumi.Sprintf("PostgreSQL clients in %s", source),
			Tags:                      pulumi.ToStringMap(args.Tags),
		}, pulumi.Parent(c))
		if err != nil {
			return nil, err
		}
		c.IngressRules = append(c.IngressRules, rule)
	}
	c.Group, c.ID = group, group.ID()
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"id": group.ID()}); err != nil {
		return nil, err
	}
	return c, nil
}
