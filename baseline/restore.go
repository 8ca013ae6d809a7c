package baseline

// An RDS instance restored from a snapshot or to a point in time keeps the encryption of what it
// is restored from: RestoreDBInstanceFromDBSnapshot and RestoreDBInstanceToPointInTime take no
// KMS key (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBInstanceFromDBSnapshot.html,
// API_RestoreDBInstanceToPointInTime.html), and the provider does not send kmsKeyId with them.
// Its own kmsKeyId and storageEncrypted are then a claim, and the controls read the source. An
// Aurora cluster's restores take KmsKeyId, so a cluster's inputs are what AWS does.

// storageOrigin is where an instance's encryption comes from: its own inputs (restored false), or
// the resource or look-up it is restored from (in), with what was restored (what). Without
// evidence of the source, known is false.
type storageOrigin struct {
	restored bool
	snapshot bool // restored from a snapshot, not a point in time
	what     string
	in       map[string]any
	from     string // the resource or look-up read
	known    bool
	// lookedUp says the source is known from a look-up, not a resource of the stack.
	lookedUp bool
}

func (g *Graph) storageOrigin(r Resource) storageOrigin {
	if r.Type != TypeInstance {
		return storageOrigin{}
	}
	if given(r.Inputs, "snapshotIdentifier") {
		snap := get(r.Inputs, "snapshotIdentifier")
		o := storageOrigin{restored: true, snapshot: true, what: "snapshot " + str(r.Inputs, "snapshotIdentifier")}
		if pendingURN(snap) != "" {
			o.what = "the snapshot " + pendingURN(snap) + " makes"
		}
		for _, c := range g.ofType(TypeSnapshotCopy) {
			if g.refers(snap, c, "dbSnapshotArn") || g.refers(snap, c, "id") || snap == get(c.Inputs, "targetDbSnapshotIdentifier") {
				// CopyDBSnapshot with a KMS key re-encrypts the copy under it, an unencrypted source included
				// (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CopyDBSnapshot.html).
				if given(c.Inputs, "kmsKeyId") {
					o.in, o.from, o.known = map[string]any{"storageEncrypted": true, "kmsKeyId": get(c.Inputs, "kmsKeyId")}, c.Name, true
				}
			}
		}
		return o
	}
	pitr, _ := get(r.Inputs, "restoreToPointInTime").(map[string]any)
	if pitr == nil {
		return storageOrigin{}
	}
	source := str(pitr, "sourceDbInstanceIdentifier")
	o := storageOrigin{restored: true, what: "a point in time of " + source}
	if source == "" {
		o.what = "a point in time of " + str(pitr, "sourceDbInstanceAutomatedBackupsArn") + str(pitr, "sourceDbiResourceId")
		return o
	}
	for _, src := range withName(g, TypeInstance, "identifier", source) {
		if src.URN != r.URN {
			return storageOrigin{restored: true, what: o.what, in: src.Inputs, from: src.Name, known: true}
		}
	}
	for _, inv := range g.Invokes {
		if inv.Token == InvokeDBInstance && str(inv.Args, "dbInstanceIdentifier") == source && inv.Err == "" {
			return storageOrigin{restored: true, what: o.what, in: inv.Result, from: "its look-up", known: true, lookedUp: true}
		}
	}
	return o
}
