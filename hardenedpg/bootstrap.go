package hardenedpg

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// BootstrapArgs describes the least-privilege layout created inside the database.
type BootstrapArgs struct {
	// Database is the database the roles may connect to. Required.
	Database string
	// Schema holds the application's tables ("app" by default); it is owned by OwnerRole.
	Schema string
	// OwnerRole, AppRole and ReadOnlyRole are group roles that cannot log in; by default
	// <database>_owner, <database>_app and <database>_readonly.
	OwnerRole    string
	AppRole      string
	ReadOnlyRole string
	// MigrationUsers, AppUsers and ReadOnlyUsers log in through IAM (rds_iam, no password) and
	// are members of the owner, app and read-only roles.
	MigrationUsers []string
	AppUsers       []string
	ReadOnlyUsers  []string
	// TenantTables are tables of Schema isolated by row-level security: a row is visible and
	// writable only when its TenantColumn equals the session setting TenantSetting. They must
	// exist when the SQL runs (run it again after a migration adds one).
	TenantTables  []string
	TenantColumn  string
	TenantSetting string
	// Tenants are isolated by schema instead: each tenant, by name, gets the schema
	// tenant_<name>, owned by OwnerRole (migrations create its tables), and the group role
	// <database>_tenant_<name>, the only role with any privilege there. The tenant's users (IAM
	// users, as above) are members of that role and of no other tenant's; the app and read-only
	// roles reach a tenant only if made members of its role.
	Tenants map[string][]string
	// MasterUser is the RDS master user that runs the script (DefaultAdminUsername when empty):
	// no role of the bootstrap may have its name.
	MasterUser string `json:"-"`
}

var (
	sqlNamePattern    = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)
	sqlSettingPattern = regexp.MustCompile(`^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$`)
)

func (a BootstrapArgs) withDefaults() BootstrapArgs {
	def := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	def(&a.Schema, "app")
	def(&a.OwnerRole, a.Database+"_owner")
	def(&a.AppRole, a.Database+"_app")
	def(&a.ReadOnlyRole, a.Database+"_readonly")
	def(&a.TenantColumn, "tenant_id")
	def(&a.TenantSetting, "app.tenant_id")
	def(&a.MasterUser, DefaultAdminUsername)
	return a
}

// privilegedRole says why a name may not be a role of the bootstrap, or "" when it may: names
// PostgreSQL or RDS reserve or give power (https://www.postgresql.org/docs/current/sql-keywords-appendix.html
// and the engine's pg_get_keywords; RDS's roles: Appendix.PostgreSQL.CommonDBATasks.Roles.html).
func privilegedRole(name, master string) string {
	switch {
	case name == master:
		return "is the master user that runs the script"
	case strings.HasPrefix(name, "rds"):
		return "rds* names are RDS's own roles (rds_superuser, rdsadmin, rds_iam, ...)"
	case strings.HasPrefix(name, "pg_"):
		return "pg_* names are PostgreSQL's predefined roles"
	case slices.Contains([]string{"postgres", "public", "none"}, name):
		return "is a name PostgreSQL reserves or gives to its superuser"
	case baseline.ReservedKeyword(name):
		return "is a reserved PostgreSQL keyword"
	}
	return ""
}

// GroupRoles are the group roles the bootstrap makes (owner, app, read-only), with their
// defaults: a user of the database, through the proxy too, needs a name of its own.
func (a BootstrapArgs) GroupRoles() []string {
	d := a.withDefaults()
	roles := []string{d.OwnerRole, d.AppRole, d.ReadOnlyRole}
	for _, t := range slices.Sorted(maps.Keys(d.Tenants)) {
		roles = append(roles, d.tenantRole(t))
	}
	return roles
}

// tenantSchema and tenantRole are the schema and the group role of a tenant.
func (a BootstrapArgs) tenantSchema(tenant string) string { return "tenant_" + tenant }
func (a BootstrapArgs) tenantRole(tenant string) string   { return a.Database + "_tenant_" + tenant }

// UserGroup is a list of the bootstrap's login users, the BootstrapArgs field that lists them
// and the group role they join.
type UserGroup struct {
	Field, Role string
	Users       []string
}

// UserGroups are the bootstrap's login users by the group role each joins, in field order and
// then tenant by tenant: the checks, the SQL and the stack config read them here.
func (a BootstrapArgs) UserGroups() []UserGroup {
	a = a.withDefaults()
	groups := []UserGroup{{"MigrationUsers", a.OwnerRole, a.MigrationUsers}, {"AppUsers", a.AppRole, a.AppUsers}, {"ReadOnlyUsers", a.ReadOnlyRole, a.ReadOnlyUsers}}
	for _, t := range slices.Sorted(maps.Keys(a.Tenants)) {
		groups = append(groups, UserGroup{fmt.Sprintf("Tenants[%q]", t), a.tenantRole(t), a.Tenants[t]})
	}
	return groups
}

func (a BootstrapArgs) check() error {
	var p problems
	name := func(field, v string) {
		if !sqlNamePattern.MatchString(v) {
			p.add(field, v, "want a lowercase SQL name: letters, digits and underscores, starting with a letter or underscore, at most 63")
		}
	}
	if a.Database == "" {
		p.add("Database", a.Database, "required")
	} else {
		name("Database", a.Database)
	}
	if a.Database != "" { // the defaults derive from it
		for _, f := range [][2]string{{"Schema", a.Schema}, {"OwnerRole", a.OwnerRole}, {"AppRole", a.AppRole}, {"ReadOnlyRole", a.ReadOnlyRole}, {"TenantColumn", a.TenantColumn}} {
			name(f[0], f[1])
		}
	}
	switch {
	case a.Schema == "public":
		p.add("Schema", a.Schema, "use a schema of the application's own: public is shared with every role")
	case strings.HasPrefix(a.Schema, "pg_") || a.Schema == "information_schema":
		p.add("Schema", a.Schema, "is a system schema name; use a schema of the application's own")
	case baseline.ReservedKeyword(a.Schema):
		p.add("Schema", a.Schema, "is a reserved PostgreSQL keyword")
	}
	switch {
	case slices.Contains([]string{"postgres", "template0", "template1", "rdsadmin"}, a.Database):
		p.add("Database", a.Database, "is a system database; bootstrap a database of the application's own")
	case a.Database != "" && baseline.ReservedKeyword(a.Database):
		p.add("Database", a.Database, "is a reserved PostgreSQL keyword")
	}
	if a.Database != "" {
		for _, f := range [][2]string{{"OwnerRole", a.OwnerRole}, {"AppRole", a.AppRole}, {"ReadOnlyRole", a.ReadOnlyRole}} {
			if why := privilegedRole(f[1], a.MasterUser); why != "" {
				p.add(f[0], f[1], "%s", why)
			}
		}
	}
	seen := map[string]string{}
	for _, group := range a.UserGroups() {
		for i, u := range group.Users {
			f := fmt.Sprintf("%s[%d]", group.Field, i)
			name(f, u)
			if slices.Contains(a.GroupRoles(), u) {
				p.add(f, u, "is the name of a group role; a user needs a name of its own")
			} else if why := privilegedRole(u, a.MasterUser); why != "" {
				p.add(f, u, "%s", why)
			}
			if other, ok := seen[u]; ok {
				p.add(f, u, "is also in %s: one user, one role", other)
			}
			seen[u] = group.Field
		}
	}
	for _, t := range slices.Sorted(maps.Keys(a.Tenants)) {
		field := fmt.Sprintf("Tenants[%q]", t)
		switch {
		case !sqlNamePattern.MatchString(t):
			p.add(field, t, "want a lowercase SQL name for the tenant: letters, digits and underscores, starting with a letter or underscore")
		case a.Database != "" && len(a.tenantRole(t)) > 63:
			p.add(field, t, "its role %s would be longer than PostgreSQL's 63 characters; shorten the tenant's name", a.tenantRole(t))
		case a.tenantSchema(t) == a.Schema:
			p.add(field, t, "its schema %s is the application schema", a.tenantSchema(t))
		}
	}
	for i, t := range a.TenantTables {
		name(fmt.Sprintf("TenantTables[%d]", i), t)
	}
	if !sqlSettingPattern.MatchString(a.TenantSetting) {
		p.add("TenantSetting", a.TenantSetting, "want a custom setting name with a prefix, e.g. app.tenant_id")
	}
	return p.err()
}

// quoteIdent quotes a SQL identifier as PostgreSQL's quote_ident does, so no name is read as a
// keyword (user, current_user) or anything but the name.
func quoteIdent(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// quoteLiteral quotes a SQL string literal.
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// BootstrapSQL renders the SQL that creates or updates the roles, grants, pgAudit and row-level
// security of one database. Run it as the RDS master user, who is not a superuser (LOGIN,
// CREATEROLE, CREATEDB and rds_superuser): it uses only what such a user may do. It is
// idempotent, so running it again changes nothing, and it sends no password: users sign in
// through IAM.
func BootstrapSQL(args BootstrapArgs) (string, error) {
	a := args.withDefaults()
	if err := a.check(); err != nil {
		return "", fmt.Errorf("hardenedpg.BootstrapSQL: %w", err)
	}
	var b strings.Builder
	w := func(format string, v ...any) { fmt.Fprintf(&b, format+"\n", v...) }
	q := quoteIdent
	createRole := func(role, login string) {
		w("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = %s) THEN CREATE ROLE %s %s; END IF; END $$;", quoteLiteral(role), q(role), login)
	}
	// Only a superuser may name SUPERUSER, REPLICATION or BYPASSRLS, even to remove them; a role
	// the master creates never has them, so the script checks for them instead (first).
	const noPrivileges = "NOCREATEDB NOCREATEROLE"
	w("-- hardenedpg bootstrap of database %s, schema %s. Idempotent: a second run changes nothing.", a.Database, a.Schema)
	w("-- Run as the RDS master user (not a superuser): psql -v ON_ERROR_STOP=1 -f bootstrap.sql")
	w("BEGIN;")
	w("")
	w("-- Only a superuser can take SUPERUSER, REPLICATION or BYPASSRLS away: stop if a role has them.")
	var roles []string
	for _, r := range a.GroupRoles() {
		roles = append(roles, quoteLiteral(r))
	}
	for _, g := range a.UserGroups() {
		for _, u := range g.Users {
			roles = append(roles, quoteLiteral(u))
		}
	}
	w("DO $$ BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname IN (%s) AND (rolsuper OR rolreplication OR rolbypassrls)) THEN", strings.Join(roles, ", "))
	w("  RAISE EXCEPTION 'hardenedpg: a role of this bootstrap already exists with SUPERUSER, REPLICATION or BYPASSRLS; only a superuser can remove them';")
	w("END IF; END $$;")
	w("")
	w("-- Group roles: they hold privileges and cannot log in.")
	for _, r := range a.GroupRoles() {
		createRole(r, "NOLOGIN")
		w("ALTER ROLE %s NOLOGIN %s;", q(r), noPrivileges)
	}
	w("")
	w("-- Users log in through IAM only (rds_iam), never with a password.")
	for _, g := range a.UserGroups() {
		for _, u := range g.Users {
			createRole(u, "LOGIN")
			w("ALTER ROLE %s LOGIN %s PASSWORD NULL;", q(u), noPrivileges)
			w("GRANT rds_iam TO %s;", q(u))
			w("GRANT %s TO %s;", q(g.Role), q(u))
		}
	}
	w("")
	w("-- The master acts as the owner role to create its schema and set its defaults (RDS's master")
	w("-- is not a superuser, so it needs the membership; it is the administrator anyway).")
	w("GRANT %s TO CURRENT_USER;", q(a.OwnerRole))
	w("")
	w("-- Nobody gets anything by default.")
	w("REVOKE ALL ON DATABASE %s FROM PUBLIC;", q(a.Database))
	var connect []string
	for _, r := range a.GroupRoles() {
		connect = append(connect, q(r))
	}
	w("GRANT CONNECT ON DATABASE %s TO %s;", q(a.Database), strings.Join(connect, ", "))
	w("REVOKE CREATE ON SCHEMA public FROM PUBLIC;")
	w("")
	w("-- The application schema: the owner role creates, the app role reads and writes, the read-only role reads.")
	w("CREATE SCHEMA IF NOT EXISTS %s AUTHORIZATION %s;", q(a.Schema), q(a.OwnerRole))
	w("ALTER SCHEMA %s OWNER TO %s;", q(a.Schema), q(a.OwnerRole))
	w("REVOKE ALL ON SCHEMA %s FROM PUBLIC;", q(a.Schema))
	w("GRANT USAGE ON SCHEMA %s TO %s, %s;", q(a.Schema), q(a.AppRole), q(a.ReadOnlyRole))
	w("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %s TO %s;", q(a.Schema), q(a.AppRole))
	w("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %s TO %s;", q(a.Schema), q(a.AppRole))
	w("GRANT SELECT ON ALL TABLES IN SCHEMA %s TO %s;", q(a.Schema), q(a.ReadOnlyRole))
	w("ALTER DEFAULT PRIVILEGES FOR ROLE %s IN SCHEMA %s GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %s;", q(a.OwnerRole), q(a.Schema), q(a.AppRole))
	w("ALTER DEFAULT PRIVILEGES FOR ROLE %s IN SCHEMA %s GRANT USAGE, SELECT ON SEQUENCES TO %s;", q(a.OwnerRole), q(a.Schema), q(a.AppRole))
	w("ALTER DEFAULT PRIVILEGES FOR ROLE %s IN SCHEMA %s GRANT SELECT ON TABLES TO %s;", q(a.OwnerRole), q(a.Schema), q(a.ReadOnlyRole))
	w("ALTER DEFAULT PRIVILEGES FOR ROLE %s REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;", q(a.OwnerRole))
	for _, t := range slices.Sorted(maps.Keys(a.Tenants)) {
		schema, role := q(a.tenantSchema(t)), q(a.tenantRole(t))
		w("")
		w("-- Tenant %s: its schema, where only its role has any privilege.", t)
		w("CREATE SCHEMA IF NOT EXISTS %s AUTHORIZATION %s;", schema, q(a.OwnerRole))
		w("ALTER SCHEMA %s OWNER TO %s;", schema, q(a.OwnerRole))
		w("REVOKE ALL ON SCHEMA %s FROM PUBLIC;", schema)
		w("GRANT USAGE ON SCHEMA %s TO %s;", schema, role)
		w("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %s TO %s;", schema, role)
		w("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %s TO %s;", schema, role)
		w("ALTER DEFAULT PRIVILEGES FOR ROLE %s IN SCHEMA %s GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %s;", q(a.OwnerRole), schema, role)
		w("ALTER DEFAULT PRIVILEGES FOR ROLE %s IN SCHEMA %s GRANT USAGE, SELECT ON SEQUENCES TO %s;", q(a.OwnerRole), schema, role)
	}
	w("")
	w("-- pgAudit: the extension, and the role pgaudit.role names for object auditing.")
	w("CREATE EXTENSION IF NOT EXISTS pgaudit;")
	createRole("rds_pgaudit", "NOLOGIN")
	if len(a.TenantTables) > 0 {
		w("")
		w("-- Tenant isolation: a row is seen and written only under SET %s = '<its %s>'.", a.TenantSetting, a.TenantColumn)
		w("-- FORCE applies the policy to the table owner too; only a superuser bypasses it.")
		for _, t := range a.TenantTables {
			check := fmt.Sprintf("%s::text = current_setting(%s, true)", q(a.TenantColumn), quoteLiteral(a.TenantSetting))
			w("ALTER TABLE %s.%s ENABLE ROW LEVEL SECURITY;", q(a.Schema), q(t))
			w("ALTER TABLE %s.%s FORCE ROW LEVEL SECURITY;", q(a.Schema), q(t))
			w("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_policies WHERE schemaname = %s AND tablename = %s AND policyname = 'tenant_isolation') THEN", quoteLiteral(a.Schema), quoteLiteral(t))
			w("  CREATE POLICY tenant_isolation ON %s.%s USING (%s) WITH CHECK (%s);", q(a.Schema), q(t), check, check)
			w("END IF; END $$;")
		}
	}
	w("")
	w("COMMIT;")
	return b.String(), nil
}
