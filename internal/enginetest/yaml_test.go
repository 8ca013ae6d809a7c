package enginetest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
)

// pluginVersion is the version the component package plugin is installed as.
const pluginVersion = "0.0.0-dev"

// withComponentPackage builds what a YAML program of the component package needs: the YAML
// language host from pulumi-yaml (tools/yaml/go.mod), next to the CLI where the CLI looks for
// its bundled hosts, and this repository's plugin, installed as `pulumi package add` would.
func (e *engine) withComponentPackage(t *testing.T) {
	t.Helper()
	root := repoRoot(t)
	run(t, root, os.Environ(), "go", "build", "-modfile=tools/yaml/go.mod",
		"-o", filepath.Join(e.cliRoot, "bin", "pulumi-language-yaml"), "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml")
	plugin := filepath.Join(t.TempDir(), "pulumi-resource-hardenedpg")
	run(t, filepath.Join(root, "cmd", "pulumi-resource-hardenedpg"), os.Environ(), "go", "build",
		"-ldflags", "-X main.Version="+pluginVersion, "-o", plugin, ".")
	run(t, t.TempDir(), e.cliEnv, filepath.Join(e.cliRoot, "bin", "pulumi"), "plugin", "install", "resource", "hardenedpg", pluginVersion, "--file", plugin)
}

// yamlStack creates a stack of examples/yaml, with its Pulumi.yaml passed through edit.
func (e *engine) yamlStack(t *testing.T, ctx context.Context, stackName string, edit func(string) string) auto.Stack {
	t.Helper()
	program, err := os.ReadFile(filepath.Join(repoRoot(t), "examples", "yaml", "Pulumi.yaml"))
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Pulumi.yaml"), []byte(edit(string(program))), 0o600))
	s, err := auto.UpsertStackLocalSource(ctx, stackName, dir, auto.Pulumi(e.cli), auto.EnvVars(e.env), auto.SecretsProvider("passphrase"))
	require.NoError(t, err)
	require.NoError(t, s.SetConfig(ctx, "aws:region", auto.ConfigValue{Value: "eu-west-1"}))
	return s
}

// yamlExampleArgs are examples/yaml's properties, written as a Go program would.
func yamlExampleArgs() *hardenedpg.DatabaseArgs {
	return &hardenedpg.DatabaseArgs{
		Instance: hardenedpg.InstanceSettings{Identifier: "orders-yaml", IAMDatabaseUsers: []string{"orders_api"}, SingleAZ: true},
		Network: hardenedpg.NetworkSettings{
			VpcID:                   pulumi.String("vpc-0a1b2c3d4e5f60001"),
			SubnetIDs:               []string{"subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012"},
			AllowedSecurityGroupIDs: []string{"sg-0a1b2c3d4e5f60021"},
		},
		Logs:        hardenedpg.LogSettings{DestinationArn: "arn:aws:logs:eu-west-1:210987654321:destination:central-audit"},
		Alerts:      hardenedpg.AlertSettings{Emails: []string{"orders-oncall@example.com"}},
		Replication: hardenedpg.ReplicationSettings{Region: "eu-central-1"},
		Tags:        pulumi.StringMap{"environment": pulumi.String("dev"), "owner": pulumi.String("orders")},
		Waivers:     baseline.Waivers{"rds-multi-az": "dev: a standby doubles the cost and dev tolerates an outage"},
	}
}

// typesAndNames lists "type name" of every resource but the stack and the providers.
func typesAndNames(urns []string) []string {
	var out []string
	for _, u := range urns {
		urn := resource.URN(u)
		typ := string(urn.Type())
		if typ == "pulumi:pulumi:Stack" || strings.HasPrefix(typ, "pulumi:providers:") {
			continue
		}
		out = append(out, typ+" "+urn.Name())
	}
	slices.Sort(out)
	return out
}

// A program in another language uses the components through the real engine: examples/yaml
// goes up through the CLI with the YAML language host and this repository's plugin, makes what
// the same Go program makes, converges, and fails as the Go API fails.
func TestComponentPackageFromYAML(t *testing.T) {
	e := setup(t)
	e.withComponentPackage(t)
	ctx := context.Background()
	s := e.yamlStack(t, ctx, "yaml", func(p string) string { return p })

	up, err := s.Up(ctx)
	require.NoError(t, err)
	for _, k := range []string{"endpoint", "connectPolicy", "storageKeyArn", "alertsTopicArn", "backupVaultArn"} {
		assert.NotEmpty(t, up.Outputs[k].Value, "output %s", k)
	}
	assert.Contains(t, up.Outputs["connectPolicy"].Value, "dbuser:db-")

	preview, err := s.Preview(ctx)
	require.NoError(t, err)
	for op, n := range preview.ChangeSummary {
		assert.Equal(t, apitype.OpSame, op, "a second preview has %d %s", n, op)
	}

	// The same resources, types and names, as the Go program with the same settings.
	exported, err := s.Export(ctx)
	require.NoError(t, err)
	var deployment apitype.DeploymentV3
	require.NoError(t, json.Unmarshal(exported.Deployment, &deployment))
	var yamlURNs []string
	for _, r := range deployment.Resources {
		yamlURNs = append(yamlURNs, string(r.URN))
	}
	goRun := hardenedpgtest.Run(func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewDatabase(ctx, "orders", yamlExampleArgs())
		return err
	}, hardenedpgtest.Project("orders-yaml"), hardenedpgtest.Stack("yaml"))
	require.NoError(t, goRun.Err)
	var goURNs []string
	for _, r := range goRun.Resources() {
		goURNs = append(goURNs, r.URN)
	}
	require.Greater(t, len(typesAndNames(goURNs)), 60, "the whole database")
	assert.Equal(t, typesAndNames(goURNs), typesAndNames(yamlURNs))

	// Without its waiver the relaxation fails the update with the Go API's own message.
	noWaiver := yamlExampleArgs()
	noWaiver.Waivers = nil
	goErr := hardenedpgtest.Run(func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewDatabase(ctx, "orders", noWaiver)
		return err
	})
	require.Error(t, goErr.Err)
	want := goErr.Err.Error()[strings.Index(goErr.Err.Error(), "hardenedpg.NewDatabase"):]
	want = strings.TrimSpace(want)
	broken := e.yamlStack(t, ctx, "yaml-no-waiver", func(p string) string {
		i := strings.Index(p, "      waivers:")
		require.Positive(t, i)
		return p[:i] + p[strings.Index(p, "outputs:"):]
	})
	_, err = broken.Up(ctx, optup.SuppressProgress())
	require.Error(t, err)
	// The CLI indents the lines of a diagnostic; the lines are the Go API's.
	unindent := regexp.MustCompile(`\n\s+`)
	assert.Contains(t, unindent.ReplaceAllString(err.Error(), "\n"), unindent.ReplaceAllString(want, "\n"))
	assert.Contains(t, want, "Instance.SingleAZ = true: relaxes control rds-multi-az")
}
