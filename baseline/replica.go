package baseline

import "strings"

// What RDS does not offer on a read replica of an RDS for PostgreSQL instance, with the source
// that says so; a replica is not judged on it, and the row says why.
const (
	// CreateDBInstanceReadReplica takes no MasterUsername, MasterUserPassword nor
	// ManageMasterUserPassword: a replica has its source's users (RDS API Reference,
	// CreateDBInstanceReadReplica; terraform-aws-rds leaves them out of a replica for that reason).
	replicaInheritsUsers = "a read replica has its source's master user and password (CreateDBInstanceReadReplica takes neither)"
	// A replica holds its source's data, restored from the source's backups and kept by them.
	replicaBackedUpBySource = "a read replica holds its source's data, which the source's backups keep"
)

// replicaOf reports whether r is a read replica (an instance with replicateSourceDb), and the
// source it names when the stack holds it.
func (g *Graph) replicaOf(r Resource) (source Resource, isReplica, sourceHere bool) {
	if r.Type != TypeInstance || !given(r.Inputs, "replicateSourceDb") {
		return Resource{}, false, false
	}
	named := get(r.Inputs, "replicateSourceDb")
	for _, s := range g.ofType(TypeInstance) {
		if s.URN == r.URN {
			continue
		}
		if id, _ := s.Inputs["identifier"].(string); id != "" && named == id || g.refers(named, s, "arn") {
			return s, true, true
		}
	}
	return Resource{}, true, false
}

// replicasOf are the read replicas in the stack that name source.
func (g *Graph) replicasOf(source Resource) []Resource {
	var out []Resource
	for _, r := range g.ofType(TypeInstance) {
		if s, _, here := g.replicaOf(r); here && s.URN == source.URN {
			out = append(out, r)
		}
	}
	return out
}

// primaryCheck is storageCheck for what a read replica takes from its source: replicas are not
// judged, and the row names them with why; with only replicas, the control does not apply.
func primaryCheck(holds, why string, fn func(g *Graph, f *finding, r Resource, in map[string]any)) check {
	return func(g *Graph) finding {
		f := finding{holds: holds}
		var replicas []string
		judged := 0
		for _, r := range g.ofType(storageTypes...) {
			f.read(r)
			if _, replica, _ := g.replicaOf(r); replica {
				replicas = append(replicas, r.Name)
				continue
			}
			judged++
			scoped(func() { fn(g, &f, r, r.Inputs) })
		}
		if len(replicas) > 0 {
			note := "read replica " + strings.Join(replicas, ", ") + " not judged: " + why
			if judged == 0 {
				f.notApplicable = note
			} else {
				f.holds += "; " + note
			}
		}
		return f
	}
}

// replicaEncryption judges a read replica that sets neither storageEncrypted nor kmsKeyId: RDS
// encrypts it as its source in the source's region, and a replica in another region only with a
// key of that region (CreateDBInstanceReadReplica, KmsKeyId).
func replicaEncryption(f *finding, replica, source Resource, sourceHere bool) {
	switch {
	case !sourceHere:
		f.lacks("%s: a read replica of %s, which is not in the stack: it has its source's encryption, judged where the source is", replica.Name, show(get(replica.Inputs, "replicateSourceDb")))
	case !sameRegion(source, replica):
		f.fail("%s: a read replica in another region than its source %s, without kmsKeyId: RDS encrypts it only with a key of the replica's region", replica.Name, source.Name)
	default:
		if v, _ := boolean(source.Inputs, "storageEncrypted"); !v {
			f.fail("%s: a read replica of %s, whose storageEncrypted is %s: a replica has its source's encryption", replica.Name, source.Name, show(get(source.Inputs, "storageEncrypted")))
		}
	}
}

// sameRegion reports whether a and b are known to live in one region.
func sameRegion(a, b Resource) bool {
	ra, _ := placeOf(a)
	rb, _ := placeOf(b)
	return ra != "" && ra == rb
}
