package hardenedpg

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// awsEnv is where the stack deploys: policies and ARNs are built from it as plain values, so
// they are known at preview time and reviewed in full.
type awsEnv struct {
	AccountID string
	Region    string
	Partition string
	DNSSuffix string
}

func lookupEnv(ctx *pulumi.Context, opts ...pulumi.InvokeOption) (awsEnv, error) {
	id, err := aws.GetCallerIdentity(ctx, &aws.GetCallerIdentityArgs{}, opts...)
	if err != nil {
		return awsEnv{}, fmt.Errorf("looking up the AWS account: %w", err)
	}
	region, err := aws.GetRegion(ctx, &aws.GetRegionArgs{}, opts...)
	if err != nil {
		return awsEnv{}, fmt.Errorf("looking up the AWS region: %w", err)
	}
	part, err := aws.GetPartition(ctx, &aws.GetPartitionArgs{}, opts...)
	if err != nil {
		return awsEnv{}, fmt.Errorf("looking up the AWS partition: %w", err)
	}
	return awsEnv{AccountID: id.AccountId, Region: region.Name, Partition: part.Partition, DNSSuffix: part.DnsSuffix}, nil
}

// registered registers component c and returns the account and region it acts in: env when the
// caller already knows it (a Database passes its own to its children), else those of the provider
// c was given, looked up through c (a look-up made without a parent would go to the default
// provider, whatever provider the caller passed).
func registered(ctx *pulumi.Context, typ, name string, c pulumi.ComponentResource, env awsEnv, opts ...pulumi.ResourceOption) (awsEnv, error) {
	if err := ctx.RegisterComponentResource(typ, name, c, opts...); err != nil {
		return awsEnv{}, err
	}
	if env.AccountID != "" {
		return env, nil
	}
	return lookupEnv(ctx, pulumi.Parent(c))
}

// rootArn is the account principal: IAM policies of the account decide who acts through it.
func (e awsEnv) rootArn() string { return e.rootArnOf(e.AccountID) }

// rootArnOf is another account's principal, in this partition.
func (e awsEnv) rootArnOf(account string) string {
	return fmt.Sprintf("arn:%s:iam::%s:root", e.Partition, account)
}

// trustedBy is the trust policy of a role that service assumes on behalf of this account only:
// aws:SourceAccount guards against the confused deputy (iam-trust-scoped).
func (e awsEnv) trustedBy(service string) pulumi.StringInput {
	return pulumi.String(PolicyDocument{Statement: []PolicyStatement{{
		Effect: "Allow", Principal: &Principal{Service: []string{service}}, Action: []string{"sts:AssumeRole"},
		Condition: map[string]map[string][]string{"StringEquals": {"aws:SourceAccount": {e.AccountID}}},
	}}}.JSON())
}

// servicePrincipal is the regional endpoint name of an AWS service, as KMS and IAM compare it.
func (e awsEnv) servicePrincipal(service string) string {
	return fmt.Sprintf("%s.%s.%s", service, e.Region, e.DNSSuffix)
}

func (e awsEnv) logGroupArn(name string) string {
	return e.arnOf("logs", "log-group:"+name)
}

// arnOf is the ARN of a resource of this account and region: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE.
func (e awsEnv) arnOf(service, resource string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", e.Partition, service, e.Region, e.AccountID, resource)
}
