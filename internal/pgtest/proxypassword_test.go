package pgtest_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/internal/pgtest"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/proxypassword"
)

// secretBox keeps what proxy-password puts in each secret, as Secrets Manager would.
type secretBox map[string]string

func (b secretBox) PutSecretValue(_ context.Context, in *secretsmanager.PutSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error) {
	b[aws.ToString(in.SecretId)] = aws.ToString(in.SecretString)
	return &secretsmanager.PutSecretValueOutput{}, nil
}

// The proxy user's role gets the password in its secret from SQL that holds only a SCRAM
// verifier, run by the master, who is no superuser: the user then signs in with that password
// over SCRAM (which the hardened server requires), another password is refused, and neither the
// SQL nor the server's log holds the password.
func TestProxyPasswordSignsInWithTheSecretsPassword(t *testing.T) {
	const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-prod/orders_batch-AbCdEf"
	eachMajor(t, func(t *testing.T, major string) {
		s := pgtest.Start(t, pgtest.Options{Major: major})
		box := secretBox{}
		var sql strings.Builder
		require.NoError(t, proxypassword.Set(ctx, box, map[string]string{"orders_batch": arn}, &sql))
		var secret map[string]string
		require.NoError(t, json.Unmarshal([]byte(box[arn]), &secret))
		password := secret["password"]
		require.Len(t, password, 60)
		assert.NotContains(t, sql.String(), password)

		master := s.AsMaster(t, "postgres")
		runScript(t, master, sql.String())
		runScript(t, master, sql.String()) // again: the role exists, the script still runs

		var user string
		require.NoError(t, s.Connect(t, "postgres", "orders_batch", password).QueryRow(ctx, "SELECT current_user").Scan(&user))
		assert.Equal(t, "orders_batch", user)
		wrong := password[:59] + "x"
		if wrong == password { // the generated password may end in x itself
			wrong = password[:59] + "y"
		}
		cfg, err := s.ConnConfig("postgres", "orders_batch", wrong)
		require.NoError(t, err)
		_, err = pgx.ConnectConfig(ctx, cfg)
		require.Error(t, err)
		assert.Contains(t, err.Error(), `password authentication failed for user "orders_batch"`)

		var stored string
		require.NoError(t, s.Superuser(t, "postgres").QueryRow(ctx, "SELECT rolpassword FROM pg_authid WHERE rolname = 'orders_batch'").Scan(&stored))
		assert.Regexp(t, `^SCRAM-SHA-256\$4096:`, stored)
		assert.Contains(t, sql.String(), "PASSWORD '"+stored+"'", "the server keeps the verifier as given")
		assert.NotContains(t, s.Log(), password, "the server's log never holds the password")
	})
}
