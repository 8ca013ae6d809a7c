package baseline

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

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

// engineInputs are what a read replica runs as its source does: CreateDBInstanceReadReplica takes
// no Engine, EngineVersion nor EngineLifecycleSupport.
var engineInputs = []string{"engine", "engineVersion", "engineLifecycleSupport"}

// inheritedInputs are r's inputs, with a read replica's engine inputs taken from its source in the
// stack where the replica sets none.
func (g *Graph) inheritedInputs(r Resource) map[string]any {
	source, replica, here := g.replicaOf(r)
	if !replica || !here {
		return r.Inputs
	}
	in := maps.Clone(r.Inputs)
	for _, k := range engineInputs {
		if _, set := in[k]; !set {
			if v, ok := source.Inputs[k]; ok {
				in[k] = v
			}
		}
	}
	return in
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

// OwnMasterSecretPrefix begins the name of the master secret a source of read replicas keeps
// itself (Secrets Manager adds a suffix): the library names it so, and the live audit finds it so.
func OwnMasterSecretPrefix(identifier string) string { return identifier + "-master-" }

// maxRotationDays is the longest rotation schedule of a stack-owned master secret: CIS and
// Security Hub SecretsManager.4 ask for 90 days at most, and a password that Pulumi's state once
// held is made stale sooner.
const maxRotationDays = 30

// stackOwnedSecret judges the master password of a source of read replicas, which RDS cannot
// manage: generated in the stack (random.RandomPassword), kept in a secret of the stack under a
// stack key, and rotated by Secrets Manager right after creation (so the copy in Pulumi's state
// is stale before the first up ends) and then every maxRotationDays or sooner; a pass says so in
// the row.
func stackOwnedSecret(g *Graph, f *finding, inst Resource) {
	var password *Resource
	for _, urn := range inst.PropertyDependencies["password"] {
		for i, r := range g.Resources {
			if r.URN == urn && r.Type == TypeRandomPassword {
				password = &g.Resources[i]
			}
		}
	}
	if password == nil {
		f.fail("%s: its password input is not generated in the stack (random.RandomPassword): a password written in code or config is known to whoever reads them", inst.Name)
		return
	}
	f.read(*password)
	var secret *Resource
	for _, v := range g.ofType(TypeSecretVersion) {
		if !slices.Contains(v.PropertyDependencies["secretString"], password.URN) {
			continue
		}
		f.read(v)
		for i, s := range g.Resources {
			if s.Type == TypeSecret && (g.refers(get(v.Inputs, "secretId"), s, "arn") || g.refers(get(v.Inputs, "secretId"), s, "id")) {
				secret = &g.Resources[i]
			}
		}
	}
	if secret == nil {
		f.fail("%s: its generated password %s is kept in no secret of the stack: nothing can rotate it", inst.Name, password.Name)
		return
	}
	f.read(*secret)
	if _, ok := g.keyByArn(get(secret.Inputs, "kmsKeyId")); !ok {
		f.fail("%s: master secret %s: kmsKeyId is %s, want a customer-managed key of the stack", inst.Name, secret.Name, show(get(secret.Inputs, "kmsKeyId")))
		return
	}
	for _, rot := range g.ofType(TypeSecretRotation) {
		id := get(rot.Inputs, "secretId")
		if !g.refers(id, *secret, "arn") && !g.refers(id, *secret, "id") {
			continue
		}
		f.read(rot)
		rules, _ := get(rot.Inputs, "rotationRules").(map[string]any)
		days, _ := num(rules, "automaticallyAfterDays")
		switch {
		case !given(rot.Inputs, "rotationLambdaArn"):
			f.fail("%s: %s names no rotation function", inst.Name, rot.Name)
		case get(rot.Inputs, "rotateImmediately") == false:
			f.fail("%s: %s waits for its schedule: the password in Pulumi's state stays valid until then; rotate immediately", inst.Name, rot.Name)
		case days < 1 || days > maxRotationDays:
			f.fail("%s: %s: rotationRules.automaticallyAfterDays is %s, want 1 to %d", inst.Name, rot.Name, show(get(rules, "automaticallyAfterDays")), maxRotationDays)
		default:
			f.holds += fmt.Sprintf("; %s: a source of read replicas, so its master password is the stack's own (secret %s under a stack key), rotated at once and every %v days", inst.Name, secret.Name, days)
			return
		}
		return
	}
	f.fail("%s: master secret %s has no rotation: the password the stack generated, which Pulumi's state holds, stays valid; rotate it at once and every %d days or sooner (aws:secretsmanager/secretRotation)", inst.Name, secret.Name, maxRotationDays)
}

// liveOwnedSecret judges, in a live account, the master secret a source of read replicas keeps
// itself (the audit finds it by the library's name, <identifier>-master-…): under a stack key,
// its rotation on and due every maxRotationDays or sooner. Whether the rotation runs on time is
// rds-secret-rotation's.
func liveOwnedSecret(g *Graph, f *finding, inst Resource, arn any) {
	secrets := g.referred(TypeSecret, "arn", arn)
	if len(secrets) == 0 {
		f.lacks("%s: its master secret %s was not read", inst.Name, show(arn))
		return
	}
	secret := secrets[0]
	f.read(secret)
	days, _ := num(secret.Outputs, "rotationDays")
	switch _, stackKey := g.keyByArn(get(secret.Inputs, "kmsKeyId")); {
	case !stackKey:
		f.fail("%s: master secret %s: kmsKeyId is %s, want a customer-managed key of the stack", inst.Name, secret.Name, show(get(secret.Inputs, "kmsKeyId")))
	case get(secret.Outputs, "rotationEnabled") != true:
		f.fail("%s: master secret %s: rotation is off: the password the stack generated stays valid", inst.Name, secret.Name)
	case days < 1 || days > maxRotationDays:
		f.fail("%s: master secret %s rotates every %s days, want 1 to %d", inst.Name, secret.Name, show(get(secret.Outputs, "rotationDays")), maxRotationDays)
	default:
		f.holds += fmt.Sprintf("; %s: a source of read replicas, so its master password is the stack's own (secret %s under a stack key), rotated every %v days", inst.Name, secret.Name, days)
	}
}
