package hardenedpg

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// DatabaseArgs configures a whole hardened database in one value.
type DatabaseArgs struct {
	InstanceSettings

	// VpcID is the VPC of the subnets. Required.
	VpcID pulumi.StringInput
	// SubnetIDs are private subnets in at least two availability zones.
	SubnetIDs []string
	// Subnets and SubnetsReady give the subnets as an input instead (created in the same
	// program): see SubnetGroupArgs. The proof then runs once their IDs are known, and a failed
	// proof fails the deployment before the instance is created.
	Subnets      pulumi.StringArrayInput
	SubnetsReady []pulumi.CustomResource
	// SkipPrivateSubnetCheck skips proving the subnets private (relaxes rds-private-subnets).
	SkipPrivateSubnetCheck bool
	// AllowedSecurityGroupIDs may connect on the database port.
	AllowedSecurityGroupIDs []string
	// AllowedSecurityGroups are clients given as inputs: a stable name (it names the ingress
	// rule) to a security group ID, e.g. the app's group created in the same program.
	AllowedSecurityGroups map[string]pulumi.StringInput
	// Parameters are added to or override the baseline engine parameters.
	Parameters []Parameter
	// LogRetentionDays is 365 by default.
	LogRetentionDays int
	// AuditDestinationArn and AuditDestinationRoleArn: see AuditLogShippingArgs.
	AuditDestinationArn     string
	AuditDestinationRoleArn string
	// Without an AuditDestinationArn the logs stream into a local AuditArchive, unless
	// SkipAuditArchive (which relaxes logs-shipped). AuditArchiveRetentionDays: see AuditArchiveArgs.
	SkipAuditArchive          bool
	AuditArchiveRetentionDays int
	// KeyDeletionWindowInDays is 30 by default.
	KeyDeletionWindowInDays int

	// Alerts: see AlertsArgs. SkipAlerts creates no topic, alarm or event subscription and
	// relaxes events-instance, events-parameter-group and events-security-group.
	AlertEmails         []string
	AlertHTTPSEndpoints []pulumi.StringInput
	AlertCPUPercent     int
	AlertFreeStorageGB  int
	AlertConnections    int
	SkipAlerts          bool

	// Backups: see BackupPlanArgs. SkipBackupPlan relaxes backup-plan.
	BackupCopyToVaultArn         string
	BackupVaultChangeableForDays int
	SkipBackupPlan               bool
	// BackupReplicationRegion, when set, replicates automated backups to that region.
	BackupReplicationRegion string
	// BackupReplicationProvider is the aws provider of BackupReplicationRegion: required when the
	// Database gets an aws provider of its own, whose credentials a provider made here would not
	// have; see BackupReplicationArgs.Provider.
	BackupReplicationProvider pulumi.ProviderResource

	// Tags go on every resource that takes tags; baseline.RequiredTagKeys must be among them.
	Tags    map[string]string
	Waivers baseline.Waivers
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
	Instance       *Instance
	// Archive is nil with an AuditDestinationArn or SkipAuditArchive.
	Archive *AuditArchive
	// AlertsKey and Alerts are nil with SkipAlerts; Backup is nil with SkipBackupPlan.
	AlertsKey *EncryptionKey
	Alerts    *Alerts
	Backup    *BackupPlan
	// Replication is nil without BackupReplicationRegion.
	Replication *BackupReplication
}

// GrantConnect lets the IAM role named role connect to the database as dbUser only: see
// Instance.GrantConnect.
func (d *Database) GrantConnect(ctx *pulumi.Context, name string, role pulumi.StringInput, dbUser string, opts ...pulumi.ResourceOption) (*iam.RolePolicy, error) {
	return d.Instance.GrantConnect(ctx, name, role, dbUser, opts...)
}

// DatabaseType is the component's type token.
const DatabaseType = "hardenedpg:index:Database"

// databaseChildren holds every child's args, derived from one DatabaseArgs by children(), so
// validation and creation see the same values.
type databaseChildren struct {
	storageKey, logsKey, alertsKey EncryptionKeyArgs
	archive                        *AuditArchiveArgs      // nil when no local archive is wanted
	replication                    *BackupReplicationArgs // nil without a replication region
	alerts                         AlertsArgs
	backup                         BackupPlanArgs
	securityGroup                  SecurityGroupArgs
	subnetGroup                    SubnetGroupArgs
	parameterGroup                 ParameterGroupArgs
	auditLogs                      AuditLogShippingArgs
	instance                       InstanceArgs
}

func (a *DatabaseArgs) children() databaseChildren {
	s := a.withDefaults()
	tags := map[string]string{"managed-by": "hardenedpg"}
	maps.Copy(tags, a.Tags)
	alias := func(role string) string { return fmt.Sprintf(keyAliasFormat, s.Identifier, role) }
	logGroups := make([]string, len(LogTypes))
	for i, t := range LogTypes {
		logGroups[i] = LogGroupName(s.Identifier, t)
	}
	keepKeys := !s.DisableDeletionProtection
	var archive *AuditArchiveArgs
	logsVia := []string(nil)
	if a.AuditDestinationArn == "" && !a.SkipAuditArchive {
		archive = &AuditArchiveArgs{Identifier: s.Identifier, RetentionDays: a.AuditArchiveRetentionDays, Tags: tags}
		*archive = archive.withDefaults()
		logsVia = []string{"firehose", "s3"} // the archive stream and bucket encrypt with the logs key
	}
	var replication *BackupReplicationArgs
	if a.BackupReplicationRegion != "" {
		replication = &BackupReplicationArgs{Identifier: s.Identifier, Region: a.BackupReplicationRegion, RetentionDays: s.BackupRetentionDays, Provider: a.BackupReplicationProvider, Tags: tags}
	}
	return databaseChildren{
		archive: archive, replication: replication,
		storageKey: EncryptionKeyArgs{
			Description: fmt.Sprintf("hardenedpg %s: storage, Performance Insights and master secret", s.Identifier),
			Alias:       alias("storage"), ViaServices: []string{"rds", "secretsmanager"},
			DeletionWindowInDays: a.KeyDeletionWindowInDays, DeleteWithStack: !keepKeys, Tags: tags, Waivers: a.Waivers,
		},
		logsKey: EncryptionKeyArgs{
			Description: fmt.Sprintf("hardenedpg %s: exported PostgreSQL logs", s.Identifier),
			Alias:       alias("logs"), LogGroupNames: logGroups, ViaServices: logsVia,
			DeletionWindowInDays: a.KeyDeletionWindowInDays, DeleteWithStack: !keepKeys, Tags: tags, Waivers: a.Waivers,
		},
		alertsKey: EncryptionKeyArgs{
			Description: fmt.Sprintf("hardenedpg %s: alerts topic", s.Identifier),
			Alias:       alias("alerts"), ServicePrincipals: AlertPublishers,
			DeletionWindowInDays: a.KeyDeletionWindowInDays, DeleteWithStack: !keepKeys, Tags: tags, Waivers: a.Waivers,
		},
		alerts: (&AlertsArgs{
			Identifier: s.Identifier, InstanceClass: s.InstanceClass, AllocatedStorageGB: s.AllocatedStorageGB,
			CPUPercent: a.AlertCPUPercent, FreeStorageGB: a.AlertFreeStorageGB, Connections: a.AlertConnections,
			EmailEndpoints: a.AlertEmails, HTTPSEndpoints: a.AlertHTTPSEndpoints, Tags: tags,
		}).withDefaults(),
		backup: (&BackupPlanArgs{
			Identifier: s.Identifier, CopyToVaultArn: a.BackupCopyToVaultArn,
			VaultChangeableForDays: a.BackupVaultChangeableForDays, Tags: tags,
		}).withDefaults(),
		securityGroup: SecurityGroupArgs{
			VpcID: a.VpcID, Port: s.Port, AllowedSecurityGroupIDs: a.AllowedSecurityGroupIDs, AllowedSecurityGroups: a.AllowedSecurityGroups, Tags: tags,
			Description: fmt.Sprintf("hardenedpg %s: PostgreSQL on port %d from allowed security groups only, no egress", s.Identifier, s.Port),
		},
		subnetGroup: SubnetGroupArgs{
			SubnetIDs: a.SubnetIDs, Subnets: a.Subnets, SubnetsReady: a.SubnetsReady, SkipPrivateCheck: a.SkipPrivateSubnetCheck, Tags: tags, Waivers: a.Waivers,
			Description: fmt.Sprintf("hardenedpg %s: private subnets", s.Identifier),
		},
		parameterGroup: ParameterGroupArgs{
			EngineMajorVersion: s.EngineMajorVersion, Parameters: a.Parameters, Tags: tags, Waivers: a.Waivers,
			Description: fmt.Sprintf("hardenedpg %s: baseline for PostgreSQL %s", s.Identifier, s.EngineMajorVersion),
		},
		auditLogs: AuditLogShippingArgs{
			Identifier: s.Identifier, RetentionDays: a.LogRetentionDays, RetainOnDelete: keepKeys,
			DestinationArn: a.AuditDestinationArn, DestinationRoleArn: a.AuditDestinationRoleArn, Tags: tags, Waivers: a.Waivers,
		},
		instance: InstanceArgs{InstanceSettings: s, Tags: tags, Waivers: a.Waivers},
	}
}

// check reports every problem of the args and of every child's args, each once and under the
// DatabaseArgs field name; inputs the Database wires itself (keys, names) are not checked here.
// inherited are the default tags of the provider, which AWS adds to every resource.
func (a *DatabaseArgs) check(ch databaseChildren, inherited map[string]string) problems {
	p := waiverProblems(a.Waivers)
	ch.instance.InstanceSettings.check(&p, a.Waivers)
	if a.VpcID == nil {
		p.add("VpcID", "", "required: the VPC of the subnets")
	}
	// The instance settings already reported Identifier, Port, VpcID and the version.
	reported := ""
	child := func(check func(*problems), rename map[string]string) {
		var cp problems
		check(&cp)
		for _, e := range cp {
			// Rename by the field's base name, keeping an index or key: EmailEndpoints[0] -> AlertEmails[0].
			base := e.Field[:len(e.Field)-len(strings.TrimLeft(e.Field, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))]
			if to, ok := rename[base]; ok {
				if to == reported {
					continue
				}
				e.Field = to + e.Field[len(base):]
			}
			p = append(p, e)
		}
	}
	// The alias and description derive from Identifier, which reports its own problem.
	child(ch.storageKey.check, map[string]string{"DeletionWindowInDays": "KeyDeletionWindowInDays", "Alias": reported, "Description": reported})
	child(ch.securityGroup.check, map[string]string{"Port": reported, "VpcID": reported})
	child(ch.subnetGroup.check, map[string]string{"SkipPrivateCheck": "SkipPrivateSubnetCheck"})
	child(ch.parameterGroup.check, map[string]string{"EngineMajorVersion": reported})
	ch.auditLogs.LogsKeyArn = pulumi.String("") // wired by the Database
	if ch.archive != nil {
		ch.auditLogs.Archive = &AuditArchive{} // stands for the archive the Database will create
		ch.archive.KeyArn = pulumi.String("")
		child(ch.archive.check, map[string]string{"Identifier": reported, "RetentionDays": "AuditArchiveRetentionDays"})
	}
	child(ch.auditLogs.check, map[string]string{
		"Identifier": reported, "RetentionDays": "LogRetentionDays",
		"DestinationArn": "AuditDestinationArn", "DestinationRoleArn": "AuditDestinationRoleArn",
	})
	eventControls := []string{"events-instance", "events-parameter-group", "events-security-group"}
	if a.SkipAlerts {
		p.relaxAll(a.Waivers, eventControls, "SkipAlerts", true, "false: alarms and RDS event subscriptions")
	} else {
		if len(a.AlertEmails) == 0 && len(a.AlertHTTPSEndpoints) == 0 {
			// Events and alarms on a topic nobody subscribes to notify nobody.
			p.relaxAll(a.Waivers, eventControls, "AlertEmails", []string{}, "at least one e-mail address or https endpoint subscribed to the alerts")
		}
		ch.alerts.ParameterGroupName, ch.alerts.TopicKeyArn, ch.alerts.PostgresLogGroupName = pulumi.String(""), pulumi.String(""), pulumi.String("")
		child(ch.alerts.check, map[string]string{
			"Identifier": reported, "InstanceClass": reported, "CPUPercent": "AlertCPUPercent", "FreeStorageGB": "AlertFreeStorageGB",
			"Connections": "AlertConnections", "EmailEndpoints": "AlertEmails", "HTTPSEndpoints": "AlertHTTPSEndpoints",
		})
	}
	if a.SkipBackupPlan {
		p.relax(a.Waivers, "backup-plan", "SkipBackupPlan", true, "false: a locked AWS Backup vault with its own key")
	} else {
		ch.backup.InstanceArn = pulumi.String("")
		child(ch.backup.check, map[string]string{
			"Identifier": reported, "CopyToVaultArn": "BackupCopyToVaultArn", "VaultChangeableForDays": "BackupVaultChangeableForDays",
		})
	}
	if ch.replication != nil {
		ch.replication.InstanceArn = pulumi.String("")
		child(func(p *problems) { ch.replication.check(p, "") }, map[string]string{
			"Identifier": reported, "Region": "BackupReplicationRegion", "RetentionDays": reported,
		})
	}
	// A setting of a part that is not created would be ignored without a word.
	unused := []struct {
		set         bool
		field       string
		value       any
		off, reason string
	}{
		{a.AuditArchiveRetentionDays != 0 && ch.archive == nil, "AuditArchiveRetentionDays", a.AuditArchiveRetentionDays, "no local archive", "AuditDestinationArn is set or SkipAuditArchive"},
		{len(a.AlertEmails) > 0 && a.SkipAlerts, "AlertEmails", a.AlertEmails, "no alerts", "SkipAlerts"},
		{len(a.AlertHTTPSEndpoints) > 0 && a.SkipAlerts, "AlertHTTPSEndpoints", fmt.Sprintf("%d URLs", len(a.AlertHTTPSEndpoints)), "no alerts", "SkipAlerts"},
		{a.BackupCopyToVaultArn != "" && a.SkipBackupPlan, "BackupCopyToVaultArn", a.BackupCopyToVaultArn, "no backup plan", "SkipBackupPlan"},
		{a.BackupVaultChangeableForDays != 0 && a.SkipBackupPlan, "BackupVaultChangeableForDays", a.BackupVaultChangeableForDays, "no backup plan", "SkipBackupPlan"},
	}
	for _, u := range unused {
		if u.set {
			p.add(u.field, u.value, "would be ignored: there is %s (%s); remove it or the skip", u.off, u.reason)
		}
	}
	var missing []string
	for _, k := range baseline.RequiredTagKeys {
		if strings.TrimSpace(a.Tags[k]) == "" && strings.TrimSpace(inherited[k]) == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		p.relax(a.Waivers, "rds-tags", "Tags", slices.Sorted(maps.Keys(a.Tags)), "tags with the keys "+strings.Join(baseline.RequiredTagKeys, ", ")+"; missing: "+strings.Join(missing, ", "))
	}
	if a.BackupReplicationRegion == "" && (a.BackupCopyToVaultArn == "" || a.SkipBackupPlan) {
		// AWS Backup keeps RDS recovery points under the storage key: without a copy elsewhere,
		// losing that key loses every backup (see the backup-independent-copy control).
		p.relax(a.Waivers, "backup-independent-copy", "BackupReplicationRegion", "", "another region to replicate automated backups to, or backupCopyToVaultArn in another region or account")
	}
	p.unusedWaivers(a.Waivers)
	return p
}

// NewDatabase validates everything, proves the subnets private, then creates the whole database.
// On any problem it returns one error listing all of them and registers nothing.
func NewDatabase(ctx *pulumi.Context, name string, args *DatabaseArgs, opts ...pulumi.ResourceOption) (*Database, error) {
	if args == nil {
		args = &DatabaseArgs{}
	}
	ch := args.children()
	p := args.check(ch, defaultProviderTags(ctx, opts))
	if ch.replication != nil && ch.replication.Provider == nil && hasOwnAWSProvider(opts) {
		p.add("BackupReplicationProvider", nil, "required with BackupReplicationRegion when the Database gets an aws provider of its own: give a provider for %s with the same credentials", ch.replication.Region)
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
	if !args.SkipPrivateSubnetCheck && args.Subnets == nil {
		zones = ch.subnetGroup.verify(ctx, &p, d)
	}
	env, err := lookupEnv(ctx, parent)
	if err != nil {
		return nil, err
	}
	if ch.replication != nil && ch.replication.Region == env.Region {
		p.add("BackupReplicationRegion", ch.replication.Region, "is the region of the database's provider; replicas protect only in another one")
	}
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
	inst := ch.instance
	inst.StorageKeyArn = d.StorageKey.Arn
	inst.SubnetGroupName = d.SubnetGroup.Name
	inst.SecurityGroupIDs = pulumi.StringArray{d.SecurityGroup.ID.ToStringOutput()}
	inst.ParameterGroupName = d.ParameterGroup.Name
	for _, t := range LogTypes {
		inst.WaitFor = append(inst.WaitFor, d.AuditLogs.LogGroups[t])
	}
	if d.Instance, err = newInstance(ctx, name+"-instance", &inst, env, parent); err != nil {
		return nil, err
	}
	outputs := pulumi.Map{}
	if !args.SkipAlerts {
		if d.AlertsKey, err = newEncryptionKey(ctx, name+"-alerts-key", &ch.alertsKey, env, parent); err != nil {
			return nil, err
		}
		alerts := ch.alerts
		alerts.ParameterGroupName, alerts.TopicKeyArn = d.ParameterGroup.Name, d.AlertsKey.Arn
		alerts.PostgresLogGroupName = d.AuditLogs.LogGroups["postgresql"].Name
		alerts.IAMAuthErrorLogGroupName = d.AuditLogs.LogGroups["iam-db-auth-error"].Name
		alerts.SecurityGroupID = d.SecurityGroup.ID
		alerts.WaitFor = []pulumi.Resource{d.Instance.Instance}
		if d.Alerts, err = newAlerts(ctx, name+"-alerts", &alerts, env, parent); err != nil {
			return nil, err
		}
		outputs["alertsTopicArn"] = d.Alerts.TopicArn
	}
	if !args.SkipBackupPlan {
		plan := ch.backup
		plan.InstanceArn = d.Instance.Arn
		if d.Backup, err = newBackupPlan(ctx, name+"-backup", &plan, env, parent); err != nil {
			return nil, err
		}
		outputs["backupVaultArn"] = d.Backup.VaultArn
	}
	if ch.replication != nil {
		replication := *ch.replication
		replication.InstanceArn = d.Instance.Arn
		if d.Replication, err = newBackupReplication(ctx, name+"-backup-replication", &replication, env, parent); err != nil {
			return nil, err
		}
	}
	maps.Copy(outputs, pulumi.Map{
		"address": d.Instance.Address, "port": d.Instance.Port, "endpoint": d.Instance.Endpoint,
		"arn": d.Instance.Arn, "resourceId": d.Instance.ResourceID,
		"masterUserSecretArn": d.Instance.MasterUserSecretArn, "connectPolicy": d.Instance.ConnectPolicy,
		"storageKeyArn": d.StorageKey.Arn, "logsKeyArn": d.LogsKey.Arn, "securityGroupId": d.SecurityGroup.ID,
	})
	if err := ctx.RegisterResourceOutputs(d, outputs); err != nil {
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
