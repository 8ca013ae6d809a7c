package hardenedpgtest_test

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/hardenedpgtest"
)

// keyWithAlias is a program whose alias input is computed by the provider: the key's ID.
func keyWithAlias(ctx *pulumi.Context) error {
	description, err := config.Try(ctx, "description")
	if err != nil {
		return err
	}
	key, err := kms.NewKey(ctx, "key", &kms.KeyArgs{Description: pulumi.String(description)})
	if err != nil {
		return err
	}
	_, err = kms.NewAlias(ctx, "alias", &kms.AliasArgs{Name: pulumi.String("alias/test"), TargetKeyId: key.KeyId})
	return err
}

func TestRunAsUpAndAsPreview(t *testing.T) {
	up := hardenedpgtest.Run(keyWithAlias, hardenedpgtest.Stack("prod"), hardenedpgtest.Config(map[string]string{"test:description": "k"}))
	require.NoError(t, up.Err)
	alias, ok := up.Named(baseline.TypeKeyAlias, "alias")
	require.True(t, ok)
	assert.Equal(t, "urn:pulumi:prod::test::aws:kms/alias:Alias::alias", alias.URN)
	assert.Regexp(t, `^[0-9a-f-]{36}$`, alias.Inputs["targetKeyId"])

	preview := hardenedpgtest.Run(keyWithAlias, hardenedpgtest.Preview(), hardenedpgtest.Config(map[string]string{"test:description": "k"}))
	require.NoError(t, preview.Err)
	alias, _ = preview.Named(baseline.TypeKeyAlias, "alias")
	assert.Equal(t, baseline.Unknown, alias.Inputs["targetKeyId"], "a preview does not know the key's ID")
	key, _ := preview.Named(baseline.TypeKey, "key")
	assert.Empty(t, key.ID)
	assert.Equal(t, map[string][]string{"targetKeyId": {key.URN}}, alias.PropertyDependencies, "as the engine records it")
}

// A preview knows what the provider plans before AWS is called (the names it makes, tagsAll), and
// not what AWS assigns (IDs, ARNs).
func TestPreviewKnowsWhatTheProviderPlans(t *testing.T) {
	program := func(ctx *pulumi.Context) error {
		topic, err := sns.NewTopic(ctx, "alerts", &sns.TopicArgs{Tags: pulumi.StringMap{"owner": pulumi.String("platform")}})
		if err != nil {
			return err
		}
		ctx.Export("name", topic.Name)
		_, err = iam.NewRole(ctx, "role", &iam.RoleArgs{AssumeRolePolicy: pulumi.String("{}")})
		return err
	}
	preview := hardenedpgtest.Run(program, hardenedpgtest.Preview())
	require.NoError(t, preview.Err)
	topic, _ := preview.Named(baseline.TypeTopic, "alerts")
	assert.Equal(t, "alerts", topic.Outputs["name"])
	assert.Equal(t, map[string]any{"owner": "platform"}, topic.Outputs["tagsAll"])
	assert.NotContains(t, topic.Outputs, "arn")
	role, _ := preview.Named(baseline.TypeRole, "role")
	assert.Regexp(t, `^role-[0-9a-f]{7}$`, role.Outputs["name"])
	assert.NotContains(t, role.Outputs, "arn")

	missing := hardenedpgtest.Run(keyWithAlias)
	require.Error(t, missing.Err)
	assert.Contains(t, missing.Err.Error(), "missing required configuration variable 'description'")
}

func TestRunAnswersExtraLookups(t *testing.T) {
	program := func(ctx *pulumi.Context) error {
		zones, err := aws.GetAvailabilityZones(ctx, &aws.GetAvailabilityZonesArgs{State: pulumi.StringRef("available")})
		if err != nil {
			return err
		}
		ctx.Export("zones", pulumi.ToStringArray(zones.Names))
		return nil
	}
	res := hardenedpgtest.Run(program)
	require.Error(t, res.Err)
	assert.Contains(t, res.Err.Error(), "hardenedpgtest: no mock answer for invoke aws:index/getAvailabilityZones:getAvailabilityZones")

	m := hardenedpgtest.New()
	m.Answer("aws:index/getAvailabilityZones:getAvailabilityZones", func(args map[string]any) (map[string]any, error) {
		assert.Equal(t, "available", args["state"])
		return map[string]any{"id": "eu-west-1", "names": []any{"eu-west-1a", "eu-west-1b"}, "zoneIds": []any{"euw1-az1", "euw1-az2"}}, nil
	})
	res = hardenedpgtest.Run(program, hardenedpgtest.WithMonitor(m))
	require.NoError(t, res.Err)
	require.Len(t, res.Invokes(), 1)
	assert.Equal(t, []any{"eu-west-1a", "eu-west-1b"}, res.Invokes()[0].Result["names"])
}

// The scorecard keeps waivers honest, as the pack and the stack config do: one that cannot be
// applied, or that waives nothing here, is a failing row of its own.
func TestScorecardReportsWaiversThatDoNothing(t *testing.T) {
	res := hardenedpgtest.Run(keyWithAlias, hardenedpgtest.Config(map[string]string{"test:description": "orders"}))
	require.NoError(t, res.Err)
	waiverRows := func(w baseline.Waivers) map[string]string {
		out := map[string]string{}
		for _, r := range res.Scorecard(w) {
			if strings.HasPrefix(r.Key, hardenedpgtest.WaiverKeyPrefix) {
				assert.Equal(t, baseline.Fail, r.Status)
				out[r.Key] = r.Detail
			}
		}
		return out
	}
	assert.Equal(t, map[string]string{
		"waiver:kms-deletion-window":   "waives nothing: kms-deletion-window is pass here; remove the waiver",
		"waiver:rds-multi-az":          "waives nothing: rds-multi-az is not-applicable here; remove the waiver",
		"waiver:rds-encrypted":         "control rds-encrypted (Storage is encrypted) cannot be waived",
		"waiver:no-such-control":       `"no-such-control" is not a control key; waivable keys: ` + strings.Join(baseline.WaivableKeys(), ", "),
		"waiver:logs-retention/legacy": "waives nothing: no problem of logs-retention is about legacy here; name the resource as the control's row does, or remove the waiver",
	}, waiverRows(baseline.Waivers{
		"kms-deletion-window": "the key is fine", "rds-multi-az": "no database here", "rds-encrypted": "never", "no-such-control": "typo",
		"logs-retention/legacy": "kept elsewhere",
	}))
	assert.Empty(t, waiverRows(nil))
}

// The helpers a test of a program needs: the failing rows, the names of a type, and an IAM
// policy decoded whichever way it is spelt (a statement or a list, a string or a list of actions).
func TestHelpersReadWhatTheProgramMade(t *testing.T) {
	program := func(ctx *pulumi.Context) error {
		role, err := iam.NewRole(ctx, "app", &iam.RoleArgs{AssumeRolePolicy: pulumi.String(
			`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole",` +
				`"Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}}`)})
		if err != nil {
			return err
		}
		_, err = iam.NewRolePolicy(ctx, "app-read", &iam.RolePolicyArgs{Role: role.Name, Policy: pulumi.String(
			`{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}`)})
		if err != nil {
			return err
		}
		_, err = iam.NewRole(ctx, "batch", &iam.RoleArgs{AssumeRolePolicy: pulumi.String(`{"Statement":[]}`)})
		return err
	}
	res := hardenedpgtest.Run(program)
	require.NoError(t, res.Err)
	assert.Equal(t, []string{"app", "batch"}, res.Names(baseline.TypeRole))

	trust, err := res.Policy(baseline.TypeRole, "app", "assumeRolePolicy")
	require.NoError(t, err)
	assert.Equal(t, []hardenedpgtest.PolicyStatement{{
		Effect: "Allow", Principal: map[string][]string{"Service": {"ec2.amazonaws.com"}}, Action: []string{"sts:AssumeRole"},
		Condition: map[string]map[string][]string{"StringEquals": {"aws:SourceAccount": {"123456789012"}}},
	}}, trust)
	read, err := res.Policy(baseline.TypeRolePolicy, "app-read", "policy")
	require.NoError(t, err)
	assert.Equal(t, []hardenedpgtest.PolicyStatement{{Sid: "Read", Effect: "Allow", Action: []string{"s3:GetObject", "s3:ListBucket"}, Resource: []string{"*"}}}, read)
	_, err = res.Policy(baseline.TypeRolePolicy, "nope", "policy")
	assert.EqualError(t, err, "hardenedpgtest: no aws:iam/rolePolicy:RolePolicy named nope")

	// Untagged roles, and a read of every S3 object: the two rows that fail, in catalog order.
	assert.Equal(t, []string{"rds-tags", "iam-no-sensitive-reads"}, hardenedpgtest.Failing(res.Scorecard(nil)))
}
