// Package baseline is the control catalog of hardenedpg as Go data: every control that public
// scanners (AWS Security Hub, Prowler, Checkov, CIS) apply to an RDS for PostgreSQL stack, with a
// stable key that waivers name. It needs no Pulumi engine.
package baseline

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
)

// Severity ranks a control the way Security Hub does.
type Severity string

// Severities used by the catalog.
const (
	Critical Severity = "critical"
	High     Severity = "high"
	Medium   Severity = "medium"
	Low      Severity = "low"
)

// Refs are the IDs of a control in the public catalogs (see Tools). cdk-nag checks are named by
// rule, e.g. RDSStorageEncrypted, which each of its packs reports under its own ID.
type Refs struct {
	SecurityHub        []string `json:"securityHub"`
	Prowler            []string `json:"prowler"`
	Checkov            []string `json:"checkov"`
	CIS                []string `json:"cis"`
	CdkNag             []string `json:"cdkNag,omitempty"`
	Awsguard           []string `json:"awsguard,omitempty"`
	CompliancePolicies []string `json:"compliancePolicies,omitempty"`
}

// Resource type tokens the catalog reads.
const (
	TypeInstance           = "aws:rds/instance:Instance"
	TypeCluster            = "aws:rds/cluster:Cluster"
	TypeClusterInstance    = "aws:rds/clusterInstance:ClusterInstance"
	TypeClusterParameters  = "aws:rds/clusterParameterGroup:ClusterParameterGroup"
	TypeParameterGroup     = "aws:rds/parameterGroup:ParameterGroup"
	TypeSubnetGroup        = "aws:rds/subnetGroup:SubnetGroup"
	TypeKey                = "aws:kms/key:Key"
	TypeSecurityGroup      = "aws:ec2/securityGroup:SecurityGroup"
	TypeIngressRule        = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
	TypeEgressRule         = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
	TypeSecurityGroupRule  = "aws:ec2/securityGroupRule:SecurityGroupRule"
	TypeLogGroup           = "aws:cloudwatch/logGroup:LogGroup"
	TypeSubscriptionFilter = "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter"
	TypeRole               = "aws:iam/role:Role"
	TypeRolePolicy         = "aws:iam/rolePolicy:RolePolicy"
	TypePolicy             = "aws:iam/policy:Policy"
	TypeEventSubscription  = "aws:rds/eventSubscription:EventSubscription"
	TypeBackupSelection    = "aws:backup/selection:Selection"
	TypeBackupVault        = "aws:backup/vault:Vault"
	TypeBackupVaultLock    = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"
	TypeProxy              = "aws:rds/proxy:Proxy"
	TypeTopic              = "aws:sns/topic:Topic"
	TypeTopicSubscription  = "aws:sns/topicSubscription:TopicSubscription"
	TypeEventRule          = "aws:cloudwatch/eventRule:EventRule"
	TypeEventTarget        = "aws:cloudwatch/eventTarget:EventTarget"
	TypeBucket             = "aws:s3/bucketV2:BucketV2"
	TypeBucketVersioning   = "aws:s3/bucketVersioningV2:BucketVersioningV2"
	TypeBucketObjectLock   = "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2"
	TypeBucketEncryption   = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	TypeBucketPublicAccess = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	TypeBucketPolicy       = "aws:s3/bucketPolicy:BucketPolicy"
	TypeFirehose           = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"
	TypeBackupReplication  = "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication"
	TypeSnapshotCopy       = "aws:rds/snapshotCopy:SnapshotCopy"
	TypeSnapshot           = "aws:rds/snapshot:Snapshot"
	TypeClusterSnapshot    = "aws:rds/clusterSnapshot:ClusterSnapshot"
	TypeSecret             = "aws:secretsmanager/secret:Secret"
	TypeSecretVersion      = "aws:secretsmanager/secretVersion:SecretVersion"
	TypeSecretRotation     = "aws:secretsmanager/secretRotation:SecretRotation"
	TypeRandomPassword     = "random:index/randomPassword:RandomPassword"
	TypeServerlessStack    = "aws:serverlessrepository/cloudFormationStack:CloudFormationStack"
	TypeTrail              = "aws:cloudtrail/trail:Trail"
	TypeBackupPlan         = "aws:backup/plan:Plan"
	TypeKeyAlias           = "aws:kms/alias:Alias"
	TypeKeyGrant           = "aws:kms/grant:Grant"
	TypeTopicPolicy        = "aws:sns/topicPolicy:TopicPolicy"
	TypeBucketOwnership    = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	TypeBucketLifecycle    = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
	TypeRolePolicyAttach   = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	TypeMetricAlarm        = "aws:cloudwatch/metricAlarm:MetricAlarm"
	TypeLogMetricFilter    = "aws:cloudwatch/logMetricFilter:LogMetricFilter"
	TypeRandomID           = "random:index/randomId:RandomId"
	// The network a program may create around the database: the private-subnet proof reads it.
	TypeVpc                   = "aws:ec2/vpc:Vpc"
	TypeSubnet                = "aws:ec2/subnet:Subnet"
	TypeRouteTable            = "aws:ec2/routeTable:RouteTable"
	TypeRoute                 = "aws:ec2/route:Route"
	TypeRouteTableAssociation = "aws:ec2/routeTableAssociation:RouteTableAssociation"
	TypeInternetGateway       = "aws:ec2/internetGateway:InternetGateway"
	TypeNatGateway            = "aws:ec2/natGateway:NatGateway"
	TypeFlowLog               = "aws:ec2/flowLog:FlowLog"
)

// Invoke tokens of the look-ups the components make and the checks read.
const (
	InvokeCallerIdentity = "aws:index/getCallerIdentity:getCallerIdentity"
	InvokeRegion         = "aws:index/getRegion:getRegion"
	InvokePartition      = "aws:index/getPartition:getPartition"
	InvokeSubnet         = "aws:ec2/getSubnet:getSubnet"
	InvokeRouteTable     = "aws:ec2/getRouteTable:getRouteTable"
	InvokeVpc            = "aws:ec2/getVpc:getVpc"
	// The restore look-ups: what a database is restored from.
	InvokeDBInstance      = "aws:rds/getInstance:getInstance"
	InvokeDBCluster       = "aws:rds/getCluster:getCluster"
	InvokeSnapshot        = "aws:rds/getSnapshot:getSnapshot"
	InvokeClusterSnapshot = "aws:rds/getClusterSnapshot:getClusterSnapshot"
)

// Control is one entry of the catalog.
type Control struct {
	Key      string
	Title    string
	Severity Severity
	Refs     Refs
	// Reads lists the resource types the control inspects; a stack with none of them makes the
	// control not applicable.
	Reads []string
	// Waivable is false for controls no reason can relax (encryption, public access).
	Waivable bool
	// Runtime says what of the control's evidence changes at run time, outside any stack; the
	// not-applicable detail of a plan without it says the live audit judges it.
	Runtime string
	// LiveOnly controls are judged on a live account only (Graph.Live): a plan cannot hold their
	// evidence at all.
	LiveOnly bool

	// check judges the control on a graph that has some of Reads.
	check check
}

// Catalog is every control, by domain: each domain's file (controls_<domain>.go) holds its
// controls with their checks, one row each.
var Catalog = slices.Concat(rdsControls, pgControls, kmsControls, iamControls, networkControls, flowLogControls, logsControls, alertsControls, backupControls, archiveControls, proxyControls, liveControls)

// Lookup returns the control with the given key.
func Lookup(key string) (Control, bool) {
	for _, c := range Catalog {
		if c.Key == key {
			return c, true
		}
	}
	return Control{}, false
}

// PackWaiversPolicy is the policy of the policy pack (./policy) whose config holds waivers:
// {"hardenedpg-waivers": {"waivers": {"<control key>": "<reason>"}}}.
const PackWaiversPolicy = "hardenedpg-waivers"

// PackWaivers reads the config of the pack's waivers policy ({"waivers": {...}}), refusing what a
// stack's hardenedpg:waivers refuses; the live audit reads the same file.
func PackWaivers(config map[string]any) (Waivers, error) {
	raw, _ := config["waivers"].(map[string]any)
	waivers := Waivers{}
	var problems []string
	for key, v := range raw {
		reason, ok := v.(string)
		if !ok {
			problems = append(problems, fmt.Sprintf("%s.waivers[%q] = %v: want a string, the reason", PackWaiversPolicy, key, v))
			continue
		}
		waivers[key] = reason
	}
	for _, p := range waivers.Problems() {
		problems = append(problems, fmt.Sprintf("%s.waivers[%q]: %s", PackWaiversPolicy, p.Key, p.Problem))
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	return waivers, nil
}

// Waivers maps a control key to the reason it is relaxed. A waiver is the only way to relax a
// hardened default; it is applied and reported as "waived" with its reason.
//
// A key "<control>/<resource>" (WaiverKey) relaxes the control for one resource only, named by
// its name or URN as the scorecard's rows name it, or by a component it belongs to: the same
// weakness of another resource still fails. Like cdk-nag's resource suppressions, it is for the
// scorecard, the policy pack and the live audit; a component's own Waivers already cover only
// that component, and take control keys alone.
type Waivers map[string]string

// WaiverKey is the key of a waiver of control for one resource (a name or a URN).
func WaiverKey(control, resource string) string { return control + "/" + resource }

// SplitWaiverKey is the control and the resource of a waiver key; resource is empty for a waiver
// of the whole control. Control keys have no "/", so a URN's own slashes stay in the resource.
func SplitWaiverKey(key string) (control, resource string) {
	control, resource, _ = strings.Cut(key, "/")
	return control, resource
}

// ForResources are the waivers of control that name a resource: resource to reason.
func (w Waivers) ForResources(control string) map[string]string {
	out := map[string]string{}
	for k, reason := range w {
		if c, res := SplitWaiverKey(k); c == control && res != "" {
			out[res] = reason
		}
	}
	return out
}

// WaiverProblem is one waiver that cannot be applied.
type WaiverProblem struct {
	Key, Reason, Problem string
}

// Problems lists every waiver that names no control, names a control that cannot be waived, or
// gives no reason, sorted by key.
func (w Waivers) Problems() []WaiverProblem {
	var out []WaiverProblem
	for _, k := range slices.Sorted(maps.Keys(w)) {
		control, resource := SplitWaiverKey(k)
		c, ok := Lookup(control)
		switch {
		case !ok:
			out = append(out, WaiverProblem{k, w[k], fmt.Sprintf("%q is not a control key; waivable keys: %s", control, strings.Join(WaivableKeys(), ", "))})
		case !c.Waivable:
			out = append(out, WaiverProblem{k, w[k], fmt.Sprintf("control %s (%s) cannot be waived", control, c.Title)})
		case control != k && strings.TrimSpace(resource) == "":
			out = append(out, WaiverProblem{k, w[k], fmt.Sprintf("no resource after %q: name one (%s), or waive the whole control with the key %s", control+"/", WaiverKey(control, "<name or URN>"), control)})
		case strings.TrimSpace(w[k]) == "":
			out = append(out, WaiverProblem{k, w[k], "the reason is empty; say why the control is relaxed"})
		case !visibleLine(w[k]):
			out = append(out, WaiverProblem{k, w[k], "the reason must be one line of visible text: no line breaks, control or invisible characters"})
		}
	}
	return out
}

// blankBraille renders as nothing, yet Unicode neither calls it a space nor default-ignorable.
const blankBraille = '\u2800'

// visibleLine reports whether s has no control, format or invisible character (line breaks,
// terminal escapes, zero-width and bidi characters, and what Unicode lists as default-ignorable:
// the Hangul fillers U+115F, U+1160, U+3164, U+FFA0 among them) and at least one visible one.
func visibleLine(s string) bool {
	visible := false
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) || r == blankBraille {
			return false
		}
		visible = visible || (unicode.IsGraphic(r) && !unicode.IsSpace(r))
	}
	return visible
}

// Has reports whether control key is waived for every resource.
func (w Waivers) Has(key string) bool {
	_, ok := w[key]
	return ok
}

// WaivableKeys lists the keys a waiver may name, in catalog order.
func WaivableKeys() []string {
	var keys []string
	for _, c := range Catalog {
		if c.Waivable {
			keys = append(keys, c.Key)
		}
	}
	return keys
}
