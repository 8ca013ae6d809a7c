package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
)

// The stack passes every control, and the bootstrap isolates tenants both ways: row-level
// security on the shared tables, a schema and a role per large tenant.
func TestMultiTenant(t *testing.T) {
	res := hardenedpgtest.Run(program, hardenedpgtest.Stack("prod"), hardenedpgtest.Config(map[string]string{"aws:region": "eu-west-1"}))
	require.NoError(t, res.Err)
	scorecard := res.Scorecard(nil)
	assert.Empty(t, hardenedpgtest.Failing(scorecard), "no control fails")
	assert.Equal(t, baseline.Summary{Pass: 57, NotApplicable: 18}, baseline.Summarize(scorecard), "and none is waived")
	assert.Len(t, res.Resources(), 72)

	sql, err := hardenedpg.BootstrapSQL(bootstrap)
	require.NoError(t, err)
	for _, table := range []string{"projects", "invoices"} {
		assert.Contains(t, sql, `ALTER TABLE "app"."`+table+`" FORCE ROW LEVEL SECURITY;`)
	}
	for _, tenant := range []string{"acme", "globex"} {
		assert.Contains(t, sql, `REVOKE ALL ON SCHEMA "tenant_`+tenant+`" FROM PUBLIC;`)
		assert.Contains(t, sql, `GRANT USAGE ON SCHEMA "tenant_`+tenant+`" TO "saas_tenant_`+tenant+`";`)
		assert.Contains(t, sql, `GRANT "saas_tenant_`+tenant+`" TO "saas_`+tenant+`_etl";`)
	}
	assert.NotContains(t, sql, `"tenant_acme" TO "saas_app"`, "the app role gets nothing in a tenant's schema")
}
