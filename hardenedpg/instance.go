package hardenedpg

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// Defaults of InstanceSettings; each applies when the field is left zero.
const (
	DefaultInstanceClass           = "db.m7g.large"
	DefaultAllocatedStorageGB      = 100
	DefaultMaxAllocatedStorageGB   = 1000
	DefaultPort                    = 5433
	DefaultAdminUsername           = "dbadmin"
	DefaultBackupRetentionDays     = 35
	DefaultBackupWindow            = "02:00-03:00" //nolint:gosec // a time window, not a credential
	DefaultMaintenanceWindow       = "sun:03:30-sun:04:30"
	DefaultCACertIdentifier        = "rds-ca-rsa2048-g1"
	DefaultMonitoringInterval      = 60
	DefaultPerformanceInsightsDays = 7
)

// LogTypes are the PostgreSQL logs RDS exports to CloudWatch (rds-log-exports).
var LogTypes = baseline.LogExports

// CACertIdentifiers are the current RDS certificate authorities (rds-ca-cert).
var CACertIdentifiers = baseline.CACertificates

// reservedAdminNames are refused as master user names (rds-custom-admin): the defaults scanners
// flag, and names RDS keeps for itself or that read as defaults.
var reservedAdminNames = append(slices.Clone(baseline.DefaultAdminNames), "root", "rdsadmin", "rdsrepladmin", "rds_superuser", "master", "administrator")

// InstanceSettings are the instance choices shared by InstanceArgs and DatabaseArgs. The zero
// value of each field is the hardened default.
type InstanceSettings struct {
	// Identifier is the RDS instance identifier. Required.
	Identifier string `pulumi:"identifier"`
	// EngineMajorVersion is "14" to "18" ("17" by default); minor versions upgrade automatically.
	EngineMajorVersion string `pulumi:"engineMajorVersion,optional"`
	// InstanceClass is an RDS instance class for PostgreSQL, db.<family>.<size> (db.m7g.large by
	// default; a Multi-AZ DB cluster's, with local NVMe storage, db.m6gd.large by default).
	InstanceClass string `pulumi:"instanceClass,optional"`
	// AllocatedStorageGB is the gp3 storage, 20 to 65536 GB (100 by default); for a Multi-AZ DB
	// cluster, the io1 or io2 storage of each instance, 100 to 65536 GB.
	AllocatedStorageGB int `pulumi:"allocatedStorageGb,optional"`
	// MaxAllocatedStorageGB is the storage autoscaling ceiling, above AllocatedStorageGB (1000 by
	// default); a Multi-AZ DB cluster has none.
	MaxAllocatedStorageGB int `pulumi:"maxAllocatedStorageGb,optional"`
	// Port defaults to 5433; 5432 relaxes rds-non-default-port.
	Port int `pulumi:"port,optional"`
	// AdminUsername is the master user ("dbadmin" by default); postgres, admin and RDS-reserved
	// names are refused.
	AdminUsername string `pulumi:"adminUsername,optional"`
	// BackupRetentionDays is 35 by default; 1-6 relaxes rds-backup-retention.
	BackupRetentionDays int `pulumi:"backupRetentionDays,optional"`
	// BackupWindow is the daily backup window, hh:mm-hh:mm in UTC, 30 minutes or more, apart from
	// the maintenance window (02:00-03:00 by default).
	BackupWindow string `pulumi:"backupWindow,optional"`
	// MaintenanceWindow is the weekly window, ddd:hh:mm-ddd:hh:mm in UTC (sun:03:30-sun:04:30 by
	// default).
	MaintenanceWindow string `pulumi:"maintenanceWindow,optional"`
	// CACertIdentifier is the RDS CA of the server certificate: rds-ca-rsa2048-g1 (default),
	// rds-ca-rsa4096-g1 or rds-ca-ecc384-g1.
	CACertIdentifier string `pulumi:"caCertIdentifier,optional"`
	// MonitoringIntervalSeconds is 1, 5, 10, 15, 30 or 60 (60 by default).
	MonitoringIntervalSeconds int `pulumi:"monitoringIntervalSeconds,optional"`
	// PerformanceInsightsRetentionDays is 7 (default, free) or a multiple of 31 up to 731.
	PerformanceInsightsRetentionDays int `pulumi:"performanceInsightsRetentionDays,optional"`
	// IAMDatabaseUsers are the database users the ConnectPolicy output lets IAM principals connect as.
	IAMDatabaseUsers []string `pulumi:"iamDatabaseUsers,optional"`
	// UpgradeFromMajorVersion is the major the running database is on, given with the change of
	// EngineMajorVersion that upgrades it in place: allowMajorVersionUpgrade is on for that change
	// only. Remove it once the upgrade is applied. The target must be one AWS upgrades it to
	// (baseline.MajorUpgradeTargets); a downgrade or a skip AWS does not offer is refused.
	UpgradeFromMajorVersion string `pulumi:"upgradeFromMajorVersion,optional"`
	// AllowMajorVersionUpgrade lets any change of EngineMajorVersion upgrade in place, unchecked and
	// for as long as it is set. Prefer UpgradeFromMajorVersion, which names the change.
	AllowMajorVersionUpgrade bool `pulumi:"allowMajorVersionUpgrade,optional"`
	// ApplyImmediately applies changes that restart or interrupt the database (a major upgrade, a
	// class change, a new parameter group) at once, not in the next maintenance window.
	ApplyImmediately bool `pulumi:"applyImmediately,optional"`

	// Restore makes the database a restore of a snapshot or of a point in time, hardened like a new one.
	Restore RestoreSettings `pulumi:"restore"`

	// SingleAZ runs no standby in a second zone: it relaxes rds-multi-az.
	SingleAZ bool `pulumi:"singleAz,optional"`
	// DisableDeletionProtection turns deletion protection off and lifts Pulumi's protect: it
	// relaxes rds-deletion-protection.
	DisableDeletionProtection bool `pulumi:"disableDeletionProtection,optional"`
	// SkipFinalSnapshot takes no snapshot when the instance is deleted: it relaxes
	// rds-final-snapshot.
	SkipFinalSnapshot bool `pulumi:"skipFinalSnapshot,optional"`
	// DisablePerformanceInsights turns Performance Insights off: it relaxes
	// rds-performance-insights.
	DisablePerformanceInsights bool `pulumi:"disablePerformanceInsights,optional"`
	// DisableEnhancedMonitoring turns enhanced monitoring off: it relaxes rds-enhanced-monitoring.
	DisableEnhancedMonitoring bool `pulumi:"disableEnhancedMonitoring,optional"`
}

// InstanceArgs configures the RDS instance.
type InstanceArgs struct {
	InstanceSettings

	// StorageKeyArn encrypts the storage, Performance Insights and the master secret. Required.
	StorageKeyArn pulumi.StringInput `pulumi:"storageKeyArn"`
	// SubnetGroupName is the subnet group of private subnets the instance runs in. Required.
	SubnetGroupName pulumi.StringInput `pulumi:"subnetGroupName"`
	// SecurityGroupIDs are the instance's security groups. Required.
	SecurityGroupIDs pulumi.StringArrayInput `pulumi:"securityGroupIds"`
	// ParameterGroupName is the instance's parameter group, whose family matches the engine
	// version. Required.
	ParameterGroupName pulumi.StringInput `pulumi:"parameterGroupName"`
	// WaitFor are resources the instance is created after: the log groups, so that RDS does not
	// create them first without a key or retention.
	WaitFor []pulumi.Resource

	// Tags go on the instance, its role and the snapshot suffix.
	Tags map[string]pulumi.StringInput `pulumi:"tags,optional"`
	// Waivers relax controls: control key to the reason, one per relaxation made.
	Waivers baseline.Waivers `pulumi:"waivers,optional"`

	// replicas, which only a Database makes, need the stack's own master secret (rotation), its
	// rotation function placed in the database's network, and log groups made first.
	replicas    []ReplicaSettings
	rotation    RotationSettings
	vpcID       pulumi.StringInput
	subnetIDs   pulumi.StringArrayInput
	replicaLogs map[string][]pulumi.Resource
}

// Instance is the hardened RDS for PostgreSQL instance with its monitoring role and the stable
// suffix of its final snapshot.
type Instance struct {
	pulumi.ResourceState

	Instance            *rds.Instance
	MonitoringRole      *iam.Role
	FinalSnapshotSuffix *random.RandomId
	// RestoreSource is the copy, under the storage key, of the snapshot a restore is made from.
	RestoreSource *rds.SnapshotCopy
	// MasterSecret is the stack's own master secret, made instead of RDS's when the instance has
	// read replicas; Replicas are they (a Database's DatabaseArgs.Replicas).
	MasterSecret *MasterSecret
	Replicas     []*rds.Instance

	InstanceOutputs

	grant connectGrant
}

// InstanceType is the component's type token.
const InstanceType = "hardenedpg:index:Instance"

var (
	identifierPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,62}$`)
	dbUserPattern     = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)
	// adminUserPattern is what CreateDBInstance accepts as MasterUsername: "1 to 16 letters,
	// numbers, or underscores. First character must be a letter"
	// (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html); lowercase,
	// since PostgreSQL folds an unquoted name.
	adminUserPattern   = regexp.MustCompile(`^[a-z][a-z0-9_]{0,15}$`)
	windowPattern      = regexp.MustCompile(`^([0-1][0-9]|2[0-3]):[0-5][0-9]-([0-1][0-9]|2[0-3]):[0-5][0-9]$`)
	maintenancePattern = regexp.MustCompile(`^(mon|tue|wed|thu|fri|sat|sun):([0-1][0-9]|2[0-3]):[0-5][0-9]-(mon|tue|wed|thu|fri|sat|sun):([0-1][0-9]|2[0-3]):[0-5][0-9]$`)
)

// withDefaults fills every zero field with its hardened default.
func (s InstanceSettings) withDefaults() InstanceSettings {
	def := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	defInt := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&s.EngineMajorVersion, DefaultMajorVersion)
	def(&s.InstanceClass, DefaultInstanceClass)
	def(&s.AdminUsername, DefaultAdminUsername)
	def(&s.BackupWindow, DefaultBackupWindow)
	def(&s.MaintenanceWindow, DefaultMaintenanceWindow)
	def(&s.CACertIdentifier, DefaultCACertIdentifier)
	defInt(&s.AllocatedStorageGB, DefaultAllocatedStorageGB)
	defInt(&s.MaxAllocatedStorageGB, max(DefaultMaxAllocatedStorageGB, ceilPercent(s.AllocatedStorageGB, recommendedStorageHeadroomPercent)))
	defInt(&s.Port, DefaultPort)
	defInt(&s.BackupRetentionDays, DefaultBackupRetentionDays)
	defInt(&s.MonitoringIntervalSeconds, DefaultMonitoringInterval)
	defInt(&s.PerformanceInsightsRetentionDays, DefaultPerformanceInsightsDays)
	return s
}

// RDS refuses a storage autoscaling ceiling less than 10% above the allocated storage ("Invalid max
// storage size") and recommends 26% or more
// (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIOPS.Autoscaling.html).
const (
	minStorageHeadroomPercent         = 110
	recommendedStorageHeadroomPercent = 126
)

// ceilPercent is percent of gb, rounded up to a whole GiB.
func ceilPercent(gb, percent int) int { return (gb*percent + 99) / 100 }

// checkPort reports a port RDS does not accept; it returns whether the port is acceptable.
func checkPort(p *problems, port int) bool {
	if port < 1150 || port > 65535 {
		p.add("Port", port, "want 1150 to 65535 (the ports RDS accepts)")
		return false
	}
	return true
}

// check validates settings that already carry their defaults, for RDS.
func (s InstanceSettings) check(p *problems, w baseline.Waivers) {
	s.checkFor(p, w, "postgres", s.checkInstanceHardware)
}

// checkInstanceHardware checks an RDS instance's class and gp3 storage.
func (s InstanceSettings) checkInstanceHardware(p *problems) {
	if _, ok := baseline.InstanceClassMemoryGiB(s.InstanceClass); !ok {
		p.add("InstanceClass", s.InstanceClass, "not a DB instance class RDS offers for PostgreSQL; want db.<family>.<size> such as db.m7g.large, with a family of %s", strings.Join(baseline.InstanceFamilies(), ", "))
	}
	if s.AllocatedStorageGB < 20 || s.AllocatedStorageGB > 65536 {
		p.add("AllocatedStorageGB", s.AllocatedStorageGB, "want 20 to 65536 (gp3)")
	}
	if least := ceilPercent(s.AllocatedStorageGB, minStorageHeadroomPercent); s.MaxAllocatedStorageGB < least || s.MaxAllocatedStorageGB > 65536 {
		p.add("MaxAllocatedStorageGB", s.MaxAllocatedStorageGB, "want %d to 65536: RDS needs the autoscaling ceiling at least 10%% above {AllocatedStorageGB} (%d)", least, s.AllocatedStorageGB)
	}
}

// checkFor validates the settings for an engine; hardware checks the instance class and storage
// of the shape (an Aurora cluster has no allocated storage: it grows by itself).
func (s InstanceSettings) checkFor(p *problems, w baseline.Waivers, engine string, hardware func(p *problems)) {
	switch {
	case s.Identifier == "":
		p.add("Identifier", s.Identifier, "required: the RDS instance identifier")
	case !identifierPattern.MatchString(s.Identifier) || strings.Contains(s.Identifier, "--") || strings.HasSuffix(s.Identifier, "-"):
		p.add("Identifier", s.Identifier, "want 1-%d lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen", MaxIdentifierLength)
	case tightestLimit(s.Identifier) != nil:
		l := tightestLimit(s.Identifier)
		p.add("Identifier", s.Identifier, "want at most %d characters: the %s %q would have %d, and AWS allows %d (%s)", MaxIdentifierLength, l.what, l.name(s.Identifier), len(l.name(s.Identifier)), l.max, l.source)
	}
	checkMajorVersion(p, "EngineMajorVersion", engine, s.EngineMajorVersion)
	s.checkUpgrade(p, engine)
	s.Restore.check(p, engine)
	if s.Restore.SourceIdentifier != "" && s.Restore.SourceIdentifier == s.Identifier {
		// The restore makes a new database beside its source; under the same identifier it would
		// have to replace the source it reads, which RDS refuses while the source exists.
		p.add("Restore.SourceIdentifier", s.Restore.SourceIdentifier, "is this database's own identifier: restore beside the source, under another Identifier (or in a new stack)")
	}
	if s.Restore.enabled() && s.UpgradeFromMajorVersion != "" {
		p.add("UpgradeFromMajorVersion", s.UpgradeFromMajorVersion, "a restore creates the database on its source's major: upgrade it in a later change")
	}
	hardware(p)
	if checkPort(p, s.Port) && s.Port == baseline.DefaultPostgresPort {
		p.relax(w, "rds-non-default-port", "Port", s.Port, fmt.Sprintf("any port but %d, %d by default", baseline.DefaultPostgresPort, DefaultPort))
	}
	switch {
	case slices.Contains(reservedAdminNames, strings.ToLower(s.AdminUsername)):
		p.add("AdminUsername", s.AdminUsername, "a default or reserved name (control rds-custom-admin); refused: %s", strings.Join(reservedAdminNames, ", "))
	case !adminUserPattern.MatchString(s.AdminUsername):
		p.add("AdminUsername", s.AdminUsername, "want 1-16 lowercase letters, digits and underscores, starting with a letter (RDS's limit for the master user)")
	case privilegedRole(s.AdminUsername, "") != "":
		// The bootstrap's rule for role names: CREATE ROLE refuses pg_* (proven on the real
		// servers), RDS has its own rds* roles, and CreateDBInstance's MasterUsername "Can't be a
		// reserved word for the chosen database engine".
		p.add("AdminUsername", s.AdminUsername, "%s; RDS would refuse it as the master user", privilegedRole(s.AdminUsername, ""))
	}
	switch r := s.BackupRetentionDays; {
	case r >= baseline.MinBackupRetentionDays && r <= baseline.MaxBackupRetentionDays:
	case r >= 1 && r < baseline.MinBackupRetentionDays:
		p.relax(w, "rds-backup-retention", "BackupRetentionDays", r, fmt.Sprintf("%d to %d, %d by default", baseline.MinBackupRetentionDays, baseline.MaxBackupRetentionDays, DefaultBackupRetentionDays))
	default:
		p.add("BackupRetentionDays", r, "want 1 to %d (%d or more keeps rds-backup-retention passing)", baseline.MaxBackupRetentionDays, baseline.MinBackupRetentionDays)
	}
	backupOK, maintenanceOK := windowPattern.MatchString(s.BackupWindow), maintenancePattern.MatchString(s.MaintenanceWindow)
	if !backupOK {
		p.add("BackupWindow", s.BackupWindow, "want hh:mm-hh:mm in UTC")
	} else if _, l := dailyWindow(s.BackupWindow); l < minWindowMinutes {
		p.add("BackupWindow", s.BackupWindow, "want a window of at least %d minutes (RDS's minimum)", minWindowMinutes)
		backupOK = false
	}
	if !maintenanceOK {
		p.add("MaintenanceWindow", s.MaintenanceWindow, "want ddd:hh:mm-ddd:hh:mm in UTC, e.g. %s", DefaultMaintenanceWindow)
	} else if _, l := weeklyWindow(s.MaintenanceWindow); l < minWindowMinutes {
		p.add("MaintenanceWindow", s.MaintenanceWindow, "want a window of at least %d minutes (RDS's minimum)", minWindowMinutes)
		maintenanceOK = false
	}
	if backupOK && maintenanceOK && overlaps(s.BackupWindow, s.MaintenanceWindow) {
		p.add("BackupWindow", s.BackupWindow, "overlaps the maintenance window %s; RDS refuses windows that conflict", s.MaintenanceWindow)
	}
	if !slices.Contains(CACertIdentifiers, s.CACertIdentifier) {
		p.add("CACertIdentifier", s.CACertIdentifier, "want a current RDS CA: %s", strings.Join(CACertIdentifiers, ", "))
	}
	if !slices.Contains(baseline.MonitoringIntervals, s.MonitoringIntervalSeconds) {
		p.add("MonitoringIntervalSeconds", s.MonitoringIntervalSeconds, "want 1, 5, 10, 15, 30 or 60 (to turn monitoring off, set {DisableEnhancedMonitoring})")
	}
	if d := s.PerformanceInsightsRetentionDays; !validPerformanceInsightsRetention(d) {
		p.add("PerformanceInsightsRetentionDays", d, "want 7, 731, or a multiple of 31 from 31 to 713 (months times 31)")
	}
	for i, u := range s.IAMDatabaseUsers {
		field := fmt.Sprintf("IAMDatabaseUsers[%d]", i)
		switch {
		case !dbUserPattern.MatchString(u):
			p.add(field, u, "want 1-63 lowercase letters, digits and underscores, starting with a letter or underscore")
		case u == s.AdminUsername:
			p.add(field, u, "the master user signs in only through its managed secret, not IAM")
		}
	}
	relaxations := []struct {
		on              bool
		control, field  string
		hardenedSetting string
	}{
		{s.SingleAZ, "rds-multi-az", "SingleAZ", "false: a standby in a second zone"},
		{s.DisableDeletionProtection, "rds-deletion-protection", "DisableDeletionProtection", "false: deletion protection on"},
		{s.SkipFinalSnapshot, "rds-final-snapshot", "SkipFinalSnapshot", "false: a final snapshot on delete"},
		{s.DisablePerformanceInsights, "rds-performance-insights", "DisablePerformanceInsights", "false: Performance Insights with the storage key"},
		{s.DisableEnhancedMonitoring, "rds-enhanced-monitoring", "DisableEnhancedMonitoring", "false: enhanced monitoring"},
	}
	for _, r := range relaxations {
		if r.on {
			p.relax(w, r.control, r.field, true, r.hardenedSetting)
		}
	}
}

// checkUpgrade refuses an upgrade AWS does not run in place, naming the targets it offers.
func (s InstanceSettings) checkUpgrade(p *problems, engine string) {
	from, to := s.UpgradeFromMajorVersion, s.EngineMajorVersion
	if from == "" {
		return
	}
	targets := baseline.UpgradeTargets(engine, from)
	_, known := baseline.MajorUpgradeTargets[from]
	switch {
	case from == to:
		p.add("UpgradeFromMajorVersion", from, "the database is on {EngineMajorVersion} %s already: remove it once the upgrade is applied, so that no later change of the version upgrades unreviewed", to)
	case !known:
		p.add("UpgradeFromMajorVersion", from, "want the major the database runs now, one AWS upgrades in place: %s", strings.Join(slices.Sorted(maps.Keys(baseline.MajorUpgradeTargets)), ", "))
	case !slices.Contains(targets, to) && baseline.MajorNumber(to) < baseline.MajorNumber(from):
		p.add("UpgradeFromMajorVersion", from, "{EngineMajorVersion} %s is a downgrade, which RDS does not do: restore a snapshot taken on %s into a new stack instead", to, to)
	case !slices.Contains(targets, to):
		p.add("UpgradeFromMajorVersion", from, "RDS does not upgrade %s to {EngineMajorVersion} %s in place; from %s it offers %s (AWS's upgrade paths): upgrade in steps", from, to, from, strings.Join(targets, ", "))
	case !s.ApplyImmediately && !s.Restore.enabled(): // a restore with an upgrade is refused itself
		// Deferred to the window, the database stays a member of its old-family parameter group,
		// whose delete the same up then makes and RDS refuses ("One or more database instances are
		// still members of this parameter group", terraform-provider-aws#6448).
		p.add("ApplyImmediately", s.ApplyImmediately, "an upgrade ({UpgradeFromMajorVersion} %s → {EngineMajorVersion} %s) needs it true: deferred to the maintenance window, the old parameter group cannot be deleted in the same up, which then fails", from, to)
	}
}

// allowsMajorUpgrade says whether this change may upgrade the major in place.
func (s InstanceSettings) allowsMajorUpgrade() bool {
	return s.AllowMajorVersionUpgrade || (s.UpgradeFromMajorVersion != "" && s.UpgradeFromMajorVersion != s.EngineMajorVersion)
}

func (a *InstanceArgs) check(p *problems) {
	a.InstanceSettings.check(p, a.Waivers)
	required := []struct {
		name string
		set  bool
	}{
		{"StorageKeyArn", a.StorageKeyArn != nil},
		{"SubnetGroupName", a.SubnetGroupName != nil},
		{"SecurityGroupIDs", a.SecurityGroupIDs != nil},
		{"ParameterGroupName", a.ParameterGroupName != nil},
	}
	for _, r := range required {
		if !r.set {
			p.add(r.name, "", "required")
		}
	}
}

// NewInstance creates the hardened instance. Its master password is generated, stored and
// rotated by RDS in Secrets Manager under the storage key: no password passes through Pulumi.
func NewInstance(ctx *pulumi.Context, name string, args *InstanceArgs, opts ...pulumi.ResourceOption) (*Instance, error) {
	if args == nil {
		args = &InstanceArgs{}
	}
	a := *args
	a.InstanceSettings = a.withDefaults()
	p := waiverProblems(a.Waivers)
	a.check(&p)
	if err := p.err(); err != nil {
		return nil, fmt.Errorf("hardenedpg.NewInstance %q: %w", name, err)
	}
	// The account and region come from the provider the component gets: looked up once it is registered.
	return newInstance(ctx, name, &a, awsEnv{}, nil, opts...)
}

// newInstance creates the instance; src is what a restore reads, looked up here when the caller
// has not.
func newInstance(ctx *pulumi.Context, name string, a *InstanceArgs, env awsEnv, src *restoreSource, opts ...pulumi.ResourceOption) (*Instance, error) {
	c := &Instance{}
	env, err := registered(ctx, InstanceType, name, c, env, opts...)
	if err != nil {
		return nil, err
	}
	s := a.InstanceSettings
	if s.Restore.enabled() && src == nil {
		var p problems
		src = s.Restore.lookup(ctx, &p, s, "postgres", env, time.Now().UTC(), pulumi.Parent(c))
		if err := p.err(); err != nil {
			return nil, fmt.Errorf("hardenedpg.NewInstance %q: %w", name, err)
		}
	}
	tags := pulumi.StringMap(a.Tags)

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

	restore, err := newInstanceRestore(ctx, name, s, src, a.StorageKeyArn, tags, c)
	if err != nil {
		return nil, err
	}
	c.RestoreSource = restore.copy

	instOpts := []pulumi.ResourceOption{pulumi.Parent(c), pulumi.DependsOn(a.WaitFor)}
	if !s.DisableDeletionProtection {
		instOpts = append(instOpts, pulumi.Protect(true))
	}
	// RDS manages the master password, unless the instance has replicas, which RDS does not make
	// of such a source: the password is then the stack's own, and rotated (MasterSecret).
	secretKey, password := a.StorageKeyArn, (*random.RandomPassword)(nil)
	var passwordInput pulumi.StringPtrInput
	if len(a.replicas) > 0 {
		if password, err = newMasterPassword(ctx, name, c); err != nil {
			return nil, err
		}
		secretKey, passwordInput = nil, password.Result
	}
	args := hostArgs(s, a, m, tags)
	args.Identifier, args.Engine, args.EngineVersion = pulumi.String(s.Identifier), pulumi.String("postgres"), pulumi.String(s.EngineMajorVersion)
	args.AllowMajorVersionUpgrade = pulumi.Bool(s.allowsMajorUpgrade())
	args.EngineLifecycleSupport = pulumi.String("open-source-rds-extended-support-disabled")
	args.AllocatedStorage, args.StorageEncrypted = pulumi.Int(s.AllocatedStorageGB), pulumi.Bool(true)
	args.KmsKeyId, args.SnapshotIdentifier, args.RestoreToPointInTime = restore.keyID(a.StorageKeyArn), restore.snapshot, restore.pointInTime
	args.Username, args.ManageMasterUserPassword = pulumi.String(s.AdminUsername), pulumi.Bool(password == nil)
	args.MasterUserSecretKmsKeyId, args.Password = secretKey, passwordInput
	args.SkipFinalSnapshot, args.FinalSnapshotIdentifier = pulumi.Bool(s.SkipFinalSnapshot), finalSnapshot
	inst, err := rds.NewInstance(ctx, name+"-db", &args, instOpts...)
	if err != nil {
		return nil, err
	}
	c.Instance = inst
	c.Address, c.Port, c.Endpoint, c.Arn, c.ResourceID = inst.Address, inst.Port, inst.Endpoint, inst.Arn, inst.ResourceId
	c.MasterUserSecretArn = inst.MasterUserSecrets.ApplyT(func(secrets []rds.InstanceMasterUserSecret) string {
		if len(secrets) == 0 || secrets[0].SecretArn == nil {
			return ""
		}
		return *secrets[0].SecretArn
	}).(pulumi.StringOutput)
	if password != nil {
		c.MasterSecret, err = newMasterSecret(ctx, name+"-master-secret", masterSecretArgs{
			identifier: s.Identifier, username: s.AdminUsername, rotation: a.rotation, storageKeyArn: a.StorageKeyArn,
			vpcID: a.vpcID, subnetIDs: a.subnetIDs, databaseSecurityGroupID: a.SecurityGroupIDs.ToStringArrayOutput().Index(pulumi.Int(0)),
			port: s.Port, tags: tags,
		}, password, inst, env, c)
		if err != nil {
			return nil, err
		}
		c.MasterUserSecretArn = c.MasterSecret.Arn
		if c.Replicas, err = newReplicas(ctx, name, a, inst, m, tags, c); err != nil {
			return nil, err
		}
	}
	c.ConnectPolicy = inst.ResourceId.ApplyT(func(resourceID string) string {
		return connectPolicy(env, resourceID, s.IAMDatabaseUsers)
	}).(pulumi.StringOutput)
	c.grant = connectGrant{env: env, users: slices.Clone(s.IAMDatabaseUsers), resourceID: c.ResourceID, parent: c}
	if err := registerOutputs(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// InstanceOutputs are what clients and IAM policies need of an instance; an Instance and a
// Database both have them.
type InstanceOutputs struct {
	// Address, Port and Endpoint are where clients connect (TLS only).
	Address  pulumi.StringOutput `pulumi:"address"`
	Port     pulumi.IntOutput    `pulumi:"port"`
	Endpoint pulumi.StringOutput `pulumi:"endpoint"`
	// Arn and ResourceID identify the instance; ResourceID is what rds-db:connect ARNs name.
	Arn        pulumi.StringOutput `pulumi:"arn"`
	ResourceID pulumi.StringOutput `pulumi:"resourceId"`
	// MasterUserSecretArn is the Secrets Manager secret RDS keeps the master password in.
	MasterUserSecretArn pulumi.StringOutput `pulumi:"masterUserSecretArn"`
	// ConnectPolicy is an IAM policy document granting rds-db:connect as the instance's
	// IAMDatabaseUsers ("" without them).
	ConnectPolicy pulumi.StringOutput `pulumi:"connectPolicy"`
}

// GrantConnect lets the IAM role named role connect as one database user, and as no other: an
// inline role policy allowing rds-db:connect on exactly that user's ARN, as CDK's grantConnect.
// The user must be one of IAMDatabaseUsers, the only ones that can sign in with a token. Options
// apply to the policy (its parent is the Instance unless given).
func (c *Instance) GrantConnect(ctx *pulumi.Context, name string, role pulumi.StringInput, dbUser string, opts ...pulumi.ResourceOption) (*iam.RolePolicy, error) {
	return c.grant.grant(ctx, name, role, dbUser, opts...)
}

// connectGrant is what GrantConnect needs of a database: its account, the users that sign in
// with a token, and the resource ID rds-db:connect ARNs name (an instance's db-..., a cluster's
// cluster-...).
type connectGrant struct {
	env        awsEnv
	users      []string
	resourceID pulumi.StringOutput
	parent     pulumi.Resource
}

func (g connectGrant) grant(ctx *pulumi.Context, name string, role pulumi.StringInput, dbUser string, opts ...pulumi.ResourceOption) (*iam.RolePolicy, error) {
	if !slices.Contains(g.users, dbUser) {
		return nil, fmt.Errorf("hardenedpg: GrantConnect %q: database user %q is not one of IAMDatabaseUsers (%s): only they are granted rds_iam and can sign in with an IAM token",
			name, dbUser, strings.Join(g.users, ", "))
	}
	roleName, err := grantedRoleName(name, role)
	if err != nil {
		return nil, err
	}
	policy := g.resourceID.ApplyT(func(resourceID string) string {
		return connectPolicy(g.env, resourceID, []string{dbUser})
	}).(pulumi.StringOutput)
	return iam.NewRolePolicy(ctx, name, &iam.RolePolicyArgs{Role: roleName, Policy: policy},
		append([]pulumi.ResourceOption{pulumi.Parent(g.parent)}, opts...)...)
}

// grantedRoleName is the role a GrantConnect names: IAM takes the role's name there, and an ARN
// would fail only at deploy, so one known now is refused now and one known later at apply.
func grantedRoleName(grant string, role pulumi.StringInput) (pulumi.StringOutput, error) {
	notArn := func(r string) error {
		if strings.HasPrefix(r, "arn:") {
			return fmt.Errorf("hardenedpg: GrantConnect %q: role %q is an ARN; want the role's name, %q", grant, r, r[strings.LastIndex(r, "/")+1:])
		}
		return nil
	}
	if known, ok := role.(pulumi.String); ok {
		if err := notArn(string(known)); err != nil {
			return pulumi.StringOutput{}, err
		}
	}
	return role.ToStringOutput().ApplyT(func(r string) (string, error) { return r, notArn(r) }).(pulumi.StringOutput), nil
}

// connectPolicy grants rds-db:connect as the named database users of one instance; empty when
// there are none, since a policy without statements is refused by IAM.
func connectPolicy(env awsEnv, resourceID string, users []string) string {
	if len(users) == 0 {
		return ""
	}
	resources := make([]string, len(users))
	for i, u := range users {
		// arn:aws:rds-db:region:account-id:dbuser:DbiResourceId/db-user-name (a cluster's
		// DbClusterResourceId for Aurora), per
		// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html
		resources[i] = fmt.Sprintf("arn:%s:rds-db:%s:%s:dbuser:%s/%s", env.Partition, env.Region, env.AccountID, resourceID, u)
	}
	return PolicyDocument{Statement: []PolicyStatement{{
		Sid: "ConnectAsNamedDatabaseUsers", Effect: "Allow", Action: []string{"rds-db:connect"}, Resource: resources,
	}}}.JSON()
}

// newFinalSnapshotName is the name of a database's final snapshot and the suffix that makes it
// unique. The keeper ties the suffix to the identifier: it stays the same on every update, so
// the name is known and unique without depending on the time of deletion.
func newFinalSnapshotName(ctx *pulumi.Context, name, identifier string, parent pulumi.Resource) (*random.RandomId, pulumi.StringPtrInput, error) {
	suffix, err := random.NewRandomId(ctx, name+"-final-snapshot-suffix", &random.RandomIdArgs{
		ByteLength: pulumi.Int(4),
		Keepers:    pulumi.StringMap{"identifier": pulumi.String(identifier)},
	}, pulumi.Parent(parent))
	if err != nil {
		return nil, nil, err
	}
	return suffix, pulumi.Sprintf(finalSnapshotNameFormat, identifier, suffix.Hex), nil
}

// monitoring is a database's enhanced monitoring: its role and interval (none when disabled).
type monitoring struct {
	role     *iam.Role
	roleArn  pulumi.StringPtrInput
	interval int
}

func newMonitoring(ctx *pulumi.Context, name string, s InstanceSettings, env awsEnv, tags pulumi.StringMap, parent pulumi.Resource) (monitoring, error) {
	if s.DisableEnhancedMonitoring {
		return monitoring{}, nil
	}
	role, err := newMonitoringRole(ctx, name, env, tags, parent)
	if err != nil {
		return monitoring{}, err
	}
	return monitoring{role, role.Arn, s.MonitoringIntervalSeconds}, nil
}

// hostArgs are the settings an instance and its read replicas share: class, storage type and
// ceiling, network, baseline, public access off, IAM authentication, CA, Multi-AZ, protection,
// backups, log exports, Performance Insights and enhanced monitoring.
func hostArgs(s InstanceSettings, a *InstanceArgs, m monitoring, tags pulumi.StringMap) rds.InstanceArgs {
	piKey, piRetention := performanceInsights(s, a.StorageKeyArn)
	return rds.InstanceArgs{
		AutoMinorVersionUpgrade:            pulumi.Bool(true),
		InstanceClass:                      pulumi.String(s.InstanceClass),
		StorageType:                        pulumi.String("gp3"),
		MaxAllocatedStorage:                pulumi.Int(s.MaxAllocatedStorageGB),
		DbSubnetGroupName:                  a.SubnetGroupName,
		VpcSecurityGroupIds:                a.SecurityGroupIDs,
		ParameterGroupName:                 a.ParameterGroupName,
		PubliclyAccessible:                 pulumi.Bool(false),
		Port:                               pulumi.Int(s.Port),
		IamDatabaseAuthenticationEnabled:   pulumi.Bool(true),
		CaCertIdentifier:                   pulumi.String(s.CACertIdentifier),
		MultiAz:                            pulumi.Bool(!s.SingleAZ),
		DeletionProtection:                 pulumi.Bool(!s.DisableDeletionProtection),
		BackupRetentionPeriod:              pulumi.Int(s.BackupRetentionDays),
		BackupWindow:                       pulumi.String(s.BackupWindow),
		MaintenanceWindow:                  pulumi.String(s.MaintenanceWindow),
		CopyTagsToSnapshot:                 pulumi.Bool(true),
		DeleteAutomatedBackups:             pulumi.Bool(false),
		EnabledCloudwatchLogsExports:       pulumi.ToStringArray(LogTypes),
		PerformanceInsightsEnabled:         pulumi.Bool(!s.DisablePerformanceInsights),
		PerformanceInsightsKmsKeyId:        piKey,
		PerformanceInsightsRetentionPeriod: piRetention,
		MonitoringInterval:                 pulumi.Int(m.interval),
		MonitoringRoleArn:                  m.roleArn,
		ApplyImmediately:                   pulumi.Bool(s.ApplyImmediately),
		Tags:                               tags,
	}
}

// performanceInsights is the key and retention of Performance Insights (none when disabled).
func performanceInsights(s InstanceSettings, storageKeyArn pulumi.StringInput) (pulumi.StringPtrInput, pulumi.IntPtrInput) {
	if s.DisablePerformanceInsights {
		return nil, nil
	}
	return storageKeyArn.ToStringOutput().ToStringPtrOutput(), pulumi.Int(s.PerformanceInsightsRetentionDays)
}

// newMonitoringRole is the role enhanced monitoring assumes to publish OS metrics; the trust is
// bound to this account against the confused-deputy problem.
func newMonitoringRole(ctx *pulumi.Context, name string, env awsEnv, tags pulumi.StringMap, parent pulumi.Resource) (*iam.Role, error) {
	role, err := iam.NewRole(ctx, name+"-monitoring-role", &iam.RoleArgs{
		Description:      pulumi.String("RDS enhanced monitoring publishes OS metrics"),
		AssumeRolePolicy: env.trustedBy("monitoring.rds.amazonaws.com"),
		Tags:             tags,
	}, pulumi.Parent(parent))
	if err != nil {
		return nil, err
	}
	_, err = iam.NewRolePolicyAttachment(ctx, name+"-monitoring-policy", &iam.RolePolicyAttachmentArgs{
		Role:      role.Name,
		PolicyArn: pulumi.Sprintf("arn:%s:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole", env.Partition),
	}, pulumi.Parent(parent))
	if err != nil {
		return nil, err
	}
	return role, nil
}

// instanceShape is a Database's RDS for PostgreSQL instance.
type instanceShape struct{ args InstanceArgs }

func newInstanceShape(a *DatabaseArgs, tags pulumi.StringMap) shape {
	return &instanceShape{InstanceArgs{InstanceSettings: a.Instance.withDefaults(), Tags: tags, Waivers: a.Waivers,
		replicas: a.Replicas, rotation: a.Rotation.withDefaults()}}
}

func (s *instanceShape) settings() InstanceSettings { return s.args.InstanceSettings }

func (s *instanceShape) traits() shapeTraits {
	return shapeTraits{
		engine: "postgres", logTypes: LogTypes,
		independentCopyField: "Replication.Region", independentCopyHardened: "another region to replicate automated backups to, or {Backup.CopyToVaultArn} in another region or account",
	}
}

func (s *instanceShape) check(p *problems, a *DatabaseArgs) {
	var ip problems
	s.args.InstanceSettings.check(&ip, a.Waivers)
	p.nest("Instance", ip)
	ignoredSettings(p, "Cluster", a.Cluster, "only an Aurora cluster has them ({Engine} "+baseline.AuroraEngine+")")
	ignoredSettings(p, "MultiAZCluster", a.MultiAZCluster, "only a Multi-AZ DB cluster has them ({Deployment} "+MultiAZClusterDeployment+")")
	checkReplicas(p, a.Replicas, s.args.InstanceSettings)
	if len(a.Replicas) > 0 {
		var rp problems
		s.args.rotation.check(&rp)
		p.nest("Rotation", rp)
	} else {
		ignoredSettings(p, "Rotation", a.Rotation, "the master secret is RDS's, which RDS rotates, without {Replicas}")
	}
}

func (s *instanceShape) watch(a *AlertsArgs, settings AlertSettings) {
	a.AlertSettings = settings.withDefaults(s.args.InstanceClass, s.args.AllocatedStorageGB, 0)
	a.ReplicaIdentifiers = localReplicaIdentifiers(s.args.replicas)
}

func (s *instanceShape) create(ctx *pulumi.Context, name string, on sharedParts, parent pulumi.ResourceOption) (builtShape, error) {
	a := s.args
	a.StorageKeyArn, a.SubnetGroupName, a.SecurityGroupIDs = on.storageKeyArn, on.subnetGroupName, on.securityGroupIDs
	a.ParameterGroupName, a.WaitFor = on.parameterGroup.Name, on.waitFor
	a.vpcID, a.subnetIDs, a.replicaLogs = on.vpcID, on.subnetIDs, on.replicaLogs
	instance, err := newInstance(ctx, name+"-instance", &a, on.env, on.restore, parent)
	if err != nil {
		return nil, err
	}
	on.database.Instance = instance
	return instance, nil
}

func (c *Instance) outputs() InstanceOutputs            { return c.InstanceOutputs }
func (c *Instance) readerEndpoint() pulumi.StringOutput { return pulumi.StringOutput{} }
func (c *Instance) targetProxy(p *ProxyArgs)            { p.InstanceIdentifier = c.Instance.Identifier }
func (c *Instance) resources() []pulumi.Resource {
	out := []pulumi.Resource{c.Instance}
	for _, r := range c.Replicas {
		out = append(out, r)
	}
	return out
}
func (c *Instance) connect() *connectGrant { return &c.grant }
