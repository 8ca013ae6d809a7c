package hardenedpg

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// A read replica in another region than its source is a Database of that region whose shape is
// the replica: the keys, network, parameter baseline, logs, flow logs and alerts it is built on
// are made there by the same parts as the source's, through the region's provider. It has no
// backup plan of its own: its data is its source's, which the source's backups keep.

// replicaSource is what a replica of another region needs of its source.
type replicaSource struct {
	// arn names the source (CreateDBInstanceReadReplica takes an ARN across regions), secretArn
	// its master secret, which is the replica's too.
	arn, secretArn pulumi.StringOutput
	// instance is created first.
	instance pulumi.Resource
	// inheritedTags are the default tags of the source's provider, which the region's provider
	// carries (or is given to carry): counted as the source counts them, so the replica's Database
	// is refused nothing its source's check did not refuse first.
	inheritedTags map[string]string
}

// regionalReplicaArgs are the args of the Database of replica r's region: the source's settings,
// with the replica's identifier, class, network and log destination.
func (a *DatabaseArgs) regionalReplicaArgs(r ReplicaSettings, source *replicaSource) *DatabaseArgs {
	s := a.Instance
	s.Identifier = r.Identifier
	if r.InstanceClass != "" {
		s.InstanceClass = r.InstanceClass
	}
	// What a replica is not made with: it starts from its source's data, on its source's major.
	s.Restore, s.UpgradeFromMajorVersion, s.AllowMajorVersionUpgrade, s.SkipFinalSnapshot = RestoreSettings{}, "", false, false
	return &DatabaseArgs{
		Instance: s, Network: r.network(), Parameters: a.Parameters,
		Logs:    LogSettings{RetentionDays: a.Logs.RetentionDays, DestinationArn: r.LogsDestinationArn},
		Archive: a.Archive, Alerts: a.Alerts, FlowLogs: a.FlowLogs, Keys: a.Keys,
		Backup: BackupSettings{Skip: true}, Tags: a.Tags, Waivers: a.Waivers,
		replicaOf: source,
	}
}

// regionalProblems are the problems of replica r's region, as the replica's field i: those of
// its network and logs only, the other settings being the source's, checked once.
func (a *DatabaseArgs) regionalProblems(i int, r ReplicaSettings, inherited map[string]string) problems {
	ra := a.regionalReplicaArgs(r, &replicaSource{inheritedTags: inherited})
	var mine problems
	for _, e := range ra.check(ra.children(), inherited) {
		if strings.HasPrefix(e.Field, "Network.") || strings.HasPrefix(e.Field, "Logs.") || strings.HasPrefix(e.Field, "Archive.") {
			mine = append(mine, e)
		}
	}
	// The parts made in its region are named after it, as a Database's after its name.
	var names problems
	checkDatabaseName(&names, r.Identifier)
	for _, e := range names {
		e.Field = "Identifier"
		mine = append(mine, e)
	}
	var out problems
	out.nest(fmt.Sprintf("Replicas[%d]", i), mine)
	return out
}

// regionalProvider is the provider replica r is made with in its region: the one given, or one
// made with the stack's aws: configuration and pinned to the account, as for Replication.
func regionalProvider(ctx *pulumi.Context, name string, r ReplicaSettings, env awsEnv, parent pulumi.Resource) (pulumi.ProviderResource, error) {
	if r.Provider != nil {
		return r.Provider, nil
	}
	args, err := inheritedProviderArgs(ctx)
	if err != nil {
		return nil, err
	}
	args.Region, args.AllowedAccountIds = pulumi.String(r.Region), pulumi.StringArray{pulumi.String(env.AccountID)}
	return aws.NewProvider(ctx, name+"-provider", args, pulumi.Parent(parent))
}

// replicaShape is the read replica a Database of another region than its source's is made of.
type replicaShape struct {
	instance InstanceSettings
	source   *replicaSource
	tags     pulumi.StringMap
}

func newReplicaShape(a *DatabaseArgs, tags pulumi.StringMap) shape {
	return &replicaShape{instance: a.Instance.withDefaults(), source: a.replicaOf, tags: tags}
}

func (s *replicaShape) settings() InstanceSettings { return s.instance }

func (s *replicaShape) traits() shapeTraits {
	return shapeTraits{engine: "postgres", logTypes: LogTypes, backupBySource: true}
}

func (s *replicaShape) check(p *problems, a *DatabaseArgs) {
	var ip problems
	s.instance.check(&ip, a.Waivers)
	p.nest("Instance", ip)
}

func (s *replicaShape) watch(a *AlertsArgs, settings AlertSettings) {
	a.AlertSettings = settings.withDefaults(s.instance.InstanceClass, s.instance.AllocatedStorageGB, 0)
	a.ReadReplica = true
}

// create makes the replica, encrypted with the storage key of its region: RDS encrypts a replica
// in another region only with a key of that region (CreateDBInstanceReadReplica, KmsKeyId).
func (s *replicaShape) create(ctx *pulumi.Context, name string, on sharedParts, parent pulumi.ResourceOption) (builtShape, error) {
	c := &Instance{}
	env, err := registered(ctx, InstanceType, name+"-instance", c, on.env, parent)
	if err != nil {
		return nil, err
	}
	st := s.instance
	m, err := newMonitoring(ctx, name+"-instance", st, env, s.tags, c)
	if err != nil {
		return nil, err
	}
	c.MonitoringRole = m.role
	a := InstanceArgs{InstanceSettings: st, StorageKeyArn: on.storageKeyArn, SubnetGroupName: on.subnetGroupName,
		SecurityGroupIDs: on.securityGroupIDs, ParameterGroupName: on.parameterGroup.Name}
	args := hostArgs(st, &a, m, s.tags)
	args.Identifier, args.ReplicateSourceDb, args.KmsKeyId = pulumi.String(st.Identifier), s.source.arn, on.storageKeyArn
	// DeleteDBInstance refuses a final snapshot of a replica; the source's keeps the data.
	args.SkipFinalSnapshot = pulumi.Bool(true)
	opts := []pulumi.ResourceOption{pulumi.Parent(c), pulumi.DependsOn(append(slices.Clone(on.waitFor), s.source.instance))}
	if !st.DisableDeletionProtection {
		opts = append(opts, pulumi.Protect(true))
	}
	inst, err := rds.NewInstance(ctx, name+"-instance-db", &args, opts...)
	if err != nil {
		return nil, err
	}
	c.Instance = inst
	c.Address, c.Port, c.Endpoint, c.Arn, c.ResourceID = inst.Address, inst.Port, inst.Endpoint, inst.Arn, inst.ResourceId
	c.MasterUserSecretArn = s.source.secretArn
	c.ConnectPolicy = inst.ResourceId.ApplyT(func(resourceID string) string {
		return connectPolicy(env, resourceID, st.IAMDatabaseUsers)
	}).(pulumi.StringOutput)
	c.grant = connectGrant{env: env, users: slices.Clone(st.IAMDatabaseUsers), resourceID: c.ResourceID, parent: c}
	if err := registerOutputs(ctx, c); err != nil {
		return nil, err
	}
	on.database.Instance = c
	return c, nil
}
