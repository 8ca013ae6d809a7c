package hardenedpg

import (
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// Deployments of engine postgres (DatabaseArgs.Deployment).
const (
	// InstanceDeployment is an RDS instance with a standby in another zone that serves no reads.
	InstanceDeployment = "instance"
	// MultiAZClusterDeployment is a Multi-AZ DB cluster: a writer and two readable standbys in
	// three zones, behind a writer and a reader endpoint
	// (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/multi-az-db-clusters-concepts.html).
	MultiAZClusterDeployment = "multi-az-cluster"
)

// Defaults of a Multi-AZ DB cluster. Its storage is Provisioned IOPS only, which starts at 100 GiB
// and 1,000 IOPS; io1 is the provider's default ("Valid values are ... io1, io2 (Multi-AZ DB
// Clusters). Default: ... io1"), and IOPS must be 0.5 to 50 times the GiB (rds.Cluster iops).
const (
	// DefaultMultiAZInstanceClass: Multi-AZ DB clusters run only on classes with local NVMe
	// storage (db.m5d, m6gd, m6id, m6idn, r5d, r6gd, r6id, r6idn, x2iedn, c6gd).
	DefaultMultiAZInstanceClass = "db.m6gd.large"
	DefaultMultiAZStorageType   = "io1"
	DefaultMultiAZIops          = 1000
	minMultiAZStorageGB         = 100
	maxMultiAZIops              = 256000
)

// MultiAZClusterStorageTypes are the storage types of a Multi-AZ DB cluster.
var MultiAZClusterStorageTypes = []string{"io1", "io2"}

// MultiAZClusterSettings are the storage of a Multi-AZ DB cluster, which each of its three
// instances gets (Instance.AllocatedStorageGB of it). The zero value is io1 at 1,000 IOPS.
type MultiAZClusterSettings struct {
	// StorageType is io1 (the default) or io2.
	StorageType string `pulumi:"storageType,optional"`
	// Iops are the provisioned IOPS of each instance: 1,000 to 256,000, and 0.5 to 50 per GiB.
	Iops int `pulumi:"iops,optional"`
}

func (m MultiAZClusterSettings) withDefaults() MultiAZClusterSettings {
	if m.StorageType == "" {
		m.StorageType = DefaultMultiAZStorageType
	}
	if m.Iops == 0 {
		m.Iops = DefaultMultiAZIops
	}
	return m
}

// check validates the storage (with defaults) for storageGB GiB on each instance.
func (m MultiAZClusterSettings) check(p *problems, storageGB int) {
	if !slices.Contains(MultiAZClusterStorageTypes, m.StorageType) {
		p.add("StorageType", m.StorageType, "want %s: a Multi-AZ DB cluster runs on Provisioned IOPS storage only", strings.Join(MultiAZClusterStorageTypes, " or "))
	}
	switch {
	case m.Iops < DefaultMultiAZIops || m.Iops > maxMultiAZIops:
		p.add("Iops", m.Iops, "want %d to %d", DefaultMultiAZIops, maxMultiAZIops)
	case 2*m.Iops < storageGB || m.Iops > 50*storageGB:
		p.add("Iops", m.Iops, "want 0.5 to 50 IOPS per GiB of Instance.AllocatedStorageGB (%d): %d to %d", storageGB, (storageGB+1)/2, 50*storageGB)
	}
}

// MultiAZCluster is a Database's Multi-AZ DB cluster: the cluster (RDS makes its three instances
// and sets them from it), its monitoring role and the stable suffix of its final snapshot.
type MultiAZCluster struct {
	pulumi.ResourceState

	Cluster             *rds.Cluster
	MonitoringRole      *iam.Role
	FinalSnapshotSuffix *random.RandomId

	// InstanceOutputs are the cluster's: the writer endpoint, the cluster ARN and the cluster
	// resource ID that rds-db:connect ARNs name.
	InstanceOutputs
	// ReaderEndpoint balances connections over the two readable standbys.
	ReaderEndpoint pulumi.StringOutput `pulumi:"readerEndpoint"`

	grant connectGrant
}

// MultiAZClusterType is the component's type token.
const MultiAZClusterType = "hardenedpg:index:MultiAZCluster"

// GrantConnect lets the IAM role named role connect to the cluster as dbUser only: see
// Instance.GrantConnect; the ARN names the cluster's resource ID.
func (c *MultiAZCluster) GrantConnect(ctx *pulumi.Context, name string, role pulumi.StringInput, dbUser string, opts ...pulumi.ResourceOption) (*iam.RolePolicy, error) {
	return c.grant.grant(ctx, name, role, dbUser, opts...)
}

// multiAZShape is a Database's Multi-AZ DB cluster.
type multiAZShape struct {
	instance InstanceSettings
	storage  MultiAZClusterSettings
	tags     pulumi.StringMap
}

func newMultiAZShape(a *DatabaseArgs, tags pulumi.StringMap) shape {
	s := a.Instance
	if s.InstanceClass == "" {
		s.InstanceClass = DefaultMultiAZInstanceClass
	}
	return &multiAZShape{instance: s.withDefaults(), storage: a.MultiAZCluster.withDefaults(), tags: tags}
}

func (s *multiAZShape) settings() InstanceSettings { return s.instance }

func (s *multiAZShape) traits() shapeTraits {
	return shapeTraits{
		engine: "postgres", clusterLogs: true, logTypes: LogTypes, clusterParameters: true,
		// "The DB subnet group ... must cover at least three Availability Zones"
		// (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/create-multi-az-db-cluster.html).
		zonesNeeded: baseline.MultiAZMembers,
		events:      []string{"events-cluster"},
		// "Automated backup replication isn't supported for Multi-AZ DB clusters"
		// (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReplicateBackups.html).
		backupReplicationRefused: "a Multi-AZ DB cluster has no automated backup replication",
		// "copying a Multi-AZ DB cluster snapshot is not supported"
		// (https://docs.aws.amazon.com/aws-backup/latest/devguide/recov-point-create-a-copy.html).
		backupCopyRefused:    "AWS Backup does not copy a Multi-AZ DB cluster's snapshots, so every copy job would fail",
		independentCopyField: "Deployment", independentCopyValue: MultiAZClusterDeployment,
		independentCopyHardened: "deployment instance, whose automated backups RDS replicates to another region, or engine " + baseline.AuroraEngine + ", whose backups AWS Backup copies",
	}
}

func (s *multiAZShape) check(p *problems, a *DatabaseArgs) {
	var ip, mp problems
	settings := s.instance
	raw := a.Instance
	if settings.SingleAZ {
		p.add("Instance.SingleAZ", true, "a Multi-AZ DB cluster always runs in three zones; for one zone, take {Deployment} %s", InstanceDeployment)
		settings.SingleAZ = false
	}
	settings.checkFor(&ip, a.Waivers, "postgres", func(hp *problems) {
		if !baseline.MultiAZInstanceClass(settings.InstanceClass) {
			hp.add("InstanceClass", settings.InstanceClass, "not a class of Multi-AZ DB clusters; want db.<family>.<size> such as %s, with a family of %s", DefaultMultiAZInstanceClass, strings.Join(baseline.MultiAZInstanceFamilies(), ", "))
		}
		if settings.AllocatedStorageGB < minMultiAZStorageGB || settings.AllocatedStorageGB > 65536 {
			hp.add("AllocatedStorageGB", settings.AllocatedStorageGB, "want %d to 65536 (io1 and io2)", minMultiAZStorageGB)
		}
		if raw.MaxAllocatedStorageGB != 0 {
			hp.add("MaxAllocatedStorageGB", raw.MaxAllocatedStorageGB, "would be ignored: a Multi-AZ DB cluster has no storage autoscaling; remove it")
		}
	})
	for _, r := range []struct {
		field string
		value any
		set   bool
	}{
		{"UpgradeFromMajorVersion", raw.UpgradeFromMajorVersion, raw.UpgradeFromMajorVersion != ""},
		{"AllowMajorVersionUpgrade", raw.AllowMajorVersionUpgrade, raw.AllowMajorVersionUpgrade},
		{"Restore", shown("(set)"), raw.Restore.enabled()},
	} {
		if r.set {
			p.add("Instance."+r.field, r.value, "not built for a Multi-AZ DB cluster by this library; remove it (the upgrade and the restore are made for {Deployment} %s and Aurora)", InstanceDeployment)
		}
	}
	p.nest("Instance", ip)
	s.storage.check(&mp, settings.AllocatedStorageGB)
	p.nest("MultiAZCluster", mp)
	ignoredSettings(p, "Cluster", a.Cluster, "only an Aurora cluster has them ({Engine} "+baseline.AuroraEngine+")")
	refuseReplicas(p, a, "a Multi-AZ DB cluster's two standbys serve reads: connect to its reader endpoint")
}

func (s *multiAZShape) watch(a *AlertsArgs, settings AlertSettings) {
	a.AlertSettings = settings.withDefaults(s.instance.InstanceClass, s.instance.AllocatedStorageGB, 0)
	for i := range baseline.MultiAZMembers {
		a.InstanceIdentifiers = append(a.InstanceIdentifiers, baseline.MultiAZMemberIdentifier(s.instance.Identifier, i))
	}
	a.MultiAZCluster = true
}

func (s *multiAZShape) create(ctx *pulumi.Context, name string, on sharedParts, parent pulumi.ResourceOption) (builtShape, error) {
	c := &MultiAZCluster{}
	env, err := registered(ctx, MultiAZClusterType, name+"-multiaz", c, on.env, parent)
	if err != nil {
		return nil, err
	}
	st := s.instance
	m, err := newMonitoring(ctx, name+"-multiaz", st, env, s.tags, c)
	if err != nil {
		return nil, err
	}
	c.MonitoringRole = m.role
	finalSnapshot := pulumi.StringPtrInput(nil)
	if !st.SkipFinalSnapshot {
		if c.FinalSnapshotSuffix, finalSnapshot, err = newFinalSnapshotName(ctx, name+"-multiaz", st.Identifier, c); err != nil {
			return nil, err
		}
	}
	opts := []pulumi.ResourceOption{pulumi.Parent(c), pulumi.DependsOn(on.waitFor)}
	if !st.DisableDeletionProtection {
		opts = append(opts, pulumi.Protect(true))
	}
	piKey, piRetention := performanceInsights(st, on.storageKeyArn)
	// Host settings are the cluster's: RDS applies them to its three instances. The provider takes
	// neither PubliclyAccessible nor AutoMinorVersionUpgrade for a cluster; CreateDBCluster's
	// defaults are what is wanted: minor upgrades on, and "If the subnets are all private, the DB
	// cluster is private", which the subnet group's proof (rds-private-subnets) establishes.
	cluster, err := rds.NewCluster(ctx, name+"-multiaz-cluster", &rds.ClusterArgs{
		ClusterIdentifier:                  pulumi.String(st.Identifier),
		Engine:                             pulumi.String("postgres"),
		EngineVersion:                      pulumi.String(st.EngineMajorVersion),
		EngineLifecycleSupport:             pulumi.String("open-source-rds-extended-support-disabled"),
		DbClusterInstanceClass:             pulumi.String(st.InstanceClass),
		StorageType:                        pulumi.String(s.storage.StorageType),
		AllocatedStorage:                   pulumi.Int(st.AllocatedStorageGB),
		Iops:                               pulumi.Int(s.storage.Iops),
		StorageEncrypted:                   pulumi.Bool(true),
		KmsKeyId:                           on.storageKeyArn,
		DbSubnetGroupName:                  on.subnetGroupName,
		VpcSecurityGroupIds:                on.securityGroupIDs,
		DbClusterParameterGroupName:        on.parameterGroup.ClusterName,
		Port:                               pulumi.Int(st.Port),
		MasterUsername:                     pulumi.String(st.AdminUsername),
		ManageMasterUserPassword:           pulumi.Bool(true),
		MasterUserSecretKmsKeyId:           on.storageKeyArn,
		IamDatabaseAuthenticationEnabled:   pulumi.Bool(true),
		CaCertificateIdentifier:            pulumi.String(st.CACertIdentifier),
		DeletionProtection:                 pulumi.Bool(!st.DisableDeletionProtection),
		BackupRetentionPeriod:              pulumi.Int(st.BackupRetentionDays),
		PreferredBackupWindow:              pulumi.String(st.BackupWindow),
		PreferredMaintenanceWindow:         pulumi.String(st.MaintenanceWindow),
		CopyTagsToSnapshot:                 pulumi.Bool(true),
		DeleteAutomatedBackups:             pulumi.Bool(false),
		SkipFinalSnapshot:                  pulumi.Bool(st.SkipFinalSnapshot),
		FinalSnapshotIdentifier:            finalSnapshot,
		EnabledCloudwatchLogsExports:       pulumi.ToStringArray(LogTypes),
		PerformanceInsightsEnabled:         pulumi.Bool(!st.DisablePerformanceInsights),
		PerformanceInsightsKmsKeyId:        piKey,
		PerformanceInsightsRetentionPeriod: piRetention,
		MonitoringInterval:                 pulumi.Int(m.interval),
		MonitoringRoleArn:                  m.roleArn,
		ApplyImmediately:                   pulumi.Bool(st.ApplyImmediately),
		Tags:                               s.tags,
	}, opts...)
	if err != nil {
		return nil, err
	}
	c.Cluster = cluster
	c.Address, c.Port, c.Arn, c.ResourceID = cluster.Endpoint, cluster.Port, cluster.Arn, cluster.ClusterResourceId
	c.Endpoint = pulumi.Sprintf("%s:%d", cluster.Endpoint, cluster.Port)
	c.ReaderEndpoint = cluster.ReaderEndpoint
	c.MasterUserSecretArn = clusterSecretArn(cluster)
	// IAM sign-in to a Multi-AZ DB cluster names its DbClusterResourceId, as Aurora's does.
	c.ConnectPolicy = cluster.ClusterResourceId.ApplyT(func(resourceID string) string {
		return connectPolicy(env, resourceID, st.IAMDatabaseUsers)
	}).(pulumi.StringOutput)
	c.grant = connectGrant{env: env, users: slices.Clone(st.IAMDatabaseUsers), resourceID: c.ResourceID, parent: c}
	if err := registerOutputs(ctx, c); err != nil {
		return nil, err
	}
	on.database.MultiAZCluster = c
	return c, nil
}

func (c *MultiAZCluster) outputs() InstanceOutputs            { return c.InstanceOutputs }
func (c *MultiAZCluster) readerEndpoint() pulumi.StringOutput { return c.ReaderEndpoint }
func (c *MultiAZCluster) targetProxy(p *ProxyArgs)            { p.ClusterIdentifier = c.Cluster.ClusterIdentifier }
func (c *MultiAZCluster) resources() []pulumi.Resource        { return []pulumi.Resource{c.Cluster} }
func (c *MultiAZCluster) connect() *connectGrant              { return &c.grant }
