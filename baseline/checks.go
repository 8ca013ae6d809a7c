package baseline

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// The two places a database keeps its settings. storageTypes hold the storage, its key, the
// master user, IAM authentication, backups and log exports: an RDS instance, or a cluster.
// hostTypes run the engine: an RDS instance, an Aurora cluster's instance, or a Multi-AZ DB
// cluster (hostCheck reads only those clusters, see Graph.hosts).
var (
	storageTypes = []string{TypeInstance, TypeCluster}
	hostTypes    = []string{TypeInstance, TypeClusterInstance, TypeCluster}
	// databaseTypes are every resource a database setting may live on.
	databaseTypes = []string{TypeInstance, TypeCluster, TypeClusterInstance}
)

// databaseCheck runs fn on every resource of types; fn reports problems through f.
func databaseCheck(types []string, holds string, fn func(g *Graph, f *finding, r Resource, in map[string]any)) check {
	return resourcesCheck(func(g *Graph) []Resource { return g.ofType(types...) }, holds, fn)
}

// resourcesCheck runs fn on each resource of, recording it as read.
func resourcesCheck(of func(g *Graph) []Resource, holds string, fn func(g *Graph, f *finding, r Resource, in map[string]any)) check {
	return func(g *Graph) finding {
		f := finding{holds: holds}
		for _, r := range of(g) {
			f.read(r)
			scoped(func() { fn(g, &f, r, r.Inputs) })
		}
		return f
	}
}

// storageCheck and hostCheck run fn where the setting lives (see storageTypes).
func storageCheck(holds string, fn func(g *Graph, f *finding, r Resource, in map[string]any)) check {
	return databaseCheck(storageTypes, holds, fn)
}

func hostCheck(holds string, fn func(g *Graph, f *finding, r Resource, in map[string]any)) check {
	return resourcesCheck((*Graph).hosts, holds, fn)
}

// databaseBool checks that a boolean input of every resource of types is want; absent counts as
// dflt, the value AWS applies when the input is not given.
func databaseBool(types []string, key string, want, dflt bool) check {
	return resourcesCheck(func(g *Graph) []Resource { return g.ofType(types...) }, fmt.Sprintf("%s is %v", key, want), boolRule(key, want, dflt))
}

// hostBool is databaseBool for a host setting (see hostCheck).
func hostBool(key string, want, dflt bool) check {
	return hostCheck(fmt.Sprintf("%s is %v", key, want), boolRule(key, want, dflt))
}

func boolRule(key string, want, dflt bool) func(_ *Graph, f *finding, r Resource, in map[string]any) {
	return func(_ *Graph, f *finding, r Resource, in map[string]any) {
		v, ok := boolean(in, key)
		if !ok {
			v = dflt
		}
		if v != want {
			f.fail("%s: %s is %s, want %v", r.Name, key, show(get(in, key)), want)
		}
	}
}

// subnetGroupOf is the subnet group a database names, read; a group the stack does not make
// fails the control, since its subnets are unknown.
func subnetGroupOf(g *Graph, f *finding, db Resource, in map[string]any) (Resource, bool) {
	group, ok := attached(g, in, "dbSubnetGroupName", TypeSubnetGroup, "name")
	if !ok {
		f.fail("%s: dbSubnetGroupName %s is not a subnet group of the stack", db.Name, show(get(in, "dbSubnetGroupName")))
		return Resource{}, false
	}
	f.read(group)
	return group, true
}

// attached returns the resource of typ whose output key equals the instance input ref.
func attached(g *Graph, in map[string]any, ref, typ, key string) (Resource, bool) {
	rs := g.referred(typ, key, get(in, ref))
	if len(rs) == 0 {
		return Resource{}, false
	}
	return rs[0], true
}

// groupNamed is the parameter group of typ a database names in input ref: the stack's group of
// that name, or, when it names none or a default.* group, AWS's default group of family, which
// sets nothing of its own (an empty group whose values are the family's defaults).
func groupNamed(g *Graph, r Resource, ref, typ, family string) (Resource, bool) {
	name := get(r.Inputs, ref)
	if pg, ok := attached(g, r.Inputs, ref, typ, "name"); ok {
		return pg, true
	}
	if s, isString := name.(string); name != nil && (!isString || !strings.HasPrefix(s, "default.") || pendingURN(s) != "") {
		return Resource{}, false
	}
	if s, _ := name.(string); s != "" {
		family = strings.TrimPrefix(s, "default.")
	}
	return Resource{Type: typ, Name: "default." + family, Inputs: map[string]any{"family": family}}, true
}

// readGroup finds a group with groupNamed and records it as read; a group that is neither the
// stack's nor AWS's default is a failure, since what it sets is unknown.
func readGroup(g *Graph, f *finding, r Resource, ref, typ, family string) (Resource, bool) {
	pg, ok := groupNamed(g, r, ref, typ, family)
	if !ok {
		f.fail("%s: %s %s is neither a parameter group of the stack nor RDS's default group, so what it sets is unknown", r.Name, ref, show(get(r.Inputs, ref)))
		return pg, false
	}
	if pg.URN != "" { // the default group is not a resource of the stack
		f.read(pg)
	}
	return pg, true
}

// engineVersionOf is the engine version a database runs: a cluster instance runs its cluster's.
func engineVersionOf(g *Graph, r Resource) string {
	if r.Type == TypeClusterInstance {
		if c, ok := g.clusterOf(r); ok {
			return str(c.Inputs, "engineVersion")
		}
	}
	return str(g.inheritedInputs(r), "engineVersion")
}

// setParameter is a parameter a group sets, with the group.
type setParameter struct {
	fields map[string]any
	group  Resource
}

// parameterSet is what a database runs with: the parameters its groups set and the family whose
// defaults fill in the rest.
type parameterSet struct {
	family string
	set    map[string]setParameter
	// judged names the group a parameter left unset is reported against.
	judged Resource
	// own, for an Aurora instance, is its DB parameter group: only what that group sets is the
	// instance's to answer for, the rest is its cluster's and judged there.
	own string
}

func (ps *parameterSet) add(pg Resource) {
	for _, p := range items(pg.Inputs, "parameters") {
		pm, _ := p.(map[string]any)
		ps.set[str(pm, "name")] = setParameter{pm, pg}
	}
	ps.judged = pg
}

// parametersOf reads the parameter groups a database runs with. An RDS instance runs its group;
// an Aurora cluster its cluster group; an Aurora instance its cluster's group with its own DB
// parameter group's values on top ("a parameter set in the DB parameter group overrides the
// cluster's", https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_WorkingWithParamGroups.html).
func parametersOf(g *Graph, f *finding, r Resource) (parameterSet, bool) {
	major := MajorOf(engineVersionOf(g, r))
	ps := parameterSet{set: map[string]setParameter{}}
	switch r.Type {
	case TypeInstance:
		pg, ok := readGroup(g, f, r, "parameterGroupName", TypeParameterGroup, Family(major))
		if !ok {
			return ps, false
		}
		ps.add(pg)
	case TypeCluster:
		pg, ok := readGroup(g, f, r, "dbClusterParameterGroupName", TypeClusterParameters, familyOf(r, major))
		if !ok {
			return ps, false
		}
		ps.add(pg)
	case TypeClusterInstance:
		c, ok := g.clusterOf(r)
		if !ok {
			f.fail("%s: clusterIdentifier %s names no cluster of the stack, so the parameters it runs are unknown", r.Name, show(get(r.Inputs, "clusterIdentifier")))
			return ps, false
		}
		if ps, ok = parametersOf(g, f, c); !ok {
			return ps, false
		}
		pg, ok := readGroup(g, f, r, "dbParameterGroupName", TypeParameterGroup, AuroraFamily(major))
		if !ok {
			return ps, false
		}
		judged := ps.judged
		ps.add(pg)
		ps.judged, ps.own = judged, pg.URN
	}
	ps.family = str(ps.judged.Inputs, "family")
	return ps, true
}

// defaultOf is the value a database of family runs when no group sets name.
func defaultOf(family, name string) (string, bool) {
	aurora, major := familyMajor(family)
	if !aurora {
		return DefaultValue(major, name)
	}
	if v, ok := AuroraDefaultParameters()[name]; ok {
		return v, true
	}
	p, ok := EngineParameterFor(major, name)
	return p.Default, ok
}

// parameterCheck checks the parameters every database runs with against the rules of control.
// A parameter no group sets is judged on what the database runs instead: AWS's default for the
// family, else the engine's own (DefaultValue).
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
	return databaseCheck(databaseTypes, strings.Join(names, "; "), func(g *Graph, f *finding, r Resource, _ map[string]any) {
		ps, ok := parametersOf(g, f, r)
		if !ok {
			return
		}
		_, major := familyMajor(ps.family)
		for _, rule := range rules {
			sp, set := ps.set[rule.Name]
			if r.Type == TypeClusterInstance && (!set || sp.group.URN != ps.own || ps.own == "") {
				continue // the cluster's value, judged on the cluster
			}
			value, known := str(sp.fields, "value"), set
			if !set {
				value, known = defaultOf(ps.family, rule.Name)
			}
			switch {
			case !known:
				f.fail("%s: %s is not set and family %s has no known default, want %s", ps.judged.Name, rule.Name, show(ps.family), rule.Rule)
			case !rule.Accepts(value) && set:
				f.fail("%s: %s is %s, want %s", sp.group.Name, rule.Name, show(sp.fields["value"]), rule.Rule)
			case !rule.Accepts(value):
				f.fail("%s: %s is not set, so it is RDS's default %q for %s, want %s", ps.judged.Name, rule.Name, value, ps.family, rule.Rule)
			case set:
				// A static parameter applied immediately is refused by RDS: the value never takes effect.
				if engine, ok := EngineParameterFor(major, rule.Name); ok && engine.ApplyMethod() == ApplyPendingReboot && str(sp.fields, "applyMethod") != ApplyPendingReboot {
					f.fail("%s: %s applyMethod is %s, want %s (static in PostgreSQL %s)", sp.group.Name, rule.Name, show(sp.fields["applyMethod"]), ApplyPendingReboot, major)
				}
			}
		}
	})
}

// stackKeyArn checks that an instance input is the ARN of a KMS key the stack creates.
func stackKeyArn(g *Graph, f *finding, owner, key string, in map[string]any) {
	k, ok := g.keyByArn(get(in, key))
	if !ok {
		f.fail("%s: %s is %s, want a customer-managed key of the stack", owner, key, show(get(in, key)))
		return
	}
	f.read(k)
}

// securityGroupsOf returns the stack security groups an instance uses.
func securityGroupsOf(g *Graph, in map[string]any) []Resource {
	var out []Resource
	ids := stringList(in, "vpcSecurityGroupIds")
	for _, sg := range g.ofType(TypeSecurityGroup) {
		if slices.ContainsFunc(ids, func(id string) bool { return g.refers(id, sg, "id") }) {
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
			// A rule that names groups admits those groups: their IDs, unknown at preview, are not judged.
			followAll(append(stringList(rm, "securityGroups"), str(rm, "sourceSecurityGroupId"))...)
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
	for _, inst := range g.ofType(TypeInstance, TypeCluster, TypeProxy) {
		for _, sg := range stringList(inst.Inputs, "vpcSecurityGroupIds") {
			if problem, ok := watched(g, &f, sg); !ok && problem != "" {
				f.fail("%s: the EventBridge rule on changes to %s does not deliver: %s", inst.Name, sg, problem)
			} else if !ok {
				f.fail("%s: no EventBridge rule sends the CloudTrail records of changes to %s (%s) to a topic", inst.Name, sg, strings.Join(SecurityGroupChangeEvents, ", "))
			}
		}
	}
	if g.Live {
		trailCheck(g, &f)
	}
	return f
}

// trailCheck fails a live account where no CloudTrail trail logs the management write events of
// the database's Region: EventBridge receives "AWS API Call via CloudTrail" events only from
// such a trail, so the rule on security-group changes would never fire. A plan cannot tell: the
// trail is the account's (often the Organization's), not the stack's.
func trailCheck(g *Graph, f *finding) {
	var region string
	for _, db := range g.ofType(storageTypes...) {
		if region, _ = placeOf(db); region != "" {
			break
		}
	}
	var why []string
	for _, t := range g.ofType(TypeTrail) {
		f.read(t)
		switch {
		case get(t.Inputs, "enableLogging") != true:
			why = append(why, t.Name+" is not logging")
		case get(t.Inputs, "isMultiRegionTrail") != true && str(t.Outputs, "homeRegion") != region:
			why = append(why, t.Name+" logs "+str(t.Outputs, "homeRegion")+" only")
		case !logsManagementWrites(t.Inputs):
			why = append(why, t.Name+" logs no management write events")
		default:
			return
		}
	}
	if len(why) == 0 {
		why = append(why, "there is no trail")
	}
	f.fail("no CloudTrail trail logs the management events of %s (%s): the rule on security-group changes never fires; log them with a trail, or the Organization's", region, strings.Join(why, "; "))
}

// logsManagementWrites reads a trail's event selectors, basic or advanced.
func logsManagementWrites(in map[string]any) bool {
	for _, s := range items(in, "eventSelectors") {
		m, _ := s.(map[string]any)
		if m["includeManagementEvents"] == true && (m["readWriteType"] == "All" || m["readWriteType"] == "WriteOnly") {
			return true
		}
	}
	for _, s := range items(in, "advancedEventSelectors") {
		m, _ := s.(map[string]any)
		management, readOnly := false, false
		for _, fs := range items(m, "fieldSelectors") {
			field, _ := fs.(map[string]any)
			equals := Strings(field["equals"])
			switch field["field"] {
			case "eventCategory":
				management = slices.Contains(equals, "Management")
			case "readOnly":
				readOnly = slices.Equal(equals, []string{"true"})
			}
		}
		if management && !readOnly {
			return true
		}
	}
	return false
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
			if !g.refers(get(target.Inputs, "rule"), rule, "name") {
				continue
			}
			f.read(rule)
			f.read(target)
			problem, waiting := delivery(g, f, get(target.Inputs, "arn"), EventPublisherEventBridge)
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
		if g.refers(get(r.Inputs, "securityGroupId"), sg, "id") {
			out = append(out, r)
		}
	}
	return out
}

// databaseGroupsCheck runs fn on every security group of every instance, cluster and proxy: a
// client reaches the database through any of them.
func databaseGroupsCheck(holds string, fn func(g *Graph, f *finding, sg Resource)) check {
	return func(g *Graph) finding {
		f := finding{holds: holds}
		for _, r := range g.ofType(TypeInstance, TypeCluster, TypeProxy) {
			f.read(r)
			groups := securityGroupsOf(g, r.Inputs)
			if len(groups) == 0 {
				f.fail("%s: vpcSecurityGroupIds %s names no security group of the stack; the VPC default group would apply", r.Name, show(get(r.Inputs, "vpcSecurityGroupIds")))
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
		for _, r := range g.ofType(databaseTypes...) {
			f.read(r) // what needs the subscription
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
			problem, waiting := delivery(g, &f, get(s.Inputs, "snsTopic"), EventPublisherRDS)
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
				for _, r := range g.referring(typ, "bucket", b, "id") {
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
		scoped(func() { inspect(r, str(r.Inputs, "policy")) })
	}
	for _, r := range g.ofType(TypeRole) {
		f.read(r)
		scoped(func() {
			for _, p := range items(r.Inputs, "inlinePolicies") {
				pm, _ := p.(map[string]any)
				inspect(r, str(pm, "policy"))
			}
		})
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
			scoped(func() { fn(g, &f, r) })
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
