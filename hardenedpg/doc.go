// Package hardenedpg provisions Amazon RDS for PostgreSQL hardened by default, as Pulumi component
// resources.
//
// NewDatabase composes every component from one DatabaseArgs, which groups the settings of each
// part (Instance, Network, Logs, Archive, Alerts, Backup, Replication, Keys); each component
// (EncryptionKey, SecurityGroup, ParameterGroup, SubnetGroup, Instance, AuditLogShipping,
// AuditArchive, Alerts, BackupPlan, BackupReplication) can also be used alone, its Args being the
// same settings plus the inputs a Database would wire. BootstrapSQL renders the least-privilege
// SQL run once inside the database.
// The zero value of every setting is the hardened choice: a relaxation is a setting made weaker
// plus a waiver naming the control of package baseline it relaxes, with a reason. Invalid args
// return one error listing every problem, each under the path of its setting
// (Alerts.CPUPercent), before any resource is registered.
package hardenedpg
