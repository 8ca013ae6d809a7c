package baseline_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// instanceOf is the graph's one RDS instance, to mutate.
func instanceOf(t *testing.T, g *baseline.Graph) *baseline.Resource {
	t.Helper()
	for i := range g.Resources {
		if g.Resources[i].Type == baseline.TypeInstance {
			return &g.Resources[i]
		}
	}
	t.Fatal("no instance")
	return nil
}

// A restored RDS instance is judged on what it is restored from, since the restore takes no
// key: its own kmsKeyId and storageEncrypted are only a claim.
func TestRestoredInstanceIsJudgedOnItsSource(t *testing.T) {
	for _, tc := range []struct {
		name    string
		mutate  func(g *baseline.Graph, inst *baseline.Resource)
		control string
		status  baseline.Status
		detail  string
	}{
		{"the restore stack passes", func(*baseline.Graph, *baseline.Resource) {}, "rds-cmk", baseline.Pass, "kmsKeyId is a key of the stack with rotation on"},
		{"a snapshot that is not a copy of the stack: key", func(_ *baseline.Graph, inst *baseline.Resource) {
			inst.Inputs["snapshotIdentifier"] = "orders-prod-2026-12-01"
		}, "rds-cmk", baseline.Fail, "database-instance-db: restored from snapshot orders-prod-2026-12-01, whose key RDS keeps (the restore takes none): restore from a copy under a key of the stack"},
		{"a snapshot that is not a copy of the stack: encryption", func(_ *baseline.Graph, inst *baseline.Resource) {
			inst.Inputs["snapshotIdentifier"] = "orders-prod-2026-12-01"
		}, "rds-encrypted", baseline.Fail, "database-instance-db: restored from snapshot orders-prod-2026-12-01, not from a copy under a key of the stack: RDS keeps the snapshot's encryption, none if it has none"},
		{"a copy without a key", func(g *baseline.Graph, _ *baseline.Resource) {
			for i := range g.Resources {
				if g.Resources[i].Type == baseline.TypeSnapshotCopy {
					delete(g.Resources[i].Inputs, "kmsKeyId")
				}
			}
		}, "rds-cmk", baseline.Fail, "database-instance-db: restored from snapshot arn:aws:rds:eu-west-1:123456789012:snapshot:orders-restore-restore-source, whose key RDS keeps (the restore takes none): restore from a copy under a key of the stack"},
		{"a point in time of an instance the stack does not show", func(_ *baseline.Graph, inst *baseline.Resource) {
			delete(inst.Inputs, "snapshotIdentifier")
			inst.Inputs["restoreToPointInTime"] = map[string]any{"sourceDbInstanceIdentifier": "orders-prod", "useLatestRestorableTime": true}
		}, "rds-encrypted", baseline.Unproven, "database-instance-db: restored to a point in time of orders-prod: RDS keeps its encryption, which the stack does not show"},
		{"a point in time of an unencrypted instance beside it", func(g *baseline.Graph, inst *baseline.Resource) {
			delete(inst.Inputs, "snapshotIdentifier")
			inst.Inputs["restoreToPointInTime"] = map[string]any{"sourceDbInstanceIdentifier": "orders-legacy", "useLatestRestorableTime": true}
			g.Resources = append(g.Resources, baseline.Resource{Type: baseline.TypeInstance, Name: "legacy", URN: "urn:pulumi:prod::hardenedpg::aws:rds/instance:Instance::legacy", Custom: true,
				Inputs: map[string]any{"identifier": "orders-legacy", "storageEncrypted": false}})
		}, "rds-encrypted", baseline.Fail, "database-instance-db: restored from a point in time of orders-legacy, which is not encrypted (legacy): RDS keeps that; restore from a snapshot copied under a key of the stack; legacy: storageEncrypted is false, want true"},
		{"a key claimed that RDS does not keep", func(g *baseline.Graph, inst *baseline.Resource) {
			delete(inst.Inputs, "snapshotIdentifier")
			inst.Inputs["restoreToPointInTime"] = map[string]any{"sourceDbInstanceIdentifier": "orders-prod", "useLatestRestorableTime": true}
			g.Invokes = append(g.Invokes, baseline.Invoke{Token: baseline.InvokeDBInstance, Args: map[string]any{"dbInstanceIdentifier": "orders-prod"},
				Result: map[string]any{"storageEncrypted": true, "kmsKeyId": "arn:aws:kms:eu-west-1:123456789012:key/prod"}})
		}, "rds-cmk", baseline.Fail, `database-instance-db: kmsKeyId says "arn:aws:kms:eu-west-1:123456789012:key/d57dbeb4-0daa-30aa-e7d6-34f0be842dec", but RDS keeps the key of a point in time of orders-prod (its look-up): "arn:aws:kms:eu-west-1:123456789012:key/prod"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := recordedGraph(t, restoreVariant)
			tc.mutate(g, instanceOf(t, g))
			status, detail := statusOf(baseline.Evaluate(g, nil), tc.control)
			assert.Equal(t, tc.status, status, detail)
			assert.Equal(t, tc.detail, detail)
		})
	}
}

// The engine's support status: six months before standard support ends, rds-supported-engine
// warns (not a pass, not a failure); PostgreSQL 14's ends on 2027-02-28.
func TestSupportEndingSoonIsAWarning(t *testing.T) {
	for _, tc := range []struct {
		major, today string
		status       baseline.Status
		detail       string
	}{
		{"14", "2026-08-27", baseline.Pass, "an instance runs postgres, a cluster aurora-postgresql (or postgres: a Multi-AZ DB cluster), on a supported major version more than 6 months from the end of its standard support, no minor pinned"},
		{"14", "2026-12-03", baseline.Warn, "database-instance-db: standard support of PostgreSQL 14 ends on 2027-02-28 (87 days from 2026-12-03); upgrade to 15 or 16 or 17 before RDS Extended Support charges begin"},
		{"15", "2027-09-01", baseline.Warn, "database-instance-db: standard support of PostgreSQL 15 ends on 2028-02-29 (181 days from 2027-09-01); upgrade to 16 or 17 before RDS Extended Support charges begin"},
		{"17", "2026-12-03", baseline.Pass, "an instance runs postgres, a cluster aurora-postgresql (or postgres: a Multi-AZ DB cluster), on a supported major version more than 6 months from the end of its standard support, no minor pinned"},
	} {
		t.Run(tc.major+" on "+tc.today, func(t *testing.T) {
			g := prodGraph(t)
			instanceOf(t, g).Inputs["engineVersion"] = tc.major
			g.Today, _ = time.Parse(time.DateOnly, tc.today)
			results := baseline.Evaluate(g, nil)
			status, detail := statusOf(results, "rds-supported-engine")
			assert.Equal(t, tc.status, status)
			assert.Equal(t, tc.detail, detail)
			if tc.status == baseline.Warn {
				assert.Equal(t, 1, baseline.Summarize(results).Warn)
			}
		})
	}
}
