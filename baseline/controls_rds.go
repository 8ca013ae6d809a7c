package baseline

import (
	"slices"
	"strings"
)

// rdsControls are the controls of the instance: placement, encryption, availability, authentication, engine and lifecycle, each with its check.
var rdsControls = []Control{
	{Key: "rds-not-public", Title: "Instance is not publicly accessible", Severity: Critical, Reads: hostTypes,
		Refs:  Refs{SecurityHub: []string{"RDS.2"}, Prowler: []string{"rds_instance_no_public_access"}, Checkov: []string{"CKV_AWS_17"}, CIS: []string{"2.2.3"}, CdkNag: []string{"RDSInstancePublicAccess"}, Awsguard: []string{"rds-instance-public-access"}, CompliancePolicies: []string{"aws-rds-instance-disallow-public-access", "aws-rds-clusterinstance-disallow-public-access"}},
		check: hostBool("publiclyAccessible", false, false),
	},
	{Key: "rds-private-subnets", Title: "Every subnet of the subnet group is private", Severity: High, Reads: []string{TypeSubnetGroup}, Waivable: true,
		Refs: Refs{SecurityHub: []string{"RDS.46"}},
		check: storageCheck("every subnet's route table was looked up and has no route to an internet gateway",
			func(g *Graph, f *finding, inst Resource, in map[string]any) {
				group, ok := subnetGroupOf(g, f, inst, in)
				if !ok {
					return
				}
				for _, subnet := range stringList(group.Inputs, "subnetIds") {
					table, ok := g.routeTableOf(subnet)
					if !ok && g.NoLookups {
						f.lacks("%s: subnet %s: its route table is only known to a look-up (aws ec2 describe-route-tables), which this graph does not carry", group.Name, subnet)
						continue
					}
					if !ok {
						// Not a weakness found: a proof not made. The program's own group did not look up.
						f.lacks("%s: subnet %s: no look-up of its route table proves it private; make the group with hardenedpg.NewSubnetGroup, which looks every subnet up, or waive rds-private-subnets with the reason", group.Name, subnet)
						continue
					}
					for _, route := range items(table, "routes") {
						rt, _ := route.(map[string]any)
						dest := str(rt, "cidrBlock") + str(rt, "ipv6CidrBlock")
						if RoutesToInternet(str(rt, "gatewayId")) {
							f.fail("%s: subnet %s routes %s to %s", group.Name, subnet, dest, str(rt, "gatewayId"))
						}
					}
				}
			}),
	},
	{Key: "rds-in-vpc", Title: "Instance runs in a VPC subnet group", Severity: High, Reads: storageTypes,
		Refs: Refs{Prowler: []string{"rds_instance_inside_vpc"}},
		check: storageCheck("dbSubnetGroupName is set", func(_ *Graph, f *finding, inst Resource, in map[string]any) {
			if !given(in, "dbSubnetGroupName") {
				f.fail("%s: dbSubnetGroupName is unset: the instance lands in the default VPC", inst.Name)
			}
		}),
	},
	{Key: "rds-encrypted", Title: "Storage is encrypted", Severity: High, Reads: storageTypes,
		Refs: Refs{SecurityHub: []string{"RDS.3", "RDS.4", "RDS.27"}, Prowler: []string{"rds_instance_storage_encrypted", "rds_snapshots_encrypted", "rds_cluster_storage_encrypted"}, Checkov: []string{"CKV_AWS_16", "CKV_AWS_96", "CKV_AWS_146"}, CIS: []string{"2.2.1"}, CdkNag: []string{"RDSStorageEncrypted"}, Awsguard: []string{"rds-storage-encrypted"}, CompliancePolicies: []string{"aws-rds-instance-disallow-unencrypted-storage", "aws-rds-cluster-disallow-unencrypted-storage"}},
		check: storageCheck("storageEncrypted is true", func(g *Graph, f *finding, r Resource, in map[string]any) {
			o := g.storageOrigin(r)
			switch {
			case o.restored && !o.known && o.snapshot:
				f.fail("%s: restored from %s, not from a copy under a key of the stack: RDS keeps the snapshot's encryption, none if it has none", r.Name, o.what)
			case o.restored && !o.known:
				f.lacks("%s: restored to %s: RDS keeps its encryption, which the stack does not show", r.Name, o.what)
			case o.restored:
				if v, _ := boolean(o.in, "storageEncrypted"); !v {
					f.fail("%s: restored from %s, which is not encrypted (%s): RDS keeps that; restore from a snapshot copied under a key of the stack", r.Name, o.what, o.from)
				}
			default:
				if source, replica, here := g.replicaOf(r); replica && get(in, "storageEncrypted") == nil {
					// CreateDBInstanceReadReplica takes a KmsKeyId and no StorageEncrypted: a replica
					// given a key is encrypted with it (rds-cmk judges the key).
					if !given(in, "kmsKeyId") {
						replicaEncryption(f, r, source, here)
					}
					return
				}
				if v, _ := boolean(in, "storageEncrypted"); !v {
					f.fail("%s: storageEncrypted is %s, want true", r.Name, show(get(in, "storageEncrypted")))
				}
			}
		}),
	},
	{Key: "rds-cmk", Title: "Storage is encrypted with a customer-managed key of the stack", Severity: Medium, Reads: slices.Concat(storageTypes, []string{TypeKey}),
		Refs: Refs{CompliancePolicies: []string{"aws-rds-instance-configure-customer-managed-key", "aws-rds-cluster-configure-customer-managed-key"}, Checkov: []string{"CKV_AWS_327"}},
		check: storageCheck("kmsKeyId is a key of the stack with rotation on", func(g *Graph, f *finding, inst Resource, in map[string]any) {
			key := get(in, "kmsKeyId")
			if o := g.storageOrigin(inst); o.restored {
				switch {
				case !o.known && o.snapshot:
					f.fail("%s: restored from %s, whose key RDS keeps (the restore takes none): restore from a copy under a key of the stack", inst.Name, o.what)
					return
				case !o.known:
					f.lacks("%s: restored to %s, whose key RDS keeps (the restore takes none): the stack does not show it", inst.Name, o.what)
					return
				case key != nil && !g.sameKey(key, get(o.in, "kmsKeyId")):
					f.fail("%s: kmsKeyId says %s, but RDS keeps the key of %s (%s): %s", inst.Name, show(key), o.what, o.from, show(get(o.in, "kmsKeyId")))
					return
				}
				key = get(o.in, "kmsKeyId")
				if _, ours := g.keyByArn(key); !ours && o.lookedUp {
					f.lacks("%s: restored to %s, it keeps that instance's key %s, which is not a key of this stack: its rotation is judged in the stack that manages it", inst.Name, o.what, show(key))
					return
				}
			}
			if source, replica, here := g.replicaOf(inst); replica && !given(in, "kmsKeyId") && here && sameRegion(source, inst) {
				key = get(source.Inputs, "kmsKeyId") // RDS encrypts a replica in its source's region with the source's key
			}
			k, ok := g.keyByArn(key)
			keyRegion, _ := placeOf(k)
			instRegion, _ := placeOf(inst)
			switch {
			case !ok:
				f.fail("%s: kmsKeyId is %s, want a customer-managed key of the stack (not aws/rds)", inst.Name, show(key))
			case keyRegion != "" && instRegion != "" && keyRegion != instRegion:
				f.read(k)
				f.fail("%s: its key %s is in %s, the database in %s: RDS encrypts only with a key of the database's own region", inst.Name, k.Name, keyRegion, instRegion)
			case get(k.Inputs, "enableKeyRotation") != true:
				f.read(k)
				f.fail("%s: its key %s does not rotate", inst.Name, k.Name)
			default:
				f.read(k)
			}
		}),
	},
	{Key: "rds-multi-az", Title: "Instance is Multi-AZ; a cluster has instances in two or more zones", Severity: Medium, Reads: storageTypes, Waivable: true,
		Refs: Refs{SecurityHub: []string{"RDS.5", "RDS.15"}, Prowler: []string{"rds_instance_multi_az", "rds_cluster_multi_az"}, Checkov: []string{"CKV_AWS_157"}, CIS: []string{"2.2.4"}, CdkNag: []string{"RDSMultiAZSupport"}, Awsguard: []string{"rds-instance-multi-az-enabled"}, CompliancePolicies: []string{"aws-rds-cluster-disallow-single-availability-zone"}},
		check: storageCheck("multiAz is true; a cluster's instances are placed in two or more zones", func(g *Graph, f *finding, r Resource, in map[string]any) {
			switch {
			case multiAZCluster(r):
				// RDS places its writer and two readable standbys in three zones itself.
			case r.Type == TypeCluster:
				clusterMultiAZ(g, f, r)
			case get(in, "multiAz") != true:
				f.fail("%s: multiAz is %s, want true", r.Name, show(get(in, "multiAz")))
			}
		}),
	},
	{Key: "rds-enhanced-monitoring", Title: "Enhanced monitoring is on", Severity: Low, Reads: hostTypes, Waivable: true,
		Refs: Refs{SecurityHub: []string{"RDS.6"}, Prowler: []string{"rds_instance_enhanced_monitoring_enabled"}, Checkov: []string{"CKV_AWS_118"}, CdkNag: []string{"RDSEnhancedMonitoringEnabled"}},
		check: hostCheck("monitoringInterval is 1-60 with a monitoring role", func(_ *Graph, f *finding, inst Resource, in map[string]any) {
			n, _ := num(in, "monitoringInterval")
			if !slices.Contains(MonitoringIntervals, int(n)) || n != float64(int(n)) {
				f.fail("%s: monitoringInterval is %s, want one of %v", inst.Name, show(get(in, "monitoringInterval")), MonitoringIntervals)
			}
			if !given(in, "monitoringRoleArn") {
				f.fail("%s: monitoringRoleArn is unset", inst.Name)
			}
		}),
	},
	{Key: "rds-deletion-protection", Title: "Deletion protection is on", Severity: Low, Reads: storageTypes, Waivable: true,
		Refs:  Refs{SecurityHub: []string{"RDS.8", "RDS.7"}, Prowler: []string{"rds_instance_deletion_protection", "rds_cluster_deletion_protection"}, Checkov: []string{"CKV_AWS_293", "CKV_AWS_139"}, CdkNag: []string{"RDSInstanceDeletionProtectionEnabled"}},
		check: databaseBool(storageTypes, "deletionProtection", true, false),
	},
	{Key: "rds-log-exports", Title: "Every PostgreSQL log the engine offers is exported to CloudWatch", Severity: Medium, Reads: storageTypes,
		Refs: Refs{SecurityHub: []string{"RDS.9", "RDS.36", "RDS.37"}, Prowler: []string{"rds_instance_integration_cloudwatch_logs", "rds_cluster_integration_cloudwatch_logs"}, Checkov: []string{"CKV_AWS_129", "CKV_AWS_324"}, CdkNag: []string{"RDSLoggingEnabled"}},
		check: storageCheck("an instance and a Multi-AZ DB cluster export "+strings.Join(LogExports, ", ")+"; an Aurora cluster "+strings.Join(AuroraLogExports, ", "), func(_ *Graph, f *finding, inst Resource, in map[string]any) {
			got := stringList(in, "enabledCloudwatchLogsExports")
			for _, want := range logExportsOf(inst) {
				if !slices.Contains(got, want) {
					f.fail("%s: enabledCloudwatchLogsExports is %s, want it to include %s", inst.Name, show(get(in, "enabledCloudwatchLogsExports")), want)
				}
			}
		}),
	},
	{Key: "rds-iam-auth", Title: "IAM database authentication is on", Severity: Medium, Reads: storageTypes,
		Refs:  Refs{SecurityHub: []string{"RDS.10", "RDS.12"}, Prowler: []string{"rds_instance_iam_authentication_enabled", "rds_cluster_iam_authentication_enabled"}, Checkov: []string{"CKV_AWS_161", "CKV_AWS_162"}, CdkNag: []string{"AuroraMySQLPostgresIAMAuth"}},
		check: databaseBool(storageTypes, "iamDatabaseAuthenticationEnabled", true, false),
	},
	{Key: "rds-backup-retention", Title: "Automated backups are kept 7 to 35 days", Severity: Medium, Reads: storageTypes, Waivable: true,
		Refs: Refs{SecurityHub: []string{"RDS.11", "RDS.50"}, Prowler: []string{"rds_instance_backup_enabled"}, Checkov: []string{"CKV_AWS_133"}, CdkNag: []string{"RDSInstanceBackupEnabled"}, Awsguard: []string{"rds-instance-backup-enabled"}, CompliancePolicies: []string{"aws-rds-instance-configure-backup-retention", "aws-rds-instance-enable-backup-retention", "aws-rds-cluster-configure-backup-retention", "aws-rds-cluster-enable-backup-retention"}},
		// A read replica is asked too: "Automated backups for read replicas are supported for RDS
		// for PostgreSQL 14.1 and higher versions only" ("Differences between read replicas for DB
		// engines", RDS User Guide), and 14 is the oldest major the catalog supports.
		check: storageCheck("backupRetentionPeriod is 7-35", func(_ *Graph, f *finding, inst Resource, in map[string]any) {
			if n, _ := num(in, "backupRetentionPeriod"); n < MinBackupRetentionDays || n > MaxBackupRetentionDays {
				f.fail("%s: backupRetentionPeriod is %s, want %d-%d", inst.Name, show(get(in, "backupRetentionPeriod")), MinBackupRetentionDays, MaxBackupRetentionDays)
			}
		}),
	},
	{Key: "rds-minor-upgrades", Title: "Automatic minor version upgrades are on", Severity: High, Reads: hostTypes,
		Refs:  Refs{SecurityHub: []string{"RDS.13", "RDS.35"}, Prowler: []string{"rds_instance_minor_version_upgrade_enabled", "rds_cluster_minor_version_upgrade_enabled"}, Checkov: []string{"CKV_AWS_226"}, CIS: []string{"2.2.2"}, CdkNag: []string{"RDSAutomaticMinorVersionUpgradeEnabled"}},
		check: hostBool("autoMinorVersionUpgrade", true, true),
	},
	{Key: "rds-copy-tags", Title: "Tags are copied to snapshots", Severity: Low, Reads: storageTypes,
		Refs:  Refs{SecurityHub: []string{"RDS.17", "RDS.32", "RDS.16", "RDS.29", "RDS.47"}, Prowler: []string{"rds_instance_copy_tags_to_snapshots", "rds_cluster_copy_tags_to_snapshots"}, Checkov: []string{"CKV2_AWS_60", "CKV_AWS_313"}},
		check: databaseBool(storageTypes, "copyTagsToSnapshot", true, false),
	},
	{Key: "rds-non-default-port", Title: "The database does not listen on 5432", Severity: Low, Reads: storageTypes, Waivable: true,
		Refs: Refs{SecurityHub: []string{"RDS.23"}, Prowler: []string{"rds_instance_non_default_port", "rds_cluster_non_default_port"}, CdkNag: []string{"RDSNonDefaultPort"}},
		check: storageCheck("port is set and is not 5432", func(_ *Graph, f *finding, inst Resource, in map[string]any) {
			if n, ok := num(in, "port"); !ok || n == DefaultPostgresPort {
				f.fail("%s: port is %s, want a port other than %d", inst.Name, show(get(in, "port")), DefaultPostgresPort)
			}
		}),
	},
	{Key: "rds-custom-admin", Title: "Master user name is not a default", Severity: Medium, Reads: storageTypes,
		Refs: Refs{SecurityHub: []string{"RDS.25", "RDS.24"}, Prowler: []string{"rds_instance_default_admin", "rds_cluster_default_admin"}},
		check: primaryCheck("the master user is not postgres or admin", replicaInheritsUsers, func(_ *Graph, f *finding, inst Resource, in map[string]any) {
			key := "username"
			if inst.Type == TypeCluster {
				key = "masterUsername"
			}
			// Unset, RDS names it postgres.
			if u := strings.ToLower(str(in, key)); u == "" || slices.Contains(DefaultAdminNames, u) {
				f.fail("%s: %s is %s, want a name other than postgres or admin", inst.Name, key, show(get(in, key)))
			}
		}),
	},
	{Key: "rds-managed-password", Title: "Master password is managed and rotated by RDS with a stack key, or is the stack's own secret, rotated", Severity: High, Reads: storageTypes,
		Refs: Refs{SecurityHub: []string{"SecretsManager.1", "SecretsManager.2", "SecretsManager.4"}, Prowler: []string{"secretsmanager_automatic_rotation_enabled", "secretsmanager_secret_rotated_periodically"}},
		check: func(g *Graph) finding {
			judged := map[string]bool{} // sources of replicas whose password input stackOwnedSecret judged
			f := primaryCheck("RDS manages and rotates the master password under a stack key; no other password input", replicaInheritsUsers,
				func(g *Graph, f *finding, inst Resource, in map[string]any) {
					replicas := g.replicasOf(inst)
					if len(replicas) > 0 && get(in, "manageMasterUserPassword") == true {
						// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html#rds-secrets-manager-limitations
						f.fail("%s: read replica %s names it as its source, and RDS makes no read replica of a source whose master password it manages (RDS User Guide, Secrets Manager integration, Limitations): the replica's create fails", inst.Name, replicas[0].Name)
						return
					}
					if get(in, "manageMasterUserPassword") != true {
						if _, given := in["password"]; given && len(replicas) > 0 {
							judged[inst.URN] = true
							stackOwnedSecret(g, f, inst)
							return
						}
						if own := get(inst.Outputs, "ownMasterSecretArn"); g.Live && own != nil {
							liveOwnedSecret(g, f, inst, own)
							return
						}
						f.fail("%s: manageMasterUserPassword is %s, want true", inst.Name, show(get(in, "manageMasterUserPassword")))
					}
					stackKeyArn(g, f, inst.Name, "masterUserSecretKmsKeyId", in)
				})(g)
			for _, r := range g.Resources {
				for _, key := range []string{"password", "masterPassword", "masterUserPassword"} {
					if judged[r.URN] && key == "password" {
						continue // judged above as the stack's own master password
					}
					// Its presence fails, whatever its value: read without noting, an unknown one too.
					if _, ok := r.Inputs[key]; ok {
						f.read(r)
						f.fail("%s: has a %s input", r.Name, key)
					}
				}
			}
			return f
		},
	},
	{Key: "rds-ca-cert", Title: "Server certificate is from a current RDS CA", Severity: Medium, Reads: hostTypes,
		Refs: Refs{Prowler: []string{"rds_instance_certificate_expiration"}, Checkov: []string{"CKV_AWS_211"}},
		check: hostCheck("caCertIdentifier (caCertificateIdentifier of a Multi-AZ DB cluster) is a current RDS CA", func(_ *Graph, f *finding, inst Resource, in map[string]any) {
			key := "caCertIdentifier"
			if inst.Type == TypeCluster {
				key = "caCertificateIdentifier"
			}
			ca, set := get(in, key).(string)
			if !set {
				ca = DefaultCACertificate
			}
			if !slices.Contains(CACertificates, ca) {
				f.fail("%s: %s is %s, want one of %s", inst.Name, key, show(get(in, key)), strings.Join(CACertificates, ", "))
			}
		}),
	},
	{Key: "rds-supported-engine", Title: "Engine is PostgreSQL on a supported major version", Severity: High, Reads: storageTypes,
		Refs: Refs{Prowler: []string{"rds_instance_deprecated_engine_version"}, Checkov: []string{"CKV_AWS_250", "CKV_AWS_388"}},
		check: storageCheck("an instance runs postgres, a cluster aurora-postgresql (or postgres: a Multi-AZ DB cluster), on a supported major version more than 6 months from the end of its standard support, no minor pinned", func(g *Graph, f *finding, inst Resource, _ map[string]any) {
			in := g.inheritedInputs(inst)
			v := str(in, "engineVersion")
			majors := SupportedMajorVersions
			if inst.Type == TypeCluster && !multiAZCluster(inst) {
				majors = AuroraMajorVersions
			}
			switch {
			case inst.Type == TypeInstance && str(in, "engine") != "postgres":
				f.fail("%s: engine is %s, want postgres", inst.Name, show(get(in, "engine")))
			case inst.Type == TypeCluster && !multiAZCluster(inst) && str(in, "engine") != AuroraEngine:
				f.fail("%s: engine is %s, want %s, or postgres for a Multi-AZ DB cluster", inst.Name, show(get(in, "engine")), AuroraEngine)
			case !slices.Contains(majors, MajorOf(v)):
				f.fail("%s: engineVersion is %s, want a supported major version (%s)", inst.Name, show(get(in, "engineVersion")), strings.Join(majors, ", "))
			case strings.Contains(v, ".") && !g.Live:
				// A live database always reports its minor (DescribeDBInstances "16.4"): only a
				// plan can pin one.
				f.fail("%s: engineVersion %s pins a minor version, which RDS deprecates; give the major only", inst.Name, v)
			default:
				if w := supportWarning(MajorOf(v), g.today()); w != "" {
					f.warn("%s: %s", inst.Name, w)
				}
			}
		}),
	},
	{Key: "rds-no-extended-support", Title: "RDS Extended Support is off", Severity: Low, Reads: storageTypes, Waivable: true,
		Refs: Refs{Prowler: []string{"rds_instance_extended_support"}},
		check: storageCheck("engineLifecycleSupport is open-source-rds-extended-support-disabled", func(g *Graph, f *finding, inst Resource, _ map[string]any) {
			in := g.inheritedInputs(inst)
			if str(in, "engineLifecycleSupport") != "open-source-rds-extended-support-disabled" {
				f.fail("%s: engineLifecycleSupport is %s, want open-source-rds-extended-support-disabled", inst.Name, show(get(in, "engineLifecycleSupport")))
			}
		}),
	},
	{Key: "rds-performance-insights", Title: "Performance Insights is on and encrypted with a stack key", Severity: Low, Reads: hostTypes, Waivable: true,
		Refs: Refs{Checkov: []string{"CKV_AWS_353", "CKV_AWS_354"}, CompliancePolicies: []string{"aws-rds-instance-disallow-unencrypted-performance-insights", "aws-rds-instance-enable-performance-insights", "aws-rds-clusterinstance-disallow-unencrypted-performance-insights", "aws-rds-clusterinstance-enable-performance-insights"}},
		check: hostCheck("Performance Insights is on with a stack key", func(g *Graph, f *finding, inst Resource, in map[string]any) {
			if get(in, "performanceInsightsEnabled") != true {
				f.fail("%s: performanceInsightsEnabled is %s, want true", inst.Name, show(get(in, "performanceInsightsEnabled")))
				return
			}
			stackKeyArn(g, f, inst.Name, "performanceInsightsKmsKeyId", in)
		}),
	},
	{Key: "rds-final-snapshot", Title: "A final snapshot is taken on delete", Severity: Medium, Reads: storageTypes, Waivable: true,
		check: storageCheck("a named final snapshot is taken", func(g *Graph, f *finding, inst Resource, in map[string]any) {
			if _, replica, _ := g.replicaOf(inst); replica {
				// DeleteDBInstance: "If you delete a read replica ..., you must enable this setting"
				// (SkipFinalSnapshot); RDS refuses a FinalDBSnapshotIdentifier for a replica.
				if get(in, "skipFinalSnapshot") != true || given(in, "finalSnapshotIdentifier") {
					f.fail("%s: a read replica takes no final snapshot, and RDS refuses to delete one that asks for it (DeleteDBInstance): set skipFinalSnapshot true and no finalSnapshotIdentifier; the source's final snapshot keeps the data", inst.Name)
				}
				return
			}
			if get(in, "skipFinalSnapshot") != false {
				f.fail("%s: skipFinalSnapshot is %s, want false", inst.Name, show(get(in, "skipFinalSnapshot")))
			}
			if !given(in, "finalSnapshotIdentifier") {
				f.fail("%s: finalSnapshotIdentifier is unset", inst.Name)
			}
		}),
	},
	{Key: "rds-tags", Title: "Every resource that takes tags, and every recovery point, carries the required tags", Severity: Low, Reads: taggedTypes, Waivable: true,
		Refs: Refs{SecurityHub: []string{"RDS.30", "RDS.33", "EC2.43", "SNS.3", "Backup.2", "Backup.3", "Backup.5", "RDS.28"}},
		check: func(g *Graph) finding {
			f := finding{holds: "tagged with " + strings.Join(RequiredTagKeys, ", ")}
			lacking := func(tags map[string]any) []string {
				var missing []string
				for _, k := range RequiredTagKeys {
					if s, _ := tags[k].(string); strings.TrimSpace(s) == "" {
						missing = append(missing, k)
					}
				}
				return missing
			}
			for _, r := range g.ofType(taggedTypes...) {
				f.read(r)
				// tagsAll, once AWS has the resource, adds the provider's default tags to its own
				// (the provider's tags_all attribute).
				tags := object(r.Outputs, "tagsAll")
				if tags == nil {
					tags = object(r.Inputs, "tags")
				}
				if missing := lacking(tags); len(missing) > 0 {
					f.fail("%s: tags lack %s", r.Name, strings.Join(missing, ", "))
				}
				if r.Type != TypeBackupPlan {
					continue
				}
				// A recovery point takes only its rule's tags (Backup.2), not the plan's.
				for i, rule := range items(r.Inputs, "rules") {
					rule, _ := rule.(map[string]any)
					if missing := lacking(object(rule, "recoveryPointTags")); len(missing) > 0 {
						f.fail("%s: the recovery points of rule %d lack %s", r.Name, i, strings.Join(missing, ", "))
					}
				}
			}
			return f
		},
	},
}

// taggedTypes are the types of the stack that take tags.
var taggedTypes = []string{
	TypeInstance, TypeCluster, TypeClusterInstance, TypeParameterGroup, TypeClusterParameters, TypeSubnetGroup, TypeProxy, TypeEventSubscription, TypeKey, TypeSecurityGroup,
	TypeLogGroup, TypeRole, TypePolicy, TypeBackupVault, TypeBackupPlan, TypeTopic,
	TypeEventRule, TypeMetricAlarm, TypeBucket, TypeFirehose,
}

// logExportsOf are the logs a database must export: an Aurora cluster's differ from an
// instance's and a Multi-AZ DB cluster's.
func logExportsOf(r Resource) []string {
	if r.Type == TypeCluster && !multiAZCluster(r) {
		return AuroraLogExports
	}
	return LogExports
}
