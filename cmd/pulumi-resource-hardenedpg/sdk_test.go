package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	pschema "github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/internal/testenv"
)

// The npm packages the TypeScript SDK is compiled against, pinned.
const (
	pulumiNodeSDK = "@pulumi/pulumi@3.276.0"
	typescript    = "typescript@5.9.3"
)

// generate writes the files of a generated SDK under dir.
func generate(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, content, 0o644))
	}
}

// noPackages is the loader of a schema that references no other package: it refuses all.
type noPackages struct{}

func (noPackages) LoadPackage(name string, _ *semver.Version) (*pschema.Package, error) {
	return nil, fmt.Errorf("the hardenedpg schema references no package, yet %s was asked for", name)
}

func (n noPackages) LoadPackageV2(_ context.Context, d *pschema.PackageDescriptor) (*pschema.Package, error) {
	return n.LoadPackage(d.Name, nil)
}

func (n noPackages) LoadPackageReference(name string, v *semver.Version) (pschema.PackageReference, error) {
	_, err := n.LoadPackage(name, v)
	return nil, err
}

func (n noPackages) LoadPackageReferenceV2(_ context.Context, d *pschema.PackageDescriptor) (pschema.PackageReference, error) {
	return n.LoadPackageReference(d.Name, nil)
}

func boundPackage(t *testing.T) *pschema.Package {
	t.Helper()
	_, spec := schemaOf(t)
	pkg, diags, err := pschema.BindSpec(spec, noPackages{}, pschema.ValidationOptions{})
	require.NoError(t, err)
	require.False(t, diags.HasErrors(), "%v", diags)
	return pkg
}

func command(t *testing.T, dir, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...) //nolint:gosec // the test's own tools
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s %s\n%s", name, strings.Join(args, " "), out)
}

// npmModules installs the pinned npm packages once per machine (a cache under the user's cache
// directory, as the engine test caches its builds) and returns their node_modules.
func npmModules(t *testing.T) string {
	t.Helper()
	cache, err := os.UserCacheDir()
	require.NoError(t, err)
	dir := filepath.Join(cache, "hardenedpg", "tsc-"+strings.NewReplacer("@", "", "/", "-").Replace(pulumiNodeSDK+"-"+typescript))
	if _, err := os.Stat(filepath.Join(dir, "node_modules", ".bin", "tsc")); err != nil {
		require.NoError(t, os.MkdirAll(dir, 0o755))
		command(t, dir, "npm", "install", "--no-audit", "--no-fund", "--no-save", "--prefix", dir, pulumiNodeSDK, typescript)
	}
	return filepath.Join(dir, "node_modules")
}

// The TypeScript SDK Pulumi's code generator makes from the schema, and a program using it, type-check
// with tsc against @pulumi/pulumi; neither is committed (`pulumi package add` generates it).
func TestTypeScriptSDKCompiles(t *testing.T) {
	testenv.SkipWhenShort(t, "npm and tsc")
	files, err := nodejs.GeneratePackage("hardenedpg-test", boundPackage(t), nil, nil, false, noPackages{})
	require.NoError(t, err)
	app := t.TempDir()
	generate(t, filepath.Join(app, "sdk"), files)
	for _, f := range []string{"index.ts", "tsconfig.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", "typescript", f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(app, f), b, 0o644))
	}
	modules := npmModules(t)
	require.NoError(t, os.Symlink(modules, filepath.Join(app, "node_modules")))
	command(t, app, filepath.Join(modules, ".bin", "tsc"), "-p", ".")
}

// The Python SDK generated from the schema byte-compiles.
func TestPythonSDKCompiles(t *testing.T) {
	testenv.SkipWhenShort(t, "python3")
	files, err := python.GeneratePackage("hardenedpg-test", boundPackage(t), nil, noPackages{})
	require.NoError(t, err)
	dir := t.TempDir()
	generate(t, dir, files)
	require.FileExists(t, filepath.Join(dir, "pulumi_hardenedpg", "database.py"))
	command(t, dir, "python3", "-m", "compileall", "-q", "pulumi_hardenedpg")
}

// readmeBlock returns docs/other-languages.md's first fenced block of a language that declares a Database.
func readmeBlock(t *testing.T, lang string) string {
	t.Helper()
	readme, err := os.ReadFile("../../docs/other-languages.md")
	require.NoError(t, err)
	for _, rest := range strings.Split(string(readme), "```"+lang+"\n")[1:] {
		block, _, _ := strings.Cut(rest, "```")
		if strings.Contains(block, "Database") {
			return block
		}
	}
	t.Fatalf("docs/other-languages.md has no %s block declaring a Database", lang)
	return ""
}

// The TypeScript and YAML snippets of docs/other-languages.md are the programs the tests compile and run: each of
// their lines is in testdata/typescript/index.ts (on the generated SDK's path) or examples/yaml.
func TestDocSnippetsAreTheTestedPrograms(t *testing.T) {
	for _, c := range []struct{ lang, file, from, to string }{
		{"ts", "testdata/typescript/index.ts", `"@pulumi/hardenedpg"`, `"./sdk"`},
		{"yaml", "../../examples/yaml/Pulumi.yaml", "", ""},
	} {
		tested, err := os.ReadFile(c.file)
		require.NoError(t, err)
		for _, line := range strings.Split(readmeBlock(t, c.lang), "\n") {
			if c.from != "" {
				line = strings.ReplaceAll(line, c.from, c.to)
			}
			if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "export const endpoint") {
				continue
			}
			require.Contains(t, string(tested), line, "docs/other-languages.md: %s line not in %s", c.lang, c.file)
		}
	}
}
