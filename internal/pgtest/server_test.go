package pgtest_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/internal/pgtest"
)

var ctx = context.Background()

// eachMajor runs test once per major of pgtest.Majors, in parallel. A major that is not
// installed fails its subtest with the setup command: it never skips.
func eachMajor(t *testing.T, test func(t *testing.T, major string)) {
	t.Helper()
	for _, major := range pgtest.Majors {
		t.Run("pg"+major, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			test(t, major)
			t.Logf("PostgreSQL %s: %s", major, time.Since(start).Round(time.Millisecond))
		})
	}
}

// waitForLog waits until the server log contains want; the logger writes asynchronously.
func waitForLog(t *testing.T, s *pgtest.Server, want string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		log := s.Log()
		if strings.Contains(log, want) || time.Now().After(deadline) {
			require.Contains(t, log, want)
			return log
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func exec(t *testing.T, c *pgx.Conn, sql string, args ...any) {
	t.Helper()
	_, err := c.Exec(ctx, sql, args...)
	require.NoError(t, err, sql)
}

func TestBaselineParametersAreAcceptedAndReadBack(t *testing.T) {
	eachMajor(t, func(t *testing.T, major string) {
		s := pgtest.Start(t, pgtest.Options{Major: major})
		assert.Equal(t, major == pgtest.AuditMajor, s.HasAudit, "pgAudit is proven on %s", pgtest.AuditMajor)
		c := s.Superuser(t, "postgres")
		var version int
		require.NoError(t, c.QueryRow(ctx, "SELECT current_setting('server_version_num')::int / 10000").Scan(&version))
		assert.Equal(t, major, fmt.Sprint(version))
		settings := pgtest.Settings(pgtest.Hardened, major, s.HasAudit)
		for name, want := range settings {
			if _, rdsOnly := pgtest.RDSOnly[name]; rdsOnly {
				continue
			}
			var got, source, vartype string
			// pg_settings.setting is SHOW's value without a unit (1000, not 1s); booleans read on/off.
			require.NoError(t, c.QueryRow(ctx, "SELECT setting, source, vartype FROM pg_settings WHERE name = $1", name).Scan(&got, &source, &vartype), name)
			if vartype == "bool" {
				want = map[string]string{"1": "on", "0": "off"}[want]
			}
			assert.Equal(t, want, got, name)
			assert.Equal(t, "configuration file", source, "%s comes from our configuration, not a default", name)
		}
	})
}

func TestConnectionsWithoutTLSAreRefused(t *testing.T) {
	eachMajor(t, func(t *testing.T, major string) {
		s := pgtest.Start(t, pgtest.Options{Major: major})
		cfg, err := pgx.ParseConfig(fmt.Sprintf("postgres://%s:%s@127.0.0.1:%d/postgres?sslmode=disable", pgtest.Master, s.MasterPassword, s.Port))
		require.NoError(t, err)
		_, err = pgx.ConnectConfig(ctx, cfg)
		require.Error(t, err)
		assert.Contains(t, err.Error(), fmt.Sprintf(`no pg_hba.conf entry for host "127.0.0.1", user "%s", database "postgres", no encryption`, pgtest.Master))
	})
}

func connectWithTLS(s *pgtest.Server, maxVersion uint16) (*pgx.Conn, error) {
	cfg, err := s.ConnConfig("postgres", pgtest.Master, s.MasterPassword)
	if err != nil {
		return nil, err
	}
	tlsCfg, err := s.TLSConfig()
	if err != nil {
		return nil, err
	}
	tlsCfg.MinVersion, tlsCfg.MaxVersion = tls.VersionTLS10, maxVersion //nolint:gosec // the point is to offer an old version
	cfg.TLSConfig = tlsCfg
	cfg.Fallbacks = nil
	return pgx.ConnectConfig(ctx, cfg)
}

func TestTLSBelow12IsRefused(t *testing.T) {
	eachMajor(t, func(t *testing.T, major string) {
		s := pgtest.Start(t, pgtest.Options{Major: major})
		_, err := connectWithTLS(s, tls.VersionTLS11)
		require.Error(t, err, "a client limited to TLS 1.1 must not connect")
		assert.Contains(t, err.Error(), "protocol version")

		for _, v := range []struct {
			max  uint16
			want string
		}{{tls.VersionTLS12, "TLSv1.2"}, {tls.VersionTLS13, "TLSv1.3"}} {
			c, err := connectWithTLS(s, v.max)
			require.NoError(t, err, v.want)
			var version string
			require.NoError(t, c.QueryRow(ctx, "SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid()").Scan(&version))
			assert.Equal(t, v.want, version)
			require.NoError(t, c.Close(ctx))
		}
	})
}

// RDS's own pg_hba rule is md5, which also answers SCRAM and lets an md5-stored password sign in;
// rds.accepted_password_auth_method = scram is what refuses it (pgtest.RDSOnly cites AWS).
func TestOnlySCRAMPasswordsSignIn(t *testing.T) {
	eachMajor(t, func(t *testing.T, major string) {
		for _, tc := range []struct {
			profile   pgtest.Profile
			md5SignIn bool
		}{{pgtest.RDSDefault, true}, {pgtest.Hardened, false}} {
			s := pgtest.Start(t, pgtest.Options{Major: major, Profile: tc.profile})
			master := s.AsMaster(t, "postgres")
			exec(t, master, "SET password_encryption = 'md5'")
			exec(t, master, "CREATE ROLE legacy LOGIN PASSWORD 'legacy-pw-1'")
			var stored string
			require.NoError(t, s.Superuser(t, "postgres").QueryRow(ctx, "SELECT rolpassword FROM pg_authid WHERE rolname = 'legacy'").Scan(&stored))
			require.True(t, strings.HasPrefix(stored, "md5"), "the role's password is stored as md5")

			cfg, err := s.ConnConfig("postgres", "legacy", "legacy-pw-1")
			require.NoError(t, err)
			c, err := pgx.ConnectConfig(ctx, cfg)
			if tc.md5SignIn {
				require.NoError(t, err, "%s: RDS's md5 rule lets an md5 password in", tc.profile)
				require.NoError(t, c.Close(ctx))
			} else {
				require.Error(t, err, "%s: an md5 password cannot answer a SCRAM challenge", tc.profile)
				assert.Contains(t, err.Error(), `password authentication failed for user "legacy"`)
			}

			exec(t, master, "RESET password_encryption")
			exec(t, master, "ALTER ROLE legacy PASSWORD 'legacy-pw-2'")
			require.NoError(t, s.Superuser(t, "postgres").QueryRow(ctx, "SELECT rolpassword FROM pg_authid WHERE rolname = 'legacy'").Scan(&stored))
			assert.True(t, strings.HasPrefix(stored, "SCRAM-SHA-256$"), "%s stores new passwords as SCRAM", tc.profile)
			var current string
			require.NoError(t, s.Connect(t, "postgres", "legacy", "legacy-pw-2").QueryRow(ctx, "SELECT current_user").Scan(&current))
			assert.Equal(t, "legacy", current)
		}
	})
}

func TestAuditLogsDDLAndRoleWithoutPasswords(t *testing.T) {
	s := pgtest.Start(t, pgtest.Options{Major: pgtest.AuditMajor})
	require.True(t, s.HasAudit)
	exec(t, s.AsMaster(t, "postgres"), "CREATE DATABASE audited")
	master := s.AsMaster(t, "audited")
	exec(t, master, "CREATE SCHEMA audited_s")
	exec(t, master, "CREATE TABLE audited_s.audited (id int)")
	exec(t, master, "CREATE ROLE auditee LOGIN PASSWORD 'never-log-me-1'")
	exec(t, master, "ALTER ROLE auditee PASSWORD 'never-log-me-2'")
	exec(t, master, "GRANT SELECT ON audited_s.audited TO auditee")

	waitForLog(t, s, "AUDIT: SESSION,")
	log := waitForLog(t, s, ",ROLE,GRANT,")
	assert.Contains(t, log, ",DDL,CREATE TABLE,TABLE,audited_s.audited,CREATE TABLE audited_s.audited (id int),")
	assert.Contains(t, log, ",ROLE,CREATE ROLE,,,CREATE ROLE auditee LOGIN PASSWORD <REDACTED>,")
	assert.Contains(t, log, ",ROLE,ALTER ROLE,,,ALTER ROLE auditee PASSWORD <REDACTED>,")
	assert.NotContains(t, log, "never-log-me-1")
	assert.NotContains(t, log, "never-log-me-2")
}

func TestConnectionsAreLogged(t *testing.T) {
	eachMajor(t, func(t *testing.T, major string) {
		s := pgtest.Start(t, pgtest.Options{Major: major})
		c := s.AsMaster(t, "postgres")
		exec(t, c, "SELECT 42 AS quick")
		require.NoError(t, c.Close(ctx))
		log := waitForLog(t, s, "disconnection: session time:")
		assert.Contains(t, log, fmt.Sprintf("connection authorized: user=%s database=postgres SSL enabled", pgtest.Master))
		assert.NotContains(t, log, "SELECT 42 AS quick", "no statement text reaches the log")
	})
}

// passwordStatements makes one failing and one slow CREATE/ALTER ROLE ... PASSWORD 'literal'.
// The slow one waits for a lock on pg_authid that another session holds.
func passwordStatements(t *testing.T, s *pgtest.Server, secret string) {
	t.Helper()
	master := s.AsMaster(t, "postgres")
	exec(t, master, "CREATE ROLE slowpoke LOGIN")
	_, err := master.Exec(ctx, "CREATE ROLE slowpoke PASSWORD '"+secret+"-failing'")
	require.ErrorContains(t, err, `role "slowpoke" already exists`)

	holder := s.Superuser(t, "postgres")
	exec(t, holder, "BEGIN")
	exec(t, holder, "LOCK TABLE pg_authid IN SHARE MODE")
	done := make(chan error, 1)
	go func() {
		_, err := master.Exec(ctx, "ALTER ROLE slowpoke PASSWORD '"+secret+"-slow'")
		done <- err
	}()
	time.Sleep(1200 * time.Millisecond) // past 1000 ms: what a log_min_duration_statement of 1000 would log
	exec(t, holder, "COMMIT")
	require.NoError(t, <-done)
	exec(t, master, "SELECT 'flush'") // the log line of the slow statement is written when it ends
}

func TestPasswordsNeverReachTheLog(t *testing.T) {
	eachMajor(t, func(t *testing.T, major string) {
		s := pgtest.Start(t, pgtest.Options{Major: major})
		passwordStatements(t, s, "never-logged")
		log := waitForLog(t, s, `role "slowpoke" already exists`)
		assert.NotContains(t, log, "never-logged", "a failing or slow statement's literal is not logged")
	})
}

// The same statements with the settings PostgreSQL ships show why the baseline sets them, and
// each override that writes statement text to the log writes the password with it.
func TestStatementLoggingWouldLeakPasswords(t *testing.T) {
	for setting, tc := range map[string]struct {
		value, want string
	}{
		"log_min_error_statement":     {"error", "STATEMENT:  CREATE ROLE slowpoke PASSWORD 'leaked-failing'"},
		"log_min_duration_statement":  {"1000", "statement: ALTER ROLE slowpoke PASSWORD 'leaked-slow'"},
		"log_transaction_sample_rate": {"1", "statement: ALTER ROLE slowpoke PASSWORD 'leaked-slow'"},
		"log_statement":               {"ddl", "statement: ALTER ROLE slowpoke PASSWORD 'leaked-slow'"},
	} {
		t.Run(setting, func(t *testing.T) {
			t.Parallel()
			s := pgtest.Start(t, pgtest.Options{Extra: map[string]string{setting: tc.value}})
			passwordStatements(t, s, "leaked")
			waitForLog(t, s, tc.want)
		})
	}
	for name, tc := range map[string]struct {
		extra      map[string]string
		statement  string
		args       []any
		want       string
		failsToRun bool
	}{
		"log_min_duration_statement=0": {map[string]string{"log_min_duration_statement": "0"},
			"CREATE ROLE quick LOGIN PASSWORD 'leaked-quick'", nil, "statement: CREATE ROLE quick LOGIN PASSWORD 'leaked-quick'", false},
		"log_min_duration_sample=0": {map[string]string{"log_min_duration_sample": "0", "log_statement_sample_rate": "1"},
			"CREATE ROLE sampled LOGIN PASSWORD 'leaked-sampled'", nil, "statement: CREATE ROLE sampled LOGIN PASSWORD 'leaked-sampled'", false},
		"auto_explain.log_min_duration=0": {map[string]string{"shared_preload_libraries": "pg_stat_statements,pgaudit,auto_explain", "auto_explain.log_min_duration": "0"},
			"SELECT 'leaked-explained' AS secret", nil, "Query Text: SELECT 'leaked-explained' AS secret", false},
		"log_parameter_max_length_on_error=-1": {map[string]string{"log_parameter_max_length_on_error": "-1"},
			"SELECT $1::int", []any{"leaked-parameter"}, "$1 = 'leaked-parameter'", true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := pgtest.Start(t, pgtest.Options{Extra: tc.extra})
			_, err := s.AsMaster(t, "postgres").Exec(ctx, tc.statement, tc.args...)
			assert.Equal(t, tc.failsToRun, err != nil, "%v", err)
			waitForLog(t, s, tc.want)
		})
	}
}

// settle gives the server's logger time to write what it would, and returns the log: only to
// show that something was not written, where no later line can mark that the logger caught up.
func settle(s *pgtest.Server) string {
	time.Sleep(500 * time.Millisecond)
	return s.Log()
}

// Overrides that silence the log or the audit, on a real server: what the pg-audit rules refuse.
func TestOverridesThatSilenceAuditing(t *testing.T) {
	t.Run("log_min_messages=panic drops connection and audit lines", func(t *testing.T) {
		t.Parallel()
		s := pgtest.Start(t, pgtest.Options{Extra: map[string]string{"log_min_messages": "panic"}})
		c := s.AsMaster(t, "postgres")
		exec(t, c, "CREATE ROLE unseen NOLOGIN")
		require.NoError(t, c.Close(ctx))
		log := settle(s)
		assert.NotContains(t, log, "connection authorized")
		assert.NotContains(t, log, "AUDIT:")
	})
	t.Run("pgaudit.log_client=on with a low log_level takes audit lines out of the log", func(t *testing.T) {
		t.Parallel()
		s := pgtest.Start(t, pgtest.Options{Extra: map[string]string{"pgaudit.log_client": "on", "pgaudit.log_level": "debug5"}})
		exec(t, s.AsMaster(t, "postgres"), "CREATE ROLE quiet NOLOGIN")
		assert.NotContains(t, settle(s), "AUDIT:")
	})
	for value, want := range map[string]struct{ ddl, role bool }{
		"ddl,role,-all": {false, false},
		"all,-all,ddl":  {true, false},
		"ddl,role":      {true, true}, // the baseline, for contrast
	} {
		t.Run("pgaudit.log="+value, func(t *testing.T) {
			t.Parallel()
			s := pgtest.Start(t, pgtest.Options{Extra: map[string]string{"pgaudit.log": value}})
			require.True(t, s.HasAudit)
			exec(t, s.AsMaster(t, "postgres"), "CREATE DATABASE audited")
			c := s.AsMaster(t, "audited")
			exec(t, c, "CREATE ROLE audited_role NOLOGIN")
			exec(t, c, "CREATE SCHEMA audited_s")
			exec(t, c, "SELECT 'flush'")
			var log string
			if want.ddl {
				log = waitForLog(t, s, ",DDL,CREATE SCHEMA,")
			} else {
				log = settle(s)
			}
			assert.Equal(t, want.ddl, strings.Contains(log, ",DDL,CREATE SCHEMA,"), "DDL audited")
			assert.Equal(t, want.role, strings.Contains(log, ",ROLE,CREATE ROLE,"), "ROLE audited")
		})
	}
}

// PostgreSQL reserves role names starting with pg_: the admin name refuses them
// (hardenedpg:adminUsername), since the master user could not be created.
func TestRoleNamesStartingWithPgAreReserved(t *testing.T) {
	eachMajor(t, func(t *testing.T, major string) {
		s := pgtest.Start(t, pgtest.Options{Major: major})
		c := s.Superuser(t, "postgres")
		_, err := c.Exec(ctx, "CREATE ROLE pg_admin LOGIN")
		require.ErrorContains(t, err, `role name "pg_admin" is reserved`)
	})
}
