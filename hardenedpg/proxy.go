package hardenedpg

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// proxyPort is where an RDS Proxy for PostgreSQL listens, whatever the database's port: RDS Proxy
// cannot be given another (RDS user guide, "Limitations for RDS Proxy").
const proxyPort = 5432

// Defaults of ProxySettings; each applies when the field is left zero.
const (
	DefaultProxyIdleClientTimeoutSeconds = 1800
	DefaultProxyMaxConnectionsPercent    = 90
	DefaultProxyMaxIdlePercent           = 50
	DefaultProxyBorrowTimeoutSeconds     = 120
)

// ProxyUser is a database user the proxy signs in as: its name and the Secrets Manager secret of
// its password (the username and password keys RDS Proxy reads).
type ProxyUser struct {
	// Name is the database user. Required.
	Name string `pulumi:"name"`
	// SecretArn is the secret of its password, encrypted with the key the proxy is given (a
	// Database's storage key): its full ARN, with the six characters Secrets Manager adds to the
	// name, since IAM policies and KMS encryption contexts match it whole. Left empty, the proxy
	// makes the secret, <proxy name>/<user>, under that key and with no value: the password is
	// put in it after the `up`, never through Pulumi (see cmd/proxy-password), so one `up` makes
	// the key, the secret and the proxy.
	SecretArn string `pulumi:"secretArn,optional"`
}

// ProxySettings are the choices about an RDS Proxy in front of the instance; the zero value is
// no proxy, and every proxy is hardened (TLS and IAM authentication required, debug logging off).
type ProxySettings struct {
	// Users are the database users clients reach through the proxy; a Database makes a proxy
	// when there are any. RDS Proxy signs in to PostgreSQL with a password from a secret per
	// user, so these are password users, not IAM database users (rds_iam); clients sign in to the
	// proxy with an IAM token (GrantConnect). The master user is refused: the proxy would give
	// every client its rights.
	Users []ProxyUser `pulumi:"users,optional"`
	// IdleClientTimeoutSeconds closes a client connection idle this long, 1 to 28800 (1800 by
	// default).
	IdleClientTimeoutSeconds int `pulumi:"idleClientTimeoutSeconds,optional"`
	// MaxConnectionsPercent is the share of the instance's max_connections the pool may open, 1
	// to 100 (90 by default: the rest stays for direct, administrative sessions).
	MaxConnectionsPercent int `pulumi:"maxConnectionsPercent,optional"`
	// MaxIdleConnectionsPercent is the share the pool keeps open while idle, at most
	// MaxConnectionsPercent (50 by default).
	MaxIdleConnectionsPercent int `pulumi:"maxIdleConnectionsPercent,optional"`
	// BorrowTimeoutSeconds is how long a client waits for a pooled connection, 1 to 300 (120 by
	// default). The API's 0, an unlimited wait, is not offered: a client queued forever looks like
	// an outage.
	BorrowTimeoutSeconds int `pulumi:"borrowTimeoutSeconds,optional"`
}

func (s ProxySettings) withDefaults() ProxySettings {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&s.IdleClientTimeoutSeconds, DefaultProxyIdleClientTimeoutSeconds)
	def(&s.MaxConnectionsPercent, DefaultProxyMaxConnectionsPercent)
	def(&s.MaxIdleConnectionsPercent, DefaultProxyMaxIdlePercent)
	def(&s.BorrowTimeoutSeconds, DefaultProxyBorrowTimeoutSeconds)
	return s
}

// MadeSecretAdvice ends the problem of a SecretArn that is no secret's ARN: the other way to give
// a user a secret. The stack config, which spells that way otherwise, rewrites it.
const MadeSecretAdvice = "or leave it empty, and the proxy makes the secret" //nolint:gosec // advice, no credential

var secretArnPattern = regexp.MustCompile(`^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@!-]+-[A-Za-z0-9]{6}$`)

// check validates settings that already carry their defaults.
func (s ProxySettings) check(p *problems) {
	seen := map[string]bool{}
	for i, u := range s.Users {
		field := fmt.Sprintf("Users[%d]", i)
		switch {
		case !dbUserPattern.MatchString(u.Name):
			p.add(field+".Name", u.Name, "want 1-63 lowercase letters, digits and underscores, starting with a letter or underscore")
		case slices.Contains(reservedAdminNames, u.Name):
			p.add(field+".Name", u.Name, "is reserved by RDS or a default name scanners flag")
		case privilegedRole(u.Name, "") != "":
			// The bootstrap's rule for its users: a proxy user is one of them.
			p.add(field+".Name", u.Name, "%s", privilegedRole(u.Name, ""))
		case seen[u.Name]:
			p.add(field+".Name", u.Name, "listed twice")
		}
		seen[u.Name] = true
		if u.SecretArn != "" && !secretArnPattern.MatchString(u.SecretArn) {
			p.add(field+".SecretArn", u.SecretArn, "want a Secrets Manager secret's full ARN: arn:aws:secretsmanager:<region>:<account>:secret:<name>-<the 6 characters Secrets Manager adds>; %s", MadeSecretAdvice)
		}
	}
	within := func(field string, v, lo, hi int, what string) {
		if v < lo || v > hi {
			p.add(field, v, "want %d to %d %s", lo, hi, what)
		}
	}
	within("IdleClientTimeoutSeconds", s.IdleClientTimeoutSeconds, 1, 28800, "seconds (RDS Proxy's limits)")
	within("MaxConnectionsPercent", s.MaxConnectionsPercent, 1, 100, "percent of max_connections")
	within("MaxIdleConnectionsPercent", s.MaxIdleConnectionsPercent, 0, s.MaxConnectionsPercent, "percent: no more than {MaxConnectionsPercent}")
	// ConnectionPoolConfiguration.ConnectionBorrowTimeout: "Must be between 0 and 300" (RDS API
	// reference; older guides said 3600).
	within("BorrowTimeoutSeconds", s.BorrowTimeoutSeconds, 1, 300, "seconds")
}

// ProxyArgs configures a proxy in front of one instance: the settings plus what they connect.
type ProxyArgs struct {
	ProxySettings

	// Name is the proxy's name, as an RDS identifier. Required.
	Name string `pulumi:"name"`
	// InstanceIdentifier is the instance the proxy fronts, or ClusterIdentifier the Aurora cluster
	// (its writer and readers). One of them is required.
	InstanceIdentifier pulumi.StringInput `pulumi:"instanceIdentifier,optional"`
	ClusterIdentifier  pulumi.StringInput `pulumi:"clusterIdentifier,optional"`
	// SecretKeyArn is the key that encrypts the Users' secrets, as a key ARN or ID (KMS grants
	// take no alias); the proxy's role gets a grant per user to decrypt that user's secret with
	// it. Required.
	SecretKeyArn pulumi.StringInput `pulumi:"secretKeyArn"`
	// VpcID and SubnetIDs place the proxy: the database's VPC and private subnets. Required.
	VpcID     pulumi.StringInput      `pulumi:"vpcId"`
	SubnetIDs pulumi.StringArrayInput `pulumi:"subnetIds"`
	// DatabaseSecurityGroupID and DatabasePort are the instance's group and port: the proxy's
	// group may reach only that, and that group admits the proxy's. Required.
	DatabaseSecurityGroupID pulumi.StringInput `pulumi:"databaseSecurityGroupId"`
	DatabasePort            int                `pulumi:"databasePort"`
	// AllowedSecurityGroupIDs and AllowedSecurityGroups are the clients the proxy admits (see
	// SecurityGroupSettings).
	AllowedSecurityGroupIDs []string                      `pulumi:"allowedSecurityGroupIds,optional"`
	AllowedSecurityGroups   map[string]pulumi.StringInput `pulumi:"allowedSecurityGroups,optional"`
	// Tags go on every resource the component makes.
	Tags map[string]pulumi.StringInput `pulumi:"tags,optional"`
}

// Proxy is an RDS Proxy that requires TLS and IAM authentication, with its own security group,
// a role that reads only the secrets of its users, its pool settings and its target.
type Proxy struct {
	pulumi.ResourceState

	Proxy         *rds.Proxy
	Role          *iam.Role
	SecurityGroup *SecurityGroup

	// Endpoint is where clients connect (TLS, IAM token as the password, port 5432).
	Endpoint pulumi.StringOutput `pulumi:"endpoint"`
	// Arn identifies the proxy; its last part (prx-...) is what rds-db:connect ARNs name.
	Arn pulumi.StringOutput `pulumi:"arn"`
	// SecretArns are the users' secrets by user, given or made: where each password goes.
	SecretArns pulumi.StringMapOutput `pulumi:"secretArns"`
	// Secrets are the secrets the proxy made, by user (those given no SecretArn).
	Secrets map[string]*secretsmanager.Secret

	env   awsEnv
	users []string
}

// ProxyType is the component's type token.
const ProxyType = "hardenedpg:index:Proxy"

func (a *ProxyArgs) check(p *problems) {
	a.ProxySettings.check(p)
	if a.Name == "" {
		p.add("Name", a.Name, "required: the proxy's name")
	} else if !identifierPattern.MatchString(a.Name) || strings.Contains(a.Name, "--") || strings.HasSuffix(a.Name, "-") {
		p.add("Name", a.Name, "want 1-63 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen")
	}
	switch {
	case a.InstanceIdentifier == nil && a.ClusterIdentifier == nil:
		p.add("InstanceIdentifier", "", "required: the instance's identifier, or {ClusterIdentifier} for an Aurora cluster")
	case a.InstanceIdentifier != nil && a.ClusterIdentifier != nil:
		p.add("ClusterIdentifier", "", "a proxy fronts one database: give {InstanceIdentifier} or ClusterIdentifier, not both")
	}
	for _, r := range []struct {
		name string
		set  bool
	}{
		{"Users", len(a.Users) > 0}, {"SecretKeyArn", a.SecretKeyArn != nil},
		{"SubnetIDs", a.SubnetIDs != nil}, {"DatabaseSecurityGroupID", a.DatabaseSecurityGroupID != nil},
	} {
		if !r.set {
			p.add(r.name, "", "required")
		}
	}
	// A grant names its key by ARN or ID: CreateGrant refuses an alias, and only at deploy.
	if key, ok := a.SecretKeyArn.(pulumi.String); ok && strings.Contains(string(key), "alias/") {
		p.add("SecretKeyArn", string(key), "want the key's ARN or ID: the proxy's KMS grants cannot name an alias")
	}
	var pp problems
	if !checkPort(&pp, a.DatabasePort) {
		p.add("DatabasePort", a.DatabasePort, "want the instance's port, 1150 to 65535")
	}
	sg := a.securityGroup()
	sg.SecurityGroupSettings.check(p)
}

func (a *ProxyArgs) securityGroup() SecurityGroupArgs {
	return SecurityGroupArgs{
		SecurityGroupSettings: SecurityGroupSettings{VpcID: a.VpcID, AllowedSecurityGroupIDs: a.AllowedSecurityGroupIDs, AllowedSecurityGroups: a.AllowedSecurityGroups},
		Port:                  proxyPort, EgressTo: a.DatabaseSecurityGroupID, EgressPort: a.DatabasePort, Tags: a.Tags,
		Description: fmt.Sprintf("RDS Proxy on port %d: ingress only from allowed security groups, egress only to the database on port %d", proxyPort, a.DatabasePort),
	}
}

// NewProxy creates the proxy in front of an instance.
func NewProxy(ctx *pulumi.Context, name string, args *ProxyArgs, opts ...pulumi.ResourceOption) (*Proxy, error) {
	if args == nil {
		args = &ProxyArgs{}
	}
	a := *args
	a.ProxySettings = a.withDefaults()
	var p problems
	a.check(&p)
	if err := p.err(); err != nil {
		return nil, fmt.Errorf("hardenedpg.NewProxy %q: %w", name, err)
	}
	return newProxy(ctx, name, &a, awsEnv{}, opts...)
}

func newProxy(ctx *pulumi.Context, name string, a *ProxyArgs, env awsEnv, opts ...pulumi.ResourceOption) (*Proxy, error) {
	c := &Proxy{}
	env, err := registered(ctx, ProxyType, name, c, env, opts...)
	if err != nil {
		return nil, err
	}
	parent := pulumi.Parent(c)
	tags := pulumi.StringMap(a.Tags)
	c.Role, err = iam.NewRole(ctx, name+"-role", &iam.RoleArgs{
		Description:      pulumi.String("RDS Proxy reads the secrets of the users it signs in as"),
		AssumeRolePolicy: env.trustedBy("rds.amazonaws.com"),
		Tags:             tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	var readable []string
	secretArns := pulumi.StringMap{}
	c.Secrets = map[string]*secretsmanager.Secret{}
	auths := rds.ProxyAuthArray{}
	for _, u := range a.Users {
		secretArn := pulumi.StringInput(pulumi.String(u.SecretArn))
		readable = append(readable, u.SecretArn)
		if u.SecretArn == "" {
			secretName := a.Name + "/" + u.Name
			secret, err := secretsmanager.NewSecret(ctx, name+"-secret-"+u.Name, &secretsmanager.SecretArgs{
				Name: pulumi.String(secretName), KmsKeyId: a.SecretKeyArn, Tags: tags,
				Description: pulumi.String("RDS Proxy " + a.Name + " signs in as " + u.Name + " with the password put here (username and password keys)"),
			}, parent)
			if err != nil {
				return nil, err
			}
			c.Secrets[u.Name], secretArn = secret, secret.Arn
			// Secrets Manager adds six characters to the name, so ? x6 names this secret alone and
			// lets the policy be written, and judged, before the secret exists.
			readable[len(readable)-1] = fmt.Sprintf("arn:%s:secretsmanager:%s:%s:secret:%s-??????", env.Partition, env.Region, env.AccountID, secretName)
		}
		secretArns[u.Name] = secretArn
		auths = append(auths, rds.ProxyAuthArgs{
			AuthScheme: pulumi.String("SECRETS"), SecretArn: secretArn, IamAuth: pulumi.String("REQUIRED"),
			ClientPasswordAuthType: pulumi.String("POSTGRES_SCRAM_SHA_256"),
			Description:            pulumi.String(u.Name + ": clients sign in with an IAM token"),
		})
	}
	// The policy names only the users' secrets, so it is known at a first preview; the key, whose
	// ARN KMS assigns at apply, is opened by a grant per secret instead of a statement.
	policy := PolicyDocument{Statement: []PolicyStatement{
		{Sid: "ReadTheUsersSecrets", Effect: "Allow", Action: []string{"secretsmanager:GetSecretValue"}, Resource: readable},
	}}.JSON()
	rolePolicy, err := iam.NewRolePolicy(ctx, name+"-role-policy", &iam.RolePolicyArgs{Role: c.Role.Name, Policy: pulumi.String(policy)}, parent)
	if err != nil {
		return nil, err
	}
	needed := []pulumi.Resource{rolePolicy}
	for _, u := range a.Users {
		// Secrets Manager names the secret in the encryption context of every KMS call it makes
		// for it, so each grant opens that secret's data keys and nothing else under the key.
		grant, err := kms.NewGrant(ctx, name+"-decrypt-"+u.Name, &kms.GrantArgs{
			KeyId: a.SecretKeyArn, GranteePrincipal: c.Role.Arn, Operations: pulumi.StringArray{pulumi.String("Decrypt")},
			Constraints: kms.GrantConstraintArray{kms.GrantConstraintArgs{
				EncryptionContextSubset: pulumi.StringMap{"SecretARN": secretArns[u.Name]},
			}},
		}, parent)
		if err != nil {
			return nil, err
		}
		needed = append(needed, grant)
	}
	sgArgs := a.securityGroup()
	c.SecurityGroup, err = NewSecurityGroup(ctx, name+"-security-group", &sgArgs, parent)
	if err != nil {
		return nil, err
	}
	// The database's group admits the proxy: a rule of this component, so the database's
	// component need not know of the proxy (its inline rules would fight this one).
	if _, err := vpc.NewSecurityGroupIngressRule(ctx, name+"-to-database", &vpc.SecurityGroupIngressRuleArgs{
		SecurityGroupId: a.DatabaseSecurityGroupID, ReferencedSecurityGroupId: c.SecurityGroup.ID,
		IpProtocol: pulumi.String("tcp"), FromPort: pulumi.Int(a.DatabasePort), ToPort: pulumi.Int(a.DatabasePort),
		Description: pulumi.String("RDS Proxy " + a.Name), Tags: tags,
	}, parent); err != nil {
		return nil, err
	}
	c.Proxy, err = rds.NewProxy(ctx, name+"-proxy", &rds.ProxyArgs{
		Name: pulumi.String(a.Name), EngineFamily: pulumi.String("POSTGRESQL"),
		RequireTls: pulumi.Bool(true), DebugLogging: pulumi.Bool(false),
		IdleClientTimeout: pulumi.Int(a.IdleClientTimeoutSeconds),
		Auths:             auths,
		RoleArn:           c.Role.Arn, VpcSubnetIds: a.SubnetIDs, VpcSecurityGroupIds: pulumi.StringArray{c.SecurityGroup.ID},
		Tags: tags,
	}, parent, pulumi.DependsOn(needed))
	if err != nil {
		return nil, err
	}
	targetGroup, err := rds.NewProxyDefaultTargetGroup(ctx, name+"-target-group", &rds.ProxyDefaultTargetGroupArgs{
		DbProxyName: c.Proxy.Name,
		ConnectionPoolConfig: rds.ProxyDefaultTargetGroupConnectionPoolConfigArgs{
			MaxConnectionsPercent:     pulumi.Int(a.MaxConnectionsPercent),
			MaxIdleConnectionsPercent: pulumi.Int(a.MaxIdleConnectionsPercent),
			ConnectionBorrowTimeout:   pulumi.Int(a.BorrowTimeoutSeconds),
		},
	}, parent)
	if err != nil {
		return nil, err
	}
	if _, err := rds.NewProxyTarget(ctx, name+"-target", &rds.ProxyTargetArgs{
		DbProxyName: c.Proxy.Name, TargetGroupName: targetGroup.Name, DbInstanceIdentifier: a.InstanceIdentifier, DbClusterIdentifier: a.ClusterIdentifier,
	}, parent); err != nil {
		return nil, err
	}
	c.Endpoint, c.Arn, c.SecretArns = c.Proxy.Endpoint, c.Proxy.Arn, secretArns.ToStringMapOutput()
	c.env = env
	for _, u := range a.Users {
		c.users = append(c.users, u.Name)
	}
	if err := registerOutputs(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// GrantConnect lets the IAM role named role connect through the proxy as one database user:
// rds-db:connect on the proxy's ARN form, arn:aws:rds-db:<region>:<account>:dbuser:prx-<id>/<user>
// (RDS user guide, "Connecting to a proxy using IAM authentication").
func (c *Proxy) GrantConnect(ctx *pulumi.Context, name string, role pulumi.StringInput, dbUser string, opts ...pulumi.ResourceOption) (*iam.RolePolicy, error) {
	if !slices.Contains(c.users, dbUser) {
		return nil, fmt.Errorf("hardenedpg: GrantConnect %q: database user %q is not one of the proxy's Users (%s): the proxy signs in only as them", name, dbUser, strings.Join(c.users, ", "))
	}
	roleName, err := grantedRoleName(name, role)
	if err != nil {
		return nil, err
	}
	policy := c.Arn.ApplyT(func(arn string) string {
		return connectPolicy(c.env, proxyResourceID(arn), []string{dbUser})
	}).(pulumi.StringOutput)
	return iam.NewRolePolicy(ctx, name, &iam.RolePolicyArgs{Role: roleName, Policy: policy},
		append([]pulumi.ResourceOption{pulumi.Parent(c)}, opts...)...)
}

// proxyResourceID is the prx-... part of a proxy ARN (arn:aws:rds:<region>:<account>:db-proxy:prx-...).
func proxyResourceID(arn string) string {
	return strings.TrimPrefix(baseline.ArnField(arn, 5), "db-proxy:")
}
