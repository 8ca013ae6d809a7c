package baseline

import (
	"slices"
	"strings"
)

// backupControls are the controls of backups: the plan, the vault and an independent copy, each with its check.
var backupControls = []Control{
	{Key: "backup-plan", Title: "An AWS Backup plan covers the instance or cluster", Severity: Medium, Reads: storageTypes, Waivable: true,
		Refs: Refs{SecurityHub: []string{"RDS.26"}, Prowler: []string{"rds_instance_protected_by_backup_plan", "rds_cluster_protected_by_backup_plan"}, Checkov: []string{"CKV2_AWS_8"}, CdkNag: []string{"RDSInBackupPlan"}},
		check: primaryCheck("an AWS Backup selection covers the instance or cluster", replicaBackedUpBySource, func(g *Graph, f *finding, inst Resource, _ map[string]any) {
			for _, sel := range g.ofType(TypeBackupSelection) {
				if g.refersAny(stringList(sel.Inputs, "resources"), inst, "arn") {
					f.read(sel)
					return
				}
			}
			f.fail("%s: no backup selection names %s", inst.Name, arnOrName(inst))
		}),
	},
	{Key: "backup-vault-cmk", Title: "The backup vault has its own key", Severity: Medium, Reads: []string{TypeBackupVault},
		Refs: Refs{SecurityHub: []string{"Backup.1"}, Prowler: []string{"backup_vaults_encrypted", "backup_recovery_point_encrypted"}, Checkov: []string{"CKV_AWS_166"}},
		check: func(g *Graph) finding {
			f := finding{holds: "every vault has its own stack key, distinct from the storage key"}
			storage := map[string]bool{}
			for _, inst := range g.ofType(storageTypes...) {
				if k, ok := g.keyByArn(get(inst.Inputs, "kmsKeyId")); ok {
					storage[k.URN] = true
				}
			}
			for _, v := range g.ofType(TypeBackupVault) {
				f.read(v)
				if k, ok := g.keyByArn(get(v.Inputs, "kmsKeyArn")); !ok {
					f.fail("%s: kmsKeyArn is %s, want a key of the stack", v.Name, show(get(v.Inputs, "kmsKeyArn")))
				} else if storage[k.URN] {
					f.fail("%s: uses the instance's storage key; a backup must survive that key's loss", v.Name)
				}
			}
			return f
		},
	},
	{Key: "backup-vault-lock", Title: "The backup vault is locked", Severity: Medium, Reads: []string{TypeBackupVault},
		check: func(g *Graph) finding {
			f := finding{holds: "every vault is locked with minimum and maximum retention"}
			for _, v := range g.ofType(TypeBackupVault) {
				f.read(v)
				locks := g.referring(TypeBackupVaultLock, "backupVaultName", v, "name")
				if len(locks) == 0 {
					f.fail("%s: no vault lock configuration", v.Name)
					continue
				}
				f.read(locks[0])
				for _, k := range []string{"minRetentionDays", "maxRetentionDays"} {
					if _, ok := num(locks[0].Inputs, k); !ok {
						f.fail("%s: %s is unset", locks[0].Name, k)
					}
				}
			}
			return f
		},
	},
	// AWS Backup does not re-encrypt RDS snapshots with the vault key ("Independent encryption: not
	// supported" for RDS, https://docs.aws.amazon.com/aws-backup/latest/devguide/encryption.html): the
	// recovery points stay under the storage key, and only a copy elsewhere survives its loss.
	{Key: "backup-independent-copy", Title: "A copy of the backups lives under another key, in another region or account", Severity: High, Reads: storageTypes, Waivable: true,
		Refs: Refs{Checkov: []string{"CKV_AWS_245"}},
		check: primaryCheck("automated backups replicated, or AWS Backup copies made, under a key other than the storage key in another region or account", replicaBackedUpBySource,
			func(g *Graph, f *finding, inst Resource, in map[string]any) {
				if multiAZCluster(inst) {
					// Nothing copies them: "copying a Multi-AZ DB cluster snapshot is not supported"
					// (https://docs.aws.amazon.com/aws-backup/latest/devguide/recov-point-create-a-copy.html), and
					// "Automated backup replication isn't supported for Multi-AZ DB clusters"
					// (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReplicateBackups.html). A copy
					// rule would pass here and fail every job.
					f.fail("%s: a Multi-AZ DB cluster's backups stay under its storage key, in its own region and account: AWS Backup does not copy its snapshots and RDS does not replicate its automated backups", inst.Name)
					return
				}
				// The database's account is read only where a copy is compared with it.
				instArn := func() string { return str(inst.Outputs, "arn") }
				for _, r := range g.ofType(TypeBackupReplication) {
					key := get(r.Inputs, "kmsKeyId")
					if !g.refers(get(r.Inputs, "sourceDbInstanceArn"), inst, "arn") {
						continue
					}
					f.read(r)
					k, stackKey := g.keyByArn(key)
					if !stackKey {
						f.fail("%s: kmsKeyId %s is not a key of the stack", r.Name, show(key))
						continue
					}
					if !g.sameKey(key, get(in, "kmsKeyId")) && elsewhere(k, inst) {
						return
					}
					f.fail("%s: kmsKeyId %s is the storage key or in the instance's own region and account", r.Name, show(key))
				}
				for _, sel := range g.ofType(TypeBackupSelection) {
					if !g.refersAny(stringList(sel.Inputs, "resources"), inst, "arn") {
						continue
					}
					for _, plan := range g.ofType(TypeBackupPlan) {
						if !g.refers(get(sel.Inputs, "planId"), plan, "id") {
							continue
						}
						f.read(plan)
						for _, rule := range items(plan.Inputs, "rules") {
							rm, _ := rule.(map[string]any)
							for _, c := range items(rm, "copyActions") {
								vault := str(c.(map[string]any), "destinationVaultArn")
								account := ArnField(vault, 4)
								// The database's region is its provider's; its account is read off its ARN only
								// where the key does not settle it.
								region, own := placeOf(inst)
								sameAccount := func() bool {
									if own == "" {
										own = ArnField(instArn(), 4)
									}
									return account == own
								}
								// Known to be the database's own account: no key needs to admit it.
								ownKnown := own != "" && sameAccount()
								switch {
								case ArnField(vault, 3) == region && sameAccount():
								case !ownKnown && !keyAdmitsAccount(g, f, get(in, "kmsKeyId"), account, "kms:Decrypt", "kms:CreateGrant") && !sameAccount():
									// RDS recovery points stay under the storage key: another account can copy them only
									// when the key is shared with it (https://aws.amazon.com/blogs/storage/how-encryption-works-in-aws-backup/).
									f.fail("%s: copies to %s, but the storage key %s does not let account %s kms:Decrypt and kms:CreateGrant, so every copy job fails", plan.Name, vault, show(get(in, "kmsKeyId")), account)
									return
								default:
									return // a copy into another region, or an account the key is shared with, survives the key's loss there
								}
							}
						}
					}
				}
				if inst.Type == TypeCluster {
					// Aurora has no automated backup replication: AWS Backup copies are its cross-region path.
					f.fail("%s: its backups exist only under its storage key, in its own region and account: copy them (backupCopyToVaultArn)", inst.Name)
					return
				}
				f.fail("%s: its backups exist only under its storage key, in its own region and account: replicate them (backupReplicationRegion) or copy them (backupCopyToVaultArn)", inst.Name)
			}),
	},
}

// keyAdmitsAccount reports whether the stack key keyArn lets principals of account perform every
// action (an Allow naming the account's root or one of its roles or users).
func keyAdmitsAccount(g *Graph, f *finding, keyArn any, account string, actions ...string) bool {
	key, ok := g.keyByArn(keyArn)
	if !ok {
		return false
	}
	f.read(key)
	statements, err := parsePolicy(str(key.Inputs, "policy"))
	if err != nil {
		return false
	}
	for _, action := range actions {
		allowed := false
		for _, st := range statements {
			p, _ := st.Principal.(map[string]any)
			if st.Effect == "Allow" && actionCovered(st.Action, action) && slices.ContainsFunc(Strings(p["AWS"]), func(arn string) bool {
				return arn == account || strings.HasPrefix(arn, "arn:") && ArnField(arn, 4) == account
			}) {
				allowed = true
			}
		}
		if !allowed {
			return false
		}
	}
	return true
}
