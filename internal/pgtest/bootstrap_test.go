package pgtest_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/pgtest"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/plan"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/stack"
)

// runScript runs SQL with several statements, as psql -f would.
func runScript(t *testing.T, c *pgx.Conn, sql string) {
	t.Helper()
	_, err := c.PgConn().Exec(ctx, sql).ReadAll()
	require.NoError(t, err)
}

// snapshot renders the catalog state the bootstrap touches, to compare two runs.
const snapshot = `
SELECT string_agg(x, E'\n' ORDER BY x) FROM (
  SELECT 'role ' || rolname || ' ' || rolcanlogin || rolsuper || rolcreaterole || rolcreatedb || rolbypassrls || coalesce(rolpassword, '-')
    FROM pg_authid WHERE rolname NOT LIKE 'pg\_%'
  UNION ALL SELECT 'member ' || r.rolname || ' ' || m.rolname || ' ' || am.admin_option
    FROM pg_auth_members am JOIN pg_roles r ON r.oid = am.roleid JOIN pg_roles m ON m.oid = am.member
  UNION ALL SELECT 'schema ' || nspname || ' ' || nspowner::regrole || ' ' || coalesce(nspacl::text, '')
    FROM pg_namespace WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema'
  UNION ALL SELECT 'database ' || datname || ' ' || coalesce(datacl::text, '') FROM pg_database
  UNION ALL SELECT 'default ' || defaclrole::regrole || ' ' || CASE defaclnamespace WHEN 0 THEN '0' ELSE defaclnamespace::regnamespace::text END || ' ' || defaclobjtype::text || ' ' || defaclacl::text FROM pg_default_acl
  UNION ALL SELECT 'relation ' || oid::regclass || ' ' || coalesce(relacl::text, '') || ' ' || relrowsecurity || relforcerowsecurity
    FROM pg_class WHERE relnamespace IN (SELECT oid FROM pg_namespace WHERE nspname IN ('app', 'secret', 'public'))
  UNION ALL SELECT 'policy ' || schemaname || '.' || tablename || ' ' || policyname || ' ' || coalesce(qual, '') || ' ' || coalesce(with_check, '') FROM pg_policies
  UNION ALL SELECT 'extension ' || extname || ' ' || extversion FROM pg_extension
) s(x)`

func state(t *testing.T, c *pgx.Conn) string {
	t.Helper()
	var s string
	require.NoError(t, c.QueryRow(ctx, snapshot).Scan(&s))
	return s
}

// refused asserts that err is PostgreSQL's refusal with this SQLSTATE and message.
func refused(t *testing.T, err error, code, message string) {
	t.Helper()
	var pgErr *pgconn.PgError
	require.True(t, errors.As(err, &pgErr), "want a refusal %q, got %v", message, err)
	assert.Equal(t, code, pgErr.Code)
	assert.Equal(t, message, pgErr.Message)
}

var bootstrapArgs = hardenedpg.BootstrapArgs{
	Database: "orders", MigrationUsers: []string{"orders_migrator"},
	AppUsers: []string{"orders_api"}, ReadOnlyUsers: []string{"orders_reporting"},
	TenantTables: []string{"orders"},
}

// The bootstrap runs as RDS's master, who is not a superuser, on every major we deploy.
func TestBootstrapLeastPrivilege(t *testing.T) {
	eachMajor(t, func(t *testing.T, major string) { testBootstrap(t, major, asMaster) })
}

// A superuser run stays as an extra test: the script must not depend on who runs it.
func TestBootstrapAsSuperuser(t *testing.T) {
	testBootstrap(t, pgtest.AuditMajor, asSuperuser)
}

// sinceMajor picks PostgreSQL's wording (or behaviour) before and from a major that changed it.
func sinceMajor(major, changed, before, from string) string {
	if m, _ := strconv.Atoi(major); m >= mustAtoi(changed) {
		return from
	}
	return before
}

func mustAtoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(err)
	}
	return n
}

type runner int

const (
	asMaster runner = iota
	asSuperuser
)

func testBootstrap(t *testing.T, major string, who runner) {
	s := pgtest.Start(t, pgtest.Options{Major: major})
	runAs := s.AsMaster
	dbOwner := pgtest.Master
	if who == asSuperuser {
		runAs, dbOwner = s.Superuser, pgtest.Superuser
	}
	// The master creates the application's database, as RDS's does for the instance's dbName.
	exec(t, runAs(t, "postgres"), "CREATE DATABASE orders")
	admin := runAs(t, "orders")
	su := s.Superuser(t, "orders") // reads pg_authid for the snapshot and bypasses row-level security

	// First run without tenant tables (before any migration), then the migration creates them
	// as the owner role, then the full run: the order a real deployment follows.
	first := bootstrapArgs
	first.TenantTables = nil
	sql, err := hardenedpg.BootstrapSQL(first)
	require.NoError(t, err)
	runScript(t, admin, sql)
	exec(t, admin, "SET ROLE orders_owner")
	exec(t, admin, "CREATE TABLE app.orders (id serial PRIMARY KEY, tenant_id text NOT NULL, item text NOT NULL)")
	exec(t, admin, "INSERT INTO app.orders (tenant_id, item) VALUES ('a', 'apples'), ('a', 'apricots'), ('b', 'bananas')")
	exec(t, admin, "RESET ROLE")
	exec(t, admin, "CREATE SCHEMA secret") // a schema the application was never granted
	exec(t, admin, "CREATE TABLE secret.keys (k text)")

	sql, err = hardenedpg.BootstrapSQL(bootstrapArgs)
	require.NoError(t, err)
	runScript(t, admin, sql)
	before := state(t, su)
	runScript(t, admin, sql)
	assert.Equal(t, before, state(t, su), "a second run changes nothing")
	assert.Contains(t, before, "role orders_api truefalsefalsefalsefalse-", "users log in without a password")
	assert.Contains(t, before, "member rds_iam orders_api false")
	assert.Contains(t, before, "schema app orders_owner {orders_owner=UC/orders_owner,orders_app=U/orders_owner,orders_readonly=U/orders_owner}")
	assert.Contains(t, before, strings.ReplaceAll("database orders {O=CTc/O,orders_owner=c/O,orders_app=c/O,orders_readonly=c/O}", "O", dbOwner), "PUBLIC lost CONNECT and TEMPORARY")
	assert.Contains(t, before, "default orders_owner 0 f {orders_owner=X/orders_owner}", "new functions are not executable by PUBLIC")
	ownerPrivileges := sinceMajor(major, "17", "arwdDxt", "arwdDxtm") // MAINTAIN (m) is new in 17
	assert.Contains(t, before, "relation app.orders {orders_owner="+ownerPrivileges+"/orders_owner,orders_app=arwd/orders_owner,orders_readonly=r/orders_owner} truetrue")

	// Local stand-in for IAM tokens: passwords, so the tests sign in as the real users.
	for _, u := range []string{"orders_api", "orders_reporting", "orders_migrator"} {
		exec(t, admin, "ALTER ROLE "+u+" PASSWORD '"+u+"-test-pw'")
	}
	app := s.Connect(t, "orders", "orders_api", "orders_api-test-pw")
	readonly := s.Connect(t, "orders", "orders_reporting", "orders_reporting-test-pw")

	t.Run("app cannot create roles", func(t *testing.T) {
		_, err := app.Exec(ctx, "CREATE ROLE evil")
		refused(t, err, "42501", "permission denied to create role")
		_, err = app.Exec(ctx, "CREATE ROLE evil SUPERUSER")
		refused(t, err, "42501", sinceMajor(major, "16", "must be superuser to create superusers", "permission denied to create role"))
	})
	t.Run("app cannot create objects in public", func(t *testing.T) {
		_, err := app.Exec(ctx, "CREATE TABLE public.dropbox (i int)")
		refused(t, err, "42501", "permission denied for schema public")
	})
	t.Run("app cannot create objects in its own schema", func(t *testing.T) {
		_, err := app.Exec(ctx, "CREATE TABLE app.sneaky (i int)")
		refused(t, err, "42501", "permission denied for schema app")
	})
	t.Run("app cannot read a schema it was not granted", func(t *testing.T) {
		_, err := app.Exec(ctx, "SELECT * FROM secret.keys")
		refused(t, err, "42501", "permission denied for schema secret")
	})
	t.Run("app cannot disable row-level security", func(t *testing.T) {
		_, err := app.Exec(ctx, "ALTER TABLE app.orders DISABLE ROW LEVEL SECURITY")
		refused(t, err, "42501", "must be owner of table orders")
		_, err = app.Exec(ctx, "ALTER TABLE app.orders NO FORCE ROW LEVEL SECURITY")
		refused(t, err, "42501", "must be owner of table orders")
	})
	t.Run("app cannot grant itself more", func(t *testing.T) {
		_, err := app.Exec(ctx, "GRANT orders_owner TO orders_api")
		refused(t, err, "42501", sinceMajor(major, "16", `must have admin option on role "orders_owner"`, `permission denied to grant role "orders_owner"`))
	})
	t.Run("read-only cannot write", func(t *testing.T) {
		_, err := readonly.Exec(ctx, "INSERT INTO app.orders (tenant_id, item) VALUES ('a', 'x')")
		refused(t, err, "42501", "permission denied for table orders")
		_, err = readonly.Exec(ctx, "DELETE FROM app.orders")
		refused(t, err, "42501", "permission denied for table orders")
	})
	t.Run("tenant a sees and changes only its rows", func(t *testing.T) {
		var n int
		require.NoError(t, app.QueryRow(ctx, "SELECT count(*) FROM app.orders").Scan(&n))
		assert.Equal(t, 0, n, "without a tenant setting no row is visible")
		exec(t, app, "SET app.tenant_id = 'a'")
		require.NoError(t, app.QueryRow(ctx, "SELECT count(*) FROM app.orders").Scan(&n))
		assert.Equal(t, 2, n)
		tag, err := app.Exec(ctx, "UPDATE app.orders SET item = 'stolen' WHERE tenant_id = 'b'")
		require.NoError(t, err)
		assert.Equal(t, int64(0), tag.RowsAffected(), "tenant b's rows cannot be changed")
		tag, err = app.Exec(ctx, "DELETE FROM app.orders WHERE tenant_id = 'b'")
		require.NoError(t, err)
		assert.Equal(t, int64(0), tag.RowsAffected())
		_, err = app.Exec(ctx, "INSERT INTO app.orders (tenant_id, item) VALUES ('b', 'planted')")
		refused(t, err, "42501", `new row violates row-level security policy for table "orders"`)
		_, err = app.Exec(ctx, "UPDATE app.orders SET tenant_id = 'b' WHERE tenant_id = 'a'")
		refused(t, err, "42501", `new row violates row-level security policy for table "orders"`)
		tag, err = app.Exec(ctx, "INSERT INTO app.orders (tenant_id, item) VALUES ('a', 'avocados')")
		require.NoError(t, err)
		assert.Equal(t, int64(1), tag.RowsAffected())
		var item string
		require.NoError(t, su.QueryRow(ctx, "SELECT item FROM app.orders WHERE tenant_id = 'b'").Scan(&item))
		assert.Equal(t, "bananas", item, "tenant b's row is untouched")
	})
	t.Run("read-only reads within its tenant", func(t *testing.T) {
		exec(t, readonly, "SET app.tenant_id = 'b'")
		var n int
		require.NoError(t, readonly.QueryRow(ctx, "SELECT count(*) FROM app.orders").Scan(&n))
		assert.Equal(t, 1, n)
	})
	t.Run("migrations as owner reach the app through default privileges", func(t *testing.T) {
		migrator := s.Connect(t, "orders", "orders_migrator", "orders_migrator-test-pw")
		exec(t, migrator, "SET ROLE orders_owner")
		exec(t, migrator, "CREATE TABLE app.invoices (id int)")
		exec(t, app, "INSERT INTO app.invoices VALUES (1)")
		_, err := readonly.Exec(ctx, "INSERT INTO app.invoices VALUES (2)")
		refused(t, err, "42501", "permission denied for table invoices")
	})
}

// What a new user does: take the exported bootstrapSql of prod and run it as RDS's master, twice.
func TestProdBootstrapRunsTwiceAsMaster(t *testing.T) {
	sc, err := plan.ReadStackConfig("../..", "prod")
	require.NoError(t, err)
	res, err := plan.Run(sc, nil, stack.Program)
	require.NoError(t, err)
	sql, ok := res.Outputs["bootstrapSql"].(string)
	require.True(t, ok, "prod exports bootstrapSql")
	eachMajor(t, func(t *testing.T, major string) {
		s := pgtest.Start(t, pgtest.Options{Major: major})
		exec(t, s.AsMaster(t, "postgres"), "CREATE DATABASE orders")
		master := s.AsMaster(t, "orders")
		runScript(t, master, sql)
		su := s.Superuser(t, "orders")
		before := state(t, su)
		runScript(t, master, sql)
		assert.Equal(t, before, state(t, su), "a second run changes nothing")
		assert.Contains(t, before, "role orders_api truefalsefalsefalsefalse-")
	})
}

// A role of the bootstrap that already exists with SUPERUSER is not silently kept: the master
// cannot remove the attribute, so the script stops and says why.
func TestBootstrapRefusesPrivilegedExistingRole(t *testing.T) {
	s := pgtest.Start(t, pgtest.Options{})
	exec(t, s.AsMaster(t, "postgres"), "CREATE DATABASE orders")
	exec(t, s.Superuser(t, "orders"), "CREATE ROLE orders_app SUPERUSER NOLOGIN")
	sql, err := hardenedpg.BootstrapSQL(bootstrapArgs)
	require.NoError(t, err)
	_, err = s.AsMaster(t, "orders").PgConn().Exec(ctx, sql).ReadAll()
	refused(t, err, "P0001", "hardenedpg: a role of this bootstrap already exists with SUPERUSER, REPLICATION or BYPASSRLS; only a superuser can remove them")
}

// tenantColumn "user" once read as CURRENT_USER, so a user whose name was a tenant saw every
// row; quoted, it is the column.
func TestTenantColumnNamedLikeAKeyword(t *testing.T) {
	s := pgtest.Start(t, pgtest.Options{})
	exec(t, s.AsMaster(t, "postgres"), "CREATE DATABASE orders")
	master := s.AsMaster(t, "orders")
	args := hardenedpg.BootstrapArgs{Database: "orders", AppUsers: []string{"orders_api"}}
	sql, err := hardenedpg.BootstrapSQL(args)
	require.NoError(t, err)
	runScript(t, master, sql)
	exec(t, master, "SET ROLE orders_owner")
	exec(t, master, `CREATE TABLE app.docs ("user" text NOT NULL, body text NOT NULL)`)
	exec(t, master, `INSERT INTO app.docs VALUES ('orders_api', 'mine'), ('other_tenant', 'theirs')`)
	exec(t, master, "RESET ROLE")
	args.TenantTables, args.TenantColumn = []string{"docs"}, "user"
	sql, err = hardenedpg.BootstrapSQL(args)
	require.NoError(t, err)
	runScript(t, master, sql)
	exec(t, master, "ALTER ROLE orders_api PASSWORD 'orders_api-test-pw'")

	app := s.Connect(t, "orders", "orders_api", "orders_api-test-pw")
	exec(t, app, "SET app.tenant_id = 'orders_api'")
	var n int
	require.NoError(t, app.QueryRow(ctx, "SELECT count(*) FROM app.docs").Scan(&n))
	assert.Equal(t, 1, n, "only the tenant's own row, not every row")
	tag, err := app.Exec(ctx, "UPDATE app.docs SET body = 'stolen' WHERE \"user\" = 'other_tenant'")
	require.NoError(t, err)
	assert.Equal(t, int64(0), tag.RowsAffected())
}
