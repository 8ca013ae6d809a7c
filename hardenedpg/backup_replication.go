package hardenedpg

import (
	"fmt"
	"regexp"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// BackupReplicationArgs configures cross-region replication of the automated backups.
type BackupReplicationArgs struct {
	// Identifier is the RDS instance identifier. Required.
	Identifier string
	// InstanceArn is the instance whose automated backups are replicated. Required.
	InstanceArn pulumi.StringInput
	// Region receives the replicas; it must differ from the stack's region. Required.
	Region string
	// RetentionDays keeps the replicated backups (1-35; 35 by default).
	RetentionDays int
	Tags          map[string]string
}

// BackupReplication replicates automated backups and transaction logs to another region,
// encrypted there with a key of that region: point-in-time restore survives the loss of a region.
type BackupReplication struct {
	pulumi.ResourceState

	Provider    *aws.Provider
	Key         *EncryptionKey
	Replication *rds.InstanceAutomatedBackupsReplication
}

// BackupReplicationType is the component's type token.
const BackupReplicationType = "hardenedpg:index:BackupReplication"

var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`)

func (a *BackupReplicationArgs) check(p *problems, home string) {
	if a.Identifier == "" {
		p.add("Identifier", a.Identifier, "required: the RDS instance identifier")
	}
	if a.InstanceArn == nil {
		p.add("InstanceArn", "", "required")
	}
	switch {
	case !regionPattern.MatchString(a.Region):
		p.add("Region", a.Region, "want an AWS region such as eu-central-1")
	case a.Region == home:
		p.add("Region", a.Region, "is the stack's own region; replicas protect only in another one")
	}
	if a.RetentionDays < 0 || a.RetentionDays > 35 {
		p.add("RetentionDays", a.RetentionDays, "want 1 to 35")
	}
}

// NewBackupReplication creates the provider for the destination region, a key there and the
// replication.
func NewBackupReplication(ctx *pulumi.Context, name string, args *BackupReplicationArgs, opts ...pulumi.ResourceOption) (*BackupReplication, error) {
	if args == nil {
		args = &BackupReplicationArgs{}
	}
	env, err := lookupEnv(ctx)
	if err != nil {
		return nil, err
	}
	var p problems
	args.check(&p, env.Region)
	if err := p.err(); err != nil {
		return nil, fmt.Errorf("hardenedpg.NewBackupReplication %q: %w", name, err)
	}
	return newBackupReplication(ctx, name, args, env, opts...)
}

func newBackupReplication(ctx *pulumi.Context, name string, a *BackupReplicationArgs, env awsEnv, opts ...pulumi.ResourceOption) (*BackupReplication, error) {
	c := &BackupReplication{}
	if err := ctx.RegisterComponentResource(BackupReplicationType, name, c, opts...); err != nil {
		return nil, err
	}
	var err error
	// The provider is pinned to this account: a misconfigured profile cannot send the replicas
	// (and the key) to another one.
	c.Provider, err = aws.NewProvider(ctx, name+"-provider", &aws.ProviderArgs{
		Region: pulumi.String(a.Region), AllowedAccountIds: pulumi.StringArray{pulumi.String(env.AccountID)},
	}, pulumi.Parent(c))
	if err != nil {
		return nil, err
	}
	remote := env
	remote.Region = a.Region
	c.Key, err = newEncryptionKey(ctx, name+"-key", &EncryptionKeyArgs{
		Description: fmt.Sprintf("hardenedpg %s: automated backups replicated to %s", a.Identifier, a.Region),
		Alias:       fmt.Sprintf(keyAliasFormat, a.Identifier, "backup-replica"), ViaServices: []string{"rds"}, Tags: a.Tags,
	}, remote, pulumi.Parent(c), pulumi.Provider(c.Provider))
	if err != nil {
		return nil, err
	}
	retention := a.RetentionDays
	if retention == 0 {
		retention = DefaultBackupRetentionDays
	}
	c.Replication, err = rds.NewInstanceAutomatedBackupsReplication(ctx, name+"-replication", &rds.InstanceAutomatedBackupsReplicationArgs{
		SourceDbInstanceArn: a.InstanceArn, KmsKeyId: c.Key.Arn, RetentionPeriod: pulumi.Int(retention),
	}, pulumi.Parent(c), pulumi.Provider(c.Provider))
	if err != nil {
		return nil, err
	}
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{"keyArn": c.Key.Arn}); err != nil {
		return nil, err
	}
	return c, nil
}
