// Command multi-tenant is the decision matrix's "Multi-tenant SaaS": one database, two ways to keep
// tenants apart, both in the bootstrap SQL it exports. Small tenants share the app schema's
// tables under row-level security (a row is seen and written only under SET app.tenant_id); large
// or regulated tenants get a schema and a role of their own, which no other tenant, and not the
// app role, can use. What PostgreSQL makes of both is proven in internal/pgtest
// (TestBootstrapLeastPrivilege, TestTenantSchemasAreIsolated).
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
)

func main() { pulumi.Run(program) }

// bootstrap is the layout inside the database: run its SQL as the master user after `up`.
var bootstrap = hardenedpg.BootstrapArgs{
	Database: "saas", MigrationUsers: []string{"saas_migrator"}, AppUsers: []string{"saas_api"},
	TenantTables: []string{"projects", "invoices"}, // shared tables, one row per tenant's record
	Tenants: map[string][]string{ // tenants with a schema of their own, and their users
		"acme":   {"saas_acme_etl"},
		"globex": {"saas_globex_etl"},
	},
}

func program(ctx *pulumi.Context) error {
	db, err := hardenedpg.NewDatabase(ctx, "saas", &hardenedpg.DatabaseArgs{
		Instance: hardenedpg.InstanceSettings{Identifier: "saas-prod",
			IAMDatabaseUsers: []string{"saas_migrator", "saas_api", "saas_acme_etl", "saas_globex_etl"}},
		Network: hardenedpg.NetworkSettings{
			VpcID:                   pulumi.String("vpc-0a1b2c3d4e5f60001"),
			SubnetIDs:               []string{"subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012"},
			AllowedSecurityGroupIDs: []string{"sg-0a1b2c3d4e5f60021"},
		},
		Logs:        hardenedpg.LogSettings{DestinationArn: "arn:aws:logs:eu-west-1:210987654321:destination:central-audit"},
		Alerts:      hardenedpg.AlertSettings{Emails: []string{"saas-oncall@example.com"}},
		Replication: hardenedpg.ReplicationSettings{Region: "eu-central-1"},
		Tags:        pulumi.StringMap{"environment": pulumi.String("prod"), "owner": pulumi.String("saas-team")},
	})
	if err != nil {
		return err
	}
	sql, err := hardenedpg.BootstrapSQL(bootstrap)
	if err != nil {
		return err
	}
	ctx.Export("endpoint", db.Instance.Endpoint)
	ctx.Export("bootstrapSql", pulumi.String(sql))
	return nil
}
