package audit

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	backuptypes "github.com/aws/aws-sdk-go-v2/service/backup/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwschemas "github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// ReadTypes are the resource types the audit reads from AWS, in the provider's names; a planned
// resource of another type (a provider, a random suffix) has nothing live to compare with.
var ReadTypes = []string{
	baseline.TypeInstance, baseline.TypeCluster, baseline.TypeClusterInstance, baseline.TypeParameterGroup, baseline.TypeClusterParameters,
	baseline.TypeSubnetGroup, baseline.TypeSecurityGroup, baseline.TypeIngressRule,
	baseline.TypeEgressRule, baseline.TypeRole, baseline.TypeRolePolicy, baseline.TypeRolePolicyAttach, baseline.TypeLogGroup,
	baseline.TypeSubscriptionFilter, baseline.TypeLogMetricFilter, baseline.TypeMetricAlarm, baseline.TypeEventSubscription,
	baseline.TypeEventRule, baseline.TypeEventTarget, baseline.TypeTopic, baseline.TypeTopicPolicy, baseline.TypeTopicSubscription,
	baseline.TypeProxy, TypeProxyTarget, baseline.TypeBackupSelection, baseline.TypeBackupPlan, baseline.TypeBackupVault,
	baseline.TypeBackupVaultLock, baseline.TypeBackupReplication, baseline.TypeKey, baseline.TypeKeyGrant,
	baseline.TypeSnapshot, baseline.TypeClusterSnapshot, baseline.TypeSecret, baseline.TypeTrail, baseline.TypeFlowLog,
}

// TypeProxyTarget is the provider's type of a proxy's target, which the catalog does not judge.
const TypeProxyTarget = "aws:rds/proxyTarget:ProxyTarget"

// clients are the services the audit reads, in the audited region; keys and replicated backups
// in other regions get clients of their own.
type clients struct {
	cfg     aws.Config
	region  string
	sts     *sts.Client
	rds     *rds.Client
	ec2     *ec2.Client
	logs    *cloudwatchlogs.Client
	cw      *cloudwatch.Client
	sns     *sns.Client
	events  *eventbridge.Client
	backup  *backup.Client
	iam     *iam.Client
	secrets *secretsmanager.Client
	trails  *cloudtrail.Client
	kms     map[string]*kms.Client
	rdsIn   map[string]*rds.Client
}

func newClients(cfg aws.Config) *clients {
	return &clients{
		cfg: cfg, region: cfg.Region,
		sts: sts.NewFromConfig(cfg), rds: rds.NewFromConfig(cfg), ec2: ec2.NewFromConfig(cfg),
		logs: cloudwatchlogs.NewFromConfig(cfg), cw: cloudwatch.NewFromConfig(cfg, CloudWatchOverQuery), sns: sns.NewFromConfig(cfg),
		events: eventbridge.NewFromConfig(cfg), backup: backup.NewFromConfig(cfg), iam: iam.NewFromConfig(cfg),
		secrets: secretsmanager.NewFromConfig(cfg), trails: cloudtrail.NewFromConfig(cfg), kms: map[string]*kms.Client{}, rdsIn: map[string]*rds.Client{},
	}
}

// CloudWatchOverQuery makes a CloudWatch client speak the awsQuery protocol. CloudWatch serves
// both it and RPCv2 CBOR, which this SDK defaults to; every AWS API stand-in the tests run (moto
// 5) answers only the former, and every older SDK still uses it, so the audit reads both alike.
func CloudWatchOverQuery(o *cloudwatch.Options) {
	o.Protocol = awsquery.New(cwschemas.GraniteServiceVersion20100801)
}

// kmsIn is the KMS client of a key's region (its ARN's), the audited region when it names none.
func (c *clients) kmsIn(arn string) *kms.Client {
	region := baseline.ArnField(arn, 3)
	if region == "" {
		region = c.region
	}
	if c.kms[region] == nil {
		c.kms[region] = kms.NewFromConfig(c.cfg, func(o *kms.Options) { o.Region = region })
	}
	return c.kms[region]
}

func (c *clients) rdsRegion(region string) *rds.Client {
	if region == c.region || region == "" {
		return c.rds
	}
	if c.rdsIn[region] == nil {
		c.rdsIn[region] = rds.NewFromConfig(c.cfg, func(o *rds.Options) { o.Region = region })
	}
	return c.rdsIn[region]
}

// block is what one database's audit read: the graph the catalog judges, and the calls that
// failed, which leave the controls they feed unproven.
type block struct {
	graph    *baseline.Graph
	failures []Failure
	// unreadEvidence is what this audit does not read at all, though the database relies on it.
	unreadEvidence []unreadEvidence
	urns           map[string]bool
}

type unreadEvidence struct {
	controls []string
	reason   string
}

// archiveControls judge a log archive: a delivery stream and its bucket, which the audit does not
// read (yet): a log group shipping to one leaves them unproven, not "not applicable".
var archiveControls = []string{"s3-object-lock", "s3-versioning", "s3-cmk", "s3-public-access-block", "s3-tls-only", "firehose-cmk", "s3-lifecycle", "s3-acls-disabled"}

func (blk *block) add(r baseline.Resource) {
	if blk.urns[r.URN] {
		return
	}
	blk.urns[r.URN] = true
	if !slices.Contains(ReadTypes, r.Type) {
		panic("audit: " + r.Type + " is read but not in ReadTypes")
	}
	r.Custom = true
	if r.Outputs == nil {
		r.Outputs = map[string]any{}
	}
	// The live object's attributes are both its inputs and its state, as for a policy pack.
	for k, v := range r.Inputs {
		if _, ok := r.Outputs[k]; !ok {
			r.Outputs[k] = v
		}
	}
	if tags, ok := r.Inputs["tags"]; ok {
		r.Outputs["tagsAll"] = tags
	}
	blk.graph.Resources = append(blk.graph.Resources, r)
}

// ok records err, the answer of action on target, and says whether the call succeeded.
func (blk *block) ok(action, target string, err error) bool {
	if err == nil {
		return true
	}
	f := failureOf(action, target, err)
	if !slices.Contains(blk.failures, f) {
		blk.failures = append(blk.failures, f)
	}
	return false
}

// The helpers below turn SDK values into the plain values of provider inputs (numbers as
// float64, as JSON has them), so the catalog reads live state as it reads a plan.

func s(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

func n(p *int32) any {
	if p == nil {
		return nil
	}
	return float64(*p)
}

func n64(p *int64) any {
	if p == nil {
		return nil
	}
	return float64(*p)
}

func f64(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func b(p *bool) any {
	if p == nil {
		return nil
	}
	return *p
}

func list(ss []string) []any {
	out := make([]any, 0, len(ss))
	for _, v := range ss {
		out = append(out, v)
	}
	return out
}

// prune drops nil values: an attribute AWS did not return is absent, as an input not given.
func prune(m map[string]any) map[string]any {
	for k, v := range m {
		if v == nil {
			delete(m, k)
		}
	}
	return m
}

// policyText decodes a policy document IAM returns URL-encoded.
func policyText(doc *string) string {
	if doc == nil {
		return ""
	}
	if text, err := url.QueryUnescape(*doc); err == nil {
		return text
	}
	return *doc
}

func rdsTags(tags []rdstypes.Tag) map[string]any {
	out := map[string]any{}
	for _, t := range tags {
		out[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return out
}

func ec2Tags(tags []ec2types.Tag) map[string]any {
	out := map[string]any{}
	for _, t := range tags {
		out[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return out
}

func stringMap(m map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// instanceResource is an RDS instance as the provider's aws:rds/instance inputs name its state.
func instanceResource(db rdstypes.DBInstance) baseline.Resource {
	var sgs []string
	for _, m := range db.VpcSecurityGroups {
		sgs = append(sgs, aws.ToString(m.VpcSecurityGroupId))
	}
	var pg any
	if len(db.DBParameterGroups) > 0 {
		pg = s(db.DBParameterGroups[0].DBParameterGroupName)
	}
	var subnetGroup any
	if db.DBSubnetGroup != nil {
		subnetGroup = s(db.DBSubnetGroup.DBSubnetGroupName)
	}
	var port any
	if db.Endpoint != nil && db.Endpoint.Port != nil {
		port = n(db.Endpoint.Port)
	}
	in := prune(map[string]any{
		"identifier": s(db.DBInstanceIdentifier), "engine": s(db.Engine), "engineVersion": s(db.EngineVersion),
		"instanceClass": s(db.DBInstanceClass), "allocatedStorage": n(db.AllocatedStorage), "maxAllocatedStorage": n(db.MaxAllocatedStorage),
		"storageType": s(db.StorageType), "storageEncrypted": b(db.StorageEncrypted), "kmsKeyId": s(db.KmsKeyId),
		"publiclyAccessible": b(db.PubliclyAccessible), "multiAz": b(db.MultiAZ), "dbSubnetGroupName": subnetGroup,
		"vpcSecurityGroupIds": list(sgs), "parameterGroupName": pg, "backupRetentionPeriod": n(db.BackupRetentionPeriod),
		"backupWindow": s(db.PreferredBackupWindow), "maintenanceWindow": s(db.PreferredMaintenanceWindow),
		"autoMinorVersionUpgrade": b(db.AutoMinorVersionUpgrade), "copyTagsToSnapshot": b(db.CopyTagsToSnapshot),
		"port": port, "username": s(db.MasterUsername), "iamDatabaseAuthenticationEnabled": b(db.IAMDatabaseAuthenticationEnabled),
		"deletionProtection": b(db.DeletionProtection), "enabledCloudwatchLogsExports": list(db.EnabledCloudwatchLogsExports),
		"monitoringInterval": n(db.MonitoringInterval), "monitoringRoleArn": s(db.MonitoringRoleArn),
		"performanceInsightsEnabled": b(db.PerformanceInsightsEnabled), "performanceInsightsKmsKeyId": s(db.PerformanceInsightsKMSKeyId),
		"performanceInsightsRetentionPeriod": n(db.PerformanceInsightsRetentionPeriod), "caCertIdentifier": s(db.CACertificateIdentifier),
		"engineLifecycleSupport": s(db.EngineLifecycleSupport), "tags": rdsTags(db.TagList),
		"manageMasterUserPassword": db.MasterUserSecret != nil, "replicateSourceDb": s(db.ReadReplicaSourceDBInstanceIdentifier),
	})
	out := map[string]any{"arn": s(db.DBInstanceArn)}
	if sec := db.MasterUserSecret; sec != nil {
		in["masterUserSecretKmsKeyId"] = aws.ToString(sec.KmsKeyId)
		out["masterUserSecrets"] = []any{prune(map[string]any{"secretArn": s(sec.SecretArn), "kmsKeyId": s(sec.KmsKeyId), "secretStatus": s(sec.SecretStatus)})}
	}
	id := aws.ToString(db.DBInstanceIdentifier)
	return baseline.Resource{URN: aws.ToString(db.DBInstanceArn), Type: baseline.TypeInstance, Name: id, ID: id, Inputs: in, Outputs: out}
}

// readInstance reads what one instance is judged on into its block.
func (c *clients) readInstance(ctx context.Context, db rdstypes.DBInstance, acct *accountReads) *block {
	blk := &block{graph: &baseline.Graph{Live: true}, urns: map[string]bool{}}
	inst := instanceResource(db)
	blk.add(inst)
	id := aws.ToString(db.DBInstanceIdentifier)
	for _, st := range db.DBParameterGroups {
		c.readParameterGroup(ctx, blk, aws.ToString(st.DBParameterGroupName))
	}
	if db.DBSubnetGroup != nil {
		c.readSubnetGroup(ctx, blk, aws.ToString(db.DBSubnetGroup.DBSubnetGroupName))
	}
	c.readSecurityGroups(ctx, blk, stringsOf(inst.Inputs["vpcSecurityGroupIds"]))
	c.readSecret(ctx, blk, db.MasterUserSecret)
	if db.MasterUserSecret == nil && len(db.ReadReplicaDBInstanceIdentifiers) > 0 {
		c.readOwnSecret(ctx, blk, id)
	}
	c.readRole(ctx, blk, aws.ToString(db.MonitoringRoleArn))
	c.readLogs(ctx, blk, "/aws/rds/instance/"+id+"/")
	c.readAlarms(ctx, blk, acct, map[string][]string{"DBInstanceIdentifier": {id}})
	c.readEventSubscriptions(ctx, blk, acct)
	c.readEventRules(ctx, blk, acct)
	c.readTrails(ctx, blk, acct)
	c.readProxies(ctx, blk, acct, id)
	if db.ReadReplicaSourceDBInstanceIdentifier == nil {
		// A read replica's data is kept by its source's backups: the controls on them judge the source.
		c.readBackups(ctx, blk, acct, aws.ToString(db.DBInstanceArn))
	}
	c.readReplications(ctx, blk, db)
	c.readTopics(ctx, blk)
	c.readKeys(ctx, blk)
	c.readSnapshots(ctx, blk, id)
	return blk
}

func stringsOf(v any) []string { return baseline.Strings(v) }

// readTags adds the tags of RDS resources that DescribeX does not return with the resource.
func (c *clients) rdsTagsOf(ctx context.Context, blk *block, arn string) (map[string]any, bool) {
	out, err := c.rds.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: aws.String(arn)})
	if !blk.ok("rds:ListTagsForResource", arn, err) {
		return nil, false
	}
	return rdsTags(out.TagList), true
}

// readParameterGroup adds a DB parameter group with the values set in it; AWS's default groups
// set nothing, and the catalog judges their family's defaults.
func (c *clients) readParameterGroup(ctx context.Context, blk *block, name string) {
	if name == "" || strings.HasPrefix(name, "default.") || blk.has(baseline.TypeParameterGroup, name) {
		return
	}
	groups, err := c.rds.DescribeDBParameterGroups(ctx, &rds.DescribeDBParameterGroupsInput{DBParameterGroupName: aws.String(name)})
	if !blk.ok("rds:DescribeDBParameterGroups", name, err) || len(groups.DBParameterGroups) == 0 {
		return
	}
	pg := groups.DBParameterGroups[0]
	var params []any
	pager := rds.NewDescribeDBParametersPaginator(c.rds, &rds.DescribeDBParametersInput{DBParameterGroupName: aws.String(name), Source: aws.String("user")})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if !blk.ok("rds:DescribeDBParameters", name, err) {
			break
		}
		params = append(params, parameters(page.Parameters)...)
	}
	c.addGroup(ctx, blk, baseline.TypeParameterGroup, name, aws.ToString(pg.DBParameterGroupArn), pg.DBParameterGroupFamily, pg.Description, params)
}

// readClusterParameterGroup adds an Aurora cluster's parameter group with the values set in it.
func (c *clients) readClusterParameterGroup(ctx context.Context, blk *block, name string) {
	if name == "" || strings.HasPrefix(name, "default.") || blk.has(baseline.TypeClusterParameters, name) {
		return
	}
	groups, err := c.rds.DescribeDBClusterParameterGroups(ctx, &rds.DescribeDBClusterParameterGroupsInput{DBClusterParameterGroupName: aws.String(name)})
	if !blk.ok("rds:DescribeDBClusterParameterGroups", name, err) || len(groups.DBClusterParameterGroups) == 0 {
		return
	}
	pg := groups.DBClusterParameterGroups[0]
	var params []any
	pager := rds.NewDescribeDBClusterParametersPaginator(c.rds, &rds.DescribeDBClusterParametersInput{DBClusterParameterGroupName: aws.String(name), Source: aws.String("user")})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if !blk.ok("rds:DescribeDBClusterParameters", name, err) {
			break
		}
		params = append(params, parameters(page.Parameters)...)
	}
	c.addGroup(ctx, blk, baseline.TypeClusterParameters, name, aws.ToString(pg.DBClusterParameterGroupArn), pg.DBParameterGroupFamily, pg.Description, params)
}

func parameters(ps []rdstypes.Parameter) []any {
	var out []any
	for _, p := range ps {
		out = append(out, prune(map[string]any{"name": s(p.ParameterName), "value": s(p.ParameterValue), "applyMethod": applyMethod(p.ApplyMethod)}))
	}
	return out
}

func (c *clients) addGroup(ctx context.Context, blk *block, typ, name, arn string, family, description *string, params []any) {
	in := prune(map[string]any{"name": name, "family": s(family), "description": s(description), "parameters": params})
	if params == nil {
		delete(in, "parameters")
	}
	if tags, ok := c.rdsTagsOf(ctx, blk, arn); ok {
		in["tags"] = tags
	}
	blk.add(baseline.Resource{URN: arn, Type: typ, Name: name, ID: name, Inputs: in, Outputs: map[string]any{"arn": arn, "name": name}})
}

// has says whether the block holds a resource of typ with that ID.
func (blk *block) has(typ, id string) bool {
	return slices.ContainsFunc(blk.graph.Resources, func(r baseline.Resource) bool { return r.Type == typ && r.ID == id })
}

// applyMethod spells RDS's apply method as the provider does.
func applyMethod(m rdstypes.ApplyMethod) any {
	switch m {
	case rdstypes.ApplyMethodImmediate:
		return "immediate"
	case rdstypes.ApplyMethodPendingReboot:
		return "pending-reboot"
	}
	return nil
}

func (c *clients) readSubnetGroup(ctx context.Context, blk *block, name string) {
	if name == "" || blk.has(baseline.TypeSubnetGroup, name) {
		return
	}
	out, err := c.rds.DescribeDBSubnetGroups(ctx, &rds.DescribeDBSubnetGroupsInput{DBSubnetGroupName: aws.String(name)})
	if !blk.ok("rds:DescribeDBSubnetGroups", name, err) || len(out.DBSubnetGroups) == 0 {
		return
	}
	group := out.DBSubnetGroups[0]
	var subnets []string
	for _, sn := range group.Subnets {
		subnets = append(subnets, aws.ToString(sn.SubnetIdentifier))
	}
	in := prune(map[string]any{"name": name, "description": s(group.DBSubnetGroupDescription), "subnetIds": list(subnets)})
	if tags, ok := c.rdsTagsOf(ctx, blk, aws.ToString(group.DBSubnetGroupArn)); ok {
		in["tags"] = tags
	}
	blk.add(baseline.Resource{URN: aws.ToString(group.DBSubnetGroupArn), Type: baseline.TypeSubnetGroup, Name: name, ID: name, Inputs: in,
		Outputs: map[string]any{"arn": s(group.DBSubnetGroupArn), "name": name}})
	c.readRouteTables(ctx, blk, aws.ToString(group.VpcId), subnets)
	c.readFlowLogs(ctx, blk, aws.ToString(group.DBSubnetGroupArn), aws.ToString(group.VpcId), subnets)
}

// readFlowLogs adds the flow logs of the subnets and of their VPC, and the log group each writes
// to, whatever its name. Their ARNs are in the subnet group's partition, Region and account.
func (c *clients) readFlowLogs(ctx context.Context, blk *block, groupArn, vpc string, subnets []string) {
	ids := append(slices.Clone(subnets), vpc)
	pager := ec2.NewDescribeFlowLogsPaginator(c.ec2, &ec2.DescribeFlowLogsInput{Filter: []ec2types.Filter{{Name: aws.String("resource-id"), Values: ids}}})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if !blk.ok("ec2:DescribeFlowLogs", strings.Join(ids, ","), err) {
			return
		}
		for _, fl := range page.FlowLogs {
			id, target := aws.ToString(fl.FlowLogId), "subnetId"
			if strings.HasPrefix(aws.ToString(fl.ResourceId), "vpc-") {
				target = "vpcId"
			}
			// Where a flow log into CloudWatch Logs gives only the group's name, its ARN is made
			// from it, so the control names the group even when the group was not read.
			within := func(service, resource string) string {
				return fmt.Sprintf("arn:%s:%s:%s:%s:%s", baseline.ArnField(groupArn, 1), service, baseline.ArnField(groupArn, 3), baseline.ArnField(groupArn, 4), resource)
			}
			destination := aws.ToString(fl.LogDestination)
			if group := aws.ToString(fl.LogGroupName); group != "" {
				c.readLogs(ctx, blk, group)
				if destination == "" {
					destination = within("logs", "log-group:"+group)
				}
			}
			c.readRole(ctx, blk, aws.ToString(fl.DeliverLogsPermissionArn))
			arn := within("ec2", "vpc-flow-log/"+id)
			blk.add(baseline.Resource{URN: arn, Type: baseline.TypeFlowLog, Name: id, ID: id,
				Inputs: prune(map[string]any{target: s(fl.ResourceId), "trafficType": string(fl.TrafficType), "logDestinationType": string(fl.LogDestinationType),
					"logDestination": destination, "iamRoleArn": s(fl.DeliverLogsPermissionArn), "maxAggregationInterval": n(fl.MaxAggregationInterval)}),
				Outputs: map[string]any{"arn": arn, "flowLogStatus": s(fl.FlowLogStatus), "deliverLogsStatus": s(fl.DeliverLogsStatus)}})
		}
	}
}

// readRouteTables records, per subnet, the route table AWS routes it by, as the program's
// getRouteTable look-ups do: its own association, or else the VPC's main table.
func (c *clients) readRouteTables(ctx context.Context, blk *block, vpc string, subnets []string) {
	for _, subnet := range subnets {
		out, err := c.ec2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []ec2types.Filter{{Name: aws.String("association.subnet-id"), Values: []string{subnet}}}})
		if !blk.ok("ec2:DescribeRouteTables", subnet, err) {
			continue
		}
		args := map[string]any{"subnetId": subnet}
		if len(out.RouteTables) > 0 {
			blk.graph.Invokes = append(blk.graph.Invokes, baseline.Invoke{Token: baseline.InvokeRouteTable, Args: args, Result: routeTable(out.RouteTables[0])})
			continue
		}
		blk.graph.Invokes = append(blk.graph.Invokes, baseline.Invoke{Token: baseline.InvokeRouteTable, Args: args, Err: "no route table is associated with " + subnet})
		main, err := c.ec2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []ec2types.Filter{
			{Name: aws.String("vpc-id"), Values: []string{vpc}}, {Name: aws.String("association.main"), Values: []string{"true"}}}})
		if blk.ok("ec2:DescribeRouteTables", vpc, err) && len(main.RouteTables) > 0 {
			blk.graph.Invokes = append(blk.graph.Invokes, baseline.Invoke{Token: baseline.InvokeRouteTable, Args: map[string]any{"vpcId": vpc}, Result: routeTable(main.RouteTables[0])})
		}
	}
}

func routeTable(t ec2types.RouteTable) map[string]any {
	var routes []any
	for _, r := range t.Routes {
		gateway := aws.ToString(r.GatewayId)
		routes = append(routes, prune(map[string]any{"cidrBlock": s(r.DestinationCidrBlock), "ipv6CidrBlock": s(r.DestinationIpv6CidrBlock),
			"gatewayId": gateway, "natGatewayId": s(r.NatGatewayId)}))
	}
	return map[string]any{"routeTableId": aws.ToString(t.RouteTableId), "vpcId": aws.ToString(t.VpcId), "routes": routes}
}

func (c *clients) readSecurityGroups(ctx context.Context, blk *block, ids []string) {
	if len(ids) == 0 {
		return
	}
	out, err := c.ec2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: ids})
	if !blk.ok("ec2:DescribeSecurityGroups", strings.Join(ids, ","), err) {
		return
	}
	for _, sg := range out.SecurityGroups {
		id := aws.ToString(sg.GroupId)
		blk.add(baseline.Resource{URN: aws.ToString(sg.SecurityGroupArn), Type: baseline.TypeSecurityGroup, Name: aws.ToString(sg.GroupName), ID: id,
			Inputs:  prune(map[string]any{"name": s(sg.GroupName), "description": s(sg.Description), "vpcId": s(sg.VpcId), "tags": ec2Tags(sg.Tags)}),
			Outputs: map[string]any{"arn": s(sg.SecurityGroupArn), "id": id}})
	}
	pager := ec2.NewDescribeSecurityGroupRulesPaginator(c.ec2, &ec2.DescribeSecurityGroupRulesInput{Filters: []ec2types.Filter{{Name: aws.String("group-id"), Values: ids}}})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if !blk.ok("ec2:DescribeSecurityGroupRules", strings.Join(ids, ","), err) {
			return
		}
		for _, rule := range page.SecurityGroupRules {
			typ := baseline.TypeIngressRule
			if aws.ToBool(rule.IsEgress) {
				typ = baseline.TypeEgressRule
			}
			var referenced any
			if rule.ReferencedGroupInfo != nil {
				referenced = s(rule.ReferencedGroupInfo.GroupId)
			}
			id := aws.ToString(rule.SecurityGroupRuleId)
			arn := aws.ToString(rule.SecurityGroupRuleArn)
			if arn == "" { // older endpoints return none: EC2's form, from the group's
				arn = fmt.Sprintf("arn:aws:ec2:%s:%s:security-group-rule/%s", c.region, aws.ToString(rule.GroupOwnerId), id)
			}
			blk.add(baseline.Resource{URN: arn, Type: typ, Name: id, ID: id,
				Inputs: prune(map[string]any{"securityGroupId": s(rule.GroupId), "ipProtocol": s(rule.IpProtocol), "fromPort": n(rule.FromPort), "toPort": n(rule.ToPort),
					"cidrIpv4": s(rule.CidrIpv4), "cidrIpv6": s(rule.CidrIpv6), "prefixListId": s(rule.PrefixListId), "referencedSecurityGroupId": referenced,
					"description": s(rule.Description), "tags": ec2Tags(rule.Tags)}),
				Outputs: map[string]any{"arn": arn}})
		}
	}
}

// database is the block's database: the instance or cluster it is named by.
func (blk *block) database() *baseline.Resource {
	for i := range blk.graph.Resources {
		if databaseIdentifier(blk.graph.Resources[i]) != "" {
			return &blk.graph.Resources[i]
		}
	}
	return nil
}

func (c *clients) readRole(ctx context.Context, blk *block, arn string) {
	if arn == "" || blk.urns[arn] {
		return
	}
	name := arn[strings.LastIndex(arn, "/")+1:]
	out, err := c.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if !blk.ok("iam:GetRole", arn, err) {
		return
	}
	role := out.Role
	tags := map[string]any{}
	for _, t := range role.Tags {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	blk.add(baseline.Resource{URN: arn, Type: baseline.TypeRole, Name: name, ID: name,
		Inputs:  prune(map[string]any{"name": name, "assumeRolePolicy": policyText(role.AssumeRolePolicyDocument), "description": s(role.Description), "tags": tags}),
		Outputs: map[string]any{"arn": arn, "name": name}})
	inline, err := c.iam.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	if blk.ok("iam:ListRolePolicies", arn, err) {
		for _, pn := range inline.PolicyNames {
			p, err := c.iam.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(pn)})
			if !blk.ok("iam:GetRolePolicy", arn+"/"+pn, err) {
				continue
			}
			blk.add(baseline.Resource{URN: arn + "#policy/" + pn, Type: baseline.TypeRolePolicy, Name: pn, ID: name + ":" + pn,
				Inputs: map[string]any{"name": pn, "role": name, "policy": policyText(p.PolicyDocument)}})
		}
	}
	attached, err := c.iam.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	if blk.ok("iam:ListAttachedRolePolicies", arn, err) {
		for _, p := range attached.AttachedPolicies {
			blk.add(baseline.Resource{URN: arn + "#attached/" + aws.ToString(p.PolicyArn), Type: baseline.TypeRolePolicyAttach, Name: aws.ToString(p.PolicyName),
				Inputs: map[string]any{"role": name, "policyArn": aws.ToString(p.PolicyArn)}})
		}
	}
}

func (c *clients) readLogs(ctx context.Context, blk *block, prefix string) {
	pager := cloudwatchlogs.NewDescribeLogGroupsPaginator(c.logs, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(prefix)})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if !blk.ok("logs:DescribeLogGroups", prefix, err) {
			return
		}
		for _, lg := range page.LogGroups {
			name := aws.ToString(lg.LogGroupName)
			arn := strings.TrimSuffix(aws.ToString(lg.Arn), ":*")
			in := prune(map[string]any{"name": name, "kmsKeyId": s(lg.KmsKeyId), "retentionInDays": n(lg.RetentionInDays)})
			tags, err := c.logs.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
			if blk.ok("logs:ListTagsForResource", arn, err) {
				in["tags"] = stringMap(tags.Tags)
			}
			blk.add(baseline.Resource{URN: arn, Type: baseline.TypeLogGroup, Name: name, ID: name, Inputs: in, Outputs: map[string]any{"arn": arn, "name": name}})
			subs, err := c.logs.DescribeSubscriptionFilters(ctx, &cloudwatchlogs.DescribeSubscriptionFiltersInput{LogGroupName: aws.String(name)})
			if blk.ok("logs:DescribeSubscriptionFilters", name, err) {
				for _, sf := range subs.SubscriptionFilters {
					if dest := aws.ToString(sf.DestinationArn); baseline.ArnField(dest, 2) == "firehose" && !slices.ContainsFunc(blk.unreadEvidence, func(u unreadEvidence) bool { return strings.Contains(u.reason, dest) }) {
						blk.unreadEvidence = append(blk.unreadEvidence, unreadEvidence{archiveControls, "the archive stream " + dest + " and its bucket: this audit does not read Firehose or S3"})
					}
					blk.add(baseline.Resource{URN: arn + "#subscription/" + aws.ToString(sf.FilterName), Type: baseline.TypeSubscriptionFilter, Name: aws.ToString(sf.FilterName),
						Inputs: prune(map[string]any{"name": s(sf.FilterName), "logGroup": name, "destinationArn": s(sf.DestinationArn), "filterPattern": s(sf.FilterPattern), "roleArn": s(sf.RoleArn)})})
				}
			}
			metrics, err := c.logs.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String(name)})
			if blk.ok("logs:DescribeMetricFilters", name, err) {
				for _, mf := range metrics.MetricFilters {
					var transform any
					if len(mf.MetricTransformations) > 0 {
						t := mf.MetricTransformations[0]
						transform = prune(map[string]any{"name": s(t.MetricName), "namespace": s(t.MetricNamespace), "value": s(t.MetricValue), "defaultValue": defaultValue(t.DefaultValue)})
					}
					blk.add(baseline.Resource{URN: arn + "#metric-filter/" + aws.ToString(mf.FilterName), Type: baseline.TypeLogMetricFilter, Name: aws.ToString(mf.FilterName),
						Inputs: prune(map[string]any{"name": s(mf.FilterName), "logGroupName": name, "pattern": s(mf.FilterPattern), "metricTransformation": transform})})
				}
			}
		}
	}
}

func defaultValue(v *float64) any {
	if v == nil {
		return nil
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

// readAlarms adds the alarms on the database's metrics, and on the metrics its log groups' filters
// make.
func (c *clients) readAlarms(ctx context.Context, blk *block, acct *accountReads, mine map[string][]string) {
	alarms, err := acct.alarms(ctx, c)
	if !blk.ok("cloudwatch:DescribeAlarms", "", err) {
		return
	}
	filtered := map[[2]string]bool{}
	for _, r := range blk.graph.Resources {
		if r.Type == baseline.TypeLogMetricFilter {
			t, _ := r.Inputs["metricTransformation"].(map[string]any)
			filtered[[2]string{str(t["namespace"]), str(t["name"])}] = true
		}
	}
	for _, a := range alarms {
		ours := filtered[[2]string{aws.ToString(a.Namespace), aws.ToString(a.MetricName)}]
		dims := map[string]any{}
		for _, d := range a.Dimensions {
			dims[aws.ToString(d.Name)] = aws.ToString(d.Value)
			ours = ours || slices.Contains(mine[aws.ToString(d.Name)], aws.ToString(d.Value))
		}
		if !ours {
			continue
		}
		arn := aws.ToString(a.AlarmArn)
		in := prune(map[string]any{"name": s(a.AlarmName), "alarmDescription": s(a.AlarmDescription), "actionsEnabled": b(a.ActionsEnabled),
			"alarmActions": list(a.AlarmActions), "okActions": list(a.OKActions), "insufficientDataActions": list(a.InsufficientDataActions),
			"comparisonOperator": string(a.ComparisonOperator), "evaluationPeriods": n(a.EvaluationPeriods), "metricName": s(a.MetricName),
			"namespace": s(a.Namespace), "period": n(a.Period), "statistic": string(a.Statistic), "threshold": f64(a.Threshold),
			"treatMissingData": s(a.TreatMissingData)})
		if len(dims) > 0 {
			in["dimensions"] = dims
		}
		tags, err := c.cw.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
		if blk.ok("cloudwatch:ListTagsForResource", arn, err) {
			t := map[string]any{}
			for _, tag := range tags.Tags {
				t[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
			}
			in["tags"] = t
		}
		blk.add(baseline.Resource{URN: arn, Type: baseline.TypeMetricAlarm, Name: aws.ToString(a.AlarmName), ID: aws.ToString(a.AlarmName), Inputs: in, Outputs: map[string]any{"arn": arn}})
	}
}

func str(v any) string { s, _ := v.(string); return s }

// accountReads are the listings of the whole region that every database's block filters, read
// once.
type accountReads struct {
	alarmList listing[cwtypes.MetricAlarm]
	eventSubs listing[rdstypes.EventSubscription]
	rules     listing[ebtypes.Rule]
	proxies   listing[rdstypes.DBProxy]
	plans     listing[backuptypes.BackupPlansListMember]
	trailList listing[trail]
}

func (a *accountReads) alarms(ctx context.Context, c *clients) ([]cwtypes.MetricAlarm, error) {
	return a.alarmList.get(func() ([]cwtypes.MetricAlarm, error) {
		var out []cwtypes.MetricAlarm
		pager := cloudwatch.NewDescribeAlarmsPaginator(c.cw, &cloudwatch.DescribeAlarmsInput{})
		for pager.HasMorePages() {
			page, err := pager.NextPage(ctx)
			if err != nil {
				return out, err
			}
			out = append(out, page.MetricAlarms...)
		}
		return out, nil
	})
}
