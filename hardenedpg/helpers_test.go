package hardenedpg_test

import (
	"encoding/json"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/require"

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
	typeKey               = "aws:kms/key:Key"
	typeAlias             = "aws:kms/alias:Alias"
	typeSG                = "aws:ec2/securityGroup:SecurityGroup"
	typeIngress           = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
	typeParamGroup        = "aws:rds/parameterGroup:ParameterGroup"
	typeSubnetGroup       = "aws:rds/subnetGroup:SubnetGroup"
	typeInstance          = "aws:rds/instance:Instance"
	typeRole              = "aws:iam/role:Role"
	typeRoleAttachment    = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	typeRandomID          = "random:index/randomId:RandomId"
	typeLogGroup          = "aws:cloudwatch/logGroup:LogGroup"
	typeSubscription      = "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter"
	typeEventSubscription = "aws:rds/eventSubscription:EventSubscription"
	typeMetricFilter      = "aws:cloudwatch/logMetricFilter:LogMetricFilter"
	typeAlarm             = "aws:cloudwatch/metricAlarm:MetricAlarm"
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
