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
		pg, ok := parameterGroupOf(g, inst)
		if !ok {
			f.fail("%s: parameterGroupName %s is neither a parameter group of the stack nor RDS's default group, so what it sets is unknown", inst.Name, show(in["parameterGroupName"]))
			return
		}
		if pg.URN != "" {
			f.read(pg)
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
	f.holds += "; an EventBridge rule on every change to the instance's security groups targets a topic with a subscriber"
	for _, inst := range g.ofType(TypeInstance) {
		for _, sg := range stringList(inst.Inputs, "vpcSecurityGroupIds") {
			if !watched(g, &f, sg) {
				f.fail("%s: no EventBridge rule sends the CloudTrail records of changes to %s (%s) to a topic with a subscriber", inst.Name, sg, strings.Join(SecurityGroupChangeEvents, ", "))
			}
		}
	}
	return f
}

// watched reports whether an EventBridge rule matches every change to group sg and targets a
// topic with a subscriber.
func watched(g *Graph, f *finding, sg string) bool {
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
			for _, sub := range g.ofType(TypeTopicSubscription) {
				if str(sub.Inputs, "topic") == str(target.Inputs, "arn") {
					f.read(rule)
					f.read(target)
					return true
				}
			}
		}
	}
	return false
}

// arnPart is the i-th colon-separated field of an ARN: 3 is the region, 4 the account.
func arnPart(arn string, i int) string {
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

// databaseGroupsCheck runs fn on every security group of every instance.
func databaseGroupsCheck(holds string, fn func(g *Graph, f *finding, sg Resource)) check {
	return instanceCheck(holds, func(g *Graph, f *finding, inst Resource, in map[string]any) {
		groups := securityGroupsOf(g, in)
		if len(groups) == 0 {
			f.fail("%s: vpcSecurityGroupIds %s names no security group of the stack; the VPC default group would apply", inst.Name, show(in["vpcSecurityGroupIds"]))
		}
		for _, sg := range groups {
			f.read(sg)
			for _, rule := range rulesOf(g, sg, TypeIngressRule, TypeEgressRule, TypeSecurityGroupRule) {
				f.read(rule)
			}
			fn(g, f, sg)
		}
	})
}

// eventCheck wants an enabled subscription to sourceType covering categories (none = all).
func eventCheck(sourceType string, categories ...string) check {
	return func(g *Graph) finding {
		f := finding{holds: fmt.Sprintf("a %s subscription covers %s and its topic has a subscriber", sourceType, strings.Join(categories, ", "))}
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
			// An event nobody receives alerts nobody: the topic needs a subscriber.
			topic := str(s.Inputs, "snsTopic")
			var subscribers []Resource
			for _, sub := range g.ofType(TypeTopicSubscription) {
				if str(sub.Inputs, "topic") == topic {
					subscribers = append(subscribers, sub)
				}
			}
			if len(subscribers) == 0 {
				problems = append(problems, fmt.Sprintf("%s publishes to %s, which has no subscriber: nobody is notified", s.Name, show(s.Inputs["snsTopic"])))
				continue
			}
			for _, sub := range subscribers {
				f.read(sub)
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
var checks = map[string]check{
	"rds-not-public": instanceBool("publiclyAccessible", false, false),
	"rds-private-subnets": instanceCheck("every subnet's route table was looked up and has no route to an internet gateway",
		func(g *Graph, f *finding, inst Resource, in map[string]any) {
			group, ok := attached(g, in, "dbSubnetGroupName", TypeSubnetGroup, "name")
			if !ok {
				f.fail("%s: dbSubnetGroupName %s is not a subnet group of the stack", inst.Name, show(in["dbSubnetGroupName"]))
				return
			}
			f.read(group)
			for _, subnet := range stringList(group.Inputs, "subnetIds") {
				table, ok := g.routeTableOf(subnet)
				if !ok && g.NoLookups {
					f.lacks("%s: subnet %s: its route table is only known to a look-up (aws ec2 describe-route-tables), which this graph does not carry", group.Name, subnet)
					continue
				}
				if !ok {
					f.fail("%s: subnet %s was not proven private (no route table look-up)", group.Name, subnet)
					continue
				}
				for _, route := range items(table, "routes") {
					rt, _ := route.(map[string]any)
					dest := str(rt, "cidrBlock") + str(rt, "ipv6CidrBlock")
					if RoutesToInternet(str(rt, "gatewayId")) {
						f.fail("%s: subnet %s routes %s to %s", group.Name, subnet, dest, str(rt, "gatewayId"))
					}
				}
			}
		}),
	"rds-in-vpc": instanceCheck("dbSubnetGroupName is set", func(_ *Graph, f *finding, inst Resource, in map[string]any) {
		if str(in, "dbSubnetGroupName") == "" {
			f.fail("%s: dbSubnetGroupName is unset: the instance lands in the default VPC", inst.Name)
		}
	}),
	"rds-encrypted": instanceBool("storageEncrypted", true, false),
	"rds-cmk": instanceCheck("kmsKeyId is a key of the stack with rotation on", func(g *Graph, f *finding, inst Resource, in map[string]any) {
		k, ok := g.keyByArn(in["kmsKeyId"])
		switch {
		case !ok:
			f.fail("%s: kmsKeyId is %s, want a customer-managed key of the stack (not aws/rds)", inst.Name, show(in["kmsKeyId"]))
		case k.Inputs["enableKeyRotation"] != true:
			f.read(k)
			f.fail("%s: its key %s does not rotate", inst.Name, k.Name)
		default:
			f.read(k)
		}
	}),
	"rds-multi-az": instanceBool("multiAz", true, false),
	"rds-enhanced-monitoring": instanceCheck("monitoringInterval is 1-60 with a monitoring role", func(_ *Graph, f *finding, inst Resource, in map[string]any) {
		n, _ := num(in, "monitoringInterval")
		if !slices.Contains(MonitoringIntervals, int(n)) || n != float64(int(n)) {
			f.fail("%s: monitoringInterval is %s, want one of %v", inst.Name, show(in["monitoringInterval"]), MonitoringIntervals)
		}
		if str(in, "monitoringRoleArn") == "" {
			f.fail("%s: monitoringRoleArn is unset", inst.Name)
		}
	}),
	"rds-deletion-protection": instanceBool("deletionProtection", true, false),
	"rds-log-exports": instanceCheck("postgresql and upgrade logs are exported", func(_ *Graph, f *finding, inst Resource, in map[string]any) {
		got := stringList(in, "enabledCloudwatchLogsExports")
		for _, want := range LogExports {
			if !slices.Contains(got, want) {
				f.fail("%s: enabledCloudwatchLogsExports is %s, want it to include %s", inst.Name, show(in["enabledCloudwatchLogsExports"]), want)
			}
		}
	}),
	"rds-iam-auth": instanceBool("iamDatabaseAuthenticationEnabled", true, false),
	"rds-backup-retention": instanceCheck("backupRetentionPeriod is 7-35", func(_ *Graph, f *finding, inst Resource, in map[string]any) {
		if n, _ := num(in, "backupRetentionPeriod"); n < MinBackupRetentionDays || n > MaxBackupRetentionDays {
			f.fail("%s: backupRetentionPeriod is %s, want %d-%d", inst.Name, show(in["backupRetentionPeriod"]), MinBackupRetentionDays, MaxBackupRetentionDays)
		}
	}),
	"rds-minor-upgrades": instanceBool("autoMinorVersionUpgrade", true, true),
	"rds-copy-tags":      instanceBool("copyTagsToSnapshot", true, false),
	"rds-non-default-port": instanceCheck("port is set and is not 5432", func(_ *Graph, f *finding, inst Resource, in map[string]any) {
		if n, ok := num(in, "port"); !ok || n == DefaultPostgresPort {
			f.fail("%s: port is %s, want a port other than %d", inst.Name, show(in["port"]), DefaultPostgresPort)
		}
	}),
	"rds-custom-admin": instanceCheck("the master user is not postgres or admin", func(_ *Graph, f *finding, inst Resource, in map[string]any) {
		if u := str(in, "username"); u == "" || slices.Contains(DefaultAdminNames, u) {
			f.fail("%s: username is %s, want a name other than postgres or admin", inst.Name, show(in["username"]))
		}
	}),
	"rds-managed-password": func(g *Graph) finding {
		f := finding{holds: "RDS manages and rotates the master password under a stack key; no password input anywhere"}
		for _, inst := range g.ofType(TypeInstance) {
			f.read(inst)
			if inst.Inputs["manageMasterUserPassword"] != true {
				f.fail("%s: manageMasterUserPassword is %s, want true", inst.Name, show(inst.Inputs["manageMasterUserPassword"]))
			}
			stackKeyArn(g, &f, inst.Name, "masterUserSecretKmsKeyId", inst.Inputs)
		}
		for _, r := range g.Resources {
			for _, key := range []string{"password", "masterPassword", "masterUserPassword"} {
				if _, ok := r.Inputs[key]; ok {
					f.read(r)
					f.fail("%s: has a %s input", r.Name, key)
				}
			}
		}
		return f
	},
	"rds-ca-cert": instanceCheck("caCertIdentifier is a current RDS CA", func(_ *Graph, f *finding, inst Resource, in map[string]any) {
		ca, set := in["caCertIdentifier"].(string)
		if !set {
			ca = DefaultCACertificate
		}
		if !slices.Contains(CACertificates, ca) {
			f.fail("%s: caCertIdentifier is %s, want one of %s", inst.Name, show(in["caCertIdentifier"]), strings.Join(CACertificates, ", "))
		}
	}),
	"rds-supported-engine": instanceCheck("engine postgres on a supported major version, no minor pinned", func(_ *Graph, f *finding, inst Resource, in map[string]any) {
		v := str(in, "engineVersion")
		switch {
		case str(in, "engine") != "postgres":
			f.fail("%s: engine is %s, want postgres", inst.Name, show(in["engine"]))
		case !slices.Contains(SupportedMajorVersions, majorOf(v)):
			f.fail("%s: engineVersion is %s, want a supported major version (%s)", inst.Name, show(in["engineVersion"]), strings.Join(SupportedMajorVersions, ", "))
		case strings.Contains(v, "."):
			f.fail("%s: engineVersion %s pins a minor version, which RDS deprecates; give the major only", inst.Name, v)
		}
	}),
	"rds-no-extended-support": instanceCheck("engineLifecycleSupport is open-source-rds-extended-support-disabled", func(_ *Graph, f *finding, inst Resource, in map[string]any) {
		if str(in, "engineLifecycleSupport") != "open-source-rds-extended-support-disabled" {
			f.fail("%s: engineLifecycleSupport is %s, want open-source-rds-extended-support-disabled", inst.Name, show(in["engineLifecycleSupport"]))
		}
	}),
	"rds-performance-insights": instanceCheck("Performance Insights is on with a stack key", func(g *Graph, f *finding, inst Resource, in map[string]any) {
		if in["performanceInsightsEnabled"] != true {
			f.fail("%s: performanceInsightsEnabled is %s, want true", inst.Name, show(in["performanceInsightsEnabled"]))
			return
		}
		stackKeyArn(g, f, inst.Name, "performanceInsightsKmsKeyId", in)
	}),
	"rds-final-snapshot": instanceCheck("a named final snapshot is taken", func(_ *Graph, f *finding, inst Resource, in map[string]any) {
		if in["skipFinalSnapshot"] != false {
			f.fail("%s: skipFinalSnapshot is %s, want false", inst.Name, show(in["skipFinalSnapshot"]))
		}
		if str(in, "finalSnapshotIdentifier") == "" {
			f.fail("%s: finalSnapshotIdentifier is unset", inst.Name)
		}
	}),
	"rds-tags": func(g *Graph) finding {
		f := finding{holds: "tagged with " + strings.Join(RequiredTagKeys, ", ")}
		for _, r := range g.ofType(TypeInstance, TypeSubnetGroup, TypeParameterGroup) {
			f.read(r)
			tags := object(r.Inputs, "tags")
			var missing []string
			for _, k := range RequiredTagKeys {
				if s, _ := tags[k].(string); strings.TrimSpace(s) == "" {
					missing = append(missing, k)
				}
			}
			if len(missing) > 0 {
				f.fail("%s: tags lack %s", r.Name, strings.Join(missing, ", "))
			}
		}
		return f
	},

	"pg-force-ssl":          parameterCheck("pg-force-ssl"),
	"pg-tls-min":            parameterCheck("pg-tls-min"),
	"pg-scram":              parameterCheck("pg-scram"),
	"pg-connection-logging": parameterCheck("pg-connection-logging"),
	"pg-statement-logging":  parameterCheck("pg-statement-logging"),
	"pg-log-redaction":      parameterCheck("pg-log-redaction"),
	"pg-audit":              parameterCheck("pg-audit"),
	"pg-family-matches": instanceCheck("the family is postgres and the engine major version", func(g *Graph, f *finding, inst Resource, in map[string]any) {
		pg, ok := parameterGroupOf(g, inst)
		if !ok {
			f.fail("%s: parameterGroupName %s is neither a parameter group of the stack nor RDS's default group", inst.Name, show(in["parameterGroupName"]))
			return
		}
		if pg.URN != "" {
			f.read(pg)
		}
		if want := Family(majorOf(str(in, "engineVersion"))); str(pg.Inputs, "family") != want {
			f.fail("%s: family is %s, want %s", pg.Name, show(pg.Inputs["family"]), want)
		}
	}),

	"kms-rotation": keysCheck("every key rotates", func(f *finding, k Resource) {
		if k.Inputs["enableKeyRotation"] != true {
			f.fail("%s: enableKeyRotation is %s, want true", k.Name, show(k.Inputs["enableKeyRotation"]))
		}
	}),
	"kms-policy": keysCheck("every key has a policy without an unconditioned * principal", func(f *finding, k Resource) {
		if k.Inputs["bypassPolicyLockoutSafetyCheck"] == true {
			f.fail("%s: bypassPolicyLockoutSafetyCheck is true", k.Name)
		}
		doc := str(k.Inputs, "policy")
		if doc == "" {
			f.fail("%s: no key policy: the default grants the whole account every action", k.Name)
			return
		}
		statements, err := parsePolicy(doc)
		if err != nil {
			f.fail("%s: the policy is not valid JSON: %v", k.Name, err)
			return
		}
		for i, st := range statements {
			if st.Effect == "Allow" && slices.Contains(anyStrings(st.Principal), "*") && len(st.Condition) == 0 {
				f.fail("%s: statement %d allows principal * without a condition", k.Name, i)
			}
		}
	}),
	"kms-deletion-window": keysCheck("deletion windows are 30 days and keys are enabled", func(f *finding, k Resource) {
		if n, ok := num(k.Inputs, "deletionWindowInDays"); ok && n < MinKeyDeletionWindowDays {
			f.fail("%s: deletionWindowInDays is %v, want %d", k.Name, n, MinKeyDeletionWindowDays)
		}
		if k.Inputs["isEnabled"] == false {
			f.fail("%s: isEnabled is false", k.Name)
		}
	}),
	"iam-no-kms-star": func(g *Graph) finding {
		f := finding{holds: "no IAM policy of the stack allows kms:Decrypt or kms:ReEncryptFrom on *"}
		actionsOnAnyResource(g, &f, func(r Resource, action string) {
			if slices.Contains([]string{"*", "kms:*", "kms:decrypt", "kms:reencryptfrom", "kms:reencrypt*", "kms:decrypt*"}, strings.ToLower(action)) {
				f.fail("%s: allows %s on *", r.Name, action)
			}
		})
		return f
	},
	"sg-no-cidr-ingress": databaseGroupsCheck("ingress comes from security groups only", func(g *Graph, f *finding, sg Resource) {
		for _, r := range securityGroupRules(g, sg) {
			if r.ingress && len(r.cidrs)+len(r.prefixLists) > 0 {
				f.fail("%s: ingress from %s", r.name, strings.Join(append(r.cidrs, r.prefixLists...), ", "))
			}
		}
	}),
	"sg-no-open-egress": databaseGroupsCheck("no egress to all addresses (0.0.0.0/0, ::/0, or prefixes that add up to them)", func(g *Graph, f *finding, sg Resource) {
		var egress []string
		for _, r := range securityGroupRules(g, sg) {
			if !r.ingress {
				egress = append(egress, r.cidrs...)
			}
		}
		for _, all := range []string{"0.0.0.0/0", "::/0"} {
			if covers(egress, netip.MustParsePrefix(all)) {
				f.fail("%s: egress reaches %s (%s)", sg.Name, all, strings.Join(egress, ", "))
			}
		}
	}),
	"sg-descriptions": databaseGroupsCheck("the group and every rule are described", func(g *Graph, f *finding, sg Resource) {
		if d := str(sg.Inputs, "description"); d == "" || d == "Managed by Pulumi" || d == "Managed by Terraform" {
			f.fail("%s: description is %s, want one that says what the group admits", sg.Name, show(sg.Inputs["description"]))
		}
		for _, r := range securityGroupRules(g, sg) {
			if r.description == "" {
				f.fail("%s: no description", r.name)
			}
		}
	}),
	"logs-cmk": logGroupsCheck("every log group is encrypted with a stack key", func(g *Graph, f *finding, lg Resource) {
		if _, ok := g.keyByArn(lg.Inputs["kmsKeyId"]); !ok {
			f.fail("%s: kmsKeyId is %s, want a key of the stack", lg.Name, show(lg.Inputs["kmsKeyId"]))
		}
	}),
	"logs-retention": logGroupsCheck("every log group keeps 365 days or more", func(_ *Graph, f *finding, lg Resource) {
		if n, ok := num(lg.Inputs, "retentionInDays"); ok && n > 0 && n < MinLogRetentionDays {
			f.fail("%s: retentionInDays is %v, want %d or more", lg.Name, n, MinLogRetentionDays)
		}
	}),
	"logs-shipped": instanceCheck("every exported log group streams to the audit destination", func(g *Graph, f *finding, inst Resource, in map[string]any) {
		for _, logType := range stringList(in, "enabledCloudwatchLogsExports") {
			name := fmt.Sprintf("/aws/rds/instance/%s/%s", str(in, "identifier"), logType)
			groups := g.withInput(TypeLogGroup, "name", name)
			if len(groups) == 0 {
				f.fail("%s: log group %s is not created by the stack (RDS would create it unencrypted, kept forever)", inst.Name, name)
				continue
			}
			f.read(groups[0])
			filters := g.withInput(TypeSubscriptionFilter, "logGroup", name)
			if len(filters) == 0 || str(filters[0].Inputs, "destinationArn") == "" {
				f.fail("%s: no subscription filter streams it to an audit destination", name)
				continue
			}
			f.read(filters[0])
		}
	}),
	"events-instance":        eventCheck("db-instance", EventCategories["db-instance"]...),
	"events-parameter-group": eventCheck("db-parameter-group", EventCategories["db-parameter-group"]...),
	"events-security-group":  securityGroupEventsCheck,
	"backup-plan": instanceCheck("an AWS Backup selection covers the instance", func(g *Graph, f *finding, inst Resource, _ map[string]any) {
		arn := str(inst.Outputs, "arn")
		for _, sel := range g.ofType(TypeBackupSelection) {
			if slices.Contains(stringList(sel.Inputs, "resources"), arn) {
				f.read(sel)
				return
			}
		}
		f.fail("%s: no backup selection names %s", inst.Name, arn)
	}),
	"backup-independent-copy": instanceCheck("automated backups replicated, or AWS Backup copies made, under a key other than the storage key in another region or account",
		func(g *Graph, f *finding, inst Resource, in map[string]any) {
			instArn := str(inst.Outputs, "arn")
			home := arnPart(instArn, 3) + "/" + arnPart(instArn, 4) // region/account
			for _, r := range g.ofType(TypeBackupReplication) {
				key := str(r.Inputs, "kmsKeyId")
				if str(r.Inputs, "sourceDbInstanceArn") != instArn {
					continue
				}
				f.read(r)
				if key != "" && key != str(in, "kmsKeyId") && arnPart(key, 3)+"/"+arnPart(key, 4) != home {
					return
				}
				f.fail("%s: kmsKeyId %s is the storage key or in the instance's own region and account", r.Name, show(r.Inputs["kmsKeyId"]))
			}
			for _, sel := range g.ofType(TypeBackupSelection) {
				if !slices.Contains(stringList(sel.Inputs, "resources"), instArn) {
					continue
				}
				for _, plan := range g.ofType(TypeBackupPlan) {
					if plan.ID != str(sel.Inputs, "planId") {
						continue
					}
					f.read(plan)
					for _, rule := range items(plan.Inputs, "rules") {
						rm, _ := rule.(map[string]any)
						for _, c := range items(rm, "copyActions") {
							vault := str(c.(map[string]any), "destinationVaultArn")
							if arnPart(vault, 3)+"/"+arnPart(vault, 4) != home {
								return // a copy into another region or account is re-encrypted with that vault's key
							}
						}
					}
				}
			}
			f.fail("%s: its backups exist only under its storage key, in its own region and account: replicate them (backupReplicationRegion) or copy them (backupCopyToVaultArn)", inst.Name)
		}),
	"backup-vault-cmk": func(g *Graph) finding {
		f := finding{holds: "every vault has its own stack key, distinct from the storage key"}
		storage := map[string]bool{}
		for _, inst := range g.ofType(TypeInstance) {
			storage[str(inst.Inputs, "kmsKeyId")] = true
		}
		for _, v := range g.ofType(TypeBackupVault) {
			f.read(v)
			arn := str(v.Inputs, "kmsKeyArn")
			if _, ok := g.keyByArn(arn); !ok {
				f.fail("%s: kmsKeyArn is %s, want a key of the stack", v.Name, show(v.Inputs["kmsKeyArn"]))
			} else if storage[arn] {
				f.fail("%s: uses the instance's storage key; a backup must survive that key's loss", v.Name)
			}
		}
		return f
	},
	"backup-vault-lock": func(g *Graph) finding {
		f := finding{holds: "every vault is locked with minimum and maximum retention"}
		for _, v := range g.ofType(TypeBackupVault) {
			f.read(v)
			locks := g.withInput(TypeBackupVaultLock, "backupVaultName", v.Outputs["name"])
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
	"sns-cmk": func(g *Graph) finding {
		f := finding{holds: "every topic is encrypted with a stack key"}
		for _, t := range g.ofType(TypeTopic) {
			f.read(t)
			if _, ok := g.keyByArn(t.Inputs["kmsMasterKeyId"]); !ok {
				f.fail("%s: kmsMasterKeyId is %s, want a key of the stack", t.Name, show(t.Inputs["kmsMasterKeyId"]))
			}
		}
		return f
	},
	"iam-scoped-writes": func(g *Graph) finding {
		f := finding{holds: "every write action in the stack's IAM policies names its resources"}
		actionsOnAnyResource(g, &f, func(r Resource, action string) {
			if !isReadOnly(action) {
				f.fail("%s: allows %s on *", r.Name, action)
			}
		})
		return f
	},
	"s3-object-lock": bucketCheck("Object Lock in COMPLIANCE mode with a default retention", TypeBucketObjectLock, func(_ *Graph, f *finding, b Resource, lock *Resource) {
		if b.Inputs["objectLockEnabled"] != true {
			f.fail("%s: objectLockEnabled is %s, want true (it can only be set when the bucket is created)", b.Name, show(b.Inputs["objectLockEnabled"]))
		}
		if lock == nil {
			f.fail("%s: no object lock configuration", b.Name)
			return
		}
		retention := object(object(lock.Inputs, "rule"), "defaultRetention")
		if str(retention, "mode") != "COMPLIANCE" {
			f.fail("%s: default retention mode is %s, want COMPLIANCE (GOVERNANCE can be bypassed)", lock.Name, show(retention["mode"]))
		}
	}),
	"s3-versioning": bucketCheck("versioning is enabled", TypeBucketVersioning, func(_ *Graph, f *finding, b Resource, v *Resource) {
		if v == nil || str(object(v.Inputs, "versioningConfiguration"), "status") != "Enabled" {
			f.fail("%s: versioning is not enabled", b.Name)
		}
	}),
	"s3-cmk": bucketCheck("SSE-KMS with a stack key", TypeBucketEncryption, func(g *Graph, f *finding, b Resource, enc *Resource) {
		if enc == nil {
			f.fail("%s: no server-side encryption configuration", b.Name)
			return
		}
		for _, rule := range items(enc.Inputs, "rules") {
			def := object(rule.(map[string]any), "applyServerSideEncryptionByDefault")
			if str(def, "sseAlgorithm") != "aws:kms" {
				f.fail("%s: sseAlgorithm is %s, want aws:kms", enc.Name, show(def["sseAlgorithm"]))
			} else if _, ok := g.keyByArn(def["kmsMasterKeyId"]); !ok {
				f.fail("%s: kmsMasterKeyId is %s, want a key of the stack", enc.Name, show(def["kmsMasterKeyId"]))
			}
		}
	}),
	"s3-public-access-block": bucketCheck("all four public access blocks are on", TypeBucketPublicAccess, func(_ *Graph, f *finding, b Resource, pab *Resource) {
		if pab == nil {
			f.fail("%s: no public access block", b.Name)
			return
		}
		for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
			if pab.Inputs[k] != true {
				f.fail("%s: %s is %s, want true", pab.Name, k, show(pab.Inputs[k]))
			}
		}
	}),
	"s3-tls-only": bucketCheck("the bucket policy denies aws:SecureTransport false", TypeBucketPolicy, func(_ *Graph, f *finding, b Resource, policy *Resource) {
		if policy == nil {
			f.fail("%s: no bucket policy denies requests without TLS", b.Name)
			return
		}
		statements, err := parsePolicy(str(policy.Inputs, "policy"))
		if err != nil {
			f.fail("%s: the policy is not valid JSON: %v", policy.Name, err)
			return
		}
		for _, st := range statements {
			cond, _ := st.Condition["Bool"].(map[string]any)
			if st.Effect == "Deny" && slices.Contains(anyStrings(cond["aws:SecureTransport"]), "false") {
				return
			}
		}
		f.fail("%s: no statement denies aws:SecureTransport false", policy.Name)
	}),
	"firehose-cmk": func(g *Graph) finding {
		f := finding{holds: "streams encrypt at rest and write with a stack key"}
		for _, s := range g.ofType(TypeFirehose) {
			f.read(s)
			sse := object(s.Inputs, "serverSideEncryption")
			if sse["enabled"] != true || str(sse, "keyType") != "CUSTOMER_MANAGED_CMK" {
				f.fail("%s: server-side encryption is %s, want enabled with CUSTOMER_MANAGED_CMK", s.Name, show(sse))
			} else if _, ok := g.keyByArn(sse["keyArn"]); !ok {
				f.fail("%s: serverSideEncryption.keyArn is %s, want a key of the stack", s.Name, show(sse["keyArn"]))
			}
			if s3cfg := object(s.Inputs, "extendedS3Configuration"); s3cfg != nil {
				if _, ok := g.keyByArn(s3cfg["kmsKeyArn"]); !ok {
					f.fail("%s: extendedS3Configuration.kmsKeyArn is %s, want a key of the stack", s.Name, show(s3cfg["kmsKeyArn"]))
				}
			}
		}
		return f
	},
	"proxy-tls": func(g *Graph) finding {
		f := finding{holds: "every proxy requires TLS and IAM auth"}
		for _, p := range g.ofType(TypeProxy) {
			f.read(p)
			if p.Inputs["requireTls"] != true {
				f.fail("%s: requireTls is %s, want true", p.Name, show(p.Inputs["requireTls"]))
			}
			for _, a := range items(p.Inputs, "auths") {
				if am, _ := a.(map[string]any); str(am, "iamAuth") != "REQUIRED" {
					f.fail("%s: iamAuth is %s, want REQUIRED", p.Name, show(am["iamAuth"]))
				}
			}
		}
		return f
	},
}

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
			f.fail("%s: the policy is not valid JSON: %v", r.Name, err)
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
			if st.Effect != "Allow" || !slices.Contains(anyStrings(st.Resource), "*") {
				continue
			}
			for _, a := range anyStrings(st.Action) {
				fn(r, a)
			}
		}
	})
}

func keysCheck(holds string, fn func(f *finding, k Resource)) check {
	return func(g *Graph) finding {
		f := finding{holds: holds}
		for _, k := range g.ofType(TypeKey) {
			f.read(k)
			fn(&f, k)
		}
		return f
	}
}

func logGroupsCheck(holds string, fn func(g *Graph, f *finding, lg Resource)) check {
	return func(g *Graph) finding {
		f := finding{holds: holds}
		for _, lg := range g.ofType(TypeLogGroup) {
			f.read(lg)
			fn(g, &f, lg)
		}
		return f
	}
}
