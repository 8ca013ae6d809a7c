package baseline

import (
	"net/netip"
	"strings"
)

// networkControls are the controls of the database security group and its rules, each with its check.
var networkControls = []Control{
	{Key: "sg-no-cidr-ingress", Title: "Database ingress comes only from security groups", Severity: High, Reads: []string{TypeSecurityGroup},
		Refs: Refs{SecurityHub: []string{"EC2.18", "EC2.19"}, Prowler: []string{"ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_postgres_5432"}, Checkov: []string{"CKV_AWS_277"}, CIS: []string{"5.2"}},
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
		Refs: Refs{Checkov: []string{"CKV_AWS_23"}},
		check: databaseGroupsCheck("the group and every rule are described", func(g *Graph, f *finding, sg Resource) {
			if d := str(sg.Inputs, "description"); d == "" || d == "Managed by Pulumi" || d == "Managed by Terraform" {
				f.fail("%s: description is %s, want one that says what the group admits", sg.Name, show(sg.Inputs["description"]))
			}
			for _, r := range securityGroupRules(g, sg) {
				if r.description == "" {
					f.fail("%s: no description", r.name)
				}
			}
		}),
	},
}
