package hardenedpg

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// shape is what runs PostgreSQL in a Database: an RDS instance or an Aurora cluster. NewDatabase
// validates, builds the shared parts (keys, network, parameters, logs), builds the shape on them,
// then what depends on it (proxy, alerts, backup) from what the shape says of itself. A new shape
// is a type of its own and a line in shapes.
type shape interface {
	// settings are the instance settings with the shape's defaults.
	settings() InstanceSettings
	// traits are the facts the shared parts and the Database's checks read.
	traits() shapeTraits
	// check reports the problems of the shape's settings, under the Database's paths.
	check(p *problems, a *DatabaseArgs)
	// watch tells the alerts what to watch, and fills the settings' defaults for it.
	watch(a *AlertsArgs, settings AlertSettings)
	// create makes the shape on the shared parts.
	create(ctx *pulumi.Context, name string, on sharedParts, parent pulumi.ResourceOption) (builtShape, error)
}

// builtShape is what the parts made after the shape need of it.
type builtShape interface {
	outputs() InstanceOutputs
	// readerEndpoint balances over readable instances; the zero output where there are none.
	readerEndpoint() pulumi.StringOutput
	// targetProxy points the proxy at the shape.
	targetProxy(p *ProxyArgs)
	// resources are what event subscriptions wait for: their sources must exist.
	resources() []pulumi.Resource
	connect() *connectGrant
}

// shapeTraits are the facts of a shape that the shared parts and checks read, as data.
type shapeTraits struct {
	// engine is the RDS engine name.
	engine string
	// clusterLogs says RDS exports the logs under the cluster's name, not an instance's;
	// logTypes are the logs it exports.
	clusterLogs bool
	logTypes    []string
	// clusterParameters says the baseline goes in a DB cluster parameter group.
	clusterParameters bool
	// zonesNeeded are the zones the subnets must span (two, the subnet group's own rule, when 0).
	zonesNeeded int
	// backupBySource says the shape is a read replica, whose data its source's backups keep: it
	// has no backup plan, and nothing to copy elsewhere.
	backupBySource bool
	// events are the event controls of the shape: relaxed together when nobody is alerted.
	events []string
	// freeStorageIgnored says why Alerts.FreeStorageGB means nothing; "" where it is alarmed on.
	freeStorageIgnored string
	// backupReplicationRefused and backupCopyRefused say why Replication.Region and
	// Backup.CopyToVaultArn are refused; "" where AWS offers them.
	backupReplicationRefused, backupCopyRefused string
	// independentCopyField, independentCopyValue and independentCopyHardened word the
	// relaxation of backup-independent-copy when nothing copies the backups elsewhere.
	independentCopyField, independentCopyValue, independentCopyHardened string
}

// sharedParts are the parts every shape is built on.
type sharedParts struct {
	storageKeyArn    pulumi.StringInput
	subnetGroupName  pulumi.StringInput
	securityGroupIDs pulumi.StringArrayInput
	parameterGroup   *ParameterGroup
	// zones are the proven subnets' zones (nil when not proven).
	zones   []string
	env     awsEnv
	restore *restoreSource
	// waitFor are created first: the log groups, so that RDS does not create them without a key;
	// replicaLogs are each read replica's, by identifier.
	waitFor     []pulumi.Resource
	replicaLogs map[string][]pulumi.Resource
	// vpcID and subnetIDs place what runs beside the database (a rotation function).
	vpcID     pulumi.StringInput
	subnetIDs pulumi.StringArrayInput
	// database is the component, on which the shape records itself (Database.Instance, ...).
	database *Database
}

// shapes makes each shape, by engine and deployment; one not listed here is refused by
// checkEngine and checkDeployment and checked as an RDS instance meanwhile.
var shapes = map[shapeKey]func(a *DatabaseArgs, tags pulumi.StringMap) shape{
	{"postgres", InstanceDeployment}:       newInstanceShape,
	{"postgres", MultiAZClusterDeployment}: newMultiAZShape,
	{baseline.AuroraEngine, ""}:            newAuroraShape,
}

// shapeKey is an engine and, for postgres, a deployment.
type shapeKey struct{ engine, deployment string }

// shape is the Database's shape, from its engine and deployment.
func (a *DatabaseArgs) shape(tags pulumi.StringMap) shape {
	if a.replicaOf != nil {
		return newReplicaShape(a, tags)
	}
	key := shapeKey{a.Engine, a.Deployment}
	if key.engine == "" {
		key.engine = "postgres"
	}
	if key.engine == "postgres" && key.deployment == "" {
		key.deployment = InstanceDeployment
	}
	if newShape, ok := shapes[key]; ok {
		return newShape(a, tags)
	}
	return newInstanceShape(a, tags)
}

// checkDeployment refuses a deployment the engine does not have.
func checkDeployment(p *problems, engine, deployment string) {
	switch {
	case deployment == "":
	case engine == baseline.AuroraEngine:
		p.add("Deployment", deployment, "an Aurora cluster has no deployment to choose; remove it (or take {Engine} postgres)")
	case deployment != InstanceDeployment && deployment != MultiAZClusterDeployment:
		p.add("Deployment", deployment, "want %s (an RDS instance, the default) or %s (a writer and two readable standbys in three zones)", InstanceDeployment, MultiAZClusterDeployment)
	}
}
