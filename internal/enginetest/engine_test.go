// Package enginetest drives the dev and prod stacks through the real Pulumi engine (the CLI built
// from tools/pulumi/go.mod, the Automation API with the inline program internal/stack.Run, a
// local file backend and passphrase secrets), since mocks bypass the engine: registration order,
// protect, secrets in the checkpoint and convergence are the engine's.
package enginetest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/hardenedpg/pulumi-hardenedpg/internal/testenv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/plan"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/stack"
)

const (
	passphrase = "enginetest-only-passphrase"
	// webhook is a secret config value: it must never reach the checkpoint in clear.
	webhook = "https://hooks.example.com/services/T0KEN-d0-not-leak"
)

// repoRoot is the module root, two directories up from this file.
func repoRoot(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

func run(t *testing.T, dir string, env []string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...) //nolint:gosec // the test's own builds
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s %s\n%s", name, strings.Join(args, " "), out)
}

// engine builds the CLI and the stand-in plugins once per test binary.
type engine struct {
	cli   auto.PulumiCommand
	env   map[string]string
	state string
	// cliRoot holds bin/pulumi; cliEnv runs it outside the Automation API.
	cliRoot string
	cliEnv  []string
}

func setup(t *testing.T) *engine {
	t.Helper()
	testenv.SkipWhenShort(t, "the Pulumi CLI built and driven")
	root := repoRoot(t)
	tmp := t.TempDir()
	goEnv := os.Environ()
	cliRoot := filepath.Join(tmp, "cli")
	// The version the workflows deploy with: the Makefile holds it.
	version, err := exec.Command("make", "-s", "--no-print-directory", "-C", root, "print-pulumi-version").Output()
	require.NoError(t, err)
	cliVersion := strings.TrimSpace(string(version))
	require.Regexp(t, `^v3\.\d+\.\d+$`, cliVersion)
	toolsMod, err := os.ReadFile(filepath.Join(root, "tools", "pulumi", "go.mod"))
	require.NoError(t, err)
	require.Contains(t, string(toolsMod), "github.com/pulumi/pulumi/pkg/v3 "+cliVersion, "tools/pulumi/go.mod builds the CLI the Makefile names")
	run(t, root, goEnv, "go", "build", "-modfile=tools/pulumi/go.mod",
		"-ldflags", "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version="+cliVersion,
		"-o", filepath.Join(cliRoot, "bin", "pulumi"), "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi")
	plugins := filepath.Join(tmp, "plugins")
	for _, pkg := range []string{"aws", "random"} {
		run(t, root, goEnv, "go", "build", "-o", filepath.Join(plugins, "pulumi-resource-"+pkg), "./internal/enginetest/standin")
	}
	state := filepath.Join(tmp, "state")
	require.NoError(t, os.MkdirAll(state, 0o700))
	env := map[string]string{
		"PULUMI_HOME":                                 filepath.Join(tmp, "home"),
		"PULUMI_BACKEND_URL":                          "file://" + state,
		"PULUMI_CONFIG_PASSPHRASE":                    passphrase,
		"PULUMI_SKIP_UPDATE_CHECK":                    "true",
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
		// Every stack comes up in one account that holds only what the test made.
		testenv.StandinAccount: filepath.Join(tmp, "account"),
	}
	cliEnv := append(os.Environ(), "PULUMI_HOME="+env["PULUMI_HOME"], "PULUMI_SKIP_UPDATE_CHECK=true")
	for pkg, version := range map[string]string{"aws": "6.83.4", "random": "4.19.2"} {
		run(t, tmp, cliEnv, filepath.Join(cliRoot, "bin", "pulumi"), "plugin", "install", "resource", pkg, version,
			"--file", filepath.Join(plugins, "pulumi-resource-"+pkg))
	}
	cli, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: cliRoot, SkipVersionCheck: true})
	require.NoError(t, err)
	return &engine{cli: cli, env: env, state: state, cliRoot: cliRoot, cliEnv: cliEnv}
}

// stackOf creates the stack with the configuration of the repository's Pulumi.<name>.yaml.
func (e *engine) stackOf(t *testing.T, ctx context.Context, name string) auto.Stack {
	t.Helper()
	return e.stackAs(t, ctx, name, name)
}

// stackAs creates the stack name with the configuration of the repository's stack config.
func (e *engine) stackAs(t *testing.T, ctx context.Context, config, name string) auto.Stack {
	t.Helper()
	dir := t.TempDir()
	text, err := os.ReadFile(filepath.Join(repoRoot(t), "Pulumi."+config+".yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi."+name+".yaml"), text, 0o600))
	project := workspace.Project{Name: "hardenedpg", Runtime: workspace.NewProjectRuntimeInfo("go", nil)}
	s, err := auto.UpsertStackInlineSource(ctx, name, "hardenedpg", stack.Run,
		auto.Pulumi(e.cli), auto.WorkDir(dir), auto.Project(project), auto.EnvVars(e.env), auto.SecretsProvider("passphrase"))
	require.NoError(t, err)
	require.NoError(t, s.SetConfig(ctx, "hardenedpg:alertHttpsEndpoints", auto.ConfigValue{Value: `["` + webhook + `"]`, Secret: true}))
	if config == "dev" {
		// With a recipient, dev no longer relaxes the alert controls, and an unused waiver is an error.
		var waivers []string
		for _, key := range hardenedpg.UnreceivedAlertControls {
			waivers = append(waivers, "hardenedpg:waivers."+key)
		}
		require.NoError(t, s.RemoveAllConfigWithOptions(ctx, waivers, &auto.ConfigOptions{Path: true}))
	}
	return s
}

func TestEngineRunsTheStacks(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	for _, name := range []string{"dev", "prod", "aurora", "restore", "multiaz", "reporting"} {
		t.Run(name, func(t *testing.T) {
			s := e.stackOf(t, ctx, name)
			// As deploy.yml does: save the previewed plan, then apply only that plan.
			savedPlan := filepath.Join(t.TempDir(), "plan.json")
			saved, err := s.Preview(ctx, optpreview.Plan(savedPlan))
			require.NoError(t, err)
			assert.Greater(t, saved.ChangeSummary[apitype.OpCreate], 30)
			require.FileExists(t, savedPlan)
			up, err := s.Up(ctx, optup.Plan(savedPlan))
			require.NoError(t, err)
			outputs := []string{"address", "endpoint", "port", "instanceArn", "masterUserSecretArn", "storageKeyArn", "connectPolicy"}
			if name == "aurora" || name == "multiaz" {
				outputs = append(outputs[:3], "clusterArn", "readerEndpoint", "masterUserSecretArn", "storageKeyArn", "connectPolicy")
			}
			if name == "prod" || name == "aurora" || name == "multiaz" || name == "reporting" {
				// The proxy's user secret was made in this up (the stand-in refuses any other).
				outputs = append(outputs, "proxyEndpoint", "proxySecretArns")
			}
			for _, k := range outputs {
				assert.NotEmpty(t, up.Outputs[k].Value, "output %s", k)
			}
			assert.Greater(t, (*up.Summary.ResourceChanges)["create"], 30)

			preview, err := s.Preview(ctx)
			require.NoError(t, err)
			for op, n := range preview.ChangeSummary {
				assert.Equal(t, apitype.OpSame, op, "the program is deterministic: a second preview has %d %s", n, op)
			}

			checkpoint, err := os.ReadFile(filepath.Join(e.state, ".pulumi", "stacks", "hardenedpg", name+".json"))
			require.NoError(t, err)
			// Checked with strings.Contains: a failure must not print the whole checkpoint.
			assert.False(t, strings.Contains(string(checkpoint), "T0KEN-d0-not-leak"), "a secret config value reached the checkpoint in clear")
			assert.False(t, strings.Contains(string(checkpoint), passphrase), "the passphrase reached the checkpoint")
			assert.True(t, strings.Contains(string(checkpoint), `"4dabf18193072939515e22adb298388d":"1b47061264138c4ac30d75fd1eb44270"`),
				"the webhook subscription's endpoint is stored as a secret")
			var doc map[string]any
			require.NoError(t, json.Unmarshal(checkpoint, &doc))

			_, err = s.Destroy(ctx)
			if name != "dev" {
				require.Error(t, err, "%s must not be destroyable", name)
				assert.Contains(t, err.Error(), "protected")
				return
			}
			require.NoError(t, err, "dev waives deletion protection, so it can be torn down")
		})
	}
}

// previewWithEvents runs a preview and hands each engine event to see, in order.
func previewWithEvents(ctx context.Context, s auto.Stack, see func(events.EngineEvent), opts ...optpreview.Option) (auto.PreviewResult, error) {
	ch := make(chan events.EngineEvent)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for e := range ch {
			see(e)
		}
	}()
	res, err := s.Preview(ctx, append(opts, optpreview.EventStreams(ch))...)
	<-done
	return res, err
}

// policyEvents runs a preview with the policy pack binary and returns its violations by policy name.
func policyEvents(t *testing.T, ctx context.Context, s auto.Stack, pack string, opts ...optpreview.Option) (map[string][]apitype.PolicyEvent, error) {
	t.Helper()
	got := map[string][]apitype.PolicyEvent{}
	_, err := previewWithEvents(ctx, s, func(e events.EngineEvent) {
		if e.PolicyEvent != nil {
			got[e.PolicyEvent.PolicyName] = append(got[e.PolicyEvent.PolicyName], *e.PolicyEvent)
		}
	}, append(opts, optpreview.PolicyPacks(pack))...)
	return got, err
}

// buildPack builds the policy pack's binary, which the CLI starts as an analyzer plugin.
func buildPack(t *testing.T) string {
	t.Helper()
	pack := filepath.Join(t.TempDir(), "hardenedpg-policy")
	run(t, repoRoot(t), os.Environ(), "go", "build", "-o", pack, "./policy")
	return pack
}

// The policy pack runs inside the real engine. Given a directory, the CLI starts a `runtime: go`
// pack through the Go language host, pulumi-language-go, which this machine cannot have; given an
// executable, it starts it as a binary analyzer plugin (pkg/resource/plugin/analyzer_plugin.go,
// NewPolicyAnalyzer), which is what `go build ./policy` makes.
func TestPolicyPackThroughTheCLI(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	pack := buildPack(t)

	s := e.stackOf(t, ctx, "prod")
	// The first preview, as against AWS: what AWS assigns is unknown. Nothing fails, and only what
	// waits for apply or a look-up is unproven (docs/policy-pack.md says why for each).
	got, err := policyEvents(t, ctx, s, pack)
	require.NoError(t, err)
	unproven := controlsIn(got["hardenedpg-unproven"])
	delete(got, "hardenedpg-unproven")
	assert.Empty(t, got, "prod's first preview fails no control")
	assert.Equal(t, UnprovenAtFirstPreview["prod"], unproven)
	sc, err := plan.ReadStackConfig(repoRoot(t), "prod")
	require.NoError(t, err)
	offline, err := plan.Run(sc, nil, stack.Program)
	require.NoError(t, err)
	applicable := len(baseline.Catalog) - offline.Summary.NotApplicable
	t.Logf("first preview through the CLI: proven %d of %d applicable controls of prod", applicable-len(unproven), applicable)

	_, err = s.Up(ctx)
	require.NoError(t, err)
	got, err = policyEvents(t, ctx, s, pack)
	require.NoError(t, err)
	unproven = controlsIn(got["hardenedpg-unproven"])
	delete(got, "hardenedpg-unproven")
	assert.Empty(t, got, "prod violates no control once its values are known")
	assert.Equal(t, []string{"rds-private-subnets"}, unproven, "the route tables are a look-up the pack does not see")

	// A weakened program is reported, named with its references, at its severity's level.
	require.NoError(t, s.SetConfigWithOptions(ctx, "hardenedpg:waivers.rds-multi-az", auto.ConfigValue{Value: "engine test"}, &auto.ConfigOptions{Path: true}))
	require.NoError(t, s.SetConfig(ctx, "hardenedpg:multiAz", auto.ConfigValue{Value: "false"}))
	got, err = policyEvents(t, ctx, s, pack)
	require.NoError(t, err, "rds-multi-az is medium: advisory")
	require.Len(t, got["rds-multi-az"], 1)
	assert.Equal(t, "advisory", got["rds-multi-az"][0].EnforcementLevel)
	assert.Contains(t, got["rds-multi-az"][0].Message, "rds-multi-az FAIL (medium): database-instance-db: multiAz is false, want true\nreferences: Security Hub RDS.5, RDS.15; Prowler ")

	config := filepath.Join(t.TempDir(), "waivers.json")
	require.NoError(t, os.WriteFile(config, []byte(`{"hardenedpg-waivers": {"waivers": {"rds-multi-az": "engine test: one AZ"}}}`), 0o600))
	got, err = policyEvents(t, ctx, s, pack, optpreview.PolicyPackConfigs(config))
	require.NoError(t, err)
	assert.Empty(t, got["rds-multi-az"], "waived by the pack's config")
}

// previewDocument runs a preview and writes what `pulumi preview --json` prints of it (the steps
// with their diff reasons and inputs, and the change summary), from the engine's own events: the
// CLI cannot run this inline program itself without the Go language host.
func previewDocument(t *testing.T, ctx context.Context, s auto.Stack) ([]byte, map[string]string) {
	t.Helper()
	type state struct {
		Inputs map[string]any `json:"inputs"`
	}
	type step struct {
		Op          string   `json:"op"`
		URN         string   `json:"urn"`
		DiffReasons []string `json:"diffReasons,omitempty"`
		OldState    *state   `json:"oldState,omitempty"`
		NewState    *state   `json:"newState,omitempty"`
	}
	var steps []step
	res, err := previewWithEvents(ctx, s, func(e events.EngineEvent) {
		if e.ResourcePreEvent == nil {
			return
		}
		m := e.ResourcePreEvent.Metadata
		st := step{Op: string(m.Op), URN: m.URN, DiffReasons: m.Diffs}
		if m.Old != nil {
			st.OldState = &state{Inputs: m.Old.Inputs}
		}
		if m.New != nil {
			st.NewState = &state{Inputs: m.New.Inputs}
		}
		steps = append(steps, st)
	})
	require.NoError(t, err)
	doc, err := json.Marshal(map[string]any{"steps": steps, "changeSummary": res.ChangeSummary})
	require.NoError(t, err)
	ops := map[string]string{}
	for _, st := range steps {
		name := st.URN[strings.LastIndex(st.URN, "::")+2:]
		if st.Op != "same" {
			ops[name] = strings.TrimSpace(ops[name] + " " + st.Op)
		}
	}
	return doc, ops
}

// guard runs bin/previewguard over a preview document, as the workflows do.
func guard(t *testing.T, guardBin string, doc []byte) (int, string) {
	t.Helper()
	summary := filepath.Join(t.TempDir(), "guard.md")
	cmd := exec.Command(guardBin, "-summary", summary) //nolint:gosec // the test's own build
	cmd.Stdin = strings.NewReader(string(doc))
	out, _ := cmd.CombinedOutput()
	md, err := os.ReadFile(summary)
	require.NoError(t, err, "%s", out)
	return cmd.ProcessState.ExitCode(), string(md)
}

// Prod on 15, moved to 17: an in-place upgrade of the instance (no replacement), its parameter
// group replaced create-before-delete by one of the new family, and the guard lets it through
// with a sentence. Restoring a snapshot into the same instance is a replacement, and refused.
func TestEngineUpgradesProdInPlace(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	guardBin := filepath.Join(t.TempDir(), "previewguard")
	run(t, repoRoot(t), os.Environ(), "go", "build", "-o", guardBin, "./cmd/previewguard")

	s := e.stackOf(t, ctx, "prod")
	require.NoError(t, s.SetConfig(ctx, "hardenedpg:engineMajorVersion", auto.ConfigValue{Value: "15"}))
	_, err := s.Up(ctx)
	require.NoError(t, err)

	require.NoError(t, s.SetConfig(ctx, "hardenedpg:engineMajorVersion", auto.ConfigValue{Value: "17"}))
	require.NoError(t, s.SetConfig(ctx, "hardenedpg:upgradeFromMajorVersion", auto.ConfigValue{Value: "15"}))
	require.NoError(t, s.SetConfig(ctx, "hardenedpg:applyImmediately", auto.ConfigValue{Value: "true"}))
	doc, ops := previewDocument(t, ctx, s)
	t.Logf("15 → 17, ops per resource: %v", ops)
	assert.Equal(t, map[string]string{
		"database-instance-db":            "update",
		"database-parameter-group-params": "create-replacement replace delete-replaced",
	}, ops, "the instance is upgraded in place; only its parameter group is replaced, new before old")
	code, md := guard(t, guardBin, doc)
	t.Logf("previewguard's summary:\n%s", md)
	assert.Equal(t, 0, code, md)
	assert.Contains(t, md, "- database-instance-db: upgrades PostgreSQL 15 → 17 in place, at once (applyImmediately)")
	assert.Contains(t, md, "- database-parameter-group-params: parameter group family postgres15 → postgres17: the new group is created before the old one is deleted")

	up, err := s.Up(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"replace": 1, "same": (*up.Summary.ResourceChanges)["same"], "update": 1}, *up.Summary.ResourceChanges)

	// The upgrade is applied: the setting that allowed it must go, and then nothing changes but
	// allowMajorVersionUpgrade turning off again.
	require.NoError(t, s.RemoveConfig(ctx, "hardenedpg:upgradeFromMajorVersion"))
	_, ops = previewDocument(t, ctx, s)
	assert.Equal(t, map[string]string{"database-instance-db": "update"}, ops)

	// Restoring into the running instance replaces it. The engine refuses first, since prod's
	// instance is protected; previewguard refuses the same step where protection was lifted
	// (TestSaysWhatADayTwoChangeDoes).
	require.NoError(t, s.SetConfig(ctx, "hardenedpg:restoreSnapshotIdentifier", auto.ConfigValue{Value: "orders-prod-before-incident"}))
	_, err = s.Preview(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "create replacement [diff: +snapshotIdentifier")
	assert.Contains(t, err.Error(), "as it is currently marked for protection")
}

// UnprovenAtFirstPreview are, per stack, the controls a first preview leaves unproven through the
// CLI with the pack: docs/policy-pack.md says why for each.
var UnprovenAtFirstPreview = map[string][]string{
	"prod": {"events-security-group", "proxy-role-scoped", "rds-private-subnets"},
}

// controlsIn are the control keys of the unproven policy's diagnostics, sorted: each message is
// the policy's description, then "<key> UNPROVEN (...)".
func controlsIn(evs []apitype.PolicyEvent) []string {
	var keys []string
	for _, e := range evs {
		_, row, _ := strings.Cut(e.Message, "\n")
		if f := strings.Fields(row); len(f) > 0 {
			keys = append(keys, f[0])
		}
	}
	slices.Sort(keys)
	return keys
}

// A program written without the library, weakened four ways, fails at its first preview: the pack
// judges what a preview knows, and stops the update on what is critical or high.
func TestAWeakProgramFailsAtItsFirstPreview(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	pack := buildPack(t)
	program := func(ctx *pulumi.Context) error {
		sg, err := ec2.NewSecurityGroup(ctx, "db", &ec2.SecurityGroupArgs{VpcId: pulumi.String("vpc-0a1b2c3d4e5f60001"), Description: pulumi.String("database")})
		if err != nil {
			return err
		}
		if _, err := vpc.NewSecurityGroupIngressRule(ctx, "anywhere", &vpc.SecurityGroupIngressRuleArgs{
			SecurityGroupId: sg.ID(), CidrIpv4: pulumi.String("0.0.0.0/0"), IpProtocol: pulumi.String("tcp"),
			FromPort: pulumi.Int(5432), ToPort: pulumi.Int(5432), Description: pulumi.String("anyone"),
		}); err != nil {
			return err
		}
		params, err := rds.NewParameterGroup(ctx, "params", &rds.ParameterGroupArgs{Family: pulumi.String("postgres17"),
			Parameters: rds.ParameterGroupParameterArray{rds.ParameterGroupParameterArgs{Name: pulumi.String("rds.force_ssl"), Value: pulumi.String("0")}}})
		if err != nil {
			return err
		}
		_, err = rds.NewInstance(ctx, "db", &rds.InstanceArgs{
			Engine: pulumi.String("postgres"), EngineVersion: pulumi.String("17"), InstanceClass: pulumi.String("db.t4g.micro"),
			AllocatedStorage: pulumi.Int(20), Username: pulumi.String("app"), ManageMasterUserPassword: pulumi.Bool(true),
			MultiAz: pulumi.Bool(false), StorageEncrypted: pulumi.Bool(false),
			ParameterGroupName: params.Name, VpcSecurityGroupIds: pulumi.StringArray{sg.ID()},
		})
		return err
	}
	project := workspace.Project{Name: "weak", Runtime: workspace.NewProjectRuntimeInfo("go", nil)}
	s, err := auto.UpsertStackInlineSource(ctx, "weak", "weak", program, auto.Pulumi(e.cli), auto.WorkDir(t.TempDir()),
		auto.Project(project), auto.EnvVars(e.env), auto.SecretsProvider("passphrase"))
	require.NoError(t, err)
	require.NoError(t, s.SetConfig(ctx, "aws:region", auto.ConfigValue{Value: "eu-west-1"}))
	got, err := policyEvents(t, ctx, s, pack)
	require.Error(t, err, "rds-encrypted is high: the preview is stopped")
	assert.Contains(t, err.Error(), "mandatory")
	for key, detail := range map[string]string{
		"rds-multi-az":       "rds-multi-az FAIL (medium): db: multiAz is false, want true",
		"rds-encrypted":      "rds-encrypted FAIL (high): db: storageEncrypted is false, want true",
		"sg-no-cidr-ingress": "sg-no-cidr-ingress FAIL (high): anywhere: ingress from 0.0.0.0/0",
		"pg-force-ssl":       "pg-force-ssl FAIL (high): params: rds.force_ssl is \"0\", want 1",
	} {
		require.Len(t, got[key], 1, "%s is not reported at the first preview", key)
		_, row, _ := strings.Cut(got[key][0].Message, "\n") // after the control's title
		assert.True(t, strings.HasPrefix(row, detail+"\n"), "%s:\n%s", key, got[key][0].Message)
	}
}

// A change to a deployed stack: the preview that adds a proxy to a deployed dev judges the new
// proxy, its role and its group on what the preview knows (their IDs and ARNs are unknown), and
// the rest on their state: the storage key exists, so the new role's policy, which names its
// ARN, is known. Only the rule that must now watch the new group too waits: its pattern names the
// group's ID.
func TestAChangeToADeployedStackIsJudgedAtPreview(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	pack := buildPack(t)
	s := e.stackOf(t, ctx, "dev")
	_, err := s.Up(ctx)
	require.NoError(t, err)
	waivers, err := s.GetConfig(ctx, "hardenedpg:waivers")
	require.NoError(t, err)
	config := filepath.Join(t.TempDir(), "waivers.json")
	require.NoError(t, os.WriteFile(config, []byte(`{"hardenedpg-waivers": {"waivers": `+waivers.Value+`}}`), 0o600))

	require.NoError(t, s.SetConfig(ctx, "hardenedpg:proxyUsers",
		auto.ConfigValue{Value: `{"orders_batch": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-dev/orders_batch-d7Hk2M"}`}))
	got, err := policyEvents(t, ctx, s, pack, optpreview.PolicyPackConfigs(config))
	require.NoError(t, err)
	unproven := controlsIn(got["hardenedpg-unproven"])
	delete(got, "hardenedpg-unproven")
	assert.Empty(t, got, "adding the proxy fails no control")
	assert.Equal(t, []string{"events-security-group", "rds-private-subnets"}, unproven,
		"proxy-tls, proxy-iam-auth, proxy-role-scoped and the sg-* controls judge the new proxy at the preview")
}

// TestAnUpThatFailsHalfwayConverges fails the first `up` of prod at each resource type in turn,
// as AWS does halfway through a deploy (a quota, a throttled call, a refused parameter): after
// the failure every resource that exists is as protected and retained as planned, a preview
// shows only what is left to create, the next `up` creates just that, and a preview after it
// has nothing to do. The keys come first, so a refused key stops the up before anything exists.
func TestAnUpThatFailsHalfwayConverges(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	faults := filepath.Join(t.TempDir(), "faults")
	e.env[testenv.StandinFaults] = faults
	sc, err := plan.ReadStackConfig(repoRoot(t), "prod")
	require.NoError(t, err)
	offline, err := plan.Run(sc, nil, stack.Program)
	require.NoError(t, err)
	type guard struct{ protect, retain bool }
	planned := map[string]guard{}
	var types []string
	for _, r := range offline.Resources {
		planned[r.Type+"::"+r.Name] = guard{r.Protect, r.RetainOnDelete}
		if r.Custom && !strings.HasPrefix(r.Type, "pulumi:providers:") && !slices.Contains(types, r.Type) {
			types = append(types, r.Type)
		}
	}
	t.Logf("fault points: the first create of each of %d resource types", len(types))
	for i, typ := range types {
		// A subtest's name may not hold a slash: -run splits on it.
		t.Run(strings.ReplaceAll(typ, "/", "."), func(t *testing.T) {
			s := e.stackAs(t, ctx, "prod", fmt.Sprintf("prod-fault-%02d", i))
			require.NoError(t, os.WriteFile(faults, []byte(typ+"\n"), 0o600))
			_, err := s.Up(ctx)
			require.Error(t, err)
			require.Contains(t, err.Error(), "injected fault: AWS refused "+typ)

			exported, err := s.Export(ctx)
			require.NoError(t, err)
			var state apitype.DeploymentV3
			require.NoError(t, json.Unmarshal(exported.Deployment, &state))
			existing := 0
			for _, r := range state.Resources {
				if r.Custom && !strings.HasPrefix(string(r.Type), "pulumi:providers:") {
					existing++
				}
			}
			for _, r := range state.Resources {
				key := string(r.Type) + "::" + r.URN.Name()
				want, ok := planned[key]
				if !ok {
					continue // the stack itself, the default providers
				}
				assert.Equal(t, want.protect, r.Protect, "%s: protect after the failed up", key)
				assert.Equal(t, want.retain, r.RetainOnDelete, "%s: retainOnDelete after the failed up", key)
			}

			require.NoError(t, os.Remove(faults))
			left, err := s.Preview(ctx)
			require.NoError(t, err)
			for op := range left.ChangeSummary {
				assert.Contains(t, []apitype.OpType{apitype.OpCreate, apitype.OpSame}, op, "after the failure the preview has %d %s", left.ChangeSummary[op], op)
			}
			require.Positive(t, left.ChangeSummary[apitype.OpCreate], "something is left to create")
			up, err := s.Up(ctx)
			require.NoError(t, err)
			assert.Equal(t, map[string]int{"create": left.ChangeSummary[apitype.OpCreate], "same": left.ChangeSummary[apitype.OpSame]}, *up.Summary.ResourceChanges,
				"the next up does what the preview said, and only that")
			t.Logf("refused %s: %d resources existed after the failure; the next up created %d", typ, existing, (*up.Summary.ResourceChanges)["create"])
			again, err := s.Preview(ctx)
			require.NoError(t, err)
			for op, n := range again.ChangeSummary {
				assert.Equal(t, apitype.OpSame, op, "converged: a second preview has %d %s", n, op)
			}
		})
	}
}
