package baseline

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Resource is one resource of a recorded stack, as the engine registered it.
type Resource struct {
	URN       string   `json:"urn"`
	Type      string   `json:"type"`
	Name      string   `json:"name"`
	Parent    string   `json:"parent"`
	Custom    bool     `json:"custom"`
	Protect   bool     `json:"protect"`
	DependsOn []string `json:"dependsOn"`
	// Aliases are the URNs the resource was known by before: the engine moves their state to it.
	Aliases []string `json:"aliases"`
	ID      string   `json:"-"`
	// Region is where the resource's provider creates it: known before AWS assigns an ARN.
	Region string         `json:"-"`
	Inputs map[string]any `json:"inputs"`
	// PropertyDependencies are, per input, the URNs of the resources its value is made from, as
	// the engine records them: how an input unknown at preview is linked to what provides it.
	PropertyDependencies map[string][]string `json:"propertyDependencies,omitempty"`
	// Outputs are the resource's state after creation (ARNs, IDs, auto-names).
	Outputs map[string]any `json:"-"`
}

// Invoke is one look-up the program made, with its answer; checks use them as evidence (the
// route tables that prove a subnet private).
type Invoke struct {
	Token  string
	Args   map[string]any
	Result map[string]any
	Err    string
}

// Graph is a recorded stack: what the checks read.
type Graph struct {
	Resources []Resource
	Invokes   []Invoke
	// NoLookups says the graph carries no look-ups at all (a policy pack sees resources only), so
	// a missing look-up leaves a control unproven rather than failed.
	NoLookups bool
	// Live says the graph was read from an account (bin/audit), not planned: LiveOnly controls
	// apply to it.
	Live bool
	// Today is the day support dates are judged on (rds-supported-engine); zero is the clock's.
	Today time.Time

	// byType indexes Resources; built on first use, so a graph is not changed once evaluated.
	byType map[string][]Resource
	// owners finds a resource by its Inputs or Outputs map, for the read tracking; built once per
	// evaluation, with byType.
	owners map[uintptr]int
}

// today is the day the graph is judged on.
func (g *Graph) today() time.Time {
	if g.Today.IsZero() {
		return time.Now().UTC()
	}
	return g.Today
}

func (g *Graph) ofType(types ...string) []Resource {
	if g.byType == nil {
		g.byType = map[string][]Resource{}
		for _, r := range g.Resources {
			g.byType[r.Type] = append(g.byType[r.Type], r)
		}
	}
	if len(types) == 1 {
		return g.byType[types[0]]
	}
	var out []Resource
	for _, t := range types {
		out = append(out, g.byType[t]...)
	}
	return out
}

func (g *Graph) has(types ...string) bool { return len(g.ofType(types...)) > 0 }

// keyByArn returns the stack key with the given ARN.
func (g *Graph) keyByArn(arn any) (Resource, bool) {
	keys := g.referred(TypeKey, "arn", arn)
	if len(keys) == 0 {
		return Resource{}, false
	}
	return keys[0], true
}

func str(m map[string]any, key string) string {
	s, _ := get(m, key).(string)
	return s
}

func num(m map[string]any, key string) (float64, bool) {
	n, ok := get(m, key).(float64)
	return n, ok
}

func boolean(m map[string]any, key string) (bool, bool) {
	b, ok := get(m, key).(bool)
	return b, ok
}

func stringList(m map[string]any, key string) []string {
	items, _ := get(m, key).([]any)
	out := make([]string, 0, len(items))
	for _, it := range items {
		if s, ok := it.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func object(m map[string]any, key string) map[string]any {
	o, _ := get(m, key).(map[string]any)
	return o
}

// show renders a recorded value for a detail line.
func show(v any) string {
	if v == nil {
		return "unset"
	}
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// policyStatement is one statement of a JSON policy as found in an input, loosely typed: a
// scanner must read what people write, not only what hardenedpg renders.
type policyStatement struct {
	Effect    string
	Principal any
	Action    any
	Resource  any
	Condition map[string]any
	// An Allow with one of these grants everything but what it names: no control can bound it,
	// so parsePolicy refuses it (a Deny with them only narrows).
	NotPrincipal, NotAction, NotResource any
}

func parsePolicy(doc string) ([]policyStatement, error) {
	var p struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return nil, err
	}
	var statements []policyStatement
	if err := json.Unmarshal(p.Statement, &statements); err != nil {
		var one policyStatement
		if err := json.Unmarshal(p.Statement, &one); err != nil {
			return nil, err
		}
		statements = []policyStatement{one}
	}
	for i, st := range statements {
		for _, not := range []struct {
			key string
			v   any
		}{{"NotPrincipal", st.NotPrincipal}, {"NotAction", st.NotAction}, {"NotResource", st.NotResource}} {
			if st.Effect == "Allow" && not.v != nil {
				return nil, fmt.Errorf("statement %d allows with %s, which grants all but what it names; name what it allows", i, not.key)
			}
		}
	}
	return statements, nil
}

// Strings flattens a value that may be a string, a list or a map of them (a policy field, a
// property of IDs), in a stable order.
func Strings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, Strings(e)...)
		}
		return out
	case map[string]any:
		var out []string
		for _, k := range slices.Sorted(maps.Keys(v)) {
			out = append(out, Strings(v[k])...)
		}
		return out
	}
	return nil
}

// MajorOf is the major of an engine version: "17" of "17.6".
func MajorOf(version string) string {
	major, _, _ := strings.Cut(version, ".")
	return major
}

func holdsUnknown(v any) bool {
	switch v := v.(type) {
	case string:
		return v == Unknown
	case []any:
		return slices.ContainsFunc(v, holdsUnknown)
	case map[string]any:
		for _, e := range v {
			if holdsUnknown(e) {
				return true
			}
		}
	}
	return false
}

// routeTableOf returns the answer of the route table look-up that covered a subnet: its own
// table, or the VPC's main table looked up after the subnet had none.
func (g *Graph) routeTableOf(subnet string) (map[string]any, bool) {
	for i, inv := range g.Invokes {
		if inv.Token != InvokeRouteTable || str(inv.Args, "subnetId") != subnet {
			continue
		}
		if inv.Err == "" {
			return inv.Result, true
		}
		for _, next := range g.Invokes[i+1:] {
			if next.Token == InvokeRouteTable && str(next.Args, "subnetId") == "" && next.Err == "" {
				return next.Result, true
			}
		}
	}
	return nil, false
}

// items returns a list input, or nil when it is absent or not a list.
func items(m map[string]any, key string) []any {
	l, _ := get(m, key).([]any)
	return l
}

// deniesPlaintext says whether a statement denies requests made without TLS.
func deniesPlaintext(st policyStatement) bool {
	cond, _ := st.Condition["Bool"].(map[string]any)
	return st.Effect == "Deny" && slices.Contains(Strings(cond["aws:SecureTransport"]), "false")
}

// foreignPrincipal says whether who, a principal an Allow names, is of an account other than
// account: an ARN or a 12-digit account ID. With account unknown ("") every such principal is
// foreign: nothing proves it is the owner's. "*" and service principals are the caller's to judge.
// The owner's account is read only for a principal that names one: it is in an ARN AWS assigns.
func foreignPrincipal(who string, account func() string) bool {
	switch {
	case strings.HasPrefix(who, "arn:"):
		return account() == "" || ArnField(who, 4) != account()
	case len(who) == 12 && strings.Trim(who, "0123456789") == "":
		return account() == "" || who != account()
	}
	return false
}

// accountOf is the account that owns r: the one in its ARN, or, for types whose ARNs name none
// (S3 buckets), the one that every key of the stack names ("" when they disagree or there is none).
func (g *Graph) accountOf(r Resource) string {
	if account := ArnField(str(r.Outputs, "arn"), 4); account != "" {
		return account
	}
	account := ""
	for _, k := range g.ofType(TypeKey) {
		a := ArnField(str(k.Outputs, "arn"), 4)
		if a == "" || account != "" && a != account {
			return ""
		}
		account = a
	}
	return account
}

// judgeResourcePolicy fails a resource policy that does not deny requests without TLS or that
// allows a principal of another account, or anyone: without a condition, or at all when
// anyoneAtAll (conditions on "*" are how services are admitted to some resources).
func judgeResourcePolicy(f *finding, name, doc string, account func() string, anyoneAtAll bool) {
	statements, err := parsePolicy(doc)
	if err != nil {
		f.fail("%s: the policy cannot be judged: %v", name, err)
		return
	}
	tlsOnly := false
	for i, st := range statements {
		tlsOnly = tlsOnly || deniesPlaintext(st)
		if st.Effect != "Allow" {
			continue
		}
		for _, who := range Strings(st.Principal) {
			switch {
			case who == "*" && anyoneAtAll:
				f.fail("%s: statement %d allows anyone", name, i)
			case who == "*" && len(st.Condition) == 0:
				f.fail("%s: statement %d allows anyone, without a condition", name, i)
			case foreignPrincipal(who, account):
				f.fail("%s: statement %d allows %s, outside the owner's account", name, i, who)
			}
		}
	}
	if !tlsOnly {
		f.fail("%s: no statement denies aws:SecureTransport false", name)
	}
}
