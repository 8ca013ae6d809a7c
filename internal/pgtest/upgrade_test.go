package pgtest_test

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/pgtest"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/testenv"
)

// bootstrapped runs the bootstrap on s as the master, as a deployment does (the first run before
// the migration makes the tenant table, the full run after), sets the users' passwords and
// returns the catalog state and the rows.
func bootstrapped(t *testing.T, s *pgtest.Server) (catalog, rows string) {
	t.Helper()
	exec(t, s.AsMaster(t, "postgres"), "CREATE DATABASE orders")
	admin := s.AsMaster(t, "orders")
	first := bootstrapArgs
	first.TenantTables = nil
	sql, err := hardenedpg.BootstrapSQL(first)
	require.NoError(t, err)
	runScript(t, admin, sql)
	exec(t, admin, "SET ROLE orders_owner")
	exec(t, admin, "CREATE TABLE app.orders (id serial PRIMARY KEY, tenant_id text NOT NULL, item text NOT NULL)")
	exec(t, admin, "INSERT INTO app.orders (tenant_id, item) VALUES ('a', 'apples'), ('a', 'apricots'), ('b', 'bananas')")
	exec(t, admin, "RESET ROLE")
	sql, err = hardenedpg.BootstrapSQL(bootstrapArgs)
	require.NoError(t, err)
	runScript(t, admin, sql)
	for _, u := range []string{"orders_api", "orders_reporting", "orders_migrator"} {
		exec(t, admin, "ALTER ROLE "+u+" PASSWORD '"+u+"-test-pw'")
	}
	su := s.Superuser(t, "orders")
	return state(t, su), rowsOf(t, su)
}

func rowsOf(t *testing.T, c *pgx.Conn) string {
	t.Helper()
	var rows string
	require.NoError(t, c.QueryRow(ctx, "SELECT string_agg(id || ' ' || tenant_id || ' ' || item, ', ' ORDER BY id) FROM app.orders").Scan(&rows))
	return rows
}

// withoutExtension drops a state's line of one extension, whose version a major upgrade changes,
// and the lines with the other prefixes given (what the test itself made since).
func withoutExtension(state, name string, prefixes ...string) string {
	var keep []string
	for _, l := range strings.Split(state, "\n") {
		dropped := strings.HasPrefix(l, "extension "+name+" ")
		for _, p := range prefixes {
			dropped = dropped || strings.HasPrefix(l, p)
		}
		if !dropped {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// The bootstrap's users sign in with their passwords (SCRAM hashes carried over) and see only
// their tenant's rows through row-level security.
func assertTenantsHold(t *testing.T, s *pgtest.Server) {
	t.Helper()
	app := s.Connect(t, "orders", "orders_api", "orders_api-test-pw")
	var n int
	require.NoError(t, app.QueryRow(ctx, "SELECT count(*) FROM app.orders").Scan(&n))
	assert.Equal(t, 0, n, "without a tenant setting no row is visible")
	exec(t, app, "SET app.tenant_id = 'a'")
	require.NoError(t, app.QueryRow(ctx, "SELECT count(*) FROM app.orders").Scan(&n))
	assert.Equal(t, 2, n)
	_, err := app.Exec(ctx, "INSERT INTO app.orders (tenant_id, item) VALUES ('b', 'planted')")
	refused(t, err, "42501", `new row violates row-level security policy for table "orders"`)
	_, err = s.Connect(t, "orders", "orders_reporting", "orders_reporting-test-pw").Exec(ctx, "DELETE FROM app.orders")
	refused(t, err, "42501", "permission denied for table orders")
}

// hardenedSettingsHold checks that a server runs every baseline parameter it can hold locally
// (the rds.* ones are RDS's own) at the baseline's value, as PostgreSQL reports it.
func hardenedSettingsHold(t *testing.T, c *pgx.Conn, major string) {
	t.Helper()
	for name, want := range pgtest.Settings(pgtest.Hardened, major, true) {
		if strings.HasPrefix(name, "rds.") {
			continue
		}
		var got string
		require.NoError(t, c.QueryRow(ctx, "SELECT current_setting($1)", name).Scan(&got))
		if want == "1" && got == "on" {
			want = "on"
		}
		assert.Equal(t, want, got, "PostgreSQL %s runs %s", major, name)
	}
}

// RDS upgrades a major in place with pg_upgrade. Here pg_upgrade 17 upgrades Debian's 15 with
// the real pgAudit, bootstrapped as a deployment is, to 17 with the real pgAudit (the upgrade
// root, see pgtest.UpgradeRoot): the roles, their SCRAM passwords, memberships, grants, default
// privileges, row-level security and rows come through unchanged, 17 accepts every hardened
// parameter, and pgAudit audits on the new major. pgAudit's extension stays at its old version
// (1.7): pgAudit ships no update path between majors, so ALTER EXTENSION ... UPDATE is refused,
// and the old version audits until it is dropped and created again (the upgrade steps of docs/day-two.md).
func TestMajorUpgradeInPlaceKeepsWhatTheBootstrapMade(t *testing.T) {
	testenv.SkipWhenShort(t, "pg_upgrade on real servers")
	require.NoError(t, pgtest.UpgradeRootReady())
	old := pgtest.Start(t, pgtest.Options{Major: pgtest.AuditMajor, Root: pgtest.UpgradeRoot(), Extra: map[string]string{"jit": "off"}})
	require.True(t, old.HasAudit)
	before, rows := bootstrapped(t, old)
	assert.Contains(t, before, "extension pgaudit 1.7")

	upgraded, out, took, err := old.Upgrade(pgtest.UpgradeMajor, pgtest.Options{})
	if upgraded != nil {
		t.Cleanup(func() { assert.NoError(t, upgraded.Stop()) })
	}
	require.NoError(t, err, out)
	t.Logf("pg_upgrade %s → %s took %s", pgtest.AuditMajor, pgtest.UpgradeMajor, took.Round(1e6))
	assert.Contains(t, out, "Upgrade Complete")

	su := upgraded.Superuser(t, "orders")
	var version string
	require.NoError(t, su.QueryRow(ctx, "SHOW server_version_num").Scan(&version))
	assert.True(t, strings.HasPrefix(version, pgtest.UpgradeMajor), version)
	after := state(t, su)
	assert.Equal(t, upgradedTemplate1(on17(before)), after, "pg_upgrade carries the catalog over as it was, pgAudit's version included")
	assert.Equal(t, rows, rowsOf(t, su))
	hardenedSettingsHold(t, su, pgtest.UpgradeMajor)
	assertTenantsHold(t, upgraded)

	// The old extension version audits on the new major: its event triggers call the new library.
	master := upgraded.AsMaster(t, "orders")
	exec(t, master, "CREATE TABLE public.after_upgrade (i int)")
	assert.Regexp(t, regexp.MustCompile(`AUDIT: SESSION,\d+,\d+,DDL,CREATE TABLE,TABLE,public.after_upgrade,`), upgraded.Log())

	var available string
	require.NoError(t, su.QueryRow(ctx, "SELECT default_version FROM pg_available_extensions WHERE name = 'pgaudit'").Scan(&available))
	_, err = su.Exec(ctx, "ALTER EXTENSION pgaudit UPDATE")
	refused(t, err, "22023", `extension "pgaudit" has no update path from version "1.7" to version "`+available+`"`)
	exec(t, su, "DROP EXTENSION pgaudit")
	exec(t, su, "CREATE EXTENSION pgaudit")
	exec(t, master, "CREATE TABLE public.after_recreate (i int)")
	assert.Regexp(t, regexp.MustCompile(`AUDIT: SESSION,\d+,\d+,DDL,CREATE TABLE,TABLE,public.after_recreate,`), upgraded.Log())
	recreated := state(t, su)
	assert.Contains(t, recreated, "extension pgaudit "+available)
	assert.Equal(t, withoutExtension(upgradedTemplate1(on17(before)), "pgaudit"), withoutExtension(recreated, "pgaudit", "relation after_"))
}

// on17 is a catalog state of an older major as 17 shows it: the table owner's ACL gains MAINTAIN
// (m, new in 17, which an owner holds).
func on17(state string) string {
	return strings.Replace(state, "relation app.orders {orders_owner=arwdDxt/", "relation app.orders {orders_owner=arwdDxtm/", 1)
}

// upgradedTemplate1 is template1's ACL as pg_upgrade writes it back: the owner's entry first.
func upgradedTemplate1(state string) string {
	return strings.Replace(state, "database template1 {=c/postgres,postgres=CTc/postgres}", "database template1 {postgres=CTc/postgres,=c/postgres}", 1)
}

// 16 → 17 by the logical path. The served 16 build (npm) has no pg_controldata and no
// pg_resetwal, which pg_upgrade runs on the old cluster, so it cannot be upgraded in place here;
// 17's pg_dumpall (roles) and pg_dump/pg_restore (the database) carry it to 17 instead. This proves
// the bootstrap's roles, grants, row-level security and rows survive on 17 and that 17 accepts the
// baseline; it does not prove what pg_upgrade does (catalog carried over as it is, relfilenodes,
// the same database OIDs): TestMajorUpgradeInPlaceKeepsWhatTheBootstrapMade does that, from 15.
func TestMajorUpgradeLogicallyFrom16(t *testing.T) {
	testenv.SkipWhenShort(t, "a dump and restore between real servers")
	require.NoError(t, pgtest.UpgradeRootReady())
	old := pgtest.Start(t, pgtest.Options{Major: "16"})
	before, rows := bootstrapped(t, old)
	target := pgtest.Start(t, pgtest.Options{Major: pgtest.UpgradeMajor, Root: pgtest.UpgradeRoot()})

	// The client reaches the 16 server over TLS as its superuser.
	env := []string{"PGHOST=127.0.0.1", "PGUSER=postgres", "PGSSLMODE=require"}
	dump := func(program string, args ...string) string {
		t.Helper()
		out, err := target.RunInRoot("/usr/bin/env", append(append(env, "PGPASSWORD="+old.Password, "PGPORT="+itoa(old.Port), program), args...)...)
		require.NoError(t, err, "%s", out)
		return string(out)
	}
	roles := dump("pg_dumpall", "--roles-only")
	archive := filepath.Join(target.Dir, "orders.dump")
	dump("pg_dump", "-Fc", "--create", "--exclude-extension=pgaudit", "-f", target.InRoot(archive), "orders")

	// Into 17: the roles, except what the target's own superuser and master are (their passwords
	// are the new instance's), then the database. RDS's roles exist there already, as on a new
	// instance, and their CREATE ROLE is refused as a duplicate.
	su := target.Superuser(t, "postgres")
	for _, line := range strings.Split(roles, "\n") {
		if !strings.HasPrefix(line, "CREATE ROLE ") && !strings.HasPrefix(line, "ALTER ROLE ") && !strings.HasPrefix(line, "GRANT ") ||
			strings.HasPrefix(line, "ALTER ROLE postgres ") || strings.HasPrefix(line, "ALTER ROLE "+pgtest.Master+" ") {
			continue
		}
		var pgErr *pgconn.PgError
		_, err := su.Exec(ctx, line)
		if duplicate := errors.As(err, &pgErr) && pgErr.Code == "42710"; !duplicate {
			require.NoError(t, err, line)
		}
	}
	out, err := target.RunInRoot("/usr/bin/env", "PGHOST=127.0.0.1", "PGUSER=postgres", "PGSSLMODE=require", "PGPASSWORD="+target.Password, "PGPORT="+itoa(target.Port),
		"pg_restore", "--create", "--exit-on-error", "-d", "postgres", target.InRoot(archive))
	require.NoError(t, err, "%s", out)

	tsu := target.Superuser(t, "orders")
	// The new instance's superuser and master keep their own passwords.
	mine := []string{"role postgres ", "role " + pgtest.Master + " "}
	assert.Equal(t, withoutExtension(on17(before), "pgaudit", mine...), withoutExtension(state(t, tsu), "pgaudit", mine...))
	assert.Equal(t, rows, rowsOf(t, tsu))
	hardenedSettingsHold(t, tsu, pgtest.UpgradeMajor)
	assertTenantsHold(t, target)
	_ = os.Remove(archive)
}

func itoa(n int) string { return strconv.Itoa(n) }
