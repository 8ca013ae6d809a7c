package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/audit"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/audit/awstest"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/plan"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/stack"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/testenv"
)

// today is a fixed day, so support dates judge alike in the plan and the audit.
var today = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// shapes are the stacks made in moto and audited: an RDS instance and an Aurora cluster, each
// with its proxy, alerts and backups, and the database the audit must find.
var shapes = []struct{ stack, database string }{{"prod", "orders-prod"}, {"aurora", "orders-aurora"}}

func stackPlan(t testing.TB, name string) *plan.Result { return stackPlanIn(t, name, awstest.Account) }

// stackPlanIn is the stack's plan as made in account: its ARNs name that account.
func stackPlanIn(t testing.TB, name, account string) *plan.Result {
	t.Helper()
	sc, err := plan.ReadStackConfig("../..", name)
	require.NoError(t, err)
	m := hardenedpgtest.New()
	m.AccountID = account
	res, err := plan.Run(sc, m, stack.Program)
	require.NoError(t, err)
	res.Graph.Today = today
	res.Controls = baseline.Evaluate(res.Graph, nil)
	return res
}

// servers are the package's moto servers: each shape is made in an account of its own, as two
// stacks in two accounts of AWS are apart.
var servers = awstest.Pool{Size: 2}

func TestMain(m *testing.M) {
	flag.Parse()
	// The tests wait on moto's servers and on the retryer's backoff far more than on this
	// process: run more of them at once than the two cores, unless -parallel says otherwise.
	if !flagSet("test.parallel") {
		_ = flag.Set("test.parallel", "4")
	}
	code := m.Run()
	servers.Stop()
	os.Exit(code)
}

func flagSet(name string) (set bool) {
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// account is an account of a shared server: its Config reads and writes in that account.
type account struct {
	*awstest.Server
	ID  string
	cfg aws.Config
}

func (a account) Config() aws.Config { return a.cfg.Copy() }

// prodShape is the prod plan's resources, made from its recorded inputs in an account of a
// shared moto server.
func prodShape(t *testing.T) (account, *plan.Result) { return shape(t, "prod") }

func shape(t *testing.T, stackName string) (account, *plan.Result) {
	t.Helper()
	srv, id := servers.Account(t)
	a := account{Server: srv, ID: id, cfg: srv.ConfigIn(id)}
	p := stackPlanIn(t, stackName, id)
	awstest.Create(t, awstest.Ctx(t), a.Config(), p.Graph)
	return a, p
}

// readOnly are the shapes the tests that only read share, by stack name: made once, by the
// first test to ask.
var readOnly sync.Map

type sharedShape struct {
	once sync.Once
	a    account
	p    *plan.Result
}

// readOnlyShape is the stack's shape shared by the tests that do not change it.
func readOnlyShape(t *testing.T, stackName string) (account, *plan.Result) {
	t.Helper()
	testenv.SkipWhenShort(t, "moto's server (a local AWS API)")
	v, _ := readOnly.LoadOrStore(stackName, &sharedShape{})
	s := v.(*sharedShape)
	s.once.Do(func() { s.a, s.p = shape(t, stackName) })
	if s.p == nil {
		t.Fatalf("the shared %s shape was not made: see the test that failed making it", stackName)
	}
	return s.a, s.p
}

// ownShape is the stack's plan made in a server of its own, for a test that changes the whole
// server.
func ownShape(t *testing.T, stackName string) (*awstest.Server, *plan.Result) {
	t.Helper()
	srv := awstest.StartMoto(t)
	p := stackPlan(t, stackName)
	awstest.Create(t, awstest.Ctx(t), srv.Config(), p.Graph)
	return srv, p
}

func runAudit(t *testing.T, cfg aws.Config, opts audit.Options) *audit.Report {
	t.Helper()
	opts.Today = today
	rep, err := audit.Run(awstest.Ctx(t), cfg, opts)
	require.NoError(t, err)
	return rep
}

func database(t *testing.T, rep *audit.Report, id string) audit.Database {
	t.Helper()
	for _, d := range rep.Databases {
		if d.Identifier == id {
			return d
		}
	}
	t.Fatalf("the audit found no database %s among %d (not read: %v)", id, len(rep.Databases), rep.Failures)
	return audit.Database{}
}

func rows(d audit.Database) map[string]baseline.Result {
	out := map[string]baseline.Result{}
	for _, c := range d.Controls {
		out[c.Key] = c
	}
	return out
}

func TestTheShapesPassLive(t *testing.T) {
	t.Parallel() // each on its own server: moto and the audit share two cores
	for _, sh := range shapes {
		t.Run(sh.stack, func(t *testing.T) {
			srv, _ := readOnlyShape(t, sh.stack)
			rep := runAudit(t, srv.Config(), audit.Options{})
			require.Len(t, rep.Databases, 1)
			d := database(t, rep, sh.database)
			for _, c := range d.Controls {
				switch reason, cannot := awstest.MotoCannot[c.Key]; {
				case cannot:
					assert.Contains(t, []baseline.Status{baseline.Fail, baseline.Unproven}, c.Status, "%s (%s): %s", c.Key, reason, c.Detail)
				case audit.NotKept[c.Key] != "":
					assert.Equal(t, baseline.Unproven, c.Status, c.Key)
					assert.Equal(t, audit.NotKept[c.Key], c.Detail, c.Key)
				default:
					assert.Contains(t, []baseline.Status{baseline.Pass, baseline.NotApplicable}, c.Status, "%s: %s", c.Key, c.Detail)
				}
			}
			// What moto lacks is named, and nothing else failed to read.
			var unread []string
			for _, f := range rep.Unread() {
				unread = append(unread, f.Action)
			}
			assert.Equal(t, []string{"backup:ListBackupSelections"}, slices.Compact(unread))
			assert.Empty(t, rep.Denied())
		})
	}
}

// TestThePlanAndTheAuditAgreeRowByRow runs the catalog on each plan and on its shape live: same
// keys in the same order, and the same status wherever moto represents the evidence.
func TestThePlanAndTheAuditAgreeRowByRow(t *testing.T) {
	t.Parallel()
	for _, sh := range shapes {
		t.Run(sh.stack, func(t *testing.T) {
			srv, p := readOnlyShape(t, sh.stack)
			d := database(t, runAudit(t, srv.Config(), audit.Options{}), sh.database)
			require.Len(t, d.Controls, len(p.Controls))
			for i, planned := range p.Controls {
				live := d.Controls[i]
				require.Equal(t, planned.Key, live.Key)
				assert.Equal(t, planned.Severity, live.Severity, planned.Key)
				assert.Equal(t, planned.Refs, live.Refs, planned.Key)
				if awstest.MotoCannot[planned.Key] != "" || audit.NotKept[planned.Key] != "" || audit.Unplanned(planned) {
					continue
				}
				assert.Equal(t, planned.Status, live.Status, "%s: planned %q, live %q", planned.Key, planned.Detail, live.Detail)
			}
		})
	}
}

// weakening is a change made out of band, and the row it must fail with.
type weakening struct {
	name    string
	control string
	// detail is the row's exact detail, from the live names of what the database read before.
	detail func(d audit.Database, made string) string
	// apply weakens the shape, returning the ID of what it made, if anything.
	apply func(t *testing.T, ctx context.Context, cfg aws.Config, d audit.Database) string
}

// resourceOf finds the live resource of a type in a database's graph, by a test on its inputs.
func resourceOf(t *testing.T, d audit.Database, typ string, match func(baseline.Resource) bool) baseline.Resource {
	for _, r := range d.Graph.Resources {
		if r.Type == typ && match(r) {
			return r
		}
	}
	if t != nil {
		t.Fatalf("no live %s matches", typ)
	}
	return baseline.Resource{Name: "no live " + typ}
}

func anyResource(baseline.Resource) bool { return true }

func logsKey(t *testing.T, d audit.Database) baseline.Resource {
	return resourceOf(t, d, baseline.TypeKey, func(r baseline.Resource) bool {
		return strings.Contains(str(r.Inputs["description"]), "exported PostgreSQL logs")
	})
}

var weakenings = []weakening{
	{name: "publicly accessible", control: "rds-not-public", detail: func(audit.Database, string) string { return "orders-prod: publiclyAccessible is true, want false" },
		apply: func(t *testing.T, ctx context.Context, cfg aws.Config, _ audit.Database) string {
			_, err := rds.NewFromConfig(cfg).ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("orders-prod"), PubliclyAccessible: aws.Bool(true), ApplyImmediately: aws.Bool(true)})
			require.NoError(t, err)
			return ""
		}},
	{name: "rds.force_ssl 0", control: "pg-force-ssl",
		detail: func(d audit.Database, _ string) string {
			return resourceOf(nil, d, baseline.TypeParameterGroup, anyResource).ID + `: rds.force_ssl is "0", want 1`
		},
		apply: func(t *testing.T, ctx context.Context, cfg aws.Config, d audit.Database) string {
			pg := resourceOf(t, d, baseline.TypeParameterGroup, anyResource)
			_, err := rds.NewFromConfig(cfg).ModifyDBParameterGroup(ctx, &rds.ModifyDBParameterGroupInput{DBParameterGroupName: aws.String(pg.ID),
				Parameters: []rdstypes.Parameter{{ParameterName: aws.String("rds.force_ssl"), ParameterValue: aws.String("0"), ApplyMethod: rdstypes.ApplyMethodImmediate}}})
			require.NoError(t, err)
			return ""
		}},
	{name: "a key without rotation", control: "kms-rotation",
		detail: func(d audit.Database, _ string) string {
			return logsKey(nil, d).ID + ": enableKeyRotation is false, want true"
		},
		apply: func(t *testing.T, ctx context.Context, cfg aws.Config, d audit.Database) string {
			key := resourceOf(t, d, baseline.TypeKey, func(r baseline.Resource) bool {
				return strings.Contains(str(r.Inputs["description"]), "exported PostgreSQL logs")
			})
			_, err := kms.NewFromConfig(cfg).DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: aws.String(key.ID)})
			require.NoError(t, err)
			return ""
		}},
	{name: "a grant of the storage key to another account", control: "kms-grants-scoped",
		detail: func(_ audit.Database, grant string) string {
			return grant + `: granteePrincipal "arn:aws:iam::999999999999:root" is not a role of the stack; ` +
				grant + ": no encryption-context constraint: the grantee may use the key on anything it encrypted"
		},
		apply: func(t *testing.T, ctx context.Context, cfg aws.Config, d audit.Database) string {
			inst := resourceOf(t, d, baseline.TypeInstance, anyResource)
			out, err := kms.NewFromConfig(cfg).CreateGrant(ctx, &kms.CreateGrantInput{KeyId: aws.String(str(inst.Inputs["kmsKeyId"])),
				GranteePrincipal: aws.String("arn:aws:iam::999999999999:root"), Operations: []kmstypes.GrantOperation{kmstypes.GrantOperationDecrypt}})
			require.NoError(t, err)
			return aws.ToString(out.GrantId)
		}},
	{name: "the logs key scheduled for deletion", control: "kms-deletion-window",
		detail: func(d audit.Database, date string) string {
			return logsKey(nil, d).ID + ": scheduled for deletion on " + date + ": what it encrypts becomes unreadable then; cancel it (CancelKeyDeletion)"
		},
		apply: func(t *testing.T, ctx context.Context, cfg aws.Config, d audit.Database) string {
			out, err := kms.NewFromConfig(cfg).ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(logsKey(t, d).ID), PendingWindowInDays: aws.Int32(30)})
			require.NoError(t, err)
			return out.DeletionDate.UTC().Format("2006-01-02")
		}},
	{name: "ingress from 0.0.0.0/0", control: "sg-no-cidr-ingress",
		detail: func(_ audit.Database, rule string) string { return rule + ": ingress from 0.0.0.0/0" },
		apply: func(t *testing.T, ctx context.Context, cfg aws.Config, d audit.Database) string {
			sg := resourceOf(t, d, baseline.TypeSecurityGroup, func(r baseline.Resource) bool { return !strings.Contains(str(r.Inputs["description"]), "Proxy") })
			out, err := ec2.NewFromConfig(cfg).AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(sg.ID),
				IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(5433), ToPort: aws.Int32(5433), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0"), Description: aws.String("console")}}}}})
			require.NoError(t, err)
			return aws.ToString(out.SecurityGroupRules[0].SecurityGroupRuleId)
		}},
	{name: "the alerts' subscription deleted", control: "alarm-actions",
		detail: func(d audit.Database, _ string) string {
			topic := resourceOf(nil, d, baseline.TypeTopic, anyResource).Name
			var problems []string
			for _, r := range d.Graph.Resources {
				if r.Type == baseline.TypeMetricAlarm {
					problems = append(problems, r.Name+": "+topic+" has no subscriber: nobody is notified")
				}
			}
			return strings.Join(problems, "; ")
		},
		apply: func(t *testing.T, ctx context.Context, cfg aws.Config, d audit.Database) string {
			sub := resourceOf(t, d, baseline.TypeTopicSubscription, anyResource)
			_, err := sns.NewFromConfig(cfg).Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String(sub.URN)})
			require.NoError(t, err)
			return ""
		}},
	{name: "the vault unlocked", control: "backup-vault-lock",
		detail: func(d audit.Database, _ string) string {
			return resourceOf(nil, d, baseline.TypeBackupVault, anyResource).ID + ": no vault lock configuration"
		},
		apply: func(t *testing.T, ctx context.Context, cfg aws.Config, d audit.Database) string {
			vault := resourceOf(t, d, baseline.TypeBackupVault, anyResource)
			_, err := backup.NewFromConfig(cfg).DeleteBackupVaultLockConfiguration(ctx, &backup.DeleteBackupVaultLockConfigurationInput{BackupVaultName: aws.String(vault.ID)})
			require.NoError(t, err)
			return ""
		}},
	{name: "an instance's subscription deleted", control: "events-instance",
		detail: func(audit.Database, string) string { return "no enabled event subscription for db-instance" },
		apply: func(t *testing.T, ctx context.Context, cfg aws.Config, d audit.Database) string {
			sub := resourceOf(t, d, baseline.TypeEventSubscription, func(r baseline.Resource) bool { return r.Inputs["sourceType"] == "db-instance" })
			_, err := rds.NewFromConfig(cfg).DeleteEventSubscription(ctx, &rds.DeleteEventSubscriptionInput{SubscriptionName: aws.String(sub.ID)})
			require.NoError(t, err)
			return ""
		}},
	{name: "a manual snapshot made public", control: "snapshots-private",
		detail: func(_ audit.Database, snapshot string) string {
			return snapshot + `: sharedAccounts has "all": the snapshot is public, and anyone can restore the database from it`
		},
		apply: func(t *testing.T, ctx context.Context, cfg aws.Config, _ audit.Database) string {
			client := rds.NewFromConfig(cfg)
			_, err := client.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("orders-prod"), DBSnapshotIdentifier: aws.String("orders-prod-before-migration")})
			require.NoError(t, err)
			_, err = client.ModifyDBSnapshotAttribute(ctx, &rds.ModifyDBSnapshotAttributeInput{DBSnapshotIdentifier: aws.String("orders-prod-before-migration"),
				AttributeName: aws.String("restore"), ValuesToAdd: []string{"all"}})
			require.NoError(t, err)
			return "orders-prod-before-migration"
		}},
	{name: "an alarm deleted", control: "alarms-present",
		detail: func(audit.Database, string) string {
			return "orders-prod: no alarm on AWS/RDS FreeStorageSpace of DBInstanceIdentifier=orders-prod: its alert is gone; run pulumi up to make it again"
		},
		apply: func(t *testing.T, ctx context.Context, cfg aws.Config, d audit.Database) string {
			alarm := resourceOf(t, d, baseline.TypeMetricAlarm, func(r baseline.Resource) bool { return r.Inputs["metricName"] == "FreeStorageSpace" })
			_, err := cloudwatch.NewFromConfig(cfg, audit.CloudWatchOverQuery).DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{alarm.ID}})
			require.NoError(t, err)
			return ""
		}},
	{name: "the account's trail stopped", control: "events-security-group",
		detail: func(audit.Database, string) string {
			return "no CloudTrail trail logs the management events of eu-west-1 (" + awstest.TrailName + " is not logging): the rule on security-group changes never fires; log them with a trail, or the Organization's"
		},
		apply: func(t *testing.T, ctx context.Context, cfg aws.Config, _ audit.Database) string {
			_, err := cloudtrail.NewFromConfig(cfg).StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String(awstest.TrailName)})
			require.NoError(t, err)
			return ""
		}},
	{name: "the master secret's rotation turned off", control: "rds-secret-rotation",
		detail: func(d audit.Database, _ string) string {
			secret := resourceOf(nil, d, baseline.TypeSecret, anyResource)
			return "orders-prod: master secret " + secret.Name + ": rotation is off: the password no longer changes; turn it on again (aws secretsmanager rotate-secret --secret-id " + secret.URN + ")"
		},
		apply: func(t *testing.T, ctx context.Context, cfg aws.Config, d audit.Database) string {
			secret := resourceOf(t, d, baseline.TypeSecret, anyResource)
			_, err := secretsmanager.NewFromConfig(cfg).CancelRotateSecret(ctx, &secretsmanager.CancelRotateSecretInput{SecretId: aws.String(secret.URN)})
			require.NoError(t, err)
			return ""
		}},
}

func str(v any) string { s, _ := v.(string); return s }

// TestOutOfBandWeakeningsFailTheirControl makes each weakening alone on a fresh prod shape: its
// control fails with the exact detail, and every other control keeps its row.
func TestOutOfBandWeakeningsFailTheirControl(t *testing.T) {
	t.Parallel()
	for _, w := range weakenings {
		t.Run(w.name, func(t *testing.T) {
			t.Parallel() // each on a fresh shape of its own
			srv, _ := shape(t, "prod")
			d := database(t, runAudit(t, srv.Config(), audit.Options{}), "orders-prod")
			before := rows(d)
			made := w.apply(t, awstest.Ctx(t), srv.Config(), d)
			after := rows(database(t, runAudit(t, srv.Config(), audit.Options{}), "orders-prod"))
			// A control AWS keeps no evidence of is unproven while nothing is wrong.
			wantBefore := baseline.Pass
			if audit.NotKept[w.control] != "" {
				wantBefore = baseline.Unproven
			}
			require.Equal(t, wantBefore, before[w.control].Status, "%s before: %s", w.control, before[w.control].Detail)
			assert.Equal(t, baseline.Fail, after[w.control].Status, w.control)
			assert.Equal(t, w.detail(d, made), after[w.control].Detail, w.control)
			for _, key := range slices.Sorted(maps.Keys(before)) {
				if key != w.control && !slices.Contains(alsoWeakened[w.control], key) {
					assert.Equal(t, before[key].Status, after[key].Status, "%s changed %s: %s", w.name, key, after[key].Detail)
				}
			}
		})
	}
}

// TestAnAuroraClusterWeakenedOutOfBand: the cluster's own parameter group and one of its
// instances, changed in the console, fail their controls on the cluster's block.
func TestAnAuroraClusterWeakenedOutOfBand(t *testing.T) {
	t.Parallel()
	srv, _ := shape(t, "aurora")
	ctx := awstest.Ctx(t)
	d := database(t, runAudit(t, srv.Config(), audit.Options{}), "orders-aurora")
	before := rows(d)
	require.Equal(t, baseline.Pass, before["pg-force-ssl"].Status, before["pg-force-ssl"].Detail)
	require.Equal(t, baseline.Pass, before["rds-not-public"].Status, before["rds-not-public"].Detail)

	group := resourceOf(t, d, baseline.TypeClusterParameters, anyResource)
	member := resourceOf(t, d, baseline.TypeClusterInstance, anyResource)
	client := rds.NewFromConfig(srv.Config())
	_, err := client.ModifyDBClusterParameterGroup(ctx, &rds.ModifyDBClusterParameterGroupInput{DBClusterParameterGroupName: aws.String(group.ID),
		Parameters: []rdstypes.Parameter{{ParameterName: aws.String("rds.force_ssl"), ParameterValue: aws.String("0"), ApplyMethod: rdstypes.ApplyMethodImmediate}}})
	require.NoError(t, err)
	_, err = client.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String(member.ID), PubliclyAccessible: aws.Bool(true), ApplyImmediately: aws.Bool(true)})
	require.NoError(t, err)
	// A manual snapshot of the cluster, shared with another account.
	_, err = client.CreateDBClusterSnapshot(ctx, &rds.CreateDBClusterSnapshotInput{DBClusterIdentifier: aws.String("orders-aurora"), DBClusterSnapshotIdentifier: aws.String("orders-aurora-for-analytics")})
	require.NoError(t, err)
	_, err = client.ModifyDBClusterSnapshotAttribute(ctx, &rds.ModifyDBClusterSnapshotAttributeInput{DBClusterSnapshotIdentifier: aws.String("orders-aurora-for-analytics"),
		AttributeName: aws.String("restore"), ValuesToAdd: []string{"444455556666"}})
	require.NoError(t, err)

	after := rows(database(t, runAudit(t, srv.Config(), audit.Options{}), "orders-aurora"))
	assert.Equal(t, baseline.Fail, after["pg-force-ssl"].Status)
	assert.Equal(t, group.ID+`: rds.force_ssl is "0", want 1`, after["pg-force-ssl"].Detail)
	assert.Equal(t, baseline.Fail, after["rds-not-public"].Status)
	assert.Equal(t, member.ID+": publiclyAccessible is true, want false", after["rds-not-public"].Detail)
	assert.Equal(t, baseline.Fail, after["snapshots-private"].Status)
	assert.Equal(t, "orders-aurora-for-analytics: sharedAccounts has 444455556666: that account can restore the database from it; copy backups to another account with an AWS Backup copy rule instead", after["snapshots-private"].Detail)
	for _, key := range slices.Sorted(maps.Keys(before)) {
		if key != "pg-force-ssl" && key != "rds-not-public" && key != "snapshots-private" {
			assert.Equal(t, before[key].Status, after[key].Status, "%s: %s", key, after[key].Detail)
		}
	}
}

// alsoWeakened are the other controls a weakening rightly fails: alerts that reach nobody fail
// every control that needs them to.
var alsoWeakened = map[string][]string{
	"alarm-actions": {"events-instance", "events-parameter-group", "events-security-group", "sns-subscriptions-tls"},
}

// brokenCall fails one action with an AWS error, as a missing permission would.
func brokenCall(action string) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("break", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			if audit.ActionOf(middleware.GetServiceID(ctx), middleware.GetOperationName(ctx)) == action {
				return middleware.InitializeOutput{}, middleware.Metadata{}, errors.New("broken by the test")
			}
			return next.HandleInitialize(ctx, in)
		}), middleware.Before)
	}
}

// TestEveryCallNamesTheControlsItFeeds breaks each call in turn: every control whose row changes
// must be one the call names, and it must be unproven, never passed or failed on what was not read.
// The audits read the shape through a replayer: the healthy audit asks moto, the rest only
// repeat its questions, less one.
func TestEveryCallNamesTheControlsItFeeds(t *testing.T) {
	t.Parallel()
	for _, sh := range shapes {
		t.Run(sh.stack, func(t *testing.T) {
			live, p := readOnlyShape(t, sh.stack)
			srv := live.Config()
			srv.BaseEndpoint = aws.String(awstest.Replay(t, live.URL).URL)
			healthy := runAudit(t, srv, audit.Options{})
			before := rows(database(t, healthy, sh.database))
			doc := planDocument(t, p)
			fewerBefore := fewer(audit.Compare([]plan.Document{doc}, healthy))
			for _, call := range audit.Calls {
				t.Run(call.Action, func(t *testing.T) {
					rep := runAudit(t, srv, audit.Options{APIOptions: []func(*middleware.Stack) error{brokenCall(call.Action)}})
					if listing := map[string]string{"prod": "rds:DescribeDBInstances", "aurora": "rds:DescribeDBClusters"}[sh.stack]; call.Action == listing {
						assert.Empty(t, rep.Databases, "nothing listed, nothing judged")
						assert.Equal(t, listing+": operation error RDS: "+strings.TrimPrefix(listing, "rds:")+", broken by the test", rep.Failures[0].String())
						return
					}
					after := rows(database(t, rep, sh.database))
					for key, b := range before {
						a := after[key]
						if a.Status == b.Status && a.Detail == b.Detail {
							continue
						}
						assert.Contains(t, call.Controls, key, "breaking %s changed %s from %s to %s (%s) but the call does not name it", call.Action, key, b.Status, a.Status, a.Detail)
						assert.Equal(t, baseline.Unproven, a.Status, "breaking %s: %s", call.Action, key)
					}
					// What the broken call left out is not reported missing: -compare knows which
					// types it may have dropped.
					assert.Equal(t, fewerBefore, fewer(audit.Compare([]plan.Document{doc}, rep)), "breaking %s", call.Action)
				})
			}
		})
	}
}

// fewer are the counts -compare reports below the plan's.
func fewer(diffs []audit.Difference) []string {
	out := []string{}
	for _, d := range diffs {
		if d.Kind == "count" && d.Live.(int) < d.Planned.(int) {
			out = append(out, d.String())
		}
	}
	return out
}

// A deleted alarm is counted missing although a call moto cannot answer failed: that call
// (backup:ListBackupSelections) drops only what the backup selection leads to.
func TestADeletedAlarmIsCounted(t *testing.T) {
	t.Parallel()
	srv, p := prodShape(t)
	doc := planDocument(t, p)
	rep := runAudit(t, srv.Config(), audit.Options{})
	require.NotEmpty(t, rep.Unread(), "moto leaves a call unanswered")
	// moto cannot replicate automated backups (awstest.Skipped): a true "fewer", counted.
	replication := "COUNT orders-prod aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication: 1 planned, 0 live"
	assert.Equal(t, []string{replication}, fewer(audit.Compare([]plan.Document{doc}, rep)))
	alarm := resourceOf(t, database(t, rep, "orders-prod"), baseline.TypeMetricAlarm, func(r baseline.Resource) bool { return r.Inputs["metricName"] == "CPUUtilization" })
	_, err := cloudwatch.NewFromConfig(srv.Config(), audit.CloudWatchOverQuery).DeleteAlarms(awstest.Ctx(t), &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{alarm.ID}})
	require.NoError(t, err)
	assert.Equal(t, []string{"COUNT orders-prod aws:cloudwatch/metricAlarm:MetricAlarm: 7 planned, 6 live", replication},
		fewer(audit.Compare([]plan.Document{doc}, runAudit(t, srv.Config(), audit.Options{}))))
}

// planDocument is a plan as bin/plan -json prints it and -compare reads it.
func planDocument(t *testing.T, p *plan.Result) plan.Document {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, plan.WriteJSON(&buf, p))
	var doc plan.Document
	require.NoError(t, json.Unmarshal(buf.Bytes(), &doc))
	return doc
}

// TestAnAuroraClusterComparesWithItsPlan pairs a cluster and its instances with the plan by
// their identifiers: made from the plan, they differ only where moto loses what was written;
// changed in the console, the cluster's row names the change.
func TestAnAuroraClusterComparesWithItsPlan(t *testing.T) {
	t.Parallel()
	srv, p := shape(t, "aurora")
	doc := planDocument(t, p)
	var made []string
	for _, d := range audit.Compare([]plan.Document{doc}, runAudit(t, srv.Config(), audit.Options{})) {
		made = append(made, d.String())
	}
	// moto's ListTags reads the ARN from the wrong part of Backup's path: it answers no tags.
	plannedTags := func(typ string) string {
		tags, err := json.Marshal(resourceOf(t, audit.Database{Graph: p.Graph}, typ, anyResource).Inputs["tags"])
		require.NoError(t, err)
		return string(tags)
	}
	assert.Equal(t, []string{
		"DIFFERS orders-aurora aws:backup/plan:Plan hardenedpg-orders-aurora.tags: planned " + plannedTags(baseline.TypeBackupPlan) + ", live {}",
		"DIFFERS orders-aurora aws:backup/vault:Vault hardenedpg-orders-aurora.tags: planned " + plannedTags(baseline.TypeBackupVault) + ", live {}",
	}, made)

	_, err := rds.NewFromConfig(srv.Config()).ModifyDBCluster(awstest.Ctx(t), &rds.ModifyDBClusterInput{DBClusterIdentifier: aws.String("orders-aurora"),
		BackupRetentionPeriod: aws.Int32(3), ApplyImmediately: aws.Bool(true)})
	require.NoError(t, err)
	var changed []string
	for _, d := range audit.Compare([]plan.Document{doc}, runAudit(t, srv.Config(), audit.Options{})) {
		changed = append(changed, d.String())
	}
	assert.Equal(t, append([]string{"DIFFERS orders-aurora aws:rds/cluster:Cluster orders-aurora.backupRetentionPeriod: planned 35, live 3"}, made...), changed)
}

// TestAThrottledAuditRetriesAndJudgesAlike: every thirteenth request answered with the throttling
// error of its protocol, the audit (the SDK's adaptive retryer, with a user's AWS_MAX_ATTEMPTS of
// 3) reads the prod shape as without throttling: the same rows, and only moto's missing call
// unread.
func TestAThrottledAuditRetriesAndJudgesAlike(t *testing.T) {
	t.Parallel()
	srv, _ := readOnlyShape(t, "prod")
	want := rows(database(t, runAudit(t, srv.Config(), audit.Options{}), "orders-prod"))
	th := awstest.Throttle(t, srv.URL, 13)
	cfg := srv.Config()
	cfg.BaseEndpoint, cfg.RetryMaxAttempts = aws.String(th.URL), 3
	rep := runAudit(t, audit.WithAdaptiveRetries(cfg), audit.Options{})
	assert.Positive(t, th.Throttled.Load())
	got := rows(database(t, rep, "orders-prod"))
	for key, w := range want {
		assert.Equal(t, w.Status, got[key].Status, "%s: %s", key, got[key].Detail)
		assert.Equal(t, w.Detail, got[key].Detail, key)
	}
	var unread []string
	for _, f := range rep.Unread() {
		unread = append(unread, f.Action)
	}
	assert.Equal(t, []string{"backup:ListBackupSelections"}, slices.Compact(unread))
}

// TestFindingsGoToSecurityHub imports the prod shape's rows into Security Hub, one finding per
// applicable control; a re-run after a fix updates the same findings (no duplicates), archives
// the fixed one as PASSED, and asks BatchUpdateFindings to mark it RESOLVED. moto 5 has no
// BatchUpdateFindings, so a stand-in in front of moto answers that call and records it.
func TestFindingsGoToSecurityHub(t *testing.T) {
	t.Parallel()
	srv, _ := prodShape(t)
	ctx := awstest.Ctx(t)
	var updates, queries []map[string]any
	var seen sync.Mutex // the stand-in answers the audit's calls concurrently
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/findings" && r.Method == http.MethodPost {
			// moto ignores GetFindings' Id filter: what the audit asks is checked here.
			body, err := io.ReadAll(r.Body)
			assert.NoError(t, err)
			var query map[string]any
			assert.NoError(t, json.Unmarshal(body, &query))
			seen.Lock()
			queries = append(queries, query)
			seen.Unlock()
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		if r.URL.Path != "/findings/batchupdate" {
			target, _ := url.Parse(srv.URL)
			httputil.NewSingleHostReverseProxy(target).ServeHTTP(w, r)
			return
		}
		var body map[string]any
		assert.NoError(t, json.NewDecoder(r.Body).Decode(&body))
		seen.Lock()
		updates = append(updates, body)
		seen.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"ProcessedFindings": body["FindingIdentifiers"], "UnprocessedFindings": []any{}})
	}))
	t.Cleanup(front.Close)
	cfg := srv.Config()
	cfg.BaseEndpoint = aws.String(front.URL)
	hub := securityhub.NewFromConfig(cfg)
	client := rds.NewFromConfig(cfg)
	setPublic := func(public bool) {
		_, err := client.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("orders-prod"), PubliclyAccessible: aws.Bool(public), ApplyImmediately: aws.Bool(true)})
		require.NoError(t, err)
	}
	findings := func() map[string]shtypes.AwsSecurityFinding {
		out := map[string]shtypes.AwsSecurityFinding{}
		pager := securityhub.NewGetFindingsPaginator(hub, &securityhub.GetFindingsInput{})
		for pager.HasMorePages() {
			page, err := pager.NextPage(ctx)
			require.NoError(t, err)
			for _, f := range page.Findings {
				out[aws.ToString(f.Id)] = f
			}
		}
		return out
	}
	id := audit.FindingID(srv.ID, "eu-west-1", "orders-prod", "rds-not-public")

	setPublic(true)
	first := runAudit(t, cfg, audit.Options{})
	applicable := 0
	for _, c := range database(t, first, "orders-prod").Controls {
		if c.Status != baseline.NotApplicable {
			applicable++
		}
	}
	export := audit.ExportToSecurityHub(ctx, cfg, first, today)
	assert.Equal(t, audit.Export{Imported: applicable}, export)
	got := findings()
	assert.Len(t, got, applicable)
	f := got[id]
	assert.Equal(t, shtypes.ComplianceStatusFailed, f.Compliance.Status)
	assert.Equal(t, shtypes.RecordStateActive, f.RecordState)
	assert.Equal(t, shtypes.WorkflowStatusNew, f.Workflow.Status)
	assert.Equal(t, "orders-prod: publiclyAccessible is true, want false", aws.ToString(f.Description))
	assert.Equal(t, "arn:aws:rds:eu-west-1:"+srv.ID+":db:orders-prod", aws.ToString(f.Resources[0].Id))
	assert.Equal(t, "AwsRdsDbInstance", aws.ToString(f.Resources[0].Type))
	assert.Equal(t, shtypes.SeverityLabelCritical, f.FindingProviderFields.Severity.Label)
	assert.Contains(t, f.Compliance.RelatedRequirements, "Security Hub RDS.2")

	setPublic(false)
	later := today.Add(24 * time.Hour)
	export = audit.ExportToSecurityHub(ctx, cfg, runAudit(t, cfg, audit.Options{}), later)
	assert.Equal(t, audit.Export{Imported: applicable, Resolved: 1}, export)
	got = findings()
	assert.Len(t, got, applicable, "a re-run updates, it does not duplicate")
	f = got[id]
	assert.Equal(t, shtypes.ComplianceStatusPassed, f.Compliance.Status)
	assert.Equal(t, shtypes.RecordStateArchived, f.RecordState)
	assert.Equal(t, today.Format(time.RFC3339), aws.ToString(f.CreatedAt))
	assert.Equal(t, later.Format(time.RFC3339), aws.ToString(f.UpdatedAt))
	require.NotEmpty(t, queries)
	assert.Equal(t, []any{map[string]any{"Comparison": "PREFIX", "Value": "hardenedpg/" + srv.ID + "/eu-west-1/"}}, queries[0]["Filters"].(map[string]any)["Id"])
	require.Len(t, updates, 1)
	assert.Equal(t, []any{map[string]any{"Id": id, "ProductArn": "arn:aws:securityhub:eu-west-1:" + srv.ID + ":product/" + srv.ID + "/default"}}, updates[0]["FindingIdentifiers"])
	assert.Equal(t, map[string]any{"Status": "RESOLVED"}, updates[0]["Workflow"])
}

// TestCompareReadsPoliciesAndActions: -compare says what changed inside a policy (a statement
// that admits another account) and in an alarm's actions (none left), though both are made of
// references the plan and the account name differently.
func TestCompareReadsPoliciesAndActions(t *testing.T) {
	t.Parallel()
	srv, p := prodShape(t)
	ctx := awstest.Ctx(t)
	doc := planDocument(t, p)
	d := database(t, runAudit(t, srv.Config(), audit.Options{}), "orders-prod")
	key := logsKey(t, d)
	var policy map[string]any
	require.NoError(t, json.Unmarshal([]byte(str(key.Inputs["policy"])), &policy))
	policy["Statement"] = append(policy["Statement"].([]any), map[string]any{"Sid": "Partner", "Effect": "Allow",
		"Principal": map[string]any{"AWS": "arn:aws:iam::999999999999:root"}, "Action": "kms:Decrypt", "Resource": "*"})
	text, err := json.Marshal(policy)
	require.NoError(t, err)
	_, err = kms.NewFromConfig(srv.Config()).PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(key.ID), PolicyName: aws.String("default"), Policy: aws.String(string(text))})
	require.NoError(t, err)

	cw := cloudwatch.NewFromConfig(srv.Config(), audit.CloudWatchOverQuery)
	alarms, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String("database-alerts-cpuutilization")})
	require.NoError(t, err)
	require.Len(t, alarms.MetricAlarms, 1)
	a := alarms.MetricAlarms[0]
	_, err = cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: a.AlarmName, AlarmDescription: a.AlarmDescription, Namespace: a.Namespace,
		MetricName: a.MetricName, Dimensions: a.Dimensions, Statistic: a.Statistic, Period: a.Period, EvaluationPeriods: a.EvaluationPeriods,
		ComparisonOperator: a.ComparisonOperator, Threshold: a.Threshold, TreatMissingData: a.TreatMissingData, OKActions: a.OKActions})
	require.NoError(t, err)

	var got []string
	for _, diff := range audit.Compare([]plan.Document{doc}, runAudit(t, srv.Config(), audit.Options{})) {
		// moto's Backup loses tags (TestAnAuroraClusterComparesWithItsPlan).
		if diff.Kind == "value" && diff.Key != "tags" {
			got = append(got, diff.String())
		}
	}
	assert.Equal(t, []string{
		"DIFFERS orders-prod aws:cloudwatch/metricAlarm:MetricAlarm " + aws.ToString(a.AlarmName) + `.alarmActions: planned ["arn:sns"], live []`,
		"DIFFERS orders-prod aws:kms/key:Key " + key.Name + `.policy: planned [], live [{"Action":"kms:Decrypt","Effect":"Allow","Principal":{"AWS":"arn:iam:root@999999999999"},"Resource":"*","Sid":"Partner"}]`,
	}, got)
}

// A read replica made beside the prod shape is judged by replica rules: what it takes from its
// source is not asked of it, and its own weakness (public) fails on its row.
func TestALiveReplicaIsJudgedByReplicaRules(t *testing.T) {
	t.Parallel()
	srv, _ := prodShape(t)
	ctx := awstest.Ctx(t)
	_, err := rds.NewFromConfig(srv.Config()).CreateDBInstanceReadReplica(ctx, &rds.CreateDBInstanceReadReplicaInput{
		DBInstanceIdentifier: aws.String("orders-reporting"), SourceDBInstanceIdentifier: aws.String("orders-prod"),
		PubliclyAccessible: aws.Bool(true), EnableIAMDatabaseAuthentication: aws.Bool(true)})
	require.NoError(t, err)
	replica := rows(database(t, runAudit(t, srv.Config(), audit.Options{}), "orders-reporting"))
	for _, key := range []string{"rds-custom-admin", "rds-managed-password", "backup-plan", "backup-independent-copy"} {
		assert.Equal(t, baseline.NotApplicable, replica[key].Status, "%s: %s", key, replica[key].Detail)
		assert.True(t, strings.HasPrefix(replica[key].Detail, "read replica orders-reporting not judged: "), "%s: %s", key, replica[key].Detail)
	}
	assert.Equal(t, baseline.Fail, replica["rds-not-public"].Status)
	assert.Equal(t, "orders-reporting: publiclyAccessible is true, want false", replica["rds-not-public"].Detail)
}

// A Multi-AZ DB cluster (engine postgres on a cluster) was neither an instance nor an Aurora
// cluster to the audit, which passed over it in silence. It is judged as one database, on the
// cluster's own host settings.
func TestAMultiAZDBClusterIsAudited(t *testing.T) {
	t.Parallel()
	srv, id := servers.Account(t)
	cfg, ctx := srv.ConfigIn(id), awstest.Ctx(t)
	// As AWS reports it, whole: a live version is no pin.
	_, err := rds.NewFromConfig(cfg).CreateDBCluster(ctx, &rds.CreateDBClusterInput{
		DBClusterIdentifier: aws.String("orders-multiaz"), Engine: aws.String("postgres"), EngineVersion: aws.String("16.4"),
		DBClusterInstanceClass: aws.String("db.m6gd.large"), StorageType: aws.String("io1"), AllocatedStorage: aws.Int32(100), Iops: aws.Int32(1000),
		MasterUsername: aws.String("orders_admin"), ManageMasterUserPassword: aws.Bool(true), PubliclyAccessible: aws.Bool(true)})
	require.NoError(t, err)
	got := rows(database(t, runAudit(t, cfg, audit.Options{}), "orders-multiaz"))
	for key, detail := range map[string]string{
		"rds-encrypted":  "orders-multiaz: storageEncrypted is false, want true",
		"rds-not-public": "orders-multiaz: publiclyAccessible is true, want false",
	} {
		assert.Equal(t, baseline.Fail, got[key].Status, "%s: %s", key, got[key].Detail)
		assert.Equal(t, detail, got[key].Detail, key)
	}
	for _, key := range []string{"rds-multi-az", "rds-supported-engine"} {
		assert.Equal(t, baseline.Pass, got[key].Status, "%s: %s", key, got[key].Detail)
	}
}

// A source of read replicas keeps its master password itself, RDS managing none for such a
// source: the audit finds the library's secret (<identifier>-master-…) and judges it under the
// same rules as the plan, its rotation on and due within 30 days. Turned off, both
// rds-managed-password and rds-secret-rotation fail.
func TestASourceOfReplicasKeepsItsOwnRotatedSecret(t *testing.T) {
	t.Parallel()
	srv, id := servers.Account(t)
	cfg, ctx := srv.ConfigIn(id), awstest.Ctx(t)
	key, err := kms.NewFromConfig(cfg).CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("orders-own storage")})
	require.NoError(t, err)
	keyArn := key.KeyMetadata.Arn
	client := rds.NewFromConfig(cfg)
	_, err = client.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("orders-own"), Engine: aws.String("postgres"),
		EngineVersion: aws.String("17.4"), DBInstanceClass: aws.String("db.m7g.large"), AllocatedStorage: aws.Int32(100),
		MasterUsername: aws.String("dbadmin"), MasterUserPassword: aws.String("generated-by-the-stack-0123456789"), StorageEncrypted: aws.Bool(true), KmsKeyId: keyArn})
	require.NoError(t, err)
	_, err = client.CreateDBInstanceReadReplica(ctx, &rds.CreateDBInstanceReadReplicaInput{
		DBInstanceIdentifier: aws.String("orders-own-ro-1"), SourceDBInstanceIdentifier: aws.String("orders-own")})
	require.NoError(t, err)
	secrets := secretsmanager.NewFromConfig(cfg)
	secret, err := secrets.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("orders-own-master-20261207"), KmsKeyId: keyArn,
		SecretString: aws.String(`{"engine":"postgres","username":"dbadmin","password":"generated-by-the-stack-0123456789"}`)})
	require.NoError(t, err)
	awstest.TurnOnRotation(t, ctx, cfg, aws.ToString(secret.ARN), 30)

	got := rows(database(t, runAudit(t, cfg, audit.Options{}), "orders-own"))
	assert.Equal(t, baseline.Pass, got["rds-managed-password"].Status, got["rds-managed-password"].Detail)
	assert.Contains(t, got["rds-managed-password"].Detail, "orders-own: a source of read replicas, so its master password is the stack's own (secret orders-own-master-20261207 under a stack key), rotated every 30 days")
	assert.Equal(t, baseline.Pass, got["rds-secret-rotation"].Status, got["rds-secret-rotation"].Detail)

	_, err = secrets.CancelRotateSecret(ctx, &secretsmanager.CancelRotateSecretInput{SecretId: secret.ARN})
	require.NoError(t, err)
	got = rows(database(t, runAudit(t, cfg, audit.Options{}), "orders-own"))
	assert.Equal(t, baseline.Fail, got["rds-managed-password"].Status)
	assert.Equal(t, "orders-own: master secret orders-own-master-20261207: rotation is off: the password the stack generated stays valid", got["rds-managed-password"].Detail)
	assert.Equal(t, baseline.Fail, got["rds-secret-rotation"].Status)
	assert.Equal(t, "orders-own: master secret orders-own-master-20261207: rotation is off: the password no longer changes; turn it on again (aws secretsmanager rotate-secret --secret-id "+aws.ToString(secret.ARN)+")", got["rds-secret-rotation"].Detail)
}
