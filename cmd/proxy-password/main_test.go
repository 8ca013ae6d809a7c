package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/internal/audit/awstest"
)

func passworded(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// What the stack exports is what the command takes; anything else is refused before a secret
// changes, with the flag, the value and what it wants.
func TestProxyPasswordRefusesBadSecrets(t *testing.T) {
	for args, want := range map[string]string{
		"":   `proxy-password: -secrets = "": want a JSON object of database user to secret ARN, as ` + "`pulumi stack output proxySecretArns --json`" + ` prints` + "\n",
		`{}`: `proxy-password: -secrets = "{}": want a JSON object of database user to secret ARN, as ` + "`pulumi stack output proxySecretArns --json`" + ` prints` + "\n",
		`{"u":"arn:aws:iam::123456789012:role/x"}`:                                  `proxy-password: -secrets["u"] = "arn:aws:iam::123456789012:role/x": want the ARN of a Secrets Manager secret, all in one Region` + "\n",
		`{"Batch":"arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf"}`: `proxy-password: -secrets: proxy user "Batch": want 1-63 lowercase letters, digits and underscores, starting with a letter or underscore` + "\n",
	} {
		code, out, errOut := passworded("-secrets", args)
		assert.Equal(t, exitUsage, code, args)
		assert.Empty(t, out)
		assert.Equal(t, want, errOut)
	}
}

// Against Secrets Manager (moto), the stack output's form: the secret gets the password, the SQL
// goes to stdout.
func TestProxyPasswordWritesTheSecretAndPrintsTheSQL(t *testing.T) {
	srv := awstest.StartMoto(t)
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	sm := secretsmanager.NewFromConfig(srv.Config())
	s, err := sm.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{Name: aws.String("orders-prod/orders_batch")})
	require.NoError(t, err)
	code, out, errOut := passworded("-secrets", `{"orders_batch":"`+aws.ToString(s.ARN)+`"}`)
	require.Equal(t, exitOK, code, errOut)
	assert.Empty(t, errOut)
	assert.Contains(t, out, `ALTER ROLE "orders_batch" WITH LOGIN PASSWORD 'SCRAM-SHA-256$4096:`)
	v, err := sm.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: s.ARN})
	require.NoError(t, err)
	assert.Contains(t, aws.ToString(v.SecretString), `"username":"orders_batch"`)
}
