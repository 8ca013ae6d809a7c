package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/plan"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/stack"
)

// analyzer is the pack's binary, started as the engine starts it, spoken to over its gRPC port.
type analyzer struct {
	client pulumirpc.AnalyzerClient
}

// servePackEnv makes the test binary serve the pack instead of running tests: it holds the same
// code as the pack's binary, and the test needs no second build.
const servePackEnv = "HARDENEDPG_TEST_SERVE_POLICY_PACK"

func TestMain(m *testing.M) {
	if os.Getenv(servePackEnv) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

func startAnalyzer(t *testing.T) *analyzer {
	t.Helper()
	cmd := exec.Command(os.Args[0]) //nolint:gosec // this test binary, serving the pack
	cmd.Env = append(os.Environ(), servePackEnv+"=1")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	// The analyzer protocol: the plugin's first line of output is its port.
	port, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	conn, err := grpc.NewClient("127.0.0.1:"+strings.TrimSpace(port), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return &analyzer{client: pulumirpc.NewAnalyzerClient(conn)}
}

// run drives one preview as the engine does: handshake, stack configuration, the pack's policies
// and their config, every resource on its own, then the stack. It returns the diagnostics by
// policy name, or the error of the run.
func (a *analyzer) run(t *testing.T, g *baseline.Graph, waivers map[string]any) (map[string][]*pulumirpc.AnalyzeDiagnostic, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir, err := os.Getwd()
	require.NoError(t, err)
	_, err = a.client.Handshake(ctx, &pulumirpc.AnalyzerHandshakeRequest{RootDirectory: &dir, ProgramDirectory: &dir})
	require.NoError(t, err)
	_, err = a.client.ConfigureStack(ctx, &pulumirpc.AnalyzerStackConfigureRequest{Stack: "test", Project: "test", DryRun: true})
	require.NoError(t, err)
	info, err := a.client.GetAnalyzerInfo(ctx, &emptypb.Empty{})
	require.NoError(t, err)
	require.Len(t, info.GetPolicies(), len(baseline.Catalog)+2)
	config := map[string]*pulumirpc.PolicyConfig{}
	if waivers != nil {
		props, err := structpb.NewStruct(map[string]any{"waivers": waivers})
		require.NoError(t, err)
		config[WaiversPolicy] = &pulumirpc.PolicyConfig{EnforcementLevel: pulumirpc.EnforcementLevel_ADVISORY, Properties: props}
	}
	_, err = a.client.Configure(ctx, &pulumirpc.ConfigureAnalyzerRequest{PolicyConfig: config})
	require.NoError(t, err)

	var resources []*pulumirpc.AnalyzerResource
	for _, r := range g.Resources {
		props := map[string]any{}
		for k, v := range r.Outputs {
			props[k] = v
		}
		for k, v := range r.Inputs {
			props[k] = v
		}
		if r.ID != "" {
			props["id"] = r.ID
		}
		pm, err := plugin.MarshalProperties(resource.NewPropertyMapFromMap(props), plugin.MarshalOptions{KeepUnknowns: true})
		require.NoError(t, err)
		deps := map[string]*pulumirpc.AnalyzerPropertyDependencies{}
		for k, urns := range r.PropertyDependencies {
			deps[k] = &pulumirpc.AnalyzerPropertyDependencies{Urns: urns}
		}
		// The engine sends each resource's provider with its configuration: the region.
		provider := &pulumirpc.AnalyzerProviderResource{Type: "pulumi:providers:aws", Name: "default"}
		if r.Region != "" {
			provider.Properties, err = structpb.NewStruct(map[string]any{"region": r.Region})
			require.NoError(t, err)
		}
		resources = append(resources, &pulumirpc.AnalyzerResource{
			Type: r.Type, Urn: r.URN, Name: r.Name, Properties: pm, Parent: r.Parent, Dependencies: r.DependsOn,
			Options: &pulumirpc.AnalyzerResourceOptions{Protect: r.Protect}, PropertyDependencies: deps, Provider: provider,
		})
	}
	for _, r := range resources {
		if _, err := a.client.Analyze(ctx, &pulumirpc.AnalyzeRequest{Type: r.Type, Urn: r.Urn, Name: r.Name, Properties: r.Properties, Options: r.Options}); err != nil {
			return nil, err
		}
	}
	res, err := a.client.AnalyzeStack(ctx, &pulumirpc.AnalyzeStackRequest{Resources: resources})
	require.NoError(t, err)
	byPolicy := map[string][]*pulumirpc.AnalyzeDiagnostic{}
	for _, d := range res.GetDiagnostics() {
		byPolicy[d.GetPolicyName()] = append(byPolicy[d.GetPolicyName()], d)
	}
	return byPolicy, nil
}

func recorded(t *testing.T, name string) (*baseline.Graph, baseline.Waivers) {
	t.Helper()
	return recordedAs(t, name, hardenedpgtest.New())
}

// recordedAs records a stack's program against m (a previewing monitor for a first preview).
func recordedAs(t *testing.T, name string, m *hardenedpgtest.Monitor) (*baseline.Graph, baseline.Waivers) {
	t.Helper()
	sc, err := plan.ReadStackConfig("..", name)
	require.NoError(t, err)
	result, err := plan.Run(sc, m, stack.Program)
	require.NoError(t, err)
	waivers := baseline.Waivers{}
	for _, c := range result.Controls {
		if c.Status == baseline.Waived {
			waivers[c.Key] = c.Waiver
		}
	}
	return m.Graph(), waivers
}

// configuredWaivers are the waivers in a stack's config file.
func configuredWaivers(t *testing.T, name string) baseline.Waivers {
	t.Helper()
	sc, err := plan.ReadStackConfig("..", name)
	require.NoError(t, err)
	var w baseline.Waivers
	require.NoError(t, json.Unmarshal([]byte(sc.Values["hardenedpg:waivers"]), &w))
	require.NotEmpty(t, w)
	return w
}

func TestPackJudgesProdDevAndTheRegistryExample(t *testing.T) {
	a := startAnalyzer(t)

	t.Run("prod: no control is violated", func(t *testing.T) {
		g, _ := recorded(t, "prod")
		got, err := a.run(t, g, nil)
		require.NoError(t, err)
		// The private-subnet proof is a look-up the engine does not show a pack: unproven, as advice.
		require.Len(t, got[UnprovenPolicy], 1)
		assert.True(t, strings.HasPrefix(got[UnprovenPolicy][0].GetMessage(), "Controls whose evidence a policy pack cannot see (look-ups, values unknown until apply), and warnings (an engine near the end of standard support): not passed, not failed\nrds-private-subnets UNPROVEN (high): database-subnet-group-subnets: subnet subnet-0a1b2c3d4e5f60011: its route table is only known to a look-up"),
			got[UnprovenPolicy][0].GetMessage())
		delete(got, UnprovenPolicy)
		assert.Empty(t, got)
	})

	t.Run("dev: every waiver honoured from the pack's config", func(t *testing.T) {
		g, waivers := recorded(t, "dev")
		assert.Equal(t, configuredWaivers(t, "dev"), waivers, "the stack waives what its config says")
		config := map[string]any{}
		for k, v := range waivers {
			config[k] = v
		}
		got, err := a.run(t, g, config)
		require.NoError(t, err)
		delete(got, UnprovenPolicy)
		assert.Empty(t, got)

		// Without them, each waived control is a violation, at its severity's enforcement level.
		got, err = a.run(t, g, nil)
		require.NoError(t, err)
		delete(got, UnprovenPolicy)
		assert.ElementsMatch(t, slices.Collect(func(yield func(string) bool) {
			for k := range waivers {
				if !yield(k) {
					return
				}
			}
		}), keysOf(got))
		d := got["backup-independent-copy"][0]
		assert.Equal(t, pulumirpc.EnforcementLevel_MANDATORY, d.GetEnforcementLevel())
		assert.Equal(t, pulumirpc.EnforcementLevel_ADVISORY, got["rds-multi-az"][0].GetEnforcementLevel())
		assert.Equal(t, "urn:pulumi:dev::hardenedpg::hardenedpg:index:Database$hardenedpg:index:Instance$aws:rds/instance:Instance::database-instance-db", d.GetUrn())
	})

	t.Run("a waiver of one resource relaxes that resource", func(t *testing.T) {
		g, waivers := recorded(t, "dev")
		config := map[string]any{}
		for k, v := range waivers {
			config[k] = v
		}
		delete(config, "rds-multi-az")
		config[baseline.WaiverKey("rds-multi-az", "database-instance-db")] = waivers["rds-multi-az"]
		got, err := a.run(t, g, config)
		require.NoError(t, err)
		delete(got, UnprovenPolicy)
		assert.Empty(t, got)

		// Named wrongly, it relaxes nothing: the instance is judged.
		delete(config, "rds-multi-az/database-instance-db")
		config["rds-multi-az/database-instance-dbb"] = waivers["rds-multi-az"]
		got, err = a.run(t, g, config)
		require.NoError(t, err)
		delete(got, UnprovenPolicy)
		assert.Equal(t, []string{"rds-multi-az"}, keysOf(got))
		assert.Contains(t, got["rds-multi-az"][0].GetMessage(), "rds-multi-az FAIL (medium): database-instance-db: multiAz is false, want true")
	})

	t.Run("a bad waiver fails the run", func(t *testing.T) {
		g, _ := recorded(t, "prod")
		_, err := a.run(t, g, map[string]any{"rds-encrypted": "trust me", "no-such-control": "x", "rds-multi-az": " "})
		require.Error(t, err)
		assert.Contains(t, err.Error(), WaiversPolicy+`.waivers["no-such-control"]: "no-such-control" is not a control key; waivable keys: `)
		assert.Contains(t, err.Error(), WaiversPolicy+`.waivers["rds-encrypted"]: control rds-encrypted (Storage is encrypted) cannot be waived`)
		assert.Contains(t, err.Error(), WaiversPolicy+`.waivers["rds-multi-az"]: the reason is empty; say why the control is relaxed`)
	})

	t.Run("the registry example: each failure named", func(t *testing.T) {
		got, err := a.run(t, registryExample(t, false), nil)
		require.NoError(t, err)
		unproven := got[UnprovenPolicy]
		delete(got, UnprovenPolicy)
		assert.Equal(t, registryExampleFailures, keysOf(got))
		require.Len(t, unproven, 1)
		assert.Contains(t, unproven[0].GetMessage(), "rds-private-subnets UNPROVEN")
		msg := got["pg-scram"][0].GetMessage()
		assert.Equal(t, "Only SCRAM-SHA-256 passwords: stored as SCRAM, and RDS accepts no md5 password\n"+
			"pg-scram FAIL (high): default.postgres17: rds.accepted_password_auth_method is not set, so it is RDS's default \"md5+scram\" for postgres17, want scram (md5+scram lets md5-stored passwords sign in)\n"+
			"references: hardenedpg only\n"+
			"read: urn:pulumi:example::registry::aws:rds/instance:Instance::default\n"+
			`relax it with a reason: {"hardenedpg-waivers": {"waivers": {"pg-scram": "..."}}}, or for one resource only, the key "pg-scram/<name or URN>"`, msg)
	})
}

// A proxy declared without the library is judged like the library's: the registry example fails
// IAM auth (mandatory: high), the role scope and the security group it names, and passes TLS.
func TestPackJudgesARawProxy(t *testing.T) {
	a := startAnalyzer(t)
	got, err := a.run(t, registryProxyExample(t), nil)
	require.NoError(t, err)
	for _, key := range []string{"proxy-iam-auth", "proxy-role-scoped"} {
		require.Len(t, got[key], 1, key)
		assert.Equal(t, pulumirpc.EnforcementLevel_MANDATORY, got[key][0].GetEnforcementLevel(), key)
	}
	assert.Contains(t, got["proxy-iam-auth"][0].GetMessage(), `example: auths[0].iamAuth is "DISABLED", want REQUIRED (a password alone lets in whoever has it)`)
	assert.Contains(t, got["proxy-role-scoped"][0].GetMessage(), `example: roleArn "arn:aws:iam::123456789012:role/example" is not a role of the stack, so what it may read is unknown`)
	assert.Contains(t, got["sg-no-cidr-ingress"][0].GetMessage(), `example: vpcSecurityGroupIds ["sg-0123456789abcdef0"] names no security group of the stack`)
	assert.NotContains(t, got, "proxy-tls")
	assert.NotContains(t, got, "proxy-no-debug-logging")
}

// The pack fails the registry's Aurora cluster on what it leaves out, each at its control's
// enforcement level: encryption stops the update, the rest is reported.
func TestPackJudgesARawCluster(t *testing.T) {
	a := startAnalyzer(t)
	got, err := a.run(t, registryClusterExample(t), nil)
	require.NoError(t, err)
	for key, want := range map[string]struct {
		level   pulumirpc.EnforcementLevel
		message string
	}{
		"rds-encrypted":           {pulumirpc.EnforcementLevel_MANDATORY, "postgresql: storageEncrypted is unset, want true"},
		"rds-iam-auth":            {pulumirpc.EnforcementLevel_ADVISORY, "postgresql: iamDatabaseAuthenticationEnabled is unset, want true"},
		"rds-deletion-protection": {pulumirpc.EnforcementLevel_ADVISORY, "postgresql: deletionProtection is unset, want true"},
		"rds-log-exports":         {pulumirpc.EnforcementLevel_ADVISORY, "postgresql: enabledCloudwatchLogsExports is unset, want it to include postgresql"},
		"rds-managed-password":    {pulumirpc.EnforcementLevel_MANDATORY, "postgresql: has a masterPassword input"},
		"rds-multi-az":            {pulumirpc.EnforcementLevel_ADVISORY, "postgresql: its 2 instances are not placed in two or more availability zones"},
		"pg-force-ssl":            {pulumirpc.EnforcementLevel_MANDATORY, `default.aurora-postgresql: rds.force_ssl is not set`},
	} {
		require.Len(t, got[key], 1, key)
		assert.Equal(t, want.level, got[key][0].GetEnforcementLevel(), key)
		assert.Contains(t, got[key][0].GetMessage(), want.message, key)
	}
}

// The pack judges a raw Multi-AZ DB cluster as one: what an instance holds is asked of the
// cluster, and nothing of Aurora is.
func TestPackJudgesARawMultiAZDBCluster(t *testing.T) {
	a := startAnalyzer(t)
	got, err := a.run(t, registryMultiAZClusterExample(t), nil)
	require.NoError(t, err)
	for key, want := range map[string]string{
		"rds-encrypted":            "example: storageEncrypted is unset, want true",
		"rds-enhanced-monitoring":  "example: monitoringInterval is unset, want one of [1 5 10 15 30 60]",
		"rds-performance-insights": "example: performanceInsightsEnabled is unset, want true",
		"rds-log-exports":          "example: enabledCloudwatchLogsExports is unset, want it to include upgrade",
		"pg-force-ssl":             "default.postgres",
	} {
		require.Len(t, got[key], 1, key)
		assert.Contains(t, got[key][0].GetMessage(), want, key)
	}
	assert.NotContains(t, got, "rds-multi-az", "RDS places a Multi-AZ DB cluster in three zones")
	for key, diags := range got {
		for _, d := range diags {
			assert.NotContains(t, d.GetMessage(), "aurora", key)
		}
	}
}

func keysOf[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestPackJudgesAFirstPreview sends the pack prod as its first preview does, with what AWS assigns
// unknown and the engine's property dependencies: it reports as unproven exactly what the plan's
// -preview does, and a weakened program fails there, before anything is created.
func TestPackJudgesAFirstPreview(t *testing.T) {
	a := startAnalyzer(t)
	m := hardenedpgtest.New()
	m.PreviewFirst()
	g, _ := recordedAs(t, "prod", m)
	// What the pack sees: the resources, no look-ups (the private-subnet proof waits for them).
	asPack := copyResources(g)
	asPack.NoLookups, asPack.Invokes = true, nil
	var wantUnproven []string
	for _, r := range baseline.Evaluate(asPack, nil) {
		require.NotEqual(t, baseline.Fail, r.Status, "%s: %s", r.Key, r.Detail)
		if r.Status == baseline.Unproven {
			wantUnproven = append(wantUnproven, r.Key)
		}
	}
	diags, err := a.run(t, g, nil)
	require.NoError(t, err)
	var unproven []string
	for _, d := range diags[UnprovenPolicy] {
		_, row, _ := strings.Cut(d.GetMessage(), "\n") // after the policy's description
		unproven = append(unproven, strings.Fields(row)[0])
	}
	slices.Sort(unproven)
	slices.Sort(wantUnproven)
	assert.Equal(t, wantUnproven, unproven)
	// What waits for apply or a look-up, and nothing else (docs/policy-pack.md says why); the
	// proxy's secret, made in the same `up`, is named by a pattern whose account only a look-up
	// proves.
	assert.Equal(t, []string{"events-security-group", "proxy-role-scoped", "rds-private-subnets"}, unproven)
	for policy := range diags {
		assert.Contains(t, []string{UnprovenPolicy}, policy, "prod's first preview violates %s", policy)
	}

	weak := copyResources(g)
	set := func(typ, key string, v any) {
		for i := range weak.Resources {
			if weak.Resources[i].Type == typ {
				weak.Resources[i].Inputs[key] = v
			}
		}
	}
	set(baseline.TypeInstance, "multiAz", false)
	set(baseline.TypeInstance, "storageEncrypted", false)
	set(baseline.TypeIngressRule, "cidrIpv4", "0.0.0.0/0")
	for i := range weak.Resources {
		if weak.Resources[i].Type == baseline.TypeParameterGroup {
			for _, p := range weak.Resources[i].Inputs["parameters"].([]any) {
				if pm := p.(map[string]any); pm["name"] == "rds.force_ssl" {
					pm["value"] = "0"
				}
			}
		}
	}
	diags, err = a.run(t, weak, nil)
	require.NoError(t, err)
	for _, key := range []string{"rds-multi-az", "rds-encrypted", "sg-no-cidr-ingress", "pg-force-ssl"} {
		require.Len(t, diags[key], 1, "%s does not fail at the first preview", key)
		assert.Contains(t, diags[key][0].GetMessage(), key+" FAIL")
	}
}

// copyResources copies a graph as the pack sees it (outputs and inputs as one map of properties),
// deeply enough to change inputs and their parameter lists.
func copyResources(g *baseline.Graph) *baseline.Graph {
	out := &baseline.Graph{Invokes: g.Invokes}
	for _, r := range g.Resources {
		in := map[string]any{}
		for k, v := range r.Outputs {
			in[k] = v
		}
		for k, v := range r.Inputs {
			if list, ok := v.([]any); ok && k == "parameters" {
				params := make([]any, len(list))
				for i, p := range list {
					pm := map[string]any{}
					for pk, pv := range p.(map[string]any) {
						pm[pk] = pv
					}
					params[i] = pm
				}
				v = params
			}
			in[k] = v
		}
		r.Inputs, r.Outputs = in, in
		out.Resources = append(out.Resources, r)
	}
	return out
}

// A read replica added by hand beside prod's hardened primary is judged by replica rules in a
// real preview too: nothing RDS does not offer on a replica is asked of it, and the primary's
// RDS-managed password, of which RDS makes no replica, is the one violation.
func TestPackJudgesAReplicaByReplicaRules(t *testing.T) {
	a := startAnalyzer(t)
	g, _ := recorded(t, "prod")
	var primary baseline.Resource
	for _, r := range g.Resources {
		if r.Type == baseline.TypeInstance {
			primary = r
		}
	}
	replica := primary
	replica.Name, replica.URN = "reporting", strings.TrimSuffix(primary.URN, primary.Name)+"reporting"
	replica.Inputs = map[string]any{"replicateSourceDb": primary.Inputs["identifier"], "instanceClass": primary.Inputs["instanceClass"],
		"skipFinalSnapshot": true, "publiclyAccessible": false, "iamDatabaseAuthenticationEnabled": true}
	for _, k := range []string{"multiAz", "deletionProtection", "enabledCloudwatchLogsExports", "monitoringInterval", "monitoringRoleArn", "autoMinorVersionUpgrade",
		"copyTagsToSnapshot", "port", "dbSubnetGroupName", "vpcSecurityGroupIds", "parameterGroupName", "backupRetentionPeriod", "caCertIdentifier",
		"performanceInsightsEnabled", "performanceInsightsKmsKeyId", "engine", "engineVersion", "engineLifecycleSupport", "tags"} {
		replica.Inputs[k] = primary.Inputs[k]
	}
	replica.Outputs, replica.ID = nil, ""
	g.Resources = append(g.Resources, replica)
	got, err := a.run(t, g, nil)
	require.NoError(t, err)
	delete(got, UnprovenPolicy)
	// Its logs have no group of the stack to ship them: that is the replica's own weakness.
	assert.Equal(t, []string{"logs-shipped", "rds-managed-password"}, keysOf(got))
	assert.Contains(t, got["rds-managed-password"][0].GetMessage(), primary.Name+": read replica reporting names it as its source, and RDS makes no read replica of a source whose master password it manages")
	assert.Contains(t, got["logs-shipped"][0].GetMessage(), "logs-shipped FAIL (medium): reporting: identifier is unset, so RDS names the database and the log groups it exports to at apply")
}
