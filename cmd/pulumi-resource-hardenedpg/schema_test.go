package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/blang/semver"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/integration"
	pschema "github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
)

var update = flag.Bool("update", false, "rewrite docs.json and testdata/schema.json")

// schemaOf serves the plugin in-process and asks it for its schema, as the engine does.
func schemaOf(t *testing.T) (string, pschema.PackageSpec) {
	t.Helper()
	prov, err := Provider()
	require.NoError(t, err)
	server, err := integration.NewServer(context.Background(), Name, semver.MustParse(Version), integration.WithProvider(prov))
	require.NoError(t, err)
	resp, err := server.GetSchema(p.GetSchemaRequest{})
	require.NoError(t, err)
	var spec pschema.PackageSpec
	require.NoError(t, json.Unmarshal([]byte(resp.Schema), &spec))
	return resp.Schema, spec
}

// The plugin's descriptions are the library's doc comments: docs.json is regenerated from them.
func TestDocsAreTheLibrarysComments(t *testing.T) {
	docs, err := ReadDocs("../../hardenedpg")
	require.NoError(t, err)
	want, err := json.MarshalIndent(docs, "", "  ")
	require.NoError(t, err)
	want = append(want, '\n')
	if *update {
		require.NoError(t, os.WriteFile("docs.json", want, 0o644))
	}
	assert.Equal(t, string(want), string(docsJSON), "docs.json is stale: go test -run TestDocs -update")
}

func TestSchemaMatchesItsGoldenFile(t *testing.T) {
	raw, spec := schemaOf(t)
	var pretty bytes.Buffer
	require.NoError(t, json.Indent(&pretty, []byte(raw), "", "  "))
	pretty.WriteByte('\n')
	if *update {
		require.NoError(t, os.WriteFile("testdata/schema.json", pretty.Bytes(), 0o644))
	}
	golden, err := os.ReadFile("testdata/schema.json")
	require.NoError(t, err)
	assert.Equal(t, string(golden), pretty.String(), "the schema changed: review, then go test -run TestSchema -update")
	for _, c := range Components {
		assert.Contains(t, spec.Resources, c.token)
		assert.True(t, spec.Resources[c.token].IsComponent, c.token)
	}
}

// notInSchema are the Args fields a program in another language cannot give, and why.
var notInSchema = map[string]string{
	"SubnetGroupSettings.SubnetsReady": "resources of any type: give the component dependsOn, or subnets whose routes exist",
	"NetworkSettings.SubnetsReady":     "resources of any type: give the component dependsOn, or subnets whose routes exist",
	"ReplicationSettings.Provider":     "a provider object: give the component's providers instead",
	"ReplicaSettings.Provider":         "a provider object: without it one is made for the replica's region",
	"InstanceArgs.WaitFor":             "resources of any type: give the component dependsOn",
	"ClusterArgs.WaitFor":              "resources of any type: give the component dependsOn",
	"AuditLogShippingArgs.Archive":     "a Go component: an archive is made by the Database",
}

// Every public field of every Args, and of the settings they hold, is an input of the schema with
// its documentation, or is listed in notInSchema with the reason.
func TestEveryArgsFieldIsInTheSchemaWithItsDocumentation(t *testing.T) {
	_, spec := schemaOf(t)
	docs, err := ReadDocs("../../hardenedpg")
	require.NoError(t, err)
	// Untagged fields of a component are its Go handles on the resources it made (StorageKey,
	// Instance, ...), which other languages reach through the outputs.
	check := func(typ reflect.Type, props map[string]pschema.PropertySpec, where string, outputs bool) {
		for _, f := range reflect.VisibleFields(typ) {
			if f.Anonymous || !f.IsExported() {
				continue
			}
			key := declaringType(typ, f).Name() + "." + f.Name
			name, tagged := propertyName(f)
			if !tagged && outputs {
				continue
			}
			if !tagged {
				assert.NotEmpty(t, notInSchema[key], "%s: %s has no pulumi tag and no reason to be left out", where, key)
				continue
			}
			prop, ok := props[name]
			if assert.True(t, ok, "%s: %s is not the schema's %s", where, key, name) {
				assert.NotEmpty(t, docs.Fields[key], "%s has no doc comment", key)
				assert.Equal(t, docs.Fields[key], prop.Description, "%s: the description of %s", where, name)
			}
		}
	}
	for _, c := range Components {
		check(c.args, spec.Resources[c.token].InputProperties, c.token, false)
		check(c.resource, spec.Resources[c.token].Properties, c.token+" outputs", true)
	}
	for token, typ := range goTypes() {
		if obj, ok := spec.Types[token]; ok {
			check(typ, obj.Properties, token, false)
		}
	}
}

// A field is required exactly when its documentation says "Required.", and plain exactly where
// its Go type is not a pulumi input: the schema gives other languages the Go API's contract.
func TestRequiredAndPlainFlags(t *testing.T) {
	_, spec := schemaOf(t)
	docs, err := ReadDocs("../../hardenedpg")
	require.NoError(t, err)
	input := reflect.TypeFor[pulumi.Input]()
	var plainAsGo func(ts *pschema.TypeSpec, typ reflect.Type) bool
	plainAsGo = func(ts *pschema.TypeSpec, typ reflect.Type) bool {
		if typ.Implements(input) {
			return !ts.Plain && (ts.Items == nil || !ts.Items.Plain) && (ts.AdditionalProperties == nil || !ts.AdditionalProperties.Plain)
		}
		switch {
		case !ts.Plain:
			return false
		case typ.Kind() == reflect.Slice:
			return plainAsGo(ts.Items, typ.Elem())
		case typ.Kind() == reflect.Map:
			return plainAsGo(ts.AdditionalProperties, typ.Elem())
		}
		return true
	}
	check := func(typ reflect.Type, props map[string]pschema.PropertySpec, required []string, where string) {
		for _, f := range reflect.VisibleFields(typ) {
			name, tagged := propertyName(f)
			if !tagged {
				continue
			}
			doc := docs.Fields[declaringType(typ, f).Name()+"."+f.Name]
			assert.Equal(t, strings.Contains(doc, "Required."), slices.Contains(required, name), "%s.%s: required", where, name)
			prop := props[name]
			assert.True(t, plainAsGo(&prop.TypeSpec, f.Type), "%s.%s: plain flags of %s", where, name, f.Type)
		}
	}
	for _, c := range Components {
		r := spec.Resources[c.token]
		check(c.args, r.InputProperties, r.RequiredInputs, c.token)
	}
	for token, typ := range goTypes() {
		if obj, ok := spec.Types[token]; ok {
			check(typ, obj.Properties, obj.Required, token)
		}
	}
	// What a same-program network needs from another language: inputs where values are wired.
	network := spec.Types["hardenedpg:index:NetworkSettings"].Properties
	assert.False(t, network["subnets"].Plain || network["subnets"].Items.Plain, "subnets may be an output of the program")
	assert.False(t, network["vpcId"].Plain)
	assert.True(t, network["allowedSecurityGroups"].Plain && !network["allowedSecurityGroups"].AdditionalProperties.Plain,
		"stable names, IDs as inputs")
	assert.Equal(t, []string{"instance", "network"}, spec.Resources[hardenedpg.DatabaseType].RequiredInputs)
}

// Every control a Database setting relaxes is named in the schema's descriptions, so a YAML or
// TypeScript user learns which waiver the setting needs.
func TestTheSchemaNamesEveryWaivableControl(t *testing.T) {
	raw, _ := schemaOf(t)
	for _, c := range baseline.Catalog {
		// rds-no-extended-support: no setting weakens it (see hardenedpg's relaxations test).
		if c.Waivable && c.Key != "rds-no-extended-support" {
			assert.True(t, strings.Contains(raw, c.Key), "no description names %s", c.Key)
		}
	}
}

// A documented default is the library's default: every description that states one states the
// value of the constant the code applies, so the schema cannot drift from the code.
func TestDocumentedDefaultsAreTheCodes(t *testing.T) {
	docs, err := ReadDocs("../../hardenedpg")
	require.NoError(t, err)
	quoted := func(s string) string { return `"` + s + `"` }
	for field, value := range map[string]string{
		"InstanceSettings.EngineMajorVersion":               quoted(hardenedpg.DefaultMajorVersion) + " by default",
		"ParameterGroupArgs.EngineMajorVersion":             quoted(hardenedpg.DefaultMajorVersion) + " by default",
		"InstanceSettings.InstanceClass":                    hardenedpg.DefaultInstanceClass + " by default",
		"InstanceSettings.AllocatedStorageGB":               strconv.Itoa(hardenedpg.DefaultAllocatedStorageGB) + " by default",
		"InstanceSettings.MaxAllocatedStorageGB":            strconv.Itoa(hardenedpg.DefaultMaxAllocatedStorageGB) + " by default",
		"InstanceSettings.Port":                             "defaults to " + strconv.Itoa(hardenedpg.DefaultPort),
		"InstanceSettings.AdminUsername":                    quoted(hardenedpg.DefaultAdminUsername) + " by default",
		"InstanceSettings.BackupRetentionDays":              strconv.Itoa(hardenedpg.DefaultBackupRetentionDays) + " by default",
		"InstanceSettings.BackupWindow":                     hardenedpg.DefaultBackupWindow + " by default",
		"InstanceSettings.MaintenanceWindow":                hardenedpg.DefaultMaintenanceWindow + " by default",
		"InstanceSettings.CACertIdentifier":                 hardenedpg.DefaultCACertIdentifier + " (default)",
		"InstanceSettings.MonitoringIntervalSeconds":        strconv.Itoa(hardenedpg.DefaultMonitoringInterval) + " by default",
		"InstanceSettings.PerformanceInsightsRetentionDays": strconv.Itoa(hardenedpg.DefaultPerformanceInsightsDays) + " (default",
		"AlertSettings.CPUPercent":                          strconv.Itoa(hardenedpg.DefaultAlertCPUPercent) + " by default",
		"LogSettings.RetentionDays":                         strconv.Itoa(hardenedpg.DefaultLogRetentionDays) + " by default",
		"ArchiveSettings.RetentionDays":                     strconv.Itoa(hardenedpg.DefaultArchiveRetentionDays) + " by default",
		"ArchiveSettings.ColdAfterDays":                     strconv.Itoa(hardenedpg.DefaultArchiveColdAfterDays) + " by default",
		"BackupSettings.RetentionDays":                      strconv.Itoa(hardenedpg.DefaultBackupPlanRetentionDays) + " by default",
		"BackupSettings.Schedule":                           quoted(hardenedpg.DefaultBackupSchedule) + " by default",
		"BackupSettings.VaultMinRetentionDays":              strconv.Itoa(hardenedpg.DefaultVaultMinRetentionDays) + " by default",
		"BackupSettings.VaultMaxRetentionDays":              strconv.Itoa(hardenedpg.DefaultVaultMaxRetentionDays) + " by default",
		"BackupSettings.VaultChangeableForDays":             strconv.Itoa(hardenedpg.DefaultVaultChangeableForDays) + " by default",
		"KeySettings.DeletionWindowInDays":                  strconv.Itoa(baseline.MinKeyDeletionWindowDays) + " by default",
	} {
		assert.Contains(t, docs.Fields[field], value, "%s documents another default than the code's", field)
	}
	// Lists the code keeps are the lists the docs name.
	assert.Contains(t, docs.Fields["InstanceSettings.CACertIdentifier"], strings.Join(hardenedpg.CACertIdentifiers[1:], " or "))
	intervals := make([]string, len(baseline.MonitoringIntervals))
	for i, n := range baseline.MonitoringIntervals {
		intervals[i] = strconv.Itoa(n)
	}
	assert.Contains(t, docs.Fields["InstanceSettings.MonitoringIntervalSeconds"],
		strings.Join(intervals[:len(intervals)-1], ", ")+" or "+intervals[len(intervals)-1])
}
