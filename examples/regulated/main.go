// Command regulated is the decision matrix's "Enterprise regulated (HIPAA/PCI)": the hardened
// defaults, none relaxed. pgAudit logs DDL and role changes; every store is encrypted under a
// customer key of its own; VPC Flow Logs record every connection to the database's subnets; the
// PostgreSQL logs stream into an archive under S3 Object Lock in COMPLIANCE mode, which nobody,
// the account root included, can shorten; backups go to a locked vault and are replicated to
// another Region.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
)

func main() { pulumi.Run(program) }

func program(ctx *pulumi.Context) error {
	db, err := hardenedpg.NewDatabase(ctx, "claims", &hardenedpg.DatabaseArgs{
		Instance: hardenedpg.InstanceSettings{Identifier: "claims-prod", IAMDatabaseUsers: []string{"claims_api", "claims_auditor"}},
		Network: hardenedpg.NetworkSettings{
			VpcID:                   pulumi.String("vpc-0a1b2c3d4e5f60001"),
			SubnetIDs:               []string{"subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012", "subnet-0a1b2c3d4e5f60013"},
			AllowedSecurityGroupIDs: []string{"sg-0a1b2c3d4e5f60021"},
		},
		// No Logs.DestinationArn: the logs stream into the stack's own Object Lock archive.
		Archive:     hardenedpg.ArchiveSettings{RetentionDays: 2192}, // six years, HIPAA's retention of policies and records
		Alerts:      hardenedpg.AlertSettings{Emails: []string{"security-oncall@example.com"}},
		Replication: hardenedpg.ReplicationSettings{Region: "eu-central-1"},
		Tags: pulumi.StringMap{
			"environment": pulumi.String("prod"), "owner": pulumi.String("claims-team"), "data-classification": pulumi.String("phi"),
		},
	})
	if err != nil {
		return err
	}
	ctx.Export("endpoint", db.Instance.Endpoint)
	ctx.Export("archiveBucket", db.Archive.Bucket.Bucket)
	return nil
}
