package audit

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/hardenedpg/pulumi-hardenedpg/baseline"
	"github.com/hardenedpg/pulumi-hardenedpg/internal/plan"
)

// Difference is one way the live account differs from a plan.
type Difference struct {
	// Kind is "unmanaged" (live, not in the plan), "missing" (planned, not live), "count" (a type
	// has more or fewer resources live) or "value" (an attribute differs).
	Kind     string
	Database string
	Type     string
	Name     string
	Key      string
	Planned  any
	Live     any
}

func (d Difference) String() string {
	switch d.Kind {
	case "unmanaged":
		return fmt.Sprintf("UNMANAGED %s: a database the plan does not have", d.Database)
	case "missing":
		return fmt.Sprintf("MISSING %s: planned, not live", d.Database)
	case "count":
		return fmt.Sprintf("COUNT %s %s: %v planned, %v live", d.Database, d.Type, d.Planned, d.Live)
	}
	return fmt.Sprintf("DIFFERS %s %s %s.%s: planned %s, live %s", d.Database, d.Type, d.Name, d.Key, showJSON(d.Planned), showJSON(d.Live))
}

func showJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// naturalKeys name, per type, the attribute a planned resource and a live one are paired by; a
// type not listed pairs when each side has exactly one. Names AWS or the mock make up (auto-names,
// IDs, ARNs) cannot pair: the plan's are not the account's.
var naturalKeys = map[string]func(map[string]any) string{
	baseline.TypeInstance:           func(in map[string]any) string { return str(in["identifier"]) },
	baseline.TypeCluster:            func(in map[string]any) string { return str(in["clusterIdentifier"]) },
	baseline.TypeClusterInstance:    func(in map[string]any) string { return str(in["identifier"]) },
	baseline.TypeKey:                func(in map[string]any) string { return str(in["description"]) },
	baseline.TypeLogGroup:           func(in map[string]any) string { return str(in["name"]) },
	baseline.TypeSubscriptionFilter: func(in map[string]any) string { return str(in["logGroup"]) },
	// An alarm watches a metric of one database: an Aurora cluster has one per instance.
	baseline.TypeMetricAlarm: func(in map[string]any) string {
		return str(in["namespace"]) + "/" + str(in["metricName"]) + normal(in["dimensions"])
	},
	baseline.TypeLogMetricFilter: func(in map[string]any) string {
		t, _ := in["metricTransformation"].(map[string]any)
		return str(t["name"])
	},
	baseline.TypeEventSubscription: func(in map[string]any) string { return str(in["sourceType"]) },
	baseline.TypeTopicSubscription: func(in map[string]any) string { return str(in["protocol"]) + ":" + str(in["endpoint"]) },
	baseline.TypeProxy:             func(in map[string]any) string { return str(in["name"]) },
	baseline.TypeBackupPlan:        func(in map[string]any) string { return str(in["name"]) },
	baseline.TypeBackupVault:       func(in map[string]any) string { return str(in["name"]) },
}

// referenceLike are values that name another resource: the plan's are the mock's, so they are
// compared through the resources they name, not as text.
var referenceLike = regexp.MustCompile(`^(arn:|(sg|sgr|subnet|vpc|key|rtb)-[0-9a-f]+$)|^[0-9a-f]{8}-[0-9a-f]{4}-`)

// Compare lists how the live account differs from the plans: databases on one side only, types
// with more or fewer resources live, and attributes of paired resources that differ. Attributes
// only one side has are skipped (the plan records arguments AWS keeps no state of; AWS returns
// attributes the plan leaves to defaults), as are references and documents that embed them.
func Compare(plans []plan.Document, r *Report) []Difference {
	var out []Difference
	planned := plansByDatabase(plans)
	live := map[string]Database{}
	for _, d := range r.Databases {
		live[d.Identifier] = d
		if _, ok := planned[d.Identifier]; !ok {
			out = append(out, Difference{Kind: "unmanaged", Database: d.Identifier})
		}
	}
	for _, id := range slices.Sorted(maps.Keys(planned)) {
		d, ok := live[id]
		if !ok {
			out = append(out, Difference{Kind: "missing", Database: id})
			continue
		}
		accounts := [2]string{accountOf(planned[id].Resources), r.Account}
		out = append(out, compareDatabase(id, planned[id].Resources, d.Graph.Resources, unreadTypes(d.Failures), accounts)...)
	}
	return out
}

// accountOf is the account a plan's ARNs name: the mock's, which stands for the live one.
func accountOf(resources []baseline.Resource) string {
	for _, r := range resources {
		if databaseIdentifier(r) == "" {
			continue
		}
		for _, k := range []string{"kmsKeyId", "monitoringRoleArn"} {
			if account := baseline.ArnField(str(r.Inputs[k]), 4); account != "" {
				return account
			}
		}
	}
	return ""
}

// databaseIdentifier is the identifier of a resource the audit judges as a database, in a plan or
// a live block: an instance of its own, or an Aurora cluster (its instances are judged with it).
func databaseIdentifier(r baseline.Resource) string {
	switch r.Type {
	case baseline.TypeInstance:
		return str(r.Inputs["identifier"])
	case baseline.TypeCluster:
		return str(r.Inputs["clusterIdentifier"])
	}
	return ""
}

// compareDatabase compares one database's resources; of a type a failed call may have left out
// (unread), fewer live resources than planned may be what was not read, so only more are reported.
func compareDatabase(id string, planned, live []baseline.Resource, unread map[string]bool, accounts [2]string) []Difference {
	var out []Difference
	byType := func(rs []baseline.Resource) map[string][]baseline.Resource {
		m := map[string][]baseline.Resource{}
		for _, r := range rs {
			m[r.Type] = append(m[r.Type], r)
		}
		return m
	}
	p, l := byType(planned), byType(live)
	inline := inlineRules(p[baseline.TypeSecurityGroup])
	for _, typ := range ReadTypes {
		if slices.Contains(liveTypes, typ) {
			continue
		}
		want := len(p[typ]) + inline[typ]
		if want == 0 && len(l[typ]) == 0 {
			continue
		}
		if len(l[typ]) > want || len(l[typ]) < want && !unread[typ] {
			out = append(out, Difference{Kind: "count", Database: id, Type: typ, Planned: want, Live: len(l[typ])})
		}
		for _, pair := range pairs(typ, p[typ], l[typ]) {
			out = append(out, compareInputs(id, typ, pair[0], pair[1], accounts)...)
		}
	}
	return out
}

// inlineRules counts the rules AWS makes of planned groups' inline blocks: one per source or
// destination, as DescribeSecurityGroupRules lists them.
func inlineRules(groups []baseline.Resource) map[string]int {
	out := map[string]int{}
	for _, sg := range groups {
		for key, typ := range map[string]string{"ingress": baseline.TypeIngressRule, "egress": baseline.TypeEgressRule} {
			blocks, _ := sg.Inputs[key].([]any)
			for _, b := range blocks {
				m, _ := b.(map[string]any)
				n := 0
				for _, k := range []string{"cidrBlocks", "ipv6CidrBlocks", "securityGroups", "prefixListIds"} {
					n += len(baseline.Strings(m[k]))
				}
				if m["self"] == true {
					n++
				}
				out[typ] += max(n, 1)
			}
		}
	}
	return out
}

func pairs(typ string, planned, live []baseline.Resource) [][2]baseline.Resource {
	key, ok := naturalKeys[typ]
	if !ok {
		if len(planned) == 1 && len(live) == 1 {
			return [][2]baseline.Resource{{planned[0], live[0]}}
		}
		return nil
	}
	var out [][2]baseline.Resource
	for _, pr := range planned {
		for _, lr := range live {
			if k := key(pr.Inputs); k != "" && k == key(lr.Inputs) {
				out = append(out, [2]baseline.Resource{pr, lr})
			}
		}
	}
	return out
}

// unpaired are inputs not compared: names the provider makes up (name, and the references to
// such names), and arguments of a delete.
var unpaired = []string{"name", "parameterGroupName", "dbSubnetGroupName",
	"finalSnapshotIdentifier", "dbClusterParameterGroupName", "dbParameterGroupName", "role", "rule", "logGroup", "logGroupName", "topic", "snsTopic", "dbProxyName"}

// documents are inputs holding a JSON document that embeds references: compared statement by
// statement once every reference is replaced by the kind of thing it names.
var documents = []string{"policy", "assumeRolePolicy", "eventPattern"}

func compareInputs(id, typ string, planned, live baseline.Resource, accounts [2]string) []Difference {
	var out []Difference
	for _, k := range slices.Sorted(maps.Keys(planned.Inputs)) {
		pv, lv := planned.Inputs[k], live.Inputs[k]
		if lv == nil || slices.Contains(unpaired, k) {
			continue
		}
		if slices.Contains(documents, k) {
			if p, l, differ := compareDocuments(pv, lv, accounts); differ {
				out = append(out, Difference{Kind: "value", Database: id, Type: typ, Name: live.Name, Key: k, Planned: p, Live: l})
			}
			continue
		}
		if holdsReference(pv) || holdsReference(lv) {
			// Which resource is named cannot be told across plan and account; what kind, and how
			// many, can: an alarm that lost its action, a grant to another account.
			if p, l := kinds(pv, accounts[0]), kinds(lv, accounts[1]); normal(p) != normal(l) {
				out = append(out, Difference{Kind: "value", Database: id, Type: typ, Name: live.Name, Key: k, Planned: p, Live: l})
			}
			continue
		}
		if k == "engineVersion" && sameMajor(pv, lv) {
			continue
		}
		if normal(pv) != normal(lv) {
			out = append(out, Difference{Kind: "value", Database: id, Type: typ, Name: live.Name, Key: k, Planned: pv, Live: lv})
		}
	}
	return out
}

// sameMajor says a planned major-only version is the live one: AWS runs the major's default minor
// and reports it ("16" planned, "16.4" live), and minor upgrades move it on.
func sameMajor(planned, live any) bool {
	p, _ := planned.(string)
	l, _ := live.(string)
	return p != "" && !strings.Contains(p, ".") && baseline.MajorOf(l) == p
}

// compareDocuments compares two JSON documents by kinds (see kinds): for policies, the
// statements only one side has; otherwise the whole documents.
func compareDocuments(planned, live any, accounts [2]string) (any, any, bool) {
	var p, l any
	if json.Unmarshal([]byte(str(planned)), &p) != nil || json.Unmarshal([]byte(str(live)), &l) != nil {
		return planned, live, str(planned) != str(live)
	}
	p, l = kinds(p, accounts[0]), kinds(l, accounts[1])
	ps, pok := statements(p)
	ls, lok := statements(l)
	if !pok || !lok {
		return p, l, normal(p) != normal(l)
	}
	onlyPlanned, onlyLive := []any{}, []any{}
	for _, st := range ps {
		if !slices.ContainsFunc(ls, func(o any) bool { return normal(o) == normal(st) }) {
			onlyPlanned = append(onlyPlanned, st)
		}
	}
	for _, st := range ls {
		if !slices.ContainsFunc(ps, func(o any) bool { return normal(o) == normal(st) }) {
			onlyLive = append(onlyLive, st)
		}
	}
	return onlyPlanned, onlyLive, len(onlyPlanned)+len(onlyLive) > 0
}

// statements are a policy's statements, a single one as a list of one.
func statements(doc any) ([]any, bool) {
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, false
	}
	switch st := m["Statement"].(type) {
	case []any:
		return st, true
	case map[string]any:
		return []any{st}, true
	}
	return nil, false
}

// AccountID is an AWS account ID: twelve digits.
var AccountID = regexp.MustCompile(`^[0-9]{12}$`)

// kinds replaces, inside v, every reference with the kind of thing it names ("arn:sns",
// "arn:iam:role", "sg"), and the owner's account ID (own) with "<account>": another account
// stays as it is.
func kinds(v any, own string) any {
	switch x := v.(type) {
	case string:
		switch {
		case strings.HasPrefix(x, "arn:"):
			kind := "arn:" + baseline.ArnField(x, 2)
			resource := baseline.ArnField(x, 5)
			if i := strings.IndexAny(resource, "/:"); i > 0 {
				kind += ":" + resource[:i]
			} else if resource == "root" { // an account itself, as a principal
				kind += ":root"
			}
			if account := baseline.ArnField(x, 4); account != "" && account != own && account != "aws" {
				kind += "@" + account
			}
			return kind
		case own != "" && x == own:
			return "<account>"
		case AccountID.MatchString(x):
			return x
		case referenceLike.MatchString(x):
			kind, _, _ := strings.Cut(x, "-")
			return kind
		}
		return x
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = kinds(e, own)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = kinds(e, own)
		}
		return out
	}
	return v
}

func holdsReference(v any) bool {
	for _, s := range baseline.Strings(v) {
		if referenceLike.MatchString(s) || s == baseline.Unknown {
			return true
		}
	}
	return false
}

// normal renders a value for comparison: lists of scalars in any order are one value, and a
// parameter list is compared as name=value pairs (AWS returns them in its order).
func normal(v any) string {
	if l, ok := v.([]any); ok {
		parts := make([]string, 0, len(l))
		for _, e := range l {
			if m, ok := e.(map[string]any); ok && m["name"] != nil && m["value"] != nil {
				parts = append(parts, fmt.Sprintf("%v=%v", m["name"], m["value"]))
				continue
			}
			parts = append(parts, normal(e))
		}
		slices.Sort(parts)
		return "[" + strings.Join(parts, ",") + "]"
	}
	return showJSON(v)
}

// plansByDatabase pairs each planned database, by its instance or cluster identifier, with its
// plan.
func plansByDatabase(plans []plan.Document) map[string]plan.Document {
	planned := map[string]plan.Document{}
	for _, doc := range plans {
		for _, res := range doc.Resources {
			if id := databaseIdentifier(res); id != "" {
				planned[id] = doc
			}
		}
	}
	return planned
}

// PlannedStatuses are the statuses the plan of a database gives each control, by control key,
// paired as Compare pairs them; nil when no plan has the database.
func PlannedStatuses(plans []plan.Document, identifier string) map[string]baseline.Status {
	doc, ok := plansByDatabase(plans)[identifier]
	if !ok {
		return nil
	}
	out := map[string]baseline.Status{}
	for _, c := range doc.Controls {
		out[c.Key] = c.Status
	}
	return out
}

// ReportStacks are the pages' scorecards of every database of the fleet, each beside its plan's
// statuses where plans pairs one with it.
func (f *Fleet) ReportStacks(plans []plan.Document) []plan.ReportStack {
	var out []plan.ReportStack
	for _, r := range f.Reports {
		for _, d := range r.Databases {
			out = append(out, plan.ReportStack{Result: r.Result(d), Planned: PlannedStatuses(plans, d.Identifier)})
		}
	}
	return out
}
