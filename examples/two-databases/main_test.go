package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
)

// Names AWS wants unique in an account and region do not collide, and both pass every control.
func TestTwoDatabasesInOneStack(t *testing.T) {
	res := hardenedpgtest.Run(program, hardenedpgtest.Stack("prod"))
	require.NoError(t, res.Err)
	require.Len(t, res.ByType(baseline.TypeInstance), 2)
	unique := map[string]string{
		baseline.TypeInstance: "identifier", baseline.TypeLogGroup: "name", baseline.TypeKeyAlias: "name",
		baseline.TypeBackupVault: "name", baseline.TypeTopic: "arn",
	}
	for typ, key := range unique {
		seen := map[any]string{}
		for _, r := range res.ByType(typ) {
			v := r.Outputs[key]
			require.NotNil(t, v, "%s %s has no %s", typ, r.Name, key)
			assert.Empty(t, seen[v], "%s %s and %s share %s %v", typ, r.Name, seen[v], key, v)
			seen[v] = r.Name
		}
	}
	snapshots := map[any]bool{}
	for _, r := range res.ByType(baseline.TypeInstance) {
		assert.False(t, snapshots[r.Inputs["finalSnapshotIdentifier"]], "final snapshot names collide")
		snapshots[r.Inputs["finalSnapshotIdentifier"]] = true
	}
	assert.Empty(t, hardenedpgtest.Failing(res.Scorecard(nil)))
}
