package hardenedpg_test

import (
	"errors"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
)

const sharedSnapshot = "arn:aws:rds:eu-west-1:210987654321:snapshot:orders-prod-2026-12-01"

// failing are the controls that do not pass, with their details.
func failing(m *hardenedpgtest.Monitor) map[string]string {
	out := map[string]string{}
	for _, r := range baseline.Evaluate(m.Graph(), nil) {
		if r.Status != baseline.Pass && r.Status != baseline.NotApplicable {
			out[r.Key] = string(r.Status) + ": " + r.Detail
		}
	}
	return out
}

// A snapshot, shared from another account, is copied under the stack's storage key first and the
// instance restored from the copy: RDS's restore takes no key, so this is how it gets the stack's.
func TestRestoreFromASnapshotCopiesItUnderTheStorageKey(t *testing.T) {
	args := databaseArgs()
	args.Instance.Restore.SnapshotIdentifier = sharedSnapshot
	m := mustRun(t, nil, newDatabase(args))
	copied := only(t, m, baseline.TypeSnapshotCopy)
	storageKey := databaseStorageKey(t, m)
	inst := only(t, m, baseline.TypeInstance).Inputs
	assert.Equal(t, map[string]any{
		"sourceDbSnapshotIdentifier": sharedSnapshot,
		"targetDbSnapshotIdentifier": "orders-restore-source",
		"kmsKeyId":                   storageKey,
		"copyTags":                   true,
		"tags":                       map[string]any{"environment": "prod", "owner": "platform", "managed-by": "hardenedpg"},
	}, copied.Inputs)
	assert.Equal(t, inst["tags"], copied.Inputs["tags"], "the copy is tagged as the instance is")
	assert.Equal(t, "arn:aws:rds:eu-west-1:123456789012:snapshot:orders-restore-source", inst["snapshotIdentifier"])
	assert.Equal(t, storageKey, inst["kmsKeyId"])
	assert.Nil(t, inst["restoreToPointInTime"])
	assert.Equal(t, true, inst["manageMasterUserPassword"])
	assert.NotEmpty(t, inst["parameterGroupName"])
	assert.Empty(t, failing(m), "a restored database passes every control a new one does")
}

// An RDS point-in-time restore keeps the source's key (the API takes none): the instance says so,
// and rds-cmk is unproven rather than passed.
func TestRestoreToAPointInTimeKeepsTheSourcesKey(t *testing.T) {
	at := time.Now().UTC().Add(-2 * time.Hour).Truncate(time.Second).Format(time.RFC3339)
	for _, tc := range []struct {
		name    string
		restore hardenedpg.RestoreSettings
		want    map[string]any
	}{
		{"latest", hardenedpg.RestoreSettings{SourceIdentifier: "orders-prod", UseLatestRestorableTime: true},
			map[string]any{"sourceDbInstanceIdentifier": "orders-prod", "useLatestRestorableTime": true}},
		{"09:41 yesterday", hardenedpg.RestoreSettings{SourceIdentifier: "orders-prod", RestoreTime: at},
			map[string]any{"sourceDbInstanceIdentifier": "orders-prod", "restoreTime": at}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := databaseArgs()
			args.Instance.Restore = tc.restore
			m := mustRun(t, nil, newDatabase(args))
			inst := only(t, m, baseline.TypeInstance).Inputs
			assert.Equal(t, tc.want, inst["restoreToPointInTime"])
			assert.Equal(t, "arn:aws:kms:eu-west-1:123456789012:key/source-orders-prod", inst["kmsKeyId"], "the key RDS keeps, not a claim of the stack's")
			assert.Empty(t, m.ByType(baseline.TypeSnapshotCopy))
			assert.Equal(t, map[string]string{
				"rds-cmk": `unproven: db-instance-db: restored to a point in time of orders-prod, it keeps that instance's key "arn:aws:kms:eu-west-1:123456789012:key/source-orders-prod", which is not a key of this stack: its rotation is judged in the stack that manages it`,
			}, failing(m))
		})
	}
}

// Aurora's restores take the storage key: a restored cluster is re-encrypted under it, with no copy.
func TestAuroraRestoresUnderTheStorageKey(t *testing.T) {
	for _, tc := range []struct {
		name    string
		restore hardenedpg.RestoreSettings
	}{
		{"snapshot", hardenedpg.RestoreSettings{SnapshotIdentifier: "orders-before-migration"}},
		{"point in time", hardenedpg.RestoreSettings{SourceIdentifier: "orders-prod", UseLatestRestorableTime: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := auroraArgs()
			args.Instance.Restore = tc.restore
			m := mustRun(t, nil, newDatabase(args))
			cluster := only(t, m, baseline.TypeCluster).Inputs
			assert.Equal(t, databaseStorageKey(t, m), cluster["kmsKeyId"])
			if tc.restore.SnapshotIdentifier != "" {
				assert.Equal(t, "arn:aws:rds:eu-west-1:123456789012:cluster-snapshot:orders-before-migration", cluster["snapshotIdentifier"])
			} else {
				assert.Equal(t, map[string]any{"sourceClusterIdentifier": "orders-prod", "restoreType": "full-copy", "useLatestRestorableTime": true}, cluster["restoreToPointInTime"])
			}
			assert.Empty(t, m.ByType(baseline.TypeSnapshotCopy))
			assert.Empty(t, failing(m))
		})
	}
}

func TestRestoreBadInputs(t *testing.T) {
	answer := func(token string, result map[string]any, err error) func(m *hardenedpgtest.Monitor) {
		return func(m *hardenedpgtest.Monitor) {
			m.Answer(token, func(args map[string]any) (map[string]any, error) { return result, err })
		}
	}
	snapshot := hardenedpg.RestoreSettings{SnapshotIdentifier: "orders-2026-12-01"}
	pitr := hardenedpg.RestoreSettings{SourceIdentifier: "orders-prod", UseLatestRestorableTime: true}
	source := func(changes map[string]any) map[string]any {
		out := map[string]any{"dbInstanceIdentifier": "orders-prod", "engine": "postgres", "engineVersion": "17.6", "storageEncrypted": true,
			"kmsKeyId": "arn:aws:kms:eu-west-1:123456789012:key/k", "backupRetentionPeriod": 35, "masterUsername": "dbadmin"}
		for k, v := range changes {
			out[k] = v
		}
		return out
	}
	for _, tc := range []struct {
		name    string
		aurora  bool
		restore hardenedpg.RestoreSettings
		mock    func(m *hardenedpgtest.Monitor)
		mutate  func(a *hardenedpg.DatabaseArgs)
		want    string
	}{
		{name: "both kinds", restore: hardenedpg.RestoreSettings{SnapshotIdentifier: "orders-2026-12-01", SourceIdentifier: "orders-prod", UseLatestRestorableTime: true},
			want: `Instance.Restore.SnapshotIdentifier = "orders-2026-12-01": give a snapshot or a point in time (Instance.Restore.SourceIdentifier or Instance.Restore.SourceAutomatedBackupsArn), not both`},
		{name: "from itself", restore: hardenedpg.RestoreSettings{SourceIdentifier: "orders", UseLatestRestorableTime: true},
			want: `Instance.Restore.SourceIdentifier = "orders": is this database's own identifier: restore beside the source, under another Identifier (or in a new stack)`},
		{name: "no time", restore: hardenedpg.RestoreSettings{SourceIdentifier: "orders-prod"},
			want: `Instance.Restore.RestoreTime = "": required for a point-in-time restore: an RFC 3339 time in UTC such as 2026-12-02T09:41:00Z, or set Instance.Restore.UseLatestRestorableTime`},
		{name: "time and latest", restore: hardenedpg.RestoreSettings{SourceIdentifier: "orders-prod", RestoreTime: "2026-12-02T09:41:00Z", UseLatestRestorableTime: true},
			want: `Instance.Restore.RestoreTime = "2026-12-02T09:41:00Z": give a time or Instance.Restore.UseLatestRestorableTime, not both`},
		{name: "not UTC", restore: hardenedpg.RestoreSettings{SourceIdentifier: "orders-prod", RestoreTime: "2026-12-02T09:41:00+01:00"},
			want: `Instance.Restore.RestoreTime = "2026-12-02T09:41:00+01:00": want an RFC 3339 time in UTC such as 2026-12-02T09:41:00Z`},
		{name: "time without a source", restore: hardenedpg.RestoreSettings{RestoreTime: "2026-12-02T09:41:00Z"},
			want: `Instance.Restore.RestoreTime = "2026-12-02T09:41:00Z": would be ignored: a point in time needs Instance.Restore.SourceIdentifier or Instance.Restore.SourceAutomatedBackupsArn; remove it`},
		{name: "outside the retention window", restore: hardenedpg.RestoreSettings{SourceIdentifier: "orders-prod", RestoreTime: "2025-01-01T00:00:00Z"},
			want: `Instance.Restore.RestoreTime = "2025-01-01T00:00:00Z": is older than the source's backup retention of 35 days allows`},
		{name: "in the future", restore: hardenedpg.RestoreSettings{SourceIdentifier: "orders-prod", RestoreTime: "2999-01-01T00:00:00Z"},
			want: `Instance.Restore.RestoreTime = "2999-01-01T00:00:00Z": is in the future: backups reach only to the latest restorable time, about five minutes ago`},
		{name: "a snapshot of another engine", restore: snapshot,
			mock: answer(baseline.InvokeSnapshot, map[string]any{"engine": "mysql", "engineVersion": "8.0.39", "dbSnapshotArn": "arn:aws:rds:eu-west-1:123456789012:snapshot:orders-2026-12-01"}, nil),
			want: `Instance.Restore.SnapshotIdentifier = "orders-2026-12-01": the snapshot is of engine mysql; want postgres`},
		{name: "a snapshot of another major", restore: snapshot,
			mock: answer(baseline.InvokeSnapshot, map[string]any{"engine": "postgres", "engineVersion": "15.8", "allocatedStorage": 100, "dbSnapshotArn": "arn:aws:rds:eu-west-1:123456789012:snapshot:orders-2026-12-01"}, nil),
			want: `Instance.Restore.SnapshotIdentifier = "orders-2026-12-01": the snapshot is on PostgreSQL 15.8; set Instance.EngineMajorVersion 15 to restore it (RDS restores on the source's major), then upgrade in a later change with Instance.UpgradeFromMajorVersion`},
		{name: "a snapshot larger than the storage", restore: snapshot,
			mock: answer(baseline.InvokeSnapshot, map[string]any{"engine": "postgres", "engineVersion": "17.6", "allocatedStorage": 400, "dbSnapshotArn": "arn:aws:rds:eu-west-1:123456789012:snapshot:orders-2026-12-01"}, nil),
			want: `Instance.AllocatedStorageGB = 100: want at least 400: the snapshot orders-2026-12-01 holds 400 GB, and RDS restores no smaller`},
		{name: "a snapshot that cannot be read", restore: snapshot,
			mock: answer(baseline.InvokeSnapshot, nil, errors.New("DBSnapshotNotFound")),
			want: `Instance.Restore.SnapshotIdentifier = "orders-2026-12-01": cannot be read in eu-west-1 of account 123456789012 (DBSnapshotNotFound): want a DB snapshot this account can describe, or one shared with it by ARN`},
		{name: "an unencrypted source", restore: pitr, mock: answer(baseline.InvokeDBInstance, source(map[string]any{"storageEncrypted": false}), nil),
			want: `Instance.Restore.SourceIdentifier = "orders-prod": is not encrypted, and a point-in-time restore keeps that (it takes no KMS key): restore from a snapshot of it instead, which is copied under the stack's key`},
		{name: "another master user", restore: pitr, mock: answer(baseline.InvokeDBInstance, source(map[string]any{"masterUsername": "orders_admin"}), nil),
			want: `Instance.AdminUsername = "dbadmin": the source's master user is orders_admin, which a restore keeps: set it to orders_admin`},
		{name: "a source without backups", restore: pitr, mock: answer(baseline.InvokeDBInstance, source(map[string]any{"backupRetentionPeriod": 0}), nil),
			want: `Instance.Restore.SourceIdentifier = "orders-prod": keeps no automated backups (backup retention 0): there is no point in time to restore`},
		{name: "replicated backups of another region", restore: hardenedpg.RestoreSettings{SourceAutomatedBackupsArn: "arn:aws:rds:eu-central-1:123456789012:auto-backup:ab-abc123", UseLatestRestorableTime: true},
			want: `Instance.Restore.SourceAutomatedBackupsArn = "arn:aws:rds:eu-central-1:123456789012:auto-backup:ab-abc123": are in eu-central-1; restore them in that region (the database's provider is in eu-west-1)`},
		{name: "replicated backups on Aurora", aurora: true, restore: hardenedpg.RestoreSettings{SourceAutomatedBackupsArn: "arn:aws:rds:eu-west-1:123456789012:auto-backup:ab-abc123", UseLatestRestorableTime: true},
			want: `Instance.Restore.SourceAutomatedBackupsArn = "arn:aws:rds:eu-west-1:123456789012:auto-backup:ab-abc123": Aurora clusters have no replicated automated backups; restore a cluster snapshot copied to this region with Instance.Restore.SnapshotIdentifier`},
		{name: "an Aurora snapshot of RDS", aurora: true, restore: snapshot,
			mock: answer(baseline.InvokeClusterSnapshot, map[string]any{"engine": "postgres", "engineVersion": "17.6"}, nil),
			want: `Instance.Restore.SnapshotIdentifier = "orders-2026-12-01": the snapshot is of engine postgres; want aurora-postgresql`},
		{name: "a cluster snapshot for RDS", restore: hardenedpg.RestoreSettings{SnapshotIdentifier: "arn:aws:rds:eu-west-1:123456789012:cluster-snapshot:orders"},
			want: `Instance.Restore.SnapshotIdentifier = "arn:aws:rds:eu-west-1:123456789012:cluster-snapshot:orders": want a snapshot identifier or an ARN arn:aws:rds:<region>:<account>:snapshot:<name>`},
		{name: "an unencrypted Aurora source", aurora: true, restore: pitr,
			mock: answer(baseline.InvokeDBCluster, map[string]any{"clusterIdentifier": "orders-prod", "engine": "aurora-postgresql", "engineVersion": "17.5",
				"storageEncrypted": false, "backupRetentionPeriod": 35, "masterUsername": "dbadmin"}, nil),
			want: `Instance.Restore.SourceIdentifier = "orders-prod": is not encrypted, and RDS rejects a point-in-time restore of an unencrypted cluster under a KMS key: restore from a cluster snapshot of it instead, which is encrypted under the stack's key as it is restored`},
		{name: "restore and upgrade at once", restore: snapshot, mutate: func(a *hardenedpg.DatabaseArgs) { a.Instance.UpgradeFromMajorVersion = "16" },
			want: `Instance.UpgradeFromMajorVersion = "16": a restore creates the database on its source's major: upgrade it in a later change`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := databaseArgs()
			if tc.aurora {
				args = auroraArgs()
			}
			args.Instance.Restore = tc.restore
			if tc.mutate != nil {
				tc.mutate(args)
			}
			m := hardenedpgtest.New()
			if tc.mock != nil {
				tc.mock(m)
			}
			_, err := run(t, m, newDatabase(args))
			require.Error(t, err)
			assert.Equal(t, "hardenedpg.NewDatabase \"db\": invalid arguments:\n  "+tc.want, err.Error())
			assert.Empty(t, awsResources(m), "nothing is created")
		})
	}
}

// NewInstance restores on its own too, reading the source through its own look-up, and refuses
// what cannot be restored before it creates anything.
func TestInstanceRestoresOnItsOwn(t *testing.T) {
	m := hardenedpgtest.New()
	m.Answer(baseline.InvokeSnapshot, func(map[string]any) (map[string]any, error) {
		return map[string]any{"engine": "aurora-postgresql", "engineVersion": "17.5"}, nil
	})
	_, err := run(t, m, func(ctx *pulumi.Context) error {
		args := instanceArgs(hardenedpg.InstanceSettings{Identifier: "orders", Restore: hardenedpg.RestoreSettings{SnapshotIdentifier: "orders-2026-12-01"}})
		_, err := hardenedpg.NewInstance(ctx, "db", args)
		return err
	})
	assert.EqualError(t, err, `hardenedpg.NewInstance "db": invalid arguments:
  Restore.SnapshotIdentifier = "orders-2026-12-01": the snapshot is of engine aurora-postgresql; want postgres`)
	assert.Empty(t, awsResources(m))
}

func databaseStorageKey(t *testing.T, m *hardenedpgtest.Monitor) any {
	t.Helper()
	key, ok := m.Named(typeKey, "db-storage-key-key")
	require.True(t, ok)
	return key.Outputs["arn"]
}
