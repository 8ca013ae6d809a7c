package pgtest_test

import (
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/pgtest"
)

// Schema-per-tenant, on every major, bootstrapped by the master: a tenant's user reads and writes
// its own schema's tables, created later by a migration, and cannot read, write, create in or
// even list another tenant's schema or table; the app role gets nothing in either until it is
// made a member of a tenant's role, and then reaches that tenant alone.
func TestTenantSchemasAreIsolated(t *testing.T) {
	args := hardenedpg.BootstrapArgs{
		Database: "orders", MigrationUsers: []string{"orders_migrator"}, AppUsers: []string{"orders_api"},
		Tenants: map[string][]string{"acme": {"orders_acme"}, "globex": {"orders_globex"}},
	}
	sql, err := hardenedpg.BootstrapSQL(args)
	require.NoError(t, err)
	eachMajor(t, func(t *testing.T, major string) {
		s := pgtest.Start(t, pgtest.Options{Major: major})
		exec(t, s.AsMaster(t, "postgres"), "CREATE DATABASE orders")
		admin := s.AsMaster(t, "orders")
		runScript(t, admin, sql)
		// Local stand-in for IAM tokens: passwords, so the tests sign in as the real users.
		for _, u := range []string{"orders_migrator", "orders_api", "orders_acme", "orders_globex"} {
			exec(t, admin, "ALTER ROLE "+u+" PASSWORD '"+u+"-test-pw'")
		}
		connect := func(user string) func(string, ...any) error {
			c := s.Connect(t, "orders", user, user+"-test-pw")
			return func(q string, args ...any) error { _, err := c.Exec(ctx, q, args...); return err }
		}
		migrate := connect("orders_migrator")
		require.NoError(t, migrate("SET ROLE orders_owner"))
		for _, tenant := range []string{"acme", "globex"} {
			require.NoError(t, migrate("CREATE TABLE tenant_"+tenant+".invoices (id serial PRIMARY KEY, total int)"))
			require.NoError(t, migrate("INSERT INTO tenant_"+tenant+".invoices (total) VALUES (100)"))
		}

		acme := s.Connect(t, "orders", "orders_acme", "orders_acme-test-pw")
		var n int
		require.NoError(t, acme.QueryRow(ctx, "SELECT count(*) FROM tenant_acme.invoices").Scan(&n))
		assert.Equal(t, 1, n, "a tenant reads its own tables, made after the bootstrap")
		_, err := acme.Exec(ctx, "INSERT INTO tenant_acme.invoices (total) VALUES (7)")
		require.NoError(t, err, "and writes them, sequences included")

		asAcme := func(q string) error { _, err := acme.Exec(ctx, q); return err }
		refused(t, asAcme("SELECT * FROM tenant_globex.invoices"), "42501", "permission denied for schema tenant_globex")
		refused(t, asAcme("INSERT INTO tenant_globex.invoices (total) VALUES (1)"), "42501", "permission denied for schema tenant_globex")
		refused(t, asAcme("CREATE TABLE tenant_globex.planted (i int)"), "42501", "permission denied for schema tenant_globex")
		refused(t, asAcme("CREATE TABLE tenant_acme.sneaky (i int)"), "42501", "permission denied for schema tenant_acme")
		refused(t, asAcme("CREATE TABLE public.dropbox (i int)"), "42501", "permission denied for schema public")
		refused(t, asAcme("SELECT * FROM app.nothing"), "42501", "permission denied for schema app")
		names := func(query string) []string {
			rows, err := acme.Query(ctx, query)
			require.NoError(t, err)
			out, err := pgx.CollectRows(rows, pgx.RowTo[string])
			require.NoError(t, err)
			return out
		}
		assert.Equal(t, []string{"tenant_acme"}, names("SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 'tenant_%' ORDER BY 1"),
			"another tenant's schema is not listed")
		assert.Equal(t, []string{"tenant_acme.invoices"}, names("SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_schema LIKE 'tenant_%' ORDER BY 1"),
			"nor are its tables")

		api := connect("orders_api")
		refused(t, api("SELECT * FROM tenant_acme.invoices"), "42501", "permission denied for schema tenant_acme")
		exec(t, admin, "GRANT orders_tenant_acme TO orders_app") // the app serves acme now
		require.NoError(t, api("SELECT * FROM tenant_acme.invoices"), "through its membership")
		refused(t, api("SELECT * FROM tenant_globex.invoices"), "42501", "permission denied for schema tenant_globex")
	})
}
