package hardenedpg_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
)

// parametersOf returns name -> {value, applyMethod} of the recorded group.
func parametersOf(t *testing.T, group map[string]any) map[string][2]string {
	t.Helper()
	out := map[string][2]string{}
	for _, p := range group["parameters"].([]any) {
		pm := p.(map[string]any)
		out[pm["name"].(string)] = [2]string{pm["value"].(string), pm["applyMethod"].(string)}
	}
	return out
}

func TestParameterGroupBaseline(t *testing.T) {
	m := mustRun(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewParameterGroup(ctx, "pg", &hardenedpg.ParameterGroupArgs{EngineMajorVersion: "16"})
		return err
	})
	g := only(t, m, typeParamGroup)
	assert.Equal(t, "pg-params", g.Name)
	assert.Equal(t, "postgres16", g.Inputs["family"])
	assert.NotContains(t, g.Inputs, "name", "auto-named, so replacement is create-before-delete")
	assert.Equal(t, map[string][2]string{
		"rds.force_ssl":                     {"1", "immediate"},
		"rds.accepted_password_auth_method": {"scram", "immediate"},
		"ssl_min_protocol_version":          {"TLSv1.2", "immediate"},
		"password_encryption":               {"scram-sha-256", "immediate"},
		"log_connections":                   {"1", "immediate"},
		"log_disconnections":                {"1", "immediate"},
		"log_statement":                     {"none", "immediate"},
		"log_min_error_statement":           {"panic", "immediate"},
		"log_min_duration_statement":        {"-1", "immediate"},
		"shared_preload_libraries":          {"pg_stat_statements,pgaudit", "pending-reboot"},
		"pgaudit.log":                       {"ddl,role", "immediate"},
		"pgaudit.role":                      {"rds_pgaudit", "immediate"},
	}, parametersOf(t, g.Inputs))
}

func TestParameterGroupDefaultFamilyAndAdditions(t *testing.T) {
	m := mustRun(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewParameterGroup(ctx, "pg", &hardenedpg.ParameterGroupArgs{Parameters: []hardenedpg.Parameter{
			{Name: "work_mem", Value: "65536"},
			{Name: "max_connections", Value: "400"},
			{Name: "ssl_min_protocol_version", Value: "TLSv1.3"},
			{Name: "pgaudit.log", Value: "ddl,role,write"},
			{Name: "log_autovacuum_min_duration", Value: "250", ApplyMethod: "pending-reboot"},
		}})
		return err
	})
	g := only(t, m, typeParamGroup)
	assert.Equal(t, "postgres17", g.Inputs["family"])
	params := parametersOf(t, g.Inputs)
	assert.Equal(t, [2]string{"65536", "immediate"}, params["work_mem"])
	assert.Equal(t, [2]string{"400", "pending-reboot"}, params["max_connections"], "static parameters default to pending-reboot")
	assert.Equal(t, [2]string{"TLSv1.3", "immediate"}, params["ssl_min_protocol_version"], "a stronger value replaces the baseline")
	assert.Equal(t, [2]string{"ddl,role,write", "immediate"}, params["pgaudit.log"])
	assert.Equal(t, [2]string{"250", "pending-reboot"}, params["log_autovacuum_min_duration"])
	assert.Len(t, params, len(hardenedpg.Baseline)+3)
}

func TestParameterGroupRefusesWeakening(t *testing.T) {
	m, err := run(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewParameterGroup(ctx, "pg", &hardenedpg.ParameterGroupArgs{
			EngineMajorVersion: "17.2",
			Parameters: []hardenedpg.Parameter{
				{Name: "rds.force_ssl", Value: "0"},
				{Name: "password_encryption", Value: "md5"},
				{Name: "pgaudit.log", Value: "ddl"},
				{Name: "log_min_duration_statement", Value: "1000"},
				{Name: "shared_preload_libraries", Value: "pg_stat_statements", ApplyMethod: "immediate"},
				{Name: "work_mem", Value: "1", ApplyMethod: "later"},
				{Name: "", Value: "x"},
				{Name: "work_mem", Value: "2"},
			},
		})
		return err
	})
	assert.EqualError(t, err, `hardenedpg.NewParameterGroup "pg": invalid arguments:
  EngineMajorVersion = "17.2": give the major version only (17): minor versions are upgraded automatically
  Parameters["rds.force_ssl"] = "0": weakens control pg-force-ssl, which cannot be waived; accepted: 1
  Parameters["password_encryption"] = "md5": weakens control pg-scram, which cannot be waived; accepted: scram-sha-256
  Parameters["pgaudit.log"] = "ddl": relaxes control pg-audit (hardened: classes that leave ddl and role audited, read in order as pgAudit reads them (all adds every class, -class removes one)); set it back or add a waiver for pg-audit with the reason
  Parameters["log_min_duration_statement"] = "1000": relaxes control pg-log-redaction (hardened: -1 (a slow statement is logged with its text)); set it back or add a waiver for pg-log-redaction with the reason
  Parameters["shared_preload_libraries"] = "pg_stat_statements": relaxes control pg-audit (hardened: a list that includes pgaudit); set it back or add a waiver for pg-audit with the reason
  Parameters["work_mem"].ApplyMethod = "later": want immediate or pending-reboot
  Parameters[6] = "": the parameter name is required
  Parameters["work_mem"] = "2": the parameter is given twice`)
	assert.Empty(t, m.Resources())
}

func TestParameterGroupWaivedWeakening(t *testing.T) {
	m := mustRun(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewParameterGroup(ctx, "pg", &hardenedpg.ParameterGroupArgs{
			Parameters: []hardenedpg.Parameter{{Name: "log_statement", Value: "ddl"}},
			Waivers:    baseline.Waivers{"pg-log-redaction": "pgAudit is not allowed here; passwords are never sent in SQL (IAM only)"},
		})
		return err
	})
	assert.Equal(t, [2]string{"ddl", "immediate"}, parametersOf(t, only(t, m, typeParamGroup).Inputs)["log_statement"])
}

func TestBaselineParametersServeCatalogControls(t *testing.T) {
	set := map[string]bool{}
	for _, b := range hardenedpg.Baseline {
		set[b.Name] = true
		require.NotEmpty(t, b.Checks, b.Name)
		for _, rule := range b.Checks {
			_, ok := baseline.Lookup(rule.Control)
			assert.True(t, ok, "%s names unknown control %s", b.Name, rule.Control)
			assert.True(t, rule.Accepts(b.Value), "%s's own value %q must meet its rule", b.Name, b.Value)
		}
		for _, major := range baseline.SupportedMajorVersions {
			engine, ok := baseline.EngineParameterFor(major, b.Name)
			require.True(t, ok, "%s exists in PostgreSQL %s", b.Name, major)
			assert.Equal(t, engine.ApplyMethod(), b.ApplyMethod, "%s takes its apply method from PostgreSQL %s", b.Name, major)
		}
	}
	// A rule the baseline does not set is met by what RDS runs without it, on every major.
	for _, rule := range baseline.ParameterRules {
		if set[rule.Name] {
			continue
		}
		for _, major := range baseline.SupportedMajorVersions {
			v, ok := baseline.DefaultValue(major, rule.Name)
			assert.True(t, ok && rule.Accepts(v), "%s: PostgreSQL %s's default %q must meet %s", rule.Name, major, v, rule.Rule)
		}
	}
}

// The engine decides what is static: max_files_per_process is postmaster in pg_settings.
func TestParameterApplyMethodFromTheEngine(t *testing.T) {
	m := mustRun(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewParameterGroup(ctx, "pg", &hardenedpg.ParameterGroupArgs{
			EngineMajorVersion: "17",
			Parameters:         []hardenedpg.Parameter{{Name: "max_files_per_process", Value: "2000"}, {Name: "autovacuum_max_workers", Value: "5"}, {Name: "work_mem", Value: "8192"}},
		})
		return err
	})
	params := parametersOf(t, only(t, m, typeParamGroup).Inputs)
	assert.Equal(t, [2]string{"2000", "pending-reboot"}, params["max_files_per_process"])
	assert.Equal(t, [2]string{"5", "pending-reboot"}, params["autovacuum_max_workers"])
	assert.Equal(t, [2]string{"8192", "immediate"}, params["work_mem"])
	assert.Equal(t, [2]string{"pg_stat_statements,pgaudit", "pending-reboot"}, params["shared_preload_libraries"])

	m = mustRun(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewParameterGroup(ctx, "pg", &hardenedpg.ParameterGroupArgs{
			EngineMajorVersion: "18",
			Parameters:         []hardenedpg.Parameter{{Name: "autovacuum_max_workers", Value: "5"}},
		})
		return err
	})
	assert.Equal(t, [2]string{"5", "immediate"}, parametersOf(t, only(t, m, typeParamGroup).Inputs)["autovacuum_max_workers"], "reloadable from PostgreSQL 18")
}

func TestParameterNamesTheEngineDoesNotHave(t *testing.T) {
	m, err := run(t, nil, func(ctx *pulumi.Context) error {
		_, err := hardenedpg.NewParameterGroup(ctx, "pg", &hardenedpg.ParameterGroupArgs{
			EngineMajorVersion: "17",
			Parameters: []hardenedpg.Parameter{
				{Name: "max_file_per_process", Value: "2000"},
				{Name: "block_size", Value: "16384"},
				{Name: "max_files_per_process", Value: "2000", ApplyMethod: "immediate"},
			},
		})
		return err
	})
	assert.EqualError(t, err, `hardenedpg.NewParameterGroup "pg": invalid arguments:
  Parameters["max_file_per_process"] = "max_file_per_process": PostgreSQL 17 has no parameter of that name (postgres17): see pg_settings, or the RDS parameters in AWS's documentation
  Parameters["block_size"] = "block_size": is read-only in PostgreSQL 17 (context internal): a parameter group cannot set it
  Parameters["max_files_per_process"].ApplyMethod = "immediate": max_files_per_process is static in PostgreSQL 17 (context postmaster): RDS applies it only with pending-reboot`)
	assert.Empty(t, m.Resources())
}
