package plan_test

import (
	"fmt"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/plan"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/stack"
)

// BenchmarkPlan is what `make plan` does for each stack: run the program under the mock monitor
// and evaluate every control.
func BenchmarkPlan(b *testing.B) {
	for _, name := range []string{"prod", "aurora", "restore", "multiaz", "reporting"} {
		b.Run(name, func(b *testing.B) {
			sc, err := plan.ReadStackConfig("../..", name)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				res, err := plan.Run(sc, nil, stack.Program)
				if err != nil || res.Summary.Fail != 0 {
					b.Fatalf("plan: %v, %+v", err, res.Summary)
				}
			}
		})
	}
}

// BenchmarkPlanAsAFirstPreview is bin/plan -preview: the program answered as a first preview,
// the graph linked through property dependencies, and every control judged on what it reads.
func BenchmarkPlanAsAFirstPreview(b *testing.B) {
	for _, name := range []string{"prod", "aurora", "multiaz", "reporting"} {
		b.Run(name, func(b *testing.B) {
			sc, err := plan.ReadStackConfig("../..", name)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				m := hardenedpgtest.New()
				m.PreviewFirst()
				res, err := plan.Run(sc, m, stack.Program)
				if err != nil || res.Summary.Fail != 0 {
					b.Fatalf("plan: %v, %+v", err, res.Summary)
				}
			}
		})
	}
}

// BenchmarkDatabases runs one program with n databases and evaluates the catalog over it; the
// per-database figure shows whether the cost grows linearly with n.
func BenchmarkDatabases(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			var resources int
			for b.Loop() {
				m := hardenedpgtest.New()
				err := m.Run("bench", "bench", nil, nil, func(ctx *pulumi.Context) error {
					for i := range n {
						id := fmt.Sprintf("db%03d", i)
						_, err := hardenedpg.NewDatabase(ctx, id, &hardenedpg.DatabaseArgs{
							Instance: hardenedpg.InstanceSettings{Identifier: id},
							Network: hardenedpg.NetworkSettings{
								VpcID:                   pulumi.String(hardenedpgtest.DefaultVpcID),
								SubnetIDs:               []string{fmt.Sprintf("subnet-%08xa", i), fmt.Sprintf("subnet-%08xb", i)},
								AllowedSecurityGroupIDs: []string{"sg-0000000c"},
							},
							Logs:        hardenedpg.LogSettings{DestinationArn: "arn:aws:logs:eu-west-1:210987654321:destination:audit"},
							Alerts:      hardenedpg.AlertSettings{Emails: []string{"bench@example.com"}},
							Replication: hardenedpg.ReplicationSettings{Region: "eu-central-1"},
							Tags:        pulumi.StringMap{"environment": pulumi.String("bench"), "owner": pulumi.String("bench")},
						})
						if err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				g := m.Graph()
				if s := baseline.Summarize(baseline.Evaluate(g, nil)); s.Fail != 0 {
					b.Fatalf("%d controls fail", s.Fail)
				}
				resources = len(g.Resources)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n)/1e6, "ms/database")
			b.ReportMetric(float64(resources), "resources")
		})
	}
}
