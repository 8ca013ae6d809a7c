package hardenedpg

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// RestoreSettings make a new database a restore of another's data: from a snapshot, or to a point
// in time of a source's automated backups. The restored database is hardened like a new one: the
// same parameter group, managed master password, network and controls.
//
// Its storage key is the stack's wherever AWS allows it. An RDS snapshot is first copied under
// the storage key (CopyDBSnapshot re-encrypts, encrypts an unencrypted snapshot, and needs a key
// for one shared from another account), because RestoreDBInstanceFromDBSnapshot takes no KMS key.
// Aurora's restores take one. RestoreDBInstanceToPointInTime takes none either, so an RDS
// point-in-time restore keeps the source's key: rds-cmk is then unproven, not passed.
//
// A restore is a new database: give it to a new stack (or a new Database) beside the source.
// Restoring into a running database's identifier replaces it, and previewguard refuses that.
type RestoreSettings struct {
	// SnapshotIdentifier is a DB snapshot (RDS) or DB cluster snapshot (Aurora) of this account
	// and region, or the ARN of one shared with it or copied to it.
	SnapshotIdentifier string `pulumi:"snapshotIdentifier,optional"`
	// SourceIdentifier is the instance (RDS) or cluster (Aurora) whose automated backups a
	// point-in-time restore reads.
	SourceIdentifier string `pulumi:"sourceIdentifier,optional"`
	// SourceAutomatedBackupsArn is a source's automated backups replicated to this region (RDS),
	// for a point-in-time restore in the region they were replicated to.
	SourceAutomatedBackupsArn string `pulumi:"sourceAutomatedBackupsArn,optional"`
	// RestoreTime is the point in time, RFC 3339 in UTC (2026-12-02T09:41:00Z), within the
	// source's backup retention.
	RestoreTime string `pulumi:"restoreTime,optional"`
	// UseLatestRestorableTime restores to the latest time the backups hold (about five minutes ago).
	UseLatestRestorableTime bool `pulumi:"useLatestRestorableTime,optional"`
}

// pointInTime says whether the restore reads a source's automated backups.
func (r RestoreSettings) pointInTime() bool {
	return r.SourceIdentifier != "" || r.SourceAutomatedBackupsArn != ""
}

// enabled says whether the database is restored rather than created empty.
func (r RestoreSettings) enabled() bool { return r.SnapshotIdentifier != "" || r.pointInTime() }

var (
	// A DB snapshot for RDS, a DB cluster snapshot for Aurora: each restore takes only its own kind.
	snapshotArnPattern = map[bool]*regexp.Regexp{
		false: regexp.MustCompile(`^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:snapshot:[a-zA-Z][a-zA-Z0-9:-]{0,254}$`),
		true:  regexp.MustCompile(`^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:cluster-snapshot:[a-zA-Z][a-zA-Z0-9:-]{0,254}$`),
	}
	snapshotIDPattern     = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9:-]{0,254}$`)
	autoBackupsArnPattern = regexp.MustCompile(`^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:auto-backup:ab-[a-z0-9]+$`)
)

// check validates the shape of the settings; the sources are read by lookup.
func (r RestoreSettings) check(p *problems, engine string) {
	aurora := engine == baseline.AuroraEngine
	switch s := r.SnapshotIdentifier; {
	case s == "":
	case r.pointInTime():
		p.add("Restore.SnapshotIdentifier", s, "give a snapshot or a point in time ({Restore.SourceIdentifier} or {Restore.SourceAutomatedBackupsArn}), not both")
	case strings.HasPrefix(s, "arn:") && !snapshotArnPattern[aurora].MatchString(s):
		p.add("Restore.SnapshotIdentifier", s, "want a snapshot identifier or an ARN arn:aws:rds:<region>:<account>:%ssnapshot:<name>", map[bool]string{true: "cluster-", false: ""}[aurora])
	case !strings.HasPrefix(s, "arn:") && !snapshotIDPattern.MatchString(s):
		p.add("Restore.SnapshotIdentifier", s, "want a snapshot identifier (a letter, then letters, digits, hyphens and colons) or a snapshot ARN")
	}
	if r.SourceIdentifier != "" && r.SourceAutomatedBackupsArn != "" {
		p.add("Restore.SourceAutomatedBackupsArn", r.SourceAutomatedBackupsArn, "give the source instance or its replicated automated backups ({Restore.SourceIdentifier}), not both")
	}
	switch a := r.SourceAutomatedBackupsArn; {
	case a == "":
	case aurora:
		p.add("Restore.SourceAutomatedBackupsArn", a, "Aurora clusters have no replicated automated backups; restore a cluster snapshot copied to this region with {Restore.SnapshotIdentifier}")
	case !autoBackupsArnPattern.MatchString(a):
		p.add("Restore.SourceAutomatedBackupsArn", a, "want the ARN of replicated automated backups, arn:aws:rds:<region>:<account>:auto-backup:ab-<id>")
	}
	if r.SourceIdentifier != "" && !identifierPattern.MatchString(r.SourceIdentifier) {
		p.add("Restore.SourceIdentifier", r.SourceIdentifier, "want the identifier of the %s whose backups to restore: lowercase letters, digits and hyphens", map[bool]string{true: "cluster", false: "instance"}[aurora])
	}
	switch {
	case !r.pointInTime() && r.RestoreTime != "":
		p.add("Restore.RestoreTime", r.RestoreTime, "would be ignored: a point in time needs {Restore.SourceIdentifier} or {Restore.SourceAutomatedBackupsArn}; remove it")
	case !r.pointInTime() && r.UseLatestRestorableTime:
		p.add("Restore.UseLatestRestorableTime", true, "would be ignored: a point in time needs {Restore.SourceIdentifier} or {Restore.SourceAutomatedBackupsArn}; remove it")
	case !r.pointInTime():
	case r.RestoreTime != "" && r.UseLatestRestorableTime:
		p.add("Restore.RestoreTime", r.RestoreTime, "give a time or {Restore.UseLatestRestorableTime}, not both")
	case r.RestoreTime == "" && !r.UseLatestRestorableTime:
		p.add("Restore.RestoreTime", "", "required for a point-in-time restore: an RFC 3339 time in UTC such as 2026-12-02T09:41:00Z, or set {Restore.UseLatestRestorableTime}")
	case r.RestoreTime != "":
		if _, err := restoreTime(r.RestoreTime); err != nil {
			p.add("Restore.RestoreTime", r.RestoreTime, "want an RFC 3339 time in UTC such as 2026-12-02T09:41:00Z")
		}
	}
}

// restoreTime parses a point in time as the provider takes it: RFC 3339, in UTC.
func restoreTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err == nil && !strings.HasSuffix(s, "Z") {
		err = fmt.Errorf("not UTC")
	}
	return t, err
}

// restoreSource is what a restore reads, once looked up.
type restoreSource struct {
	// snapshotArn is the snapshot to copy (RDS) or restore (Aurora).
	snapshotArn string
	// keptKeyID is the key an RDS point-in-time restore keeps: the source's ("" when unknown).
	keptKeyID string
}

// lookup reads what the restore restores from and reports every way it cannot be restored as
// configured: another engine, another major, an unencrypted source, a time outside its backups,
// another master user. Nothing is created before it.
func (r RestoreSettings) lookup(ctx *pulumi.Context, p *problems, s InstanceSettings, engine string, env awsEnv, now time.Time, opts ...pulumi.InvokeOption) *restoreSource {
	if !r.enabled() {
		return nil
	}
	aurora := engine == baseline.AuroraEngine
	src := &restoreSource{}
	sameMajor := func(field, value, what, version string) {
		if major, _, _ := strings.Cut(version, "."); major != s.EngineMajorVersion {
			p.add(field, value, "%s is on PostgreSQL %s; set {EngineMajorVersion} %s to restore it (RDS restores on the source's major), then upgrade in a later change with {UpgradeFromMajorVersion}", what, version, major)
		}
	}
	sameEngine := func(field, value, what, got string) bool {
		if got != engine {
			p.add(field, value, "%s is of engine %s; want %s", what, got, engine)
			return false
		}
		return true
	}
	unreadable := func(field, value, what string, err error) {
		p.add(field, value, "cannot be read in %s of account %s (%v): want %s this account can describe, or one shared with it by ARN", env.Region, env.AccountID, err, what)
	}
	switch {
	case r.SnapshotIdentifier != "" && aurora:
		snap, err := rds.LookupClusterSnapshot(ctx, &rds.LookupClusterSnapshotArgs{DbClusterSnapshotIdentifier: pulumi.StringRef(r.SnapshotIdentifier), IncludeShared: pulumi.BoolRef(true)}, opts...)
		if err != nil {
			unreadable("Restore.SnapshotIdentifier", r.SnapshotIdentifier, "a DB cluster snapshot", err)
			return nil
		}
		if sameEngine("Restore.SnapshotIdentifier", r.SnapshotIdentifier, "the snapshot", snap.Engine) {
			sameMajor("Restore.SnapshotIdentifier", r.SnapshotIdentifier, "the snapshot", snap.EngineVersion)
		}
		src.snapshotArn = snap.DbClusterSnapshotArn
	case r.SnapshotIdentifier != "":
		snap, err := rds.LookupSnapshot(ctx, &rds.LookupSnapshotArgs{DbSnapshotIdentifier: pulumi.StringRef(r.SnapshotIdentifier), IncludeShared: pulumi.BoolRef(true)}, opts...)
		if err != nil {
			unreadable("Restore.SnapshotIdentifier", r.SnapshotIdentifier, "a DB snapshot", err)
			return nil
		}
		if sameEngine("Restore.SnapshotIdentifier", r.SnapshotIdentifier, "the snapshot", snap.Engine) {
			sameMajor("Restore.SnapshotIdentifier", r.SnapshotIdentifier, "the snapshot", snap.EngineVersion)
		}
		if snap.AllocatedStorage > s.AllocatedStorageGB {
			p.add("AllocatedStorageGB", s.AllocatedStorageGB, "want at least %d: the snapshot %s holds %d GB, and RDS restores no smaller", snap.AllocatedStorage, r.SnapshotIdentifier, snap.AllocatedStorage)
		}
		src.snapshotArn = snap.DbSnapshotArn
	case r.SourceAutomatedBackupsArn != "":
		if region := baseline.ArnField(r.SourceAutomatedBackupsArn, 3); region != env.Region {
			p.add("Restore.SourceAutomatedBackupsArn", r.SourceAutomatedBackupsArn, "are in %s; restore them in that region (the database's provider is in %s)", region, env.Region)
		}
		r.checkTime(p, now, 0)
	default:
		var got struct {
			engine, version, user string
			encrypted             bool
			retention             int
			key                   string
		}
		what := "the source instance"
		if aurora {
			what = "the source cluster"
			c, err := rds.LookupCluster(ctx, &rds.LookupClusterArgs{ClusterIdentifier: r.SourceIdentifier}, opts...)
			if err != nil {
				unreadable("Restore.SourceIdentifier", r.SourceIdentifier, "a DB cluster", err)
				return nil
			}
			got.engine, got.version, got.user, got.encrypted, got.retention, got.key = c.Engine, c.EngineVersion, c.MasterUsername, c.StorageEncrypted, c.BackupRetentionPeriod, c.KmsKeyId
		} else {
			i, err := rds.LookupInstance(ctx, &rds.LookupInstanceArgs{DbInstanceIdentifier: pulumi.StringRef(r.SourceIdentifier)}, opts...)
			if err != nil {
				unreadable("Restore.SourceIdentifier", r.SourceIdentifier, "a DB instance", err)
				return nil
			}
			got.engine, got.version, got.user, got.encrypted, got.retention, got.key = i.Engine, i.EngineVersion, i.MasterUsername, i.StorageEncrypted, i.BackupRetentionPeriod, i.KmsKeyId
			src.keptKeyID = got.key
		}
		if sameEngine("Restore.SourceIdentifier", r.SourceIdentifier, what, got.engine) {
			sameMajor("Restore.SourceIdentifier", r.SourceIdentifier, what, got.version)
		}
		switch {
		case !got.encrypted && aurora:
			// "If DBClusterIdentifier refers to a DB cluster that isn't encrypted, then the restore
			// request is rejected" (RestoreDBClusterToPointInTime, KmsKeyId).
			p.add("Restore.SourceIdentifier", r.SourceIdentifier, "is not encrypted, and RDS rejects a point-in-time restore of an unencrypted cluster under a KMS key: restore from a cluster snapshot of it instead, which is encrypted under the stack's key as it is restored")
		case !got.encrypted:
			p.add("Restore.SourceIdentifier", r.SourceIdentifier, "is not encrypted, and a point-in-time restore keeps that (it takes no KMS key): restore from a snapshot of it instead, which is copied under the stack's key")
		}
		if got.user != s.AdminUsername {
			p.add("AdminUsername", s.AdminUsername, "the source's master user is %s, which a restore keeps: set it to %s", got.user, got.user)
		}
		if got.retention == 0 {
			p.add("Restore.SourceIdentifier", r.SourceIdentifier, "keeps no automated backups (backup retention 0): there is no point in time to restore")
		}
		r.checkTime(p, now, got.retention)
	}
	return src
}

// checkTime refuses a point in time the backups cannot hold: in the future, or older than the
// retention (when known) allows.
func (r RestoreSettings) checkTime(p *problems, now time.Time, retentionDays int) {
	if r.RestoreTime == "" {
		return
	}
	t, err := restoreTime(r.RestoreTime)
	if err != nil {
		return // reported by check
	}
	switch {
	case t.After(now):
		p.add("Restore.RestoreTime", r.RestoreTime, "is in the future: backups reach only to the latest restorable time, about five minutes ago")
	case retentionDays > 0 && t.Before(now.AddDate(0, 0, -retentionDays)):
		p.add("Restore.RestoreTime", r.RestoreTime, "is older than the source's backup retention of %d days allows", retentionDays)
	}
}

// pointInTimeArgs are an RDS instance's restoreToPointInTime: the source and the time.
func (r RestoreSettings) pointInTimeArgs() *rds.InstanceRestoreToPointInTimeArgs {
	a := &rds.InstanceRestoreToPointInTimeArgs{UseLatestRestorableTime: pulumi.BoolPtr(r.UseLatestRestorableTime)}
	if r.SourceIdentifier != "" {
		a.SourceDbInstanceIdentifier = pulumi.StringPtr(r.SourceIdentifier)
	} else {
		a.SourceDbInstanceAutomatedBackupsArn = pulumi.StringPtr(r.SourceAutomatedBackupsArn)
	}
	if r.RestoreTime != "" {
		a.RestoreTime, a.UseLatestRestorableTime = pulumi.StringPtr(r.RestoreTime), nil
	}
	return a
}

// clusterPointInTimeArgs are an Aurora cluster's: a full copy of the source at the time.
func (r RestoreSettings) clusterPointInTimeArgs() *rds.ClusterRestoreToPointInTimeArgs {
	a := &rds.ClusterRestoreToPointInTimeArgs{
		SourceClusterIdentifier: pulumi.StringPtr(r.SourceIdentifier),
		RestoreType:             pulumi.StringPtr("full-copy"),
		UseLatestRestorableTime: pulumi.BoolPtr(r.UseLatestRestorableTime),
	}
	if r.RestoreTime != "" {
		a.RestoreToTime, a.UseLatestRestorableTime = pulumi.StringPtr(r.RestoreTime), nil
	}
	return a
}

// instanceRestore is how an RDS instance is restored: from the copy of its snapshot under the
// storage key, or to a point in time, keeping the source's key (nil key: the key is unknown to
// the plan, and kmsKeyId is left for RDS to report rather than claimed).
type instanceRestore struct {
	copy        *rds.SnapshotCopy
	snapshot    pulumi.StringPtrInput
	pointInTime rds.InstanceRestoreToPointInTimePtrInput
	keptKey     pulumi.StringInput
	keyUnknown  bool
}

func (r instanceRestore) keyID(storageKey pulumi.StringInput) pulumi.StringInput {
	switch {
	case r.keyUnknown:
		return nil
	case r.keptKey != nil:
		return r.keptKey
	}
	return storageKey
}

func newInstanceRestore(ctx *pulumi.Context, name string, s InstanceSettings, src *restoreSource, storageKey pulumi.StringInput, tags pulumi.StringMap, parent pulumi.Resource) (instanceRestore, error) {
	switch {
	case src == nil:
		return instanceRestore{}, nil
	case src.snapshotArn != "":
		copied, err := rds.NewSnapshotCopy(ctx, name+"-restore-source", &rds.SnapshotCopyArgs{
			SourceDbSnapshotIdentifier: pulumi.String(src.snapshotArn),
			TargetDbSnapshotIdentifier: pulumi.String(s.Identifier + "-restore-source"),
			KmsKeyId:                   storageKey,
			CopyTags:                   pulumi.Bool(true),
			Tags:                       tags,
		}, pulumi.Parent(parent))
		if err != nil {
			return instanceRestore{}, err
		}
		return instanceRestore{copy: copied, snapshot: copied.DbSnapshotArn}, nil
	case src.keptKeyID != "":
		return instanceRestore{pointInTime: s.Restore.pointInTimeArgs(), keptKey: pulumi.String(src.keptKeyID)}, nil
	}
	return instanceRestore{pointInTime: s.Restore.pointInTimeArgs(), keyUnknown: true}, nil
}
