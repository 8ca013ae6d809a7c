package hardenedpg_test

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
)

// A whole hardened database from one call, checked offline against the control catalog.
func ExampleNewDatabase() {
	m := hardenedpgtest.New() // in a real program: pulumi.Run
	err := m.Run("shop", "prod", nil, nil, func(ctx *pulumi.Context) error {
		db, err := hardenedpg.NewDatabase(ctx, "orders", &hardenedpg.DatabaseArgs{
			Instance: hardenedpg.InstanceSettings{Identifier: "orders-prod", IAMDatabaseUsers: []string{"orders_api"}},
			Network: hardenedpg.NetworkSettings{
				VpcID:                   pulumi.String("vpc-0a1b2c3d4e5f60001"),
				SubnetIDs:               []string{"subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012"},
				AllowedSecurityGroupIDs: []string{"sg-0a1b2c3d4e5f60021"},
			},
			Logs:        hardenedpg.LogSettings{DestinationArn: "arn:aws:logs:eu-west-1:210987654321:destination:central-audit"},
			Alerts:      hardenedpg.AlertSettings{Emails: []string{"shop-oncall@example.com"}},
			Replication: hardenedpg.ReplicationSettings{Region: "eu-central-1"},
			Tags:        pulumi.StringMap{"environment": pulumi.String("prod"), "owner": pulumi.String("shop")},
		})
		if err != nil {
			return err
		}
		ctx.Export("endpoint", db.Instance.Endpoint)
		return nil
	})
	fmt.Println("error:", err)
	s := baseline.Summarize(baseline.Evaluate(m.Graph(), nil))
	fmt.Printf("%d resources; controls: %d fail, %d waived\n", len(m.Resources()), s.Fail, s.Waived)
	// Output:
	// error: <nil>
	// 72 resources; controls: 0 fail, 0 waived
}

// A relaxation is the weaker setting plus a waiver that says why; without the waiver nothing is
// created and the error names the field and the control.
func ExampleDatabaseArgs_Validate() {
	args := &hardenedpg.DatabaseArgs{
		Instance: hardenedpg.InstanceSettings{Identifier: "orders-dev", SingleAZ: true},
		Network: hardenedpg.NetworkSettings{
			VpcID:     pulumi.String("vpc-0a1b2c3d4e5f60001"),
			SubnetIDs: []string{"subnet-0a1b2c3d4e5f60011", "subnet-0a1b2c3d4e5f60012"},
		},
		Logs:        hardenedpg.LogSettings{DestinationArn: "arn:aws:logs:eu-west-1:210987654321:destination:central-audit"},
		Alerts:      hardenedpg.AlertSettings{Emails: []string{"shop-oncall@example.com"}},
		Replication: hardenedpg.ReplicationSettings{Region: "eu-central-1"},
		Tags:        pulumi.StringMap{"environment": pulumi.String("dev"), "owner": pulumi.String("shop")},
	}
	fmt.Println(args.Validate())
	args.Waivers = baseline.Waivers{"rds-multi-az": "dev tolerates an outage"}
	fmt.Println(args.Validate())
	// Output:
	// invalid arguments:
	//   Instance.SingleAZ = true: relaxes control rds-multi-az (hardened: false: a standby in a second zone); set it back or add a waiver for rds-multi-az with the reason
	// <nil>
}

// The SQL run once inside the database: roles, IAM users without passwords, grants, pgAudit.
func ExampleBootstrapSQL() {
	sql, err := hardenedpg.BootstrapSQL(hardenedpg.BootstrapArgs{Database: "orders", AppUsers: []string{"orders_api"}})
	if err != nil {
		panic(err)
	}
	for _, line := range strings.Split(sql, "\n") {
		if strings.HasPrefix(line, "GRANT") {
			fmt.Println(line)
		}
	}
	// Output:
	// GRANT rds_iam TO "orders_api";
	// GRANT "orders_app" TO "orders_api";
	// GRANT "orders_owner" TO CURRENT_USER;
	// GRANT CONNECT ON DATABASE "orders" TO "orders_owner", "orders_app", "orders_readonly";
	// GRANT USAGE ON SCHEMA "app" TO "orders_app", "orders_readonly";
	// GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "app" TO "orders_app";
	// GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "app" TO "orders_app";
	// GRANT SELECT ON ALL TABLES IN SCHEMA "app" TO "orders_readonly";
}
