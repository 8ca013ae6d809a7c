package hardenedpg

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// KeySettings are the choices about a database's KMS keys; the zero value is hardened.
type KeySettings struct {
	// AdminArns administer the keys (never use them). Default: the account root, i.e. IAM decides.
	AdminArns []string `pulumi:"adminArns,optional"`
	// DeletionWindowInDays is 30 by default; 7-29 relaxes kms-deletion-window.
	DeletionWindowInDays int `pulumi:"deletionWindowInDays,optional"`
}

// EncryptionKeyArgs configures a customer-managed KMS key: the settings plus what the key is for.
type EncryptionKeyArgs struct {
	KeySettings

	// Description is shown in the KMS console. Required.
	Description string `pulumi:"description"`
	// Alias is the alias name without the "alias/" prefix, e.g. "hardenedpg/prod-db/storage". Required.
	Alias string `pulumi:"alias"`
	// ViaServices are the AWS services (e.g. "rds", "secretsmanager") through which principals of
	// the account may use the key; kms:ViaService restricts every use to them.
	ViaServices []string `pulumi:"viaServices,optional"`
	// LogGroupNames lets the CloudWatch Logs service encrypt these log groups (a trailing * is a
	// prefix), bound by the kms:EncryptionContext:aws:logs:arn condition.
	LogGroupNames []string `pulumi:"logGroupNames,optional"`
	// ServicePrincipals (e.g. "cloudwatch.amazonaws.com") may encrypt and decrypt with the key
	// on behalf of this account only (aws:SourceAccount): services that publish to an encrypted
	// topic. Those whose requests carry no such key (baseline.KMSRequestLacks: EventBridge) are
	// admitted without it; the topic policy then scopes who may publish.
	ServicePrincipals []string `pulumi:"servicePrincipals,optional"`
	// CopyVaultArns are AWS Backup vaults that copies of what the key encrypts go to. AWS Backup
	// does not re-encrypt RDS recovery points, so a vault in another account can take the copy only
	// when this key is shared with that account ("the customer managed KMS key should be shared
	// with the destination account", https://aws.amazon.com/blogs/storage/how-encryption-works-in-aws-backup/);
	// the key admits each such account to decrypt and to grant AWS resources, nothing more.
	CopyVaultArns []string `pulumi:"copyVaultArns,optional"`
	// DeleteWithStack deletes the key on destroy. By default Pulumi retains it: snapshots and
	// backups encrypted with it outlive the stack.
	DeleteWithStack bool `pulumi:"deleteWithStack,optional"`
	// Tags go on every resource the component makes.
	Tags map[string]pulumi.StringInput `pulumi:"tags,optional"`
	// Waivers relax controls: control key to the reason, one per relaxation made.
	Waivers baseline.Waivers `pulumi:"waivers,optional"`
}

// EncryptionKey is a rotating KMS key whose policy only lets the named services use it.
type EncryptionKey struct {
	pulumi.ResourceState

	Key   *kms.Key
	Alias *kms.Alias

	// Arn and KeyID identify the key; AliasName is alias/ and its Alias.
	Arn       pulumi.StringOutput `pulumi:"arn"`
	KeyID     pulumi.StringOutput `pulumi:"keyId"`
	AliasName pulumi.StringOutput `pulumi:"aliasName"`
	// Policy is the key policy, rendered at preview time for review.
	Policy string `pulumi:"policy"`
}

// EncryptionKeyType is the component's type token.
const EncryptionKeyType = "hardenedpg:index:EncryptionKey"

var (
	aliasPattern            = regexp.MustCompile(`^[a-zA-Z0-9/_-]{1,250}$`)
	servicePattern          = regexp.MustCompile(`^[a-z][a-z0-9-]{1,62}$`)
	servicePrincipalPattern = regexp.MustCompile(`^[a-z0-9.-]+\.amazonaws\.com$`)
	arnPattern              = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:(root|role/.+|user/.+)$`)
)

// kmsAdminActions manage a key without using it for cryptography.
var kmsAdminActions = []string{
	"kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
	"kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
	"kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand",
}

var kmsUseActions = []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"}

// check reports the problems of the key's own arguments, then of its settings.
func (a *EncryptionKeyArgs) check(p *problems) {
	if a.Description == "" {
		p.add("Description", a.Description, "required")
	}
	// The component adds alias/ itself: given with it, the key would be alias/alias/...; aws/ is
	// where AWS keeps its managed keys' aliases, which CreateAlias refuses.
	if !aliasPattern.MatchString(a.Alias) || strings.HasPrefix(a.Alias, "alias/") || strings.HasPrefix(a.Alias, "aws/") {
		p.add("Alias", a.Alias, "want 1-250 characters of letters, digits, /, _ and -, without the alias/ prefix and not under aws/")
	}
	for i, s := range a.ViaServices {
		if !servicePattern.MatchString(s) {
			p.add(fmt.Sprintf("ViaServices[%d]", i), s, "want an AWS service name such as rds or secretsmanager")
		}
	}
	for i, sp := range a.ServicePrincipals {
		if !servicePrincipalPattern.MatchString(sp) {
			p.add(fmt.Sprintf("ServicePrincipals[%d]", i), sp, "want a service principal such as cloudwatch.amazonaws.com")
		}
	}
	if len(a.ViaServices) == 0 && len(a.LogGroupNames) == 0 && len(a.ServicePrincipals) == 0 {
		p.add("ViaServices", a.ViaServices, "a key nobody may use: name at least one service or log group")
	}
	for i, v := range a.CopyVaultArns {
		if !backupVaultArnPattern.MatchString(v) {
			p.add(fmt.Sprintf("CopyVaultArns[%d]", i), v, "want a backup vault ARN: arn:aws:backup:<region>:<account>:backup-vault:<name>")
		}
	}
	for i, n := range a.LogGroupNames {
		if n == "" || n[0] != '/' {
			p.add(fmt.Sprintf("LogGroupNames[%d]", i), n, "want a log group name starting with /")
		}
	}
	a.KeySettings.check(p, a.Waivers)
}

func (s *KeySettings) check(p *problems, w baseline.Waivers) {
	for i, arn := range s.AdminArns {
		if !arnPattern.MatchString(arn) {
			p.add(fmt.Sprintf("AdminArns[%d]", i), arn, "want an IAM root, role or user ARN (no wildcard)")
		}
	}
	// KMS accepts 7 to 30 days; the control wants the most.
	switch d := s.DeletionWindowInDays; {
	case d == 0 || d == baseline.MinKeyDeletionWindowDays:
	case d >= 7 && d < baseline.MinKeyDeletionWindowDays:
		p.relax(w, "kms-deletion-window", "DeletionWindowInDays", d, strconv.Itoa(baseline.MinKeyDeletionWindowDays))
	default:
		p.add("DeletionWindowInDays", d, "want 7 to %d (%d by default)", baseline.MinKeyDeletionWindowDays, baseline.MinKeyDeletionWindowDays)
	}
}

// policy renders the key policy: administrators manage, the account uses only through the named
// services, and CloudWatch Logs uses only for the named log groups.
func (a *EncryptionKeyArgs) policy(env awsEnv) PolicyDocument {
	admins := a.AdminArns
	if len(admins) == 0 {
		admins = []string{env.rootArn()}
	}
	doc := PolicyDocument{Statement: []PolicyStatement{{
		Sid: "KeyAdministration", Effect: "Allow",
		Principal: &Principal{AWS: admins}, Action: kmsAdminActions, Resource: []string{"*"},
	}}}
	if len(a.ViaServices) > 0 {
		via := make([]string, len(a.ViaServices))
		for i, s := range a.ViaServices {
			via[i] = env.servicePrincipal(s)
		}
		account := &Principal{AWS: []string{env.rootArn()}}
		doc.Statement = append(doc.Statement,
			PolicyStatement{
				Sid: "UseThroughNamedServices", Effect: "Allow", Principal: account,
				Action: kmsUseActions, Resource: []string{"*"},
				Condition: map[string]map[string][]string{"StringEquals": {
					"kms:ViaService": via, "kms:CallerAccount": {env.AccountID},
				}},
			},
			PolicyStatement{
				Sid: "GrantsForServiceResources", Effect: "Allow", Principal: account,
				Action: []string{"kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"}, Resource: []string{"*"},
				Condition: map[string]map[string][]string{
					"StringEquals": {"kms:ViaService": via, "kms:CallerAccount": {env.AccountID}},
					"Bool":         {"kms:GrantIsForAWSResource": {"true"}},
				},
			})
	}
	// A service whose KMS requests through SNS carry no aws:SourceAccount (EventBridge) gets a
	// statement without it: with the condition every publish would be denied. The topic's own policy
	// still admits only this account's sources.
	var scoped, unscoped []string
	for _, sp := range a.ServicePrincipals {
		if _, lacks := baseline.KMSRequestLacks[sp]; lacks {
			unscoped = append(unscoped, sp)
		} else {
			scoped = append(scoped, sp)
		}
	}
	if len(scoped) > 0 {
		doc.Statement = append(doc.Statement, PolicyStatement{
			Sid: "NamedServicesForThisAccount", Effect: "Allow",
			Principal: &Principal{Service: scoped},
			Action:    []string{"kms:Decrypt", "kms:GenerateDataKey*"},
			Resource:  []string{"*"},
			Condition: map[string]map[string][]string{"StringEquals": {"aws:SourceAccount": {env.AccountID}}},
		})
	}
	if len(unscoped) > 0 {
		doc.Statement = append(doc.Statement, PolicyStatement{
			Sid: "NamedServicesWithoutSourceKeys", Effect: "Allow",
			Principal: &Principal{Service: unscoped},
			Action:    []string{"kms:Decrypt", "kms:GenerateDataKey*"},
			Resource:  []string{"*"},
		})
	}
	if accounts := a.copyAccounts(env); len(accounts) > 0 {
		roots := make([]string, len(accounts))
		for i, account := range accounts {
			roots[i] = env.rootArnOf(account)
		}
		doc.Statement = append(doc.Statement,
			PolicyStatement{
				Sid: "BackupCopiesIntoOtherAccounts", Effect: "Allow", Principal: &Principal{AWS: roots},
				Action: []string{"kms:Decrypt", "kms:DescribeKey"}, Resource: []string{"*"},
			},
			PolicyStatement{
				Sid: "BackupCopyGrantsForOtherAccounts", Effect: "Allow", Principal: &Principal{AWS: roots},
				Action: []string{"kms:CreateGrant"}, Resource: []string{"*"},
				Condition: map[string]map[string][]string{"Bool": {"kms:GrantIsForAWSResource": {"true"}}},
			})
	}
	if len(a.LogGroupNames) > 0 {
		arns := make([]string, len(a.LogGroupNames))
		for i, n := range a.LogGroupNames {
			arns[i] = env.logGroupArn(n)
		}
		doc.Statement = append(doc.Statement, PolicyStatement{
			Sid: "CloudWatchLogsForNamedLogGroups", Effect: "Allow",
			Principal: &Principal{Service: []string{env.servicePrincipal("logs")}},
			Action:    []string{"kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"},
			Resource:  []string{"*"},
			Condition: map[string]map[string][]string{"ArnLike": {"kms:EncryptionContext:aws:logs:arn": arns}},
		})
	}
	return doc
}

// copyAccounts are the accounts of CopyVaultArns other than the key's own, sorted, each once.
func (a *EncryptionKeyArgs) copyAccounts(env awsEnv) []string {
	var out []string
	for _, vault := range a.CopyVaultArns {
		if account := baseline.ArnField(vault, 4); account != env.AccountID && !slices.Contains(out, account) {
			out = append(out, account)
		}
	}
	slices.Sort(out)
	return out
}

// NewEncryptionKey creates a KMS key with rotation, a 30-day deletion window and a least-privilege
// policy, plus its alias.
func NewEncryptionKey(ctx *pulumi.Context, name string, args *EncryptionKeyArgs, opts ...pulumi.ResourceOption) (*EncryptionKey, error) {
	if args == nil {
		args = &EncryptionKeyArgs{}
	}
	p := waiverProblems(args.Waivers)
	args.check(&p)
	if err := p.err(); err != nil {
		return nil, fmt.Errorf("hardenedpg.NewEncryptionKey %q: %w", name, err)
	}
	// The account and region come from the provider the component gets: looked up once it is registered.
	return newEncryptionKey(ctx, name, args, awsEnv{}, opts...)
}

func newEncryptionKey(ctx *pulumi.Context, name string, args *EncryptionKeyArgs, env awsEnv, opts ...pulumi.ResourceOption) (*EncryptionKey, error) {
	c := &EncryptionKey{}
	env, err := registered(ctx, EncryptionKeyType, name, c, env, opts...)
	if err != nil {
		return nil, err
	}
	window := args.DeletionWindowInDays
	if window == 0 {
		window = baseline.MinKeyDeletionWindowDays
	}
	c.Policy = args.policy(env).JSON()
	keyOpts := []pulumi.ResourceOption{pulumi.Parent(c)}
	if !args.DeleteWithStack {
		keyOpts = append(keyOpts, pulumi.RetainOnDelete(true))
	}
	key, err := kms.NewKey(ctx, name+"-key", &kms.KeyArgs{
		Description:                    pulumi.String(args.Description),
		KeyUsage:                       pulumi.String("ENCRYPT_DECRYPT"),
		CustomerMasterKeySpec:          pulumi.String("SYMMETRIC_DEFAULT"),
		EnableKeyRotation:              pulumi.Bool(true),
		IsEnabled:                      pulumi.Bool(true),
		DeletionWindowInDays:           pulumi.Int(window),
		BypassPolicyLockoutSafetyCheck: pulumi.Bool(false),
		Policy:                         pulumi.String(c.Policy),
		Tags:                           pulumi.StringMap(args.Tags),
	}, keyOpts...)
	if err != nil {
		return nil, err
	}
	alias, err := kms.NewAlias(ctx, name+"-alias", &kms.AliasArgs{
		Name:        pulumi.String("alias/" + args.Alias),
		TargetKeyId: key.KeyId,
	}, pulumi.Parent(c))
	if err != nil {
		return nil, err
	}
	c.Key, c.Alias, c.Arn, c.KeyID, c.AliasName = key, alias, key.Arn, key.KeyId, alias.Name
	if err := registerOutputs(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}
