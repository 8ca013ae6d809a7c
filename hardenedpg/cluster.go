package hardenedpg

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// Defaults and limits of an Aurora cluster.
const (
	// DefaultAuroraInstanceClass is the class of each instance without InstanceClass: Aurora
	// PostgreSQL offers no db.m class.
	DefaultAuroraInstanceClass = "db.r7g.large"
	// DefaultClusterReaders is one reader beside the writer, in another zone (rds-multi-az).
	DefaultClusterReaders = 1
	// MaxClusterReaders: "An Aurora DB cluster can contain up to 15 Aurora Replicas"
	// (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Replication.html).
	MaxClusterReaders = 15
)

// ClusterSettings are the shape of an Aurora cluster: its readers, their zones and, for
// Serverless v2, the capacity every instance scales within. The zero value is a provisioned
// writer and one reader in two zones.
type ClusterSettings struct {
	// Readers are the reader instances beside the writer: 1 by default, at most 15. Instance
	// SingleAZ makes none (it relaxes rds-multi-az).
	Readers int `pulumi:"readers,optional"`
	// ServerlessMinAcu and ServerlessMaxAcu make every instance Aurora Serverless v2
	// (db.serverless), scaling between them: 0 to 256 ACUs in steps of 0.5, the maximum at least
	// 1 (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.setting-capacity.html).
	ServerlessMinAcu float64 `pulumi:"serverlessMinAcu,optional"`
	ServerlessMaxAcu float64 `pulumi:"serverlessMaxAcu,optional"`
	// AvailabilityZones are the zones the instances are spread over, writer first, in turn. By
	// default the zones of the private subnets, as they were proven; give them when the subnets
	// are inputs (Network.Subnets).
	AvailabilityZones []string `pulumi:"availabilityZones,optional"`
}

// serverless says whether the instances are Serverless v2.
func (c ClusterSettings) serverless() bool { return c.ServerlessMinAcu != 0 || c.ServerlessMaxAcu != 0 }

// instances is the number of instances: the writer and the readers.
func (c ClusterSettings) instances() int { return 1 + c.Readers }

// withDefaults fills Readers: one unless the cluster is single-zone.
func (c ClusterSettings) withDefaults(singleAZ bool) ClusterSettings {
	if c.Readers == 0 && !singleAZ {
		c.Readers = DefaultClusterReaders
	}
	return c
}

// check validates the settings (with defaults) for instance settings s; zonesKnown says the zones
// come from the proven subnets when AvailabilityZones is empty. instancePath is where s's fields
// are named ("Instance." in a Database, "" in a Cluster's flat args).
func (c ClusterSettings) check(p *problems, s InstanceSettings, zonesKnown bool, instancePath string) {
	switch {
	case c.Readers < 0 || c.Readers > MaxClusterReaders:
		p.add("Readers", c.Readers, "want 0 to %d Aurora replicas", MaxClusterReaders)
	case s.SingleAZ && c.Readers > 0:
		p.add("Readers", c.Readers, "%sSingleAZ makes a cluster of the writer alone; remove one or the other", instancePath)
	}
	if c.serverless() {
		halfSteps := func(v float64) bool { return v == math.Round(v*2)/2 }
		switch {
		case c.ServerlessMaxAcu < 1 || c.ServerlessMaxAcu > baseline.MaxServerlessCapacity || !halfSteps(c.ServerlessMaxAcu):
			p.add("ServerlessMaxAcu", c.ServerlessMaxAcu, "want 1 to %v ACUs in steps of 0.5: the most the instances scale to", baseline.MaxServerlessCapacity)
		case c.ServerlessMinAcu < 0 || c.ServerlessMinAcu > c.ServerlessMaxAcu || !halfSteps(c.ServerlessMinAcu):
			p.add("ServerlessMinAcu", c.ServerlessMinAcu, "want 0 to {ServerlessMaxAcu} (%v) in steps of 0.5", c.ServerlessMaxAcu)
		}
	}
	zones := slices.Compact(slices.Sorted(slices.Values(c.AvailabilityZones)))
	switch {
	case len(zones) != len(c.AvailabilityZones):
		p.add("AvailabilityZones", c.AvailabilityZones, "a zone is given twice")
	case len(c.AvailabilityZones) == 0 && !zonesKnown:
		p.add("AvailabilityZones", []string{}, "required when the subnets are not proven here (Network.Subnets or Network.SkipPrivateSubnetCheck): the zones the instances are spread over")
	case len(c.AvailabilityZones) == 1 && c.instances() > 1:
		p.add("AvailabilityZones", c.AvailabilityZones, "want two or more zones, so a reader can take over when the writer's zone fails")
	}
}

// ClusterArgs configures the Aurora PostgreSQL cluster: the instance settings every instance
// shares, the cluster's shape, and the parts it is made of.
type ClusterArgs struct {
	InstanceSettings
	ClusterSettings

	// StorageKeyArn encrypts the storage, Performance Insights and the master secret. Required.
	StorageKeyArn pulumi.StringInput `pulumi:"storageKeyArn"`
	// SubnetGroupName is the subnet group of private subnets. Required.
	SubnetGroupName pulumi.StringInput `pulumi:"subnetGroupName"`
	// SecurityGroupIDs are the cluster's security groups. Required.
	SecurityGroupIDs pulumi.StringArrayInput `pulumi:"securityGroupIds"`
	// ClusterParameterGroupName is the cluster parameter group (the baseline) and
	// ParameterGroupName the instances' DB parameter group, both of the aurora-postgresqlNN family
	// of the engine version. Required.
	ClusterParameterGroupName pulumi.StringInput `pulumi:"clusterParameterGroupName"`
	ParameterGroupName        pulumi.StringInput `pulumi:"parameterGroupName"`
	// WaitFor are resources the cluster is created after: the log groups, so that RDS does not
	// create them first without a key or retention.
	WaitFor []pulumi.Resource

	// Tags go on the cluster, its instances, its role and the snapshot suffix.
	Tags map[string]pulumi.StringInput `pulumi:"tags,optional"`
	// Waivers relax controls: control key to the reason, one per relaxation made.
	Waivers baseline.Waivers `pulumi:"waivers,optional"`
}

// Cluster is the hardened Aurora PostgreSQL cluster: the cluster, its writer and readers, their
// monitoring role and the stable suffix of its final snapshot.
type Cluster struct {
	pulumi.ResourceState

	Cluster *rds.Cluster
	// Instances are the writer, then the readers.
	Instances           []*rds.ClusterInstance
	MonitoringRole      *iam.Role
	FinalSnapshotSuffix *random.RandomId

	// InstanceOutputs are the cluster's: the writer endpoint, the cluster ARN and the cluster
	// resource ID that rds-db:connect ARNs name.
	InstanceOutputs
	// ReaderEndpoint balances connections over the readers.
	ReaderEndpoint pulumi.StringOutput `pulumi:"readerEndpoint"`

	grant connectGrant
}

// ClusterType is the component's type token.
const ClusterType = "hardenedpg:index:Cluster"

// withDefaults fills the instance settings' defaults, with Aurora's instance class.
func (a ClusterArgs) withDefaults() ClusterArgs {
	if a.InstanceClass == "" {
		a.InstanceClass = DefaultAuroraInstanceClass
		if a.serverless() {
			a.InstanceClass = baseline.ServerlessInstanceClass
		}
	}
	a.InstanceSettings = a.InstanceSettings.withDefaults()
	a.ClusterSettings = a.ClusterSettings.withDefaults(a.SingleAZ)
	return a
}

func (a *ClusterArgs) check(p *problems, raw InstanceSettings, zonesKnown bool) {
	a.checkSettings(p, raw, "")
	a.ClusterSettings.check(p, a.InstanceSettings, zonesKnown, "")
	for _, r := range []struct {
		name string
		set  bool
	}{
		{"StorageKeyArn", a.StorageKeyArn != nil}, {"SubnetGroupName", a.SubnetGroupName != nil},
		{"SecurityGroupIDs", a.SecurityGroupIDs != nil}, {"ClusterParameterGroupName", a.ClusterParameterGroupName != nil},
		{"ParameterGroupName", a.ParameterGroupName != nil},
	} {
		if !r.set {
			p.add(r.name, "", "required")
		}
	}
}

// checkSettings checks the instance settings (with defaults) for Aurora; raw are them as given,
// to tell a storage setting given from a default. clusterPath is where the ClusterSettings'
// fields are named ("Cluster." in a Database).
func (a *ClusterArgs) checkSettings(p *problems, raw InstanceSettings, clusterPath string) {
	a.checkFor(p, a.Waivers, baseline.AuroraEngine, func(hp *problems) {
		if _, ok := baseline.AuroraInstanceClassMemoryGiB(a.InstanceClass); !ok && a.InstanceClass != baseline.ServerlessInstanceClass {
			hp.add("InstanceClass", a.InstanceClass, "not a DB instance class Aurora PostgreSQL offers; want db.<family>.<size> such as %s, with a family of %s (db.t3 and db.t4g: medium or large), or give %sServerlessMaxAcu for db.serverless", DefaultAuroraInstanceClass, strings.Join(baseline.AuroraInstanceFamilies(), ", "), clusterPath)
		}
	})
	for _, r := range []struct {
		name string
		set  bool
	}{{"AllocatedStorageGB", raw.AllocatedStorageGB != 0}, {"MaxAllocatedStorageGB", raw.MaxAllocatedStorageGB != 0}} {
		if r.set {
			p.add(r.name, map[string]int{"AllocatedStorageGB": raw.AllocatedStorageGB, "MaxAllocatedStorageGB": raw.MaxAllocatedStorageGB}[r.name],
				"would be ignored: Aurora storage grows by itself, up to 128 TiB; remove it")
		}
	}
	if a.serverless() && a.InstanceClass != baseline.ServerlessInstanceClass {
		p.add("InstanceClass", a.InstanceClass, "Serverless v2 instances are %s (%sServerlessMaxAcu is set); remove it", baseline.ServerlessInstanceClass, clusterPath)
	} else if !a.serverless() && a.InstanceClass == baseline.ServerlessInstanceClass {
		p.add("InstanceClass", a.InstanceClass, "want %sServerlessMaxAcu (and ServerlessMinAcu) with db.serverless: a Serverless v2 cluster needs its capacity bounds", clusterPath)
	}
}

// NewCluster creates the hardened Aurora PostgreSQL cluster and its instances. Its master
// password is generated, stored and rotated by RDS in Secrets Manager under the storage key.
func NewCluster(ctx *pulumi.Context, name string, args *ClusterArgs, opts ...pulumi.ResourceOption) (*Cluster, error) {
	if args == nil {
		args = &ClusterArgs{}
	}
	a := args.withDefaults()
	p := waiverProblems(a.Waivers)
	a.check(&p, args.InstanceSettings, false)
	if err := p.err(); err != nil {
		return nil, fmt.Errorf("hardenedpg.NewCluster %q: %w", name, err)
	}
	return newCluster(ctx, name, &a, nil, awsEnv{}, nil, opts...)
}

// newCluster creates the cluster; zones, when AvailabilityZones is empty, are the proven
// subnets' zones; src is what a restore reads, looked up here when the caller has not.
func newCluster(ctx *pulumi.Context, name string, a *ClusterArgs, zones []string, env awsEnv, src *restoreSource, opts ...pulumi.ResourceOption) (*Cluster, error) {
	c := &Cluster{}
	env, err := registered(ctx, ClusterType, name, c, env, opts...)
	if err != nil {
		return nil, err
	}
	s := a.InstanceSettings
	if s.Restore.enabled() && src == nil {
		var p problems
		src = s.Restore.lookup(ctx, &p, s, baseline.AuroraEngine, env, time.Now().UTC(), pulumi.Parent(c))
		if err := p.err(); err != nil {
			return nil, fmt.Errorf("hardenedpg.NewCluster %q: %w", name, err)
		}
	}
	// Aurora's restores take the storage key (RestoreDBClusterFromSnapshot and
	// RestoreDBClusterToPointInTime KmsKeyId), so a restored cluster is re-encrypted under it.
	var snapshot pulumi.StringPtrInput
	var pointInTime rds.ClusterRestoreToPointInTimePtrInput
	switch {
	case src != nil && src.snapshotArn != "":
		snapshot = pulumi.StringPtr(src.snapshotArn)
	case src != nil:
		pointInTime = s.Restore.clusterPointInTimeArgs()
	}
	tags := pulumi.StringMap(a.Tags)
	if len(a.AvailabilityZones) > 0 {
		zones = a.AvailabilityZones
	}
	m, err := newMonitoring(ctx, name, s, env, tags, c)
	if err != nil {
		return nil, err
	}
	c.MonitoringRole = m.role
	finalSnapshot := pulumi.StringPtrInput(nil)
	if !s.SkipFinalSnapshot {
		if c.FinalSnapshotSuffix, finalSnapshot, err = newFinalSnapshotName(ctx, name, s.Identifier, c); err != nil {
			return nil, err
		}
	}
	protect := []pulumi.ResourceOption{pulumi.Parent(c)}
	if !s.DisableDeletionProtection {
		protect = append(protect, pulumi.Protect(true))
	}
	var serverless rds.ClusterServerlessv2ScalingConfigurationPtrInput
	if a.serverless() {
		serverless = rds.ClusterServerlessv2ScalingConfigurationArgs{
			MinCapacity: pulumi.Float64(a.ServerlessMinAcu), MaxCapacity: pulumi.Float64(a.ServerlessMaxAcu),
		}
	}
	// The instance group is named on the cluster only for a major upgrade, the one call that
	// takes it (the provider's db_instance_parameter_group_name).
	var upgradeGroup pulumi.StringPtrInput
	if s.allowsMajorUpgrade() {
		upgradeGroup = a.ParameterGroupName
	}
	cluster, err := rds.NewCluster(ctx, name+"-cluster", &rds.ClusterArgs{
		ClusterIdentifier:                pulumi.String(s.Identifier),
		Engine:                           pulumi.String(baseline.AuroraEngine),
		EngineMode:                       pulumi.String("provisioned"),
		EngineVersion:                    pulumi.String(s.EngineMajorVersion),
		EngineLifecycleSupport:           pulumi.String("open-source-rds-extended-support-disabled"),
		AllowMajorVersionUpgrade:         pulumi.Bool(s.allowsMajorUpgrade()),
		DbInstanceParameterGroupName:     upgradeGroup,
		StorageEncrypted:                 pulumi.Bool(true),
		KmsKeyId:                         a.StorageKeyArn,
		SnapshotIdentifier:               snapshot,
		RestoreToPointInTime:             pointInTime,
		DbSubnetGroupName:                a.SubnetGroupName,
		VpcSecurityGroupIds:              a.SecurityGroupIDs,
		DbClusterParameterGroupName:      a.ClusterParameterGroupName,
		Port:                             pulumi.Int(s.Port),
		MasterUsername:                   pulumi.String(s.AdminUsername),
		ManageMasterUserPassword:         pulumi.Bool(true),
		MasterUserSecretKmsKeyId:         a.StorageKeyArn,
		IamDatabaseAuthenticationEnabled: pulumi.Bool(true),
		DeletionProtection:               pulumi.Bool(!s.DisableDeletionProtection),
		BackupRetentionPeriod:            pulumi.Int(s.BackupRetentionDays),
		PreferredBackupWindow:            pulumi.String(s.BackupWindow),
		PreferredMaintenanceWindow:       pulumi.String(s.MaintenanceWindow),
		CopyTagsToSnapshot:               pulumi.Bool(true),
		DeleteAutomatedBackups:           pulumi.Bool(false),
		SkipFinalSnapshot:                pulumi.Bool(s.SkipFinalSnapshot),
		FinalSnapshotIdentifier:          finalSnapshot,
		EnabledCloudwatchLogsExports:     pulumi.ToStringArray(baseline.AuroraLogExports),
		Serverlessv2ScalingConfiguration: serverless,
		ApplyImmediately:                 pulumi.Bool(s.ApplyImmediately),
		Tags:                             tags,
	}, append(protect, pulumi.DependsOn(a.WaitFor))...)
	if err != nil {
		return nil, err
	}
	c.Cluster = cluster
	piKey, piRetention := performanceInsights(s, a.StorageKeyArn)
	instanceOpts := []pulumi.ResourceOption{pulumi.Parent(c)}
	if s.allowsMajorUpgrade() {
		// The cluster's upgrade moves its instances to the new family's group (above); a
		// ModifyDBInstance naming it before the cluster has upgraded breaks "same family" (review
		// round 3, finding 1), so the instances keep their group until the upgrade is applied.
		instanceOpts = append(instanceOpts, pulumi.IgnoreChanges([]string{"dbParameterGroupName"}))
	}
	for i := range a.instances() {
		// Instances hold no data (the cluster's volume does): they are not protected, and one
		// replaced is one host restarted, not data lost.
		instance, err := rds.NewClusterInstance(ctx, fmt.Sprintf("%s-instance-%d", name, i+1), &rds.ClusterInstanceArgs{
			Identifier:                         pulumi.String(clusterInstanceIdentifier(s.Identifier, i)),
			ClusterIdentifier:                  cluster.ID(),
			Engine:                             pulumi.String(baseline.AuroraEngine),
			InstanceClass:                      pulumi.String(s.InstanceClass),
			AvailabilityZone:                   pulumi.StringPtr(zones[i%len(zones)]),
			DbSubnetGroupName:                  a.SubnetGroupName,
			DbParameterGroupName:               a.ParameterGroupName,
			PubliclyAccessible:                 pulumi.Bool(false),
			AutoMinorVersionUpgrade:            pulumi.Bool(true),
			CaCertIdentifier:                   pulumi.String(s.CACertIdentifier),
			MonitoringInterval:                 pulumi.Int(m.interval),
			MonitoringRoleArn:                  m.roleArn,
			PerformanceInsightsEnabled:         pulumi.Bool(!s.DisablePerformanceInsights),
			PerformanceInsightsKmsKeyId:        piKey,
			PerformanceInsightsRetentionPeriod: piRetention,
			CopyTagsToSnapshot:                 pulumi.Bool(true),
			PreferredMaintenanceWindow:         pulumi.String(s.MaintenanceWindow),
			ApplyImmediately:                   pulumi.Bool(s.ApplyImmediately),
			Tags:                               tags,
		}, instanceOpts...)
		if err != nil {
			return nil, err
		}
		c.Instances = append(c.Instances, instance)
	}
	c.Address, c.Port, c.Arn, c.ResourceID = cluster.Endpoint, cluster.Port, cluster.Arn, cluster.ClusterResourceId
	c.Endpoint = pulumi.Sprintf("%s:%d", cluster.Endpoint, cluster.Port)
	c.ReaderEndpoint = cluster.ReaderEndpoint
	c.MasterUserSecretArn = clusterSecretArn(cluster)
	c.ConnectPolicy = cluster.ClusterResourceId.ApplyT(func(resourceID string) string {
		return connectPolicy(env, resourceID, s.IAMDatabaseUsers)
	}).(pulumi.StringOutput)
	c.grant = connectGrant{env: env, users: slices.Clone(s.IAMDatabaseUsers), resourceID: c.ResourceID, parent: c}
	if err := registerOutputs(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// clusterSecretArn is the master user secret RDS manages for a cluster.
func clusterSecretArn(cluster *rds.Cluster) pulumi.StringOutput {
	return cluster.MasterUserSecrets.ApplyT(func(secrets []rds.ClusterMasterUserSecret) string {
		if len(secrets) == 0 || secrets[0].SecretArn == nil {
			return ""
		}
		return *secrets[0].SecretArn
	}).(pulumi.StringOutput)
}

// clusterInstanceIdentifier names the i-th instance of a cluster (the writer is 1).
func clusterInstanceIdentifier(cluster string, i int) string {
	return fmt.Sprintf("%s-%d", cluster, i+1)
}

// GrantConnect lets the IAM role named role connect to the cluster as dbUser only: see
// Instance.GrantConnect; the ARN names the cluster's resource ID.
func (c *Cluster) GrantConnect(ctx *pulumi.Context, name string, role pulumi.StringInput, dbUser string, opts ...pulumi.ResourceOption) (*iam.RolePolicy, error) {
	return c.grant.grant(ctx, name, role, dbUser, opts...)
}

// auroraShape is a Database's Aurora PostgreSQL cluster.
type auroraShape struct{ args ClusterArgs }

func newAuroraShape(a *DatabaseArgs, tags pulumi.StringMap) shape {
	return &auroraShape{ClusterArgs{InstanceSettings: a.Instance, ClusterSettings: a.Cluster, Tags: tags, Waivers: a.Waivers}.withDefaults()}
}

func (s *auroraShape) settings() InstanceSettings { return s.args.InstanceSettings }

func (s *auroraShape) traits() shapeTraits {
	return shapeTraits{
		engine: baseline.AuroraEngine, clusterLogs: true, logTypes: baseline.AuroraLogExports, clusterParameters: true,
		events:             []string{"events-cluster"}, // the cluster's own events
		freeStorageIgnored: "Aurora storage grows by itself",
		// Automated backup replication is for DB instances only (StartDBInstanceAutomatedBackupsReplication).
		backupReplicationRefused: "Aurora clusters have no automated backup replication; copy the backups with {Backup.CopyToVaultArn} to a vault in another region or account",
		independentCopyField:     "Backup.CopyToVaultArn", independentCopyHardened: "a vault in another region or account to copy the cluster's backups to",
	}
}

func (s *auroraShape) check(p *problems, a *DatabaseArgs) {
	var cp, ip problems
	s.args.ClusterSettings.check(&cp, s.args.InstanceSettings, a.Network.Subnets == nil && !a.Network.SkipPrivateSubnetCheck, "Instance.")
	p.nest("Cluster", cp)
	s.args.checkSettings(&ip, a.Instance, "Cluster.")
	p.nest("Instance", ip)
	ignoredSettings(p, "MultiAZCluster", a.MultiAZCluster, "only a Multi-AZ DB cluster has them ({Deployment} "+MultiAZClusterDeployment+")")
	refuseReplicas(p, a, "an Aurora cluster's readers are {Cluster.Readers}")
}

func (s *auroraShape) watch(a *AlertsArgs, settings AlertSettings) {
	a.AlertSettings = settings.withDefaults(s.args.InstanceClass, s.args.AllocatedStorageGB, s.args.ServerlessMaxAcu)
	for i := range s.args.instances() {
		a.InstanceIdentifiers = append(a.InstanceIdentifiers, clusterInstanceIdentifier(s.args.Identifier, i))
	}
	a.ServerlessMaxAcu, a.AllocatedStorageGB = s.args.ServerlessMaxAcu, 0
}

func (s *auroraShape) create(ctx *pulumi.Context, name string, on sharedParts, parent pulumi.ResourceOption) (builtShape, error) {
	a := s.args
	a.StorageKeyArn, a.SubnetGroupName, a.SecurityGroupIDs = on.storageKeyArn, on.subnetGroupName, on.securityGroupIDs
	a.ClusterParameterGroupName, a.ParameterGroupName = on.parameterGroup.ClusterName, on.parameterGroup.Name
	a.WaitFor = on.waitFor
	cluster, err := newCluster(ctx, name+"-cluster", &a, on.zones, on.env, on.restore, parent)
	if err != nil {
		return nil, err
	}
	on.database.Cluster = cluster
	return cluster, nil
}

func (c *Cluster) outputs() InstanceOutputs            { return c.InstanceOutputs }
func (c *Cluster) readerEndpoint() pulumi.StringOutput { return c.ReaderEndpoint }
func (c *Cluster) targetProxy(p *ProxyArgs)            { p.ClusterIdentifier = c.Cluster.ClusterIdentifier }
func (c *Cluster) connect() *connectGrant              { return &c.grant }

// resources are the cluster and its instances: the instances' event subscriptions name them.
func (c *Cluster) resources() []pulumi.Resource {
	out := []pulumi.Resource{c.Cluster}
	for _, i := range c.Instances {
		out = append(out, i)
	}
	return out
}
