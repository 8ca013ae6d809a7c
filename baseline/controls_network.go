package baseline

import (
	"net/netip"
	"slices"
	"strings"
)

// networkControls are the controls of the database security group and its rules, each with its check.
var networkControls = []Control{
	{Key: "sg-no-cidr-ingress", Title: "Database and proxy ingress comes only from security groups", Severity: High, Reads: []string{TypeSecurityGroup},
		Refs: Refs{SecurityHub: []string{"EC2.18", "EC2.19", "EC2.13", "EC2.14", "EC2.53", "EC2.54"}, Prowler: []string{"ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_postgres_5432", "ec2_securitygroup_allow_ingress_from_internet_to_all_ports", "ec2_securitygroup_allow_ingress_from_internet_to_any_port", "ec2_securitygroup_allow_ingress_from_internet_to_any_port_from_ip", "ec2_securitygroup_allow_ingress_from_internet_to_high_risk_tcp_ports", "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22", "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_3389", "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_cassandra_7199_9160_8888", "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_elasticsearch_kibana_9200_9300_5601", "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_ftp_20_21", "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_kafka_9092", "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_memcached_11211", "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_mongodb_27017_27018", "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_mysql_3306", "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_oracle_1521_2483", "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_redis_6379", "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_sql_server_1433_1434", "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_telnet_23", "ec2_securitygroup_allow_wide_open_public_ipv4"}, Checkov: []string{"CKV_AWS_277", "CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260"}, CIS: []string{"5.2"}, CdkNag: []string{"EC2RestrictedInbound", "EC2RestrictedCommonPorts", "EC2RestrictedSSH"}, CompliancePolicies: []string{"aws-ec2-securitygroup-disallow-inbound-http-traffic", "aws-ec2-securitygroup-disallow-public-internet-ingress"}},
		check: databaseGroupsCheck("ingress comes from security groups only", func(g *Graph, f *finding, sg Resource) {
			for _, r := range securityGroupRules(g, sg) {
				if r.ingress && len(r.cidrs)+len(r.prefixLists) > 0 {
					f.fail("%s: ingress from %s", r.name, strings.Join(append(r.cidrs, r.prefixLists...), ", "))
				}
			}
		}),
	},
	{Key: "sg-no-open-egress", Title: "No egress to all addresses (0.0.0.0/0, ::/0, in any spelling or split)", Severity: Medium, Reads: []string{TypeSecurityGroup},
		Refs: Refs{Checkov: []string{"CKV_AWS_382"}},
		check: databaseGroupsCheck("no egress to all addresses (0.0.0.0/0, ::/0, or prefixes that add up to them)", func(g *Graph, f *finding, sg Resource) {
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
	},
	{Key: "sg-descriptions", Title: "Security group and every rule are described", Severity: Low, Reads: []string{TypeSecurityGroup},
		Refs: Refs{Checkov: []string{"CKV_AWS_23"}, CdkNag: []string{"EC2SecurityGroupDescription"}, CompliancePolicies: []string{"aws-ec2-securitygroup-missing-description", "aws-ec2-securitygroup-missing-egress-rule-description", "aws-ec2-securitygroup-missing-ingress-rule-description"}},
		check: databaseGroupsCheck("the group and every rule are described", func(g *Graph, f *finding, sg Resource) {
			if d := str(sg.Inputs, "description"); d == "" || d == "Managed by Pulumi" || d == "Managed by Terraform" {
				f.fail("%s: description is %s, want one that says what the group admits", sg.Name, show(get(sg.Inputs, "description")))
			}
			for _, r := range securityGroupRules(g, sg) {
				if r.description == "" {
					f.fail("%s: no description", r.name)
				}
			}
		}),
	},
}

// FlowLogTrafficTypes are the traffic types of a flow log that capture what EC2.6 asks for: the
// rejected connections (REJECT is its default parameter), or everything.
var FlowLogTrafficTypes = []string{"ALL", "REJECT"}

// flowLogControls judge the network records of the database's subnets.
var flowLogControls = []Control{
	{Key: "vpc-flow-logs", Title: "The database's subnets, or their VPC, have flow logs into a log group of the stack", Severity: Medium, Reads: storageTypes, Waivable: true,
		Refs: Refs{SecurityHub: []string{"EC2.6"}, Prowler: []string{"vpc_flow_logs_enabled"}, Checkov: []string{"CKV2_AWS_11"}, CIS: []string{"3.7"}},
		check: storageCheck("every subnet of the database is covered by a flow log of it or of its VPC, capturing "+strings.Join(FlowLogTrafficTypes, " or ")+" traffic into a log group of the stack",
			func(g *Graph, f *finding, inst Resource, in map[string]any) {
				group, ok := subnetGroupOf(g, f, inst, in)
				if !ok {
					return
				}
				// The database's VPC is its security groups': RDS places the subnet group in the same
				// VPC, so a flow log of that VPC covers every subnet, whatever their IDs.
				var vpcs []any
				for _, id := range stringList(in, "vpcSecurityGroupIds") {
					for _, sg := range g.referred(TypeSecurityGroup, "id", id) {
						f.read(sg)
						vpcs = append(vpcs, get(sg.Inputs, "vpcId"))
					}
				}
				judge := func(fl Resource) {
					f.read(fl)
					if traffic := str(fl.Inputs, "trafficType"); !slices.Contains(FlowLogTrafficTypes, traffic) {
						f.fail("%s: trafficType is %s, want %s: rejected connections go unrecorded", fl.Name, show(get(fl.Inputs, "trafficType")), strings.Join(FlowLogTrafficTypes, " or "))
					}
					if kind := str(fl.Inputs, "logDestinationType"); kind != "" && kind != "cloud-watch-logs" {
						f.fail("%s: logDestinationType is %s, want cloud-watch-logs into a log group of the stack, whose key and retention the catalog judges", fl.Name, kind)
					} else if len(g.referred(TypeLogGroup, "arn", get(fl.Inputs, "logDestination"))) == 0 {
						f.fail("%s: logDestination %s is not a log group of the stack", fl.Name, show(get(fl.Inputs, "logDestination")))
					}
				}
				vpcLogged := false
				for _, fl := range g.ofType(TypeFlowLog) {
					if slices.ContainsFunc(vpcs, func(v any) bool { return sameReference(get(fl.Inputs, "vpcId"), v) }) {
						judge(fl)
						vpcLogged = true
					}
				}
				if vpcLogged {
					return
				}
				for _, subnet := range stringList(group.Inputs, "subnetIds") {
					covered := false
					for _, fl := range g.ofType(TypeFlowLog) {
						if sameReference(get(fl.Inputs, "subnetId"), subnet) {
							judge(fl)
							covered = true
						}
					}
					if !covered {
						f.fail("%s: subnet %s: no flow log of the subnet or of its VPC records its traffic", group.Name, subnet)
					}
				}
			}),
	},
}

// sameReference reports whether two inputs name the same thing: the same known text, or values
// pending from the same resource. A pending value against a known one is not followed: what it
// will be waits for apply.
func sameReference(a, b any) bool {
	sa, _ := a.(string)
	sb, _ := b.(string)
	pa, pb := pendingURN(sa), pendingURN(sb)
	switch {
	case pa != "" && pb != "":
		followAll(sa, sb)
		return pa == pb
	case pa != "" || pb != "":
		return false
	}
	return sa != "" && sa == sb
}
