package hardenedpg_test

import (
	"encoding/json"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
)

// run runs program against a fresh monitor (or m) and returns the monitor and the program's error.
func run(t *testing.T, m *hardenedpgtest.Monitor, program func(ctx *pulumi.Context) error) (*hardenedpgtest.Monitor, error) {
	t.Helper()
	if m == nil {
		m = hardenedpgtest.New()
	}
	var programErr error
	err := m.Run("hardenedpg", "test", nil, nil, func(ctx *pulumi.Context) error {
		programErr = program(ctx)
		return programErr
	})
	if programErr != nil {
		return m, programErr // unwrapped, to compare the exact text users see
	}
	return m, err
}

// mustRun is run that fails the test on error.
func mustRun(t *testing.T, m *hardenedpgtest.Monitor, program func(ctx *pulumi.Context) error) *hardenedpgtest.Monitor {
	t.Helper()
	m, err := run(t, m, program)
	require.NoError(t, err)
	return m
}

// only returns the single resource of a type.
func only(t *testing.T, m *hardenedpgtest.Monitor, typ string) hardenedpgtest.Resource {
	t.Helper()
	rs := m.ByType(typ)
	require.Len(t, rs, 1, "resources of type %s", typ)
	return rs[0]
}

// policyOf decodes a JSON policy input.
func policyOf(t *testing.T, v any) map[string]any {
	t.Helper()
	s, ok := v.(string)
	require.True(t, ok, "policy is a string, got %T", v)
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(s), &doc))
	return doc
}

// statements returns the policy statements keyed by Sid.
func statements(t *testing.T, v any) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, st := range policyOf(t, v)["Statement"].([]any) {
		s := st.(map[string]any)
		sid, _ := s["Sid"].(string)
		out[sid] = s
	}
	return out
}

const (
	typeKey               = baseline.TypeKey
	typeAlias             = baseline.TypeKeyAlias
	typeSG                = baseline.TypeSecurityGroup
	typeIngress           = baseline.TypeIngressRule
	typeParamGroup        = baseline.TypeParameterGroup
	typeSubnetGroup       = baseline.TypeSubnetGroup
	typeInstance          = baseline.TypeInstance
	typeRole              = baseline.TypeRole
	typeRoleAttachment    = baseline.TypeRolePolicyAttach
	typeRandomID          = baseline.TypeRandomID
	typeLogGroup          = baseline.TypeLogGroup
	typeSubscription      = baseline.TypeSubscriptionFilter
	typeEventSubscription = baseline.TypeEventSubscription
	typeMetricFilter      = baseline.TypeLogMetricFilter
	typeAlarm             = baseline.TypeMetricAlarm
)

// awsResources are the resources a provider would create: what "nothing is created" is about once
// a component has been registered to look its provider's account up through it.
func awsResources(m *hardenedpgtest.Monitor) []hardenedpgtest.Resource {
	var out []hardenedpgtest.Resource
	for _, r := range m.Resources() {
		if r.Custom {
			out = append(out, r)
		}
	}
	return out
}
