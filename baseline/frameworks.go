package baseline

import (
	"slices"
)

// Framework is a compliance framework, its requirements mapped to the controls through the public
// checks the controls already cite (Refs): a requirement is met by the controls citing a check
// its Source maps to it.
type Framework struct {
	Key, Name string
	// Source is where the requirement-to-check mapping comes from: a file at a commit.
	Source       string
	Requirements []Requirement
}

// Requirement is one requirement of a framework, with the checks Source maps to it that a
// control cites (the others are none of this catalog's).
type Requirement struct {
	ID, Name string
	// Prowler are Prowler check IDs; CIS are CIS AWS Foundations recommendation numbers.
	Prowler, CIS []string
}

const prowlerCompliance = "https://github.com/prowler-cloud/prowler/blob/"

// internetIngressChecks are the Prowler checks of ingress from the internet that SOC 2 CC6.6
// maps, every one a control of this catalog cites.
var internetIngressChecks = []string{
	"ec2_securitygroup_allow_wide_open_public_ipv4", "ec2_securitygroup_allow_ingress_from_internet_to_all_ports",
	"ec2_securitygroup_allow_ingress_from_internet_to_any_port", "ec2_securitygroup_allow_ingress_from_internet_to_high_risk_tcp_ports",
	"ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_mongodb_27017_27018", "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_ftp_20_21",
	"ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22", "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_3389",
	"ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_cassandra_7199_9160_8888", "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_elasticsearch_kibana_9200_9300_5601",
	"ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_kafka_9092", "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_memcached_11211",
	"ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_mysql_3306", "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_oracle_1521_2483",
	"ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_postgres_5432", "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_redis_6379",
	"ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_sql_server_1433_1434", "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_telnet_23",
}

var (
	adminPolicies = []string{"iam_aws_attached_policy_no_administrative_privileges", "iam_inline_policy_no_administrative_privileges"}
	rdsRecovery   = []string{"rds_instance_backup_enabled", "rds_instance_multi_az", "s3_bucket_object_versioning"}
	publicAccess  = []string{"rds_instance_no_public_access", "rds_snapshots_public_access", "s3_bucket_public_access", "s3_bucket_policy_public_write_access"}
	kmsHygiene    = []string{"kms_cmk_are_used", "kms_cmk_not_deleted_unintentionally", "kms_cmk_not_multi_region", "kms_cmk_rotation_enabled"}
	logging       = []string{"cloudwatch_log_group_kms_encryption_enabled", "cloudwatch_log_group_no_secrets_in_logs", "cloudwatch_log_group_retention_policy_specific_days_enabled"}
	atRest        = []string{"cloudwatch_log_group_kms_encryption_enabled", "rds_instance_storage_encrypted", "s3_bucket_secure_transport_policy", "sns_topics_kms_encryption_at_rest_enabled"}
)

// Frameworks are the frameworks the report judges a stack against. Each requirement lists only
// the checks of its Source that a control of this catalog cites; a requirement none of whose
// checks the catalog cites is left out (it is about something a database stack does not hold).
var Frameworks = []Framework{
	{Key: "hipaa", Name: "HIPAA Security Rule", Source: prowlerCompliance + "03d4c23551e1e296b54fb22f4406ac820954440a/prowler/compliance/aws/hipaa_aws.json",
		Requirements: []Requirement{
			{ID: "164.308(a)(1)(ii)(B)", Name: "Risk management", Prowler: slices.Concat(adminPolicies, []string{"cloudwatch_log_group_kms_encryption_enabled", "rds_instance_backup_enabled",
				"rds_instance_storage_encrypted", "rds_instance_multi_az", "rds_snapshots_public_access", "s3_bucket_secure_transport_policy", "s3_bucket_public_access",
				"s3_bucket_policy_public_write_access", "s3_bucket_object_versioning", "sns_topics_kms_encryption_at_rest_enabled", "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22"})},
			{ID: "164.308(a)(1)(ii)(D)", Name: "Information system activity review", Prowler: []string{"vpc_flow_logs_enabled"}},
			{ID: "164.308(a)(3)(i)", Name: "Workforce security", Prowler: slices.Concat(adminPolicies, publicAccess)},
			{ID: "164.308(a)(3)(ii)(A)", Name: "Authorization and/or supervision", Prowler: []string{"vpc_flow_logs_enabled"}},
			{ID: "164.308(a)(3)(ii)(B)", Name: "Workforce clearance procedure", Prowler: adminPolicies},
			{ID: "164.308(a)(4)(i)", Name: "Information access management", Prowler: adminPolicies},
			{ID: "164.308(a)(4)(ii)(A)", Name: "Isolating health care clearinghouse functions", Prowler: []string{"cloudwatch_log_group_kms_encryption_enabled", "rds_instance_storage_encrypted",
				"rds_instance_backup_enabled", "rds_instance_integration_cloudwatch_logs", "sns_topics_kms_encryption_at_rest_enabled"}},
			{ID: "164.308(a)(4)(ii)(B)", Name: "Access authorization", Prowler: slices.Concat([]string{"iam_inline_policy_no_wildcard_marketplace_subscribe"}, adminPolicies)},
			{ID: "164.308(a)(4)(ii)(C)", Name: "Access establishment and modification", Prowler: slices.Concat(adminPolicies, []string{"secretsmanager_automatic_rotation_enabled"})},
			{ID: "164.308(a)(6)(ii)", Name: "Response and reporting", Prowler: []string{"vpc_flow_logs_enabled"}},
			{ID: "164.308(a)(7)(i)", Name: "Contingency plan", Prowler: rdsRecovery},
			{ID: "164.308(a)(7)(ii)(A)", Name: "Data backup plan", Prowler: rdsRecovery},
			{ID: "164.308(a)(7)(ii)(B)", Name: "Disaster recovery plan", Prowler: rdsRecovery},
			{ID: "164.308(a)(7)(ii)(C)", Name: "Emergency mode operation plan", Prowler: rdsRecovery},
			{ID: "164.312(a)(1)", Name: "Access control", Prowler: slices.Concat(adminPolicies, publicAccess)},
			{ID: "164.312(a)(2)(i)", Name: "Unique user identification", Prowler: []string{"s3_bucket_public_access"}},
			{ID: "164.312(a)(2)(ii)", Name: "Emergency access procedure", Prowler: []string{"rds_instance_backup_enabled", "s3_bucket_object_versioning"}},
			{ID: "164.312(a)(2)(iv)", Name: "Encryption and decryption", Prowler: slices.Concat([]string{"kms_cmk_rotation_enabled"}, atRest)},
			{ID: "164.312(b)", Name: "Audit controls", Prowler: []string{"cloudwatch_log_group_retention_policy_specific_days_enabled", "rds_instance_integration_cloudwatch_logs", "vpc_flow_logs_enabled"}},
			{ID: "164.312(c)(1)", Name: "Integrity", Prowler: []string{"s3_bucket_secure_transport_policy", "s3_bucket_object_versioning"}},
			{ID: "164.312(c)(2)", Name: "Mechanism to authenticate electronic protected health information", Prowler: []string{"s3_bucket_secure_transport_policy", "s3_bucket_object_versioning", "vpc_flow_logs_enabled"}},
			{ID: "164.312(e)(1)", Name: "Transmission security", Prowler: []string{"s3_bucket_secure_transport_policy", "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22"}},
			{ID: "164.312(e)(2)(i)", Name: "Integrity controls", Prowler: []string{"s3_bucket_secure_transport_policy"}},
			{ID: "164.312(e)(2)(ii)", Name: "Encryption", Prowler: atRest},
		}},
	{Key: "soc2", Name: "SOC 2 (Trust Services Criteria)", Source: prowlerCompliance + "179b09df735a51a4481a1f84fec555065341e237/prowler/compliance/aws/soc2_aws.json",
		Requirements: []Requirement{
			{ID: "CC1.3", Name: "Structures, reporting lines, authorities and responsibilities", Prowler: adminPolicies},
			{ID: "CC3.3", Name: "The potential for fraud is considered in assessing risks", Prowler: []string{"iam_inline_policy_allows_privilege_escalation"}},
			{ID: "CC6.1", Name: "Logical access security over protected information assets", Prowler: []string{"s3_bucket_public_access"}},
			{ID: "CC6.2", Name: "Users are registered and authorized before credentials are issued", Prowler: []string{"rds_instance_no_public_access"}},
			{ID: "CC6.3", Name: "Access is authorized, modified or removed by role, least privilege", Prowler: slices.Concat([]string{"iam_inline_policy_no_wildcard_marketplace_subscribe"}, adminPolicies)},
			{ID: "CC6.6", Name: "Logical access measures against threats from outside the system", Prowler: internetIngressChecks},
			{ID: "CC7.2", Name: "System components are monitored for anomalies", Prowler: []string{"rds_instance_integration_cloudwatch_logs", "cloudwatch_log_group_retention_policy_specific_days_enabled",
				"vpc_flow_logs_enabled", "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22"}},
			{ID: "CC7.3", Name: "Security events are evaluated", Prowler: []string{"cloudwatch_log_group_kms_encryption_enabled", "rds_instance_integration_cloudwatch_logs",
				"cloudwatch_log_group_retention_policy_specific_days_enabled", "vpc_flow_logs_enabled"}},
			{ID: "CC7.4", Name: "Security incidents are responded to", Prowler: []string{"rds_instance_backup_enabled", "s3_bucket_object_versioning"}},
			{ID: "CC7.5", Name: "Recovery from security incidents", Prowler: []string{"rds_instance_copy_tags_to_snapshots"}},
			{ID: "A1.2", Name: "Environmental protections, back-up and recovery infrastructure", Prowler: []string{"rds_instance_backup_enabled", "rds_instance_integration_cloudwatch_logs", "s3_bucket_object_versioning"}},
			{ID: "C1.1", Name: "Confidential information is identified and maintained", Prowler: []string{"rds_instance_deletion_protection"}},
			{ID: "C1.2", Name: "Confidential information is disposed of", Prowler: []string{"s3_bucket_object_versioning", "cloudwatch_log_group_retention_policy_specific_days_enabled"}},
			{ID: "PI1.3", Name: "Data is processed completely, accurately and timely", Prowler: []string{"rds_instance_integration_cloudwatch_logs", "rds_cluster_integration_cloudwatch_logs"}},
			{ID: "PI1.4", Name: "System outputs are complete, accurate and protected", Prowler: []string{"s3_bucket_kms_encryption", "cloudwatch_log_group_kms_encryption_enabled", "sns_topics_kms_encryption_at_rest_enabled"}},
			{ID: "PI1.5", Name: "Stored data is complete, accurate and protected from modification", Prowler: []string{"s3_bucket_object_versioning", "s3_bucket_object_lock",
				"rds_instance_storage_encrypted", "rds_cluster_storage_encrypted", "backup_recovery_point_encrypted", "backup_vaults_encrypted", "kms_cmk_rotation_enabled"}},
		}},
	{Key: "iso27001", Name: "ISO/IEC 27001:2022 Annex A", Source: prowlerCompliance + "0f4d8ff891a046053913e6a8e59928d672788ead/prowler/compliance/aws/iso27001_2022_aws.json",
		Requirements: []Requirement{
			{ID: "A.5.13", Name: "Labelling of information", Prowler: []string{"rds_cluster_copy_tags_to_snapshots"}},
			{ID: "A.5.18", Name: "Access rights", Prowler: slices.Concat([]string{"iam_inline_policy_no_wildcard_marketplace_subscribe"}, adminPolicies)},
			{ID: "A.8.1", Name: "User endpoint devices", Prowler: []string{"rds_instance_no_public_access", "rds_snapshots_public_access", "kms_key_not_publicly_accessible",
				"s3_bucket_public_access", "s3_bucket_policy_public_write_access", "sns_topics_not_publicly_accessible", "ec2_securitygroup_allow_wide_open_public_ipv4"}},
			{ID: "A.8.2", Name: "Privileged access rights", Prowler: slices.Concat([]string{"iam_inline_policy_no_wildcard_marketplace_subscribe"}, adminPolicies)},
			{ID: "A.8.3", Name: "Information access restriction", Prowler: []string{"sns_topics_kms_encryption_at_rest_enabled", "s3_bucket_object_versioning"}},
			{ID: "A.8.5", Name: "Secure authentication", Prowler: []string{"kms_cmk_rotation_enabled", "kms_cmk_are_used"}},
			{ID: "A.8.10", Name: "Information deletion", Prowler: []string{"s3_bucket_lifecycle_enabled", "s3_bucket_object_versioning"}},
			{ID: "A.8.11", Name: "Data masking", Prowler: slices.Concat([]string{"rds_instance_storage_encrypted", "rds_snapshots_encrypted", "rds_cluster_storage_encrypted",
				"cloudwatch_log_group_kms_encryption_enabled", "s3_bucket_kms_encryption", "sns_topics_kms_encryption_at_rest_enabled"}, kmsHygiene)},
			{ID: "A.8.13", Name: "Information backup", Prowler: []string{"backup_recovery_point_encrypted"}},
			{ID: "A.8.14", Name: "Redundancy of information processing facilities", Prowler: []string{"rds_cluster_multi_az", "rds_instance_multi_az"}},
			{ID: "A.8.15", Name: "Logging", Prowler: slices.Concat(logging, []string{"rds_cluster_integration_cloudwatch_logs", "rds_instance_integration_cloudwatch_logs", "vpc_flow_logs_enabled"})},
			{ID: "A.8.16", Name: "Monitoring activities", Prowler: slices.Concat([]string{"vpc_flow_logs_enabled"}, logging)},
			{ID: "A.8.20", Name: "Network security", Prowler: slices.Concat([]string{"rds_instance_inside_vpc", "vpc_flow_logs_enabled"}, internetIngressChecks)},
			{ID: "A.8.21", Name: "Security of network services", Prowler: slices.Concat([]string{"rds_instance_inside_vpc", "vpc_flow_logs_enabled"}, internetIngressChecks)},
			{ID: "A.8.22", Name: "Segregation of networks", Prowler: slices.Concat([]string{"rds_instance_inside_vpc", "vpc_flow_logs_enabled"}, internetIngressChecks)},
			{ID: "A.8.23", Name: "Web filtering", Prowler: []string{"vpc_flow_logs_enabled"}},
			{ID: "A.8.24", Name: "Use of cryptography", Prowler: slices.Concat([]string{"backup_recovery_point_encrypted", "backup_vaults_encrypted", "cloudwatch_log_group_kms_encryption_enabled",
				"firehose_stream_encrypted_at_rest", "rds_cluster_storage_encrypted", "rds_instance_storage_encrypted", "rds_instance_transport_encrypted", "rds_snapshots_encrypted",
				"s3_bucket_kms_encryption", "sns_topics_kms_encryption_at_rest_enabled"}, kmsHygiene)},
		}},
	{Key: "nist80053", Name: "NIST SP 800-53 Rev. 5", Source: prowlerCompliance + "7a00f79a56784384b35cecd6a65c0e1396399337/prowler/compliance/aws/nist_800_53_revision_5_aws.json",
		Requirements: nistRequirements},
	{Key: "pcidss", Name: "PCI DSS v4.0", Source: prowlerCompliance + "03e268722eeaa4a53443564c9dceec7bee359620/prowler/compliance/aws/pci_4.0_aws.json",
		Requirements: pciRequirements},
	{Key: "cis", Name: "CIS AWS Foundations Benchmark", Source: "the CIS recommendations the controls cite, as Security Hub's CIS AWS Foundations standard numbers them",
		Requirements: cisRequirements()},
}

// cisRequirements are the CIS recommendations the catalog cites, each its own requirement.
func cisRequirements() []Requirement {
	var ids []string
	for _, c := range Catalog {
		ids = append(ids, c.Refs.CIS...)
	}
	slices.Sort(ids)
	var out []Requirement
	for _, id := range slices.Compact(ids) {
		out = append(out, Requirement{ID: id, Name: "CIS " + id, CIS: []string{id}})
	}
	return out
}

// ControlsOf are the keys of the controls that cite a check mapped to the requirement, in
// catalog order.
func (r Requirement) ControlsOf() []string {
	var keys []string
	for _, c := range Catalog {
		if slices.ContainsFunc(c.Refs.Prowler, func(id string) bool { return slices.Contains(r.Prowler, id) }) ||
			slices.ContainsFunc(c.Refs.CIS, func(id string) bool { return slices.Contains(r.CIS, id) }) {
			keys = append(keys, c.Key)
		}
	}
	return keys
}

// FrameworkResult is a framework judged on a scorecard: each requirement takes the worst status
// of its controls (fail, then unproven, waived, warn, pass; not applicable when none applies).
type FrameworkResult struct {
	Key          string              `json:"key"`
	Name         string              `json:"name"`
	Source       string              `json:"source"`
	Requirements []RequirementResult `json:"requirements"`
	Summary      Summary             `json:"summary"`
}

// RequirementResult is one requirement judged.
type RequirementResult struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Status   Status   `json:"status"`
	Controls []string `json:"controls"`
}

// statusOrder ranks statuses from worst to best, as a requirement takes them from its controls.
var statusOrder = []Status{Fail, Unproven, Waived, Warn, Pass, NotApplicable}

// JudgeFrameworks judges every framework on the scorecard's rows.
func JudgeFrameworks(results []Result) []FrameworkResult {
	byKey := map[string]Status{}
	for _, r := range results {
		byKey[r.Key] = r.Status
	}
	var out []FrameworkResult
	for _, f := range Frameworks {
		fr := FrameworkResult{Key: f.Key, Name: f.Name, Source: f.Source}
		var statuses []Result
		for _, req := range f.Requirements {
			rr := RequirementResult{ID: req.ID, Name: req.Name, Status: NotApplicable, Controls: req.ControlsOf()}
			for _, key := range rr.Controls {
				if s, ok := byKey[key]; ok && slices.Index(statusOrder, s) < slices.Index(statusOrder, rr.Status) {
					rr.Status = s
				}
			}
			fr.Requirements = append(fr.Requirements, rr)
			statuses = append(statuses, Result{Status: rr.Status})
		}
		fr.Summary = Summarize(statuses)
		out = append(out, fr)
	}
	return out
}

// PassRate is how many of the framework's applicable requirements are met.
func (f FrameworkResult) PassRate() (met, applicable int) {
	s := f.Summary
	return s.Pass, s.Pass + s.Fail + s.Waived + s.Unproven + s.Warn
}

// Reasons a control maps to no framework requirement.
const (
	prowlerUnmapped = "the Prowler checks it cites are mapped to none of these frameworks' requirements in the files named in Source"
	noProwlerCheck  = "it cites no Prowler or CIS check, the references these frameworks are mapped through (a setting inside PostgreSQL, the proxy or the stack's own wiring, or one Security Hub or Checkov names alone)"
)

// FrameworkExceptions are the controls no framework requirement maps to, with the reason: the
// report lists them apart, so an auditor sees what the frameworks do not ask for.
var FrameworkExceptions = map[string]string{
	"rds-private-subnets":      noProwlerCheck,
	"rds-cmk":                  noProwlerCheck,
	"rds-non-default-port":     prowlerUnmapped,
	"rds-custom-admin":         prowlerUnmapped,
	"rds-ca-cert":              prowlerUnmapped,
	"rds-supported-engine":     prowlerUnmapped,
	"rds-no-extended-support":  prowlerUnmapped,
	"rds-performance-insights": noProwlerCheck,
	"rds-final-snapshot":       noProwlerCheck,
	"rds-tags":                 noProwlerCheck,
	"pg-tls-min":               noProwlerCheck,
	"pg-scram":                 noProwlerCheck,
	"pg-connection-logging":    noProwlerCheck,
	"pg-statement-logging":     noProwlerCheck,
	"pg-audit":                 noProwlerCheck,
	"pg-family-matches":        noProwlerCheck,
	"kms-grants-scoped":        noProwlerCheck,
	"iam-trust-scoped":         prowlerUnmapped,
	"iam-no-sensitive-reads":   noProwlerCheck,
	"sg-no-open-egress":        noProwlerCheck,
	"sg-descriptions":          noProwlerCheck,
	"logs-shipped":             noProwlerCheck,
	"events-instance":          prowlerUnmapped,
	"events-cluster":           prowlerUnmapped,
	"events-parameter-group":   prowlerUnmapped,
	"sns-subscriptions-tls":    prowlerUnmapped,
	"backup-vault-lock":        noProwlerCheck,
	"backup-independent-copy":  noProwlerCheck,
	"proxy-tls":                noProwlerCheck,
	"proxy-iam-auth":           noProwlerCheck,
	"proxy-no-debug-logging":   noProwlerCheck,
	"proxy-role-scoped":        noProwlerCheck,
	"snapshots-stack-key":      noProwlerCheck,
	"alarms-present":           noProwlerCheck,
	"rds-secret-rotation":      prowlerUnmapped,
}
