package audit_test

import (
	"testing"

	"github.com/hardenedpg/pulumi-hardenedpg/internal/audit"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/audit/awstest"
)

// BenchmarkAuditOfTheProdShape measures one audit of the prod shape on a local moto server: the
// calls, the graph and the catalog. Against AWS the round trips dominate.
func BenchmarkAuditOfTheProdShape(b *testing.B) {
	srv := awstest.StartMoto(b)
	p := prodPlanFor(b)
	awstest.Create(b, awstest.Ctx(b), srv.Config(), p.Graph)
	b.ReportAllocs()
	var calls int
	for b.Loop() {
		rep, err := audit.Run(awstest.Ctx(b), srv.Config(), audit.Options{Today: today})
		if err != nil || len(rep.Databases) != 1 {
			b.Fatalf("audit: %v, %d databases", err, len(rep.Databases))
		}
		calls = len(rep.Calls)
	}
	b.ReportMetric(float64(calls), "actions")
}
