// Package audit judges what is live: it reads an AWS account and region through aws-sdk-go-v2,
// builds for each PostgreSQL database found the graph the catalog evaluates (the provider's
// property names, as a plan records them) and evaluates the catalog over it. What it could not
// read leaves the controls it feeds unproven, never passed.
package audit

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// Database is the audit of one database: what was read, the scorecard, and the calls that failed.
type Database struct {
	Identifier string
	Graph      *baseline.Graph
	Controls   []baseline.Result
	Summary    baseline.Summary
	Failures   []Failure
}

// Report is one audit of an account and region.
type Report struct {
	Account   string
	Region    string
	Databases []Database
	// Failures are the calls that failed before any database was read (the listing itself).
	Failures []Failure
	// Calls are the actions the audit made, as IAM names them.
	Calls []string
	// SecurityHub is what the import of its findings did, when asked for (-security-hub).
	SecurityHub *Export
}

// Denied lists the failures, of the report and of every database, that AWS refused for lack of
// permission.
func (r *Report) Denied() []Failure {
	var out []Failure
	all := slices.Clone(r.Failures)
	for _, d := range r.Databases {
		all = append(all, d.Failures...)
	}
	for _, f := range all {
		if f.Denied && !slices.ContainsFunc(out, func(o Failure) bool { return o.Action == f.Action }) {
			out = append(out, f)
		}
	}
	return out
}

// Options are the audit's settings.
type Options struct {
	// Waivers relax controls as the stack's hardenedpg:waivers or the pack config do.
	Waivers baseline.Waivers
	// Today is the day support dates are judged on; zero is the clock's.
	Today time.Time
	// APIOptions are added to every client's middleware (a test's fault, a caller's logging).
	APIOptions []func(*middleware.Stack) error
}

// Run reads the account and region of cfg and judges every PostgreSQL database in it.
func Run(ctx context.Context, cfg aws.Config, opts Options) (*Report, error) {
	log := &callLog{}
	cfg = withCallLog(cfg, log)
	cfg.APIOptions = append(cfg.APIOptions, opts.APIOptions...)
	c := newClients(cfg)
	report := &Report{Region: cfg.Region}
	if report.Region == "" {
		return nil, fmt.Errorf("no region: set AWS_REGION or a profile's region")
	}
	top := &block{urns: map[string]bool{}}
	id, err := c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if top.ok("sts:GetCallerIdentity", "", err) {
		report.Account = aws.ToString(id.Account)
	}
	var instances []rdstypes.DBInstance
	pager := rds.NewDescribeDBInstancesPaginator(c.rds, &rds.DescribeDBInstancesInput{})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if !top.ok("rds:DescribeDBInstances", "", err) {
			break
		}
		instances = append(instances, page.DBInstances...)
	}
	report.Failures = top.failures
	acct := &accountReads{}
	for _, db := range instances {
		// Aurora's instances are judged with their cluster; other engines are not this catalog's.
		if aws.ToString(db.Engine) != "postgres" || db.DBClusterIdentifier != nil {
			continue
		}
		blk := c.readInstance(ctx, db, acct)
		blk.graph.Today = opts.Today
		report.Databases = append(report.Databases, judge(aws.ToString(db.DBInstanceIdentifier), blk, opts.Waivers))
	}
	var clusters []rdstypes.DBCluster
	clusterPager := rds.NewDescribeDBClustersPaginator(c.rds, &rds.DescribeDBClustersInput{})
	for clusterPager.HasMorePages() {
		page, err := clusterPager.NextPage(ctx)
		if !top.ok("rds:DescribeDBClusters", "", err) {
			break
		}
		clusters = append(clusters, page.DBClusters...)
	}
	report.Failures = top.failures
	for _, cluster := range clusters {
		// Aurora PostgreSQL, and a Multi-AZ DB cluster of RDS for PostgreSQL.
		if e := aws.ToString(cluster.Engine); e != baseline.AuroraEngine && e != "postgres" {
			continue
		}
		blk := c.readCluster(ctx, cluster, membersOf(cluster, instances), acct)
		// Its instances come from the instance listing: if that failed, so did their reading.
		blk.failures = append(blk.failures, listingFailures(top.failures, "rds:DescribeDBInstances")...)
		blk.graph.Today = opts.Today
		report.Databases = append(report.Databases, judge(aws.ToString(cluster.DBClusterIdentifier), blk, opts.Waivers))
	}
	slices.SortFunc(report.Databases, func(a, b Database) int { return strings.Compare(a.Identifier, b.Identifier) })
	report.Calls = log.Actions()
	return report, nil
}

func listingFailures(fs []Failure, action string) []Failure {
	var out []Failure
	for _, f := range fs {
		if f.Action == action {
			out = append(out, f)
		}
	}
	return out
}

// NotKept are the controls whose evidence AWS keeps no state of: arguments of a delete or a
// schedule, given when it happens. A pass on them would be a claim the account cannot back.
var NotKept = map[string]string{
	"rds-final-snapshot":  "skipFinalSnapshot and finalSnapshotIdentifier are arguments of DeleteDBInstance and DeleteDBCluster, not state AWS keeps: the stack's plan holds them (deletion protection is judged by rds-deletion-protection)",
	"kms-deletion-window": "deletionWindowInDays is an argument of ScheduleKeyDeletion, not state AWS keeps: the stack's plan holds it",
}

// Unplanned says the plan could not judge the control (its row is not applicable) because what
// it judges exists at run time only, snapshots or a secret's rotation: the live row stands alone.
func Unplanned(planned baseline.Result) bool {
	c, _ := baseline.Lookup(planned.Key)
	return c.Runtime != "" && planned.Status == baseline.NotApplicable
}

// judge evaluates the catalog over a block, then makes unproven what a failed call fed and what
// AWS keeps no state of.
func judge(identifier string, blk *block, waivers baseline.Waivers) Database {
	results := baseline.Evaluate(blk.graph, waivers)
	for i := range results {
		// A control found not applicable is unproven too when a call that feeds it failed: the
		// resources it judges may be what was not read.
		r := &results[i]
		var unread []string
		for _, f := range blk.failures {
			if call, _ := callOf(f.Action); slices.Contains(call.Controls, r.Key) {
				unread = append(unread, f.String())
			}
		}
		for _, u := range blk.unreadEvidence {
			if slices.Contains(u.controls, r.Key) {
				unread = append(unread, u.reason)
			}
		}
		reason, unkept := NotKept[r.Key]
		switch {
		case r.Status == baseline.Waived:
		case len(unread) > 0:
			found := r.Detail
			r.Status, r.Waiver = baseline.Unproven, ""
			r.Detail = "not read: " + strings.Join(unread, "; ") + " (found otherwise: " + found + ")"
		case unkept && (r.Status == baseline.Pass || r.Status == baseline.Fail && r.Key == "rds-final-snapshot"):
			r.Status, r.Waiver, r.Detail = baseline.Unproven, "", reason
		}
	}
	return Database{Identifier: identifier, Graph: blk.graph, Controls: results, Summary: baseline.Summarize(results), Failures: blk.failures}
}
