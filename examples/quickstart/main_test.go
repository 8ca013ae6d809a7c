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
	for _, r := range scorecard {
		assert.NotEqual(t, baseline.Fail, r.Status, "%s: %s", r.Key, r.Detail)
	}
	assert.Equal(t, baseline.Summary{Pass: 57, NotApplicable: 18}, baseline.Summarize(scorecard))

	instance, _ := res.Named(baseline.TypeInstance, "orders-instance-db")
	assert.Equal(t, true, instance.Inputs["multiAz"])
	grant, _ := res.Named(baseline.TypeRolePolicy, "orders-app-connect")
	assert.Equal(t, "orders-app", grant.Inputs["role"])
}
