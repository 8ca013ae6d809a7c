package hardenedpg

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// AlertSettings are the choices about a database's alerts; the zero value is hardened.
type AlertSettings struct {
	// Skip creates no topic, alarm or event subscription: it relaxes events-instance,
	// events-parameter-group, events-security-group and alarms-present (and events-cluster for
	// Aurora). Only a Database reads it (not to alert,
	// create no Alerts).
	Skip bool `pulumi:"skip,optional"`
	// Emails and HTTPSEndpoints are subscribed to the topic. A Database without either alerts
	// nobody: that relaxes alarm-actions and the three events controls. A webhook URL usually carries its token, so each is an input (a secret from config or a
	// secrets store, or pulumi.String) and is kept secret in the state; one not known here is
	// checked once it is, before its subscription is created.
	Emails         []string             `pulumi:"emails,optional"`
	HTTPSEndpoints []pulumi.StringInput `pulumi:"httpsEndpoints,optional"`
	// CPUPercent alarms above this average CPU (80 by default).
	CPUPercent int `pulumi:"cpuPercent,optional"`
	// FreeStorageGB alarms below this free storage (default: a tenth of the allocated storage).
	FreeStorageGB int `pulumi:"freeStorageGb,optional"`
	// Connections alarms above this many connections (default: 80% of the max_connections RDS
	// derives from the instance class memory).
	Connections int `pulumi:"connections,optional"`
}

// AlertsArgs configures the alerts of one instance: the settings plus what they watch.
type AlertsArgs struct {
	AlertSettings

	// Identifier is the RDS instance identifier. Required.
	Identifier string `pulumi:"identifier"`
	// ParameterGroupName scopes the parameter group event subscription. Required.
	ParameterGroupName pulumi.StringInput `pulumi:"parameterGroupName"`
	// TopicKeyArn encrypts the topic; its policy must let CloudWatch and RDS events use it. Required.
	TopicKeyArn pulumi.StringInput `pulumi:"topicKeyArn"`
	// PostgresLogGroupName is the exported postgresql log the metric filters read. Required.
	PostgresLogGroupName pulumi.StringInput `pulumi:"postgresLogGroupName"`
	// IAMAuthErrorLogGroupName is the exported iam-db-auth-error log: every event in it is a failed
	// IAM sign-in, which the postgresql log shows only as "PAM authentication failed".
	IAMAuthErrorLogGroupName pulumi.StringInput `pulumi:"iamAuthErrorLogGroupName,optional"`
	// SecurityGroupID, when set, is watched: an EventBridge rule sends the CloudTrail records of
	// every change to its rules to the topic. RDS's db-security-group events (RDS.22) never fire
	// for VPC security groups, which are EC2's (EC2-Classic DB security groups were retired in 2022).
	SecurityGroupID pulumi.StringInput `pulumi:"securityGroupId,optional"`
	// ProxySecurityGroupID, when set with SecurityGroupID, is watched by the same rule: a client
	// reaches the database through the proxy's group too.
	ProxySecurityGroupID pulumi.StringInput `pulumi:"proxySecurityGroupId,optional"`
	// InstanceClass and AllocatedStorageGB derive the default connection and storage thresholds.
	InstanceClass      string `pulumi:"instanceClass,optional"`
	AllocatedStorageGB int    `pulumi:"allocatedStorageGb,optional"`
	// InstanceIdentifiers, for an Aurora cluster (Identifier is then the cluster's), are its
	// instances, writer first: each has its own CPU, memory and connection alarms and instance
	// events, the cluster its events and its replicas' lag. Aurora has no storage to run out of.
	InstanceIdentifiers []string `pulumi:"instanceIdentifiers,optional"`
	// ReplicaIdentifiers are an RDS instance's read replicas: each has its own alarms, its lag
	// behind the source among them, and its instance events.
	ReplicaIdentifiers []string `pulumi:"replicaIdentifiers,optional"`
	// ReadReplica says Identifier is a read replica: its lag behind its source is alarmed too.
	ReadReplica bool `pulumi:"readReplica,optional"`
	// MultiAZCluster says InstanceIdentifiers are the three instances RDS makes for a Multi-AZ DB
	// cluster: each has its own storage, so its free storage is alarmed, and a reader's lag
	// behind the writer (ReplicaLag) too.
	MultiAZCluster bool `pulumi:"multiAzCluster,optional"`
	// ServerlessMaxAcu, for Serverless v2 instances, derives the connections threshold (2 GiB
	// per ACU) and alarms when an instance runs at 90% of it.
	ServerlessMaxAcu float64 `pulumi:"serverlessMaxAcu,optional"`
	// WaitFor are resources the event subscriptions wait for: the instance, which RDS requires
	// to exist before it accepts a subscription naming it.
	WaitFor []pulumi.Resource
	Tags    map[string]pulumi.StringInput `pulumi:"tags,optional"`
}

// Alerts is an encrypted SNS topic fed by RDS event subscriptions and CloudWatch alarms on the
// instance metrics and on security events found in the PostgreSQL log.
type Alerts struct {
	pulumi.ResourceState

	Topic              *sns.Topic
	EventSubscriptions map[string]*rds.EventSubscription
	MetricFilters      map[string]*cloudwatch.LogMetricFilter
	Alarms             map[string]*cloudwatch.MetricAlarm
	// SecurityGroupRule is the EventBridge rule on changes to SecurityGroupID (nil without it).
	SecurityGroupRule *cloudwatch.EventRule

	TopicArn pulumi.StringOutput `pulumi:"topicArn"`
}

// DefaultAlertCPUPercent is the average CPU above which the alarm fires.
const DefaultAlertCPUPercent = 80

// AlertsType is the component's type token.
const AlertsType = "hardenedpg:index:Alerts"

// AlertPublishers are the services that publish to the alerts topic: CloudWatch alarms, RDS
// events and EventBridge rules.
var AlertPublishers = []string{baseline.EventPublisherCloudWatch, baseline.EventPublisherRDS, baseline.EventPublisherEventBridge}

// securityGroupChangePattern matches CloudTrail records of those calls on the groups: most name
// the group requestParameters.groupId, ModifySecurityGroupRules nests it in its request.
func securityGroupChangePattern(groupIDs []string) string {
	b, _ := json.Marshal(map[string]any{
		"source": []string{"aws.ec2"}, "detail-type": []string{"AWS API Call via CloudTrail"},
		"detail": map[string]any{
			"eventSource": []string{"ec2.amazonaws.com"}, "eventName": baseline.SecurityGroupChangeEvents,
			"$or": []any{
				map[string]any{"requestParameters": map[string]any{"groupId": groupIDs}},
				map[string]any{"requestParameters": map[string]any{"ModifySecurityGroupRulesRequest": map[string]any{"GroupId": groupIDs}}},
			},
		},
	})
	return string(b)
}

// eventSubscriptions are the RDS event categories per source type (events-* controls). The
// instance's subscription takes every category (none listed): Security Hub RDS.20 accepts it,
// and Prowler's rds_instance_critical_event_subscription accepts only all or exactly its three.
var eventSubscriptions = []struct {
	role, sourceType string
	categories       []string
}{
	{"instance-events", "db-instance", nil},
	{"parameter-group-events", "db-parameter-group", baseline.EventCategories["db-parameter-group"]},
	{"security-group-events", "db-security-group", baseline.EventCategories["db-security-group"]},
}

// logAlerts are the security events counted in the exported logs. A failed IAM sign-in shows in
// the postgresql log as "PAM authentication failed" and in the iam-db-auth-error log with its reason
// (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.Troubleshooting.html).
var logAlerts = []struct {
	metric, logType, pattern, description string
}{
	{"FailedAuthentication", "postgresql", `?"password authentication failed" ?"PAM authentication failed" ?"no pg_hba.conf entry"`, "failed sign-ins: wrong password or IAM token, or a refused host"},
	{"FailedIAMAuthentication", "iam-db-auth-error", "", "failed IAM sign-ins, with the reason IAM gives"},
	{"PermissionDenied", "postgresql", `"permission denied"`, "statements refused for lack of privilege"},
	{"RoleChanges", "postgresql", `"AUDIT: SESSION" ",ROLE,"`, "pgAudit ROLE statements: roles created, altered, granted or dropped"},
}

var (
	emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
)

// defaultConnections is 80% of the max_connections RDS gives PostgreSQL by default,
// LEAST({DBInstanceClassMemory/9531392}, 5000)
// (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.MaxConnections).
func defaultConnections(instanceClass string, serverlessMaxAcu float64) int {
	mem, ok := dbInstanceClassMemory(instanceClass)
	if serverlessMaxAcu > 0 {
		// An ACU is 2 GiB, and Serverless v2 sizes max_connections for the maximum capacity
		// (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.setting-capacity.html).
		mem, ok = reservedFrom(int64(serverlessMaxAcu*2*(1<<30))), true
	}
	if !ok {
		return 0
	}
	return int(float64(min(mem/9531392, 5000)) * 0.8)
}

// dbInstanceClassMemory estimates DBInstanceClassMemory: the class's memory less what RDS keeps
// for the operating system and its own processes. AWS documents the subtraction, not its size
// (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ParamValuesRef.html); published
// SHOW max_connections readings (2 GiB: 198, 4 GiB: 413, 8 GiB: 856, 15.25 GiB: 1660) fit a
// reservation of about 5% and never under 256 MiB. The estimate errs low, so the alarm fires early.
func dbInstanceClassMemory(instanceClass string) (int64, bool) {
	gib, ok := baseline.InstanceClassMemoryGiB(instanceClass)
	if !ok {
		return 0, false
	}
	return reservedFrom(int64(gib * (1 << 30))), true
}

// reservedFrom is memory less RDS's reservation (see dbInstanceClassMemory).
func reservedFrom(nominal int64) int64 { return nominal - max(nominal/20, 256<<20) }

// withDefaults fills the thresholds, derived from the instance's class and storage.
func (a AlertSettings) withDefaults(instanceClass string, allocatedStorageGB int, serverlessMaxAcu float64) AlertSettings {
	d := a
	if d.CPUPercent == 0 {
		d.CPUPercent = DefaultAlertCPUPercent
	}
	if d.FreeStorageGB == 0 {
		d.FreeStorageGB = max(allocatedStorageGB/10, 2)
	}
	if d.Connections == 0 {
		d.Connections = defaultConnections(instanceClass, serverlessMaxAcu)
	}
	return d
}

func (a *AlertsArgs) check(p *problems) {
	if a.Identifier == "" {
		p.add("Identifier", a.Identifier, "required: the RDS instance identifier")
	}
	for _, r := range []struct {
		name string
		set  bool
	}{{"ParameterGroupName", a.ParameterGroupName != nil}, {"TopicKeyArn", a.TopicKeyArn != nil}, {"PostgresLogGroupName", a.PostgresLogGroupName != nil}} {
		if !r.set {
			p.add(r.name, "", "required")
		}
	}
	if _, known := baseline.InstanceClassMemoryGiB(a.InstanceClass); !known && a.Connections == 0 && a.ServerlessMaxAcu == 0 {
		p.add("InstanceClass", a.InstanceClass, "not a DB instance class RDS offers for PostgreSQL, so no connections threshold can be derived; give {Connections}")
	}
	refuseSkip(p, a.Skip, "Alerts")
	a.AlertSettings.check(p)
}

// check reports the problems of settings with their defaults applied. A Connections still 0 has
// no default (an instance class RDS does not offer): the instance's settings report that.
func (a *AlertSettings) check(p *problems) {
	if a.CPUPercent < 1 || a.CPUPercent > 100 {
		p.add("CPUPercent", a.CPUPercent, "want 1 to 100")
	}
	if a.FreeStorageGB < 1 {
		p.add("FreeStorageGB", a.FreeStorageGB, "want 1 or more")
	}
	if a.Connections < 0 {
		p.add("Connections", a.Connections, "want 1 or more")
	}
	for i, e := range a.Emails {
		if !emailPattern.MatchString(e) {
			p.add(fmt.Sprintf("Emails[%d]", i), e, "want an e-mail address")
		}
	}
	for i, e := range a.HTTPSEndpoints {
		field := fmt.Sprintf("HTTPSEndpoints[%d]", i)
		switch known := e.(type) {
		case nil:
			p.add(field, nil, "want an https:// URL")
		case pulumi.String:
			if problem := httpsEndpointProblem(string(known)); problem != "" {
				p.add(field, string(known), "%s", problem)
			}
		}
	}
}

// httpsEndpointProblem says what is wrong with a webhook URL, or nothing.
func httpsEndpointProblem(url string) string {
	if !strings.HasPrefix(url, "https://") {
		return "want an https:// URL (plain http would carry alerts unencrypted)"
	}
	return ""
}

// NewAlerts creates the topic, its subscriptions, the RDS event subscriptions, the log metric
// filters and the alarms.
func NewAlerts(ctx *pulumi.Context, name string, args *AlertsArgs, opts ...pulumi.ResourceOption) (*Alerts, error) {
	if args == nil {
		args = &AlertsArgs{}
	}
	a := *args
	a.AlertSettings = a.withDefaults(a.InstanceClass, a.AllocatedStorageGB, a.ServerlessMaxAcu)
	var p problems
	a.check(&p)
	if err := p.err(); err != nil {
		return nil, fmt.Errorf("hardenedpg.NewAlerts %q: %w", name, err)
	}
	// The account and region come from the provider the component gets: looked up once it is registered.
	return newAlerts(ctx, name, &a, awsEnv{}, opts...)
}

func newAlerts(ctx *pulumi.Context, name string, a *AlertsArgs, env awsEnv, opts ...pulumi.ResourceOption) (*Alerts, error) {
	c := &Alerts{
		EventSubscriptions: map[string]*rds.EventSubscription{},
		MetricFilters:      map[string]*cloudwatch.LogMetricFilter{},
		Alarms:             map[string]*cloudwatch.MetricAlarm{},
	}
	env, err := registered(ctx, AlertsType, name, c, env, opts...)
	if err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)
	tags := pulumi.StringMap(a.Tags)
	topic, err := sns.NewTopic(ctx, name+"-topic", &sns.TopicArgs{
		DisplayName:    pulumi.String("hardenedpg " + a.Identifier),
		KmsMasterKeyId: a.TopicKeyArn,
		Tags:           tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	c.Topic, c.TopicArn = topic, topic.Arn
	// The policy writes the topic's ARN from its name, which the provider makes before AWS is
	// called, so a first preview knows the policy (AWS's ARN is only known once the topic exists).
	policy := topic.Name.ApplyT(func(name string) string {
		arn := env.arnOf("sns", name)
		return PolicyDocument{Statement: []PolicyStatement{
			{
				Sid: "PublishFromThisAccountsAlarmsAndEvents", Effect: "Allow",
				Principal: &Principal{Service: AlertPublishers}, Action: []string{"sns:Publish"}, Resource: []string{arn},
				Condition: map[string]map[string][]string{"StringEquals": {"aws:SourceAccount": {env.AccountID}}},
			},
			{
				Sid: "DenyUnencryptedTransport", Effect: "Deny",
				Principal: &Principal{AWS: []string{"*"}}, Action: []string{"sns:Publish", "sns:Subscribe"}, Resource: []string{arn},
				Condition: map[string]map[string][]string{"Bool": {"aws:SecureTransport": {"false"}}},
			},
		}}.JSON()
	}).(pulumi.StringOutput)
	if _, err := sns.NewTopicPolicy(ctx, name+"-topic-policy", &sns.TopicPolicyArgs{Arn: topic.Arn, Policy: policy}, parent); err != nil {
		return nil, err
	}
	for i, e := range a.Emails {
		if _, err := sns.NewTopicSubscription(ctx, fmt.Sprintf("%s-email-%d", name, i), &sns.TopicSubscriptionArgs{
			Topic: topic.Arn, Protocol: pulumi.String("email"), Endpoint: pulumi.String(e),
		}, parent); err != nil {
			return nil, err
		}
	}
	for i, e := range a.HTTPSEndpoints {
		// Checked again once known (an output is not known above); the value stays out of the error.
		endpoint := e.ToStringOutput().ApplyT(func(url string) (string, error) {
			if problem := httpsEndpointProblem(url); problem != "" {
				return "", fmt.Errorf("hardenedpg.NewAlerts %q: HTTPSEndpoints[%d] = [secret]: %s", name, i, problem)
			}
			return url, nil
		}).(pulumi.StringOutput)
		if _, err := sns.NewTopicSubscription(ctx, fmt.Sprintf("%s-https-%d", name, i), &sns.TopicSubscriptionArgs{
			// Webhook URLs usually carry their token: kept encrypted in the state.
			Topic: topic.Arn, Protocol: pulumi.String("https"), Endpoint: pulumi.ToSecret(endpoint).(pulumi.StringOutput),
		}, parent); err != nil {
			return nil, err
		}
	}
	subscriptions := eventSubscriptions
	if a.aurora() {
		// The cluster's own events (failover, failure, maintenance: events-cluster), every category.
		subscriptions = append(slices.Clone(subscriptions), eventSubscriptions[0])
		subscriptions[len(subscriptions)-1].role, subscriptions[len(subscriptions)-1].sourceType = "cluster-events", "db-cluster"
	}
	for _, s := range subscriptions {
		var sources pulumi.StringArrayInput
		switch s.sourceType {
		case "db-instance":
			sources = pulumi.ToStringArray(append([]string{a.Identifier}, a.ReplicaIdentifiers...))
			if a.aurora() {
				sources = pulumi.ToStringArray(a.InstanceIdentifiers)
			}
		case "db-cluster":
			sources = pulumi.StringArray{pulumi.String(a.Identifier)}
		case "db-parameter-group":
			sources = pulumi.StringArray{a.ParameterGroupName}
		}
		sub, err := rds.NewEventSubscription(ctx, name+"-"+s.role, &rds.EventSubscriptionArgs{
			SnsTopic: topic.Arn, SourceType: pulumi.String(s.sourceType), SourceIds: sources,
			EventCategories: pulumi.ToStringArray(s.categories), Enabled: pulumi.Bool(true), Tags: tags,
		}, parent, pulumi.DependsOn(a.WaitFor))
		if err != nil {
			return nil, err
		}
		c.EventSubscriptions[s.sourceType] = sub
	}
	if a.SecurityGroupID != nil {
		groups := pulumi.StringArray{a.SecurityGroupID}
		if a.ProxySecurityGroupID != nil {
			groups = append(groups, a.ProxySecurityGroupID)
		}
		c.SecurityGroupRule, err = cloudwatch.NewEventRule(ctx, name+"-security-group-changes", &cloudwatch.EventRuleArgs{
			Description:  pulumi.Sprintf("%s: a rule of the database's security group changed", a.Identifier),
			EventPattern: groups.ToStringArrayOutput().ApplyT(securityGroupChangePattern).(pulumi.StringOutput),
			Tags:         tags,
		}, parent)
		if err != nil {
			return nil, err
		}
		if _, err := cloudwatch.NewEventTarget(ctx, name+"-security-group-changes-target", &cloudwatch.EventTargetArgs{
			Rule: c.SecurityGroupRule.Name, Arn: topic.Arn,
		}, parent); err != nil {
			return nil, err
		}
	}
	namespace := fmt.Sprintf(metricNamespaceFormat, a.Identifier)
	actions := pulumi.Array{topic.Arn}
	logGroups := map[string]pulumi.StringInput{"postgresql": a.PostgresLogGroupName, "iam-db-auth-error": a.IAMAuthErrorLogGroupName}
	for _, l := range logAlerts {
		if logGroups[l.logType] == nil {
			continue // an Alerts used alone may not be given the IAM log
		}
		filter, err := cloudwatch.NewLogMetricFilter(ctx, name+"-"+strings.ToLower(l.metric)+"-filter", &cloudwatch.LogMetricFilterArgs{
			LogGroupName: logGroups[l.logType],
			Pattern:      pulumi.String(l.pattern),
			MetricTransformation: cloudwatch.LogMetricFilterMetricTransformationArgs{
				Name: pulumi.String(l.metric), Namespace: pulumi.String(namespace), Value: pulumi.String("1"), DefaultValue: pulumi.String("0"),
			},
		}, parent)
		if err != nil {
			return nil, err
		}
		c.MetricFilters[l.metric] = filter
		alarm, err := cloudwatch.NewMetricAlarm(ctx, name+"-"+strings.ToLower(l.metric)+"-alarm", &cloudwatch.MetricAlarmArgs{
			AlarmDescription: pulumi.Sprintf("%s: %s", a.Identifier, l.description),
			Namespace:        pulumi.String(namespace), MetricName: pulumi.String(l.metric),
			Statistic: pulumi.String("Sum"), Period: pulumi.Int(300), EvaluationPeriods: pulumi.Int(1),
			ComparisonOperator: pulumi.String("GreaterThanOrEqualToThreshold"), Threshold: pulumi.Float64(1),
			TreatMissingData: pulumi.String("notBreaching"), AlarmActions: actions, OkActions: actions, Tags: tags,
		}, pulumi.Parent(c), pulumi.DependsOn([]pulumi.Resource{filter}))
		if err != nil {
			return nil, err
		}
		c.Alarms[l.metric] = alarm
	}
	for _, m := range a.metricAlarms() {
		dimensions := pulumi.StringMap{m.dimension: pulumi.String(m.of)}
		alarm, err := cloudwatch.NewMetricAlarm(ctx, m.resourceName(name), &cloudwatch.MetricAlarmArgs{
			AlarmDescription: pulumi.Sprintf("%s: %s", m.of, m.description),
			Namespace:        pulumi.String("AWS/RDS"), MetricName: pulumi.String(m.metric), Dimensions: dimensions,
			Statistic: pulumi.String(m.statistic), Period: pulumi.Int(300), EvaluationPeriods: pulumi.Int(m.periods),
			ComparisonOperator: pulumi.String(m.operator), Threshold: pulumi.Float64(m.threshold),
			TreatMissingData: pulumi.String(m.treatMissingData()), AlarmActions: actions, OkActions: actions, Tags: tags,
		}, parent)
		if err != nil {
			return nil, err
		}
		c.Alarms[m.key()] = alarm
	}
	if err := registerOutputs(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// aurora says whether the alerts watch an Aurora cluster.
func (a *AlertsArgs) aurora() bool { return len(a.InstanceIdentifiers) > 0 }

// metricAlarm is one CloudWatch alarm on an RDS metric of an instance or cluster.
type metricAlarm struct {
	metric, operator, description, statistic string
	// dimension and of name what the metric is of: DBInstanceIdentifier or DBClusterIdentifier.
	dimension, of string
	threshold     float64
	periods       int
	// perInstance alarms are named by their instance, there being one per instance of a cluster.
	perInstance bool
	// missingIsFine treats no data as OK: a metric only some instances report.
	missingIsFine bool
}

// treatMissingData: a metric that stops is a database that stopped reporting, unless only some
// instances report it.
func (m metricAlarm) treatMissingData() string {
	if m.missingIsFine {
		return "notBreaching"
	}
	return "breaching"
}

func (m metricAlarm) key() string {
	if m.perInstance {
		return m.metric + "/" + m.of
	}
	return m.metric
}

func (m metricAlarm) resourceName(component string) string {
	if m.perInstance {
		return fmt.Sprintf("%s-%s-%s-alarm", component, m.of, strings.ToLower(m.metric))
	}
	return fmt.Sprintf("%s-%s-alarm", component, strings.ToLower(m.metric))
}

// metricAlarms are the alarms on the RDS metrics: CPU, connections and free storage of an
// instance; for an Aurora cluster CPU, connections and freeable memory (or Serverless v2
// capacity) of each instance, and the replicas' lag behind the writer
// (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html).
func (a *AlertsArgs) metricAlarms() []metricAlarm {
	cpu := func(of string, perInstance bool) metricAlarm {
		return metricAlarm{"CPUUtilization", "GreaterThanThreshold", fmt.Sprintf("CPU above %d%% for 15 minutes", a.CPUPercent), "Average", "DBInstanceIdentifier", of, float64(a.CPUPercent), 3, perInstance, false}
	}
	connections := func(of string, perInstance bool) metricAlarm {
		return metricAlarm{"DatabaseConnections", "GreaterThanThreshold", fmt.Sprintf("more than %d connections for 10 minutes", a.Connections), "Average", "DBInstanceIdentifier", of, float64(a.Connections), 2, perInstance, false}
	}
	replicaLag := func(of string, perInstance bool) metricAlarm {
		return metricAlarm{"ReplicaLag", "GreaterThanThreshold", fmt.Sprintf("more than %d seconds behind its source for 15 minutes", readReplicaLagSeconds), "Maximum", "DBInstanceIdentifier", of, readReplicaLagSeconds, 3, perInstance, false}
	}
	freeStorage := func(of string, perInstance bool) metricAlarm {
		return metricAlarm{"FreeStorageSpace", "LessThanThreshold", fmt.Sprintf("less than %d GB of storage free", a.FreeStorageGB), "Average", "DBInstanceIdentifier", of, float64(a.FreeStorageGB) * (1 << 30), 1, perInstance, false}
	}
	if !a.aurora() {
		out := []metricAlarm{cpu(a.Identifier, false), freeStorage(a.Identifier, false), connections(a.Identifier, false)}
		if a.ReadReplica {
			out = append(out, replicaLag(a.Identifier, false))
		}
		for _, id := range a.ReplicaIdentifiers {
			out = append(out, cpu(id, true), freeStorage(id, true), connections(id, true), replicaLag(id, true))
		}
		return out
	}
	if a.MultiAZCluster {
		var out []metricAlarm
		for _, id := range a.InstanceIdentifiers {
			// The writer reports no lag, and which instance writes changes with each failover.
			out = append(out, cpu(id, true), freeStorage(id, true), connections(id, true),
				metricAlarm{"ReplicaLag", "GreaterThanThreshold", fmt.Sprintf("as a reader, more than %d seconds behind the writer for 15 minutes", multiAZReplicaLagSeconds), "Maximum", "DBInstanceIdentifier", id, multiAZReplicaLagSeconds, 3, true, true})
		}
		return out
	}
	var out []metricAlarm
	for _, id := range a.InstanceIdentifiers {
		out = append(out, cpu(id, true), connections(id, true))
		if a.ServerlessMaxAcu > 0 {
			out = append(out, metricAlarm{"ServerlessDatabaseCapacity", "GreaterThanOrEqualToThreshold", fmt.Sprintf("at 90%% of the %v ACU maximum for 15 minutes", a.ServerlessMaxAcu), "Average", "DBInstanceIdentifier", id, a.ServerlessMaxAcu * 0.9, 3, true, false})
		} else if mem, ok := dbInstanceClassMemory(a.InstanceClass); ok {
			out = append(out, metricAlarm{"FreeableMemory", "LessThanThreshold", "less than a tenth of its memory free for 15 minutes", "Average", "DBInstanceIdentifier", id, float64(mem / 10), 3, true, false})
		}
	}
	if len(a.InstanceIdentifiers) > 1 {
		out = append(out, metricAlarm{"AuroraReplicaLagMaximum", "GreaterThanThreshold", fmt.Sprintf("a reader more than %d ms behind the writer for 15 minutes", auroraReplicaLagMillis), "Maximum", "DBClusterIdentifier", a.Identifier, auroraReplicaLagMillis, 3, false, false})
	}
	return out
}

// readReplicaLagSeconds is the lag that alarms on a read replica: replication is asynchronous, and
// a long report may hold replay back (max_standby_streaming_delay), but five minutes behind is
// stale data served as current.
const readReplicaLagSeconds = 300

// multiAZReplicaLagSeconds is the replica lag that alarms on a Multi-AZ DB cluster: a write commits
// once one reader has it (semisynchronous), so a reader a minute behind serves stale reads and
// would take longer to fail over to.
const multiAZReplicaLagSeconds = 60

// auroraReplicaLagMillis is the replica lag that alarms: Aurora readers share the writer's
// volume and usually lag by tens of milliseconds, so a second means a reader serves stale reads.
const auroraReplicaLagMillis = 1000
