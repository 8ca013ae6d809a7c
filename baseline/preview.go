package baseline

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// At a first preview, what AWS assigns (IDs, ARNs, generated names) is unknown, and so is every
// input made from it: an instance's kmsKeyId, its security groups, a subscription's topic. The
// engine still knows which resource each input comes from (propertyDependencies), so the graph
// links such an input to that resource, and a control judges the resource it will be: a key's
// rotation, a group's rules, a topic's subscribers. A check's verdict depends only on the inputs it
// reads: an unknown input it does not read changes nothing.

// pendingPrefix marks an input that is unknown until apply and that the engine says comes from
// one resource: "[unknown from <URN>, for <name>.<key>]".
const (
	pendingPrefix = "[unknown from "
	pendingFor    = ", for "
)

// Pending is the value that stands, in input key of the resource named name, for an output of the
// resource urn that is unknown until apply. Each input has its own, so a check that follows one
// has not followed another.
func Pending(urn, name, key string) string {
	return pendingPrefix + urn + pendingFor + name + "." + key + "]"
}

// pendingURN is the resource a pending value comes from ("" when v is not one).
func pendingURN(v any) string {
	s, _ := v.(string)
	rest, ok := strings.CutPrefix(s, pendingPrefix)
	if !ok {
		return ""
	}
	urn, _, _ := strings.Cut(rest, pendingFor)
	return urn
}

// link replaces each unknown input that comes from resources the engine names with their pending
// values: a whole value from one resource, or the unknown items of a list, one per resource the
// known items do not name. It copies a map before changing it, so a recorder's resources are not
// changed, and is idempotent.
func (g *Graph) link() {
	custom := map[string]bool{}
	for _, r := range g.Resources {
		custom[r.URN] = r.Custom
	}
	for i := range g.Resources {
		r := &g.Resources[i]
		var changed map[string]any
		for _, k := range slices.Sorted(maps.Keys(r.PropertyDependencies)) {
			v, ok := r.Inputs[k]
			if !ok || !holdsUnknown(v) {
				continue
			}
			var from []string
			for _, urn := range r.PropertyDependencies[k] {
				if custom[urn] && !slices.Contains(from, urn) {
					from = append(from, urn)
				}
			}
			slices.Sort(from)
			linked, ok := linkValue(v, from, func(urn string) string { return Pending(urn, r.Name, k) })
			if !ok {
				continue
			}
			if changed == nil {
				changed = maps.Clone(r.Inputs)
			}
			changed[k] = linked
		}
		if changed != nil {
			if sameMap(r.Outputs, r.Inputs) {
				r.Outputs = changed // a policy pack's resource: one map serves as both
			}
			r.Inputs = changed
			g.byType, g.owners = nil, nil // the indexes hold copies of the resources and their maps
		}
	}
}

// linkValue gives the unknowns of v the resources in from, when which is which can be told: one
// resource provides every unknown; or a list has as many unknown items as resources (a list of
// IDs, whose order does not matter to the checks).
func linkValue(v any, from []string, pending func(urn string) string) (any, bool) {
	if len(from) == 1 {
		return replaceUnknown(v, pending(from[0])), true
	}
	list, isList := v.([]any)
	if !isList || len(from) == 0 {
		return nil, false
	}
	var unknown []int
	for i, e := range list {
		switch {
		case e == Unknown:
			unknown = append(unknown, i)
		case holdsUnknown(e):
			return nil, false
		}
	}
	if len(unknown) != len(from) {
		return nil, false
	}
	out := slices.Clone(list)
	for n, i := range unknown {
		out[i] = pending(from[n])
	}
	return out, true
}

func replaceUnknown(v any, with string) any {
	switch x := v.(type) {
	case string:
		if x == Unknown {
			return with
		}
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = replaceUnknown(e, with)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = replaceUnknown(e, with)
		}
		return out
	}
	return v
}

func sameMap(a, b map[string]any) bool { return a != nil && b != nil && mapID(a) == mapID(b) }

// refers reports whether v, a value that names a resource, names r by field ("id", or an output
// such as "arn" or "name"): r's known value, or a pending value from r itself. A pending value
// compared this way is evidence the check used, whether it names r or another resource.
func (g *Graph) refers(v any, r Resource, field string) bool {
	if v == nil {
		return false
	}
	if urn := pendingURN(v); urn != "" {
		noteFollowed(v.(string))
		return urn == r.URN
	}
	if s, isString := v.(string); field == "arn" && isString && (!strings.HasPrefix(s, "arn:") || cannotName(s, r)) {
		return false // an alias or a name is no ARN, whatever r's turns out to be
	}
	have := any(r.ID)
	if field != "id" {
		have = get(r.Outputs, field)
	}
	if (have == nil || have == "") && field == "arn" {
		return predictedArn(r, v)
	}
	return have != nil && have != "" && have == v
}

// arnKinds are the service and resource type in the ARNs of resources that checks find by ARN.
var arnKinds = map[string][2]string{TypeRole: {"iam", "role/"}, TypeKey: {"kms", "key/"}, TypeSecret: {"secretsmanager", "secret:"}}

// cannotName reports, without reading r's ARN, that arn is not r's: it is of another kind; for a
// role, it ends in another name than the role's own, which the program gives (or the provider
// plans) before AWS assigns the ARN; for a key or secret not yet created, it is written down
// already, and KMS makes up a key's ID when it creates the key, Secrets Manager six characters of
// a secret's ARN.
func cannotName(arn string, r Resource) bool {
	kind, ok := arnKinds[r.Type]
	if !ok {
		return false
	}
	resource := ArnField(arn, 5)
	if ArnField(arn, 2) != kind[0] || !strings.HasPrefix(resource, kind[1]) {
		return true
	}
	if r.Type == TypeKey && r.Custom && r.ID == "" {
		return true
	}
	if arn, _ := r.Outputs["arn"].(string); r.Type == TypeSecret && r.Custom && (arn == "" || holdsUnknown(arn)) {
		return true
	}
	if r.Type == TypeRole {
		if name := str(r.Inputs, "name"); name != "" && !holdsUnknown(name) && pendingURN(name) == "" {
			return resource[strings.LastIndex(resource, "/")+1:] != name
		}
	}
	return false
}

// predictedArn reports whether v is the ARN a database not yet created will have: RDS names it
// by its identifier (arn:PARTITION:rds:REGION:ACCOUNT:db:ID or :cluster:ID), so a program may
// write it before AWS returns it.
func predictedArn(r Resource, v any) bool {
	s, _ := v.(string)
	kind, key := map[string]string{TypeInstance: "db", TypeCluster: "cluster"}[r.Type], exportIdentifierKey(r)
	id := str(r.Inputs, key)
	return kind != "" && id != "" && strings.HasPrefix(s, "arn:") && ArnField(s, 2) == "rds" && strings.HasSuffix(s, ":"+kind+":"+id)
}

// referred finds the resources of typ that v names by field.
func (g *Graph) referred(typ, field string, v any) []Resource {
	var out []Resource
	for _, r := range g.ofType(typ) {
		if g.refers(v, r, field) {
			out = append(out, r)
		}
	}
	return out
}

// referring finds the resources of typ whose input key names target by field.
func (g *Graph) referring(typ, key string, target Resource, field string) []Resource {
	var out []Resource
	for _, r := range g.ofType(typ) {
		if g.refers(get(r.Inputs, key), target, field) {
			out = append(out, r)
		}
	}
	return out
}

// readTracker records, while one control is evaluated, the top-level inputs and outputs its check
// read and the pending values it followed to their resource. The checks read through get, str,
// boolean, num, stringList, items and object, which note what they read of a resource's own maps.
type readTracker struct {
	owner    map[uintptr]int // a resource's Inputs or Outputs map -> its index in the graph (Graph.owners)
	read     map[int]map[string]bool
	followed map[string]bool // pending values compared with a resource
	// seenUnknown says the check has read a value unknown until apply, or a pending one.
	seenUnknown bool
}

var (
	// evaluating serializes evaluations (a check runs in microseconds): the helpers find the
	// tracker of the one running without a finding to carry it. A graph itself is evaluated by one
	// goroutine at a time, as its lazy index already requires.
	evaluating sync.Mutex
	tracking   atomic.Pointer[readTracker]
)

func mapID(m map[string]any) uintptr { return uintptr(reflect.ValueOf(m).UnsafePointer()) }

// track runs fn with reads of g's resources recorded.
func track(g *Graph, fn func()) *readTracker {
	if g.owners == nil {
		g.owners = map[uintptr]int{}
		for i, r := range g.Resources {
			for _, m := range []map[string]any{r.Inputs, r.Outputs} {
				if m != nil {
					g.owners[mapID(m)] = i
				}
			}
		}
	}
	t := &readTracker{owner: g.owners, read: map[int]map[string]bool{}, followed: map[string]bool{}}
	evaluating.Lock()
	defer evaluating.Unlock()
	tracking.Store(t)
	defer tracking.Store(nil)
	fn()
	return t
}

// noteRead records that a check read key of m, when m is a resource's own map.
func noteRead(m map[string]any, key string) {
	t := tracking.Load()
	if t == nil || m == nil {
		return
	}
	i, ok := t.owner[mapID(m)]
	if !ok {
		return
	}
	if t.read[i] == nil {
		t.read[i] = map[string]bool{}
	}
	t.read[i][key] = true
	if v, ok := m[key]; ok && (holdsUnknown(v) || len(pendingIn(v)) > 0) || !ok && key == "arn" {
		t.seenUnknown = true
	}
}

func noteFollowed(pending string) {
	if t := tracking.Load(); t != nil {
		t.followed[pending] = true
	}
}

// unknownRead lists, as "name.key", what the check read that is unknown until apply: a value
// unknown anywhere inside, or a pending value it did not follow to its resource.
func (t *readTracker) unknownRead(g *Graph) []string {
	var out []string
	for _, i := range slices.Sorted(maps.Keys(t.read)) {
		r := g.Resources[i]
		for _, k := range slices.Sorted(maps.Keys(t.read[i])) {
			v, ok := r.Inputs[k]
			if !ok {
				v, ok = r.Outputs[k]
			}
			// An ARN AWS has not assigned yet is no value: a resource without an ID is not created.
			assigned := ok || k != "arn" || !r.Custom || r.ID != ""
			if !assigned || holdsUnknown(v) || slices.ContainsFunc(pendingIn(v), func(p string) bool { return !t.followed[p] }) {
				out = append(out, r.Name+"."+k)
			}
		}
	}
	return out
}

// pendingIn lists the pending values v holds.
func pendingIn(v any) []string {
	switch x := v.(type) {
	case string:
		if pendingURN(x) != "" {
			return []string{x}
		}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, pendingIn(e)...)
		}
		return out
	case map[string]any:
		var out []string
		for _, e := range x {
			out = append(out, pendingIn(e)...)
		}
		return out
	}
	return nil
}

// get reads key of m; the checks read inputs through it (or the typed helpers) so that what they
// read is known.
func get(m map[string]any, key string) any {
	noteRead(m, key)
	return m[key]
}

// withName finds the resources of typ whose input key is name, a name the program gives (a log
// group's), known at preview.
func withName(g *Graph, typ, key, name string) []Resource {
	var out []Resource
	for _, r := range g.ofType(typ) {
		if str(r.Inputs, key) == name {
			out = append(out, r)
		}
	}
	return out
}

// refersAny reports whether any of vs names r by field.
func (g *Graph) refersAny(vs []string, r Resource, field string) bool {
	return slices.ContainsFunc(vs, func(v string) bool { return g.refers(v, r, field) })
}

// given reports whether input key is set: a known non-empty value, or a pending one, which comes
// from a resource and so is set at apply (a name, an ARN, an ID).
func given(m map[string]any, key string) bool {
	v := get(m, key)
	if s, ok := v.(string); ok && pendingURN(s) != "" {
		noteFollowed(s)
		return true
	}
	return v != nil && v != ""
}

// followAll says the check takes vs as references to other resources, whose text it does not
// judge: a pending one among them is not evidence it lacks.
func followAll(vs ...string) {
	for _, v := range vs {
		if pendingURN(v) != "" {
			noteFollowed(v)
		}
	}
}

// sameKey reports whether two key references name the same key: the same stack key, pending or
// not, or the same text.
func (g *Graph) sameKey(a, b any) bool {
	ka, okA := g.keyByArn(a)
	kb, okB := g.keyByArn(b)
	if okA || okB {
		return okA && okB && ka.URN == kb.URN
	}
	return show(a) == show(b)
}

// arnOrName names a resource in a detail: its ARN, or, before AWS assigns one, its name.
func arnOrName(r Resource) string {
	if arn, _ := r.Outputs["arn"].(string); arn != "" {
		return arn
	}
	return r.Name
}

// scoped runs fn, a judgement that depends only on what it reads itself (one resource of a loop):
// a problem it finds before it reads anything unknown stands, whatever was read before it.
func scoped(fn func()) {
	t := tracking.Load()
	if t == nil {
		fn()
		return
	}
	before := t.seenUnknown
	t.seenUnknown = false
	fn()
	t.seenUnknown = before || t.seenUnknown
}

// placeOf is where a resource lives, its region and account, from its ARN; before AWS assigns
// one, the region of its provider, with the account unknown ("").
func placeOf(r Resource) (region, account string) {
	if arn, _ := r.Outputs["arn"].(string); arn != "" && arn != Unknown && pendingURN(arn) == "" {
		arn = str(r.Outputs, "arn")
		return ArnField(arn, 3), ArnField(arn, 4)
	}
	return r.Region, ""
}

// elsewhere reports whether a lives in another region or account than b. Where a region or
// account is not known before apply, it reads the ARN that would tell, which leaves the control
// unproven.
func elsewhere(a, b Resource) bool {
	ra, aa := placeOf(a)
	rb, ab := placeOf(b)
	switch {
	case ra != "" && rb != "" && ra != rb:
		return true
	case ra != "" && ra == rb && aa != "" && ab != "":
		return aa != ab
	}
	home := func(r Resource) string {
		arn := str(r.Outputs, "arn")
		return ArnField(arn, 3) + "/" + ArnField(arn, 4)
	}
	return home(a) != home(b)
}

// ReadsOf runs control c over g and returns, per resource URN, the top-level inputs and outputs
// its check read: all its verdict can depend on. A test proves the tracking complete with it; it
// lives here, not in a test file, because an in-package test file would make every package that
// imports baseline compile twice in the fast loop.
func ReadsOf(g *Graph, c Control) map[string][]string {
	g.byType, g.owners = nil, nil
	g.link()
	reads := track(g, func() { c.check(g) })
	out := map[string][]string{}
	for i, keys := range reads.read {
		out[g.Resources[i].URN] = slices.Sorted(maps.Keys(keys))
	}
	return out
}
