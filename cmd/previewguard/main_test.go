package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

const (
	urnStack    = "urn:pulumi:prod::hardenedpg::pulumi:pulumi:Stack::hardenedpg-prod"
	urnInstance = "urn:pulumi:prod::hardenedpg::hardenedpg:index:Database$hardenedpg:index:Instance$aws:rds/instance:Instance::database-instance-db"
	urnParams   = "urn:pulumi:prod::hardenedpg::hardenedpg:index:Database$hardenedpg:index:ParameterGroup$aws:rds/parameterGroup:ParameterGroup::database-parameter-group-params"
	urnCluster  = "urn:pulumi:prod::hardenedpg::hardenedpg:index:Database$hardenedpg:index:Cluster$aws:rds/cluster:Cluster::database-cluster-cluster"
	urnLogsKey  = "urn:pulumi:prod::hardenedpg::hardenedpg:index:Database$hardenedpg:index:EncryptionKey$aws:kms/key:Key::database-logs-key-key"
)

func TestRefusesDestroyingData(t *testing.T) {
	doc := `{"steps": [
	  {"op": "same", "urn": "` + urnStack + `"},
	  {"op": "update", "urn": "` + urnParams + `"},
	  {"op": "replace", "urn": "` + urnInstance + `"},
	  {"op": "delete", "urn": "` + urnLogsKey + `"},
	  {"op": "create-replacement", "urn": "` + urnParams + `"},
	  {"op": "delete", "urn": "urn:pulumi:prod::hardenedpg::aws:cloudwatch/logGroup:LogGroup::top-level-logs"}
	], "changeSummary": {"same": 50, "update": 1, "replace": 1, "delete": 2}}`
	_, findings, err := check([]byte(doc))
	require.NoError(t, err)
	assert.Equal(t, []string{
		"replace " + urnInstance + " (aws:rds/instance:Instance)",
		"delete " + urnLogsKey + " (aws:kms/key:Key)",
		"delete urn:pulumi:prod::hardenedpg::aws:cloudwatch/logGroup:LogGroup::top-level-logs (aws:cloudwatch/logGroup:LogGroup)",
	}, findings, "a parameter group replacement is fine: it is create-before-delete and holds no data")
}

// Every data- or evidence-bearing type the library creates is guarded, for every destructive op.
func TestGuardsEveryDataAndEvidenceType(t *testing.T) {
	for _, typ := range []string{
		baseline.TypeCluster,
		baseline.TypeBucketObjectLock,
		baseline.TypeBucketPolicy,
		baseline.TypeBucketPublicAccess,
		baseline.TypeBackupVaultLock,
		baseline.TypeSubscriptionFilter,
		baseline.TypeBackupReplication,
	} {
		for _, op := range []string{"delete", "replace", "import-replacement", "discard"} {
			urn := "urn:pulumi:prod::hardenedpg::hardenedpg:index:Database$" + typ + "::x"
			summary := `{"` + op + `": 1}`
			_, findings, err := check([]byte(`{"steps": [{"op": "` + op + `", "urn": "` + urn + `"}], "changeSummary": ` + summary + `}`))
			require.NoError(t, err)
			assert.Equal(t, []string{op + " " + urn + " (" + typ + ")"}, findings)
		}
	}
}

func TestFailsClosed(t *testing.T) {
	for name, tc := range map[string]struct {
		doc      string
		err      string
		findings []string
	}{
		"clean":    {doc: `{"steps": [{"op": "same", "urn": "` + urnStack + `"}], "changeSummary": {"same": 60}}`},
		"not json": {doc: `not json`, err: "reading pulumi preview --json: invalid character 'o' in literal null (expecting 'u')"},
		"two documents": {
			doc: `{"steps": [], "changeSummary": {}} {"steps": [{"op": "delete", "urn": "` + urnInstance + `"}], "changeSummary": {"delete": 1}}`,
			err: "reading pulumi preview --json: want exactly one JSON document, found more after the first",
		},
		"null":          {doc: `null`, err: "reading pulumi preview --json: the document is null, not a preview"},
		"null steps":    {doc: `{"steps": null, "changeSummary": {}}`, err: `reading pulumi preview --json: no "steps" list (a preview always lists at least the stack itself)`},
		"missing steps": {doc: `{"changeSummary": {"delete": 1}}`, err: `reading pulumi preview --json: no "steps" list (a preview always lists at least the stack itself)`},
		"missing summary": {
			doc: `{"steps": [{"op": "same", "urn": "` + urnStack + `"}]}`,
			err: `reading pulumi preview --json: no "changeSummary" to check the steps against (a preview that finished has one)`,
		},
		"unparseable urn": {
			doc:      `{"steps": [{"op": "delete", "urn": "database-instance-db"}], "changeSummary": {"delete": 1}}`,
			findings: []string{`delete step 0 has no readable URN ("database-instance-db"): its resource cannot be known`},
		},
		"an op the guard does not know": {
			doc: `{"steps": [{"op": "obliterate", "urn": "` + urnInstance + `"}], "changeSummary": {}}`,
			findings: []string{`step 0 has the op "obliterate", which previewguard does not know (it knows same, create, update, delete, replace, create-replacement, delete-replaced, read, read-replacement, refresh, discard, discard-replaced, remove-pending-replace, import, import-replacement): what it does to ` +
				urnInstance + ` cannot be judged`},
		},
		"missing urn": {
			doc:      `{"steps": [{"op": "replace"}], "changeSummary": {"replace": 1}}`,
			findings: []string{`replace step 0 has no readable URN (""): its resource cannot be known`},
		},
		"summary counts a delete the steps hide": {
			doc:      `{"steps": [{"op": "same", "urn": "` + urnStack + `"}], "changeSummary": {"same": 59, "delete": 1}}`,
			findings: []string{"changeSummary says 1 delete, the steps show 0: the steps are incomplete"},
		},
		"steps show a replace the summary does not": {
			doc:      `{"steps": [{"op": "replace", "urn": "` + urnParams + `"}], "changeSummary": {"same": 59}}`,
			findings: []string{"the steps show 1 replace, changeSummary none"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			_, findings, err := check([]byte(tc.doc))
			if tc.err != "" {
				assert.EqualError(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.findings, findings)
		})
	}
}

// One preview feeds the guard and the reviewers: the exit code, the log and the Markdown summary
// that the workflows post agree.
func TestSummaryForReviewers(t *testing.T) {
	doc := `{"steps": [
	  {"op": "same", "urn": "` + urnStack + `"},
	  {"op": "update", "urn": "` + urnParams + `", "diffReasons": ["parameters"]},
	  {"op": "replace", "urn": "` + urnInstance + `", "diffReasons": ["engineVersion", "identifier"]}
	], "changeSummary": {"same": 60, "update": 1, "replace": 1}}`
	summary := filepath.Join(t.TempDir(), "summary.md")
	var stdout, stderr bytes.Buffer
	code := run(strings.NewReader(doc), &stdout, &stderr, summary)
	assert.Equal(t, 1, code)
	assert.Equal(t, "replace "+urnInstance+" (aws:rds/instance:Instance)\n"+verdictRefused+"\n", stdout.String())
	got, err := os.ReadFile(summary)
	require.NoError(t, err)
	assert.Equal(t, "❌ "+verdictRefused+"\n"+
		"- `replace "+urnInstance+" (aws:rds/instance:Instance)`\n"+
		"\n**Changes:** 1 replace, 60 same, 1 update\n"+
		"\n| op | type | name | changed |\n|---|---|---|---|\n"+
		"| update | `aws:rds/parameterGroup:ParameterGroup` | `database-parameter-group-params` | parameters |\n"+
		"| replace | `aws:rds/instance:Instance` | `database-instance-db` | engineVersion, identifier |\n", string(got))

	stdout.Reset()
	code = run(strings.NewReader(`{"steps": [{"op": "same", "urn": "`+urnStack+`"}], "changeSummary": {"same": 1}}`), &stdout, &stderr, summary)
	assert.Equal(t, 0, code)
	got, err = os.ReadFile(summary)
	require.NoError(t, err)
	assert.Equal(t, "✅ "+verdictPassed+"\n\n**Changes:** 1 same\n", string(got))

	stdout.Reset()
	code = run(strings.NewReader(`null`), &stdout, &stderr, summary)
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout.String())
	got, err = os.ReadFile(summary)
	require.NoError(t, err)
	assert.Equal(t, "❌ previewguard: reading pulumi preview --json: the document is null, not a preview\n", string(got))
}

// A day-two change is said in a sentence: the PR comment tells an upgrade from a tag change.
func TestSaysWhatADayTwoChangeDoes(t *testing.T) {
	upgrade := func(from, to string, allow, now bool) string {
		return `{"op": "update", "urn": "` + urnInstance + `", "diffReasons": ["allowMajorVersionUpgrade", "engineVersion", "parameterGroupName"],
		  "oldState": {"inputs": {"engineVersion": "` + from + `", "allowMajorVersionUpgrade": false}},
		  "newState": {"inputs": {"engineVersion": "` + to + `", "allowMajorVersionUpgrade": ` + map[bool]string{true: "true", false: "false"}[allow] + `, "applyImmediately": ` + map[bool]string{true: "true", false: "false"}[now] + `}}}`
	}
	clusterUpgrade := func(engine, from, to string) string {
		return `{"op": "update", "urn": "` + urnCluster + `", "diffReasons": ["allowMajorVersionUpgrade", "engineVersion"],
		  "oldState": {"inputs": {"engine": "` + engine + `", "engineVersion": "` + from + `", "allowMajorVersionUpgrade": false}},
		  "newState": {"inputs": {"engine": "` + engine + `", "engineVersion": "` + to + `", "allowMajorVersionUpgrade": true, "applyImmediately": true}}}`
	}
	family := `{"op": "create-replacement", "urn": "` + urnParams + `", "diffReasons": ["family"],
	  "oldState": {"inputs": {"family": "postgres15"}}, "newState": {"inputs": {"family": "postgres17"}}},
	  {"op": "replace", "urn": "` + urnParams + `", "diffReasons": ["family"],
	  "oldState": {"inputs": {"family": "postgres15"}}, "newState": {"inputs": {"family": "postgres17"}}},
	  {"op": "delete-replaced", "urn": "` + urnParams + `", "diffReasons": ["family"],
	  "oldState": {"inputs": {"family": "postgres15"}}, "newState": {"inputs": {"family": "postgres17"}}}`
	restored := `{"op": "create", "urn": "` + urnInstance + `", "newState": {"inputs": {"snapshotIdentifier": "arn:aws:rds:eu-west-1:111122223333:snapshot:orders-restore-source"}}}`
	restoreInto := `{"op": "replace", "urn": "` + urnInstance + `", "diffReasons": ["restoreToPointInTime"], "newState": {"inputs": {"restoreToPointInTime": {"useLatestRestorableTime": true}}}}`
	for _, tc := range []struct {
		name, steps, summary string
		dayTwo, findings     []string
	}{
		{"15 to 17 at once", upgrade("15", "17", true, true) + ", " + family, `{"update": 1, "replace": 1}`,
			[]string{
				"database-instance-db: upgrades PostgreSQL 15 → 17 in place, at once (applyImmediately): the database is down while pg_upgrade runs, RDS snapshots it before and after, and the instance is not replaced",
				"database-parameter-group-params: parameter group family postgres15 → postgres17: the new group is created before the old one is deleted",
			}, nil},
		{"15 to 17 in the window", upgrade("15", "17", true, false) + ", " + family, `{"update": 1, "replace": 1}`,
			[]string{"database-parameter-group-params: parameter group family postgres15 → postgres17: the new group is created before the old one is deleted"},
			[]string{"database-instance-db: upgrades PostgreSQL 15 → 17 in the next maintenance window, but this up also deletes the old parameter group, which RDS refuses while the database is still its member: apply it at once (applyImmediately: true)"}},
		{"at once", upgrade("16", "17", true, true), `{"update": 1}`,
			[]string{"database-instance-db: upgrades PostgreSQL 16 → 17 in place, at once (applyImmediately): the database is down while pg_upgrade runs, RDS snapshots it before and after, and the instance is not replaced"}, nil},
		{"downgrade", upgrade("17", "15", true, false), `{"update": 1}`, nil,
			[]string{"database-instance-db: downgrades PostgreSQL 17 → 15, which RDS refuses; restore a snapshot taken on 15 into a new stack instead"}},
		{"a path AWS does not offer", upgrade("15", "18", true, true), `{"update": 1}`, nil,
			[]string{"database-instance-db: upgrades PostgreSQL 15 → 18, a path AWS does not offer in place (from 15: 16, 17); upgrade through a major it offers"}},
		{"an Aurora cluster to a major Aurora lacks", clusterUpgrade("aurora-postgresql", "17", "18"), `{"update": 1}`, nil,
			[]string{"database-cluster-cluster: upgrades PostgreSQL 17 → 18, a path AWS does not offer in place (from 17: none); upgrade through a major it offers"}},
		{"an Aurora cluster at once", clusterUpgrade("aurora-postgresql", "16", "17"), `{"update": 1}`,
			[]string{"database-cluster-cluster: upgrades PostgreSQL 16 → 17 in place, at once (applyImmediately): the cluster is down while it upgrades, its continuous backups keep their restore points, and it is not replaced"}, nil},
		// A Multi-AZ DB cluster runs RDS for PostgreSQL, whose 17 goes to 18.
		{"a Multi-AZ DB cluster at once", clusterUpgrade("postgres", "17", "18"), `{"update": 1}`,
			[]string{"database-cluster-cluster: upgrades PostgreSQL 17 → 18 in place, at once (applyImmediately): the Multi-AZ DB cluster is down while it upgrades, and it is not replaced"}, nil},
		{"upgrade not allowed", upgrade("15", "17", false, false), `{"update": 1}`, nil,
			[]string{`database-instance-db: upgrades PostgreSQL 15 → 17 without allowMajorVersionUpgrade, which RDS refuses; set upgradeFromMajorVersion: "15"`}},
		{"restored beside", restored, `{"create": 1}`,
			[]string{"database-instance-db: a new database restored from snapshot arn:aws:rds:eu-west-1:111122223333:snapshot:orders-restore-source, beside what exists"}, nil},
		{"restored into the existing database", restoreInto, `{"replace": 1}`, nil,
			[]string{
				"replace " + urnInstance + " (aws:rds/instance:Instance)",
				"database-instance-db: restoring to a point in time into the existing database replaces it and loses what it holds; restore into a new stack beside it",
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, findings, err := check([]byte(`{"steps": [` + tc.steps + `], "changeSummary": ` + tc.summary + `}`))
			require.NoError(t, err)
			assert.Equal(t, tc.findings, findings)
			var want []string
			for _, f := range tc.findings {
				if !strings.HasPrefix(f, "replace ") {
					want = append(want, f)
				}
			}
			// Every sentence, refused or not, in step order: compared as a set.
			assert.ElementsMatch(t, append(tc.dayTwo, want...), p.dayTwo)
		})
	}
}

func TestTheSummarySaysTheDayTwoChanges(t *testing.T) {
	summary := filepath.Join(t.TempDir(), "summary.md")
	doc := `{"steps": [{"op": "update", "urn": "` + urnInstance + `", "diffReasons": ["engineVersion"],
	  "oldState": {"inputs": {"engineVersion": "15"}}, "newState": {"inputs": {"engineVersion": "17", "allowMajorVersionUpgrade": true, "applyImmediately": true}}}], "changeSummary": {"update": 1}}`
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run(strings.NewReader(doc), &out, &errOut, summary))
	md, err := os.ReadFile(summary)
	require.NoError(t, err)
	assert.Contains(t, string(md), "\n**Day two:**\n- database-instance-db: upgrades PostgreSQL 15 → 17 in place, at once (applyImmediately)")
	assert.Contains(t, out.String(), "day two: database-instance-db: upgrades PostgreSQL 15 → 17 in place")
}

// The guard knows every op of the engine it runs with: the SDK's list is the source.
func TestKnowsEveryOpOfTheEngine(t *testing.T) {
	for _, op := range []apitype.OpType{
		apitype.OpSame, apitype.OpCreate, apitype.OpUpdate, apitype.OpDelete, apitype.OpReplace, apitype.OpCreateReplacement,
		apitype.OpDeleteReplaced, apitype.OpRead, apitype.OpReadReplacement, apitype.OpRefresh, apitype.OpReadDiscard,
		apitype.OpDiscardReplaced, apitype.OpRemovePendingReplace, apitype.OpImport, apitype.OpImportReplacement,
	} {
		assert.Contains(t, knownOps, string(op))
	}
	assert.Len(t, knownOps, 15)
}
