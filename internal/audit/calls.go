package audit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// Call is one AWS API operation the audit makes: its IAM action, and the controls whose evidence
// it returns. When the call fails, those controls are unproven, never passed or failed on what
// was not read. TestEveryCallNamesTheControlsItFeeds breaks each call in turn to hold this table
// to what the controls read.
type Call struct {
	// Action is the IAM action, "rds:DescribeDBInstances"; the operation has the same name.
	Action   string
	Controls []string
}

// Calls is every call the audit makes, in the order of the read. readonly-policy.json allows
// exactly these actions (TestThePolicyAllowsEveryCallAndNoWrite).
var Calls = []Call{
	{"sts:GetCallerIdentity", nil},
	// An instance is its own database, listed or not; an Aurora cluster's instances are listed
	// here, and what they lead to (their groups, roles, alarms, events) with them.
	{"rds:DescribeDBInstances", append([]string{"rds-not-public", "rds-multi-az", "rds-enhanced-monitoring", "rds-minor-upgrades", "rds-ca-cert",
		"rds-performance-insights", "rds-tags", "events-instance", "events-parameter-group", "alarm-actions", "alarms-present"}, append(pgControls, iamControls...)...)},
	{"rds:DescribeDBClusters", nil},
	{"rds:DescribeDBParameterGroups", append([]string{"rds-tags", "events-parameter-group"}, pgControls...)},
	{"rds:DescribeDBParameters", pgControls},
	{"rds:DescribeDBClusterParameterGroups", append([]string{"rds-tags", "events-parameter-group"}, pgControls...)},
	{"rds:DescribeDBClusterParameters", pgControls},
	{"rds:DescribeDBSubnetGroups", []string{"rds-private-subnets", "rds-in-vpc", "vpc-flow-logs"}},
	{"rds:ListTagsForResource", []string{"rds-tags"}},
	{"ec2:DescribeRouteTables", []string{"rds-private-subnets"}},
	{"ec2:DescribeFlowLogs", append([]string{"vpc-flow-logs", "logs-cmk", "logs-retention", "rds-tags"}, iamControls...)},
	{"ec2:DescribeSecurityGroups", []string{"sg-no-cidr-ingress", "sg-no-open-egress", "sg-descriptions", "rds-tags", "events-security-group"}},
	{"ec2:DescribeSecurityGroupRules", []string{"sg-no-cidr-ingress", "sg-no-open-egress", "sg-descriptions", "rds-tags"}},
	{"kms:DescribeKey", kmsControls},
	{"kms:GetKeyPolicy", kmsControls},
	{"kms:GetKeyRotationStatus", kmsControls},
	{"kms:ListResourceTags", kmsControls},
	{"kms:ListGrants", []string{"kms-grants-scoped", "proxy-role-scoped"}},
	{"logs:DescribeLogGroups", []string{"logs-cmk", "logs-retention", "logs-shipped", "rds-tags", "alarm-actions", "alarms-present", "vpc-flow-logs"}},
	{"logs:ListTagsForResource", []string{"rds-tags"}},
	{"logs:DescribeSubscriptionFilters", []string{"logs-shipped"}},
	{"logs:DescribeMetricFilters", []string{"alarm-actions", "alarms-present"}},
	{"cloudwatch:DescribeAlarms", []string{"alarm-actions", "alarms-present", "rds-tags"}},
	{"cloudwatch:ListTagsForResource", []string{"rds-tags"}},
	{"rds:DescribeEventSubscriptions", []string{"events-instance", "events-cluster", "events-parameter-group", "events-security-group", "rds-tags"}},
	{"events:ListRules", []string{"events-security-group"}},
	{"events:ListTargetsByRule", []string{"events-security-group"}},
	{"events:ListTagsForResource", []string{"rds-tags"}},
	{"cloudtrail:DescribeTrails", []string{"events-security-group"}},
	{"cloudtrail:GetTrailStatus", []string{"events-security-group"}},
	{"cloudtrail:GetEventSelectors", []string{"events-security-group"}},
	{"sns:GetTopicAttributes", snsControls},
	{"sns:ListSubscriptionsByTopic", snsControls},
	{"sns:ListTagsForResource", []string{"rds-tags"}},
	{"rds:DescribeDBProxies", proxyControls},
	{"rds:DescribeDBProxyTargets", proxyControls},
	{"iam:GetRole", iamControls},
	{"iam:ListRolePolicies", iamControls},
	{"iam:GetRolePolicy", iamControls},
	{"iam:ListAttachedRolePolicies", iamControls},
	{"secretsmanager:DescribeSecret", []string{"rds-managed-password", "rds-secret-rotation"}},
	{"secretsmanager:ListSecrets", []string{"rds-managed-password", "rds-secret-rotation"}},
	{"backup:ListBackupPlans", backupControls},
	{"backup:GetBackupPlan", backupControls},
	{"backup:ListBackupSelections", selectionControls},
	{"backup:GetBackupSelection", selectionControls},
	{"backup:DescribeBackupVault", backupControls},
	{"backup:ListTags", []string{"rds-tags"}},
	{"rds:DescribeDBInstanceAutomatedBackups", []string{"backup-independent-copy"}},
	{"rds:DescribeDBSnapshots", snapshotControls},
	{"rds:DescribeDBSnapshotAttributes", []string{"snapshots-private"}},
	{"rds:DescribeDBClusterSnapshots", snapshotControls},
	{"rds:DescribeDBClusterSnapshotAttributes", []string{"snapshots-private"}},
	// With -regions all, each account's enabled Regions; an account it fails for is not read.
	{"ec2:DescribeRegions", nil},
}

// The controls a read of one kind feeds, whatever resource it is read for.
var (
	snapshotControls = []string{"snapshots-private", "snapshots-stack-key"}
	pgControls       = []string{"pg-force-ssl", "pg-tls-min", "pg-scram", "pg-connection-logging", "pg-statement-logging", "pg-log-redaction", "pg-audit", "pg-family-matches"}
	kmsControls      = []string{"kms-rotation", "kms-policy", "kms-grants-scoped", "kms-deletion-window", "kms-key-hygiene", "rds-cmk", "snapshots-stack-key", "rds-managed-password", "rds-performance-insights", "logs-cmk", "sns-cmk", "backup-vault-cmk", "backup-independent-copy", "alarm-actions", "events-instance", "events-cluster", "events-parameter-group", "events-security-group", "rds-tags"}
	snsControls      = []string{"sns-cmk", "sns-topic-policy", "sns-subscriptions-tls", "alarm-actions", "events-instance", "events-cluster", "events-parameter-group", "events-security-group", "rds-tags"}
	proxyControls    = []string{"proxy-tls", "proxy-iam-auth", "proxy-no-debug-logging", "proxy-role-scoped", "sg-no-cidr-ingress", "sg-no-open-egress", "sg-descriptions", "rds-tags", "iam-no-kms-star", "iam-scoped-writes", "iam-managed-policies", "iam-trust-scoped", "iam-no-sensitive-reads", "kms-grants-scoped"}
	// A grant is judged by the role it goes to.
	iamControls = []string{"kms-grants-scoped", "proxy-role-scoped", "iam-no-kms-star", "iam-scoped-writes", "iam-managed-policies", "iam-trust-scoped", "iam-no-sensitive-reads", "rds-tags"}
	// A plan leads to its selections, their role and its vaults.
	backupControls = append([]string{"backup-vault-cmk", "backup-vault-lock"}, selectionControls...)
	// A selection says which plan covers the database, and by which role; the vaults of a plan
	// whose selections could not be read are judged all the same, as possibly the database's.
	selectionControls = []string{"backup-plan", "backup-independent-copy", "rds-tags", "iam-trust-scoped", "iam-managed-policies", "iam-no-kms-star", "iam-scoped-writes", "iam-no-sensitive-reads"}
)

// dropped are the resource types a failed call may leave out of a database's graph: those it
// lists, and (see leadsTo) those found only through them. -compare reports fewer live resources
// than planned only of types no failed call dropped. A call absent here drops none: it reads
// attributes of resources already found (tags, a key's policy), or look-ups.
var dropped = map[string][]string{
	"rds:DescribeDBInstances":                nil, // everything: see unreadTypes
	"rds:DescribeDBParameterGroups":          {baseline.TypeParameterGroup},
	"rds:DescribeDBClusterParameterGroups":   {baseline.TypeClusterParameters},
	"rds:DescribeDBSubnetGroups":             {baseline.TypeSubnetGroup},
	"ec2:DescribeSecurityGroups":             {baseline.TypeSecurityGroup},
	"ec2:DescribeFlowLogs":                   {baseline.TypeFlowLog},
	"ec2:DescribeSecurityGroupRules":         {baseline.TypeIngressRule, baseline.TypeEgressRule},
	"kms:DescribeKey":                        {baseline.TypeKey},
	"kms:ListGrants":                         {baseline.TypeKeyGrant},
	"logs:DescribeLogGroups":                 {baseline.TypeLogGroup},
	"logs:DescribeSubscriptionFilters":       {baseline.TypeSubscriptionFilter},
	"logs:DescribeMetricFilters":             {baseline.TypeLogMetricFilter},
	"cloudwatch:DescribeAlarms":              {baseline.TypeMetricAlarm},
	"rds:DescribeEventSubscriptions":         {baseline.TypeEventSubscription},
	"events:ListRules":                       {baseline.TypeEventRule},
	"events:ListTargetsByRule":               {baseline.TypeEventTarget},
	"sns:GetTopicAttributes":                 {baseline.TypeTopic, baseline.TypeTopicPolicy},
	"sns:ListSubscriptionsByTopic":           {baseline.TypeTopicSubscription},
	"rds:DescribeDBProxies":                  {baseline.TypeProxy},
	"rds:DescribeDBProxyTargets":             {TypeProxyTarget},
	"iam:GetRole":                            {baseline.TypeRole},
	"iam:ListRolePolicies":                   {baseline.TypeRolePolicy},
	"iam:GetRolePolicy":                      {baseline.TypeRolePolicy},
	"iam:ListAttachedRolePolicies":           {baseline.TypeRolePolicyAttach},
	"backup:ListBackupPlans":                 {baseline.TypeBackupPlan},
	"backup:GetBackupPlan":                   {baseline.TypeBackupPlan},
	"backup:ListBackupSelections":            {baseline.TypeBackupSelection},
	"backup:GetBackupSelection":              {baseline.TypeBackupSelection},
	"backup:DescribeBackupVault":             {baseline.TypeBackupVault, baseline.TypeBackupVaultLock},
	"rds:DescribeDBInstanceAutomatedBackups": {baseline.TypeBackupReplication},
	"secretsmanager:DescribeSecret":          {baseline.TypeSecret},
	"secretsmanager:ListSecrets":             {baseline.TypeSecret},
	"rds:DescribeDBSnapshots":                {baseline.TypeSnapshot},
	"rds:DescribeDBClusterSnapshots":         {baseline.TypeClusterSnapshot},
}

// leadsTo are the types the audit finds only through a resource of another type: a topic through
// what publishes to it, a role through what assumes it, a key through what it encrypts.
var leadsTo = map[string][]string{
	baseline.TypeEventSubscription: {baseline.TypeTopic},
	baseline.TypeMetricAlarm:       {baseline.TypeTopic},
	baseline.TypeEventRule:         {baseline.TypeEventTarget},
	baseline.TypeEventTarget:       {baseline.TypeTopic},
	baseline.TypeTopic:             {baseline.TypeTopicPolicy, baseline.TypeTopicSubscription, baseline.TypeKey},
	baseline.TypeLogGroup:          {baseline.TypeSubscriptionFilter, baseline.TypeLogMetricFilter, baseline.TypeKey},
	baseline.TypeLogMetricFilter:   {baseline.TypeMetricAlarm},
	baseline.TypeProxy:             {TypeProxyTarget, baseline.TypeRole, baseline.TypeSecurityGroup},
	TypeProxyTarget:                {baseline.TypeProxy},
	baseline.TypeSecurityGroup:     {baseline.TypeIngressRule, baseline.TypeEgressRule, baseline.TypeEventRule},
	baseline.TypeRole:              {baseline.TypeRolePolicy, baseline.TypeRolePolicyAttach, baseline.TypeKeyGrant},
	baseline.TypeKey:               {baseline.TypeKeyGrant},
	baseline.TypeBackupPlan:        {baseline.TypeBackupSelection, baseline.TypeBackupVault},
	baseline.TypeBackupSelection:   {baseline.TypeRole, baseline.TypeBackupPlan, baseline.TypeBackupVault},
	baseline.TypeBackupVault:       {baseline.TypeBackupVaultLock, baseline.TypeKey},
	baseline.TypeBackupReplication: {baseline.TypeKey},
	baseline.TypeSecret:            {baseline.TypeKey},
	baseline.TypeParameterGroup:    {baseline.TypeEventSubscription},
	baseline.TypeSubnetGroup:       {baseline.TypeFlowLog},
	baseline.TypeFlowLog:           {baseline.TypeLogGroup, baseline.TypeRole},
}

// unreadTypes are the types the failed calls may have left out, with what they lead to.
func unreadTypes(failures []Failure) map[string]bool {
	out := map[string]bool{}
	var visit func(typ string)
	visit = func(typ string) {
		if out[typ] {
			return
		}
		out[typ] = true
		for _, next := range leadsTo[typ] {
			visit(next)
		}
	}
	for _, f := range failures {
		types, listed := dropped[f.Action]
		if listed && types == nil {
			types = ReadTypes // the instance listing: every database and what it leads to
		}
		for _, typ := range types {
			visit(typ)
		}
	}
	return out
}

// callOf finds the call of an action.
func callOf(action string) (Call, bool) {
	i := slices.IndexFunc(Calls, func(c Call) bool { return c.Action == action })
	if i < 0 {
		return Call{}, false
	}
	return Calls[i], true
}

// Failure is a call that returned an error: what it was for and what AWS said.
type Failure struct {
	Action string `json:"action"`
	// Target is what the call read: an ARN, a name, or "" for a listing.
	Target string `json:"target"`
	Error  string `json:"error"`
	// Denied says AWS refused it for lack of permission, which the caller can fix.
	Denied bool `json:"denied"`
}

func (f Failure) String() string {
	if f.Target == "" {
		return fmt.Sprintf("%s: %s", f.Action, f.Error)
	}
	return fmt.Sprintf("%s %s: %s", f.Action, f.Target, f.Error)
}

// deniedCodes are the error codes AWS services answer a missing permission with.
var deniedCodes = []string{"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError", "AuthorizationErrorException", "UnrecognizedClientException"}

// failureOf describes err, the answer to action on target: AWS's error code and message, or the
// HTTP status of an answer that carried none (an endpoint that does not implement the call).
func failureOf(action, target string, err error) Failure {
	f := Failure{Action: action, Target: target, Error: err.Error()}
	var apiErr smithy.APIError
	var httpErr *smithyhttp.ResponseError
	switch {
	case errors.As(err, &apiErr):
		f.Error = apiErr.ErrorCode() + ": " + apiErr.ErrorMessage()
		f.Denied = slices.Contains(deniedCodes, apiErr.ErrorCode())
	case errors.As(err, &httpErr) && httpErr.HTTPStatusCode() == http.StatusForbidden:
		f.Error, f.Denied = "HTTP 403: refused, with no AWS error in the answer", true
	case errors.As(err, &httpErr):
		f.Error = fmt.Sprintf("HTTP %d with no AWS error in the answer (the endpoint may not implement the call)", httpErr.HTTPStatusCode())
	}
	return f
}

// callLog records every operation sent, as "service:Operation", through a middleware on every
// client: the test holds it to readonly-policy.json, so the policy is proven by what the audit
// does, not by what the table says.
type callLog struct {
	mu    sync.Mutex
	calls []string
}

func (l *callLog) add(action string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !slices.Contains(l.calls, action) {
		l.calls = append(l.calls, action)
	}
}

// Actions lists what was called, sorted.
func (l *callLog) Actions() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Sorted(slices.Values(l.calls))
}

// iamPrefix maps an SDK service ID to its IAM action prefix where they differ.
var iamPrefix = map[string]string{"cloudwatch logs": "logs", "eventbridge": "events", "secrets manager": "secretsmanager"}

// ActionOf is the IAM action of an SDK operation: "rds:DescribeDBInstances" of service ID "RDS".
func ActionOf(serviceID, operation string) string {
	service := strings.ToLower(serviceID)
	if p, ok := iamPrefix[service]; ok {
		service = p
	}
	return service + ":" + operation
}

func (l *callLog) middleware(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("hardenedpgAuditCallLog",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			l.add(ActionOf(middleware.GetServiceID(ctx), middleware.GetOperationName(ctx)))
			return next.HandleInitialize(ctx, in)
		}), middleware.Before)
}

// withCallLog returns cfg with the log on every client made from it.
func withCallLog(cfg aws.Config, l *callLog) aws.Config {
	cfg = cfg.Copy()
	cfg.APIOptions = append(cfg.APIOptions, l.middleware)
	return cfg
}
