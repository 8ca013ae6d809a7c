package hardenedpg

import (
	"fmt"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// FlowLogSettings are the choices about the flow logs of the database's network; the zero value
// is hardened: every subnet of the database logs all its traffic.
type FlowLogSettings struct {
	// Skip makes no flow log: it relaxes vpc-flow-logs (for example when the network's own stack
	// logs the whole VPC: say so in the waiver). Only a Database reads it.
	Skip bool `pulumi:"skip,optional"`
	// WholeVpc logs the VPC instead of the database's subnets. Subnets given as outputs
	// (NetworkSettings.Subnets) are not known when the program runs, so their VPC is logged.
	WholeVpc bool `pulumi:"wholeVpc,optional"`
	// RetentionDays keeps the records 365 days by default; less relaxes logs-retention.
	RetentionDays int `pulumi:"retentionDays,optional"`
}

// FlowLogsArgs configures the flow logs of one database's network.
type FlowLogsArgs struct {
	FlowLogSettings

	// Identifier names the log group, /hardenedpg/<identifier>/vpc-flow-logs. Required.
	Identifier string `pulumi:"identifier"`
	// SubnetIDs are the database's subnets, each logged; VpcID is logged instead with WholeVpc,
	// or without SubnetIDs. One of them is required.
	SubnetIDs []string           `pulumi:"subnetIds,optional"`
	VpcID     pulumi.StringInput `pulumi:"vpcId,optional"`
	// LogsKeyArn encrypts the log group; the key's policy must admit CloudWatch Logs for the
	// group's name (a Database's logs key does). Required.
	LogsKeyArn pulumi.StringInput `pulumi:"logsKeyArn"`
	// RetainOnDelete keeps the log group when the stack is destroyed, as the audit logs are.
	RetainOnDelete bool `pulumi:"retainOnDelete,optional"`
	// Tags go on every resource the component makes.
	Tags map[string]pulumi.StringInput `pulumi:"tags,optional"`
	// Waivers relax controls: control key to the reason, one per relaxation made.
	Waivers baseline.Waivers `pulumi:"waivers,optional"`
}

// FlowLogs records the traffic of the database's subnets (or VPC): ALL traffic, into a log group
// encrypted with the logs key and kept a year, delivered by a role that may write only there.
type FlowLogs struct {
	pulumi.ResourceState

	LogGroup *cloudwatch.LogGroup
	Role     *iam.Role
	FlowLogs []*ec2.FlowLog

	// LogGroupName is where the records are.
	LogGroupName pulumi.StringOutput `pulumi:"logGroupName"`
}

// FlowLogsType is the component's type token.
const FlowLogsType = "hardenedpg:index:FlowLogs"

// FlowLogGroupName is the log group of a database's flow logs.
func FlowLogGroupName(identifier string) string {
	return fmt.Sprintf("/hardenedpg/%s/vpc-flow-logs", identifier)
}

func (s FlowLogSettings) withDefaults() FlowLogSettings {
	if s.RetentionDays == 0 {
		s.RetentionDays = DefaultLogRetentionDays
	}
	return s
}

func (a *FlowLogsArgs) check(p *problems) {
	refuseSkip(p, a.Skip, "FlowLogs")
	if a.Identifier == "" {
		p.add("Identifier", a.Identifier, "required: names the log group")
	}
	if len(a.SubnetIDs) == 0 && a.VpcID == nil {
		p.add("SubnetIDs", "", "required: the database's subnets, or {VpcID}")
	}
	if a.WholeVpc && a.VpcID == nil {
		p.add("VpcID", "", "required with {WholeVpc}")
	}
	if a.LogsKeyArn == nil {
		p.add("LogsKeyArn", "", "required: the key that encrypts the log group")
	}
	a.FlowLogSettings.check(p, a.Waivers)
}

// check validates settings that already carry their defaults.
func (s FlowLogSettings) check(p *problems, w baseline.Waivers) {
	switch r := s.RetentionDays; {
	case !slices.Contains(logRetentionValues, r):
		p.add("RetentionDays", r, "want a CloudWatch Logs retention: %v", logRetentionValues)
	case r < baseline.MinLogRetentionDays:
		p.relax(w, "logs-retention", "RetentionDays", r, fmt.Sprintf("%d or more", baseline.MinLogRetentionDays))
	}
}

// NewFlowLogs creates the flow logs of a database's network.
func NewFlowLogs(ctx *pulumi.Context, name string, args *FlowLogsArgs, opts ...pulumi.ResourceOption) (*FlowLogs, error) {
	if args == nil {
		args = &FlowLogsArgs{}
	}
	a := *args
	a.FlowLogSettings = a.withDefaults()
	var p problems
	a.check(&p)
	if err := p.err(); err != nil {
		return nil, fmt.Errorf("hardenedpg.NewFlowLogs %q: %w", name, err)
	}
	return newFlowLogs(ctx, name, &a, awsEnv{}, opts...)
}

func newFlowLogs(ctx *pulumi.Context, name string, a *FlowLogsArgs, env awsEnv, opts ...pulumi.ResourceOption) (*FlowLogs, error) {
	c := &FlowLogs{}
	env, err := registered(ctx, FlowLogsType, name, c, env, opts...)
	if err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)
	tags := pulumi.StringMap(a.Tags)
	groupName := FlowLogGroupName(a.Identifier)
	c.LogGroup, err = cloudwatch.NewLogGroup(ctx, name+"-logs", &cloudwatch.LogGroupArgs{
		Name: pulumi.String(groupName), KmsKeyId: a.LogsKeyArn, RetentionInDays: pulumi.Int(a.RetentionDays), Tags: tags,
	}, parent, pulumi.RetainOnDelete(a.RetainOnDelete))
	if err != nil {
		return nil, err
	}
	// The service assumes the role for flow logs of this account only (the confused deputy:
	// VPC user guide, "IAM role for publishing flow logs to CloudWatch Logs").
	trust := PolicyDocument{Statement: []PolicyStatement{{
		Effect: "Allow", Principal: &Principal{Service: []string{"vpc-flow-logs.amazonaws.com"}}, Action: []string{"sts:AssumeRole"},
		Condition: map[string]map[string][]string{
			"StringEquals": {"aws:SourceAccount": {env.AccountID}},
			"ArnLike":      {"aws:SourceArn": {env.arnOf("ec2", "vpc-flow-log/*")}},
		},
	}}}.JSON()
	c.Role, err = iam.NewRole(ctx, name+"-role", &iam.RoleArgs{
		Description: pulumi.String("VPC Flow Logs delivers " + a.Identifier + "'s flow logs to " + groupName), AssumeRolePolicy: pulumi.String(trust), Tags: tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	// Only its own group: no logs:CreateLogGroup, so a deleted group is not made again by the
	// service, unencrypted and kept forever (terraform-aws-modules/terraform-aws-vpc#435 dropped it
	// for that reason); the streams need the group's ARN with :* (its #1262). DescribeLogGroups
	// lists names only.
	group := env.logGroupArn(groupName)
	policy := PolicyDocument{Statement: []PolicyStatement{
		{Sid: "WriteTheFlowLogGroup", Effect: "Allow", Action: []string{"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"}, Resource: []string{group, group + ":*"}},
		{Sid: "FindTheFlowLogGroup", Effect: "Allow", Action: []string{"logs:DescribeLogGroups"}, Resource: []string{env.logGroupArn("*")}},
	}}.JSON()
	rolePolicy, err := iam.NewRolePolicy(ctx, name+"-role-policy", &iam.RolePolicyArgs{Role: c.Role.Name, Policy: pulumi.String(policy)}, parent)
	if err != nil {
		return nil, err
	}
	flowLog := func(suffix string, target ec2.FlowLogArgs) error {
		target.TrafficType, target.LogDestinationType = pulumi.String("ALL"), pulumi.String("cloud-watch-logs")
		target.LogDestination, target.IamRoleArn, target.Tags = c.LogGroup.Arn, c.Role.Arn, tags
		// One-minute records: an investigation needs to place a connection within the minute.
		target.MaxAggregationInterval = pulumi.Int(60)
		fl, err := ec2.NewFlowLog(ctx, name+"-"+suffix, &target, parent, pulumi.DependsOn([]pulumi.Resource{rolePolicy}))
		if err != nil {
			return err
		}
		c.FlowLogs = append(c.FlowLogs, fl)
		return nil
	}
	if a.WholeVpc || len(a.SubnetIDs) == 0 {
		if err := flowLog("vpc", ec2.FlowLogArgs{VpcId: a.VpcID}); err != nil {
			return nil, err
		}
	} else {
		for _, subnet := range a.SubnetIDs {
			if err := flowLog(subnet, ec2.FlowLogArgs{SubnetId: pulumi.String(subnet)}); err != nil {
				return nil, err
			}
		}
	}
	c.LogGroupName = c.LogGroup.Name
	if err := registerOutputs(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}
