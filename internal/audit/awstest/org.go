package awstest

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Organization makes the server's default account the management account of an Organization
// with a member account per name, and returns the members' IDs in that order.
func Organization(t testing.TB, ctx context.Context, cfg aws.Config, names ...string) []string {
	t.Helper()
	client := organizations.NewFromConfig(cfg)
	_, err := client.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
	if err != nil {
		t.Fatalf("awstest: CreateOrganization: %v", err)
	}
	var ids []string
	for _, name := range names {
		out, err := client.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(fmt.Sprintf("%s@example.com", name))})
		if err != nil {
			t.Fatalf("awstest: CreateAccount %s: %v", name, err)
		}
		ids = append(ids, aws.ToString(out.CreateAccountStatus.AccountId))
	}
	return ids
}

// AssumeRole is cfg with the credentials of role in account, as the audit assumes it.
func AssumeRole(cfg aws.Config, account, role string) aws.Config {
	cfg = cfg.Copy()
	arn := fmt.Sprintf("arn:aws:iam::%s:role/%s", account, role)
	cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), arn))
	return cfg
}
