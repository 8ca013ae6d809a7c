package hardenedpg_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
)

// What the SQL does inside PostgreSQL is proven on a real server in internal/pgtest.

func TestBootstrapSQLBadArgs(t *testing.T) {
	_, err := hardenedpg.BootstrapSQL(hardenedpg.BootstrapArgs{
		Database: "orders", Schema: "public", AppUsers: []string{"Bad-Name", "dup", "orders_app"}, ReadOnlyUsers: []string{"dup"},
		TenantTables: []string{"t; DROP TABLE x"}, TenantSetting: "tenant",
	})
	assert.EqualError(t, err, `hardenedpg.BootstrapSQL: invalid arguments:
  Schema = "public": use a schema of the application's own: public is shared with every role
  AppUsers[0] = "Bad-Name": want a lowercase SQL name: letters, digits and underscores, starting with a letter or underscore, at most 63
  AppUsers[2] = "orders_app": is the name of a group role; a user needs a name of its own
  ReadOnlyUsers[0] = "dup": is also in AppUsers: one user, one role
  TenantTables[0] = "t; DROP TABLE x": want a lowercase SQL name: letters, digits and underscores, starting with a letter or underscore, at most 63
  TenantSetting = "tenant": want a custom setting name with a prefix, e.g. app.tenant_id`)
	_, err = hardenedpg.BootstrapSQL(hardenedpg.BootstrapArgs{})
	assert.EqualError(t, err, "hardenedpg.BootstrapSQL: invalid arguments:\n  Database = \"\": required")
}

func TestBootstrapSQLSendsNoPassword(t *testing.T) {
	sql, err := hardenedpg.BootstrapSQL(hardenedpg.BootstrapArgs{Database: "orders", AppUsers: []string{"orders_api"}, TenantTables: []string{"orders"}})
	require.NoError(t, err)
	assert.Contains(t, sql, `ALTER ROLE "orders_api" LOGIN NOCREATEDB NOCREATEROLE PASSWORD NULL;`)
	assert.NotContains(t, strings.ReplaceAll(sql, "PASSWORD NULL", ""), "PASSWORD")
	assert.Contains(t, sql, `CREATE POLICY tenant_isolation ON "app"."orders" USING ("tenant_id"::text = current_setting('app.tenant_id', true)) WITH CHECK ("tenant_id"::text = current_setting('app.tenant_id', true));`)
	assert.True(t, strings.HasSuffix(sql, "COMMIT;\n"), "one transaction: all or nothing")
}
