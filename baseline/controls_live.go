package baseline

import (
	"fmt"
	"slices"
	"time"
)

// Snapshots and the master secret's rotation change at run time, outside any stack: an operator
// shares a snapshot, copies it under another key, or turns rotation off. A plan declares few of
// these (a restore's snapshot copy); the live audit reads them all (bin/audit).
var (
	snapshotTypes = []string{TypeSnapshot, TypeClusterSnapshot, TypeSnapshotCopy}
	// snapshotsAtRunTime is why a plan without snapshots has nothing to judge.
	snapshotsAtRunTime = "snapshots are taken, copied and shared at run time; bin/audit reads every snapshot of the database"
)

// DefaultMasterSecretRotationDays is how often RDS rotates the master secret it manages, unless
// changed (RDS user guide, "Password management with Amazon RDS and AWS Secrets Manager").
const DefaultMasterSecretRotationDays = 7

// rotationGraceDays is the margin this check gives a scheduled rotation before counting it as not
// run, our choice: a rotation runs within a window that can reach into the next day.
const rotationGraceDays = 1

// AlarmNamespaceFormat is the namespace, per database identifier, of the metrics counted in its
// exported logs. With the lists below it names the alarms the Alerts component makes: the plan
// holds them as Alerts makes them; live, one deleted in the console leaves its alert silent
// (alarms-present).
const AlarmNamespaceFormat = "hardenedpg/%s"

var (
	// LogAlarmMetrics are those metrics: failed sign-ins (password and IAM), statements refused
	// for lack of privilege, and pgAudit ROLE statements.
	LogAlarmMetrics = []string{"FailedAuthentication", "FailedIAMAuthentication", "PermissionDenied", "RoleChanges"}
	// InstanceAlarmMetrics are the AWS/RDS metrics alarmed on per instance.
	InstanceAlarmMetrics = []string{"CPUUtilization", "FreeStorageSpace", "DatabaseConnections"}
	// ClusterInstanceAlarmMetrics are those of an Aurora cluster's instances: their storage is
	// the cluster's, and grows by itself.
	ClusterInstanceAlarmMetrics = []string{"CPUUtilization", "DatabaseConnections"}
	// MultiAZMemberAlarmMetrics are those of each instance of a Multi-AZ DB cluster: an
	// instance's, and its lag behind the writer.
	MultiAZMemberAlarmMetrics = append(slices.Clone(InstanceAlarmMetrics), "ReplicaLag")
)

var liveControls = []Control{
	{Key: "snapshots-private", Title: "No snapshot is public or shared with another account", Severity: Critical, Reads: snapshotTypes, Runtime: snapshotsAtRunTime,
		Refs: Refs{SecurityHub: []string{"RDS.1"}, Prowler: []string{"rds_snapshots_public_access"}},
		check: func(g *Graph) finding {
			f := finding{holds: "no snapshot names an account it is shared with, nor all"}
			for _, s := range g.ofType(snapshotTypes...) {
				f.read(s)
				for _, account := range stringList(s.Inputs, "sharedAccounts") {
					if account == "all" {
						f.fail("%s: sharedAccounts has \"all\": the snapshot is public, and anyone can restore the database from it", s.Name)
						continue
					}
					f.fail("%s: sharedAccounts has %s: that account can restore the database from it; copy backups to another account with an AWS Backup copy rule instead", s.Name, account)
				}
			}
			return f
		},
	},
	{Key: "snapshots-stack-key", Title: "Every snapshot is encrypted with a key of the stack", Severity: High, Reads: snapshotTypes, Runtime: snapshotsAtRunTime,
		check: func(g *Graph) finding {
			f := finding{holds: "every snapshot, and every copy, is encrypted with a customer-managed key of the stack"}
			for _, s := range g.ofType(snapshotTypes...) {
				f.read(s)
				scoped(func() {
					if encrypted, ok := boolean(s.Inputs, "encrypted"); ok && !encrypted {
						f.fail("%s: encrypted is false: whoever may restore it reads the data", s.Name)
						return
					}
					if given(s.Inputs, "kmsKeyId") {
						stackKeyArn(g, &f, s.Name, "kmsKeyId", s.Inputs)
						return
					}
					// A declared snapshot has its database's key (CreateDBSnapshot takes none).
					db := g.referred(TypeInstance, "identifier", get(s.Inputs, "dbInstanceIdentifier"))
					if s.Type == TypeClusterSnapshot {
						db = g.referred(TypeCluster, "clusterIdentifier", get(s.Inputs, "dbClusterIdentifier"))
					}
					if len(db) == 0 {
						f.lacks("%s: its database is not in the stack, so its key is not known", s.Name)
						return
					}
					f.read(db[0])
					stackKeyArn(g, &f, s.Name+" (its database's)", "kmsKeyId", db[0].Inputs)
				})
			}
			return f
		},
	},
	{Key: "alarms-present", Title: "The database's alarms exist: sign-in failures, refused statements, role changes, CPU, storage, connections", Severity: Medium, Reads: storageTypes,
		LiveOnly: true, Waivable: true, Runtime: "a plan's alarms are the ones its Alerts makes; one deleted in the console shows only in the account",
		check: func(g *Graph) finding {
			f := finding{holds: "every alarm the Alerts component makes for the database exists"}
			for _, db := range g.ofType(storageTypes...) {
				f.read(db)
				id := str(db.Inputs, exportIdentifierKey(db))
				for _, m := range LogAlarmMetrics {
					requireAlarm(g, &f, db.Name, fmt.Sprintf(AlarmNamespaceFormat, id), m, "", "")
				}
				if db.Type == TypeInstance {
					for _, m := range InstanceAlarmMetrics {
						requireAlarm(g, &f, db.Name, "AWS/RDS", m, "DBInstanceIdentifier", id)
					}
					continue
				}
				if multiAZCluster(db) {
					for i := range MultiAZMembers {
						for _, m := range MultiAZMemberAlarmMetrics {
							requireAlarm(g, &f, db.Name, "AWS/RDS", m, "DBInstanceIdentifier", MultiAZMemberIdentifier(id, i))
						}
					}
					continue
				}
				for _, member := range g.ofType(TypeClusterInstance) {
					if str(member.Inputs, "clusterIdentifier") != id {
						continue
					}
					f.read(member)
					for _, m := range ClusterInstanceAlarmMetrics {
						requireAlarm(g, &f, db.Name, "AWS/RDS", m, "DBInstanceIdentifier", str(member.Inputs, "identifier"))
					}
				}
			}
			return f
		},
	},
	{Key: "rds-secret-rotation", Title: "The master secret's rotation is on and has run on schedule", Severity: High, Reads: storageTypes, LiveOnly: true,
		Runtime: "RDS turns rotation on for the master secret it makes; whether it is still on, and has run, shows only in the account",
		Refs:    Refs{SecurityHub: []string{"SecretsManager.2", "SecretsManager.4"}, Prowler: []string{"secretsmanager_secret_rotated_periodically"}},
		check: func(g *Graph) finding {
			f := finding{holds: "the master secret of every database rotates, and last rotated within its schedule"}
			for _, db := range g.ofType(storageTypes...) {
				f.read(db)
				secretArn := masterSecretArn(db)
				if get(db.Inputs, "manageMasterUserPassword") != true {
					// A source of read replicas keeps its own; any other fails rds-managed-password.
					if secretArn = get(db.Outputs, "ownMasterSecretArn"); secretArn == nil {
						continue
					}
				}
				secrets := g.referred(TypeSecret, "arn", secretArn)
				if len(secrets) == 0 {
					f.lacks("%s: its master secret %s was not read", db.Name, show(secretArn))
					continue
				}
				judgeRotation(g, &f, db.Name, secrets[0])
			}
			return f
		},
	},
}

// requireAlarm fails unless an alarm watches metric in namespace, of the one dimension given.
func requireAlarm(g *Graph, f *finding, owner, namespace, metric, dimension, value string) {
	for _, a := range g.ofType(TypeMetricAlarm) {
		if str(a.Inputs, "namespace") != namespace || str(a.Inputs, "metricName") != metric {
			continue
		}
		dims, _ := get(a.Inputs, "dimensions").(map[string]any)
		if dimension == "" || dims[dimension] == value {
			f.read(a)
			return
		}
	}
	of := ""
	if dimension != "" {
		of = " of " + dimension + "=" + value
	}
	f.fail("%s: no alarm on %s %s%s: its alert is gone; run pulumi up to make it again", owner, namespace, metric, of)
}

func masterSecretArn(db Resource) any {
	secrets, _ := get(db.Outputs, "masterUserSecrets").([]any)
	if len(secrets) == 0 {
		return nil
	}
	m, _ := secrets[0].(map[string]any)
	return get(m, "secretArn")
}

// judgeRotation fails a secret whose rotation is off, or whose last rotation (its creation, if it
// never rotated) is older than its schedule allows.
func judgeRotation(g *Graph, f *finding, owner string, secret Resource) {
	f.read(secret)
	name := owner + ": master secret " + secret.Name
	if on, _ := boolean(secret.Outputs, "rotationEnabled"); !on {
		f.fail("%s: rotation is off: the password no longer changes; turn it on again (aws secretsmanager rotate-secret --secret-id %s)", name, str(secret.Outputs, "arn"))
		return
	}
	days, ok := num(secret.Outputs, "rotationDays")
	if !ok {
		f.lacks("%s: its schedule is a cron or rate expression %s, which this check does not read", name, show(get(secret.Outputs, "rotationSchedule")))
		return
	}
	last, field := str(secret.Outputs, "lastRotatedDate"), "lastRotatedDate"
	if last == "" {
		last, field = str(secret.Outputs, "createdDate"), "createdDate"
	}
	when, err := time.Parse(time.RFC3339, last)
	if err != nil {
		f.lacks("%s: %s is %s, not a time", name, field, show(last))
		return
	}
	due := when.Add(time.Duration(days+rotationGraceDays) * 24 * time.Hour)
	if g.today().After(due) {
		what := "last rotated"
		if field == "createdDate" {
			what = "never rotated since its creation"
		}
		f.fail("%s: %s on %s, more than %v days ago: rotation is failing; see the secret's rotation errors in CloudTrail (RotationFailed)", name, what, when.Format(time.DateOnly), fmt.Sprint(days))
	}
}

// runtimeNote is what the not-applicable detail of a control adds when the plan lacks what it
// judges but a live account has it.
func runtimeNote(c Control) string {
	if c.Runtime == "" {
		return ""
	}
	return " (judged live by bin/audit: " + c.Runtime + ")"
}
