package hardenedpg

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// DatabaseArgs configures a whole hardened database in one value: one group of settings per
// part, each hardened at its zero value, with the tags and waivers that apply to every part.
// Problems name the path of the setting: Alerts.CPUPercent, Network.SubnetIDs[1].
//
// A group's pulumi tag is never optional (the component package's schema generator wants a
// pointer for that); the schema makes a group optional when none of its settings is required.
type DatabaseArgs struct {
	// Engine is postgres (an RDS for PostgreSQL instance, the default) or aurora-postgresql (an
	// Aurora cluster with a writer and readers, shaped by Cluster).
	Engine string `pulumi:"engine,optional"`
	// Deployment, for engine postgres, is instance (the default: one writer, with a standby in
	// another zone that serves no reads) or multi-az-cluster (a Multi-AZ DB cluster: a writer and
	// two readable standbys in three zones, with a reader endpoint; see MultiAZCluster).
	Deployment string `pulumi:"deployment,optional"`
	// Instance is the RDS instance: identifier, engine version, class, storage, windows and the
	// instance's relaxations; for Aurora, what the cluster and each of its instances share (there
	// is no storage to allocate). Required.
	Instance InstanceSettings `pulumi:"instance"`
	// Cluster is the Aurora cluster's shape: readers, their zones, Serverless v2 capacity. Only
	// with Engine aurora-postgresql.
	Cluster ClusterSettings `pulumi:"cluster"`
	// MultiAZCluster is the Provisioned IOPS storage of a Multi-AZ DB cluster's instances. Only
	// with Deployment multi-az-cluster.
	MultiAZCluster MultiAZClusterSettings `pulumi:"multiAzCluster"`
	// Replicas are read replicas of an RDS instance, in its region, each hardened like it. RDS
	// makes no replica of a source whose master password it manages, so with replicas the master
	// password is the stack's own: generated, kept in a secret under the storage key and rotated
	// by Secrets Manager at once and then every Rotation.Days (see MasterSecret).
	Replicas []ReplicaSettings `pulumi:"replicas,optional"`
	// Rotation is the rotation of that stack-owned master secret. Only with Replicas.
	Rotation RotationSettings `pulumi:"rotation"`
	// Network is the VPC, the private subnets and the security groups let in. Required.
	Network NetworkSettings `pulumi:"network"`
	// Parameters are added to or override the baseline engine parameters. A weaker value needs a
	// waiver of the parameter's control (pg-connection-logging, pg-statement-logging,
	// pg-log-redaction or pg-audit); the TLS and password controls cannot be waived.
	Parameters []Parameter `pulumi:"parameters,optional"`
	// Logs is the retention of the exported PostgreSQL logs and where they stream.
	Logs LogSettings `pulumi:"logs"`
	// Archive is the local tamper-proof archive the logs stream into without a Logs.DestinationArn.
	Archive ArchiveSettings `pulumi:"archive"`
	// Alerts is the alerts topic, its recipients and the alarm thresholds.
	Alerts AlertSettings `pulumi:"alerts"`
	// Backup is the AWS Backup plan into a locked vault.
	Backup BackupSettings `pulumi:"backup"`
	// FlowLogs record the traffic of the database's subnets (vpc-flow-logs).
	FlowLogs FlowLogSettings `pulumi:"flowLogs"`
	// Replication copies automated backups to another region (backup-independent-copy).
	Replication ReplicationSettings `pulumi:"replication"`
	// Keys are the deletion window and administrators of the database's KMS keys.
	Keys KeySettings `pulumi:"keys"`
	// Proxy is an RDS Proxy in front of the instance, made when it has Users; the same clients
	// may reach it (Network), on port 5432.
	Proxy ProxySettings `pulumi:"proxy"`

	// Tags go on every resource that takes tags; the keys environment and owner must be among
	// them or among the provider's default tags (else rds-tags needs a waiver). Values are inputs
	// (a secret from config, say); the keys are checked before anything is created.
	Tags map[string]pulumi.StringInput `pulumi:"tags,optional"`
	// Waivers relax controls: control key to the reason. Each must be used by a relaxation of
	// these settings, and only waivable controls may be waived.
	Waivers baseline.Waivers `pulumi:"waivers,optional"`

	// replicaOf makes the Database a read replica of another region's source (regionalReplicaArgs).
	replicaOf *replicaSource
}

// NetworkSettings place the database: the VPC, the subnets (see SubnetGroupSettings) and the
// clients let in (see SecurityGroupSettings). Each field is the field of the same name of those.
type NetworkSettings struct {
	// VpcID is the VPC of the subnets. Required.
	VpcID pulumi.StringInput `pulumi:"vpcId"`
	// SubnetIDs are private subnets in at least two availability zones.
	SubnetIDs []string `pulumi:"subnetIds,optional"`
	// Subnets and SubnetsReady give the subnets as an input instead (created in the same
	// program): the proof then runs once their IDs are known, and a failed proof fails the
	// deployment before the instance is created.
	Subnets      pulumi.StringArrayInput `pulumi:"subnets,optional"`
	SubnetsReady []pulumi.CustomResource
	// SkipPrivateSubnetCheck skips proving the subnets private (relaxes rds-private-subnets).
	SkipPrivateSubnetCheck bool `pulumi:"skipPrivateSubnetCheck,optional"`
	// AllowedSecurityGroupIDs may connect on the database port.
	AllowedSecurityGroupIDs []string `pulumi:"allowedSecurityGroupIds,optional"`
	// AllowedSecurityGroups are clients given as inputs: a stable name (it names the ingress
	// rule) to a security group ID, e.g. the app's group created in the same program.
	AllowedSecurityGroups map[string]pulumi.StringInput `pulumi:"allowedSecurityGroups,optional"`
}

func (n NetworkSettings) subnetGroup() SubnetGroupSettings {
	return SubnetGroupSettings{SubnetIDs: n.SubnetIDs, Subnets: n.Subnets, SubnetsReady: n.SubnetsReady, SkipPrivateSubnetCheck: n.SkipPrivateSubnetCheck}
}

// subnetIDs are the subnets as one input, however they were given.
func (n NetworkSettings) subnetIDs() pulumi.StringArrayInput {
	if n.Subnets != nil {
		return n.Subnets
	}
	return pulumi.ToStringArray(n.SubnetIDs)
}

func (n NetworkSettings) securityGroup() SecurityGroupSettings {
	return SecurityGroupSettings{VpcID: n.VpcID, AllowedSecurityGroupIDs: n.AllowedSecurityGroupIDs, AllowedSecurityGroups: n.AllowedSecurityGroups}
}

// Database is the hardened database: keys, network, parameters, log groups and the instance.
type Database struct {
	pulumi.ResourceState

	StorageKey     *EncryptionKey
	LogsKey        *EncryptionKey
	SecurityGroup  *SecurityGroup
	SubnetGroup    *SubnetGroup
	ParameterGroup *ParameterGroup
	AuditLogs      *AuditLogShipping
	// Instance is the RDS instance, Cluster the Aurora cluster, or MultiAZCluster the Multi-AZ DB
	// cluster (the others are nil).
	Instance       *Instance
	Cluster        *Cluster
	MultiAZCluster *MultiAZCluster
	// Archive is nil with a Logs.DestinationArn or Archive.Skip.
	Archive *AuditArchive
	// AlertsKey and Alerts are nil with Alerts.Skip; Backup is nil with Backup.Skip.
	AlertsKey *EncryptionKey
	Alerts    *Alerts
	Backup    *BackupPlan
	// Replication is nil without Replication.Region; Proxy is nil without Proxy.Users;
	// FlowLogs is nil with FlowLogs.Skip. ReplicaLogs are each read replica's log groups.
	Replication *BackupReplication
	Proxy       *Proxy
	FlowLogs    *FlowLogs
	ReplicaLogs map[string]*AuditLogShipping
	// RegionalReplicas are the read replicas in another region, by identifier: each a Database of
	// its region, with the parts made for it there (its Instance is the replica).
	RegionalReplicas map[string]*Database

	// built is Instance, Cluster or MultiAZCluster, as the shape it was made of.
	built builtShape

	InstanceOutputs
	// StorageKeyArn and LogsKeyArn are the keys of the storage and of the exported logs.
	StorageKeyArn pulumi.StringOutput `pulumi:"storageKeyArn"`
	LogsKeyArn    pulumi.StringOutput `pulumi:"logsKeyArn"`
	// SecurityGroupID is the database's security group.
	SecurityGroupID pulumi.StringOutput `pulumi:"securityGroupId"`
	// AlertsTopicArn is the alerts topic; with Alerts.Skip it is the zero StringOutput, not to be
	// used (Alerts is nil then).
	AlertsTopicArn pulumi.StringOutput `pulumi:"alertsTopicArn,optional"`
	// BackupVaultArn is the locked backup vault; with Backup.Skip it is the zero StringOutput, not
	// to be used (Backup is nil then).
	BackupVaultArn pulumi.StringOutput `pulumi:"backupVaultArn,optional"`
	// ProxyEndpoint is where clients reach the proxy; without Proxy.Users it is the zero
	// StringOutput, not to be used (Proxy is nil then).
	ProxyEndpoint pulumi.StringOutput `pulumi:"proxyEndpoint,optional"`
	// ProxySecretArns are the proxy users' secrets by user: where each password goes. Without
	// Proxy.Users it is the zero StringMapOutput, not to be used.
	ProxySecretArns pulumi.StringMapOutput `pulumi:"proxySecretArns,optional"`
	// ReaderEndpoint balances connections over a cluster's readers (Aurora's, or a Multi-AZ DB
	// cluster's standbys); for an RDS instance it is the zero StringOutput, not to be used.
	ReaderEndpoint pulumi.StringOutput `pulumi:"readerEndpoint,optional"`
}

// GrantConnect lets the IAM role named role connect to the database as dbUser only: see
// Instance.GrantConnect.
func (d *Database) GrantConnect(ctx *pulumi.Context, name string, role pulumi.StringInput, dbUser string, opts ...pulumi.ResourceOption) (*iam.RolePolicy, error) {
	return d.built.connect().grant(ctx, name, role, dbUser, opts...)
}

// DatabaseType is the component's type token.
const DatabaseType = "hardenedpg:index:Database"

// databaseChildren holds every child's args, derived from one DatabaseArgs by children(), so
// validation and creation see the same values.
type databaseChildren struct {
	storageKey, logsKey, alertsKey EncryptionKeyArgs
	archive                        *AuditArchiveArgs      // nil when no local archive is wanted
	replication                    *BackupReplicationArgs // nil without a replication region
	proxy                          *ProxyArgs             // nil without proxy users
	flowLogs                       *FlowLogsArgs          // nil with FlowLogs.Skip
	alerts                         AlertsArgs
	backup                         BackupPlanArgs
	securityGroup                  SecurityGroupArgs
	subnetGroup                    SubnetGroupArgs
	parameterGroup                 ParameterGroupArgs
	auditLogs                      AuditLogShippingArgs
	replicaLogs                    []AuditLogShippingArgs
	shape                          shape
}

func (a *DatabaseArgs) children() databaseChildren {
	tags := pulumi.StringMap{managedByTag: pulumi.String("hardenedpg")}
	maps.Copy(tags, a.Tags)
	sh := a.shape(tags)
	s, traits := sh.settings(), sh.traits()
	alias := func(role string) string { return fmt.Sprintf(keyAliasFormat, s.Identifier, role) }
	var logGroups []string
	for _, t := range traits.logTypes {
		logGroups = append(logGroups, baseline.ExportedLogGroup(traits.clusterLogs, s.Identifier, t))
	}
	keepKeys := !s.DisableDeletionProtection
	var replicaLogs []AuditLogShippingArgs
	for _, r := range a.Replicas {
		if r.elsewhere() {
			continue // its region's Database has its own
		}
		replicaLogs = append(replicaLogs, AuditLogShippingArgs{LogSettings: a.Logs, Identifier: r.Identifier, LogTypes: LogTypes, RetainOnDelete: keepKeys, Tags: tags, Waivers: a.Waivers})
		for _, t := range LogTypes {
			logGroups = append(logGroups, LogGroupName(r.Identifier, t))
		}
	}
	var flowLogs *FlowLogsArgs
	if !a.FlowLogs.Skip {
		flowLogs = &FlowLogsArgs{FlowLogSettings: a.FlowLogs.withDefaults(), Identifier: s.Identifier, SubnetIDs: a.Network.SubnetIDs,
			VpcID: a.Network.VpcID, RetainOnDelete: keepKeys, Tags: tags, Waivers: a.Waivers}
		logGroups = append(logGroups, FlowLogGroupName(s.Identifier))
	}
	var archive *AuditArchiveArgs
	logsVia := []string(nil)
	if a.archived() {
		archive = &AuditArchiveArgs{ArchiveSettings: a.Archive.withDefaults(), Identifier: s.Identifier, Tags: tags}
		logsVia = []string{"firehose", "s3"} // the archive stream and bucket encrypt with the logs key
	}
	var replication *BackupReplicationArgs
	if a.Replication.Region != "" {
		replication = &BackupReplicationArgs{ReplicationSettings: a.Replication, Identifier: s.Identifier, Tags: tags}
	}
	key := func(description, role string) EncryptionKeyArgs {
		return EncryptionKeyArgs{
			KeySettings: a.Keys, Description: fmt.Sprintf("hardenedpg %s: %s", s.Identifier, description), Alias: alias(role),
			DeleteWithStack: !keepKeys, Tags: tags, Waivers: a.Waivers,
		}
	}
	var proxy *ProxyArgs
	if len(a.Proxy.Users) > 0 {
		proxy = &ProxyArgs{
			ProxySettings: a.Proxy.withDefaults(), Name: s.Identifier, VpcID: a.Network.VpcID, DatabasePort: s.Port,
			AllowedSecurityGroupIDs: a.Network.AllowedSecurityGroupIDs, AllowedSecurityGroups: a.Network.AllowedSecurityGroups, Tags: tags,
		}
	}
	alerts := AlertsArgs{Identifier: s.Identifier, InstanceClass: s.InstanceClass, AllocatedStorageGB: s.AllocatedStorageGB, Tags: tags}
	sh.watch(&alerts, a.Alerts)
	ch := databaseChildren{
		archive: archive, replication: replication, proxy: proxy, flowLogs: flowLogs, shape: sh, alerts: alerts,
		storageKey: key("storage, Performance Insights and master secret", "storage"),
		logsKey:    key("exported PostgreSQL logs", "logs"),
		alertsKey:  key("alerts topic", "alerts"),
		backup:     BackupPlanArgs{BackupSettings: a.Backup.withDefaults(), Identifier: s.Identifier, Tags: tags},
		securityGroup: SecurityGroupArgs{
			SecurityGroupSettings: a.Network.securityGroup(), Port: s.Port, Tags: tags,
			Description: fmt.Sprintf("hardenedpg %s: PostgreSQL on port %d from allowed security groups only, no egress", s.Identifier, s.Port),
		},
		subnetGroup: SubnetGroupArgs{
			SubnetGroupSettings: a.Network.subnetGroup(), Tags: tags, Waivers: a.Waivers, path: "Network.",
			Description: fmt.Sprintf("hardenedpg %s: private subnets", s.Identifier),
		},
		parameterGroup: ParameterGroupArgs{
			Engine: a.Engine, ClusterGroup: traits.clusterParameters, EngineMajorVersion: s.EngineMajorVersion, Parameters: a.Parameters, Tags: tags, Waivers: a.Waivers,
			Description: fmt.Sprintf("hardenedpg %s: baseline for PostgreSQL %s", s.Identifier, s.EngineMajorVersion),
		},
		auditLogs:   AuditLogShippingArgs{LogSettings: a.Logs, Identifier: s.Identifier, Cluster: traits.clusterLogs, LogTypes: traits.logTypes, RetainOnDelete: keepKeys, Tags: tags, Waivers: a.Waivers},
		replicaLogs: replicaLogs,
	}
	ch.logsKey.LogGroupNames, ch.logsKey.ViaServices = logGroups, logsVia
	ch.storageKey.ViaServices = []string{"rds", "secretsmanager"}
	if a.Backup.CopyToVaultArn != "" && !a.Backup.Skip && traits.backupCopyRefused == "" {
		ch.storageKey.CopyVaultArns = []string{a.Backup.CopyToVaultArn}
	}
	ch.alertsKey.ServicePrincipals = AlertPublishers
	return ch
}

// archived says whether the logs stream into a local archive: when they have no destination and
// the archive is not skipped.
func (a *DatabaseArgs) archived() bool {
	return a.Logs.DestinationArn == "" && !a.Archive.Skip
}

// eventControls are relaxed by a Database without alerts, or whose alerts reach nobody;
// UnreceivedAlertControls, relaxed by alerts that reach nobody, add alarm-actions (without alerts
// there is no alarm to judge).
var (
	eventControls           = []string{"events-instance", "events-parameter-group", "events-security-group"}
	UnreceivedAlertControls = append([]string{"alarm-actions"}, eventControls...)
)

// check reports every problem of the args, each once and under its path. Only the settings are
// checked: the Database wires every other input of its parts itself. inherited are the default
// tags of the provider, which AWS adds to every resource.
func (a *DatabaseArgs) check(ch databaseChildren, inherited map[string]string) problems {
	p := waiverProblems(a.Waivers)
	w := a.Waivers
	group := func(path string, check func(*problems)) {
		var gp problems
		check(&gp)
		p.nest(path, gp)
	}
	checkEngine(&p, "Engine", a.Engine)
	checkDeployment(&p, a.Engine, a.Deployment)
	ch.shape.check(&p, a)
	traits, s := ch.shape.traits(), ch.shape.settings()
	group("Network", func(gp *problems) {
		ch.securityGroup.SecurityGroupSettings.check(gp)
		ch.subnetGroup.SubnetGroupSettings.check(gp, w)
	})
	ch.parameterGroup.checkParameters(&p)
	group("Logs", func(gp *problems) { a.Logs.check(gp, w, ch.archive != nil) })
	group("Keys", func(gp *problems) { a.Keys.check(gp, w) })
	switch {
	case ch.archive != nil:
		group("Archive", ch.archive.ArchiveSettings.check)
	case a.Logs.DestinationArn == "": // the archive is skipped
		p.relax(w, "logs-shipped", "Archive.Skip", true, "false: the logs stream into a local archive, unless {Logs.DestinationArn} names a destination")
	default:
		ignoredSettings(&p, "Archive", a.Archive, "there is no local archive ({Logs.DestinationArn} is set)")
	}
	events := append(slices.Clone(eventControls), traits.events...)
	unreceived := append(slices.Clone(UnreceivedAlertControls), traits.events...)
	if a.Alerts.Skip {
		// Without alerts there are no alarms for the live audit to find either.
		p.relaxAll(w, append(slices.Clone(events), "alarms-present"), "Alerts.Skip", true, "false: alarms and RDS event subscriptions")
		ignoredSettings(&p, "Alerts", a.Alerts, "there are no alerts ({Alerts.Skip})")
	} else {
		if len(a.Alerts.Emails) == 0 && len(a.Alerts.HTTPSEndpoints) == 0 {
			// Events and alarms on a topic nobody subscribes to notify nobody.
			p.relaxAll(w, unreceived, "Alerts.Emails", []string{}, "at least one e-mail address or https endpoint subscribed to the alerts")
		}
		group("Alerts", ch.alerts.AlertSettings.check)
		if traits.freeStorageIgnored != "" && a.Alerts.FreeStorageGB != 0 {
			p.add("Alerts.FreeStorageGB", a.Alerts.FreeStorageGB, "would be ignored: %s; remove it", traits.freeStorageIgnored)
		}
	}
	if ch.proxy != nil {
		group("Proxy", ch.proxy.ProxySettings.check)
		for i, u := range ch.proxy.Users {
			switch {
			case u.Name == s.AdminUsername:
				p.add(fmt.Sprintf("Proxy.Users[%d].Name", i), u.Name, "is the master user: through the proxy every client would have its rights; give an application user")
			case slices.Contains(s.IAMDatabaseUsers, u.Name):
				p.add(fmt.Sprintf("Proxy.Users[%d].Name", i), u.Name, "is in {Instance.IAMDatabaseUsers}: an rds_iam user signs in only with a token, and the proxy signs in with the secret's password")
			}
		}
	} else {
		ignoredSettings(&p, "Proxy", a.Proxy, "there is no proxy (no {Proxy.Users})")
	}
	if a.FlowLogs.Skip {
		p.relax(w, "vpc-flow-logs", "FlowLogs.Skip", true, "false: flow logs of the database's subnets into an encrypted log group kept a year")
		ignoredSettings(&p, "FlowLogs", a.FlowLogs, "there are no flow logs ({FlowLogs.Skip})")
	} else {
		group("FlowLogs", func(gp *problems) { ch.flowLogs.FlowLogSettings.check(gp, w) })
	}
	switch {
	case traits.backupBySource:
		// A read replica's data is its source's, which the source's backups keep.
	case a.Backup.Skip:
		p.relax(w, "backup-plan", "Backup.Skip", true, "false: a locked AWS Backup vault with its own key")
		ignoredSettings(&p, "Backup", a.Backup, "there is no backup plan ({Backup.Skip})")
	default:
		group("Backup", ch.backup.BackupSettings.check)
		if traits.backupCopyRefused != "" && a.Backup.CopyToVaultArn != "" {
			p.add("Backup.CopyToVaultArn", a.Backup.CopyToVaultArn, "%s; remove it", traits.backupCopyRefused)
		}
	}
	if ch.replication != nil && traits.backupReplicationRefused != "" {
		p.add("Replication.Region", a.Replication.Region, "%s", traits.backupReplicationRefused)
	} else if ch.replication != nil {
		group("Replication", func(gp *problems) { ch.replication.ReplicationSettings.check(gp, "") })
	} else {
		ignoredSettings(&p, "Replication", a.Replication, "nothing is replicated without {Replication.Region}")
	}
	checkTags(&p, a.Tags, inherited)
	var missing []string
	for _, k := range baseline.RequiredTagKeys {
		if !hasTag(a.Tags, k) && strings.TrimSpace(inherited[k]) == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		p.relax(w, "rds-tags", "Tags", slices.Sorted(maps.Keys(a.Tags)), "tags with the keys "+strings.Join(baseline.RequiredTagKeys, ", ")+"; missing: "+strings.Join(missing, ", "))
	}
	for i, r := range a.Replicas {
		if r.elsewhere() {
			p = append(p, a.regionalProblems(i, r, inherited)...)
		}
	}
	if !traits.backupBySource && (traits.backupCopyRefused != "" || (ch.replication == nil && (a.Backup.CopyToVaultArn == "" || a.Backup.Skip))) {
		// AWS Backup keeps RDS recovery points under the storage key: without a copy elsewhere,
		// losing that key loses every backup (see the backup-independent-copy control).
		p.relax(w, "backup-independent-copy", traits.independentCopyField, traits.independentCopyValue, traits.independentCopyHardened)
	}
	if a.replicaOf == nil { // a replica's Database shares its source's waivers, used there
		p.unusedWaivers(w)
	}
	return p
}

// checkTags reports tags RDS and IAM would refuse, with the provider's default tags counted: keys
// of 1 to 128 and values of at most 256 characters, both of letters, digits, spaces and _.:/=+-@
// only, keys and values not prefixed aws: or rds:, at most 50 tags on a resource
// (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_Tag.html, and "A tag set can
// contain as many as 50 tags", https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Tagging.html).
// A value not known here is AWS's to check.
func checkTags(p *problems, tags map[string]pulumi.StringInput, inherited map[string]string) {
	reserved := func(s string) bool {
		l := strings.ToLower(s)
		return strings.HasPrefix(l, "aws:") || strings.HasPrefix(l, "rds:")
	}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		field := fmt.Sprintf("Tags[%q]", k)
		switch v, known := tags[k].(pulumi.String); {
		case k == "" || utf8.RuneCountInString(k) > 128:
			p.add(field, k, "want a key of 1 to 128 characters")
		case !tagCharacters.MatchString(k):
			p.add(field, k, "want a key of letters, digits, spaces and _.:/=+-@ only (RDS and IAM refuse other characters)")
		case reserved(k):
			p.add(field, k, "the aws: and rds: prefixes are reserved for AWS's own tags")
		case tags[k] == nil:
			p.add(field, nil, "want a value: a string or an input")
		case known && utf8.RuneCountInString(string(v)) > 256:
			p.add(field, shown(fmt.Sprintf("%d characters", utf8.RuneCountInString(string(v)))), "want a value of at most 256 characters")
		case known && !tagCharacters.MatchString(string(v)):
			p.add(field, string(v), "want a value of letters, digits, spaces and _.:/=+-@ only (RDS and IAM refuse other characters)")
		case known && reserved(string(v)):
			p.add(field, string(v), "RDS refuses a value prefixed aws: or rds:")
		}
	}
	all := map[string]bool{managedByTag: true}
	for k := range tags {
		all[k] = true
	}
	for k := range inherited {
		all[k] = true
	}
	if len(all) > maxTagsPerResource {
		p.add("Tags", shown(fmt.Sprintf("%d tags", len(tags))), "want at most %d tags on each resource: these, %s and the provider's %d default tags make %d", maxTagsPerResource, managedByTag, len(inherited), len(all))
	}
}

// tagCharacters is the character set RDS and IAM accept in tag keys and values.
var tagCharacters = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

const (
	maxTagsPerResource = 50
	// managedByTag marks every resource of a Database.
	managedByTag = "managed-by"
)

// hasTag says whether tags give key a value: an input, or a known value that is not blank.
func hasTag(tags pulumi.StringMap, key string) bool {
	v, ok := tags[key]
	if known, isKnown := v.(pulumi.String); isKnown {
		return strings.TrimSpace(string(known)) != ""
	}
	return ok && v != nil
}

// ignoredSettings reports each setting of a group that is set although the part it configures is
// not created: it would be ignored without a word. Skip itself is not reported.
func ignoredSettings(p *problems, path string, settings any, because string) {
	v := reflect.ValueOf(settings)
	for i := range v.NumField() {
		f, name := v.Field(i), v.Type().Field(i).Name
		if name == "Skip" || f.IsZero() {
			continue
		}
		p.add(path+"."+name, shownSetting(f), "would be ignored: %s; remove it", because)
	}
}

// shownSetting is how ignoredSettings prints a value: plain values as they are, inputs by count,
// as they may be secret or unknown.
func shownSetting(f reflect.Value) any {
	switch f.Kind() {
	case reflect.String, reflect.Int, reflect.Bool:
		return f.Interface()
	case reflect.Slice:
		if s, ok := f.Interface().([]string); ok {
			return s
		}
		return shown(fmt.Sprintf("%d inputs", f.Len()))
	default:
		return shown("(set)")
	}
}

// shown is a description printed in place of a value, unquoted.
type shown string

// NewDatabase validates everything, proves the subnets private, then creates the whole database.
// On any problem it returns one error listing all of them and registers nothing.
func NewDatabase(ctx *pulumi.Context, name string, args *DatabaseArgs, opts ...pulumi.ResourceOption) (*Database, error) {
	if args == nil {
		args = &DatabaseArgs{}
	}
	ch := args.children()
	inherited := defaultProviderTags(ctx, opts)
	if args.replicaOf != nil {
		// Its region's provider is made with the stack's default tags, or given to match them.
		inherited = args.replicaOf.inheritedTags
	}
	p := args.check(ch, inherited)
	checkDatabaseName(&p, name)
	if ch.replication != nil && ch.replication.Provider == nil {
		if hasOwnAWSProvider(opts) {
			p.add("Replication.Provider", nil, "required with {Replication.Region} when the Database gets an aws provider of its own: give a provider for %s with the same credentials", ch.replication.Region)
		} else if uncarried := uncarriedProviderConfig(ctx); len(uncarried) > 0 {
			p.add("Replication.Provider", nil, "%s", uncarriedProblem(uncarried))
		}
	}
	if err := p.err(); err != nil {
		return nil, fmt.Errorf("hardenedpg.NewDatabase %q: %w", name, err)
	}
	// The component first: every look-up goes through it, so through the provider the caller
	// gave (pulumi.Provider or a parent's providers), never silently through the default one.
	d := &Database{}
	if err := ctx.RegisterComponentResource(DatabaseType, name, d, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(d)
	var zones []string
	if !args.Network.SkipPrivateSubnetCheck && args.Network.Subnets == nil {
		var np problems
		zones = ch.subnetGroup.verify(ctx, &np, d)
		if need := ch.shape.traits().zonesNeeded; len(zones) > 1 && len(zones) < need {
			np.add("SubnetIDs", args.Network.SubnetIDs, "are in %d zones (%s); want subnets in %d zones, one for each instance of a Multi-AZ DB cluster", len(zones), strings.Join(zones, ", "), need)
		}
		p.nest("Network", np)
	}
	env, err := lookupEnv(ctx, parent)
	if err != nil {
		return nil, err
	}
	if ch.replication != nil && ch.replication.Region == env.Region {
		p.add("Replication.Region", ch.replication.Region, "is the region of the database's provider; replicas protect only in another one")
	}
	// A replica of another region is proven there before anything is made, through its provider.
	providers := map[string]pulumi.ProviderResource{}
	for i, r := range args.Replicas {
		field := fmt.Sprintf("Replicas[%d]", i)
		switch {
		case !r.elsewhere():
			continue
		case r.Region == env.Region:
			p.add(field+".Region", r.Region, "is the source's region; leave it out for a replica beside the source")
			continue
		}
		if r.Provider == nil {
			if hasOwnAWSProvider(opts) {
				p.add(field+".Provider", nil, "required with {%s.Region} when the Database gets an aws provider of its own: give a provider for %s with the same credentials", field, r.Region)
				continue
			} else if uncarried := uncarriedProviderConfig(ctx); len(uncarried) > 0 {
				p.add(field+".Provider", nil, "%s", uncarriedProblem(uncarried))
				continue
			}
		}
		provider, err := regionalProvider(ctx, r.Identifier, r, env, d)
		if err != nil {
			return nil, fmt.Errorf("hardenedpg.NewDatabase %q: %s: %w", name, field, err)
		}
		providers[r.Identifier] = provider
		if rn := r.network().subnetGroup(); !rn.SkipPrivateSubnetCheck && rn.Subnets == nil {
			var np problems
			rn.verify(ctx, &np, d, pulumi.Provider(provider))
			p.nest(field+".Network", np)
		}
	}
	// A restore's source is read before anything is created, so that what cannot be restored is
	// refused with the rest.
	settings := ch.shape.settings()
	var rp problems
	restore := settings.Restore.lookup(ctx, &rp, settings, ch.shape.traits().engine, env, time.Now().UTC(), parent)
	p.nest("Instance", rp)
	if err := p.err(); err != nil {
		return nil, fmt.Errorf("hardenedpg.NewDatabase %q: %w", name, err)
	}
	if d.StorageKey, err = newEncryptionKey(ctx, name+"-storage-key", &ch.storageKey, env, parent); err != nil {
		return nil, err
	}
	if d.LogsKey, err = newEncryptionKey(ctx, name+"-logs-key", &ch.logsKey, env, parent); err != nil {
		return nil, err
	}
	if d.SecurityGroup, err = NewSecurityGroup(ctx, name+"-security-group", &ch.securityGroup, parent); err != nil {
		return nil, err
	}
	if d.SubnetGroup, err = newSubnetGroup(ctx, name+"-subnet-group", &ch.subnetGroup, zones, parent); err != nil {
		return nil, err
	}
	if d.ParameterGroup, err = NewParameterGroup(ctx, name+"-parameter-group", &ch.parameterGroup, parent); err != nil {
		return nil, err
	}
	ch.auditLogs.LogsKeyArn = d.LogsKey.Arn
	if ch.archive != nil {
		ch.archive.KeyArn = d.LogsKey.Arn
		if d.Archive, err = newAuditArchive(ctx, name+"-audit-archive", ch.archive, env, parent); err != nil {
			return nil, err
		}
		ch.auditLogs.Archive = d.Archive
	}
	if d.AuditLogs, err = NewAuditLogShipping(ctx, name+"-audit-logs", &ch.auditLogs, parent); err != nil {
		return nil, err
	}
	replicaLogs := map[string][]pulumi.Resource{}
	for _, rl := range ch.replicaLogs {
		rl.LogsKeyArn, rl.Archive = d.LogsKey.Arn, d.Archive
		logs, err := NewAuditLogShipping(ctx, name+"-replica-logs-"+rl.Identifier, &rl, parent)
		if err != nil {
			return nil, err
		}
		if d.ReplicaLogs == nil {
			d.ReplicaLogs = map[string]*AuditLogShipping{}
		}
		d.ReplicaLogs[rl.Identifier] = logs
		for _, t := range LogTypes {
			replicaLogs[rl.Identifier] = append(replicaLogs[rl.Identifier], logs.LogGroups[t])
		}
	}
	if ch.flowLogs != nil {
		ch.flowLogs.LogsKeyArn = d.LogsKey.Arn
		if d.FlowLogs, err = newFlowLogs(ctx, name+"-flow-logs", ch.flowLogs, env, parent); err != nil {
			return nil, err
		}
	}
	var logGroups []pulumi.Resource
	for _, t := range ch.shape.traits().logTypes {
		logGroups = append(logGroups, d.AuditLogs.LogGroups[t])
	}
	if d.built, err = ch.shape.create(ctx, name, sharedParts{
		storageKeyArn: d.StorageKey.Arn, subnetGroupName: d.SubnetGroup.Name, securityGroupIDs: pulumi.StringArray{d.SecurityGroup.ID},
		parameterGroup: d.ParameterGroup, zones: zones, env: env, restore: restore, waitFor: logGroups, database: d,
		replicaLogs: replicaLogs, vpcID: args.Network.VpcID, subnetIDs: args.Network.subnetIDs(),
	}, parent); err != nil {
		return nil, err
	}
	d.InstanceOutputs = d.built.outputs()
	if ch.proxy != nil {
		proxy := *ch.proxy
		proxy.SecretKeyArn = d.StorageKey.Arn
		d.built.targetProxy(&proxy)
		proxy.DatabaseSecurityGroupID, proxy.SubnetIDs = d.SecurityGroup.ID, args.Network.subnetIDs()
		if d.Proxy, err = newProxy(ctx, name+"-proxy", &proxy, env, parent); err != nil {
			return nil, err
		}
		d.ProxyEndpoint, d.ProxySecretArns = d.Proxy.Endpoint, d.Proxy.SecretArns
	}
	if !args.Alerts.Skip {
		if d.AlertsKey, err = newEncryptionKey(ctx, name+"-alerts-key", &ch.alertsKey, env, parent); err != nil {
			return nil, err
		}
		alerts := ch.alerts
		alerts.ParameterGroupName, alerts.TopicKeyArn = d.ParameterGroup.Name, d.AlertsKey.Arn
		alerts.PostgresLogGroupName = d.AuditLogs.LogGroups["postgresql"].Name
		alerts.IAMAuthErrorLogGroupName = d.AuditLogs.LogGroups["iam-db-auth-error"].Name
		alerts.SecurityGroupID = d.SecurityGroup.ID
		if d.Proxy != nil {
			alerts.ProxySecurityGroupID = d.Proxy.SecurityGroup.ID
		}
		alerts.WaitFor = d.built.resources()
		if d.Alerts, err = newAlerts(ctx, name+"-alerts", &alerts, env, parent); err != nil {
			return nil, err
		}
		d.AlertsTopicArn = d.Alerts.TopicArn
	}
	if !args.Backup.Skip {
		plan := ch.backup
		plan.InstanceArn = d.Arn
		if d.Backup, err = newBackupPlan(ctx, name+"-backup", &plan, env, parent); err != nil {
			return nil, err
		}
		d.BackupVaultArn = d.Backup.VaultArn
	}
	for _, r := range args.Replicas {
		if !r.elsewhere() {
			continue
		}
		source := &replicaSource{arn: d.Arn, secretArn: d.MasterUserSecretArn, instance: d.built.resources()[0], inheritedTags: inherited}
		replica, err := NewDatabase(ctx, r.Identifier, args.regionalReplicaArgs(r, source), pulumi.Parent(d), pulumi.Provider(providers[r.Identifier]))
		if err != nil {
			return nil, err
		}
		if d.RegionalReplicas == nil {
			d.RegionalReplicas = map[string]*Database{}
		}
		d.RegionalReplicas[r.Identifier] = replica
	}
	if ch.replication != nil {
		replication := *ch.replication
		replication.InstanceArn = d.Arn
		if d.Replication, err = newBackupReplication(ctx, name+"-backup-replication", &replication, env, parent); err != nil {
			return nil, err
		}
	}
	// Registering the component gave every tagged output field a pending output: a part not made
	// has none, so it is not among the outputs (see Outputs).
	if d.Alerts == nil {
		d.AlertsTopicArn = pulumi.StringOutput{}
	}
	if d.Backup == nil {
		d.BackupVaultArn = pulumi.StringOutput{}
	}
	if d.Proxy == nil {
		d.ProxyEndpoint, d.ProxySecretArns = pulumi.StringOutput{}, pulumi.StringMapOutput{}
	}
	d.ReaderEndpoint = d.built.readerEndpoint()
	d.StorageKeyArn, d.LogsKeyArn, d.SecurityGroupID = d.StorageKey.Arn, d.LogsKey.Arn, d.SecurityGroup.ID
	if err := registerOutputs(ctx, d); err != nil {
		return nil, err
	}
	return d, nil
}

// Validate reports every problem of args that can be found without AWS (NewDatabase also proves
// the subnets private through look-ups, and counts the provider's default tags).
func (a *DatabaseArgs) Validate() error {
	return a.check(a.children(), nil).err()
}

// ValidateWithProviderTags is Validate for a Database whose provider adds defaultTags to every
// resource, as NewDatabase counts those of the default provider.
func (a *DatabaseArgs) ValidateWithProviderTags(defaultTags map[string]string) error {
	return a.check(a.children(), defaultTags).err()
}

// defaultProviderTags are the stack's aws:defaultTags, which the default provider adds to every
// resource, when the Database goes through it. A provider of the caller's own is not readable
// here: give the required tags in Tags then.
func defaultProviderTags(ctx *pulumi.Context, opts []pulumi.ResourceOption) map[string]string {
	if hasOwnAWSProvider(opts) {
		return nil
	}
	raw, _ := ctx.GetConfig(DefaultTagsConfigKey)
	return ParseDefaultTags(raw)
}

// DefaultTagsConfigKey is the stack config key of the default aws provider's default tags.
const DefaultTagsConfigKey = "aws:defaultTags"

// ParseDefaultTags reads the value of aws:defaultTags ({"tags": {...}}); nil when absent or
// unreadable (the provider then refuses it itself).
func ParseDefaultTags(raw string) map[string]string {
	var block struct {
		Tags map[string]string `json:"tags"`
	}
	if raw == "" || json.Unmarshal([]byte(raw), &block) != nil {
		return nil
	}
	return block.Tags
}

// hasOwnAWSProvider reports whether opts give an aws provider (pulumi.Provider or pulumi.Providers).
func hasOwnAWSProvider(opts []pulumi.ResourceOption) bool {
	ro, err := pulumi.NewResourceOptions(opts...)
	if err != nil {
		return false
	}
	for _, p := range append([]pulumi.ProviderResource{ro.Provider}, ro.Providers...) {
		if _, ok := p.(*aws.Provider); ok {
			return true
		}
	}
	return false
}
