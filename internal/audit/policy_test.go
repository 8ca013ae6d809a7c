package audit_test

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/audit"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/audit/awstest"
)

type policyDoc struct {
	Version   string
	Statement []struct {
		Sid, Effect string
		Action      []string
		Resource    string
	}
}

func readOnlyPolicy(t *testing.T) policyDoc {
	t.Helper()
	var doc policyDoc
	dec := json.NewDecoder(strings.NewReader(string(audit.ReadOnlyPolicy)))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&doc))
	return doc
}

// policyWithout is the read-only policy lacking one action.
func policyWithout(t *testing.T, action string) string {
	doc := readOnlyPolicy(t)
	doc.Statement[0].Action = slices.DeleteFunc(slices.Clone(doc.Statement[0].Action), func(a string) bool { return a == action })
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	return string(b)
}

// readVerbs are the verbs of IAM actions that change nothing; dataReads are reads of data or
// secrets the audit must not be able to make.
var (
	readVerbs = []string{"Describe", "List", "Get"}
	dataReads = []string{"secretsmanager:GetSecretValue", "s3:GetObject", "logs:GetLogEvents", "logs:FilterLogEvents", "ssm:GetParameter", "kms:Decrypt"}
)

func TestThePolicyAllowsEveryCallAndNoWrite(t *testing.T) {
	doc := readOnlyPolicy(t)
	require.Len(t, doc.Statement, 1)
	st := doc.Statement[0]
	assert.Equal(t, "Allow", st.Effect)
	assert.Equal(t, "*", st.Resource)
	var calls []string
	for _, c := range audit.Calls {
		calls = append(calls, c.Action)
	}
	assert.Equal(t, slices.Sorted(slices.Values(calls)), st.Action, "the policy allows exactly the audit's calls, sorted")
	for _, a := range st.Action {
		_, op, _ := strings.Cut(a, ":")
		assert.True(t, slices.ContainsFunc(readVerbs, func(v string) bool { return strings.HasPrefix(op, v) }), "%s is not a read", a)
		assert.NotContains(t, dataReads, a)
		assert.NotContains(t, a, "*", "no wildcard: a wildcard would admit what AWS adds later")
	}
}

// motoRefusesBackup is what moto refuses under IAM enforcement whatever the policy says, and why.
// The first Backup call is refused, so the audit makes no other: the unenforced run's calls, all in
// the policy, cover them.
var motoRefusesBackup = []string{"backup:ListBackupPlans"}

const motoRefusesBackupWhy = "moto 5 answers every signed Backup (REST) call with SignatureDoesNotMatch: it canonicalizes their paths otherwise than SigV4"

func actionsOf(fs []audit.Failure) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.Action)
	}
	slices.Sort(out)
	return out
}

// motoNames adds, for moto, the CloudWatch actions under the prefix moto authorizes them by
// (monitoring:, CloudWatch's endpoint prefix; AWS's IAM prefix is cloudwatch:).
func motoNames(t *testing.T, policy string) string {
	var doc policyDoc
	require.NoError(t, json.Unmarshal([]byte(policy), &doc))
	for _, a := range doc.Statement[0].Action {
		if op, ok := strings.CutPrefix(a, "cloudwatch:"); ok {
			doc.Statement[0].Action = append(doc.Statement[0].Action, "monitoring:"+op)
		}
	}
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	return string(b)
}

// auditor is an IAM user of the server with the given policy, and its keys.
func auditor(t *testing.T, srv *awstest.Server, name, policy string) aws.Config {
	t.Helper()
	keys := awstest.User(t, awstest.Ctx(t), srv.Config(), name, motoNames(t, policy))
	cfg := srv.Config()
	cfg.Credentials = credentials.NewStaticCredentialsProvider(keys[0], keys[1], "")
	return cfg
}

// TestTheAuditNeedsNothingBeyondThePolicy runs the audit as a user holding only the read-only
// policy, with moto authorizing every call as AWS does: nothing is refused, every call it made is
// in the policy, and a policy lacking one action is refused exactly there.
func TestTheAuditNeedsNothingBeyondThePolicy(t *testing.T) {
	t.Parallel()
	srv, _ := ownShape(t, "prod") // EnforceIAM is for the whole server
	enough := auditor(t, srv, "auditor", string(audit.ReadOnlyPolicy))
	lacking := auditor(t, srv, "auditor-without-rotation", policyWithout(t, "kms:GetKeyRotationStatus"))
	for _, call := range runAudit(t, srv.Config(), audit.Options{}).Calls {
		assert.Contains(t, readOnlyPolicy(t).Statement[0].Action, call, "the audit called what its policy does not allow")
	}
	srv.EnforceIAM(t)

	rep := runAudit(t, enough, audit.Options{})
	assert.Equal(t, motoRefusesBackup, actionsOf(rep.Denied()), "moto refuses Backup's calls whatever the policy: %s", motoRefusesBackupWhy)
	require.Len(t, rep.Databases, 1)
	assert.Equal(t, baseline.Pass, rows(rep.Databases[0])["kms-rotation"].Status)

	rep = runAudit(t, lacking, audit.Options{})
	assert.Equal(t, []string{"backup:ListBackupPlans", "kms:GetKeyRotationStatus"}, actionsOf(rep.Denied()))
	row := rows(rep.Databases[0])["kms-rotation"]
	assert.Equal(t, baseline.Unproven, row.Status)
	assert.Contains(t, row.Detail, "not read: kms:GetKeyRotationStatus arn:aws:kms:eu-west-1:123456789012:key/")
	assert.Contains(t, row.Detail, "HTTP 403: refused")
}

// The live-audit page's count of the calls, in the policy and in the test that breaks each, is the table's.
func TestTheLiveAuditPageCountsTheCalls(t *testing.T) {
	readme, err := os.ReadFile("../../docs/live-audit.md")
	require.NoError(t, err)
	assert.Contains(t, string(readme), fmt.Sprintf("allows exactly the %d actions it calls", len(audit.Calls)))
	assert.Contains(t, string(readme), fmt.Sprintf("each of the %d calls, broken in turn", len(audit.Calls)))
}

// The live-audit page's policy for the auditing account names what a fleet audit calls there.
func TestTheLiveAuditPageGivesTheOrganizationPolicy(t *testing.T) {
	readme, err := os.ReadFile("../../docs/live-audit.md")
	require.NoError(t, err)
	for _, action := range audit.FleetOrgActions {
		assert.Contains(t, string(readme), `{"Effect": "Allow", "Action": "`+action+`", "Resource": `)
	}
}

// The live-audit page names every permission -security-hub needs.
func TestTheLiveAuditPageGivesTheSecurityHubPermissions(t *testing.T) {
	readme, err := os.ReadFile("../../docs/live-audit.md")
	require.NoError(t, err)
	for _, action := range audit.SecurityHubActions {
		assert.Contains(t, string(readme), "`"+action+"`")
	}
}
