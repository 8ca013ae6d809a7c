package audit_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/hardenedpg/pulumi-hardenedpg/internal/audit"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/audit/awstest"
)

// BenchmarkAudit measures one audit of each shape on a local moto server: the calls, the graph
// and the catalog. Against AWS the round trips dominate.
func BenchmarkAudit(b *testing.B) {
	for _, sh := range shapes {
		b.Run(sh.stack, func(b *testing.B) {
			srv := awstest.StartMoto(b)
			p := stackPlan(b, sh.stack)
			awstest.Create(b, awstest.Ctx(b), srv.Config(), p.Graph)
			b.ReportAllocs()
			var calls int
			for b.Loop() {
				rep, err := audit.Run(awstest.Ctx(b), srv.Config(), audit.Options{Today: today})
				if err != nil || len(rep.Databases) != 1 || rep.Databases[0].Identifier != sh.database {
					b.Fatalf("audit: %v, %d databases", err, len(rep.Databases))
				}
				calls = len(rep.Calls)
			}
			b.ReportMetric(float64(calls), "actions")
		})
	}
}

// BenchmarkFleet measures a fleet audit on moto: an Organization of three accounts read in two
// Regions, the prod and Aurora shapes in two of them and two hand-made instances in every
// account-Region; serial, and eight account-Regions at a time.
func BenchmarkFleet(b *testing.B) {
	srv := awstest.StartMoto(b)
	ctx := awstest.Ctx(b)
	members := awstest.Organization(b, ctx, srv.Config(), "analytics", "sandbox")
	awstest.Create(b, ctx, srv.Config(), stackPlan(b, "prod").Graph)
	awstest.Create(b, ctx, awstest.AssumeRole(srv.Config(), members[0], "audit"), stackPlan(b, "aurora").Graph)
	regions := []string{"eu-west-1", "us-east-1"}
	for _, account := range append([]string{awstest.Account}, members...) {
		for _, region := range regions {
			cfg := awstest.AssumeRole(srv.Config(), account, "audit")
			cfg.Region = region
			for _, id := range []string{"reporting", "scratch"} {
				_, err := rds.NewFromConfig(cfg).CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(id), Engine: aws.String("postgres"),
					DBInstanceClass: aws.String("db.t4g.micro"), AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("dbadmin"), ManageMasterUserPassword: aws.Bool(true)})
				if err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	for _, parallel := range []int{1, 8} {
		b.Run(fmt.Sprintf("parallel-%d", parallel), func(b *testing.B) {
			var databases int
			for b.Loop() {
				fleet, err := audit.RunFleet(ctx, srv.Config(), audit.FleetOptions{Org: true, Role: "audit", Regions: regions, Parallel: parallel, Options: audit.Options{Today: today}})
				if err != nil || len(fleet.Reports) != 6 {
					b.Fatalf("fleet: %v, %d account-Regions", err, len(fleet.Reports))
				}
				databases = 0
				for _, r := range fleet.Reports {
					databases += len(r.Databases)
				}
			}
			b.ReportMetric(float64(databases), "databases")
			b.ReportMetric(6, "account-regions")
		})
	}
}
