package baseline

import (
	"net/netip"
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
