package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
)

// The program runs against the mock of AWS, and the control catalog scores what it made.
func TestQuickstart(t *testing.T) {
	res := hardenedpgtest.Run(program, hardenedpgtest.Stack("prod"),
		hardenedpgtest.Config(map[string]string{"aws:region": "eu-west-1"}))
	require.NoError(t, res.Err)
	scorecard := res.Scorecard(nil)
	assert.Empty(t, hardenedpgtest.Failing(scorecard), "no control fails")
	assert.Equal(t, baseline.Summary{Pass: 57, NotApplicable: 18}, baseline.Summarize(scorecard))

	instance, _ := res.Named(baseline.TypeInstance, "orders-instance-db")
	assert.Equal(t, true, instance.Inputs["multiAz"])
	grant, err := res.Policy(baseline.TypeRolePolicy, "orders-app-connect", "policy")
	require.NoError(t, err)
	assert.Equal(t, []string{"rds-db:connect"}, grant[0].Action, "orders-app may sign in as orders_app, and do nothing else")
}
