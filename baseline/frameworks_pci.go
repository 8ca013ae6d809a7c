package baseline

import "slices"

// The check sets Prowler's PCI DSS v4.0 file maps together, each limited to the checks a control
// of this catalog cites.
var (
	pciNetwork          = []string{"ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22", "rds_instance_event_subscription_security_groups", "rds_instance_no_public_access", "s3_bucket_public_access", "s3_bucket_public_write_acl", "ec2_securitygroup_allow_ingress_from_internet_to_any_port"}
	pciAuditLogsAlarm   = []string{"cloudwatch_alarm_actions_alarm_state_configured", "rds_cluster_integration_cloudwatch_logs", "rds_instance_integration_cloudwatch_logs", "vpc_flow_logs_enabled"}
	pciAuditLogs        = []string{"rds_cluster_integration_cloudwatch_logs", "rds_instance_integration_cloudwatch_logs", "vpc_flow_logs_enabled"}
	pciTransportIngress = []string{"s3_bucket_secure_transport_policy", "ec2_securitygroup_allow_ingress_from_internet_to_any_port"}
	pciRetention        = []string{"cloudwatch_log_group_retention_policy_specific_days_enabled", "s3_bucket_lifecycle_enabled"}
	pciKeys             = []string{"iam_inline_policy_no_full_access_to_kms", "kms_cmk_not_deleted_unintentionally"}
	pciAccess           = []string{"iam_inline_policy_no_full_access_to_kms", "rds_cluster_iam_authentication_enabled", "rds_instance_iam_authentication_enabled", "s3_bucket_acl_prohibited", "s3_bucket_cross_account_access"}
	pciAtRest           = []string{"backup_recovery_point_encrypted", "cloudwatch_log_group_kms_encryption_enabled", "rds_cluster_storage_encrypted", "rds_snapshots_encrypted", "rds_instance_storage_encrypted", "s3_bucket_kms_encryption", "secretsmanager_automatic_rotation_enabled", "sns_topics_kms_encryption_at_rest_enabled"}
	pciPublic           = []string{"rds_instance_no_public_access", "rds_snapshots_public_access", "s3_bucket_public_access", "s3_bucket_public_write_acl"}
)

// pciRequirements are the PCI DSS v4.0 requirements of Prowler's file that map a check a control
// cites. The file lists one entry per AWS Config rule and names the PCI DSS requirement in the
// entry's Section; a requirement here is a Section, with its name, and the checks of all its
// entries.
var pciRequirements = []Requirement{
	{ID: "1.2.5", Name: "Network security controls (NSCs) are configured and maintained.", Prowler: []string{"s3_bucket_secure_transport_policy", "ec2_securitygroup_allow_ingress_from_internet_to_any_port"}},
	{ID: "1.2.8", Name: "Network security controls (NSCs) are configured and maintained.", Prowler: pciNetwork},
	{ID: "1.3.1", Name: "Network access to and from the cardholder data environment is restricted.", Prowler: pciNetwork},
	{ID: "1.3.2", Name: "Network access to and from the cardholder data environment is restricted.", Prowler: pciNetwork},
	{ID: "1.4.2", Name: "Network connections between trusted and untrusted networks are controlled.", Prowler: pciNetwork},
	{ID: "1.5.1", Name: "Risks to the CDE from computing devices that are able to connect to both untrusted networks and the CDE are mitigated.", Prowler: pciNetwork},
	{ID: "2.2.5", Name: "System components are configured and managed securely.", Prowler: pciTransportIngress},
	{ID: "2.2.7", Name: "System components are configured and managed securely.", Prowler: []string{"s3_bucket_secure_transport_policy"}},
	{ID: "3.2.1", Name: "Storage of account data is kept to a minimum.", Prowler: pciRetention},
	{ID: "3.3.1.1", Name: "Sensitive authentication data (SAD) is not stored after authorization.", Prowler: pciRetention},
	{ID: "3.3.1.3", Name: "Sensitive authentication data (SAD) is not stored after authorization.", Prowler: pciRetention},
	{ID: "3.3.2", Name: "Sensitive authentication data (SAD) is not stored after authorization.", Prowler: pciRetention},
	{ID: "3.3.3", Name: "Sensitive authentication data (SAD) is not stored after authorization.", Prowler: pciRetention},
	{ID: "3.5.1", Name: "Primary account number (PAN) is secured wherever it is stored.", Prowler: []string{"backup_recovery_point_encrypted", "cloudwatch_log_group_kms_encryption_enabled", "rds_cluster_storage_encrypted", "rds_snapshots_encrypted", "rds_instance_storage_encrypted", "s3_bucket_kms_encryption", "secretsmanager_automatic_rotation_enabled", "sns_topics_kms_encryption_at_rest_enabled"}},
	{ID: "3.5.1.1", Name: "Primary account number (PAN) is secured wherever it is stored.", Prowler: []string{"iam_inline_policy_no_full_access_to_kms", "kms_cmk_not_deleted_unintentionally"}},
	{ID: "3.5.1.3", Name: "Primary account number (PAN) is secured wherever it is stored.", Prowler: []string{"iam_inline_policy_no_full_access_to_kms", "kms_cmk_not_deleted_unintentionally", "rds_instance_no_public_access", "rds_snapshots_public_access", "s3_bucket_public_access", "s3_bucket_public_write_acl"}},
	{ID: "3.6.1", Name: "Cryptographic keys used to protect stored account data are secured.", Prowler: pciKeys},
	{ID: "3.6.1.2", Name: "Cryptographic keys used to protect stored account data are secured.", Prowler: pciKeys},
	{ID: "3.6.1.3", Name: "Cryptographic keys used to protect stored account data are secured.", Prowler: pciKeys},
	{ID: "3.6.1.4", Name: "Cryptographic keys used to protect stored account data are secured.", Prowler: pciKeys},
	{ID: "3.7.1", Name: "Where cryptography is used to protect stored account data, key management processes and procedures covering all aspects of the key lifecycle are defined and implemented.", Prowler: pciKeys},
	{ID: "3.7.2", Name: "Where cryptography is used to protect stored account data, key management processes and procedures covering all aspects of the key lifecycle are defined and implemented.", Prowler: pciKeys},
	{ID: "3.7.4", Name: "Where cryptography is used to protect stored account data, key management processes and procedures covering all aspects of the key lifecycle are defined and implemented.", Prowler: slices.Concat(pciKeys, []string{"kms_cmk_rotation_enabled"})},
	{ID: "3.7.5", Name: "Where cryptography is used to protect stored account data, key management processes and procedures covering all aspects of the key lifecycle are defined and implemented.", Prowler: []string{"kms_cmk_rotation_enabled"}},
	{ID: "3.7.6", Name: "Where cryptography is used to protect stored account data, key management processes and procedures covering all aspects of the key lifecycle are defined and implemented.", Prowler: pciKeys},
	{ID: "3.7.7", Name: "Where cryptography is used to protect stored account data, key management processes and procedures covering all aspects of the key lifecycle are defined and implemented.", Prowler: pciKeys},
	{ID: "4.2.1", Name: "PAN is protected with strong cryptography during transmission.", Prowler: []string{"s3_bucket_secure_transport_policy"}},
	{ID: "4.2.1.1", Name: "PAN is protected with strong cryptography during transmission.", Prowler: slices.Concat(pciKeys, []string{"s3_bucket_secure_transport_policy"})},
	{ID: "5.3.4", Name: "Anti-malware mechanisms and processes are active, maintained, and monitored.", Prowler: []string{"cloudwatch_log_group_retention_policy_specific_days_enabled", "rds_cluster_integration_cloudwatch_logs", "rds_instance_integration_cloudwatch_logs", "vpc_flow_logs_enabled"}},
	{ID: "6.3.3", Name: "Security vulnerabilities are identified and addressed.", Prowler: []string{"rds_instance_minor_version_upgrade_enabled"}},
	{ID: "7.2.1", Name: "Access to system components and data is appropriately defined and assigned.", Prowler: pciAccess},
	{ID: "7.2.2", Name: "Access to system components and data is appropriately defined and assigned.", Prowler: pciAccess},
	{ID: "7.2.3", Name: "Access to system components and data is appropriately defined and assigned.", Prowler: []string{"iam_inline_policy_no_full_access_to_kms"}},
	{ID: "7.2.5", Name: "Access to system components and data is appropriately defined and assigned.", Prowler: pciAccess},
	{ID: "7.2.6", Name: "Access to system components and data is appropriately defined and assigned.", Prowler: []string{"s3_bucket_cross_account_access"}},
	{ID: "7.3.1", Name: "Access to system components and data is managed via an access control system(s).", Prowler: pciAccess},
	{ID: "7.3.2", Name: "Access to system components and data is managed via an access control system(s).", Prowler: pciAccess},
	{ID: "7.3.3", Name: "Access to system components and data is managed via an access control system(s).", Prowler: pciAccess},
	{ID: "8.2.2", Name: "User identification and related accounts for users and administrators are strictly managed throughout an accounts lifecycle.", Prowler: []string{"secretsmanager_automatic_rotation_enabled"}},
	{ID: "8.2.7", Name: "User identification and related accounts for users and administrators are strictly managed throughout an accounts lifecycle.", Prowler: pciAccess},
	{ID: "8.2.8", Name: "User identification and related accounts for users and administrators are strictly managed throughout an accounts lifecycle.", Prowler: pciAccess},
	{ID: "8.3.2", Name: "Strong authentication for users and administrators is established and managed.", Prowler: slices.Concat(pciAtRest, []string{"s3_bucket_secure_transport_policy"})},
	{ID: "8.3.4", Name: "Strong authentication for users and administrators is established and managed.", Prowler: pciAccess},
	{ID: "8.3.5", Name: "Strong authentication for users and administrators is established and managed.", Prowler: []string{"secretsmanager_automatic_rotation_enabled"}},
	{ID: "8.3.7", Name: "Strong authentication for users and administrators is established and managed.", Prowler: []string{"secretsmanager_automatic_rotation_enabled"}},
	{ID: "8.3.9", Name: "Strong authentication for users and administrators is established and managed.", Prowler: []string{"secretsmanager_automatic_rotation_enabled"}},
	{ID: "8.3.10.1", Name: "Strong authentication for users and administrators is established and managed.", Prowler: []string{"secretsmanager_automatic_rotation_enabled"}},
	{ID: "8.6.3", Name: "Use of application and system accounts and associated authentication factors is strictly managed.", Prowler: []string{"secretsmanager_automatic_rotation_enabled"}},
	{ID: "10.2.1", Name: "Audit logs are implemented to support the detection of anomalies and suspicious activity, and the forensic analysis of events.", Prowler: pciAuditLogs},
	{ID: "10.2.1.1", Name: "Audit logs are implemented to support the detection of anomalies and suspicious activity, and the forensic analysis of events.", Prowler: pciAuditLogsAlarm},
	{ID: "10.2.1.2", Name: "Audit logs are implemented to support the detection of anomalies and suspicious activity, and the forensic analysis of events.", Prowler: pciAuditLogs},
	{ID: "10.2.1.3", Name: "Audit logs are implemented to support the detection of anomalies and suspicious activity, and the forensic analysis of events.", Prowler: pciAuditLogs},
	{ID: "10.2.1.4", Name: "Audit logs are implemented to support the detection of anomalies and suspicious activity, and the forensic analysis of events.", Prowler: pciAuditLogs},
	{ID: "10.2.1.5", Name: "Audit logs are implemented to support the detection of anomalies and suspicious activity, and the forensic analysis of events.", Prowler: pciAuditLogs},
	{ID: "10.2.1.6", Name: "Audit logs are implemented to support the detection of anomalies and suspicious activity, and the forensic analysis of events.", Prowler: pciAuditLogs},
	{ID: "10.2.1.7", Name: "Audit logs are implemented to support the detection of anomalies and suspicious activity, and the forensic analysis of events.", Prowler: pciAuditLogs},
	{ID: "10.2.2", Name: "Audit logs are implemented to support the detection of anomalies and suspicious activity, and the forensic analysis of events.", Prowler: pciAuditLogs},
	{ID: "10.3.1", Name: "Audit logs are protected from destruction and unauthorized modifications.", Prowler: pciAuditLogs},
	{ID: "10.3.2", Name: "Audit logs are protected from destruction and unauthorized modifications.", Prowler: []string{"cloudwatch_log_group_kms_encryption_enabled", "rds_instance_no_public_access", "rds_snapshots_public_access", "s3_bucket_public_access", "s3_bucket_public_write_acl"}},
	{ID: "10.3.3", Name: "Audit logs are protected from destruction and unauthorized modifications.", Prowler: []string{"rds_cluster_protected_by_backup_plan", "cloudwatch_log_group_kms_encryption_enabled", "rds_instance_backup_enabled", "rds_instance_protected_by_backup_plan", "s3_bucket_public_access"}},
	{ID: "10.3.4", Name: "Audit logs are protected from destruction and unauthorized modifications.", Prowler: []string{"cloudwatch_log_group_kms_encryption_enabled", "s3_bucket_object_lock", "s3_bucket_public_access", "s3_bucket_object_versioning"}},
	{ID: "10.4.1", Name: "Audit logs are reviewed to identify anomalies or suspicious activity.", Prowler: []string{"cloudwatch_alarm_actions_alarm_state_configured"}},
	{ID: "10.4.1.1", Name: "Audit logs are reviewed to identify anomalies or suspicious activity.", Prowler: []string{"cloudwatch_alarm_actions_alarm_state_configured"}},
	{ID: "10.4.2", Name: "Audit logs are reviewed to identify anomalies or suspicious activity.", Prowler: []string{"cloudwatch_alarm_actions_alarm_state_configured"}},
	{ID: "10.4.3", Name: "Audit logs are reviewed to identify anomalies or suspicious activity.", Prowler: []string{"cloudwatch_alarm_actions_alarm_state_configured"}},
	{ID: "10.5.1", Name: "Audit log history is retained and available for analysis.", Prowler: []string{"cloudwatch_log_group_retention_policy_specific_days_enabled", "s3_bucket_lifecycle_enabled"}},
	{ID: "10.6.3", Name: "Time-synchronization mechanisms support consistent time settings across all systems.", Prowler: []string{"cloudwatch_alarm_actions_alarm_state_configured", "rds_cluster_integration_cloudwatch_logs", "rds_instance_integration_cloudwatch_logs", "s3_bucket_cross_account_access", "vpc_flow_logs_enabled"}},
	{ID: "10.7.1", Name: "Failures of critical security control systems are detected, reported, and responded to promptly.", Prowler: []string{"cloudwatch_alarm_actions_alarm_state_configured"}},
	{ID: "10.7.2", Name: "Failures of critical security control systems are detected, reported, and responded to promptly.", Prowler: []string{"cloudwatch_alarm_actions_alarm_state_configured"}},
	{ID: "11.5.2", Name: "Network intrusions and unexpected file changes are detected and responded to.", Prowler: []string{"cloudwatch_alarm_actions_alarm_state_configured"}},
	{ID: "11.6.1", Name: "Unauthorized changes on payment pages are detected and responded to.", Prowler: []string{"cloudwatch_alarm_actions_alarm_state_configured"}},
	{ID: "12.10.5", Name: "Suspected and confirmed security incidents that could impact the CDE are responded to immediately.", Prowler: []string{"cloudwatch_alarm_actions_alarm_state_configured"}},
	{ID: "A1.1.2", Name: "Multi-tenant service providers protect and separate all customer environments and data.", Prowler: pciPublic},
	{ID: "A1.1.3", Name: "Multi-tenant service providers protect and separate all customer environments and data.", Prowler: pciNetwork},
	{ID: "A1.2.1", Name: "Multi-tenant service providers facilitate logging and incident response for all customers.", Prowler: slices.Concat(pciAuditLogs, []string{"cloudwatch_log_group_kms_encryption_enabled", "s3_bucket_public_access"})},
	{ID: "A3.3.1", Name: "PCI DSS is incorporated into business-as-usual (BAU) activities.", Prowler: []string{"cloudwatch_alarm_actions_alarm_state_configured"}},
	{ID: "A3.4.1", Name: "Logical access to the cardholder data environment is controlled and managed.", Prowler: pciPublic},
	{ID: "A3.5.1", Name: "Suspicious events are identified and responded to.", Prowler: []string{"cloudwatch_alarm_actions_alarm_state_configured"}},
}
