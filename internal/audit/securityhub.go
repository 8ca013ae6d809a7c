package audit

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// SecurityHubActions are what -security-hub calls in each account-Region it reads, besides the
// read-only policy: the findings are imported by the account they are about, as Security Hub
// requires of a finding sent with the account's default product ARN (BatchImportFindings), and
// reach an administrator account through Security Hub's own aggregation.
var SecurityHubActions = []string{"securityhub:GetFindings", "securityhub:BatchImportFindings", "securityhub:BatchUpdateFindings"}

// Export is what one account-Region's import into Security Hub did.
type Export struct {
	Imported int
	// Resolved are the findings that passed again and were marked RESOLVED.
	Resolved int
	Failures []Failure
}

// findingsPerCall is BatchImportFindings' and BatchUpdateFindings' limit.
const findingsPerCall = 100

// FindingID is the stable ID of a control's finding on a database: a re-run updates it.
func FindingID(account, region, database, control string) string {
	return findingPrefix(account, region) + database + "/" + control
}

// findingPrefix begins the ID of every finding the audit imports into an account and Region.
func findingPrefix(account, region string) string {
	return "hardenedpg/" + account + "/" + region + "/"
}

// ExportToSecurityHub imports one ASFF finding per control (not applicable ones aside) of every
// database of the report, into its account and Region. A control that passes is imported
// PASSED and ARCHIVED; one that failed before is then marked RESOLVED, which BatchImportFindings
// cannot change on a finding that exists (BatchUpdateFindings does). A finding that fails again
// goes back to NEW: Security Hub resets it when its compliance leaves PASSED.
func ExportToSecurityHub(ctx context.Context, cfg aws.Config, r *Report, now time.Time) Export {
	var out Export
	client := securityhub.NewFromConfig(cfg)
	partition := baseline.ArnField(r.databaseArn(), 1)
	if partition == "" {
		partition = "aws"
	}
	product := fmt.Sprintf("arn:%s:securityhub:%s:%s:product/%s/default", partition, r.Region, r.Account, r.Account)
	existing := map[string]shtypes.AwsSecurityFinding{}
	pager := securityhub.NewGetFindingsPaginator(client, &securityhub.GetFindingsInput{Filters: &shtypes.AwsSecurityFindingFilters{
		ProductArn: []shtypes.StringFilter{{Comparison: shtypes.StringFilterComparisonEquals, Value: aws.String(product)}},
		Id:         []shtypes.StringFilter{{Comparison: shtypes.StringFilterComparisonPrefix, Value: aws.String(findingPrefix(r.Account, r.Region))}},
	}})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			out.Failures = append(out.Failures, failureOf("securityhub:GetFindings", r.Project(), err))
			return out // without them, a re-run could not keep CreatedAt nor tell what to resolve
		}
		for _, f := range page.Findings {
			if strings.HasPrefix(aws.ToString(f.Id), findingPrefix(r.Account, r.Region)) { // whatever the filter did
				existing[aws.ToString(f.Id)] = f
			}
		}
	}
	stamp := now.UTC().Format(time.RFC3339)
	var findings []shtypes.AwsSecurityFinding
	var resolve []shtypes.AwsSecurityFindingIdentifier
	for _, d := range r.Databases {
		for _, c := range d.Controls {
			if c.Status == baseline.NotApplicable {
				continue
			}
			f := finding(r, d, c, product, partition, stamp)
			id := aws.ToString(f.Id)
			if old, ok := existing[id]; ok {
				f.CreatedAt = old.CreatedAt
				f.Workflow = nil // the customer's, once the finding exists
				if c.Status == baseline.Pass && (old.Workflow == nil || old.Workflow.Status != shtypes.WorkflowStatusResolved) {
					resolve = append(resolve, shtypes.AwsSecurityFindingIdentifier{Id: f.Id, ProductArn: f.ProductArn})
				}
			}
			findings = append(findings, f)
		}
	}
	for chunk := range slices.Chunk(findings, findingsPerCall) {
		res, err := client.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: chunk})
		if err != nil {
			out.Failures = append(out.Failures, failureOf("securityhub:BatchImportFindings", r.Project(), err))
			continue
		}
		out.Imported += int(aws.ToInt32(res.SuccessCount))
		for _, failed := range res.FailedFindings {
			out.Failures = append(out.Failures, Failure{Action: "securityhub:BatchImportFindings", Target: aws.ToString(failed.Id),
				Error: aws.ToString(failed.ErrorCode) + ": " + aws.ToString(failed.ErrorMessage)})
		}
	}
	for chunk := range slices.Chunk(resolve, findingsPerCall) {
		res, err := client.BatchUpdateFindings(ctx, &securityhub.BatchUpdateFindingsInput{FindingIdentifiers: chunk,
			Workflow: &shtypes.WorkflowUpdate{Status: shtypes.WorkflowStatusResolved},
			Note:     &shtypes.NoteUpdate{Text: aws.String("passes again: " + stamp), UpdatedBy: aws.String("hardenedpg audit")}})
		if err != nil {
			out.Failures = append(out.Failures, failureOf("securityhub:BatchUpdateFindings", r.Project(), err))
			continue
		}
		out.Resolved += len(res.ProcessedFindings)
	}
	return out
}

// finding is a control's row on a database as an ASFF finding.
func finding(r *Report, d Database, c baseline.Result, product, partition, stamp string) shtypes.AwsSecurityFinding {
	compliance, workflow, record := shtypes.ComplianceStatusFailed, shtypes.WorkflowStatusNew, shtypes.RecordStateActive
	severity := strings.ToUpper(string(c.Severity))
	description := c.Detail
	switch c.Status {
	case baseline.Pass:
		compliance, workflow, record, severity = shtypes.ComplianceStatusPassed, shtypes.WorkflowStatusResolved, shtypes.RecordStateArchived, "INFORMATIONAL"
	case baseline.Waived:
		workflow, description = shtypes.WorkflowStatusSuppressed, "waived: "+c.Waiver+" (found: "+c.Detail+")"
	case baseline.Unproven:
		compliance, description = shtypes.ComplianceStatusNotAvailable, "unproven: "+c.Detail
	case baseline.Warn:
		compliance = shtypes.ComplianceStatusWarning
	}
	if len(description) > 1024 { // ASFF's limit
		description = description[:1021] + "..."
	}
	resourceType := "AwsRdsDbInstance"
	if db := d.databaseResource(); db != nil && db.Type == baseline.TypeCluster {
		resourceType = "AwsRdsDbCluster"
	}
	types := []string{"Software and Configuration Checks/AWS Security Best Practices"}
	var related []string
	for _, tool := range baseline.Tools {
		for _, id := range c.Refs.Of(tool.Key) {
			related = append(related, tool.Name+" "+id)
		}
	}
	return shtypes.AwsSecurityFinding{
		SchemaVersion: aws.String("2018-10-08"),
		Id:            aws.String(FindingID(r.Account, r.Region, d.Identifier, c.Key)),
		ProductArn:    aws.String(product),
		ProductName:   aws.String("hardenedpg"),
		GeneratorId:   aws.String("hardenedpg/" + c.Key),
		AwsAccountId:  aws.String(r.Account),
		Region:        aws.String(r.Region),
		CreatedAt:     aws.String(stamp),
		UpdatedAt:     aws.String(stamp),
		Title:         aws.String(c.Title),
		Description:   aws.String(description),
		Types:         types,
		Severity:      &shtypes.Severity{Label: shtypes.SeverityLabel(severity)},
		FindingProviderFields: &shtypes.FindingProviderFields{Types: types,
			Severity: &shtypes.FindingProviderSeverity{Label: shtypes.SeverityLabel(severity)}},
		Compliance: &shtypes.Compliance{Status: compliance, RelatedRequirements: related},
		Resources: []shtypes.Resource{{Type: aws.String(resourceType), Id: aws.String(d.arn()), Partition: shtypes.Partition(partition),
			Region: aws.String(r.Region)}},
		ProductFields: map[string]string{"hardenedpg/control": c.Key, "hardenedpg/status": string(c.Status)},
		RecordState:   record,
		Workflow:      &shtypes.Workflow{Status: workflow},
	}
}

// databaseResource is the database's own resource in its graph: the instance or the cluster.
func (d Database) databaseResource() *baseline.Resource {
	for i, res := range d.Graph.Resources {
		if databaseIdentifier(res) == d.Identifier {
			return &d.Graph.Resources[i]
		}
	}
	return nil
}

func (d Database) arn() string {
	if db := d.databaseResource(); db != nil {
		return db.URN
	}
	return d.Identifier
}

// databaseArn is any database's ARN in the report, which names its partition.
func (r *Report) databaseArn() string {
	for _, d := range r.Databases {
		if arn := d.arn(); strings.HasPrefix(arn, "arn:") {
			return arn
		}
	}
	return ""
}
