package pgtest_test

import (
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/internal/pgtest"
)

// The bench's pooler is what it claims: clients reach the hardened server through it with TLS
// verify-full and SCRAM, it refuses a client without TLS, and it signs in to the server over TLS
// (the server refuses any connection without it).
func TestPoolerSpeaksTLSAndSCRAM(t *testing.T) {
	s := pgtest.Start(t, pgtest.Options{})
	p, err := s.StartPooler(2)
	require.NoError(t, err)
	t.Cleanup(p.Stop)

	cfg, err := s.ConnConfig("postgres", pgtest.Superuser, s.Password)
	require.NoError(t, err)
	cfg.Port = uint16(p.Port)
	c, err := pgx.ConnectConfig(ctx, cfg)
	require.NoError(t, err, "TLS verify-full and SCRAM through the pooler")
	var ssl bool
	require.NoError(t, c.QueryRow(ctx, "select ssl from pg_stat_ssl where pid = pg_backend_pid()").Scan(&ssl))
	assert.True(t, ssl, "the pooler's connection to the server is TLS")
	require.NoError(t, c.Close(ctx))

	plain, err := pgx.ParseConfig(fmt.Sprintf("postgres://%s:%s@127.0.0.1:%d/postgres?sslmode=disable", pgtest.Superuser, s.Password, p.Port))
	require.NoError(t, err)
	_, err = pgx.ConnectConfig(ctx, plain)
	require.Error(t, err, "a client without TLS is refused")
	assert.Contains(t, err.Error(), "SSL required")
}
