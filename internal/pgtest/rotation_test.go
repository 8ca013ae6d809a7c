package pgtest_test

import (
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/internal/pgtest"
)

// The database's part of the stack-owned master secret's rotation, on a real server: AWS's
// single-user rotation function signs in as the master with the current password and sets the new
// one with ALTER USER ... WITH PASSWORD (Secrets Manager User Guide, "Single user rotation
// strategy"). The master, who is no superuser, may; the new password signs in over SCRAM, the one
// the stack generated (and Pulumi's state holds) no longer does, and the server's log holds
// neither.
func TestTheMasterRotatesItsOwnPassword(t *testing.T) {
	eachMajor(t, func(t *testing.T, major string) {
		s := pgtest.Start(t, pgtest.Options{Major: major})
		generated := s.MasterPassword
		raw := make([]byte, 20)
		_, err := rand.Read(raw)
		require.NoError(t, err)
		rotated := hex.EncodeToString(raw)

		master := s.Connect(t, "postgres", pgtest.Master, generated)
		exec(t, master, "ALTER USER "+pgx.Identifier{pgtest.Master}.Sanitize()+" WITH PASSWORD '"+rotated+"'")
		require.NoError(t, master.Close(ctx))

		var user string
		require.NoError(t, s.Connect(t, "postgres", pgtest.Master, rotated).QueryRow(ctx, "SELECT current_user").Scan(&user))
		assert.Equal(t, pgtest.Master, user)
		cfg, err := s.ConnConfig("postgres", pgtest.Master, generated)
		require.NoError(t, err)
		_, err = pgx.ConnectConfig(ctx, cfg)
		require.Error(t, err, "the password Pulumi's state holds is stale once rotated")
		assert.Contains(t, err.Error(), `password authentication failed for user "`+pgtest.Master+`"`)

		var stored string
		require.NoError(t, s.Superuser(t, "postgres").QueryRow(ctx, "SELECT rolpassword FROM pg_authid WHERE rolname = $1", pgtest.Master).Scan(&stored))
		assert.Regexp(t, `^SCRAM-SHA-256\$4096:`, stored, "kept as a SCRAM verifier")
		log := waitForLog(t, s, `password authentication failed for user "`+pgtest.Master+`"`)
		assert.NotContains(t, log, rotated, "the server's log never holds the new password")
		assert.NotContains(t, log, generated, "nor the old one")
	})
}
