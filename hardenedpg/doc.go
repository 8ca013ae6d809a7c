// Package hardenedpg provisions Amazon RDS for PostgreSQL hardened by default, as Pulumi component
// resources.
//
// NewDatabase composes every component from one DatabaseArgs; each component (EncryptionKey,
// SecurityGroup, ParameterGroup, SubnetGroup, Instance, AuditLogShipping, AuditArchive, Alerts,
// BackupPlan, BackupReplication) can also be used alone. BootstrapSQL renders the least-privilege
// SQL run once inside the database.
// The zero value of every Args field is the hardened choice: a relaxation is a field set to a
// weaker value plus a waiver naming the control of package baseline it relaxes, with a reason.
// Invalid args return one error listing every problem before any resource is registered.
package hardenedpg
