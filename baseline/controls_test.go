package baseline_test

import (
	"encoding/json"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/plan"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/stack"
)

// prodGraph records the prod stack as the plan runs it.
func prodGraph(t *testing.T) *baseline.Graph { return recordedGraph(t, prodVariant) }

// archiveGraph is prod without its central destination: the logs go to a local archive.
func archiveGraph(t *testing.T) *baseline.Graph { return recordedGraph(t, archiveVariant) }

// auroraGraph records the aurora stack: a cluster, its instances and a proxy in front of it.
func auroraGraph(t *testing.T) *baseline.Graph { return recordedGraph(t, auroraVariant) }

// graphOf is the prod graph, or the archive one.
func graphOf(t *testing.T, archive bool) *baseline.Graph {
	if archive {
		return archiveGraph(t)
	}
	return prodGraph(t)
}

type variant int

const (
	prodVariant variant = iota
	archiveVariant
	auroraVariant
	restoreVariant
	// reportingVariant is prod with two read replicas: its master secret is the stack's own.
	reportingVariant
	// multiazVariant is the library's Multi-AZ DB cluster.
	multiazVariant
	// previewed is added to a variant for its first preview: what AWS assigns is unknown.
	previewed variant = 100
)

// previewGraph records a variant as its first `pulumi preview` sees it.
func previewGraph(t *testing.T, v variant) *baseline.Graph { return recordedGraph(t, v+previewed) }

// recordedGraph runs a stack's program once per variant and hands each test its own deep copy,
// which the test may mutate: the program run is most of the package's time, the copy little.
func recordedGraph(t *testing.T, v variant) *baseline.Graph {
	t.Helper()
	recordedMu.Lock()
	defer recordedMu.Unlock()
	g, ok := recordedGraphs[v]
	if !ok {
		name := map[variant]string{auroraVariant: "aurora", restoreVariant: "restore", reportingVariant: "reporting", multiazVariant: "multiaz"}[v%previewed]
		if name == "" {
			name = "prod"
		}
		sc, err := plan.ReadStackConfig("..", name)
		require.NoError(t, err)
		if v%previewed == archiveVariant {
			delete(sc.Values, "hardenedpg:auditDestinationArn")
		}
		m := hardenedpgtest.New()
		if v >= previewed {
			m.PreviewFirst()
		}
		_, err = plan.Run(sc, m, stack.Program)
		require.NoError(t, err)
		g = m.Graph()
		recordedGraphs[v] = g
	}
	return copyGraph(g)
}

var (
	recordedMu     sync.Mutex
	recordedGraphs = map[variant]*baseline.Graph{}
)

func copyGraph(g *baseline.Graph) *baseline.Graph {
	out := &baseline.Graph{NoLookups: g.NoLookups}
	for _, r := range g.Resources {
		r.Inputs, r.Outputs = deepCopy(r.Inputs), deepCopy(r.Outputs)
		r.PropertyDependencies = maps.Clone(r.PropertyDependencies)
		r.DependsOn, r.Aliases = slices.Clone(r.DependsOn), slices.Clone(r.Aliases)
		out.Resources = append(out.Resources, r)
	}
	for _, inv := range g.Invokes {
		inv.Args, inv.Result = deepCopy(inv.Args), deepCopy(inv.Result)
		out.Invokes = append(out.Invokes, inv)
	}
	return out
}

func deepCopy(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	var copyValue func(v any) any
	copyValue = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			c := make(map[string]any, len(x))
			for k, e := range x {
				c[k] = copyValue(e)
			}
			return c
		case []any:
			c := make([]any, len(x))
			for i, e := range x {
				c[i] = copyValue(e)
			}
			return c
		}
		return v
	}
	return copyValue(m).(map[string]any)
}

func failing(results []baseline.Result) []string {
	var keys []string
	for _, r := range results {
		if r.Status == baseline.Fail {
			keys = append(keys, r.Key)
		}
	}
	sort.Strings(keys)
	return keys
}

// first returns a pointer to the first resource of typ whose name has the suffix.
func first(t *testing.T, g *baseline.Graph, typ, nameSuffix string) *baseline.Resource {
	t.Helper()
	for i := range g.Resources {
		r := &g.Resources[i]
		if r.Type == typ && (nameSuffix == "" || len(r.Name) >= len(nameSuffix) && r.Name[len(r.Name)-len(nameSuffix):] == nameSuffix) {
			return r
		}
	}
	t.Fatalf("no %s named *%s", typ, nameSuffix)
	return nil
}

// setParameter sets a parameter of the group, adding it when the group does not set it.
func setParameter(t *testing.T, g *baseline.Graph, name, value string) {
	t.Helper()
	pg := first(t, g, baseline.TypeParameterGroup, "")
	for _, p := range pg.Inputs["parameters"].([]any) {
		if pm := p.(map[string]any); pm["name"] == name {
			pm["value"] = value
			return
		}
	}
	pg.Inputs["parameters"] = append(pg.Inputs["parameters"].([]any), map[string]any{"name": name, "value": value, "applyMethod": "immediate"})
}

// unsetParameter removes a parameter from the group, so the instance runs RDS's default.
func unsetParameter(t *testing.T, g *baseline.Graph, name string) {
	t.Helper()
	pg := first(t, g, baseline.TypeParameterGroup, "")
	pg.Inputs["parameters"] = slices.DeleteFunc(pg.Inputs["parameters"].([]any), func(p any) bool { return p.(map[string]any)["name"] == name })
}

func drop(g *baseline.Graph, typ, nameSuffix string) {
	g.Resources = slices.DeleteFunc(g.Resources, func(r baseline.Resource) bool {
		return r.Type == typ && (nameSuffix == "" || len(r.Name) >= len(nameSuffix) && r.Name[len(r.Name)-len(nameSuffix):] == nameSuffix)
	})
}

// breakers break exactly one control each (a few break a control that depends on the same
// input as well, listed in also).
var breakers = map[string]struct {
	mutate  func(t *testing.T, g *baseline.Graph)
	also    []string
	archive bool // break it in the archive graph: prod has no bucket or stream
	aurora  bool // break it in the aurora graph: prod has no cluster
}{
	"rds-not-public": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeInstance, "").Inputs["publiclyAccessible"] = true
	}},
	"rds-private-subnets": {mutate: func(t *testing.T, g *baseline.Graph) {
		for i := range g.Invokes {
			if g.Invokes[i].Token == baseline.InvokeRouteTable {
				g.Invokes[i].Result = map[string]any{"id": "rtb-1", "routes": []any{map[string]any{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-1"}}}
				return
			}
		}
	}},
	"rds-in-vpc": {also: []string{"rds-private-subnets", "vpc-flow-logs"}, mutate: func(t *testing.T, g *baseline.Graph) {
		delete(first(t, g, baseline.TypeInstance, "").Inputs, "dbSubnetGroupName")
	}},
	"rds-encrypted": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeInstance, "").Inputs["storageEncrypted"] = false
	}},
	"rds-cmk": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeInstance, "").Inputs["kmsKeyId"] = "alias/aws/rds"
	}},
	"rds-multi-az": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeInstance, "").Inputs["multiAz"] = false
	}},
	"rds-enhanced-monitoring": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeInstance, "").Inputs["monitoringInterval"] = 0.0
	}},
	"rds-deletion-protection": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeInstance, "").Inputs["deletionProtection"] = false
	}},
	"rds-log-exports": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeInstance, "").Inputs["enabledCloudwatchLogsExports"] = []any{"postgresql"}
	}},
	"rds-iam-auth": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeInstance, "").Inputs["iamDatabaseAuthenticationEnabled"] = false
	}},
	"rds-backup-retention": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeInstance, "").Inputs["backupRetentionPeriod"] = 3.0
	}},
	"rds-minor-upgrades": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeInstance, "").Inputs["autoMinorVersionUpgrade"] = false
	}},
	"rds-copy-tags": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeInstance, "").Inputs["copyTagsToSnapshot"] = false
	}},
	"rds-non-default-port": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeInstance, "").Inputs["port"] = 5432.0
	}},
	"rds-custom-admin": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeInstance, "").Inputs["username"] = "postgres"
	}},
	"rds-managed-password": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeInstance, "").Inputs["password"] = "[secret]"
	}},
	"rds-ca-cert": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeInstance, "").Inputs["caCertIdentifier"] = "rds-ca-2019"
	}},
	"rds-supported-engine": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeInstance, "").Inputs["engineVersion"] = "17.2"
	}},
	"rds-no-extended-support": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeInstance, "").Inputs["engineLifecycleSupport"] = "open-source-rds-extended-support"
	}},
	"rds-performance-insights": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeInstance, "").Inputs["performanceInsightsEnabled"] = false
	}},
	"rds-final-snapshot": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeInstance, "").Inputs["skipFinalSnapshot"] = true
	}},
	"rds-tags": {mutate: func(t *testing.T, g *baseline.Graph) {
		group := first(t, g, baseline.TypeSubnetGroup, "")
		delete(group.Inputs["tags"].(map[string]any), "owner")
		if all, ok := group.Outputs["tagsAll"].(map[string]any); ok { // unknown at a preview
			delete(all, "owner")
		}
	}},
	"pg-force-ssl":          {mutate: func(t *testing.T, g *baseline.Graph) { setParameter(t, g, "rds.force_ssl", "0") }},
	"pg-tls-min":            {mutate: func(t *testing.T, g *baseline.Graph) { setParameter(t, g, "ssl_min_protocol_version", "TLSv1.1") }},
	"pg-scram":              {mutate: func(t *testing.T, g *baseline.Graph) { setParameter(t, g, "password_encryption", "md5") }},
	"pg-connection-logging": {mutate: func(t *testing.T, g *baseline.Graph) { setParameter(t, g, "log_connections", "0") }},
	"pg-statement-logging":  {mutate: func(t *testing.T, g *baseline.Graph) { setParameter(t, g, "shared_preload_libraries", "pgaudit") }},
	"pg-log-redaction":      {mutate: func(t *testing.T, g *baseline.Graph) { setParameter(t, g, "log_statement", "ddl") }},
	"pg-audit":              {mutate: func(t *testing.T, g *baseline.Graph) { setParameter(t, g, "pgaudit.log", "ddl") }},
	"pg-family-matches": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeParameterGroup, "").Inputs["family"] = "postgres16"
	}},
	"kms-rotation": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeKey, "logs-key-key").Inputs["enableKeyRotation"] = false
	}},
	"kms-policy": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeKey, "alerts-key-key").Inputs["policy"] = `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}`
	}},
	"kms-deletion-window": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeKey, "logs-key-key").Inputs["deletionWindowInDays"] = 7.0
	}},
	"iam-no-kms-star": {also: []string{"iam-scoped-writes"}, mutate: func(t *testing.T, g *baseline.Graph) {
		g.Resources = append(g.Resources, baseline.Resource{URN: "urn:x", Type: baseline.TypeRolePolicy, Name: "too-wide", Inputs: map[string]any{
			"policy": `{"Statement":{"Effect":"Allow","Action":["kms:Decrypt"],"Resource":"*"}}`,
		}})
	}},
	"sg-no-cidr-ingress": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeIngressRule, "").Inputs["cidrIpv4"] = "0.0.0.0/0"
	}},
	"sg-no-open-egress": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeSecurityGroup, "").Inputs["egress"] = []any{map[string]any{"cidrBlocks": []any{"0.0.0.0/0"}, "description": "anywhere"}}
	}},
	"vpc-flow-logs": {mutate: func(t *testing.T, g *baseline.Graph) {
		for i := range g.Resources {
			if g.Resources[i].Type == baseline.TypeFlowLog {
				g.Resources[i].Inputs["trafficType"] = "ACCEPT"
			}
		}
	}},
	"sg-descriptions": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeIngressRule, "").Inputs["description"] = ""
	}},
	"logs-cmk": {mutate: func(t *testing.T, g *baseline.Graph) {
		delete(first(t, g, baseline.TypeLogGroup, "").Inputs, "kmsKeyId")
	}},
	"logs-retention": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeLogGroup, "").Inputs["retentionInDays"] = 30.0
	}},
	"logs-shipped": {mutate: func(t *testing.T, g *baseline.Graph) {
		drop(g, baseline.TypeSubscriptionFilter, "upgrade-subscription")
	}},
	"events-instance": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeEventSubscription, "instance-events").Inputs["eventCategories"] = []any{"availability"}
	}},
	"events-cluster": {aurora: true, mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeEventSubscription, "cluster-events").Inputs["sourceType"] = "db-snapshot"
	}},
	"events-parameter-group": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeEventSubscription, "parameter-group-events").Inputs["enabled"] = false
	}},
	"events-security-group": {mutate: func(t *testing.T, g *baseline.Graph) {
		drop(g, baseline.TypeEventSubscription, "security-group-events")
	}},
	"backup-plan": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeBackupSelection, "").Inputs["resources"] = []any{}
	}},
	"backup-vault-cmk": {mutate: func(t *testing.T, g *baseline.Graph) {
		vault, inst := first(t, g, baseline.TypeBackupVault, ""), first(t, g, baseline.TypeInstance, "")
		vault.Inputs["kmsKeyArn"] = inst.Inputs["kmsKeyId"]
		vault.PropertyDependencies["kmsKeyArn"] = inst.PropertyDependencies["kmsKeyId"] // as a program wiring it would
	}},
	"backup-vault-lock":       {mutate: func(t *testing.T, g *baseline.Graph) { drop(g, baseline.TypeBackupVaultLock, "") }},
	"backup-independent-copy": {mutate: func(t *testing.T, g *baseline.Graph) { drop(g, baseline.TypeBackupReplication, "") }},
	// The AWS-managed SNS key admits no publishing service: the events stop arriving too.
	"sns-cmk": {also: []string{"alarm-actions", "events-instance", "events-parameter-group", "events-security-group"}, mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeTopic, "").Inputs["kmsMasterKeyId"] = "alias/aws/sns"
	}},
	"iam-scoped-writes": {mutate: func(t *testing.T, g *baseline.Graph) {
		g.Resources = append(g.Resources, baseline.Resource{URN: "urn:x", Type: baseline.TypeRolePolicy, Name: "too-wide", Inputs: map[string]any{
			"policy": `{"Statement":[{"Effect":"Allow","Action":["s3:PutObject"],"Resource":"*"}]}`,
		}})
	}},
	"s3-object-lock": {archive: true, mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeBucketObjectLock, "").Inputs["rule"].(map[string]any)["defaultRetention"].(map[string]any)["mode"] = "GOVERNANCE"
	}},
	"s3-versioning": {archive: true, mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeBucketVersioning, "").Inputs["versioningConfiguration"].(map[string]any)["status"] = "Suspended"
	}},
	"s3-cmk": {archive: true, mutate: func(t *testing.T, g *baseline.Graph) {
		rule := first(t, g, baseline.TypeBucketEncryption, "").Inputs["rules"].([]any)[0].(map[string]any)
		rule["applyServerSideEncryptionByDefault"] = map[string]any{"sseAlgorithm": "AES256"}
	}},
	"s3-public-access-block": {archive: true, mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeBucketPublicAccess, "").Inputs["restrictPublicBuckets"] = false
	}},
	"s3-tls-only": {archive: true, mutate: func(t *testing.T, g *baseline.Graph) { drop(g, baseline.TypeBucketPolicy, "") }},
	"firehose-cmk": {archive: true, mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeFirehose, "").Inputs["serverSideEncryption"].(map[string]any)["enabled"] = false
	}},
	"kms-key-hygiene": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeKey, "logs-key-key").Inputs["multiRegion"] = true
	}},
	"iam-managed-policies": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeRolePolicyAttach, "monitoring-policy").Inputs["policyArn"] = "arn:aws:iam::aws:policy/AdministratorAccess"
	}},
	"iam-trust-scoped": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeRole, "backup-role").Inputs["assumeRolePolicy"] = `{"Statement":[{"Effect":"Allow","Principal":{"Service":"backup.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	}},
	"iam-no-sensitive-reads": {mutate: func(t *testing.T, g *baseline.Graph) {
		g.Resources = append(g.Resources, baseline.Resource{URN: "urn:x", Type: baseline.TypeRolePolicy, Name: "reads-secrets", Inputs: map[string]any{
			"policy": `{"Statement":[{"Effect":"Allow","Action":"secretsmanager:Get*","Resource":"*"}]}`,
		}})
	}},
	"sns-topic-policy": {mutate: func(t *testing.T, g *baseline.Graph) {
		tp := first(t, g, baseline.TypeTopicPolicy, "")
		tp.Inputs["policy"] = strings.Replace(tp.Inputs["policy"].(string), `"Statement":[`, `"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"sns:Subscribe","Resource":"*"},`, 1)
	}},
	"sns-subscriptions-tls": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeTopicSubscription, "").Inputs["protocol"] = "HTTP"
	}},
	"alarm-actions": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeMetricAlarm, "cpuutilization-alarm").Inputs["actionsEnabled"] = false
	}},
	"s3-lifecycle": {archive: true, mutate: func(t *testing.T, g *baseline.Graph) {
		delete(first(t, g, baseline.TypeBucketLifecycle, "").Inputs["rules"].([]any)[0].(map[string]any), "abortIncompleteMultipartUpload")
	}},
	"s3-acls-disabled": {archive: true, mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeBucketOwnership, "").Inputs["rule"] = map[string]any{"objectOwnership": "ObjectWriter"}
	}},
	"proxy-tls": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeProxy, "").Inputs["requireTls"] = false
	}},
	"proxy-iam-auth": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeProxy, "").Inputs["auths"].([]any)[0].(map[string]any)["iamAuth"] = "DISABLED"
	}},
	"proxy-no-debug-logging": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeProxy, "").Inputs["debugLogging"] = true
	}},
	"kms-grants-scoped": {mutate: func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeKeyGrant, "").Inputs["granteePrincipal"] = "arn:aws:iam::999999999999:root"
	}},
	"proxy-role-scoped": {mutate: func(t *testing.T, g *baseline.Graph) {
		rp := first(t, g, baseline.TypeRolePolicy, "database-proxy-role-policy")
		rp.Inputs["policy"] = strings.Replace(rp.Inputs["policy"].(string), "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", 1)
	}},
	"snapshots-private": {mutate: func(t *testing.T, g *baseline.Graph) {
		addSnapshot(t, g, map[string]any{"sharedAccounts": []any{"all"}})
	}},
	"snapshots-stack-key": {mutate: func(t *testing.T, g *baseline.Graph) {
		addSnapshot(t, g, map[string]any{"encrypted": true, "kmsKeyId": "arn:aws:kms:eu-west-1:123456789012:key/0000aaaa-0000-0000-0000-000000000000"})
	}},
	"rds-secret-rotation": {mutate: func(t *testing.T, g *baseline.Graph) {
		goLive(t, g, first(t, g, baseline.TypeInstance, ""), map[string]any{"rotationEnabled": false})
	}},
	"alarms-present": {mutate: func(t *testing.T, g *baseline.Graph) {
		goLive(t, g, first(t, g, baseline.TypeInstance, ""), nil)
		deleteAlarm(t, g, "CPUUtilization")
	}},
}

// addSnapshot adds a manual snapshot of the prod instance, as the live audit reads one, with the
// attributes given.
func addSnapshot(t *testing.T, g *baseline.Graph, attributes map[string]any) {
	t.Helper()
	inst := first(t, g, baseline.TypeInstance, "")
	in := map[string]any{"dbSnapshotIdentifier": "orders-manual", "dbInstanceIdentifier": inst.Inputs["identifier"]}
	maps.Copy(in, attributes)
	arn := "arn:aws:rds:eu-west-1:123456789012:snapshot:orders-manual"
	g.Resources = append(g.Resources, baseline.Resource{URN: arn, Type: baseline.TypeSnapshot, Name: "orders-manual", Custom: true,
		Inputs: in, Outputs: map[string]any{"arn": arn}})
}

// deleteAlarm removes the graph's first alarm on metric, as one deleted in the console.
func deleteAlarm(t *testing.T, g *baseline.Graph, metric string) {
	t.Helper()
	i := slices.IndexFunc(g.Resources, func(r baseline.Resource) bool {
		return r.Type == baseline.TypeMetricAlarm && r.Inputs["metricName"] == metric
	})
	require.GreaterOrEqual(t, i, 0, "no alarm on %s", metric)
	g.Resources = slices.Delete(g.Resources, i, i+1)
}

// goLive makes g an audit's graph of db, with db's master secret as the audit reads it: rotated
// weekly, last yesterday, unless rotation says otherwise.
func goLive(t *testing.T, g *baseline.Graph, db *baseline.Resource, rotation map[string]any) {
	t.Helper()
	g.Live, g.Today = true, time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	arn := "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0f1e2d3c-AbCdEf"
	db.Outputs["masterUserSecrets"] = []any{map[string]any{"secretArn": arn, "secretStatus": "active"}}
	out := map[string]any{"arn": arn, "rotationEnabled": true, "rotationDays": 7.0, "lastRotatedDate": "2026-12-05T03:00:00Z", "createdDate": "2026-01-01T00:00:00Z"}
	maps.Copy(out, rotation)
	g.Resources = append(g.Resources, baseline.Resource{URN: arn, Type: baseline.TypeSecret, Name: "rds!db-0f1e2d3c", Custom: true,
		Inputs: map[string]any{"name": "rds!db-0f1e2d3c"}, Outputs: out})
	// The account's trail, which the rule on security-group changes needs.
	trail := "arn:aws:cloudtrail:us-east-1:123456789012:trail/organization"
	g.Resources = append(g.Resources, baseline.Resource{URN: trail, Type: baseline.TypeTrail, Name: "organization", Custom: true,
		Inputs: map[string]any{"name": "organization", "enableLogging": true, "isMultiRegionTrail": true,
			"eventSelectors": []any{map[string]any{"readWriteType": "All", "includeManagementEvents": true}}},
		Outputs: map[string]any{"arn": trail, "homeRegion": "us-east-1"}})
}

// addProxy adds to g what a stack without the library might declare for an RDS Proxy in front of
// the instance, hardened: TLS, IAM auth, no debug logging, a role reading only the master secret,
// its own security group. It returns the proxy.
func addProxy(t *testing.T, g *baseline.Graph) *baseline.Resource {
	t.Helper()
	inst := first(t, g, baseline.TypeInstance, "")
	secret := inst.Outputs["masterUserSecrets"].([]any)[0].(map[string]any)
	tags := map[string]any{"environment": "prod", "owner": "orders"}
	roleArn := "arn:aws:iam::123456789012:role/proxy-role"
	// The stack's rule on security-group changes watches the proxy's group too.
	rule := first(t, g, baseline.TypeEventRule, "security-group-changes")
	dbGroup := first(t, g, baseline.TypeSecurityGroup, "database-security-group-sg").ID
	rule.Inputs["eventPattern"] = strings.ReplaceAll(rule.Inputs["eventPattern"].(string), `"`+dbGroup+`"`, `"`+dbGroup+`","sg-0000000000000proxy"`)
	g.Resources = append(g.Resources,
		baseline.Resource{URN: "urn:proxy-role", Type: baseline.TypeRole, Name: "proxy-role", Custom: true,
			Inputs:  map[string]any{"tags": tags, "assumeRolePolicy": `{"Statement":[{"Effect":"Allow","Principal":{"Service":"rds.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}`},
			Outputs: map[string]any{"arn": roleArn, "name": "proxy-role"}},
		baseline.Resource{URN: "urn:proxy-role-policy", Type: baseline.TypeRolePolicy, Name: "proxy-role-policy", Custom: true, Inputs: map[string]any{
			"role": "proxy-role",
			"policy": `{"Statement":[{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","Resource":"` + secret["secretArn"].(string) + `"},` +
				`{"Effect":"Allow","Action":"kms:Decrypt","Resource":"` + secret["kmsKeyId"].(string) + `","Condition":{"StringEquals":{"kms:ViaService":"secretsmanager.eu-west-1.amazonaws.com"}}}]}`,
		}},
		baseline.Resource{URN: "urn:proxy-sg", Type: baseline.TypeSecurityGroup, Name: "proxy-sg", ID: "sg-0000000000000proxy", Custom: true, Inputs: map[string]any{
			"description": "RDS Proxy: ingress from the app only", "egress": []any{}, "tags": tags,
		}},
		baseline.Resource{URN: "urn:proxy", Type: baseline.TypeProxy, Name: "proxy", Custom: true, Inputs: map[string]any{
			"requireTls": true, "debugLogging": false, "roleArn": roleArn, "tags": tags,
			"vpcSecurityGroupIds": []any{"sg-0000000000000proxy"},
			"auths":               []any{map[string]any{"authScheme": "SECRETS", "iamAuth": "REQUIRED", "secretArn": secret["secretArn"]}},
		}},
	)
	return &g.Resources[len(g.Resources)-1]
}

// A hardened proxy passes every proxy control, in a stack that did not use the library.
func TestAHardenedProxyPasses(t *testing.T) {
	g := prodGraph(t)
	g.Resources = slices.DeleteFunc(g.Resources, func(r baseline.Resource) bool { return strings.Contains(r.URN, "hardenedpg:index:Proxy") })
	require.False(t, slices.ContainsFunc(g.Resources, func(r baseline.Resource) bool { return r.Type == baseline.TypeProxy }))
	addProxy(t, g)
	results := baseline.Evaluate(g, nil)
	assert.Empty(t, failing(results))
	for _, key := range []string{"proxy-tls", "proxy-iam-auth", "proxy-no-debug-logging", "proxy-role-scoped"} {
		status, detail := statusOf(results, key)
		assert.Equal(t, baseline.Pass, status, "%s: %s", key, detail)
	}
}

func TestProdPassesEveryApplicableControl(t *testing.T) {
	results := baseline.Evaluate(prodGraph(t), nil)
	require.Len(t, results, len(baseline.Catalog))
	assert.Empty(t, failing(results))
	s := baseline.Summarize(results)
	assert.Equal(t, baseline.Summary{Pass: len(baseline.Catalog) - 13, NotApplicable: 13}, s, "no bucket (7 controls), stream, cluster or snapshot (2), and not live (2)")

	results = baseline.Evaluate(archiveGraph(t), nil)
	assert.Empty(t, failing(results))
	assert.Equal(t, baseline.Summary{Pass: len(baseline.Catalog) - 5, NotApplicable: 5}, baseline.Summarize(results), "every control applies but events-cluster, the snapshots' (2) and the live-only ones (2)")
}

func TestEveryControlBites(t *testing.T) {
	for _, c := range baseline.Catalog {
		t.Run(c.Key, func(t *testing.T) {
			b, ok := breakers[c.Key]
			require.True(t, ok, "control %s has no case that breaks it", c.Key)
			g := graphOf(t, b.archive)
			if b.aurora {
				g = auroraGraph(t)
			}
			b.mutate(t, g)
			want := append([]string{c.Key}, b.also...)
			sort.Strings(want)
			results := baseline.Evaluate(g, nil)
			assert.Equal(t, want, failing(results))
			for _, r := range results {
				if r.Key == c.Key {
					assert.NotEmpty(t, r.Detail)
					assert.NotEmpty(t, r.Resources, "a failure names the resources it read")
				}
			}
		})
	}
	assert.Len(t, breakers, len(baseline.Catalog), "a breaker for a control that is not in the catalog")
}

func TestWaiverTurnsFailureIntoWaived(t *testing.T) {
	g := prodGraph(t)
	breakers["rds-multi-az"].mutate(t, g)
	results := baseline.Evaluate(g, baseline.Waivers{"rds-multi-az": "dev: cost", "rds-not-public": "tried anyway", "logs-retention": "not needed"})
	byKey := map[string]baseline.Result{}
	for _, r := range results {
		byKey[r.Key] = r
	}
	assert.Equal(t, baseline.Waived, byKey["rds-multi-az"].Status)
	assert.Equal(t, "dev: cost", byKey["rds-multi-az"].Waiver)
	assert.Equal(t, "database-instance-db: multiAz is false, want true", byKey["rds-multi-az"].Detail)
	assert.Equal(t, baseline.Pass, byKey["logs-retention"].Status)
	assert.Equal(t, "every log group keeps 365 days or more (the waiver is not needed)", byKey["logs-retention"].Detail)

	breakers["rds-not-public"].mutate(t, g)
	for _, r := range baseline.Evaluate(g, baseline.Waivers{"rds-not-public": "tried anyway"}) {
		if r.Key == "rds-not-public" {
			assert.Equal(t, baseline.Fail, r.Status, "a control that cannot be waived fails whatever the waivers say")
		}
	}
}

func TestNotApplicableWithoutItsResources(t *testing.T) {
	results := baseline.Evaluate(&baseline.Graph{}, nil)
	for _, r := range results {
		assert.Equal(t, baseline.NotApplicable, r.Status, r.Key)
	}
}

// parameterBreakers are, for every parameter rule, values that must fail it: each spelling
// PostgreSQL reads the same way, and the overrides that silence auditing or log statements.
var parameterBreakers = map[string][]string{
	"rds.force_ssl pg-force-ssl":                         {"0", "off", "FALSE"},
	"ssl_min_protocol_version pg-tls-min":                {"TLSv1.1", "TLSv1", ""},
	"ssl_ciphers pg-tls-min":                             {"ALL", "HIGH:aNULL", "NULL-SHA256", "RC4-SHA", "DES-CBC3-SHA", "EXP-RC4-MD5", "HIGH:MEDIUM:LOW", "eNULL", ""},
	"log_parameter_max_length_on_error pg-log-redaction": {"-1", "64"},
	"password_encryption pg-scram":                       {"md5", "on"},
	"rds.accepted_password_auth_method pg-scram":         {"md5+scram"},
	"log_connections pg-connection-logging":              {"0", "off", "false", "no"},
	"log_disconnections pg-connection-logging":           {"0", "OFF"},
	"log_statement pg-log-redaction":                     {"ddl", "all", "mod", "DDL"},
	"log_min_error_statement pg-log-redaction":           {"error", "ERROR", "fatal", "log"},
	"log_min_duration_statement pg-log-redaction":        {"0", "1000", "1s"},
	"log_min_duration_sample pg-log-redaction":           {"0", "250"},
	"log_transaction_sample_rate pg-log-redaction":       {"1", "0.5"},
	"auto_explain.log_min_duration pg-log-redaction":     {"0", "100"},
	"debug_print_parse pg-log-redaction":                 {"on", "1", "true"},
	"debug_print_rewritten pg-log-redaction":             {"on"},
	"debug_print_plan pg-log-redaction":                  {"on"},
	"shared_preload_libraries pg-statement-logging":      {"pgaudit", ""},
	"shared_preload_libraries pg-audit":                  {"pg_stat_statements", "pgaudit_x", ""},
	"pgaudit.log pg-audit":                               {"ddl", "ddl,role,-all", "all,-all,ddl", "all,-role", "none", "ddl,rol", ""},
	"pgaudit.role pg-audit":                              {""},
	"pgaudit.log_client pg-audit":                        {"on", "1"},
	"log_min_messages pg-audit":                          {"fatal", "panic", "PANIC"},
}

// parameterPassers must pass: other spellings of hardened values.
var parameterPassers = map[string][]string{
	"pgaudit.log pg-audit":                     {"all", "ROLE, DDL", "ddl,none,role", "-read,ddl,role", "all,-read,-write"},
	"log_min_messages pg-audit":                {"error", "WARNING", "log", "info"},
	"log_connections pg-connection-logging":    {"on", "true", "yes"},
	"log_min_error_statement pg-log-redaction": {"PANIC", " panic "},
	"ssl_ciphers pg-tls-min":                   {"HIGH:MEDIUM:+3DES:!aNULL", "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384", "HIGH:!aNULL:!MD5", "TLS_AES_256_GCM_SHA384"}, // the first is PostgreSQL's default
}

func TestEveryParameterRuleBites(t *testing.T) {
	for _, r := range baseline.ParameterRules {
		key := r.Name + " " + r.Control
		require.NotEmpty(t, parameterBreakers[key], "parameter rule %q has no value that breaks it", key)
		for _, v := range parameterBreakers[key] {
			t.Run(key+"="+v, func(t *testing.T) {
				g := prodGraph(t)
				setParameter(t, g, r.Name, v)
				assert.Contains(t, failing(baseline.Evaluate(g, nil)), r.Control)
			})
		}
		for _, v := range parameterPassers[key] {
			g := prodGraph(t)
			setParameter(t, g, r.Name, v)
			assert.NotContains(t, failing(baseline.Evaluate(g, nil)), r.Control, "%s = %q", r.Name, v)
		}
	}
}

// A parameter the group does not set is judged on what the instance runs: RDS's default.
func TestUnsetParametersAreJudgedOnRDSDefaults(t *testing.T) {
	for name, control := range map[string]string{
		"log_min_error_statement":           "pg-log-redaction", // PostgreSQL's default: error
		"rds.accepted_password_auth_method": "pg-scram",         // RDS's default: md5+scram
		"log_connections":                   "pg-connection-logging",
	} {
		g := prodGraph(t)
		unsetParameter(t, g, name)
		results := baseline.Evaluate(g, nil)
		assert.Equal(t, []string{control}, failing(results), name)
		for _, r := range results {
			if r.Key == control {
				assert.Contains(t, r.Detail, name+" is not set, so it is RDS's default", name)
			}
		}
	}
	g := prodGraph(t)
	unsetParameter(t, g, "log_min_messages") // not set by the baseline: warning passes
	assert.Empty(t, failing(baseline.Evaluate(g, nil)))
}

// RDS refuses an immediate apply of a static parameter: the engine's table says which are.
func TestStaticParameterAppliedImmediatelyFails(t *testing.T) {
	g := prodGraph(t)
	for _, p := range first(t, g, baseline.TypeParameterGroup, "").Inputs["parameters"].([]any) {
		if pm := p.(map[string]any); pm["name"] == "shared_preload_libraries" {
			pm["applyMethod"] = "immediate"
		}
	}
	assert.Equal(t, []string{"pg-audit", "pg-statement-logging"}, failing(baseline.Evaluate(g, nil)))
}

func TestEngineTablesComeFromTheEngine(t *testing.T) {
	for _, major := range baseline.SupportedMajorVersions {
		p, ok := baseline.EngineParameterFor(major, "max_files_per_process")
		require.True(t, ok, major)
		assert.Equal(t, baseline.ApplyPendingReboot, p.ApplyMethod(), major)
		_, ok = baseline.EngineParameterFor(major, "no_such_parameter")
		assert.False(t, ok)
		p, _ = baseline.EngineParameterFor(major, "block_size")
		assert.False(t, p.Settable(), "block_size is read-only")
	}
	// autovacuum_max_workers became reloadable in 18: only the engine's own table knows.
	p17, _ := baseline.EngineParameterFor("17", "autovacuum_max_workers")
	p18, _ := baseline.EngineParameterFor("18", "autovacuum_max_workers")
	assert.Equal(t, [2]string{baseline.ApplyPendingReboot, baseline.ApplyImmediate}, [2]string{p17.ApplyMethod(), p18.ApplyMethod()})
}

// Parameter controls read the instance: one without a group of its own runs RDS's default group,
// which is judged too.
func TestParameterRulesAreCatalogControls(t *testing.T) {
	for _, r := range baseline.ParameterRules {
		c, ok := baseline.Lookup(r.Control)
		require.True(t, ok, r.Name)
		assert.Equal(t, []string{baseline.TypeInstance, baseline.TypeCluster, baseline.TypeClusterInstance}, c.Reads, r.Name)
	}
}

func statusOf(results []baseline.Result, key string) (baseline.Status, string) {
	for _, r := range results {
		if r.Key == key {
			return r.Status, r.Detail
		}
	}
	return "", ""
}

// An instance without a parameter group, or naming a default.* group, runs RDS's default group of
// its family: TLS forced from 15 (RDSDefaultParameters), md5 still accepted, no connection logging,
// no pgAudit. Judged, not "not applicable".
func TestDefaultParameterGroupIsJudged(t *testing.T) {
	for _, tc := range []struct {
		version, group string
		forceSSL       baseline.Status
	}{
		{"17", "", baseline.Pass},
		{"17", "default.postgres17", baseline.Pass},
		{"14", "", baseline.Fail},
	} {
		t.Run(tc.version+tc.group, func(t *testing.T) {
			in := map[string]any{"engine": "postgres", "engineVersion": tc.version}
			if tc.group != "" {
				in["parameterGroupName"] = tc.group
			}
			g := &baseline.Graph{Resources: []baseline.Resource{{URN: "urn:i", Type: baseline.TypeInstance, Name: "db", Custom: true, Inputs: in}}}
			results := baseline.Evaluate(g, nil)
			status, detail := statusOf(results, "pg-force-ssl")
			assert.Equal(t, tc.forceSSL, status, detail)
			for _, key := range []string{"pg-scram", "pg-connection-logging", "pg-audit", "pg-log-redaction"} {
				status, _ := statusOf(results, key)
				assert.Equal(t, baseline.Fail, status, key)
			}
			status, detail = statusOf(results, "pg-scram")
			assert.Equal(t, baseline.Fail, status)
			assert.Equal(t, `default.postgres`+tc.version+`: rds.accepted_password_auth_method is not set, so it is RDS's default "md5+scram" for postgres`+tc.version+`, want scram (md5+scram lets md5-stored passwords sign in)`, detail)
			status, _ = statusOf(results, "pg-family-matches")
			assert.Equal(t, baseline.Pass, status)
		})
	}
	// A group the stack does not create cannot be judged: it fails rather than passes.
	g := &baseline.Graph{Resources: []baseline.Resource{{URN: "urn:i", Type: baseline.TypeInstance, Name: "db", Custom: true,
		Inputs: map[string]any{"engine": "postgres", "engineVersion": "17", "parameterGroupName": "someone-elses"}}}}
	status, detail := statusOf(baseline.Evaluate(g, nil), "pg-force-ssl")
	assert.Equal(t, baseline.Fail, status)
	assert.Equal(t, `db: parameterGroupName "someone-elses" is neither a parameter group of the stack nor RDS's default group, so what it sets is unknown`, detail)
}

// Without caCertIdentifier RDS uses its default CA, which is current; a retired one fails.
func TestDefaultCACertificate(t *testing.T) {
	g := prodGraph(t)
	delete(first(t, g, baseline.TypeInstance, "").Inputs, "caCertIdentifier")
	status, detail := statusOf(baseline.Evaluate(g, nil), "rds-ca-cert")
	assert.Equal(t, baseline.Pass, status, detail)
	first(t, g, baseline.TypeInstance, "").Inputs["caCertIdentifier"] = "rds-ca-2019"
	status, _ = statusOf(baseline.Evaluate(g, nil), "rds-ca-cert")
	assert.Equal(t, baseline.Fail, status)
}

// A graph without look-ups (what a policy pack sees) leaves the private-subnet proof unproven, and
// a value unknown until apply leaves every control that read it unproven: never a pass.
func TestMissingEvidenceIsUnproven(t *testing.T) {
	g := prodGraph(t)
	g.Invokes, g.NoLookups = nil, true
	results := baseline.Evaluate(g, nil)
	status, detail := statusOf(results, "rds-private-subnets")
	assert.Equal(t, baseline.Unproven, status)
	assert.True(t, strings.HasPrefix(detail, "database-subnet-group-subnets: subnet subnet-0a1b2c3d4e5f60011: its route table is only known to a look-up"), detail)
	assert.Equal(t, 1, baseline.Summarize(results).Unproven)
	status, detail = statusOf(baseline.Evaluate(g, baseline.Waivers{"rds-private-subnets": "proven by the network team"}), "rds-private-subnets")
	assert.Equal(t, baseline.Waived, status, detail)

	g = prodGraph(t)
	first(t, g, baseline.TypeInstance, "").Inputs["publiclyAccessible"] = baseline.Unknown
	status, detail = statusOf(baseline.Evaluate(g, nil), "rds-not-public")
	assert.Equal(t, baseline.Unproven, status)
	assert.Equal(t, "unknown until apply: database-instance-db.publiclyAccessible", detail)
}

// Events that reach a topic nobody subscribes to alert nobody.
func TestEventsWithoutRecipientFail(t *testing.T) {
	g := prodGraph(t)
	drop(g, baseline.TypeTopicSubscription, "")
	results := baseline.Evaluate(g, nil)
	assert.Equal(t, []string{"alarm-actions", "events-instance", "events-parameter-group", "events-security-group"}, failing(results))
	for _, r := range results {
		if r.Key == "events-instance" {
			assert.Equal(t, "database-alerts-instance-events: database-alerts-topic has no subscriber: nobody is notified", r.Detail)
		}
	}
}

// The security-group controls read every way a rule can be written: inline blocks, the vpc rule
// resources and the legacy aws:ec2/securityGroupRule, with CIDRs in any spelling or split.
func TestSecurityGroupRulesInEveryRepresentation(t *testing.T) {
	legacy := func(g *baseline.Graph, inputs map[string]any) {
		inputs["securityGroupId"] = first(t, g, baseline.TypeSecurityGroup, "").ID
		g.Resources = append(g.Resources, baseline.Resource{URN: "urn:pulumi:prod::p::aws:ec2/securityGroupRule:SecurityGroupRule::legacy", Type: baseline.TypeSecurityGroupRule, Name: "legacy", Custom: true, Inputs: inputs})
	}
	egressRule := func(g *baseline.Graph, cidr string) {
		g.Resources = append(g.Resources, baseline.Resource{URN: "urn:pulumi:prod::p::" + baseline.TypeEgressRule + "::e" + cidr, Type: baseline.TypeEgressRule, Name: "egress " + cidr, Custom: true,
			Inputs: map[string]any{"securityGroupId": first(t, g, baseline.TypeSecurityGroup, "").ID, "cidrIpv4": cidr, "description": "split"}})
	}
	for name, tc := range map[string]struct {
		mutate func(g *baseline.Graph)
		want   []string
	}{
		"legacy ingress from the internet": {func(g *baseline.Graph) {
			legacy(g, map[string]any{"type": "ingress", "cidrBlocks": []any{"0.0.0.0/0"}, "fromPort": 5433.0, "toPort": 5433.0, "protocol": "tcp", "description": "oops"})
		}, []string{"sg-no-cidr-ingress"}},
		"legacy ingress without description": {func(g *baseline.Graph) {
			legacy(g, map[string]any{"type": "ingress", "sourceSecurityGroupId": "sg-0000000d", "fromPort": 5433.0, "toPort": 5433.0, "protocol": "tcp"})
		}, []string{"sg-descriptions"}},
		"legacy egress to everywhere, IPv6 spelt long": {func(g *baseline.Graph) {
			legacy(g, map[string]any{"type": "egress", "ipv6CidrBlocks": []any{"0:0::/0"}, "fromPort": 0.0, "toPort": 0.0, "protocol": "-1", "description": "all"})
		}, []string{"sg-no-open-egress"}},
		"split default egress": {func(g *baseline.Graph) {
			egressRule(g, "0.0.0.0/1")
			egressRule(g, "128.0.0.0/1")
		}, []string{"sg-no-open-egress"}},
		"half the internet is not all of it": {func(g *baseline.Graph) { egressRule(g, "0.0.0.0/1") }, nil},
		"inline prefix list ingress": {func(g *baseline.Graph) {
			first(t, g, baseline.TypeSecurityGroup, "").Inputs["ingress"] = []any{map[string]any{"prefixListIds": []any{"pl-12345678"}, "description": "corp"}}
		}, []string{"sg-no-cidr-ingress"}},
	} {
		t.Run(name, func(t *testing.T) {
			g := prodGraph(t)
			tc.mutate(g)
			assert.Equal(t, tc.want, failing(baseline.Evaluate(g, nil)))
		})
	}
}

// A route table judged by where it sends traffic, not by the spelling of one destination.
func TestPrivateSubnetsJudgedByRoutesToTheInternet(t *testing.T) {
	for name, routes := range map[string][]any{
		"split default route": {map[string]any{"cidrBlock": "0.0.0.0/1", "gatewayId": "igw-1"}, map[string]any{"cidrBlock": "128.0.0.0/1", "gatewayId": "igw-1"}},
		"IPv6 default":        {map[string]any{"ipv6CidrBlock": "::/0", "gatewayId": "igw-1"}},
		"one host":            {map[string]any{"cidrBlock": "203.0.113.7/32", "gatewayId": "igw-1"}},
	} {
		t.Run(name, func(t *testing.T) {
			g := prodGraph(t)
			for i := range g.Invokes {
				if g.Invokes[i].Token == baseline.InvokeRouteTable {
					g.Invokes[i].Result = map[string]any{"id": "rtb-1", "routes": routes}
				}
			}
			assert.Equal(t, []string{"rds-private-subnets"}, failing(baseline.Evaluate(g, nil)))
		})
	}
}

// The instance subscription must cover failover (Multi-AZ) and backup, each on its own.
func TestInstanceEventsNeedFailoverAndBackup(t *testing.T) {
	for _, missing := range []string{"failover", "backup"} {
		g := prodGraph(t)
		for _, r := range g.Resources {
			if r.Type == baseline.TypeEventSubscription && r.Inputs["sourceType"] == "db-instance" {
				all := []any{"availability", "backup", "configuration change", "deletion", "failover", "failure", "low storage", "maintenance", "recovery", "security patching"}
				r.Inputs["eventCategories"] = slices.DeleteFunc(all, func(c any) bool { return c == missing })
			}
		}
		assert.Equal(t, []string{"events-instance"}, failing(baseline.Evaluate(g, nil)), missing)
	}
}

// A replica under a key of the instance's own region and account is no independent copy; a Backup
// copy into another region is.
func TestIndependentBackupCopy(t *testing.T) {
	g := prodGraph(t)
	first(t, g, baseline.TypeBackupReplication, "").Inputs["kmsKeyId"] = first(t, g, baseline.TypeInstance, "").Inputs["kmsKeyId"]
	assert.Equal(t, []string{"backup-independent-copy"}, failing(baseline.Evaluate(g, nil)), "the storage key itself")

	g = prodGraph(t)
	drop(g, baseline.TypeBackupReplication, "")
	plan := first(t, g, baseline.TypeBackupPlan, "")
	rule := plan.Inputs["rules"].([]any)[0].(map[string]any)
	rule["copyActions"] = []any{map[string]any{"destinationVaultArn": "arn:aws:backup:eu-west-1:123456789012:backup-vault:same-place"}}
	assert.Equal(t, []string{"backup-independent-copy"}, failing(baseline.Evaluate(g, nil)), "a copy in the same region and account")
	rule["copyActions"] = []any{map[string]any{"destinationVaultArn": "arn:aws:backup:eu-west-1:210987654321:backup-vault:vault-account"}}
	results := baseline.Evaluate(g, nil)
	assert.Equal(t, []string{"backup-independent-copy"}, failing(results), "a copy into another account the storage key is not shared with")
	_, detail := statusOf(results, "backup-independent-copy")
	assert.Equal(t, `database-backup-plan: copies to arn:aws:backup:eu-west-1:210987654321:backup-vault:vault-account, but the storage key "arn:aws:kms:eu-west-1:123456789012:key/d57dbeb4-0daa-30aa-e7d6-34f0be842dec" does not let account 210987654321 kms:Decrypt and kms:CreateGrant, so every copy job fails`, detail)

	// The Database shares its storage key with the copy's account: the same copy passes.
	g = graphWithConfig(t, func(values map[string]string) {
		delete(values, "hardenedpg:backupReplicationRegion")
		values["hardenedpg:backupCopyToVaultArn"] = "arn:aws:backup:eu-west-1:210987654321:backup-vault:vault-account"
	})
	assert.Empty(t, failing(baseline.Evaluate(g, nil)), "a copy into another account the key is shared with")
}

// graphWithConfig records the prod stack with its config changed.
func graphWithConfig(t *testing.T, mutate func(values map[string]string)) *baseline.Graph {
	t.Helper()
	sc, err := plan.ReadStackConfig("..", "prod")
	require.NoError(t, err)
	mutate(sc.Values)
	m := hardenedpgtest.New()
	_, err = plan.Run(sc, m, stack.Program)
	require.NoError(t, err)
	return m.Graph()
}

// events-security-group needs both what Security Hub asks for and what actually alerts.
func TestSecurityGroupEventsNeedSubscriptionAndRule(t *testing.T) {
	g := prodGraph(t)
	drop(g, baseline.TypeEventSubscription, "security-group-events")
	assert.Equal(t, []string{"events-security-group"}, failing(baseline.Evaluate(g, nil)), "without the RDS.22 subscription")

	g = prodGraph(t)
	drop(g, baseline.TypeEventRule, "")
	assert.Equal(t, []string{"events-security-group"}, failing(baseline.Evaluate(g, nil)), "without the EventBridge rule")

	g = prodGraph(t)
	drop(g, baseline.TypeEventTarget, "")
	assert.Equal(t, []string{"events-security-group"}, failing(baseline.Evaluate(g, nil)), "with a rule that targets nothing")

	g = prodGraph(t)
	rule := first(t, g, baseline.TypeEventRule, "")
	rule.Inputs["eventPattern"] = strings.Replace(rule.Inputs["eventPattern"].(string), `"RevokeSecurityGroupIngress",`, "", 1)
	assert.Equal(t, []string{"events-security-group"}, failing(baseline.Evaluate(g, nil)), "with a rule that misses a change")
}

// baseline.Type* and baseline.Invoke* are the only spelling of the AWS types and look-ups the
// catalog reads: a token typed out elsewhere would drift from what the checks read.
func TestTypeTokensHaveOneSpelling(t *testing.T) {
	token := regexp.MustCompile(`"(aws|random):[a-zA-Z0-9]+/[a-zA-Z0-9]+:[A-Za-z0-9]+"`)
	catalog, err := os.ReadFile("catalog.go")
	require.NoError(t, err)
	defined := token.FindAllString(string(catalog), -1)
	require.Contains(t, defined, `"`+baseline.TypeInstance+`"`)
	var found []string
	err = filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git" || d.Name() == "bin") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || filepath.ToSlash(path) == "../baseline/catalog.go" {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range token.FindAllString(string(src), -1) {
			if slices.Contains(defined, m) {
				found = append(found, path+": "+m)
			}
		}
		return nil
	})
	require.NoError(t, err)
	assert.Empty(t, found, "use the baseline.Type* or baseline.Invoke* constant")
}

// Tags the provider adds by default (its tags_all, tagsAll in the state) count; a resource's own
// tags count before AWS has it.
func TestProviderDefaultTagsCount(t *testing.T) {
	g := prodGraph(t)
	group := first(t, g, baseline.TypeSubnetGroup, "")
	delete(group.Inputs["tags"].(map[string]any), "owner")
	status, detail := statusOf(baseline.Evaluate(g, nil), "rds-tags")
	assert.Equal(t, baseline.Pass, status, "tagsAll still has owner: %s", detail)
	delete(group.Outputs, "tagsAll")
	status, detail = statusOf(baseline.Evaluate(g, nil), "rds-tags")
	assert.Equal(t, baseline.Fail, status)
	assert.Equal(t, "database-subnet-group-subnets: tags lack owner", detail)
}

// A publisher must be admitted by the topic policy and by the topic key's policy without
// conditions its requests do not carry: the parts being present is not enough.
func TestEventsAreJudgedOnDelivery(t *testing.T) {
	eventsKeyStatement := func(g *baseline.Graph) map[string]any {
		key := first(t, g, baseline.TypeKey, "alerts-key-key")
		var doc map[string]any
		require.NoError(t, json.Unmarshal([]byte(key.Inputs["policy"].(string)), &doc))
		for _, st := range doc["Statement"].([]any) {
			if st.(map[string]any)["Sid"] == "NamedServicesWithoutSourceKeys" {
				return st.(map[string]any)
			}
		}
		t.Fatal("the alerts key has no statement for EventBridge")
		return nil
	}
	setKeyPolicy := func(g *baseline.Graph, mutate func(doc map[string]any)) {
		key := first(t, g, baseline.TypeKey, "alerts-key-key")
		var doc map[string]any
		require.NoError(t, json.Unmarshal([]byte(key.Inputs["policy"].(string)), &doc))
		mutate(doc)
		b, err := json.Marshal(doc)
		require.NoError(t, err)
		key.Inputs["policy"] = string(b)
	}
	for name, tc := range map[string]struct {
		mutate func(g *baseline.Graph)
		want   []string
		detail string
	}{
		"the key admits EventBridge only under aws:SourceAccount (the review's finding 1)": {func(g *baseline.Graph) {
			require.NotNil(t, eventsKeyStatement(g))
			setKeyPolicy(g, func(doc map[string]any) {
				for _, st := range doc["Statement"].([]any) {
					if sm := st.(map[string]any); sm["Sid"] == "NamedServicesWithoutSourceKeys" {
						sm["Condition"] = map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": "123456789012"}}
					}
				}
			})
		}, []string{"events-security-group"}, "database-instance-db: the EventBridge rule on changes to sg-2f9247689bbd76acb does not deliver: database-alerts-security-group-changes targets database-alerts-key-key: the key policy lets events.amazonaws.com use the key only under aws:SourceAccount, which its requests through SNS do not carry: every message is dropped; " +
			"database-proxy-proxy: the EventBridge rule on changes to sg-8b17c794e9dad55df does not deliver: database-alerts-security-group-changes targets database-alerts-key-key: the key policy lets events.amazonaws.com use the key only under aws:SourceAccount, which its requests through SNS do not carry: every message is dropped"},
		"the key does not admit EventBridge at all": {func(g *baseline.Graph) {
			setKeyPolicy(g, func(doc map[string]any) {
				doc["Statement"] = slices.DeleteFunc(doc["Statement"].([]any), func(st any) bool { return st.(map[string]any)["Sid"] == "NamedServicesWithoutSourceKeys" })
			})
		}, []string{"events-security-group"}, ""},
		"the key denies RDS": {func(g *baseline.Graph) {
			setKeyPolicy(g, func(doc map[string]any) {
				doc["Statement"] = append(doc["Statement"].([]any), map[string]any{"Effect": "Deny", "Principal": map[string]any{"Service": "events.rds.amazonaws.com"}, "Action": "kms:*", "Resource": "*"})
			})
		}, []string{"events-instance", "events-parameter-group", "events-security-group"}, ""}, // RDS.22 is an RDS subscription too
		"the topic policy does not admit EventBridge": {func(g *baseline.Graph) {
			tp := first(t, g, baseline.TypeTopicPolicy, "")
			tp.Inputs["policy"] = strings.ReplaceAll(tp.Inputs["policy"].(string), `"events.amazonaws.com"`, `"sqs.amazonaws.com"`)
		}, []string{"events-security-group"}, ""},
		"no topic policy: the default admits RDS, not EventBridge": {func(g *baseline.Graph) {
			drop(g, baseline.TypeTopicPolicy, "")
		}, []string{"events-security-group", "sns-topic-policy"}, ""},
		"every subscription awaits confirmation": {func(g *baseline.Graph) {
			for i := range g.Resources {
				if g.Resources[i].Type == baseline.TypeTopicSubscription {
					g.Resources[i].Outputs = map[string]any{"pendingConfirmation": true}
				}
			}
		}, nil, ""},
	} {
		t.Run(name, func(t *testing.T) {
			g := prodGraph(t)
			tc.mutate(g)
			results := baseline.Evaluate(g, nil)
			assert.Equal(t, tc.want, failing(results))
			if tc.detail != "" {
				_, detail := statusOf(results, "events-security-group")
				assert.Equal(t, tc.detail, detail)
			}
		})
	}
	g := prodGraph(t)
	for i := range g.Resources {
		if g.Resources[i].Type == baseline.TypeTopicSubscription {
			g.Resources[i].Outputs = map[string]any{"pendingConfirmation": true}
		}
	}
	status, detail := statusOf(baseline.Evaluate(g, nil), "events-instance")
	assert.Equal(t, baseline.Unproven, status, "an unconfirmed e-mail subscription is not yet a recipient")
	assert.Equal(t, "database-alerts-instance-events: every subscription of database-alerts-topic awaits its recipient's confirmation: nothing is delivered until then", detail)
}

// The other ways each new or widened control breaks, each with its exact detail.
func TestWidenedControlsBite(t *testing.T) {
	for name, tc := range map[string]struct {
		archive bool
		mutate  func(g *baseline.Graph)
		key     string
		detail  string
	}{
		"an alarm without actions": {false, func(g *baseline.Graph) {
			delete(first(t, g, baseline.TypeMetricAlarm, "cpuutilization-alarm").Inputs, "alarmActions")
		}, "alarm-actions", "database-alerts-cpuutilization-alarm: no alarmActions: the alarm notifies nobody"},
		"an alarm notifying a topic outside the stack": {false, func(g *baseline.Graph) {
			first(t, g, baseline.TypeMetricAlarm, "cpuutilization-alarm").Inputs["alarmActions"] = []any{"arn:aws:sns:eu-west-1:123456789012:elsewhere"}
		}, "alarm-actions", `database-alerts-cpuutilization-alarm: "arn:aws:sns:eu-west-1:123456789012:elsewhere" is not a topic of the stack, so who receives it is unknown`},
		"a managed policy in the role's own list": {false, func(g *baseline.Graph) {
			first(t, g, baseline.TypeRole, "backup-role").Inputs["managedPolicyArns"] = []any{"arn:aws:iam::aws:policy/ReadOnlyAccess"}
		}, "iam-managed-policies", "database-backup-role: attaches the AWS-managed policy arn:aws:iam::aws:policy/ReadOnlyAccess, which grants far more than the role needs"},
		"a role another account may assume": {false, func(g *baseline.Graph) {
			first(t, g, baseline.TypeRole, "backup-role").Inputs["assumeRolePolicy"] = `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"sts:AssumeRole"}]}`
		}, "iam-trust-scoped", `database-backup-role: trust statement 0 admits {"AWS":"arn:aws:iam::999999999999:root"}, want AWS service principals only`},
		"a topic policy open to anyone": {false, func(g *baseline.Graph) {
			tp := first(t, g, baseline.TypeTopicPolicy, "")
			tp.Inputs["policy"] = `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sns:Publish","Resource":"*"}]}`
		}, "sns-topic-policy", "database-alerts-topic: statement 0 allows anyone, without a condition; database-alerts-topic: no statement denies aws:SecureTransport false"},
		"a replica under a key the stack does not make": {false, func(g *baseline.Graph) {
			first(t, g, baseline.TypeBackupReplication, "").Inputs["kmsKeyId"] = "arn:aws:kms:eu-central-1:123456789012:key/someone-elses"
		}, "backup-independent-copy", `database-backup-replication-replication: kmsKeyId "arn:aws:kms:eu-central-1:123456789012:key/someone-elses" is not a key of the stack; database-instance-db: its backups exist only under its storage key, in its own region and account: replicate them (backupReplicationRegion) or copy them (backupCopyToVaultArn)`},
		"a proxy reachable from an address range": {false, func(g *baseline.Graph) {
			g.Resources = append(g.Resources, baseline.Resource{URN: "urn:proxy-open", Type: baseline.TypeIngressRule, Name: "proxy-open", Custom: true, Inputs: map[string]any{
				"securityGroupId": first(t, g, baseline.TypeSecurityGroup, "proxy-security-group-sg").ID, "cidrIpv4": "10.0.0.0/8", "ipProtocol": "tcp", "fromPort": 5432, "toPort": 5432, "description": "office",
				"tags": map[string]any{"environment": "prod", "owner": "orders"},
			}})
		}, "sg-no-cidr-ingress", "proxy-open: ingress from 10.0.0.0/8"},
		"a proxy whose group nobody watches": {false, func(g *baseline.Graph) {
			rule := first(t, g, baseline.TypeEventRule, "security-group-changes")
			proxyGroup := first(t, g, baseline.TypeSecurityGroup, "proxy-security-group-sg").ID
			rule.Inputs["eventPattern"] = strings.ReplaceAll(rule.Inputs["eventPattern"].(string), `,"`+proxyGroup+`"`, "")
		}, "events-security-group", "database-proxy-proxy: no EventBridge rule sends the CloudTrail records of changes to sg-8b17c794e9dad55df (AuthorizeSecurityGroupEgress, AuthorizeSecurityGroupIngress, DeleteSecurityGroup, ModifySecurityGroupRules, RevokeSecurityGroupEgress, RevokeSecurityGroupIngress, UpdateSecurityGroupRuleDescriptionsEgress, UpdateSecurityGroupRuleDescriptionsIngress) to a topic"},
		"a proxy whose role is not the stack's": {false, func(g *baseline.Graph) {
			first(t, g, baseline.TypeProxy, "").Inputs["roleArn"] = "arn:aws:iam::123456789012:role/shared-admin"
		}, "proxy-role-scoped", `database-proxy-proxy: roleArn "arn:aws:iam::123456789012:role/shared-admin" is not a role of the stack, so what it may read is unknown`},
		"a proxy that decrypts outside Secrets Manager": {false, func(g *baseline.Graph) {
			first(t, g, baseline.TypeRolePolicy, "database-proxy-role-policy").Inputs["policy"] = `{"Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"arn:aws:kms:eu-west-1:123456789012:key/other"}]}`
		}, "proxy-role-scoped", "database-proxy-role-policy: statement 0 decrypts without a kms:ViaService condition naming Secrets Manager"},
		"a key scheduled for deletion, as the live audit reads it": {false, func(g *baseline.Graph) {
			k := first(t, g, baseline.TypeKey, "database-logs-key-key")
			k.Outputs["keyState"], k.Outputs["deletionDate"] = "PendingDeletion", "2027-01-05"
		}, "kms-deletion-window", "database-logs-key-key: scheduled for deletion on 2027-01-05: what it encrypts becomes unreadable then; cancel it (CancelKeyDeletion)"},
		"a public snapshot": {false, func(g *baseline.Graph) {
			addSnapshot(t, g, map[string]any{"sharedAccounts": []any{"all"}})
		}, "snapshots-private", `orders-manual: sharedAccounts has "all": the snapshot is public, and anyone can restore the database from it`},
		"a snapshot shared with another account": {false, func(g *baseline.Graph) {
			addSnapshot(t, g, map[string]any{"sharedAccounts": []any{"210987654321"}})
		}, "snapshots-private", "orders-manual: sharedAccounts has 210987654321: that account can restore the database from it; copy backups to another account with an AWS Backup copy rule instead"},
		"an unencrypted snapshot": {false, func(g *baseline.Graph) {
			addSnapshot(t, g, map[string]any{"encrypted": false})
		}, "snapshots-stack-key", "orders-manual: encrypted is false: whoever may restore it reads the data"},
		"a snapshot copied under another key": {false, func(g *baseline.Graph) {
			addSnapshot(t, g, map[string]any{"encrypted": true, "kmsKeyId": "arn:aws:kms:eu-west-1:123456789012:key/0000aaaa-0000-0000-0000-000000000000"})
		}, "snapshots-stack-key", `orders-manual: kmsKeyId is "arn:aws:kms:eu-west-1:123456789012:key/0000aaaa-0000-0000-0000-000000000000", want a customer-managed key of the stack`},
		"the master secret's rotation turned off": {false, func(g *baseline.Graph) {
			goLive(t, g, first(t, g, baseline.TypeInstance, ""), map[string]any{"rotationEnabled": false})
		}, "rds-secret-rotation", "database-instance-db: master secret rds!db-0f1e2d3c: rotation is off: the password no longer changes; turn it on again (aws secretsmanager rotate-secret --secret-id arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0f1e2d3c-AbCdEf)"},
		"an alarm deleted in the console": {false, func(g *baseline.Graph) {
			goLive(t, g, first(t, g, baseline.TypeInstance, ""), nil)
			deleteAlarm(t, g, "RoleChanges")
		}, "alarms-present", "database-instance-db: no alarm on hardenedpg/orders-prod RoleChanges: its alert is gone; run pulumi up to make it again"},
		"the account's trail stopped": {false, func(g *baseline.Graph) {
			goLive(t, g, first(t, g, baseline.TypeInstance, ""), nil)
			first(t, g, baseline.TypeTrail, "").Inputs["enableLogging"] = false
		}, "events-security-group", "no CloudTrail trail logs the management events of eu-west-1 (organization is not logging): the rule on security-group changes never fires; log them with a trail, or the Organization's"},
		"a trail of another Region, and one of reads only": {false, func(g *baseline.Graph) {
			goLive(t, g, first(t, g, baseline.TypeInstance, ""), nil)
			first(t, g, baseline.TypeTrail, "").Inputs["isMultiRegionTrail"] = false
			g.Resources = append(g.Resources, baseline.Resource{URN: "arn:aws:cloudtrail:eu-west-1:123456789012:trail/reads", Type: baseline.TypeTrail, Name: "reads", Custom: true,
				Inputs: map[string]any{"name": "reads", "enableLogging": true, "advancedEventSelectors": []any{map[string]any{"fieldSelectors": []any{
					map[string]any{"field": "eventCategory", "equals": []any{"Management"}}, map[string]any{"field": "readOnly", "equals": []any{"true"}}}}}},
				Outputs: map[string]any{"homeRegion": "eu-west-1"}})
		}, "events-security-group", "no CloudTrail trail logs the management events of eu-west-1 (organization logs us-east-1 only; reads logs no management write events): the rule on security-group changes never fires; log them with a trail, or the Organization's"},
		"no trail at all": {false, func(g *baseline.Graph) {
			goLive(t, g, first(t, g, baseline.TypeInstance, ""), nil)
			g.Resources = slices.DeleteFunc(g.Resources, func(r baseline.Resource) bool { return r.Type == baseline.TypeTrail })
		}, "events-security-group", "no CloudTrail trail logs the management events of eu-west-1 (there is no trail): the rule on security-group changes never fires; log them with a trail, or the Organization's"},
		"a master secret never rotated": {false, func(g *baseline.Graph) {
			goLive(t, g, first(t, g, baseline.TypeInstance, ""), map[string]any{"lastRotatedDate": nil})
		}, "rds-secret-rotation", "database-instance-db: master secret rds!db-0f1e2d3c: never rotated since its creation on 2026-01-01, more than 7 days ago: rotation is failing; see the secret's rotation errors in CloudTrail (RotationFailed)"},
		"a grant that lets its grantee hand the key on": {false, func(g *baseline.Graph) {
			gr := first(t, g, baseline.TypeKeyGrant, "")
			gr.Inputs["granteePrincipal"] = "arn:aws:iam::123456789012:role/shared-admin"
			gr.Inputs["operations"] = []any{"Decrypt", "CreateGrant"}
		}, "kms-grants-scoped", `database-proxy-decrypt-orders_batch: granteePrincipal "arn:aws:iam::123456789012:role/shared-admin" is not a role of the stack; database-proxy-decrypt-orders_batch: operations include CreateGrant: the grantee could hand the key on`},
		"a grant to the proxy's role beyond Decrypt": {false, func(g *baseline.Graph) {
			first(t, g, baseline.TypeKeyGrant, "").Inputs["operations"] = []any{"Decrypt", "Encrypt"}
		}, "proxy-role-scoped", "database-proxy-decrypt-orders_batch: grants Encrypt to the role of database-proxy-proxy, want only Decrypt"},
		"a grant to the proxy's role for another secret": {false, func(g *baseline.Graph) {
			first(t, g, baseline.TypeKeyGrant, "").Inputs["constraints"] = []any{map[string]any{"encryptionContextEquals": map[string]any{"SecretARN": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:billing-AbCdEf"}}}
		}, "proxy-role-scoped", "database-proxy-decrypt-orders_batch: lets the role of database-proxy-proxy decrypt the secret arn:aws:secretsmanager:eu-west-1:123456789012:secret:billing-AbCdEf, which no auth of database-proxy-proxy names"},
		"a proxy role with a managed policy": {false, func(g *baseline.Graph) {
			first(t, g, baseline.TypeRole, "database-proxy-role").Inputs["managedPolicyArns"] = []any{"arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"}
		}, "proxy-role-scoped", "database-proxy-role: attaches arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole: a proxy's role needs no policy but its own"},
		"an untagged topic": {false, func(g *baseline.Graph) {
			topic := first(t, g, baseline.TypeTopic, "")
			delete(topic.Inputs, "tags")
			delete(topic.Outputs, "tagsAll")
		}, "rds-tags", "database-alerts-topic: tags lack environment, owner"},
		"recovery points without the owner tag": {false, func(g *baseline.Graph) {
			rule := first(t, g, baseline.TypeBackupPlan, "").Inputs["rules"].([]any)[0].(map[string]any)
			delete(rule["recoveryPointTags"].(map[string]any), "owner")
		}, "rds-tags", "database-backup-plan: the recovery points of rule 0 lack owner"},
		"an archive without a bucket key": {true, func(g *baseline.Graph) {
			delete(first(t, g, baseline.TypeBucketEncryption, "").Inputs["rules"].([]any)[0].(map[string]any), "bucketKeyEnabled")
		}, "s3-cmk", "database-audit-archive-encryption: bucketKeyEnabled is unset, want true (one KMS call per bucket key, not per object)"},
		"an archive another account may read": {true, func(g *baseline.Graph) {
			bp := first(t, g, baseline.TypeBucketPolicy, "")
			bp.Inputs["policy"] = strings.Replace(bp.Inputs["policy"].(string), `"Statement":[`, `"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"s3:GetObject","Resource":"*"},`, 1)
		}, "s3-tls-only", "database-audit-archive-policy: statement 0 allows arn:aws:iam::999999999999:root, outside the owner's account"},
	} {
		t.Run(name, func(t *testing.T) {
			g := graphOf(t, tc.archive)
			tc.mutate(g)
			results := baseline.Evaluate(g, nil)
			assert.Equal(t, []string{tc.key}, failing(results))
			_, detail := statusOf(results, tc.key)
			assert.Equal(t, tc.detail, detail)
		})
	}
}

// An Allow by NotAction, NotResource or NotPrincipal grants all but what it names: every control
// that reads the policy refuses it, rather than judging the little it names.
func TestPoliciesAllowingByExclusionAreRefused(t *testing.T) {
	for key, statement := range map[string]string{
		"NotAction":    `{"Effect":"Allow","NotAction":"iam:*","Resource":"arn:aws:secretsmanager:eu-west-1:123456789012:secret:x"}`,
		"NotResource":  `{"Effect":"Allow","Action":"secretsmanager:GetSecretValue","NotResource":"arn:aws:secretsmanager:eu-west-1:123456789012:secret:x"}`,
		"NotPrincipal": `{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:Decrypt","Resource":"*"}`,
	} {
		t.Run(key, func(t *testing.T) {
			g := prodGraph(t)
			first(t, g, baseline.TypeRolePolicy, "database-proxy-role-policy").Inputs["policy"] = `{"Statement":[` + statement + `]}`
			results := baseline.Evaluate(g, nil)
			assert.Equal(t, []string{"iam-no-kms-star", "iam-no-sensitive-reads", "iam-scoped-writes", "proxy-role-scoped"}, failing(results))
			_, detail := statusOf(results, "proxy-role-scoped")
			assert.Equal(t, "database-proxy-role-policy: the policy cannot be judged: statement 0 allows with "+key+", which grants all but what it names; name what it allows", detail)
		})
	}
	// A Deny by exclusion only narrows: it is read as usual.
	g := prodGraph(t)
	rp := first(t, g, baseline.TypeRolePolicy, "database-proxy-role-policy")
	rp.Inputs["policy"] = strings.Replace(rp.Inputs["policy"].(string), `"Statement":[`, `"Statement":[{"Effect":"Deny","NotAction":"secretsmanager:GetSecretValue","Resource":"*"},`, 1)
	assert.Empty(t, failing(baseline.Evaluate(g, nil)))
}

// The aurora stack passes every control that applies to it; only the archive's are left.
func TestAuroraPassesEveryApplicableControl(t *testing.T) {
	results := baseline.Evaluate(auroraGraph(t), nil)
	assert.Empty(t, failing(results))
	assert.Equal(t, baseline.Summary{Pass: len(baseline.Catalog) - 12, NotApplicable: 12}, baseline.Summarize(results), "no bucket (7 controls), stream or snapshot (2), and not live (2)")
}

// clusterBreakers weaken the aurora stack where a team that wrote its own cluster might: each
// fails its control with the detail that names what is wrong.
var clusterBreakers = []struct {
	control string
	mutate  func(t *testing.T, g *baseline.Graph)
	detail  string
	also    []string
}{
	{"events-parameter-group", func(t *testing.T, g *baseline.Graph) {
		g.Resources = slices.DeleteFunc(g.Resources, func(r baseline.Resource) bool {
			return r.Type == baseline.TypeEventSubscription && r.Inputs["sourceType"] == "db-parameter-group"
		})
	}, "no enabled event subscription for db-parameter-group", nil},
	{"alarms-present", func(t *testing.T, g *baseline.Graph) {
		goLive(t, g, first(t, g, baseline.TypeCluster, ""), nil)
		deleteAlarm(t, g, "DatabaseConnections")
	}, "database-cluster-cluster: no alarm on AWS/RDS DatabaseConnections of DBInstanceIdentifier=orders-aurora-1: its alert is gone; run pulumi up to make it again", nil},
	{"rds-secret-rotation", func(t *testing.T, g *baseline.Graph) {
		goLive(t, g, first(t, g, baseline.TypeCluster, ""), map[string]any{"lastRotatedDate": "2026-11-20T03:00:00Z"})
	}, `database-cluster-cluster: master secret rds!db-0f1e2d3c: last rotated on 2026-11-20, more than 7 days ago: rotation is failing; see the secret's rotation errors in CloudTrail (RotationFailed)`, nil},
	{"rds-in-vpc", func(t *testing.T, g *baseline.Graph) {
		delete(first(t, g, baseline.TypeCluster, "").Inputs, "dbSubnetGroupName")
	}, "database-cluster-cluster: dbSubnetGroupName is unset: the instance lands in the default VPC", []string{"rds-private-subnets", "vpc-flow-logs"}},
	{"vpc-flow-logs", func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeFlowLog, "").Inputs["logDestinationType"] = "s3"
	}, "database-flow-logs-subnet-0a1b2c3d4e5f60011: logDestinationType is s3, want cloud-watch-logs into a log group of the stack, whose key and retention the catalog judges", nil},
	{"pg-tls-min", func(t *testing.T, g *baseline.Graph) {
		setClusterParameter(t, g, "ssl_min_protocol_version", "TLSv1.1")
	},
		`database-parameter-group-cluster-params: ssl_min_protocol_version is "TLSv1.1", want TLSv1.2 or TLSv1.3`, nil},
	{"pg-scram", func(t *testing.T, g *baseline.Graph) {
		setClusterParameter(t, g, "rds.accepted_password_auth_method", "md5+scram")
	},
		`database-parameter-group-cluster-params: rds.accepted_password_auth_method is "md5+scram", want scram (md5+scram lets md5-stored passwords sign in)`, nil},
	{"pg-connection-logging", func(t *testing.T, g *baseline.Graph) { setClusterParameter(t, g, "log_disconnections", "off") },
		`database-parameter-group-cluster-params: log_disconnections is "off", want 1 (on)`, nil},
	{"pg-statement-logging", func(t *testing.T, g *baseline.Graph) {
		setClusterParameter(t, g, "shared_preload_libraries", "pgaudit")
	},
		`database-parameter-group-cluster-params: shared_preload_libraries is "pgaudit", want a list that includes pg_stat_statements`, nil},
	// Set on one instance's group, it overrides the cluster's for that instance only.
	{"pg-log-redaction", func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeParameterGroup, "").Inputs["parameters"] = []any{map[string]any{"name": "log_statement", "value": "all", "applyMethod": "immediate"}}
	}, `database-parameter-group-params: log_statement is "all", want none (pgAudit logs DDL and ROLE statements, passwords redacted)`, nil},
	{"rds-not-public", func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeClusterInstance, "instance-2").Inputs["publiclyAccessible"] = true
	}, "database-cluster-instance-2: publiclyAccessible is true, want false", nil},
	{"rds-encrypted", func(t *testing.T, g *baseline.Graph) {
		delete(first(t, g, baseline.TypeCluster, "").Inputs, "storageEncrypted")
	}, "database-cluster-cluster: storageEncrypted is unset, want true", nil},
	{"rds-cmk", func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeCluster, "").Inputs["kmsKeyId"] = "alias/aws/rds"
	}, `database-cluster-cluster: kmsKeyId is "alias/aws/rds", want a customer-managed key of the stack (not aws/rds)`, nil},
	{"rds-multi-az", func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeClusterInstance, "instance-2").Inputs["availabilityZone"] = "eu-west-1a"
	}, `database-cluster-cluster: its 2 instances are not placed in two or more availability zones (availabilityZone ["eu-west-1a"])`, nil},
	{"rds-multi-az", func(t *testing.T, g *baseline.Graph) { drop(g, baseline.TypeClusterInstance, "instance-2") },
		"database-cluster-cluster: has 1 instance(s), want a writer and a reader in another zone to fail over to", nil},
	{"rds-enhanced-monitoring", func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeClusterInstance, "instance-1").Inputs["monitoringInterval"] = 0.0
	}, "database-cluster-instance-1: monitoringInterval is 0, want one of [1 5 10 15 30 60]", nil},
	{"rds-deletion-protection", func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeCluster, "").Inputs["deletionProtection"] = false
	}, "database-cluster-cluster: deletionProtection is false, want true", nil},
	{"rds-log-exports", func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeCluster, "").Inputs["enabledCloudwatchLogsExports"] = []any{"postgresql", "iam-db-auth-error"}
	}, `database-cluster-cluster: enabledCloudwatchLogsExports is ["postgresql","iam-db-auth-error"], want it to include instance`, nil},
	{"rds-iam-auth", func(t *testing.T, g *baseline.Graph) {
		delete(first(t, g, baseline.TypeCluster, "").Inputs, "iamDatabaseAuthenticationEnabled")
	}, "database-cluster-cluster: iamDatabaseAuthenticationEnabled is unset, want true", nil},
	{"rds-backup-retention", func(t *testing.T, g *baseline.Graph) {
		delete(first(t, g, baseline.TypeCluster, "").Inputs, "backupRetentionPeriod")
	}, "database-cluster-cluster: backupRetentionPeriod is unset, want 7-35", nil},
	{"rds-minor-upgrades", func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeClusterInstance, "instance-2").Inputs["autoMinorVersionUpgrade"] = false
	}, "database-cluster-instance-2: autoMinorVersionUpgrade is false, want true", nil},
	{"rds-copy-tags", func(t *testing.T, g *baseline.Graph) {
		delete(first(t, g, baseline.TypeCluster, "").Inputs, "copyTagsToSnapshot")
	}, "database-cluster-cluster: copyTagsToSnapshot is unset, want true", nil},
	{"rds-non-default-port", func(t *testing.T, g *baseline.Graph) {
		delete(first(t, g, baseline.TypeCluster, "").Inputs, "port")
	}, "database-cluster-cluster: port is unset, want a port other than 5432", nil},
	{"rds-custom-admin", func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeCluster, "").Inputs["masterUsername"] = "Postgres"
	}, `database-cluster-cluster: masterUsername is "Postgres", want a name other than postgres or admin`, nil},
	{"rds-managed-password", func(t *testing.T, g *baseline.Graph) {
		c := first(t, g, baseline.TypeCluster, "")
		delete(c.Inputs, "manageMasterUserPassword")
		c.Inputs["masterPassword"] = "[secret]"
	}, "database-cluster-cluster: manageMasterUserPassword is unset, want true; database-cluster-cluster: has a masterPassword input", nil},
	{"rds-ca-cert", func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeClusterInstance, "instance-1").Inputs["caCertIdentifier"] = "rds-ca-2019"
	}, `database-cluster-instance-1: caCertIdentifier is "rds-ca-2019", want one of rds-ca-rsa2048-g1, rds-ca-rsa4096-g1, rds-ca-ecc384-g1`, nil},
	{"rds-supported-engine", func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeCluster, "").Inputs["engineVersion"] = "17.4"
	}, `database-cluster-cluster: engineVersion 17.4 pins a minor version, which RDS deprecates; give the major only`, nil},
	{"rds-supported-engine", func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeCluster, "").Inputs["engine"] = "aurora-mysql"
	}, `database-cluster-cluster: engine is "aurora-mysql", want aurora-postgresql, or postgres for a Multi-AZ DB cluster`, nil},
	{"rds-performance-insights", func(t *testing.T, g *baseline.Graph) {
		delete(first(t, g, baseline.TypeClusterInstance, "instance-2").Inputs, "performanceInsightsKmsKeyId")
	}, "database-cluster-instance-2: performanceInsightsKmsKeyId is unset, want a customer-managed key of the stack", nil},
	{"rds-final-snapshot", func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeCluster, "").Inputs["skipFinalSnapshot"] = true
	}, "database-cluster-cluster: skipFinalSnapshot is true, want false", nil},
	{"rds-no-extended-support", func(t *testing.T, g *baseline.Graph) {
		delete(first(t, g, baseline.TypeCluster, "").Inputs, "engineLifecycleSupport")
	}, "database-cluster-cluster: engineLifecycleSupport is unset, want open-source-rds-extended-support-disabled", nil},
	// An instance's DB parameter group overrides the cluster's: the instance runs the weaker value.
	{"pg-force-ssl", func(t *testing.T, g *baseline.Graph) {
		pg := first(t, g, baseline.TypeParameterGroup, "")
		pg.Inputs["parameters"] = []any{map[string]any{"name": "rds.force_ssl", "value": "0", "applyMethod": "immediate"}}
	}, `database-parameter-group-params: rds.force_ssl is "0", want 1`, nil},
	// Left unset, it is Aurora's default: 0.
	{"pg-force-ssl", func(t *testing.T, g *baseline.Graph) {
		pg := first(t, g, baseline.TypeClusterParameters, "")
		pg.Inputs["parameters"] = slices.DeleteFunc(pg.Inputs["parameters"].([]any), func(p any) bool { return p.(map[string]any)["name"] == "rds.force_ssl" })
	}, `database-parameter-group-cluster-params: rds.force_ssl is not set, so it is RDS's default "0" for aurora-postgresql17, want 1`, nil},
	{"pg-audit", func(t *testing.T, g *baseline.Graph) {
		setClusterParameter(t, g, "pgaudit.log", "none")
	}, `database-parameter-group-cluster-params: pgaudit.log is "none", want classes that leave ddl and role audited, read in order as pgAudit reads them (all adds every class, -class removes one)`, nil},
	{"pg-family-matches", func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeClusterParameters, "").Inputs["family"] = "aurora-postgresql16"
	}, `database-parameter-group-cluster-params: family is "aurora-postgresql16", want aurora-postgresql17`, nil},
	{"logs-shipped", func(t *testing.T, g *baseline.Graph) {
		drop(g, baseline.TypeSubscriptionFilter, "instance-subscription")
	},
		"/aws/rds/cluster/orders-aurora/instance: no subscription filter streams it to an audit destination", nil},
	{"backup-plan", func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeBackupSelection, "").Inputs["resources"] = []any{}
	}, "database-cluster-cluster: no backup selection names arn:aws:rds:eu-west-1:123456789012:cluster:orders-aurora", []string{"backup-independent-copy"}},
	{"backup-independent-copy", func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeBackupPlan, "").Inputs["rules"].([]any)[0].(map[string]any)["copyActions"] = []any{}
	}, "database-cluster-cluster: its backups exist only under its storage key, in its own region and account: copy them (backupCopyToVaultArn)", nil},
	{"sg-no-cidr-ingress", func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeIngressRule, "").Inputs["cidrIpv4"] = "0.0.0.0/0"
	}, "", nil},
	{"events-instance", func(t *testing.T, g *baseline.Graph) { drop(g, baseline.TypeEventSubscription, "instance-events") },
		"no enabled event subscription for db-instance", nil},
	{"events-cluster", func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeEventSubscription, "cluster-events").Inputs["eventCategories"] = []any{"notification"}
	}, "the db-cluster subscription lacks failover, failure, maintenance", nil},
	{"rds-tags", func(t *testing.T, g *baseline.Graph) {
		ci := first(t, g, baseline.TypeClusterInstance, "instance-2")
		delete(ci.Inputs["tags"].(map[string]any), "owner")
		delete(ci.Outputs["tagsAll"].(map[string]any), "owner")
	}, "database-cluster-instance-2: tags lack owner", nil},
	{"proxy-tls", func(t *testing.T, g *baseline.Graph) {
		first(t, g, baseline.TypeProxy, "").Inputs["requireTls"] = false
	}, "", nil},
}

// setClusterParameter sets a parameter of the aurora stack's cluster parameter group.
func setClusterParameter(t *testing.T, g *baseline.Graph, name, value string) {
	t.Helper()
	for _, p := range first(t, g, baseline.TypeClusterParameters, "").Inputs["parameters"].([]any) {
		if pm := p.(map[string]any); pm["name"] == name {
			pm["value"] = value
			return
		}
	}
	t.Fatalf("the cluster group does not set %s", name)
}

// Every control that reads a cluster or its instances fails the weakness in the aurora stack,
// and only that control.
func TestEveryClusterControlBites(t *testing.T) {
	broken := map[string]bool{}
	for _, b := range clusterBreakers {
		t.Run(b.control, func(t *testing.T) {
			g := auroraGraph(t)
			b.mutate(t, g)
			results := baseline.Evaluate(g, nil)
			want := append([]string{b.control}, b.also...)
			sort.Strings(want)
			assert.Equal(t, want, failing(results))
			if b.detail != "" {
				_, detail := statusOf(results, b.control)
				assert.Equal(t, b.detail, detail)
			}
		})
		broken[b.control] = true
	}
	for _, c := range baseline.Catalog {
		if slices.Contains(c.Reads, baseline.TypeCluster) || slices.Contains(c.Reads, baseline.TypeClusterInstance) {
			assert.True(t, broken[c.Key], "%s reads clusters but no weakness of the aurora stack breaks it", c.Key)
		}
	}
}

// On a live graph the rotation control applies and passes a secret rotated on schedule; a
// schedule it cannot read leaves it unproven, not passed.
func TestRotationIsJudgedLiveOnly(t *testing.T) {
	status, detail := statusOf(baseline.Evaluate(prodGraph(t), nil), "rds-secret-rotation")
	assert.Equal(t, baseline.NotApplicable, status)
	assert.Equal(t, "judged live only, by bin/audit: RDS turns rotation on for the master secret it makes; whether it is still on, and has run, shows only in the account", detail)

	g := prodGraph(t)
	goLive(t, g, first(t, g, baseline.TypeInstance, ""), nil)
	results := baseline.Evaluate(g, nil)
	assert.Empty(t, failing(results))
	status, detail = statusOf(results, "rds-secret-rotation")
	assert.Equal(t, baseline.Pass, status, detail)

	g = prodGraph(t)
	goLive(t, g, first(t, g, baseline.TypeInstance, ""), map[string]any{"rotationDays": nil, "rotationSchedule": "cron(0 4 ? * SUN *)"})
	status, detail = statusOf(baseline.Evaluate(g, nil), "rds-secret-rotation")
	assert.Equal(t, baseline.Unproven, status)
	assert.Equal(t, `database-instance-db: master secret rds!db-0f1e2d3c: its schedule is a cron or rate expression "cron(0 4 ? * SUN *)", which this check does not read`, detail)

	status, detail = statusOf(baseline.Evaluate(prodGraph(t), nil), "snapshots-private")
	assert.Equal(t, baseline.NotApplicable, status)
	assert.Equal(t, "the stack has no aws:rds/snapshot:Snapshot or aws:rds/clusterSnapshot:ClusterSnapshot or aws:rds/snapshotCopy:SnapshotCopy (judged live by bin/audit: snapshots are taken, copied and shared at run time; bin/audit reads every snapshot of the database)", detail)
}

// A subnet group whose subnets no look-up proves private (a program's own aws:rds/subnetGroup)
// leaves rds-private-subnets unproven, saying how to prove them: nothing wrong was found.
func TestASubnetGroupWithoutLookUpsIsUnproven(t *testing.T) {
	g := prodGraph(t)
	g.Invokes = slices.DeleteFunc(g.Invokes, func(i baseline.Invoke) bool { return i.Token == baseline.InvokeRouteTable })
	status, detail := statusOf(baseline.Evaluate(g, nil), "rds-private-subnets")
	assert.Equal(t, baseline.Unproven, status)
	var want []string
	for _, subnet := range []string{"subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012", "subnet-0a1b2c3d4e5f60013"} {
		want = append(want, "database-subnet-group-subnets: subnet "+subnet+": no look-up of its route table proves it private; make the group with hardenedpg.NewSubnetGroup, which looks every subnet up, or waive rds-private-subnets with the reason")
	}
	assert.Equal(t, strings.Join(want, "; "), detail)
}

// A database moved to a default parameter group still needs the parameter-group events (RDS.21
// is the account's): the control applies, and passes on the subscription the stack has.
func TestParameterGroupEventsApplyOnADefaultGroup(t *testing.T) {
	g := prodGraph(t)
	g.Resources = slices.DeleteFunc(g.Resources, func(r baseline.Resource) bool { return r.Type == baseline.TypeParameterGroup })
	first(t, g, baseline.TypeInstance, "").Inputs["parameterGroupName"] = "default.postgres17"
	status, detail := statusOf(baseline.Evaluate(g, nil), "events-parameter-group")
	assert.Equal(t, baseline.Pass, status, detail)
	g.Resources = slices.DeleteFunc(g.Resources, func(r baseline.Resource) bool {
		return r.Type == baseline.TypeEventSubscription && r.Inputs["sourceType"] == "db-parameter-group"
	})
	status, detail = statusOf(baseline.Evaluate(g, nil), "events-parameter-group")
	assert.Equal(t, baseline.Fail, status)
	assert.Equal(t, "no enabled event subscription for db-parameter-group", detail)
}

// vpc-flow-logs reads every way a subnet's traffic is, or is not, recorded: no flow log, one of
// the VPC instead of the subnets, one into a log group the stack does not make, one recording
// accepted connections only.
func TestFlowLogsInEveryRepresentation(t *testing.T) {
	withFlowLogs := func(t *testing.T, change func(fl []*baseline.Resource)) (baseline.Status, string) {
		g := prodGraph(t)
		var logs []*baseline.Resource
		for i := range g.Resources {
			if g.Resources[i].Type == baseline.TypeFlowLog {
				logs = append(logs, &g.Resources[i])
			}
		}
		require.Len(t, logs, 3, "prod logs each of its three subnets")
		change(logs)
		return statusOf(baseline.Evaluate(g, nil), "vpc-flow-logs")
	}
	status, detail := withFlowLogs(t, func([]*baseline.Resource) {})
	assert.Equal(t, baseline.Pass, status, detail)

	status, detail = withFlowLogs(t, func(fl []*baseline.Resource) { fl[1].Type = "aws:ec2/flowLogGone:Gone" })
	assert.Equal(t, baseline.Fail, status)
	assert.Equal(t, "database-subnet-group-subnets: subnet subnet-0a1b2c3d4e5f60012: no flow log of the subnet or of its VPC records its traffic", detail)

	status, detail = withFlowLogs(t, func(fl []*baseline.Resource) {
		for _, f := range fl[1:] {
			f.Type = "aws:ec2/flowLogGone:Gone"
		}
		delete(fl[0].Inputs, "subnetId")
		fl[0].Inputs["vpcId"] = "vpc-0a1b2c3d4e5f60001"
	})
	assert.Equal(t, baseline.Pass, status, "one flow log of the database's VPC covers every subnet: %s", detail)

	status, detail = withFlowLogs(t, func(fl []*baseline.Resource) {
		for _, f := range fl[1:] {
			f.Type = "aws:ec2/flowLogGone:Gone"
		}
		delete(fl[0].Inputs, "subnetId")
		fl[0].Inputs["vpcId"] = "vpc-0f0f0f0f0f0f0f0f0"
	})
	assert.Equal(t, baseline.Fail, status, "another VPC's flow log covers nothing of the database")
	assert.Contains(t, detail, "subnet subnet-0a1b2c3d4e5f60011: no flow log of the subnet or of its VPC records its traffic")

	status, detail = withFlowLogs(t, func(fl []*baseline.Resource) {
		fl[2].Inputs["logDestination"] = "arn:aws:logs:eu-west-1:123456789012:log-group:someone-elses"
	})
	assert.Equal(t, baseline.Fail, status)
	assert.Equal(t, "database-flow-logs-subnet-0a1b2c3d4e5f60013: logDestination \"arn:aws:logs:eu-west-1:123456789012:log-group:someone-elses\" is not a log group of the stack", detail)

	status, detail = withFlowLogs(t, func(fl []*baseline.Resource) { fl[0].Inputs["trafficType"] = "ACCEPT" })
	assert.Equal(t, baseline.Fail, status)
	assert.Equal(t, "database-flow-logs-subnet-0a1b2c3d4e5f60011: trafficType is \"ACCEPT\", want ALL or REJECT: rejected connections go unrecorded", detail)

	g := prodGraph(t)
	g.Resources = slices.DeleteFunc(g.Resources, func(r baseline.Resource) bool { return r.Type == baseline.TypeFlowLog })
	status, detail = statusOf(baseline.Evaluate(g, baseline.Waivers{"vpc-flow-logs": "the network stack logs the whole VPC"}), "vpc-flow-logs")
	assert.Equal(t, baseline.Waived, status, detail)
}
