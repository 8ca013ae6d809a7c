package baseline

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// instanceCheck runs fn on every instance; fn reports problems through f.
func instanceCheck(holds string, fn func(g *Graph, f *finding, inst Resource, in map[string]any)) check {
	return func(g *Graph) finding {
		f := finding{holds: holds}
		for _, inst := range g.ofType(TypeInstance) {
			f.read(inst)
			fn(g, &f, inst, inst.Inputs)
		}
		return f
	}
}

// instanceBool checks that a boolean input of every instance is want; absent counts as dflt,
// the value AWS applies when the input is not given.
func instanceBool(key string, want, dflt bool) check {
	return instanceCheck(fmt.Sprintf("%s is %v", key, want), func(_ *Graph, f *finding, inst Resource, in map[string]any) {
		v, ok := boolean(in, key)
		if !ok {
			v = dflt
		}
		if v != want {
			f.fail("%s: %s is %s, want %v", inst.Name, key, show(in[key]), want)
		}
	})
}

// attached returns the resource of typ whose output key equals the instance input ref.
func attached(g *Graph, in map[string]any, ref, typ, key string) (Resource, bool) {
	rs := g.withOutput(typ, key, in[ref])
	if len(rs) == 0 {
		return Resource{}, false
	}
	return rs[0], true
}

// parameterGroupOf is the parameter group an instance runs with: the stack's group it names, or,
// when it names none or a default.* group, RDS's default group of its engine's family, which sets
// nothing of its own (an empty group whose values are RDSDefaultParameters and the engine's).
func parameterGroupOf(g *Graph, inst Resource) (Resource, bool) {
	name := inst.Inputs["parameterGroupName"]
	if pg, ok := attached(g, inst.Inputs, "parameterGroupName", TypeParameterGroup, "name"); ok {
		return pg, true
	}
	if s, isString := name.(string); name != nil && (!isString || !strings.HasPrefix(s, "default.")) {
		return Resource{}, false
	}
	family := Family(majorOf(str(inst.Inputs, "engineVersion")))
	if s, _ := name.(string); s != "" {
		family = strings.TrimPrefix(s, "default.")
	}
	return Resource{Type: TypeParameterGroup, Name: "default." + family, Inputs: map[string]any{"family": family}}, true
}

// readParameterGroup finds the group an instance runs with and records it as read; a group that
// is neither the stack's nor RDS's default is a failure, since what it sets is unknown.
func readParameterGroup(g *Graph, f *finding, inst Resource) (Resource, bool) {
	pg, ok := parameterGroupOf(g, inst)
	if !ok {
		f.fail("%s: parameterGroupName %s is neither a parameter group of the stack nor RDS's default group, so what it sets is unknown", inst.Name, show(inst.Inputs["parameterGroupName"]))
		return pg, false
	}
	if pg.URN != "" { // RDS's default group is not a resource of the stack
		f.read(pg)
	}
	return pg, true
}

// parameterCheck checks the parameter group attached to every instance against the rules of
// control. A parameter the group does not set is judged on what the instance runs instead: RDS's
// default for the family, else the engine's own (DefaultValue).
func parameterCheck(control string) check {
	var rules []ParameterRule
	for _, r := range ParameterRules {
		if r.Control == control {
			rules = append(rules, r)
		}
	}
	names := make([]string, len(rules))
	for i, r := range rules {
		names[i] = r.Name + " " + r.Rule
	}
	return instanceCheck(strings.Join(names, "; "), func(g *Graph, f *finding, inst Resource, in map[string]any) {
		pg, ok := readParameterGroup(g, f, inst)
		if !ok {
			return
		}
		major := strings.TrimPrefix(str(pg.Inputs, "family"), "postgres")
		params := map[string]map[string]any{}
		for _, p := range items(pg.Inputs, "parameters") {
			pm, _ := p.(map[string]any)
			params[str(pm, "name")] = pm
		}
		for _, rule := range rules {
			p, set := params[rule.Name]
			value, known := str(p, "value"), set
			if !set {
				value, known = DefaultValue(major, rule.Name)
			}
			switch {
			case !known:
				f.fail("%s: %s is not set and family %s has no known default, want %s", pg.Name, rule.Name, show(pg.Inputs["family"]), rule.Rule)
			case !rule.Accepts(value) && set:
				f.fail("%s: %s is %s, want %s", pg.Name, rule.Name, show(p["value"]), rule.Rule)
			case !rule.Accepts(value):
				f.fail("%s: %s is not set, so it is RDS's default %q for %s, want %s", pg.Name, rule.Name, value, str(pg.Inputs, "family"), rule.Rule)
			case set:
				// A static parameter applied immediately is refused by RDS: the value never takes effect.
				if engine, ok := EngineParameterFor(major, rule.Name); ok && engine.ApplyMethod() == ApplyPendingReboot && str(p, "applyMethod") != ApplyPendingReboot {
					f.fail("%s: %s applyMethod is %s, want %s (static in PostgreSQL %s)", pg.Name, rule.Name, show(p["applyMethod"]), ApplyPendingReboot, major)
				}
			}
		}
	})
}

// stackKeyArn checks that an instance input is the ARN of a KMS key the stack creates.
func stackKeyArn(g *Graph, f *finding, owner, key string, in map[string]any) {
	k, ok := g.keyByArn(in[key])
	if !ok {
		f.fail("%s: %s is %s, want a customer-managed key of the stack", owner, key, show(in[key]))
		return
	}
	f.read(k)
}

// securityGroupsOf returns the stack security groups an instance uses.
func securityGroupsOf(g *Graph, in map[string]any) []Resource {
	var out []Resource
	ids := stringList(in, "vpcSecurityGroupIds")
	for _, sg := range g.ofType(TypeSecurityGroup) {
		if slices.Contains(ids, sg.ID) {
			out = append(out, sg)
		}
	}
	return out
}

// sgRule is one rule of a security group, in any of the three ways AWS resources express it.
type sgRule struct {
	name        string
	ingress     bool
	cidrs       []string // IPv4 and IPv6 sources or destinations
	prefixLists []string
	description string
}

// securityGroupRules reads every rule of sg: inline ingress and egress blocks of the group,
// aws:vpc/securityGroupIngressRule and EgressRule, and the legacy aws:ec2/securityGroupRule.
// A check that read only one of them would pass a rule written the other way.
func securityGroupRules(g *Graph, sg Resource) []sgRule {
	var out []sgRule
	for _, direction := range []string{"ingress", "egress"} {
		for i, item := range items(sg.Inputs, direction) {
			rm, _ := item.(map[string]any)
			out = append(out, sgRule{
				name: fmt.Sprintf("%s %s[%d]", sg.Name, direction, i), ingress: direction == "ingress",
				cidrs:       append(stringList(rm, "cidrBlocks"), stringList(rm, "ipv6CidrBlocks")...),
				prefixLists: stringList(rm, "prefixListIds"), description: str(rm, "description"),
			})
		}
	}
	for _, r := range rulesOf(g, sg, TypeIngressRule, TypeEgressRule, TypeSecurityGroupRule) {
		rule := sgRule{name: r.Name, description: str(r.Inputs, "description")}
		switch r.Type {
		case TypeSecurityGroupRule:
			rule.ingress = str(r.Inputs, "type") == "ingress"
			rule.cidrs = append(stringList(r.Inputs, "cidrBlocks"), stringList(r.Inputs, "ipv6CidrBlocks")...)
			rule.prefixLists = stringList(r.Inputs, "prefixListIds")
		default:
			rule.ingress = r.Type == TypeIngressRule
			for _, k := range []string{"cidrIpv4", "cidrIpv6"} {
				if v := str(r.Inputs, k); v != "" {
					rule.cidrs = append(rule.cidrs, v)
				}
			}
			if v := str(r.Inputs, "prefixListId"); v != "" {
				rule.prefixLists = []string{v}
			}
		}
		out = append(out, rule)
	}
	return out
}

// covers reports whether the CIDRs together cover all of want, however they are spelt or split
// (0.0.0.0/0, 0::/0, or 0.0.0.0/1 with 128.0.0.0/1). A CIDR that does not parse covers nothing.
func covers(cidrs []string, want netip.Prefix) bool {
	for _, c := range cidrs {
		p, err := netip.ParsePrefix(strings.TrimSpace(c))
		if err == nil && p.Addr().Is4() == want.Addr().Is4() && p.Bits() <= want.Bits() && p.Masked().Contains(want.Addr()) {
			return true
		}
	}
	if want.Bits() >= want.Addr().BitLen() {
		return false
	}
	// Split want in halves: covered when both halves are. Only prefixes narrower than want can
	// help, so the recursion stops after as many levels as the narrowest CIDR has bits.
	narrower := false
	for _, c := range cidrs {
		if p, err := netip.ParsePrefix(strings.TrimSpace(c)); err == nil && p.Bits() > want.Bits() && want.Contains(p.Addr()) {
			narrower = true
		}
	}
	if !narrower {
		return false
	}
	low := netip.PrefixFrom(want.Masked().Addr(), want.Bits()+1)
	return covers(cidrs, low) && covers(cidrs, netip.PrefixFrom(upperHalf(want), want.Bits()+1))
}

// securityGroupEventsCheck wants the db-security-group subscription Security Hub RDS.22 asks for,
// and what actually alerts: RDS never sends that event for VPC security groups (EC2-Classic DB
// security groups are retired), so an EventBridge rule on the CloudTrail records of every change
// to the instance's groups must target a topic somebody receives.
func securityGroupEventsCheck(g *Graph) finding {
	f := eventCheck("db-security-group", EventCategories["db-security-group"]...)(g)
	f.holds += "; an EventBridge rule on every change to the security groups of the instances and proxies targets a topic whose policy and key admit EventBridge"
	for _, inst := range g.ofType(TypeInstance, TypeProxy) {
		for _, sg := range stringList(inst.Inputs, "vpcSecurityGroupIds") {
			if problem, ok := watched(g, &f, sg); !ok && problem != "" {
				f.fail("%s: the EventBridge rule on changes to %s does not deliver: %s", inst.Name, sg, problem)
			} else if !ok {
				f.fail("%s: no EventBridge rule sends the CloudTrail records of changes to %s (%s) to a topic", inst.Name, sg, strings.Join(SecurityGroupChangeEvents, ", "))
			}
		}
	}
	return f
}

// watched reports whether an EventBridge rule matches every change to group sg and its target
// delivers (the topic's policy and key admit EventBridge and it has a subscriber); when not, it
// says what stops the rules that match.
func watched(g *Graph, f *finding, sg string) (string, bool) {
	var problems []string
	for _, rule := range g.ofType(TypeEventRule) {
		var pattern struct {
			Source []string `json:"source"`
			Detail struct {
				EventName []string `json:"eventName"`
			} `json:"detail"`
		}
		raw := str(rule.Inputs, "eventPattern")
		if json.Unmarshal([]byte(raw), &pattern) != nil || !slices.Contains(pattern.Source, "aws.ec2") || !strings.Contains(raw, `"`+sg+`"`) {
			continue
		}
		if slices.ContainsFunc(SecurityGroupChangeEvents, func(e string) bool { return !slices.Contains(pattern.Detail.EventName, e) }) {
			continue
		}
		for _, target := range g.ofType(TypeEventTarget) {
			if name := str(rule.Outputs, "name"); name == "" || str(target.Inputs, "rule") != name {
				continue
			}
			f.read(rule)
			f.read(target)
			problem, waiting := delivery(g, f, target.Inputs["arn"], EventPublisherEventBridge)
			switch {
			case waiting:
				f.lacks("%s: %s", rule.Name, problem)
				return "", true
			case problem == "":
				return "", true
			}
			problems = append(problems, fmt.Sprintf("%s targets %s", rule.Name, problem))
		}
	}
	return strings.Join(problems, "; "), false
}

// ArnField is the i-th colon-separated field of an ARN: 3 is the region, 4 the account.
func ArnField(arn string, i int) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) <= i {
		return ""
	}
	return parts[i]
}

// upperHalf is the first address of the upper half of p.
func upperHalf(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	bit := p.Bits() // the bit that selects the half
	b[bit/8] |= 0x80 >> (bit % 8)
	a, _ := netip.AddrFromSlice(b)
	return a.Unmap()
}

// rulesOf returns the standalone rules attached to a security group.
func rulesOf(g *Graph, sg Resource, types ...string) []Resource {
	var out []Resource
	for _, r := range g.ofType(types...) {
		if str(r.Inputs, "securityGroupId") == sg.ID {
			out = append(out, r)
		}
	}
	return out
}

// databaseGroupsCheck runs fn on every security group of every instance and proxy: a client
// reaches the database through either.
func databaseGroupsCheck(holds string, fn func(g *Graph, f *finding, sg Resource)) check {
	return func(g *Graph) finding {
		f := finding{holds: holds}
		for _, r := range g.ofType(TypeInstance, TypeProxy) {
			f.read(r)
			groups := securityGroupsOf(g, r.Inputs)
			if len(groups) == 0 {
				f.fail("%s: vpcSecurityGroupIds %s names no security group of the stack; the VPC default group would apply", r.Name, show(r.Inputs["vpcSecurityGroupIds"]))
			}
			for _, sg := range groups {
				f.read(sg)
				for _, rule := range rulesOf(g, sg, TypeIngressRule, TypeEgressRule, TypeSecurityGroupRule) {
					f.read(rule)
				}
				fn(g, &f, sg)
			}
		}
		return f
	}
}

// eventCheck wants an enabled subscription to sourceType covering categories (none = all).
func eventCheck(sourceType string, categories ...string) check {
	return func(g *Graph) finding {
		f := finding{holds: fmt.Sprintf("a %s subscription covers %s, and its topic's policy and key admit RDS and it has a subscriber (an e-mail one delivers once confirmed)", sourceType, strings.Join(categories, ", "))}
		for _, inst := range g.ofType(TypeInstance) {
			f.read(inst) // what needs the subscription
		}
		var problems []string
		for _, s := range g.ofType(TypeEventSubscription) {
			if str(s.Inputs, "sourceType") != sourceType {
				continue
			}
			f.read(s)
			if on, ok := boolean(s.Inputs, "enabled"); ok && !on {
				problems = append(problems, fmt.Sprintf("%s is disabled", s.Name))
				continue
			}
			got := stringList(s.Inputs, "eventCategories")
			var missing []string
			for _, c := range categories {
				if len(got) > 0 && !slices.Contains(got, c) {
					missing = append(missing, c)
				}
			}
			if len(missing) > 0 {
				problems = append(problems, fmt.Sprintf("the %s subscription lacks %s", sourceType, strings.Join(missing, ", ")))
				continue
			}
			// An event nobody receives alerts nobody: the topic must admit RDS and reach a subscriber.
			problem, waiting := delivery(g, &f, s.Inputs["snsTopic"], EventPublisherRDS)
			if waiting {
				f.lacks("%s: %s", s.Name, problem)
				return f
			}
			if problem != "" {
				problems = append(problems, fmt.Sprintf("%s: %s", s.Name, problem))
				continue
			}
			return f
		}
		if len(problems) == 0 {
			problems = append(problems, "no enabled event subscription for "+sourceType)
		}
		f.fail("%s", strings.Join(problems, "; "))
		return f
	}
}

// checks holds the check of every catalog control.

// bucketCheck runs fn on every bucket with the one resource of typ attached to it (nil if none).
func bucketCheck(holds, typ string, fn func(g *Graph, f *finding, bucket Resource, attachedTo *Resource)) check {
	return func(g *Graph) finding {
		f := finding{holds: holds}
		for _, b := range g.ofType(TypeBucket) {
			f.read(b)
			var found *Resource
			if typ != "" {
				for _, r := range g.withInput(typ, "bucket", b.ID) {
					f.read(r)
					found = &r
					break
				}
			}
			fn(g, &f, b, found)
		}
		return f
	}
}

// readOnlyVerbs are the action prefixes that may have Resource "*".
var readOnlyVerbs = []string{"get", "list", "describe"}

func isReadOnly(action string) bool {
	_, verb, _ := strings.Cut(strings.ToLower(action), ":")
	for _, v := range readOnlyVerbs {
		if strings.HasPrefix(verb, v) {
			return true
		}
	}
	return false
}

// iamPolicies runs fn on every IAM permission policy of the stack (not trust or key policies).
func iamPolicies(g *Graph, f *finding, fn func(r Resource, statements []policyStatement)) {
	inspect := func(r Resource, doc string) {
		statements, err := parsePolicy(doc)
		if err != nil {
			f.fail("%s: the policy cannot be judged: %v", r.Name, err)
			return
		}
		fn(r, statements)
	}
	for _, r := range g.ofType(TypeRolePolicy, TypePolicy) {
		f.read(r)
		inspect(r, str(r.Inputs, "policy"))
	}
	for _, r := range g.ofType(TypeRole) {
		f.read(r)
		for _, p := range items(r.Inputs, "inlinePolicies") {
			pm, _ := p.(map[string]any)
			inspect(r, str(pm, "policy"))
		}
	}
}

// actionsOnAnyResource calls fn with every action an IAM policy of the stack allows on "*".
func actionsOnAnyResource(g *Graph, f *finding, fn func(r Resource, action string)) {
	iamPolicies(g, f, func(r Resource, statements []policyStatement) {
		for _, st := range statements {
			if st.Effect != "Allow" || !slices.Contains(Strings(st.Resource), "*") {
				continue
			}
			for _, a := range Strings(st.Action) {
				fn(r, a)
			}
		}
	})
}

// eachOf runs fn on every resource of typ: the shape of a control that judges one type alone.
func eachOf(typ, holds string, fn func(g *Graph, f *finding, r Resource)) check {
	return func(g *Graph) finding {
		f := finding{holds: holds}
		for _, r := range g.ofType(typ) {
			f.read(r)
			fn(g, &f, r)
		}
		return f
	}
}

func keysCheck(holds string, fn func(f *finding, k Resource)) check {
	return eachOf(TypeKey, holds, func(_ *Graph, f *finding, k Resource) { fn(f, k) })
}

func logGroupsCheck(holds string, fn func(g *Graph, f *finding, lg Resource)) check {
	return eachOf(TypeLogGroup, holds, fn)
}
