package baseline_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// unprovenAtPreview are the breakers whose weakness is in a value a first preview does not know:
// the control cannot fail before apply, and must not pass.
var unprovenAtPreview = map[string]string{
	"sns-topic-policy": "the breaker admits another account, and the owner's account is in the topic's ARN, which AWS assigns at apply",
	"firehose-cmk":     "the stream's encryption settings name the archive key's ARN, which AWS assigns at apply",
}

// TestEveryControlBitesAtTheFirstPreview breaks every control in a first preview's graph, where
// what AWS assigns is unknown: a weakness in a value known at preview fails there, as after apply.
func TestEveryControlBitesAtTheFirstPreview(t *testing.T) {
	for _, c := range baseline.Catalog {
		t.Run(c.Key, func(t *testing.T) {
			b := breakers[c.Key]
			v := prodVariant
			switch {
			case b.archive:
				v = archiveVariant
			case b.aurora:
				v = auroraVariant
			}
			g := previewGraph(t, v)
			b.mutate(t, g)
			results := baseline.Evaluate(g, nil)
			byKey := map[string]baseline.Result{}
			for _, r := range results {
				byKey[r.Key] = r
			}
			if reason, ok := unprovenAtPreview[c.Key]; ok {
				assert.Equal(t, baseline.Unproven, byKey[c.Key].Status, reason)
				return
			}
			require.Equal(t, baseline.Fail, byKey[c.Key].Status, byKey[c.Key].Detail)
			// The controls the same weakness also breaks fail, or wait for what they read besides.
			for _, k := range b.also {
				assert.Contains(t, []baseline.Status{baseline.Fail, baseline.Unproven}, byKey[k].Status, k)
			}
			for _, r := range results {
				if r.Status == baseline.Fail {
					assert.Contains(t, append([]string{c.Key}, b.also...), r.Key, "%s fails too: %s", r.Key, r.Detail)
				}
			}
		})
	}
}

// TestChecksReadOnlyWhatTheyNote proves the read tracking complete: every input and output a
// check did not note as read is replaced, and its verdict does not change. A check that read a
// value without noting it would change here, and an unknown value it read would go unnoticed.
func TestChecksReadOnlyWhatTheyNote(t *testing.T) {
	for _, v := range []variant{prodVariant, archiveVariant, auroraVariant, restoreVariant} {
		for _, p := range []variant{0, previewed} {
			for _, c := range baseline.Catalog {
				want := baseline.EvaluateControl(recordedGraph(t, v+p), c, nil)
				g := recordedGraph(t, v+p)
				reads := baseline.ReadsOf(recordedGraph(t, v+p), c)
				for i := range g.Resources {
					r := &g.Resources[i]
					noted := reads[r.URN]
					for _, m := range []map[string]any{r.Inputs, r.Outputs} {
						for k := range m {
							if !slices.Contains(noted, k) {
								m[k] = "[not read by " + c.Key + "]"
							}
						}
					}
				}
				got := baseline.EvaluateControl(g, c, nil)
				assert.Equal(t, want, got, "variant %d: %s read a value it did not note", v+p, c.Key)
			}
		}
	}
}

// At a first preview, where a copy lives is its provider's region: a replication key in another
// region passes before any ARN exists; one in the database's own region waits for the accounts.
func TestACopyIsJudgedByItsRegionAtPreview(t *testing.T) {
	g := previewGraph(t, prodVariant)
	inst := first(t, g, baseline.TypeInstance, "")
	require.Equal(t, "eu-west-1", inst.Region)
	key := first(t, g, baseline.TypeKey, "backup-replication-key-key")
	require.Equal(t, "eu-central-1", key.Region, "the key is made in the replication's region")
	status, detail := statusOf(baseline.Evaluate(g, nil), "backup-independent-copy")
	assert.Equal(t, baseline.Pass, status, detail)

	g = previewGraph(t, prodVariant)
	first(t, g, baseline.TypeKey, "backup-replication-key-key").Region = "eu-west-1"
	status, detail = statusOf(baseline.Evaluate(g, nil), "backup-independent-copy")
	assert.Equal(t, baseline.Unproven, status, "the same region: the accounts, in ARNs AWS assigns, decide")
	assert.Equal(t, "unknown until apply: database-backup-replication-key-key.arn, database-instance-db.arn", detail)
}

// A subscription filter names its log group by the group's name; where that name is unknown at a
// preview (a group the provider names), the filter is followed to the group the engine says it
// comes from, and to no other.
func TestAFilterIsFollowedToItsGroupAtPreview(t *testing.T) {
	linkFilter := func(g *baseline.Graph, to *baseline.Resource) {
		filter := first(t, g, baseline.TypeSubscriptionFilter, "postgresql-subscription")
		filter.Inputs["logGroup"] = baseline.Unknown
		filter.PropertyDependencies = map[string][]string{"logGroup": {to.URN}}
	}
	g := previewGraph(t, prodVariant)
	linkFilter(g, first(t, g, baseline.TypeLogGroup, "postgresql-logs"))
	status, detail := statusOf(baseline.Evaluate(g, nil), "logs-shipped")
	assert.Equal(t, baseline.Pass, status, detail)

	g = previewGraph(t, prodVariant)
	linkFilter(g, first(t, g, baseline.TypeLogGroup, "upgrade-logs"))
	status, detail = statusOf(baseline.Evaluate(g, nil), "logs-shipped")
	assert.Equal(t, baseline.Fail, status)
	assert.Equal(t, "/aws/rds/instance/orders-prod/postgresql: no subscription filter streams it to an audit destination", detail)
}
