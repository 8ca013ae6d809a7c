package baseline

import "fmt"

// logsControls are the controls of the exported log groups, each with its check.
var logsControls = []Control{
	{Key: "logs-cmk", Title: "Log groups are encrypted with a stack key", Severity: Medium, Reads: []string{TypeLogGroup},
		Refs: Refs{Prowler: []string{"cloudwatch_log_group_kms_encryption_enabled"}, Checkov: []string{"CKV_AWS_158"}, CdkNag: []string{"CloudWatchLogGroupEncrypted"}},
		check: logGroupsCheck("every log group is encrypted with a stack key", func(g *Graph, f *finding, lg Resource) {
			if _, ok := g.keyByArn(get(lg.Inputs, "kmsKeyId")); !ok {
				f.fail("%s: kmsKeyId is %s, want a key of the stack", lg.Name, show(get(lg.Inputs, "kmsKeyId")))
			}
		}),
	},
	{Key: "logs-retention", Title: "Log groups keep 365 days or more", Severity: Medium, Reads: []string{TypeLogGroup}, Waivable: true,
		Refs: Refs{SecurityHub: []string{"CloudWatch.16"}, Prowler: []string{"cloudwatch_log_group_retention_policy_specific_days_enabled"}, Checkov: []string{"CKV_AWS_338", "CKV_AWS_66"}, CdkNag: []string{"CloudWatchLogGroupRetentionPeriod"}},
		check: logGroupsCheck("every log group keeps 365 days or more", func(_ *Graph, f *finding, lg Resource) {
			if n, ok := num(lg.Inputs, "retentionInDays"); ok && n > 0 && n < MinLogRetentionDays {
				f.fail("%s: retentionInDays is %v, want %d or more", lg.Name, n, MinLogRetentionDays)
			}
		}),
	},
	{Key: "logs-shipped", Title: "Every exported log group streams to the audit destination", Severity: Medium, Reads: []string{TypeLogGroup}, Waivable: true,
		check: storageCheck("every exported log group streams to the audit destination", func(g *Graph, f *finding, inst Resource, in map[string]any) {
			exports := stringList(in, "enabledCloudwatchLogsExports")
			if len(exports) > 0 && str(in, exportIdentifierKey(inst)) == "" {
				// RDS names the database at apply, and RDS names its log groups after it.
				f.fail("%s: %s is unset, so RDS names the database and the log groups it exports to at apply: the stack can make none of them (RDS would create them unencrypted, kept forever); set %s", inst.Name, exportIdentifierKey(inst), exportIdentifierKey(inst))
				return
			}
			for _, logType := range exports {
				name := ExportedLogGroup(inst.Type == TypeCluster, str(in, exportIdentifierKey(inst)), logType)
				groups := withName(g, TypeLogGroup, "name", name)
				if len(groups) == 0 {
					f.fail("%s: log group %s is not created by the stack (RDS would create it unencrypted, kept forever)", inst.Name, name)
					continue
				}
				f.read(groups[0])
				// The filter names its group by the group's name: followed to the group, also when
				// the name is unknown at a preview.
				filters := g.referring(TypeSubscriptionFilter, "logGroup", groups[0], "name")
				if len(filters) == 0 || str(filters[0].Inputs, "destinationArn") == "" {
					f.fail("%s: no subscription filter streams it to an audit destination", name)
					continue
				}
				f.read(filters[0])
			}
		}),
	},
}

// ExportedLogGroup is the log group RDS exports a log to: per instance, or per Aurora cluster
// (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.CloudWatch.html).
func ExportedLogGroup(cluster bool, identifier, logType string) string {
	kind := "instance"
	if cluster {
		kind = "cluster"
	}
	return fmt.Sprintf("/aws/rds/%s/%s/%s", kind, identifier, logType)
}

func exportIdentifierKey(r Resource) string {
	if r.Type == TypeCluster {
		return "clusterIdentifier"
	}
	return "identifier"
}
