package audit

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/stretchr/testify/assert"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

func judged(blk *block) map[string]baseline.Result {
	out := map[string]baseline.Result{}
	for _, r := range judge("orders", blk, nil).Controls {
		out[r.Key] = r
	}
	return out
}

func oneInstance() *block {
	blk := &block{graph: &baseline.Graph{}, urns: map[string]bool{}}
	blk.add(instanceResource(testInstance()))
	return blk
}

// A log group shipping to a Firehose stream relies on an archive this audit does not read: the
// archive's controls are unproven, not "not applicable" for want of a bucket in the graph.
func TestAnUnreadArchiveIsUnprovenNotNotApplicable(t *testing.T) {
	blk := oneInstance()
	assert.Equal(t, baseline.NotApplicable, judged(blk)["s3-object-lock"].Status)
	blk.unreadEvidence = append(blk.unreadEvidence, unreadEvidence{archiveControls, "the archive stream arn:aws:firehose:eu-west-1:123456789012:deliverystream/a and its bucket: this audit does not read Firehose or S3"})
	rows := judged(blk)
	for _, key := range archiveControls {
		assert.Equal(t, baseline.Unproven, rows[key].Status, key)
	}
	assert.Equal(t, "not read: the archive stream arn:aws:firehose:eu-west-1:123456789012:deliverystream/a and its bucket: this audit does not read Firehose or S3 (found otherwise: the stack has no aws:s3/bucketV2:BucketV2)", rows["s3-object-lock"].Detail)
}

// A failed call makes what it feeds unproven, even a control found not applicable for want of
// what the call would have read.
func TestAFailedCallLeavesItsControlsUnproven(t *testing.T) {
	blk := oneInstance()
	assert.Equal(t, baseline.NotApplicable, judged(blk)["rds-private-subnets"].Status)
	blk.ok("rds:DescribeDBSubnetGroups", "g", errors.New("timeout"))
	row := judged(blk)["rds-private-subnets"]
	assert.Equal(t, baseline.Unproven, row.Status)
	assert.Equal(t, "not read: rds:DescribeDBSubnetGroups g: timeout (found otherwise: the stack has no aws:rds/subnetGroup:SubnetGroup)", row.Detail)
	assert.Equal(t, baseline.Fail, judged(blk)["rds-not-public"].Status, "what no failed call feeds is judged as read")
}

func testInstance() rdstypes.DBInstance {
	return rdstypes.DBInstance{DBInstanceIdentifier: aws.String("orders"), DBInstanceArn: aws.String("arn:aws:rds:eu-west-1:123456789012:db:orders"),
		Engine: aws.String("postgres"), EngineVersion: aws.String("17.6"), PubliclyAccessible: aws.Bool(true),
		DBSubnetGroup: &rdstypes.DBSubnetGroup{DBSubnetGroupName: aws.String("g")}}
}
