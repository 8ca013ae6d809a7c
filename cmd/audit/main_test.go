package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/audit"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/audit/awstest"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/plan"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/stack"
)

// pointAt sets the standard AWS settings (AWS_ENDPOINT_URL, AWS_REGION, credentials) to the
// server, as a user's shell would: the audit finds it through the SDK's own configuration.
func pointAt(t *testing.T, srv *awstest.Server) {
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}

func audited(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func prodShape(t *testing.T) (*awstest.Server, *plan.Result) {
	t.Helper()
	srv := awstest.StartMoto(t)
	sc, err := plan.ReadStackConfig("../..", "prod")
	require.NoError(t, err)
	p, err := plan.Run(sc, nil, stack.Program)
	require.NoError(t, err)
	awstest.Create(t, awstest.Ctx(t), srv.Config(), p.Graph)
	pointAt(t, srv)
	return srv, p
}

func TestAuditPrintsTheProdShapesScorecard(t *testing.T) {
	prodShape(t)
	code, out, errOut := audited(t, "-stack", "prod", "-dir", "../..")
	// moto lacks what some controls read (awstest.MotoCannot): those rows fail or stay unproven.
	assert.Equal(t, exitFailed, code, errOut)
	for _, want := range []string{
		"== 123456789012/eu-west-1/orders-prod\n",
		"STATUS          CONTROL                   REFERENCES                          DETAIL\n",
		"PASS            rds-not-public            RDS.2 CKV_AWS_17 2.2.3              publiclyAccessible is false\n",
		"PASS            pg-force-ssl              RDS.38 CKV2_AWS_69                  rds.force_ssl 1\n",
		"UNPROVEN        rds-final-snapshot        -                                   " + audit.NotKept["rds-final-snapshot"] + "\n",
		"NOT READ backup:ListBackupSelections ",
		"\n123456789012/eu-west-1/orders-prod: ",
	} {
		assert.Contains(t, out, want)
	}
	assert.Equal(t, "audit: not everything was read (its controls are unproven; NOT READ lines name the calls): 123456789012/eu-west-1\n", errOut)
}

// TestTheAuditsJSONIsThePlansSchema runs bin/plan -json on prod and the audit -json on the prod
// shape: both decode, field for field, as plan.Document, and their rows agree wherever moto
// holds the evidence.
func TestTheAuditsJSONIsThePlansSchema(t *testing.T) {
	prodShape(t)
	code, out, errOut := audited(t, "-json")
	require.Equal(t, exitFailed, code, errOut)
	var live []plan.Document
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&live))
	require.Len(t, live, 1)

	var planJSON bytes.Buffer
	sc, err := plan.ReadStackConfig("../..", "prod")
	require.NoError(t, err)
	res, err := plan.Run(sc, nil, stack.Program)
	require.NoError(t, err)
	require.NoError(t, plan.WriteJSON(&planJSON, res))
	var planned plan.Document
	dec = json.NewDecoder(&planJSON)
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&planned))

	doc := live[0]
	assert.Equal(t, "123456789012/eu-west-1", doc.Project)
	assert.Equal(t, "orders-prod", doc.Stack)
	assert.Equal(t, "orders-prod", doc.Outputs["identifier"])
	require.Len(t, doc.Controls, len(planned.Controls))
	for i, p := range planned.Controls {
		l := doc.Controls[i]
		assert.Equal(t, p.Key, l.Key)
		assert.Equal(t, p.Title, l.Title)
		assert.Equal(t, p.Refs, l.Refs)
		if awstest.MotoCannot[p.Key] == "" && audit.NotKept[p.Key] == "" && !audit.Unplanned(p) {
			assert.Equal(t, p.Status, l.Status, "%s: planned %q, live %q", p.Key, p.Detail, l.Detail)
		}
	}
	for _, r := range doc.Resources {
		assert.True(t, strings.HasPrefix(r.URN, "arn:aws:"), "a live resource is named by its ARN: %s", r.URN)
	}
}

// TestCompareFindsDriftAndAnUnmanagedInstance changes the managed instance out of band and makes
// one by hand in the same subnets: -compare names both, and the hand-made one is judged too.
func TestCompareFindsDriftAndAnUnmanagedInstance(t *testing.T) {
	srv, p := prodShape(t)
	ctx := awstest.Ctx(t)
	client := rds.NewFromConfig(srv.Config())
	_, err := client.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: aws.String("orders-prod"), BackupRetentionPeriod: aws.Int32(3), ApplyImmediately: aws.Bool(true)})
	require.NoError(t, err)
	var subnetGroup string
	for _, r := range p.Graph.Resources {
		if r.Type == baseline.TypeInstance {
			subnetGroup, _ = r.Inputs["dbSubnetGroupName"].(string)
		}
	}
	_, err = client.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("hand-made"), Engine: aws.String("postgres"), EngineVersion: aws.String("17"),
		DBInstanceClass: aws.String("db.t4g.micro"), AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("postgres"), MasterUserPassword: aws.String("console-typed-1"),
		DBSubnetGroupName: aws.String(subnetGroup)})
	require.NoError(t, err)

	planFile := filepath.Join(t.TempDir(), "plan.json")
	var planJSON bytes.Buffer
	require.NoError(t, plan.WriteJSON(&planJSON, p))
	require.NoError(t, os.WriteFile(planFile, planJSON.Bytes(), 0o600))

	page := filepath.Join(t.TempDir(), "audit.html")
	code, out, errOut := audited(t, "-compare", planFile, "-report", page)
	assert.Equal(t, exitFailed, code, errOut)
	assert.Contains(t, out, "== 123456789012/eu-west-1/hand-made\n")
	// The auditor's page: each database, the managed one beside its plan.
	html, err := os.ReadFile(page) //nolint:gosec // the test's own file
	require.NoError(t, err)
	sections := map[string]string{}
	for _, s := range strings.Split(string(html), `<section class="stack" data-stack="123456789012/eu-west-1/`)[1:] {
		id, _, _ := strings.Cut(s, `"`)
		sections[id] = s
	}
	require.Len(t, sections, 2, "a section per database")
	managed, handMade := sections["orders-prod"], sections["hand-made"]
	assert.Contains(t, managed, "<td class=\"status fail\">fail</td><td class=\"status pass\">pass</td>\n<td><code>rds-backup-retention</code>", "live beside planned")
	assert.NotContains(t, handMade, "<th>planned</th>", "no plan has the hand-made database")
	assert.Contains(t, handMade, "hand-made: storageEncrypted is false, want true")
	assert.Contains(t, out, "FAIL            rds-encrypted ")
	assert.Contains(t, out, "hand-made: storageEncrypted is false, want true\n")
	compared := out[strings.Index(out, "\n== compared with "):]
	assert.Equal(t, "\n== compared with "+planFile+": 5 differences\n"+
		"UNMANAGED hand-made: a database the plan does not have\n"+
		"DIFFERS orders-prod aws:rds/instance:Instance orders-prod.backupRetentionPeriod: planned 35, live 3\n"+
		// moto's ListTags reads the ARN from the wrong part of Backup's path: it answers no tags.
		"DIFFERS orders-prod aws:backup/plan:Plan hardenedpg-orders-prod.tags: planned "+prodTags+", live {}\n"+
		"DIFFERS orders-prod aws:backup/vault:Vault hardenedpg-orders-prod.tags: planned "+prodTags+", live {}\n"+
		// moto cannot replicate automated backups (awstest.Skipped); the call that lists them works.
		"COUNT orders-prod aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication: 1 planned, 0 live\n", compared)
}

const prodTags = `{"data-classification":"confidential","environment":"prod","managed-by":"hardenedpg","owner":"platform-team"}`

func TestAuditRefusedExitsTwoNamingThePermission(t *testing.T) {
	srv := awstest.StartMoto(t)
	pointAt(t, srv)
	code, out, errOut := audited(t)
	assert.Equal(t, exitOK, code, errOut)
	assert.Equal(t, "123456789012/eu-west-1: no RDS for PostgreSQL instance or Aurora PostgreSQL cluster found\n", out)

	// A user who may do nothing: both listings are refused, and each refusal is named.
	ctx := awstest.Ctx(t)
	keys := awstest.User(t, ctx, srv.Config(), "nobody", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetCallerIdentity"],"Resource":"*"}]}`)
	t.Setenv("AWS_ACCESS_KEY_ID", keys[0])
	t.Setenv("AWS_SECRET_ACCESS_KEY", keys[1])
	srv.EnforceIAM(t)
	code, out, errOut = audited(t)
	assert.Equal(t, exitUnread, code)
	assert.Contains(t, out, "NOT READ rds:DescribeDBInstances: AccessDenied: ")
	assert.Contains(t, out, "NOT READ rds:DescribeDBClusters: AccessDenied: ")
	assert.Equal(t, "audit: AWS refused rds:DescribeDBInstances: grant the permission rds:DescribeDBInstances (audit -iam-policy prints all it needs)\n"+
		"audit: AWS refused rds:DescribeDBClusters: grant the permission rds:DescribeDBClusters (audit -iam-policy prints all it needs)\n"+
		"audit: not everything was read (its controls are unproven; NOT READ lines name the calls): 123456789012/eu-west-1\n", errOut)
}

func TestAuditBadFlags(t *testing.T) {
	code, _, errOut := audited(t, "-stack", "prod", "-pack-config", "x.json")
	assert.Equal(t, exitBadFlag, code)
	assert.Equal(t, "audit: give the waivers once: -stack or -pack-config, not both\n", errOut)

	file := filepath.Join(t.TempDir(), "pack.json")
	require.NoError(t, os.WriteFile(file, []byte(`{"hardenedpg-waivers": {"waivers": {"rds-not-public": "demo", "no-such-control": "x"}}}`), 0o600))
	code, _, errOut = audited(t, "-pack-config", file)
	assert.Equal(t, exitBadFlag, code)
	assert.Contains(t, errOut, `hardenedpg-waivers.waivers["no-such-control"]: `)
	assert.Contains(t, errOut, `hardenedpg-waivers.waivers["rds-not-public"]: `)

	code, _, errOut = audited(t, "prod")
	assert.Equal(t, exitBadFlag, code)
	assert.Equal(t, "audit: unexpected argument \"prod\"\n", errOut)

	code, out, _ := audited(t, "-iam-policy")
	assert.Equal(t, exitOK, code)
	assert.Equal(t, string(audit.ReadOnlyPolicy), out)
}

// TestAHandMadeAuroraClusterIsJudged: a cluster made in the console, with its instance, is one
// database of the audit, judged on the cluster and its instance together.
func TestAHandMadeAuroraClusterIsJudged(t *testing.T) {
	srv := awstest.StartMoto(t)
	pointAt(t, srv)
	ctx := awstest.Ctx(t)
	client := rds.NewFromConfig(srv.Config())
	_, err := client.CreateDBCluster(ctx, &rds.CreateDBClusterInput{DBClusterIdentifier: aws.String("orders-aurora"), Engine: aws.String("aurora-postgresql"),
		EngineVersion: aws.String("17.4"), MasterUsername: aws.String("postgres"), MasterUserPassword: aws.String("console-typed-1")})
	require.NoError(t, err)
	_, err = client.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("orders-aurora-1"), DBClusterIdentifier: aws.String("orders-aurora"),
		Engine: aws.String("aurora-postgresql"), DBInstanceClass: aws.String("db.r7g.large"), PubliclyAccessible: aws.Bool(true)})
	require.NoError(t, err)
	code, out, errOut := audited(t)
	assert.Equal(t, exitFailed, code, errOut)
	for _, want := range []string{
		"== 123456789012/eu-west-1/orders-aurora\n",
		"orders-aurora-1: publiclyAccessible is true, want false\n",
		"orders-aurora: storageEncrypted is false, want true\n",
		"orders-aurora: manageMasterUserPassword is false, want true",
	} {
		assert.Contains(t, out, want)
	}
}

// TestAnOrganizationIsAuditedAcrossAccountsAndRegions: an Organization of three accounts, read
// in two Regions by assuming a role in each account. The management account holds the prod
// shape, a member the Aurora shape, another a weak instance made by hand; every document names
// its account and Region, and the other account-Regions are read and hold nothing.
func TestAnOrganizationIsAuditedAcrossAccountsAndRegions(t *testing.T) {
	srv, _ := prodShape(t)
	ctx := awstest.Ctx(t)
	members := awstest.Organization(t, ctx, srv.Config(), "analytics", "sandbox")
	analytics, sandbox := members[0], members[1]

	sc, err := plan.ReadStackConfig("../..", "aurora")
	require.NoError(t, err)
	aurora, err := plan.Run(sc, nil, stack.Program)
	require.NoError(t, err)
	awstest.Create(t, ctx, awstest.AssumeRole(srv.Config(), analytics, "hardenedpg-audit"), aurora.Graph)

	weak := awstest.AssumeRole(srv.Config(), sandbox, "hardenedpg-audit")
	weak.Region = "us-east-1"
	_, err = rds.NewFromConfig(weak).CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("scratch"), Engine: aws.String("postgres"),
		DBInstanceClass: aws.String("db.t4g.micro"), AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("postgres"), MasterUserPassword: aws.String("hunter2hunter2"),
		PubliclyAccessible: aws.Bool(true)})
	require.NoError(t, err)

	code, out, errOut := audited(t, "-org", "-role", "hardenedpg-audit", "-regions", "eu-west-1,us-east-1", "-parallel", "3", "-json", "-security-hub")
	assert.Equal(t, exitFailed, code, errOut)
	var docs []plan.Document
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&docs))
	var judged []string
	for _, d := range docs {
		// Every document, and so each of its rows, says where it was read.
		assert.Equal(t, d.Project, d.Outputs["account"].(string)+"/"+d.Outputs["region"].(string))
		judged = append(judged, d.Project+"/"+d.Stack)
		if d.Stack == "scratch" {
			status := map[string]baseline.Status{}
			for _, c := range d.Controls {
				status[c.Key] = c.Status
			}
			assert.Equal(t, baseline.Fail, status["rds-not-public"])
			assert.Equal(t, baseline.Fail, status["rds-encrypted"])
			assert.Equal(t, baseline.Fail, status["rds-managed-password"])
		}
	}
	assert.ElementsMatch(t, []string{"123456789012/eu-west-1/orders-prod", analytics + "/eu-west-1/orders-aurora", sandbox + "/us-east-1/scratch"}, judged)
	// Six account-Regions were read; only the two shapes' miss a call moto lacks. Places are
	// listed in account order, and moto draws member account IDs at random.
	missed := []string{"123456789012/eu-west-1", analytics + "/eu-west-1"}
	slices.Sort(missed)
	assert.Contains(t, errOut, "audit: not everything was read (its controls are unproven; NOT READ lines name the calls): "+strings.Join(missed, "; ")+"\n")
	// Each database's findings went to its own account and Region.
	applicable := map[string]int{}
	for _, d := range docs {
		for _, c := range d.Controls {
			if c.Status != baseline.NotApplicable {
				applicable[d.Project]++
			}
		}
	}
	assert.Len(t, applicable, 3)
	for project, n := range applicable {
		assert.Contains(t, errOut, fmt.Sprintf("audit: Security Hub %s: %d findings imported, 0 marked resolved\n", project, n))
	}
	assert.Equal(t, 3+1, strings.Count(errOut, "\n"), errOut)
	hub := securityhub.NewFromConfig(weak)
	found, err := hub.GetFindings(ctx, &securityhub.GetFindingsInput{})
	require.NoError(t, err)
	assert.Len(t, found.Findings, applicable[sandbox+"/us-east-1"])
	for _, f := range found.Findings {
		assert.Equal(t, sandbox, aws.ToString(f.AwsAccountId))
	}

	code, out, _ = audited(t, "-accounts", sandbox, "-role", "hardenedpg-audit", "-regions", "eu-west-1,us-east-1")
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, out, sandbox+"/eu-west-1: no RDS for PostgreSQL instance or Aurora PostgreSQL cluster found\n")
	assert.Contains(t, out, "== "+sandbox+"/us-east-1/scratch\n")
}

func TestFleetFlagsAreCheckedBeforeAnyCall(t *testing.T) {
	for args, want := range map[string]string{
		"-org -accounts 111111111111 -role r":   "audit: give the accounts once: -accounts or -org, not both\n",
		"-org":                                  "audit: -role is required with -accounts and -org: the name of the role to assume in each account\n",
		"-role audit":                           "audit: -role needs -accounts or -org: the accounts to assume it in\n",
		"-accounts 1111 -role r":                "audit: -accounts: \"1111\" is not an account ID: want 12 digits, comma-separated\n",
		"-org -role arn:aws:iam::1:role/r":      "audit: -role \"arn:aws:iam::1:role/r\": want a role's name (letters, digits and +=,.@_-, up to 64), not its ARN\n",
		"-regions eu-west-1,Europe":             "audit: -regions: \"Europe\" is not a Region: want names such as eu-west-1, comma-separated, or all\n",
		"-regions all -parallel 0":              "audit: -parallel 0: want 1 or more\n",
		"-regions eu-west-1 -compare plan.json": "audit: -compare judges one account and Region against its stack's plan: give it without -accounts, -org or -regions\n",
		"-parallel 8":                           "audit: -parallel needs -accounts, -org or -regions: one account and Region is read by itself\n",
	} {
		code, out, errOut := audited(t, strings.Fields(args)...)
		assert.Equal(t, exitBadFlag, code, args)
		assert.Empty(t, out, args)
		assert.Equal(t, want, errOut, args)
	}
}
