package audit_test

import (
	"testing"

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
