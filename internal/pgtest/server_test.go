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

	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/pgtest"
)

var ctx = context.Background()

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
	s := pgtest.Start(t, pgtest.Options{})
	c := s.Superuser(t, "postgres")
	settings, err := pgtest.BaselineSettings()
	require.NoError(t, err)
	require.Len(t, settings, len(hardenedpg.Baseline)-len(pgtest.RDSOnly), "every baseline parameter is set locally or mapped")
	for name, want := range settings {
		var got, source string
		// pg_settings.setting is SHOW's value without a unit (1000, not 1s); booleans read on/off.
		require.NoError(t, c.QueryRow(ctx, "SELECT setting, source FROM pg_settings WHERE name = $1", name).Scan(&got, &source), name)
		if want == "1" && (name == "log_connections" || name == "log_disconnections") {
			want = "on"
		}
		assert.Equal(t, want, got, name)
		assert.Equal(t, "configuration file", source, "%s comes from our configuration, not a default", name)
	}
}

func TestConnectionsWithoutTLSAreRefused(t *testing.T) {
	s := pgtest.Start(t, pgtest.Options{})
	cfg, err := pgx.ParseConfig(fmt.Sprintf("postgres://postgres:%s@127.0.0.1:%d/postgres?sslmode=disable", s.Password, s.Port))
	require.NoError(t, err)
	_, err = pgx.ConnectConfig(ctx, cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `no pg_hba.conf entry for host "127.0.0.1", user "postgres", database "postgres", no encryption`)
}

func connectWithTLS(s *pgtest.Server, maxVersion uint16) (*pgx.Conn, error) {
	cfg, err := s.ConnConfig("postgres", pgtest.Superuser, s.Password)
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
	s := pgtest.Start(t, pgtest.Options{})
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
}

func TestOnlySCRAMPasswordsSignIn(t *testing.T) {
	s := pgtest.Start(t, pgtest.Options{})
	su := s.Superuser(t, "postgres")
	exec(t, su, "SET password_encryption = 'md5'")
	exec(t, su, "CREATE ROLE legacy LOGIN PASSWORD 'legacy-pw-1'")
	var stored string
	require.NoError(t, su.QueryRow(ctx, "SELECT rolpassword FROM pg_authid WHERE rolname = 'legacy'").Scan(&stored))
	require.True(t, strings.HasPrefix(stored, "md5"), "the role's password is stored as md5")

	cfg, err := s.ConnConfig("postgres", "legacy", "legacy-pw-1")
	require.NoError(t, err)
	_, err = pgx.ConnectConfig(ctx, cfg)
	require.Error(t, err, "an md5 password cannot answer a SCRAM challenge")
	assert.Contains(t, err.Error(), `password authentication failed for user "legacy"`)

	exec(t, su, "RESET password_encryption")
	exec(t, su, "ALTER ROLE legacy PASSWORD 'legacy-pw-2'")
	require.NoError(t, su.QueryRow(ctx, "SELECT rolpassword FROM pg_authid WHERE rolname = 'legacy'").Scan(&stored))
	assert.True(t, strings.HasPrefix(stored, "SCRAM-SHA-256$"), "the baseline stores new passwords as SCRAM")
	c := s.Connect(t, "postgres", "legacy", "legacy-pw-2")
	var current string
	require.NoError(t, c.QueryRow(ctx, "SELECT current_user").Scan(&current))
	assert.Equal(t, "legacy", current)
}

func TestAuditLogsDDLAndRoleWithoutPasswords(t *testing.T) {
	s := pgtest.Start(t, pgtest.Options{})
	su := s.Superuser(t, "postgres")
	exec(t, su, "CREATE EXTENSION pgaudit")
	exec(t, su, "CREATE TABLE audited (id int)")
	exec(t, su, "CREATE ROLE auditee LOGIN PASSWORD 'never-log-me-1'")
	exec(t, su, "ALTER ROLE auditee PASSWORD 'never-log-me-2'")
	exec(t, su, "GRANT SELECT ON audited TO auditee")

	waitForLog(t, s, "AUDIT: SESSION,")
	log := waitForLog(t, s, ",ROLE,GRANT,")
	assert.Contains(t, log, ",DDL,CREATE TABLE,TABLE,public.audited,CREATE TABLE audited (id int),")
	assert.Contains(t, log, ",ROLE,CREATE ROLE,,,CREATE ROLE auditee LOGIN PASSWORD <REDACTED>,")
	assert.Contains(t, log, ",ROLE,ALTER ROLE,,,ALTER ROLE auditee PASSWORD <REDACTED>,")
	assert.NotContains(t, log, "never-log-me-1")
	assert.NotContains(t, log, "never-log-me-2")
}

func TestConnectionsAndSlowStatementsAreLogged(t *testing.T) {
	s := pgtest.Start(t, pgtest.Options{})
	c := s.Superuser(t, "postgres")
	exec(t, c, "SELECT pg_sleep(1.05)")
	exec(t, c, "SELECT 42 AS quick")
	require.NoError(t, c.Close(ctx))

	log := waitForLog(t, s, "disconnection: session time:")
	assert.Contains(t, log, "connection authorized: user=postgres database=postgres SSL enabled")
	assert.Regexp(t, `duration: 10[5-9]\d\.\d+ ms  statement: SELECT pg_sleep\(1\.05\)`, log)
	assert.NotContains(t, log, "SELECT 42 AS quick", "statements under log_min_duration_statement are not logged")
}
