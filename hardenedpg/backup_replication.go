package hardenedpg

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ReplicationSettings are the choices about replicating automated backups to another region.
// A Database replicates only when Region is set (without it, backup-independent-copy needs
// Backup.CopyToVaultArn or a waiver).
type ReplicationSettings struct {
	// Region receives the replicas; it must differ from the stack's region.
	Region string `pulumi:"region,optional"`
	// Provider, when set, is the aws provider of Region to create the key and the replication
	// with: give it when the component itself gets a provider of its own (another account, a role
	// to assume). Without it, one is made for Region with the stack's aws: configuration
	// (profile, assumed roles, shared files, default tags), pinned to the component's account.
	Provider pulumi.ProviderResource
}

// BackupReplicationArgs configures cross-region replication of the automated backups: the
// settings plus the instance.
type BackupReplicationArgs struct {
	ReplicationSettings

	// Identifier is the RDS instance identifier. Required.
	Identifier string `pulumi:"identifier"`
	// InstanceArn is the instance whose automated backups are replicated. Required.
	InstanceArn pulumi.StringInput `pulumi:"instanceArn"`
	// RetentionDays keeps the replicated backups (1-35; 35 by default). It is the replication's
	// own: RDS cannot change it in place (terraform-provider-aws marks retention_period ForceNew),
	// so a change stops the replication and starts a new one, and a Database leaves it at the
	// default rather than follow the instance's retention.
	RetentionDays int                           `pulumi:"retentionDays,optional"`
	Tags          map[string]pulumi.StringInput `pulumi:"tags,optional"`
}

// BackupReplication replicates automated backups and transaction logs to another region,
// encrypted there with a key of that region: point-in-time restore survives the loss of a region.
type BackupReplication struct {
	pulumi.ResourceState

	// Provider is the provider the key and the replication use (Args.Provider, or the one made).
	Provider    pulumi.ProviderResource
	Key         *EncryptionKey
	Replication *rds.InstanceAutomatedBackupsReplication

	// KeyArn is the key of the replica region the replicas are encrypted with.
	KeyArn pulumi.StringOutput `pulumi:"keyArn"`
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
	a.ReplicationSettings.check(p, home)
	if a.RetentionDays < 0 || a.RetentionDays > 35 {
		p.add("RetentionDays", a.RetentionDays, "want 1 to 35")
	}
}

// check reports the settings' problems; home is the region of the component's provider, when known.
func (a *ReplicationSettings) check(p *problems, home string) {
	switch {
	case !regionPattern.MatchString(a.Region):
		p.add("Region", a.Region, "want an AWS region such as eu-central-1")
	case a.Region == home:
		p.add("Region", a.Region, "is the region of the component's provider; replicas protect only in another one")
	}
}

// NewBackupReplication creates the provider for the destination region, a key there and the
// replication.
func NewBackupReplication(ctx *pulumi.Context, name string, args *BackupReplicationArgs, opts ...pulumi.ResourceOption) (*BackupReplication, error) {
	if args == nil {
		args = &BackupReplicationArgs{}
	}
	var p problems
	args.check(&p, "")
	if err := p.err(); err != nil {
		return nil, fmt.Errorf("hardenedpg.NewBackupReplication %q: %w", name, err)
	}
	return newBackupReplication(ctx, name, args, awsEnv{}, opts...)
}

func newBackupReplication(ctx *pulumi.Context, name string, a *BackupReplicationArgs, env awsEnv, opts ...pulumi.ResourceOption) (*BackupReplication, error) {
	c := &BackupReplication{}
	env, err := registered(ctx, BackupReplicationType, name, c, env, opts...)
	if err != nil {
		return nil, err
	}
	if a.Region == env.Region {
		return nil, fmt.Errorf("hardenedpg.NewBackupReplication %q: %w", name, ValidationError{{Field: "Region", Value: a.Region,
			Problem: "is the region of the component's provider; replicas protect only in another one"}})
	}
	c.Provider = a.Provider
	if c.Provider == nil {
		// Pinned to this account: a misconfigured profile cannot send the replicas (and the key)
		// elsewhere. An explicit provider reads none of the stack's aws: configuration by itself,
		// so what authenticates the default provider is passed on.
		providerArgs, err := inheritedProviderArgs(ctx)
		if err != nil {
			return nil, err
		}
		providerArgs.Region, providerArgs.AllowedAccountIds = pulumi.String(a.Region), pulumi.StringArray{pulumi.String(env.AccountID)}
		if c.Provider, err = aws.NewProvider(ctx, name+"-provider", providerArgs, pulumi.Parent(c)); err != nil {
			return nil, err
		}
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
	}, pulumi.Parent(c), pulumi.Provider(c.Provider),
		// One replication per source and region: the old one stops before the new one starts.
		pulumi.DeleteBeforeReplace(true))
	if err != nil {
		return nil, err
	}
	c.KeyArn = c.Key.Arn
	if err := registerOutputs(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// inheritedProviderArgs carries the stack's aws: configuration that decides who the default
// provider is (https://www.pulumi.com/registry/packages/aws/installation-configuration/) to an
// explicit provider, which would otherwise read only the environment.
func inheritedProviderArgs(ctx *pulumi.Context) (*aws.ProviderArgs, error) {
	if uncarried := uncarriedProviderConfig(ctx); len(uncarried) > 0 {
		return nil, ValidationError{{Field: "Replication.Provider", Value: nil, Problem: uncarriedProblem(uncarried)}}
	}
	args := &aws.ProviderArgs{}
	get := func(key string) (string, bool) { return ctx.GetConfig("aws:" + key) }
	if v, ok := get("profile"); ok {
		args.Profile = pulumi.String(v)
	}
	for _, f := range []struct {
		key string
		dst *pulumi.StringArrayInput
	}{{"sharedConfigFiles", &args.SharedConfigFiles}, {"sharedCredentialsFiles", &args.SharedCredentialsFiles}} {
		key, dst := f.key, f.dst
		if v, ok := get(key); ok {
			var files []string
			if err := json.Unmarshal([]byte(v), &files); err != nil {
				return nil, fmt.Errorf("aws:%s: want a list of paths: %w", key, err)
			}
			*dst = pulumi.ToStringArray(files)
		}
	}
	if v, ok := get("assumeRole"); ok {
		var r struct {
			RoleArn     string `json:"roleArn"`
			SessionName string `json:"sessionName"`
			ExternalID  string `json:"externalId"`
			Duration    string `json:"duration"`
		}
		if err := json.Unmarshal([]byte(v), &r); err != nil {
			return nil, fmt.Errorf("aws:assumeRole: %w", err)
		}
		args.AssumeRole = aws.ProviderAssumeRoleArgs{
			RoleArn: optional(r.RoleArn), SessionName: optional(r.SessionName), ExternalId: optional(r.ExternalID), Duration: optional(r.Duration),
		}
	}
	if v, ok := get("defaultTags"); ok {
		var tags struct {
			Tags map[string]string `json:"tags"`
		}
		if err := json.Unmarshal([]byte(v), &tags); err != nil {
			return nil, fmt.Errorf("aws:defaultTags: %w", err)
		}
		args.DefaultTags = aws.ProviderDefaultTagsArgs{Tags: pulumi.ToStringMap(tags.Tags)}
	}
	return args, nil
}

// uncarriedProviderConfig lists the stack's aws: settings that inheritedProviderArgs does not
// carry: with any of them, a made provider would act as another principal, or without the
// default provider's session policy or tag rules.
func uncarriedProviderConfig(ctx *pulumi.Context) []string {
	var out []string
	for _, key := range []string{"accessKey", "secretKey", "token", "assumeRoleWithWebIdentity", "ignoreTags", "endpoints", "customCaBundle", "stsRegion"} {
		if _, ok := ctx.GetConfig("aws:" + key); ok {
			out = append(out, "aws:"+key)
		}
	}
	if v, ok := ctx.GetConfig("aws:assumeRole"); ok {
		var r map[string]any
		if json.Unmarshal([]byte(v), &r) == nil {
			for _, key := range []string{"policy", "policyArns", "tags", "transitiveTagKeys", "sourceIdentity"} {
				if _, set := r[key]; set {
					out = append(out, "aws:assumeRole."+key)
				}
			}
		}
	}
	return out
}

func uncarriedProblem(uncarried []string) string {
	return fmt.Sprintf("required: the stack's %s cannot be carried to a provider made for the replica region; give a provider with the same credentials", strings.Join(uncarried, ", "))
}

func optional(s string) pulumi.StringPtrInput {
	if s == "" {
		return nil
	}
	return pulumi.StringPtr(s)
}
