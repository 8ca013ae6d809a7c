package awstest

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	backuptypes "github.com/aws/aws-sdk-go-v2/service/backup/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/audit"
)

// Skipped are the plan's resource types moto cannot create, with the reason: the controls they
// feed are unproven against moto (the audit's failed reads say so), and the tests list them.
var Skipped = map[string]string{
	baseline.TypeBackupSelection:                              "moto 5 has no CreateBackupSelection (nor ListBackupSelections)",
	baseline.TypeBackupReplication:                            "moto 5 has no StartDBInstanceAutomatedBackupsReplication",
	baseline.TypeRandomID:                                     "not an AWS resource: the final snapshot name's suffix",
	"aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": "moto 5 has no ModifyDBProxyTargetGroup; the pool settings feed no control",
	"pulumi:providers:aws":                                    "a provider, not a resource",
}

// MotoCannot are the controls moto 5 cannot represent on the prod shape (a plan made by Create), with the reason; every
// other control passes, or is one AWS keeps no state for (audit.NotKept).
var MotoCannot = map[string]string{
	"rds-enhanced-monitoring":  "moto's DescribeDBInstances returns no MonitoringInterval or MonitoringRoleArn",
	"rds-no-extended-support":  "moto's DescribeDBInstances returns no EngineLifecycleSupport",
	"rds-performance-insights": "moto's DescribeDBInstances returns no PerformanceInsightsEnabled",
	"sg-descriptions":          "moto's DescribeSecurityGroupRules drops the description of a rule that references a group",
	"backup-plan":              "moto has no ListBackupSelections: which plan covers the instance is not read",
	"backup-independent-copy":  "moto has no ListBackupSelections, nor StartDBInstanceAutomatedBackupsReplication",
	"rds-tags":                 "moto has no ListBackupSelections: the backup role, which carries tags, is not read",
	"iam-no-kms-star":          "moto has no ListBackupSelections: the backup role's policies are not read",
	"iam-scoped-writes":        "moto has no ListBackupSelections: the backup role's policies are not read",
	"iam-managed-policies":     "moto has no ListBackupSelections: the backup role's attachments are not read",
	"iam-trust-scoped":         "moto has no ListBackupSelections: the backup role's trust is not read",
	"iam-no-sensitive-reads":   "moto has no ListBackupSelections: the backup role's policies are not read",
}

// Shape is a plan created in the server: every value the plan's mock made up (IDs, ARNs,
// auto-names) with the value AWS gave instead.
type Shape struct {
	Live map[string]string
	// Created maps a plan resource's URN to its live ARN or ID.
	Created map[string]string
}

// creationOrder puts what a resource refers to before it.
var creationOrder = []string{
	baseline.TypeKey, baseline.TypeKeyAlias, baseline.TypeSecret, baseline.TypeRole, baseline.TypeRolePolicy, baseline.TypeRolePolicyAttach, baseline.TypeKeyGrant,
	baseline.TypeSecurityGroup, baseline.TypeIngressRule, baseline.TypeEgressRule, baseline.TypeSubnetGroup, baseline.TypeParameterGroup,
	baseline.TypeClusterParameters, baseline.TypeLogGroup, baseline.TypeTopic, baseline.TypeTopicPolicy, baseline.TypeTopicSubscription,
	baseline.TypeInstance, baseline.TypeCluster, baseline.TypeClusterInstance,
	baseline.TypeLogMetricFilter, baseline.TypeSubscriptionFilter, baseline.TypeMetricAlarm, baseline.TypeEventSubscription,
	baseline.TypeEventRule, baseline.TypeEventTarget, baseline.TypeProxy, "aws:rds/proxyTarget:ProxyTarget",
	baseline.TypeBackupVault, baseline.TypeBackupVaultLock, baseline.TypeBackupPlan, baseline.TypeFlowLog,
}

// Create makes the plan's resources in the server from their recorded inputs, and the network the
// plan looked up (the VPC, its private subnets and the clients' security group).
func Create(t testing.TB, ctx context.Context, cfg aws.Config, g *baseline.Graph) *Shape {
	t.Helper()
	c := &creator{t: t, ctx: ctx, cfg: cfg, shape: &Shape{Live: map[string]string{}, Created: map[string]string{}}}
	c.network(g)
	c.trail()
	var todo []baseline.Resource
	for _, r := range g.Resources {
		if !r.Custom {
			continue
		}
		if _, skip := Skipped[r.Type]; skip {
			continue
		}
		if !slices.Contains(creationOrder, r.Type) {
			t.Fatalf("awstest: the plan has a %s (%s) that Create does not make: add it, or to Skipped with the reason", r.Type, r.Name)
		}
		todo = append(todo, r)
	}
	sort.SliceStable(todo, func(i, j int) bool {
		return slices.Index(creationOrder, todo[i].Type) < slices.Index(creationOrder, todo[j].Type)
	})
	for _, r := range todo {
		if r.Type != baseline.TypeSecurityGroup {
			c.inlineRules()
		}
		c.create(r)
	}
	return c.shape
}

type creator struct {
	// inline are the groups' inline rules, made once every group exists (they name each other).
	inline []inlineRule
	t      testing.TB
	ctx    context.Context
	cfg    aws.Config
	shape  *Shape
}

func (c *creator) must(what string, err error) {
	c.t.Helper()
	if err != nil {
		c.t.Fatalf("awstest: %s: %v", what, err)
	}
}

// learn records that the mock's value stands for the live one.
func (c *creator) learn(mock, live string) {
	if mock != "" && live != "" && mock != live && mock != baseline.Unknown {
		c.shape.Live[mock] = live
	}
}

// live rewrites every made-up value inside v (a string, a JSON document, a list or a map) to the
// live one; longer values first, so an ARN is rewritten whole before the ID inside it.
func (c *creator) live(v any) any {
	switch v := v.(type) {
	case string:
		mocks := slices.Collect(maps.Keys(c.shape.Live))
		sort.Slice(mocks, func(i, j int) bool { return len(mocks[i]) > len(mocks[j]) })
		for _, m := range mocks {
			v = strings.ReplaceAll(v, m, c.shape.Live[m])
		}
		return v
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = c.live(e)
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for k, e := range v {
			out[k] = c.live(e)
		}
		return out
	}
	return v
}

func (c *creator) str(in map[string]any, key string) string {
	s, _ := c.live(in[key]).(string)
	return s
}

func (c *creator) strs(in map[string]any, key string) []string {
	return baseline.Strings(c.live(in[key]))
}

// liveEngineVersion is the version AWS runs for a requested one: given only a major, RDS picks
// that major's default minor ("If you specify only a major version, Amazon RDS updates the DB
// instance to the default minor version", ModifyDBInstance EngineVersion), and reports it whole.
// moto keeps what it was given; the stand-in's minor is .4.
func liveEngineVersion(v *string) *string {
	if v == nil || strings.Contains(*v, ".") {
		return v
	}
	return aws.String(*v + ".4")
}

func (c *creator) ptr(in map[string]any, key string) *string {
	if s := c.str(in, key); s != "" {
		return aws.String(s)
	}
	return nil
}

func num32(in map[string]any, key string) *int32 {
	if f, ok := in[key].(float64); ok {
		return aws.Int32(int32(f))
	}
	return nil
}

func num64(in map[string]any, key string) *int64 {
	if f, ok := in[key].(float64); ok {
		return aws.Int64(int64(f))
	}
	return nil
}

func flag(in map[string]any, key string) *bool {
	if b, ok := in[key].(bool); ok {
		return aws.Bool(b)
	}
	return nil
}

func tagMap(in map[string]any) map[string]string {
	out := map[string]string{}
	tags, _ := in["tags"].(map[string]any)
	for k, v := range tags {
		out[k], _ = v.(string)
	}
	return out
}

func sortedTags[T any](in map[string]any, mk func(k, v string) T) []T {
	tags := tagMap(in)
	var out []T
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, mk(k, tags[k]))
	}
	return out
}

func out(r baseline.Resource, key string) string {
	s, _ := r.Outputs[key].(string)
	return s
}

// nameOf is the name the mock gave a resource: its name output, the last part of its ARN, or its
// resource name.
func nameOf(r baseline.Resource) string {
	if n := out(r, "name"); n != "" {
		return n
	}
	if arn := out(r, "arn"); arn != "" {
		parts := strings.FieldsFunc(arn, func(c rune) bool { return c == ':' || c == '/' })
		return parts[len(parts)-1]
	}
	return r.Name
}

// network makes the VPC, subnets and clients' group the plan names but does not create: those
// its look-ups answered. The subnets' route table has only the local route: they are private.
func (c *creator) network(g *baseline.Graph) {
	e := ec2.NewFromConfig(c.cfg)
	ownGroups := map[string]bool{}
	var vpc string
	var subnets, clients []string
	for _, r := range g.Resources {
		switch r.Type {
		case baseline.TypeSecurityGroup:
			ownGroups[r.ID] = true
			vpc = baseline.Strings(r.Inputs["vpcId"])[0]
		case baseline.TypeSubnetGroup:
			subnets = baseline.Strings(r.Inputs["subnetIds"])
		}
	}
	for _, r := range g.Resources {
		if r.Type != baseline.TypeIngressRule {
			continue
		}
		if ref, _ := r.Inputs["referencedSecurityGroupId"].(string); ref != "" && !ownGroups[ref] && !slices.Contains(clients, ref) {
			clients = append(clients, ref)
		}
	}
	v, err := e.CreateVpc(c.ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.20.0.0/16")})
	c.must("CreateVpc", err)
	c.learn(vpc, aws.ToString(v.Vpc.VpcId))
	table, err := e.CreateRouteTable(c.ctx, &ec2.CreateRouteTableInput{VpcId: v.Vpc.VpcId})
	c.must("CreateRouteTable", err)
	for i, sn := range subnets {
		s, err := e.CreateSubnet(c.ctx, &ec2.CreateSubnetInput{VpcId: v.Vpc.VpcId, CidrBlock: aws.String(fmt.Sprintf("10.20.%d.0/24", i+1)),
			AvailabilityZone: aws.String(fmt.Sprintf("%s%c", Region, 'a'+i%3))})
		c.must("CreateSubnet", err)
		_, err = e.AssociateRouteTable(c.ctx, &ec2.AssociateRouteTableInput{RouteTableId: table.RouteTable.RouteTableId, SubnetId: s.Subnet.SubnetId})
		c.must("AssociateRouteTable", err)
		c.learn(sn, aws.ToString(s.Subnet.SubnetId))
	}
	var destinations []string
	for _, r := range g.Resources {
		if d := str(r.Inputs, "destinationArn"); r.Type == baseline.TypeSubscriptionFilter && !slices.Contains(destinations, d) {
			destinations = append(destinations, d)
			c.destination(d)
		}
	}
	for _, r := range g.Resources {
		if r.Type == baseline.TypeProxy {
			c.proxySecrets(g, r)
		}
	}
	for _, id := range clients {
		sg, err := e.CreateSecurityGroup(c.ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("clients-" + id), Description: aws.String("the application's clients"), VpcId: v.Vpc.VpcId})
		c.must("CreateSecurityGroup (clients)", err)
		c.learn(id, aws.ToString(sg.GroupId))
	}
}

// destination makes the log destination of another account a subscription filter names: moto
// models a destination as a log group of that account, named by the destination's name.
func (c *creator) destination(arn string) {
	account := baseline.ArnField(arn, 4)
	if account == "" || account == Account {
		return
	}
	creds, err := sts.NewFromConfig(c.cfg).AssumeRole(c.ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + account + ":role/audit-destination"), RoleSessionName: aws.String("awstest")})
	c.must("AssumeRole into "+account, err)
	other := c.cfg.Copy()
	other.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(creds.Credentials.AccessKeyId), aws.ToString(creds.Credentials.SecretAccessKey), aws.ToString(creds.Credentials.SessionToken))
	name := arn[strings.LastIndex(arn, ":")+1:]
	_, err = cloudwatchlogs.NewFromConfig(other).CreateLogGroup(c.ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name)})
	if exists := (*logstypes.ResourceAlreadyExistsException)(nil); errors.As(err, &exists) {
		return // another shape in the server ships to the same destination
	}
	c.must("CreateLogGroup (the destination "+arn+")", err)
}

func (c *creator) create(r baseline.Resource) {
	in := r.Inputs
	ctx := c.ctx
	created := ""
	switch r.Type {
	case baseline.TypeKey:
		k := kms.NewFromConfig(c.cfg)
		key, err := k.CreateKey(ctx, &kms.CreateKeyInput{Description: c.ptr(in, "description"), KeyUsage: kmstypes.KeyUsageType(c.str(in, "keyUsage")),
			KeySpec: kmstypes.KeySpec(c.str(in, "customerMasterKeySpec")), Policy: c.ptr(in, "policy"), MultiRegion: flag(in, "multiRegion"),
			Tags: sortedTags(in, func(k, v string) kmstypes.Tag { return kmstypes.Tag{TagKey: aws.String(k), TagValue: aws.String(v)} })})
		c.must("CreateKey "+r.Name, err)
		created = aws.ToString(key.KeyMetadata.Arn)
		c.learn(out(r, "arn"), created)
		c.learn(out(r, "keyId"), aws.ToString(key.KeyMetadata.KeyId))
		c.learn(r.ID, aws.ToString(key.KeyMetadata.KeyId))
		if in["enableKeyRotation"] == true {
			_, err = k.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: key.KeyMetadata.KeyId})
			c.must("EnableKeyRotation "+r.Name, err)
		}
	case baseline.TypeKeyAlias:
		_, err := kms.NewFromConfig(c.cfg).CreateAlias(ctx, &kms.CreateAliasInput{AliasName: c.ptr(in, "name"), TargetKeyId: c.ptr(in, "targetKeyId")})
		c.must("CreateAlias "+r.Name, err)
		created = c.str(in, "name")
	case baseline.TypeRole:
		name := nameOf(r)
		role, err := iam.NewFromConfig(c.cfg).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: c.ptr(in, "assumeRolePolicy"),
			Description: c.ptr(in, "description"), Tags: sortedTags(in, func(k, v string) iamtypes.Tag { return iamtypes.Tag{Key: aws.String(k), Value: aws.String(v)} })})
		c.must("CreateRole "+r.Name, err)
		created = aws.ToString(role.Role.Arn)
		c.learn(out(r, "arn"), created)
	case baseline.TypeSecret:
		// The stack's own secret (a proxy user's); its value is put after the up, not by the stack.
		secret, err := secretsmanager.NewFromConfig(c.cfg).CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: c.ptr(in, "name"),
			KmsKeyId: c.ptr(in, "kmsKeyId"), Description: c.ptr(in, "description"),
			Tags: sortedTags(in, func(k, v string) smtypes.Tag { return smtypes.Tag{Key: aws.String(k), Value: aws.String(v)} })})
		c.must("CreateSecret "+r.Name, err)
		created = aws.ToString(secret.ARN)
		c.learn(out(r, "arn"), created)
		c.learn(r.ID, created)
	case baseline.TypeRolePolicy:
		_, err := iam.NewFromConfig(c.cfg).PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: c.ptr(in, "role"), PolicyName: aws.String(r.Name), PolicyDocument: c.ptr(in, "policy")})
		c.must("PutRolePolicy "+r.Name, err)
		created = r.Name
	case baseline.TypeRolePolicyAttach:
		_, err := iam.NewFromConfig(c.cfg).AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: c.ptr(in, "role"), PolicyArn: c.ptr(in, "policyArn")})
		c.must("AttachRolePolicy "+r.Name, err)
		created = c.str(in, "policyArn")
	case baseline.TypeKeyGrant:
		var constraints *kmstypes.GrantConstraints
		items, _ := c.live(in["constraints"]).([]any)
		for _, item := range items {
			m, _ := item.(map[string]any)
			constraints = &kmstypes.GrantConstraints{EncryptionContextEquals: stringsOf(m["encryptionContextEquals"]), EncryptionContextSubset: stringsOf(m["encryptionContextSubset"])}
		}
		var ops []kmstypes.GrantOperation
		for _, op := range c.strs(in, "operations") {
			ops = append(ops, kmstypes.GrantOperation(op))
		}
		grant, err := kms.NewFromConfig(c.cfg).CreateGrant(ctx, &kms.CreateGrantInput{KeyId: c.ptr(in, "keyId"), GranteePrincipal: c.ptr(in, "granteePrincipal"),
			Operations: ops, Constraints: constraints})
		c.must("CreateGrant "+r.Name, err)
		created = aws.ToString(grant.GrantId)
	case baseline.TypeSecurityGroup:
		created = c.securityGroup(r)
	case baseline.TypeIngressRule, baseline.TypeEgressRule:
		created = c.rule(r)
	case baseline.TypeSubnetGroup:
		name := nameOf(r)
		_, err := rds.NewFromConfig(c.cfg).CreateDBSubnetGroup(ctx, &rds.CreateDBSubnetGroupInput{DBSubnetGroupName: aws.String(name), DBSubnetGroupDescription: c.ptr(in, "description"),
			SubnetIds: c.strs(in, "subnetIds"), Tags: rdsTags(in)})
		c.must("CreateDBSubnetGroup "+r.Name, err)
		created = name
	case baseline.TypeParameterGroup:
		created = c.parameterGroup(r)
	case baseline.TypeClusterParameters:
		created = c.clusterParameterGroup(r)
	case baseline.TypeCluster:
		created = c.cluster(r)
	case baseline.TypeClusterInstance:
		created = c.clusterInstance(r)
	case baseline.TypeLogGroup:
		l := cloudwatchlogs.NewFromConfig(c.cfg)
		name := c.str(in, "name")
		_, err := l.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name), KmsKeyId: c.ptr(in, "kmsKeyId"), Tags: tagMap(in)})
		c.must("CreateLogGroup "+r.Name, err)
		if days := num32(in, "retentionInDays"); days != nil {
			_, err = l.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(name), RetentionInDays: days})
			c.must("PutRetentionPolicy "+r.Name, err)
		}
		created = name
	case baseline.TypeLogMetricFilter:
		t, _ := in["metricTransformation"].(map[string]any)
		mt := logstypes.MetricTransformation{MetricName: c.ptr(t, "name"), MetricNamespace: c.ptr(t, "namespace"), MetricValue: c.ptr(t, "value")}
		if d, ok := t["defaultValue"].(string); ok {
			var f float64
			_, _ = fmt.Sscan(d, &f)
			mt.DefaultValue = aws.Float64(f)
		}
		_, err := cloudwatchlogs.NewFromConfig(c.cfg).PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{FilterName: aws.String(r.Name), LogGroupName: c.ptr(in, "logGroupName"),
			FilterPattern: aws.String(c.str(in, "pattern")), MetricTransformations: []logstypes.MetricTransformation{mt}})
		c.must("PutMetricFilter "+r.Name, err)
		created = r.Name
	case baseline.TypeSubscriptionFilter:
		_, err := cloudwatchlogs.NewFromConfig(c.cfg).PutSubscriptionFilter(ctx, &cloudwatchlogs.PutSubscriptionFilterInput{FilterName: c.ptr(in, "name"), LogGroupName: c.ptr(in, "logGroup"),
			DestinationArn: c.ptr(in, "destinationArn"), FilterPattern: aws.String(c.str(in, "filterPattern")), RoleArn: c.ptr(in, "roleArn")})
		c.must("PutSubscriptionFilter "+r.Name, err)
		created = c.str(in, "name")
	case baseline.TypeTopic:
		s := sns.NewFromConfig(c.cfg)
		attrs := map[string]string{}
		for k, attr := range map[string]string{"displayName": "DisplayName", "kmsMasterKeyId": "KmsMasterKeyId"} {
			if v := c.str(in, k); v != "" {
				attrs[attr] = v
			}
		}
		topic, err := s.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(nameOf(r)), Attributes: attrs,
			Tags: sortedTags(in, func(k, v string) snstypes.Tag { return snstypes.Tag{Key: aws.String(k), Value: aws.String(v)} })})
		c.must("CreateTopic "+r.Name, err)
		created = aws.ToString(topic.TopicArn)
		c.learn(out(r, "arn"), created)
	case baseline.TypeTopicPolicy:
		_, err := sns.NewFromConfig(c.cfg).SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: c.ptr(in, "arn"), AttributeName: aws.String("Policy"), AttributeValue: c.ptr(in, "policy")})
		c.must("SetTopicAttributes Policy "+r.Name, err)
		created = c.str(in, "arn") + "#policy"
	case baseline.TypeTopicSubscription:
		sub, err := sns.NewFromConfig(c.cfg).Subscribe(ctx, &sns.SubscribeInput{TopicArn: c.ptr(in, "topic"), Protocol: c.ptr(in, "protocol"), Endpoint: c.ptr(in, "endpoint"), ReturnSubscriptionArn: true})
		c.must("Subscribe "+r.Name, err)
		created = aws.ToString(sub.SubscriptionArn)
	case baseline.TypeInstance:
		created = c.instance(r)
	case baseline.TypeMetricAlarm:
		created = c.alarm(r)
	case baseline.TypeEventSubscription:
		name := nameOf(r)
		sub, err := rds.NewFromConfig(c.cfg).CreateEventSubscription(ctx, &rds.CreateEventSubscriptionInput{SubscriptionName: aws.String(name), SnsTopicArn: c.ptr(in, "snsTopic"),
			SourceType: c.ptr(in, "sourceType"), SourceIds: c.strs(in, "sourceIds"), EventCategories: c.strs(in, "eventCategories"), Enabled: flag(in, "enabled"), Tags: rdsTags(in)})
		c.must("CreateEventSubscription "+r.Name, err)
		created = aws.ToString(sub.EventSubscription.EventSubscriptionArn)
	case baseline.TypeEventRule:
		e := eventbridge.NewFromConfig(c.cfg)
		name := nameOf(r)
		rule, err := e.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(name), Description: c.ptr(in, "description"), EventPattern: c.ptr(in, "eventPattern"),
			Tags: sortedTags(in, func(k, v string) ebtypes.Tag { return ebtypes.Tag{Key: aws.String(k), Value: aws.String(v)} })})
		c.must("PutRule "+r.Name, err)
		created = aws.ToString(rule.RuleArn)
		c.learn(out(r, "arn"), created)
	case baseline.TypeEventTarget:
		id := c.str(in, "targetId")
		if id == "" {
			id = r.Name
		}
		_, err := eventbridge.NewFromConfig(c.cfg).PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: c.ptr(in, "rule"), Targets: []ebtypes.Target{{Id: aws.String(id), Arn: c.ptr(in, "arn"), RoleArn: c.ptr(in, "roleArn")}}})
		c.must("PutTargets "+r.Name, err)
		created = id
	case baseline.TypeProxy:
		created = c.proxy(r)
	case baseline.TypeFlowLog:
		target, kind := c.str(in, "subnetId"), ec2types.FlowLogsResourceTypeSubnet
		if target == "" {
			target, kind = c.str(in, "vpcId"), ec2types.FlowLogsResourceTypeVpc
		}
		group := c.str(in, "logDestination")
		fl, err := ec2.NewFromConfig(c.cfg).CreateFlowLogs(ctx, &ec2.CreateFlowLogsInput{ResourceIds: []string{target}, ResourceType: kind,
			TrafficType: ec2types.TrafficType(c.str(in, "trafficType")), LogDestinationType: ec2types.LogDestinationType(c.str(in, "logDestinationType")),
			LogGroupName: aws.String(group[strings.LastIndex(group, ":log-group:")+len(":log-group:"):]), DeliverLogsPermissionArn: c.ptr(in, "iamRoleArn"),
			MaxAggregationInterval: num32(in, "maxAggregationInterval")})
		c.must("CreateFlowLogs "+r.Name, err)
		if len(fl.FlowLogIds) == 0 {
			c.t.Fatalf("awstest: CreateFlowLogs %s made none: %v", r.Name, fl.Unsuccessful)
		}
		created = fl.FlowLogIds[0]
	case "aws:rds/proxyTarget:ProxyTarget":
		_, err := rds.NewFromConfig(c.cfg).RegisterDBProxyTargets(ctx, &rds.RegisterDBProxyTargetsInput{DBProxyName: c.ptr(in, "dbProxyName"), TargetGroupName: c.ptr(in, "targetGroupName"),
			DBInstanceIdentifiers: c.strs(in, "dbInstanceIdentifier"), DBClusterIdentifiers: c.strs(in, "dbClusterIdentifier")})
		c.must("RegisterDBProxyTargets "+r.Name, err)
		created = c.str(in, "dbProxyName") + "/" + c.str(in, "dbInstanceIdentifier") + c.str(in, "dbClusterIdentifier")
	case baseline.TypeBackupVault:
		v, err := backup.NewFromConfig(c.cfg).CreateBackupVault(ctx, &backup.CreateBackupVaultInput{BackupVaultName: c.ptr(in, "name"), EncryptionKeyArn: c.ptr(in, "kmsKeyArn"), BackupVaultTags: tagMap(in)})
		c.must("CreateBackupVault "+r.Name, err)
		created = aws.ToString(v.BackupVaultArn)
		c.learn(out(r, "arn"), created)
	case baseline.TypeBackupVaultLock:
		_, err := backup.NewFromConfig(c.cfg).PutBackupVaultLockConfiguration(ctx, &backup.PutBackupVaultLockConfigurationInput{BackupVaultName: c.ptr(in, "backupVaultName"),
			ChangeableForDays: num64(in, "changeableForDays"), MinRetentionDays: num64(in, "minRetentionDays"), MaxRetentionDays: num64(in, "maxRetentionDays")})
		c.must("PutBackupVaultLockConfiguration "+r.Name, err)
		created = c.str(in, "backupVaultName") + "#lock"
	case baseline.TypeBackupPlan:
		created = c.backupPlan(r)
	}
	c.shape.Created[r.URN] = created
}

func rdsTags(in map[string]any) []rdstypes.Tag {
	return sortedTags(in, func(k, v string) rdstypes.Tag { return rdstypes.Tag{Key: aws.String(k), Value: aws.String(v)} })
}

func (c *creator) securityGroup(r baseline.Resource) string {
	e := ec2.NewFromConfig(c.cfg)
	in := r.Inputs
	name := nameOf(r)
	sg, err := e.CreateSecurityGroup(c.ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: c.ptr(in, "description"), VpcId: c.ptr(in, "vpcId"),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSecurityGroup,
			Tags: sortedTags(in, func(k, v string) ec2types.Tag { return ec2types.Tag{Key: aws.String(k), Value: aws.String(v)} })}}})
	c.must("CreateSecurityGroup "+r.Name, err)
	id := aws.ToString(sg.GroupId)
	c.learn(r.ID, id)
	// As the provider does: AWS's default allow-all egress goes, and only the inline rules stay.
	_, err = e.RevokeSecurityGroupEgress(c.ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: aws.String(id),
		IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("-1"), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}})
	c.must("RevokeSecurityGroupEgress (default) "+r.Name, err)
	for _, key := range []string{"egress", "ingress"} {
		items, _ := in[key].([]any)
		for _, it := range items {
			m, _ := it.(map[string]any)
			c.inline = append(c.inline, inlineRule{group: id, name: r.Name, egress: key == "egress", rule: m})
		}
	}
	return id
}

type inlineRule struct {
	group, name string
	egress      bool
	rule        map[string]any
}

func (c *creator) inlineRules() {
	e := ec2.NewFromConfig(c.cfg)
	for _, item := range c.inline {
		rule, _ := c.live(item.rule).(map[string]any)
		perm := ec2types.IpPermission{IpProtocol: aws.String(str(rule, "protocol")), FromPort: num32(rule, "fromPort"), ToPort: num32(rule, "toPort")}
		for _, g := range baseline.Strings(rule["securityGroups"]) {
			perm.UserIdGroupPairs = append(perm.UserIdGroupPairs, ec2types.UserIdGroupPair{GroupId: aws.String(g), Description: aws.String(str(rule, "description"))})
		}
		for _, cidr := range baseline.Strings(rule["cidrBlocks"]) {
			perm.IpRanges = append(perm.IpRanges, ec2types.IpRange{CidrIp: aws.String(cidr), Description: aws.String(str(rule, "description"))})
		}
		var err error
		if item.egress {
			_, err = e.AuthorizeSecurityGroupEgress(c.ctx, &ec2.AuthorizeSecurityGroupEgressInput{GroupId: aws.String(item.group), IpPermissions: []ec2types.IpPermission{perm}})
		} else {
			_, err = e.AuthorizeSecurityGroupIngress(c.ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(item.group), IpPermissions: []ec2types.IpPermission{perm}})
		}
		c.must("inline rule of "+item.name, err)
	}
	c.inline = nil
}

// stringsOf is a map of strings from a recorded map.
func stringsOf(v any) map[string]string {
	m, _ := v.(map[string]any)
	if len(m) == 0 {
		return nil
	}
	out := map[string]string{}
	for k, e := range m {
		out[k], _ = e.(string)
	}
	return out
}

func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

func (c *creator) rule(r baseline.Resource) string {
	e := ec2.NewFromConfig(c.cfg)
	in := r.Inputs
	perm := ec2types.IpPermission{IpProtocol: c.ptr(in, "ipProtocol"), FromPort: num32(in, "fromPort"), ToPort: num32(in, "toPort")}
	desc := c.ptr(in, "description")
	if ref := c.str(in, "referencedSecurityGroupId"); ref != "" {
		perm.UserIdGroupPairs = []ec2types.UserIdGroupPair{{GroupId: aws.String(ref), Description: desc}}
	}
	if cidr := c.str(in, "cidrIpv4"); cidr != "" {
		perm.IpRanges = []ec2types.IpRange{{CidrIp: aws.String(cidr), Description: desc}}
	}
	if cidr := c.str(in, "cidrIpv6"); cidr != "" {
		perm.Ipv6Ranges = []ec2types.Ipv6Range{{CidrIpv6: aws.String(cidr), Description: desc}}
	}
	tags := []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSecurityGroupRule,
		Tags: sortedTags(in, func(k, v string) ec2types.Tag { return ec2types.Tag{Key: aws.String(k), Value: aws.String(v)} })}}
	group := c.ptr(in, "securityGroupId")
	if r.Type == baseline.TypeEgressRule {
		res, err := e.AuthorizeSecurityGroupEgress(c.ctx, &ec2.AuthorizeSecurityGroupEgressInput{GroupId: group, IpPermissions: []ec2types.IpPermission{perm}, TagSpecifications: tags})
		c.must("AuthorizeSecurityGroupEgress "+r.Name, err)
		return ruleID(res.SecurityGroupRules)
	}
	res, err := e.AuthorizeSecurityGroupIngress(c.ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: group, IpPermissions: []ec2types.IpPermission{perm}, TagSpecifications: tags})
	c.must("AuthorizeSecurityGroupIngress "+r.Name, err)
	return ruleID(res.SecurityGroupRules)
}

func ruleID(rules []ec2types.SecurityGroupRule) string {
	if len(rules) == 0 {
		return ""
	}
	return aws.ToString(rules[0].SecurityGroupRuleId)
}

func (c *creator) parameterGroup(r baseline.Resource) string {
	client := rds.NewFromConfig(c.cfg)
	in := r.Inputs
	name := nameOf(r)
	_, err := client.CreateDBParameterGroup(c.ctx, &rds.CreateDBParameterGroupInput{DBParameterGroupName: aws.String(name), DBParameterGroupFamily: c.ptr(in, "family"),
		Description: c.ptr(in, "description"), Tags: rdsTags(in)})
	c.must("CreateDBParameterGroup "+r.Name, err)
	for _, batch := range c.parameterBatches(in) {
		_, err := client.ModifyDBParameterGroup(c.ctx, &rds.ModifyDBParameterGroupInput{DBParameterGroupName: aws.String(name), Parameters: batch})
		c.must("ModifyDBParameterGroup "+r.Name, err)
	}
	return name
}

func (c *creator) clusterParameterGroup(r baseline.Resource) string {
	client := rds.NewFromConfig(c.cfg)
	in := r.Inputs
	name := nameOf(r)
	_, err := client.CreateDBClusterParameterGroup(c.ctx, &rds.CreateDBClusterParameterGroupInput{DBClusterParameterGroupName: aws.String(name), DBParameterGroupFamily: c.ptr(in, "family"),
		Description: c.ptr(in, "description"), Tags: rdsTags(in)})
	c.must("CreateDBClusterParameterGroup "+r.Name, err)
	for _, batch := range c.parameterBatches(in) {
		_, err := client.ModifyDBClusterParameterGroup(c.ctx, &rds.ModifyDBClusterParameterGroupInput{DBClusterParameterGroupName: aws.String(name), Parameters: batch})
		c.must("ModifyDBClusterParameterGroup "+r.Name, err)
	}
	return name
}

// parameterBatches splits a group's parameters in calls of 20: the most a Modify*ParameterGroup
// call takes.
func (c *creator) parameterBatches(in map[string]any) [][]rdstypes.Parameter {
	var batches [][]rdstypes.Parameter
	for params := c.parameters(in); len(params) > 0; {
		batch := params[:min(20, len(params))]
		params = params[len(batch):]
		batches = append(batches, batch)
	}
	return batches
}

func (c *creator) parameters(in map[string]any) []rdstypes.Parameter {
	var params []rdstypes.Parameter
	for _, p := range items(c.live(in).(map[string]any), "parameters") {
		pm, _ := p.(map[string]any)
		params = append(params, rdstypes.Parameter{ParameterName: aws.String(str(pm, "name")), ParameterValue: aws.String(str(pm, "value")),
			ApplyMethod: rdstypes.ApplyMethod(str(pm, "applyMethod"))})
	}
	return params
}

func (c *creator) cluster(r baseline.Resource) string {
	in := r.Inputs
	cl, err := rds.NewFromConfig(c.cfg).CreateDBCluster(c.ctx, &rds.CreateDBClusterInput{
		DBClusterIdentifier: c.ptr(in, "clusterIdentifier"), Engine: c.ptr(in, "engine"), EngineVersion: liveEngineVersion(c.ptr(in, "engineVersion")), EngineMode: c.ptr(in, "engineMode"),
		StorageEncrypted: flag(in, "storageEncrypted"), KmsKeyId: c.ptr(in, "kmsKeyId"), DBSubnetGroupName: c.ptr(in, "dbSubnetGroupName"),
		VpcSecurityGroupIds: c.strs(in, "vpcSecurityGroupIds"), DBClusterParameterGroupName: c.ptr(in, "dbClusterParameterGroupName"),
		BackupRetentionPeriod: num32(in, "backupRetentionPeriod"), PreferredBackupWindow: c.ptr(in, "preferredBackupWindow"),
		PreferredMaintenanceWindow: c.ptr(in, "preferredMaintenanceWindow"), CopyTagsToSnapshot: flag(in, "copyTagsToSnapshot"), Port: num32(in, "port"),
		MasterUsername: c.ptr(in, "masterUsername"), EnableIAMDatabaseAuthentication: flag(in, "iamDatabaseAuthenticationEnabled"),
		DeletionProtection: flag(in, "deletionProtection"), EnableCloudwatchLogsExports: c.strs(in, "enabledCloudwatchLogsExports"),
		EngineLifecycleSupport: c.ptr(in, "engineLifecycleSupport"), ManageMasterUserPassword: flag(in, "manageMasterUserPassword"),
		MasterUserSecretKmsKeyId: c.ptr(in, "masterUserSecretKmsKeyId"), Tags: rdsTags(in),
	})
	c.must("CreateDBCluster "+r.Name, err)
	c.rotateLikeRDS(cl.DBCluster.MasterUserSecret)
	arn := aws.ToString(cl.DBCluster.DBClusterArn)
	c.learn(out(r, "arn"), arn)
	return arn
}

func (c *creator) clusterInstance(r baseline.Resource) string {
	in := r.Inputs
	db, err := rds.NewFromConfig(c.cfg).CreateDBInstance(c.ctx, &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: c.ptr(in, "identifier"), DBClusterIdentifier: c.ptr(in, "clusterIdentifier"), Engine: c.ptr(in, "engine"),
		DBInstanceClass: c.ptr(in, "instanceClass"), PubliclyAccessible: flag(in, "publiclyAccessible"), AvailabilityZone: c.ptr(in, "availabilityZone"),
		AutoMinorVersionUpgrade: flag(in, "autoMinorVersionUpgrade"), CACertificateIdentifier: c.ptr(in, "caCertIdentifier"),
		DBParameterGroupName: c.ptr(in, "dbParameterGroupName"), DBSubnetGroupName: c.ptr(in, "dbSubnetGroupName"),
		MonitoringInterval: num32(in, "monitoringInterval"), MonitoringRoleArn: c.ptr(in, "monitoringRoleArn"),
		EnablePerformanceInsights: flag(in, "performanceInsightsEnabled"), PerformanceInsightsKMSKeyId: c.ptr(in, "performanceInsightsKmsKeyId"),
		PerformanceInsightsRetentionPeriod: num32(in, "performanceInsightsRetentionPeriod"), PreferredMaintenanceWindow: c.ptr(in, "preferredMaintenanceWindow"),
		CopyTagsToSnapshot: flag(in, "copyTagsToSnapshot"), Tags: rdsTags(in),
	})
	c.must("CreateDBInstance (cluster) "+r.Name, err)
	arn := aws.ToString(db.DBInstance.DBInstanceArn)
	c.learn(out(r, "arn"), arn)
	return arn
}

func (c *creator) instance(r baseline.Resource) string {
	in := r.Inputs
	db, err := rds.NewFromConfig(c.cfg).CreateDBInstance(c.ctx, &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: c.ptr(in, "identifier"), Engine: c.ptr(in, "engine"), EngineVersion: liveEngineVersion(c.ptr(in, "engineVersion")),
		DBInstanceClass: c.ptr(in, "instanceClass"), AllocatedStorage: num32(in, "allocatedStorage"), MaxAllocatedStorage: num32(in, "maxAllocatedStorage"),
		StorageType: c.ptr(in, "storageType"), StorageEncrypted: flag(in, "storageEncrypted"), KmsKeyId: c.ptr(in, "kmsKeyId"),
		PubliclyAccessible: flag(in, "publiclyAccessible"), MultiAZ: flag(in, "multiAz"), DBSubnetGroupName: c.ptr(in, "dbSubnetGroupName"),
		VpcSecurityGroupIds: c.strs(in, "vpcSecurityGroupIds"), DBParameterGroupName: c.ptr(in, "parameterGroupName"),
		BackupRetentionPeriod: num32(in, "backupRetentionPeriod"), PreferredBackupWindow: c.ptr(in, "backupWindow"),
		PreferredMaintenanceWindow: c.ptr(in, "maintenanceWindow"), AutoMinorVersionUpgrade: flag(in, "autoMinorVersionUpgrade"),
		CopyTagsToSnapshot: flag(in, "copyTagsToSnapshot"), Port: num32(in, "port"), MasterUsername: c.ptr(in, "username"),
		EnableIAMDatabaseAuthentication: flag(in, "iamDatabaseAuthenticationEnabled"), DeletionProtection: flag(in, "deletionProtection"),
		EnableCloudwatchLogsExports: c.strs(in, "enabledCloudwatchLogsExports"), MonitoringInterval: num32(in, "monitoringInterval"),
		MonitoringRoleArn: c.ptr(in, "monitoringRoleArn"), EnablePerformanceInsights: flag(in, "performanceInsightsEnabled"),
		PerformanceInsightsKMSKeyId: c.ptr(in, "performanceInsightsKmsKeyId"), PerformanceInsightsRetentionPeriod: num32(in, "performanceInsightsRetentionPeriod"),
		CACertificateIdentifier: c.ptr(in, "caCertIdentifier"), EngineLifecycleSupport: c.ptr(in, "engineLifecycleSupport"),
		ManageMasterUserPassword: flag(in, "manageMasterUserPassword"), MasterUserSecretKmsKeyId: c.ptr(in, "masterUserSecretKmsKeyId"),
		Tags: rdsTags(in),
	})
	c.must("CreateDBInstance "+r.Name, err)
	c.rotateLikeRDS(db.DBInstance.MasterUserSecret)
	arn := aws.ToString(db.DBInstance.DBInstanceArn)
	c.learn(out(r, "arn"), arn)
	return arn
}

func (c *creator) alarm(r baseline.Resource) string {
	in := r.Inputs
	var dims []cwtypes.Dimension
	d, _ := in["dimensions"].(map[string]any)
	for _, k := range slices.Sorted(maps.Keys(d)) {
		dims = append(dims, cwtypes.Dimension{Name: aws.String(k), Value: aws.String(fmt.Sprint(c.live(d[k])))})
	}
	var threshold *float64
	if f, ok := in["threshold"].(float64); ok {
		threshold = aws.Float64(f)
	}
	name := nameOf(r)
	_, err := cloudwatch.NewFromConfig(c.cfg, audit.CloudWatchOverQuery).PutMetricAlarm(c.ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(name), AlarmDescription: c.ptr(in, "alarmDescription"),
		ActionsEnabled: flag(in, "actionsEnabled"), AlarmActions: c.strs(in, "alarmActions"), OKActions: c.strs(in, "okActions"),
		ComparisonOperator: cwtypes.ComparisonOperator(c.str(in, "comparisonOperator")), EvaluationPeriods: num32(in, "evaluationPeriods"),
		MetricName: c.ptr(in, "metricName"), Namespace: c.ptr(in, "namespace"), Period: num32(in, "period"), Statistic: cwtypes.Statistic(c.str(in, "statistic")),
		Threshold: threshold, TreatMissingData: c.ptr(in, "treatMissingData"), Dimensions: dims,
		Tags: sortedTags(in, func(k, v string) cwtypes.Tag { return cwtypes.Tag{Key: aws.String(k), Value: aws.String(v)} })})
	c.must("PutMetricAlarm "+r.Name, err)
	return name
}

// TrailName is the trail Create makes in an account, as the account's (or its Organization's)
// trail: the rule on security-group changes needs one logging management events.
const TrailName = "awstest-organization"

// trail makes the account's multi-Region trail, logging management events, unless it exists.
func (c *creator) trail() {
	ct := cloudtrail.NewFromConfig(c.cfg)
	existing, err := ct.DescribeTrails(c.ctx, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{TrailName}})
	c.must("DescribeTrails", err)
	if len(existing.TrailList) > 0 {
		return
	}
	id, err := sts.NewFromConfig(c.cfg).GetCallerIdentity(c.ctx, &sts.GetCallerIdentityInput{})
	c.must("GetCallerIdentity", err)
	bucket := "awstest-trail-" + aws.ToString(id.Account)
	_, err = s3.NewFromConfig(c.cfg, func(o *s3.Options) { o.UsePathStyle = true }).CreateBucket(c.ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(c.cfg.Region)}})
	c.must("CreateBucket "+bucket, err)
	_, err = ct.CreateTrail(c.ctx, &cloudtrail.CreateTrailInput{Name: aws.String(TrailName), S3BucketName: aws.String(bucket), IsMultiRegionTrail: aws.Bool(true)})
	c.must("CreateTrail", err)
	_, err = ct.PutEventSelectors(c.ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String(TrailName),
		EventSelectors: []cttypes.EventSelector{{ReadWriteType: cttypes.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(true)}}})
	c.must("PutEventSelectors", err)
	_, err = ct.StartLogging(c.ctx, &cloudtrail.StartLoggingInput{Name: aws.String(TrailName)})
	c.must("StartLogging", err)
}

// rotateLikeRDS turns on the rotation of a master secret, every 7 days, as RDS does for the secret
// it manages.
func (c *creator) rotateLikeRDS(secret *rdstypes.MasterUserSecret) {
	if secret == nil {
		return
	}
	c.must("RotateSecret "+aws.ToString(secret.SecretArn), turnOnRotation(c.ctx, c.cfg, aws.ToString(secret.SecretArn), baseline.DefaultMasterSecretRotationDays))
}

// TurnOnRotation turns on a secret's rotation every days. moto enables rotation only through a
// Lambda function, so a stand-in function of the account plays the rotation function's part; it
// is never invoked to rotate, the rotation not being immediate.
func TurnOnRotation(t testing.TB, ctx context.Context, cfg aws.Config, secretArn string, days int64) {
	t.Helper()
	if err := turnOnRotation(ctx, cfg, secretArn, days); err != nil {
		t.Fatalf("awstest: RotateSecret %s: %v", secretArn, err)
	}
}

func turnOnRotation(ctx context.Context, cfg aws.Config, secretArn string, days int64) error {
	const name = "awstest-rds-rotation"
	fns := lambda.NewFromConfig(cfg)
	var rotator string
	if fn, err := fns.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)}); err == nil {
		rotator = aws.ToString(fn.Configuration.FunctionArn)
	} else {
		role, err := iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name),
			AssumeRolePolicyDocument: aws.String(`{"Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
		if err != nil {
			return err
		}
		var code bytes.Buffer
		zw := zip.NewWriter(&code)
		w, err := zw.Create("rotate.py")
		if err != nil {
			return err
		}
		if _, err := w.Write([]byte("def handler(event, context):\n    pass\n")); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		fn, err := fns.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(name),
			Role: role.Role.Arn, Runtime: lambdatypes.RuntimePython312, Handler: aws.String("rotate.handler"), Code: &lambdatypes.FunctionCode{ZipFile: code.Bytes()}})
		if err != nil {
			return err
		}
		rotator = aws.ToString(fn.FunctionArn)
	}
	_, err := secretsmanager.NewFromConfig(cfg).RotateSecret(ctx, &secretsmanager.RotateSecretInput{SecretId: aws.String(secretArn),
		RotationLambdaARN: aws.String(rotator), RotateImmediately: aws.Bool(false),
		RotationRules: &smtypes.RotationRulesType{AutomaticallyAfterDays: aws.Int64(days)}})
	return err
}

// proxySecrets makes the secrets a proxy's auths name that the stack does not make: made outside
// the stack, by hand, and named by the proxy's role policy.
func (c *creator) proxySecrets(g *baseline.Graph, r baseline.Resource) {
	sm := secretsmanager.NewFromConfig(c.cfg)
	for _, a := range items(r.Inputs, "auths") {
		secret := str(a.(map[string]any), "secretArn")
		if _, known := c.shape.Live[secret]; known || secret == "" {
			continue
		}
		if slices.ContainsFunc(g.Resources, func(s baseline.Resource) bool { return s.Type == baseline.TypeSecret && out(s, "arn") == secret }) {
			continue
		}
		name := secret[strings.Index(secret, ":secret:")+len(":secret:"):]
		s, err := sm.CreateSecret(c.ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(`{"username":"x","password":"x"}`)})
		c.must("CreateSecret "+name, err)
		c.learn(secret, aws.ToString(s.ARN))
	}
}

func (c *creator) proxy(r baseline.Resource) string {
	in := r.Inputs
	var auths []rdstypes.UserAuthConfig
	for _, a := range in["auths"].([]any) {
		am, _ := a.(map[string]any)
		am = c.live(am).(map[string]any)
		auths = append(auths, rdstypes.UserAuthConfig{AuthScheme: rdstypes.AuthScheme(str(am, "authScheme")), ClientPasswordAuthType: rdstypes.ClientPasswordAuthType(str(am, "clientPasswordAuthType")),
			Description: aws.String(str(am, "description")), IAMAuth: rdstypes.IAMAuthMode(str(am, "iamAuth")), SecretArn: aws.String(str(am, "secretArn"))})
	}
	p, err := rds.NewFromConfig(c.cfg).CreateDBProxy(c.ctx, &rds.CreateDBProxyInput{DBProxyName: c.ptr(in, "name"), EngineFamily: rdstypes.EngineFamily(c.str(in, "engineFamily")),
		Auth: auths, RoleArn: c.ptr(in, "roleArn"), VpcSubnetIds: c.strs(in, "vpcSubnetIds"), VpcSecurityGroupIds: c.strs(in, "vpcSecurityGroupIds"),
		RequireTLS: flag(in, "requireTls"), DebugLogging: flag(in, "debugLogging"), IdleClientTimeout: num32(in, "idleClientTimeout"), Tags: rdsTags(in)})
	c.must("CreateDBProxy "+r.Name, err)
	arn := aws.ToString(p.DBProxy.DBProxyArn)
	c.learn(out(r, "arn"), arn)
	return arn
}

func (c *creator) backupPlan(r baseline.Resource) string {
	in := r.Inputs
	var rules []backuptypes.BackupRuleInput
	for _, rule := range c.live(in["rules"]).([]any) {
		rm, _ := rule.(map[string]any)
		br := backuptypes.BackupRuleInput{RuleName: aws.String(str(rm, "ruleName")), TargetBackupVaultName: aws.String(str(rm, "targetVaultName")),
			ScheduleExpression: aws.String(str(rm, "schedule")), StartWindowMinutes: num64(rm, "startWindow"), CompletionWindowMinutes: num64(rm, "completionWindow"),
			RecoveryPointTags: tagMap(map[string]any{"tags": rm["recoveryPointTags"]})}
		if l, ok := rm["lifecycle"].(map[string]any); ok {
			br.Lifecycle = &backuptypes.Lifecycle{DeleteAfterDays: num64(l, "deleteAfter"), MoveToColdStorageAfterDays: num64(l, "coldStorageAfter")}
		}
		for _, ca := range items(rm, "copyActions") {
			cm, _ := ca.(map[string]any)
			copyAction := backuptypes.CopyAction{DestinationBackupVaultArn: aws.String(str(cm, "destinationVaultArn"))}
			if l, ok := cm["lifecycle"].(map[string]any); ok {
				copyAction.Lifecycle = &backuptypes.Lifecycle{DeleteAfterDays: num64(l, "deleteAfter"), MoveToColdStorageAfterDays: num64(l, "coldStorageAfter")}
			}
			br.CopyActions = append(br.CopyActions, copyAction)
		}
		rules = append(rules, br)
	}
	p, err := backup.NewFromConfig(c.cfg).CreateBackupPlan(c.ctx, &backup.CreateBackupPlanInput{BackupPlan: &backuptypes.BackupPlanInput{BackupPlanName: c.ptr(in, "name"), Rules: rules},
		BackupPlanTags: tagMap(in)})
	c.must("CreateBackupPlan "+r.Name, err)
	c.learn(r.ID, aws.ToString(p.BackupPlanId))
	return aws.ToString(p.BackupPlanArn)
}

func items(m map[string]any, key string) []any {
	l, _ := m[key].([]any)
	return l
}

// JSON renders v for a failure message.
func JSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
