package main

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
)

func TestSameProgramNetworkPassesEveryControl(t *testing.T) {
	res := hardenedpgtest.Run(program, hardenedpgtest.Project("orders"), hardenedpgtest.Stack("prod"))
	require.NoError(t, res.Err)
	require.Len(t, res.ByType(baseline.TypeInstance), 1)
	var applicable int
	for _, r := range res.Scorecard(nil) {
		assert.Contains(t, []baseline.Status{baseline.Pass, baseline.NotApplicable}, r.Status, "%s: %s", r.Key, r.Detail)
		if r.Status == baseline.Pass {
			applicable++
		}
	}
	assert.Equal(t, prodPasses(t), applicable, "every applicable control passes, as in the prod stack")
}

// prodPasses is how many controls the prod stack's plan passes (its golden file).
func prodPasses(t *testing.T) int {
	t.Helper()
	raw, err := os.ReadFile("../../internal/plan/testdata/plan-prod.json")
	require.NoError(t, err)
	var plan struct {
		Summary baseline.Summary `json:"summary"`
	}
	require.NoError(t, json.Unmarshal(raw, &plan))
	require.Positive(t, plan.Summary.Pass)
	return plan.Summary.Pass
}

// Moving the private subnets onto a public route table fails before the database exists. The
// answer names the table itself: looking up the program's "public" table raced its registration.
func TestPublicRoutingIsRefusedBeforeTheDatabase(t *testing.T) {
	m := hardenedpgtest.New()
	const publicTable = "rtb-0public00000000000"
	m.Answer(baseline.InvokeRouteTable, func(args map[string]any) (map[string]any, error) {
		return map[string]any{"id": publicTable, "routes": []any{map[string]any{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-0123456789abcdef0"}}}, nil
	})
	res := hardenedpgtest.Run(program, hardenedpgtest.WithMonitor(m))
	require.Error(t, res.Err)
	assert.Contains(t, res.Err.Error(), "the subnet is public: route table "+publicTable+" sends 0.0.0.0/0 to internet gateway igw-0123456789abcdef0")
	assert.Empty(t, res.ByType(baseline.TypeInstance))
}

// At the first preview nothing of the network exists, yet the flow log of the VPC is proven to
// cover the database: both name the VPC the program makes, and the database's subnets lie in it.
func TestFlowLogsAreProvenAtTheFirstPreview(t *testing.T) {
	res := hardenedpgtest.Run(program, hardenedpgtest.Project("orders"), hardenedpgtest.Stack("prod"), hardenedpgtest.Preview())
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"orders-flow-logs-vpc"}, res.Names(baseline.TypeFlowLog), "subnets given as outputs: the VPC is logged")
	for _, r := range res.Scorecard(nil) {
		if r.Key == "vpc-flow-logs" {
			assert.Equal(t, baseline.Pass, r.Status, r.Detail)
		}
	}
}
