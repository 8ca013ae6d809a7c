package hardenedpg

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
)

// DefaultLogRetentionDays keeps exported logs a year (logs-retention).
const DefaultLogRetentionDays = baseline.MinLogRetentionDays

// logRetentionValues are the retention periods CloudWatch Logs accepts.
var logRetentionValues = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

var (
	logsDestinationPattern = regexp.MustCompile(`^arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:destination:[^\s]+$`)
	firehosePattern        = regexp.MustCompile(`^arn:aws[a-z-]*:firehose:[a-z0-9-]+:\d{12}:deliverystream/[^\s]+$`)
	roleArnPattern         = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/[^\s]+$`)
)

// LogSettings are the choices about the exported PostgreSQL logs; the zero value is hardened.
type LogSettings struct {
	// RetentionDays is 365 by default; less relaxes logs-retention.
	RetentionDays int `pulumi:"retentionDays,optional"`
	// DestinationArn is where every log group streams: a CloudWatch Logs destination (usually in
	// a central audit account) or a Firehose delivery stream. A Database without one streams
	// into its own AuditArchive.
	DestinationArn string `pulumi:"destinationArn,optional"`
	// DestinationRoleArn lets CloudWatch Logs write to a Firehose stream; required for one, and
	// not used by a cross-account destination (its own policy admits this account).
	DestinationRoleArn string `pulumi:"destinationRoleArn,optional"`
}

// AuditLogShippingArgs configures the log groups of the exported PostgreSQL logs: the settings
// plus the instance and key they belong to.
type AuditLogShippingArgs struct {
	LogSettings

	// Identifier is the RDS instance identifier whose logs these are. Required.
	Identifier string `pulumi:"identifier"`
	// Cluster says Identifier is an Aurora cluster's: the log groups are the cluster's, one per
	// log type Aurora PostgreSQL exports (postgresql, instance, iam-db-auth-error).
	Cluster bool `pulumi:"cluster,optional"`
	// LogTypes are the exported logs, one log group each: by default an instance's, or with
	// Cluster Aurora's. A Multi-AZ DB cluster exports an instance's under the cluster's name.
	LogTypes []string `pulumi:"logTypes,optional"`
	// LogsKeyArn encrypts the log groups. Required.
	LogsKeyArn pulumi.StringInput `pulumi:"logsKeyArn"`
	// Archive, instead of DestinationArn, streams every log group into a local AuditArchive.
	// Without either, logs-shipped is relaxed.
	Archive *AuditArchive
	// RetainOnDelete keeps the log groups when the stack is destroyed: the audit trail of a
	// protected database must outlive it (Database sets it with deletion protection on).
	RetainOnDelete bool `pulumi:"retainOnDelete,optional"`
	// Tags go on every resource the component makes.
	Tags map[string]pulumi.StringInput `pulumi:"tags,optional"`
	// Waivers relax controls: control key to the reason, one per relaxation made.
	Waivers baseline.Waivers `pulumi:"waivers,optional"`
}

// AuditLogShipping owns one encrypted log group per exported log type, created before the
// instance so RDS writes into them, and streams each to the audit destination.
type AuditLogShipping struct {
	pulumi.ResourceState

	// LogGroups and Subscriptions are keyed by log type (postgresql, upgrade, ...).
	LogGroups     map[string]*cloudwatch.LogGroup
	Subscriptions map[string]*cloudwatch.LogSubscriptionFilter

	// LogGroupArns are the ARNs of the log groups, by log type.
	LogGroupArns pulumi.StringMapOutput `pulumi:"logGroupArns"`
}

// AuditLogShippingType is the component's type token.
const AuditLogShippingType = "hardenedpg:index:AuditLogShipping"

// LogGroupName is where RDS writes an exported log type of an instance.
func LogGroupName(identifier, logType string) string {
	return baseline.ExportedLogGroup(false, identifier, logType)
}

// logTypesOf are the log types an instance, or an Aurora cluster, exports.
func logTypesOf(cluster bool) []string {
	if cluster {
		return baseline.AuroraLogExports
	}
	return LogTypes
}

func (a *LogSettings) retention() int {
	if a.RetentionDays == 0 {
		return DefaultLogRetentionDays
	}
	return a.RetentionDays
}

func (a *AuditLogShippingArgs) check(p *problems) {
	if a.Identifier == "" {
		p.add("Identifier", a.Identifier, "required: the RDS instance identifier")
	}
	if a.LogsKeyArn == nil {
		p.add("LogsKeyArn", "", "required: the key that encrypts the log groups")
	}
	a.LogSettings.check(p, a.Waivers, a.Archive != nil)
	if a.DestinationArn == "" && a.Archive == nil {
		p.relax(a.Waivers, "logs-shipped", "DestinationArn", "", "a CloudWatch Logs destination or Firehose ARN, or a local archive")
	}
}

// check reports the settings' problems; archived says the logs also stream into a local archive.
// Logs shipped nowhere are the caller's to report: how they are shipped is its choice.
func (a *LogSettings) check(p *problems, w baseline.Waivers, archived bool) {
	switch r := a.retention(); {
	case !slices.Contains(logRetentionValues, r):
		p.add("RetentionDays", r, "want a CloudWatch Logs retention: %v", logRetentionValues)
	case r < baseline.MinLogRetentionDays:
		p.relax(w, "logs-retention", "RetentionDays", r, fmt.Sprintf("%d or more", baseline.MinLogRetentionDays))
	}
	switch d := a.DestinationArn; {
	case d == "":
	case archived:
		p.add("DestinationArn", d, "give a destination or an archive, not both")
	case logsDestinationPattern.MatchString(d):
	case firehosePattern.MatchString(d):
		if a.DestinationRoleArn == "" {
			p.add("DestinationRoleArn", a.DestinationRoleArn, "required with a Firehose destination: the role CloudWatch Logs assumes to write to it")
		}
	default:
		p.add("DestinationArn", d, "want a CloudWatch Logs destination (arn:aws:logs:<region>:<account>:destination:<name>) or a Firehose stream (arn:aws:firehose:<region>:<account>:deliverystream/<name>)")
	}
	if r := a.DestinationRoleArn; r != "" && !roleArnPattern.MatchString(r) {
		p.add("DestinationRoleArn", r, "want an IAM role ARN: arn:aws:iam::<account>:role/<name>")
	}
}

// NewAuditLogShipping creates the log groups and their subscription filters.
func NewAuditLogShipping(ctx *pulumi.Context, name string, args *AuditLogShippingArgs, opts ...pulumi.ResourceOption) (*AuditLogShipping, error) {
	if args == nil {
		args = &AuditLogShippingArgs{}
	}
	p := waiverProblems(args.Waivers)
	args.check(&p)
	if err := p.err(); err != nil {
		return nil, fmt.Errorf("hardenedpg.NewAuditLogShipping %q: %w", name, err)
	}
	c := &AuditLogShipping{
		LogGroups:     map[string]*cloudwatch.LogGroup{},
		Subscriptions: map[string]*cloudwatch.LogSubscriptionFilter{},
	}
	if err := ctx.RegisterComponentResource(AuditLogShippingType, name, c, opts...); err != nil {
		return nil, err
	}
	arns := pulumi.StringMap{}
	logTypes := args.LogTypes
	if logTypes == nil {
		logTypes = logTypesOf(args.Cluster)
	}
	for _, logType := range logTypes {
		group, err := cloudwatch.NewLogGroup(ctx, fmt.Sprintf("%s-%s-logs", name, logType), &cloudwatch.LogGroupArgs{
			Name:            pulumi.String(baseline.ExportedLogGroup(args.Cluster, args.Identifier, logType)),
			KmsKeyId:        args.LogsKeyArn,
			RetentionInDays: pulumi.Int(args.retention()),
			Tags:            pulumi.StringMap(args.Tags),
		}, pulumi.Parent(c), pulumi.RetainOnDelete(args.RetainOnDelete))
		if err != nil {
			return nil, err
		}
		c.LogGroups[logType] = group
		arns[logType] = group.Arn
		destination, role, waitFor := pulumi.StringInput(pulumi.String(args.DestinationArn)), pulumi.StringPtrInput(nil), []pulumi.Resource(nil)
		switch {
		case args.Archive != nil:
			// The component waits for the archive's role policies: IAM must know them first.
			destination, role, waitFor = args.Archive.StreamArn, args.Archive.LogsRoleArn, []pulumi.Resource{args.Archive}
		case args.DestinationArn == "":
			continue
		case args.DestinationRoleArn != "":
			role = pulumi.String(args.DestinationRoleArn)
		}
		filter, err := cloudwatch.NewLogSubscriptionFilter(ctx, fmt.Sprintf("%s-%s-subscription", name, logType), &cloudwatch.LogSubscriptionFilterArgs{
			LogGroup:       group.Name,
			Name:           pulumi.String("hardenedpg-audit"),
			FilterPattern:  pulumi.String(""), // every event: an audit trail is not sampled
			DestinationArn: destination,
			RoleArn:        role,
		}, pulumi.Parent(c), pulumi.DependsOn(waitFor))
		if err != nil {
			return nil, err
		}
		c.Subscriptions[logType] = filter
	}
	c.LogGroupArns = arns.ToStringMapOutput()
	if err := registerOutputs(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}
