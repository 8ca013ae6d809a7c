package hardenedpg

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/serverlessrepository"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// ReplicaSettings are one read replica of an RDS instance: in the instance's region, or in
// another (Region).
type ReplicaSettings struct {
	// Identifier is the replica's RDS instance identifier. Required.
	Identifier string `pulumi:"identifier"`
	// InstanceClass is the replica's class (the source's by default).
	InstanceClass string `pulumi:"instanceClass,optional"`
	// Region, when another than the source's, places the replica there: for reads near users,
	// or a standby Region. What it is built on is then made in Region as for a Database (see
	// Database.RegionalReplicas): its keys, security and subnet groups in Network, parameter
	// group, log groups (streamed to LogsDestinationArn, or to an archive of that Region), flow
	// logs and alerts.
	Region string `pulumi:"region,optional"`
	// Provider is the aws provider of Region. Without it one is made for Region with the stack's
	// aws: configuration, pinned to the account (as for Replication).
	Provider pulumi.ProviderResource
	// Network places a replica of another Region: a VPC there, its private subnets (proven like
	// the source's) and the clients let in. Required with Region, and only with it.
	Network *NetworkSettings `pulumi:"network,optional"`
	// LogsDestinationArn is a CloudWatch Logs destination of Region the replica's logs stream
	// to: a destination takes the log groups of its own Region only ("The sending account's log
	// groups and the destination must be in the same Region", CloudWatch Logs User Guide). Only
	// with Region; without it the logs stream into an archive made in Region.
	LogsDestinationArn string `pulumi:"logsDestinationArn,optional"`
}

// elsewhere says whether the replica is in another region than its source.
func (r ReplicaSettings) elsewhere() bool { return r.Region != "" }

// network is the replica's network in its region (none given: the zero settings, refused there).
func (r ReplicaSettings) network() NetworkSettings {
	if r.Network == nil {
		return NetworkSettings{}
	}
	return *r.Network
}

// RotationSettings are the rotation of the master secret the stack owns when the instance has
// read replicas: RDS makes no replica of a source whose master password it manages (RDS User
// Guide, "Limitations for Secrets Manager integration with Amazon RDS").
type RotationSettings struct {
	// Days between rotations: 30 by default, 1 to 30.
	Days int `pulumi:"days,optional"`
	// EndpointSecurityGroupID is the security group of an interface endpoint of Secrets Manager
	// (with private DNS) the VPC has already; the rotation function's group is admitted to it on
	// 443. Without it the Database makes the endpoint in the database's subnets.
	EndpointSecurityGroupID string `pulumi:"endpointSecurityGroupId,optional"`
}

// DefaultRotationDays is how often the stack-owned master secret rotates.
const DefaultRotationDays = 30

// rotationApplication is AWS's single-user rotation function for RDS for PostgreSQL, in the
// Serverless Application Repository ("AWS templates for rotation functions", Secrets Manager User
// Guide). Its version is left to the repository's latest: none could be checked from here.
const rotationApplication = "arn:aws:serverlessrepo:us-east-1:297356227824:applications/SecretsManagerRDSPostgreSQLRotationSingleUser"

func (r RotationSettings) withDefaults() RotationSettings {
	if r.Days == 0 {
		r.Days = DefaultRotationDays
	}
	return r
}

func (r RotationSettings) check(p *problems) {
	if r.Days < 1 || r.Days > DefaultRotationDays {
		p.add("Days", r.Days, "want 1 to %d: the password the stack generated, which Pulumi's state holds, must not stay valid longer", DefaultRotationDays)
	}
	if r.EndpointSecurityGroupID != "" && !securityGroupIDPattern.MatchString(r.EndpointSecurityGroupID) {
		p.add("EndpointSecurityGroupID", r.EndpointSecurityGroupID, "want a security group ID, sg- and 8 or 17 hex digits")
	}
}

// checkReplicas checks the replicas of instance settings s (with defaults).
func checkReplicas(p *problems, replicas []ReplicaSettings, s InstanceSettings) {
	seen := map[string]bool{s.Identifier: true}
	for i, r := range replicas {
		field := fmt.Sprintf("Replicas[%d]", i)
		switch {
		case r.Identifier == "":
			p.add(field+".Identifier", r.Identifier, "required: the replica's RDS instance identifier")
		case !identifierPattern.MatchString(r.Identifier) || strings.Contains(r.Identifier, "--") || strings.HasSuffix(r.Identifier, "-"):
			p.add(field+".Identifier", r.Identifier, "want 1-63 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen")
		case seen[r.Identifier]:
			p.add(field+".Identifier", r.Identifier, "is the identifier of the source or of another replica")
		}
		seen[r.Identifier] = true
		if _, ok := baseline.InstanceClassMemoryGiB(r.InstanceClass); r.InstanceClass != "" && !ok {
			p.add(field+".InstanceClass", r.InstanceClass, "not a DB instance class RDS offers for PostgreSQL; want db.<family>.<size> such as db.m7g.large, with a family of %s", strings.Join(baseline.InstanceFamilies(), ", "))
		}
		switch {
		case r.Region != "" && !regionPattern.MatchString(r.Region):
			p.add(field+".Region", r.Region, "want an AWS region such as us-east-1")
		case r.Region == "":
			var ip problems
			if r.Network != nil {
				ignoredSettings(&ip, "Network", *r.Network, "a replica in its source's region has its source's network (give {Region} for another)")
			}
			if r.LogsDestinationArn != "" {
				ip.add("LogsDestinationArn", r.LogsDestinationArn, "would be ignored: a replica in its source's region streams its logs where its source does (give {Region} for another); remove it")
			}
			if r.Provider != nil {
				ip.add("Provider", shown("(set)"), "would be ignored: a replica in its source's region is made with its source's provider (give {Region} for another); remove it")
			}
			p.nest(field, ip)
		}
	}
	if len(replicas) > 0 && s.Restore.enabled() {
		p.add("Replicas", shown(fmt.Sprintf("%d replicas", len(replicas))), "a restore makes its database alone: add the replicas in a later change")
	}
}

// MasterSecret is the master credential of an RDS instance with read replicas, which RDS cannot
// manage: a generated password in a secret under the storage key, rotated by AWS's rotation
// function right after creation (so the copy Pulumi's state holds is stale before the up ends) and
// then every RotationSettings.Days.
type MasterSecret struct {
	pulumi.ResourceState

	Password *random.RandomPassword
	Secret   *secretsmanager.Secret
	Version  *secretsmanager.SecretVersion
	// Function is AWS's rotation function, deployed from the Serverless Application Repository
	// into the database's subnets, with its own security group.
	Function              *serverlessrepository.CloudFormationStack
	FunctionSecurityGroup *ec2.SecurityGroup
	// Endpoint is the interface endpoint of Secrets Manager the function reaches it through (nil
	// when the VPC has one: RotationSettings.EndpointSecurityGroupID).
	Endpoint *ec2.VpcEndpoint
	Rotation *secretsmanager.SecretRotation

	// Arn is the secret's ARN.
	Arn pulumi.StringOutput `pulumi:"arn"`
}

// MasterSecretType is the component's type token.
const MasterSecretType = "hardenedpg:index:MasterSecret"

// masterSecretArgs are what the master secret is made of.
type masterSecretArgs struct {
	identifier, username    string
	rotation                RotationSettings
	storageKeyArn           pulumi.StringInput
	vpcID                   pulumi.StringInput
	subnetIDs               pulumi.StringArrayInput
	databaseSecurityGroupID pulumi.StringInput
	port                    int
	tags                    pulumi.StringMap
}

// newMasterPassword is the password the instance is created with: 40 letters and digits (RDS
// takes 8 to 128 printable characters for PostgreSQL, without / ' " @ and spaces).
func newMasterPassword(ctx *pulumi.Context, name string, parent pulumi.Resource) (*random.RandomPassword, error) {
	return random.NewRandomPassword(ctx, name+"-master-password", &random.RandomPasswordArgs{
		Length: pulumi.Int(40), Special: pulumi.Bool(false),
	}, pulumi.Parent(parent))
}

// newMasterSecret keeps password, the master password of instance, in a secret the stack owns and
// has it rotated.
func newMasterSecret(ctx *pulumi.Context, name string, a masterSecretArgs, password *random.RandomPassword, instance *rds.Instance, env awsEnv, parent pulumi.Resource) (*MasterSecret, error) {
	c := &MasterSecret{Password: password}
	if _, err := registered(ctx, MasterSecretType, name, c, env, pulumi.Parent(parent)); err != nil {
		return nil, err
	}
	opts := pulumi.Parent(c)
	var err error
	c.Secret, err = secretsmanager.NewSecret(ctx, name+"-secret", &secretsmanager.SecretArgs{
		NamePrefix:  pulumi.String(baseline.OwnMasterSecretPrefix(a.identifier)),
		Description: pulumi.String("hardenedpg " + a.identifier + ": the master user's password, rotated by Secrets Manager"),
		KmsKeyId:    a.storageKeyArn, Tags: a.tags,
	}, opts)
	if err != nil {
		return nil, err
	}
	// The fields AWS's PostgreSQL rotation function reads ("Expected SecretString structure").
	value := pulumi.All(instance.Address, password.Result).ApplyT(func(v []any) (string, error) {
		raw, err := json.Marshal(map[string]any{"engine": "postgres", "host": v[0], "port": a.port, "username": a.username, "password": v[1], "dbname": "postgres"})
		return string(raw), err
	}).(pulumi.StringOutput)
	// The first version holds the generated password until the first rotation replaces it; later
	// ones are the rotation's, which Pulumi must not write back.
	c.Version, err = secretsmanager.NewSecretVersion(ctx, name+"-initial-version", &secretsmanager.SecretVersionArgs{
		SecretId: c.Secret.ID(), SecretString: pulumi.ToSecret(value).(pulumi.StringOutput),
	}, opts, pulumi.IgnoreChanges([]string{"secretString", "versionStages"}))
	if err != nil {
		return nil, err
	}
	endpointGroup := pulumi.StringInput(pulumi.String(a.rotation.EndpointSecurityGroupID))
	var endpointSG *ec2.SecurityGroup
	if a.rotation.EndpointSecurityGroupID == "" {
		endpointSG, err = ec2.NewSecurityGroup(ctx, name+"-endpoint-sg", &ec2.SecurityGroupArgs{
			Description: pulumi.String("hardenedpg " + a.identifier + ": the Secrets Manager endpoint, for the rotation function only; no egress"),
			VpcId:       a.vpcID, Egress: ec2.SecurityGroupEgressArray{}, RevokeRulesOnDelete: pulumi.Bool(true), Tags: a.tags,
		}, opts)
		if err != nil {
			return nil, err
		}
		endpointGroup = endpointSG.ID()
	}
	c.FunctionSecurityGroup, err = ec2.NewSecurityGroup(ctx, name+"-function-sg", &ec2.SecurityGroupArgs{
		Description: pulumi.String("hardenedpg " + a.identifier + ": the master secret's rotation function; no ingress, egress only to the database and Secrets Manager"),
		VpcId:       a.vpcID,
		Egress: ec2.SecurityGroupEgressArray{
			ec2.SecurityGroupEgressArgs{Protocol: pulumi.String("tcp"), FromPort: pulumi.Int(a.port), ToPort: pulumi.Int(a.port),
				SecurityGroups: pulumi.StringArray{a.databaseSecurityGroupID}, Description: pulumi.String("to the database")},
			ec2.SecurityGroupEgressArgs{Protocol: pulumi.String("tcp"), FromPort: pulumi.Int(443), ToPort: pulumi.Int(443),
				SecurityGroups: pulumi.StringArray{endpointGroup}, Description: pulumi.String("to the Secrets Manager endpoint")},
		},
		RevokeRulesOnDelete: pulumi.Bool(true), Tags: a.tags,
	}, opts)
	if err != nil {
		return nil, err
	}
	toDatabase, err := vpc.NewSecurityGroupIngressRule(ctx, name+"-function-to-database", &vpc.SecurityGroupIngressRuleArgs{
		SecurityGroupId: a.databaseSecurityGroupID, ReferencedSecurityGroupId: c.FunctionSecurityGroup.ID(),
		IpProtocol: pulumi.String("tcp"), FromPort: pulumi.Int(a.port), ToPort: pulumi.Int(a.port),
		Description: pulumi.String("the master secret's rotation function"), Tags: a.tags,
	}, opts)
	if err != nil {
		return nil, err
	}
	toEndpoint, err := vpc.NewSecurityGroupIngressRule(ctx, name+"-function-to-endpoint", &vpc.SecurityGroupIngressRuleArgs{
		SecurityGroupId: endpointGroup, ReferencedSecurityGroupId: c.FunctionSecurityGroup.ID(),
		IpProtocol: pulumi.String("tcp"), FromPort: pulumi.Int(443), ToPort: pulumi.Int(443),
		Description: pulumi.String("the master secret's rotation function"), Tags: a.tags,
	}, opts)
	if err != nil {
		return nil, err
	}
	ready := []pulumi.Resource{c.Version, toDatabase, toEndpoint}
	if endpointSG != nil {
		// Private DNS makes the function's usual Secrets Manager host name resolve to the endpoint.
		c.Endpoint, err = ec2.NewVpcEndpoint(ctx, name+"-endpoint", &ec2.VpcEndpointArgs{
			VpcId: a.vpcID, ServiceName: pulumi.Sprintf("com.amazonaws.%s.secretsmanager", env.Region), VpcEndpointType: pulumi.String("Interface"),
			SubnetIds: a.subnetIDs, SecurityGroupIds: pulumi.StringArray{endpointSG.ID()}, PrivateDnsEnabled: pulumi.Bool(true), Tags: a.tags,
		}, opts)
		if err != nil {
			return nil, err
		}
		ready = append(ready, c.Endpoint)
	}
	function := a.identifier + "-master-rotation"
	c.Function, err = serverlessrepository.NewCloudFormationStack(ctx, name+"-function", &serverlessrepository.CloudFormationStackArgs{
		Name:          pulumi.String(function),
		ApplicationId: pulumi.String(rotationApplication),
		Capabilities:  pulumi.ToStringArray([]string{"CAPABILITY_IAM", "CAPABILITY_RESOURCE_POLICY"}),
		Parameters: pulumi.StringMap{
			"functionName":        pulumi.String(function),
			"endpoint":            pulumi.Sprintf("https://secretsmanager.%s.%s", env.Region, env.DNSSuffix),
			"kmsKeyArn":           a.storageKeyArn,
			"vpcSubnetIds":        a.subnetIDs.ToStringArrayOutput().ApplyT(func(ids []string) string { return strings.Join(ids, ",") }).(pulumi.StringOutput),
			"vpcSecurityGroupIds": c.FunctionSecurityGroup.ID().ToStringOutput(),
		},
		Tags: a.tags,
	}, opts)
	if err != nil {
		return nil, err
	}
	c.Rotation, err = secretsmanager.NewSecretRotation(ctx, name+"-rotation", &secretsmanager.SecretRotationArgs{
		SecretId:          c.Secret.ID(),
		RotationLambdaArn: c.Function.Outputs.MapIndex(pulumi.String("RotationLambdaARN")),
		RotationRules:     secretsmanager.SecretRotationRotationRulesArgs{AutomaticallyAfterDays: pulumi.Int(a.rotation.Days)},
		RotateImmediately: pulumi.Bool(true),
	}, opts, pulumi.DependsOn(ready))
	if err != nil {
		return nil, err
	}
	c.Arn = c.Secret.Arn
	if err := registerOutputs(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// newReplicas makes the read replicas of source, in its region: its subnet group, security groups
// and parameter group, encrypted with its key (RDS encrypts a replica
// in the source's region with the source's key), hardened like it. What CreateDBInstanceReadReplica
// does not take is not set: the master user and password, the storage size, the final snapshot
// (DeleteDBInstance refuses one for a replica).
func newReplicas(ctx *pulumi.Context, name string, a *InstanceArgs, source *rds.Instance, m monitoring, tags pulumi.StringMap, parent pulumi.Resource) ([]*rds.Instance, error) {
	s := a.InstanceSettings
	var out []*rds.Instance
	for _, r := range a.replicas {
		if r.elsewhere() {
			continue // made after the source, as a Database of its region (newRegionalReplica)
		}
		opts := []pulumi.ResourceOption{pulumi.Parent(parent), pulumi.DependsOn(a.replicaLogs[r.Identifier])}
		if !s.DisableDeletionProtection {
			opts = append(opts, pulumi.Protect(true))
		}
		args := hostArgs(s, a, m, tags)
		args.Identifier, args.ReplicateSourceDb = pulumi.String(r.Identifier), source.Identifier
		if r.InstanceClass != "" {
			args.InstanceClass = pulumi.String(r.InstanceClass)
		}
		args.SkipFinalSnapshot = pulumi.Bool(true)
		replica, err := rds.NewInstance(ctx, name+"-replica-"+r.Identifier, &args, opts...)
		if err != nil {
			return nil, err
		}
		out = append(out, replica)
	}
	return out, nil
}

// localReplicaIdentifiers are the identifiers of the replicas in the source's region, in order.
func localReplicaIdentifiers(replicas []ReplicaSettings) []string {
	var out []string
	for _, r := range replicas {
		if !r.elsewhere() {
			out = append(out, r.Identifier)
		}
	}
	return slices.Clip(out)
}

// refuseReplicas refuses read replicas and their rotation on a shape that reads otherwise.
func refuseReplicas(p *problems, a *DatabaseArgs, readers string) {
	if len(a.Replicas) > 0 {
		p.add("Replicas", shown(fmt.Sprintf("%d replicas", len(a.Replicas))), "read replicas are made of an RDS instance ({Deployment} %s); %s", InstanceDeployment, readers)
	}
	ignoredSettings(p, "Rotation", a.Rotation, "the master secret is RDS's, which RDS rotates, without {Replicas}")
}
