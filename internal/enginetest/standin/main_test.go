package main

import (
	"path/filepath"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/internal/testenv"
)

// In the stand-in's account, a proxy may name only a secret the test made: prod as it was
// shipped, with the ARN of a secret made by hand, could not come up in one `up`.
func TestAProxyNeedsASecretOfTheAccount(t *testing.T) {
	t.Setenv(testenv.StandinAccount, filepath.Join(t.TempDir(), "account"))
	const urn = "urn:pulumi:prod::hardenedpg::hardenedpg:index:Database$hardenedpg:index:Proxy$aws:rds/proxy:Proxy::database-proxy-proxy"
	const made = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-prod/orders_batch-8ae0f3"
	proxy := func(arn string) map[string]any {
		return map[string]any{"auths": []any{map[string]any{"secretArn": arn, "iamAuth": "REQUIRED"}}}
	}
	props, err := plugin.MarshalProperties(resource.NewPropertyMapFromMap(proxy(made)), marshal)
	require.NoError(t, err)
	err = secretsExist(urn, props)
	require.Error(t, err)
	assert.Equal(t, "standin (an account with nothing but what this test made): database-proxy-proxy: secret "+made+" does not exist, so RDS Proxy cannot sign in with it", err.Error())

	require.NoError(t, holdSecret(made))
	assert.NoError(t, secretsExist(urn, props), "the secret made earlier in the up")
}
