// Command startup is the decision matrix's "Startup MVP": the cheapest honest configuration. One
// small single-AZ instance, no standby, no backup vault, no flow logs, no archive: each relaxation
// is a waiver that says why, and everything else stays hardened (encryption under its own keys,
// TLS, IAM sign-in, pgAudit, private subnets, alerts to the founders).
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
)

func main() { pulumi.Run(program) }

// waivers are every relaxation the MVP makes, each with why.
var waivers = baseline.Waivers{
	"rds-multi-az":             "MVP: an hour of downtime a year costs less than a standby",
	"rds-performance-insights": "MVP: db.t4g.micro; slow queries are read from the postgresql log",
	"rds-enhanced-monitoring":  "MVP: CloudWatch's basic metrics suffice at this size",
	"backup-plan":              "MVP: RDS automated backups (35 days, point-in-time) are the only copy we pay for",
	"backup-independent-copy":  "MVP: accepted risk until the first enterprise customer; revisit then",
	"vpc-flow-logs":            "MVP: no traffic investigations to support yet; the database is reachable only from the app's group",
	"logs-shipped":             "MVP: no central log account yet; the log groups keep a year under our key",
}

func program(ctx *pulumi.Context) error {
	db, err := hardenedpg.NewDatabase(ctx, "app", &hardenedpg.DatabaseArgs{
		Instance: hardenedpg.InstanceSettings{
			Identifier: "app", InstanceClass: "db.t4g.micro", AllocatedStorageGB: 20, MaxAllocatedStorageGB: 100,
			SingleAZ: true, DisablePerformanceInsights: true, DisableEnhancedMonitoring: true,
			IAMDatabaseUsers: []string{"app"},
		},
		Network: hardenedpg.NetworkSettings{
			VpcID:                   pulumi.String("vpc-0a1b2c3d4e5f60001"),
			SubnetIDs:               []string{"subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012"},
			AllowedSecurityGroupIDs: []string{"sg-0a1b2c3d4e5f60021"},
		},
		Alerts:   hardenedpg.AlertSettings{Emails: []string{"founders@example.com"}},
		Backup:   hardenedpg.BackupSettings{Skip: true},
		FlowLogs: hardenedpg.FlowLogSettings{Skip: true},
		Archive:  hardenedpg.ArchiveSettings{Skip: true},
		Tags:     pulumi.StringMap{"environment": pulumi.String("prod"), "owner": pulumi.String("founders")},
		Waivers:  waivers,
	})
	if err != nil {
		return err
	}
	ctx.Export("endpoint", db.Instance.Endpoint)
	return nil
}
