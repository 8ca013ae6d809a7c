package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
)

var update = flag.Bool("update", false, "rewrite the pass-rate table of docs/policy-pack.md")

// registryExample is the pulumi-aws registry's rds.Instance example ("Basic Usage") for PostgreSQL,
// with a subnet group and a security group open to a CIDR, as a team writes it by hand. With
// explicit, every input it leaves out is set to what RDS documents as its default, which the
// catalog must judge the same way.
func registryExample(t *testing.T, explicit bool) *baseline.Graph {
	t.Helper()
	m := hardenedpgtest.New()
	err := m.Run("registry", "example", map[string]string{"aws:region": "eu-west-1"}, nil, func(ctx *pulumi.Context) error {
		sg, err := ec2.NewSecurityGroup(ctx, "db", &ec2.SecurityGroupArgs{
			VpcId: pulumi.String("vpc-0123456789abcdef0"),
			Ingress: ec2.SecurityGroupIngressArray{ec2.SecurityGroupIngressArgs{
				Protocol: pulumi.String("tcp"), FromPort: pulumi.Int(5432), ToPort: pulumi.Int(5432),
				CidrBlocks: pulumi.StringArray{pulumi.String("10.0.0.0/16")},
			}},
		})
		if err != nil {
			return err
		}
		subnets, err := rds.NewSubnetGroup(ctx, "default", &rds.SubnetGroupArgs{
			SubnetIds: pulumi.StringArray{pulumi.String("subnet-0a1b2c3d4e5f60011"), pulumi.String("subnet-0a1b2c3d4e5f60012")},
		})
		if err != nil {
			return err
		}
		args := &rds.InstanceArgs{
			AllocatedStorage:    pulumi.Int(10),
			DbName:              pulumi.String("mydb"),
			Engine:              pulumi.String("postgres"),
			EngineVersion:       pulumi.String("17"),
			InstanceClass:       pulumi.String("db.t3.micro"),
			Username:            pulumi.String("foo"),
			Password:            pulumi.String("foobarbaz"),
			ParameterGroupName:  pulumi.String("default.postgres17"),
			SkipFinalSnapshot:   pulumi.Bool(true),
			DbSubnetGroupName:   subnets.Name,
			VpcSecurityGroupIds: pulumi.StringArray{sg.ID()},
		}
		if explicit {
			// What the instance gets with these inputs left out: the provider's schema default,
			// which it always sends (aws_db_instance: publicly_accessible, storage_encrypted,
			// copy_tags_to_snapshot, deletion_protection, iam_database_authentication_enabled and
			// performance_insights_enabled false, auto_minor_version_upgrade true, monitoring_interval
			// 0; https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/db_instance),
			// else CreateDBInstance's (multi-AZ off, 1 day of backups, the engine's port 5432, the
			// default CA; https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html).
			// The API alone would make an instance in a VPC with an internet gateway public; the
			// provider's false is what is sent.
			args.PubliclyAccessible = pulumi.Bool(false)
			args.StorageEncrypted = pulumi.Bool(false)
			args.MultiAz = pulumi.Bool(false)
			args.BackupRetentionPeriod = pulumi.Int(1)
			args.Port = pulumi.Int(5432)
			args.AutoMinorVersionUpgrade = pulumi.Bool(true)
			args.CopyTagsToSnapshot = pulumi.Bool(false)
			args.DeletionProtection = pulumi.Bool(false)
			args.IamDatabaseAuthenticationEnabled = pulumi.Bool(false)
			args.MonitoringInterval = pulumi.Int(0)
			args.PerformanceInsightsEnabled = pulumi.Bool(false)
			args.CaCertIdentifier = pulumi.String(baseline.DefaultCACertificate)
		}
		_, err = rds.NewInstance(ctx, "default", args)
		return err
	})
	require.NoError(t, err)
	return m.Graph()
}

// registryExampleFailures are the controls the registry example fails, by name.
var registryExampleFailures = []string{
	"backup-independent-copy", "backup-plan", "events-instance", "events-parameter-group", "events-security-group", "pg-audit",
	"pg-connection-logging", "pg-log-redaction", "pg-scram", "rds-backup-retention", "rds-cmk", "rds-copy-tags",
	"rds-deletion-protection", "rds-encrypted", "rds-enhanced-monitoring", "rds-final-snapshot", "rds-iam-auth",
	"rds-log-exports", "rds-managed-password", "rds-multi-az", "rds-no-extended-support", "rds-non-default-port",
	"rds-performance-insights", "rds-tags", "sg-descriptions", "sg-no-cidr-ingress", "vpc-flow-logs",
}

type rate struct {
	name, how string
	results   []baseline.Result
	summary   baseline.Summary
}

func newRate(name, how string, results []baseline.Result) rate {
	return rate{name: name, how: how, results: results, summary: baseline.Summarize(results)}
}

func (r rate) applicable() int {
	return r.summary.Pass + r.summary.Fail + r.summary.Waived + r.summary.Unproven
}

// TestPassRates measures the catalog on four stacks and keeps the table of docs/policy-pack.md equal to it
// (go test ./policy -run TestPassRates -update rewrites it).
func TestPassRates(t *testing.T) {
	prod, _ := recorded(t, "prod")
	dev, devWaivers := recorded(t, "dev")
	aurora, _ := recorded(t, "aurora")
	raw := registryExample(t, false)
	explicit := registryExample(t, true)
	rates := []rate{
		newRate("pulumi-aws registry example (PostgreSQL), as is", "`rds.Instance` of the registry's Basic Usage with engine postgres 17, a subnet group and a security group open to 10.0.0.0/16", baseline.Evaluate(raw, nil)),
		newRate("the same with the defaults made explicit", "every input it leaves out set to what it gets without it: the provider's default, else CreateDBInstance's", baseline.Evaluate(explicit, nil)),
		newRate("hardenedpg dev", fmt.Sprintf("`Pulumi.dev.yaml`, its %d waivers counted as not passing", len(configuredWaivers(t, "dev"))), baseline.Evaluate(dev, devWaivers)),
		newRate("hardenedpg prod", "`Pulumi.prod.yaml`, no waiver", baseline.Evaluate(prod, nil)),
		newRate("pulumi-aws registry example (Aurora PostgreSQL), as is", "`rds.Cluster` of the registry's \"Aurora with PostgreSQL engine\" and the two `rds.ClusterInstance`s of its example", baseline.Evaluate(registryClusterExample(t), nil)),
		newRate("hardenedpg aurora", "`Pulumi.aurora.yaml`: a writer and a reader behind a proxy, no waiver", baseline.Evaluate(aurora, nil)),
	}
	// Leaving an input out must read the same as writing its documented default.
	assert.Equal(t, rates[0].summary, rates[1].summary)
	assert.Equal(t, 0, rates[0].summary.NotApplicable-rates[3].summary.NotApplicable-countOnlyIn(prod, raw), "the raw example leaves no control not-applicable that it could be judged on")

	var b strings.Builder
	b.WriteString("| stack | passing / applicable | rate |")
	for _, f := range baseline.Frameworks {
		b.WriteString(" " + f.Key + " met |")
	}
	b.WriteString(" how |\n|---|---|---|" + strings.Repeat("---|", len(baseline.Frameworks)) + "---|\n")
	for _, r := range rates {
		fmt.Fprintf(&b, "| %s | %d / %d | %.0f%% |", r.name, r.summary.Pass, r.applicable(), 100*float64(r.summary.Pass)/float64(r.applicable()))
		for _, f := range baseline.JudgeFrameworks(r.results) {
			met, applicable := f.PassRate()
			fmt.Fprintf(&b, " %d / %d |", met, applicable)
		}
		fmt.Fprintf(&b, " %s |\n", r.how)
	}
	table := b.String()
	t.Logf("catalog pass rates:\n%s", table)

	readme, err := os.ReadFile("../docs/policy-pack.md")
	require.NoError(t, err)
	const begin, end = "<!-- BEGIN generated: pass-rates -->\n", "<!-- END generated: pass-rates -->"
	before, rest, ok := strings.Cut(string(readme), begin)
	require.True(t, ok, "docs/policy-pack.md lacks %q", begin)
	_, after, ok := strings.Cut(rest, end)
	require.True(t, ok, "docs/policy-pack.md lacks %q", end)
	want := before + begin + table + end + after
	if *update {
		require.NoError(t, os.WriteFile("../docs/policy-pack.md", []byte(want), 0o600))
		return
	}
	assert.Equal(t, want, string(readme), "the pass-rate table of docs/policy-pack.md is stale: go test ./policy -run TestPassRates -update")
}

// countOnlyIn counts the controls applicable to a but not to b because b lacks their resources
// (the archive, alerts and backup vault hardenedpg creates): those are rightly not applicable.
func countOnlyIn(a, b *baseline.Graph) int {
	n := 0
	ra, rb := baseline.Evaluate(a, nil), baseline.Evaluate(b, nil)
	for i := range ra {
		if ra[i].Status != baseline.NotApplicable && rb[i].Status == baseline.NotApplicable {
			n++
		}
	}
	return n
}

// registryClusterExample is the pulumi-aws registry's rds.Cluster example "Aurora with PostgreSQL
// engine", with the two instances of its rds.ClusterInstance example, as a team writes them by
// hand: nothing the cluster leaves out is hardened.
func registryClusterExample(t *testing.T) *baseline.Graph {
	t.Helper()
	m := hardenedpgtest.New()
	err := m.Run("registry", "example", map[string]string{"aws:region": "eu-west-1"}, nil, func(ctx *pulumi.Context) error {
		cluster, err := rds.NewCluster(ctx, "postgresql", &rds.ClusterArgs{
			ClusterIdentifier:     pulumi.String("aurora-cluster-demo"),
			Engine:                pulumi.String("aurora-postgresql"),
			AvailabilityZones:     pulumi.ToStringArray([]string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}),
			DatabaseName:          pulumi.String("mydb"),
			MasterUsername:        pulumi.String("foo"),
			MasterPassword:        pulumi.String("must_be_eight_characters"),
			BackupRetentionPeriod: pulumi.Int(5),
			PreferredBackupWindow: pulumi.String("07:00-09:00"),
		})
		if err != nil {
			return err
		}
		for i := range 2 {
			if _, err := rds.NewClusterInstance(ctx, fmt.Sprintf("cluster_instances-%d", i), &rds.ClusterInstanceArgs{
				Identifier:        pulumi.Sprintf("aurora-cluster-demo-%d", i),
				ClusterIdentifier: cluster.ID(),
				InstanceClass:     pulumi.String("db.r4.large"),
				Engine:            cluster.Engine,
				EngineVersion:     cluster.EngineVersion,
			}); err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(t, err)
	return m.Graph()
}

// registryProxyExample is the pulumi-aws registry's rds.Proxy example ("Example Usage") for
// PostgreSQL in front of the registry instance: TLS on, debug logging off, but IAM auth DISABLED
// and a role and security group made elsewhere.
func registryProxyExample(t *testing.T) *baseline.Graph {
	t.Helper()
	g := registryExample(t, false)
	m := hardenedpgtest.New()
	err := m.Run("registry", "example", map[string]string{"aws:region": "eu-west-1"}, nil, func(ctx *pulumi.Context) error {
		_, err := rds.NewProxy(ctx, "example", &rds.ProxyArgs{
			Name: pulumi.String("example"), DebugLogging: pulumi.Bool(false), EngineFamily: pulumi.String("POSTGRESQL"),
			IdleClientTimeout: pulumi.Int(1800), RequireTls: pulumi.Bool(true),
			RoleArn:             pulumi.String("arn:aws:iam::123456789012:role/example"),
			VpcSecurityGroupIds: pulumi.StringArray{pulumi.String("sg-0123456789abcdef0")},
			VpcSubnetIds:        pulumi.StringArray{pulumi.String("subnet-0a1b2c3d4e5f60011")},
			Auths: rds.ProxyAuthArray{rds.ProxyAuthArgs{
				AuthScheme: pulumi.String("SECRETS"), Description: pulumi.String("example"), IamAuth: pulumi.String("DISABLED"),
				SecretArn: pulumi.String("arn:aws:secretsmanager:eu-west-1:123456789012:secret:example"),
			}},
			Tags: pulumi.StringMap{"Name": pulumi.String("example"), "Key": pulumi.String("value")},
		})
		return err
	})
	require.NoError(t, err)
	g.Resources = append(g.Resources, m.Graph().Resources...)
	return g
}

// registryMultiAZClusterExample is the pulumi-aws registry's "RDS Multi-AZ Cluster" example of
// rds.Cluster, with engine postgres instead of mysql: an instance class and provisioned storage,
// and nothing else set.
func registryMultiAZClusterExample(t *testing.T) *baseline.Graph {
	t.Helper()
	m := hardenedpgtest.New()
	err := m.Run("registry", "example", map[string]string{"aws:region": "eu-west-1"}, nil, func(ctx *pulumi.Context) error {
		_, err := rds.NewCluster(ctx, "example", &rds.ClusterArgs{
			ClusterIdentifier:      pulumi.String("example"),
			AvailabilityZones:      pulumi.ToStringArray([]string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}),
			Engine:                 pulumi.String("postgres"),
			DbClusterInstanceClass: pulumi.String("db.r6gd.xlarge"),
			StorageType:            pulumi.String("io1"),
			AllocatedStorage:       pulumi.Int(100),
			Iops:                   pulumi.Int(1000),
			MasterUsername:         pulumi.String("test"),
			MasterPassword:         pulumi.String("mustbeeightcharaters"),
		})
		return err
	})
	require.NoError(t, err)
	return m.Graph()
}
