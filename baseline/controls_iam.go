package baseline

import (
	"slices"
	"strings"
)

// iamControls are the controls of the stack's IAM policies, each with its check.
var iamControls = []Control{
	{Key: "iam-no-kms-star", Title: "No IAM policy allows kms:Decrypt or kms:ReEncryptFrom on *", Severity: Medium, Reads: []string{TypeRole, TypeRolePolicy, TypePolicy},
		Refs: Refs{SecurityHub: []string{"KMS.1", "KMS.2"}, Prowler: []string{"iam_inline_policy_no_full_access_to_kms"}},
		check: func(g *Graph) finding {
			f := finding{holds: "no IAM policy of the stack allows kms:Decrypt or kms:ReEncryptFrom on *"}
			actionsOnAnyResource(g, &f, func(r Resource, action string) {
				if slices.Contains([]string{"*", "kms:*", "kms:decrypt", "kms:reencryptfrom", "kms:reencrypt*", "kms:decrypt*"}, strings.ToLower(action)) {
					f.fail("%s: allows %s on *", r.Name, action)
				}
			})
			return f
		},
	},
	{Key: "iam-scoped-writes", Title: "No IAM policy of the stack allows a write action on *", Severity: High, Reads: []string{TypeRole, TypeRolePolicy, TypePolicy},
		Refs: Refs{Prowler: []string{"iam_inline_policy_allows_privilege_escalation", "iam_inline_policy_no_administrative_privileges", "iam_inline_policy_no_full_access_to_cloudtrail", "iam_inline_policy_no_wildcard_marketplace_subscribe"}, Checkov: []string{"CKV_AWS_290", "CKV_AWS_355", "CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_286", "CKV_AWS_287", "CKV_AWS_289", "CKV2_AWS_40"}, CdkNag: []string{"IAMPolicyNoStatementsWithAdminAccess", "IAMPolicyNoStatementsWithFullAccess"}},
		check: func(g *Graph) finding {
			f := finding{holds: "every write action in the stack's IAM policies names its resources"}
			actionsOnAnyResource(g, &f, func(r Resource, action string) {
				if !isReadOnly(action) {
					f.fail("%s: allows %s on *", r.Name, action)
				}
			})
			return f
		},
	},
	{Key: "iam-managed-policies", Title: "Roles carry no AWS-managed policy but the service-role policies AWS documents for them", Severity: High, Reads: []string{TypeRole, TypeRolePolicyAttach},
		Refs: Refs{Prowler: []string{"iam_role_administratoraccess_policy", "iam_aws_attached_policy_no_administrative_privileges", "iam_role_cross_account_readonlyaccess_policy"}, Checkov: []string{"CKV_AWS_274", "CKV2_AWS_56"}},
		check: func(g *Graph) finding {
			f := finding{holds: "every attached AWS-managed policy is one of " + strings.Join(ServiceRolePolicies, ", ")}
			judge := func(r Resource, arn string) {
				if _, name, managed := strings.Cut(arn, ":iam::aws:policy/"); managed && !slices.Contains(ServiceRolePolicies, name) {
					f.fail("%s: attaches the AWS-managed policy %s, which grants far more than the role needs", r.Name, arn)
				}
			}
			for _, a := range g.ofType(TypeRolePolicyAttach) {
				f.read(a)
				judge(a, str(a.Inputs, "policyArn"))
			}
			for _, r := range g.ofType(TypeRole) {
				f.read(r)
				for _, arn := range stringList(r.Inputs, "managedPolicyArns") {
					judge(r, arn)
				}
			}
			return f
		},
	},
	{Key: "iam-trust-scoped", Title: "Roles trust only AWS services, each for this account's resources (no confused deputy)", Severity: High, Reads: []string{TypeRole},
		Refs: Refs{Prowler: []string{"iam_role_cross_service_confused_deputy_prevention"}, Checkov: []string{"CKV_AWS_60", "CKV_AWS_61"}},
		check: func(g *Graph) finding {
			f := finding{holds: "every role trusts service principals only, under aws:SourceAccount or aws:SourceArn"}
			for _, r := range g.ofType(TypeRole) {
				f.read(r)
				statements, err := parsePolicy(str(r.Inputs, "assumeRolePolicy"))
				if err != nil {
					f.fail("%s: the trust policy cannot be judged: %v", r.Name, err)
					continue
				}
				for i, st := range statements {
					if st.Effect != "Allow" {
						continue
					}
					p, _ := st.Principal.(map[string]any)
					if st.Principal == "*" || len(Strings(p["AWS"])) > 0 || len(Strings(p["Federated"])) > 0 || len(Strings(p["Service"])) == 0 {
						f.fail("%s: trust statement %d admits %s, want AWS service principals only", r.Name, i, show(st.Principal))
						continue
					}
					if len(conditionKeysIn(st, []string{"aws:SourceAccount", "aws:SourceArn"})) == 0 {
						f.fail("%s: trust statement %d lets %s assume the role for any account's resources: want aws:SourceAccount or aws:SourceArn", r.Name, i, strings.Join(Strings(p["Service"]), ", "))
					}
				}
			}
			return f
		},
	},
	{Key: "iam-no-sensitive-reads", Title: "No IAM policy of the stack allows reading data or secrets on *", Severity: High, Reads: []string{TypeRole, TypeRolePolicy, TypePolicy},
		Refs: Refs{Checkov: []string{"CKV_AWS_288", "CKV_AWS_287"}},
		check: func(g *Graph) finding {
			f := finding{holds: "no read of data or secrets (" + strings.Join(SensitiveReads, ", ") + ") is allowed on *"}
			iamPolicies(g, &f, func(r Resource, statements []policyStatement) {
				for _, st := range statements {
					if st.Effect != "Allow" || !slices.Contains(Strings(st.Resource), "*") {
						continue
					}
					for _, sensitive := range SensitiveReads {
						if actionCovered(st.Action, sensitive) {
							f.fail("%s: allows %s on *", r.Name, sensitive)
						}
					}
				}
			})
			return f
		},
	},
}

// ServiceRolePolicies are the AWS-managed policies AWS documents for the service roles the stack
// makes: enhanced monitoring
// (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Monitoring.OS.Enabling.html) and AWS
// Backup's default role (https://docs.aws.amazon.com/aws-backup/latest/devguide/iam-service-roles.html).
var ServiceRolePolicies = []string{
	"service-role/AmazonRDSEnhancedMonitoringRole",
	"service-role/AWSBackupServiceRolePolicyForBackup",
	"service-role/AWSBackupServiceRolePolicyForRestores",
}

// SensitiveReads are the read actions that exfiltrate data or credentials when allowed on every
// resource (Checkov CKV_AWS_288's list, with the credential reads of STS and the data reads of
// the services next to a database).
var SensitiveReads = []string{
	"s3:GetObject", "s3:GetObjectVersion", "secretsmanager:GetSecretValue", "ssm:GetParameter", "ssm:GetParameters",
	"ssm:GetParametersByPath", "sts:GetFederationToken", "sts:GetSessionToken", "logs:GetLogEvents", "logs:FilterLogEvents",
	"dynamodb:GetItem", "dynamodb:Scan", "dynamodb:Query", "rds-db:connect", "kms:GenerateDataKey",
}
