package proxypassword_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/internal/audit/awstest"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/proxypassword"
)

// The verifier is the one RFC 5802/7677 define, computed here independently with Python's
// hashlib (pbkdf2_hmac, hmac, sha256) for this password and salt.
func TestVerifierIsSCRAMSHA256(t *testing.T) {
	salt := make([]byte, 16)
	for i := range salt {
		salt[i] = byte(i)
	}
	v, err := proxypassword.Verifier("correcthorsebatterystaple", salt, 4096)
	require.NoError(t, err)
	assert.Equal(t, "SCRAM-SHA-256$4096:AAECAwQFBgcICQoLDA0ODw==$hdHBYB3cAkb1LDFGtsAfIJB/pzupqPrycQv6+74aexk=:3bENNnz5bg9Mu0aLX+9H1OQm5+A4b4itHHxVHndoeII=", v)
}

// Set puts a fresh password in each secret, under the secret's key, and the SQL holds only the
// verifiers: the password is in the secret and nowhere else.
func TestSetPutsThePasswordInTheSecretAndTheVerifierInTheSQL(t *testing.T) {
	srv := awstest.StartMoto(t)
	ctx := context.Background()
	key, err := kms.NewFromConfig(srv.Config()).CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("storage")})
	require.NoError(t, err)
	sm := secretsmanager.NewFromConfig(srv.Config())
	users := map[string]string{}
	for _, user := range []string{"orders_sync", "orders_batch"} {
		s, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("orders-prod/" + user), KmsKeyId: key.KeyMetadata.Arn})
		require.NoError(t, err)
		users[user] = aws.ToString(s.ARN)
	}
	var sql strings.Builder
	require.NoError(t, proxypassword.Set(ctx, sm, users, &sql))

	passwords := map[string]string{}
	for user, arn := range users {
		v, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(arn)})
		require.NoError(t, err)
		var value map[string]string
		require.NoError(t, json.Unmarshal([]byte(aws.ToString(v.SecretString)), &value))
		assert.Equal(t, user, value["username"])
		assert.Regexp(t, `^[A-Za-z0-9]{60}$`, value["password"])
		passwords[user] = value["password"]
		assert.NotContains(t, sql.String(), value["password"], "the SQL never holds a password")
	}
	assert.NotEqual(t, passwords["orders_batch"], passwords["orders_sync"])
	verifier := `SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=`
	assert.Regexp(t, regexp.MustCompile(`^-- hardenedpg: passwords of the RDS Proxy users, as SCRAM-SHA-256 verifiers \(never the password\)\.
-- Run as the master user: psql -v ON_ERROR_STOP=1 -f <this file>
BEGIN;
DO \$\$ BEGIN IF NOT EXISTS \(SELECT FROM pg_roles WHERE rolname = 'orders_batch'\) THEN CREATE ROLE "orders_batch" LOGIN; END IF; END \$\$;
ALTER ROLE "orders_batch" WITH LOGIN PASSWORD '`+verifier+`';
DO \$\$ BEGIN IF NOT EXISTS \(SELECT FROM pg_roles WHERE rolname = 'orders_sync'\) THEN CREATE ROLE "orders_sync" LOGIN; END IF; END \$\$;
ALTER ROLE "orders_sync" WITH LOGIN PASSWORD '`+verifier+`';
COMMIT;
$`), sql.String())

	// A name the bootstrap would refuse is refused before any secret changes.
	before, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(users["orders_batch"])})
	require.NoError(t, err)
	var none strings.Builder
	err = proxypassword.Set(ctx, sm, map[string]string{"orders_batch": users["orders_batch"], "Batch; DROP ROLE x": users["orders_sync"]}, &none)
	require.Error(t, err)
	assert.Equal(t, `proxy user "Batch; DROP ROLE x": want 1-63 lowercase letters, digits and underscores, starting with a letter or underscore`, err.Error())
	assert.Empty(t, none.String())
	after, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(users["orders_batch"])})
	require.NoError(t, err)
	assert.Equal(t, aws.ToString(before.VersionId), aws.ToString(after.VersionId))

	// A secret that cannot be written stops the run; the SQL of those already written is still
	// written, so no proxy user is left with a secret its role does not match.
	missing := "arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-prod/orders_sync-AbCdEf"
	var partial strings.Builder
	err = proxypassword.Set(ctx, sm, map[string]string{"orders_batch": users["orders_batch"], "orders_sync": missing}, &partial)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "proxy user orders_sync: putting the password in "+missing+": ")
	assert.True(t, strings.HasSuffix(err.Error(), "; the SQL written sets the new passwords of orders_batch, whose secrets hold them already: run it"), err.Error())
	assert.Contains(t, partial.String(), `ALTER ROLE "orders_batch" WITH LOGIN PASSWORD 'SCRAM-SHA-256$4096:`)
	assert.NotContains(t, partial.String(), "orders_sync")
	assert.True(t, strings.HasSuffix(partial.String(), "COMMIT;\n"))

	err = proxypassword.Set(ctx, sm, nil, &none)
	require.Error(t, err)
	assert.Equal(t, "no proxy users: want a map of database user to its secret's ARN, as the stack output proxySecretArns", err.Error())
}
