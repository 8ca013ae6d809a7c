// Package config turns the stack configuration (namespace "hardenedpg") into validated
// hardenedpg.DatabaseArgs. Every problem is reported together, each naming the key, the value and
// what is accepted; nothing is registered while any remains.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpg"
)

// Namespace is the config namespace of every key: hardenedpg:<key>.
const Namespace = "hardenedpg"

// NewProxySecret is the value of a proxy user in proxyUsers that has the stack make the user's
// secret: a secret's ARN cannot be written before the storage key that encrypts it exists.
const NewProxySecret = "new"

// Namespaces are the config namespaces a stack of this program may use: its own, the AWS
// provider's and Pulumi's. Any other is most likely a misspelling whose keys would be ignored.
var Namespaces = []string{Namespace, "aws", "pulumi"}

// SecretPlaceholder stands for a secret value: in every message, and offline, where a secure:
// value is never decrypted and so is unknown.
const SecretPlaceholder = "[secret]"

// Config is the parsed configuration. Network values may still come from NetworkStack.
type Config struct {
	// secretFields are the DatabaseArgs fields set from secret keys: Explain never prints their values.
	secretFields map[string]bool
	Args         hardenedpg.DatabaseArgs
	// NetworkStack is a stack whose outputs vpcId, subnetIds and allowedSecurityGroupIds give the network.
	NetworkStack string
	// Bootstrap, when set, renders the least-privilege SQL the stack exports as bootstrapSql.
	Bootstrap *hardenedpg.BootstrapArgs
}

// Error lists every configuration problem.
type Error struct {
	Problems []string
}

func (e *Error) Error() string {
	return "configuration errors:\n  " + strings.Join(e.Problems, "\n  ")
}

// Key documents one configuration key; Keys is the single source of the table in docs/configuration.md.
type Key struct {
	Name     string
	Default  string
	Accepted string
	// Field is the path of the hardenedpg.DatabaseArgs field the key sets (Alerts.CPUPercent),
	// so argument errors name the key.
	Field string
	// Inverted keys say "on" where the field says "off" (multiAz sets SingleAZ).
	Inverted bool
	// standIn replaces an unknown secret value (one element, for a list; one value, for a map)
	// offline: a value that passes validation, shown as [secret] because the component marks it
	// secret.
	standIn string
	// list says a whole secret value stands for a list of one stand-in.
	list bool
	// set parses the keys that are not one field as it is (Parameters, the proxy's users, the
	// bootstrap); the others set Field by its type (setField).
	set func(c *Config, raw string) error
	// check refuses what the field's type accepts and the key does not, before it is set.
	check func(raw string) error
	// typ is the type of a key with its own set, as the configuration page names it.
	typ string
	// element renames the part of a problem's path after Field ("[0].Name") as the config
	// writes it, for keys whose map the args hold as a list.
	element func(c *Config, rest string) string
	// problem rewrites a problem's advice where the config spells it otherwise than the args.
	problem func(string) string
}

var stackNamePattern = regexp.MustCompile(`^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+){0,2}$`)

// Keys are all the keys the stack reads.
var Keys = []Key{
	{Name: "identifier", Accepted: "lowercase letters, digits and hyphens, starting with a letter", Default: "(required)", Field: "Instance.Identifier"},
	{Name: "vpcId", Accepted: "vpc-...", Default: "(required unless networkStack)", Field: "Network.VpcID",
		check: func(raw string) error {
			if !strings.HasPrefix(raw, "vpc-") {
				return errors.New("want a VPC ID starting with vpc-")
			}
			return nil
		}},
	{Name: "subnetIds", Accepted: "a list of at least two private subnet IDs in two AZs", Default: "(required unless networkStack)", Field: "Network.SubnetIDs"},
	{Name: "allowedSecurityGroupIds", Accepted: "a list of security group IDs (sg-...); CIDR ranges are refused", Default: "[]", Field: "Network.AllowedSecurityGroupIDs"},
	{Name: "networkStack", Accepted: "org/project/stack whose outputs are vpcId, subnetIds, allowedSecurityGroupIds", Default: "(none)", typ: "string",
		set: func(c *Config, raw string) error {
			if !stackNamePattern.MatchString(raw) {
				return errors.New("want a stack name: stack, project/stack or org/project/stack")
			}
			c.NetworkStack = raw
			return nil
		}},
	{Name: "verifyPrivateSubnets", Accepted: "true or false", Default: "true", Field: "Network.SkipPrivateSubnetCheck", Inverted: true},
	{Name: "engine", Accepted: "postgres (an RDS instance) or " + baseline.AuroraEngine + " (an Aurora cluster: writer and readers)", Default: "postgres", Field: "Engine"},
	{Name: "clusterReaders", Accepted: "1-15 Aurora readers beside the writer (none: multiAz false, with a waiver of rds-multi-az)", Default: strconv.Itoa(hardenedpg.DefaultClusterReaders) + " (with engine " + baseline.AuroraEngine + ")", Field: "Cluster.Readers"},
	{Name: "clusterServerlessMinAcu", Accepted: "0-256 in steps of 0.5, at most clusterServerlessMaxAcu", Default: "(provisioned instances)", Field: "Cluster.ServerlessMinAcu"},
	{Name: "clusterServerlessMaxAcu", Accepted: "1-256 in steps of 0.5: every Aurora instance is Serverless v2 (db.serverless) and scales up to it", Default: "(provisioned instances)", Field: "Cluster.ServerlessMaxAcu"},
	{Name: "clusterAvailabilityZones", Accepted: "a list of two or more availability zones the Aurora instances are spread over, writer first", Default: "the zones of subnetIds", Field: "Cluster.AvailabilityZones"},
	{Name: "deployment", Accepted: hardenedpg.InstanceDeployment + " (an RDS instance with a standby) or " + hardenedpg.MultiAZClusterDeployment + " (a Multi-AZ DB cluster: a writer and two readable standbys in three zones); with engine postgres", Default: hardenedpg.InstanceDeployment, Field: "Deployment"},
	{Name: "multiAzClusterStorageType", Accepted: strings.Join(hardenedpg.MultiAZClusterStorageTypes, " or ") + " (Provisioned IOPS: a Multi-AZ DB cluster has no gp3)", Default: hardenedpg.DefaultMultiAZStorageType + " (with deployment " + hardenedpg.MultiAZClusterDeployment + ")", Field: "MultiAZCluster.StorageType"},
	{Name: "multiAzClusterIops", Accepted: "1000-256000, and 0.5-50 per GiB of allocatedStorageGb", Default: strconv.Itoa(hardenedpg.DefaultMultiAZIops) + " (with deployment " + hardenedpg.MultiAZClusterDeployment + ")", Field: "MultiAZCluster.Iops"},
	{Name: "engineMajorVersion", Accepted: strings.Join(hardenedpg.SupportedMajorVersions, ", ") + " (Aurora: " + strings.Join(baseline.AuroraMajorVersions, ", ") + ")", Default: hardenedpg.DefaultMajorVersion, Field: "Instance.EngineMajorVersion"},
	{Name: "instanceClass", Accepted: "an RDS instance class (Aurora: db.r*, db.t3/t4g medium or large, db.x2g)", Default: hardenedpg.DefaultInstanceClass + " (Aurora: " + hardenedpg.DefaultAuroraInstanceClass + "; a Multi-AZ DB cluster: " + hardenedpg.DefaultMultiAZInstanceClass + ")", Field: "Instance.InstanceClass"},
	{Name: "allocatedStorageGb", Accepted: "20-65536 (a Multi-AZ DB cluster: 100-65536, on each of its instances)", Default: strconv.Itoa(hardenedpg.DefaultAllocatedStorageGB), Field: "Instance.AllocatedStorageGB"},
	{Name: "maxAllocatedStorageGb", Accepted: "more than allocatedStorageGb, at most 65536", Default: strconv.Itoa(hardenedpg.DefaultMaxAllocatedStorageGB), Field: "Instance.MaxAllocatedStorageGB"},
	{Name: "port", Accepted: "1150-65535; 5432 needs a waiver of rds-non-default-port", Default: strconv.Itoa(hardenedpg.DefaultPort), Field: "Instance.Port"},
	{Name: "adminUsername", Accepted: "1-16 lowercase letters, digits, _, a letter first; not pg_… or rds…, postgres, admin or a reserved word", Default: hardenedpg.DefaultAdminUsername, Field: "Instance.AdminUsername"},
	{Name: "backupRetentionDays", Accepted: "7-35; 1-6 needs a waiver of rds-backup-retention", Default: strconv.Itoa(hardenedpg.DefaultBackupRetentionDays), Field: "Instance.BackupRetentionDays"},
	{Name: "backupWindow", Accepted: "hh:mm-hh:mm (UTC), 30 minutes or more, not overlapping maintenanceWindow", Default: hardenedpg.DefaultBackupWindow, Field: "Instance.BackupWindow"},
	{Name: "maintenanceWindow", Accepted: "ddd:hh:mm-ddd:hh:mm (UTC), 30 minutes or more", Default: hardenedpg.DefaultMaintenanceWindow, Field: "Instance.MaintenanceWindow"},
	{Name: "caCertIdentifier", Accepted: strings.Join(hardenedpg.CACertIdentifiers, ", "), Default: hardenedpg.DefaultCACertIdentifier, Field: "Instance.CACertIdentifier"},
	{Name: "monitoringIntervalSeconds", Accepted: "1, 5, 10, 15, 30, 60", Default: strconv.Itoa(hardenedpg.DefaultMonitoringInterval), Field: "Instance.MonitoringIntervalSeconds"},
	{Name: "performanceInsightsRetentionDays", Accepted: "7, 731, or a multiple of 31 from 31 to 713", Default: strconv.Itoa(hardenedpg.DefaultPerformanceInsightsDays), Field: "Instance.PerformanceInsightsRetentionDays"},
	{Name: "iamDatabaseUsers", Accepted: "a list of database user names that connect through IAM", Default: "[]", Field: "Instance.IAMDatabaseUsers"},
	{Name: "upgradeFromMajorVersion", Accepted: "the major the database runs now, with the engineMajorVersion AWS upgrades it to in place (" + upgradePaths() + "); remove it once applied", Default: "(no upgrade)", Field: "Instance.UpgradeFromMajorVersion"},
	{Name: "restoreSnapshotIdentifier", Accepted: "a DB snapshot (Aurora: DB cluster snapshot) identifier, or the ARN of one shared with or copied to this account; the new database is restored from it (an RDS snapshot is first copied under the storage key)", Default: "(a new, empty database)", Field: "Instance.Restore.SnapshotIdentifier"},
	{Name: "restoreSourceIdentifier", Accepted: "the instance (Aurora: cluster) whose automated backups a point-in-time restore reads, with restoreTime or restoreUseLatestRestorableTime", Default: "(none)", Field: "Instance.Restore.SourceIdentifier"},
	{Name: "restoreSourceAutomatedBackupsArn", Accepted: "the ARN of a source's automated backups replicated to this region (RDS), for a point-in-time restore there", Default: "(none)", Field: "Instance.Restore.SourceAutomatedBackupsArn"},
	{Name: "restoreTime", Accepted: "the point in time to restore, RFC 3339 in UTC (2026-12-02T09:41:00Z), within the source's backup retention", Default: "(none)", Field: "Instance.Restore.RestoreTime"},
	{Name: "restoreUseLatestRestorableTime", Accepted: "true: restore to the latest time the source's backups hold", Default: "false", Field: "Instance.Restore.UseLatestRestorableTime"},
	{Name: "applyImmediately", Accepted: "true or false: changes that restart the database (a major upgrade, a class change) apply at once rather than in maintenanceWindow; true with upgradeFromMajorVersion", Default: "false", Field: "Instance.ApplyImmediately"},
	{Name: "allowMajorVersionUpgrade", Accepted: "true or false (prefer upgradeFromMajorVersion, which allows the one upgrade it names)", Default: "false", Field: "Instance.AllowMajorVersionUpgrade"},
	{Name: "multiAz", Accepted: "true, or false with a waiver of rds-multi-az", Default: "true", Field: "Instance.SingleAZ", Inverted: true},
	{Name: "deletionProtection", Accepted: "true, or false with a waiver of rds-deletion-protection", Default: "true", Field: "Instance.DisableDeletionProtection", Inverted: true},
	{Name: "finalSnapshot", Accepted: "true, or false with a waiver of rds-final-snapshot", Default: "true", Field: "Instance.SkipFinalSnapshot", Inverted: true},
	{Name: "performanceInsights", Accepted: "true, or false with a waiver of rds-performance-insights", Default: "true", Field: "Instance.DisablePerformanceInsights", Inverted: true},
	{Name: "enhancedMonitoring", Accepted: "true, or false with a waiver of rds-enhanced-monitoring", Default: "true", Field: "Instance.DisableEnhancedMonitoring", Inverted: true},
	{Name: "parameters", Accepted: "a map of engine parameter name to value, or to {value, applyMethod}", Default: "{}", Field: "Parameters", typ: "map of strings or of {value, applyMethod}",
		set: parseParameters},
	{Name: "logRetentionDays", Accepted: "a CloudWatch retention of 365 or more; less needs a waiver of logs-retention", Default: strconv.Itoa(hardenedpg.DefaultLogRetentionDays), Field: "Logs.RetentionDays"},
	{Name: "auditDestinationArn", Accepted: "a CloudWatch Logs destination or Firehose ARN; without one, a local tamper-proof archive is created", Default: "(none)", Field: "Logs.DestinationArn",
		standIn: "arn:aws:logs:eu-west-1:000000000000:destination:secret-stand-in"},
	{Name: "auditDestinationRoleArn", Accepted: "an IAM role ARN (required for a Firehose destination)", Default: "(none)", Field: "Logs.DestinationRoleArn"},
	{Name: "auditArchive", Accepted: "true, or false with a waiver of logs-shipped when there is no auditDestinationArn", Default: "true (used only without auditDestinationArn)", Field: "Archive.Skip", Inverted: true},
	{Name: "auditArchiveRetentionDays", Accepted: "1-36500: Object Lock retention (COMPLIANCE mode) of the archived logs", Default: strconv.Itoa(hardenedpg.DefaultArchiveRetentionDays), Field: "Archive.RetentionDays"},
	{Name: "keyDeletionWindowInDays", Accepted: "30, or 7-29 with a waiver of kms-deletion-window", Default: strconv.Itoa(baseline.MinKeyDeletionWindowDays), Field: "Keys.DeletionWindowInDays"},
	{Name: "alerts", Accepted: "true, or false with waivers of events-instance, events-parameter-group, events-security-group and alarms-present", Default: "true", Field: "Alerts.Skip", Inverted: true},
	{Name: "alertEmails", Accepted: "a list of e-mail addresses subscribed to the alerts topic", Default: "[]", Field: "Alerts.Emails", standIn: "secret@secret.invalid", list: true},
	{Name: "alertHttpsEndpoints", Accepted: "a list of https:// URLs subscribed to the alerts topic", Default: "[]", Field: "Alerts.HTTPSEndpoints", standIn: "https://secret.invalid/", list: true},
	{Name: "alertCpuPercent", Accepted: "1-100", Default: strconv.Itoa(hardenedpg.DefaultAlertCPUPercent), Field: "Alerts.CPUPercent"},
	{Name: "alertFreeStorageGb", Accepted: "1 or more", Default: "a tenth of allocatedStorageGb", Field: "Alerts.FreeStorageGB"},
	{Name: "alertConnections", Accepted: "1 or more", Default: "80% of the instance class's max_connections", Field: "Alerts.Connections"},
	{Name: "flowLogs", Accepted: "true, or false with a waiver of vpc-flow-logs (say who logs the VPC instead)", Default: "true", Field: "FlowLogs.Skip", Inverted: true},
	{Name: "flowLogsWholeVpc", Accepted: "true: one flow log of the VPC instead of one per subnet of the database", Default: "false", Field: "FlowLogs.WholeVpc"},
	{Name: "backupPlan", Accepted: "true, or false with a waiver of backup-plan", Default: "true", Field: "Backup.Skip", Inverted: true},
	{Name: "backupReplicationRegion", Accepted: "another AWS region: automated backups are replicated there, under a key of that region", Default: "(none)", Field: "Replication.Region"},
	{Name: "backupCopyToVaultArn", Accepted: "a backup vault ARN in another region or account", Default: "(none)", Field: "Backup.CopyToVaultArn"},
	{Name: "backupVaultChangeableForDays", Accepted: "3 or more: days before the vault lock becomes immutable", Default: strconv.Itoa(hardenedpg.DefaultVaultChangeableForDays), Field: "Backup.VaultChangeableForDays"},
	{Name: "readReplicas", Accepted: "a map of read replica identifier to its instance class (\"\" for the source's), or to {instanceClass, region, vpcId, subnetIds, allowedSecurityGroupIds, logsDestinationArn} for a replica in another region (made there with its own keys, network, parameter group, logs and alerts); with deployment instance. The master password is then the stack's own secret, rotated by Secrets Manager", Default: "{} (no replica)", Field: "Replicas", typ: "map of strings or objects",
		set: parseReplicas,
		// Replicas[1].InstanceClass is the class of the map's second replica: readReplicas["..."].
		element: func(c *Config, rest string) string {
			var i int
			if _, err := fmt.Sscanf(rest, "[%d]", &i); err != nil || i < 0 || i >= len(c.Args.Replicas) {
				return rest
			}
			field := strings.TrimPrefix(rest, fmt.Sprintf("[%d]", i))
			// The identifier is the map's key, and the class its value unless the value is an object.
			if field == ".Identifier" || (field == ".InstanceClass" && c.Args.Replicas[i].Region == "") {
				field = ""
			}
			for args, key := range replicaKeys {
				if strings.HasPrefix(field, args) {
					field = key + strings.TrimPrefix(field, args)
					break
				}
			}
			return fmt.Sprintf("[%q]", c.Args.Replicas[i].Identifier) + field
		}},
	{Name: "rotationDays", Accepted: "1-30: days between rotations of the stack-owned master secret (with readReplicas)", Default: strconv.Itoa(hardenedpg.DefaultRotationDays), Field: "Rotation.Days"},
	{Name: "rotationEndpointSecurityGroupId", Accepted: "the security group of the VPC's interface endpoint of Secrets Manager (private DNS on), which the rotation function reaches; without it the stack makes the endpoint", Default: "(the stack makes one)", Field: "Rotation.EndpointSecurityGroupID"},
	{Name: "proxyUsers", Accepted: "a map of database user to " + NewProxySecret + " (the stack makes the user's secret, under the storage key, and you put the password in it) or to the full Secrets Manager secret ARN of its password (encrypted with the storage key); an RDS Proxy requiring TLS and IAM auth fronts the instance", Default: "{} (no proxy)", Field: "Proxy.Users", typ: "map of strings",
		standIn: "arn:aws:secretsmanager:eu-west-1:000000000000:secret:secret-stand-in-000000",
		set: func(c *Config, raw string) error {
			var users map[string]string
			if err := parseMap(raw, &users); err != nil {
				return err
			}
			for _, name := range slices.Sorted(maps.Keys(users)) {
				arn := users[name]
				if arn == NewProxySecret {
					arn = "" // the proxy makes it
				}
				c.Args.Proxy.Users = append(c.Args.Proxy.Users, hardenedpg.ProxyUser{Name: name, SecretArn: arn})
			}
			return nil
		},
		// Users[1].SecretArn is the value of the map's second user: proxyUsers["orders_batch"].
		element: func(c *Config, rest string) string {
			var i int
			if _, err := fmt.Sscanf(rest, "[%d]", &i); err != nil || i < 0 || i >= len(c.Args.Proxy.Users) {
				return rest
			}
			return fmt.Sprintf("[%q]", c.Args.Proxy.Users[i].Name)
		},
		problem: func(p string) string {
			return strings.Replace(p, hardenedpg.MadeSecretAdvice, "or "+NewProxySecret+", and the stack makes the secret", 1)
		}},
	{Name: "bootstrap", Accepted: "{" + strings.Join(bootstrapKeys, ", ") + "}; every user must be in iamDatabaseUsers", Default: "(none)", typ: "object",
		set: parseBootstrap},
	{Name: "tags", Accepted: "a map of tag key to value; must include " + strings.Join(baseline.RequiredTagKeys, " and "), Default: "{}", Field: "Tags", standIn: "secret-stand-in"},
	{Name: "waivers", Accepted: "a map of waivable control key to the reason", Default: "{}", Field: "Waivers"},
}

// upgradePaths lists the in-place major upgrades AWS offers, as "15 to 16, 17".
func upgradePaths() string {
	var paths []string
	for _, from := range slices.Sorted(maps.Keys(baseline.MajorUpgradeTargets)) {
		paths = append(paths, from+" to "+strings.Join(baseline.MajorUpgradeTargets[from], ", "))
	}
	return strings.Join(paths, "; ")
}

// Lookup returns the raw value of a key without its namespace, and whether it is set.
type Lookup func(key string) (string, bool)

// Load parses every key. present, when not nil, lists the namespaced keys the stack has, so that
// a misspelt key is reported rather than silently ignored. secret, when not nil, says which
// namespaced keys hold secrets: no message prints their values, and where a value is
// SecretPlaceholder (the offline plan, which never decrypts) it is unknown and a stand-in that
// passes validation takes its place.
//
// providerTags are the default tags of the stack's aws provider (aws:defaultTags): they count
// towards the required tags, as AWS puts them on every resource.
func Load(get Lookup, present []string, secret func(key string) bool, providerTags map[string]string) (*Config, error) {
	c := &Config{secretFields: map[string]bool{}}
	var problems, failed []string
	given := map[string]bool{}
	for _, k := range Keys {
		raw, ok := get(k.Name)
		if !ok {
			continue
		}
		given[k.Name] = true
		shown := strconv.Quote(raw)
		if strings.TrimSpace(raw) == "" {
			// An empty value would silently mean the default (restoreSnapshotIdentifier: "" plans a
			// new, empty database): the default is asked for by leaving the key out.
			failed = append(failed, k.Name)
			problems = append(problems, fmt.Sprintf("%s:%s = %s: empty; want %s, or leave the key out for the default: %s", Namespace, k.Name, shown, k.Accepted, described(k.Default)))
			continue
		}
		if secret != nil && secret(Namespace+":"+k.Name) {
			shown = SecretPlaceholder
			c.secretFields[k.Field] = true
			raw = standIn(k, raw)
		}
		err := k.apply(c, raw)
		if err != nil {
			failed = append(failed, k.Name)
		}
		if errors.Is(err, errNotPositive) {
			problems = append(problems, fmt.Sprintf("%s:%s = %s: want %s (leave the key out for the default)", Namespace, k.Name, shown, k.Accepted))
		} else if err != nil {
			problems = append(problems, fmt.Sprintf("%s:%s = %s: %v", Namespace, k.Name, shown, err))
		}
	}
	for _, full := range present {
		ns, name, _ := strings.Cut(full, ":")
		switch {
		case !slices.Contains(Namespaces, ns):
			problems = append(problems, fmt.Sprintf("%s: unknown namespace %q; this program reads %s", full, ns, strings.Join(Namespaces, ", ")))
		case ns == Namespace && !slices.ContainsFunc(Keys, func(k Key) bool { return k.Name == name }):
			problems = append(problems, fmt.Sprintf("%s: unknown key; known keys: %s", full, strings.Join(keyNames(), ", ")))
		}
	}
	if given["clusterServerlessMinAcu"] && !given["clusterServerlessMaxAcu"] {
		// 0 is also the zero value: alone it would be dropped, and the instances provisioned.
		raw, _ := get("clusterServerlessMinAcu")
		problems = append(problems, fmt.Sprintf("%s:clusterServerlessMinAcu = %q: a Serverless v2 minimum needs clusterServerlessMaxAcu; without it the instances are provisioned (instanceClass)", Namespace, raw))
	}
	hasNetworkKeys := given["vpcId"] || given["subnetIds"] || given["allowedSecurityGroupIds"]
	switch {
	case given["networkStack"] && hasNetworkKeys:
		problems = append(problems, fmt.Sprintf("%s:networkStack = %q: give the network either as networkStack or as vpcId/subnetIds/allowedSecurityGroupIds, not both", Namespace, c.NetworkStack))
	case !given["networkStack"] && !given["vpcId"]:
		problems = append(problems, fmt.Sprintf("%s:vpcId is not set: set vpcId, subnetIds and allowedSecurityGroupIds, or networkStack", Namespace))
	}
	if c.Bootstrap != nil {
		problems = append(problems, c.checkBootstrap()...)
	}
	// The arguments' own checks too, so every problem is reported in one round: all but those
	// of keys already reported and of network values a networkStack gives later.
	skip := slices.Clone(failed)
	if given["networkStack"] || !given["vpcId"] {
		skip = append(skip, "vpcId", "subnetIds", "allowedSecurityGroupIds")
	}
	var argErr *Error
	if errors.As(c.Explain(c.Args.ValidateWithProviderTags(providerTags)), &argErr) {
		for _, pr := range argErr.Problems {
			if !slices.ContainsFunc(skip, func(k string) bool {
				return strings.HasPrefix(pr, Namespace+":"+k+" ") || strings.HasPrefix(pr, Namespace+":"+k+"[")
			}) {
				problems = append(problems, pr)
			}
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, &Error{Problems: slices.Compact(problems)}
	}
	return c, nil
}

// shownSecret prints as [secret], unquoted, as the other messages show a secret.
type shownSecret string

// described is a default as a sentence shows it: "(none)" reads "none", "{} (no proxy)" as is.
func described(dflt string) string {
	if strings.HasPrefix(dflt, "(") && strings.HasSuffix(dflt, ")") && strings.Count(dflt, "(") == 1 {
		return dflt[1 : len(dflt)-1]
	}
	return dflt
}

// StandIns are the values that stood in, offline, for the secret keys given (namespaced): a
// plan prints SecretPlaceholder wherever one of them went.
func StandIns(secretKeys []string) []string {
	var out []string
	for _, k := range Keys {
		if k.standIn != "" && slices.Contains(secretKeys, Namespace+":"+k.Name) {
			out = append(out, k.standIn)
		}
	}
	return out
}

// standIn replaces the unknown parts of a secret value (SecretPlaceholder) by the key's stand-in.
func standIn(k Key, raw string) string {
	switch {
	case k.standIn == "" || !strings.Contains(raw, SecretPlaceholder):
		return raw
	case raw == SecretPlaceholder && k.list: // a whole list given as one secure value
		return `["` + k.standIn + `"]`
	case raw == SecretPlaceholder:
		return k.standIn
	default: // secure elements of a list or values of a map
		return strings.ReplaceAll(raw, strconv.Quote(SecretPlaceholder), strconv.Quote(k.standIn))
	}
}

// checkBootstrap validates the bootstrap args and that every user it creates may connect through
// the IAM policy the stack exports.
func (c *Config) checkBootstrap() []string {
	var problems []string
	c.Bootstrap.MasterUser = c.Args.Instance.AdminUsername // empty: the default, as for the instance
	if _, err := hardenedpg.BootstrapSQL(*c.Bootstrap); err != nil {
		var ve hardenedpg.ValidationError
		if errors.As(err, &ve) {
			for _, fe := range ve {
				fe.Field = Namespace + ":bootstrap." + lowerFirst(fe.Field)
				problems = append(problems, fe.Error())
			}
		}
	}
	for _, u := range c.Args.Proxy.Users {
		if slices.Contains(c.Bootstrap.GroupRoles(), u.Name) {
			problems = append(problems, fmt.Sprintf("%s:proxyUsers[%q] = %q: is the name of a group role of the bootstrap (%s); a user needs a name of its own", Namespace, u.Name, u.Name, strings.Join(c.Bootstrap.GroupRoles(), ", ")))
		}
	}
	for _, group := range c.Bootstrap.UserGroups() {
		for i, u := range group.Users {
			if !slices.Contains(c.Args.Instance.IAMDatabaseUsers, u) {
				problems = append(problems, fmt.Sprintf("%s:bootstrap.%s[%d] = %q: not in iamDatabaseUsers, so no exported policy lets it connect; add it there", Namespace, lowerFirst(group.Field), i, u))
			}
		}
	}
	return problems
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// bootstrapKeys are the keys of hardenedpg:bootstrap, matched exactly (JSON decoding in Go
// matches field names case-insensitively, and would accept undocumented fields).
var bootstrapKeys = []string{"database", "schema", "migrationUsers", "appUsers", "readOnlyUsers", "tenantTables", "tenantColumn", "tenantSetting", "tenants"}

func parseBootstrap(c *Config, raw string) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &m); err != nil || m == nil {
		return fmt.Errorf("want a map with keys %s", strings.Join(bootstrapKeys, ", "))
	}
	var unknown []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !slices.Contains(bootstrapKeys, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		return fmt.Errorf("unknown key %s; known keys: %s", strings.Join(unknown, ", "), strings.Join(bootstrapKeys, ", "))
	}
	b := hardenedpg.BootstrapArgs{}
	strs := map[string]*string{"database": &b.Database, "schema": &b.Schema, "tenantColumn": &b.TenantColumn, "tenantSetting": &b.TenantSetting}
	lists := map[string]*[]string{"migrationUsers": &b.MigrationUsers, "appUsers": &b.AppUsers, "readOnlyUsers": &b.ReadOnlyUsers, "tenantTables": &b.TenantTables}
	for _, k := range bootstrapKeys {
		v, ok := m[k]
		if !ok {
			continue
		}
		if k == "tenants" {
			if json.Unmarshal(v, &b.Tenants) != nil {
				return fmt.Errorf("bootstrap.tenants: want a map of tenant name to its users (a list, which may be empty)")
			}
		} else if dst, isString := strs[k]; isString {
			if json.Unmarshal(v, dst) != nil {
				return fmt.Errorf("bootstrap.%s: want a string", k)
			}
		} else if json.Unmarshal(v, lists[k]) != nil {
			return fmt.Errorf("bootstrap.%s: want a list of strings", k)
		}
	}
	c.Bootstrap = &b
	return nil
}

func keyNames() []string {
	names := make([]string, len(Keys))
	for i, k := range Keys {
		names[i] = k.Name
	}
	return names
}

// Explain rewrites an argument error of hardenedpg so that each line names the config key and
// the value as written in the config (a secret's as [secret]); other errors are returned unchanged.
func (c *Config) Explain(err error) error {
	var ve hardenedpg.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	problems := make([]string, 0, len(ve))
	for _, fe := range ve {
		problems = append(problems, c.explainField(fe))
	}
	sort.Strings(problems)
	return &Error{Problems: problems}
}

func (c *Config) explainField(fe hardenedpg.FieldError) string {
	base, rest, _ := strings.Cut(fe.Field, "[")
	if rest != "" {
		rest = "[" + rest
	}
	if c.secretFields[base] {
		fe.Value = shownSecret(SecretPlaceholder)
	}
	fe.Problem = fe.Describe(configName)
	for _, k := range Keys {
		if k.Field != base || k.Field == "" {
			continue
		}
		if b, ok := fe.Value.(bool); ok && k.Inverted {
			fe.Value = !b // as written in the config, and so is the hardened value
			fe.Problem = hardenedInverted.Replace(fe.Problem)
		}
		if k.element != nil {
			rest = k.element(c, rest)
		}
		if k.problem != nil {
			fe.Problem = k.problem(fe.Problem)
		}
		fe.Field = Namespace + ":" + k.Name + rest
		return fe.Error()
	}
	return fe.Error()
}

var hardenedInverted = strings.NewReplacer("(hardened: false", "(hardened: true", "(hardened: true", "(hardened: false")

// errNotPositive: every number the stack reads is 1 or more, and 0 would silently mean the default.
var errNotPositive = errors.New("not positive")

// configName names a DatabaseArgs field a problem mentions as its config key, so a message meant
// for config users never names a Go field: "set {Instance.DisableEnhancedMonitoring}" reads "set
// enhancedMonitoring: false". A field no key sets stays a path.
func configName(path string) string {
	for _, k := range Keys {
		if k.Field == path && k.Inverted {
			return k.Name + ": false"
		}
		if k.Field == path {
			return k.Name
		}
	}
	return path
}

// apply sets the key's value: through its own set, or into Field by the field's type.
func (k Key) apply(c *Config, raw string) error {
	if k.check != nil {
		if err := k.check(raw); err != nil {
			return err
		}
	}
	if k.set != nil {
		return k.set(c, raw)
	}
	return setField(argsField(&c.Args, k.Field), raw, k.Inverted)
}

// argsField is the field of args at path (Alerts.CPUPercent).
func argsField(args *hardenedpg.DatabaseArgs, path string) reflect.Value {
	v := reflect.ValueOf(args).Elem()
	for name := range strings.SplitSeq(path, ".") {
		v = v.FieldByName(name)
	}
	return v
}

var (
	stringInputs = reflect.TypeFor[[]pulumi.StringInput]()
	stringInput  = reflect.TypeFor[pulumi.StringInput]()
	stringMap    = reflect.TypeFor[map[string]pulumi.StringInput]()
)

// fieldTypes are the types setField sets, as the configuration page names them.
var fieldTypes = map[reflect.Kind]string{reflect.String: "string", reflect.Int: "whole number", reflect.Float64: "number",
	reflect.Bool: "true or false", reflect.Slice: "list of strings", reflect.Map: "map of strings", reflect.Interface: "string"}

// setField parses raw as the field's type and sets it: one mapping for every key that sets one
// field as it is, so a key is a row of Keys and nothing more.
func setField(v reflect.Value, raw string, inverted bool) error {
	switch {
	case v.Type() == stringInput:
		v.Set(reflect.ValueOf(pulumi.String(raw)))
	case v.Type() == stringInputs:
		var list []string
		if err := parseList(raw, &list); err != nil {
			return err
		}
		for _, e := range list {
			v.Set(reflect.Append(v, reflect.ValueOf(pulumi.StringInput(pulumi.String(e)))))
		}
	case v.Type() == stringMap:
		var m map[string]string
		if err := parseMap(raw, &m); err != nil {
			return err
		}
		v.Set(reflect.ValueOf(map[string]pulumi.StringInput(pulumi.ToStringMap(m))))
	case v.Kind() == reflect.String:
		v.SetString(raw)
	case v.Kind() == reflect.Int:
		var n int
		if err := parseInt(raw, &n); err != nil {
			return err
		}
		v.SetInt(int64(n))
	case v.Kind() == reflect.Float64:
		var f float64
		if err := parseFloat(raw, &f); err != nil {
			return err
		}
		v.SetFloat(f)
	case v.Kind() == reflect.Bool:
		var b bool
		if err := parseBool(raw, &b); err != nil {
			return err
		}
		v.SetBool(b != inverted)
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.String:
		var list []string
		if err := parseList(raw, &list); err != nil {
			return err
		}
		v.Set(reflect.ValueOf(list).Convert(v.Type()))
	case v.Kind() == reflect.Map && v.Type().Key().Kind() == reflect.String && v.Type().Elem().Kind() == reflect.String:
		var m map[string]string
		if err := parseMap(raw, &m); err != nil {
			return err
		}
		v.Set(reflect.ValueOf(m).Convert(v.Type()))
	default:
		panic(fmt.Sprintf("config: a field of type %s needs its key's own set", v.Type())) // a bug of Keys, caught by its test
	}
	return nil
}

// Type is the key's type as the configuration page names it.
func (k Key) Type() string {
	if k.typ != "" {
		return k.typ
	}
	return fieldTypes[argsField(&hardenedpg.DatabaseArgs{}, k.Field).Kind()]
}

func parseInt(raw string, dst *int) error {
	n, err := strconv.Atoi(strings.TrimSpace(raw))
	if err != nil {
		return errors.New("want a whole number")
	}
	if n < 1 {
		return errNotPositive
	}
	*dst = n
	return nil
}

func parseFloat(raw string, dst *float64) error {
	v, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
	if err != nil {
		return errors.New("want a number")
	}
	*dst = v
	return nil
}

func parseBool(raw string, dst *bool) error {
	b, err := strconv.ParseBool(strings.TrimSpace(raw))
	if err != nil {
		return errors.New("want true or false")
	}
	*dst = b
	return nil
}

func parseList(raw string, dst *[]string) error {
	var list []string
	if err := json.Unmarshal([]byte(raw), &list); err != nil {
		return errors.New("want a list of strings")
	}
	*dst = list
	return nil
}

func parseMap(raw string, dst *map[string]string) error {
	var m map[string]string
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return errors.New("want a map of strings to strings")
	}
	*dst = m
	return nil
}

// replicaKeys are the object form's keys of readReplicas, by the ReplicaSettings path they set.
var replicaKeys = map[string]string{
	".InstanceClass": ".instanceClass", ".Region": ".region", ".LogsDestinationArn": ".logsDestinationArn",
	".Network.VpcID": ".vpcId", ".Network.SubnetIDs": ".subnetIds", ".Network.AllowedSecurityGroupIDs": ".allowedSecurityGroupIds",
}

// parseReplicas reads readReplicas: identifier to class, or to a replica of another region.
func parseReplicas(c *Config, raw string) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return errors.New("want a map of replica identifier to its instance class or to {instanceClass, region, vpcId, subnetIds, allowedSecurityGroupIds, logsDestinationArn}")
	}
	for _, id := range slices.Sorted(maps.Keys(m)) {
		r := hardenedpg.ReplicaSettings{Identifier: id}
		if json.Unmarshal(m[id], &r.InstanceClass) != nil {
			var o struct {
				InstanceClass           string   `json:"instanceClass"`
				Region                  string   `json:"region"`
				VpcID                   string   `json:"vpcId"`
				SubnetIDs               []string `json:"subnetIds"`
				AllowedSecurityGroupIDs []string `json:"allowedSecurityGroupIds"`
				LogsDestinationArn      string   `json:"logsDestinationArn"`
			}
			dec := json.NewDecoder(bytes.NewReader(m[id]))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&o); err != nil {
				return fmt.Errorf("readReplicas[%q]: want an instance class or {instanceClass, region, vpcId, subnetIds, allowedSecurityGroupIds, logsDestinationArn}: %v", id, err)
			}
			r.InstanceClass, r.Region, r.LogsDestinationArn = o.InstanceClass, o.Region, o.LogsDestinationArn
			r.Network = &hardenedpg.NetworkSettings{SubnetIDs: o.SubnetIDs, AllowedSecurityGroupIDs: o.AllowedSecurityGroupIDs}
			if o.VpcID != "" {
				r.Network.VpcID = pulumi.String(o.VpcID)
			}
		}
		c.Args.Replicas = append(c.Args.Replicas, r)
	}
	return nil
}

func parseParameters(c *Config, raw string) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return errors.New("want a map of parameter name to value")
	}
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		var p hardenedpg.Parameter
		var value string
		var obj struct {
			Value       *string `json:"value"`
			ApplyMethod string  `json:"applyMethod"`
		}
		// A misspelt key (applyMetod) would be dropped silently: an object takes only its two keys.
		strict := json.NewDecoder(bytes.NewReader(m[name]))
		strict.DisallowUnknownFields()
		switch {
		case json.Unmarshal(m[name], &value) == nil:
			p = hardenedpg.Parameter{Name: name, Value: value}
		case strict.Decode(&obj) == nil && obj.Value != nil:
			p = hardenedpg.Parameter{Name: name, Value: *obj.Value, ApplyMethod: obj.ApplyMethod}
		default:
			return fmt.Errorf("parameter %s: want a string value or {value, applyMethod}", name)
		}
		c.Args.Parameters = append(c.Args.Parameters, p)
	}
	return nil
}
