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

// Each tenant of Tenants gets a schema and a group role of its own; its users join that role
// alone. What PostgreSQL makes of it is proven in internal/pgtest.
func TestBootstrapSQLTenantSchemas(t *testing.T) {
	args := hardenedpg.BootstrapArgs{Database: "orders", AppUsers: []string{"orders_api"},
		Tenants: map[string][]string{"globex": {"orders_globex"}, "acme": {"orders_acme"}}}
	sql, err := hardenedpg.BootstrapSQL(args)
	require.NoError(t, err)
	assert.Equal(t, []string{"orders_owner", "orders_app", "orders_readonly", "orders_tenant_acme", "orders_tenant_globex"}, args.GroupRoles())
	assert.Contains(t, sql, `GRANT "orders_tenant_acme" TO "orders_acme";`)
	assert.Contains(t, sql, `GRANT CONNECT ON DATABASE "orders" TO "orders_owner", "orders_app", "orders_readonly", "orders_tenant_acme", "orders_tenant_globex";`)
	assert.Contains(t, sql, `-- Tenant acme: its schema, where only its role has any privilege.
CREATE SCHEMA IF NOT EXISTS "tenant_acme" AUTHORIZATION "orders_owner";
ALTER SCHEMA "tenant_acme" OWNER TO "orders_owner";
REVOKE ALL ON SCHEMA "tenant_acme" FROM PUBLIC;
GRANT USAGE ON SCHEMA "tenant_acme" TO "orders_tenant_acme";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "tenant_acme" TO "orders_tenant_acme";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "tenant_acme" TO "orders_tenant_acme";
ALTER DEFAULT PRIVILEGES FOR ROLE "orders_owner" IN SCHEMA "tenant_acme" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "orders_tenant_acme";
ALTER DEFAULT PRIVILEGES FOR ROLE "orders_owner" IN SCHEMA "tenant_acme" GRANT USAGE, SELECT ON SEQUENCES TO "orders_tenant_acme";
`)
	assert.Less(t, strings.Index(sql, "Tenant acme"), strings.Index(sql, "Tenant globex"), "tenants in name order: the script is the same every time")
	assert.NotContains(t, sql, `"tenant_acme" TO "orders_app"`, "the app role gets nothing in a tenant's schema")

	_, err = hardenedpg.BootstrapSQL(hardenedpg.BootstrapArgs{Database: "orders", AppUsers: []string{"orders_tenant_acme"},
		Tenants: map[string][]string{"acme": {"orders_api", "pg_x"}, strings.Repeat("t", 60): nil, "x-y": nil}})
	assert.EqualError(t, err, `hardenedpg.BootstrapSQL: invalid arguments:
  AppUsers[0] = "orders_tenant_acme": is the name of a group role; a user needs a name of its own
  Tenants["acme"][1] = "pg_x": pg_* names are PostgreSQL's predefined roles
  Tenants["tttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt"] = "tttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt": its role orders_tenant_tttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt would be longer than PostgreSQL's 63 characters; shorten the tenant's name
  Tenants["x-y"] = "x-y": want a lowercase SQL name for the tenant: letters, digits and underscores, starting with a letter or underscore`)
}
