package baseline_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// withReplica is prod with a read replica of its instance, wired as a team would by hand: the
// source's identifier, no master user or password (a replica has its source's), no final
// snapshot (RDS refuses one), and the rest of the primary's settings. mutate changes the
// replica's inputs.
func withReplica(t *testing.T, mutate func(replica *baseline.Resource)) (*baseline.Graph, baseline.Resource) {
	g := prodGraph(t)
	primary := *first(t, g, baseline.TypeInstance, "")
	replica := primary
	replica.Name, replica.URN = "reporting-replica", strings.TrimSuffix(primary.URN, primary.Name)+"reporting-replica"
	replica.Inputs = maps.Clone(primary.Inputs)
	replica.Outputs = map[string]any{}
	for _, k := range []string{"username", "manageMasterUserPassword", "masterUserSecretKmsKeyId", "finalSnapshotIdentifier", "kmsKeyId", "storageEncrypted", "identifier"} {
		delete(replica.Inputs, k)
	}
	replica.Inputs["replicateSourceDb"] = primary.Inputs["identifier"]
	replica.Inputs["skipFinalSnapshot"] = true
	if mutate != nil {
		mutate(&replica)
	}
	g.Resources = append(g.Resources, replica)
	return g, primary
}

func rows(results []baseline.Result) map[string]baseline.Result {
	out := map[string]baseline.Result{}
	for _, r := range results {
		out[r.Key] = r
	}
	return out
}

// A replica is judged by replica rules: what it takes from its source is not asked of it, and
// the row says so; what RDS refuses is named.
func TestAReplicaIsJudgedByReplicaRules(t *testing.T) {
	g, primary := withReplica(t, nil)
	got := rows(baseline.Evaluate(g, nil))
	for _, key := range []string{"rds-custom-admin", "backup-plan", "backup-independent-copy"} {
		assert.Equal(t, baseline.Pass, got[key].Status, "%s: %s", key, got[key].Detail)
		assert.Contains(t, got[key].Detail, "; read replica reporting-replica not judged: ", key)
	}
	for _, key := range []string{"rds-final-snapshot", "rds-encrypted", "rds-cmk", "rds-not-public", "rds-iam-auth"} {
		assert.Equal(t, baseline.Pass, got[key].Status, "%s: %s", key, got[key].Detail)
	}
	// RDS makes no replica of a source whose master password it manages.
	assert.Equal(t, baseline.Fail, got["rds-managed-password"].Status)
	assert.Equal(t, primary.Name+": read replica reporting-replica names it as its source, and RDS makes no read replica of a source whose master password it manages (RDS User Guide, Secrets Manager integration, Limitations): the replica's create fails",
		got["rds-managed-password"].Detail)
}

// A weak replica fails even when its primary passes, each with its own detail.
func TestAWeakReplicaFailsItsControl(t *testing.T) {
	for _, tc := range []struct {
		name, control, detail string
		mutate                func(r *baseline.Resource)
	}{
		{"public", "rds-not-public", "reporting-replica: publiclyAccessible is true, want false", func(r *baseline.Resource) { r.Inputs["publiclyAccessible"] = true }},
		{"without IAM auth", "rds-iam-auth", "reporting-replica: iamDatabaseAuthenticationEnabled is false, want true", func(r *baseline.Resource) { r.Inputs["iamDatabaseAuthenticationEnabled"] = false }},
		{"unencrypted", "rds-encrypted", "reporting-replica: storageEncrypted is false, want true", func(r *baseline.Resource) { r.Inputs["storageEncrypted"] = false }},
		{"in another region without a key", "rds-encrypted", "reporting-replica: a read replica in another region than its source database-instance-db, without kmsKeyId: RDS encrypts it only with a key of the replica's region",
			func(r *baseline.Resource) { r.Region = "eu-central-1" }},
		{"asking a final snapshot", "rds-final-snapshot", "reporting-replica: a read replica takes no final snapshot, and RDS refuses to delete one that asks for it (DeleteDBInstance): set skipFinalSnapshot true and no finalSnapshotIdentifier; the source's final snapshot keeps the data",
			func(r *baseline.Resource) { r.Inputs["skipFinalSnapshot"] = false }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, _ := withReplica(t, tc.mutate)
			row := rows(baseline.Evaluate(g, nil))[tc.control]
			assert.Equal(t, baseline.Fail, row.Status, row.Detail)
			assert.Equal(t, tc.detail, row.Detail)
		})
	}
}

// A replica in another region under a key of the primary's region: RDS encrypts only with a key
// of the database's own region.
func TestAReplicaUnderAKeyOfAnotherRegionFails(t *testing.T) {
	g, primary := withReplica(t, func(r *baseline.Resource) { r.Region = "eu-central-1" })
	for i := range g.Resources {
		if g.Resources[i].Name == "reporting-replica" {
			g.Resources[i].Inputs["kmsKeyId"] = primary.Inputs["kmsKeyId"]
		}
	}
	key, ok := g.Resources[0], false
	for _, r := range g.Resources {
		if r.Type == baseline.TypeKey && r.Outputs["arn"] == primary.Inputs["kmsKeyId"] {
			key, ok = r, true
		}
	}
	require.True(t, ok, "the primary's key is a key of the stack")
	row := rows(baseline.Evaluate(g, nil))["rds-cmk"]
	assert.Equal(t, baseline.Fail, row.Status)
	assert.Equal(t, "reporting-replica: its key "+key.Name+" is in eu-west-1, the database in eu-central-1: RDS encrypts only with a key of the database's own region", row.Detail)
}

// A stack of replicas alone (their source in another stack): what a replica takes from its
// source does not apply, and what it inherits unseen is unproven.
func TestAStackOfReplicasAlone(t *testing.T) {
	g, primary := withReplica(t, func(r *baseline.Resource) {
		r.Inputs["replicateSourceDb"] = "arn:aws:rds:eu-west-1:210987654321:db:orders-prod"
	})
	g.Resources = slicesDeleteURN(g.Resources, primary.URN)
	got := rows(baseline.Evaluate(g, nil))
	assert.Equal(t, baseline.NotApplicable, got["rds-custom-admin"].Status)
	assert.Equal(t, "read replica reporting-replica not judged: a read replica has its source's master user and password (CreateDBInstanceReadReplica takes neither)", got["rds-custom-admin"].Detail)
	assert.Equal(t, baseline.NotApplicable, got["backup-plan"].Status)
	assert.Equal(t, baseline.NotApplicable, got["rds-managed-password"].Status, got["rds-managed-password"].Detail)
	assert.Equal(t, baseline.Unproven, got["rds-encrypted"].Status)
	assert.Equal(t, "reporting-replica: a read replica of \"arn:aws:rds:eu-west-1:210987654321:db:orders-prod\", which is not in the stack: it has its source's encryption, judged where the source is", got["rds-encrypted"].Detail)
}

func slicesDeleteURN(rs []baseline.Resource, urn string) []baseline.Resource {
	var out []baseline.Resource
	for _, r := range rs {
		if r.URN != urn {
			out = append(out, r)
		}
	}
	return out
}

// An instance without an identifier, as a hand-made replica often is: RDS names it, and its log
// groups, at apply, so the stack can make none of them.
func TestExportsOfAnUnnamedInstanceCannotBeShipped(t *testing.T) {
	g, _ := withReplica(t, nil)
	row := rows(baseline.Evaluate(g, nil))["logs-shipped"]
	assert.Equal(t, baseline.Fail, row.Status)
	assert.Equal(t, "reporting-replica: identifier is unset, so RDS names the database and the log groups it exports to at apply: the stack can make none of them (RDS would create them unencrypted, kept forever); set identifier", row.Detail)
}

// The source of read replicas cannot keep RDS's managed password: its own, generated, kept under a
// stack key and rotated at once and every 30 days or sooner, passes rds-managed-password, at a
// first preview too; each weakness of it fails with its detail.
func TestAStackOwnedMasterSecretMustRotate(t *testing.T) {
	const source = "database-instance-db"
	for _, v := range []variant{reportingVariant, reportingVariant + previewed} {
		row := rows(baseline.Evaluate(recordedGraph(t, v), nil))["rds-managed-password"]
		assert.Equal(t, baseline.Pass, row.Status, row.Detail)
		assert.Contains(t, row.Detail, source+": a source of read replicas, so its master password is the stack's own (secret database-instance-master-secret-secret under a stack key), rotated at once and every 30 days")
	}
	for _, tc := range []struct {
		name, detail string
		mutate       func(t *testing.T, g *baseline.Graph)
	}{
		{"without rotation", source + ": master secret database-instance-master-secret-secret has no rotation: the password the stack generated, which Pulumi's state holds, stays valid; rotate it at once and every 30 days or sooner (aws:secretsmanager/secretRotation)",
			func(t *testing.T, g *baseline.Graph) { drop(g, baseline.TypeSecretRotation, "") }},
		{"rotated every 90 days", source + ": database-instance-master-secret-rotation: rotationRules.automaticallyAfterDays is 90, want 1 to 30",
			func(t *testing.T, g *baseline.Graph) {
				first(t, g, baseline.TypeSecretRotation, "").Inputs["rotationRules"] = map[string]any{"automaticallyAfterDays": 90.0}
			}},
		{"not rotated at once", source + ": database-instance-master-secret-rotation waits for its schedule: the password in Pulumi's state stays valid until then; rotate immediately",
			func(t *testing.T, g *baseline.Graph) {
				first(t, g, baseline.TypeSecretRotation, "").Inputs["rotateImmediately"] = false
			}},
		{"under the AWS-managed key", source + ": master secret database-instance-master-secret-secret: kmsKeyId is unset, want a customer-managed key of the stack",
			func(t *testing.T, g *baseline.Graph) {
				delete(first(t, g, baseline.TypeSecret, "master-secret-secret").Inputs, "kmsKeyId")
			}},
		{"a password written in code", source + ": its password input is not generated in the stack (random.RandomPassword): a password written in code or config is known to whoever reads them",
			func(t *testing.T, g *baseline.Graph) {
				inst := first(t, g, baseline.TypeInstance, source)
				inst.Inputs["password"], inst.PropertyDependencies["password"] = "hunter2hunter2", nil
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := recordedGraph(t, reportingVariant)
			tc.mutate(t, g)
			row := rows(baseline.Evaluate(g, nil))["rds-managed-password"]
			assert.Equal(t, baseline.Fail, row.Status)
			assert.Equal(t, tc.detail, row.Detail)
		})
	}
}
