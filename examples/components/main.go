// Command components composes the hardenedpg components by hand, the way a team with its own
// key and its own engine parameters would: a platform-owned KMS key, a parameter group with an
// extra extension and one waived relaxation, and the instance wired to them.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
)

func main() {
	pulumi.Run(program)
}

// waivers is the one relaxation of this stack, with its reason.
var waivers = baseline.Waivers{
	"pg-log-redaction": "analytics replica: slow queries are read from the log; no password is ever sent in SQL here (IAM sign-in only)",
}

func program(ctx *pulumi.Context) error {
	tags := pulumi.StringMap{"environment": pulumi.String("prod"), "owner": pulumi.String("analytics")}
	key, err := hardenedpg.NewEncryptionKey(ctx, "analytics-key", &hardenedpg.EncryptionKeyArgs{
		Description: "analytics database storage", Alias: "analytics/db",
		ViaServices: []string{"rds", "secretsmanager"},
		KeySettings: hardenedpg.KeySettings{AdminArns: []string{"arn:aws:iam::123456789012:role/platform-kms-admins"}},
		Tags:        tags,
	})
	if err != nil {
		return err
	}
	params, err := hardenedpg.NewParameterGroup(ctx, "analytics-params", &hardenedpg.ParameterGroupArgs{
		EngineMajorVersion: "16",
		Parameters: []hardenedpg.Parameter{
			{Name: "shared_preload_libraries", Value: "pg_stat_statements,pgaudit,auto_explain"},
			{Name: "work_mem", Value: "262144"},
			{Name: "log_min_duration_statement", Value: "5000"}, // relaxed: see waivers
		},
		Tags:    tags,
		Waivers: waivers,
	})
	if err != nil {
		return err
	}
	subnets, err := hardenedpg.NewSubnetGroup(ctx, "analytics-subnets", &hardenedpg.SubnetGroupArgs{
		SubnetGroupSettings: hardenedpg.SubnetGroupSettings{SubnetIDs: []string{"subnet-0000000000000001a", "subnet-0000000000000001b"}},
		Tags:                tags,
	})
	if err != nil {
		return err
	}
	sg, err := hardenedpg.NewSecurityGroup(ctx, "analytics-sg", &hardenedpg.SecurityGroupArgs{
		Port: 6543, SecurityGroupSettings: hardenedpg.SecurityGroupSettings{
			VpcID: pulumi.String("vpc-0fedcba9876543210"), AllowedSecurityGroupIDs: []string{"sg-0000000000000001c"},
		},
	})
	if err != nil {
		return err
	}
	logs, err := hardenedpg.NewAuditLogShipping(ctx, "analytics-logs", &hardenedpg.AuditLogShippingArgs{
		Identifier: "analytics", LogsKeyArn: key.Arn,
		LogSettings: hardenedpg.LogSettings{DestinationArn: "arn:aws:logs:eu-west-1:210987654321:destination:central-audit"},
		Tags:        tags,
	})
	if err != nil {
		return err
	}
	db, err := hardenedpg.NewInstance(ctx, "analytics", &hardenedpg.InstanceArgs{
		InstanceSettings: hardenedpg.InstanceSettings{
			Identifier: "analytics", EngineMajorVersion: "16", Port: 6543, InstanceClass: "db.r7g.xlarge",
		},
		StorageKeyArn: key.Arn, SubnetGroupName: subnets.Name, ParameterGroupName: params.Name,
		SecurityGroupIDs: pulumi.StringArray{sg.ID},
		WaitFor:          []pulumi.Resource{logs.LogGroups["postgresql"], logs.LogGroups["upgrade"]},
		Tags:             tags,
		Waivers:          waivers,
	})
	if err != nil {
		return err
	}
	ctx.Export("endpoint", db.Endpoint)
	return nil
}
