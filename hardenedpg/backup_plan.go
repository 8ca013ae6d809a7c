package hardenedpg

import (
	"fmt"
	"regexp"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/backup"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Defaults of BackupPlanArgs.
const (
	DefaultBackupPlanRetentionDays = 35
	// DefaultBackupSchedule starts at 06:00 UTC, clear of the instance's default windows: AWS
	// Backup cannot start a database backup during, or in the hour before, its maintenance window
	// (sun:03:30-04:30) and the automated backup window ends at 03:00
	// (https://docs.aws.amazon.com/aws-backup/latest/devguide/creating-a-backup-plan.html).
	DefaultBackupSchedule         = "cron(0 6 * * ? *)"
	DefaultVaultMinRetentionDays  = 7
	DefaultVaultMaxRetentionDays  = 400
	DefaultVaultChangeableForDays = 3
)

// BackupSettings are the choices about the AWS Backup plan of a database; the zero value is
// hardened.
type BackupSettings struct {
	// Skip creates no backup plan: it relaxes backup-plan. Only a Database reads it (not to
	// back up, create no BackupPlan).
	Skip bool `pulumi:"skip,optional"`
	// RetentionDays keeps each daily recovery point (35 by default).
	RetentionDays int `pulumi:"retentionDays,optional"`
	// Schedule is the AWS Backup cron expression of the daily rule ("cron(0 6 * * ? *)" by default);
	// keep its hour-long start window clear of the maintenance window and the hour before it.
	Schedule string `pulumi:"schedule,optional"`
	// VaultMinRetentionDays is the shortest retention anyone may set on the locked vault (7 by
	// default).
	VaultMinRetentionDays int `pulumi:"vaultMinRetentionDays,optional"`
	// VaultMaxRetentionDays is the longest retention anyone may set on the locked vault (400 by
	// default).
	VaultMaxRetentionDays int `pulumi:"vaultMaxRetentionDays,optional"`
	// VaultChangeableForDays is the grace period, at least 3 days (3 by default), after which the
	// vault lock is immutable (compliance mode): not even the account root can shorten retention or
	// delete.
	//
	// The three Vault* settings are one-shot: AWS Backup rewrites the lock in place during the
	// grace period and refuses any change after it. A changed value replaces the lock resource, and
	// the old one is retained rather than deleted, since deleting it would unlock the vault
	// (DeleteBackupVaultLockConfiguration on the same vault).
	VaultChangeableForDays int `pulumi:"vaultChangeableForDays,optional"`
	// CopyToVaultArn copies every recovery point to a vault in another region or account.
	CopyToVaultArn string `pulumi:"copyToVaultArn,optional"`
}

// maxVaultRetentionDays caps the lock's maximum retention at 36500 days (100 years), the longest
// retention AWS Backup's lifecycle takes; the PutBackupVaultLockConfiguration reference states no
// bound of its own, so a larger value is refused here rather than risked at apply.
const maxVaultRetentionDays = 36500

// BackupPlanArgs configures AWS Backup for one instance: the settings plus the instance.
type BackupPlanArgs struct {
	BackupSettings

	// Identifier is the RDS instance identifier; it names the vault. Required.
	Identifier string `pulumi:"identifier"`
	// InstanceArn is the instance the selection covers. Required.
	InstanceArn pulumi.StringInput            `pulumi:"instanceArn"`
	Tags        map[string]pulumi.StringInput `pulumi:"tags,optional"`
}

// BackupPlan is a locked AWS Backup vault with its own key, a daily plan and a selection of the
// instance, so a copy of the data survives the loss of the instance, its key or its account admin.
type BackupPlan struct {
	pulumi.ResourceState

	Key       *EncryptionKey
	Vault     *backup.Vault
	Lock      *backup.VaultLockConfiguration
	Plan      *backup.Plan
	Selection *backup.Selection
	Role      *iam.Role

	VaultArn pulumi.StringOutput `pulumi:"vaultArn"`
}

// BackupPlanType is the component's type token.
const BackupPlanType = "hardenedpg:index:BackupPlan"

var (
	backupVaultArnPattern = regexp.MustCompile(`^arn:aws[a-z-]*:backup:[a-z0-9-]+:\d{12}:backup-vault:[A-Za-z0-9_.-]+$`)
	cronPattern           = regexp.MustCompile(`^cron\([^)]+\)$`)
)

func (a BackupSettings) withDefaults() BackupSettings {
	d := a
	defInt := func(v *int, def int) {
		if *v == 0 {
			*v = def
		}
	}
	defInt(&d.RetentionDays, DefaultBackupPlanRetentionDays)
	defInt(&d.VaultMinRetentionDays, DefaultVaultMinRetentionDays)
	defInt(&d.VaultMaxRetentionDays, DefaultVaultMaxRetentionDays)
	defInt(&d.VaultChangeableForDays, DefaultVaultChangeableForDays)
	if d.Schedule == "" {
		d.Schedule = DefaultBackupSchedule
	}
	return d
}

func (a *BackupPlanArgs) check(p *problems) {
	if a.Identifier == "" {
		p.add("Identifier", a.Identifier, "required: the RDS instance identifier")
	}
	if a.InstanceArn == nil {
		p.add("InstanceArn", "", "required")
	}
	refuseSkip(p, a.Skip, "BackupPlan")
	a.BackupSettings.check(p)
}

// check reports the problems of settings with their defaults applied.
func (a *BackupSettings) check(p *problems) {
	if !cronPattern.MatchString(a.Schedule) {
		p.add("Schedule", a.Schedule, "want an AWS Backup cron expression, e.g. %s", DefaultBackupSchedule)
	}
	if a.VaultMinRetentionDays < 1 {
		p.add("VaultMinRetentionDays", a.VaultMinRetentionDays, "want 1 or more")
	}
	if a.VaultMaxRetentionDays < a.VaultMinRetentionDays || a.VaultMaxRetentionDays > maxVaultRetentionDays {
		p.add("VaultMaxRetentionDays", a.VaultMaxRetentionDays, "want {VaultMinRetentionDays} (%d) to %d", a.VaultMinRetentionDays, maxVaultRetentionDays)
	}
	if a.RetentionDays < a.VaultMinRetentionDays || a.RetentionDays > a.VaultMaxRetentionDays {
		p.add("RetentionDays", a.RetentionDays, "want %d to %d: the vault lock refuses recovery points kept shorter or longer", a.VaultMinRetentionDays, a.VaultMaxRetentionDays)
	}
	if a.VaultChangeableForDays < 3 {
		p.add("VaultChangeableForDays", a.VaultChangeableForDays, "want 3 or more (AWS Backup's minimum grace period before the lock is immutable)")
	}
	if a.CopyToVaultArn != "" && !backupVaultArnPattern.MatchString(a.CopyToVaultArn) {
		p.add("CopyToVaultArn", a.CopyToVaultArn, "want a backup vault ARN: arn:aws:backup:<region>:<account>:backup-vault:<name>")
	}
}

// NewBackupPlan creates the key, the locked vault, the plan, its role and the selection.
func NewBackupPlan(ctx *pulumi.Context, name string, args *BackupPlanArgs, opts ...pulumi.ResourceOption) (*BackupPlan, error) {
	if args == nil {
		args = &BackupPlanArgs{}
	}
	a := *args
	a.BackupSettings = a.withDefaults()
	var p problems
	a.check(&p)
	if err := p.err(); err != nil {
		return nil, fmt.Errorf("hardenedpg.NewBackupPlan %q: %w", name, err)
	}
	// The account and region come from the provider the component gets: looked up once it is registered.
	return newBackupPlan(ctx, name, &a, awsEnv{}, opts...)
}

func newBackupPlan(ctx *pulumi.Context, name string, a *BackupPlanArgs, env awsEnv, opts ...pulumi.ResourceOption) (*BackupPlan, error) {
	c := &BackupPlan{}
	env, err := registered(ctx, BackupPlanType, name, c, env, opts...)
	if err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)
	tags := pulumi.StringMap(a.Tags)
	// A key of its own: losing or disabling the storage key must not take the backups with it.
	c.Key, err = newEncryptionKey(ctx, name+"-key", &EncryptionKeyArgs{
		Description: fmt.Sprintf("hardenedpg %s: AWS Backup vault", a.Identifier),
		Alias:       fmt.Sprintf(keyAliasFormat, a.Identifier, "backup"), ViaServices: []string{"backup"}, Tags: a.Tags,
	}, env, parent)
	if err != nil {
		return nil, err
	}
	c.Vault, err = backup.NewVault(ctx, name+"-vault", &backup.VaultArgs{
		Name: pulumi.String(fmt.Sprintf(backupVaultNameFormat, a.Identifier)), KmsKeyArn: c.Key.Arn, ForceDestroy: pulumi.Bool(false), Tags: tags,
	}, parent, pulumi.Protect(true))
	if err != nil {
		return nil, err
	}
	c.Lock, err = backup.NewVaultLockConfiguration(ctx, name+"-vault-lock", &backup.VaultLockConfigurationArgs{
		BackupVaultName:   c.Vault.Name,
		MinRetentionDays:  pulumi.Int(a.VaultMinRetentionDays),
		MaxRetentionDays:  pulumi.Int(a.VaultMaxRetentionDays),
		ChangeableForDays: pulumi.Int(a.VaultChangeableForDays),
		// Retained: a replacement writes the new lock over the old one (same vault), and deleting
		// the old one afterwards would leave the vault unlocked.
	}, parent, pulumi.RetainOnDelete(true))
	if err != nil {
		return nil, err
	}
	var copies backup.PlanRuleCopyActionArray
	if a.CopyToVaultArn != "" {
		copies = backup.PlanRuleCopyActionArray{backup.PlanRuleCopyActionArgs{
			DestinationVaultArn: pulumi.String(a.CopyToVaultArn),
			Lifecycle:           backup.PlanRuleCopyActionLifecycleArgs{DeleteAfter: pulumi.Int(a.RetentionDays)},
		}}
	}
	c.Plan, err = backup.NewPlan(ctx, name+"-plan", &backup.PlanArgs{
		Name: pulumi.String(fmt.Sprintf(backupPlanNameFormat, a.Identifier)),
		Rules: backup.PlanRuleArray{backup.PlanRuleArgs{
			RuleName: pulumi.String("daily"), TargetVaultName: c.Vault.Name, Schedule: pulumi.String(a.Schedule),
			StartWindow: pulumi.Int(60), CompletionWindow: pulumi.Int(360),
			Lifecycle:   backup.PlanRuleLifecycleArgs{DeleteAfter: pulumi.Int(a.RetentionDays)},
			CopyActions: copies, RecoveryPointTags: recoveryPointTags(ctx, a.Tags, opts),
		}},
		Tags: tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	c.Role, err = iam.NewRole(ctx, name+"-role", &iam.RoleArgs{
		Description: pulumi.String("AWS Backup backs up and restores " + a.Identifier), AssumeRolePolicy: env.trustedBy("backup.amazonaws.com"), Tags: tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	for _, policy := range []string{"AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores"} {
		if _, err := iam.NewRolePolicyAttachment(ctx, name+"-role-"+policy, &iam.RolePolicyAttachmentArgs{
			Role: c.Role.Name, PolicyArn: pulumi.Sprintf("arn:%s:iam::aws:policy/service-role/%s", env.Partition, policy),
		}, parent); err != nil {
			return nil, err
		}
	}
	c.Selection, err = backup.NewSelection(ctx, name+"-selection", &backup.SelectionArgs{
		// The selection is named after the identifier (its limit is in names.go).
		Name: pulumi.String(a.Identifier), PlanId: c.Plan.ID(), IamRoleArn: c.Role.Arn,
		Resources: pulumi.StringArray{a.InstanceArn},
	}, parent)
	if err != nil {
		return nil, err
	}
	c.VaultArn = c.Vault.Arn
	if err := registerOutputs(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// recoveryPointTags are the plan's tags over the default provider's defaultTags: the provider adds
// those to the resources' own tags (tags_all), not to the recovery points AWS Backup creates, so a
// recovery point would miss a key that only the provider sets (Backup.2).
func recoveryPointTags(ctx *pulumi.Context, tags map[string]pulumi.StringInput, opts []pulumi.ResourceOption) pulumi.StringMap {
	out := pulumi.StringMap{}
	for k, v := range defaultProviderTags(ctx, opts) {
		out[k] = pulumi.String(v)
	}
	for k, v := range tags {
		out[k] = v
	}
	return out
}
